"""Exports of a netwerkscan result: plan of approach and draft council note (raadsnota).

Both documents are first built as a small list of blocks (:class:`Document`), then
rendered to Markdown or to PDF (fpdf2, DejaVu fonts from matplotlib for ë, € and –), or
to DOCX by :mod:`assistant.scan_docx`. Footnotes are numbered in order of first use in
each document and give the document title, section (or page) and the quote, like the
citations of a chat answer; text that cites carries its footnote numbers as data
(:class:`Noted`), and only the Markdown and PDF renderers turn them into ``[n]`` markers.
matplotlib and fpdf2 are imported inside the functions that need them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.scan.core import CouncilItem, PlanStep, ScanResult
from assistant.types import Citation

PLAN_HEADINGS = ("Uitgangssituatie", "Profiel per dimensie", "Prioritaire stappen", "Tijdlijn (12 maanden)", "Voetnoten")
# The council note follows the draaiboek's model raadsbesluit (chapter 16), then adds a timeline.
NOTE_HEADINGS = ("Aanleiding", "Juridische grond", "Argumentatie", "Financiële weerslag", "Besluit", "Tijdlijn", "Voetnoten")
MONTHS = 12


# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Noted:
    """Text followed by footnotes; ``str()`` gives the Markdown and PDF form ``text [1][3]``."""

    text: str
    notes: tuple[int, ...] = ()

    def __str__(self) -> str:
        marks = "".join(f"[{n}]" for n in self.notes)
        return f"{self.text} {marks}" if marks else self.text


@dataclass(frozen=True)
class Note:
    """A numbered footnote: the citation it stands for."""

    n: int
    citation: Citation

    def __str__(self) -> str:
        return f"[{self.n}] {footnote_text(self.citation)}"


@dataclass
class Block:
    """One piece of a document; ``kind`` decides how it is rendered.

    ``text`` and the items of bullets may be :class:`Noted`; footnotes items are :class:`Note`.
    """

    kind: str  # title, heading, para, note, bullets, numbered, table, chart, steps, timeline, footnotes
    text: str | Noted = ""
    items: list[Any] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    data: bytes = b""


@dataclass
class Document:
    """A rendered-agnostic document: a title for the metadata and a list of blocks."""

    title: str
    blocks: list[Block]


@dataclass
class StepItem:
    """A plan step as rendered: heading line, body, source line with footnote markers."""

    title: str
    meta: str
    body: str
    source: Noted


class Footnotes:
    """Numbers citations in order of first use; one passage keeps one number."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[str, str], int] = {}
        self._citations: list[Citation] = []

    def mark(self, citations: list[Citation]) -> tuple[int, ...]:
        """The footnote numbers of ``citations``, registering new ones."""
        numbers = []
        for c in citations:
            key = (c.chunk_id, c.quote)
            if key not in self._numbers:
                self._numbers[key] = len(self._numbers) + 1
                self._citations.append(c)
            numbers.append(self._numbers[key])
        return tuple(numbers)

    def noted(self, text: str, citations: list[Citation]) -> Noted:
        """``text`` with the footnotes of ``citations``."""
        return Noted(text, self.mark(citations))

    def entries(self) -> list[Note]:
        """The footnotes in number order."""
        return [Note(i, c) for i, c in enumerate(self._citations, start=1)]


def footnote_text(c: Citation) -> str:
    """Document title, section (and page) and quote of a citation."""
    where = " › ".join(p for p in (c.title, c.section) if p)
    if c.page is not None:
        where += f", p. {c.page}"
    return f"{where}: “{c.quote}” ({c.source})"


def source_line(citations: list[Citation]) -> str:
    """'Bron: title › section' for the sections a step draws from."""
    places = dict.fromkeys(" › ".join(p for p in (c.title, c.section) if p) for c in citations)
    return "Bron: " + "; ".join(places)


# --------------------------------------------------------------------------- formatting


