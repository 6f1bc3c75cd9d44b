"""Speed of wirefeed's pure stages, each beside a baseline measured in the same run.

    python benchmarks/core.py            # prints a table; nothing here is asserted
    python benchmarks/core.py --quick    # fewer repetitions

Baselines: a plain ``re.match`` of the simplest ANP dateline (parse_dateline), ``dateparser.parse`` on
the same strings (resolve_time), langdetect beside py3langid (detect_language), and, when the ``bench``
extra is installed, trafilatura.extract + htmldate.find_date on the same pages (offline parse).
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from wirefeed import resolve_time
from wirefeed.demo.site import DemoSite, stories
from wirefeed.offline import process_page
from wirefeed.store import StateStore

ANCHOR = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DUTCH_RELATIVE = [
    "zojuist",
    "1 minuut geleden",
    "13 minuten geleden",
    "48 minuten geleden",
    "een uur geleden",
    "5 uur geleden",
    "ongeveer 5 uur geleden",
    "2 dagen geleden",
    "1 week geleden",
    "2 weken geleden",
    "1 maand geleden",
    "5 jaar geleden",
    "gisteren om 14:32",
    "vandaag 09:15",
]


def per_call_us(fn: Callable[[str], object], inputs: list[str], repeat: int) -> float:
    """Median over ``repeat`` rounds of the mean µs per call over ``inputs``."""
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for s in inputs:
            fn(s)
        rounds.append((time.perf_counter() - start) / len(inputs) * 1e6)
    return statistics.median(rounds)


def leads() -> list[str]:
    out = []
    for s in stories():
        dl = f"{s['place']} ({s['agencies']}) - " if s["agencies"] else f"{s['place']} - "
        out.append(dl + s["paragraphs"][0])
    return out


def demo_pages() -> list[tuple[str, bytes]]:
    site = DemoSite(started=ANCHOR)
    base = "http://127.0.0.1:8000"
    pages = [
        (f"{base}/nieuws/{s['slug']}", site.zeeland(f"/nieuws/{s['slug']}", {}, ANCHOR, base))
        for s in stories()
    ]
    for section in ("binnenland", "buitenland", "economie"):
        for n in (1, 2, 3):
            pages.append(
                (
                    f"{base}/nieuws/{section}?page={n}",
                    site.zeeland(f"/nieuws/{section}", {"page": str(n)}, ANCHOR, base),
                )
            )
    return [(u, (h or "").encode("utf-8")) for u, h in pages]


def row(name: str, ours: float, base_name: str, base: float, unit: str = "µs/call") -> str:
    # For times lower is better, for rates higher: the last column is always "how many times better".
    ratio = (
        (ours / base if base else float("inf"))
        if unit.endswith("/s")
        else (base / ours if ours else float("inf"))
    )
    return f"| {name:<34} | {ours:>10.1f} | {base_name:<34} | {base:>10.1f} | {unit:<8} | {ratio:>8.2f}x |"


def main(argv: Iterable[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(list(argv) if argv is not None else None)
    repeat = 5 if args.quick else 21
    print(f"machine: {platform.machine()} {platform.processor() or ''} python {sys.version.split()[0]}")
    print(
        "| stage                              |      ours  | baseline (same run)                |   baseline | unit     | ours vs base |"
    )
    print(
        "|"
        + "-" * 36
        + "|"
        + "-" * 12
        + "|"
        + "-" * 36
        + "|"
        + "-" * 12
        + "|"
        + "-" * 10
        + "|"
        + "-" * 11
        + "|"
    )

    real_leads = leads()
    simple = re.compile(r"^([A-Z][A-Z' .-]+) \(ANP\) - ")
    from wirefeed.dateline import _parse  # uncached: measure parsing, not the per-lead cache

    ours = per_call_us(_parse, real_leads, repeat)
    base = per_call_us(simple.match, real_leads, repeat)
    print(row("parse_dateline (demo leads)", ours, "re.match simplest ANP form", base))

    fast = per_call_us(lambda s: resolve_time(s, ANCHOR), DUTCH_RELATIVE, repeat)
    import dateparser

    settings = {
        "RELATIVE_BASE": ANCHOR.replace(tzinfo=None),
        "TIMEZONE": "Europe/Amsterdam",
        "TO_TIMEZONE": "UTC",
        "PREFER_DATES_FROM": "past",
    }
    dp = per_call_us(
        lambda s: dateparser.parse(s, languages=["nl"], settings=settings),
        DUTCH_RELATIVE,
        max(3, repeat // 4),
    )
    print(row("resolve_time (Dutch relative)", fast, "dateparser.parse, languages=['nl']", dp))

    from wirefeed.language import DEFAULT_CANDIDATES, _detect

    uncached = _detect.__wrapped__  # measure detection, not the per-story cache
    titles = [s["title"] for s in stories()]
    uncached(titles[0], DEFAULT_CANDIDATES, None, "py3langid")
    uncached(titles[0], DEFAULT_CANDIDATES, None, "langdetect")
    py3 = per_call_us(lambda s: uncached(s, DEFAULT_CANDIDATES, None, "py3langid"), titles, repeat)
    ld = per_call_us(
        lambda s: uncached(s, DEFAULT_CANDIDATES, None, "langdetect"), titles, max(3, repeat // 4)
    )
    print(row("detect_language py3langid (titles)", py3, "langdetect, seeded", ld))

    pages = demo_pages()

    def parse_all() -> None:
        process_page_stats: Counter[str] = Counter()
        store = StateStore(":memory:")
        for url, body in pages:
            process_page(
                body,
                url=url,
                source_name="demo",
                fetched_at=ANCHOR,
                anchor=ANCHOR,
                profile=None,
                store=store,
                stats=process_page_stats,
            )

    rounds = max(3, repeat // 4)
    ours_pps = len(pages) / median_seconds(parse_all, rounds)
    try:
        import htmldate
        import trafilatura
    except ImportError:
        print(
            f"| offline parse, demo pages | {ours_pps:.1f} | trafilatura not installed (pip install -e '.[bench]') |"
        )
        return

    def traf() -> None:
        for _, body in pages:
            trafilatura.extract(body.decode("utf-8"))
            htmldate.find_date(body.decode("utf-8"))

    base_pps = len(pages) / median_seconds(traf, rounds)
    print(row("offline parse (demo pages)", ours_pps, "trafilatura.extract + htmldate", base_pps, "pages/s"))


def median_seconds(fn: Callable[[], None], rounds: int) -> float:
    """Median wall time of ``fn`` over ``rounds`` runs, after one warm-up run."""
    fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


if __name__ == "__main__":
    main()
