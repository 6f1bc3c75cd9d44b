"""Pipeline overhead: the full wirefeed crawl against two trivial Scrapy spiders, on the same local site.

    python benchmarks/crawl.py                                    # tiny pages, 2,000 articles, 2 rounds
    python benchmarks/crawl.py --site generated                   # generated real-looking pages, 100–400 KB
    python benchmarks/crawl.py --pages ../shared/realhtml/pages   # saved pages, one variant per URL
    python benchmarks/crawl.py --pages DIR --memory 100000        # + RSS every 10,000 pages of a long crawl

The site (``--articles`` article pages plus listings of 20 teasers; see ``sites.py``) is served from a
separate process on 127.0.0.1. Each crawl runs in its own process with the same Scrapy settings, and the
three crawlers alternate within each round, so a busy machine slows them alike:

- ``h1+p``: a trivial spider yielding ``h1::text`` and ``p::text`` (the original baseline);
- ``visible``: a trivial spider yielding the title and all visible text of the page;
- ``wirefeed``: the portal spider with every pipeline stage, JSON Lines out and the state store on.

The trivial spiders write Scrapy's own JSON Lines feed and follow the site's listing and article links
(as the profile does for wirefeed). Printed per crawl: pages, items, seconds, pages/s and CPU ms per page
of the crawling process; then the medians and the per-round ratios wirefeed / baseline, by pages/s (the
bars) and by CPU per page (steadier when other work shares the machine).
With ``--memory N``, wirefeed alone crawls a site of N articles and prints its RSS every ``--sample``
pages (default 10,000): the bar is that after the first sample no sample is more than 10 % above it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sites import GeneratedSite, SavedPagesSite, Site  # noqa: E402

LINKS = r"^/wf-(?:list\?page=\d+|article/\d+)$"

TRIVIAL = textwrap.dedent(f"""
    import scrapy
    LINKS = {LINKS!r}
    class Trivial(scrapy.Spider):
        name = "trivial"
        def __init__(self, base, kind, **kw):
            super().__init__(**kw)
            self.start_urls = [base + "/wf-list?page=1"]
            self.kind = kind
        def parse(self, response):
            if "/wf-article/" in response.url:
                if self.kind == "h1p":
                    yield {{"title": response.css("h1::text").get(),
                           "text": " ".join(response.css("p::text").getall())}}
                else:
                    text = response.xpath(
                        "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]").getall()
                    yield {{"title": response.css("title::text").get(),
                           "text": " ".join(t.strip() for t in text if t.strip())}}
            for href in response.css("a::attr(href)").re(LINKS):
                yield response.follow(href, self.parse)
