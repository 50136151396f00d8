"""The offline answer: find the section that answers, then compose from it.

No language model is involved. The composer ranks the retrieved sections for the kind
of answer asked for (a definition prefers the glossary, a question about Neteland the
case; a reading route or a template gives way unless asked for) and answers from the
best section in its own order: a whole list when the question asks for one or its best
sentences are items of a short list, a short section of prose whole, and never a
sentence without the one it leans on. A second section comes only when it gives what
the first lacks (for a comparison: the other side)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.answer.citations import CitationBook
from assistant.answer.coherence import (
    ABOUT_GUIDE, ANNOUNCES, ASKS_FOR_SIGNS, GUIDE_DOC, REMEDY, WANTS_SOURCES, WANTS_TEMPLATE, bold_label, defining,
    is_label, is_reference_list, is_template, leans_in_place, leans_on_previous, named_entries, names_again,
    REPEAT, echoes, not_an_answer, points_elsewhere, sign_lists, table_rows, unasked, with_predecessors)
from assistant.answer.comparison import compare, define_further
from assistant.answer.intent import Intent, Kind, counted, defined_term
from assistant.retrieval.search import SearchResult, SectionHit
from assistant.settings import AnswerSettings
from assistant.text import analyze, words
from assistant.types import AnswerSentence

SUMMARY = "Kort"  # the heading of a chapter's summary


@dataclass
class Composition:
    """An offline answer before it becomes an :class:`Answer`."""

    lines: list[str] = field(default_factory=list)
    sentences: list[AnswerSentence] = field(default_factory=list)
    book: CitationBook = field(default_factory=CitationBook)
    used: list[SectionHit] = field(default_factory=list)
    defined: list[str] = field(default_factory=list)  # the terms of the glossary entries it gives

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def word_count(self) -> int:
        return sum(len(words(s.text)) for s in self.sentences)


@dataclass
class _Scored:
    position: int
    text: str
    score: float
    list_no: int
    item_no: int
    echo: float = 0.0  # best cosine with a sentence the answer holds from another section


class Composer:
    """Builds the offline answer and its numbered citations from a search result."""

    def __init__(self, cfg: AnswerSettings):
        self.cfg = cfg

    def compose(self, result: SearchResult, intent: Intent, out: Composition | None = None,
                budget: int | None = None) -> Composition:
        """Answer from the best section for ``intent`` (appending to ``out`` when given:
        the parts of a multi-part question share one answer and one citation list)."""
        out = out or Composition(book=CitationBook(self.cfg.max_source_age_years))
        used = {h.section.id for h in out.used}
        ranked = [h for h in self.rank_for_answer(result, intent) if h.section.id not in used]
        if not ranked:
            return out
        if intent.kind is Kind.COMPARE and compare(self, result, out):
            if not budget:  # each side's definition, then the section that explains it
                self._define_each(result, ranked[:4], out.defined, out)
            return out
        primary = ranked[0]
        if out.used and unasked(primary.section, result.query.resolved, result.query.terms, result.snapshot.vocabulary):
            return out  # a later part of the question that only a reading route or a template "answers"
        term = defined_term(result.query.resolved) if intent.kind is Kind.DEFINITION else None
        self._answer_from(primary, result, intent, out, budget or self.cfg.max_words, term)
        if budget:
            return out
        self._define_each(result, ranked[1:4], [term] if term else out.defined, out)
        if primary.section.heading == SUMMARY:  # a chapter's summary points; a section of it answers
            inner = next((h for h in ranked[1:4] + result.hits[4:] if h.section.doc_id == primary.section.doc_id
                          and h.section.id not in {u.section.id for u in out.used}), None)
            if inner is not None:
                self._answer_from(inner, result, intent, out, max(self.cfg.max_words - out.word_count, self.cfg.min_words))
        self._complement(result, ranked[1:4], out)
        return out

    def _define_each(self, result: SearchResult, others: list[SectionHit], terms: list[str], out: Composition) -> None:
        """After glossary entries: for each term the section that explains it, sharing what
        is left of the budget (one term only when its entry is short)."""
        share = (self.cfg.max_words - out.word_count) // max(len(terms), 1)
        for t in terms if out.word_count < self.cfg.min_words or len(terms) > 1 else []:
            define_further(self, result, others, t, out, share)

    # -- choosing the section ------------------------------------------------------

    def rank_for_answer(self, result: SearchResult, intent: Intent) -> list[SectionHit]:
        """The retrieved sections in the order the answer should prefer them."""
        hits = [h for h in result.hits[:5]][:4]
        if not hits:
            return []
        top = max(h.scores.fused for h in hits) or 1.0
        about_guide = bool(ABOUT_GUIDE.search(result.query.resolved))
        wants_template = bool(WANTS_TEMPLATE.search(result.query.resolved))
        wants_sources = bool(WANTS_SOURCES.search(result.query.resolved))
        wants_signs = bool(ASKS_FOR_SIGNS.search(result.query.resolved))
        vocab = result.snapshot.vocabulary

        def preference(h: SectionHit) -> float:  # retrieval order first; the kind of answer breaks near-ties
            sec = h.section
            value = h.scores.fused / top
            if intent.kind is Kind.DEFINITION and (  # the glossary, or a heading that names the term
                    "begrippen" in sec.doc_id or result.query.coverage(set(analyze(sec.heading, vocab))) >= 0.5):
                value += 0.3
            if intent.about_case and "casus" in sec.doc_id:
                value += 0.1
            if wants_signs and sign_lists(sec):
                value += 0.1  # "hoe merk je dat …": a pitfall with its warning signs
            if sec.doc_id.endswith(GUIDE_DOC) and not about_guide:
                value -= self.cfg.guide_penalty  # a reading route answers "what do I read", not the question
            if not wants_template and is_template(sec):
                value -= 1.0  # fill-in fields answer only a question for a template: a template comes last
            if not wants_sources and is_reference_list(sec):
                value -= 1.0  # so does a list of references, unless the question asks for sources
            return value

        return sorted(hits, key=preference, reverse=True)

    # -- composing from one section ---------------------------------------------------

    def score_sentences(self, hit: SectionHit, result: SearchResult, intent: Intent) -> list[_Scored]:
        """Every sentence of the section with how well it answers the question."""
        sec = hit.section
        vectors = result.snapshot.sentence_vectors_of(sec)
        sims = vectors @ np.asarray(result.query_vector, dtype=np.float32) if len(vectors) else np.zeros(0)
        vocab = result.snapshot.vocabulary
        low, high = (float(sims.min()), float(sims.max())) if len(sims) else (0.0, 1.0)
        wants_template = bool(WANTS_TEMPLATE.search(result.query.resolved))
        about_guide = bool(ABOUT_GUIDE.search(result.query.resolved))  # "waar lees ik…": a chapter is the answer
        signs = bool(ASKS_FOR_SIGNS.search(result.query.resolved))
        warning_signs = sign_lists(sec)
        asked_count = counted(result.query.resolved, vocab, asked=True)
        out = []
        for i, (sentence, sim) in enumerate(zip(sec.sentences, sims)):
            overlap = result.query.coverage(set(analyze(sentence.text, vocab)))
            dense = (float(sim) - low) / (high - low) if high > low else 1.0  # relative within the section
            score = 0.6 * dense + 0.4 * overlap
            if intent.kind is Kind.FIGURE and any(ch.isdigit() for ch in sentence.text):
                score += 0.15
            if asked_count & counted(sentence.text, vocab):
                score += 0.3  # "the three components": the sentence that announces three components
            if not_an_answer(sentence.text, wants_template):
                score *= 0.2  # only when nothing else in the section answers
            elif points_elsewhere(sentence.text) and not about_guide:
                score *= 0.5  # "Hoe je effecten meet, staat in hoofdstuk 8" says where, not what
            elif not signs and REMEDY.match(sentence.text):
                score += 0.15  # "Wat in de plaats: …" is what a question about a pitfall wants
            elif not signs and sentence.list_no in warning_signs:
                score *= 0.5  # the warning signs, when the question asks what to do
            out.append(_Scored(i, sentence.text, score, sentence.list_no, sentence.item_no))
        return out

    def _answer_from(self, hit: SectionHit, result: SearchResult, intent: Intent, out: Composition,
                     budget: int, term: str | None = None) -> None:
        scored = self.score_sentences(hit, result, intent)
        if not scored:
            return
        for s, echo in zip(scored, echoes(result.snapshot, hit.section, out.sentences)):
            s.echo = float(echo)
        if (is_template(hit.section) and WANTS_TEMPLATE.search(result.query.resolved)
                and len(words(hit.section.text)) <= self.cfg.template_words):
            self._emit_template(hit, scored, out)  # a template is copied whole, not picked from
            return
        best = max(scored, key=lambda s: s.score)
        defined = defining(scored, term) if term else None
        if defined is not None:
            item = [s.position for s in scored if defined.item_no and s.item_no == defined.item_no]
            self._emit_prose(hit, scored, with_predecessors(scored, item or [defined.position]), out)
            return
        vocab = result.snapshot.vocabulary
        topical = {t for w in result.query.words for t in w.terms if result.snapshot.topical(t)}
        if entries := named_entries(scored, topical, vocab):  # "kerngroep stuurgroep": those two entries, not ten
            self._emit_prose(hit, scored, [p for positions in entries.values() for p in positions], out)
            out.defined += entries
            return
        lists = hit.section.lists()
        # warning signs do not answer "how do we avoid it"
        signs = set() if ASKS_FOR_SIGNS.search(result.query.resolved) else sign_lists(hit.section)
        chosen_list = self._pick_list(scored, {n: rows for n, rows in lists.items() if n not in signs}, intent, best)
        if chosen_list:
            rows = lists[chosen_list]
            # the best sentence of the section, when it is prose outside the list, answers too
            extra = [] if best.list_no or rows[0] - 2 <= best.position < rows[0] else [best.position]
            after = max((x for x in scored if not x.list_no and x.position > rows[-1]), key=lambda x: x.score,
                        default=None)  # "Onze lezing: …" concludes the list
            if after is not None and after.score >= self.cfg.after_list_ratio * best.score:
                extra.append(after.position)
            follows = rows[-1] + 1  # "Verzamel die signalen in een nota": what to do with the list
            if (follows < len(scored) and not scored[follows].list_no and rows[0] > 0
                    and not points_elsewhere(scored[follows].text)
                    and names_again(scored[follows].text, scored[rows[0] - 1].text, vocab)):
                extra.append(follows)
            if intent.kind is Kind.FIGURE:  # "wat kost het?": the table holds the figures
                extra += [x.position for x in scored if not x.list_no and table_rows(x.text) is not None]
            asked = counted(result.query.resolved, vocab, asked=True)
            # "the three components" in prose beside a list of three questions: the components answer
            extra += [x.position for x in scored if not x.list_no and x.position < rows[0] - 2
                      and asked & counted(x.text, vocab)][:1]
            if chosen_list in sign_lists(hit.section):  # the warning signs come with what to do instead
                extra += [x.position for x in scored if x.position > rows[-1] and REMEDY.match(x.text)][:1]
            extra = [q for q in with_predecessors(scored, extra) if q not in rows]  # the list says its own
            lead = sorted(set(self._list_lead(scored, rows)) | {q for q in extra if q < rows[0]})
            self._emit_list(hit, scored, chosen_list, out, lead)
            if after := [q for q in extra if q > rows[-1]]:
                self._emit_prose(hit, scored, after, out)
            return
        picked = self._pick_prose(scored, best, budget)
        intro = next((p for p in picked if scored[p].text.endswith(":") and p + 1 < len(scored)
                      and scored[p + 1].list_no), None)
        if intro is not None:  # an introduction never comes without its list
            self._emit_list(hit, scored, scored[intro + 1].list_no, out, [p for p in picked if p <= intro])
            return
        touched = {scored[p].list_no for p in picked if scored[p].list_no}
        announced = next((scored[q].list_no for p in picked if ANNOUNCES.search(scored[p].text)
                          for q in (p + 1, p + 2) if q < len(scored) and scored[q].list_no
                          and not scored[p].list_no and (q == p + 1 or not scored[p + 1].list_no)), None)
        if announced and not touched:  # "drie basisvormen" (and "VVSG vat ze samen:"): the forms come along
            touched = {announced}
        if len(touched) == 1:  # an item of a short list never comes alone ("three forms", and one is named)
            rows = lists[touched.pop()]
            lead = rows[0] - 1
            if (2 <= len({scored[i].item_no for i in rows}) <= self.cfg.list_cap and lead >= 0
                    and not any(leans_on_previous(scored[i].text) for i in rows  # an item's own later
                                if scored[i].item_no != scored[i - 1].item_no)):  # sentences come with it
                if is_label(scored[lead].text) or scored[lead].text.endswith(":"):  # "VVSG vat ze samen:"
                    before = with_predecessors(scored, [p for p in picked if p < rows[0]] + [lead])
                    self._emit_list(hit, scored, scored[rows[0]].list_no, out, before)
                    after = [p for p in picked if p > rows[-1]]
                    if after:
                        self._emit_prose(hit, scored, [q for q in with_predecessors(scored, after)
                                                       if q not in rows], out)  # the list is shown already
                    return
                picked = with_predecessors(scored, sorted(set(picked) | set(rows) | {lead}))
        self._emit_prose(hit, scored, picked, out)

    def _emit_template(self, hit: SectionHit, scored: list[_Scored], out: Composition) -> None:
        """The template as the draaiboek gives it, line breaks and fill-in fields intact, as a
        quote to copy, with one citation before it (a "[1]" inside a letter would be copied too)."""
        for s in scored:  # the citation quotes the whole template: every line of it is the source's
            n = out.book.cite(hit.section, hit.chunk.id, s.text, s.position, hit.scores.fused)
            out.sentences.append(AnswerSentence(s.text, [n], hit.section.id, s.position))
        out.lines.append(f"“{hit.section.heading}” [{n}], om over te nemen en in te vullen:\n")
        out.lines.append("\n".join(f"> {line}" if line.strip() else ">" for line in hit.section.text.strip().splitlines()))
        out.used.append(hit)

    def _pick_list(self, scored: list[_Scored], lists: dict[int, list[int]], intent: Intent,
                   best: _Scored) -> int | None:
        """The list to answer with: the best-scoring list of a list question, or the list
        that the best sentences come from."""
        if not lists:
            return None
        def value_of(rows: list[int]) -> float:  # a list is worth its best item or the lines that announce it
            lead = [scored[p].score for p in (rows[0] - 1, rows[0] - 2) if p >= 0 and not scored[p].list_no]
            return max([scored[i].score for i in rows] + lead)

        value = {n: value_of(rows) for n, rows in lists.items()}
        top_list = max(value, key=value.get)
        if intent.wants_list and value[top_list] >= 0.3 * best.score:
            return top_list
        strong = [s for s in scored if s.score >= 0.8 * best.score]
        items = {s.item_no for s in strong if s.list_no == top_list}
        return top_list if len(items) >= 2 else None

    def _emit_list(self, hit: SectionHit, scored: list[_Scored], list_no: int, out: Composition,
                   lead: list[int] | None = None) -> None:
        rows = hit.section.lists()[list_no]
        lead_pos = rows[0] - 1
        if lead is None:
            lead = self._list_lead(scored, rows)
        if not lead:
            first = next((s for s in scored[: rows[0]] if s.list_no == 0 and not leans_on_previous(s.text)
                          and not is_label(s.text)), None)  # what comes after the list is no lead
            lead = [first.position] if first else []
        lead_text = [scored[p] for p in lead if not (is_label(scored[p].text) and p != lead_pos)]
        if lead_text:
            out.lines.append(" ".join(self._cite(hit, s, out) for s in lead_text))
        items: dict[int, list[_Scored]] = {}
        for p in rows:
            items.setdefault(scored[p].item_no, []).append(scored[p])
        groups = list(items.values())
        cap = self.cfg.list_cap
        shown = groups if len(groups) <= cap else groups[: cap - 1]
        for i, group in enumerate(shown, 1):
            out.lines.append(f"{i}. " + " ".join(self._cite(hit, s, out) for s in group))
        if len(shown) < len(groups):
            n = out.book.cite(hit.section, hit.chunk.id, "", None, hit.scores.fused)
            out.lines.append(f"… en nog {len(groups) - len(shown)} [{n}]")
        out.used.append(hit)

    def _list_lead(self, scored: list[_Scored], rows: list[int]) -> list[int]:
        """What introduces a list: the line right before it and the best of the three before."""
        before = [p for p in range(max(0, rows[0] - 3), rows[0]) if not scored[p].list_no]
        best_before = max(before, key=lambda p: scored[p].score, default=None)
        wanted = [p for p in (best_before, rows[0] - 1) if p is not None and p >= 0]
        return [p for p in with_predecessors(scored, wanted) if scored[p].list_no == 0]

    def _pick_prose(self, scored: list[_Scored], best: _Scored, budget: int) -> list[int]:
        """The best sentences within the budget, then context up to the minimum length.
        A short section of prose is an answer in itself: it comes whole (what says nothing
        by itself, such as a line about the chapter, stays out)."""
        whole = [s.position for s in scored if not is_label(s.text) and s.score >= 0.2 * best.score]
        if (not any(s.list_no for s in scored) and best.score > 0
                and sum(len(words(scored[p].text)) for p in whole) <= budget * self.cfg.prose_share):
            return with_predecessors(scored, whole)
        picked = [best.position]
        used = len(words(best.text))
        for s in sorted(scored, key=lambda s: s.score, reverse=True):
            if s.position in picked or s.score < self.cfg.keep_ratio * best.score or is_label(s.text):
                continue
            if used + len(words(s.text)) > budget * self.cfg.prose_share:
                break
            picked.append(s.position)
            used += len(words(s.text))
        picked = with_predecessors(scored, picked)
        # a lone list item that opens with "ze", "dat", ... leans on the list's introduction: leave it out
        picked = [p for p in picked if not (scored[p].list_no and leans_on_previous(scored[p].text))] or picked
        if not picked:  # the best sentences all lean on something out of reach: start from one that stands
            standing = [s for s in scored if not leans_in_place(scored, s.position) and not is_label(s.text)]
            if not standing:
                return []
            picked = [max(standing, key=lambda s: s.score).position]
        following = max(picked) + 1
        while sum(len(words(scored[p].text)) for p in picked) < self.cfg.min_words and following < len(scored):
            if (not is_label(scored[following].text) and scored[following].list_no == 0
                    and (following - 1 in picked or not leans_in_place(scored, following))):  # no gap it leans on
                picked.append(following)
            following += 1
        return sorted(set(picked))

    def _emit_prose(self, hit: SectionHit, scored: list[_Scored], positions: list[int], out: Composition) -> None:
        parts: list[str] = []
        for p in positions:
            s = scored[p]
            if s.echo >= REPEAT and not s.list_no:  # said already, in another section's words
                continue
            if s.list_no:
                if parts:
                    out.lines.append(" ".join(parts))
                    parts = []
                same_item = p - 1 in positions and (scored[p - 1].list_no, scored[p - 1].item_no) == (s.list_no, s.item_no)
                if same_item and out.lines:  # an item's second sentence stays in its bullet
                    out.lines[-1] += " " + self._cite(hit, s, out)
                else:
                    out.lines.append("- " + self._cite(hit, s, out))
            elif not is_label(s.text):
                parts.append(self._cite(hit, s, out))
        if parts:
            out.lines.append(" ".join(parts))
        out.used.append(hit)

    # -- more than one section ------------------------------------------------------------

    def _complement(self, result: SearchResult, others: list[SectionHit], out: Composition) -> None:
        """Add one other section when it covers a real part of the question that the
        answer so far does not."""
        vocab = result.snapshot.vocabulary
        said = set(analyze(" ".join(s.text for s in out.sentences), vocab))
        missing = [w for w in result.query.words if not w.credit(said)]
        total = sum(w.weight for w in result.query.words) or 1.0
        if sum(w.weight for w in missing) / total < 0.35 or len(out.lines) > 8:
            return
        for hit in others:
            if hit.section.id in {h.section.id for h in out.used} or unasked(
                    hit.section, result.query.resolved, result.query.terms, vocab):
                continue
            terms = set(analyze(hit.section.text, vocab))
            gained = sum(w.weight * w.credit(terms) for w in missing)
            if gained / total >= 0.25:
                intent = Intent(Kind.OPEN, False)
                self._answer_from(hit, result, intent, out, self.cfg.max_words // 2)
                return

    # -- citing ---------------------------------------------------------------------------

    @staticmethod
    def _cite(hit: SectionHit, s: _Scored, out: Composition) -> str:
        n = out.book.cite(hit.section, hit.chunk.id, s.text, s.position, hit.scores.fused)
        out.sentences.append(AnswerSentence(s.text, [n], hit.section.id, s.position))
        if (table := table_rows(s.text)) is not None:  # a table keeps its rows, its citation follows it
            return f"\n\n{table}\n\n[{n}]"
        body = bold_label(s.text if s.text[-1:] in ".!?:" else s.text.rstrip(";,") + ".", hit.section.text)
        return f"{body[:-1]} [{n}]{body[-1]}"