def number_nl(value: float, decimals: int = 0) -> str:
    """Dutch number format: 12.500 and 0,15."""
    text = f"{value:,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def euro(value: float) -> str:
    return f"€ {number_nl(value)}"


def fte(value: float) -> str:
    return number_nl(value, 2).rstrip("0").rstrip(",")


def months_label(months: tuple[int, int]) -> str:
    start, end = months
    return f"maand {start}" if start == end else f"maand {start}–{end}"


def _cooperation_sentence(result: ScanResult) -> str:
    field_ = next(f for f in result.config.context_fields if f.id == "samenwerking")
    value = result.context.get("samenwerking", "geen")
    region = result.context.get("regio")
    sentence = (
        "Er is nog geen vaste samenwerking met de buurgemeenten."
        if value == "geen" else f"De samenwerking met de buurgemeenten verloopt via {field_.choices[value]}."
    )
    return f"{sentence} Regio: {region}." if region else sentence


POSITION_WORDS = {"onder": "ligt onder de vork", "binnen": "ligt binnen de vork", "boven": "ligt boven de vork"}


def _comparison(result: ScanResult) -> str:
    """Where the current budget and staff time lie relative to the indicative range."""
    b = result.budget
    hours = number_nl(b.available_hours, 1).removesuffix(",0")
    money_pos = POSITION_WORDS[b.position(b.available_budget, b.operating)]
    hours_pos = POSITION_WORDS[b.position(b.available_hours, b.hours)]
    return (
        f"Het huidige werkingsbudget ({euro(b.available_budget)}) {money_pos}; "
        f"de beschikbare personeelstijd ({hours} uur per week) {hours_pos}."
    )


def template_values(result: ScanResult) -> dict[str, str]:
    """The values the council-note templates of the data file may use."""
    b, p, ctx = result.budget, result.profile, result.context
    return {
        "gemeente": result.municipality, "plaats": result.municipality,
        "inwoners": number_nl(ctx["inwoners"]), "samenwerking_zin": _cooperation_sentence(result),
        "personeelstijd": number_nl(ctx.get("personeelstijd", 0), 1).removesuffix(",0"),
        "budget": euro(ctx.get("budget", 0)), "fase": p.stage_name.lower(), "score": number_nl(p.score, 1),
        "sterk": _join_nl([d.short.lower() for d in p.strongest()]),
        "zwak": _join_nl([d.short.lower() for d in p.weakest()]),
        "aantal": str(len(result.plan)),
        "werking_min": euro(b.operating[0]), "werking_max": euro(b.operating[1]),
        "vte_min": fte(b.fte[0]), "vte_max": fte(b.fte[1]),
        "uren_min": number_nl(b.hours[0], 1).removesuffix(",0"), "uren_max": number_nl(b.hours[1], 1).removesuffix(",0"),
        "totaal_min": euro(b.total[0]), "totaal_max": euro(b.total[1]),
        "vergelijking": _comparison(result),
    }


def _join_nl(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]


def _fill(template: str, values: dict[str, str]) -> str:
    return " ".join(template.format(**values).split())


# --------------------------------------------------------------------------- documents


def plan_document(result: ScanResult, chart: bytes | None = None) -> Document:
    """The plan of approach: situation, profile, prioritised steps, timeline, footnotes."""
    notes = Footnotes()
    voice = result.config.voices[result.voice]
    title = f"Plan van aanpak STEM-alliantie – {result.municipality}"
    blocks = [
        Block("title", title),
        Block("note", f"Netwerkscan van de STEM-Alliantiewijzer · {voice['naam']}, voor {voice['publiek']}"),
        Block("heading", PLAN_HEADINGS[0]),
        Block("bullets", items=_situation_lines(result)),
        Block("heading", PLAN_HEADINGS[1]),
        *_profile_blocks(result, chart),
        Block("heading", PLAN_HEADINGS[2]),
        Block("steps", items=[_step_item(s, result.voice, notes) for s in result.plan]),
        Block("heading", PLAN_HEADINGS[3]),
        Block("timeline", items=_timeline_rows(result.plan)),
        Block("heading", PLAN_HEADINGS[4]),
        Block("footnotes", items=notes.entries()),
    ]
    return Document(title, blocks)


