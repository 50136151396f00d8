"""`make eval`: retrieval and answer quality on the question sets, against the usual baseline.

Writes evals/report.md, evals/report.json and evals/retrievers.png, and prints a table.
The index is built from corpus/ into evals/tmp/ (incremental), so uploads never skew it.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path
from statistics import quantiles

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answer.assistant import Assistant  # noqa: E402
from assistant.evaluation import (  # noqa: E402
    TutorialBaseline, answer_metrics, index_ranker, load_questions, retrieval_metrics)
from assistant.index.embeddings import make_embeddings  # noqa: E402
from assistant.ingest.ingestor import Ingestor  # noqa: E402
from assistant.retrieval.search import Retriever  # noqa: E402
from assistant.settings import EmbeddingSettings, Settings  # noqa: E402

OUT = ROOT / "evals"
TMP = OUT / "tmp"
SETS = {"eval": OUT / "questions.jsonl", "calibration": OUT / "calibration.jsonl"}


def main() -> int:
    settings = Settings(index_dir=TMP / "index", data_dir=TMP / "data", corpus_dirs=[ROOT / "corpus"])
    report = Ingestor(settings).run(show_progress=True, rebuild_if_needed=True)
    retriever = Retriever(settings, Ingestor(settings).embeddings)
    assistant = Assistant(settings, retriever)
    assistant.warm_up()
    unadapted = settings.model_copy(deep=True)
    unadapted.retrieval.query_adapter = False  # what the query adapter adds, on questions it never saw
    plain = Retriever(unadapted, retriever.embeddings)
    print("Tutorial-baselines bouwen (1000/200 tekens, k=4; multilingual-e5 en all-MiniLM-L6-v2) ...", flush=True)
    minilm = make_embeddings(EmbeddingSettings(backend="sentence-transformers"))
    baselines = {"tutorial + e5": TutorialBaseline(ROOT / "corpus", retriever.embeddings, TMP),
                 "tutorial (MiniLM)": TutorialBaseline(ROOT / "corpus", minilm, TMP)}
    results = {"machine": _machine(), "index_chunks": report.chunks_total, "sets": {}}
    for name, path in SETS.items():
        questions = load_questions(path)
        rankers = {
            "bm25": index_ranker(retriever, "bm25"),
            "dense": index_ranker(retriever, "dense"),
            "ankervragen": index_ranker(retriever, "anchors"),
            "hybrid": index_ranker(retriever, "hybrid"),
            "hybrid zonder adapter": index_ranker(plain, "hybrid"),
            **{name: b.rank for name, b in baselines.items()},
        }
        rankings = {n: [rank(q.question) for q in questions] for n, rank in rankers.items()}
        retrieval = {n: retrieval_metrics(r, questions) for n, r in rankings.items()}
        answers, latencies = [], []
        for q in questions:
            t = time.perf_counter()
            answers.append(assistant.ask(q.question))
            latencies.append((time.perf_counter() - t) * 1000)
        answer = answer_metrics(answers, questions, [set(a.retrieved_ids) for a in answers])
        by_lang = {lang: answer_metrics([a for a, q in zip(answers, questions) if q.lang == lang],
                                        [q for q in questions if q.lang == lang],
                                        [set(a.retrieved_ids) for a, q in zip(answers, questions) if q.lang == lang])
                   for lang in ("nl", "en")}
        audit = None
        if added := sum(q.original != q.relevant for q in questions):  # also on the authors' labels alone
            original = load_questions(path, audited=False)
            first = answer_metrics(answers, original, [set(a.retrieved_ids) for a in answers])
            audit = {"questions_with_added_labels": added, "hybrid": retrieval_metrics(rankings["hybrid"], original),
                     "first_citation_relevant": first["first_citation_relevant"]}
        cuts = quantiles(latencies, n=20)
        answer.update(ask_p50_ms=round(cuts[9], 1), ask_p95_ms=round(cuts[18], 1))
        results["sets"][name] = {
            "questions": len(questions), "in_scope": sum(q.in_scope for q in questions),
            "english": sum(q.lang == "en" for q in questions), "retrieval": retrieval, "answers": answer,
            "answers_by_language": {k: {m: v[m] for m in ("key_fact_coverage", "first_citation_relevant",
                                                           "refusal_precision", "refusal_recall")}
                                    for k, v in by_lang.items()},
            "failures": _failures(questions, answers),
            "original_labels": audit,
        }
    (OUT / "report.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    (OUT / "report.md").write_text(_markdown(results), encoding="utf-8")
    _chart(results, OUT / "retrievers.png")
    print(_markdown(results))
    return 0


def _failures(questions, answers) -> list[dict]:
    """Wrong refusals, missed refusals and in-scope answers whose first citation is off."""
    out = []
    for q, a in zip(questions, answers):
        if a.refused != (not q.in_scope):
            kind = "onterecht geweigerd" if q.in_scope else "onterecht beantwoord"
        elif q.in_scope and a.citations and (a.citations[0].doc_id, a.citations[0].section) not in q.relevant:
            kind = "eerste bron niet gelabeld"
        else:
            continue
        first = f"{a.citations[0].doc_id} › {a.citations[0].section}" if a.citations else ""
        out.append({"id": q.id, "question": q.question, "kind": kind, "first_citation": first})
    return out


def _machine() -> dict:
    import os

    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    return {"cores": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d")}


def _markdown(results: dict) -> str:
    lines = ["# Evaluatierapport", "",
             f"Machine: {results['machine']['cores']} cores, {results['machine']['cpu']}; "
             f"{results['index_chunks']} passages; datum {results['machine']['date']}. "
             "Gemaakt met `make eval`.", ""]
    for name, data in results["sets"].items():
        lines += [f"## Vragenset `{name}` ({data['questions']} vragen, {data['in_scope']} binnen het "
                  f"bereik, {data['english']} Engels)", "", "### Retrieval (vragen binnen het bereik)", "",
                  "| retriever | hit@1 | hit@5 | recall@5 | MRR@10 | nDCG@10 |", "|---|---|---|---|---|---|"]
        for n, m in data["retrieval"].items():
            lines.append(f"| {n} | {m['hit@1']:.3f} | {m['hit@5']:.3f} | {m['recall@5']:.3f} | "
                         f"{m['mrr@10']:.3f} | {m['ndcg@10']:.3f} |")
        if audit := data.get("original_labels"):
            h = audit["hybrid"]
            lines += ["", f"Labels: die van de auteurs plus, bij {audit['questions_with_added_labels']} vragen, "
                      "secties die de blinde labelaudit toevoegde (`evals/label-audit.md`). Met alleen de labels "
                      f"van de auteurs: hybrid hit@1 {h['hit@1']:.3f}, hit@5 {h['hit@5']:.3f}, "
                      f"MRR@10 {h['mrr@10']:.3f}; first_citation_relevant {audit['first_citation_relevant']}."]
        a = data["answers"]
        lines += ["", "### Antwoorden (offline modus)", "", "| maat | waarde |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in a.items()]
        lines += ["", "Per taal: " + "; ".join(f"{lang}: " + ", ".join(f"{k} {v}" for k, v in m.items())
                                             for lang, m in data["answers_by_language"].items()), ""]
        if data["failures"]:
            lines += ["### Mislukte vragen", "", "| id | soort | vraag | eerste bron |", "|---|---|---|---|"]
            lines += [f"| {f['id']} | {f['kind']} | {f['question']} | {f['first_citation']} |" for f in data["failures"]]
        lines.append("")
    return "\n".join(lines)


def _chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = results["sets"]["eval"]["retrieval"]
    metrics = ["hit@1", "hit@5", "recall@5", "mrr@10", "ndcg@10"]
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(data)
    for i, (name, m) in enumerate(data.items()):
        ax.bar([x + i * width for x in range(len(metrics))], [m[k] for k in metrics], width, label=name)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(metrics))], metrics)
    ax.set_ylim(0, 1)
    ax.set_title("Retrieval op evals/questions.jsonl")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    sys.exit(main())
