"""A profile a newcomer can write: ``profiles --check FILE [PAGE]`` says what the profile finds, a user
profile runs by its own name, and its default state store is its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from wirefeed.jobs import default_state_name, resolve_spider
from wirefeed.runner import write_demo_profiles

from .conftest import FIXTURES, REPO


def wirefeed(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wirefeed", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)  # fmt: skip


ZEELANDNET = REPO / "wirefeed" / "profiles" / "zeelandnet.json"


def test_check_a_profile_file() -> None:
    proc = wirefeed("profiles", "--check", str(ZEELANDNET))
    assert proc.returncode == 0, proc.stderr
    assert "profile zeelandnet" in proc.stdout and ": valid" in proc.stdout
    assert "https://www.zeelandnet.nl/nieuws/buitenland  -> listing" in proc.stdout


def test_check_names_the_bad_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "bad", "timezone": "Mars/Olympus"}), "utf-8")
    proc = wirefeed("profiles", "--check", str(bad))
    assert proc.returncode == 2 and "field 'timezone'" in proc.stderr


def test_check_with_a_saved_page(tmp_path: Path) -> None:
    folder = tmp_path / "listing"
    shutil.copytree(FIXTURES / "pages" / "listing-badges-text", folder)
    proc = wirefeed("profiles", "--check", str(ZEELANDNET), str(folder / "page.txt"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "url https://www.zeelandnet.nl/nieuws/economie?page=3, text" in out
    assert "the URL is a listing page; anchor 2026-03-29T10:30:00+02:00" in out
    assert "- [teaser] Bakkers klagen over dure energie" in out
    # three to four weeks before 29 March: a published time early in March
    assert "dateline UTRECHT (ANP) -; stamp 3 weken geleden (relative) -> 2026-03-0" in out


def test_check_with_a_url_of_a_running_portal(tmp_path: Path, demo_server: dict[str, str]) -> None:
    zeeland = write_demo_profiles(demo_server, tmp_path)[0]
    proc = wirefeed("profiles", "--check", zeeland, demo_server["zeeland"] + "/nieuws/binnenland?page=1")
    assert proc.returncode == 0, proc.stderr
    assert "the URL is a listing page" in proc.stdout
    assert "link -> article (followed)" in proc.stdout
    assert "4 stories: 4 teaser" in proc.stdout


def test_page_without_check_is_a_usage_error() -> None:
    assert wirefeed("profiles", "page.html").returncode == 2


def test_resolve_spider_and_default_state_name(tmp_path: Path) -> None:
    mine = tmp_path / "mysite.json"
    mine.write_text(json.dumps({"name": "mysite", "domains": ["mysite.example"]}), "utf-8")
    assert resolve_spider("mysite", [str(mine)], []) == ("portal", ["profile=mysite"])
    assert resolve_spider("portal", [str(mine)], ["profile=mysite"]) == ("portal", ["profile=mysite"])
    assert resolve_spider("zeelandnet", [], []) == ("zeelandnet", [])
    assert default_state_name("portal", "mysite") == "portal-mysite"
    assert default_state_name("portal", "b,a") == "portal-a+b"
    assert default_state_name("zeelandnet", None) == "zeelandnet"
    assert default_state_name("portal", "dir/site.json") == "portal-site"


def test_crawl_a_user_profile_by_its_name(tmp_path: Path, demo_server: dict[str, str]) -> None:
    zeeland = write_demo_profiles(demo_server, tmp_path)[0]
    proc = wirefeed("crawl", "demo-zeeland", "--profile", zeeland, "-o", "out.jsonl", "-s", "LOG_LEVEL=ERROR",
                    cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert len((tmp_path / "out.jsonl").read_text("utf-8").splitlines()) == 32
    assert (tmp_path / ".wirefeed" / "portal-demo-zeeland.sqlite").is_file()  # its own store
    assert not (tmp_path / ".wirefeed" / "portal.sqlite").exists()


def test_scrapy_crawl_uses_the_same_default_store(tmp_path: Path, demo_server: dict[str, str]) -> None:
    """``scrapy crawl portal -a profile=NAME`` (the project found by its settings module, as
    scrapy.cfg names it) keeps its state where ``wirefeed crawl NAME`` does."""
    zeeland = write_demo_profiles(demo_server, tmp_path)[0]
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy.cmdline", "crawl", "portal", "-a", "profile=demo-zeeland",
         "-s", f"WIREFEED_PROFILES={zeeland}", "-s", "LOG_LEVEL=ERROR", "-o", "out.jsonl"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": "wirefeed.settings"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert len((tmp_path / "out.jsonl").read_text("utf-8").splitlines()) == 32
    assert (tmp_path / ".wirefeed" / "portal-demo-zeeland.sqlite").is_file()
    assert not (tmp_path / ".wirefeed" / "portal.sqlite").exists()


def test_a_retired_field_still_loads_and_check_names_it(tmp_path: Path) -> None:
    """``default_agency`` did nothing but show in listings (records take agencies only from printed
    credits): it is gone from the model, and a profile that still sets it loads and is told so."""
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"name": "old", "domains": ["old.example"], "default_agency": "ANP"}), "utf-8")
    proc = wirefeed("profiles", "--check", str(old))
    assert proc.returncode == 0, proc.stderr
    assert "default_agency: no longer used (records take agencies only from credits printed" in proc.stdout
    assert "default_agency" not in wirefeed("profiles", "--check", str(ZEELANDNET)).stdout
