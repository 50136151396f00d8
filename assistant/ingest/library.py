"""The document library behind the Documenten tab: list, upload, delete."""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from assistant.index.snapshot import SnapshotStore
from assistant.ingest.ingestor import IngestReport, Ingestor, ProgressFn, Skipped
from assistant.settings import Settings

UPLOAD_TYPES = (".pdf", ".docx", ".md", ".markdown", ".txt", ".html", ".htm")


class UploadRejected(ValueError):
    """An upload that is refused before ingest (type or size), with a Dutch reason."""


@dataclass
class DocumentInfo:
    doc_id: str
    title: str
    source: str
    chunks: int
    ingested: str
    uploaded: bool


def safe_filename(name: str) -> str:
    """A file name without directories, control characters or surprises."""
    base = Path(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFKC", base)
    base = re.sub(r"[^\w.\- ]+", "_", base).strip(" .") or "document"
    stem, suffix = (base.rsplit(".", 1) + [""])[:2] if "." in base else (base, "")
    suffix = f".{suffix[:10]}" if suffix else ""
    return stem[: 120 - len(suffix)].rstrip(" .") + suffix


class DocumentLibrary:
    """Uploaded documents live in ``data_dir/uploads`` and are ingested from there.

    Args:
        settings: product settings.
        ingestor: the ingestor to use (shares the app's embedding model).
    """

    def __init__(self, settings: Settings, ingestor: Ingestor | None = None):
        self.settings = settings
        self.ingestor = ingestor or Ingestor(settings)
        self.uploads = Path(settings.data_dir) / "uploads"

    def list(self) -> list[DocumentInfo]:
        manifest = SnapshotStore(self.settings.index_dir).read_manifest() or {"documents": {}}
        out = [
            DocumentInfo(doc_id, info["title"], info["source"], len(info["chunks"]),
                         info.get("ingested", ""), _is_under(Path(info["path"]), self.uploads))
            for doc_id, info in manifest["documents"].items()
        ]
        return sorted(out, key=lambda d: (d.uploaded, d.doc_id))

    def add(self, files: list[tuple[str, Path]], progress: ProgressFn | None = None) -> IngestReport:
        """Copy uploads (original name, temp path) into the library and ingest them.

        Files refused for type or size are reported as skipped; the rest go in.
        """
        self.uploads.mkdir(parents=True, exist_ok=True)
        rejected: list[Skipped] = []
        for name, tmp in files:
            try:
                self._accept(name, Path(tmp))
            except UploadRejected as exc:
                rejected.append(Skipped(safe_filename(name), str(exc)))
        report = self.ingestor.run([self.uploads], progress=progress, show_progress=False)
        report.skipped = rejected + report.skipped
        return report

    def _accept(self, name: str, tmp: Path) -> Path:
        clean = safe_filename(name)
        if Path(clean).suffix.lower() not in UPLOAD_TYPES:
            raise UploadRejected(f"bestandstype {Path(clean).suffix or '(geen)'} wordt niet aanvaard "
                                 f"(wel: {', '.join(UPLOAD_TYPES)})")
        size_mb = tmp.stat().st_size / 1024 / 1024
        if size_mb > self.settings.ui.max_upload_mb:
            raise UploadRejected(f"te groot ({size_mb:.1f} MB, limiet {self.settings.ui.max_upload_mb:g} MB)")
        target = self.uploads / clean
        shutil.copyfile(tmp, target)
        return target

    def delete(self, doc_id: str) -> IngestReport:
        """Remove an uploaded document from the library and the index."""
        doc = next((d for d in self.list() if d.doc_id == doc_id), None)
        if doc is None or not doc.uploaded:
            raise UploadRejected("alleen toegevoegde documenten kunnen verwijderd worden")
        manifest = SnapshotStore(self.settings.index_dir).read_manifest()
        Path(manifest["documents"][doc_id]["path"]).unlink(missing_ok=True)
        return self.ingestor.run([self.uploads], show_progress=False)


def _is_under(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False
