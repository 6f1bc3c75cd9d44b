"""No remote-control surface in a crawl unless the user turns it on.

Scrapy 2.19's RemoteControl extension runs Python code sent to it over HTTP (token-protected) and is on
by default; the telnet console is the older surface of the same kind. A ``wirefeed crawl`` must not
listen on any port: the test holds the crawl's first request open, looks at the sockets the crawl
process owns while it waits, then lets it finish. Turned on with ``-s``, the same check sees the
listener, so the check itself can fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from .hostileserver import html, serve

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads /proc")


def _listening_ports(pid: int) -> set[int]:
    """TCP ports the process ``pid`` listens on (its socket inodes matched against /proc/net/tcp*)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for row in Path(table).read_text().splitlines()[1:]:
            cols = row.split()
            if cols[3] == "0A" and cols[9] in inodes:  # 0A: LISTEN
                ports.add(int(cols[1].rsplit(":", 1)[1], 16))
    return ports


def _crawl_holding_first_request(tmp_path: Path, *extra: str) -> tuple[set[int], str, list[Path]]:
    arrived, release = threading.Event(), threading.Event()

    def held(handler: object, path: str) -> tuple[int, dict[str, str], bytes]:
        arrived.set()
        release.wait(60)
        return html("<html><body><h1>Overzicht</h1><p>leeg</p></body></html>")

    jobs = tmp_path / "jobs"
    jobs.mkdir()
    with serve({"/": held}) as srv:
        profile = tmp_path / "quiet.json"
        profile.write_text(
            json.dumps(
                {
                    "name": "quiet",
                    "domains": [srv.hostport],
                    "start_urls": [srv.base + "/"],
                    "listing_patterns": ["^/$"],
                }
            ),
            "utf-8",
        )
        cmd = [sys.executable, "-m", "wirefeed", "crawl", "portal", "-a", "profile=quiet", "--profile",
               str(profile), "--state", str(tmp_path / "s.sqlite"), "-s", "ROBOTSTXT_OBEY=False",
               "-s", "LOG_LEVEL=INFO", "-s", f"REMOTE_CONTROL_JOBS_DIR={jobs}", *extra]  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            assert arrived.wait(120), "the crawl never asked for its start page"
            ports = _listening_ports(proc.pid)
            if extra:  # turned on: its server starts with the engine, give it until the crawl ends
                for _ in range(200):
                    if ports:
                        break
                    threading.Event().wait(0.05)
                    ports = _listening_ports(proc.pid)
            job_files = list(jobs.iterdir())  # RemoteControl's port and token, while it runs
        finally:
            release.set()
            _, err = proc.communicate(timeout=120)
    return ports, err, job_files


def test_a_crawl_listens_on_no_port(tmp_path: Path) -> None:
    ports, log, job_files = _crawl_holding_first_request(tmp_path)
    assert ports == set(), f"the crawl listens on {ports}"
    assert job_files == []
    enabled = log.split("Enabled extensions:", 1)[1].split("]", 1)[0]
    assert "RemoteControl" not in enabled and "TelnetConsole" not in enabled


def test_remote_control_can_be_turned_on(tmp_path: Path) -> None:
    pytest.importorskip("aiohttp")
    ports, log, job_files = _crawl_holding_first_request(tmp_path, "-s", "REMOTE_CONTROL_ENABLED=True")
    assert ports, log
    assert len(job_files) == 1
    assert "RemoteControl" in log.split("Enabled extensions:", 1)[1].split("]", 1)[0]
