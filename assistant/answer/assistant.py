"""The assistant service: question in, grounded answer with numbered citations out.

A question is analysed once (language, follow-up, typos, English expansion) into a
prepared query, searched against one snapshot, judged (answer or refuse), and then
answered: offline by the composer (the default), or by a language model from the
same ranked sections, after which every citation and every sentence is checked.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import numpy as np

from assistant.answer import prompts
from assistant.answer.citations import CitationBook, weak_source_notice
from assistant.answer.composer import SUMMARY, Composer
from assistant.answer.intent import classify, question_parts
from assistant.answer.llm import describe, make_chat_model
from assistant.answer.llm_text import (
    REF_AFTER_STOP,
    best_quote,
    format_sections,
    parse_cited_lines,
)
from assistant.answer.relevance import Relevance, relevance_of
from assistant.answer.scope import NO_EXAMPLES
from assistant.answer.support import UNSUPPORTED_MARK, support_scores
from assistant.index.records import SectionRecord
from assistant.language import detect_language
from assistant.retrieval.query import PHRASES, PreparedQuery, glossary, previous_questions, resolve_follow_up
from assistant.retrieval.search import Retriever, SearchResult
from assistant.settings import Settings
from assistant.text import analyze, fold
from assistant.types import Answer, AnswerSentence, Citation, SectionLink, SourceChunk

_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="llm")


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

    def passage(self, chunk_id: str) -> tuple[SourceChunk, SectionRecord] | None:
        """The indexed passage with this id and its section, or None when it is gone."""
        snap = self.retriever.snapshot
        return (snap.chunk(chunk_id), snap.section_of(chunk_id)) if snap.has_chunk(chunk_id) else None

    def warm_up(self) -> None:
        """Load the model, the index and the word lists, and answer once (the app calls
        this before it serves, so the first user's question is as fast as any other)."""
        from assistant.retrieval.query import zipf

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
            yield self._refusal(question, language, None, timings, t0)
            return
        snap = self.retriever.snapshot  # one snapshot for the whole request
        resolved = self._resolve(question, history, timings)
        prepared = self.retriever.prepare(question, resolved, language, snapshot=snap)
        pieces = [self.retriever.prepare(p, language=language, snapshot=snap) for p in _parts(resolved)]
        t = time.perf_counter()
        q_vec, *piece_vecs = self.retriever.embed_queries([prepared.search_text, *(p.search_text for p in pieces)])
        timings["embed_ms"] = _ms(t)
        t = time.perf_counter()
        result = self.retriever.retrieve(prepared, self.settings.retrieval.k, q_vec, snap)
        parts = self._search_parts(pieces, piece_vecs, snap)
        timings["retrieve_ms"] = _ms(t)
        whole_in_scope = self.is_relevant(self.relevance(result))
        if not whole_in_scope and not (parts and parts[0][2]):
            final = self._refusal(question, language, result, timings, t0)
        elif self.llm is not None:
            final = None
            for event in self._llm_answer(question, result, timings, t0):
                if isinstance(event, Answer):
                    final = event
                else:
                    yield event
        else:
            final = self._offline(question, result, timings, t0, parts=parts, whole_in_scope=whole_in_scope)
        searched = [cid for h in result.hits for cid in h.section.chunk_ids]
        final.retrieved_ids = list(dict.fromkeys(searched + final.retrieved_ids))  # parts search on their own
        yield final

    def relevance(self, result: SearchResult) -> Relevance:
        """How much of the question the sections hold (see :func:`relevance_of`)."""
        cfg = self.settings.answer
        return relevance_of(result, cfg.outside_questions, None if cfg.scope_examples else NO_EXAMPLES)

    def _search_parts(self, pieces: list[PreparedQuery], vectors: list | None, snap
                      ) -> list[tuple[str, SearchResult, bool]]:
        """(part, its search, in scope on its own) for each part of a multi-part question
        ("Welke rol spelen bedrijven, en hoe vermijd je reclame?"); empty for one question.

        Such a question is answered when its first part is in scope, even when the whole is
        not: two questions in one rarely look like any single section. The first part carries
        the subject; a later one leans on it ("..., en wat zijn de valkuilen?", "bestaat daar
        een stappenplan voor?") and is in scope on its own only by looking generic. Searched
        once, for the decision and the answer.
        """
        if vectors is None:
            vectors = self.retriever.embed_queries([p.search_text for p in pieces])
        out = []
        for prepared, vector in zip(pieces, vectors):
            result = self.retriever.retrieve(prepared, self.settings.retrieval.k, vector, snap)
            out.append((prepared.original, result, self.is_relevant(self.relevance(result))))
        return out

    def is_relevant(self, relevance: Relevance) -> bool:
        """The calibrated refusal decision."""
        return relevance.combine(self.settings.answer) >= self.settings.answer.refusal_threshold

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

    def _offline(self, question: str, result: SearchResult, timings: dict, t0: float,
                 notice: str | None = None, parts: list[tuple[str, SearchResult, bool]] | None = None,
                 whole_in_scope: bool = True) -> Answer:
        t = time.perf_counter()
        if parts is None:  # the fallback of LLM mode: search the parts now
            pieces = [self.retriever.prepare(p, language=result.query.language, snapshot=result.snapshot)
                      for p in _parts(result.query.resolved)]
            parts = self._search_parts(pieces, None, result.snapshot)
        if parts:
            composition = self._compose_parts(result, parts, whole_in_scope)
        else:
            composition = self.composer.compose(result, classify(result.query.resolved))
        timings["compose_ms"] = _ms(t)
        if not composition.sentences:
            return self._refusal(question, result.query.language, result, timings, t0)
        citations = composition.book.citations()
        text = composition.text
        if result.query.language != "nl":
            text = f"{english_lead(result, citations[0])}\n\n{text}"
        notice = notice or weak_source_notice(citations)
        timings["total_ms"] = _ms(t0)
        cited = {c.section_id for c in citations}
        used = [cid for h in composition.used for cid in h.section.chunk_ids]
        return Answer(question, text, citations, False, "offline", timings, notice, result.query.language,
                      sentences=composition.sentences, related_questions=self._related(result, composition),
                      read_next=self._read_next(result, cited), retrieved_ids=used)

    def _compose_parts(self, whole: SearchResult, parts: list[tuple[str, SearchResult, bool]], whole_in_scope: bool):
        """A multi-part question: the best section for the whole question first (most such
        questions are one question with a second angle), then each part whose own best
        section the answer does not hold yet. When only the parts are in scope, each part
        is answered from its own best section."""
        budget = max(self.settings.answer.max_words // len(parts), self.settings.answer.min_words)
        composition = None
        if whole_in_scope:
            composition = self.composer.compose(whole, classify(whole.query.resolved), None, budget)
        for part, result, in_scope in parts:
            if not in_scope or not result.hits:
                continue
            if composition is not None and result.hits[0].section.id in {h.section.id for h in composition.used}:
                continue
            composition = self.composer.compose(result, classify(part), composition, budget)
        return composition

    def _related(self, result: SearchResult, composition) -> list[str]:
        """'Verwante vragen': questions the answering section also answers, not this one again."""
        n = self.settings.answer.related_questions
        if not composition.used or not n:
            return []
        section = composition.used[0].section
        if not section.questions:
            return []
        rows = np.asarray(result.snapshot.anchor_vectors[section.anchor_start : section.anchor_start
                                                         + len(section.questions)], dtype=np.float32)
        sims = rows @ np.asarray(result.query_vector, dtype=np.float32)
        order = [i for i in np.argsort(-sims) if sims[i] < 0.95]
        return [section.questions[i] for i in order[:n]]

    def _read_next(self, result: SearchResult, cited: set[str]) -> list[SectionLink]:
        """'Lees verder': the next best sections that the answer did not cite."""
        links = [SectionLink(h.section.doc_id, h.section.heading, h.section.title)
                 for h in result.hits if h.section.id not in cited]
        return links[: self.settings.answer.read_next]

    def _refusal(self, question: str, language: str, result: SearchResult | None, timings: dict,
                 t0: float) -> Answer:
        suggestions = self._suggestions(result)
        head = prompts.REFUSAL_NL if language == "nl" else prompts.REFUSAL_EN
        lines = [head] + [f"- {c.title} > {c.section}" if c.section else f"- {c.title}" for c in suggestions]
        timings["total_ms"] = _ms(t0)
        return Answer(question, "\n".join(lines), [], True, self._mode_label(), timings, None, language, suggestions)

    def _suggestions(self, result: SearchResult | None) -> list[Citation]:
        book = CitationBook(self.settings.answer.max_source_age_years)
        for hit in (result.hits if result else []):
            if hit.section.doc_id.startswith("draaiboek/") and len(book) < 3:
                book.cite(hit.section, hit.chunk.id, "", None, hit.scores.fused)
        return book.citations()

    def _llm_answer(self, question: str, result: SearchResult, timings: dict, t0: float) -> Iterator[str | Answer]:
        refs = {h.section.id[:8]: h for h in result.hits}
        user = prompts.QUESTION_TEMPLATE.format(sources=format_sections(result), question=question)
        system = prompts.SYSTEM_PROMPT.format(
            example=result.hits[0].section.id[:8],
            language="Nederlands" if result.query.language == "nl" else "English", sentinel=prompts.SENTINEL)
        t = time.perf_counter()
        try:
            raw = ""
            for delta in self._generate([("system", system), ("human", user)]):
                raw += delta
                yield delta
        except Exception as exc:
            yield self._offline(question, result, timings, t0, _failure_notice(self.mode, exc))
            return
        timings["generate_ms"] = _ms(t)
        yield self._check_llm(raw, refs, question, result, timings, t0)

    def _check_llm(self, raw: str, refs: dict, question: str, result: SearchResult, timings: dict,
                   t0: float) -> Answer:
        """Keep sentences whose citations match a retrieved section, renumber them, and
        score each one's support by the section it cites."""
        if prompts.SENTINEL in raw or prompts.SENTINEL_EN in raw:
            return self._refusal(question, result.query.language, result, timings, t0)
        raw = REF_AFTER_STOP.sub(lambda m: f"{m.group(2)}{m.group(1)}", raw)  # "zin. [id]" -> "zin [id]."
        parsed = parse_cited_lines(raw, refs)
        flat = [(body, ids) for _, sentences in parsed for body, ids in sentences]
        if not flat:
            notice = "Het taalmodel gaf geen geldige bronverwijzingen; dit is het offline antwoord."
            return self._offline(question, result, timings, t0, notice)
        t = time.perf_counter()
        cfg = self.settings.answer
        support = support_scores([b for b, _ in flat], [[refs[i].section for i in ids] for _, ids in flat],
                                 result.snapshot, self.retriever.embeddings, cfg)
        timings["support_ms"] = _ms(t)
        book = CitationBook(cfg.max_source_age_years)
        kept: list[str] = []
        answer_sentences: list[AnswerSentence] = []
        scores = iter(support)
        for prefix, sentences in parsed:
            out = []
            for body, ids in sentences:
                score = next(scores)
                if score < cfg.support_threshold and cfg.unsupported == "remove":
                    continue
                numbers = [book.cite(refs[i].section, refs[i].chunk.id, best_quote(refs[i].section, body),
                                     None, refs[i].scores.fused) for i in ids]
                shown = body if score >= cfg.support_threshold else f"{body.rstrip('.!?')} {UNSUPPORTED_MARK}."
                marks = "".join(f"[{n}]" for n in dict.fromkeys(numbers))
                out.append(f"{shown[:-1]} {marks}{shown[-1]}" if shown[-1] in ".!?" else f"{shown} {marks}")
                answer_sentences.append(AnswerSentence(body, list(dict.fromkeys(numbers)), support=score))
            if out:
                kept.append(prefix + " ".join(out))
        if not kept:
            notice = "Geen enkele zin van het taalmodel werd door de bronnen gestaafd; dit is het offline antwoord."
            return self._offline(question, result, timings, t0, notice)
        citations = book.citations()
        timings["total_ms"] = _ms(t0)
        return Answer(question, "\n".join(kept), citations, False, self.mode, timings,
                      weak_source_notice(citations), result.query.language, sentences=answer_sentences,
                      read_next=self._read_next(result, {c.section_id for c in citations}))

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


def english_lead(result: SearchResult, first: Citation) -> str:
    """The English line before a Dutch answer: which section answers, and on what. When the
    section covers none of the question's own topics, the line claims no more than that it
    is the closest passage."""
    section = result.snapshot.sections.get(first.section_id) or result.hits[0].section
    named = _topics(result, section)
    where = f"“{first.title}” › “{first.section}”" if first.section else f"“{first.title}”"
    if not named:
        return (f"The closest passage in the guide is {where} [{first.n}]. The guide is written in Dutch; "
                f"this is what it says:")
    about = ' and '.join([', '.join(named[:-1]), named[-1]] if len(named) > 1 else named)
    return (f"The guide answers this in {where} [{first.n}], which covers {about}. The guide is written in Dutch; "
            f"this is what it says:")


def _topics(result: SearchResult, section: SectionRecord) -> list[str]:
    """The question's English topics that the answering section covers, in the question's
    order, neighbours joined ("quadruple helix"); words the whole draaiboek is about
    ("municipality", "town") are not a topic of one section."""
    snap = result.snapshot
    # a chapter's summary covers what its chapter is about ("Financiering" › "Kort")
    covered = f"{section.title}. {section.text}" if section.heading == SUMMARY else section.text
    section_terms = set(analyze(covered, snap.vocabulary))
    topical = {w.word for w in result.query.words
               if (glossary(w.word) or w.word in PHRASES) and w.credit(section_terms)
               and any(snap.topical(t) for t in w.terms)}
    text = fold(result.query.resolved)
    found = sorted((m.start(), m.end()) for t in topical if (m := re.search(rf"\b{re.escape(t)}\b", text)))
    out: list[str] = []
    end = -2
    for start, stop in found:
        if out and not text[end:start].strip():
            out[-1] = f"{out[-1]} {text[start:stop]}"  # neighbours: "quadruple helix"
        else:
            out.append(text[start:stop])
        end = stop
    # a lone adjective is no topic: "which covers regional" says nothing
    return [t for t in out if " " in t or not _ADJECTIVE.search(t)][:3]


_ADJECTIVE = re.compile(r"(?:al|ic|ive|ous|ful|less|able|ible)$")


def _failure_notice(mode: str, exc: Exception) -> str:
    reason = "time-out" if isinstance(exc, TimeoutError) else exc.__class__.__name__
    return f"Het taalmodel ({mode}) antwoordde niet ({reason}); dit is het offline antwoord."


def _parts(question: str) -> list[str]:
    """The parts of a multi-part question; empty for a single question."""
    parts = question_parts(question)
    return parts if len(parts) > 1 else []


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000
