"""Evaluation metrics and rankers, kept apart from the product code they judge.

A question's relevant passages are (doc_id, section) keys. A ranker returns, per
question, a ranked list of key sets (one set per retrieved chunk: a chunk of our
index covers one section; a fixed-size chunk of the tutorial baseline may span
several). Metrics follow their usual definitions with binary relevance.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean, median
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.text import fold

Key = tuple[str, str]
Ranking = list[set[Key]]


class SectionRef(BaseModel):
    """A labelled relevant section: a document and a heading path."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc_id: str = Field(min_length=1)
    section: str = Field(min_length=1)


class EvalQuestion(BaseModel):
    """One line of an eval or calibration JSONL file."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z]\d{3,}$")
    question: str = Field(min_length=1)
    audience: Literal["gemeente", "schepen", "student"] | None = None
    lang: Literal["nl", "en"] = "nl"
    in_scope: bool
    relevant: list[SectionRef]
    key_facts: list[str]
    # Sections a pooled, blind label audit found to answer the question as well
    # (evals/label-audit.md). They count as relevant; the key facts stay tied to `relevant`.
    also_relevant: list[SectionRef] = []

    @model_validator(mode="after")
    def _labels_fit_the_scope(self) -> "EvalQuestion":
        if not self.in_scope and (self.relevant or self.key_facts):
            raise ValueError("een vraag buiten het bereik heeft geen relevante secties of kernfeiten")
        if self.in_scope and not 1 <= len(self.relevant) <= 3:
            raise ValueError(f"1 tot 3 relevante secties nodig, er zijn er {len(self.relevant)}")
        if self.in_scope and not 1 <= len(self.key_facts) <= 3:
            raise ValueError(f"1 tot 3 kernfeiten nodig, er zijn er {len(self.key_facts)}")
        if any(not 1 <= len(f.split()) <= 5 for f in self.key_facts):
            raise ValueError("een kernfeit telt 1 tot 5 woorden")
        if len(set(self.relevant)) != len(self.relevant):
            raise ValueError("een relevante sectie staat er twee keer")
        if self.also_relevant and not self.in_scope:
            raise ValueError("een vraag buiten het bereik heeft geen relevante secties uit de audit")
        if set(self.also_relevant) & set(self.relevant) or len(set(self.also_relevant)) != len(self.also_relevant):
            raise ValueError("een sectie uit de audit staat er al")
        return self


@dataclass
class Question:
    """A question as the harness uses it (relevant sections as keys).

    `relevant` holds the authors' labels plus, unless read with audited=False, those the
    label audit added; `original` holds the author's labels alone.
    """

    id: str
    question: str
    in_scope: bool
    relevant: set[Key]
    key_facts: list[str]
    lang: str = "nl"
    audience: str = ""
    original: set[Key] = field(default_factory=set)

    @classmethod
    def from_row(cls, row: EvalQuestion, audited: bool = True) -> "Question":
        original = {(r.doc_id, r.section) for r in row.relevant}
        added = {(r.doc_id, r.section) for r in row.also_relevant} if audited else set()
        return cls(row.id, row.question, row.in_scope, original | added, list(row.key_facts), row.lang,
                   row.audience or "", original)


class QuestionFileError(ValueError):
    """A question file that does not validate; the Dutch message names the line."""


def read_question_rows(path: Path) -> list[EvalQuestion]:
    """Validate a JSONL question set line by line; ids and questions must be unique."""
    rows, problems = [], []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(EvalQuestion.model_validate_json(line))
        except ValidationError as exc:
            detail = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'regel'}: {e['msg'].removeprefix('Value error, ')}"
                               for e in exc.errors())
            problems.append(f"{Path(path).name}, regel {n}: {detail}")
    for attr in ("id", "question"):
        seen = Counter(getattr(r, attr).strip().lower() for r in rows)
        problems += [f"{Path(path).name}: {attr} {v!r} komt {c} keer voor" for v, c in seen.items() if c > 1]
    if problems:
        raise QuestionFileError("\n".join(problems))
    return rows


def load_questions(path: Path, audited: bool = True) -> list[Question]:
    """Read and validate a JSONL question set (audited=False: the authors' labels alone)."""
    return [Question.from_row(r, audited) for r in read_question_rows(path)]


def retrieval_metrics(rankings: Sequence[Ranking], questions: Sequence[Question]) -> dict[str, float]:
    """hit@1, hit@5, recall@5 (of at most 5 relevant sections), MRR@10 and nDCG@10 over the in-scope questions."""
    scores: dict[str, list[float]] = {k: [] for k in ("hit@1", "hit@5", "recall@5", "mrr@10", "ndcg@10")}
    for ranking, q in zip(rankings, questions):
        if not q.in_scope:
            continue
        hits = [bool(keys & q.relevant) for keys in ranking[:10]]
        first = hits.index(True) if True in hits else None
        found5 = set().union(*ranking[:5]) & q.relevant if ranking else set()
        scores["hit@1"].append(float(first == 0))
        scores["hit@5"].append(float(first is not None and first < 5))
        scores["recall@5"].append(len(found5) / min(len(q.relevant), 5))  # capped: a perfect ranker scores 1
        scores["mrr@10"].append(1 / (first + 1) if first is not None else 0.0)
        scores["ndcg@10"].append(_ndcg(ranking[:10], q.relevant))
    return {k: round(mean(v), 4) if v else 0.0 for k, v in scores.items()}


def _ndcg(ranking: Ranking, relevant: set[Key]) -> float:
    credited: set[Key] = set()
    dcg = 0.0
    for i, keys in enumerate(ranking):
        new = (keys & relevant) - credited
        if new:  # a relevant section counts once, at its best rank
            dcg += 1 / math.log2(i + 2)
            credited |= new
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), 10)))
    return dcg / ideal if ideal else 0.0


