"""Shared fixtures: paths, the invented seed-like page, the demo portals on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEEDLIKE = FIXTURES / "seedlike"


def seedlike() -> tuple[Path, dict[str, Any]]:
    """The invented seed-like page and its hand-written expectations (see its expected.json)."""
    return SEEDLIKE / "page.txt", json.loads((SEEDLIKE / "expected.json").read_text("utf-8"))


def project_settings(tmp_path: Path, **overrides: object) -> dict[str, object]:
    """wirefeed's Scrapy settings for an in-process crawl, with state and quarantine under ``tmp_path``."""
    from wirefeed import settings as project

    settings: dict[str, object] = {k: getattr(project, k) for k in dir(project) if k.isupper()}
    settings.update(
        {
            "WIREFEED_STATE": str(tmp_path / "state.sqlite"),
            "WIREFEED_QUARANTINE": str(tmp_path / "rejected.jsonl"),
            "LOG_LEVEL": "WARNING",
        }
    )
    settings.update(overrides)
    return settings


@contextlib.contextmanager
def served(*argv: str) -> Iterator[dict[str, str]]:
    """A test server in a child process (``python ARGV…``) that prints its base URLs as one JSON line
    and stops when its stdin closes."""
    proc = subprocess.Popen([sys.executable, *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    try:
        yield json.loads(proc.stdout.readline())
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)


@pytest.fixture
def demo_server() -> Iterator[dict[str, str]]:
    """Both demo portals, served from a separate process: {'zeeland': base_url, 'kust': base_url}.

    A fresh server per test: the portals print ages against the clock, as real ones do, and the first
    hour stamp ticks over 10 minutes after the server starts. A tick between a run and its rerun narrows
    the story's interval from an hour to the seconds between them, and the rerun rightly emits it again
    as a refined version (WIREFEED_REFINE_MIN_SECONDS), which a test expecting nothing new then saw as
    a duplicate: a suite-long server made such tests fail by the time of day they ran at."""
    with served("-m", "wirefeed.demo.server") as bases:
        yield bases
