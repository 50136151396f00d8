"""Documents beyond a single plan: the progress since an earlier scan, and a region's profile.

Both are built from the blocks of :mod:`assistant.scan.blocks`, so Markdown, PDF and DOCX
(:mod:`assistant.scan.docx`) render them like the plan and the council note.
:func:`write_document` picks the format from the file extension.
"""

from __future__ import annotations

from pathlib import Path

from assistant.scan.blocks import Block, Document, Footnotes, StepItem, source_line
from assistant.scan.charts import (
    PALETTE,
    Band,
    Series,
    comparison_radar,
    radar_chart,
    radar_png,
)
from assistant.scan.compare import (
    DimensionChange,
    Direction,
    ScanComparison,
    StepProgress,
    StepStatus,
)
from assistant.scan.documents import (
    NOTE_HEADINGS,
    PLAN_HEADINGS,
    council_document,
    euro,
    fte,
    months_label,
    number_nl,
    plan_document,
)
from assistant.scan.markdown import write_markdown
from assistant.scan.network import ScanResult
from assistant.scan.pdf import write_pdf
from assistant.scan.region import DimensionSpread, RegionResult, RegionStep

PROGRESS_HEADING = "Voortgang sinds de vorige scan"
REGION_HEADINGS = (
    "Deelnemende gemeenten", "Profiel per dimensie", "Wie loopt voorop, wie blijft achter",
    "Stappen voor de regio", "Budget voor de regio", "Tijdlijn (12 maanden)", "Voetnoten",
)
ARROWS = {Direction.BETTER: "▲", Direction.SAME: "=", Direction.WORSE: "▼"}


# --------------------------------------------------------------------------- a re-scan


def signed(value: float) -> str:
    """'+0,40', '−0,33' or '0,00' (with a real minus sign)."""
    text = number_nl(abs(value), 2)
    return f"+{text}" if value > 1e-9 else f"−{text}" if value < -1e-9 else text


def change_rows(comparison: ScanComparison) -> list[list[str]]:
    """Per dimension: name, earlier score, new score, change with an arrow, stage(s)."""
    return [
        [d.name, number_nl(d.before, 2), number_nl(d.after, 2), f"{ARROWS[d.direction]} {signed(d.delta)}",
         f"{d.stage_before} → {d.stage_after}" if d.new_stage else d.stage_after]
        for d in comparison.dimensions
    ]


def progress_blocks(comparison: ScanComparison, result: ScanResult) -> list[Block]:
    """The progress section: change per dimension, next stages, what became of the earlier steps."""
    c = comparison
    header = ["Dimensie", c.label_before, c.label_after, "Verschil", "Fase"]
    blocks = [
        Block("heading", PROGRESS_HEADING),
        Block("para", _progress_summary(c)),
        Block("table", header=header, items=change_rows(c)),
    ]
    moved = [d for d in c.dimensions if d.new_stage and d.direction == Direction.BETTER]
    if moved:
        blocks.append(Block("para", "Deze dimensies zitten nu in een volgende fase; het plan gaat verder met het advies "
                                    "voor die fase:"))
        blocks.append(Block("bullets", items=_stage_lines(moved, result)))
    if c.steps:
        blocks.append(Block("para", f"Wat de nieuwe antwoorden zeggen over de {len(c.steps)} stappen van het vorige plan:"))
        current = {s.advice.id for s in result.plan}
        blocks.append(Block("bullets", items=[_step_line(s, current) for s in c.steps]))
    return blocks


def _stage_lines(moved: list[DimensionChange], result: ScanResult) -> list[str]:
    """One line per reached stage: its description and the dimensions that reached it."""
    lines = []
    for stage in result.config.stages:
        names = [d.name for d in moved if d.stage_after == stage.name]
        if names:
            lines.append(f"{stage.name} ({stage.description[0].lower()}{stage.description[1:].rstrip('.')}): "
                         f"{_join(names)}.")
    return lines


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]


