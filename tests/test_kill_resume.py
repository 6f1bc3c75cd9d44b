"""Exactly once, even when killed: stop a crawl (with and without ``JOBDIR``) and a ``parse --state -o``
at 20 points each, by SIGKILL, by SIGTERM and by SIGINT twice, running the job again after every stop;
the union of the outputs then holds every story exactly once and no partial line, and every exit code
says what happened (see ``STOPPED``).

Kill points are events, not delays, so they land at the same places on a fast or a busy machine. A
crawl (of the small wire portal in ``tests/faultserver.py``, which logs every request it answered)
is stopped at once, or once the portal answered the run's n-th request: robots.txt, a listing, the
k-th article; each run of a job is stopped a little later than the one before, so the stops land
while a run resumes, fetches, runs its pipelines and commits. ``parse`` is stopped at the n-th line of
the job's output (no earlier than the run's own first new line). "Twice" means the second SIGINT
follows once the process showed it took the first (Scrapy logs it; for ``parse``, the kernel
delivered it).

The stopped runs are forked from one process that imported wirefeed and Scrapy once
(``tests/zygote.py``), so 180 runs do not pay an interpreter start each; the last run of every job,
the one that must finish, is a real ``python -m wirefeed``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest

from wirefeed.runner import write_demo_profiles
from wirefeed.schemas import Article

from .conftest import served
from .faultserver import DROP_ARTICLES, DROP_HELD, WIRE_STORIES

STORIES = 34  # what one uninterrupted crawl of both demo portals emits
POINTS = 20  # stops per signal and mode
SIGNALS = {"sigkill": signal.SIGKILL, "sigterm": signal.SIGTERM, "sigint-twice": signal.SIGINT}

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="signals, /proc, fork")


class Zygote:
    """The test's end of ``tests/zygote.py``."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("zygote.py"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert "ready" in self._read()

    def _read(self) -> dict[str, int]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, "the zygote died"
        return json.loads(line)

    def _ask(self, cmd: dict[str, object]) -> dict[str, int]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def start(self, argv: list[str], cwd: Path, stderr: Path) -> int:
        return self._ask({"run": argv, "cwd": str(cwd), "stderr": str(stderr)})["pid"]

    def wait(self, pid: int) -> int:
        return self._ask({"wait": pid})["code"]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="session")
def fault_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """tests/faultserver.py, once for the session: the fault server, the foreign one, the wire portal
    (and ``log``: the file where the wire portal logs each request it answered)."""
    log = tmp_path_factory.mktemp("wire") / "requests.log"
    with served(str(Path(__file__).with_name("faultserver.py")), "--log", str(log)) as bases:
        yield {**bases, "log": str(log)}


def wire_profile(folder: Path, base: str) -> str:
    path = folder / "wire.json"
    path.write_text(json.dumps({
        "name": "wire", "domains": [base.split("://")[1]], "start_urls": [base + "/"],
        "listing_patterns": ["^/$"], "pagination_patterns": ["^/\\?page=\\d+$"],
        "article_patterns": ["^/artikel/[a-z0-9-]+$"], "language": "nl", "country": "NL",
        "timezone": "Europe/Amsterdam", "semantics": "floor", "stamp_position": "after", "default_agency": "ANP",
    }), "utf-8")  # fmt: skip
    return str(path)


@pytest.fixture(scope="session")
def zygote() -> Iterator[Zygote]:
    z = Zygote()
    yield z
    z.close()


