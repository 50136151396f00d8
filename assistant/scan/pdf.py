"""PDF rendering of the netwerkscan documents with fpdf2 (imported when a PDF is written).

The DejaVu fonts that come with matplotlib give ë, € and –; a heading never stays alone at
the bottom of a page, and the timeline is kept on one page.
"""

from __future__ import annotations

import io
from pathlib import Path

from assistant.scan.blocks import MONTHS, Block, Document

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
