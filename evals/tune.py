"""Tune retrieval fusion and the refusal decision on evals/calibration.jsonl only.

Never run this against the eval set: the eval set reports, the calibration set tunes.
It prints the best fusion settings (dense weight, RRF k, candidate depth) by section-level
MRR@10 and hit@5, and the refusal weights and threshold that minimise the sum of the
wrong-refusal and wrong-answer rates. Copy what you accept into assistant/settings.py.

Run: .venv/bin/python evals/tune.py [--index DIR]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answering import Assistant  # noqa: E402
from assistant.evaluation import load_questions, retrieval_metrics  # noqa: E402
from assistant.ingestion import Ingestor  # noqa: E402
from assistant.retrieval import fuse  # noqa: E402
from assistant.settings import Settings  # noqa: E402

DEPTH = 60


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, default=ROOT / "evals" / "tmp" / "index")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    args = parser.parse_args()
    settings = Settings(index_dir=args.index, data_dir=args.index.parent / "data", corpus_dirs=[args.corpus])
    Ingestor(settings).run(show_progress=True)
    assistant = Assistant(settings)
    retriever = assistant.retriever
    questions = load_questions(ROOT / "evals" / "calibration.jsonl")
    snap = retriever.snapshot
    cached = []
    for q in questions:
        prepared = retriever.prepare(q.question)
        vec = retriever.embed_query(prepared.search_text)
        cached.append((prepared, vec, retriever.dense_ranking(vec, DEPTH),
                       retriever.bm25_ranking(prepared.search_text, DEPTH)))

    def key(cid: str) -> set:
        rec = snap.records[cid]
        return {(rec["doc_id"], rec["section"])}

    results = []
    for dw, rrf_k, depth in itertools.product([0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0], [5, 10, 20, 30, 60],
                                              [10, 20, 30, 40, 60]):
        rankings = []
        for _, _, dense, sparse in cached:
            fused = fuse([(dw, dense[:depth]), (1.0, sparse[:depth])], rrf_k)
            rankings.append([key(c) for c in sorted(fused, key=fused.get, reverse=True)[:10]])
        m = retrieval_metrics(rankings, questions)
        results.append((m["mrr@10"] + m["hit@5"], dw, rrf_k, depth, m))
    results.sort(key=lambda r: r[0], reverse=True)
    print("Fusie (beste 8): dense_weight, rrf_k, fetch_k -> MRR@10, hit@5")
    for _, dw, rrf_k, depth, m in results[:8]:
        print(f"  {dw:4.2f} {rrf_k:3d} {depth:3d} -> {m['mrr@10']:.3f} {m['hit@5']:.3f}")
    _, dw, rrf_k, depth, _ = results[0]
    print(f"Ingesteld: {settings.retrieval.dense_weight} {settings.retrieval.rrf_k} {settings.retrieval.fetch_k}")

    features = []
    for q, (prepared, vec, _, _) in zip(questions, cached):
        chunks = retriever.search(prepared, query_vector=vec)
        features.append((q.in_scope, assistant.relevance(prepared, vec, chunks)))
    tune_refusal(features, settings)
    return 0


def tune_refusal(features, settings: Settings) -> None:
    """Grid over the weights of the relevance score and its threshold."""
    n_in = sum(1 for s, _ in features if s)
    n_out = len(features) - n_in
    best = None
    for dense_w, union_w in itertools.product([x / 10 for x in range(0, 11)], [0.0, 0.1, 0.2, 0.3]):
        if dense_w + union_w > 1:
            continue
        scores = [(s, r.combine(dense_w, union_w, settings.answer.dense_floor)) for s, r in features]
        for t in sorted({round(v, 3) for _, v in scores}):
            wr = sum(1 for s, v in scores if s and v < t) / n_in
            wa = sum(1 for s, v in scores if not s and v >= t) / n_out
            if best is None or wr + wa < best[0] - 1e-9:
                best = (wr + wa, dense_w, union_w, t, wr, wa)
    _, dense_w, union_w, t, wr, wa = best
    print(f"Weigeren: dense_weight={dense_w} union_weight={union_w} drempel={t:.3f} "
          f"-> {wr:.1%} onterecht geweigerd, {wa:.1%} onterecht beantwoord "
          f"({n_in} binnen, {n_out} buiten het bereik)")
    cfg = settings.answer
    scores = [(s, r.combine(cfg.dense_weight, cfg.union_weight, cfg.dense_floor)) for s, r in features]
    wr = sum(1 for s, v in scores if s and v < cfg.refusal_threshold) / n_in
    wa = sum(1 for s, v in scores if not s and v >= cfg.refusal_threshold) / n_out
    print(f"Ingesteld: dense_weight={cfg.dense_weight} union_weight={cfg.union_weight} "
          f"drempel={cfg.refusal_threshold} -> {wr:.1%} / {wa:.1%}")


if __name__ == "__main__":
    sys.exit(main())
