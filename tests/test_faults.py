"""The fault suite: a crawl against a server that misbehaves on purpose finishes, accounts for every
URL, loses nothing from the good pages, and says what happened in its exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import signals
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from wirefeed.schemas import Article
from wirefeed.spiders.portal import PortalSpider

from .conftest import project_settings
from .faultserver import FAULTS
from .test_kill_resume import Zygote, fault_servers, zygote  # noqa: F401 - the session's fault server and zygote, fixtures


@pytest.fixture
def forks(request: pytest.FixtureRequest) -> Zygote:
    """The session's zygote (tests/zygote.py): runs forked from one warm process."""
    z: Zygote = request.getfixturevalue("zygote")
    return z


@pytest.fixture
def faults(request: pytest.FixtureRequest) -> dict[str, str]:
    servers: dict[str, str] = request.getfixturevalue("fault_servers")  # one per session
    return servers


def _profile(tmp_path: Path, base: str) -> Path:
    path = tmp_path / "faults.json"
    path.write_text(
        json.dumps(
            {
                "name": "faults",
                "domains": [base.split("://")[1]],
                "start_urls": [base + "/"],
                "listing_patterns": ["^/$", "^/stamps$"],
                "article_patterns": ["^/.+"],
                "language": "nl",
                "country": "NL",
            }
        ),
        "utf-8",
    )
    return path


SETTINGS = {
    "DOWNLOAD_TIMEOUT": 3,
    "RETRY_TIMES": 1,
    "DOWNLOAD_MAXSIZE": 1024 * 1024,
    "AUTOTHROTTLE_ENABLED": False,
    "REDIRECT_MAX_TIMES": 3,
    "LOG_LEVEL": "ERROR",
}


def _settings(tmp_path: Path, faults: dict[str, str], **extra: object) -> dict[str, object]:
    profile = str(_profile(tmp_path, faults["base"]))
    return project_settings(tmp_path, **SETTINGS, WIREFEED_PROFILES=[profile], **extra)


@deferred_f_from_coro_f
async def test_every_url_accounted_and_good_pages_kept(tmp_path: Path, faults: dict[str, str]) -> None:
    settings = _settings(tmp_path, faults, FEEDS={str(tmp_path / "out.jsonl"): {"format": "wirefeed-jsonl"}})
    crawler = get_crawler(PortalSpider, settings)
    items: list[Article] = []
    crawler.signals.connect(lambda item: items.append(item), signal=signals.item_scraped, weak=False)
    await crawler.crawl_async(profile="faults")
    stats = crawler.stats.get_stats()
    assert stats["finish_reason"] == "finished"
    failed = {
        k.removeprefix("wirefeed/fetch/failed/"): v
        for k, v in stats.items()
        if k.startswith("wirefeed/fetch/failed/")
    }
    # every URL the crawl asked for ends parsed or failed with a reason: the listing + every link on it
    assert stats["wirefeed/fetch/pages"] + sum(failed.values()) == 1 + len(FAULTS) + 2, (
        sorted(failed.items()),
        {k: v for k, v in stats.items() if "offsite" in k or "redirect" in k or "ignored" in k},
    )
    for reason in ("http-500", "http-503", "http-429", "timeout", "connection-lost", "robots", "redirect-loop",
                   "offsite-redirect", "too-large"):  # fmt: skip
        assert reason in failed, (reason, sorted(failed.items()))
    titles = {i.title for i in items}
    # the good pages, malformed HTML and mislabelled encodings all come through, without mojibake
    assert {
        "Kabinet presenteert plannen",
        "Haven meldt recordjaar",
        "Slordige pagina",
        "Café in Zierikzee sluit",
        "Één dag staking",
    } <= titles
    assert not any("\ufffd" in (i.title or "") + (i.lead or "") for i in items)
    assert "Geheim" not in titles and "Vreemde site" not in titles  # robots.txt and offsite redirects obeyed
    # the garbage stamps are quarantined with their reasons; the good one on the same page is emitted
    rejected = [json.loads(line) for line in (tmp_path / "rejected.jsonl").read_text("utf-8").splitlines()]
    assert {(r["stage"], r["reason"]) for r in rejected} >= {
        ("timestamps", "negative-age"),
        ("timestamps", "too-old"),
    }
    assert "Bericht 2" in titles and "Bericht 0" not in titles


