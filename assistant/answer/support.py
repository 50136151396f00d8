"""How well a cited section supports a sentence someone (a language model) wrote.

Support combines meaning and wording: the best cosine between the sentence and the
section's own sentences (multilingual-e5, so an English sentence can be checked
against Dutch text) and the share of the sentence's content words found in the
section. A sentence below the threshold is marked or removed (``llm.unsupported``).
"""

from __future__ import annotations

import numpy as np

from assistant.index.records import SectionRecord
from assistant.index.snapshot import Snapshot
from assistant.settings import AnswerSettings
from assistant.text import analyze

UNSUPPORTED_MARK = "(niet gestaafd door de bron)"


def support_scores(sentences: list[str], sections: list[list[SectionRecord]], snap: Snapshot, embedder,
                   cfg: AnswerSettings) -> list[float]:
    """Per sentence, its support (0-1) by the best of the sections it cites."""
    if not sentences:
        return []
    vectors = embedder.embed_passages(sentences)
    out = []
    for sentence, vec, cited in zip(sentences, vectors, sections):
        out.append(max((_support(sentence, vec, sec, snap, cfg) for sec in cited), default=0.0))
    return out


def _support(sentence: str, vec: np.ndarray, section: SectionRecord, snap: Snapshot, cfg: AnswerSettings) -> float:
    rows = snap.sentence_vectors_of(section)
    best = float((rows @ vec).max()) if len(rows) else 0.0
    meaning = min(max((best - cfg.dense_floor) / (cfg.dense_ceiling - cfg.dense_floor), 0.0), 1.0)
    said = set(analyze(sentence, snap.vocabulary))
    found = set(analyze(f"{section.heading} {section.text}", snap.vocabulary))
    wording = len(said & found) / len(said) if said else 0.0
    return round(0.5 * meaning + 0.5 * wording, 4)
