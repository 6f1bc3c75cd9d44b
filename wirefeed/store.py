"""The state store: what a job has already seen and emitted, on disk in SQLite (WAL).

One store per job. It remembers every story id with its canonical URL, content hash and version,
and every sighting of a story. :meth:`StateStore.decide` says what to do with a record: emit it as
new, emit it as a new version (its text changed), or drop it as a duplicate (same id and text, or the
same text already emitted under another id). The schema is versioned; a store written by another
version is refused with :class:`~wirefeed.errors.StoreError` rather than silently reused.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from wirefeed.errors import StoreError

__all__ = ["SCHEMA_VERSION", "Decision", "StateStore"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY,
    url TEXT,
    content_hash TEXT NOT NULL,
    version INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_hash ON stories(content_hash);
CREATE INDEX IF NOT EXISTS stories_url ON stories(url);
CREATE TABLE IF NOT EXISTS sightings (
    id TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    page TEXT NOT NULL,
    stamp TEXT
);
CREATE INDEX IF NOT EXISTS sightings_id ON sightings(id);
"""


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one record: ``outcome`` is ``new``, ``changed`` or ``duplicate``."""

    outcome: str
    version: int = 1
    duplicate_of: str | None = None


class StateStore:
    """A job's memory. ``path=":memory:"`` keeps it for one process only (``wirefeed parse``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                self.path, f"not a wirefeed state store ({exc}); move it away or pass another --state path"
            ) from None

    def _migrate(self) -> None:
        self.db.executescript(_SCHEMA)
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) != SCHEMA_VERSION:
            raise StoreError(
                self.path,
                f"written by schema version {row[0]}, this wirefeed reads version "
                f"{SCHEMA_VERSION}; move the file away or pass another --state path",
            )

    def decide(self, story_id: str, url: str | None, content_hash: str) -> Decision:
        row = self.db.execute("SELECT content_hash, version FROM stories WHERE id=?", (story_id,)).fetchone()
        if row is not None:
            if row[0] == content_hash:
                return Decision("duplicate", row[1], story_id)
            return Decision("changed", row[1] + 1)
        other = self.db.execute(
            "SELECT id FROM stories WHERE content_hash=? LIMIT 1", (content_hash,)
        ).fetchone()
        if other is not None:
            return Decision("duplicate", 1, other[0])
        return Decision("new", 1)

    def record(self, story_id: str, url: str | None, content_hash: str, version: int, seen_at: str) -> None:
        """Remember an emitted record (call after it was written)."""
        self.db.execute(
            "INSERT INTO stories VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "content_hash=excluded.content_hash, version=excluded.version, last_seen=excluded.last_seen, "
            "url=coalesce(excluded.url, stories.url)",
            (story_id, url, content_hash, version, seen_at, seen_at),
        )

    def sighting(self, story_id: str, seen_at: str, page: str, stamp: str | None) -> None:
        self.db.execute("INSERT INTO sightings VALUES (?, ?, ?, ?)", (story_id, seen_at, page, stamp))

    def known_urls(self, urls: list[str]) -> set[str]:
        if not urls:
            return set()
        marks = ",".join("?" * len(urls))
        return {r[0] for r in self.db.execute(f"SELECT url FROM stories WHERE url IN ({marks})", urls)}

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM stories").fetchone()[0])

    def close(self) -> None:
        self.db.close()