def ended(pid: int) -> bool:
    """The child has exited (a zombie until the zygote reaps it, so the pid is still ours)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def pending_signals(pid: int) -> int:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(fields["SigPnd"], 16) | int(fields["ShdPnd"], 16)


class Lines:
    """Counts the complete lines of a growing file (those holding ``tag``, if given), reading only
    what was added."""

    def __init__(self, path: Path, tag: str | None = None) -> None:
        self.path = path
        self.tag = tag.encode() if tag else None
        self.count = 0
        self._fh: IO[bytes] | None = None
        self._rest = b""

    def __call__(self) -> int:
        if self._fh is None:
            try:
                self._fh = self.path.open("rb")
            except FileNotFoundError:
                return 0
        data = self._rest + self._fh.read()
        done, _, self._rest = data.rpartition(b"\n")
        if done or _:
            self.count += sum(1 for line in done.split(b"\n") if self.tag is None or self.tag in line)
        return self.count

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


def stop_when(
    zygote: Zygote, argv: list[str], cwd: Path, event: Callable[[], int], at: int, sig: signal.Signals
) -> tuple[bool, int, str]:
    """Run ``wirefeed ARGV`` and send ``sig`` as soon as ``event()`` reaches ``at`` (0: as soon as the
    child runs); SIGINT goes twice, the second once the process took the first.
    (signalled, exit code, stderr)."""
    stderr = cwd / "stderr.txt"
    stderr.unlink(missing_ok=True)  # the child creates it: the sign that it runs (and takes signals)
    pid = zygote.start(argv, cwd, stderr)
    while not stderr.exists() and not ended(pid):
        time.sleep(0.004)
    while event() < at and not ended(pid):
        time.sleep(0.004)
    signalled = not ended(pid)
    if signalled:
        os.kill(pid, sig)
        if sig == signal.SIGINT:
            crawl = "crawl" in argv
            while not ended(pid) and not (
                b"shutting down gracefully" in stderr.read_bytes()
                if crawl
                else not pending_signals(pid) & (1 << (sig - 1))
            ):
                time.sleep(0.004)
            if not ended(pid):
                os.kill(pid, sig)
    return signalled, zygote.wait(pid), stderr.read_text("utf-8", "replace")


def assert_exactly_once(*outputs: Path, stories: int = STORIES) -> None:
    ids = []
    for out in outputs:
        data = out.read_bytes() if out.exists() else b""
        assert not data or data.endswith(b"\n"), f"a partial last line in {out}"
        records = [Article.model_validate_json(line) for line in data.splitlines()]
        assert all(json.loads(line)["schema_version"] == "1" for line in data.splitlines())
        ids += [r.id for r in records]
    assert len(ids) == len(set(ids)), "a story was emitted twice"
    assert len(ids) == stories, "a story was lost"


def crawl_argv(tmp_path: Path, wire: str, jobdir: bool, *extra: str) -> list[str]:
    argv = [
        "crawl", "portal", "-a", "profile=wire", "--profile", wire_profile(tmp_path, wire),
        "-o", str(tmp_path / "out.jsonl"), "--state", str(tmp_path / "state.sqlite"),
        "-s", "AUTOTHROTTLE_ENABLED=False", *extra,
    ]  # fmt: skip
    if jobdir:
        argv += ["-s", f"JOBDIR={tmp_path / 'job'}"]
    return argv


def crawl_command(tmp_path: Path, demo_server: dict[str, str], jobdir: bool) -> list[str]:
    """The real command line of a crawl of both demo portals (34 stories), for the other fault tests."""
    paths = write_demo_profiles(demo_server, tmp_path)
    cmd = [
        sys.executable, "-m", "wirefeed", "crawl", "portal", "-a", "profile=demo-zeeland,demo-kust",
        "--profile", paths[0], "--profile", paths[1], "-o", str(tmp_path / "out.jsonl"),
        "--state", str(tmp_path / "state.sqlite"), "-s", "LOG_LEVEL=ERROR", "-s", "AUTOTHROTTLE_ENABLED=False",
    ]  # fmt: skip
    if jobdir:
        cmd += ["-s", f"JOBDIR={tmp_path / 'job'}"]
    return cmd


# What a stopped run's exit code must say (0 only if the stop came too late: the run had finished).
# A crawl that took SIGTERM or SIGINT says finish_reason=shutdown and exits 6 (stopped when asked);
# a second SIGINT forces an unclean stop before the close is done (exit 1); one stopped before
# Scrapy's handlers are in place dies of the signal, as ``parse`` does.
STOPPED = {
    "crawl": {signal.SIGKILL: {-9}, signal.SIGTERM: {6, -15}, signal.SIGINT: {6, 1, -2}},
    "parse": {signal.SIGKILL: {-9}, signal.SIGTERM: {-15}, signal.SIGINT: {-2}},
    "scrapy": {signal.SIGKILL: {-9}},
}
REQUESTS = 23  # a crawl of the wire portal: robots.txt, 2 listing pages, 20 article pages
# At once, then once the portal answered the run's n-th request (robots.txt, listings, articles),
# later and later: each run of the job gets a little further than the one before.
CRAWL_POINTS = [0, *(1 + round(i * (REQUESTS - 1) / 18) for i in range(19))]


def campaign(
    zygote: Zygote, argv: Callable[[int], list[str]], job: Path, event: Callable[[int], Callable[[], int]],
    points: list[int], sig: signal.Signals,
) -> list[bool]:  # fmt: skip
    """Run the job once per point, stopping run ``n`` with ``sig`` when ``event(n)()`` reaches
    ``points[n]``; every run's exit code must say it was stopped (or that it finished, if the stop
    came too late), and the output must hold no partial line and no story twice after each."""
    stopped = []
    for n, at in enumerate(points):
        args = argv(n)
        signalled, code, err = stop_when(zygote, args, job, event(n), at, sig)
        allowed = STOPPED[args[0]][sig] if signalled else {0}
        if n >= len(points) - 3:  # a stop near the job's end may reach a run that is already exiting
            allowed = allowed | {0}
        assert code in allowed, (n, at, signalled, code, err[-3000:])
        data = (job / "out.jsonl").read_bytes() if (job / "out.jsonl").exists() else b""
        # Death by a signal with no handler (SIGKILL; SIGTERM of `parse`) may cut a write at a page
        # boundary (the kernel stops a write for a fatal signal): the next run cuts that partial
        # line off and writes its record again. A handled stop must leave whole lines.
        if code in (-signal.SIGKILL, -signal.SIGTERM):
            data = data[: data.rfind(b"\n") + 1]
        assert not data or data.endswith(b"\n"), f"a partial line after run {n}"
        ids = [json.loads(line)["id"] for line in data.splitlines()]
        assert len(ids) == len(set(ids)), f"a story twice after run {n}"
        stopped.append(signalled)
    return stopped


@pytest.mark.parametrize("sig", list(SIGNALS.values()), ids=list(SIGNALS))
@pytest.mark.parametrize("jobdir", [True, False], ids=["jobdir", "plain"])
def test_crawl_stopped_at_20_points_loses_and_duplicates_nothing(
    tmp_path: Path, fault_servers: dict[str, str], zygote: Zygote, jobdir: bool, sig: signal.Signals
) -> None:
    level = "INFO" if sig == signal.SIGINT else "ERROR"  # INFO: Scrapy says when it took the first SIGINT
    log, wire = Path(fault_servers["log"]), fault_servers["wire"]

    def tag(n: int) -> str:  # run n's requests, in the portal's log
        return f"wirefeed-faults-{tmp_path.name}-{n}"

    def argv(n: int) -> list[str]:
        return crawl_argv(tmp_path, wire, jobdir, "-s", f"LOG_LEVEL={level}", "-s", f"USER_AGENT={tag(n)}")

    stopped = campaign(zygote, argv, tmp_path, lambda n: Lines(log, tag(n) + "\t"), CRAWL_POINTS, sig)
    final = subprocess.run(
        [sys.executable, "-m", "wirefeed", *crawl_argv(tmp_path, wire, jobdir, "-s", "LOG_LEVEL=ERROR")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert final.returncode == 0, final.stderr
    assert_exactly_once(tmp_path / "out.jsonl", stories=WIRE_STORIES)
    # every stop but the last few (which may come after the run's last response) found the run busy
    assert all(stopped[:-3]), stopped


PARSE_PAGES = 60  # three stories each


@pytest.mark.parametrize("sig", list(SIGNALS.values()), ids=list(SIGNALS))
def test_parse_stopped_at_20_points_loses_and_duplicates_nothing(
    tmp_path: Path, zygote: Zygote, sig: signal.Signals
) -> None:
    from .test_cli import _pages as text_pages  # listings as text renderings, three stories each

    stories = PARSE_PAGES * 3
    out = tmp_path / "out.jsonl"
    argv = [
        "parse",
        *text_pages(tmp_path / "pages", PARSE_PAGES),
        "-o",
        str(out),
        "--state",
        str(tmp_path / "s.sqlite"),
    ]
    # at once, then at the n-th line of the job's output, spread over it (a run re-reads the pages
    # from the first; it is stopped no earlier than its own first new line)
    points = [0, *(i * stories // POINTS for i in range(1, POINTS))]

    def event(n: int) -> Callable[[], int]:
        lines = Lines(out)
        early = max(0, lines() + 1 - points[n])  # how far the job already is past point n
        return lambda: lines() - early

    stopped = campaign(zygote, lambda n: argv, tmp_path, event, points, sig)
    final = subprocess.run(
        [sys.executable, "-m", "wirefeed", *argv], capture_output=True, text=True, timeout=300
    )
    assert final.returncode == 0, final.stderr
    assert_exactly_once(out, stories=stories)
    assert all(stopped), stopped


@pytest.mark.parametrize("written", [0, DROP_ARTICLES - 1], ids=["held", "others-written"])
def test_a_request_sent_before_a_kill_is_resumed_after_its_link_left_the_listing(
    tmp_path: Path, fault_servers: dict[str, str], zygote: Zygote, written: int
) -> None:
    """The store commits in batches; a request sent from an uncommitted batch would die with it. Here
    the portal holds one article's request and the crawl is SIGKILLed while it waits (the events: the
    portal logged the held request, and the output holds ``written`` lines: the other articles), and the
    listing no longer links that article when the job runs again: only the ledger still knows it. The
    rerun must fetch it, with its teaser's stamp as evidence."""
    log, base = Path(fault_servers["log"]), fault_servers["wire"]
    agent = f"wirefeed-drop-{tmp_path.name}"
    profile = tmp_path / "weg.json"
    profile.write_text(json.dumps({
        "name": "weg", "domains": [base.split("://")[1]], "start_urls": [base + "/weg/"],
        "listing_patterns": ["^/weg/$"], "article_patterns": ["^/weg/artikel/d\\d+$"], "language": "nl",
        "country": "NL", "timezone": "Europe/Amsterdam", "semantics": "floor", "stamp_position": "after",
    }), "utf-8")  # fmt: skip
    out = tmp_path / "out.jsonl"
    argv = ["crawl", "portal", "-a", "profile=weg", "--profile", str(profile), "-o", str(out),
            "--state", str(tmp_path / "state.sqlite"), "-s", "AUTOTHROTTLE_ENABLED=False",
            "-s", "LOG_LEVEL=ERROR", "-s", f"USER_AGENT={agent}"]  # fmt: skip
    held, lines = Lines(log, f"{agent}\t{DROP_HELD}\theld"), Lines(out)
    signalled, code, err = stop_when(
        zygote, argv, tmp_path, lambda: int(held() >= 1 and lines() >= written), 1, signal.SIGKILL
    )
    assert signalled and code == -signal.SIGKILL, (code, err[-3000:])
    assert lines() == written or written == 0
    code = zygote.wait(zygote.start(argv, tmp_path, tmp_path / "rerun.txt"))
    rerun = (tmp_path / "rerun.txt").read_text("utf-8")
    assert code == 0, rerun
    assert_exactly_once(out, stories=DROP_ARTICLES)
    assert "wirefeed/resume/pending-requests" in rerun  # the held article came from the ledger
    records = {
        r.url: r for r in (Article.model_validate_json(line) for line in out.read_bytes().splitlines())
    }
    dropped = records[base + DROP_HELD]
    assert dropped.kind == "article"
    assert dropped.published is not None and dropped.published.raw == "3 uur geleden"  # its teaser's stamp


