"""Speed of in-process ``parse`` on real saved article pages beside trafilatura, in the same run.

    python benchmarks/realhtml.py [PAGES_DIR] [--rounds 3]

PAGES_DIR is any folder of saved ``*.html`` pages (default ``../shared/realhtml/pages`` when it is
there). Each round times wirefeed's whole offline chain (:func:`wirefeed.offline.process_page`, a
fresh in-memory store per round, as ``wirefeed parse`` keeps one per run: every story is new to
it, so each is fingerprinted and looked up) and
``trafilatura.bare_extraction(with_metadata=True)`` on the same pages, alternating, and keeps the
best round of each (wall clock, and CPU time, steadier on a shared machine); the last line is the
ratio of the best rounds (the issue's bar: at least 4x). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from wirefeed.offline import process_page, source_name_for
from wirefeed.store import StateStore

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "realhtml" / "pages"
ANCHOR = datetime(2030, 1, 1, tzinfo=UTC)


def load(folder: Path) -> list[tuple[str, bytes]]:
    pages = sorted(folder.rglob("*.html"))
    return [(f"https://{p.parent.name}.example/{p.stem}", p.read_bytes()) for p in pages]


def run_wirefeed(pages: list[tuple[str, bytes]]) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    store = StateStore(":memory:")  # one per round, as `wirefeed parse` keeps one per run
    try:
        for url, body in pages:
            process_page(
                body,
                url=url,
                source_name=source_name_for(url, None),
                fetched_at=ANCHOR,
                anchor=ANCHOR,
                profile=None,
                store=store,
                stats=Counter(),
            )
    finally:
        store.close()
    return time.perf_counter() - t0, time.process_time() - c0


def run_trafilatura(pages: list[tuple[str, bytes]]) -> tuple[float, float]:
    import trafilatura

    t0, c0 = time.perf_counter(), time.process_time()
    for url, body in pages:
        trafilatura.bare_extraction(body, url=url, with_metadata=True)
    return time.perf_counter() - t0, time.process_time() - c0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pages", nargs="?", default=str(DEFAULT))
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    folder = Path(args.pages)
    if not folder.is_dir():
        print(f"no pages folder {folder}: give a folder of saved *.html pages", file=sys.stderr)
        return 2
    pages = load(folder)
    if not pages:
        print(f"no *.html pages under {folder}", file=sys.stderr)
        return 2
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        print("trafilatura is not installed: pip install -e '.[bench]' lxml_html_clean", file=sys.stderr)
        return 2
    run_wirefeed(pages[:3])  # warm caches and lazy imports on both sides
    run_trafilatura(pages[:3])
    ours, theirs = [], []
    for _ in range(args.rounds):
        ours.append(run_wirefeed(pages))
        theirs.append(run_trafilatura(pages))
    n = len(pages)
    mean_kb = sum(len(b) for _, b in pages) / n / 1024
    a, b = n / min(w for w, _ in ours), n / min(w for w, _ in theirs)
    ca, cb = (1000 * min(c for _, c in runs) / n for runs in (ours, theirs))
    print(f"{n} pages, mean {mean_kb:.0f} KB, best of {args.rounds} rounds")
    print(f"wirefeed process_page (parse, in process)   {a:8.1f} pages/s  {ca:6.1f} ms CPU/page")
    print(f"trafilatura.bare_extraction(with_metadata)  {b:8.1f} pages/s  {cb:6.1f} ms CPU/page")
    spans = [t[0] / o[0] for o, t in zip(ours, theirs, strict=True)]
    print(f"ratio per round {min(spans):.2f}-{max(spans):.2f}x, by CPU/page {cb / ca:.2f}x")
    print(f"ratio {a / b:.2f}x (bar: >= 4x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
