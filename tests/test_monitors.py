"""Monitors: the rules on hand-written run figures, and a real crawl of a demo portal whose listing markup
changed, which must exit with the monitor code, name the monitor and the figure, and alert once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from wirefeed.history import Run, RunHistory
from wirefeed.monitors import MonitorConfig, evaluate, post_alert
from wirefeed.runner import EXIT_MONITOR, write_demo_profiles
from wirefeed.spiders.portal import PortalSpider
from wirefeed.store import StateStore
from wirefeed.tally import Tally

from .conftest import REPO, project_settings, served

JOB = "portal:demo-kust,demo-zeeland"


def _tally(zeeland: int, kust: int, *, datelines: int | None = None) -> Tally:
    """What the demo's records look like: every one has a title, time, dateline and language."""
    n = zeeland + kust
    has = {
        f: Counter({"demo-zeeland": zeeland, "demo-kust": kust}) for f in ("title", "published", "language")
    }
    has["dateline"] = Counter(
        {"demo-zeeland": zeeland if datelines is None else datelines, "demo-kust": kust}
    )
    return Tally(records=n, sources=Counter({"demo-zeeland": zeeland, "demo-kust": kust}), has=has)


def _history(*counts: tuple[int, int]) -> list[Run]:
    return [
        Run(job=JOB, finished=f"2026-11-2{i}T06:00:00+00:00", finish_reason="finished", tally=_tally(z, k))
        for i, (z, k) in enumerate(counts)
    ]


def _names(failures: list[Any]) -> set[tuple[str, str | None]]:
    return {(f.monitor, f.source) for f in failures}


def test_a_good_run_passes() -> None:
    stats = {"finish_reason": "finished", "wirefeed/fetch/pages": 53, "wirefeed/extract/stories": 226}
    assert evaluate(stats, _tally(31, 9), _history((32, 9), (32, 8), (30, 9))) == []


def test_a_portal_that_stops_yielding_stories_is_named() -> None:
    stats = {"finish_reason": "finished", "wirefeed/fetch/pages": 6, "wirefeed/extract/stories": 20}
    failures = evaluate(stats, _tally(0, 9), _history((32, 9), (32, 8), (30, 9)))
    assert _names(failures) == {("stories-drop", None), ("stories-drop", "demo-zeeland")}
    zeeland = next(f for f in failures if f.source == "demo-zeeland")
    assert zeeland.value == 0 and zeeland.limit == 16  # half of the median 32
    assert zeeland.message == "demo-zeeland: 0 stories, under 50% of the median 32 of the last 3 runs"
    total = next(f for f in failures if f.source is None)
    assert total.message == "9 stories, under 50% of the median 40 of the last 3 runs"  # 41, 40, 39


def test_history_is_only_compared_once_enough_runs_are_known() -> None:
    stats = {"finish_reason": "finished", "wirefeed/fetch/pages": 6}
    assert evaluate(stats, _tally(0, 9), _history((32, 9), (32, 9))) == []
    # runs that did not finish are not part of the median
    unfinished = _history((32, 9), (32, 9), (32, 9))
    unfinished[0].finish_reason = "shutdown"
    assert evaluate(stats, _tally(0, 9), unfinished) == []


def test_zero_stories_fails_without_history() -> None:
    failures = evaluate({"finish_reason": "finished", "wirefeed/fetch/pages": 3}, Tally(), [])
    assert [(f.monitor, f.message) for f in failures] == [("stories-min", "0 stories, fewer than 1")]


def test_coverage_floor_and_drop_against_history() -> None:
    stats = {"finish_reason": "finished", "wirefeed/fetch/pages": 50}
    # 10 of 40 records with a dateline: no floor for datelines by default, but the job always had 100%
    failures = evaluate(stats, _tally(31, 9, datelines=1), _history((32, 9), (32, 8), (30, 9)))
    assert [(f.monitor, f.message) for f in failures] == [
        ("coverage-dateline-drop", "25% of records have a dateline, the median of the last 3 runs is 100%")
    ]
    # a floor set in the settings applies from the first run
    config = MonitorConfig.from_settings({"WIREFEED_MONITOR_COVERAGE_FLOOR": '{"dateline": 0.5}'}.get)
    failures = evaluate(stats, _tally(31, 9, datelines=1), [], config)
    assert [f.monitor for f in failures] == ["coverage-dateline"]
    assert failures[0].message == "25% of 40 records have a dateline, under the floor of 50%"
    # too few records to judge a share
    assert evaluate(stats, _tally(5, 0, datelines=0), [], config) == []


