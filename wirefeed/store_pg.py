"""The shared state store: the same memory as :mod:`wirefeed.store`, in PostgreSQL, for many workers.

Several workers (processes, machines) crawl one run and decide against one store. The meaning is the
SQLite store's — seen stories, versions, refined intervals, near-duplicate clusters, the compact
archive, retention, the ledger — with what sharing adds:

* **Decisions are transactions.** Each one takes transaction-scoped advisory locks on the story id,
  its content hash and its LSH band keys, in ascending order (no deadlock), then reads, decides and
  writes the reservation before it commits. Two workers deciding near-copies of one wire story at the
  same instant share a band key, so the second waits and sees the first: one cluster, not two.
* **Claims have owners.** A reservation is a claim of the worker that made it (``owner``), confirmed
  once its line is in that worker's output; the emitted record itself is kept (``emitted``), with a
  sequence number given in commit order, so ``wirefeed export --since CURSOR`` streams every confirmed
  record once, in one order. A restarted worker reconciles only its own claims with its own output.
* **The ledger is per run and has owners too** (:class:`PgLedger`): a request popped from the shared
  frontier is claimed by the worker that popped it, so a SIGKILLed worker's popped requests are known
  and fetched again when it restarts (with the same ``-o``).

Decisions run on an asyncio connection (psycopg 3) from ``async def process_item``, serialized by a
lock (Scrapy processes several items at once; one connection per worker keeps the server's load
flat). The ledger and the few calls outside the pipeline use a second, synchronous connection.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wirefeed.errors import LockError, StoreError
from wirefeed.ledger import PendingRequest
from wirefeed.lock import acquire, release
from wirefeed.neardup import band_keys, best_cluster, candidates_sql, pack, signature
from wirefeed.output import read_back
from wirefeed.store import Decision, decide_known

__all__ = ["SCHEMA_VERSION", "PgLedger", "PgStateStore", "export", "is_postgres"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stories (
    rid BIGSERIAL UNIQUE,
    id TEXT PRIMARY KEY,
    url TEXT,
    content_hash TEXT NOT NULL,
    version INTEGER NOT NULL,
    cluster_id TEXT NOT NULL,
    earliest BIGINT,
    latest BIGINT,
    emitted_width BIGINT,
    sig BYTEA,
    pending BOOLEAN NOT NULL,
    owner TEXT,                  -- the worker whose output the pending record goes to
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_hash ON stories(content_hash);
CREATE INDEX IF NOT EXISTS stories_url ON stories(url);
CREATE INDEX IF NOT EXISTS stories_seen ON stories(last_seen);
CREATE INDEX IF NOT EXISTS stories_claims ON stories(owner) WHERE pending;
CREATE TABLE IF NOT EXISTS lsh (band_key BIGINT NOT NULL, story BIGINT NOT NULL, PRIMARY KEY (band_key, story));
CREATE TABLE IF NOT EXISTS sightings (id TEXT NOT NULL, seen_at BIGINT NOT NULL, page TEXT NOT NULL, stamp TEXT);
CREATE INDEX IF NOT EXISTS sightings_id ON sightings(id);
CREATE INDEX IF NOT EXISTS sightings_seen ON sightings(seen_at);
CREATE TABLE IF NOT EXISTS archive (
    id_key BIGINT PRIMARY KEY, hash_key BIGINT NOT NULL, version INTEGER NOT NULL, seen_day INTEGER NOT NULL
);
-- Every record a worker emitted, numbered in confirmation order (NULL until confirmed): the stream
-- behind `wirefeed export --since`.
CREATE SEQUENCE IF NOT EXISTS emitted_seq;
CREATE TABLE IF NOT EXISTS emitted (
    story TEXT NOT NULL, version INTEGER NOT NULL, record TEXT NOT NULL, seq BIGINT UNIQUE,
    PRIMARY KEY (story, version)
);
CREATE TABLE IF NOT EXISTS frontier (
    run TEXT NOT NULL, url TEXT NOT NULL, profile TEXT NOT NULL, hops INTEGER NOT NULL, kind TEXT NOT NULL,
    owner TEXT,                  -- the worker that popped it from the shared frontier
    since DOUBLE PRECISION NOT NULL,  -- when it was made or popped (the server's clock)
    PRIMARY KEY (run, url)
);
CREATE TABLE IF NOT EXISTS teasers (
    run TEXT NOT NULL, article TEXT NOT NULL, teaser TEXT NOT NULL, PRIMARY KEY (run, article, teaser)
);
-- The workers of a shared run and their leases: a worker whose beat is older than the lease is dead,
-- and another takes over its work (lost: taken over; a beat then tells the worker to stop).
CREATE TABLE IF NOT EXISTS workers (
    run TEXT NOT NULL, worker TEXT NOT NULL,
    host TEXT NOT NULL, output TEXT,  -- where its output is (read by a worker that takes over)
    beat DOUBLE PRECISION NOT NULL, lost BOOLEAN NOT NULL,
    PRIMARY KEY (run, worker)
);
-- Articles whose teasers were quarantined article-not-fetched (wirefeed.ledger): not quarantined twice.
CREATE TABLE IF NOT EXISTS quarantined (article TEXT PRIMARY KEY, reason TEXT NOT NULL, seen_at BIGINT NOT NULL);
-- Stamps seen on listings for an article another worker may fetch (the spider's evidence).
CREATE TABLE IF NOT EXISTS evidence (
    run TEXT NOT NULL, article TEXT NOT NULL, stamp TEXT NOT NULL, PRIMARY KEY (run, article, stamp)
);
"""

