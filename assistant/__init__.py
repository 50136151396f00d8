"""STEM-Alliantiewijzer: draaiboek, chat assistant and netwerkscan for STEM alliances.

The public API; the CLI and the web app use only these names. Imports are lazy so
that ``import assistant`` stays cheap (no torch, no Chroma) until something is used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "Settings": "settings",
    "SourceChunk": "types",
    "Citation": "types",
    "Answer": "types",
    "Ingestor": "ingest.ingestor",
    "IngestReport": "ingest.ingestor",
    "Retriever": "retrieval.search",
    "make_embeddings": "index.embeddings",
    "IndexProblem": "index.snapshot",
    "IndexMissing": "index.snapshot",
    "IndexMismatch": "index.snapshot",
    "Assistant": "answer.assistant",
    "NetworkScan": "scan",
    "ScanResult": "scan",
    "ScanInputError": "scan",
    "ScanComparison": "scan",
    "compare_scans": "scan",
    "RegionScan": "scan",
    "RegionResult": "scan",
    "read_region_files": "scan",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")


if TYPE_CHECKING:  # pragma: no cover
    from assistant.answer.assistant import Assistant
    from assistant.index.embeddings import make_embeddings
    from assistant.scan import (
        NetworkScan,
        RegionResult,
        RegionScan,
        ScanComparison,
        ScanInputError,
        ScanResult,
        compare_scans,
        read_region_files,
    )
    from assistant.index.snapshot import IndexMismatch, IndexMissing, IndexProblem
    from assistant.ingest.ingestor import IngestReport, Ingestor
    from assistant.retrieval.search import Retriever
    from assistant.settings import Settings
    from assistant.types import Answer, Citation, SourceChunk
