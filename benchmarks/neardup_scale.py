"""Near-duplicate lookup cost per story as the store fills with near-identical stories.

    python benchmarks/neardup_scale.py [--sizes 1000,2000,4000,8000,16000]

Each size starts a fresh on-disk state store and sends that many copies of one wire story through the
dedup stage's store calls (decide + reserve + confirm), each copy with two words changed, so every copy
shares most LSH bands with every other: the worst case for candidate lookup. Prints the mean cost per
story over the last thousand stories at each size, beside the same for distinct stories (the baseline, in
the same run); flat means the cost does not grow with the store.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from wirefeed.identity import content_hash, story_id
from wirefeed.neardup import signature
from wirefeed.store import StateStore

BASE = (
    "De Europese regeringsleiders zijn het na urenlang overleg eens geworden over een steunpakket van "
    "vijftig miljard euro voor Oekraine. Hongarije gaf zijn verzet in de nacht op, zeggen diplomaten in "
    "Brussel. Het geld komt uit de begroting van de Unie en wordt over vier jaar verdeeld."
)


def _text(rng: random.Random, k: int, similar: bool) -> str:
    words = BASE.split()
    if similar:
        for _ in range(2):
            words[rng.randrange(len(words))] = f"woord{k}"
    else:
        rng.shuffle(words)
        words = [f"{w}{k}" if i % 2 else w for i, w in enumerate(words)]
    return " ".join(words)


def per_story_ms(n: int, similar: bool) -> float:
    rng = random.Random(n)
    with tempfile.TemporaryDirectory() as tmp:
        store = StateStore(str(Path(tmp) / "state.sqlite"))
        tail = max(1, min(1000, n // 4))
        spent = 0.0
        for k in range(n):
            text = _text(rng, k, similar)
            url = f"https://portal{k % 7}.example/nieuws/{k}"
            sid, chash = story_id(url=url, source="bench", title=None, lead=text), content_hash(text)
            start = time.perf_counter()
            sig = signature(text)
            decision = store.decide(sid, url, chash, sig)
            store.reserve(sid, url, chash, decision, sig, 1_700_000_000 + k)
            store.confirm(sid)
            if k >= n - tail:
                spent += time.perf_counter() - start
        store.close()
    return spent / tail * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,2000,4000,8000,16000")
    sizes = [int(s) for s in ap.parse_args().sizes.split(",")]
    print(f"{'stories':>8}  {'near-identical ms/story':>24}  {'distinct ms/story':>18}")
    first = None
    for n in sizes:
        near, distinct = per_story_ms(n, True), per_story_ms(n, False)
        first = first or near
        print(f"{n:>8}  {near:>24.3f}  {distinct:>18.3f}   ({near / first:.2f}x the first size)")


if __name__ == "__main__":
    main()