def test_failed_fetches_quarantine_and_finish_reason() -> None:
    stats = {
        "finish_reason": "shutdown",
        "wirefeed/fetch/pages": 6,
        "wirefeed/fetch/failed/http-500": 3,
        "wirefeed/fetch/failed/timeout": 1,
        "wirefeed/extract/stories": 20,
    }
    failures = evaluate(stats, _tally(5, 0), [], quarantined=6)
    by_name = {f.monitor: f.message for f in failures}
    assert by_name == {
        "finish-reason": "the crawl stopped: shutdown",
        "failed-fetches": "4 of 10 fetches failed (40%, limit 25%): http-500=3, timeout=1",
        "quarantined": "6 of 20 stories quarantined (30%, limit 25%)",
    }
    # too few stories to judge the quarantine share
    assert "quarantined" not in {
        f.monitor
        for f in evaluate({**stats, "wirefeed/extract/stories": 10}, _tally(5, 0), [], quarantined=3)
    }
    # at the limit is still fine
    ok = {"finish_reason": "finished", "wirefeed/fetch/pages": 3, "wirefeed/fetch/failed/dns": 1}
    assert evaluate(ok, _tally(5, 0), []) == []


def test_config_from_settings_types() -> None:
    raw = {"WIREFEED_MONITOR_MIN_STORIES": "10", "WIREFEED_MONITOR_STORIES_RATIO": "0.8",
           "WIREFEED_MONITOR_FINISH_REASONS": "finished"}  # fmt: skip
    cfg = MonitorConfig.from_settings(raw.get)
    assert (cfg.min_stories, cfg.stories_ratio, cfg.finish_reasons) == (10, 0.8, ("finished",))
    assert cfg.coverage_floor["title"] == 0.95  # untouched defaults stay


def test_history_round_trip(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "state.sqlite")
    assert history.recent(JOB, 5) == []  # no table yet, and reading does not create one
    for run in _history((32, 9), (30, 9), (31, 9)):
        history.add(run)
    history.add(Run(job="portal:other", finished="2026-11-29T06:00:00+00:00"))
    got = history.recent(JOB, 2)
    assert [r.stories for r in got] == [39, 40]  # the last two, oldest first
    assert got[0].tally.sources == Counter({"demo-zeeland": 30, "demo-kust": 9})
    assert len(history.all()) == 4
    history.close()


class _Hook(BaseHTTPRequestHandler):
    bodies: list[bytes]

    def do_POST(self) -> None:
        self.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[bytes]]]:
    bodies: list[bytes] = []
    handler = type("Hook", (_Hook,), {"bodies": bodies})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/alert", bodies
    server.shutdown()
    server.server_close()


def test_post_alert(webhook: tuple[str, list[bytes]]) -> None:
    url, bodies = webhook
    assert post_alert(url, {"job": JOB}) is None
    assert [json.loads(b) for b in bodies] == [{"job": JOB}]
    assert post_alert("http://127.0.0.1:9/closed", {}, timeout=5) is not None  # says why, never raises


@pytest.fixture
def redesigned_demo() -> Iterator[dict[str, str]]:
    """The demo portals, with zeeland's listings changed to a script-rendered shell."""
    with served("-m", "wirefeed.demo.server", "--listing-markup", "app") as bases:
        yield bases


def test_changed_listing_markup_exits_with_the_monitor_code_and_alerts_once(
    tmp_path: Path, redesigned_demo: dict[str, str], webhook: tuple[str, list[bytes]]
) -> None:
    url, bodies = webhook
    state = tmp_path / "state.sqlite"
    StateStore(state).close()  # the history lives in a wirefeed state store
    history = RunHistory(state)
    for run in _history((32, 9), (32, 9), (31, 9)):  # what three earlier crawls of the demo found
        history.add(run)
    history.close()
    paths = write_demo_profiles(redesigned_demo, tmp_path)
    cmd = [sys.executable, "-m", "wirefeed", "crawl", "portal", "-a", "profile=demo-zeeland,demo-kust",
           "--state", str(state), "-o", str(tmp_path / "out.jsonl"), "-s", "LOG_LEVEL=ERROR"]  # fmt: skip
    for p in paths:
        cmd += ["--profile", p]
    env = {**os.environ, "WIREFEED_ALERT_URL": url}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=REPO, env=env)
    assert proc.returncode == EXIT_MONITOR == 5, proc.stderr
    assert (
        "monitor failed: stories-drop: demo-zeeland: 0 stories, under 50% of the median 32 of the last 3 runs"
        in proc.stderr
    )
    assert len(bodies) == 1  # one POST for the run, however many monitors failed
    alert = json.loads(bodies[0])
    assert alert["job"] == JOB
    zeeland = [f for f in alert["failures"] if f["source"] == "demo-zeeland"]
    assert zeeland == [
        {
            "monitor": "stories-drop",
            "message": "demo-zeeland: 0 stories, under 50% of the median 32 of the last 3 runs",
            "value": 0,
            "limit": 16,
            "source": "demo-zeeland",
        }
    ]
    runs = RunHistory(state).all()
    assert len(runs) == 4 and runs[-1].tally.sources.get("demo-zeeland", 0) == 0
    assert runs[-1].failures == alert["failures"]


