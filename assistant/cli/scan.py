"""The ``alliantiewijzer scan`` subcommand.

``add_scan_parser(subparsers)`` adds the arguments; ``run_scan(args, settings)`` runs the
scan and writes the requested exports. Three forms:

- ``scan --answers nu.yaml``: a municipality's profile, plan and council note;
- ``scan --answers nu.yaml --vorige vorig-jaar.yaml``: the same, compared with an earlier scan;
- ``scan --regio a.yaml b.yaml c.yaml ...``: a regional profile with steps for the region.

Exit codes: 0 success, 1 a problem with an answers file, the index or an output file (one
Dutch line per problem on stderr, no stack trace), 2 options that do not go together.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from assistant.scan import Document


def add_scan_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``scan`` subcommand to an ``argparse`` subparsers object."""
    from assistant.scan import DEFAULT_VOICE, VOICES

    p = subparsers.add_parser(
        "scan", help="netwerkscan: profiel, plan van aanpak en raadsnota uit een antwoordbestand",
        description="Netwerkscan: lees een antwoordbestand (YAML) en maak een profiel per dimensie en een "
                    "plan van aanpak voor twaalf maanden waarin elke stap het draaiboek citeert. Met --vorige "
                    "vergelijk je met een eerdere scan, met --regio maak je een regionaal profiel.",
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--answers", type=Path, metavar="FILE.yaml",
                      help="antwoordbestand (zie examples/scan-kleine-gemeente.yaml)")
    what.add_argument("--regio", type=Path, nargs="+", metavar="FILE.yaml",
                      help="antwoordbestanden van meerdere gemeenten, eventueel met een regiobestand "
                           "(zie examples/regio/)")
    p.add_argument("--vorige", type=Path, metavar="FILE.yaml",
                   help="antwoordbestand van een eerdere scan van dezelfde gemeente, om te vergelijken")
    p.add_argument("--voice", choices=VOICES, default=DEFAULT_VOICE,
                   help="stem: b1 (eenvoudige taal), beleid (schepen en raad) of academisch (studenten)")
    p.add_argument("--out", type=Path, metavar="plan.md", help="plan (of regionaal profiel) als Markdown, met radar als PNG")
    p.add_argument("--pdf", type=Path, metavar="plan.pdf", help="plan (of regionaal profiel) als PDF")
    p.add_argument("--docx", type=Path, metavar="plan.docx", help="plan (of regionaal profiel) als bewerkbaar Word-bestand")
    p.add_argument("--raadsnota", type=Path, metavar="nota.pdf",
                   help="ontwerp van raadsnota als PDF (of als Markdown bij de extensie .md)")
    p.add_argument("--raadsnota-docx", type=Path, metavar="nota.docx",
                   help="ontwerp van raadsnota als bewerkbaar Word-bestand")
    p.add_argument("--radar", type=Path, metavar="radar.png", help="het radardiagram als PNG")
    p.add_argument("--json", action="store_true", help="profiel en plan (of regionaal profiel) als JSON op stdout")
    return p


@dataclass(frozen=True)
class ScanOutputs:
    """What one run can write, each built only when asked for."""

    kind: str
    """'Plan van aanpak' or 'Regionaal profiel'."""
    document: Callable[[bool], Document]
    """The plan or the regional profile, with or without its chart."""
    council: Callable[[], Document] | None
    radar: Callable[[], bytes]
    data: Callable[[], dict[str, Any]]


def run_scan(args: argparse.Namespace, settings: Settings) -> int:
    """Run the scan for ``args`` and write the requested outputs.

    Returns:
        0 on success, 1 when an answers file, the index or an output file has a problem,
        2 when the options do not go together.
    """
    from assistant.index.snapshot import IndexProblem
    from assistant.scan import NetworkScan, ScanError

    problem = _option_problem(args)
    if problem:
        print(f"Fout: {problem}", file=sys.stderr)
        return 2
    try:
        scan = NetworkScan(settings)
        outputs = _region(args, scan) if args.regio else _municipality(args, scan)
        written = _write_exports(args, outputs)
    except (ScanError, IndexProblem) as exc:
        problems = getattr(exc, "problems", None) or [str(exc)]
        for line in problems:
            print(f"Fout: {line}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Fout: kan het bestand niet schrijven: {exc}", file=sys.stderr)
        return 1
    _report(args, outputs, written)
    return 0


