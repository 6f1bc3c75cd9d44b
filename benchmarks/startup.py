"""Start-up cost: `import wirefeed` and a one-page `wirefeed parse`, beside `python -c pass` in the same run.

    python benchmarks/startup.py                 # 9 rounds, alternating, medians
    python benchmarks/startup.py --rounds 21
    python benchmarks/startup.py --instructions  # + instructions of each command (valgrind), once each

Each command runs in a fresh process; the rounds alternate so a busy machine slows all of them alike.
Rows: the interpreter alone (`python -c pass`); the libraries a parse cannot do without (numpy, pydantic,
lxml: the floor for `parse`); `import wirefeed`; `wirefeed parse` of one small page (the fixture
``article-semantic``) with the precompiled language model and gazetteer in place; and the same with an
empty cache directory, i.e. the first run on a machine, which builds them (see
``wirefeed/precompiled.py``). Bytecode is cached as after ``pip install`` (``PYTHONDONTWRITEBYTECODE`` is
dropped for the runs). On a shared machine wall and even CPU time vary by ±30 % from run to run;
``--instructions`` also counts the instructions each command executes (valgrind's callgrind, ~100× slower),
which the load does not change, to compare two versions of the code.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "tests" / "fixtures" / "pages" / "article-semantic" / "page.html"
PARSE = ["-m", "wirefeed", "parse", str(PAGE)]
_FLOOR = "import numpy, lxml.html; from pydantic import BaseModel"


def wall(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def instructions(args: list[str], env: dict[str, str]) -> int | None:
    """Instructions one run executes (valgrind's callgrind), or None without valgrind."""
    if not shutil.which("valgrind"):
        return None
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, *args]
    done = subprocess.run(
        cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    return int(found.group(1).replace(",", "")) if found else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--instructions", action="store_true", help="also count instructions (valgrind)")
    args = ap.parse_args()
    env = dict(os.environ)
    # As installed: bytecode cached (pip writes it; a development shell may switch it off, and then
    # every start compiles wirefeed's sources again, ~0.1 s).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as warm, tempfile.TemporaryDirectory() as cold_root:
        env["WIREFEED_CACHE_DIR"] = warm
        wall(PARSE, env)  # builds the precompiled forms once
        rows: dict[str, list[tuple[float, float]]] = {}
        cases = [
            ("python -c pass", ["-c", "pass"], None),
            ("libraries only: numpy, pydantic.BaseModel, lxml.html", ["-c", _FLOOR], None),
            ("import wirefeed", ["-c", "import wirefeed"], None),
            ("wirefeed parse, one page", PARSE, None),
            ("wirefeed parse, first run (empty cache)", PARSE, "cold"),
        ]
        for r in range(args.rounds):
            for label, cmd, cache in cases:
                run_env = env
                if cache == "cold":
                    run_env = dict(env, WIREFEED_CACHE_DIR=os.path.join(cold_root, str(r)))
                rows.setdefault(label, []).append(wall(cmd, run_env))
        counts: dict[str, int | None] = {}
        if args.instructions:
            for label, cmd, cache in cases:
                if cache is None:  # a first run's build is not what start-up changes are about
                    counts[label] = instructions(cmd, env)
    targets = {"import wirefeed": 0.15, "wirefeed parse, one page": 0.4}
    extra = " instructions |" if counts else ""
    print(
        f"| command ({args.rounds} rounds, alternating) | wall, median | wall, min–max | CPU, median |{extra} "
        "target |"
    )
    print("|---|---|---|---|" + ("---|" if counts else "") + "---|")
    for label, runs in rows.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        target = f"< {targets[label]} s wall" if label in targets else ""
        count = counts.get(label)
        cell = (f" {count / 1e6:,.0f} M |" if count else " |") if counts else ""
        print(
            f"| {label} | {statistics.median(walls):.3f} s | {min(walls):.3f}–{max(walls):.3f} s "
            f"| {statistics.median(cpus):.3f} s |{cell} {target} |"
        )


if __name__ == "__main__":
    main()
