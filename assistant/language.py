"""Which language a question is in: Dutch or English (lingua, offline, built for short text).

The Alliantiewijzer answers in Dutch and understands English, so the detector only
chooses between the two; a text too short or too mixed to tell counts as Dutch.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    return (LanguageDetectorBuilder.from_languages(Language.DUTCH, Language.ENGLISH)
            .with_minimum_relative_distance(0.05).build())


def detect_language(text: str) -> str:
    """'nl' or 'en'; Dutch when the text is too short or too ambiguous to tell."""
    if len(re.findall(r"\w+", text)) < 2:
        return "nl"
    from lingua import Language

    return "en" if _detector().detect_language_of(text) == Language.ENGLISH else "nl"
