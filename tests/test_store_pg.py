"""The PostgreSQL state store: the SQLite store's meaning, and one decision at a time across workers.

A real PostgreSQL server (initdb + pg_ctl on 127.0.0.1, a fresh database per test). The same sequence
of sightings gives the same outcomes, versions and clusters on both backends; two workers deciding
near-copies of the same stories at the same instant make one cluster per story; a restarted worker
settles only its own claims.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.servers import missing, postgres_server
from tests.wiresite import article_text
from wirefeed.identity import content_hash, story_id
from wirefeed.schemas import Article
from wirefeed.stages import dedup
from wirefeed.store import StateStore

pytestmark = pytest.mark.skipif(missing() is not None, reason=str(missing()))


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    with postgres_server() as url:
        yield url


_DBS = iter(range(10_000))


class Loop:
    """An asyncio loop of our own in a thread (the test process runs Twisted's asyncio reactor)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=300)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


@pytest.fixture
def run() -> Iterator[Callable[[Any], Any]]:
    loop = Loop()
    yield loop.run
    loop.close()


@pytest.fixture
def dsn(pg_server: str) -> str:
    import psycopg

    name = f"t{next(_DBS)}"
    with psycopg.connect(pg_server.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return pg_server.rsplit("/", 1)[0] + "/" + name


def record(n: int, portal: str = "a", *, lead_extra: str = "", body: str | None = None) -> Article:
    title, lead, text = article_text(n)
    lead += lead_extra
    text = text if body is None else body
    url = f"https://{portal}.example/a/{n}"
    return Article.model_validate(
        {
            "id": story_id(url=url, source=portal, title=title, lead=lead),
            "kind": "article",
            "url": url,
            "source": {"name": portal, "url": url},
            "title": title,
            "lead": lead,
            "body": text,
            "dateline": None,
            "published": None,
            "language": {"code": "nl", "confidence": 1.0, "source": "text"},
            "fetched_at": datetime(2026, 12, 1, 12, tzinfo=UTC),
            "content_hash": content_hash(title, lead, text),
        }
    )


def near_copy(n: int) -> Article:
    """Story ``n`` as a second portal runs it: retitled URL, a credit line added, the body shortened."""
    _, _, text = article_text(n)
    return record(n, "b", lead_extra=" Meer later.", body=text.rsplit(" ", 6)[0] + ".")


def pg_dedup(dsn: str, run: Callable[[Any], Any]) -> tuple[Callable[[Article], tuple[str, Any]], Any]:
    from wirefeed.store_pg import PgStateStore

    store = PgStateStore(dsn, run="r", worker="w1")

    def decide(rec: Article) -> tuple[str, Any]:
        claim = run(store.adedup(rec, 1_764_590_400))
        if claim.record is not None:
            store.confirm(rec.id)
        return claim.outcome, claim.record

    return decide, store


def sqlite_dedup(path: str) -> tuple[Callable[[Article], tuple[str, Any]], Any]:
    store = StateStore(path)

    def run(rec: Article) -> tuple[str, Any]:
        outcome, emitted = dedup(rec, store)
        if emitted is not None:
            store.confirm(rec.id)
        return outcome, emitted

    return run, store


def test_same_sightings_same_decisions_as_sqlite(dsn: str, tmp_path: Any, run: Callable[[Any], Any]) -> None:
    changed = record(1, body="Een heel andere tekst over de haven en de rechter, later op de dag.")
    sightings = [record(1), record(1), changed, record(2), near_copy(2), record(3)]
    expected = [  # outcome, version, previous version, cluster is the first story's
        ("new", 1, None, False),
        ("duplicate", None, None, None),
        ("changed", 2, 1, False),
        ("new", 1, None, False),
        ("new", 1, None, True),  # a near copy: its own record, in story 2's cluster
        ("new", 1, None, False),
    ]
    for backend in (sqlite_dedup(str(tmp_path / "s.sqlite")), pg_dedup(dsn, run)):
        decide, store = backend
        got = []
        for rec in sightings:
            outcome, emitted = decide(rec)
            if emitted is None:
                got.append((outcome, None, None, None))
            else:
                got.append(
                    (outcome, emitted.version, emitted.previous_version, emitted.cluster_id != emitted.id)
                )
        assert got == expected, type(store).__name__
        assert store.count() == 4
        store.close()


def test_two_workers_deciding_near_copies_at_once_make_one_cluster(
    dsn: str, run: Callable[[Any], Any]
) -> None:
    from wirefeed.store_pg import PgStateStore

    pairs = 300
    a = PgStateStore(dsn, run="r", worker="a")
    b = PgStateStore(dsn, run="r", worker="b")

    async def both() -> list[tuple[Any, Any]]:
        async def pair(n: int) -> tuple[Any, Any]:
            first, second = await asyncio.gather(a.adedup(record(n), 1), b.adedup(near_copy(n), 1))
            return first.record, second.record

        try:
            return await asyncio.gather(*(pair(n) for n in range(pairs)))
        finally:
            await a.aclose()
            await b.aclose()

    results = run(both())
    clusters = {r.cluster_id for pair in results for r in pair}
    assert all(x is not None and y is not None for x, y in results), "a near copy was taken for the same text"
    assert len(clusters) == pairs, f"{len(clusters)} clusters for {pairs} stories"
    assert all(x.cluster_id == y.cluster_id for x, y in results)
    a.close()
    b.close()


def test_a_restarted_worker_settles_only_its_own_claims(dsn: str, run: Callable[[Any], Any]) -> None:
    from wirefeed.store_pg import PgStateStore

    a = PgStateStore(dsn, run="r", worker="a")
    b = PgStateStore(dsn, run="r", worker="b")

    async def claim() -> None:
        for store, n in ((a, 1), (a, 2), (b, 3)):
            await store.adedup(record(n), 1)
        await a.aclose()
        await b.aclose()

    run(claim())
    written = record(1)  # worker a wrote story 1's line, then was killed before confirming it
    line = {"id": written.id, "content_hash": written.content_hash, "version": 1}
    restarted = PgStateStore(dsn, run="r", worker="a")
    assert restarted.open_run([line]) == (1, 1)  # 1 confirmed from the output, story 2 released
    assert restarted.count() == 1
    exported = [Article.model_validate_json(line) for _, line in restarted.export()]
    assert [(r.id, r.cluster_id, r.version) for r in exported] == [(written.id, written.id, 1)]
    # b's claim (story 3) is still b's: a third worker sees it as taken
    c = PgStateStore(dsn, run="r", worker="c")
    assert run(c.adedup(record(3), 1)).outcome == "duplicate"
    assert run(c.adedup(record(2), 1)).outcome == "new"
    run(c.aclose())
    for s in (a, b, c, restarted):
        s.close()


def retitled(rec: Article, portal: str) -> Article:
    """The same lead and body (the same signature, the same bands) under another title and URL."""
    url = f"https://{portal}.example/x"
    title = f"{rec.title} ({portal})"
    return rec.model_copy(
        update={
            "id": story_id(url=url, source=portal, title=title, lead=rec.lead),
            "url": url,
            "title": title,
            "content_hash": content_hash(title, rec.lead, rec.body),
        }
    )


def test_both_stores_compare_only_the_latest_stories_of_each_band(
    dsn: str, tmp_path: Any, run: Callable[[Any], Any]
) -> None:
    """The lookup bound (wirefeed.neardup.candidates_sql) on both backends: story 1 is found by a copy
    while fewer than ``CANDIDATES_PER_BAND`` later stories sit in each of its bands, then it is not."""
    from wirefeed.neardup import CANDIDATES_PER_BAND, band_keys, pack, signature

    first = record(1)
    sig = signature(f"{first.lead}\n{first.body}")
    assert sig is not None
    bands = band_keys(pack(sig))
    for backend, rowid in ((sqlite_dedup(str(tmp_path / "s.sqlite")), "rowid"), (pg_dedup(dsn, run), "rid")):
        decide, store = backend
        name = type(store).__name__
        decide(first)
        (top,) = store.db.execute(f"SELECT max({rowid}) FROM stories").fetchone()
        fill = "INSERT INTO lsh VALUES (%s, %s)" if rowid == "rid" else "INSERT INTO lsh VALUES (?, ?)"
        for k in bands:  # later stories in every band of story 1: one short of the bound
            for i in range(CANDIDATES_PER_BAND - 1):
                store.db.execute(fill, (k, top + 1000 + i))
        _, joined = decide(retitled(first, "b"))
        assert (joined.cluster_id, joined.duplicate_of) == (first.id, first.id), name
        for k in bands:  # now 32 later ones (and the copy): story 1 and its copy are past the bound
            store.db.execute(fill, (k, top + 10_000))
            store.db.execute(fill, (k, top + 10_001))
        _, alone = decide(retitled(first, "c"))
        assert (alone.cluster_id, alone.duplicate_of) == (alone.id, None), name
        store.close()


def test_a_dead_workers_work_is_taken_over_after_its_lease(
    dsn: str, tmp_path: Any, run: Callable[[Any], Any]
) -> None:
    """Worker a claimed two records and wrote one line before it died: b, once a's lease ran out,
    confirms the written one from a's output, releases the other, takes a's pages; a is refused."""
    import json

    from wirefeed.errors import StoreError
    from wirefeed.store_pg import PgStateStore

    output = tmp_path / "a.jsonl"
    a = PgStateStore(dsn, run="r", worker="a")
    a.ledger.join(str(output))
    a.leased = True
    a.ledger.requested("https://a.example/a/1", "wire", 0, "article")
    a.ledger.requested("https://a.example/a/2", "wire", 0, "article")
    written, unwritten = run(a.adedup(record(1), 1)).record, run(a.adedup(record(2), 1)).record
    line = {"id": written.id, "content_hash": written.content_hash, "version": 1}
    output.write_text(json.dumps(line) + "\n" + '{"id": "cut', "utf-8")  # killed mid-line
    b = PgStateStore(dsn, run="r", worker="b")
    b.ledger.join(None)
    assert b.take_over(lease=3600) == []  # a's lease has not run out
    (took,) = b.take_over(lease=0)
    assert (took.worker, took.verified, took.confirmed, took.released) == ("a", True, 1, 1)
    assert sorted(p.url for p in took.pages) == ["https://a.example/a/1", "https://a.example/a/2"]
    assert output.read_text("utf-8") == json.dumps(line) + "\n"  # the partial line cut
    assert b.ledger.holders() == {"b": 2}
    assert [Article.model_validate_json(r).id for _, r in b.export()] == [written.id]
    assert not a.ledger.beat() and a.ledger.lost  # a, were it only stalled, learns it must stop
    with pytest.raises(StoreError, match="lease"):
        run(a.adedup(record(3), 1))
    assert run(b.adedup(unwritten, 1)).outcome == "new"  # released: decided again when fetched again
    run(a.aclose())
    run(b.aclose())
    a.close()
    b.close()


def test_export_appends_only_what_the_file_lacks(dsn: str, run: Callable[[Any], Any], tmp_path: Any) -> None:
    """``wirefeed export`` of the shared store, run twice from cursor 0 and over a file that lost a line:
    every confirmed record is in the file once (before, each run appended them all again)."""
    import json

    from wirefeed.store_pg import PgStateStore, export

    store = PgStateStore(dsn, run="r", worker="a")

    async def claim() -> None:
        for n in (1, 2):
            await store.adedup(record(n), 1)
        await store.aclose()

    run(claim())
    for n in (1, 2):
        store.confirm(record(n).id)
    store.close()
    out = tmp_path / "all.jsonl"
    assert export(dsn, output=str(out)) == 0
    assert export(dsn, output=str(out)) == 0  # from cursor 0 again: nothing new
    ids = sorted(record(n).id for n in (1, 2))
    assert sorted(json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()) == ids
    out.write_text(out.read_text("utf-8").splitlines()[1] + "\n", "utf-8")  # the first line is lost
    assert export(dsn, output=str(out)) == 0
    assert sorted(json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()) == ids
