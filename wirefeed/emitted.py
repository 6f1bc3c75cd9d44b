"""The state store's copy of every line it confirmed as written: outputs can be checked and re-made.

A record is confirmed only once its line is in the output (:mod:`wirefeed.output`). The store keeps
that line too, with the output it went to (its absolute path) and a number in confirmation order.
Two things follow:

* **a deleted or replaced output is noticed.** When a run opens an output, the lines the store
  confirmed into it are compared with the lines the file holds (by story id and version). Lines that
  are gone are counted (``wirefeed/export/missing-from-output``) and the run says so: the file was
  deleted, truncated or replaced since — the store alone no longer agrees with it.
* **records can be written again from the store**: ``wirefeed export --state PATH.sqlite -o FILE``
  appends, in confirmation order, every confirmed record that ``FILE`` does not already hold (so it
  can be run twice), like the export of the shared PostgreSQL store.

Lines are kept zlib-compressed (about half their size: 27,684 bytes for the demo's 59,176-byte output) and forgotten with their story:
when retention forgets the story (it was not seen for that long), not when its line gets old
(:meth:`wirefeed.store.StateStore.prune`).
"""

from __future__ import annotations

import os
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = [
    "EMITTED_SCHEMA",
    "EmittedLog",
    "append_missing",
    "confirm_written",
    "missing_lines",
    "missing_notice",
    "output_key",
    "reconciled_lines",
]

EMITTED_SCHEMA = """
CREATE TABLE IF NOT EXISTS emitted (
    seq INTEGER PRIMARY KEY,     -- confirmation order
    output TEXT NOT NULL,        -- absolute path of the output the line was written to
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    seen_at INTEGER NOT NULL,    -- for retention
    line BLOB NOT NULL           -- the line as written (zlib), without its newline
);
CREATE INDEX IF NOT EXISTS emitted_output ON emitted(output);
"""


def output_key(path: str) -> str:
    """How an output is known in the store: its absolute, normalized path."""
    return os.path.abspath(path)


class EmittedLog:
    """The emitted lines of one SQLite store; writes join the store's batches (``begin``/``tick``)."""

    def __init__(self, db: sqlite3.Connection, begin: Callable[[], None], tick: Callable[[], None]) -> None:
        self.db = db
        self._begin = begin
        self._tick = tick

    def written(self, output: str, story_id: str, version: int, line: str, seen_at: int) -> None:
        """``line`` (one record) was written to ``output`` and is being confirmed."""
        self._begin()
        self.db.execute(
            "INSERT INTO emitted (output, id, version, seen_at, line) VALUES (?, ?, ?, ?, ?)",
            (output_key(output), story_id, version, seen_at, zlib.compress(line.encode("utf-8"), 1)),
        )
        self._tick()

    def missing_from(self, output: str, existing: Iterable[dict[str, Any]]) -> int:
        """How many lines confirmed into ``output`` the file no longer holds (``existing``: its
        records as read back, with ``id`` and ``version``)."""
        held = {(r["id"], int(r["version"])) for r in existing}
        rows = self.db.execute("SELECT id, version FROM emitted WHERE output=?", (output_key(output),))
        return sum(1 for story_id, version in rows if (story_id, version) not in held)

    def lines(self, since: int = 0, skip: Iterable[dict[str, Any]] = ()) -> Iterator[tuple[int, str]]:
        """Confirmed lines numbered after ``since``, in confirmation order, except those in ``skip``
        (records read back from the file being written): (number, line)."""
        held = {(r["id"], int(r["version"])) for r in skip}
        rows = self.db.execute(
            "SELECT seq, id, version, line FROM emitted WHERE seq > ? ORDER BY seq", (since,)
        )
        for seq, story_id, version, blob in rows:
            if (story_id, version) not in held:
                yield seq, zlib.decompress(blob).decode("utf-8")

    def backfill(self, output: str, lines: Iterable[tuple[str, dict[str, Any]]], seen_at: int) -> int:
        """Keep the lines of ``output`` the log lacks — records the store confirmed from the file when
        a run started (a crash lost the batch that held their lines here; a fresh store learning an
        older output). ``lines``: (line, record summary) from :func:`wirefeed.output.record_lines`."""
        key = output_key(output)
        known = {(i, v) for i, v in self.db.execute("SELECT id, version FROM emitted WHERE output=?", (key,))}
        added = 0
        for line, rec in lines:
            if (rec["id"], int(rec["version"])) not in known:
                self.written(output, rec["id"], int(rec["version"]), line, seen_at)
                added += 1
        return added

    def prune(self, before: int, key: Callable[[str], int]) -> None:
        """Forget the lines of stories the store no longer remembers — neither among its stories nor
        in its archive (``key``: the archive's 64-bit key of a story id) — after retention pruned them.
        A story is kept while it is seen, however long ago its line was confirmed; only lines confirmed
        before ``before`` can belong to a pruned story (it was last seen before then)."""
        self.db.create_function("wirefeed_key", 1, key, deterministic=True)
        self.db.execute(
            "DELETE FROM emitted WHERE seen_at < ? AND id NOT IN (SELECT id FROM stories) "
            "AND wirefeed_key(id) NOT IN (SELECT id_key FROM archive)",
            (before,),
        )


