"""No regular expression with a super-linear worst case on page text, and none let in by a profile.

Every compiled pattern at module level in ``wirefeed`` is found by introspection (a new one is covered
without being listed) and run on repetitive texts of n and 32·n pieces; the cost must grow like the
text (32×), not like its square (1000×) or worse. Growth ratios, not absolute times, are asserted: the
margin between 32× and 1000× survives a busy machine. The cases the audit found are listed by hand with
the input that hurt them. User patterns in profiles are refused when their shape can be exponential.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import pkgutil
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from queue import Empty
from typing import Any

import pytest

import wirefeed
from wirefeed.errors import ProfileError
from wirefeed.page import looks_like_html
from wirefeed.profiles import builtin_profiles, load_profile, profile_from_data

from .hostileserver import serve

GROWTH = 32  # the long text is this many times the short one
# A linear pattern grows ~32x (up to ~80x when the long text falls out of a CPU cache), a quadratic one
# ~1000x, an exponential one without bound.
LINEAR_LIMIT = 200
NOISE_FLOOR = 0.002  # seconds: below this on the long text the ratio is timer noise, and harmless anyway


def _module_patterns() -> Iterator[tuple[str, re.Pattern[str] | re.Pattern[bytes]]]:
    for info in pkgutil.iter_modules(wirefeed.__path__):
        if info.name == "__main__":
            continue
        mod = importlib.import_module(f"wirefeed.{info.name}")
        for name, value in vars(mod).items():
            values = value if isinstance(value, list | tuple) else [value]
            for i, v in enumerate(values):
                if isinstance(v, re.Pattern):
                    yield f"{mod.__name__}.{name}" + (f"[{i}]" if values is value else ""), v


PATTERNS = dict(_module_patterns())
# Pieces a hostile page repeats: runs of one character class, of the separators datelines and stamps
# look for, of markup the sniffers skip.
PIECES = [
    " ",
    "a",
    "A",
    "1",
    "-",
    "(",
    "<",
    ".",
    ",",
    "a ",
    "A ",
    "1 ",
    "( ",
    "a(",
    "A-",
    ". ",
    "<!---->",
    "<a>",
]
# The inputs that made a pattern in wirefeed super-linear before it was fixed (found by this sweep).
KNOWN = [
    ("wirefeed.page._HTML_SNIFF_RE", "<!---->", "x"),  # exponential: 2**n ways to split the comments
    ("wirefeed.page._FEED_RE", "<!---->", "x"),  # the same shape
    ("wirefeed.feeds._TAG_RE", "<", "!"),  # quadratic: each "<" read to the end of the text
    ("wirefeed.places._PAREN_RE", " ", "!"),  # quadratic: each space read to the end
    ("wirefeed.dateline._BYLINE_SPLIT_RE", " ", "!"),  # quadratic: each space read to the end
]


def _cost(pattern: re.Pattern[str] | re.Pattern[bytes], text: str, reps: int = 3) -> float:
    """CPU seconds of this thread (not wall-clock: other processes on a busy machine do not count)."""
    data: str | bytes = text.encode("utf-8") if isinstance(pattern.pattern, bytes) else text
    best = float("inf")
    for _ in range(reps):
        start = time.thread_time()
        pattern.search(data)  # type: ignore[arg-type]
        pattern.match(data)  # type: ignore[arg-type]
        best = min(best, time.thread_time() - start)
    return best


def _growth(pattern: re.Pattern[str] | re.Pattern[bytes], piece: str, tail: str) -> tuple[float, float]:
    """(long/short cost ratio, long cost) for ``piece`` repeated to ~500 and ~16000 characters."""
    n = max(1, 500 // len(piece))
    short = _cost(pattern, piece * n + tail)
    if short > 0.5:  # already far too slow at 500 characters
        return float("inf"), short
    long = _cost(pattern, piece * n * GROWTH + tail, reps=1)
    if long < NOISE_FLOOR:
        return 1.0, long
    if long / max(short, 1e-6) >= LINEAR_LIMIT:  # a second look before judging
        long = min(long, _cost(pattern, piece * n * GROWTH + tail))
    return long / max(short, 1e-6), long


def _in_child(fn: Callable[..., Any], *args: Any, timeout: float = 60.0) -> Any:
    """``fn(*args)`` in a forked process, so a pattern that regressed to exponential fails the test
    after ``timeout`` instead of hanging it (a regex in C does not even see SIGTERM)."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=lambda: queue.put(fn(*args)), daemon=True)
    proc.start()
    try:
        return queue.get(timeout=timeout)
    except Empty:
        pytest.fail(f"{fn.__name__}{args!r} did not finish within {timeout} s")
    finally:
        proc.kill()
        proc.join()


def test_the_sweep_finds_the_patterns() -> None:
    assert len(PATTERNS) > 30  # dateline, stamps, extract, page, feeds, identity, places …
    for name, _, _ in KNOWN:
        assert name in PATTERNS, name


@pytest.mark.parametrize(("name", "piece", "tail"), KNOWN, ids=[k[0].rsplit(".", 1)[1] for k in KNOWN])
def test_known_worst_cases_are_linear(name: str, piece: str, tail: str) -> None:
    ratio, long = _in_child(_growth, PATTERNS[name], piece, tail)
    assert ratio < LINEAR_LIMIT, (
        f"{name} on {piece!r}*n+{tail!r}: cost grows {ratio:.0f}x for {GROWTH}x text ({long:.3f} s)"
    )


