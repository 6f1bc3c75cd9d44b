"""A text rendering read as a stream gives what the whole-file path gives, and its first record comes
before the whole input is there."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from wirefeed.extract import RawStory, extract_stories
from wirefeed.offline import PageContext, process_page
from wirefeed.profiles import Profile, profile_for_url
from wirefeed.store import StateStore
from wirefeed.textstream import read_pages, stream_lines, stream_stories

FIXTURES = Path(__file__).parent / "fixtures"
STREAM = FIXTURES / "stream" / "page.txt"
TEXTS = [STREAM, *sorted((FIXTURES / "pages").glob("*/page.txt")), FIXTURES / "seedlike" / "page.txt"]
ANCHOR = datetime(2026, 3, 29, 8, 30, tzinfo=UTC)


def _url(path: Path) -> str:
    meta = path.with_name("meta.json")
    data = json.loads(meta.read_text("utf-8")) if meta.is_file() else {}
    return str(data.get("url") or path.resolve().as_uri())


def _fields(stories: list[RawStory]) -> list[dict[str, Any]]:
    return [{k: getattr(s, k) for k in s.__slots__} for s in stories]


def _chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def test_the_stream_fixture_reads_as_written() -> None:
    """What the fixture was written to hold (by hand): an article and nine teasers."""
    stories = extract_stories(STREAM.read_bytes(), url=_url(STREAM))
    assert [(s.kind, s.title, s.stamp, s.section) for s in stories] == [
        ("article", "Gemeente opent nieuw zwembad in de binnenstad", None, None),
        ("teaser", "Veerdienst vaart weer na storing", "3 uur geleden", None),
        ("teaser", "Boeren protesteren bij provinciehuis", "5 uur geleden", None),
        ("teaser", "Haven boekt recordjaar", "6 uur geleden", "Economie"),
        ("teaser", "Dijk bij Kapelle wordt versterkt", None, "Economie"),
        ("teaser", "Strand krijgt extra zand", "7 uur geleden", "Economie"),
        ("teaser", None, "8 uur geleden", "Economie"),
        ("teaser", "Nieuwe fabriek in het Sloegebied", None, "Economie"),
        ("teaser", "Provincie zoekt nieuwe gedeputeerde", "1 dag geleden", "Economie"),
        ("teaser", "Strandpaviljoen mag blijven", "2 dagen geleden", None),
    ]
    assert len(stories[0].paragraphs) == 4  # the subheading and the hard-wrapped paragraph stay in
    assert len(stories[4].paragraphs) == 3  # a teaser still running under its subheading
    assert stories[2].badge == "ANP"


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.parent.name)
@pytest.mark.parametrize("position", ["after", "before", "auto"])
def test_streamed_stories_equal_the_whole_file(path: Path, position: str) -> None:
    """Cut in windows as small as they come (a window a line, bytes arriving 7 at a time), a text gives
    the stories of the whole file. A fixed stamp position lets the first window be one line; with
    ``auto`` the vote needs the whole (short) text, as it does in a run."""
    url = _url(path)
    profile = profile_for_url(url)
    if position != "auto":
        profile = dataclasses.replace(profile or Profile(name="t"), stamp_position=position)
    data = path.read_bytes()
    whole = _fields(extract_stories(data, url=url, content_type="text/plain", profile=profile))
    for window in (1, 2, 5):
        streamed = stream_stories(
            stream_lines(_chunks(data, 7)),
            url=url,
            profile=profile,
            vote_lines=1 if position != "auto" else 5_000,
            window_lines=window,
        )
        assert _fields(list(streamed)) == whole, f"window of {window} lines"


@pytest.mark.parametrize(
    "data",
    [b"a\r\nb\rc\n\nd", "é\u2028ü\r\n \n".encode(), b"\xef\xbb\xbfbom\r", "één\x85twee".encode()],
)
def test_lines_split_where_the_whole_text_splits(data: bytes) -> None:
    expected = [
        " ".join(raw.split()) for raw in data.decode("utf-8").lstrip("\ufeff").splitlines() if raw.strip()
    ]
    for size in (1, 2, 3, len(data)):
        assert [ln.text for ln in stream_lines(_chunks(data, size))] == expected


def test_bytes_that_are_not_utf8_are_read_as_windows_1252_and_counted() -> None:
    data = "Caf\u00e9 de Paris opent\n\nBRUSSEL (ANP) - Het caf\u00e9 gaat weer open, zegt de eigenaar.\n\n2 uur geleden\n"
    raw = data.encode("cp1252")
    assert [ln.text for ln in stream_lines(_chunks(raw, 3))] == [
        " ".join(x.split()) for x in data.splitlines() if x
    ]
    kw = {"url": "file:///x.txt", "source_name": "x", "fetched_at": ANCHOR, "anchor": ANCHOR, "profile": None}
    whole_stats: Counter[str] = Counter()
    process_page(raw, store=StateStore(":memory:"), stats=whole_stats, **kw)
    stats: Counter[str] = Counter()
    list(read_pages(_Reader(raw, 5), PageContext(store=StateStore(":memory:"), stats=stats, **kw)))
    assert stats == whole_stats
    assert stats["wirefeed/fetch/charset-fallback/undeclared"] == 1


class _Reader:
    """A file object that gives at most ``size`` bytes a read, as a pipe does."""

    def __init__(self, data: bytes, size: int) -> None:
        self.data, self.size = data, size

    def read(self, n: int = -1) -> bytes:
        n = len(self.data) if n < 0 else min(n, self.size)
        out, self.data = self.data[:n], self.data[n:]
        return out


def _records(results: Any) -> tuple[list[str], list[dict[str, Any]]]:
    records, rejected = [], []
    for r in results:
        records += [rec.model_dump_json(exclude={"fetched_at"}) for rec in r.records]
        rejected += r.rejected
    return records, rejected


def test_streamed_records_dedup_and_stats_equal_the_whole_file() -> None:
    """Through every stage, with one store for a text read twice (the second read is all duplicates)."""
    url = _url(STREAM)
    kw = {"url": url, "source_name": "regio", "fetched_at": ANCHOR, "anchor": ANCHOR, "profile": None}
    data = (
        STREAM.read_bytes() + b"\nBrug dicht\n\nGOES (ANP) - De brug bij Goes is van\n"
    )  # + a story cut off
    outcomes = []
    for streamed in (False, True):
        store, stats = StateStore(":memory:"), Counter[str]()
        got = []
        for _ in range(2):
            if streamed:
                got.append(
                    _records(read_pages(_Reader(data, 64), PageContext(store=store, stats=stats, **kw)))
                )
            else:
                got.append(_records([process_page(data, store=store, stats=stats, **kw)]))
        outcomes.append((got, stats))
    (whole, whole_stats), (stream, stream_stats) = outcomes
    assert stream == whole
    assert stream_stats == whole_stats
    assert len(whole[0][0]) == 10 and whole[1][0] == []  # all new, then all duplicates
    assert whole_stats["wirefeed/extract/truncated"] == 2
    assert whole_stats["wirefeed/dedup/duplicate"] == 10


def test_a_text_without_stories_says_why() -> None:
    kw = {"url": "file:///x.txt", "source_name": "x", "fetched_at": ANCHOR, "anchor": ANCHOR, "profile": None}
    for data in (b"", b"\n\n  \n", b"Alleen een regel zonder meer\n"):
        stats, whole_stats = Counter[str](), Counter[str]()
        results = list(
            read_pages(_Reader(data, 4), PageContext(store=StateStore(":memory:"), stats=stats, **kw))
        )
        page = process_page(data, store=StateStore(":memory:"), stats=whole_stats, **kw)
        assert [r.no_story for r in results] == [page.no_story] and page.no_story
        assert stats == whole_stats


def _story(n: int) -> str:
    return (
        f"Bericht nummer {n} over het weer aan de kust\n\n"
        f"VLISSINGEN (ANP) - Het is vandaag de {n}e dag op rij dat het stormt aan de kust, meldt het KNMI.\n\n"
        f"{1 + n % 20} uur geleden\n"
    )


def test_parse_writes_its_first_record_before_the_input_ends(tmp_path: Path) -> None:
    """``wirefeed parse -`` fed through a pipe in two parts: the first record is read from its output
    while the second part is not written yet (the pipe still open). A parse that waits for the end of
    its input never writes it, and the test fails at its guard instead of hanging."""
    first = "".join(_story(n) for n in range(1_800))  # past the lines the stamp position is voted on
    second = "".join(_story(n) for n in range(1_800, 1_810))
    proc = subprocess.Popen(
        [sys.executable, "-m", "wirefeed", "parse", "-", "--reference-time", "2026-03-29T10:30:00+02:00"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdin is not None and proc.stdout is not None
    lines: list[bytes] = []
    first_record = threading.Event()

    def read() -> None:  # drain the output as it comes, so the child never waits on a full pipe
        for out in proc.stdout:  # type: ignore[union-attr]
            lines.append(out)
            first_record.set()

    def write_first_part() -> None:
        proc.stdin.write(first.encode())  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    writer = threading.Thread(target=write_first_part, daemon=True)
    writer.start()
    try:
        assert first_record.wait(timeout=600), "no record while the input was still open"  # a hang guard
        assert json.loads(lines[0])["title"] == "Bericht nummer 0 over het weer aan de kust"
        writer.join()
        proc.stdin.write(second.encode())  # only now does the input end
        proc.stdin.close()
        reader.join()
    finally:
        if proc.poll() is None and not first_record.is_set():
            proc.kill()
        proc.wait()
    assert proc.returncode == 0
    assert len(lines) == 1_810
