"""The portal spider: listings → pagination → articles, within a profile's domains. Navigation only.

``wirefeed crawl portal -a profile=zeelandnet`` (or a profile file; several separated by commas).
Each built-in profile also runs under its own name (``scrapy crawl zeelandnet``). Extraction is the
pure :func:`wirefeed.extract.extract_page`; the spider only decides what to fetch next, stamps each
page with the time it was served (the anchor for relative stamps), and folds a teaser into the
article it links to: the article's record carries the teaser's stamp as evidence instead of a
separate teaser record being emitted.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.python.failure import Failure

from wirefeed import budget
from wirefeed.errors import TimeParseError
from wirefeed.extract import RawStory, extract_page
from wirefeed.folding import article_keys, evidence_from, fold_target, stamp_evidence
from wirefeed.identity import canonical_url
from wirefeed.keyset import KeySet
from wirefeed.offline import quarantine_entry
from wirefeed.page import Page, load_page
from wirefeed.pipelines.quarantine import quarantine_for
from wirefeed.profiles import Profile, builtin_profiles, get_profile, load_profile
from wirefeed.schemas import Article
from wirefeed.spiders.closing import CloseWatch
from wirefeed.spiders.frontier import KEY, Frontier
from wirefeed.spiders.offthread import off_thread
from wirefeed.stages import apply_time, hints_of, item_from_json, item_json, new_item

__all__ = ["PortalSpider", "served_at"]


def served_at(headers: Any, fetched_at: datetime) -> datetime:
    """When the response was served: its ``Date`` header minus ``Age``; the fetch time without one."""
    raw = headers.get(b"Date") if headers is not None else None
    try:
        when = parsedate_to_datetime(raw.decode("latin-1")) if raw else None
    except (TypeError, ValueError):
        when = None
    if when is None or when.tzinfo is None:
        return fetched_at
    age = headers.get(b"Age")
    if age and age.strip().isdigit():
        when -= timedelta(seconds=int(age))
    return when.astimezone(UTC)


class PortalSpider(scrapy.Spider):
    name = "portal"
    default_profile: str | None = None

    def __init__(self, profile: str | None = None, start_url: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.profile_arg = profile or self.default_profile
        if not self.profile_arg:
            raise ValueError(
                "the portal spider needs a profile: -a profile=NAME (see `wirefeed profiles`) "
                "or -a profile=path/to/profile.json"
            )
        self.start_url_arg = start_url
        self.profiles: dict[str, Profile] = {}
        self.listing_pages = 0
        # hash() of each canonical URL, not the URL, in a KeySet: ~12 instead of ~150 bytes per page over a
        # long crawl (per process, like the hash seed; a 64-bit collision is negligible at 10^7 URLs).
        self.requested = KeySet()
        self.frontier: Frontier
        self.articles_parsed = KeySet()  # hash() of the canonical URLs of articles read in this run
        self.rechecked: set[str] = set()  # articles read again for late evidence
        self.store: Any = None
        self.close_watch: CloseWatch

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.close_watch = CloseWatch(crawler)
        extra = {p.name: p for p in (load_profile(f) for f in crawler.settings.getlist("WIREFEED_PROFILES"))}
        for name in str(spider.profile_arg).split(","):
            prof = get_profile(name.strip(), extra)
            spider.profiles[prof.name] = prof
        spider.allowed_domains = sorted(
            {d.split(":")[0] for p in spider.profiles.values() for d in p.domains}
        )
        spider.max_pages = crawler.settings.getint("WIREFEED_MAX_PAGES", 0)
        spider.not_fetched = crawler.settings.get("WIREFEED_ARTICLE_NOT_FETCHED") or "teaser"
        spider.max_redirects = crawler.settings.getint("REDIRECT_MAX_TIMES", 5)
        from wirefeed.pipelines.stages import store_for

        quarantine_for(crawler)  # opened on the first line; also records items a stage failed on
        store = store_for(crawler, profiles=spider.profile_arg)  # its default path names the profile
        spider.frontier = Frontier(crawler, store)
        # Incremental crawls ask the store which stories are known.
        spider.store = store if crawler.settings.getbool("WIREFEED_INCREMENTAL") else None
        return spider

    def count(self, key: str, n: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"wirefeed/{key}", n)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for prof in self.profiles.values():
            urls = [self.start_url_arg] if self.start_url_arg and len(self.profiles) == 1 else prof.start_urls
            for url in urls:
                if (req := self._request(url, prof)) is not None:
                    yield req
        for req in self._resumed():
            yield req

    def _resumed(self) -> Iterator[scrapy.Request]:
        """The pages an earlier run of this job requested and did not finish (the ledger's frontier)."""
        for pending in self.frontier.ledger.pending_requests():
            prof = self.profiles.get(pending.profile)
            if prof is None:  # a profile this run does not crawl: leave its pages pending
                continue
            if (req := self._request(pending.url, prof, pending.hops, pending.kind)) is not None:
                self.count("resume/pending-requests")
                yield req

    def request_again(self, pending: Any) -> scrapy.Request | None:
        """A new request for a page the ledger holds pending (a dead worker's, in the shared mode)."""
        prof = self.profiles.get(pending.profile)
        if prof is None:
            return None
        self.requested.discard(hash(canonical_url(pending.url)))
        return self._request(pending.url, prof, pending.hops, pending.kind)

    def _request(
        self, url: str, prof: Profile, hops: int = 0, kind: str = "page", article: str | None = None
    ) -> scrapy.Request | None:
        """A request for ``url`` unless this process already made one. The seen-set lives in memory on
        purpose (the project sets ``DUPEFILTER_CLASS`` to Scrapy's no-op filter): a job resumed after a
        kill (JOBDIR) re-reads pages that were in flight, and the state store, not a persisted dupefilter,
        keeps their stories from being emitted twice."""
        key = canonical_url(url)
        if hash(key) in self.requested:
            return None
        self.requested.add(hash(key))
        req = scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.failed,
            cb_kwargs={"profile": prof.name},
            meta={"dont_redirect": True, "handle_httpstatus_list": _REDIRECTS, "wirefeed_hops": hops},
        )
        req.meta[KEY] = req.url
        if kind == "article":
            req.meta[ARTICLE] = article or key
        self.frontier.requested(req.url, prof.name, hops, kind)
        return req

    def _redirect(self, response: Response, prof: Profile) -> Iterator[scrapy.Request]:
        """Follow a redirect ourselves, so that one leaving the profile's domains, or looping, is counted
        as a failed fetch with its reason instead of vanishing inside a middleware."""
        location = response.headers.get(b"Location", b"").decode("latin-1").strip()
        target = response.urljoin(location) if location else ""
        hops = response.meta.get("wirefeed_hops", 0) + 1
        if not target:
            self.count("fetch/failed/redirect-without-location")
        elif hops > self.max_redirects:
            self.count("fetch/failed/redirect-loop")
        elif not prof.owns(target):
            self.count("fetch/failed/offsite-redirect")
        else:
            self.count("fetch/redirected")
            self.requested.discard(hash(canonical_url(target)))  # a loop must be able to come back here
            if (req := self._redirect_request(response, target, prof, hops)) is not None:
                yield req

    def _redirect_request(
        self, response: Response, target: str, prof: Profile, hops: int
    ) -> scrapy.Request | None:
        article = response.meta.get(ARTICLE)  # an article's redirect still answers for its teasers
        return self._request(target, prof, hops, "article" if article else "page", article)

    def _followable(self, url: str, prof: Profile) -> bool:
        return prof.owns(url) and prof.page_kind(url) is not None

    def parse_page(self, response: Response, profile: str) -> Iterator[Any] | AsyncIterator[Any]:
        if (
            isinstance(response, TextResponse)
            and response.status not in _REDIRECTS
            and len(response.body) >= budget.OFF_THREAD_BYTES
        ):  # a big page is read in a worker thread: the reactor keeps serving, and hears SIGTERM
            return self._parse_off_thread(response, profile)
        return self._outputs(response, profile, None)

    async def _parse_off_thread(self, response: TextResponse, profile: str) -> AsyncIterator[Any]:
        extracted = await maybe_deferred_to_future(off_thread(_extract, response, self.profiles[profile]))
        for out in self._outputs(response, profile, extracted):
            yield out

    def stopping(self) -> bool:
        """The crawl is closing (SIGTERM, ``CLOSESPIDER_*``, ...): a page's remaining work is left to
        the next run (wirefeed.spiders.closing)."""
        return self.close_watch.closing

    def _outputs(self, response: Response, profile: str, extracted: Extracted | None) -> Iterator[Any]:
        key = response.meta.get(KEY)
        found: list[bool | None] = []  # True: the page gave its article story; None: stopped part-way
        if extracted is not None and self.stopping():  # read while the crawl was asked to stop
            self.count("fetch/left-pending/stopping")
            return  # pending in the ledger: the next run reads it again
        try:
            for out in self._parse_page(response, profile, found, extracted):
                if not isinstance(out, scrapy.Request):
                    self.frontier.item_out(key, out)
                yield out
        except Exception as exc:  # a page that raises is an outcome: failed, with a reason and a line
            reason = type(exc).__name__
            self.count(f"extract/failed/{reason}")
            quarantine_for(self.crawler).write(
                quarantine_entry("extract", "failed", f"{reason}: {exc}", None, response.url)
            )
            self.logger.warning("page failed (%s): %s: %s", reason, response.url, exc)
        if found and found[-1] is None:  # stopped part-way: pending in the ledger, read again next run
            self.count("fetch/left-pending/stopping")
            return
        article = response.meta.get(ARTICLE)
        after = None
        if article and response.status not in _REDIRECTS:  # a redirect hands the teasers on
            if not any(found):  # fetched, but no article story on it
                for item in self._not_fetched(article, profile, "no-article-story"):
                    self.frontier.item_out(key, item)
                    yield item
            self.articles_parsed.add(hash(article))
            after = self._settler(article)
        self.frontier.page_parsed(key, after)

    def _settler(self, article: str) -> Any:
        return lambda: self.frontier.ledger.teasers_settled(article)

    def _not_fetched(self, article: str, profile: str, reason: str) -> Iterator[Article]:
        """An article that could not be had: its teaser is emitted instead (with every waiting
        teaser's stamp as evidence), or quarantined ``article-not-fetched`` if the setting says so."""
        teasers = self.frontier.ledger.teasers_for(article)
        if not teasers:
            return
        self.count(f"fetch/article-not-fetched/{reason}")
        teaser = item_from_json(teasers[0])
        hints_of(teaser).evidence = [ev for t in teasers[1:] for ev in _evidence(t)]
        hints_of(teaser).evidence += self.frontier.ledger.stamps_for(article)
        if self.not_fetched == "quarantine":
            ledger = self.frontier.ledger
            if ledger.was_quarantined(article):  # an earlier run quarantined it: once is enough
                self.count("fetch/article-not-fetched/quarantined-before")
                return
            quarantine_for(self.crawler).write(
                quarantine_entry("fetch", "article-not-fetched", reason, teaser, article)
            )
            ledger.quarantined(article, "article-not-fetched", int(teaser.fetched_at.timestamp()))
            return
        self.count("extract/teaser-emitted")
        yield teaser

    def _parse_page(
        self, response: Response, profile: str, found: list[bool | None], extracted: Extracted | None
    ) -> Iterator[Any]:
        prof = self.profiles[profile]
        if response.status in _REDIRECTS:
            yield from self._redirect(response, prof)
            return
        fetched_at = datetime.now(UTC)  # the spider is the one level that reads the clock
        self.count("fetch/pages")
        if not isinstance(response, TextResponse):
            self.count("fetch/not-text")
            return
        anchor = served_at(response.headers, fetched_at)
        page, stories, over, spent = extracted or _extract(response, prof)
        deadline = budget.Deadline(spent=spent)
        if page.charset_fallback:
            self.count(f"fetch/charset-fallback/{page.charset_fallback}")
        for key in over:
            self.count(key)
        kind = prof.page_kind(response.url) or (
            "article" if any(s.kind == "article" for s in stories) else "listing"
        )
        self.count(f"extract/{kind}-pages")
        if not stories:
            self.count("extract/no-stories")
        for n, story in enumerate(stories):
            if deadline.passed(n):  # the rest of this page's stories are not read (counted)
                self.count("extract/over-budget/time")
                if not over:
                    self.count("extract/over-budget")
                stories = stories[:n]
                break
            self.count("extract/stories")
            if story.truncated:
                self.count("extract/truncated")
                quarantine_for(self.crawler).write(
                    quarantine_entry(
                        "extract", "truncated", "story cut off at the end of the page", story, response.url
                    )
                )
                continue
            link = fold_target(story, prof)
            item = new_item(
                story,
                page_url=response.url,
                source_name=prof.name,
                fetched_at=fetched_at,
                anchor=anchor,
                profile=prof,
                page_lang=page.lang,
            )
            if link is not None:  # a teaser of an article we crawl: it waits for it in the ledger
                self.count("extract/teaser-folded")
                yield from self._fold(item, link, story.link or link, prof)
                continue
            if story.kind == "article":
                keys = article_keys(response.url, page.canonical, response.meta.get(ARTICLE))
                hints_of(item).evidence = evidence_from(self.frontier.ledger, keys)
                found.append(True)
            yield item
        links = [canonical_url(s.link) for s in stories if s.kind == "teaser" and s.link]
        for req in self._follow(response, prof, kind, links, page.hrefs):
            if self.stopping():  # the links not yet followed are the next run's: the page stays pending
                found.append(None)
                return
            yield req

    def _fold(self, teaser: Article, link: str, url: str, prof: Profile) -> Iterator[scrapy.Request]:
        """A teaser whose article is crawled: it waits in the ledger for its article (its stamp becomes
        the article's evidence; if the article cannot be had, the teaser is emitted). A stamp seen after
        the article was already read is late evidence: the article is read once more to apply it."""
        waiting = item_json(teaser)
        if hash(link) not in self.requested:
            self.frontier.ledger.teaser_waits(link, waiting)
            if (req := self._request(url, prof, kind="article", article=link)) is not None:
                yield req
            return
        if hash(link) not in self.articles_parsed:  # requested, not yet read: the evidence will be there
            self.frontier.ledger.teaser_waits(link, waiting)
            return
        interval = _interval(teaser) if link not in self.rechecked else None
        if interval is None:
            return
        self.count("extract/late-evidence")
        store = self.frontier.store
        if store.late_evidence(teaser.id, *interval, int(interval[0])):
            self.rechecked.add(link)
            self.count("extract/late-evidence-reread")
            self.frontier.ledger.teaser_waits(link, waiting)
            self.requested.discard(hash(link))
            if (req := self._request(url, prof, kind="article", article=link)) is not None:
                yield req

    def _follow(
        self, response: TextResponse, prof: Profile, kind: str, teaser_links: list[str], hrefs: list[str]
    ) -> Iterator[scrapy.Request]:
        if kind != "listing":
            return
        self.listing_pages += 1
        if self.max_pages and self.listing_pages > self.max_pages:
            self.count("fetch/page-limit")
            return
        # Incremental: a listing page holding only stories already stored ends the pagination.
        stop_paging = bool(
            self.store and teaser_links and len(self.store.known_urls(teaser_links)) == len(set(teaser_links))
        )
        if stop_paging:
            self.count("fetch/incremental-stop")
        for href in hrefs:  # the page's `<a href>`s, from its one parse (wirefeed.page)
            try:
                url = response.urljoin(href.strip())
            except ValueError:  # a malformed link (`http://[x`) is not followed; the page is still read
                continue
            if not url.startswith(("http://", "https://")) or not self._followable(url, prof):
                continue
            if stop_paging and prof.is_pagination(url):
                continue
            if (req := self._request(url, prof)) is not None:
                yield req

    def failed(self, failure: Failure) -> Iterator[Any]:
        """Every page that could not be read is counted as ``wirefeed/fetch/failed/<reason>``; an
        article's waiting teaser is emitted instead (or quarantined, by ``WIREFEED_ARTICLE_NOT_FETCHED``)."""
        reason = failure_reason(failure.value)
        self.count(f"fetch/failed/{reason}")
        meta = getattr(failure.request, "meta", {})
        key, article = meta.get(KEY), meta.get(ARTICLE)
        after = None
        if article:
            profile = (getattr(failure.request, "cb_kwargs", None) or {}).get("profile", "")
            for item in self._not_fetched(article, profile, reason):
                self.frontier.item_out(key, item)
                yield item
            after = self._settler(article)
        self.frontier.page_parsed(key, after)
        self.logger.info(
            "fetch failed (%s): %s: %s", reason, getattr(failure.request, "url", "?"), failure.value
        )


