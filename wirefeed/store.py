"""The state store: what a job has seen and emitted, on disk in SQLite (WAL).

One store per job. It remembers every story (id, canonical URL, content hash, version, cluster, the
published interval known so far and a MinHash signature), an LSH index over the signatures, and every
sighting of a story. :meth:`StateStore.decide` says what to do with a record:

* ``new`` — emit; ``duplicate_of``/``cluster_id`` point at the first record of its near-duplicate cluster;
* ``changed`` — the text changed: emit as ``version + 1`` with ``previous_version``;
* ``refined`` — same text, but the published interval narrowed enough: emit as a new version;
* ``duplicate`` — same id and text, or the same text already emitted under another id: do not emit.

Stories older than the near-duplicate window (``archive``) keep only 64-bit keys of their id and text
and their version, so a long retention stays small; ``prune`` forgets what is older than retention.

Writes are two-phase so the store and the JSONL output agree after any crash: :meth:`reserve` marks a
decision *pending* (later records in the same run see it), :meth:`confirm` marks it emitted once the line
is written, and :meth:`open_run` drops pending rows a killed run left behind and reconciles with the lines
that did reach the output. The schema is versioned; a store from another version is refused.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from wirefeed.emitted import EMITTED_SCHEMA, EmittedLog
from wirefeed.errors import StoreError
from wirefeed.ledger import LEDGER_SCHEMA, Ledger
from wirefeed.lock import acquire, release
from wirefeed.neardup import band_keys, best_cluster, candidates_sql, signature

__all__ = ["SCHEMA_VERSION", "Decision", "StateStore", "decide_known"]

#: A MinHash signature, or a function computing it: called only for a story the store does not know
#: (most sightings in a crawl are of known stories, and the signature is the dedup step's main cost).
Signature = np.ndarray | Callable[[], np.ndarray | None] | None

SCHEMA_VERSION = 4
BATCH = 200  # writes per commit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY,
    url TEXT,
    content_hash TEXT NOT NULL,
    version INTEGER NOT NULL,
    cluster_id TEXT NOT NULL,
    earliest INTEGER,            -- published interval known so far (epoch seconds)
    latest INTEGER,
    emitted_width INTEGER,       -- width of the interval last emitted
    sig BLOB,
    pending INTEGER NOT NULL,    -- 1 until the record is written to the output
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_hash ON stories(content_hash);
CREATE INDEX IF NOT EXISTS stories_url ON stories(url);
CREATE INDEX IF NOT EXISTS stories_seen ON stories(last_seen);
CREATE TABLE IF NOT EXISTS lsh (band_key INTEGER NOT NULL, story INTEGER NOT NULL,  -- stories.rowid
                                PRIMARY KEY (band_key, story)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sightings (id TEXT NOT NULL, seen_at INTEGER NOT NULL, page TEXT NOT NULL,
                                      stamp TEXT);
CREATE INDEX IF NOT EXISTS sightings_id ON sightings(id);
-- Stories older than the near-duplicate window: enough to recognise them again (same text: duplicate;
-- other text: next version), in about 24 bytes each.
CREATE TABLE IF NOT EXISTS archive (
    id_key INTEGER PRIMARY KEY,  -- 64-bit hash of the story id
    hash_key INTEGER NOT NULL,   -- 64-bit hash of the content hash
    version INTEGER NOT NULL,
    seen_day INTEGER NOT NULL    -- last seen, days since 1970
) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one record."""

    outcome: str  # new | changed | refined | duplicate
    version: int = 1
    previous_version: int | None = None
    duplicate_of: str | None = None
    cluster_id: str | None = None
    earliest: int | None = None  # the interval to emit (refined) or remember
    latest: int | None = None