def _situation_lines(result: ScanResult) -> list[str]:
    values = template_values(result)
    return [
        f"Gemeente of regio: {result.municipality}",
        f"Inwoners: {values['inwoners']}",
        _cooperation_sentence(result),
        f"Beschikbare personeelstijd: {values['personeelstijd']} uur per week",
        f"Werkingsbudget: {values['budget']} per jaar",
        f"Fase van de samenwerking als geheel: {result.profile.stage_name} (score {values['score']} op 4)",
    ]


def _profile_blocks(result: ScanResult, chart: bytes | None) -> list[Block]:
    rows = [[d.name, number_nl(d.score, 2), d.stage_name] for d in result.profile.dimensions]
    stage = result.config.stage(result.profile.stage)
    blocks = [Block("table", header=["Dimensie", "Score (1–4)", "Fase"], items=rows)]
    if chart is not None:
        blocks.append(Block("chart", "Radar van het profiel per dimensie", data=chart))
    blocks.append(Block("para", f"{stage.name}: {stage.description}"))
    return blocks


def _step_item(step: PlanStep, voice: str, notes: Footnotes) -> StepItem:
    return StepItem(
        title=step.advice.title,
        meta=f"{months_label(step.months)} · {step.dimension_name} · prioriteit {step.advice.priority}",
        body=step.text(voice),
        source=notes.noted(source_line(step.citations), step.citations),
    )


def _timeline_rows(plan: list[PlanStep]) -> list[tuple[str, int, int]]:
    ordered = sorted(plan, key=lambda s: (s.months[0], s.rank))
    return [(f"{s.rank}. {s.advice.title}", s.months[0], s.months[1]) for s in ordered]


def council_document(result: ScanResult) -> Document:
    """The draft council note, built like the draaiboek's model raadsbesluit.

    Aanleiding, juridische grond, argumentatie, financiële weerslag (the budget range cited
    to the draaiboek's cost estimate) and a besluit in articles, then the timeline and the
    footnotes. Placeholders in square brackets are for the administration to fill in.
    """
    notes = Footnotes()
    texts = result.config.council_texts[result.voice]
    values = template_values(result)
    voice = result.config.voices[result.voice]
    decided = {item.id: item for item in result.decision}

    def cited(items: list[CouncilItem]) -> list[Block]:
        return [Block("para", notes.noted(item.text_in(result.voice), item.citations)) for item in items]

    title = "Ontwerp van raadsnota"
    blocks = [
        Block("title", title),
        Block("para", f"Onderwerp: {_fill(texts['onderwerp'], values)}"),
        Block("note", "Ontwerp opgemaakt met de netwerkscan van de STEM-Alliantiewijzer "
                      f"({voice['naam']}); na te kijken en aan te vullen door de administratie."),
        Block("heading", NOTE_HEADINGS[0]),
        Block("para", _fill(texts["context"], values)),
        *cited(result.facts),
        Block("heading", NOTE_HEADINGS[1]),
        *cited([decided[i] for i in ("model-raadsbesluit",) if i in decided]),
        Block("bullets", items=list(result.config.legal_basis)),
        Block("heading", NOTE_HEADINGS[2]),
        Block("para", _fill(texts["motivering"], values)),
        *cited(result.motivation),
        Block("bullets", items=[notes.noted(f"{s.advice.title} ({months_label(s.months)})", s.citations)
                                for s in result.plan]),
        Block("heading", NOTE_HEADINGS[3]),
        Block("para", _fill(texts["budget"], values)),
        Block("note", notes.noted(result.budget.note, result.budget.citations)),
        *cited(result.funding),
        *cited([decided[i] for i in ("bbc",) if i in decided]),
        Block("heading", NOTE_HEADINGS[4]),
        *[Block("para", f"Artikel {n}. {_fill(t, values)}") for n, t in enumerate(texts["besluit"], start=1)],
        Block("heading", NOTE_HEADINGS[5]),
        Block("para", _fill(texts["tijdlijn"], values)),
        Block("timeline", items=_timeline_rows(result.plan)),
        Block("heading", NOTE_HEADINGS[6]),
        Block("footnotes", items=notes.entries()),
    ]
    return Document(title, blocks)