_REDIRECTS = [301, 302, 303, 307, 308]
Extracted = tuple[Page, list[RawStory], list[str], float]  # page, stories, budget cuts, CPU seconds spent


def _extract(response: TextResponse, prof: Profile) -> Extracted:
    """The page and its stories within the budget: pure work, safe in a worker thread."""
    start = time.thread_time()
    page = load_page(
        response.body,
        url=response.url,
        content_type=response.headers.get(b"Content-Type", b"").decode("latin-1") or None,
        profile_kind=prof.page_kind(response.url),
    )
    stories, over = budget.within(page, extract_page(page, profile=prof))
    return page, stories, over, time.thread_time() - start


ARTICLE = "wirefeed_article"  # request meta: the canonical URL of the article a teaser announced


def _interval(teaser: Article) -> tuple[int, int] | None:
    """The published interval a teaser's own stamp gives (epoch seconds), if it has one."""
    hints = hints_of(teaser)
    if not stamp_evidence(hints.stamp, hints.stamp_source, hints.anchor):
        return None
    try:
        pub = apply_time(teaser)[0].published
    except TimeParseError:
        return None
    if pub is None or pub.earliest is None or pub.latest is None:
        return None
    return int(pub.earliest.timestamp()), int(pub.latest.timestamp())


def _evidence(teaser: dict[str, Any]) -> list[dict[str, str]]:
    """A waiting teaser's relative stamp, as evidence for its article's published interval."""
    raw = teaser.get("_raw") or {}
    return stamp_evidence(raw.get("stamp"), raw.get("stamp_source"), raw.get("anchor"))


