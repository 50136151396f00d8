"""Questions and feedback, stored in SQLite under the data directory.

Only what is needed to improve the draaiboek is kept: the question, whether it was
refused, the answer text, and a rating with an optional comment. No user identity.
"""

from __future__ import annotations

import csv
import sqlite3
import threading
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY, asked_at TEXT NOT NULL, question TEXT NOT NULL,
    answer TEXT NOT NULL, refused INTEGER NOT NULL, mode TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, question_id INTEGER REFERENCES questions(id), given_at TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)), comment TEXT NOT NULL DEFAULT ''
);
"""


class FeedbackStore:
    """Thread-safe SQLite store for asked questions and their ratings."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def log_question(self, question: str, answer: str, refused: bool, mode: str) -> int:
        """Record an asked question; returns its id for later feedback."""
        with self._lock, self._connect() as db:
            cur = db.execute(
                "INSERT INTO questions (asked_at, question, answer, refused, mode) VALUES (?, ?, ?, ?, ?)",
                (_now(), question, answer, int(refused), mode))
            return int(cur.lastrowid)

    def add_feedback(self, question_id: int, rating: int, comment: str = "") -> int:
        """Thumbs up (1) or down (-1), with an optional comment; returns the rating's id."""
        if rating not in (-1, 1):
            raise ValueError("rating moet 1 of -1 zijn")
        with self._lock, self._connect() as db:
            cur = db.execute("INSERT INTO feedback (question_id, given_at, rating, comment) VALUES (?, ?, ?, ?)",
                             (question_id, _now(), rating, comment.strip()[:2000]))
            return int(cur.lastrowid)

    def set_comment(self, feedback_id: int, comment: str) -> None:
        """Attach a comment to a rating already given (it is not a second rating)."""
        with self._lock, self._connect() as db:
            db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment.strip()[:2000], feedback_id))

    def export_csv(self, out: Path) -> int:
        """Write all feedback with its question to CSV; returns the number of rows."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT f.given_at, q.question, q.answer, q.refused, q.mode, f.rating, f.comment "
                "FROM feedback f JOIN questions q ON q.id = f.question_id ORDER BY f.id").fetchall()
        with open(out, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["tijdstip", "vraag", "antwoord", "geweigerd", "modus", "beoordeling", "opmerking"])
            writer.writerows(rows)
        return len(rows)

    def gaps(self, limit: int = 50) -> list[tuple[str, int, int, int]]:
        """Questions that were refused or rated down: (question, times, refused, negative),
        most frequent first, so editors see what the draaiboek misses."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT q.question, q.refused, "
                "(SELECT COUNT(*) FROM feedback f WHERE f.question_id = q.id AND f.rating = -1) "
                "FROM questions q").fetchall()
        tally: dict[str, list[int]] = {}
        for question, refused, negative in rows:
            if not refused and not negative:
                continue
            key = " ".join(question.lower().split())
            entry = tally.setdefault(key, [0, 0, 0])
            entry[0] += 1
            entry[1] += refused
            entry[2] += negative
        ranked = sorted(tally.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]
        return [(q, n, r, neg) for q, (n, r, neg) in ranked]


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")
