"""Run every benchmark, one after the other, and print their tables.

    python benchmarks/all.py            # quick sizes: a few minutes
    python benchmarks/all.py --full     # bigger sizes (2,000-article crawls of tiny and generated
                                        # real-size pages, a 20,000-page memory run, 1M live and 10M
                                        # archived stories): about 30 minutes

Each script compares wirefeed with a baseline measured in the same run; see its docstring.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true")
    args = ap.parse_args()
    runs = [
        ("core.py", ["--quick"] if not args.full else []),
        ("stages.py", []),
        ("language.py", []),
        ("neardup.py", []),
        ("startup.py", [] if args.full else ["--rounds", "5"]),
        ("crawl.py", ["--articles", "2000"] if args.full else ["--articles", "500", "--rounds", "1"]),
        (
            "crawl.py",
            ["--site", "generated", "--articles", "2000", "--memory", "20000", "--sample", "2000"]
            if args.full
            else ["--site", "generated", "--articles", "300", "--rounds", "1"],
        ),
        (
            "store.py",
            ["--n", "1000000", "--step", "250000", "--archive", "10000000"]
            if args.full
            else ["--n", "50000", "--step", "25000", "--archive", "1000000"],
        ),
    ]
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    for script, extra in runs:
        print(f"\n## {script} {' '.join(extra)}", flush=True)
        subprocess.run([sys.executable, str(HERE / script), *extra], check=False)


if __name__ == "__main__":
    main()