def _progress_summary(c: ScanComparison) -> str:
    better, worse = c.improved(), [d for d in c.dimensions if d.direction == Direction.WORSE]
    done = c.with_status(StepStatus.DONE) + c.with_status(StepStatus.OUTGROWN)
    parts = [
        f"Vergeleken met de scan van {c.label_before} ging de gemiddelde score van {number_nl(c.before.score, 1)} "
        f"naar {number_nl(c.after.score, 1)} op 4 (fase {c.before.stage_name} → {c.after.stage_name}).",
        f"{len(better)} van de {len(c.dimensions)} dimensies verbeterden"
        + (f", {len(worse)} gingen achteruit." if worse else "."),
        f"Van de {len(c.steps)} stappen uit het vorige plan zijn er volgens de nieuwe antwoorden {len(done)} afgerond "
        "of voorbij.",
    ]
    return " ".join(parts)


def _step_line(s: StepProgress, current: set[str]) -> str:
    match s.status:
        case StepStatus.DONE:
            return f"✓ {s.advice.title}: afgerond; {'; '.join(e.describe() for e in s.evidence)}."
        case StepStatus.OUTGROWN:
            return f"✓ {s.advice.title}: voorbij, want {s.reason}."
        case StepStatus.OPEN:
            where = "staat opnieuw in het plan" if s.advice.id in current else "nog van toepassing, maar niet bij de prioriteiten van dit jaar"
            return f"○ {s.advice.title}: loopt nog ({where})."
    return f"– {s.advice.title}: {s.status.value} ({s.reason})."


def plan_radar(result: ScanResult, comparison: ScanComparison | None = None) -> bytes:
    """The radar of a plan: the profile, or both profiles when there is an earlier scan."""
    if comparison is None:
        return radar_png(result)
    labels = (comparison.label_before, comparison.label_after)
    return comparison_radar(result.config, comparison.before, comparison.after, labels,
                            f"Netwerkscan – {result.municipality}")


def plan_report(result: ScanResult, comparison: ScanComparison | None = None, chart: bool = True) -> Document:
    """The plan of approach; with an earlier scan, both profiles in the radar and a progress section."""
    doc = plan_document(result, plan_radar(result, comparison) if chart else None)
    if comparison is not None:
        at = next(i for i, b in enumerate(doc.blocks) if b.kind == "heading" and b.text == PLAN_HEADINGS[2])
        doc.blocks[at:at] = progress_blocks(comparison, result)
        for block in doc.blocks:
            if block.kind == "chart":
                block.text = f"Radar van het profiel per dimensie: {comparison.label_before} (stippellijn) en nu"
    return doc


def council_report(result: ScanResult, comparison: ScanComparison | None = None) -> Document:
    """The council note; with an earlier scan, a paragraph on the progress closes its context."""
    doc = council_document(result)
    if comparison is not None:
        at = next(i for i, b in enumerate(doc.blocks) if b.kind == "heading" and b.text == NOTE_HEADINGS[1])
        doc.blocks.insert(at, Block("para", _progress_summary(comparison)))
    return doc


# --------------------------------------------------------------------------- a region


def region_document(result: RegionResult, chart: bytes | None = None) -> Document:
    """The regional profile: members, spread per dimension, leaders and laggards, region steps."""
    notes = Footnotes()
    region = result.region
    voice = result.config.voices[result.voice]
    title = f"Regionaal profiel STEM-alliantie – {region.name}"
    blocks = [
        Block("title", title),
        Block("note", f"Netwerkscan van de STEM-Alliantiewijzer · {len(region.members)} gemeenten · "
                      f"{voice['naam']}, voor {voice['publiek']}"),
        Block("heading", REGION_HEADINGS[0]),
        Block("table", header=["Gemeente", "Inwoners", "Fase", "Score (1–4)", "Scan van"], items=_member_rows(result)),
        *([Block("para", f"Nog geen scan van: {', '.join(region.missing)}.")] if region.missing else []),
        Block("heading", REGION_HEADINGS[1]),
        Block("table", header=["Dimensie", "Mediaan", "Laagste", "Hoogste", "Spreiding", "Fase (mediaan)"],
              items=region_rows(result)),
        *([Block("chart", "Radar van de regio: mediaan, spreiding en elke gemeente", data=chart)] if chart else []),
        Block("para", f"De regio als geheel (mediaan van de gemeenten) zit in de fase {region.profile.stage_name} "
                      f"(score {number_nl(region.profile.score, 1)} op 4). De spreiding is het verschil tussen de "
                      "hoogste en de laagste gemeente."),
        Block("heading", REGION_HEADINGS[2]),
        Block("table", header=["Dimensie", "Loopt voorop", "Blijft achter"], items=leader_rows(result)),
        Block("heading", REGION_HEADINGS[3]),
        Block("steps", items=[_region_step_item(s, result.voice, notes) for s in result.steps]),
        Block("heading", REGION_HEADINGS[4]),
        Block("para", _region_budget(result)),
        Block("note", notes.noted(result.budget.note, result.budget.citations)),
        Block("heading", REGION_HEADINGS[5]),
        Block("timeline", items=[(f"{s.rank}. {s.advice.title}", *s.months) for s in
                                 sorted(result.steps, key=lambda s: (s.months[0], s.rank))]),
        Block("heading", REGION_HEADINGS[6]),
        Block("footnotes", items=notes.entries()),
    ]
    return Document(title, blocks)


