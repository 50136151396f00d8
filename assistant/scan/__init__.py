"""The netwerkscan: a short questionnaire in, a profile and a cited 12-month plan out.

The flow, one module per step: ``config`` (the data file, its ``parts``) and ``answers``
(a user's answers file) -> ``profile`` -> ``plan`` (with ``quotes`` from the draaiboek and
the ``budget``) -> ``network`` (the :class:`NetworkScan` service and its result). Beside it:
``compare`` (a re-scan), ``region`` (several municipalities), ``files`` (saving and sets of
files), and the documents: ``blocks`` rendered by ``markdown``, ``pdf`` and ``docx``.

This is the public API; the CLI and the web app use only these names. Imports are lazy, so
that reading an answers file does not load matplotlib, fpdf2 or python-docx.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

_EXPORTS = {
    # the service and its result
    "NetworkScan": "network",
    "ScanResult": "network",
    "VOICES": "parts",
    "DEFAULT_VOICE": "parts",
    # the questionnaire and the answers files
    "ScanConfig": "config",
    "ScanAnswers": "answers",
    "read_answers": "answers",
    "parse_answers": "answers",
    "load_yaml": "files",
    "read_draft": "files",
    "write_answers": "files",
    "read_region_files": "files",
    "ScanError": "errors",
    "ScanInputError": "errors",
    "ScanConfigError": "errors",
    # a re-scan and a region
    "ScanComparison": "compare",
    "compare_scans": "compare",
    "RegionScan": "region",
    "RegionResult": "region",
    # documents and the files they are written to
    "Document": "blocks",
    "plan_report": "reports",
    "council_report": "reports",
    "plan_radar": "reports",
    "region_document": "reports",
    "region_radar": "reports",
    "write_document": "reports",
    "to_markdown": "markdown",
    "write_markdown": "markdown",
    "write_pdf": "pdf",
    "write_docx": "docx",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'assistant.scan' has no attribute {name!r}")


if TYPE_CHECKING:  # pragma: no cover
    from assistant.scan.answers import ScanAnswers, parse_answers, read_answers
    from assistant.scan.blocks import Document
    from assistant.scan.compare import ScanComparison, compare_scans
    from assistant.scan.config import ScanConfig
    from assistant.scan.docx import write_docx
    from assistant.scan.errors import ScanConfigError, ScanError, ScanInputError
    from assistant.scan.files import (
        load_yaml,
        read_draft,
        read_region_files,
        write_answers,
    )
    from assistant.scan.markdown import to_markdown, write_markdown
    from assistant.scan.network import NetworkScan, ScanResult
    from assistant.scan.parts import DEFAULT_VOICE, VOICES
    from assistant.scan.pdf import write_pdf
    from assistant.scan.region import RegionResult, RegionScan
    from assistant.scan.reports import (
        council_report,
        plan_radar,
        plan_report,
        region_document,
        region_radar,
        write_document,
    )
