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
    "Ingestor": "ingestion",
    "IngestReport": "ingestion",
    "Retriever": "retrieval",
    "make_embeddings": "embeddings",
    "IndexProblem": "index",
    "IndexMissing": "index",
    "IndexMismatch": "index",
    "Assistant": "answering",
    "NetworkScan": "scan",
    "ScanResult": "scan",
    "ScanInputError": "scan",
    "ScanComparison": "scan_compare",
    "compare_scans": "scan_compare",
    "RegionScan": "scan_region",
    "RegionResult": "scan_region",
    "read_region_files": "scan_files",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")


if TYPE_CHECKING:  # pragma: no cover
    from .answering import Assistant
    from .embeddings import make_embeddings
    from .scan import NetworkScan, ScanInputError, ScanResult
    from .scan_compare import ScanComparison, compare_scans
    from .scan_files import read_region_files
    from .scan_region import RegionResult, RegionScan
    from .index import IndexMismatch, IndexMissing, IndexProblem
    from .ingestion import IngestReport, Ingestor
    from .retrieval import Retriever
    from .settings import Settings
    from .types import Answer, Citation, SourceChunk