def contains_fact(text: str, fact: str) -> bool:
    """Case- and accent-insensitive containment with whitespace folded."""
    norm = lambda s: re.sub(r"\s+", " ", fold(s)).strip()  # noqa: E731
    return norm(fact) in norm(text)


def answer_metrics(answers: Sequence, questions: Sequence[Question],
                   retrieved_ids: Sequence[set[str]]) -> dict[str, float]:
    """Key facts, citations, refusals, length and coherence of the answers.

    Args:
        answers: one Answer per question.
        questions: the question set.
        retrieved_ids: per question, the chunk ids the answer was built from.

    Returns:
        key_fact_coverage, citation validity and support, first_citation_relevant (the
        answer's first citation is a labelled relevant section), refusal precision and
        recall, answer length (mean and median words) and dangling_sentences (sentences
        that open with a reference to something the answer never said).
    """
    facts, valid, support, lengths, first_ok = [], [], [], [], []
    dangling = 0
    tp = fp = fn = 0
    for ans, q, ids in zip(answers, questions, retrieved_ids):
        if ans.refused and not q.in_scope:
            tp += 1
        elif ans.refused:
            fp += 1
        elif not q.in_scope:
            fn += 1
        if ans.refused or not q.in_scope:
            continue
        lengths.append(len(answer_body(ans.text).split()))
        dangling += len(dangling_sentences(ans))
        valid.append(float(all(c.chunk_id in ids for c in ans.citations)) if ans.citations else 0.0)
        first_ok.append(float(bool(ans.citations) and (ans.citations[0].doc_id, ans.citations[0].section) in q.relevant))
        for fact in q.key_facts:
            facts.append(float(contains_fact(ans.text, fact)))
            if contains_fact(ans.text, fact):
                support.append(float(any(contains_fact(c.quote, fact) for c in ans.citations)))
    return {
        "key_fact_coverage": _avg(facts),
        "first_citation_relevant": _avg(first_ok),
        "citation_validity": _avg(valid),
        "citation_support": _avg(support),
        "refusal_precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "refusal_recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
        "wrong_refusals": fp,
        "missed_refusals": fn,
        "answer_words_mean": _avg(lengths, 1),
        "answer_words_median": float(median(lengths)) if lengths else 0.0,
        "dangling_sentences": dangling,
    }


def answer_body(text: str) -> str:
    """The answer without citation marks (what the reader reads)."""
    return re.sub(r"\s*\[\d+\]", "", text)


def dangling_sentences(answer) -> list[str]:
    """Answer sentences that lean on a predecessor the answer does not show right before them.

    Uses the provenance of offline answers (section and position per sentence); for
    answers without it, any leaning sentence that opens the answer counts.
    """
    from assistant.answer.coherence import leans_on_previous

    out = []
    previous = None
    for s in getattr(answer, "sentences", []) or []:
        if leans_on_previous(s.text):
            follows = (previous is not None and s.position is not None and previous.section_id == s.section_id
                       and previous.position == s.position - 1)
            if not follows:
                out.append(s.text)
        previous = s
    return out


