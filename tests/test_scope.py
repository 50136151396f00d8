"""The labelled example questions of the refusal decision: a question is judged by its
nearest in-scope and out-of-scope questions, and no eval question is among them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.answer import scope as scope_module
from assistant.answer.assistant import Assistant
from assistant.answer.relevance import relevance_of
from assistant.answer.scope import (NEAR_DUPLICATE, NO_EXAMPLES, ScopeExamples, load_examples, neighbour_margin,
                                    save_examples)
from assistant.evaluation import load_questions
from assistant.index.embeddings import E5_MODEL_ID
from assistant.retrieval.search import Retriever

ROOT = Path(__file__).resolve().parents[1]


def _unit(rows) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


def test_the_margin_averages_the_nearest_questions_on_each_side():
    query = _unit([1, 0, 0])
    inside = [_unit([[1, 0.1, 0], [1, 0.2, 0], [0, 1, 0]]), _unit([[1, 0, 0.1]])]
    outside = [_unit([[0, 0, 1], [0.2, 1, 0], [0.1, 0, 1]])]
    top_in = np.sort(np.concatenate([b @ query for b in inside]))[-3:].mean()
    top_out = np.sort(outside[0] @ query)[-3:].mean()
    assert neighbour_margin(query, inside, outside) == pytest.approx(top_in - top_out, abs=1e-6)
    assert neighbour_margin(query, inside, outside) > 0.5, "near the in-scope questions, far from the others"
    assert neighbour_margin(query, inside, outside, k=1) == pytest.approx(1 - float((outside[0] @ query).max()),
                                                                        abs=1e-2)
    assert neighbour_margin(query, [np.zeros((0, 3))], outside) == 0.0, "no side, no margin"


def test_examples_belong_to_one_model(tmp_path, monkeypatch):
    monkeypatch.setattr(scope_module, "EXAMPLES_DIR", tmp_path)
    examples = ScopeExamples(_unit(np.eye(4)[:3]), _unit(np.eye(4)[3:]), "model-a (q4)")
    save_examples(examples, written="2026-12-01")
    loaded = load_examples("model-a (q4)")
    assert loaded is not None and loaded.inside.shape == (3, 4) and loaded.outside.shape == (1, 4)
    assert np.allclose(loaded.inside, examples.inside, atol=1e-3)
    assert load_examples("model-b") is None and load_examples("") is None
    save_examples(ScopeExamples(np.ones((2, 4)), np.ones((2, 3)), "model-c"))
    assert load_examples("model-c") is None, "both sides must live in the same space"


def test_the_shipped_examples_are_labelled_questions_of_the_default_model():
    examples = load_examples(E5_MODEL_ID)
    assert examples is not None
    assert len(examples.inside) > 300 and len(examples.outside) > 100
    norms = np.linalg.norm(np.vstack([examples.inside, examples.outside]), axis=1)
    assert np.allclose(norms, 1, atol=1e-2), "question vectors, unit length"


def test_no_eval_question_is_among_the_examples(draaiboek_index, embeddings):
    """The eval set measures questions the product never saw: no shipped example nearly copies one."""
    from evals.heldout import question_vectors

    questions = load_questions(ROOT / "evals" / "questions.jsonl")
    _, vectors = question_vectors(Retriever(draaiboek_index, embeddings), questions)  # as the fits embed them
    examples = load_examples(embeddings.model_id)
    sims = vectors @ np.vstack([examples.inside, examples.outside]).T
    close = [(round(float(sims[i].max()), 3), q.question) for i, q in enumerate(questions)
             if sims[i].max() >= NEAR_DUPLICATE]
    assert not close, close


def test_a_near_miss_is_refused_through_its_labelled_neighbours(draaiboek_index, embeddings):
    """A VAT question reads like the draaiboek's budget sections (the off-topic bank has no such
    question); its nearest labelled questions are out of scope. Switching the examples off
    shows they decide it. Questions of our own, in none of the question sets."""
    question = "Hoeveel bedraagt de btw op een STEM-workshop van een academie?"
    retriever = Retriever(draaiboek_index, embeddings)
    with_examples = Assistant(draaiboek_index, retriever)
    off = draaiboek_index.model_copy(deep=True)
    off.answer.scope_examples = False
    without = Assistant(off, retriever)
    assert with_examples.ask(question).refused
    assert not without.ask(question).refused
    result = retriever.retrieve(question)
    assert with_examples.relevance(result).neighbours < without.relevance(result).neighbours
    assert relevance_of(result, examples=NO_EXAMPLES).neighbours == pytest.approx(without.relevance(result).neighbours)
    for inside in ("Hoe verzeker ik vrijwilligers die een workshop begeleiden?",
                   "Welke oproepen lanceerde VLAIO sinds 2018?", "Hoe financieren we de coördinator?"):
        assert not with_examples.ask(inside).refused, inside


def test_fitting_scores_a_question_against_the_other_folds_only():
    """evals/tune.py: no calibration question is its own neighbour, nor is a near copy of it."""
    from evals.tune import fold_examples

    class Q:
        def __init__(self, in_scope):
            self.in_scope = in_scope

    rng = np.random.default_rng(0)
    vectors = _unit(rng.normal(size=(40, 16)))
    vectors[1] = _unit(vectors[0] + 0.01)  # a near copy of question 0
    questions = [Q(i % 3 != 0) for i in range(40)]
    per_question = fold_examples(questions, vectors, "m")
    for i, ex in enumerate(per_question):
        shown = np.vstack([ex.inside, ex.outside])
        assert (shown @ vectors[i]).max() < NEAR_DUPLICATE, i
        assert 20 <= len(shown) < 40
