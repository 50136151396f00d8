"""benchmarks/run.py on a tiny synthetic corpus: the builder, the latency run and the
shape of what goes into results.json. No timing assertions: timings belong to `make bench`."""

from __future__ import annotations

import importlib.util
import json
import sys

import numpy as np
import pytest

from assistant.answer.assistant import Assistant
from assistant.index.snapshot import SnapshotStore
from assistant.retrieval.search import Retriever

from tests.conftest import ROOT

LATENCY_KEYS = {"n", "p50_ms", "p95_ms", "mean_ms", "max_ms"}


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def tiny(bench, tmp_path_factory, embeddings):
    """A synthetic corpus of 200 passages, built in process and measured with 5 questions."""
    workdir = tmp_path_factory.mktemp("bench") / "synthetic-200"
    queries = bench.load_questions(0, 5)
    entry = bench.bench_synthetic(workdir, 200, embeddings, queries, bench.load_questions(40, 41), in_process=True)
    return workdir, queries, entry


def test_synthetic_entry_has_the_results_json_shape(bench, tiny):
    _, queries, entry = tiny
    assert json.loads(json.dumps(entry)) == entry
    assert entry["chunks"] == 200 and "willekeurige eenheidsvectoren" in entry["vectors"]
    build = entry["build"]
    assert build["chunks"] == 200 and build["sentences"] >= 100 and build["documents"] == 8
    assert build["reused"] is False
    latency = entry["latency"]
    assert latency["chunks"] == 200 and latency["queries"] == len(queries) == 5 and latency["mode"] == "offline"
    for op in ("search", "ask"):
        assert set(latency[op]) == LATENCY_KEYS and latency[op]["n"] == 5
        assert 0 < latency[op]["p50_ms"] <= latency[op]["p95_ms"] <= latency[op]["max_ms"]


def test_synthetic_index_is_read_by_the_product_unchanged(bench, tiny, embeddings):
    workdir, _, _ = tiny
    settings = bench.synthetic_settings(workdir)
    snap = SnapshotStore(settings.index_dir).load()
    assert len(snap.chunks) == len(snap.order) == 200 and snap.bm25 is not None and snap.df
    assert len(snap.sections) == 200, "one passage per section"
    total = sum(len(s.sentences) for s in snap.sections.values())
    assert snap.sentence_vectors.shape[0] <= total and snap.sentence_vectors.shape[1] == embeddings.dimension
    assert snap.sentence_vectors.dtype == np.float16
    assert np.allclose(np.linalg.norm(snap.sentence_vectors[:50].astype(np.float32), axis=1), 1, atol=1e-2)
    section = next(iter(snap.sections.values()))
    assert len(snap.sentence_vectors_of(section)) == len(section.sentences)

    retriever = Retriever(settings, embeddings)
    hits = retriever.search("Hoe financieren we de coördinator van de alliantie?", k=5)
    assert len(hits) == 5 and all(snap.has_chunk(h.id) for h in hits)
    assert any(h.scores.bm25_rank for h in hits) and any(h.scores.dense_rank for h in hits)
    assert Assistant(settings, retriever).ask("Wat doet een stuurgroep?").text


def test_a_kept_synthetic_index_is_reused_and_fresh_rebuilds_it(bench, tiny, embeddings):
    workdir, _, _ = tiny
    dim = embeddings.dimension
    _, kept = bench.ensure_synthetic(workdir, 200, dim, in_process=True)
    assert kept["reused"] is True
    _, rebuilt = bench.ensure_synthetic(workdir.parent / "synthetic-other", 120, dim, in_process=True)
    assert rebuilt["reused"] is False and rebuilt["chunks"] == 120


def test_report_rows_cover_a_quick_run_without_the_app(bench, tiny, tmp_path):
    _, _, entry = tiny
    app = bench.app_cold_start(bench.synthetic_settings(tmp_path), script=tmp_path / "app.py")
    assert app == {"status": "niet gemeten (app.py ontbreekt)"}
    results = {"machine": bench.machine(), "synthetic": {"200": entry}, "skipped": "50.000: overgeslagen",
               "cold_start": {"cli": {}, "app": app}, "peak_rss_mb": {"bench": bench.rss_mb()}, "total_s": 1.0}
    results["checks"] = bench.report_rows(results)
    assert json.loads(json.dumps(results)) == results
    assert {"cores", "cpu", "python", "date"} <= set(results["machine"])
    rows = {r["meting"]: r for r in results["checks"]}
    assert rows["Koude start app: bedient"]["weergave"] == "niet gemeten (app.py ontbreekt)"
    assert rows["Koude start app: bedient"]["gehaald"] is None
    assert rows["Koude start app: eerste antwoord, gerekend vanaf bedienen"]["gehaald"] is None
    assert rows["Piek-RSS benchmarkproces"]["gehaald"] in (True, False)
    text = bench.render(results)
    assert "ask p95 – 200*" in text and "willekeurige eenheidsvectoren" in text
