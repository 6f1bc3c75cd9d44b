"""The run history: one row per finished run in the state store's ``runs`` table.

The monitors compare a run with the earlier runs of the same job (spider and profiles); ``wirefeed
report`` draws them over time. The table lives in the state store's SQLite file beside the story
tables, created here when missing (an additive table: stores written before it keep working and the
store's schema version is unchanged). Each row keeps the run's numeric stats, two :class:`Tally` (every
valid story it saw, emitted or not, for the monitors; the records it emitted, for the report) and the
monitors that failed, as JSON.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wirefeed.errors import StoreError
from wirefeed.tally import Tally

__all__ = ["Run", "RunHistory"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job TEXT NOT NULL,             -- spider:profiles, e.g. portal:zeelandnet
    started TEXT,                  -- RFC 3339, UTC
    finished TEXT NOT NULL,
    finish_reason TEXT,
    stats TEXT NOT NULL,           -- numeric stats of the run, JSON
    tally TEXT NOT NULL,           -- wirefeed.tally.Tally of every valid story of the run, JSON
    emitted TEXT NOT NULL,         -- the Tally of the records it emitted (what the report draws)
    failures TEXT NOT NULL         -- failed monitors, JSON list
);
CREATE INDEX IF NOT EXISTS runs_job ON runs(job, id);
"""


@dataclass
class Run:
    job: str
    finished: str
    started: str | None = None
    finish_reason: str | None = None
    stats: dict[str, float] = field(default_factory=dict)
    tally: Tally = field(default_factory=Tally)
    emitted: Tally = field(default_factory=Tally)
    failures: list[dict[str, Any]] = field(default_factory=list)
    id: int | None = None

    @property
    def stories(self) -> int:
        return self.tally.records


class RunHistory:
    """The ``runs`` table of a state store at ``path``. Reading never writes: while a crawl holds the
    store's write lock, its history can still be read (WAL); the table is created by the first ``add``."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            self.db = sqlite3.connect(self.path, timeout=30)
            self._exists = bool(
                self.db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='runs'").fetchone()
            )
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                self.path, f"cannot keep the run history here ({exc}); pass another --state path"
            ) from None

    def add(self, run: Run) -> int:
        if not self._exists:
            self.db.executescript(_SCHEMA)
            self._exists = True
        with self.db:
            cur = self.db.execute(
                "INSERT INTO runs (job, started, finished, finish_reason, stats, tally, emitted, failures) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run.job,
                    run.started,
                    run.finished,
                    run.finish_reason,
                    json.dumps(run.stats, sort_keys=True),
                    json.dumps(run.tally.to_json(), sort_keys=True),
                    json.dumps(run.emitted.to_json(), sort_keys=True),
                    json.dumps(run.failures, ensure_ascii=False),
                ),
            )
        run.id = int(cur.lastrowid or 0)
        return run.id

    def recent(self, job: str, n: int) -> list[Run]:
        """The last ``n`` runs of ``job``, oldest first."""
        if not self._exists:
            return []
        rows = self.db.execute(
            "SELECT * FROM (SELECT id, job, started, finished, finish_reason, stats, tally, emitted, failures FROM runs "
            "WHERE job=? ORDER BY id DESC LIMIT ?) ORDER BY id",
            (job, n),
        ).fetchall()
        return [_run(r) for r in rows]

    def all(self) -> list[Run]:
        if not self._exists:
            return []
        rows = self.db.execute(
            "SELECT id, job, started, finished, finish_reason, stats, tally, emitted, failures FROM runs ORDER BY id"
        ).fetchall()
        return [_run(r) for r in rows]

    def close(self) -> None:
        self.db.close()


def _run(row: tuple[Any, ...]) -> Run:
    rid, job, started, finished, reason, stats, tally, emitted, failures = row
    return Run(
        id=rid,
        job=job,
        started=started,
        finished=finished,
        finish_reason=reason,
        stats=json.loads(stats),
        tally=Tally.from_json(json.loads(tally)),
        emitted=Tally.from_json(json.loads(emitted)),
        failures=json.loads(failures),
    )