def test_exit_code_says_some_pages_failed(tmp_path: Path, faults: dict[str, str]) -> None:
    profile = _profile(tmp_path, faults["base"])
    args = [
        sys.executable,
        "-m",
        "wirefeed",
        "crawl",
        "portal",
        "-a",
        "profile=faults",
        "--profile",
        str(profile),
        "-o",
        str(tmp_path / "out.jsonl"),
        "--state",
        str(tmp_path / "s.sqlite"),
    ]
    for k, v in SETTINGS.items():
        args += ["-s", f"{k}={v}"]
    args += ["-s", "WIREFEED_MONITOR_MAX_FAILED_SHARE=1"]  # else 12 of 22 failed also fails a monitor: exit 5
    proc = subprocess.run(args, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 3, proc.stderr  # finished, but some pages could not be fetched
    assert "wirefeed/fetch/failed/http-500" in proc.stderr


@deferred_f_from_coro_f
async def test_feeds_with_entities_are_refused_and_counted(tmp_path: Path, faults: dict[str, str]) -> None:
    from wirefeed.spiders.feed import FeedSpider

    settings = _settings(tmp_path, faults)
    crawler = get_crawler(FeedSpider, settings)
    items: list[Article] = []
    crawler.signals.connect(lambda item: items.append(item), signal=signals.item_scraped, weak=False)
    base = faults["base"]
    await crawler.crawl_async(
        profile="faults", url=f"{base}/feed-xxe.xml,{base}/feed-laughs.xml,{base}/feed.xml"
    )
    stats = crawler.stats.get_stats()
    assert stats["wirefeed/feed/entities"] == 2  # XXE and billion laughs: refused, never expanded
    assert [i.title for i in items] == [
        "Haven meldt recordjaar"
    ]  # the good feed's article still comes through
    assert not any("root:" in (i.lead or "") for i in items)


# --- the accounting campaign: overlapping runs, full disks, signals; run + rerun hold every story once


def _crawl(tmp_path: Path, demo_server: dict[str, str], out: Path, *extra: str) -> list[str]:
    from .test_kill_resume import crawl_command

    cmd = crawl_command(tmp_path, demo_server, jobdir=False)
    cmd[cmd.index("-o") + 1] = str(out)
    return [*cmd, *extra]


def _ids(*outputs: Path) -> list[str]:
    ids = []
    for out in outputs:
        data = out.read_bytes() if out.exists() else b""
        assert not data or data.endswith(b"\n"), f"partial line in {out}"
        ids += [Article.model_validate_json(line).id for line in data.splitlines()]
    return ids


def _exactly_once(*outputs: Path) -> None:
    from .test_kill_resume import STORIES

    ids = _ids(*outputs)
    assert len(ids) == len(set(ids)), "a story was written twice"
    assert len(ids) == STORIES, "a story was lost"


@pytest.mark.parametrize("apart", [0.0, 1.0], ids=["together", "1s-apart"])
def test_overlapping_runs_one_waits_or_is_refused(
    tmp_path: Path, demo_server: dict[str, str], apart: float
) -> None:
    import time

    out = tmp_path / "out.jsonl"
    cmd = _crawl(tmp_path, demo_server, out)
    first = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(apart)  # the start-up gap the bar asks for; the outcome must not depend on it
    second = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    _, err1 = first.communicate(timeout=300)
    codes = sorted([first.returncode, second.returncode])
    assert codes in ([0, 0], [0, 4]), (err1, second.stderr)  # 0 0: the first had finished already
    if codes == [0, 4]:
        refused = second.stderr if second.returncode == 4 else err1
        assert "in use by another run (pid " in refused and "--wait" in refused
    _exactly_once(out)


def test_overlapping_runs_with_wait_both_succeed(tmp_path: Path, demo_server: dict[str, str]) -> None:
    out = tmp_path / "out.jsonl"
    cmd = _crawl(tmp_path, demo_server, out, "--wait")
    procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    _exactly_once(out)


def test_output_on_a_full_disk_fails_and_the_rerun_emits_the_rest(
    tmp_path: Path, demo_server: dict[str, str]
) -> None:
    from .test_output import small_disk

    with small_disk(tmp_path / "disk", "24k") as disk:
        full = disk / "out.jsonl"
        proc = subprocess.run(
            _crawl(tmp_path, demo_server, full), capture_output=True, text=True, timeout=300
        )
        assert proc.returncode == 1, proc.stderr
        assert "disk full" in proc.stderr and "wirefeed/export/failed/disk-full" in proc.stderr
        assert 0 < len(_ids(full)) < 34
        good = tmp_path / "more.jsonl"
        rerun = subprocess.run(
            _crawl(tmp_path, demo_server, good), capture_output=True, text=True, timeout=300
        )
        assert rerun.returncode == 0, rerun.stderr
        _exactly_once(full, good)


def test_output_that_is_a_directory_is_refused_at_once(tmp_path: Path, demo_server: dict[str, str]) -> None:
    proc = subprocess.run(
        _crawl(tmp_path, demo_server, tmp_path), capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 1
    assert "is a directory" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "state.sqlite").exists()  # refused before anything started
    rerun = subprocess.run(
        _crawl(tmp_path, demo_server, tmp_path / "out.jsonl"), capture_output=True, text=True, timeout=300
    )
    assert rerun.returncode == 0, rerun.stderr
    _exactly_once(tmp_path / "out.jsonl")


def test_a_foreign_sqlite_file_as_state_is_refused_untouched_then_the_rerun_emits_all(
    tmp_path: Path, faults: dict[str, str]
) -> None:
    import sqlite3

    from .faultserver import WIRE_STORIES
    from .test_kill_resume import assert_exactly_once, crawl_argv

    foreign = tmp_path / "notes.sqlite"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    db.execute("INSERT INTO notes (text) VALUES ('boodschappen')")
    db.commit()
    db.close()
    before = foreign.read_bytes()
    argv = crawl_argv(tmp_path, faults["wire"], False, "-s", "LOG_LEVEL=ERROR")
    argv[argv.index("--state") + 1] = str(foreign)
    proc = subprocess.run(
        [sys.executable, "-m", "wirefeed", *argv], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 2, proc.stderr  # a usage error: the wrong file was given
    assert "another application's SQLite database" in proc.stderr and "left untouched" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert foreign.read_bytes() == before and sorted(p.name for p in tmp_path.glob("notes.sqlite*")) == [
        "notes.sqlite"
    ]  # not a byte written, no journal left beside it
    rerun = subprocess.run(
        [sys.executable, "-m", "wirefeed", *crawl_argv(tmp_path, faults["wire"], False, "-s", "LOG_LEVEL=ERROR")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    assert_exactly_once(tmp_path / "out.jsonl", stories=WIRE_STORIES)


def test_a_stamp_seen_after_the_article_was_requested_is_its_evidence(
    tmp_path: Path, faults: dict[str, str]
) -> None:
    from .faultserver import LATE_TITLE

    base = faults["wire"]
    profile = tmp_path / "laat.json"
    profile.write_text(json.dumps({
        "name": "laat", "domains": [base.split("://")[1]], "start_urls": [base + "/laat/"],
        "listing_patterns": ["^/laat/$"], "pagination_patterns": ["^/laat/\\?page=\\d+$"],
        "article_patterns": ["^/laat/artikel-[a-z]+$"], "language": "nl", "country": "NL",
        "timezone": "Europe/Amsterdam", "semantics": "floor", "stamp_position": "after",
    }), "utf-8")  # fmt: skip
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "wirefeed", "crawl", "portal", "-a", "profile=laat", "--profile", str(profile),
           "-o", str(out), "--state", str(tmp_path / "s.sqlite"), "-s", "LOG_LEVEL=ERROR",
           "-s", f"USER_AGENT=wirefeed-late-{tmp_path.name}"]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    records = [Article.model_validate_json(line) for line in out.read_bytes().splitlines()]
    # the article page has no date: its published time is the stamp listing 2 gave after it was requested
    assert [(r.title, r.kind, r.published and r.published.raw) for r in records] == [
        (LATE_TITLE, "article", "3 uur geleden")
    ]
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert len(_ids(out)) == 1  # run + rerun: the story once


def _gone_site() -> tuple[object, dict[str, object]]:
    """The demo site with its newest zeeland article answering 404 behind the teasers that link it."""
    from datetime import UTC, datetime

    from wirefeed.demo.site import DemoSite, stories

    gone = stories()[0]

    class GoneSite(DemoSite):
        def zeeland(self, path: str, query: dict[str, str], now: datetime, base: str) -> str | None:
            if path == f"/nieuws/{gone['slug']}":
                return None
            return super().zeeland(path, query, now, base)

    return GoneSite(started=datetime.now(UTC)), gone


@pytest.mark.parametrize("setting", ["teaser", "quarantine"])
def test_a_teaser_whose_article_404s_is_emitted_as_teaser_or_quarantined(
    tmp_path: Path, setting: str
) -> None:
    from wirefeed.demo.server import running_demo
    from wirefeed.runner import write_demo_profiles

    site, gone = _gone_site()
    with running_demo(site) as servers:  # type: ignore[arg-type]
        paths = write_demo_profiles({"zeeland": servers["zeeland"].base_url}, tmp_path)
        out = tmp_path / "out.jsonl"
        cmd = [sys.executable, "-m", "wirefeed", "crawl", "portal", "-a", "profile=demo-zeeland", "--profile",
               paths[0], "-o", str(out), "--state", str(tmp_path / "s.sqlite"), "-s", "LOG_LEVEL=ERROR",
               "-s", "AUTOTHROTTLE_ENABLED=False", "-s", f"WIREFEED_ARTICLE_NOT_FETCHED={setting}"]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)  # the article still 404s
    quarantine = Path(str(out) + ".rejected.jsonl")  # appended to by both runs: their union
    lines = quarantine.read_text("utf-8").splitlines() if quarantine.exists() else []
    for run in (proc, rerun):
        assert run.returncode == 3, run.stderr  # a page could not be fetched: a partial run
        assert "wirefeed/fetch/failed/http-404" in run.stderr
    # below: the union of the run's and the rerun's output (one file, appended to)
    records = [Article.model_validate_json(line) for line in out.read_bytes().splitlines()]
    assert len({r.id for r in records}) == len(records)
    teasers = [r for r in records if r.title == gone["title"]]
    rejected = [json.loads(line) for line in lines]
    if setting == "teaser":
        assert len(records) == 32  # every story of the portal, the lost article's as its teaser
        assert [(t.kind, t.published is not None and t.published.raw is not None) for t in teasers] == [
            ("teaser", True)
        ]
        assert not [r for r in rejected if r["reason"] == "article-not-fetched"]
    else:
        assert len(records) == 31 and teasers == []
        lost = [r for r in rejected if r["reason"] == "article-not-fetched"]
        assert [(r["stage"], r["detail"], r["item"]["title"]) for r in lost] == [
            ("fetch", "http-404", gone["title"])
        ]  # once over run + rerun: the rerun knows it was quarantined
        assert "wirefeed/fetch/article-not-fetched/quarantined-before" in rerun.stderr


HOSTILE = {
    "/": b'<html><body><a href="/nieuws/goed">Goed</a> <a href="/nieuws/kapot">Kapot</a></body></html>',
    "/nieuws/goed": b'<html><head><meta charset="utf-8"><script type="application/ld+json">'
    b'{"@type": {"a": 1}, "itemListElement": 5}</script></head><body><h1>Haven meldt recordjaar</h1>'
    b"<p>ROTTERDAM (ANP) - De haven van Rotterdam heeft vorig jaar meer goederen overgeslagen dan ooit, "
    b"meldt het havenbedrijf dinsdag.</p></body></html>",
    "/nieuws/kapot": b'<html><head><meta charset="undefined"></head><body><h1>Kapot</h1>'
    b"<p>UTRECHT (ANP) - Deze pagina noemt een tekenset die niet bestaat, en moet toch een uitkomst "
    b"krijgen.</p></body></html>",
}


def test_hostile_json_ld_and_charset_pages_are_outcomes(tmp_path: Path) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = HOSTILE.get(self.path)
            self.send_response(200 if body else 404)
            ctype = "text/html; charset=undefined" if self.path == "/nieuws/kapot" else "text/html"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        profile = tmp_path / "h.json"
        profile.write_text(json.dumps({"name": "hostile", "domains": [base.split("://")[1]],
                                       "start_urls": [base + "/"], "listing_patterns": ["^/$"],
                                       "article_patterns": ["^/nieuws/.+"], "language": "nl"}), "utf-8")  # fmt: skip
        out = tmp_path / "out.jsonl"
        proc = subprocess.run(
            [sys.executable, "-m", "wirefeed", "crawl", "portal", "-a", "profile=hostile", "--profile", str(profile),
             "-o", str(out), "--state", str(tmp_path / "s.sqlite"), "-s", "LOG_LEVEL=ERROR", "-s",
             "ROBOTSTXT_OBEY=False"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    records = [Article.model_validate_json(line) for line in out.read_bytes().splitlines()]
    assert "Haven meldt recordjaar" in {r.title for r in records}  # hostile JSON-LD: the page still counts
    quarantine = Path(str(out) + ".rejected.jsonl")
    rejected = (
        [json.loads(line) for line in quarantine.read_text("utf-8").splitlines()]
        if quarantine.exists()
        else []
    )
    kapot = [r for r in rejected if r["url"] and r["url"].endswith("/nieuws/kapot")]
    if "Kapot" not in {r.title for r in records}:  # the undefined charset: read after all, or failed
        assert [(r["stage"], r["reason"]) for r in kapot] == [("extract", "failed")], rejected
        assert proc.returncode in (3, 5), proc.stderr  # partial (3), or a monitor saw the share (5)
        assert "wirefeed/extract/failed/" in proc.stderr
    else:
        assert proc.returncode == 0, proc.stderr


def test_a_scrapy_feed_that_cannot_be_written_confirms_nothing_and_the_rerun_emits_all(
    tmp_path: Path, faults: dict[str, str], forks: Zygote
) -> None:
    """``scrapy crawl -o /dev/full:jsonl``: every write fails; the crawl stops and says so, and no record
    is confirmed, so a rerun to a good file emits every story (before, Scrapy's feed exporter logged the
    error and the records were confirmed anyway: lost)."""
    from .faultserver import WIRE_STORIES
    from .test_kill_resume import assert_exactly_once, scrapy_argv

    quarantine = ["-s", f"WIREFEED_QUARANTINE={tmp_path / 'rejected.jsonl'}"]
    argv = scrapy_argv(tmp_path, faults["wire"], "/dev/full:jsonl", *quarantine)
    forks.wait(forks.start(argv, tmp_path, tmp_path / "full.txt"))
    out = tmp_path / "out.jsonl"
    argv = scrapy_argv(tmp_path, faults["wire"], str(out), *quarantine)
    assert forks.wait(forks.start(argv, tmp_path, tmp_path / "rerun.txt")) == 0
    assert_exactly_once(out, stories=WIRE_STORIES)
    full = (tmp_path / "full.txt").read_text("utf-8")
    assert "disk full" in full and "/dev/full" in full, full  # the failed run said so
