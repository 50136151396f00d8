"""The composition root: the services the app and the command line talk to, built from
settings in one place. The UI receives them; it never wires backends itself."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from assistant.answer.assistant import Assistant
from assistant.ingest.guide import Guide
from assistant.ingest.ingestor import Ingestor
from assistant.ingest.library import DocumentLibrary
from assistant.scan import NetworkScan
from assistant.services.feedback import FeedbackStore
from assistant.settings import Settings


@dataclass
class Services:
    """Everything the app talks to."""

    assistant: Assistant
    library: DocumentLibrary
    feedback: FeedbackStore
    guide: Guide
    scan: NetworkScan


def build_services(assistant: Assistant) -> Services:
    """The app's services around ``assistant``; the document library shares its embedder."""
    settings = assistant.settings
    ingestor = Ingestor(settings, assistant.retriever.embeddings)
    return Services(assistant, DocumentLibrary(settings, ingestor), feedback_store(settings),
                    Guide(Path(settings.corpus_dirs[0]) / "draaiboek"), NetworkScan(settings))


def feedback_store(settings: Settings) -> FeedbackStore:
    return FeedbackStore(Path(settings.data_dir) / "feedback.sqlite3")


def quiet_libraries() -> None:
    """Silence library chatter (weight-loading bars, pypdf warnings, telemetry) and let our
    own warnings (e.g. the embedding fallback) reach the user on stderr."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    for name in ("pypdf", "chromadb", "httpx", "sentence_transformers"):
        logging.getLogger(name).setLevel(logging.ERROR)
    ours = logging.getLogger("assistant")
    if not ours.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("Let op: %(message)s"))
        ours.addHandler(handler)
        ours.propagate = False