class StateStore:
    """A job's memory. ``path=":memory:"`` keeps it for one process only (``wirefeed parse``).

    ``refine_min``: a same-text sighting is re-emitted when its published interval is at least this many
    seconds narrower than the one last emitted. Seconds, not a fraction: two sightings a minute apart
    across a stamp's boundary (``13`` → ``14 minuten geleden``) narrow a minute-wide interval to a few
    seconds, which is no news worth a new version; a story's hour-wide interval narrowed by a later
    crawl is.
    """

    def __init__(self, path: str | Path, *, refine_min: int = 900, wait: bool = False) -> None:
        self.path = str(path)
        self.refine_min = refine_min
        self._writes = 0
        self._ledger: Ledger | None = None
        self._emitted: EmittedLog | None = None
        self.before_commit: list[Callable[[], None]] = []  # e.g. fsync the output first
        # The last signature's band keys: a new story's are needed by the lookup and again when it is
        # stored, and each is 16 blake2b digests.
        self._bands: tuple[bytes, list[int]] = (b"", [])
        if self.path != ":memory:":
            _refuse_foreign(self.path)
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            acquire(self.path, wait=wait)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._unlock()
            raise StoreError(
                self.path, f"not a wirefeed state store ({exc}); move it away or pass another --state path"
            ) from None
        except StoreError:
            self._unlock()
            raise

    @staticmethod
    def preflight(path: str | Path) -> None:
        """Raise :class:`StoreError` now if ``path`` is not a wirefeed store (another application's
        SQLite file, not SQLite at all, a directory), before a run starts anything or writes a byte."""
        if str(path) != ":memory:":
            _refuse_foreign(str(path))

    def _unlock(self) -> None:
        if self.path != ":memory:":
            release(self.path)

    @property
    def ledger(self) -> Ledger:
        """The job's ledger (frontier and waiting teasers), written in this store's batches."""
        if self._ledger is None:
            self._ledger = Ledger(self.db, self._begin, self._tick, self.flush)
        return self._ledger

    @property
    def emitted(self) -> EmittedLog:
        """The lines this store confirmed as written, per output (:mod:`wirefeed.emitted`)."""
        if self._emitted is None:
            self._emitted = EmittedLog(self.db, self._begin, self._tick)
        return self._emitted

    def _migrate(self) -> None:
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" in tables:
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is not None and int(row[0]) != SCHEMA_VERSION:
                raise StoreError(
                    self.path,
                    f"written by schema version {row[0]}, this wirefeed reads version "
                    f"{SCHEMA_VERSION}; move the file away or pass another --state path",
                )
        self.db.executescript(_SCHEMA + LEDGER_SCHEMA + EMITTED_SCHEMA)
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    # --- decisions ----------------------------------------------------------------------------------
    def decide(
        self,
        story_id: str,
        url: str | None,
        content_hash: str,
        sig: Signature = None,
        earliest: int | None = None,
        latest: int | None = None,
    ) -> Decision:
        row = self.db.execute(
            "SELECT content_hash, version, cluster_id, earliest, latest, emitted_width "
            "FROM stories WHERE id=?",
            (story_id,),
        ).fetchone()
        if row is not None:
            return decide_known(story_id, row, content_hash, earliest, latest, self.refine_min)
        archived = self.db.execute(
            "SELECT hash_key, version FROM archive WHERE id_key=?", (_key(story_id),)
        ).fetchone()
        if archived is not None:
            if archived[0] == _key(content_hash):
                return Decision("duplicate", archived[1], None, story_id, story_id)
            return Decision("changed", archived[1] + 1, archived[1], None, story_id, earliest, latest)
        other = self.db.execute(
            "SELECT id, cluster_id FROM stories WHERE content_hash=? LIMIT 1", (content_hash,)
        ).fetchone()
        if other is not None:
            return Decision("duplicate", 1, None, other[0], other[1])
        sig = _resolve(sig)
        if sig is not None:
            best = self._nearest(sig)
            if best is not None:
                return Decision("new", 1, None, best, best, earliest, latest)
        return Decision("new", 1, None, None, story_id, earliest, latest)

    def _nearest(self, sig: np.ndarray) -> str | None:
        """The cluster of the most similar stored story, if it reaches the threshold, among the latest
        stories of each band (the bound: :func:`wirefeed.neardup.candidates_sql`)."""
        packed = _pack(sig)
        keys = self._band_keys(packed)
        rows = self.db.execute(
            f"SELECT s.cluster_id, s.sig FROM stories s WHERE s.rowid IN ({candidates_sql(len(keys))}) "
            "AND s.sig IS NOT NULL",
            keys,
        ).fetchall()
        return best_cluster(packed, rows)

    # --- two-phase writes ---------------------------------------------------------------------------
    def reserve(
        self,
        story_id: str,
        url: str | None,
        content_hash: str,
        decision: Decision,
        sig: Signature,
        seen_at: int,
    ) -> None:
        """Remember a decision before its record is written (visible to later records in this run)."""
        width = (
            None
            if decision.earliest is None or decision.latest is None
            else decision.latest - decision.earliest
        )
        cluster = decision.cluster_id or story_id
        exists = self.db.execute("SELECT 1 FROM stories WHERE id=?", (story_id,)).fetchone()
        self._begin()
        if exists:
            self.db.execute(
                "UPDATE stories SET content_hash=?, version=?, earliest=?, latest=?, emitted_width=?, pending=1, "
                "last_seen=?, url=coalesce(?, url) WHERE id=?",
                (
                    content_hash,
                    decision.version,
                    decision.earliest,
                    decision.latest,
                    width,
                    seen_at,
                    url,
                    story_id,
                ),
            )
        else:
            sig = _resolve(sig)
            packed = _pack(sig) if sig is not None else None
            cur = self.db.execute(
                "INSERT INTO stories VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (
                    story_id,
                    url,
                    content_hash,
                    decision.version,
                    cluster,
                    decision.earliest,
                    decision.latest,
                    width,
                    packed.tobytes() if packed is not None else None,
                    seen_at,
                    seen_at,
                ),
            )
            if packed is not None:
                self.db.executemany(
                    "INSERT OR IGNORE INTO lsh VALUES (?, ?)",
                    [(k, cur.lastrowid) for k in self._band_keys(packed)],
                )
        self._tick()

    def _band_keys(self, packed: np.ndarray) -> list[int]:
        raw = packed.tobytes()
        if raw != self._bands[0]:
            self._bands = (raw, band_keys(packed))
        return self._bands[1]

    def confirm(self, story_id: str) -> None:
        """The record is in the output."""
        self._begin()
        self.db.execute("UPDATE stories SET pending=0 WHERE id=?", (story_id,))
        self._tick()

    def remember_interval(
        self, story_id: str, earliest: int | None, latest: int | None, seen_at: int
    ) -> None:
        """A duplicate sighting: keep the narrower interval it brought, emit nothing."""
        self._begin()
        self.db.execute(
            "UPDATE stories SET earliest=coalesce(?, earliest), latest=coalesce(?, latest), "
            "last_seen=? WHERE id=?",
            (earliest, latest, seen_at, story_id),
        )
        self._tick()

    def late_evidence(self, story_id: str, earliest: int, latest: int, seen_at: int) -> bool:
        """A stamp of an already decided story arrived late: keep the interval it narrows to, and say
        whether it narrows the emitted one enough for a new version (then the caller reads it again)."""
        row = self.db.execute(
            "SELECT earliest, latest, emitted_width FROM stories WHERE id=?", (story_id,)
        ).fetchone()
        if row is None:
            return False
        e, la = _intersect(row[0], row[1], earliest, latest)
        if e is None or la is None or row[2] is None:
            return False
        if row[2] - (la - e) >= self.refine_min:
            return True
        self.remember_interval(story_id, e, la, seen_at)
        return False

    def open_run(self, emitted: Iterable[dict[str, Any]] = (), now: int = 0) -> tuple[int, int]:
        """Start a run after a possible crash. ``emitted``: the records read back from the output
        (``id, content_hash, version, url, cluster_id, text``). Pending rows whose record is there are
        confirmed; records the store lost (an uncommitted batch) are entered again, seen ``now`` (the
        run's start, so retention does not prune them in the same start-up); every other pending row
        is dropped, so its record is decided and emitted again. Returns (reconciled, dropped)."""
        reconciled = 0
        self._begin()
        for rec in emitted:
            cur = self.db.execute(
                "UPDATE stories SET pending=0 WHERE id=? AND content_hash=? AND version=? AND pending=1",
                (rec["id"], rec["content_hash"], rec["version"]),
            )
            if cur.rowcount:
                reconciled += 1
                continue
            if self.db.execute("SELECT 1 FROM stories WHERE id=?", (rec["id"],)).fetchone() is None:
                sig = signature(rec.get("text") or "")
                decision = Decision("new", rec["version"], None, None, rec.get("cluster_id") or rec["id"])
                self.reserve(rec["id"], rec.get("url"), rec["content_hash"], decision, sig, now)
                self.db.execute("UPDATE stories SET pending=0 WHERE id=?", (rec["id"],))
                reconciled += 1
        pending = [r[0] for r in self.db.execute("SELECT id FROM stories WHERE pending=1")]
        for story_id in pending:
            self._forget(story_id)
        self.flush()
        return reconciled, len(pending)

    def _forget(self, story_id: str) -> None:
        row = self.db.execute("SELECT rowid, sig FROM stories WHERE id=?", (story_id,)).fetchone()
        if row is None:
            return
        if row[1] is not None:
            keys = band_keys(np.frombuffer(row[1], dtype=np.uint16))
            self.db.executemany("DELETE FROM lsh WHERE band_key=? AND story=?", [(k, row[0]) for k in keys])
        self.db.execute("DELETE FROM stories WHERE rowid=?", (row[0],))

    def sighting(self, story_id: str, seen_at: int, page: str, stamp: str | None) -> None:
        self._begin()
        self.db.execute("INSERT INTO sightings VALUES (?, ?, ?, ?)", (story_id, seen_at, page, stamp))
        self._tick()

    # Writes are committed in batches: a crash loses at most one batch, and open_run() rebuilds what the
    # output proves was emitted. One commit per record cost 360 µs; a batch costs a few µs per record.
    def _begin(self) -> None:
        if not self.db.in_transaction:
            self.db.execute("BEGIN")

    def _tick(self) -> None:
        self._writes += 1
        if self._writes >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Commit the current batch (after the ``before_commit`` hooks: the output is on disk first)."""
        if self.db.in_transaction:
            for hook in self.before_commit:
                hook()
            self.db.execute("COMMIT")
        self._writes = 0

    def archive(self, before: int) -> int:
        """Move stories not seen since ``before`` (epoch seconds) out of the near-duplicate window into
        the compact archive: they are still recognised, no longer clustered or refined."""
        rows = self.db.execute(
            "SELECT id, content_hash, version, last_seen FROM stories WHERE last_seen < ? AND pending=0",
            (before,),
        ).fetchall()
        self._begin()
        self.db.executemany(
            "INSERT OR REPLACE INTO archive VALUES (?, ?, ?, ?)",
            [(_key(i), _key(h), v, seen // 86400) for i, h, v, seen in rows],
        )
        for story_id, *_ in rows:
            self._forget(story_id)
        self.db.execute("DELETE FROM sightings WHERE seen_at < ?", (before,))
        self.flush()
        return len(rows)

    def prune(self, before: int) -> int:
        """Forget stories not seen since ``before`` (epoch seconds), archived or not: the store stays
        bounded."""
        old = [r[0] for r in self.db.execute("SELECT id FROM stories WHERE last_seen < ?", (before,))]
        self._begin()
        for story_id in old:
            self._forget(story_id)
        self.db.execute("DELETE FROM sightings WHERE seen_at < ?", (before,))
        self.db.execute("DELETE FROM quarantined WHERE seen_at < ?", (before,))
        cur = self.db.execute("DELETE FROM archive WHERE seen_day < ?", (before // 86400,))
        self.emitted.prune(before, _key)  # the lines of the stories just forgotten
        self.flush()
        return len(old) + cur.rowcount

    # --- queries ------------------------------------------------------------------------------------
    def known_urls(self, urls: list[str]) -> set[str]:
        if not urls:
            return set()
        marks = ",".join("?" * len(urls))
        return {
            r[0]
            for r in self.db.execute(f"SELECT url FROM stories WHERE pending=0 AND url IN ({marks})", urls)
        }

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM stories WHERE pending=0").fetchone()[0])

    def close(self) -> None:
        if getattr(self, "db", None) is None:
            return
        try:
            self.flush()
        finally:
            self.db.close()
            self.db = None  # type: ignore[assignment]
            self._unlock()


def _refuse_foreign(path: str) -> None:
    """Refuse, without writing a byte, a file that is not a wirefeed store: not SQLite at all, or
    another application's database (tables but no wirefeed schema version)."""
    file = Path(path)
    if not file.exists():
        return
    if file.is_dir():
        raise StoreError(path, "is a directory; pass a file path to --state")
    if file.stat().st_size == 0:
        return
    try:
        db = sqlite3.connect(file.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            version = (
                db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                if "meta" in tables
                else None
            )
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            path, f"not a wirefeed state store ({exc}); it was left untouched: pass another --state path"
        ) from None
    if tables and version is None:
        names = ", ".join(sorted(tables)[:5])
        raise StoreError(
            path,
            f"another application's SQLite database (tables: {names}); it was left untouched: "
            "pass another --state path",
        )