# --------------------------------------------------------------------------- radar chart


def radar_png(result: ScanResult) -> bytes:
    """A radar chart (PNG) of the dimension scores, with the stage thresholds as rings."""
    import math

    from matplotlib.figure import Figure  # Agg canvas, no pyplot and no global backend switch

    dims = result.profile.dimensions
    angles = [2 * math.pi * i / len(dims) for i in range(len(dims))]
    scores = [d.score for d in dims]
    fig = Figure(figsize=(6.4, 6.4), dpi=150)
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    ax.plot(angles + angles[:1], scores + scores[:1], color="#1f6f9f", linewidth=2)
    ax.fill(angles + angles[:1], scores + scores[:1], color="#1f6f9f", alpha=0.25)
    ax.set_xticks(angles, [d.short for d in dims], fontsize=10)
    ax.set_ylim(0, 4)
    ax.set_yticks([s.threshold for s in result.config.stages[1:]] + [4],
                  [s.name for s in result.config.stages[1:]] + [""], fontsize=7, color="#666666")
    ax.set_title(f"Netwerkscan – {result.municipality}", fontsize=12, pad=18)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


# --------------------------------------------------------------------------- Markdown


def to_markdown(doc: Document, chart_name: str | None = None) -> str:
    """Render ``doc`` as Markdown; a chart is linked as ``chart_name`` or left out."""
    parts = [_md_block(b, chart_name) for b in doc.blocks]
    return "\n\n".join(p for p in parts if p) + "\n"


def _md_block(b: Block, chart_name: str | None) -> str:
    match b.kind:
        case "title":
            return f"# {b.text}"
        case "heading":
            return f"## {b.text}"
        case "para":
            return str(b.text)
        case "note":
            return f"*{str(b.text)}*"
        case "bullets":
            return "\n".join(f"- {i}" for i in b.items)
        case "numbered":
            return "\n".join(f"{n}. {i}" for n, i in enumerate(b.items, start=1))
        case "table":
            return _md_table(b.header, b.items)
        case "chart":
            return f"![{b.text}]({chart_name})" if chart_name else ""
        case "steps":
            return "\n\n".join(_md_step(n, s) for n, s in enumerate(b.items, start=1))
        case "timeline":
            return _md_timeline(b.items)
        case "footnotes":
            return "\n\n".join(map(str, b.items))
    raise ValueError(f"unknown block kind {b.kind!r}")


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def _md_step(n: int, s: StepItem) -> str:
    pad = " " * len(f"{n}. ")  # continuation lines line up with the item text
    return f"{n}. **{s.title}** ({s.meta})  \n{pad}{s.body}  \n{pad}*{s.source}*"


def _md_timeline(rows: list[tuple[str, int, int]]) -> str:
    header = ["Stap", *[str(m) for m in range(1, MONTHS + 1)]]
    body = [[label, *["■" if start <= m <= end else "" for m in range(1, MONTHS + 1)]] for label, start, end in rows]
    return _md_table(header, body)


