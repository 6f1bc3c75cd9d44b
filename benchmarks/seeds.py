"""Optional accuracy run on the workspace's real seed pages (``../shared/seeds/*.txt``), not a test.

The project's tests use an invented page of the same form (``tests/fixtures/seedlike``); this script checks
the real renderings when they are beside the checkout. Expectations come from each page itself by rules
simpler than wirefeed's (a dateline lead is ``PLACE (AGENCY) - `` at the start of a paragraph, a stamp is a
``N minuten/uur/dagen geleden`` line), so no page text is copied into the project:

    python benchmarks/seeds.py [--seeds ../shared/seeds]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from wirefeed import extract_stories
from wirefeed.profiles import profile_for_url

DATELINE = re.compile(r"^(?P<dl>[A-ZÀ-Þ'][A-ZÀ-Þ .'/-]+ \([A-Za-z/]+\) -)", re.MULTILINE)
STAMP = re.compile(r"^\d+ (?:minuut|minuten|uur|dag|dagen) geleden$", re.MULTILINE)
URL = "https://www.zeelandnet.nl/nieuws/seed"


def check(path: Path) -> tuple[int, int, int, int, int]:
    """(dateline leads, stories found, stamp lines, stamps attached, datelines that differ)."""
    text = path.read_text("utf-8")
    want = [m.group("dl") for m in DATELINE.finditer(text)]
    stamps = STAMP.findall(text)
    stories = [
        s for s in extract_stories(text.encode(), url=URL, profile=profile_for_url(URL)) if not s.truncated
    ]
    got = [s.dateline for s in stories]
    differ = sum(a != b for a, b in zip(want, got, strict=False)) + abs(len(want) - len(got))
    return len(want), len(stories), len(stamps), sum(s.stamp is not None for s in stories), differ


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "seeds")
    args = ap.parse_args()
    pages = sorted(args.seeds.glob("*.txt"))
    if not pages:
        print(f"no seed pages in {args.seeds}; nothing to check", file=sys.stderr)
        return 0
    print(f"{'page':<28} {'datelines':>9} {'stories':>7} {'stamps':>6} {'attached':>8} {'differ':>6}")
    bad = 0
    for page in pages:
        row = check(page)
        bad += row[0] != row[1] or row[2] != row[3] or row[4] > 0
        print(f"{page.name:<28} {row[0]:>9} {row[1]:>7} {row[2]:>6} {row[3]:>8} {row[4]:>6}")
    print(f"{len(pages) - bad}/{len(pages)} pages: every dateline a story, every stamp attached")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