def _sweep(pattern: re.Pattern[str] | re.Pattern[bytes]) -> list[str]:
    slow = []
    for piece in PIECES:
        ratio, long = _growth(pattern, piece, "!")
        if ratio >= LINEAR_LIMIT:
            slow.append(f"{piece!r}*n: {ratio:.0f}x ({long:.3f} s)")
    return slow


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_every_pattern_is_linear_on_repetitive_text(name: str) -> None:
    slow = _in_child(_sweep, PATTERNS[name])
    assert not slow, f"{name} is super-linear: {slow}"


def test_comment_run_is_sniffed_at_once() -> None:
    # the 313-byte page of the report: 2**40 backtracking steps before the fix, now one pass
    assert _in_child(looks_like_html, b"<!---->" * 40 + b"x", timeout=10) is False  # it took hours
    assert looks_like_html(b"<!-- a --> <!-- b -->\n<html><body>") is True
    assert looks_like_html(b"<!-- a -- > still a comment --><p>x") is True


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a+)+$",
        r"(\w+\s?)+$",
        r"(?:x|xy)*z",
        r"^(\d+)-\1$",
        r"(?>(a+)+)b",
        r"(?:[a-z]+,?)*\.",
        r"(?:a?b?)*c",
    ],
)
def test_profile_refuses_exponential_patterns(tmp_path: Path, pattern: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"name": "p", "domains": ["example.org"], "boilerplate": [pattern]}), "utf-8")
    with pytest.raises(ProfileError, match="unsafe regular expression") as err:
        load_profile(path)
    assert err.value.field == "boilerplate"


@pytest.mark.parametrize(
    "pattern",
    [
        r"^Lees ook\b",
        r"[?&]p=\d+",
        r"^/(world|us)-news/?$",
        r"(?:ab)+",
        r"(a++)+b",
        r"(?:x|xy)*+z",
        r"\d{1,3}(?:\.\d{3})*",
    ],
)
def test_profile_keeps_safe_patterns(tmp_path: Path, pattern: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"name": "p", "domains": ["example.org"], "boilerplate": [pattern]}), "utf-8")
    assert load_profile(path).boilerplate == (pattern,)


@pytest.mark.parametrize(
    "pattern, field", [(r"\s*\s*\s*x$", "boilerplate"), (r"^/\w*\w*\w*=", "article_patterns")]
)
def test_profile_refuses_patterns_slow_in_practice_when_it_loads(
    tmp_path: Path, pattern: str, field: str
) -> None:
    """A pattern of a safe shape can still be polynomial (``\\s*\\s*\\s*x`` is cubic): each user pattern
    is run on hostile lines when the profile loads, in a child with a CPU limit, and refused if slow."""
    path = tmp_path / "p.json"
    data = {"name": "p", "domains": ["example.org"], "boilerplate": [r"^Lees ook\b"], field: [pattern]}
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ProfileError, match="slow regular expression") as err:
        load_profile(path)
    assert err.value.field == field and repr(pattern) in str(err.value)
    with pytest.raises(ProfileError, match="regular expression"):
        profile_from_data(data, "warc")  # the profiles a crawl kept are checked the same way


def test_builtin_profile_patterns_are_linear() -> None:
    for prof in builtin_profiles().values():
        for key in (
            "article_patterns",
            "listing_patterns",
            "pagination_patterns",
            "boilerplate",
            "section_headers",
        ):
            for source in getattr(prof, key):
                pattern = re.compile(source)
                for piece in ("/", "a", "1", "-", "?p=1&", " "):
                    ratio, long = _growth(pattern, piece, "!")
                    assert ratio < LINEAR_LIMIT, (prof.name, key, source, piece, ratio, long)


def test_comment_bomb_in_a_crawl_is_read_and_counted(tmp_path: Path) -> None:
    """The page that hung a crawl for 728 s, served as text/csv and with no Content-Type."""
    bomb = b"<!---->" * 40 + b"x"
    routes = {"/csv": (200, {"Content-Type": "text/csv"}, bomb), "/bare": (200, {}, bomb)}
    with serve(routes) as srv:  # type: ignore[arg-type]
        profile = tmp_path / "bomb.json"
        profile.write_text(
            json.dumps({"name": "bomb", "domains": [srv.hostport], "start_urls": [srv.base + "/csv", srv.base + "/bare"],
                        "article_patterns": ["^/"]}),
            "utf-8",
        )  # fmt: skip
        cmd = [sys.executable, "-m", "wirefeed", "crawl", "portal", "-a", "profile=bomb", "--profile", str(profile),
               "--state", str(tmp_path / "s.sqlite"), "-o", str(tmp_path / "out.jsonl"),
               "-s", "ROBOTSTXT_OBEY=False", "-s", "LOG_LEVEL=WARNING"]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert sorted(srv.hits) == ["/bare", "/csv"]
    assert "finish_reason=finished" in proc.stderr, proc.stderr
    counted = {
        line.split()[0]: int(line.split()[1])
        for line in proc.stderr.splitlines()
        if line.startswith("  wirefeed/")
    }
    assert counted.get("wirefeed/fetch/pages", 0) == 2, counted  # both read, neither hung the crawl