def write_markdown(doc: Document, path: Path, chart: bytes | None = None) -> Path:
    """Write ``doc`` as Markdown; a chart is saved next to it as ``<name>-radar.png``."""
    path = Path(path)
    chart_name = None
    if chart:
        chart_path = path.with_name(f"{path.stem}-radar.png")
        chart_path.write_bytes(chart)
        chart_name = chart_path.name
    path.write_text(to_markdown(doc, chart_name), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- PDF

FONT = "DejaVu"
LINE = 5.2
ACCENT = (31, 111, 159)


def write_pdf(doc: Document, path: Path) -> Path:
    """Render ``doc`` as a PDF at ``path`` (fonts with full Unicode support)."""
    pdf = _new_pdf(doc.title)
    for block, following in zip(doc.blocks, [*doc.blocks[1:], None]):
        if block.kind == "heading" and pdf.will_page_break(_height_hint(following)):
            pdf.add_page()  # never leave a heading alone at the bottom of a page
        _PDF_RENDERERS[block.kind](pdf, block)
    pdf.output(str(path))
    return Path(path)


def _height_hint(block: Block | None) -> float:
    """Roughly how much room (mm) the start of ``block`` needs below its heading."""
    if block is not None and block.kind in ("timeline", "table"):
        return 6 * (len(block.items) + 1) + 14
    return 28


def _new_pdf(title: str):
    from fpdf import FPDF

    class _Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FONT, "", 8)
            self.set_text_color(120, 120, 120)
            self.cell(0, 6, f"STEM-Alliantiewijzer · netwerkscan · pagina {self.page_no()}", align="C")

    pdf = _Pdf(format="A4")
    for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf"), ("I", "DejaVuSans-Oblique.ttf")):
        pdf.add_font(FONT, style, str(_font_dir() / name))
    pdf.set_title(title)
    pdf.set_creator("STEM-Alliantiewijzer")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    return pdf


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _text(pdf, text: str, size: float = 10, style: str = "", color=(0, 0, 0), indent: float = 0) -> None:
    pdf.set_font(FONT, style, size)
    pdf.set_text_color(*color)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(0, LINE * size / 10, text, align="L", new_x="LMARGIN", new_y="NEXT")


def _pdf_title(pdf, b: Block) -> None:
    _text(pdf, b.text, size=17, style="B", color=ACCENT)
    pdf.ln(2)


def _pdf_heading(pdf, b: Block) -> None:
    if pdf.get_y() > pdf.t_margin + 1:
        pdf.ln(3)
    _text(pdf, b.text, size=13, style="B", color=ACCENT)
    pdf.ln(1)


def _pdf_para(pdf, b: Block) -> None:
    _text(pdf, str(b.text))
    pdf.ln(1.5)


def _pdf_note(pdf, b: Block) -> None:
    _text(pdf, str(b.text), size=8.5, style="I", color=(90, 90, 90))
    pdf.ln(1.5)


def _pdf_list(pdf, items: list[str], labels: list[str]) -> None:
    for label, item in zip(labels, items):
        pdf.set_font(FONT, "", 10)
        pdf.set_text_color(0, 0, 0)
        pdf.set_x(pdf.l_margin)
        pdf.cell(7, LINE, label)
        pdf.multi_cell(0, LINE, str(item), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.8)
    pdf.ln(1)


def _pdf_bullets(pdf, b: Block) -> None:
    _pdf_list(pdf, b.items, ["•"] * len(b.items))


def _pdf_numbered(pdf, b: Block) -> None:
    _pdf_list(pdf, b.items, [f"{n}." for n in range(1, len(b.items) + 1)])


def _pdf_table(pdf, b: Block) -> None:
    pdf.set_font(FONT, "", 9.5)
    pdf.set_text_color(0, 0, 0)
    with pdf.table(col_widths=_col_widths(len(b.header)), line_height=6,
                   text_align=("LEFT", *["CENTER"] * (len(b.header) - 2), "LEFT")) as table:
        for row in [b.header, *b.items]:
            cells = table.row()
            for value in row:
                cells.cell(value)
    pdf.ln(2)


def _col_widths(columns: int) -> tuple[float, ...]:
    """Relative widths: the profile table as before; wider tables give the first column 30 %."""
    if columns == 3:
        return (90, 35, 45)
    return (30, *[70 / (columns - 1)] * (columns - 1))


