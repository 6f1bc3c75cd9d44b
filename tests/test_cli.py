"""The command line, end to end in subprocesses: every output line validated against the JSON Schema."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from wirefeed.runner import write_demo_profiles

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


# --- parse: outputs are appended, never truncated; exactly once under kills; errors are outcomes


def _pages(folder: Path, n: int) -> list[str]:
    """``n`` text renderings of listings, three distinct stories each, with the time they were served."""
    folder.mkdir()
    towns = ["UTRECHT", "AMSTERDAM", "ROTTERDAM", "GRONINGEN", "MAASTRICHT", "ZWOLLE", "LEIDEN", "DELFT"]
    names = []
    for k in range(n):
        blocks = [f"Nieuws pagina {k}"]
        for j in range(3):
            town = towns[(k + j) % len(towns)]
            blocks += [
                f"ANP Bericht {k}-{j} over {town.title()}",
                f"{town} (ANP) - Melding nummer {k * 3 + j} uit {town.title()}: de gemeente meldt vandaag "
                f"iets nieuws over straat {k} en plein {j}, aldus een woordvoerder.",
                f"{(k + j) % 20 + 1} uur geleden",
            ]
        page = folder / f"p{k:04d}.txt"
        page.write_text("\n\n".join(blocks) + "\n", "utf-8")
        meta = {"url": f"https://nieuws{k}.example/overzicht", "served_at": "2026-03-29T10:30:00+02:00"}
        page.with_name(page.name + ".meta.json").write_text(json.dumps(meta), "utf-8")
        names.append(str(page))
    return names


def _ids(path: Path) -> list[str]:
    data = path.read_bytes()
    assert not data or data.endswith(b"\n"), "a partial line"
    return [json.loads(line)["id"] for line in data.splitlines()]


def test_parse_of_a_missing_file_leaves_the_output_alone(tmp_path: Path) -> None:
    out = tmp_path / "existing.jsonl"
    out.write_bytes(b'{"kept": true}\n')
    proc = wirefeed("parse", str(tmp_path / "nosuchfile"), "-o", str(out))
    assert proc.returncode == 2 and "no such file" in proc.stderr
    assert out.read_bytes() == b'{"kept": true}\n'


def test_parse_appends_and_a_rerun_with_state_adds_nothing(tmp_path: Path) -> None:
    pages = _pages(tmp_path / "pages", 4)
    out, state = tmp_path / "o.jsonl", str(tmp_path / "s.sqlite")
    assert wirefeed("parse", *pages, "-o", str(out), "--state", state).returncode == 0
    first = out.read_bytes()
    assert len(_ids(out)) == 12
    again = wirefeed("parse", *pages, "-o", str(out), "--state", state)
    assert again.returncode == 0, again.stderr
    assert out.read_bytes() == first


def test_parse_to_a_full_disk_fails_and_leaves_records_pending(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    pages = _pages(tmp_path / "pages", 4)
    state = str(tmp_path / "s.sqlite")
    full = wirefeed("parse", *pages, "-o", "/dev/full", "--state", state)
    assert full.returncode == 1 and "disk full" in full.stderr and "Traceback" not in full.stderr
    out = tmp_path / "o.jsonl"
    rerun = wirefeed("parse", *pages, "-o", str(out), "--state", state)
    assert rerun.returncode == 0, rerun.stderr
    assert len(_ids(out)) == 12  # nothing was confirmed that did not reach a file


def test_usage_errors_exit_2_with_one_line_before_anything_starts(tmp_path: Path) -> None:
    cases = [
        (["crawl", "nosuchspider"], "no spider 'nosuchspider'"),
        (["crawl", "portal", "-a", "profile=nosuchprofile"], "no such profile"),
        (["demo", "-o", str(tmp_path / "d.jsonl"), "-s", "CONCURRENT_REQUESTS=abc"], "takes an integer"),
        (["crawl", "portal", "-s", "NOEQUALS"], "is not NAME=VALUE"),
    ]
    for args, message in cases:
        proc = wirefeed(*args, cwd=tmp_path)
        assert proc.returncode == 2, (args, proc.stderr)
        assert message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
        assert "demo portals:" not in proc.stderr  # no server was started
        assert (
            len([line for line in proc.stderr.splitlines() if not line.startswith("wirefeed: warning")]) == 1
        )


def test_misspelt_settings_are_warned_about(tmp_path: Path) -> None:
    env_typo = {**__import__("os").environ, "WIREFEED_RETENTON_DAYS": "3"}
    proc = subprocess.run(
        [sys.executable, "-m", "wirefeed", "crawl", "nosuchspider", "-s", "WIREFEED_MAX_PAGEZ=2"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env_typo,
    )  # fmt: skip
    assert (
        "-s WIREFEED_MAX_PAGEZ: not a Scrapy or wirefeed setting (did you mean WIREFEED_MAX_PAGES?)"
        in proc.stderr
    )
    assert "WIREFEED_RETENTON_DAYS is not read by wirefeed" in proc.stderr


def test_validate_missing_directory_and_binary_input(tmp_path: Path) -> None:
    binary = tmp_path / "b.jsonl"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00binary")
    for target, message in [
        (tmp_path / "nosuch.jsonl", "no such file"),
        (tmp_path, "is not a file"),
        (binary, "not UTF-8 text"),
    ]:
        proc = wirefeed("validate", str(target))
        assert proc.returncode == 2, proc.stderr
        assert message in proc.stderr and "Traceback" not in proc.stderr


def _crawl_args(tmp_path: Path, demo_server: dict[str, str], *extra: str) -> list[str]:
    paths = write_demo_profiles(demo_server, tmp_path)
    return ["crawl", "portal", "-a", "profile=demo-zeeland", "--state", str(tmp_path / "state.sqlite"),
            "--profile", paths[0], "-s", "LOG_LEVEL=WARNING", *extra]  # fmt: skip


def test_a_crawl_without_output_confirms_nothing(tmp_path: Path, demo_server: dict[str, str]) -> None:
    args = _crawl_args(tmp_path, demo_server)
    trial = wirefeed(*args)  # no -o: a trial run, its records are written nowhere
    assert trial.returncode == 0, trial.stderr
    assert "records emitted=0" in trial.stderr
    assert "32 records were written nowhere" in trial.stderr
    out = tmp_path / "out.jsonl"
    real = wirefeed(*args, "-o", str(out))  # the stories were not used up by the trial
    assert real.returncode == 0, real.stderr
    assert len(_records(out)) == 32


def test_a_deleted_or_replaced_output_is_noticed_and_export_writes_it_back(
    tmp_path: Path, demo_server: dict[str, str]
) -> None:
    out, state = tmp_path / "out.jsonl", tmp_path / "state.sqlite"
    args = _crawl_args(tmp_path, demo_server, "-o", str(out))
    assert wirefeed(*args).returncode == 0
    original = out.read_text("utf-8").splitlines()
    assert len(original) == 32
    out.write_text("\n".join(original[:10]) + "\n", "utf-8")  # replaced by an older, shorter copy
    again = wirefeed(*args)
    assert again.returncode == 0, again.stderr
    assert f"{out} lacks 22 records the state store {state} confirmed" in again.stderr
    assert f"wirefeed export --state {state} -o {out}" in again.stderr
    assert len(out.read_text("utf-8").splitlines()) == 10  # a crawl does not emit them again
    export = wirefeed("export", "--state", str(state), "-o", str(out))
    assert export.returncode == 0, export.stderr
    assert "exported 22 records" in export.stderr
    assert sorted(out.read_text("utf-8").splitlines()) == sorted(original)  # the lines as first written
    assert "exported 0 records" in wirefeed("export", "--state", str(state), "-o", str(out)).stderr
    out.unlink()  # deleted: the store still has every line
    assert "lacks 32 records" in wirefeed(*args).stderr
    assert "exported 32 records" in wirefeed("export", "--state", str(state), "-o", str(out)).stderr
    assert out.read_text("utf-8").splitlines() == original
    assert wirefeed("export", "--state", str(tmp_path / "nostore.sqlite")).returncode == 2


def test_a_run_that_leaves_work_pending_says_so_and_exits_3(
    tmp_path: Path, demo_server: dict[str, str]
) -> None:
    out = tmp_path / "out.jsonl"
    # DEPTH_LIMIT drops deep requests in a middleware, without an errback: the ledger still holds them.
    args = _crawl_args(tmp_path, demo_server, "-o", str(out), "-s", "DEPTH_LIMIT=1")
    cut = wirefeed(*args)
    assert cut.returncode == 3, cut.stderr
    assert "still pending in the ledger although the crawl finished" in cut.stderr
    assert "wirefeed/ledger/pending-at-close" in cut.stderr
    first = len(_records(out))
    assert 0 < first < 32
    rest = wirefeed(*_crawl_args(tmp_path, demo_server, "-o", str(out)))  # takes the pending pages up
    assert rest.returncode == 0, rest.stderr
    assert "pending-at-close" not in rest.stderr
    records = _records(out)
    assert len(records) == 32 and len({r["id"] for r in records}) == 32


def test_a_store_that_learnt_an_output_from_the_file_can_write_it_back(tmp_path: Path) -> None:
    pages = _pages(tmp_path / "pages", 4)
    out = tmp_path / "o.jsonl"
    assert wirefeed("parse", *pages, "-o", str(out), "--state", str(tmp_path / "old.sqlite")).returncode == 0
    first = out.read_text("utf-8")
    fresh = str(tmp_path / "fresh.sqlite")  # confirms the 12 records from the file (as after a crash)
    again = wirefeed("parse", *pages, "-o", str(out), "--state", fresh, "-v")
    assert again.returncode == 0, again.stderr
    assert "wirefeed/dedup/reconciled" in again.stderr and out.read_text("utf-8") == first
    out.unlink()
    lost = wirefeed("parse", *pages, "-o", str(out), "--state", fresh)
    assert f"{out} lacks 12 records the state store {fresh} confirmed" in lost.stderr
    assert "exported 12 records" in wirefeed("export", "--state", fresh, "-o", str(out)).stderr
    assert out.read_text("utf-8") == first


_BLAS = """
import os, sys
from wirefeed.cli import main
assert "numpy" not in sys.modules, "numpy imported before main() could set its thread count"
rc = main(sys.argv[1:])
print(os.environ.get("OPENBLAS_NUM_THREADS"), "numpy" in sys.modules, rc, file=sys.stderr)
"""


@pytest.mark.parametrize(("given", "seen"), [(None, "1"), ("3", "3")], ids=["unset", "asked-for"])
def test_the_cli_starts_numpy_without_blas_threads_unless_asked(given: str | None, seen: str) -> None:
    import os

    page, expected = seedlike()
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    proc = subprocess.run(
        [sys.executable, "-c", _BLAS, "parse", str(page), "--url", expected["url"],
         "--reference-time", expected["reference_time"]],
        capture_output=True, text=True, timeout=180, env=env,
    )  # fmt: skip
    assert proc.stderr.splitlines()[-1] == f"{seen} True 0", proc.stderr
