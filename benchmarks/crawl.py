"""Pipeline overhead: the full wirefeed crawl against a trivial Scrapy spider, on the same local site.

    python benchmarks/crawl.py                       # 2,000 articles, two rounds each, alternating
    python benchmarks/crawl.py --memory 20000        # also: RSS every 1,000 pages over a 20,000-page crawl

The site (``--articles`` pages with datelines plus listings of 20 teasers with relative stamps) is
served from a separate process on 127.0.0.1. Each crawl runs in its own process with the same Scrapy
settings; the trivial spider yields title + text to Scrapy's own JSON Lines exporter, wirefeed runs every
pipeline with JSONL out and the state store on. Prints pages/s of each and the ratio.
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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PLACES = [
    "DEN HAAG",
    "AMSTERDAM",
    "BRUSSEL",
    "KYIV",
    "LONDEN",
    "PARIJS",
    "BERLIJN",
    "ROTTERDAM",
    "UTRECHT",
    "MIDDELBURG",
    "WASHINGTON",
    "NEW YORK",
    "AIR FORCE ONE",
    "'S-HERTOGENBOSCH",
]
AGENCIES = ["ANP", "ANP/AFP", "ANP/RTR", "ANP/DPA"]
WORDS = (
    "kabinet minister gemeente provincie haven rechter politie bedrijf onderzoek plan geld woningen "
    "verkiezingen storm trein school ziekenhuis boeren staking beurs rente prijzen energie water"
).split()
PER_PAGE = 20


def story(n: int) -> tuple[str, str, str]:
    w = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(40)]
    title = f"Bericht {n}: {w[0]} en {w[1]} in het nieuws"
    lead = (
        f"{PLACES[n % len(PLACES)]} ({AGENCIES[n % len(AGENCIES)]}) - "
        + " ".join(w[:20]).capitalize()
        + f" volgens bericht nummer {n}."
    )
    body = " ".join(w[20:]).capitalize() + " zei een woordvoerder."
    return title, lead, body


class Site(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    articles = 2000

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            body = b"User-agent: *\nDisallow:\n"
        elif self.path.startswith("/list"):
            page = int(self.path.split("=")[-1]) if "=" in self.path else 1
            first = (page - 1) * PER_PAGE
            items = []
            for n in range(first, min(first + PER_PAGE, self.articles)):
                title, lead, _ = story(n)
                items.append(
                    f'<div><a href="/a/{n}"><h3>{title}</h3></a><p>{lead}</p><span>{n % 59 + 1} minuten '
                    f"geleden</span></div>"
                )
            nxt = f'<a href="/list?page={page + 1}">volgende</a>' if first + PER_PAGE < self.articles else ""
            body = f"<html lang='nl'><body><h2>Nieuws</h2>{''.join(items)}{nxt}</body></html>".encode()
        elif self.path.startswith("/a/"):
            n = int(self.path.split("/")[-1])
            title, lead, text = story(n)
            body = f"<html lang='nl'><body><h1>{title}</h1><p>{lead}</p><p>{text}</p></body></html>".encode()
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


TRIVIAL = textwrap.dedent("""
    import scrapy
    class Trivial(scrapy.Spider):
        name = "trivial"
        def __init__(self, base, **kw):
            super().__init__(**kw)
            self.start_urls = [base + "/list?page=1"]
        def parse(self, response):
            if "/a/" in response.url:
                yield {"title": response.css("h1::text").get(), "text": " ".join(response.css("p::text").getall())}
            for href in response.css("a::attr(href)").getall():
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
    rss = []
    def sample_rss(response, request, spider):
        n = spider.crawler.stats.get_value("response_received_count", 0)
        if sample and n % sample == 0:
            with open("/proc/self/statm") as fh:
                rss.append(int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6)
    if mode == "trivial":
        sys.path.insert(0, tmp)
        from trivial_spider import Trivial as cls
        s.set("ITEM_PIPELINES", {}, priority="cmdline")
        s.set("FEEDS", {out: {"format": "jsonlines", "overwrite": True}}, priority="cmdline")
        kwargs = {"base": base}
    else:
        from wirefeed.spiders.portal import PortalSpider as cls
        host = base.split("//")[1]
        prof = os.path.join(tmp, "big.json")
        json.dump({"name": "big", "domains": [host], "start_urls": [base + "/list?page=1"],
                   "listing_patterns": ["^/list"], "article_patterns": ["^/a/"], "language": "nl"}, open(prof, "w"))
        s.set("WIREFEED_PROFILES", [prof], priority="cmdline")
        s.set("WIREFEED_STATE", os.path.join(tmp, "state-%d.sqlite" % os.getpid()), priority="cmdline")
        s.set("FEEDS", {out: {"format": "wirefeed-jsonl", "overwrite": True}}, priority="cmdline")
        kwargs = {"profile": "big"}
    process = CrawlerProcess(s)
    crawler = process.create_crawler(cls)
    crawler.signals.connect(sample_rss, signal=signals.response_received)
    process.crawl(crawler, **kwargs)
    process.start()
    st = crawler.stats.get_stats()
    secs = (st["finish_time"] - st["start_time"]).total_seconds()
    print(json.dumps({"pages": st.get("response_received_count", 0), "items": st.get("item_scraped_count", 0),
                      "seconds": secs, "rss": rss,
                      "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
""")


def crawl(mode: str, base: str, tmp: Path, sample: int = 0) -> dict:
    out = tmp / f"{mode}.jsonl"
    proc = subprocess.run(
        [sys.executable, str(tmp / "runner.py"), mode, base, str(out), str(tmp), str(sample)],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def serve(articles: int) -> str:
    """The site, from a separate process (a thread here would share the crawler's CPU accounting)."""
    code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import crawl; crawl._serve({articles})"
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    _SERVERS.append(proc)  # serves until its stdin closes, when this process exits
    assert proc.stdout is not None
    return proc.stdout.readline().strip()


_SERVERS: list[subprocess.Popen] = []


def _serve(articles: int) -> None:
    Site.articles = articles
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print(f"http://127.0.0.1:{srv.server_address[1]}", flush=True)
    sys.stdin.read()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--memory", type=int, default=0, help="also crawl this many articles sampling RSS")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        (tmp / "trivial_spider.py").write_text(TRIVIAL, "utf-8")
        (tmp / "runner.py").write_text(RUNNER, "utf-8")
        base = serve(args.articles)
        rates: dict[str, list[float]] = {"trivial": [], "wirefeed": []}
        for r in range(args.rounds):
            for mode in ("trivial", "wirefeed"):
                res = crawl(mode, base, tmp)
                rates[mode].append(res["pages"] / res["seconds"])
                print(
                    f"round {r + 1} {mode:8}: {res['pages']} pages, {res['items']} items, "
                    f"{res['seconds']:.1f} s, {res['pages'] / res['seconds']:.0f} pages/s"
                )
        t, w = statistics.median(rates["trivial"]), statistics.median(rates["wirefeed"])
        print(
            f"| crawl ({args.articles} articles) | wirefeed {w:.0f} pages/s | trivial spider {t:.0f} pages/s | "
            f"ratio {w / t:.2f} (target >= 0.8) |"
        )
        if args.memory:
            big = serve(args.memory)
            for mode in ("trivial", "wirefeed"):
                res = crawl(mode, big, tmp, sample=1000)
                rss = res["rss"]
                print(
                    f"memory, {mode:8} over {res['pages']} pages (RSS every 1,000): start {rss[0]:.0f} MB, "
                    f"max {max(rss):.0f} MB, end {rss[-1]:.0f} MB; series {[round(x) for x in rss]}"
                )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
