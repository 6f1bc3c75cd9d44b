"""The ledger: one owner for the fate of every page and story of a job, kept in the state store.

A crawl reports to the ledger, and only to it, from the moment it learns of a page until that page's
work has ended:

* **requests** — the crawl frontier. A page is *pending* from the moment a request for it is made
  (a start URL, a link on a listing, a teaser's article) until its response was parsed *and* every item
  taken from it reached an end (emitted, duplicate, quarantined or failed), or its fetch failed for good.
  A run that starts re-requests every pending page, so a killed run — with or without ``JOBDIR`` —
  loses no page: the frontier is a table written in order with the rest of the store, not Scrapy's
  disk queue (whose files a SIGKILL leaves unreadable).
* **teasers** — a story announced on a listing whose article was requested: the teaser (its record as
  it would be emitted on its own) and the stamps seen for it wait here. When the article arrives its
  record takes the stamps as evidence; when the article cannot be fetched the teaser is emitted as a
  teaser (or quarantined ``article-not-fetched``), so nothing announced is lost. Stamps that arrive
  after the article was requested are kept too and applied when it arrives.
* **stamps** — a publication time seen for an article without a teaser of its own (a feed entry),
  kept until the article was read, like a teaser's stamp. The spider holds no evidence in memory.
* **quarantined** — articles whose teasers were quarantined ``article-not-fetched``: a rerun that
  still cannot fetch the article does not quarantine them again.

The interface is small and plain (strings, ints, JSON-able dicts) so that another backend — the
PostgreSQL store of the distributed mode — can implement the same methods over its own tables.
Writes go through the store's connection and its ordered batches: a crash keeps a prefix of them,
and a prefix never shows a page done before the requests it made were recorded. A request is sent only
once it is durable (:meth:`Ledger.durable`, called by the scheduler before it hands a request to the
downloader): a run killed after sending it finds it pending, even if the listing that linked it no
longer does, and so do the teasers and stamps waiting for it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["LEDGER_SCHEMA", "Ledger", "PendingRequest"]

LEDGER_SCHEMA = """
CREATE TABLE IF NOT EXISTS frontier (
    url TEXT PRIMARY KEY,        -- the request URL (redirects are requests of their own)
    profile TEXT NOT NULL,
    hops INTEGER NOT NULL,       -- redirects followed to get here
    kind TEXT NOT NULL           -- page | article (requested for a teaser)
);
CREATE TABLE IF NOT EXISTS stamps (
    article TEXT NOT NULL,       -- canonical URL of an article requested without a teaser (a feed entry)
    stamp TEXT NOT NULL,         -- the stamp seen for it (JSON: raw, anchor, source)
    PRIMARY KEY (article, stamp)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS quarantined (
    article TEXT PRIMARY KEY,    -- canonical URL of an article whose teasers went to the quarantine
    reason TEXT NOT NULL,        -- article-not-fetched
    seen_at INTEGER NOT NULL     -- for retention
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS teasers (
    article TEXT NOT NULL,       -- canonical URL of the article the teaser announces
    teaser TEXT NOT NULL,        -- the teaser item (JSON): emitted as-is if the article never arrives
    PRIMARY KEY (article, teaser)
) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class PendingRequest:
    url: str
    profile: str
    hops: int
    kind: str


class Ledger:
    """The SQLite ledger. ``begin``/``tick`` are the store's batch hooks: every write joins the
    store's current transaction so the ledger and the decisions commit together, in order."""

    def __init__(
        self,
        db: sqlite3.Connection,
        begin: Callable[[], None],
        tick: Callable[[], None],
        flush: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self._begin = begin
        self._tick = tick
        self._flush = flush
        self.unsaved = False  # a request, teaser or stamp written since the last commit

    def durable(self) -> None:
        """Commit now if a request (or a teaser or stamp waiting for one) is not yet committed: called
        before a request is sent. Requests come in bursts (a listing's links), so this commits about
        once per listing, not once per request."""
        if self.unsaved and self._flush is not None:
            self._flush()
        self.unsaved = False

    # --- the frontier -------------------------------------------------------------------------------
    def requested(self, url: str, profile: str, hops: int = 0, kind: str = "page") -> None:
        """A request was made: the page is pending until :meth:`page_done`."""
        self._begin()
        self.db.execute("INSERT OR IGNORE INTO frontier VALUES (?, ?, ?, ?)", (url, profile, hops, kind))
        self.unsaved = True
        self._tick()

    def page_done(self, url: str) -> None:
        """The page's work ended: parsed and every item from it at an end, or failed for good."""
        self._begin()
        self.db.execute("DELETE FROM frontier WHERE url=?", (url,))
        self._tick()

    def pending_requests(self) -> list[PendingRequest]:
        """Pages a previous run requested and did not finish, oldest first."""
        rows = self.db.execute("SELECT url, profile, hops, kind FROM frontier ORDER BY rowid")
        return [PendingRequest(*row) for row in rows]

    # --- teasers waiting for their article ----------------------------------------------------------
    def teaser_waits(self, article: str, teaser: dict[str, Any]) -> None:
        """A teaser announcing ``article`` (canonical URL) was seen and its article requested."""
        self._begin()
        self.db.execute(
            "INSERT OR IGNORE INTO teasers VALUES (?, ?)",
            (article, json.dumps(teaser, ensure_ascii=False, sort_keys=True, default=str)),
        )
        self.unsaved = True
        self._tick()

    def teasers_for(self, article: str) -> list[dict[str, Any]]:
        """The teasers waiting for ``article``, without removing them."""
        rows = self.db.execute("SELECT teaser FROM teasers WHERE article=?", (article,))
        return [json.loads(r[0]) for r in rows]

    def teasers_settled(self, article: str) -> None:
        """The teasers of ``article`` reached their end (folded into the article, or emitted alone);
        the stamps seen for it were used too."""
        self._begin()
        self.db.execute("DELETE FROM teasers WHERE article=?", (article,))
        self.db.execute("DELETE FROM stamps WHERE article=?", (article,))
        self._tick()

    def stamp_seen(self, article: str, stamp: dict[str, str]) -> None:
        """A publication time ``stamp`` (``raw``, ``anchor``, ``source``) was seen for ``article``
        (canonical URL), which is requested: its record takes it as evidence."""
        self._begin()
        self.db.execute(
            "INSERT OR IGNORE INTO stamps VALUES (?, ?)", (article, json.dumps(stamp, sort_keys=True))
        )
        self.unsaved = True
        self._tick()

    def stamps_for(self, article: str) -> list[dict[str, str]]:
        """The stamps seen for ``article``, without removing them (:meth:`teasers_settled` does)."""
        rows = self.db.execute("SELECT stamp FROM stamps WHERE article=?", (article,))
        return [json.loads(r[0]) for r in rows]

    def was_quarantined(self, article: str) -> bool:
        """The teasers of ``article`` were quarantined by an earlier run (or earlier in this one): a
        rerun that still cannot fetch it writes no second quarantine line."""
        return self.db.execute("SELECT 1 FROM quarantined WHERE article=?", (article,)).fetchone() is not None

    def quarantined(self, article: str, reason: str, seen_at: int) -> None:
        """The teasers of ``article`` were written to the quarantine (after the line was written: a
        kill in between quarantines them again, never loses them)."""
        self._begin()
        self.db.execute("INSERT OR IGNORE INTO quarantined VALUES (?, ?, ?)", (article, reason, seen_at))
        self._tick()

    def waiting_articles(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT article FROM teasers")]

    def pending_count(self) -> int:
        """Pages and teasers not yet at an end: a run closes clean only at zero."""
        pages = self.db.execute("SELECT count(*) FROM frontier").fetchone()[0]
        teasers = self.db.execute("SELECT count(*) FROM teasers").fetchone()[0]
        return int(pages) + int(teasers)
