"""Scrapy project settings for wirefeed (named by ``scrapy.cfg``; plain constants, no Scrapy import).

Our own settings are prefixed ``WIREFEED_``; each pipeline reads its own in ``from_crawler``.
"""

BOT_NAME = "wirefeed"
# The spider modules by name, not the package: the loader imports every module it walks, and
# wirefeed.spiders.shared needs the optional [distributed] extra (scrapy-redis).
SPIDER_MODULES = ["wirefeed.spiders.portal", "wirefeed.spiders.feed"]
NEWSPIDER_MODULE = "wirefeed.spiders"

# Politeness: obey robots.txt, identify ourselves, adapt the pace to the server.
ROBOTSTXT_OBEY = True
USER_AGENT = "wirefeed/0.1 (+https://github.com/wirefeed/wirefeed; news-wire aggregation)"
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_MAX_DELAY = 10.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# Scrapy's default of 100 costs throughput on small machines (scrapy#5182).
CONCURRENT_ITEMS = 16
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
DEPTH_LIMIT = 6
COOKIES_ENABLED = False
# The spiders keep their own in-memory seen-set: Scrapy's persisted dupefilter would, after a kill under
# JOBDIR, remember requests that were in flight and never re-read them (their stories would be lost).
DUPEFILTER_CLASS = "scrapy.dupefilters.BaseDupeFilter"
# The frontier lives in the state store's ledger (written in order, crash-safe), not in JOBDIR queue
# files that a SIGKILL leaves unreadable; spider.state is not used, so its pickle is not kept either.
SCHEDULER = "wirefeed.spiders.scheduler.LedgerScheduler"
STATS_CLASS = "wirefeed.spiders.stats.WirefeedStats"  # Scrapy's, minus a per-call deprecation shim (~18 µs)
# No remote-control surface unless the user turns it on (-s REMOTE_CONTROL_ENABLED=True): Scrapy 2.19's
# RemoteControl runs Python sent over HTTP and is on by default; the telnet console is the older kind.
TELNETCONSOLE_ENABLED = False
# Every request, redirects and robots.txt included, checked against the profiles' hosts, ports, schemes.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "wirefeed.spiders.offsite.ProfileOffsiteMiddleware": 50,
}
REMOTE_CONTROL_ENABLED = False
# A crawl with WIREFEED_FRONTIER set is one worker of a shared run (scrapy-redis + PostgreSQL).
# `scrapy crawl -o FILE.jsonl` is written by wirefeed's export pipeline, exactly once (as `wirefeed crawl -o`).
ADDONS = {"wirefeed.spiders.distributed.SharedCrawl": 0, "wirefeed.pipelines.export.LocalFeed": 10}
LOG_LEVEL = "INFO"

ITEM_PIPELINES = {
    "wirefeed.pipelines.stages.DatelinePipeline": 100,
    "wirefeed.pipelines.stages.TimestampsPipeline": 200,
    "wirefeed.pipelines.stages.LanguagePipeline": 300,
    "wirefeed.pipelines.stages.ValidatePipeline": 400,
    "wirefeed.pipelines.stages.DedupPipeline": 500,
    "wirefeed.pipelines.export.ExportPipeline": 600,
}
# Monitors after every run, the run history in the state store (wirefeed.monitors); SpiderState off (above)
EXTENSIONS = {
    "scrapy.extensions.spiderstate.SpiderState": None,
    "wirefeed.pipelines.monitor.MonitorExtension": 900,
    "wirefeed.pipelines.warc.WarcExtension": 910,  # only with WIREFEED_WARC set
    "wirefeed.pipelines.progress.ProgressExtension": 920,
    "wirefeed.pipelines.heap.HeapExtension": 930,  # the C heap's free memory back to the system, every 30 s
}
# `scrapy crawl … -o out.jsonl` writes the records' own JSON too
FEED_EXPORTERS = {
    "jsonlines": "wirefeed.pipelines.export.RecordExporter",
    "jsonl": "wirefeed.pipelines.export.RecordExporter",
    "wirefeed-jsonl": "wirefeed.pipelines.export.RecordExporter",
    "wirefeed-ninjs": "wirefeed.pipelines.export.NinjsExporter",
    "wirefeed-ninjs3": "wirefeed.pipelines.export.Ninjs3Exporter",
}
FEED_EXPORT_ENCODING = "utf-8"

# wirefeed's own settings (defaults; the CLI sets the paths)
WIREFEED_PROFILES: list[str] = []  # extra profile files
WIREFEED_OUTPUT = None  # JSONL written by the export pipeline (the CLI's -o); appended to, never truncated
WIREFEED_FORMAT = "jsonl"  # or "ninjs"
WIREFEED_STATE = None  # state store path; default: under JOBDIR, else .wirefeed/ per spider and profile
WIREFEED_QUARANTINE = None  # rejected items (JSONL); default: next to the first feed, else .wirefeed/
WIREFEED_LANGUAGE_DETECTOR = "py3langid"  # or "langdetect", "lingua" (pip install wirefeed[lingua])
WIREFEED_LANGUAGES: list[str] = ["nl", "en", "de", "fr"]  # ["*"] allows every language
WIREFEED_REFINE_MIN_SECONDS = 900  # re-emit a same-text story when its published interval narrows this much
WIREFEED_NEARDUP_DAYS = 7  # stories seen within this window take part in clusters and refinement
WIREFEED_RETENTION_DAYS = 365  # forget stories not seen for this long (0: keep forever)
WIREFEED_ARTICLE_NOT_FETCHED = "teaser"  # a teaser whose article cannot be fetched: "teaser" or "quarantine"
WIREFEED_INCREMENTAL = False  # stop paginating at a listing page whose stories are all in the store
WIREFEED_FRONTIER = None  # redis://HOST:PORT/N: share the crawl with every worker of WIREFEED_RUN
WIREFEED_RUN = None  # the shared crawl's id (its Redis keys and ledger rows)
WIREFEED_WORKER = None  # who holds claims: default HOST:OUTPUT (a restart with the same -o takes them back)
WIREFEED_WORKER_LEASE = 60  # seconds without a heartbeat after which a worker's work is taken over
WIREFEED_POLL_SECONDS = 0.5  # how often a shared-run worker with room looks at the shared queue
WIREFEED_MAX_PAGES = 0  # listing pages to follow per start URL (0: no limit beyond DEPTH_LIMIT)
WIREFEED_MONITORS = True  # check every run (WIREFEED_MONITOR_* thresholds; see README "Monitors")
WIREFEED_PROGRESS_SECONDS = 10  # a crawl prints a progress line this often (0: never)
WIREFEED_HEAP_TRIM_SECONDS = 30  # the C heap's free memory goes back to the system this often (0: never)
WIREFEED_HEAP_MMAP_THRESHOLD = 256 * 1024  # C blocks this big are mapped on their own (0: glibc decides)
WIREFEED_WARC = None  # keep every fetched response in this WARC file (gzip), for `wirefeed parse` to replay
WIREFEED_ALERT_URL = None  # POST failing monitors here as JSON (also read from the environment)
WIREFEED_FEED_DEPTH = 1  # sitemap levels followed below a start feed (1: an index and its sitemaps)
WIREFEED_MAX_FEED_REQUESTS = 1000  # feed and sitemap documents requested per run
