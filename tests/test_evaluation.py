"""The eval harness itself must be honest: chance scores low, an oracle scores 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluation import (
    TutorialBaseline, _section_offsets, load_questions, oracle_ranker, random_ranker, retrieval_metrics)
from assistant.index.snapshot import SnapshotStore

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = load_questions(ROOT / "evals" / "questions.jsonl")


def test_an_oracle_scores_one():
    rank = oracle_ranker(QUESTIONS)
    metrics = retrieval_metrics([rank(q.question) for q in QUESTIONS], QUESTIONS)
    assert metrics == {"hit@1": 1.0, "hit@5": 1.0, "recall@5": 1.0, "mrr@10": 1.0, "ndcg@10": 1.0}


def test_a_random_ranker_scores_low(draaiboek_index):
    sections = SnapshotStore(draaiboek_index.index_dir).load().sections.values()
    keys = sorted({(s.doc_id, s.heading) for s in sections})
    rank = random_ranker(keys, seed=1)
    metrics = retrieval_metrics([rank(q.question) for q in QUESTIONS], QUESTIONS)
    assert metrics["hit@5"] < 0.2 and metrics["mrr@10"] < 0.1


def test_question_labels_name_real_sections(draaiboek_index):
    sections = SnapshotStore(draaiboek_index.index_dir).load().sections.values()
    keys = {(s.doc_id, s.heading) for s in sections}
    missing = {k for q in QUESTIONS for k in q.relevant} - keys
    assert not missing


def test_the_baseline_credits_every_section_a_chunk_spans():
    text = "---\ntitle: T\n---\n# T\n\n## Kort\nabc\n\n## Twee\ndef\n"
    offsets = _section_offsets(text)
    assert [name for _, name in offsets] == ["", "", "Kort", "Twee"]
    baseline = TutorialBaseline.__new__(TutorialBaseline)
    baseline.sections = {"d": offsets}
    assert baseline._keys("d", text.index("abc"), len(text) - text.index("abc")) == {("d", "Kort"), ("d", "Twee")}


def test_both_question_files_validate_and_their_labels_hold():
    import importlib.util

    from assistant.evaluation import EvalQuestion, read_question_rows

    spec = importlib.util.spec_from_file_location("check_questions", ROOT / "evals" / "check_questions.py")
    checker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checker)
    docs, headings = checker.parse_corpus()
    for name in ("questions.jsonl", "calibration.jsonl"):
        rows = read_question_rows(ROOT / "evals" / name)
        errors, _ = checker.check(rows, docs, headings)
        assert not [e for e in errors if not e.startswith("typo list")], errors[:5]
    assert isinstance(rows[0], EvalQuestion)


def test_a_bad_question_line_gets_a_dutch_message_with_its_line(tmp_path):
    from assistant.evaluation import QuestionFileError, read_question_rows

    bad = tmp_path / "vragen.jsonl"
    bad.write_text('{"id": "q001", "question": "Wat?", "in_scope": false, "relevant": [], "key_facts": ["x"]}\n',
                   encoding="utf-8")
    with pytest.raises(QuestionFileError, match="regel 1: .*buiten het bereik heeft geen relevante secties"):
        read_question_rows(bad)


def test_audited_labels_count_as_relevant_and_the_authors_labels_stay_apart(tmp_path):
    from types import SimpleNamespace

    from assistant.evaluation import QuestionFileError, answer_metrics, read_question_rows

    path = tmp_path / "vragen.jsonl"
    path.write_text('{"id": "q001", "question": "Wat?", "in_scope": true, "relevant": [{"doc_id": "d", '
                    '"section": "A"}], "key_facts": ["x"], "also_relevant": [{"doc_id": "d", "section": "B"}]}\n',
                    encoding="utf-8")
    audited, = load_questions(path)
    authors, = load_questions(path, audited=False)
    assert audited.relevant == {("d", "A"), ("d", "B")} and authors.relevant == authors.original == {("d", "A")}
    answer = SimpleNamespace(refused=False, text="x [1]", sentences=[],
                             citations=[SimpleNamespace(doc_id="d", section="B", chunk_id="c", quote="x")])
    ranking = [[{("d", "B")}, {("d", "A")}]]
    assert answer_metrics([answer], [audited], [{"c"}])["first_citation_relevant"] == 1.0
    assert answer_metrics([answer], [authors], [{"c"}])["first_citation_relevant"] == 0.0
    assert retrieval_metrics(ranking, [audited])["hit@1"] == 1.0
    assert retrieval_metrics(ranking, [authors])["mrr@10"] == 0.5
    for bad in ('"in_scope": false, "relevant": [], "key_facts": [], "also_relevant": [{"doc_id": "d", '
                '"section": "B"}]',
                '"in_scope": true, "relevant": [{"doc_id": "d", "section": "A"}], "key_facts": ["x"], '
                '"also_relevant": [{"doc_id": "d", "section": "A"}]'):
        path.write_text('{"id": "q001", "question": "Wat?", ' + bad + '}\n', encoding="utf-8")
        with pytest.raises(QuestionFileError, match="audit"):
            read_question_rows(path)
