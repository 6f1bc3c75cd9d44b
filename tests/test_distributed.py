"""Many workers, one crawl: real Redis and PostgreSQL servers, real worker processes, a logged site.

Three ``wirefeed crawl`` processes share one frontier (Redis, scrapy-redis) and one state store
(PostgreSQL) over a local portal of 1,000 articles and its listings: every URL is fetched exactly once
and the union of the three outputs holds every article exactly once — also when one worker is
SIGKILLed mid-run (once its output holds some lines: an event, not a delay) and started again.
``wirefeed export`` streams the same records once, in one order, from a cursor.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers import free_port, missing, postgres_server, redis_server
from tests.wiresite import WireSite, profile_file, wire_site

pytestmark = pytest.mark.skipif(missing() is not None, reason=str(missing()))

ARTICLES = 1000


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, str]]:
    with redis_server() as redis_url, postgres_server() as pg_url:
        yield redis_url, pg_url


def fresh_database(pg_url: str, name: str) -> str:
    import psycopg

    admin = pg_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_url.rsplit("/", 1)[0] + "/" + name


def worker(
    site: WireSite,
    tmp: Path,
    state: str,
    frontier: str,
    run: str,
    n: int,
    lease: int = 20,
    spider: str = "portal",
) -> list[str]:
    return [
        sys.executable, "-m", "wirefeed", "crawl", spider, "-a", "profile=wire",
        "--profile", str(profile_file(site, tmp)), "--state", state, "--frontier", frontier, "--run", run,
        "-o", str(tmp / f"worker-{n}.jsonl"), "-s", "LOG_LEVEL=INFO", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", f"WIREFEED_WORKER_LEASE={lease}",
    ]  # fmt: skip


def start(cmd: list[str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log.open("ab"))


class Workers:
    """The worker processes of one run: worker ``n`` writes ``worker-n.jsonl`` and logs to ``n.log``."""

    def __init__(
        self, site: WireSite, tmp: Path, state: str, frontier: str, run: str, **options: Any
    ) -> None:
        self.tmp = tmp
        self.state = state
        self.args = (site, tmp, state, frontier, run)
        self.options = options
        self.procs: dict[int, subprocess.Popen[bytes]] = {}

    def cmd(self, n: int) -> list[str]:
        return worker(*self.args, n, **self.options)

    def start(self, *ns: int) -> None:
        for n in ns:
            self.procs[n] = start(self.cmd(n), self.tmp / f"{n}.log")  # same command: the same worker

    def log(self, n: int) -> str:
        return (self.tmp / f"{n}.log").read_text()

    def await_lines(self, n: int, lines: int) -> None:
        """Return once worker ``n`` has written ``lines`` lines: an event, not a delay."""
        while self.procs[n].poll() is None and _lines(self.tmp / f"worker-{n}.jsonl") < lines:
            time.sleep(0.005)
        assert self.procs[n].poll() is None, self.log(n)[-3000:]

    def kill(self, n: int) -> None:
        self.procs[n].send_signal(signal.SIGKILL)
        self.procs[n].wait(timeout=60)
        del self.procs[n]

    def assert_all_exit_0(self) -> None:
        codes = {n: p.wait(timeout=1800) for n, p in self.procs.items()}
        failed = [n for n, code in codes.items() if code != 0]
        assert not failed, f"exit codes {codes}: {self.log(failed[0])[-3000:] if failed else ''}"


def union(tmp: Path, workers: int) -> list[str]:
    ids = []
    for n in range(workers):
        data = (tmp / f"worker-{n}.jsonl").read_bytes()
        assert not data or data.endswith(b"\n"), "a partial last line"
        ids += [json.loads(line)["id"] for line in data.splitlines()]
    return ids


def assert_union_exactly_once(tmp: Path, workers: int, articles: int) -> list[str]:
    ids = union(tmp, workers)
    assert len(ids) == len(set(ids)), f"{len(ids) - len(set(ids))} stories emitted twice"
    assert len(ids) == articles, f"{articles - len(ids)} stories lost"
    return ids


def fetched(site: WireSite) -> dict[str, int]:
    # robots.txt is every worker's own (Scrapy's robots middleware), not part of the crawl.
    return {path: n for path, n in site.served.items() if path != "/robots.txt"}


def run_three(
    site: WireSite, tmp: Path, servers: tuple[str, str], name: str, **options: Any
) -> tuple[Workers, dict[str, int], list[str]]:
    """Three workers of run ``name`` (``options`` as for :func:`worker`) over ``site``, in a fresh
    database, all exiting 0: every URL of the spider's crawl fetched exactly once, every story once in
    the union of their outputs, the work shared. The workers, what was served and the story ids."""
    redis_url, pg_url = servers
    workers = Workers(site, tmp, fresh_database(pg_url, name), redis_url, name, **options)
    workers.start(0, 1, 2)
    workers.assert_all_exit_0()
    served = fetched(site)
    assert set(served) == (
        site.expected_feed_paths() if options.get("spider") == "feed" else site.expected_paths()
    )
    assert {p: n for p, n in served.items() if n > 1} == {}, "fetched more than once"
    ids = assert_union_exactly_once(tmp, 3, site.articles)
    counts = [_lines(tmp / f"worker-{n}.jsonl") for n in range(3)]
    assert sum(1 for c in counts if c > 0) >= 2, f"the work was not shared: {counts}"
    return workers, served, ids


def test_three_workers_fetch_every_url_once_and_emit_every_story_once(
    tmp_path: Path, servers: tuple[str, str]
) -> None:
    with wire_site(ARTICLES) as site:
        workers, served, ids = run_three(site, tmp_path, servers, "three")
        # A late worker of the drained run finds nothing left to fetch: it ends, and that is no failure.
        late = subprocess.run(workers.cmd(3), capture_output=True, text=True)
        assert late.returncode == 0, late.stderr[-3000:]
        assert "wirefeed/shared/drained" in late.stderr and _lines(tmp_path / "worker-3.jsonl") == 0
        assert fetched(site) == served
    state = workers.state

    # One file for a consumer: every confirmed record once, in one order, resumable from a cursor.
    out = tmp_path / "all.jsonl"
    run = [sys.executable, "-m", "wirefeed", "export", "--state", state, "-o", str(out)]
    first = subprocess.run([*run, "--since", "0"], capture_output=True, text=True, check=True)
    exported = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert sorted(exported) == sorted(ids)
    cursor = int(first.stderr.rsplit("next cursor:", 1)[1])
    again = subprocess.run([*run, "--since", str(cursor)], capture_output=True, text=True, check=True)
    assert "exported 0 records" in again.stderr
    assert len(out.read_text().splitlines()) == ARTICLES


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_a_worker_killed_and_restarted_loses_and_duplicates_nothing(
    tmp_path: Path, servers: tuple[str, str]
) -> None:
    redis_url, pg_url = servers
    state = fresh_database(pg_url, "killed")
    with wire_site(ARTICLES) as site:
        workers = Workers(site, tmp_path, state, redis_url, "killed")
        workers.start(0, 1, 2)
        workers.await_lines(1, 60)  # mid-run: pages, pipelines, store busy
        workers.kill(1)
        workers.start(1)
        workers.assert_all_exit_0()
        served = fetched(site)
        assert set(served) == site.expected_paths(), "a page was never fetched"
    assert_union_exactly_once(tmp_path, 3, ARTICLES)
    log = (tmp_path / "1.log").read_text()
    assert "wirefeed/resume/pending-requests" in log, "the restarted worker took back nothing it held"


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_a_worker_killed_and_never_restarted_does_not_stall_the_run(
    tmp_path: Path, servers: tuple[str, str]
) -> None:
    """The other two take its work over once its lease (5 s here) ran out, and the run drains."""
    redis_url, pg_url = servers
    state = fresh_database(pg_url, "dead")
    articles = 300
    with wire_site(articles) as site:
        workers = Workers(site, tmp_path, state, redis_url, "dead", lease=5)
        # The victim starts first and the others once it has written a line, so it holds work whatever
        # the machine's speed (started together, the other two once drained the run before it began).
        workers.start(1)
        workers.await_lines(1, 1)
        workers.start(0, 2)
        workers.await_lines(1, 20)  # mid-run: it holds pages and claims
        workers.kill(1)
        workers.assert_all_exit_0()
        served = fetched(site)
        assert set(served) == site.expected_paths(), "a page was never fetched"
    assert_union_exactly_once(tmp_path, 3, articles)
    logs = (tmp_path / "0.log").read_text() + (tmp_path / "2.log").read_text()
    assert "took over the work of" in logs and "wirefeed/shared/takeovers" in logs


def test_three_feed_workers_fetch_every_url_once_and_emit_every_story_once(
    tmp_path: Path, servers: tuple[str, str]
) -> None:
    """The feed spider shares a run too: a sitemap index, its sitemaps and their articles."""
    with wire_site(300) as site:
        run_three(site, tmp_path, servers, "feeds", spider="feed")


def _scrapyd_project(tmp: Path, url: str) -> Path:
    """The project as scrapyd-deploy sees it (a copy: it writes a setup.py beside scrapy.cfg), with the
    ``[deploy]`` section's url pointed at the test's scrapyd."""
    root, project = Path(__file__).resolve().parents[1], tmp / "project"
    project.mkdir()
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("pyproject.toml", "scrapy.cfg", "README.md", "wirefeed", "spiders", "pipelines", "schemas"):
        src = root / name
        if src.is_dir():
            shutil.copytree(src, project / name, ignore=skip)
        else:
            shutil.copy(src, project / name)
    cfg = project / "scrapy.cfg"
    text = cfg.read_text()
    assert "\n[deploy]\n" in text and "\nproject = wirefeed" in text
    cfg.write_text(re.sub(r"(?m)^url = .*$", f"url = {url}/", text))
    return project


def _api(url: str, data: list[tuple[str, str]] | None = None) -> dict[str, object]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, body, timeout=60) as r:
        out: dict[str, object] = json.loads(r.read())
    assert out.get("status") == "ok", out
    return out


def test_scrapyd_nodes_run_the_same_shared_crawl(tmp_path: Path, servers: tuple[str, str]) -> None:
    """The README's scrapyd recipe on a real scrapyd on 127.0.0.1: the project deployed with
    scrapyd-deploy (scrapy.cfg's [deploy]), two jobs scheduled as two workers of one run."""
    redis_url, pg_url = servers
    state = fresh_database(pg_url, "scrapyd")
    home, port = tmp_path / "scrapyd", free_port()
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {home}/eggs\n"
        f"logs_dir = {home}/logs\nitems_dir =\ndbs_dir = {home}/dbs\nmax_proc = 2\npoll_interval = 0.5\n"
    )
    bin_dir = Path(sys.executable).parent
    daemon = subprocess.Popen(
        [bin_dir / "scrapyd"], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(3000):  # until it answers
            with contextlib.suppress(OSError):
                _api(url + "/daemonstatus.json")
                break
            time.sleep(0.01)
        deploy = subprocess.run(
            [bin_dir / "scrapyd-deploy"], cwd=_scrapyd_project(tmp_path, url), capture_output=True, text=True
        )
        assert deploy.returncode == 0 and '"status": "ok"' in deploy.stdout, deploy.stdout + deploy.stderr
        articles = 100
        with wire_site(articles) as site:
            jobs = []
            for node in ("node0", "node1"):
                jobs.append(_api(url + "/schedule.json", [
                    ("project", "wirefeed"), ("spider", "portal"), ("profile", "wire"),
                    ("setting", f"WIREFEED_PROFILES={profile_file(site, tmp_path)}"),
                    ("setting", f"WIREFEED_STATE={state}"), ("setting", f"WIREFEED_FRONTIER={redis_url}"),
                    ("setting", "WIREFEED_RUN=scrapyd"), ("setting", f"WIREFEED_WORKER={node}"),
                    ("setting", f"WIREFEED_OUTPUT={tmp_path / node}.jsonl"), ("setting", "AUTOTHROTTLE_ENABLED=False"),
                ])["jobid"])  # fmt: skip
            while True:
                finished = _api(url + "/listjobs.json?project=wirefeed")["finished"]
                done = {j["id"]: j for j in finished if j["id"] in jobs}  # type: ignore[index,union-attr]
                if len(done) == len(jobs):
                    break
                time.sleep(0.2)
            served = fetched(site)
        logs = [(home / "logs" / "wirefeed" / "portal" / f"{job}.log").read_text() for job in jobs]
        assert all("'finish_reason': 'finished'" in log for log in logs), logs[0][-3000:]
        assert set(served) == site.expected_paths()
        assert {p: n for p, n in served.items() if n > 1} == {}, "fetched more than once"
        ids = [
            json.loads(line)["id"]
            for node in ("node0", "node1")
            for line in (tmp_path / f"{node}.jsonl").open()
        ]
        assert len(ids) == len(set(ids)) == articles
    finally:
        daemon.terminate()
        daemon.wait(timeout=60)


def test_frontier_needs_a_shared_store_and_a_run(tmp_path: Path) -> None:
    base = [sys.executable, "-m", "wirefeed", "crawl", "portal", "-a", "profile=zeelandnet"]
    no_pg = subprocess.run(
        [*base, "--state", str(tmp_path / "s.sqlite"), "--frontier", "redis://127.0.0.1:1/0", "--run", "r"],
        capture_output=True,
        text=True,
    )
    assert no_pg.returncode != 0 and "--state postgresql://" in no_pg.stderr
    no_run = subprocess.run(
        [*base, "--state", "postgresql://u@127.0.0.1:1/db", "--frontier", "redis://127.0.0.1:1/0"],
        capture_output=True,
        text=True,
    )
    assert no_run.returncode != 0 and "--run RUN_ID" in no_run.stderr