def _kept(store: Any, writer: Any) -> EmittedLog | None:
    """The store's log, for an output it can check: a regular file (not stdout or a device). The
    shared PostgreSQL store keeps its emitted records itself (``wirefeed.store_pg``)."""
    log = getattr(store, "emitted", None)
    if log is None or writer.path == "-" or not os.path.isfile(writer.path):
        return None
    return log  # type: ignore[no-any-return]


def confirm_written(store: Any, writer: Any, record: Any, line: str) -> None:
    """``record``'s ``line`` is in ``writer``'s output: keep the line and confirm the record."""
    log = _kept(store, writer)
    if log is not None:
        log.written(writer.path, record.id, record.version, line, int(record.fetched_at.timestamp()))
    store.confirm(record.id)


def reconciled_lines(store: Any, writer: Any, seen_at: int) -> int:
    """After :meth:`~wirefeed.store.StateStore.open_run` confirmed records from the output: keep the
    lines of theirs the log lacks, so the output can still be written back from the store."""
    from pathlib import Path

    from wirefeed.output import record_lines

    log = _kept(store, writer)
    return log.backfill(writer.path, record_lines(Path(writer.path)), seen_at) if log is not None else 0


def missing_lines(store: Any, writer: Any) -> int:
    """Lines the store confirmed into ``writer``'s output that the file no longer holds."""
    log = _kept(store, writer)
    return log.missing_from(writer.path, writer.existing) if log is not None else 0


def append_missing(
    output: str, lines: Callable[[list[dict[str, Any]]], Iterable[tuple[int, str]]], since: int
) -> tuple[int, int]:
    """``wirefeed export``: append to ``output`` the confirmed lines ``lines(held)`` gives — in
    confirmation order, numbered, except those ``held`` (the records the file already has) — so a run
    twice, or over a file that lost lines, writes each record once. Returns (next cursor, lines written)."""
    from wirefeed.output import RecordWriter

    writer = RecordWriter(output)
    cursor, n = since, 0
    try:
        for seq, line in lines(writer.existing):
            writer.write_line(line)
            cursor, n = seq, n + 1
    finally:
        writer.close()
    return cursor, n


def missing_notice(output: str, missing: int, state: str) -> str:
    """What a person is told when the output lacks lines the store confirmed into it."""
    return (
        f"{output} lacks {missing} records the state store {state} confirmed as written there (the file "
        f"was deleted, cut or replaced since); they are not emitted again by a crawl. Write them back "
        f"with: wirefeed export --state {state} -o {output}"
    )
