"""Editable Word (DOCX) versions of the netwerkscan documents.

Renders the same :class:`~assistant.scan.blocks.Document` blocks as the Markdown and PDF
exports, so the three never drift apart, into a file an administration can edit: the Title
and Heading 1 styles, List Bullet and List Number paragraphs (every numbered list restarts
at 1), tables with a repeating header row, the radar chart as a picture, a page-numbered
footer, Dutch (Belgium) as the proofing language, and real Word footnotes carrying the
document, section and quote of each citation.

python-docx has no footnote API, so the footnotes part (``word/footnotes.xml``), its
relationship, the two footnote styles and the separator settings are written here in
OOXML, the way Word writes them. Word numbers footnotes itself, in reading order; a passage
cited again gets a short footnote pointing back to the first one.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from assistant.scan.blocks import MONTHS, Block, Document, Note, Noted, StepItem

LANGUAGE = "nl-BE"
ACCENT = "1F6F9F"
GREY = RGBColor(0x5A, 0x5A, 0x5A)
TEXT_WIDTH_CM = 17.0
FOOTER = "STEM-Alliantiewijzer · netwerkscan · pagina "
SEPARATORS = (
    f'<w:footnotes {nsdecls("w")}>'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)


# --------------------------------------------------------------------------- footnotes


class WordFootnotes:
    """The footnotes part of one document; :meth:`reference` adds a footnote and its mark."""

    TEXT_STYLE = "footnote text"
    REFERENCE_STYLE = "footnote reference"

    def __init__(self, document, notes: list[Note]):
        self._document = document
        self._notes = {note.n: note for note in notes}
        self._root = parse_xml(SEPARATORS)
        part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, self._root, document.part.package)
        document.part.relate_to(part, RT.FOOTNOTES)
        self._first: dict[int, int] = {}  # note number in the Document -> Word's footnote number
        self._count = 0
        self._add_styles()
        self._add_settings()

    def reference(self, paragraph, n: int) -> None:
        """Add footnote ``n`` of the document at the end of ``paragraph``."""
        note = self._notes[n]
        self._count += 1
        if n in self._first:
            runs = [(f"Zie voetnoot {self._first[n]}: {_where(note)}.", False)]
        else:
            self._first[n] = self._count
            runs = [(f"{_where(note)}: ", False), (f"“{note.citation.quote}”", True),
                    (f" ({note.citation.source})", False)]
        self._root.append(self._footnote(self._count, runs))
        run = paragraph.add_run()
        run.style = self._document.styles[self.REFERENCE_STYLE]
        mark = OxmlElement("w:footnoteReference")
        mark.set(qn("w:id"), str(self._count))
        run._r.append(mark)

    def _footnote(self, footnote_id: int, runs: list[tuple[str, bool]]):
        footnote = OxmlElement("w:footnote")
        footnote.set(qn("w:id"), str(footnote_id))
        p = OxmlElement("w:p")
        p.append(_element("w:pPr", _element("w:pStyle", val=self._style_id(self.TEXT_STYLE))))
        ref = _element("w:r", _element("w:rPr", _element("w:rStyle", val=self._style_id(self.REFERENCE_STYLE))))
        ref.append(OxmlElement("w:footnoteRef"))
        p.append(ref)
        p.append(_text_run(" "))
        for text, italic in runs:
            p.append(_text_run(text, italic))
        footnote.append(p)
        return footnote

    def _style_id(self, name: str) -> str:
        return self._document.styles[name].style_id

    def _add_styles(self) -> None:
        styles = self._document.styles
        text = styles.add_style(self.TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        text.base_style = styles["Normal"]
        text.font.size = Pt(8.5)
        text.paragraph_format.space_after = Pt(2)
        text.paragraph_format.line_spacing = 1.0
        reference = styles.add_style(self.REFERENCE_STYLE, WD_STYLE_TYPE.CHARACTER)
        reference.font.superscript = True
        for style in (text, reference):
            style.style_id = style.name.title().replace(" ", "")  # FootnoteText, FootnoteReference
            style.hidden, style.unhide_when_used, style.priority = True, True, 99

    def _add_settings(self) -> None:
        """``<w:footnotePr>`` naming the separators, placed before ``<w:compat>`` as the schema asks."""
        settings = self._document.settings.element
        pr = parse_xml(f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>')
        compat = settings.find(qn("w:compat"))
        if compat is not None:
            compat.addprevious(pr)
        else:
            settings.append(pr)


def _where(note: Note) -> str:
    c = note.citation
    where = " › ".join(p for p in (c.title, c.section) if p)
    return f"{where}, p. {c.page}" if c.page is not None else where


def _element(tag: str, *children, val: str | None = None):
    element = OxmlElement(tag)
    if val is not None:
        element.set(qn("w:val"), val)
    for child in children:
        element.append(child)
    return element


def _text_run(text: str, italic: bool = False):
    run = OxmlElement("w:r")
    if italic:
        run.append(_element("w:rPr", OxmlElement("w:i")))
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    run.append(t)
    return run


# --------------------------------------------------------------------------- rendering


class _Renderer:
    """Writes the blocks of one :class:`Document` into a new python-docx document."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.word = new_document()
        notes = [n for b in doc.blocks if b.kind == "footnotes" for n in b.items]
        self.footnotes = WordFootnotes(self.word, notes)
        _setup(self.word, doc.title)

    def render(self) -> bytes:
        blocks = self.doc.blocks
        for i, block in enumerate(blocks):
            follows_notes = i + 1 < len(blocks) and blocks[i + 1].kind == "footnotes"
            if block.kind == "footnotes" or (block.kind == "heading" and follows_notes):
                continue  # the notes are real footnotes at the foot of each page
            getattr(self, f"_{block.kind}")(block)
        buf = io.BytesIO()
        self.word.save(buf)
        return buf.getvalue()

    # -- text

    def _write(self, paragraph, text: str | Noted, color: RGBColor | None = None, **font) -> None:
        run = paragraph.add_run(text.text if isinstance(text, Noted) else str(text))
        for key, value in font.items():
            setattr(run.font, key, value)
        if color is not None:
            run.font.color.rgb = color
        for n in text.notes if isinstance(text, Noted) else ():
            self.footnotes.reference(paragraph, n)

    def _title(self, b: Block) -> None:
        self.word.add_heading(str(b.text), level=0)

    def _heading(self, b: Block) -> None:
        self.word.add_heading(str(b.text), level=1)

    def _para(self, b: Block) -> None:
        self._write(self.word.add_paragraph(), b.text)

    def _note(self, b: Block) -> None:
        self._write(self.word.add_paragraph(), b.text, italic=True, size=Pt(9), color=GREY)

    def _bullets(self, b: Block) -> None:
        for item in b.items:
            self._write(self.word.add_paragraph(style="List Bullet"), item)

    def _numbered(self, b: Block) -> None:
        num_id = _restarted_numbering(self.word)
        for item in b.items:
            self._write(_numbered_paragraph(self.word, num_id), item)

    def _steps(self, b: Block) -> None:
        num_id = _restarted_numbering(self.word)
        for step in b.items:
            self._step(step, num_id)

    def _step(self, step: StepItem, num_id: int) -> None:
        """Title as a numbered item; meta line, text and source as its continuation, kept together."""
        title = _numbered_paragraph(self.word, num_id)
        self._write(title, step.title, bold=True)
        meta, body, source = (self.word.add_paragraph(style="List Continue") for _ in range(3))
        self._write(meta, step.meta, size=Pt(9), color=GREY)
        self._write(body, step.body)
        self._write(source, step.source, italic=True, size=Pt(9))
        for paragraph, after in ((title, 1), (meta, 1), (body, 2), (source, 10)):
            paragraph.paragraph_format.space_after = Pt(after)
            paragraph.paragraph_format.keep_with_next = paragraph is not source

    # -- tables and pictures

    def _table(self, b: Block) -> None:
        table = self.word.add_table(rows=1, cols=len(b.header), style="Light Grid Accent 1")
        for cell, text in zip(table.rows[0].cells, b.header):
            cell.text = text
        _repeat_header(table.rows[0])
        for row in b.items:
            for cell, text in zip(table.add_row().cells, row):
                cell.text = str(text)
        _widths(table, _fitted_widths([b.header, *b.items]))
        _font_size(table, Pt(9))
        self.word.add_paragraph()

    def _chart(self, b: Block) -> None:
        self.word.add_picture(io.BytesIO(b.data), width=Cm(13))
        self.word.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption = self.word.add_paragraph(str(b.text), style="Caption")
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def _timeline(self, b: Block) -> None:
        table = self.word.add_table(rows=1, cols=MONTHS + 1, style="Table Grid")
        for cell, text in zip(table.rows[0].cells, ["Stap (maand →)", *map(str, range(1, MONTHS + 1))]):
            cell.text = text
        _repeat_header(table.rows[0])
        for label, start, end in b.items:
            cells = table.add_row().cells
            cells[0].text = label
            for month in range(start, end + 1):
                _shade(cells[month], ACCENT)
        _font_size(table, Pt(8))
        _widths(table, [6.2] + [(TEXT_WIDTH_CM - 6.2) / MONTHS] * MONTHS)
        self.word.add_paragraph()


