"""Push random and mutated inputs through parse_dateline, resolve_time and extract_stories; print counts.

    python benchmarks/fuzz.py [--n 1000000] [--seed 1]
    python benchmarks/fuzz.py --pages [--n 1000000] [--seed 1]   # whole pages through process_page

Inputs are mutations of real-looking seeds (datelines, stamps, page snippets: characters inserted,
deleted, replaced, duplicated, spliced) and purely random strings. Anything raised other than the
documented TimeParseError is a bug and is printed with its input; so is any input slower than 50 ms.

``--pages`` runs the whole-page campaign: the project's hand-written fixture pages (HTML and text
renderings) and the demo portals' pages, mutated the way hostile pages are (bytes inserted, deleted and
spliced; chunks repeated thousands of times; deep nesting; comment runs; bidi and zero-width marks;
lying or unknown charsets; re-encoding; truncation; random Content-Types), each read by
:func:`wirefeed.offline.process_page` (decode, extract, dateline, time, language, validate, dedup). A
:class:`~wirefeed.errors.WirefeedError` is documented and counted; anything else is a bug, printed with
its input. Each input is timed: over 1 s is counted and printed, and one that runs 10 s is stopped.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from datetime import UTC, datetime

from wirefeed import TimeParseError, extract_stories, parse_dateline, resolve_time

SEEDS = [
    "KYIV (ANP/RTR) - De stroom",
    "By MATT BROWN WASHINGTON (AP) — x",
    "(ANSA) - ROME, JUL 11 - x",
    "13 minuten geleden",
    "gisteren om 14:32",
    "vor 3 Std.",
    "il y a 2 h",
    "Bijgewerkt: 26 nov 2026 14:05",
    "3-10-2016, 17:44",
    "Titel\n\nDEN HAAG (ANP) - Lead.\n\n5 uur geleden\nVolgende",
    "<html><body><h1>T</h1><p>PARIS (AFP) - x</p><time datetime='2026-01-01'>1 uur geleden</time></body></html>",
]
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh0123456789 ()/-–—.,:'’\n<>\"=#&;éÏß"
ANCHOR = datetime(2026, 11, 26, 12, tzinfo=UTC)


def mutate(rng: random.Random, s: str) -> str:
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(5)
        i = rng.randrange(len(s) + 1)
        if op == 0:
            s = s[:i] + rng.choice(ALPHABET) + s[i:]
        elif op == 1 and s:
            s = s[:i] + s[i + 1 :]
        elif op == 2 and s:
            s = s[:i] + rng.choice(ALPHABET) + s[i + 1 :]
        elif op == 3:
            s = s[:i] + s[i : i + rng.randint(1, 20)] * rng.randint(2, 50) + s[i:]
        else:
            s = s[:i] + rng.choice(SEEDS) + s[i:]
    return s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    counts: Counter[str] = Counter()
    start = time.perf_counter()
    for k in range(args.n):
        s = (
            mutate(rng, rng.choice(SEEDS))
            if k % 4
            else "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 80)))
        )
        target = k % 3
        t = time.perf_counter()
        try:
            if target == 0:
                counts["dateline/" + ("found" if parse_dateline(s) else "none")] += 1
            elif target == 1:
                try:
                    counts["time/" + ("resolved" if resolve_time(s, ANCHOR) else "none")] += 1
                except TimeParseError as exc:
                    counts["time/rejected-" + exc.reason] += 1
            elif k % 30 == 2:  # extraction is slower: a tenth of its share
                counts[f"extract/{min(len(extract_stories(s, url='https://x.nl/a')), 3)}+ stories"] += 1
        except Exception as exc:
            counts["BUG/" + type(exc).__name__] += 1
            print("BUG", type(exc).__name__, exc, repr(s)[:200])
        if time.perf_counter() - t > 0.05:
            counts["SLOW"] += 1
            print("SLOW", f"{(time.perf_counter() - t) * 1000:.0f} ms", repr(s)[:200])
    print(f"{args.n} inputs in {time.perf_counter() - start:.0f} s")
    for key, value in sorted(counts.items()):
        print(f"  {key:32} {value}")


def _page_seeds() -> list[tuple[str, bytes]]:
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pages"
    seeds = [
        (f"https://fuzz.example/{p.parent.name}", p.read_bytes()) for p in sorted(folder.glob("*/page.*"))
    ]
    from core import demo_pages  # benchmarks/core.py, beside this script

    seeds += [(url, body if isinstance(body, bytes) else body.encode()) for url, body in demo_pages()]
    return seeds


_MARKS = ["\u200f", "\u200b", "\u202e", "\ufeff", "\u00ad", "\u2066"]
_CHARSETS = ["utf-8", "utf-16", "undefined", "x-nonsense", "iso-8859-1", "windows-1252", "utf-32", "ascii"]
_CTYPES = [None, "text/html", "text/plain", "text/csv", "application/xml", "application/octet-stream"]


def mutate_page(rng: random.Random, seeds: list[tuple[str, bytes]], body: bytes) -> tuple[bytes, str | None]:
    """One hostile variant of a page, and the Content-Type it is served with."""
    text = body.decode("utf-8", "replace")
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(11)
        i = rng.randrange(len(text) + 1)
        if op == 0:  # characters inserted, deleted, replaced
            text = text[:i] + "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 8))) + text[i:]
        elif op == 1:
            text = text[:i] + text[i + rng.randint(1, 200) :]
        elif op == 2:  # a chunk of another page spliced in
            other = rng.choice(seeds)[1].decode("utf-8", "replace")
            j = rng.randrange(len(other) + 1)
            text = text[:i] + other[j : j + rng.randint(1, 400)] + text[i:]
        elif op == 3:  # a chunk repeated: listings of thousands of teasers
            text = text[:i] + text[i : i + rng.randint(1, 120)] * rng.randint(2, 3000) + text[i:]
        elif op == 4:  # deep nesting
            depth = rng.choice([10, 300, 5000, 50_000])
            tag = rng.choice(["div", "span", "b", "p", "li", "table"])
            text = text[:i] + f"<{tag}>" * depth + text[i : i + 300] + f"</{tag}>" * depth + text[i + 300 :]
        elif op == 5:  # comment runs, as in the sniffing bomb
            text = "<!---->" * rng.randint(1, 200) + rng.choice(["", "x", "<html>"]) + text
        elif op == 6:  # invisible marks
            for _ in range(rng.randint(1, 30)):
                k = rng.randrange(len(text) + 1)
                text = text[:k] + rng.choice(_MARKS) + text[k:]
        elif op == 7:  # a charset declaration, true or not
            text = f'<meta charset="{rng.choice(_CHARSETS)}">' + text
        elif op == 8:  # truncation
            text = text[:i]
        elif op == 9:  # a huge attribute or a huge line without blocks
            text = text[:i] + '<a href="/' + "x" * rng.randint(1000, 200_000) + '">' + text[i:]
        else:  # many tiny lines
            text = text[:i] + "<br>" * rng.randint(100, 20_000) + text[i:]
    encoding = rng.choice(["utf-8", "utf-8", "utf-8", "cp1252", "utf-16", "latin-1"])
    data = text.encode(encoding, "replace")
    ctype = rng.choice(_CTYPES)
    if ctype and rng.random() < 0.5:
        ctype += f"; charset={rng.choice(_CHARSETS)}"
    return data, ctype


class _Stop(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Stop


def fuzz_pages(n: int, seed: int) -> None:
    import signal

    from wirefeed.errors import WirefeedError
    from wirefeed.offline import process_page
    from wirefeed.store import StateStore

    rng = random.Random(seed)
    seeds = _page_seeds()
    counts: Counter[str] = Counter()
    signal.signal(signal.SIGALRM, _alarm)
    store = StateStore(":memory:")
    worst = 0.0
    start = time.perf_counter()
    for k in range(n):
        if k % 5000 == 4999:  # a fresh store now and then: dedup state must not grow with the campaign
            store.close()
            store = StateStore(":memory:")
        url, body = rng.choice(seeds)
        data, ctype = mutate_page(rng, seeds, body)
        stats: Counter[str] = Counter()
        t = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, 10.0)
        try:
            result = process_page(
                data, url=url, source_name="fuzz", fetched_at=ANCHOR, anchor=ANCHOR, profile=None,
                store=store, stats=stats, content_type=ctype,
            )  # fmt: skip
            counts[f"pages/{min(len(result.records), 3)}+ records"] += 1
        except _Stop:
            counts["STOPPED-10s"] += 1
            print("STOPPED", repr(data[:200]))
        except WirefeedError as exc:
            counts["documented/" + type(exc).__name__] += 1
        except Exception as exc:
            counts["BUG/" + type(exc).__name__] += 1
            print("BUG", type(exc).__name__, exc, repr(data[:200]))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        took = time.perf_counter() - t
        worst = max(worst, took)
        counts["bytes"] += len(data)
        if took > 1.0:
            counts["over-1s"] += 1
            print("SLOW", f"{took:.2f} s", len(data), repr(data[:120]))
        for key in ("wirefeed/extract/no-stories",):
            counts[key] += stats.get(key, 0)
        if k and k % 5000 == 0:
            bad = {
                key: v
                for key, v in counts.items()
                if key.startswith(("BUG", "STOPPED", "over-1s", "documented"))
            }
            print(
                f"... {k} inputs, {time.perf_counter() - start:.0f} s, slowest {worst:.2f} s, {bad}",
                flush=True,
            )
    print(f"{n} pages in {time.perf_counter() - start:.0f} s; slowest input {worst:.3f} s")
    for key, value in sorted(counts.items()):
        print(f"  {key:32} {value}")


if __name__ == "__main__":
    import sys

    if "--pages" in sys.argv:
        sys.argv.remove("--pages")
        ap = argparse.ArgumentParser()
        ap.add_argument("--n", type=int, default=1_000_000)
        ap.add_argument("--seed", type=int, default=1)
        a = ap.parse_args()
        fuzz_pages(a.n, a.seed)
    else:
        main()
