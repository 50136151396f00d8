"""The anchor questions (``vragen`` in the draaiboek's front matter) and the off-topic
questions (assistant/ingest/buiten-bereik.yaml) must stay independent of the evaluation
sets: an anchor or an off-topic question that near-copies an eval question would let the
eval reward memory instead of retrieval and refusal."""

from __future__ import annotations

import json

import numpy as np

from assistant.index.snapshot import SnapshotStore
from assistant.text import words

from tests.conftest import ROOT

NEAR_COPY_COSINE = 0.97
NEAR_COPY_WORDS = 0.8
NEAR_COPY_OFF_TOPIC = 0.95  # off-topic questions are short and generic: "a permit for a carport" is one subject


def _eval_questions() -> list[str]:
    lines = (ROOT / "evals" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def _anchors(snapshot) -> list[str]:
    out = [""] * len(snapshot.anchor_vectors)
    for section in snapshot.sections.values():
        for i, q in enumerate(section.questions):
            out[section.anchor_start + i] = q
    return out


def test_no_eval_question_is_a_near_copy_of_an_anchor_question(draaiboek_index, embeddings):
    snapshot = SnapshotStore(draaiboek_index.index_dir).load()
    anchors = _anchors(snapshot)
    assert len(anchors) > 500, "the draaiboek carries anchor questions"
    questions = _eval_questions()
    sims = embeddings.embed_queries(questions) @ np.asarray(snapshot.anchor_vectors, dtype=np.float32).T
    close = [(round(float(sims[i].max()), 3), q, anchors[int(sims[i].argmax())])
             for i, q in enumerate(questions) if sims[i].max() >= NEAR_COPY_COSINE]
    assert not close, close

    def overlap(a: str, b: str) -> float:
        x, y = set(words(a)), set(words(b))
        return len(x & y) / len(x | y)

    copied = [(q, a) for q in questions for a in anchors if overlap(q, a) >= NEAR_COPY_WORDS]
    assert not copied, copied


def test_no_eval_question_is_a_near_copy_of_an_off_topic_question(draaiboek_index, embeddings):
    snapshot = SnapshotStore(draaiboek_index.index_dir).load()
    outside = np.asarray(snapshot.outside_vectors, dtype=np.float32)
    assert len(outside) > 150, "the index carries the off-topic questions"
    questions = _eval_questions()
    sims = embeddings.embed_queries(questions) @ outside.T
    close = [(round(float(sims[i].max()), 3), q) for i, q in enumerate(questions) if sims[i].max() >= NEAR_COPY_OFF_TOPIC]
    assert not close, close