def _pdf_chart(pdf, b: Block) -> None:
    width = 105
    if pdf.will_page_break(width):
        pdf.add_page()
    pdf.image(io.BytesIO(b.data), x=(pdf.w - width) / 2, w=width, alt_text=b.text)
    pdf.ln(2)


def _pdf_steps(pdf, b: Block) -> None:
    for n, step in enumerate(b.items, start=1):
        if pdf.will_page_break(22):
            pdf.add_page()
        _text(pdf, f"{n}. {step.title}", size=10.5, style="B")
        _text(pdf, step.meta, size=8.5, color=(90, 90, 90), indent=5)
        _text(pdf, step.body, indent=5)
        _text(pdf, str(step.source), size=8.5, style="I", color=ACCENT, indent=5)
        pdf.ln(2)


def _pdf_timeline(pdf, b: Block) -> None:
    label_w = 78
    cell_w = (pdf.epw - label_w) / MONTHS
    height = 6
    if pdf.will_page_break(height * (len(b.items) + 1)):
        pdf.add_page()  # keep the chart on one page
    pdf.set_draw_color(200, 200, 200)
    pdf.set_font(FONT, "B", 8)
    pdf.set_text_color(0, 0, 0)
    pdf.cell(label_w, height, "Stap (maand →)", border=1)
    for m in range(1, MONTHS + 1):
        pdf.cell(cell_w, height, str(m), border=1, align="C")
    pdf.ln(height)
    pdf.set_font(FONT, "", 8)
    pdf.set_fill_color(*ACCENT)
    for label, start, end in b.items:
        if pdf.will_page_break(height):
            pdf.add_page()
        pdf.cell(label_w, height, _fit(pdf, label, label_w - 2), border=1)
        for m in range(1, MONTHS + 1):
            pdf.cell(cell_w, height, "", border=1, fill=start <= m <= end)
        pdf.ln(height)
    pdf.ln(3)


def _fit(pdf, text: str, width: float) -> str:
    """``text`` shortened with an ellipsis until it fits ``width`` mm."""
    while pdf.get_string_width(text) > width and len(text) > 4:
        text = text[:-2].rstrip() + "…"
    return text


def _pdf_footnotes(pdf, b: Block) -> None:
    for entry in b.items:
        _text(pdf, str(entry), size=8.5)
        pdf.ln(1)


_PDF_RENDERERS = {
    "title": _pdf_title, "heading": _pdf_heading, "para": _pdf_para, "note": _pdf_note,
    "bullets": _pdf_bullets, "numbered": _pdf_numbered, "table": _pdf_table, "chart": _pdf_chart,
    "steps": _pdf_steps, "timeline": _pdf_timeline, "footnotes": _pdf_footnotes,
}


# --------------------------------------------------------------------------- entry points


def plan_markdown(result: ScanResult, chart_name: str | None = None) -> str:
    """The plan of approach as Markdown (the chart linked as ``chart_name`` if given)."""
    return to_markdown(plan_document(result, chart=None if chart_name is None else b""), chart_name)


def council_markdown(result: ScanResult) -> str:
    """The draft council note as Markdown."""
    return to_markdown(council_document(result))


def write_plan_markdown(result: ScanResult, path: Path) -> Path:
    """Write the plan as Markdown with its radar chart as a PNG next to it."""
    chart = radar_png(result)
    return write_markdown(plan_document(result, chart), path, chart)


def write_plan_pdf(result: ScanResult, path: Path) -> Path:
    """Write the plan of approach, with radar chart and footnotes, as a PDF."""
    return write_pdf(plan_document(result, radar_png(result)), path)


def write_council_note(result: ScanResult, path: Path) -> Path:
    """Write the draft council note as PDF, or as Markdown when ``path`` ends in .md."""
    doc = council_document(result)
    if Path(path).suffix.lower() in (".md", ".markdown"):
        return write_markdown(doc, path)
    return write_pdf(doc, path)
