"""The ``alliantiewijzer`` command line.

Exit codes: 0 success; 1 an error with a message (no index, settings mismatch, bad
arguments); 2 ``ingest`` finished but skipped some files (each named with a reason).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant import __version__
from assistant.cli.scan import add_scan_parser, run_scan
from assistant.services import quiet_libraries
from assistant.settings import Settings, SettingsError, load_settings


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="alliantiewijzer",
        description="STEM-Alliantiewijzer: draaiboek, chat-assistent en netwerkscan voor STEM-allianties.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMANDO")

    ing = sub.add_parser("ingest", help="documenten indexeren (standaard: corpus/)")
    ing.add_argument("paths", nargs="*", type=Path, help="bestanden of mappen")
    ing.add_argument("--rebuild", action="store_true", help="de index volledig opnieuw opbouwen")
    ing.add_argument("--rebuild-if-needed", action="store_true",
                     help="opnieuw opbouwen als de index met andere instellingen of een ouder formaat gebouwd is")
    ing.add_argument("--quiet", action="store_true", help="geen voortgangsbalk")

    se = sub.add_parser("search", help="passages zoeken in de index")
    se.add_argument("query", help="de zoekvraag")
    se.add_argument("-k", type=int, default=None, help="aantal passages (standaard uit de instellingen)")
    se.add_argument("--json", action="store_true", help="JSON-uitvoer")

    ask = sub.add_parser("ask", help="een vraag stellen; antwoord met genummerde bronnen")
    ask.add_argument("question", nargs="?", help="de vraag")
    ask.add_argument("--batch", type=Path, help="bestand met één vraag per regel")
    ask.add_argument("--json", action="store_true", help="JSON-uitvoer (bij --batch één object per regel)")

    add_scan_parser(sub)

    fb = sub.add_parser("feedback", help="feedback uit de app beheren")
    fb_sub = fb.add_subparsers(dest="feedback_command", required=True, metavar="ACTIE")
    export = fb_sub.add_parser("export", help="alle feedback naar CSV schrijven")
    export.add_argument("--out", type=Path, default=Path("feedback.csv"), help="CSV-bestand (standaard feedback.csv)")

    gaps = sub.add_parser("gaps", help="vragen die geweigerd of negatief beoordeeld werden, vaakst eerst")
    gaps.add_argument("-n", type=int, default=30, help="hoeveel vragen (standaard 30)")

    sub.add_parser("serve", help="de web-app starten (zoals python app.py)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script and ``python -m assistant``."""
    args = _parser().parse_args(argv)
    quiet_libraries()
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 1
    handler = {"ingest": _ingest, "search": _search, "ask": _ask, "scan": run_scan,
               "feedback": _feedback, "gaps": _gaps, "serve": _serve}[args.command]
    try:
        return handler(args, settings)
    except Exception as exc:  # user-facing errors: one clear line, no stack trace
        from assistant.index.embeddings import ModelNotAvailable
        from assistant.index.snapshot import IndexProblem

        if isinstance(exc, (IndexProblem, ModelNotAvailable)):
            print(f"Fout: {exc}", file=sys.stderr)
            return 1
        raise


def _ingest(args, settings: Settings) -> int:
    from assistant.ingest.ingestor import Ingestor

    report = Ingestor(settings).run(args.paths or None, rebuild=args.rebuild, show_progress=not args.quiet,
                                    rebuild_if_needed=args.rebuild_if_needed)
    print(report.summary())
    return report.exit_code


def _search(args, settings: Settings) -> int:
    from assistant.retrieval.search import Retriever

    results = Retriever(settings).search(args.query, args.k)
    if args.json:
        print(json.dumps([c.to_json() for c in results], ensure_ascii=False, indent=2))
        return 0
    if not results:
        print("Geen passages gevonden.")
    for i, c in enumerate(results, 1):
        print(f"[{i}] {c.title} — {c.location or '(hele document)'}  (score {c.score:.4f})")
        print(f"    bron: {c.source}")
        snippet = " ".join(c.text.split())
        print(f"    {snippet[:300]}{'…' if len(snippet) > 300 else ''}\n")
    return 0


def _ask(args, settings: Settings) -> int:
    from assistant.answer.assistant import Assistant

    if bool(args.question) == bool(args.batch):
        print("Fout: geef een vraag of --batch BESTAND (niet allebei).", file=sys.stderr)
        return 1
    if args.batch:
        if not args.batch.is_file():
            print(f"Fout: bestand {args.batch} niet gevonden.", file=sys.stderr)
            return 1
        questions = [q.strip() for q in args.batch.read_text(encoding="utf-8").splitlines() if q.strip()]
    else:
        questions = [args.question]
    assistant = Assistant(settings)  # models load once for the whole batch
    for question in questions:
        answer = assistant.ask(question)
        if args.json:
            print(json.dumps(answer.to_json(), ensure_ascii=False, indent=None if args.batch else 2), flush=True)
        else:
            print(format_answer(answer) + ("\n" + "-" * 60 if args.batch else ""), flush=True)
    return 0


def _feedback_store(settings: Settings):
    from assistant.services import feedback_store

    return feedback_store(settings)


def _feedback(args, settings: Settings) -> int:
    n = _feedback_store(settings).export_csv(args.out)
    print(f"{n} beoordelingen geschreven naar {args.out}")
    return 0


def _gaps(args, settings: Settings) -> int:
    rows = _feedback_store(settings).gaps(args.n)
    if not rows:
        print("Nog geen geweigerde of negatief beoordeelde vragen.")
    for question, times, refused, negative in rows:
        print(f"{times:4d}×  {question}  (geweigerd {refused}, duim omlaag {negative})")
    return 0


def _serve(args, settings: Settings) -> int:
    from assistant.ui.serve import main as serve

    serve()
    return 0


def format_answer(answer) -> str:
    """Plain-text answer with its numbered source list."""
    lines = [answer.text]
    if answer.notice:
        lines.insert(0, f"({answer.notice})")
    if answer.citations:
        lines += ["", "Bronnen:"]
        for c in answer.citations:
            where = " > ".join(p for p in (c.title, c.section) if p) + (f", p. {c.page}" if c.page else "")
            lines.append(f"[{c.n}] {where}\n    \u201c{c.quote}\u201d\n    {c.source}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
