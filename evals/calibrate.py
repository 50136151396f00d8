"""Calibrate the refusal threshold on evals/calibration.jsonl (never on the eval set).

Prints, for each candidate threshold, the share of in-scope questions wrongly refused
and of out-of-scope questions wrongly answered, and the threshold that minimises their
sum. Run: .venv/bin/python evals/calibrate.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answering import Assistant  # noqa: E402
from assistant.evaluation import load_questions  # noqa: E402
from assistant.ingestion import Ingestor  # noqa: E402
from assistant.settings import Settings  # noqa: E402


def main() -> int:
    settings = Settings(index_dir=ROOT / "evals" / "tmp" / "index", corpus_dirs=[ROOT / "corpus"])
    Ingestor(settings).run(show_progress=False)
    assistant = Assistant(settings)
    r = assistant.retriever
    scored = []
    for q in load_questions(ROOT / "evals" / "calibration.jsonl"):
        prepared = r.prepare(q.question)
        vec = r.embed_query(prepared.search_text)
        scored.append((q.in_scope, assistant.relevance(prepared, vec, r.search(prepared, query_vector=vec)).score))
    n_in = sum(1 for s, _ in scored if s)
    n_out = len(scored) - n_in
    best = None
    for t in [x / 100 for x in range(20, 71)]:
        wrong_refusal = sum(1 for s, v in scored if s and v < t) / n_in
        wrong_answer = sum(1 for s, v in scored if not s and v >= t) / n_out
        if best is None or wrong_refusal + wrong_answer < best[1] + best[2]:
            best = (t, wrong_refusal, wrong_answer)
    t, wr, wa = best
    current = settings.answer.refusal_threshold
    cur_wr = sum(1 for s, v in scored if s and v < current) / n_in
    cur_wa = sum(1 for s, v in scored if not s and v >= current) / n_out
    print(f"{n_in} vragen binnen en {n_out} buiten het bereik")
    print(f"beste drempel {t:.2f}: {wr:.1%} onterecht geweigerd, {wa:.1%} onterecht beantwoord")
    print(f"huidige drempel {current:.2f}: {cur_wr:.1%} onterecht geweigerd, {cur_wa:.1%} onterecht beantwoord")
    return 0


if __name__ == "__main__":
    sys.exit(main())