def _option_problem(args: argparse.Namespace) -> str:
    if args.regio and args.vorige:
        return "--vorige vergelijkt één gemeente met een eerdere scan en gaat niet samen met --regio."
    if args.regio and (args.raadsnota or args.raadsnota_docx):
        return "de raadsnota is er voor één gemeente (--answers); laat --raadsnota en --raadsnota-docx weg bij --regio."
    return ""


def _municipality(args: argparse.Namespace, scan) -> ScanOutputs:
    from assistant.scan import (
        ScanInputError,
        compare_scans,
        council_report,
        plan_radar,
        plan_report,
    )

    answers = scan.read_answers(args.answers)  # validated before the index is touched
    comparison = None
    if args.vorige:
        try:
            earlier = scan.read_answers(args.vorige)
        except ScanInputError as exc:
            raise ScanInputError([f"{Path(args.vorige).name}: {p}" for p in exc.problems]) from exc
        comparison = compare_scans(scan.config, earlier, answers)
    result = scan.run(answers, voice=args.voice)

    def data() -> dict[str, Any]:
        return {**result.to_json(), **({"comparison": comparison.to_json()} if comparison else {})}

    return ScanOutputs(
        "Plan van aanpak", lambda chart: plan_report(result, comparison, chart),
        lambda: council_report(result, comparison), lambda: plan_radar(result, comparison), data,
    )


def _region(args: argparse.Namespace, scan) -> ScanOutputs:
    from assistant.scan import (
        RegionScan,
        read_region_files,
        region_document,
        region_radar,
    )

    files = read_region_files(args.regio, scan.config)  # validated before the index is touched
    result = RegionScan(scan).run(files, voice=args.voice)
    return ScanOutputs(
        "Regionaal profiel", lambda chart: region_document(result, region_radar(result) if chart else None),
        None, lambda: region_radar(result), result.to_json,
    )


def _write_exports(args: argparse.Namespace, outputs: ScanOutputs) -> list[tuple[str, Path]]:
    from assistant.scan import write_document, write_docx, write_markdown, write_pdf

    written = []
    if args.out or args.pdf or args.docx:
        doc = outputs.document(True)
        chart = next((b.data for b in doc.blocks if b.kind == "chart"), None)
        for path, label, write in ((args.out, "Markdown", lambda d, p: write_markdown(d, p, chart)),
                                   (args.pdf, "PDF", write_pdf), (args.docx, "DOCX", write_docx)):
            if path:
                written.append((f"{outputs.kind} ({label})", write(doc, path)))
    if outputs.council and (args.raadsnota or args.raadsnota_docx):
        note = outputs.council()
        if args.raadsnota:
            written.append(("Ontwerp van raadsnota", write_document(note, args.raadsnota)))
        if args.raadsnota_docx:
            written.append(("Ontwerp van raadsnota (DOCX)", write_docx(note, args.raadsnota_docx)))
    if args.radar:
        args.radar.write_bytes(outputs.radar())
        written.append(("Radardiagram (PNG)", args.radar))
    return written


def _report(args: argparse.Namespace, outputs: ScanOutputs, written: list[tuple[str, Path]]) -> None:
    """JSON or Markdown on stdout; the list of written files goes to stderr with --json."""
    from assistant.scan import to_markdown

    lines = [f"{label}: {path}" for label, path in written]
    if args.json:
        print(json.dumps(outputs.data(), ensure_ascii=False, indent=2, default=str))
        for line in lines:
            print(line, file=sys.stderr)
    elif lines:
        print("\n".join(lines))
    else:
        print(to_markdown(outputs.document(False)), end="")
