"""Markdown rendering of the netwerkscan documents; a chart is linked as a PNG next to the file."""

from __future__ import annotations

from pathlib import Path

from assistant.scan.blocks import MONTHS, Block, Document, StepItem


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
