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

from assistant.answer.assistant import Assistant  # noqa: E402
from assistant.evaluation import load_questions, retrieval_metrics  # noqa: E402
from assistant.ingest.ingestor import Ingestor  # noqa: E402
from assistant.retrieval.search import fuse, section_ranking  # noqa: E402
from assistant.settings import Settings  # noqa: E402

DEPTH = 60


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, default=ROOT / "evals" / "tmp" / "index")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    args = parser.parse_args()
    settings = Settings(index_dir=args.index, data_dir=args.index.parent / "data", corpus_dirs=[args.corpus])
    print(Ingestor(settings).run(show_progress=False, rebuild_if_needed=True).summary(), flush=True)
    assistant = Assistant(settings)
    retriever = assistant.retriever
    questions = load_questions(ROOT / "evals" / "calibration.jsonl")
    snap = retriever.snapshot
    cached = []
    for q in questions:
        prepared = retriever.prepare(q.question, snapshot=snap)
        vec = retriever.embed_query(prepared.search_text)
        cached.append((prepared, vec, section_ranking(snap, retriever.dense_ranking(vec, DEPTH, snap)),
                       section_ranking(snap, retriever.bm25_ranking(prepared.search_text, DEPTH, snap)),
                       retriever.anchor_ranking(vec, DEPTH, snap)))

    def key(sid: str) -> set:
        sec = snap.sections[sid]
        return {(sec.doc_id, sec.heading)}

    results = []
    grid = itertools.product([0.5, 1.0, 1.5, 2.0, 3.0], [0.0, 0.5, 1.0, 1.5, 2.0, 3.0], [5, 10, 20, 40],
                             [10, 20, 40])
    for dw, aw, rrf_k, depth in grid:
        rankings = []
        for _, _, dense, sparse, anchors in cached:
            fused = fuse([(dw, dense[:depth]), (1.0, sparse[:depth]), (aw, anchors[:depth])], rrf_k)
            rankings.append([key(sid) for sid in sorted(fused, key=fused.get, reverse=True)[:10]])
        m = retrieval_metrics(rankings, questions)
        results.append((m["mrr@10"] + m["hit@5"], dw, aw, rrf_k, depth, m))
    results.sort(key=lambda r: r[0], reverse=True)
    print("Fusie (beste 10): dense_weight, anchor_weight, rrf_k, fetch_k -> MRR@10, hit@5")
    for _, dw, aw, rrf_k, depth, m in results[:10]:
        print(f"  {dw:4.2f} {aw:4.2f} {rrf_k:3d} {depth:3d} -> {m['mrr@10']:.3f} {m['hit@5']:.3f}")
    r = settings.retrieval
    print(f"Ingesteld: {r.dense_weight} {r.anchor_weight} {r.rrf_k} {r.fetch_k}")

    features = []
    for q, (prepared, vec, *_) in zip(questions, cached):
        result = retriever.retrieve(prepared, query_vector=vec, snapshot=snap)
        features.append((q.in_scope, assistant.relevance(result)))
    tune_refusal(features, settings)
    return 0


def tune_refusal(features, settings: Settings) -> None:
    """Grid over the weights of the relevance score and its threshold; the objective is
    the lower of refusal precision and recall (both should reach 0.90)."""
    n_out = sum(1 for s, _ in features if not s)
    best, good = None, []
    steps = [x / 10 for x in range(0, 11)]
    for dw, aw, uw, mw in itertools.product(steps, steps, [0.0, 0.1, 0.2], [0, 2, 4, 6, 8, 10, 12, 16]):
        if dw + aw + uw > 1:
            continue
        cfg = settings.answer.model_copy(update={"dense_weight": dw, "anchor_weight": aw, "union_weight": uw,
                                                 "margin_weight": mw})
        scores = [(s, r.combine(cfg)) for s, r in features]
        for t in sorted({round(v, 3) for _, v in scores}):
            precision, recall = _refusal_pr(scores, t, n_out)
            if best is None or min(precision, recall) > best[0] + 1e-9:
                best = (min(precision, recall), dw, aw, uw, mw, t, precision, recall)
            if min(precision, recall) >= 0.93:
                good.append((dw, aw, uw, mw))
    print(f"Instellingen met precisie en recall >= 0.93: {len(set(good))}; per margin_weight:",
          {m: sum(1 for g in set(good) if g[3] == m) for m in sorted({g[3] for g in good})})
    _, dw, aw, uw, mw, t, precision, recall = best
    print(f"Weigeren: dense_weight={dw} anchor_weight={aw} union_weight={uw} margin_weight={mw} drempel={t:.3f} "
          f"-> precisie {precision:.3f}, recall {recall:.3f} ({len(features) - n_out} binnen, {n_out} buiten)")
    cfg = settings.answer
    precision, recall = _refusal_pr([(s, r.combine(cfg)) for s, r in features], cfg.refusal_threshold, n_out)
    print(f"Ingesteld: dense_weight={cfg.dense_weight} anchor_weight={cfg.anchor_weight} union_weight="
          f"{cfg.union_weight} margin_weight={cfg.margin_weight} drempel={cfg.refusal_threshold} "
          f"-> precisie {precision:.3f}, recall {recall:.3f}")


def _refusal_pr(scores, threshold: float, n_out: int) -> tuple[float, float]:
    refused_in = sum(1 for s, v in scores if s and v < threshold)
    refused_out = sum(1 for s, v in scores if not s and v < threshold)
    precision = refused_out / (refused_out + refused_in) if refused_out + refused_in else 0.0
    return precision, refused_out / n_out if n_out else 0.0


if __name__ == "__main__":
    sys.exit(main())
