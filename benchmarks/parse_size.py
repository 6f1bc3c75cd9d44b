"""``wirefeed parse`` of one big text rendering: time per MB as the file grows, and time to the first record.

    python benchmarks/parse_size.py                      # 2, 8 and 32 MB, then the first record of 50 MB
    python benchmarks/parse_size.py --sizes 0.25 0.5 1   # a quick look at linearity
    python benchmarks/parse_size.py --first 50           # only: seconds to the first record of 50 MB

The file is a listing-like text rendering (blocks separated by blank lines: badge + title, a dateline
lead, a relative stamp) of invented stories with a seeded random vocabulary, so no two are
near-duplicates. Each size runs ``wirefeed parse FILE --reference-time …`` in a subprocess, reading its
standard output as it streams (wirefeed.textstream): seconds to the first record, in all, per MB of
wall time and per MB of the child's CPU time (on a busy machine wall time is mostly waiting for a
core). The baseline in the same run is ``wc -l`` style reading of the same file in Python (what any
tool pays to look at every byte).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLACES = ["UTRECHT", "AMSTERDAM", "DEN HAAG", "ROTTERDAM", "MIDDELBURG", "GOES", "BRUSSEL", "PARIJS"]
SYLLABLES = "ka ro me li van der sto pen ha ven dijk berg wa ter zee land o ver mo ni tu ra".split()


def listing(mb: float, seed: int = 1) -> str:
    rng = random.Random(seed)

    def words(n: int) -> str:
        return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))) for _ in range(n))

    out = ["Laatste nieuws\n\nzondag 29 maart 2026\n\nEconomie\n\n"]
    size, n = 0, 0
    while size < mb * 1_000_000:
        block = (
            f"ANP {words(6).capitalize()}\n\n{PLACES[n % len(PLACES)]} (ANP) - {words(45).capitalize()}.\n\n"
            f"{1 + n % 23} uur geleden\n"
        )
        out.append(block)
        size += len(block.encode("utf-8"))
        n += 1
    return "".join(out)


def run(path: Path, first_only: bool = False) -> tuple[float, float, float, int]:
    """(seconds to the first record, seconds in all, CPU seconds of the child, records); with
    ``first_only`` the child is stopped at its first record."""
    cmd = [
        sys.executable,
        "-m",
        "wirefeed",
        "parse",
        str(path),
        "--reference-time",
        "2026-03-29T10:30:00+02:00",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    first, n = None, 0
    for _ in proc.stdout:
        if first is None:
            first = time.perf_counter() - start
            first_cpu[path] = _cpu_of(proc.pid)
            if first_only:
                proc.kill()
                break
        n += 1
    proc.wait()
    total = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return (first if first is not None else float("nan")), total, cpu, n


first_cpu: dict[Path, float] = {}  # CPU seconds the child had used when its first record came


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def baseline(path: Path) -> float:
    start = time.perf_counter()
    with path.open("rb") as fh:
        sum(1 for _ in fh)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=float, nargs="+", default=[2, 8, 32], help="file sizes in MB")
    ap.add_argument("--first", type=float, default=50, help="then the first record of a file this big (MB)")
    ap.add_argument("--no-first", action="store_true", help="skip the first-record run")
    args = ap.parse_args()
    only_first = "--first" in sys.argv and "--sizes" not in sys.argv
    with tempfile.TemporaryDirectory(prefix="wirefeed-parse-size-") as tmp:
        if not only_first:
            print(
                f"{'MB':>6} {'records':>8} {'first (s)':>10} {'first CPU':>10} {'total (s)':>10} "
                f"{'s per MB':>9} {'CPU s/MB':>9} {'read (s)':>9}"
            )
            for mb in args.sizes:
                path = Path(tmp) / f"p{mb:g}.txt"
                path.write_text(listing(mb), "utf-8")
                first, total, cpu, n = run(path)
                print(
                    f"{mb:>6g} {n:>8} {first:>10.1f} {first_cpu[path]:>10.1f} {total:>10.1f} {total / mb:>9.2f} "
                    f"{cpu / mb:>9.2f} "
                    f"{baseline(path):>9.3f}",
                    flush=True,
                )
                path.unlink()
        if not args.no_first:
            path = Path(tmp) / "big.txt"
            path.write_text(listing(args.first), "utf-8")
            first, _, _, _ = run(path, first_only=True)
            print(f"{args.first:g} MB: first record after {first:.1f} s ({first_cpu[path]:.1f} s of CPU)")


if __name__ == "__main__":
    main()
