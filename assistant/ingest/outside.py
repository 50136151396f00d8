"""The questions the Alliantiewijzer does not answer (``buiten-bereik.yaml`` beside this module).

The refusal decision compares a question with the questions the draaiboek's sections
answer and with these; a question that is closer to an off-topic theme than to any
section is refused, however many of its words the corpus happens to contain.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_PATH = Path(__file__).resolve().parent / "buiten-bereik.yaml"


class OutsideBank(BaseModel):
    """Off-topic questions grouped by theme."""

    model_config = ConfigDict(extra="forbid")

    versie: int = Field(ge=1)
    themas: dict[str, list[str]]

    @property
    def questions(self) -> list[str]:
        return [q for qs in self.themas.values() for q in qs]


class OutsideBankError(ValueError):
    """The file is missing or malformed; the message is Dutch."""


def load_bank(path: Path | None = None) -> tuple[OutsideBank, str]:
    """The bank and the SHA-256 of its file (the index re-embeds it when that changes)."""
    path = Path(path or DEFAULT_PATH)
    try:
        raw = path.read_bytes()
        return OutsideBank.model_validate(yaml.safe_load(raw)), hashlib.sha256(raw).hexdigest()
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise OutsideBankError(f"De lijst met vragen buiten het bereik ({path}) kan niet gelezen worden: {exc}") from exc
