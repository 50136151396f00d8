"""The errors of the netwerkscan, each with one Dutch sentence per problem the user can fix.

The data file and the answers files are checked by pydantic models; :func:`locate` leads
from a pydantic error back to the place and the value in the file, so that the modules
that read those files can say in Dutch what is wrong.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import ErrorDetails


class ScanError(Exception):
    """A problem the user can fix; ``problems`` holds one Dutch sentence per problem."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(" ".join(self.problems))


class ScanInputError(ScanError):
    """The answers file is missing, unreadable, or has a missing or invalid value."""


class ScanConfigError(ScanError):
    """The netwerkscan data file is inconsistent or names sections that do not exist."""


MISSING = object()
"""What :func:`locate` reaches for a value that is not in the file."""


def locate(raw: Any, error: ErrorDetails) -> tuple[tuple[str | int, ...], Any]:
    """The path of a pydantic error through the parsed file, and the value as the file gives it.

    pydantic's ``loc`` also names union members and validators; only the keys and list
    positions that exist in ``raw`` are kept, plus the missing key of a ``missing`` error.
    The value is the one written in the file (not a converted one), or :data:`MISSING`.
    """
    path: list[str | int] = []
    value = raw
    for i, part in enumerate(error["loc"]):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        elif error["type"] == "missing" and i == len(error["loc"]) - 1:
            value = MISSING
        else:
            continue  # a union member or validator named by pydantic
        path.append(part)
    return tuple(path), value
