"""Tune retrieval fusion and the refusal decision on evals/calibration.jsonl only.

Never run this against the eval set: the eval set reports, the calibration set tunes.
It prints the best fusion settings (dense weight, RRF k, candidate depth) by section-level
MRR@10 and hit@5, and the refusal weights fitted by logistic regression, with their
cross-validated precision and recall. Copy what you accept into assistant/settings.py.
Calibration questions that nearly copy an eval question are left out (heldout.py). Each
question's labelled neighbours (the refusal's "neighbours" evidence) are the questions of
the other folds, never itself: write the shipped examples with evals/fit_scope.py.

Run: .venv/bin/python evals/tune.py [--index DIR]
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answer.assistant import Assistant  # noqa: E402
from assistant.answer.relevance import relevance_of  # noqa: E402
from assistant.answer.scope import NEAR_DUPLICATE, ScopeExamples  # noqa: E402
from assistant.evaluation import retrieval_metrics  # noqa: E402
from assistant.retrieval.search import fuse, section_ranking  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from evals.heldout import calibration_for_fitting, fitting_index  # noqa: E402

DEPTH = 60


def main() -> int:
    settings, _ = fitting_index()
    assistant = Assistant(settings)
    retriever = assistant.retriever
    questions, prepared_all, vectors = calibration_for_fitting(retriever)
    snap = retriever.snapshot
    cached = []
    for prepared, vec in zip(prepared_all, vectors):
        cached.append((prepared, vec, section_ranking(snap, retriever.dense_ranking(vec, DEPTH, snap)),
                       section_ranking(snap, retriever.bm25_ranking(prepared.search_text, DEPTH, snap)),
                       retriever.anchor_ranking(vec, DEPTH, snap),
                       retriever.anchor_bm25_ranking(prepared.search_text, DEPTH, snap)))

    def key(sid: str) -> set:
        sec = snap.sections[sid]
        return {(sec.doc_id, sec.heading)}

    results = []
    grid = itertools.product([0.5, 1.0, 1.5, 2.0], [0.5, 1.0, 1.5, 2.0], [0.0, 0.25, 0.5, 1.0], [5, 10, 20],
                             [20, 40])
    for dw, aw, bw, rrf_k, depth in grid:
        rankings = []
        for _, _, dense, sparse, anchors, anchor_words in cached:
            fused = fuse([(dw, dense[:depth]), (1.0, sparse[:depth]), (aw, anchors[:depth]),
                          (bw, anchor_words[:depth])], rrf_k)
            rankings.append([key(sid) for sid in sorted(fused, key=fused.get, reverse=True)[:10]])
        m = retrieval_metrics(rankings, questions)
        results.append((m["mrr@10"] + m["hit@5"], dw, aw, bw, rrf_k, depth, m))
    results.sort(key=lambda r: r[0], reverse=True)
    print("Fusie (beste 10): dense_weight, anchor_weight, anchor_bm25_weight, rrf_k, fetch_k -> MRR@10, hit@5")
    for _, dw, aw, bw, rrf_k, depth, m in results[:10]:
        print(f"  {dw:4.2f} {aw:4.2f} {bw:4.2f} {rrf_k:3d} {depth:3d} -> {m['mrr@10']:.3f} {m['hit@5']:.3f}")
    r = settings.retrieval
    print(f"Ingesteld: {r.dense_weight} {r.anchor_weight} {r.anchor_bm25_weight} {r.rrf_k} {r.fetch_k}")

    features = []
    examples = fold_examples(questions, vectors, retriever.embeddings.model_id)
    for q, ex, (prepared, vec, *_) in zip(questions, examples, cached):
        result = retriever.retrieve(prepared, query_vector=vec, snapshot=snap)
        features.append((q.in_scope, relevance_of(result, settings.answer.outside_questions, ex)))
    tune_refusal(features, settings)
    return 0


def fold_examples(questions, vectors: np.ndarray, model_id: str) -> list[ScopeExamples]:
    """Per calibration question, the labelled examples it is scored against: the questions
    of the other folds (the folds of the refusal's cross-validation), without those that
    nearly copy it. So no question is its own neighbour, as no user's question is."""
    from sklearn.model_selection import StratifiedKFold

    inside = np.array([q.in_scope for q in questions])
    out: list[ScopeExamples | None] = [None] * len(questions)
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(vectors, inside):
        for i in test:
            rows = train[vectors[train] @ vectors[i] < NEAR_DUPLICATE]
            out[i] = ScopeExamples(vectors[rows[inside[rows]]], vectors[rows[~inside[rows]]], model_id)
    return out


# The evidence the refusal model is fitted on (see assistant/answer/relevance.py).
FIT = ("closest", "margin", "topic_margin", "best_passage", "coverage", "unknown", "missing_value", "current",
       "english", "asked_coverage", "unread", "neighbours")


def tune_refusal(features, settings: Settings) -> None:
    """Fit the refusal weights by logistic regression (balanced classes, L2) and report
    precision and recall at the fitted boundary: on the calibration set itself, and in
    5-fold cross-validation as an estimate for questions the fit never saw."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    y = np.array([s for s, _ in features])
    x = np.array([[r.features()[name] for name in FIT] for _, r in features])
    mean, std = x.mean(0), x.std(0) + 1e-9

    def fit(rows):
        model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
        model.fit((x[rows] - mean) / std, y[rows])
        weights = model.coef_[0] / std
        return {"bias": float(model.intercept_[0] - weights @ mean), **dict(zip(FIT, map(float, weights)))}

    def score(weights, rows):
        return weights["bias"] + x[rows] @ np.array([weights[name] for name in FIT])

    everything = np.arange(len(y))
    weights = fit(everything)
    cv = np.zeros(len(y))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(x, y):
        cv[test] = score(fit(train), test)
    n_out = int((~y.astype(bool)).sum())
    threshold = _threshold(y.astype(bool), cv)
    for name, scores in (("kalibratie", score(weights, everything)), ("5-voudige kruisvalidatie", cv)):
        for t in (0.0, threshold):
            precision, recall = _refusal_pr(list(zip(y, scores)), t, n_out)
            print(f"Weigeren ({name}, drempel {t:.2f}): precisie {precision:.3f}, recall {recall:.3f}, "
                  f"bij {PRIOR_OUT:.0%} vragen buiten het bereik: precisie {_precision_at_prior(y, scores, t):.3f} "
                  f"({len(y) - n_out} binnen, {n_out} buiten)")
    print(f"refusal_threshold = {threshold:.2f}")
    rounded = {k: round(v, 3) for k, v in weights.items()}
    print(f"refusal_weights = {rounded}")
    cfg = settings.answer
    precision, recall = _refusal_pr([(s, r.combine(cfg)) for s, r in features], cfg.refusal_threshold, n_out)
    print(f"Ingesteld: {cfg.refusal_weights} drempel {cfg.refusal_threshold} -> precisie {precision:.3f}, "
          f"recall {recall:.3f}")


C = 1.0  # inverse L2 strength of the refusal fit (0.3 to 3 agree within 0.01 in cross-validation; 0.1 is worse)
# The share of questions outside the draaiboek that the threshold is chosen for. The
# calibration set holds a third; users ask mostly in-scope questions, and every wrong
# refusal costs them an answer the draaiboek has.
PRIOR_OUT = 0.2


def _precision_at_prior(inside, scores, threshold: float) -> float:
    """Refusal precision if PRIOR_OUT of all questions were out of scope."""
    inside = np.asarray(inside, dtype=bool)
    refused = np.asarray(scores) < threshold
    recall, wrong_rate = refused[~inside].mean(), refused[inside].mean()
    hits = PRIOR_OUT * recall
    return float(hits / (hits + (1 - PRIOR_OUT) * wrong_rate)) if hits + wrong_rate else 0.0


def _threshold(inside, scores) -> float:
    """The threshold that maximises the lower of recall and precision at PRIOR_OUT
    (on cross-validated scores, so it is chosen for questions the fit has not seen)."""
    best, best_t = -1.0, 0.0
    for t in np.unique(np.round(scores, 2)):
        recall = (np.asarray(scores)[~inside] < t).mean()
        value = min(recall, _precision_at_prior(inside, scores, t))
        if value > best:
            best, best_t = value, float(t)
    return best_t


def _refusal_pr(scores, threshold: float, n_out: int) -> tuple[float, float]:
    refused_in = sum(1 for s, v in scores if s and v < threshold)
    refused_out = sum(1 for s, v in scores if not s and v < threshold)
    precision = refused_out / (refused_out + refused_in) if refused_out + refused_in else 0.0
    return precision, refused_out / n_out if n_out else 0.0


if __name__ == "__main__":
    sys.exit(main())
