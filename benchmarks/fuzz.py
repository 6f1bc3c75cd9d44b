"""Push random and mutated inputs through parse_dateline, resolve_time and extract_stories; print counts.

    python benchmarks/fuzz.py [--n 1000000] [--seed 1]

Inputs are mutations of real-looking seeds (datelines, stamps, page snippets: characters inserted,
deleted, replaced, duplicated, spliced) and purely random strings. Anything raised other than the
documented TimeParseError is a bug and is printed with its input; so is any input slower than 50 ms.
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


if __name__ == "__main__":
    main()
