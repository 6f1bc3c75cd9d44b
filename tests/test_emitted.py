"""The store's copy of every confirmed line (wirefeed/emitted.py): kept as long as its story is
remembered, and written back by ``wirefeed export`` only where the file lacks it. A real SQLite store
and real output files."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.test_store_pg import record as pg_record
from wirefeed.cli import main
from wirefeed.emitted import confirm_written
from wirefeed.output import RecordWriter
from wirefeed.schemas import Article
from wirefeed.stages import dedup
from wirefeed.store import StateStore

LONG_AGO = datetime(2025, 1, 10, 12, tzinfo=UTC)
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
RETENTION = timedelta(days=365)


def record(n: int, fetched_at: datetime) -> Article:
    """Story ``n`` of the shared-store tests, fetched at ``fetched_at``."""
    return pg_record(n).model_copy(update={"fetched_at": fetched_at})


def test_a_line_is_kept_while_its_story_is_seen_and_forgotten_with_it(tmp_path: Path) -> None:
    """Stories 1 and 2 were emitted long ago; story 1 is still seen (a duplicate sighting now), story 2
    not. Retention forgets story 2 and its line; story 1's line stays, so export can still re-make a
    lost output with it (before, lines went by the age of their confirmation: story 1's too)."""
    out, state = tmp_path / "out.jsonl", tmp_path / "s.sqlite"
    store = StateStore(state)
    writer = RecordWriter(out)
    for n in (1, 2):
        outcome, emitted = dedup(record(n, LONG_AGO), store)
        assert outcome == "new" and emitted is not None
        confirm_written(store, writer, emitted, writer.write(emitted))
    assert dedup(record(1, NOW), store) == ("duplicate", None)  # story 1 seen again, now
    writer.close()
    store.prune(int((NOW - RETENTION).timestamp()))  # what a run starting now does
    kept = [json.loads(line)["id"] for _, line in store.emitted.lines()]
    assert kept == [record(1, NOW).id]
    store.close()
    out.unlink()  # the output is lost: the store writes back what it still remembers
    assert main(["export", "--state", str(state), "-o", str(out)]) == 0
    assert [json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()] == kept