_NOW = "extract(epoch from clock_timestamp())"
_EXPORT_LOCK = 0x77697265  # one confirmation at a time gets the next number: numbers in commit order


def is_postgres(state: str | None) -> bool:
    return bool(state) and str(state).startswith(("postgresql://", "postgres://"))


def _key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


@dataclass(slots=True)
class Takeover:
    """What a worker took over from a dead one: its pages (to fetch again) and how its unconfirmed
    records were settled — ``confirmed`` (the line is in its output), ``released`` (it is not: decided
    again when the page is fetched again). ``verified`` is False when its output could not be read
    (another machine, standard output): its records were then all released, and those it had written
    may be in two outputs (``wirefeed export`` still has each once)."""

    worker: str
    verified: bool
    confirmed: int = 0
    released: int = 0
    pages: list[PendingRequest] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Claim:
    """What a decision wrote: the outcome and the record to emit (``None``: a duplicate)."""

    outcome: str
    record: Any | None


class PgLedger:
    """The ledger of one run in PostgreSQL: the same methods as :class:`wirefeed.ledger.Ledger`, plus
    owners (``claim``), so the pages a dead worker held are known."""

    def __init__(self, conn: Any, run: str, worker: str) -> None:
        self.conn = conn
        self.run = run
        self.worker = worker
        # With the shared frontier (wirefeed.spiders.shared) a request is entered when it passes the
        # run's seen-set, and claimed when popped; alone, a worker claims what it requests.
        self.shared = False
        self.lost = False  # another worker took this one's work over: it ends nothing any more
        self.announced: dict[str, tuple[str, int, str]] = {}
        self.recovering: dict[str, PendingRequest] = {}
        rows = self._x(
            "SELECT url, profile, hops, kind FROM frontier WHERE run=%s AND owner=%s ORDER BY since",
            (run, worker),
        )
        self._held = [PendingRequest(*row) for row in rows]

    def _x(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.conn.execute(sql, params)

    def requested(self, url: str, profile: str, hops: int = 0, kind: str = "page") -> None:
        """A request was made: pending from now (shared: from when it passes the seen-set)."""
        if self.shared:
            self.announced[url] = (profile, hops, kind)
            return
        self._x(
            f"INSERT INTO frontier VALUES (%s, %s, %s, %s, %s, %s, {_NOW}) ON CONFLICT DO NOTHING",
            (self.run, url, profile, hops, kind, self.worker),
        )

    def enter(self, url: str) -> None:
        """The request for ``url`` passed the run's seen-set and goes into the shared queue."""
        profile, hops, kind = self.announced.pop(url, ("", 0, "page"))
        self._x(
            f"INSERT INTO frontier VALUES (%s, %s, %s, %s, %s, NULL, {_NOW}) ON CONFLICT DO NOTHING",
            (self.run, url, profile, hops, kind),
        )

    def claim(self, url: str) -> None:
        """This worker popped ``url`` from the shared frontier: it holds the page until page_done."""
        self._x(
            f"UPDATE frontier SET owner=%s, since={_NOW} WHERE run=%s AND url=%s",
            (self.worker, self.run, url),
        )

    def page_done(self, url: str) -> None:
        """The page reached its end here: off the ledger, if it is still this worker's (a page another
        worker took over, or that this worker held once its lease was lost, is not its to end)."""
        if not self.lost:
            self._x("DELETE FROM frontier WHERE run=%s AND url=%s AND owner=%s", (self.run, url, self.worker))

    def pending_requests(self) -> list[PendingRequest]:
        """The pages this worker held when it stopped (a restart fetches them again): read when the
        worker starts, before it claims anything new — what it claims afterwards is its current work."""
        pending, self._held = self._held, []
        return pending

    def take_back(self) -> None:
        """Shared mode: the pages held before the restart go back into the queue past the seen-set
        (which knows them already) — a start URL among them too."""
        self.shared = True
        self.recovering.update((p.url, p) for p in self._held)

    def orphans(self, timeout: float) -> list[PendingRequest]:
        """Pending pages that nobody holds and that have not been queued for ``timeout`` seconds (a
        worker was killed between taking them from the shared queue and claiming them, or between
        the seen-set and the queue; or a worker that stopped handed them back). Marked as queued again
        in the same statement, so one worker re-queues each."""
        rows = self._x(
            f"UPDATE frontier SET since={_NOW} WHERE run=%s AND owner IS NULL AND since < {_NOW} - %s "
            "RETURNING url, profile, hops, kind",
            (self.run, timeout),
        )
        return [PendingRequest(*row) for row in rows]

    def join(self, output: str | None) -> None:
        """This worker takes part in the run, writing to ``output`` (an absolute path, or None): its
        lease starts now (a restarted worker's too)."""
        self._x(
            f"INSERT INTO workers VALUES (%s, %s, %s, %s, {_NOW}, false) ON CONFLICT (run, worker) "
            "DO UPDATE SET host=excluded.host, output=excluded.output, beat=excluded.beat, lost=false",
            (self.run, self.worker, socket.gethostname(), output),
        )

    def beat(self) -> bool:
        """Renew this worker's lease; False if another worker took its work over (it must stop)."""
        row = self._x(
            f"UPDATE workers SET beat={_NOW} WHERE run=%s AND worker=%s AND NOT lost RETURNING 1",
            (self.run, self.worker),
        ).fetchone()
        self.lost = self.lost or row is None
        return row is not None

    def hand_back(self) -> int:
        """A worker that stops (SIGTERM, a CLOSESPIDER limit) hands the pages it holds back to the run
        for others to fetch at once — unless a record of its own is still unconfirmed (an output that
        failed): then they wait for its restart or its lease."""
        cur = self._x(
            "UPDATE frontier SET owner=NULL, since=0 WHERE run=%s AND owner=%s "
            "AND NOT EXISTS (SELECT 1 FROM stories WHERE pending AND owner=%s)",
            (self.run, self.worker, self.worker),
        )
        return int(cur.rowcount)

    def holders(self) -> dict[str, int]:
        """Pending pages per worker holding them (``""``: queued, or nobody)."""
        rows = self._x(
            "SELECT coalesce(owner, ''), count(*) FROM frontier WHERE run=%s GROUP BY 1", (self.run,)
        )
        return {r[0]: int(r[1]) for r in rows}

    def release(self, url: str) -> None:
        """Hand a page back to the shared frontier (it is pushed there again)."""
        self._x(f"UPDATE frontier SET owner=NULL, since={_NOW} WHERE run=%s AND url=%s", (self.run, url))

    def teaser_waits(self, article: str, teaser: dict[str, Any]) -> None:
        self._x(
            "INSERT INTO teasers VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            (self.run, article, json.dumps(teaser, ensure_ascii=False, sort_keys=True, default=str)),
        )

    def teasers_for(self, article: str) -> list[dict[str, Any]]:
        rows = self._x("SELECT teaser FROM teasers WHERE run=%s AND article=%s", (self.run, article))
        return [json.loads(r[0]) for r in rows]

    def teasers_settled(self, article: str) -> None:
        if self.lost:
            return
        self._x("DELETE FROM teasers WHERE run=%s AND article=%s", (self.run, article))

    def waiting_articles(self) -> list[str]:
        return [r[0] for r in self._x("SELECT DISTINCT article FROM teasers WHERE run=%s", (self.run,))]

    def stamp_seen(self, article: str, stamp: dict[str, str]) -> None:
        """A listing showed ``stamp`` for ``article`` (canonical URL): whichever worker fetches the
        article takes it as evidence."""
        self._x(
            "INSERT INTO evidence VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            (self.run, article, json.dumps(stamp, sort_keys=True)),
        )

    def stamps_for(self, article: str) -> list[dict[str, str]]:
        """Kept until the run is drained: a worker killed before it emitted the article's record
        leaves them for the next fetch of that article."""
        rows = self._x("SELECT stamp FROM evidence WHERE run=%s AND article=%s", (self.run, article))
        return [json.loads(r[0]) for r in rows]

    def was_quarantined(self, article: str) -> bool:
        return self._x("SELECT 1 FROM quarantined WHERE article=%s", (article,)).fetchone() is not None

    def quarantined(self, article: str, reason: str, seen_at: int) -> None:
        self._x(
            "INSERT INTO quarantined VALUES (%s, %s, %s) ON CONFLICT DO NOTHING", (article, reason, seen_at)
        )

    def durable(self) -> None:
        """Every ledger write has committed already (see :meth:`wirefeed.ledger.Ledger.durable`)."""

    def drained(self) -> None:
        """The run is over: its stamps are no longer needed."""
        self._x("DELETE FROM evidence WHERE run=%s", (self.run,))

    def pending_count(self) -> int:
        """Pages and teasers of the run not yet at an end, on every worker: the run is over at zero."""
        row = self._x(
            "SELECT (SELECT count(*) FROM frontier WHERE run=%s) + (SELECT count(*) FROM teasers WHERE run=%s)",
            (self.run, self.run),
        ).fetchone()
        return int(row[0])


class PgStateStore:
    """The state store in PostgreSQL (``dsn``: ``postgresql://USER@HOST:PORT/DB``), for the worker
    ``worker`` of run ``run``. Same methods as :class:`wirefeed.store.StateStore`; decisions are made
    with :meth:`adedup`."""

    def __init__(self, dsn: str, *, run: str, worker: str, refine_min: int = 900) -> None:
        import psycopg

        self.dsn = dsn
        self.run = run
        self.worker = worker
        self.refine_min = refine_min
        self.before_commit: list[Any] = []  # the SQLite store's hook; every write here commits at once
        try:
            self.db = psycopg.connect(dsn, autocommit=True)
        except psycopg.OperationalError as exc:
            raise StoreError(
                dsn, f"cannot connect ({str(exc).strip()}); is PostgreSQL running there?"
            ) from None
        self._migrate()
        self.ledger = PgLedger(self.db, run, worker)
        self._adb: Any = None
        self._lock = asyncio.Lock()  # one decision at a time on the one connection
        self.spent = 0.0  # seconds in decisions (the shared state's cost per story)
        self.leased = False  # a worker of a shared run (wirefeed.spiders.shared): decisions renew its lease

    def _migrate(self) -> None:
        with self.db.transaction():
            self.db.execute("SELECT pg_advisory_xact_lock(%s)", (_key("wirefeed-schema"),))
            self.db.execute(_SCHEMA)
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None:
                self.db.execute("INSERT INTO meta VALUES ('schema_version', %s)", (str(SCHEMA_VERSION),))
            elif int(row[0]) != SCHEMA_VERSION:
                raise StoreError(
                    self.dsn,
                    f"written by shared schema version {row[0]}, this wirefeed reads version "
                    f"{SCHEMA_VERSION}; use another database",
                )

    # --- decisions (asyncio) ------------------------------------------------------------------------
    async def _conn(self) -> Any:
        if self._adb is None:
            import psycopg

            self._adb = await psycopg.AsyncConnection.connect(self.dsn)
        return self._adb

    async def adedup(self, record: Any, seen_at: int) -> Claim:
        """Decide ``record`` in one transaction under locks on its id, hash and band keys, and write
        what the decision means (a claim to emit, or the duplicate sighting).

        The statements are pipelined: the locks and every read go in one round trip (the server runs
        them in order, so the reads wait for the locks), the writes and the commit in a second."""
        sig = signature("\n".join(p for p in (record.lead, record.body) if p) or record.title or "")
        packed = pack(sig) if sig is not None else None
        bands = band_keys(packed) if packed is not None else []
        pub = record.published
        earliest = int(pub.earliest.timestamp()) if pub and pub.earliest else None
        latest = int(pub.latest.timestamp()) if pub and pub.latest else None
        stamp = pub.raw if pub else None
        locks = sorted({_key("id:" + record.id), _key("hash:" + record.content_hash), *bands})
        async with self._lock:
            conn = await self._conn()
            t = time.perf_counter()
            try:
                return await self._adedup(
                    conn, record, sig_parts=(packed, bands, earliest, latest, stamp, locks), seen_at=seen_at
                )
            finally:
                self.spent += time.perf_counter() - t

    async def _adedup(self, conn: Any, record: Any, *, sig_parts: tuple[Any, ...], seen_at: int) -> Claim:
        from wirefeed.stages import apply_decision

        packed, bands, earliest, latest, stamp, locks = sig_parts
        async with conn.pipeline(), conn.transaction():
            lease = None
            if self.leased:  # refused once another worker took this one's work over
                # A plain read: a row lock here would make the heartbeat (the synchronous connection,
                # on the reactor thread) wait for this transaction, which waits for the reactor.
                lease = await conn.execute(
                    "SELECT 1 FROM workers WHERE run=%s AND worker=%s AND NOT lost", (self.run, self.worker)
                )
            await conn.execute(
                "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT unnest(%s::bigint[]) AS k ORDER BY 1) s",
                (locks,),
            )
            reads = [
                await conn.execute(
                    "SELECT content_hash, version, cluster_id, earliest, latest, emitted_width "
                    "FROM stories WHERE id=%s",
                    (record.id,),
                ),
                await conn.execute(
                    "SELECT hash_key, version FROM archive WHERE id_key=%s", (_key(record.id),)
                ),
                await conn.execute(
                    "SELECT id, cluster_id FROM stories WHERE content_hash=%s LIMIT 1", (record.content_hash,)
                ),
            ]
            if bands:  # the same bounded lookup as the SQLite store's (wirefeed.neardup.candidates_sql)
                reads.append(
                    await conn.execute(
                        f"SELECT s.cluster_id, s.sig FROM stories s WHERE s.rid IN "
                        f"({candidates_sql(len(bands), '%s')}) AND s.sig IS NOT NULL",
                        bands,
                    )
                )
            if lease is not None and await lease.fetchone() is None:
                self.ledger.lost = True
                raise StoreError(
                    self.dsn,
                    f"the lease of worker {self.worker} ran out and another worker took over its work; "
                    "it stops (start it again to rejoin the run, or raise WIREFEED_WORKER_LEASE)",
                )
            known, archived, other = [await c.fetchone() for c in reads[:3]]
            near = await reads[3].fetchall() if bands else []
            decision = self._decide(record, known, archived, other, near, packed, earliest, latest)
            if decision.outcome == "duplicate":
                known_id = decision.duplicate_of or record.id
                await conn.execute(
                    "UPDATE stories SET earliest=coalesce(%s, earliest), latest=coalesce(%s, latest), "
                    "last_seen=%s WHERE id=%s",
                    (decision.earliest, decision.latest, seen_at, known_id),
                )
                await conn.execute(
                    "INSERT INTO sightings VALUES (%s, %s, %s, %s)",
                    (known_id, seen_at, record.source.url, stamp),
                )
                return Claim("duplicate", None)
            emitted = apply_decision(record, decision)
            await self._reserve(conn, emitted, decision, packed, bands, seen_at)
            await conn.execute(
                "INSERT INTO sightings VALUES (%s, %s, %s, %s)",
                (record.id, seen_at, record.source.url, stamp),
            )
            return Claim(decision.outcome, emitted)

    def _decide(
        self,
        record: Any,
        known: Any,
        archived: Any,
        other: Any,
        near: list[Any],
        packed: Any,
        earliest: int | None,
        latest: int | None,
    ) -> Decision:
        """The SQLite store's decision (same order of evidence) over rows read from PostgreSQL."""
        if known is not None:
            return decide_known(record.id, known, record.content_hash, earliest, latest, self.refine_min)
        if archived is not None:
            if archived[0] == _key(record.content_hash):
                return Decision("duplicate", archived[1], None, record.id, record.id)
            return Decision("changed", archived[1] + 1, archived[1], None, record.id, earliest, latest)
        if other is not None:
            return Decision("duplicate", 1, None, other[0], other[1])
        best = best_cluster(packed, near) if packed is not None else None
        if best is not None:
            return Decision("new", 1, None, best, best, earliest, latest)
        return Decision("new", 1, None, None, record.id, earliest, latest)

    async def _reserve(
        self, conn: Any, record: Any, decision: Decision, packed: Any, bands: list[int], seen_at: int
    ) -> None:
        width = (
            None
            if decision.earliest is None or decision.latest is None
            else decision.latest - decision.earliest
        )
        await conn.execute(
            "WITH s AS (INSERT INTO stories (id, url, content_hash, version, cluster_id, earliest, latest, "
            "emitted_width, sig, pending, owner, first_seen, last_seen) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, true, %s, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET content_hash=excluded.content_hash, version=excluded.version, "
            "earliest=excluded.earliest, latest=excluded.latest, emitted_width=excluded.emitted_width, "
            "pending=true, owner=excluded.owner, last_seen=excluded.last_seen, "
            "url=coalesce(excluded.url, stories.url) RETURNING rid, (xmax = 0) AS fresh) "
            "INSERT INTO lsh SELECT k, s.rid FROM s, unnest(%s::bigint[]) AS k WHERE s.fresh "
            "ON CONFLICT DO NOTHING",
            (
                record.id,
                record.url,
                record.content_hash,
                decision.version,
                decision.cluster_id or record.id,
                decision.earliest,
                decision.latest,
                width,
                packed.tobytes() if packed is not None else None,
                self.worker,
                seen_at,
                seen_at,
                bands,
            ),
        )
        await conn.execute(
            "INSERT INTO emitted VALUES (%s, %s, %s, NULL) ON CONFLICT (story, version) "
            "DO UPDATE SET record=excluded.record, seq=NULL",
            (record.id, record.version, record.model_dump_json()),
        )

    # --- two-phase writes ---------------------------------------------------------------------------
    def confirm(self, story_id: str, owner: str | None = None) -> None:
        """The record is in the output of ``owner`` (this worker): the claim is settled and numbered
        for export. One statement; the export lock it takes first makes the numbers follow the commit
        order. A claim another worker took over is no longer this worker's to confirm."""
        self.db.execute(
            "WITH l AS (SELECT pg_advisory_xact_lock(%s)), "
            "c AS (UPDATE stories SET pending=false, owner=NULL WHERE id=%s AND pending AND owner=%s "
            "AND (SELECT true FROM l) RETURNING id, version) "
            "UPDATE emitted e SET seq=nextval('emitted_seq') FROM c "
            "WHERE e.story=c.id AND e.version=c.version AND e.seq IS NULL",
            (_EXPORT_LOCK, story_id, owner or self.worker),
        )

    def take_over(self, lease: float) -> list[Takeover]:
        """The work of every worker of the run whose lease (its last beat) is older than ``lease``
        seconds: it is marked lost, its unconfirmed records are settled against its output, and its
        pending pages become this worker's (the caller fetches them again)."""
        dead = self.db.execute(
            f"SELECT worker, host, output FROM workers w WHERE run=%s AND worker<>%s AND beat < {_NOW} - %s "
            "AND (EXISTS (SELECT 1 FROM frontier f WHERE f.run=w.run AND f.owner=w.worker) "
            "OR EXISTS (SELECT 1 FROM stories s WHERE s.pending AND s.owner=w.worker))",
            (self.run, self.worker, lease),
        ).fetchall()
        import psycopg

        took = []
        for worker, host, output in dead:
            try:
                if (one := self._take_over(worker, host, output, lease)) is not None:
                    took.append(one)
            except psycopg.errors.LockNotAvailable:
                continue  # busy: the next idle round tries again
        return took

    def _take_over(self, dead: str, host: str, output: str | None, lease: float) -> Takeover | None:
        path = Path(output) if output and host == socket.gethostname() else None
        if path is not None:
            try:  # the dead worker's output lock: held means it is alive after all (a stalled process)
                acquire(path)
            except LockError:
                return None
        try:
            with self.db.transaction():
                # Waits on this connection block the reactor thread; a lock held by a transaction that
                # waits for this worker's own decisions would never come free. Give up, retry later.
                self.db.execute("SET LOCAL lock_timeout = '2s'")
                lost = self.db.execute(
                    f"UPDATE workers SET lost=true WHERE run=%s AND worker=%s AND beat < {_NOW} - %s "
                    "RETURNING 1",
                    (self.run, dead, lease),
                ).fetchone()
                if lost is None:  # it beat again meanwhile
                    return None
                took = Takeover(dead, verified=path is not None)
                lines = (
                    {(r["id"], r["content_hash"], int(r["version"])) for r in read_back(path)}
                    if path
                    else set()
                )
                claims = self.db.execute(
                    "SELECT id, content_hash, version FROM stories WHERE pending AND owner=%s FOR UPDATE",
                    (dead,),
                ).fetchall()
                for story_id, content_hash, version in claims:
                    if (story_id, content_hash, version) in lines:
                        self.confirm(story_id, owner=dead)
                        took.confirmed += 1
                    else:
                        self._forget_claim(story_id, version)
                        took.released += 1
                rows = self.db.execute(
                    f"UPDATE frontier SET owner=%s, since={_NOW} WHERE run=%s AND owner=%s "
                    "RETURNING url, profile, hops, kind",
                    (self.worker, self.run, dead),
                ).fetchall()
                took.pages = [PendingRequest(*r) for r in rows]
                return took
        finally:
            if path is not None:
                release(path)

    def open_run(self, emitted: Iterable[dict[str, Any]] = (), now: int = 0) -> tuple[int, int]:
        """A (re)starting worker settles its own claims: those whose line is in its output are
        confirmed, the others released (their pages are still pending in the ledger and are fetched
        again). Other workers' claims are theirs. Returns (reconciled, dropped)."""
        lines = {(r["id"], r["content_hash"], int(r["version"])) for r in emitted}
        claims = self.db.execute(
            "SELECT id, content_hash, version FROM stories WHERE pending AND owner=%s", (self.worker,)
        ).fetchall()
        reconciled = dropped = 0
        for story_id, content_hash, version in claims:
            if (story_id, content_hash, version) in lines:
                self.confirm(story_id)
                reconciled += 1
            else:
                self._forget_claim(story_id, version)
                dropped += 1
        return reconciled, dropped

    def _forget_claim(self, story_id: str, version: int) -> None:
        with self.db.transaction():
            self.db.execute(
                "DELETE FROM emitted WHERE story=%s AND version=%s AND seq IS NULL", (story_id, version)
            )
            self._forget(story_id)  # as the SQLite store does with a pending row

    def _forget(self, story_id: str) -> None:
        row = self.db.execute("DELETE FROM stories WHERE id=%s RETURNING rid", (story_id,)).fetchone()
        if row is not None:
            self.db.execute("DELETE FROM lsh WHERE story=%s", (row[0],))

    def flush(self) -> None:
        """Every write has committed already."""

    def archive(self, before: int) -> int:
        """Stories not seen since ``before`` leave the near-duplicate window for the compact archive."""
        with self.db.transaction():
            rows = self.db.execute(
                "DELETE FROM stories WHERE last_seen < %s AND NOT pending "
                "RETURNING rid, id, content_hash, version, last_seen",
                (before,),
            ).fetchall()
            with self.db.cursor() as cur:
                cur.executemany(
                    "INSERT INTO archive VALUES (%s, %s, %s, %s) ON CONFLICT (id_key) DO UPDATE SET "
                    "hash_key=excluded.hash_key, version=excluded.version, seen_day=excluded.seen_day",
                    [(_key(i), _key(h), v, seen // 86400) for _, i, h, v, seen in rows],
                )
            self.db.execute("DELETE FROM lsh WHERE story = ANY(%s)", ([r[0] for r in rows],))
            self.db.execute("DELETE FROM sightings WHERE seen_at < %s", (before,))
        return len(rows)

    def prune(self, before: int) -> int:
        """Forget stories not seen since ``before``, archived or not, and their emitted records."""
        with self.db.transaction():
            rows = self.db.execute(
                "DELETE FROM stories WHERE last_seen < %s AND NOT pending RETURNING rid, id", (before,)
            ).fetchall()
            self.db.execute("DELETE FROM lsh WHERE story = ANY(%s)", ([r[0] for r in rows],))
            self.db.execute("DELETE FROM emitted WHERE story = ANY(%s)", ([r[1] for r in rows],))
            self.db.execute("DELETE FROM sightings WHERE seen_at < %s", (before,))
            self.db.execute("DELETE FROM quarantined WHERE seen_at < %s", (before,))
            cur = self.db.execute("DELETE FROM archive WHERE seen_day < %s", (before // 86400,))
        return len(rows) + cur.rowcount

    # --- queries ------------------------------------------------------------------------------------
    def known_urls(self, urls: list[str]) -> set[str]:
        rows = self.db.execute("SELECT url FROM stories WHERE NOT pending AND url = ANY(%s)", (urls,))
        return {r[0] for r in rows}

    def count(self) -> int:
        row = self.db.execute("SELECT count(*) FROM stories WHERE NOT pending").fetchone()
        return int(row[0]) if row else 0

    def export(self, since: int = 0, skip: Iterable[dict[str, Any]] = ()) -> Iterable[tuple[int, str]]:
        """Confirmed records numbered after ``since``, in that order, except those in ``skip`` (records
        read back from the file being written, by ``id`` and ``version``): (number, JSON line)."""
        held = {(r["id"], int(r["version"])) for r in skip}
        with self.db.transaction(), self.db.cursor(name="export") as cur:
            cur.execute(
                "SELECT seq, story, version, record FROM emitted WHERE seq > %s ORDER BY seq", (since,)
            )
            for seq, story, version, line in cur:
                if (story, version) not in held:
                    yield seq, line

    async def aclose(self) -> None:
        if self._adb is not None:
            adb, self._adb = self._adb, None
            await adb.close()

    def close(self) -> None:
        self.db.close()


def export(dsn: str, *, since: int = 0, output: str = "-") -> int:
    """``wirefeed export``: append the records confirmed after cursor ``since`` to ``output``, in
    confirmation order, that ``output`` does not hold yet (running it twice adds nothing, as for the
    SQLite store); the cursor to pass next time goes to standard error. Exit code 0."""
    import sys

    from wirefeed.emitted import append_missing

    if not is_postgres(dsn):
        raise StoreError(dsn, "export reads a shared store: --state postgresql://USER@HOST:PORT/DB")
    store = PgStateStore(dsn, run="export", worker="export")
    try:
        cursor, n = append_missing(output, lambda held: store.export(since, skip=held), since)
    finally:
        store.close()
    print(f"exported {n} records; next cursor: {cursor}", file=sys.stderr)
    return 0
