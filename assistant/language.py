"""Offline language detection (langdetect, seeded for deterministic results)."""

from __future__ import annotations

import re
from functools import lru_cache

_EN_HINTS = re.compile(r"\b(the|what|how|who|which|does|should|why|is there|can i)\b", re.I)


@lru_cache(maxsize=1)
def _factory():
    from langdetect import DetectorFactory

    DetectorFactory.seed = 0
    return DetectorFactory


def detect_language(text: str) -> str:
    """'nl', 'en' or another ISO code; Dutch when the text is too short to tell."""
    text = text.strip()
    if len(re.findall(r"\w+", text)) < 2:
        return "nl"
    from langdetect import detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    _factory()
    try:
        candidates = detect_langs(text)
    except LangDetectException:
        return "nl"
    best = candidates[0]
    if best.lang in ("nl", "af"):
        return "nl"
    if best.lang == "en" or (_EN_HINTS.search(text) and best.prob < 0.9):
        return "en" if _EN_HINTS.search(text) or best.prob > 0.7 else "nl"
    return best.lang if best.prob > 0.9 else "nl"
