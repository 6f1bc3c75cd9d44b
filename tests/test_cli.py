"""The command line, end to end in subprocesses: every output line validated against the JSON Schema."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema

from wirefeed.spiders.runner import write_demo_profiles

from .conftest import FIXTURES, REPO, seedlike

SCHEMA = json.loads((REPO / "schemas" / "article.schema.json").read_text("utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def wirefeed(*args: str, cwd: Path | None = None, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wirefeed", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd
    )


def _records(path: Path) -> list[dict[str, object]]:
    lines = path.read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    for r in records:
        VALIDATOR.validate(r)
    return records


def test_demo(tmp_path: Path) -> None:
    out = tmp_path / "demo.jsonl"
    proc = wirefeed("demo", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "run summary" in proc.stderr
    records = _records(out)
    assert len(records) >= 30
    assert len({r["id"] for r in records}) == len(records)
    assert all(r["dateline"] and r["published"] and r["published"]["at"] for r in records)
    check = wirefeed("validate", str(out))
    assert check.returncode == 0, check.stderr


def test_crawl_portal_with_profile_files(tmp_path: Path, demo_server: dict[str, str]) -> None:
    paths = write_demo_profiles(demo_server, tmp_path)
    out = tmp_path / "crawl.jsonl"
    args = ["crawl", "portal", "-a", "profile=demo-zeeland", "-o", str(out), "--state",
            str(tmp_path / "state.sqlite"), "--profile", paths[0], "-s", "LOG_LEVEL=WARNING"]  # fmt: skip
    proc = wirefeed(*args)
    assert proc.returncode == 0, proc.stderr
    assert len(_records(out)) == 32
    first = out.read_bytes()
    again = wirefeed(*args)
    assert again.returncode == 0, again.stderr
    assert out.read_bytes() == first  # appended to, never truncated; nothing new the second time
    fresh = [a if a != str(tmp_path / "state.sqlite") else str(tmp_path / "fresh.sqlite") for a in args]
    assert wirefeed(*fresh).returncode == 0  # a new store learns from the output what it holds
    assert out.read_bytes() == first
    assert "wirefeed/dedup/duplicate" in again.stderr


def test_parse_seed() -> None:
    page, expected = seedlike()
    proc = wirefeed(
        "parse", str(page), "--url", expected["url"], "--reference-time", expected["reference_time"]
    )
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    for r in records:
        VALIDATOR.validate(r)
    assert len(records) == len(expected["stories"])
    for r, e in zip(records, expected["stories"], strict=True):
        assert (r["kind"], r["title"], r["lead"], r["source"]["section"]) == (
            e["kind"], e["title"], e["lead"], e["section"]
        )  # fmt: skip
        assert (r["dateline"]["text"], r["dateline"]["place"], r["dateline"]["agencies"]) == (
            e["dateline"], e["place"], e["agencies"]
        )  # fmt: skip
        pub = r["published"] or {}
        assert (r["published"] is None) == (e["stamp"] is None)
        assert (pub.get("raw"), pub.get("earliest"), pub.get("latest")) == (
            e["stamp"],
            e["earliest"],
            e["latest"],
        )
        country = r["location"] and r["location"]["country"]
        assert country == e["country"] or (e["country"].endswith("?") and country is None)
    main = records[0]
    assert main["url"] == expected["url"] and main["body"].startswith(main["lead"])
    assert main["body"].count("\n\n") == expected["stories"][0]["paragraphs"] - 1
    assert main["body"].endswith(expected["stories"][0]["body_ends"])


def test_parse_uses_saved_meta_and_never_the_clock(tmp_path: Path) -> None:
    case = FIXTURES / "pages" / "article-text"
    proc = wirefeed("parse", str(case / "page.txt"))  # meta.json beside it: url and served_at
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert records[1]["published"]["anchor"] == "2026-03-29T08:30:00Z"
    copy = tmp_path / "page.txt"
    shutil.copy(case / "page.txt", copy)  # no meta, no --reference-time: stamps stay raw
    proc = wirefeed(
        "parse", str(copy), "--url", "https://www.zeelandnet.nl/nieuws/x", "-o", str(tmp_path / "o.jsonl")
    )
    assert proc.returncode == 0, proc.stderr
    records = _records(tmp_path / "o.jsonl")
    teaser = records[1]["published"]
    assert (
        teaser["at"] is None and teaser["unresolved"] == "no-anchor" and teaser["raw"] == "12 minuten geleden"
    )
    rejected = [
        json.loads(line) for line in (tmp_path / "o.jsonl.rejected.jsonl").read_text("utf-8").splitlines()
    ]
    assert [(r["stage"], r["reason"]) for r in rejected] == [("extract", "truncated")]


def test_parse_stdin_html() -> None:
    page = (FIXTURES / "pages" / "article-semantic" / "page.html").read_bytes()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "wirefeed",
            "parse",
            "-",
            "--url",
            "https://www.zeelandnet.nl/nieuws/a",
            "--reference-time",
            "2026-03-29T08:30:00Z",
        ],
        input=page,
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert records[0]["published"]["source"] == "jsonld"
    assert records[0]["published"]["at"] == "2026-03-29T07:05:00Z"


def test_parse_missing_file_is_usage_error() -> None:
    proc = wirefeed("parse", "/nonexistent/page.html")
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_validate_names_lines_and_fields(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n', "utf-8")
    proc = wirefeed("validate", str(bad))
    assert proc.returncode == 2
    assert "line 1" in proc.stderr and "kind" in proc.stderr


def test_schema_command_matches_committed_file() -> None:
    proc = wirefeed("schema")
    assert proc.returncode == 0
    assert proc.stdout == (REPO / "schemas" / "article.schema.json").read_text("utf-8")
    assert wirefeed("schema", "--check", str(REPO / "schemas" / "article.schema.json")).returncode == 0


def test_profiles_lists_builtins() -> None:
    proc = wirefeed("profiles")
    assert proc.returncode == 0 and "zeelandnet" in proc.stdout and "apnews" in proc.stdout


def test_scrapy_list_from_repository_root() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy.cmdline", "list"], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert {"portal", "zeelandnet", "apnews", "reuters", "belga"} <= set(proc.stdout.split())


def test_scrapy_crawl_with_o_writes_records(tmp_path: Path, demo_server: dict[str, str]) -> None:
    paths = write_demo_profiles(demo_server, tmp_path)
    out = tmp_path / "scrapy.jsonl"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy.cmdline",
            "crawl",
            "portal",
            "-a",
            "profile=demo-zeeland",
            "-s",
            f"WIREFEED_PROFILES={paths[0]}",
            "-s",
            f"WIREFEED_STATE={tmp_path / 's.sqlite'}",
            "-s",
            "LOG_LEVEL=WARNING",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(_records(out)) == 32  # validated against the JSON Schema, like every CLI output
