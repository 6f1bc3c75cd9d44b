"""Shared fixtures: paths, the invented seed-like page, the demo portals on 127.0.0.1."""

from __future__ import annotations

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


@pytest.fixture(scope="session")
def demo_server() -> Iterator[dict[str, str]]:
    """Both demo portals, served from a separate process: {'zeeland': base_url, 'kust': base_url}."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "wirefeed.demo.server"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    bases = json.loads(proc.stdout.readline())
    yield bases
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(timeout=10)
