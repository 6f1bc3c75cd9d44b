"""The state store: decisions, versions, refinement, near-duplicates, two-phase writes, retention."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from wirefeed.errors import StoreError
from wirefeed.neardup import signature
from wirefeed.store import Decision, StateStore

TEXT = (
    "DEN HAAG (ANP) - Het kabinet wil de procedures voor woningbouw flink inkorten. De minister stuurt "
    "daarvoor deze week een wetsvoorstel naar de Tweede Kamer, meldt het ministerie."
)


def _emit(
    store: StateStore, sid: str, h: str, d: Decision, text: str | None = None, url: str | None = None
) -> None:
    store.reserve(sid, url, h, d, signature(text) if text else None, 1000)
    store.confirm(sid)


def test_new_duplicate_changed(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = StateStore(path)
    d = store.decide("wf1-a", "https://x/a", "h1")
    assert d.outcome == "new" and d.cluster_id == "wf1-a"
    _emit(store, "wf1-a", "h1", d, url="https://x/a")
    store.close()
    store = StateStore(path)  # survives a restart
    assert store.decide("wf1-a", "https://x/a", "h1").outcome == "duplicate"
    changed = store.decide("wf1-a", "https://x/a", "h2")
    assert (changed.outcome, changed.version, changed.previous_version) == ("changed", 2, 1)
    same_text = store.decide("wf1-b", "https://y/b", "h1")
    assert (same_text.outcome, same_text.duplicate_of) == ("duplicate", "wf1-a")
    assert store.known_urls(["https://x/a", "https://z"]) == {"https://x/a"}


def test_near_duplicate_joins_the_cluster(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite")
    d = store.decide("wf1-a", None, "h1", signature(TEXT))
    _emit(store, "wf1-a", "h1", d, TEXT)
    edited = TEXT.replace("flink", "sterk").replace("meldt het ministerie", "zegt een woordvoerder")
    near = store.decide("wf1-b", None, "h2", signature(edited))
    assert (near.outcome, near.duplicate_of, near.cluster_id) == ("new", "wf1-a", "wf1-a")
    other = "BRUSSEL (ANP) - De Europese Unie is het eens geworden over een nieuw steunpakket voor Oekraïne na een lange nacht."
    far = store.decide("wf1-c", None, "h3", signature(other))
    assert (far.outcome, far.duplicate_of, far.cluster_id) == ("new", None, "wf1-c")


def test_refined_interval_is_a_new_version_only_when_it_narrows_enough(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite", refine_min=900)
    d = store.decide("wf1-a", None, "h1", None, 0, 3600)
    _emit(store, "wf1-a", "h1", d)
    slightly = store.decide("wf1-a", None, "h1", None, 600, 3600)  # 10 minutes narrower: not enough
    assert slightly.outcome == "duplicate"
    store.remember_interval("wf1-a", slightly.earliest, slightly.latest, 1000)
    much = store.decide("wf1-a", None, "h1", None, 1200, 2400)
    assert (much.outcome, much.version, much.earliest, much.latest) == ("refined", 2, 1200, 2400)


def test_pending_rows_of_a_killed_run_are_rolled_back_or_confirmed(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite")
    for sid in ("wf1-a", "wf1-b"):
        store.reserve(sid, None, "h-" + sid, store.decide(sid, None, "h-" + sid), None, 1000)
    # the run is killed: only wf1-a's line reached the output
    confirmed, dropped = store.open_run([{"id": "wf1-a", "content_hash": "h-wf1-a", "version": 1}])
    assert (confirmed, dropped) == (1, 1)
    assert store.decide("wf1-a", None, "h-wf1-a").outcome == "duplicate"
    assert store.decide("wf1-b", None, "h-wf1-b").outcome == "new"


def test_retention_prunes_old_stories(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite")
    _emit(store, "wf1-a", "h1", store.decide("wf1-a", None, "h1", signature(TEXT)), TEXT)
    assert store.prune(before=2000) == 1
    assert store.count() == 0
    assert store.db.execute("SELECT count(*) FROM lsh").fetchone()[0] == 0


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


def test_records_lost_with_an_uncommitted_batch_are_rebuilt_from_the_output(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = StateStore(path)
    store.reserve("wf1-a", None, "h1", store.decide("wf1-a", None, "h1"), signature(TEXT), 1000)
    store.confirm("wf1-a")
    store.db.rollback()  # the process died before the batch was committed
    store.db.close()
    store = StateStore(path)
    assert store.decide("wf1-a", None, "h1").outcome == "new"
    store.open_run([{"id": "wf1-a", "content_hash": "h1", "version": 1, "text": TEXT}])
    assert store.decide("wf1-a", None, "h1").outcome == "duplicate"
    assert store.decide("wf1-z", None, "h9", signature(TEXT + " Extra.")).duplicate_of == "wf1-a"


def test_archived_stories_are_still_recognised(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite")
    _emit(store, "wf1-a", "h1", store.decide("wf1-a", None, "h1", signature(TEXT)), TEXT)
    assert store.archive(before=2000) == 1
    assert store.db.execute("SELECT count(*) FROM stories").fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM lsh").fetchone()[0] == 0
    assert store.decide("wf1-a", None, "h1").outcome == "duplicate"
    changed = store.decide("wf1-a", None, "h2")
    assert (changed.outcome, changed.version, changed.previous_version) == ("changed", 2, 1)
    _emit(store, "wf1-a", "h2", changed)
    assert store.decide("wf1-a", None, "h2").outcome == "duplicate"
    assert store.prune(before=10**10) == 2  # the live row and the archived one
    assert store.decide("wf1-a", None, "h1").outcome == "new"


def test_signature_is_computed_only_for_a_story_the_store_does_not_know(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite")
    calls: list[str] = []

    def lazy(text: str) -> Callable[[], Any]:
        return lambda: calls.append(text) or signature(text)

    first = store.decide("wf1-a", None, "h1", lazy(TEXT))
    assert first.outcome == "new" and calls == [TEXT]
    store.reserve("wf1-a", None, "h1", first, lambda: signature(TEXT), 1000)
    store.confirm("wf1-a")
    calls.clear()
    assert store.decide("wf1-a", None, "h1", lazy(TEXT)).outcome == "duplicate"  # same id, same text
    assert store.decide("wf1-b", None, "h1", lazy(TEXT)).outcome == "duplicate"  # same text elsewhere
    assert calls == []
    edited = TEXT.replace("deze week", "vandaag")
    near = store.decide("wf1-c", None, "h2", lazy(edited))  # new text: the near-duplicate check needs it
    assert calls == [edited] and near.duplicate_of == "wf1-a"


def test_foreign_sqlite_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    db.execute("INSERT INTO invoices VALUES (1, 9.5)")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"another application.s SQLite database.*invoices"):
        StateStore(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]  # no -wal, -shm or lock file


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="not a wirefeed state store"):
        StateStore(path)
    assert path.read_bytes() == b"my notes, not a database\n" * 100


def test_records_rebuilt_from_the_output_are_not_pruned_in_the_same_start(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.sqlite")
    now = 400 * 86400
    store.open_run([{"id": "wf1-a", "content_hash": "h1", "version": 1, "text": TEXT}], now)
    assert store.prune(now - 365 * 86400) == 0
    assert store.decide("wf1-a", None, "h1").outcome == "duplicate"


def test_ledger_frontier_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = StateStore(path)
    store.ledger.requested("http://x/list", "p")
    store.ledger.requested("http://x/a", "p", kind="article")
    store.ledger.page_done("http://x/list")
    store.close()
    store = StateStore(path)
    assert [(r.url, r.kind) for r in store.ledger.pending_requests()] == [("http://x/a", "article")]
    assert store.ledger.pending_count() == 1
