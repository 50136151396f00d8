"""Read files into titled, sectioned text blocks.

Every loader returns a :class:`LoadedDocument`; a file that cannot be read raises
:class:`SkipFile` with a one-line Dutch reason for the ingest report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.text import normalize


class SkipFile(Exception):
    """A file that is left out of the index, with the reason shown to the user."""


@dataclass
class Block:
    """A stretch of text under one heading path (or on one page)."""

    section: str
    text: str
    page: int | None = None


@dataclass
class LoadedDocument:
    """A document as read from disk, before chunking."""

    title: str
    blocks: list[Block]
    meta: dict[str, Any] = field(default_factory=dict)


_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_MD_LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|#)[^)\s]+)\)")


def read_text_file(path: Path) -> str:
    """Decode a text file as UTF-8, else Windows-1252; refuse binary data."""
    raw = path.read_bytes()
    if not raw.strip():
        raise SkipFile("leeg bestand")
    sample = raw[:8192]
    controls = sum(b < 9 or 13 < b < 32 for b in sample)
    if b"\x00" in sample or controls > len(sample) * 0.05:
        raise SkipFile("binaire gegevens achter een tekstextensie")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def split_front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """(YAML front matter, the text after it, the offset where that text starts).

    Raises:
        SkipFile: when the front matter is not valid YAML key-value pairs.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, 0
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise SkipFile(f"ongeldige YAML-kop ({exc.__class__.__name__})") from exc
    if not isinstance(meta, dict):
        raise SkipFile("ongeldige YAML-kop (geen sleutel-waardeparen)")
    return meta, text[match.end():], match.end()


@dataclass
class MarkdownSection:
    """A heading and the text under it, up to the next heading of any level.

    Attributes:
        path: the heading path below the title ("Fase 2 > Partners zoeken"); "" before
            the first heading below the title.
        level: the heading level (0 for text before any heading).
        start: offset of the heading line (or of the text) in the parsed string.
        text: the text under the heading, without its sub-sections.
    """

    path: str
    level: int
    start: int
    text: str


def markdown_sections(text: str, title: str = "") -> tuple[str, list[MarkdownSection]]:
    """The one Markdown section parser: (title, sections in document order).

    The first level-1 heading is the title when none is given; a level-1 heading equal
    to the title is not repeated in the section path.
    """
    sections: list[MarkdownSection] = [MarkdownSection("", 0, 0, "")]
    stack: list[tuple[int, str]] = []
    lines: list[str] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        heading = _HEADING.match(line.rstrip("\n"))
        if heading:
            sections[-1].text = "".join(lines).strip()
            lines = []
            level, name = len(heading.group(1)), heading.group(2).strip()
            if level == 1 and (not title or name == title):
                title, stack = name, []
                sections.append(MarkdownSection("", 1, offset, ""))
            else:
                stack = [(lv, h) for lv, h in stack if lv < level] + [(level, name)]
                sections.append(MarkdownSection(" > ".join(h for _, h in stack), level, offset, ""))
        else:
            lines.append(line)
        offset += len(line)
    sections[-1].text = "".join(lines).strip()
    return title, sections


def section_texts(text: str) -> dict[str, str]:
    """Heading path -> text, where a section includes its sub-sections (for checks)."""
    _, sections = markdown_sections(text)
    out: dict[str, list[str]] = {}
    for s in sections:
        if not s.path:
            continue
        parts = s.path.split(" > ")
        for i in range(1, len(parts) + 1):
            out.setdefault(" > ".join(parts[:i]), []).append(s.text)
    return {k: "\n".join(v) for k, v in out.items()}


def load_markdown(path: Path) -> LoadedDocument:
    """Markdown with optional YAML front matter (title, bronnen, doelgroep, fase)."""
    meta, text, _ = split_front_matter(read_text_file(path))
    return parse_markdown(text, str(meta.get("title") or ""), meta, path)


def parse_markdown(text: str, title: str, meta: dict[str, Any], path: Path) -> LoadedDocument:
    """Split Markdown on headings; a block's section is its heading path below the title."""
    title, sections = markdown_sections(text, title)
    blocks = [Block(s.path, s.text) for s in sections if s.text]
    return LoadedDocument(title or path.stem, _nonempty(blocks, path), meta)


def load_text(path: Path) -> LoadedDocument:
    """Plain text: one block; the first short line may serve as the title."""
    text = read_text_file(path)
    return LoadedDocument(path.stem, _nonempty([Block("", text)], path))