""")

RUNNER = textwrap.dedent("""
    import json, os, sys, resource
    os.environ["SCRAPY_SETTINGS_MODULE"] = "wirefeed.settings"
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings
    mode, base, out, tmp, sample = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    s = get_project_settings()
    s.setdict({"AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "ERROR", "CONCURRENT_REQUESTS": 16,
               "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "DOWNLOAD_DELAY": 0, "DEPTH_LIMIT": 0,
               "TELNETCONSOLE_ENABLED": False}, priority="cmdline")
    rss, peaks, cpu = [], [], {}
    window = [0.0]  # the highest RSS read since the last sample
    PEEK = 100  # pages between two RSS reads inside a window
    def status():
        with open("/proc/self/status") as fh:
            d = dict(line.split(":", 1) for line in fh)
        return {k: int(d[k].split()[0]) / 1024 for k in ("VmRSS", "RssAnon", "RssFile")}
    def rss_mb():
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    def c_heap():
        try:  # glibc: the C heap's size and what of it is in use (lxml's trees live there)
            import ctypes
            class MI(ctypes.Structure):
                _fields_ = [(f, ctypes.c_size_t) for f in (
                    "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                    "fordblks", "keepcost")]
            fn = ctypes.CDLL(None).mallinfo2
            fn.restype = MI
            mi = fn()
            return f", C heap {(mi.arena + mi.hblkhd) / 2**20:.0f} MiB ({(mi.uordblks + mi.hblkhd) / 2**20:.0f} in use)"
        except (OSError, AttributeError):
            return ""
    def cpu_s():
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime
    def opened(spider):
        cpu["start"] = cpu_s()
        rss.append(rss_mb())
    def closed(spider):
        cpu["end"] = cpu_s()
    def sample_rss(response, request, spider):
        n = spider.crawler.stats.get_value("response_received_count", 0)
        if not sample or not n or n % PEEK:
            return
        window[0] = max(window[0], rss_mb())
        if n % sample == 0:
            st = status()
            rss.append(st["VmRSS"])
            peaks.append(window[0])
            window[0] = 0.0
            print(f"sample: {n} pages, RSS {rss[-1]:.0f} MiB (anonymous {st['RssAnon']:.0f}, files "
                  f"{st['RssFile']:.0f}), highest since the last sample {peaks[-1]:.0f}{c_heap()}, "
                  f"{cpu_s() - cpu['start']:.0f} s CPU", file=sys.stderr, flush=True)
    if mode in ("h1p", "visible"):
        sys.path.insert(0, tmp)
        from trivial_spider import Trivial as cls
        s.set("ITEM_PIPELINES", {}, priority="cmdline")
        s.set("FEEDS", {out: {"format": "jsonlines", "overwrite": True}}, priority="cmdline")
        s.set("FEED_EXPORTERS", {}, priority="cmdline")  # Scrapy's own JSON Lines exporter
        kwargs = {"base": base, "kind": mode}
    else:
        from wirefeed.spiders.portal import PortalSpider as cls
        host = base.split("//")[1]
        prof = os.path.join(tmp, "site.json")
        json.dump({"name": "site", "domains": [host], "start_urls": [base + "/wf-list?page=1"],
                   "listing_patterns": ["^/wf-list"], "article_patterns": ["^/wf-article/"]}, open(prof, "w"))
        s.set("WIREFEED_PROFILES", [prof], priority="cmdline")
        s.set("WIREFEED_STATE", os.path.join(tmp, "state-%d.sqlite" % os.getpid()), priority="cmdline")
        s.set("FEEDS", {out: {"format": "wirefeed-jsonl", "overwrite": True}}, priority="cmdline")
        kwargs = {"profile": "site"}
    process = CrawlerProcess(s)
    crawler = process.create_crawler(cls)
    crawler.signals.connect(sample_rss, signal=signals.response_received)
    crawler.signals.connect(opened, signal=signals.spider_opened)
    crawler.signals.connect(closed, signal=signals.spider_closed)
    process.crawl(crawler, **kwargs)
    process.start()
    st = crawler.stats.get_stats()
    secs = (st["finish_time"] - st["start_time"]).total_seconds()
    print(json.dumps({"pages": st.get("response_received_count", 0), "items": st.get("item_scraped_count", 0),
                      "seconds": secs, "cpu": cpu["end"] - cpu["start"], "rss": rss, "peaks": peaks,
                      "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
""")

MODES = ("h1p", "visible", "wirefeed")
LABELS = {"h1p": "h1+p spider", "visible": "visible-text spider", "wirefeed": "wirefeed"}
BARS = {("tiny", "h1p"): 0.8, ("real", "h1p"): 0.6, ("real", "visible"): 0.95}


def crawl(mode: str, base: str, tmp: Path, sample: int = 0) -> dict:
    out = tmp / f"{mode}.jsonl"
    proc = subprocess.Popen(
        [sys.executable, str(tmp / "runner.py"), mode, base, str(out), str(tmp), str(sample)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None and proc.stdout is not None
    errors = []
    for line in proc.stderr:  # RSS samples as they are taken: a long crawl shows its curve while it runs
        if line.startswith("sample: "):
            print(line.rstrip(), flush=True)
        else:
            errors.append(line)
    stdout = proc.stdout.read()
    if proc.wait() != 0:
        raise SystemExit("".join(errors)[-3000:])
    return json.loads(stdout.strip().splitlines()[-1])


_SERVERS: list[subprocess.Popen] = []


def serve(kind: str, articles: int, pages: str | None) -> str:
    """The site, from a separate process (a thread here would share the crawler's CPU accounting)."""
    code = (
        f"import sys; sys.path.insert(0, {str(HERE)!r}); import crawl; "
        f"crawl._serve({kind!r}, {articles}, {pages!r})"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    _SERVERS.append(proc)  # serves until its stdin closes, when this process exits
    assert proc.stdout is not None
    return proc.stdout.readline().strip()


def _serve(kind: str, articles: int, pages: str | None) -> None:
    if pages:
        site: Site = SavedPagesSite(articles, Path(pages))
    elif kind == "generated":
        site = GeneratedSite(articles)
    else:
        site = Site(articles)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = b"User-agent: *\nDisallow:\n" if self.path == "/robots.txt" else site.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            ctype = "text/plain" if self.path == "/robots.txt" else "text/html"
            # Saved pages declare their charset in the page, as served to the browser that saved them.
            self.send_header("Content-Type", ctype if pages else ctype + "; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print(f"http://127.0.0.1:{srv.server_address[1]}", flush=True)
    sys.stdin.read()


def compare(kind: str, base: str, tmp: Path, rounds: int, label: str) -> None:
    rates: dict[str, list[float]] = {m: [] for m in MODES}
    cpu: dict[str, list[float]] = {m: [] for m in MODES}
    for r in range(rounds):
        for mode in MODES:
            res = crawl(mode, base, tmp)
            rate = res["pages"] / res["seconds"]
            rates[mode].append(rate)
            cpu[mode].append(1000 * res["cpu"] / max(res["pages"], 1))
            print(
                f"round {r + 1} {LABELS[mode]:19}: {res['pages']} pages, {res['items']} items, "
                f"{res['seconds']:.1f} s, {rate:.0f} pages/s, {cpu[mode][-1]:.1f} ms CPU/page",
                flush=True,
            )
    bar_kind = "tiny" if kind == "tiny" else "real"
    w = statistics.median(rates["wirefeed"])
    print(
        f"| site | crawler | pages/s (median of {rounds}) | CPU ms/page | wirefeed ÷ it: pages/s, per round "
        "| by CPU/page | bar |"
    )
    print("|---|---|---|---|---|---|---|")
    for mode in MODES:
        ratio, by_cpu, bar = "", "", ""
        if mode != "wirefeed":
            ratio = _span(a / b for a, b in zip(rates["wirefeed"], rates[mode], strict=True))
            by_cpu = _span(b / a for a, b in zip(cpu["wirefeed"], cpu[mode], strict=True))
            if (bar_kind, mode) in BARS:
                bar = f">= {BARS[bar_kind, mode]}"
        print(
            f"| {label} | {LABELS[mode]} | {statistics.median(rates[mode]):.0f} "
            f"| {statistics.median(cpu[mode]):.1f} | {ratio} | {by_cpu} | {bar} |"
        )
    print(f"(wirefeed median {w:.0f} pages/s)")


def _span(values: Iterable[float]) -> str:
    v = sorted(values)
    return f"{v[0]:.2f}–{v[-1]:.2f}" if len(v) > 1 else f"{v[0]:.2f}"


def memory(base: str, tmp: Path, sample: int, label: str) -> None:
    res = crawl("wirefeed", base, tmp, sample=sample)
    rss = res["rss"]  # [at spider open, at every `sample` pages]
    series, peaks = rss[1:], res["peaks"]
    print(
        f"memory, wirefeed over {res['pages']} pages of {label} ({res['seconds']:.0f} s): RSS at start "
        f"{rss[0]:.0f} MiB; every {sample:,} pages: {[round(x) for x in series]} MiB; highest in each "
        f"{sample:,} pages (read every 100): {[round(x) for x in peaks]} MiB"
    )
    if len(series) >= 2:
        growth = max(series[1:]) / series[0] - 1
        worst = max(peaks[1:]) / peaks[0] - 1
        print(
            f"after the first {sample:,} pages: highest sample {100 * growth:+.1f} % against the one at "
            f"{sample:,}; highest window {100 * worst:+.1f} % against the first window (bar: <= +10 %)"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--site", choices=["tiny", "generated"], default="tiny")
    ap.add_argument("--pages", help="serve this folder of saved pages (overrides --site)")
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument(
        "--memory", type=int, default=0, help="also crawl a site of this many articles, sampling RSS"
    )
    ap.add_argument("--sample", type=int, default=10000, help="RSS sample interval in pages (--memory)")
    ap.add_argument("--no-compare", action="store_true", help="only the memory crawl")
    args = ap.parse_args()
    kind = "pages" if args.pages else args.site
    label = f"saved pages ({args.pages})" if args.pages else f"{kind} pages"
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        (tmp / "trivial_spider.py").write_text(TRIVIAL, "utf-8")
        (tmp / "runner.py").write_text(RUNNER, "utf-8")
        if not args.no_compare:
            base = serve(kind, args.articles, args.pages)
            compare(kind, base, tmp, args.rounds, f"{label}, {args.articles:,} articles")
        if args.memory:
            memory(serve(kind, args.memory, args.pages), tmp, args.sample, label)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
