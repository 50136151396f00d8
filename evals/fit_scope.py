"""Write the labelled example questions of the refusal decision (assistant/answer/scope.py).

The examples are the calibration questions, each labelled in or out of scope, as vectors of
the index's embedding model; never eval questions, and no calibration question that nearly
copies one (``heldout.py``). The refusal weights that read them are fitted by
``evals/tune.py``, which scores every calibration question against the examples of the
other folds only.

Run: .venv/bin/python evals/fit_scope.py [--index DIR]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answer.scope import NEAR_DUPLICATE, ScopeExamples, save_examples  # noqa: E402
from assistant.retrieval.search import Retriever  # noqa: E402
from evals.heldout import calibration_for_fitting, fitting_index  # noqa: E402


def main() -> int:
    settings, _ = fitting_index()
    retriever = Retriever(settings)
    questions, _, vectors = calibration_for_fitting(retriever)
    inside = [q.in_scope for q in questions]
    examples = ScopeExamples(vectors[inside], vectors[[not x for x in inside]], retriever.embeddings.model_id)
    path = save_examples(examples, near_duplicate=NEAR_DUPLICATE, written=time.strftime("%Y-%m-%d"))
    print(f"Voorbeelden geschreven: {path.relative_to(ROOT)} ({path.stat().st_size // 1024} kB; "
          f"{len(examples.inside)} binnen, {len(examples.outside)} buiten het bereik)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
