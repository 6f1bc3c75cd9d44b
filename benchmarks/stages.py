"""µs per item of every pipeline stage, on the same items (the demo portals' pages, offline).

    python benchmarks/stages.py

Each stage is the pure function its pipeline wraps, timed over a fresh copy of the same items, in order:
extract (per page), dateline, timestamps, language, validate, dedup (decide + reserve + confirm).
"""

from __future__ import annotations

import copy
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from core import ANCHOR, demo_pages

from wirefeed.extract import extract_page
from wirefeed.language import _detect
from wirefeed.page import load_page
from wirefeed.stages import (
    apply_dateline,
    apply_decision,
    apply_language,
    apply_time,
    decide,
    new_item,
    to_record,
)
from wirefeed.store import StateStore


def main() -> None:
    pages = demo_pages()
    t0 = time.perf_counter()
    raw = [(url, extract_page(load_page(body, url=url))) for url, body in pages]
    extract_us = (time.perf_counter() - t0) / len(pages) * 1e6
    base = [
        new_item(s, page_url=url, source_name="demo", fetched_at=ANCHOR, anchor=ANCHOR)
        for url, stories in raw
        for s in stories
        if not s.truncated
    ]
    print(f"{len(pages)} pages, {len(base)} items")
    print("| stage | µs per item (median of 5) |")
    print("|-------|---------------------------|")
    print(f"| extract (per page) | {extract_us:.0f} |")
    results: dict[str, list[float]] = {}
    for _ in range(5):
        items = copy.deepcopy(base)
        _detect.cache_clear()  # every round detects afresh, as a new story would
        for name, fn in (
            ("dateline", apply_dateline),
            ("timestamps", apply_time),
            ("language", apply_language),
        ):
            start = time.perf_counter()
            items = [fn(it)[0] for it in items]
            results.setdefault(name, []).append((time.perf_counter() - start) / len(items) * 1e6)
        start = time.perf_counter()
        records = [to_record(it) for it in items]
        results.setdefault("validate", []).append((time.perf_counter() - start) / len(items) * 1e6)
        with tempfile.TemporaryDirectory() as tmp:
            store = StateStore(Path(tmp) / "s.sqlite")
            start = time.perf_counter()
            for rec in records:
                decision, sig = decide(rec, store)
                if decision.outcome != "duplicate":
                    rec = apply_decision(rec, decision)
                    store.reserve(rec.id, rec.url, rec.content_hash, decision, sig, 0)
                    store.confirm(rec.id)
            results.setdefault("dedup", []).append((time.perf_counter() - start) / len(records) * 1e6)
            store.close()
    for name, values in results.items():
        print(f"| {name} | {statistics.median(values):.0f} |")


if __name__ == "__main__":
    main()