def decide_known(
    story_id: str,
    row: tuple[Any, ...],
    content_hash: str,
    earliest: int | None,
    latest: int | None,
    refine_min: int,
) -> Decision:
    """The decision for a story the store knows (``row``: its hash, version, cluster, interval and
    emitted width): changed, refined or duplicate. Shared with the PostgreSQL store."""
    old_hash, version, cluster, k_e, k_l, width = row
    if old_hash != content_hash:
        return Decision(
            "changed",
            version + 1,
            version,
            None if cluster == story_id else cluster,
            cluster,
            earliest,
            latest,
        )
    e, la = _intersect(k_e, k_l, earliest, latest)
    if (
        e is not None
        and la is not None
        and width is not None
        and width - (la - e) >= refine_min
        and (e, la) != (k_e, k_l)
    ):
        return Decision(
            "refined", version + 1, version, None if cluster == story_id else cluster, cluster, e, la
        )
    return Decision("duplicate", version, None, story_id, cluster, e, la)


def _key(text: str) -> int:
    """A signed 64-bit key for a text (ids and content hashes in the archive)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def _resolve(sig: Signature) -> np.ndarray | None:
    return sig() if callable(sig) else sig


def _pack(sig: np.ndarray) -> np.ndarray:
    """Signatures are stored as 16-bit values: half the bytes, and a chance collision per value
    (1 in 65,536) moves a similarity estimate by far less than its sampling error."""
    return (sig & 0xFFFF).astype(np.uint16)


def _intersect(
    a_e: int | None, a_l: int | None, b_e: int | None, b_l: int | None
) -> tuple[int | None, int | None]:
    if a_e is None or a_l is None:
        return b_e, b_l
    if b_e is None or b_l is None:
        return a_e, a_l
    e, la = max(a_e, b_e), min(a_l, b_l)
    if e > la:  # the sightings disagree: keep what we had rather than invent an interval
        return a_e, a_l
    return e, la
