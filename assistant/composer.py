"""The offline answer: a short, cited answer composed from the retrieved sentences.

No language model is involved: sentences are scored against the question (embedding
similarity from vectors computed at ingest, plus IDF-weighted term overlap after Dutch
stemming), picked with maximal marginal relevance, kept in source order per passage,
and every sentence ends with the number of the passage it comes from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .index import Snapshot
from .loaders import strip_markdown
from .query import PreparedQuery
from .settings import AnswerSettings
from .text import analyze, words
from .types import Citation, SourceChunk

STEPS_QUESTION = re.compile(
    r"\b(hoe|stappen|stap|aanpak|aanpakken|beginnen|begin|starten|start|opzetten|opstarten|"
    r"wat moet ik doen|checklist|how|steps|what should|where do)\b", re.I)
_LABEL = re.compile(r"^[\w'-]+(?: [\w'-]+){0,2}[.:]\s+(?=[A-Z])")
_LIST_LINE = re.compile(r"^\s*(?:\d+[.)]|[-*+•])\s+(.+)$", re.M)


@dataclass
class Candidate:
    """A sentence that may go into the answer."""

    chunk: SourceChunk
    rank: int
    position: int
    text: str
    vector: np.ndarray
    score: float = 0.0
    similarity: float = 0.0
    overlap: float = 0.0


def candidates(query: PreparedQuery, q_vec: np.ndarray, chunks: list[SourceChunk], snap: Snapshot) -> list[Candidate]:
    """Every usable sentence of the retrieved chunks, scored against the question."""
    out: list[Candidate] = []
    for rank, chunk in enumerate(chunks):
        heading = query.coverage(set(analyze(f"{chunk.title} {chunk.section}", snap.vocabulary)))
        sentences, vectors = snap.sentences_of(chunk.id)
        sims = vectors @ q_vec if len(vectors) else np.zeros(0)
        for pos, (sentence, vec, sim) in enumerate(zip(sentences, vectors, sims)):
            text = tidy(sentence)
            if not usable(text):
                continue
            overlap = query.coverage(set(analyze(text, snap.vocabulary)))
            bonus = 0.04 if chunk.section == "Kort" else 0.0
            score = 0.5 * float(sim) + 0.4 * overlap + 0.15 * heading + 0.08 / (1 + rank) + bonus
            out.append(Candidate(chunk, rank, pos, text, vec.astype(np.float32), score, float(sim), overlap))
    return out


def tidy(sentence: str) -> str:
    """Reading text of a sentence: links as labels, no source-link parentheses, no
    leading bold label ("**Mandaat.** De kerngroep ..." -> "De kerngroep ...")."""
    text = strip_markdown(sentence).strip()
    return _LABEL.sub("", text)


def usable(text: str) -> bool:
    """Whole sentences only: no fragments, headings or bare list intros."""
    return len(words(text)) >= 5 and not text.endswith(":")


def mmr(cands: list[Candidate], budget_words: int, lam: float = 0.7, limit: int = 6) -> list[Candidate]:
    """Pick high-scoring, mutually different sentences until the word budget is used."""
    chosen: list[Candidate] = []
    used = 0
    pool = sorted(cands, key=lambda c: c.score, reverse=True)[:40]
    while pool and len(chosen) < limit and used < budget_words:
        def value(c: Candidate) -> float:
            redundancy = max((float(c.vector @ s.vector) for s in chosen), default=0.0)
            return lam * c.score - (1 - lam) * redundancy
        best = max(pool, key=value)
        pool.remove(best)
        if any(float(best.vector @ s.vector) > 0.92 or best.text == s.text for s in chosen):
            continue
        chosen.append(best)
        used += len(words(best.text))
    return chosen


def list_items(chunk: SourceChunk) -> list[str]:
    """The items of the numbered or bulleted list in a chunk, as reading text."""
    return [tidy(m.group(1)) for m in _LIST_LINE.finditer(chunk.text)]


class Composer:
    """Builds the offline answer text and its numbered citations."""

    def __init__(self, cfg: AnswerSettings):
        self.cfg = cfg

    def compose(self, query: PreparedQuery, q_vec: np.ndarray, chunks: list[SourceChunk],
                snap: Snapshot) -> tuple[str, list[Citation]]:
        cands = candidates(query, q_vec, chunks, snap)
        if not cands:
            return "", []
        numbers: dict[str, int] = {}
        quotes: dict[str, list[str]] = {}
        lines: list[str] = []
        steps = self._steps(query, cands, chunks) if STEPS_QUESTION.search(query.resolved) else None
        if steps:
            lead, chunk, items = steps
            lines.append(self._cite(lead.text, lead.chunk, numbers, quotes))
            lines += [f"{i}. {self._cite(item, chunk, numbers, quotes)}" for i, item in enumerate(items, 1)]
        else:
            picked = mmr(cands, self.cfg.max_words - 20)
            lead = picked[0]
            ordered = [lead] + sorted(picked[1:], key=lambda c: (c.chunk.id != lead.chunk.id, c.rank, c.position))
            lines.append(" ".join(self._cite(c.text, c.chunk, numbers, quotes) for c in ordered))
        citations = [self._citation(n, next(c for c in chunks if c.id == cid), quotes[cid])
                     for cid, n in sorted(numbers.items(), key=lambda kv: kv[1])]
        return "\n".join(lines), citations

    def _steps(self, query, cands: list[Candidate], chunks: list[SourceChunk]):
        """(lead sentence, list chunk, items) when a top passage holds a fitting list."""
        by_chunk: dict[str, list[Candidate]] = {}
        for c in cands:
            by_chunk.setdefault(c.chunk.id, []).append(c)
        best = None
        for chunk in chunks[:5]:
            items = [i for i in list_items(chunk) if len(words(i)) >= 3]
            scored = by_chunk.get(chunk.id, [])
            if len(items) < 3 or not scored:
                continue
            value = max(c.score for c in scored)
            if best is None or value > best[0]:
                best = (value, chunk, items)
        if best is None:
            return None
        _, chunk, items = best
        item_set = {i.rstrip(".") for i in items}
        leads = [c for c in cands if c.text.rstrip(".") not in item_set]
        if not leads:
            return None
        lead = max(leads, key=lambda c: c.score)
        budget = self.cfg.max_words - len(words(lead.text))
        kept: list[str] = []
        for item in items:
            budget -= len(words(item))
            if budget < 0 and len(kept) >= 3:
                break
            kept.append(item)
        return lead, chunk, kept[:7]

    @staticmethod
    def _cite(text: str, chunk: SourceChunk, numbers: dict[str, int], quotes: dict[str, list[str]]) -> str:
        n = numbers.setdefault(chunk.id, len(numbers) + 1)
        quotes.setdefault(chunk.id, []).append(text)
        body = text if text[-1:] in ".!?" else text + "."
        return f"{body[:-1]} [{n}]{body[-1]}"

    @staticmethod
    def _citation(n: int, chunk: SourceChunk, quote_parts: list[str]) -> Citation:
        return Citation(
            n=n, chunk_id=chunk.id, doc_id=chunk.doc_id, title=chunk.title, source=chunk.source,
            section=chunk.section, page=chunk.page, quote=" … ".join(dict.fromkeys(quote_parts)),
            score=round(chunk.score, 6),
        )


def citation_for(chunk: SourceChunk, n: int, quote: str | None = None) -> Citation:
    """A citation of a whole chunk (suggestions, LLM answers)."""
    sentences = [tidy(s) for s in chunk.extra.get("sentences", [])] or [chunk.text]
    return Composer._citation(n, chunk, [quote] if quote else sentences[:2])
