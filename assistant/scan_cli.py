"""The ``alliantiewijzer scan`` subcommand.

``add_scan_parser(subparsers)`` adds the arguments; ``run_scan(args, settings)`` runs the
scan and writes the requested exports. Exit codes: 0 success, 1 a problem with the answers
file, the index or an output file (one Dutch line on stderr, no stack trace).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .settings import Settings


def add_scan_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``scan`` subcommand to an ``argparse`` subparsers object."""
    from .scan import DEFAULT_VOICE, VOICES

    p = subparsers.add_parser(
        "scan", help="netwerkscan: profiel, plan van aanpak en raadsnota uit een antwoordbestand",
        description="Netwerkscan: lees een antwoordbestand (YAML) en maak een profiel per dimensie en een "
                    "plan van aanpak voor twaalf maanden waarin elke stap het draaiboek citeert.",
    )
    p.add_argument("--answers", required=True, type=Path, metavar="FILE.yaml",
                   help="antwoordbestand (zie examples/scan-kleine-gemeente.yaml)")
    p.add_argument("--voice", choices=VOICES, default=DEFAULT_VOICE,
                   help="stem: b1 (eenvoudige taal), beleid (schepen en raad) of academisch (studenten)")
    p.add_argument("--out", type=Path, metavar="plan.md", help="plan van aanpak als Markdown (met radar als PNG)")
    p.add_argument("--pdf", type=Path, metavar="plan.pdf", help="plan van aanpak als PDF")
    p.add_argument("--raadsnota", type=Path, metavar="nota.pdf",
                   help="ontwerp van raadsnota als PDF (of als Markdown bij de extensie .md)")
    p.add_argument("--json", action="store_true", help="profiel en plan als JSON op stdout")
    return p


def run_scan(args: argparse.Namespace, settings: Settings) -> int:
    """Run the scan for ``args.answers`` and write the requested outputs.

    Returns:
        0 on success, 1 when the answers, the index or an output file has a problem.
    """
    from .index import IndexProblem
    from .scan import NetworkScan, ScanError

    try:
        scan = NetworkScan(settings)
        answers = scan.read_answers(args.answers)  # validated before the index is touched
        result = scan.run(answers, voice=args.voice)
        written = _write_exports(args, result)
    except (ScanError, IndexProblem) as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Fout: kan het bestand niet schrijven: {exc}", file=sys.stderr)
        return 1
    _report(args, result, written)
    return 0


def _write_exports(args: argparse.Namespace, result) -> list[tuple[str, Path]]:
    from . import scan_export

    written = []
    if args.out:
        written.append(("Plan van aanpak (Markdown)", scan_export.write_plan_markdown(result, args.out)))
    if args.pdf:
        written.append(("Plan van aanpak (PDF)", scan_export.write_plan_pdf(result, args.pdf)))
    if args.raadsnota:
        written.append(("Ontwerp van raadsnota", scan_export.write_council_note(result, args.raadsnota)))
    return written


def _report(args: argparse.Namespace, result, written: list[tuple[str, Path]]) -> None:
    """JSON or Markdown on stdout; the list of written files goes to stderr with --json."""
    from .scan_export import plan_markdown

    lines = [f"{label}: {path}" for label, path in written]
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        for line in lines:
            print(line, file=sys.stderr)
    elif lines:
        print("\n".join(lines))
    else:
        print(plan_markdown(result), end="")