def _setup(word, title: str) -> None:
    """A4 with 2 cm margins, Dutch proofing, document properties and a page-numbered footer."""
    section = word.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    lang = word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    lang.set(qn("w:val"), LANGUAGE)
    normal = word.styles["Normal"].font
    normal.name, normal.size = "Calibri", Pt(10.5)
    props = word.core_properties
    props.title, props.author, props.language = title, "STEM-Alliantiewijzer", LANGUAGE
    props.subject = "Netwerkscan van de STEM-Alliantiewijzer"
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = footer.add_run(FOOTER)
    run.font.size, run.font.color.rgb = Pt(8), GREY
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    field.append(_text_run("1"))
    footer._p.append(field)


def _restarted_numbering(word) -> int:
    """A new numbering instance of the List Number style that starts again at 1."""
    numbering = word.part.numbering_part.element
    style_num = word.styles["List Number"].element.pPr.numPr.numId.val
    num = numbering.add_num(numbering.num_having_numId(style_num).abstractNumId.val)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return num.numId


def _numbered_paragraph(word, num_id: int):
    paragraph = word.add_paragraph(style="List Number")
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id
    return paragraph


def _repeat_header(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _widths(table, widths_cm: list[float]) -> None:
    """Column widths in the grid (LibreOffice reads these) and in every cell (Word reads these)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)


def _fitted_widths(rows: list[list[str]]) -> list[float]:
    """Column widths (cm) over the text width, in proportion to each column's longest text."""
    weights = [min(max(len(str(text)) for text in column), 28) + 3 for column in zip(*rows)]
    return [TEXT_WIDTH_CM * w / sum(weights) for w in weights]


def _font_size(table, size: Pt) -> None:
    for run in (r for row in table.rows for cell in row.cells for p in cell.paragraphs for r in p.runs):
        run.font.size = size


def _shade(cell, color: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), color)
    cell._tc.get_or_add_tcPr().append(shading)


# --------------------------------------------------------------------------- entry points


def to_docx(doc: Document) -> bytes:
    """``doc`` as the bytes of a DOCX file."""
    return _Renderer(doc).render()


def write_docx(doc: Document, path: Path) -> Path:
    """Write ``doc`` as a DOCX file at ``path``."""
    path = Path(path)
    path.write_bytes(to_docx(doc))
    return path
