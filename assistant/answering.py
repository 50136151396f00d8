"""The assistant service: question in, grounded answer with numbered citations out.

``Assistant.ask`` is the only entry point the CLI and the app use. The default mode
composes the answer from the retrieved sentences (offline, deterministic); when an LLM
is configured it writes the answer from the same numbered sources, after which every
citation is checked against the retrieved chunks.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

import numpy as np

from . import prompts
from .composer import Composer, citation_for, tidy
from .language import detect_language
from .llm import describe, make_chat_model
from .query import PreparedQuery, previous_questions, resolve_follow_up
from .retrieval import Retriever
from .settings import Settings
from .text import analyze, split_sentences, words
from .types import Answer, Citation, SourceChunk

_ID_REF = re.compile(r"\[((?:[0-9a-f]{8}(?:\s*[,;]\s*)?)+)\]")
_REF_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[[0-9a-f]{8}(?:\s*[,;]\s*[0-9a-f]{8})*\])+)")
_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="llm")


@dataclass
class Relevance:
    """How well the retrieved passages cover the question (for the refusal decision).

    Attributes:
        dense: best cosine between the question and a retrieved passage (semantic match).
        coverage: rarity-weighted share of the question's words found in the top passages together.
        best_passage: the same share for the best single passage.
        unknown_share: share of the question's content words the corpus does not know.
    """

    dense: float
    coverage: float
    best_passage: float
    unknown_share: float

    def combine(self, dense_weight: float, union_weight: float, dense_floor: float,
                dense_ceiling: float = 0.95) -> float:
        """One score in [0, 1]: the rescaled cosine and the two lexical coverages, weighted.

        Cosines of multilingual-e5 sit between about 0.75 (unrelated) and 0.95 (the same
        question), so the cosine is mapped linearly from [floor, ceiling] onto [0, 1].
        """
        dense = min(max((self.dense - dense_floor) / (dense_ceiling - dense_floor), 0.0), 1.0)
        lexical = 1.0 - dense_weight - union_weight
        return dense_weight * dense + union_weight * self.coverage + lexical * self.best_passage


class Assistant:
    """Answers questions from the index.

    Args:
        settings: product settings.
        retriever: a retriever to use (built from settings when omitted).
        llm: a LangChain chat model; when omitted it is built from ``settings.llm``
            (None means the offline composer).
    """

    def __init__(self, settings: Settings, retriever: Retriever | None = None, llm=None):
        self.settings = settings
        self.retriever = retriever or Retriever(settings)
        self.llm = llm if llm is not None else make_chat_model(settings.llm)
        self.composer = Composer(settings.answer)
        self.mode = describe(settings.llm) if llm is None else f"llm:{type(llm).__name__}"

    # -- public API -----------------------------------------------------------

    def ask(self, question: str, history: Sequence = ()) -> Answer:
        """Answer ``question`` (with earlier turns as ``history``)."""
        answer = None
        for event in self.stream(question, history):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def search(self, query: str, k: int | None = None) -> list[SourceChunk]:
        """Ranked passages for ``query`` (the Draaiboek tab's search box)."""
        return self.retriever.search(query, k)

    def passage(self, chunk_id: str) -> SourceChunk | None:
        """The indexed passage with this id, or None when it is no longer indexed."""
        snap = self.retriever.snapshot
        return snap.chunk(chunk_id) if chunk_id in snap.records else None

    def warm_up(self) -> None:
        """Load the model, the index and the word lists, and answer once (the app calls
        this before it serves, so the first user's question is as fast as any other)."""
        from .query import zipf

        self.retriever.embeddings.warm_up()
        _ = self.retriever.snapshot.speller
        zipf("stem", "nl"), zipf("stem", "en")  # load both word-frequency lists now
        self.ask("Hoe start een gemeente een STEM-alliantie?")
        self.ask("How do we fund a STEM alliance?")

    def stream(self, question: str, history: Sequence = ()) -> Iterator[str | Answer]:
        """Yield text as the LLM writes it (nothing in offline mode), then the Answer."""
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        question = question.strip()
        language = detect_language(question)
        if not question:
            yield self._refusal(question, language, [], timings, t0)
            return
        resolved = self._resolve(question, history, timings)
        prepared = self.retriever.prepare(question, resolved, language)
        t = time.perf_counter()
        q_vec = self.retriever.embed_query(prepared.search_text)
        timings["embed_ms"] = _ms(t)
        t = time.perf_counter()
        chunks = self.retriever.search(prepared, k=self.settings.retrieval.k, query_vector=q_vec)
        timings["retrieve_ms"] = _ms(t)
        relevance = self.relevance(prepared, q_vec, chunks)
        sections = self.retriever.with_siblings(chunks)
        if not self.is_relevant(relevance):
            final = self._refusal(question, language, chunks, timings, t0)
        elif self.llm is not None:
            final = None
            for event in self._llm_answer(question, prepared, q_vec, chunks, timings, t0):
                if isinstance(event, Answer):
                    final = event
                else:
                    yield event
        else:
            final = self._offline(question, prepared, q_vec, sections, timings, t0)
        final.retrieved_ids = [c.id for c in sections]
        yield final

    def relevance(self, prepared: PreparedQuery, q_vec: np.ndarray, chunks: list[SourceChunk]) -> Relevance:
        """How much of the question the passages hold.

        ``coverage`` weighs each content word by its rarity in general language
        (wordfreq) and checks whether it occurs in the top passages; the best single
        passage counts most, because an answer needs the question's words together.
        Weights and threshold are calibrated with ``evals/calibrate.py``.
        """
        if not chunks:
            return Relevance(0.0, 0.0, 0.0, 1.0)
        snap = self.retriever.snapshot
        dense = max(float(c.extra.get("dense", 0.0)) for c in chunks)
        per_chunk = [set(analyze(f"{c.title} {c.section} {c.text}", snap.vocabulary)) for c in chunks[:3]]
        coverage = prepared.coverage(set().union(*per_chunk))
        best = max(prepared.coverage(t) for t in per_chunk)
        unknown_share = len(prepared.unknown) / max(len(prepared.words), 1)
        return Relevance(dense, coverage, best, unknown_share)

    def is_relevant(self, relevance: Relevance) -> bool:
        """The calibrated refusal decision (weights and threshold from evals/tune.py)."""
        cfg = self.settings.answer
        score = relevance.combine(cfg.dense_weight, cfg.union_weight, cfg.dense_floor, cfg.dense_ceiling)
        return score >= cfg.refusal_threshold

    # -- steps ----------------------------------------------------------------

    def _resolve(self, question: str, history: Sequence, timings: dict) -> str:
        if not history:
            return question
        if self.llm is None:
            return resolve_follow_up(question, history)
        t = time.perf_counter()
        turns = "\n".join(f"Gebruiker: {q}" for q in previous_questions(history)[-3:])
        try:
            reply = self._call(prompts.REWRITE_PROMPT.format(history=turns, question=question))
            rewritten = str(reply.content).strip().splitlines()[0].strip() if reply.content else ""
        except Exception:  # a failing backend must not block the answer
            rewritten = ""
        timings["rewrite_ms"] = _ms(t)
        return rewritten or resolve_follow_up(question, history)

    def _offline(self, question, prepared, q_vec, chunks, timings, t0, notice=None) -> Answer:
        t = time.perf_counter()
        text, citations = self.composer.compose(prepared, q_vec, chunks, self.retriever.snapshot)
        timings["compose_ms"] = _ms(t)
        if not citations:
            return self._refusal(question, prepared.language, chunks, timings, t0)
        if prepared.language != "nl":
            text = f"{prompts.ENGLISH_NOTICE}\n\n{text}"
        timings["total_ms"] = _ms(t0)
        return Answer(question, text, citations, False, "offline", timings, notice, prepared.language)

    def _refusal(self, question, language, chunks, timings, t0) -> Answer:
        suggestions = self._suggestions(chunks)
        head = prompts.REFUSAL_NL if language == "nl" else prompts.REFUSAL_EN
        lines = [head] + [f"- {c.title} > {c.section}" if c.section else f"- {c.title}" for c in suggestions]
        timings["total_ms"] = _ms(t0)
        return Answer(question, "\n".join(lines), [], True, self._mode_label(), timings, None, language, suggestions)

    def _suggestions(self, chunks: list[SourceChunk]) -> list[Citation]:
        seen: set[tuple[str, str]] = set()
        out: list[Citation] = []
        for c in chunks:
            if not c.doc_id.startswith("draaiboek/") or (c.doc_id, c.section) in seen:
                continue
            seen.add((c.doc_id, c.section))
            out.append(citation_for(c, len(out) + 1))
            if len(out) == 3:
                break
        return out

    def _llm_answer(self, question, prepared, q_vec, chunks, timings, t0) -> Iterator[str | Answer]:
        refs = {c.id[:8]: c for c in chunks}
        user = prompts.QUESTION_TEMPLATE.format(sources=_format_sources(chunks), question=question)
        system = prompts.SYSTEM_PROMPT.format(
            example=chunks[0].id[:8], language="Nederlands" if prepared.language == "nl" else "English",
            sentinel=prompts.SENTINEL)
        t = time.perf_counter()
        try:
            raw = ""
            for delta in self._generate([("system", system), ("human", user)]):
                raw += delta
                yield delta
        except Exception as exc:
            notice = _failure_notice(self.mode, exc)
            yield self._offline(question, prepared, q_vec, chunks, timings, t0, notice)
            return
        timings["generate_ms"] = _ms(t)
        yield self._check_llm(raw, refs, question, prepared, q_vec, chunks, timings, t0)

    def _check_llm(self, raw, refs, question, prepared, q_vec, chunks, timings, t0) -> Answer:
        """Keep only sentences with a citation that matches a retrieved chunk; renumber."""
        if prompts.SENTINEL in raw or prompts.SENTINEL_EN in raw:
            return self._refusal(question, prepared.language, chunks, timings, t0)
        numbers: dict[str, int] = {}
        quotes: dict[str, list[str]] = {}
        kept: list[str] = []
        raw = _REF_AFTER_STOP.sub(lambda m: f"{m.group(2)}{m.group(1)}", raw)  # "zin. [id]" -> "zin [id]."
        for line in raw.strip().splitlines():
            sentences = []
            for sentence in split_sentences(line) if line.strip() else []:
                ids = [i for m in _ID_REF.finditer(sentence) for i in re.split(r"[,;\s]+", m.group(1)) if i]
                valid = [i for i in ids if i in refs]
                body = _ID_REF.sub("", sentence).strip()
                body = re.sub(r"\s+([.,;:!?])", r"\1", body)
                if not valid or not body:
                    continue
                marks = "".join(f"[{numbers.setdefault(i, len(numbers) + 1)}]" for i in dict.fromkeys(valid))
                for i in valid:
                    quotes.setdefault(i, []).append(body)
                sentences.append(f"{body[:-1]} {marks}{body[-1]}" if body[-1] in ".!?" else f"{body} {marks}")
            if sentences:
                prefix = re.match(r"^\s*(\d+[.)]|[-*])\s+", line)
                kept.append((prefix.group(0) if prefix else "") + " ".join(sentences))
        if not numbers:
            notice = "Het taalmodel gaf geen geldige bronverwijzingen; dit is het offline antwoord."
            return self._offline(question, prepared, q_vec, chunks, timings, t0, notice)
        citations = [citation_for(refs[i], n, _best_quote(refs[i], quotes[i]))
                     for i, n in sorted(numbers.items(), key=lambda kv: kv[1])]
        timings["total_ms"] = _ms(t0)
        return Answer(question, "\n".join(kept), citations, False, self.mode, timings, None, prepared.language)

    def _generate(self, messages) -> Iterator[str]:
        """Stream the model's text, abandoning it after the configured timeout."""
        deadline = time.monotonic() + self.settings.llm.timeout_s
        stream = self.llm.stream(messages)
        while True:
            future = _executor.submit(next, stream, None)
            try:
                chunk = future.result(timeout=max(deadline - time.monotonic(), 0.01))
            except FutureTimeout as exc:
                raise TimeoutError("time-out") from exc
            if chunk is None:
                return
            yield str(chunk.content)

    def _call(self, prompt: str):
        future = _executor.submit(self.llm.invoke, prompt)
        return future.result(timeout=self.settings.llm.timeout_s)

    def _mode_label(self) -> str:
        return self.mode if self.llm is not None else "offline"


def _format_sources(chunks: list[SourceChunk]) -> str:
    parts = [prompts.SOURCES_HEADER]
    for c in chunks:
        where = " > ".join(p for p in (c.title, c.location) if p)
        parts.append(f"[{c.id[:8]}] {where}\n{tidy(c.text)}")
    return "\n\n".join(parts)


def _best_quote(chunk: SourceChunk, answer_sentences: list[str]) -> str:
    """The chunk sentence that shares most words with what the model wrote."""
    sentences = [tidy(s) for s in chunk.extra.get("sentences", [])] or [chunk.text]
    said = set(words(" ".join(answer_sentences)))
    return max(sentences, key=lambda s: len(said & set(words(s))))


def _failure_notice(mode: str, exc: Exception) -> str:
    reason = "time-out" if isinstance(exc, TimeoutError) else exc.__class__.__name__
    return f"Het taalmodel ({mode}) antwoordde niet ({reason}); dit is het offline antwoord."


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000
