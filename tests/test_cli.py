"""The command line as a user runs it: a real process, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import SMALL_CORPUS, write_corpus


def _run(args, tmp_path, cwd=None):
    env = {**os.environ, "ALLIANTIEWIJZER_INDEX_DIR": str(tmp_path / "index"), "TQDM_DISABLE": "1"}
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                          env=env, cwd=cwd or tmp_path, timeout=300)


def test_ingest_names_a_corrupt_pdf_exits_2_and_search_returns_json(tmp_path):
    corpus = write_corpus(tmp_path / "map", {"goed.md": SMALL_CORPUS["gids/governance.md"]})
    (corpus / "kapot.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    ingest = _run(["ingest", "map"], tmp_path)
    assert ingest.returncode == 2, ingest.stderr
    assert "map/kapot.pdf: beschadigde of onleesbare PDF" in ingest.stdout
    assert "1 nieuw" in ingest.stdout and "1 overgeslagen" in ingest.stdout

    search = _run(["search", "projectvereniging", "-k", "2", "--json"], tmp_path)
    assert search.returncode == 0, search.stderr
    results = json.loads(search.stdout)
    assert set(results[0]) == {"id", "doc_id", "title", "source", "section", "page", "text", "score"}
    assert results[0]["section"] == "Juridische vormen" and results[0]["source"] == "map/goed.md"


def test_search_without_an_index_says_how_to_build_one(tmp_path):
    result = _run(["search", "kerngroep"], tmp_path)
    assert result.returncode == 1
    assert "alliantiewijzer ingest" in result.stderr and "Traceback" not in result.stderr


def test_feedback_export_and_gaps(tmp_path):
    from assistant.services.feedback import FeedbackStore

    store = FeedbackStore(tmp_path / "data" / "feedback.sqlite3")
    refused = store.log_question("Hoe vraag ik een parkeerkaart aan?", "Dat staat niet ...", True, "offline")
    store.log_question("Hoe vraag ik een parkeerkaart aan?", "Dat staat niet ...", True, "offline")
    answered = store.log_question("Wat is een projectvereniging?", "Een vorm ...", False, "offline")
    store.add_feedback(answered, -1, "te vaag")
    store.add_feedback(refused, 1)
    env_dir = {"ALLIANTIEWIJZER_DATA_DIR": str(tmp_path / "data")}
    gaps = _run_env(["gaps"], tmp_path, env_dir)
    lines = [ln for ln in gaps.stdout.splitlines() if "×" in ln]
    assert "parkeerkaart" in lines[0] and "2×" in lines[0] and "projectvereniging" in lines[1]
    export = _run_env(["feedback", "export", "--out", str(tmp_path / "fb.csv")], tmp_path, env_dir)
    assert export.returncode == 0 and "2 beoordelingen" in export.stdout
    assert "te vaag" in (tmp_path / "fb.csv").read_text(encoding="utf-8")


def _run_env(args, tmp_path, extra):
    env = {**os.environ, **extra}
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)


def test_a_misspelt_setting_is_a_clear_dutch_error(monkeypatch, capsys):
    from assistant.cli.main import main

    monkeypatch.setenv("ALLIANTIEWIJZER_RETRIEVAL__KK", "3")
    assert main(["search", "kerngroep"]) == 1
    err = capsys.readouterr().err
    assert "ALLIANTIEWIJZER_RETRIEVAL__KK: onbekende instelling" in err
