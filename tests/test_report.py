"""``wirefeed report``: the page from hand-written figures, and from a real store of three crawls rendered in
a real headless Chromium (no console error, every chart drawn)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from wirefeed.history import Run, RunHistory
from wirefeed.report import CHARTS, ReportData, load_report_data, render_report, write_report
from wirefeed.runner import write_demo_profiles
from wirefeed.spiders.portal import PortalSpider
from wirefeed.tally import Tally

from . import browser
from .conftest import REPO, project_settings

GENERATED = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


def _record(
    rid: str, source: str, *, agency: str | None, place: str | None, hour: str, lang: str = "nl"
) -> dict:
    return {
        "id": rid,
        "source": {"name": source},
        "title": "Titel",
        "dateline": {"text": f"{place} -"} if place else None,
        "agencies": [{"printed": agency, "code": agency}] if agency else [],
        "location": {"name": place, "country": "NL"} if place else None,
        "published": {"at": f"2026-11-30T{hour}:10:00Z", "source": "relative"},
        "language": {"code": lang},
    }


RECORDS = [
    _record("a", "zeeland", agency="ANP", place="Goes", hour="09"),
    _record("b", "zeeland", agency="ANP", place="Goes", hour="09"),
    _record("c", "zeeland", agency="RTR", place="Middelburg", hour="17"),
    _record("d", "kust", agency=None, place=None, hour="17", lang="en"),
]


def _data() -> ReportData:
    tally = Tally()
    for r in RECORDS:
        tally.add(r)
    runs = [
        Run(id=1, job="portal:zeeland", finished="2026-11-30T06:00:00+00:00", finish_reason="finished",
            stats={"wirefeed/dedup/new": 4, "wirefeed/fetch/failed/http-503": 2}),
        Run(id=2, job="portal:zeeland", finished="2026-11-30T07:00:00+00:00", finish_reason="finished",
            stats={"wirefeed/dedup/duplicate": 4},
            failures=[{"monitor": "stories-min", "message": "0 stories, fewer than 1"}]),
    ]  # fmt: skip
    return ReportData(runs=runs, records=tally, sources=["hand-written"])


def _figure(html: str, chart: str) -> str:
    match = re.search(rf'<figure class="chart" data-chart="{chart}".*?</figure>', html, re.S)
    assert match, chart
    return match.group(0)


def test_every_chart_with_its_figures() -> None:
    html = render_report(_data(), generated=GENERATED)
    assert [m for m in re.findall(r'data-chart="([a-z-]+)"', html)] == list(CHARTS)
    agencies = _figure(html, "agencies")
    assert agencies.index("<title>ANP: 2</title>") < agencies.index("<title>RTR: 1</title>")  # ranked
    hours = _figure(html, "hours")
    assert "<title>09: records 2</title>" in hours and "<title>17: records 2</title>" in hours
    assert "<title>zeeland: 100%</title>" in _figure(html, "dateline-rate")
    assert "<title>kust: 0%</title>" in _figure(html, "dateline-rate")
    assert "<title>Goes, NL: 2</title>" in _figure(html, "places")
    assert "<title>en: 1</title>" in _figure(html, "languages")
    assert "zeeland: relative 3 (100%)" in _figure(html, "date-sources")
    assert "run 1 portal:zeeland 11-30 06:00: http-503 2" in _figure(html, "runs-failures")
    assert "run 2 portal:zeeland 11-30 07:00: duplicate 4" in _figure(html, "runs-stories")
    assert "0 stories, fewer than 1" in html  # the runs table names failed monitors


def test_the_page_needs_no_network() -> None:
    html = render_report(_data(), generated=GENERATED)
    assert not re.search(r"<script|<link|<img|<iframe|\bsrc=|url\(|@import", html, re.I)
    assert set(re.findall(r"https?://[^\"' <]+", html)) == {"http://www.w3.org/2000/svg"}  # a namespace


def test_empty_inputs_still_draw_every_chart() -> None:
    html = render_report(ReportData(), generated=GENERATED)
    assert [m for m in re.findall(r'data-chart="([a-z-]+)"', html)] == list(CHARTS)
    assert "No runs in the history" in html


def test_records_come_from_files_else_from_what_the_runs_emitted(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "s.sqlite")
    emitted = Tally()
    emitted.add(RECORDS[0])
    history.add(Run(job="j", finished="2026-11-30T06:00:00+00:00", emitted=emitted))
    history.add(Run(job="j", finished="2026-11-30T07:00:00+00:00", emitted=emitted))
    history.close()
    assert load_report_data([tmp_path / "s.sqlite"]).records.records == 2  # each run's records
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), "utf-8")
    data = load_report_data([tmp_path / "s.sqlite"], [jsonl])
    assert (len(data.runs), data.records.records, data.records.agencies) == (2, 4, Counter(ANP=2, RTR=1))


def test_cli_report_usage(tmp_path: Path) -> None:
    run = [sys.executable, "-m", "wirefeed", "report", "-o", str(tmp_path / "r.html")]
    proc = subprocess.run(run, capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 2 and "--state" in proc.stderr
    proc = subprocess.run([*run, "--state", str(tmp_path / "none.sqlite")], capture_output=True, text=True)
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_the_browser_harness_sees_console_errors(tmp_path: Path) -> None:
    if browser.chromium() is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium with apt-get)")
    page = tmp_path / "bad.html"
    page.write_text('<script>console.error("kapot")</script><img src="missing.png">', "utf-8")
    errors = browser.render(page.as_uri()).errors
    assert "kapot" in errors and any("ERR_FILE_NOT_FOUND" in e for e in errors) and len(errors) == 2


async def _crawl(tmp_path: Path, paths: list[str], out: Path) -> None:
    feeds = {str(out): {"format": "wirefeed-jsonl", "overwrite": True}}
    crawler = get_crawler(PortalSpider, project_settings(tmp_path, WIREFEED_PROFILES=paths, FEEDS=feeds))
    await crawler.crawl_async(profile="demo-zeeland,demo-kust")


@deferred_f_from_coro_f
async def test_report_of_three_crawls_renders_in_chromium(
    tmp_path: Path, demo_server: dict[str, str]
) -> None:
    if browser.chromium() is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium with apt-get)")
    paths = write_demo_profiles(demo_server, tmp_path)
    await _crawl(tmp_path, paths, tmp_path / "run1.jsonl")
    # the second run also asks for a page the portal does not have: a failure to draw
    zeeland = json.loads(Path(paths[0]).read_text("utf-8"))
    zeeland["start_urls"].append(demo_server["zeeland"] + "/nieuws/bestaat-niet")
    Path(paths[0]).write_text(json.dumps(zeeland), "utf-8")
    await _crawl(tmp_path, paths, tmp_path / "run2.jsonl")
    await _crawl(tmp_path, paths, tmp_path / "run3.jsonl")
    page = tmp_path / "report.html"
    data = write_report(
        page, states=[tmp_path / "state.sqlite"], files=[tmp_path / "run1.jsonl"], generated=GENERATED
    )
    assert len(data.runs) == 3 and data.records.records == 34
    assert data.runs[1].stats["wirefeed/fetch/failed/http-404"] == 1
    counts = "JSON.stringify([...document.querySelectorAll('figure.chart')].map(f => [f.dataset.chart, f.querySelectorAll('svg rect.bar').length, f.querySelector('svg').getBoundingClientRect().height]))"
    shown = browser.render(page.as_uri(), expression=counts, screenshot=True)
    assert shown.errors == []
    charts = json.loads(shown.value)
    assert [c[0] for c in charts] == list(CHARTS)
    assert all(bars > 0 and height > 20 for _, bars, height in charts), charts  # every chart drawn
    assert shown.screenshot is not None and shown.screenshot.startswith(b"\x89PNG")