# What a failed fetch is called in the stats: exception class name → reason (data, not code paths).
_FAILURE_REASONS = {
    "TimeoutError": "timeout", "TCPTimedOutError": "timeout", "DownloadTimeoutError": "timeout",
    "DNSLookupError": "dns", "ConnectionRefusedError": "connection-refused",
    "ConnectionLost": "connection-lost", "ResponseFailed": "connection-lost", "ResponseNeverReceived": "connection-lost",
    "ConnectionDone": "connection-lost", "PotentialDataLoss": "connection-lost", "DownloadFailedError": "connection-lost",
    "ResponseDataLossError": "connection-lost",
    "CancelledError": "too-large", "DownloadCancelledError": "too-large", "_DecompressionMaxSizeExceeded": "too-large",
    "DecompressionError": "bad-encoding", "error": "bad-encoding", "BadGzipFile": "bad-encoding",
}  # fmt: skip
_IGNORED_REASONS = (
    ("robots.txt", "robots"),
    ("max redirections", "redirect-loop"),
    ("offsite-redirect", "offsite-redirect"),  # spiders/offsite.py: a redirect a middleware followed
    ("offsite", "offsite"),
    ("larger than", "too-large"),
    ("max size", "too-large"),
    ("download_maxsize", "too-large"),
)


def failure_reason(exc: BaseException) -> str:
    from scrapy.exceptions import IgnoreRequest
    from scrapy.spidermiddlewares.httperror import HttpError

    if isinstance(exc, HttpError):
        return f"http-{exc.response.status}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc).lower()
        return next((reason for needle, reason in _IGNORED_REASONS if needle in text), "ignored")
    name = type(exc).__name__
    return _FAILURE_REASONS.get(name, name)


def _profile_spider(profile: Profile) -> type[PortalSpider]:
    cls_name = "".join(part.title() for part in profile.name.replace("_", "-").split("-")) + "Spider"
    return type(
        cls_name,
        (PortalSpider,),
        {
            "name": profile.name,
            "default_profile": profile.name,
            "__module__": __name__,
            "__doc__": f"Crawls {profile.display_name or profile.name}.",
        },
    )


# `scrapy crawl zeelandnet` and friends: one spider class per built-in profile.
for _p in builtin_profiles().values():
    _cls = _profile_spider(_p)
    globals()[_cls.__name__] = _cls
del _p, _cls
