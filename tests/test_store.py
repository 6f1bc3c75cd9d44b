"""The state store: decisions, versions, schema version refusal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from wirefeed.errors import StoreError
from wirefeed.store import StateStore


def test_new_duplicate_changed(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = StateStore(path)
    assert store.decide("wf1-a", "https://x/a", "h1").outcome == "new"
    store.record("wf1-a", "https://x/a", "h1", 1, "2026-11-26T12:00:00Z")
    store.close()
    store = StateStore(path)  # survives a restart
    assert store.decide("wf1-a", "https://x/a", "h1").outcome == "duplicate"
    changed = store.decide("wf1-a", "https://x/a", "h2")
    assert (changed.outcome, changed.version) == ("changed", 2)
    same_text = store.decide("wf1-b", "https://y/b", "h1")
    assert (same_text.outcome, same_text.duplicate_of) == ("duplicate", "wf1-a")
    assert store.known_urls(["https://x/a", "https://z"]) == {"https://x/a"}


def test_other_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    StateStore(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="schema version 99"):
        StateStore(path)


def test_garbage_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(StoreError, match="not a wirefeed state store"):
        StateStore(path)