@deferred_f_from_coro_f
async def test_a_normal_crawl_passes_and_is_added_to_the_history(
    tmp_path: Path, demo_server: dict[str, str]
) -> None:
    state = tmp_path / "state.sqlite"
    StateStore(state).close()  # the history lives in a wirefeed state store
    history = RunHistory(state)
    for run in _history((32, 9), (32, 9), (31, 9)):
        history.add(run)
    history.close()
    paths = write_demo_profiles(demo_server, tmp_path)
    feeds = {str(tmp_path / "out.jsonl"): {"format": "wirefeed-jsonl", "overwrite": True}}
    crawler = get_crawler(PortalSpider, project_settings(tmp_path, WIREFEED_PROFILES=paths, FEEDS=feeds))
    await crawler.crawl_async(profile="demo-zeeland,demo-kust")
    stats = crawler.stats.get_stats()
    assert not [k for k in stats if k.startswith("wirefeed/monitor/")]
    assert stats["monitor/failures"] == []
    runs = RunHistory(state).all()
    assert len(runs) == 4
    last = runs[-1]
    assert last.job == JOB and last.finish_reason == "finished" and last.failures == []
    # every story of the demo once, emitted or not: 32 from zeeland, 9 (7 of them copies) from kust
    assert last.tally.sources == Counter({"demo-zeeland": 32, "demo-kust": 9})
    assert last.tally.coverage("dateline") == 1.0 and last.tally.coverage("published") == 1.0
    assert last.stats["wirefeed/fetch/pages"] == stats["wirefeed/fetch/pages"]
    assert last.emitted.records == 34  # which portal a shared story is emitted from depends on crawl order


def test_parse_runs_the_monitors_against_its_history_and_alerts_once(
    tmp_path: Path, webhook: tuple[str, list[bytes]], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """``wirefeed parse --state`` keeps its runs like a crawl: three parses of a ten-story listing, then
    one that finds a single story, which exits 5, names the monitor and the figure, and POSTs once."""
    from wirefeed.cli import main

    url, bodies = webhook
    monkeypatch.setenv("WIREFEED_ALERT_URL", url)
    state = str(tmp_path / "state.sqlite")
    listing = REPO / "tests" / "fixtures" / "stream" / "page.txt"
    single = tmp_path / "single.txt"
    single.write_text(listing.read_text("utf-8").split("\n\nVeerdienst")[0] + "\n", "utf-8")  # the article
    args = ["--state", state, "--source", "regio", "--reference-time", "2026-03-29T10:30:00+02:00"]
    for _ in range(3):  # the second and third read the same stories again: duplicates, still stories
        assert main(["parse", str(listing), *args]) == 0
    assert bodies == []
    assert main(["parse", str(single), *args]) == EXIT_MONITOR == 5
    err = capsys.readouterr().err
    assert (
        "monitor failed: stories-drop: regio: 1 stories, under 50% of the median 10 of the last 3 runs" in err
    )
    assert len(bodies) == 1
    alert = json.loads(bodies[0])
    assert alert["job"] == "parse:regio"
    assert {f["monitor"] for f in alert["failures"]} == {"stories-drop"}
    runs = RunHistory(state).all()
    assert [r.job for r in runs] == ["parse:regio"] * 4
    assert [r.stories for r in runs] == [10, 10, 10, 1]


def test_parse_that_quarantines_most_of_its_stories_fails_its_monitor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from wirefeed.cli import main

    monkeypatch.delenv("WIREFEED_ALERT_URL", raising=False)
    page = tmp_path / "cut.txt"
    page.write_text(
        "Brug weer open\n\nGOES (ANP) - De brug bij Goes is weer open voor verkeer, meldt de gemeente.\n\n"
        "2 uur geleden\nDijk dicht\n\nKAPELLE (ANP) - De dijk bij Kapelle is van\n",  # the last one cut off
        "utf-8",
    )
    # two stories are too few to judge a share by default: the cut one is quarantined, the run is fine
    assert main(["parse", str(page), "--reference-time", "2026-03-29T10:30:00+02:00"]) == 0
    monkeypatch.setenv("WIREFEED_MONITOR_MIN_SAMPLE", "2")
    assert main(["parse", str(page), "--reference-time", "2026-03-29T10:30:00+02:00"]) == 5
    assert (
        "monitor failed: quarantined: 1 of 2 stories quarantined (50%, limit 25%)" in capsys.readouterr().err
    )
    monkeypatch.setenv("WIREFEED_MONITORS", "0")
    assert main(["parse", str(page), "--reference-time", "2026-03-29T10:30:00+02:00"]) == 0
