"""The calibration questions a fit may learn from: none that asks what an eval question asks.

Some calibration questions repeat an eval question word for word or nearly ("hoe vraag
je een evenementenvergunning aan voor een buurtfeest?" beside "hoe vraag ik een
evenementenvergunning aan voor ons buurtfeest?"). A fit that learns from such a question
has seen the eval question, and the eval set would no longer measure questions the
product never saw. Every fit (``fit_adapter.py``,
``fit_scope.py``, ``tune.py``) therefore leaves out the calibration questions whose vector
lies within :data:`assistant.answer.scope.NEAR_DUPLICATE` of an eval question's.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from assistant.answer.scope import NEAR_DUPLICATE
from assistant.evaluation import Question, load_questions
from assistant.ingest.ingestor import Ingestor
from assistant.retrieval.query import PreparedQuery
from assistant.retrieval.search import Retriever
from assistant.settings import Settings

EVALS = Path(__file__).resolve().parent


def fitting_index(parser: argparse.ArgumentParser | None = None) -> tuple[Settings, argparse.Namespace]:
    """The index a fit reads (``--index``, default evals/tmp/index, over ``--corpus``), brought up
    to date first, with the script's other arguments (added to ``parser`` beforehand)."""
    parser = parser or argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, default=EVALS / "tmp" / "index")
    parser.add_argument("--corpus", type=Path, default=EVALS.parent / "corpus")
    args = parser.parse_args()
    settings = Settings(index_dir=args.index, data_dir=args.index.parent / "data", corpus_dirs=[args.corpus])
    print(Ingestor(settings).run(show_progress=False, rebuild_if_needed=True).summary(), flush=True)
    return settings, args


def question_vectors(retriever: Retriever, questions: list[Question]) -> tuple[list[PreparedQuery], np.ndarray]:
    """Each question prepared for search, and its (unadapted) vector: what a search of it uses."""
    snap = retriever.snapshot
    prepared = [retriever.prepare(q.question, snapshot=snap) for q in questions]
    vectors = np.asarray([retriever.embed_query(p.search_text) for p in prepared], dtype=np.float32)
    return prepared, vectors.reshape(len(questions), -1)


def calibration_for_fitting(retriever: Retriever) -> tuple[list[Question], list[PreparedQuery], np.ndarray]:
    """The calibration questions, prepared, with their vectors, without the near copies of an
    eval question (their number is printed)."""
    questions = load_questions(EVALS / "calibration.jsonl")
    prepared, vectors = question_vectors(retriever, questions)
    _, held = question_vectors(retriever, load_questions(EVALS / "questions.jsonl"))
    keep = (vectors @ held.T).max(axis=1) < NEAR_DUPLICATE
    print(f"Kalibratievragen: {len(questions)}, waarvan {int((~keep).sum())} bijna gelijk aan een evaluatievraag "
          f"(cosinus >= {NEAR_DUPLICATE}) en weggelaten: {int(keep.sum())} om te passen.", flush=True)
    rows = np.flatnonzero(keep)
    return [questions[i] for i in rows], [prepared[i] for i in rows], vectors[rows]
