"""Real-HTML scores on two halves of the publishers: one to develop rules on, one held out.

    python3 ../shared/realhtml/evaluate.py ../shared/realhtml --venv .venv --no-cli --results R
    python benchmarks/heldout.py ../shared/realhtml R

A rule fitted to the publishers one looks at shows up as a score that holds on the development half
and not on the other. Publishers are split by ``sha1(publisher name) % 2``: 0 is the development
half, 1 the held-out half. The scorer's per-page results (``R/per_page.jsonl``) are read, not
recomputed, so both halves are judged exactly as the whole set is. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

# (label, field of the scorer's per-page `wf` result, pages it applies to)
MEASURES = [
    ("title exact (gold)", "title_ok"),
    ("title exact (gold or <h1>)", "title_any_ok"),
    ("title loose", "title_loose_ok"),
    ("own story", "story_ok"),
    ("date same day", "day_ok"),
    ("date within 1 h", "h1_ok"),
    ("gold in [earliest, latest]", "in_interval"),
    ("dateline place", "dl_place_ok"),
    ("dateline agencies", "dl_agency_ok"),
    ("false dateline", "false_dateline"),
    ("language", "lang_ok"),
]


def half(publisher: str) -> int:
    return int(hashlib.sha1(publisher.encode()).hexdigest(), 16) % 2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("realhtml", type=Path, help="the real-page folder (holds gold.jsonl)")
    ap.add_argument("results", type=Path, help="the scorer's --results folder (holds per_page.jsonl)")
    args = ap.parse_args()
    publisher = {}
    for line in (args.realhtml / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        g = json.loads(line)
        publisher[g["id"]] = g["publisher"]
    rows = [json.loads(x) for x in (args.results / "per_page.jsonl").read_text(encoding="utf-8").splitlines()]
    groups = {
        "whole": rows,
        "development": [r for r in rows if half(publisher[r["id"]]) == 0],
        "held out": [r for r in rows if half(publisher[r["id"]]) == 1],
    }
    print(f"{'measure':<30}" + "".join(f"{name:>20}" for name in groups))
    pubs = {name: len({publisher[r["id"]] for r in rs}) for name, rs in groups.items()}
    print(
        f"{'pages (publishers)':<30}" + "".join(f"{f'{len(rs)} ({pubs[n]})':>20}" for n, rs in groups.items())
    )
    for label, key in MEASURES:
        cells = []
        for rs in groups.values():
            vals = [r["wf"][key] for r in rs if r["wf"].get(key) is not None]
            k = sum(bool(v) for v in vals)
            cells.append(f"{k / len(vals):.3f} ({k}/{len(vals)})" if vals else "n/a")
        print(f"{label:<30}" + "".join(f"{c:>20}" for c in cells))
    records = [sum(r["api"]["n_records"] for r in rs) for rs in groups.values()]
    print(f"{'records emitted':<30}" + "".join(f"{n:>20}" for n in records))


if __name__ == "__main__":
    main()
