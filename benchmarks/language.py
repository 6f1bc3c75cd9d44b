"""Language detection: accuracy per length band and µs per story, for every backend in one run.

    python benchmarks/language.py

Reads the team's labelled set (tests/fixtures/language.tsv: titles ≤ 40 characters, teaser leads,
bodies in nl/en/de/fr). "text" = the text alone decides (too short or unsure counts as wrong);
"stage" = as the language stage runs it, with the portal's language as the fallback for text that
cannot decide. lingua is measured when installed (pip install lingua-language-detector).
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from pathlib import Path

from wirefeed.language import BACKENDS, _candidates, _detect

SET = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "language.tsv"


def load() -> list[tuple[str, str, str]]:
    rows = []
    for line in SET.read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            code, band, text = line.split("\t")
            rows.append((code, band, text))
    return rows


def main() -> None:
    rows = load()
    backends = list(BACKENDS)
    print(f"{len(rows)} labelled texts; candidates nl/en/de/fr")
    print("| backend    | mode  | title | lead  | body  | µs/story (median) |")
    print("|------------|-------|-------|-------|-------|-------------------|")
    for backend in backends:
        try:
            _detect.__wrapped__(rows[-1][2], _candidates(None), None, backend)  # load the model untimed
        except ImportError:
            print(f"| {backend:<10} | not installed |")
            continue
        for mode in ("text", "stage"):
            hits: dict[str, list[bool]] = defaultdict(list)
            times = []
            for code, band, text in rows:
                start = time.perf_counter()
                fb = (code, "profile") if mode == "stage" else None
                r = _detect.__wrapped__(text, _candidates(None), fb, backend)  # uncached: measure detection
                times.append((time.perf_counter() - start) * 1e6)
                hits[band].append(r.code == code)
            acc = {b: 100 * sum(v) / len(v) for b, v in hits.items()}
            print(
                f"| {backend:<10} | {mode:<5} | {acc['title']:5.1f} | {acc['lead']:5.1f} | {acc['body']:5.1f} | "
                f"{statistics.median(times):17.0f} |"
            )


if __name__ == "__main__":
    main()
