"""Exports of a netwerkscan result: the plan of approach and the draft council note, as files.

The documents are built by :mod:`assistant.scan.documents` and rendered by
:mod:`assistant.scan.markdown` and :mod:`assistant.scan.pdf`; the radar chart comes from
:mod:`assistant.scan.charts`.
"""

from __future__ import annotations

from pathlib import Path

from assistant.scan.charts import radar_png
from assistant.scan.documents import council_document, plan_document
from assistant.scan.markdown import to_markdown, write_markdown
from assistant.scan.network import ScanResult
from assistant.scan.pdf import write_pdf


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