def region_rows(result: RegionResult) -> list[list[str]]:
    """Per dimension: median, lowest, highest, spread and the stage of the median."""
    return [
        [d.name, number_nl(d.median, 2), number_nl(d.low, 2), number_nl(d.high, 2), number_nl(d.spread, 2), d.stage_name]
        for d in result.region.dimensions
    ]


def leader_rows(result: RegionResult) -> list[list[str]]:
    """Per dimension: who leads and who lags, with their scores ('allemaal gelijk' without spread)."""
    return [[d.name, *_ends(d)] for d in result.region.dimensions]


def _ends(d: DimensionSpread) -> list[str]:
    if not d.spread:
        return ["allemaal gelijk", "–"]
    return [f"{', '.join(d.leaders)} ({number_nl(d.high, 2)})", f"{', '.join(d.laggards)} ({number_nl(d.low, 2)})"]


def _member_rows(result: RegionResult) -> list[list[str]]:
    return [
        [m.municipality, number_nl(m.context["inwoners"]), p.stage_name, number_nl(p.score, 2),
         m.date.isoformat() if m.date else "–"]
        for m, p in zip(result.region.members, result.region.member_profiles)
    ]


def _region_step_item(step: RegionStep, voice: str, notes: Footnotes) -> StepItem:
    d = step.focus
    ends = f"; voorop: {', '.join(d.leaders)}; achter: {', '.join(d.laggards)}" if d.spread else ""
    return StepItem(
        title=step.advice.title,
        meta=f"{months_label(step.months)} · {d.name} · mediaan {number_nl(d.median, 2)}, "
             f"spreiding {number_nl(d.spread, 2)}{ends}",
        body=step.text(voice),
        source=notes.noted(source_line(step.citations), step.citations),
    )


def _region_budget(result: RegionResult) -> str:
    b, ctx = result.budget, result.region.answers.context
    return (
        f"Voor de regio samen ({number_nl(ctx['inwoners'])} inwoners) bedraagt de indicatieve vork "
        f"{euro(b.operating[0])} tot {euro(b.operating[1])} werkingsmiddelen per jaar en {fte(b.fte[0])} tot "
        f"{fte(b.fte[1])} VTE personeelsinzet, samen ongeveer {euro(b.total[0])} tot {euro(b.total[1])} per jaar. "
        f"De gemeenten zetten vandaag samen {euro(b.available_budget)} per jaar en "
        f"{number_nl(b.available_hours, 1).removesuffix(',0')} uur per week in."
    )


def region_radar(result: RegionResult) -> bytes:
    """The region's radar: the band from lowest to highest, the median in bold, each municipality thin."""
    region = result.region
    members = [
        Series(m.municipality, tuple(d.score for d in p.dimensions), PALETTE[(i + 1) % len(PALETTE)], width=1.0)
        for i, (m, p) in enumerate(zip(region.members, region.member_profiles))
    ]
    median = Series("mediaan van de regio", tuple(d.median for d in region.dimensions), "#1f2d3d", width=2.6)
    band = Band("laagste tot hoogste", tuple(d.low for d in region.dimensions), tuple(d.high for d in region.dimensions))
    return radar_chart(result.config, [*members, median], f"Netwerkscan – {region.name}", band)


# --------------------------------------------------------------------------- files


def write_document(doc: Document, path: Path) -> Path:
    """Write ``doc`` as Markdown (.md, with its chart as a PNG beside it), DOCX (.docx) or PDF."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        return write_markdown(doc, path, next((b.data for b in doc.blocks if b.kind == "chart"), None))
    if suffix == ".docx":
        from assistant.scan.docx import write_docx

        return write_docx(doc, path)
    return write_pdf(doc, path)
