"""Fit the query adapter (assistant/retrieval/adapter.py) on evals/calibration.jsonl only.

Never fit on the eval set: the eval set reports, the calibration set tunes.
The adapter is a square matrix that maps a question's vector before the dense and anchor
rankings. It is fitted with a contrastive loss: each training question should come
closest to the passages of a section that answers it, among all passages of the
draaiboek. The training questions are the draaiboek's anchor questions (what each
section answers, in users' words) and the in-scope calibration questions (with the
sections labelled relevant), without those that nearly copy an eval question (heldout.py).
The matrix is pulled towards the identity, so it stays a small turn of the model's own space.

It prints five-fold cross-validated section rankings on the calibration questions (each
fold fitted without its own questions), with and without the adapter; then, for a few
chapters left out of a fit entirely (their anchor questions, calibration questions and
passages), how the adapter ranks questions about a document it never saw, as a user's
PDF would be; and then it writes the adapter fitted on all of them next to
assistant/retrieval/adapter.py.

Run: .venv/bin/python evals/fit_adapter.py [--index DIR] [--dry-run]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation import retrieval_metrics  # noqa: E402
from assistant.retrieval.adapter import EPOCHS, PULL, TEMPERATURE, QueryAdapter, fit_matrix, save_adapter  # noqa: E402
from assistant.retrieval.search import Retriever  # noqa: E402
from evals.heldout import calibration_for_fitting, fitting_index  # noqa: E402

FOLDS = 5


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dry-run", action="store_true", help="report the cross-validation, write nothing")
    parser.add_argument("--unseen", nargs="*", default=["12-theoretisch", "16-budget", "11-casus"],
                        help="chapters to leave out of a fit, as stand-ins for documents a user adds later")
    settings, args = fitting_index(parser)
    settings.retrieval.query_adapter = False
    retriever = Retriever(settings)
    snap = retriever.snapshot
    model_id = retriever.embeddings.model_id

    stored = retriever.store.collection.get(include=["embeddings"])
    keep = [i for i, cid in enumerate(stored["ids"]) if snap.has_chunk(cid)]
    passages = np.asarray(stored["embeddings"], dtype=np.float32)[keep]
    passage_sections = np.array([snap.chunks[stored["ids"][i]].section_id for i in keep])
    anchor_vectors, anchor_owners = snap.anchors()
    section_of = {(sec.doc_id, sec.heading): sid for sid, sec in snap.sections.items()}

    calibration, prepared, vectors = calibration_for_fitting(retriever)
    rows = [i for i, q in enumerate(calibration) if q.in_scope]
    questions, prepared, vectors = [calibration[i] for i in rows], [prepared[i] for i in rows], vectors[rows]
    labelled = [[section_of[r] for r in q.relevant if r in section_of] for q in questions]

    def training_set(rows: list[int]) -> tuple[np.ndarray, np.ndarray]:
        pairs = [(vectors[i], sid) for i in rows for sid in labelled[i]]
        x = np.vstack([np.asarray(anchor_vectors, dtype=np.float32)] + [v[None] for v, _ in pairs])
        return x, np.concatenate([np.asarray(anchor_owners), np.array([sid for _, sid in pairs], dtype=object)])

    def rankings(rows: list[int], matrix: np.ndarray | None) -> list[list[set]]:
        """The product's own hybrid search of each question, with this matrix as its adapter."""
        retriever.adapter = None if matrix is None else QueryAdapter(matrix, model_id)
        found = [retriever.retrieve(prepared[i], 10, vectors[i], snap).hits for i in rows]
        return [[{(h.section.doc_id, h.section.heading)} for h in hits] for hits in found]

    folds = np.array_split(np.random.RandomState(0).permutation(len(questions)), FOLDS)
    t0 = time.perf_counter()
    plain, adapted = [], []
    for fold in folds:
        test = [int(i) for i in fold]
        train = [i for i in range(len(questions)) if i not in set(test)]
        matrix = fit_matrix(*training_set(train), passages, passage_sections)
        adapted += rankings(test, matrix)
        plain += rankings(test, None)
    order = [int(i) for fold in folds for i in fold]
    in_order = [questions[i] for i in order]
    print(f"{FOLDS}-voudige kruisvalidatie op {len(questions)} kalibratievragen ({time.perf_counter() - t0:.0f} s):")
    for name, ranked in (("zonder adapter", plain), ("met adapter", adapted)):
        m = retrieval_metrics(ranked, in_order)
        print(f"  {name:15s} hit@1 {m['hit@1']:.3f}  hit@5 {m['hit@5']:.3f}  MRR@10 {m['mrr@10']:.3f}")

    def in_chapter(sid: str, chapter: str) -> bool:
        return chapter in snap.sections[sid].doc_id

    print("Een document dat de adapter nooit zag (gepast zonder de ankervragen, vragen en passages van dat "
          "hoofdstuk):")
    for chapter in args.unseen:
        rows = [i for i, lab in enumerate(labelled) if lab and all(in_chapter(s, chapter) for s in lab)]
        train = [i for i, lab in enumerate(labelled) if lab and not any(in_chapter(s, chapter) for s in lab)]
        x, y = training_set(train)
        seen_x = np.array([not in_chapter(sid, chapter) for sid in y])
        seen_p = np.array([not in_chapter(sid, chapter) for sid in passage_sections])
        matrix = fit_matrix(x[seen_x], y[seen_x], passages[seen_p], passage_sections[seen_p])
        subset = [questions[i] for i in rows]
        for name, ranked in (("zonder adapter", rankings(rows, None)), ("met adapter", rankings(rows, matrix))):
            m = retrieval_metrics(ranked, subset)
            print(f"  {chapter:14s} ({len(rows):2d} vragen) {name:15s} "
                  f"hit@1 {m['hit@1']:.3f}  MRR@10 {m['mrr@10']:.3f}")
    if args.dry_run:
        return 0
    x, y = training_set(list(range(len(questions))))
    matrix = fit_matrix(x, y, passages, passage_sections)
    path = save_adapter(matrix, model_id, temperature=TEMPERATURE, pull=PULL, epochs=EPOCHS,
                        anchor_questions=len(anchor_owners), calibration_questions=len(questions),
                        fitted=time.strftime("%Y-%m-%d"))
    print(f"Adapter geschreven: {path.relative_to(ROOT)} ({path.stat().st_size // 1024} kB, {len(x)} vragen)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