def _avg(values: list[float], digits: int = 4) -> float:
    return round(mean(values), digits) if values else 0.0


# -- rankers ---------------------------------------------------------------------


def index_ranker(retriever, mode: str = "hybrid", k: int = 10) -> Callable[[str], Ranking]:
    """Rank with our index: 'hybrid', 'bm25', 'dense' or 'anchors' (anchor questions only)."""
    def rank(question: str) -> Ranking:
        snap = retriever.snapshot
        prepared = retriever.prepare(question, snapshot=snap)
        if mode == "hybrid":
            return [{(h.section.doc_id, h.section.heading)} for h in retriever.retrieve(prepared, k, snapshot=snap).hits]
        if mode == "anchors":
            ranking = retriever.anchor_ranking(retriever.embed_query(prepared.search_text), k, snap)
            return [{(snap.sections[sid].doc_id, snap.sections[sid].heading)} for sid, _ in ranking]
        if mode == "bm25":
            ids = [cid for cid, _ in retriever.bm25_ranking(prepared.search_text, k, snap)]
        else:
            ids = [cid for cid, _ in retriever.dense_ranking(retriever.embed_query(prepared.search_text), k, snap)]
        return [{(snap.chunks[i].doc_id, snap.chunks[i].section)} for i in ids]
    return rank


def random_ranker(keys: list[Key], seed: int = 0, k: int = 10) -> Callable[[str], Ranking]:
    """A ranker that returns random sections (the harness must score it low)."""
    rng = random.Random(seed)
    return lambda question: [{key} for key in rng.sample(keys, min(k, len(keys)))]


def oracle_ranker(questions: Sequence[Question]) -> Callable[[str], Ranking]:
    """A ranker that knows the answers (the harness must score it 1)."""
    by_text = {q.question: q for q in questions}
    return lambda question: [{key} for key in sorted(by_text[question].relevant)]


class TutorialBaseline:
    """What a developer builds from the LangChain RAG tutorial: fixed 1,000/200-character
    chunks of the raw files, a Chroma similarity search with k=4, the same embedding model.

    Each chunk is credited with every draaiboek section its characters overlap.
    """

    def __init__(self, corpus_dir: Path, embeddings, workdir: Path, k: int = 4):
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
        docs = []
        self.sections: dict[str, list[tuple[int, str]]] = {}
        for path in sorted(Path(corpus_dir).rglob("*.md")):
            text = path.read_text(encoding="utf-8")
            doc_id = "/".join(path.relative_to(corpus_dir).with_suffix("").parts)
            self.sections[doc_id] = _section_offsets(text)
            docs.append(Document(page_content=text, metadata={"doc_id": doc_id}))
        chunks = splitter.split_documents(docs)
        digest = hashlib.sha256("".join(d.page_content for d in docs).encode()).hexdigest()[:12]
        name = re.sub(r"[^a-zA-Z0-9]+", "-", f"tutorial-{embeddings.model_id}")[:40].strip("-")
        client = chromadb.PersistentClient(path=str(Path(workdir) / f"{name}-{digest}"),
                                           settings=ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(collection_name="tutorial", embedding_function=embeddings, client=client)
        if self.store._collection.count() == 0:  # built once per corpus version and model
            self.store.add_documents(chunks)
        self.k = k

    def rank(self, question: str) -> Ranking:
        hits = self.store.similarity_search(question, k=self.k)
        return [self._keys(d.metadata["doc_id"], d.metadata["start_index"], len(d.page_content)) for d in hits]

    def _keys(self, doc_id: str, start: int, length: int) -> set[Key]:
        spans = self.sections[doc_id]
        keys = set()
        for i, (offset, name) in enumerate(spans):
            end = spans[i + 1][0] if i + 1 < len(spans) else 10**9
            if offset < start + length and end > start and name:
                keys.add((doc_id, name))
        return keys


def _section_offsets(text: str) -> list[tuple[int, str]]:
    """(character offset, section path) of every section of a raw Markdown file."""
    from assistant.ingest.loaders import markdown_sections, split_front_matter

    _, body, shift = split_front_matter(text)
    _, sections = markdown_sections(body)
    return [(shift + s.start if s.level else s.start, s.path) for s in sections]
