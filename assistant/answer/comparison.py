"""What a term is: a comparison question ("wat is het verschil tussen X en Y?") names
both sides, each in the words of the section that defines it, and a glossary entry is
followed by the section that explains the term."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol

from assistant.answer.coherence import ENTRY, defining, is_label, with_predecessors
from assistant.answer.intent import Intent, Kind, comparison_sides
from assistant.retrieval.query import to_dutch
from assistant.retrieval.search import SearchResult, SectionHit
from assistant.text import analyze, fold


class Composer(Protocol):
    """What a comparison needs of the composer (which imports this module)."""

    def score_sentences(self, hit: SectionHit, result: SearchResult, intent: Intent) -> list: ...
    def _cite(self, hit: SectionHit, s: Any, out: Any) -> str: ...
    def _pick_prose(self, scored: list, best: Any, budget: int) -> list[int]: ...
    def _emit_prose(self, hit: SectionHit, scored: list, positions: list[int], out: Any) -> None: ...


def compare(composer: Composer, result: SearchResult, out: Any) -> bool:
    """A comparison names both sides, each from the section that defines it."""
    sides = comparison_sides(result.query.original)
    if not sides:
        return False
    chosen: list[tuple[str, str, SectionHit, list, list[int]]] = []
    taken: set[tuple[str, int]] = set()
    for i, side in enumerate(sides):
        other = sides[1 - i]
        variants = [side]
        if result.query.language == "en":  # the sections are Dutch: an English side is looked for in their words first
            variants = list(dict.fromkeys([to_dutch(side), side]))
            other = f"{other} {to_dutch(other)}"
        found = next(((v, f) for v in variants if (f := _side(composer, result, v, other, taken)) is not None), None)
        if found is None:
            return False  # no sentence says what this side is: answer the usual way
        variant, (hit, scored, positions) = found
        taken.update((hit.section.id, p) for p in positions)
        chosen.append((side, variant, hit, scored, positions))
    for side, variant, hit, scored, positions in chosen:
        text = " ".join(composer._cite(hit, scored[p], out) for p in positions)
        named = fold(scored[positions[0]].text).startswith(fold(variant))  # "Kerngroep: de kleine groep ..."
        out.lines.append(text if named else f"{variant[:1].upper()}{variant[1:]}: {text}")  # in the guide's words
        out.used.append(hit)
        entry = ENTRY.match(scored[positions[0]].text)
        if entry and len(entry.group(1).split()) <= 3 and fold(entry.group(1)).startswith(fold(variant)):
            out.defined.append(variant)  # "Kerngroep: …", a glossary entry: the section explaining it follows
    return True  # also when a later part of a question adds to an answer begun


def _side(composer: Composer, result: SearchResult, side: str, other: str, taken: set[tuple[str, int]]
          ) -> tuple[SectionHit, list, list[int]] | None:
    """The section and sentences that say what one side of a comparison is."""
    vocab = result.snapshot.vocabulary
    side_terms = set(analyze(side, vocab))
    if not side_terms:
        return None
    other_all = set(analyze(other, vocab))
    other_terms = other_all - side_terms

    def says_what_it_is(h: SectionHit) -> float:
        covered = len(side_terms & set(analyze(f"{h.section.heading} {h.section.text}", vocab))) / len(side_terms)
        heading = set(analyze(h.section.heading, vocab))
        about_other = bool(other_terms & heading) and not (side_terms - other_all) & heading  # the core group's
        return covered - 0.5 * about_other + 0.1 * h.scores.fused  # section does not say what the steering group is

    hit = max(result.hits[:6], key=says_what_it_is)
    scored = composer.score_sentences(hit, result, Intent(Kind.DEFINITION, False))
    for s in scored:
        s.score += 0.5 * len(side_terms & set(analyze(s.text, vocab))) / len(side_terms)
        s.score += 0.4 * bool(side_terms & set(analyze(" ".join(s.text.split()[:5]), vocab)))
        s.score -= 0.3 * bool(other_terms & set(analyze(s.text, vocab)))
    free = [s for s in scored if (hit.section.id, s.position) not in taken]
    defined = defining(scored, side)
    best = defined if defined in free else max(free, key=lambda s: s.score, default=None)
    if best is None or not side_terms <= set(analyze(best.text, vocab)):
        return None
    positions = [p for p in with_predecessors(scored, [best.position]) if (hit.section.id, p) not in taken]
    return (hit, scored, positions) if positions else None


def define_further(composer: Composer, result: SearchResult, others: list[SectionHit], term: str, out: Any,
                   budget: int) -> None:
    """After a glossary entry: the sentences of the section that explains the term in
    its own words (a section named after the term first), within ``budget`` words."""
    used = {h.section.id for h in out.used}
    key = fold(term)
    candidates = [h for h in others if h.section.id not in used and key in fold(h.section.text)]
    candidates.sort(key=lambda h: key not in fold(h.section.heading))
    for hit in candidates[:1]:
        scored = composer.score_sentences(hit, result, Intent(Kind.DEFINITION, False))
        mentions = [s for s in scored if key in fold(s.text) and not s.list_no and not is_label(s.text)]
        if not mentions:
            continue
        best = max(mentions, key=lambda s: s.score)
        picked = composer._pick_prose([s if s.list_no == 0 else replace(s, score=0.0) for s in scored], best, budget)
        composer._emit_prose(hit, scored, [p for p in picked if not scored[p].list_no], out)