def scrapy_argv(tmp_path: Path, wire: str, out: str, *extra: str) -> list[str]:
    """``scrapy crawl portal -o OUT`` (Scrapy's FEEDS) of the wire portal, with a state store."""
    return ["scrapy", "crawl", "portal", "-a", "profile=wire", "-o", out,
            "-s", f"WIREFEED_PROFILES={wire_profile(tmp_path, wire)}", "-s", f"WIREFEED_STATE={tmp_path / 'state.sqlite'}",
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=ERROR", *extra]  # fmt: skip


def test_scrapy_feed_output_killed_at_8_points_loses_and_duplicates_nothing(
    tmp_path: Path, fault_servers: dict[str, str], zygote: Zygote
) -> None:
    """``scrapy crawl -o out.jsonl`` is written as ``wirefeed crawl -o`` is: SIGKILLed at the wire
    portal's n-th answer to the run (later each time), then run to the end, the file holds every story
    exactly once."""
    log, wire = Path(fault_servers["log"]), fault_servers["wire"]
    out = tmp_path / "out.jsonl"

    def tag(n: int) -> str:
        return f"wirefeed-feed-{tmp_path.name}-{n}"

    def argv(n: int) -> list[str]:
        return scrapy_argv(tmp_path, wire, str(out), "-s", f"USER_AGENT={tag(n)}")

    points = [1 + round(i * (REQUESTS - 2) / 7) for i in range(8)]
    stopped = campaign(zygote, argv, tmp_path, lambda n: Lines(log, tag(n) + "\t"), points, signal.SIGKILL)
    final = subprocess.run(
        [sys.executable, "-m", *argv(len(points))], capture_output=True, text=True, timeout=300,
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": "wirefeed.settings"},
    )  # fmt: skip
    assert final.returncode == 0, final.stderr
    assert_exactly_once(out, stories=WIRE_STORIES)
    assert all(stopped[:-3]), stopped
