"""State store: insert and lookup rates, file size and RSS as the number of stories grows.

    python benchmarks/store.py [--n 1000000] [--step 100000]

Inserts go through the real two-phase path (decide → reserve → confirm) with random signatures, the
way the dedup stage writes; lookups are ``decide`` calls for known and unknown stories. The baseline in
the same run is a plain SQLite table of (id, hash) with one insert per transaction.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

from wirefeed.neardup import NUM_PERM
from wirefeed.store import StateStore


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--step", type=int, default=50_000)
    ap.add_argument(
        "--archive", type=int, default=0, help="also: this many stories in the archive (e.g. 10000000)"
    )
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "state.sqlite"
        store = StateStore(path)
        print("| stories | inserts/s | lookups/s | file MB | bytes/story | RSS MB |")
        print("|---------|-----------|-----------|---------|-------------|--------|")
        done = 0
        while done < args.n:
            start = time.perf_counter()
            for i in range(done, done + args.step):
                sid = f"wf1-{i:024x}"
                sig = rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32)
                d = store.decide(sid, f"https://portal.example/nieuws/{i}", f"{i:032x}", sig, 0, 3600)
                store.reserve(sid, f"https://portal.example/nieuws/{i}", f"{i:032x}", d, sig, 1_700_000_000)
                store.confirm(sid)
            inserts = args.step / (time.perf_counter() - start)
            done += args.step
            probes = 2000
            start = time.perf_counter()
            for j in range(probes):
                k = int(rng.integers(0, done)) if j % 2 else done + j
                store.decide(f"wf1-{k:024x}", None, f"{k:032x}")
            lookups = probes / (time.perf_counter() - start)
            mb = size_mb(path)
            print(
                f"| {done:7d} | {inserts:9.0f} | {lookups:9.0f} | {mb:7.1f} | {mb * 1e6 / done:11.0f} | "
                f"{rss_mb():6.1f} |"
            )
        store.close()
        base = sqlite3.connect(Path(tmp) / "base.sqlite", isolation_level=None)
        base.execute("PRAGMA journal_mode=WAL")
        base.execute("CREATE TABLE t (id TEXT PRIMARY KEY, hash TEXT)")
        start = time.perf_counter()
        for i in range(args.step):
            base.execute("BEGIN")
            base.execute("INSERT INTO t VALUES (?, ?)", (f"wf1-{i:024x}", f"{i:032x}"))
            base.execute("COMMIT")
        print(
            f"baseline: plain SQLite (id, hash), one insert per transaction: "
            f"{args.step / (time.perf_counter() - start):.0f} inserts/s"
        )
        if args.archive:
            archive(Path(tmp) / "archive.sqlite", args.archive)
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def archive(path: Path, n: int) -> None:
    """Stories past the near-duplicate window, as ``StateStore.archive`` leaves them: size and lookups."""
    from wirefeed.store import _key

    store = StateStore(path)
    batch = 200_000
    print("| archived stories | inserts/s | lookups/s | file MB | bytes/story | RSS MB |")
    print("|------------------|-----------|-----------|---------|-------------|--------|")
    done = 0
    while done < n:
        start = time.perf_counter()
        rows = [(_key(f"wf1-{i:024x}"), _key(f"{i:032x}"), 1, 20000) for i in range(done, done + batch)]
        store.db.execute("BEGIN")
        store.db.executemany("INSERT OR REPLACE INTO archive VALUES (?, ?, ?, ?)", rows)
        store.db.execute("COMMIT")
        inserts = batch / (time.perf_counter() - start)
        done += batch
        if done % (n // 5 or batch) == 0 or done >= n:
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            probes = 5000
            start = time.perf_counter()
            for j in range(probes):
                k = (j * 7919) % done
                store.decide(f"wf1-{k:024x}", None, f"{k:032x}")
            lookups = probes / (time.perf_counter() - start)
            mb = size_mb(path)
            print(
                f"| {done:16d} | {inserts:9.0f} | {lookups:9.0f} | {mb:7.1f} | {mb * 1e6 / done:11.1f} | {rss_mb():6.1f} |"
            )
    store.close()


if __name__ == "__main__":
    main()