def load_pdf(path: Path) -> LoadedDocument:
    """A PDF read page by page with pypdf; every block keeps its page number."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise SkipFile("versleutelde PDF (wachtwoord nodig)")
            except (FileNotDecryptedError, NotImplementedError) as exc:
                raise SkipFile("versleutelde PDF (wachtwoord nodig)") from exc
        blocks = [
            Block("", page.extract_text() or "", page=i)
            for i, page in enumerate(reader.pages, start=1)
        ]
        title = (reader.metadata.title if reader.metadata else None) or path.stem
    except SkipFile:
        raise
    except FileNotDecryptedError as exc:
        raise SkipFile("versleutelde PDF (wachtwoord nodig)") from exc
    except (PyPdfError, DependencyError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SkipFile(f"beschadigde of onleesbare PDF ({exc.__class__.__name__})") from exc
    blocks = [b for b in blocks if b.text.strip()]
    if not blocks:
        raise SkipFile("PDF zonder leesbare tekst (gescand document? OCR is nodig)")
    return LoadedDocument(str(title), blocks)


def load_html(path: Path) -> LoadedDocument:
    """HTML: scripts and styles dropped, split on h1-h3 headings."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(read_text_file(path), "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "footer"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    lines: list[str] = []
    for el in soup.find_all(["h1", "h2", "h3", "p", "li", "td", "pre", "blockquote"]):
        if el.find(["p", "li"]):  # containers: their children are visited themselves
            continue
        content = el.get_text(" ", strip=True)
        if not content:
            continue
        if el.name in ("h1", "h2", "h3"):
            lines.append(f"{'#' * int(el.name[1])} {content}")
        else:
            lines.append(("- " if el.name == "li" else "") + content + "\n")
    return parse_markdown("\n".join(lines), title, {}, path)


def load_docx(path: Path) -> LoadedDocument:
    """Word documents: paragraphs, with Heading styles as sections."""
    import zipfile

    import docx
    from docx.opc.exceptions import OpcError

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, OpcError, KeyError, ValueError) as exc:
        raise SkipFile(f"beschadigd of onleesbaar Word-bestand ({exc.__class__.__name__})") from exc
    lines = []
    for para in document.paragraphs:
        style = (para.style.name or "") if para.style is not None else ""
        content = para.text.strip()
        if not content:
            continue
        level = re.match(r"(?:Heading|Kop)\s*(\d)", style)
        if style == "Title":
            lines.append(f"# {content}")
        elif level:
            lines.append(f"{'#' * min(int(level.group(1)) + 1, 6)} {content}")
        else:
            lines.append(content + "\n")
    return parse_markdown("\n".join(lines), document.core_properties.title or "", {}, path)


def _nonempty(blocks: list[Block], path: Path) -> list[Block]:
    blocks = [Block(b.section, normalize_block(b.text), b.page) for b in blocks]
    blocks = [b for b in blocks if b.text]
    if not blocks:
        raise SkipFile("geen tekst gevonden")
    return blocks


def normalize_block(text: str) -> str:
    """Tidy block text: NFKC per line, blank lines kept as paragraph breaks."""
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join(normalize(p) if not _is_list(p) else _normalize_lines(p) for p in paragraphs).strip()


def _is_list(paragraph: str) -> bool:
    return bool(re.search(r"^\s*(?:[-*+]|\d+[.)])\s", paragraph, re.M))


def _normalize_lines(paragraph: str) -> str:
    return "\n".join(normalize(line) for line in paragraph.splitlines() if line.strip())


_LINK_ONLY_PARENS = re.compile(r"\s*\((?:\s*(?:zie\s+)?\[[^\]]+\]\([^)\s]+\)\s*[,;]?)+\)")


def strip_markdown(text: str) -> str:
    """Plain reading text: links become their label, emphasis marks go, and a
    parenthesis holding nothing but source links ("([VLAIO](https://...))") is dropped."""
    text = _LINK_ONLY_PARENS.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = re.sub(r"(\*\*|__|`)", "", text)
    return re.sub(r"\s+([.,;:!?])", r"\1", text)


LOADERS = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".pdf": load_pdf,
    ".html": load_html,
    ".htm": load_html,
    ".docx": load_docx,
}


def load(path: Path) -> LoadedDocument:
    """Load any supported file; unsupported types raise :class:`SkipFile`."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise SkipFile(f"bestandstype {path.suffix or '(geen extensie)'} wordt niet ondersteund")
    try:
        return loader(path)
    except SkipFile:
        raise
    except UnicodeDecodeError as exc:
        raise SkipFile("tekst kon niet gelezen worden (onbekende codering)") from exc
    except OSError as exc:
        raise SkipFile(f"bestand kon niet gelezen worden ({exc.strerror or exc.__class__.__name__})") from exc
