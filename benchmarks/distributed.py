"""Many workers: pages/s with 1, 2 and 3 workers on one site, and what the shared state costs a story.

    python benchmarks/distributed.py                 # 1,000 articles (+ 51 listings and the front page)
    python benchmarks/distributed.py --articles 3000 --workers 1 2 3

Starts Redis and PostgreSQL on 127.0.0.1 (``tests/servers.py``) and the logged site of the tests
(``tests/wiresite.py``), then crawls it: once with one worker on SQLite and no frontier (the default
mode), then with 1, 2 and 3 workers sharing the frontier and the store (a fresh database and run each).
Pages/s is the site's own measure: pages served / (last request − first request), so process start-up
is left out. From the workers' stats: the time in scrapy-redis's synchronous calls per page
(``wirefeed/shared/frontier-ms``) and in the shared decisions per story (``wirefeed/shared/decide-ms``).

Then the decision itself, beside SQLite: the same stories decided (and confirmed) one after another
by :func:`wirefeed.stages.dedup` on the SQLite store and by ``PgStateStore.adedup`` on PostgreSQL.
On a 2-core machine three workers, PostgreSQL, Redis and the site share two cores: more workers help
only as far as the crawl waits on I/O, not on CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.servers import postgres_server, redis_server
from tests.wiresite import WireSite, profile_file, wire_site


def crawl(site: WireSite, tmp: Path, workers: int, state: str, frontier: str | None, run: str) -> dict:
    site.served.clear()
    site.times.clear()
    cmds = []
    for n in range(workers):
        cmd = [
            sys.executable, "-m", "wirefeed", "crawl", "portal", "-a", "profile=wire",
            "--profile", str(profile_file(site, tmp)), "--state", state.replace("{n}", str(n)),
            "-o", str(tmp / f"{run}-{n}.jsonl"), "-s", "LOG_LEVEL=WARNING", "-s", "AUTOTHROTTLE_ENABLED=False",
        ]  # fmt: skip
        if frontier:
            cmd += ["--frontier", frontier, "--run", run]
        cmds.append(cmd)
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for c in cmds]
    logs = [p.communicate(timeout=3600)[1] for p in procs]
    if any(p.returncode for p in procs):
        raise SystemExit(next(log for p, log in zip(procs, logs, strict=True) if p.returncode)[-3000:])
    times = site.times
    pages = sum(n for path, n in site.served.items() if path != "/robots.txt")

    def stat(name: str) -> int:
        return sum(int(m) for log in logs for m in re.findall(rf"wirefeed/{name}\s+(\d+)", log))

    return {
        "pages": pages,
        "span": max(times) - min(times),
        "stories": stat("dedup/new") + stat("dedup/changed") + stat("dedup/refined"),
        "frontier_ms": stat("shared/frontier-ms"),
        "decide_ms": stat("shared/decide-ms"),
        "per_worker": [len(re.findall(r"wirefeed/fetch/pages\s+(\d+)", log)) and
                       int(re.findall(r"wirefeed/fetch/pages\s+(\d+)", log)[0]) for log in logs],
    }  # fmt: skip


def decisions(dsn: str, tmp: Path, n: int) -> tuple[float, float]:
    """ms per story: SQLite ``dedup`` + confirm, PostgreSQL ``adedup`` + confirm, same stories."""
    from tests.test_store_pg import record
    from wirefeed.stages import dedup
    from wirefeed.store import StateStore
    from wirefeed.store_pg import PgStateStore

    recs = [record(i) for i in range(n)]
    sqlite = StateStore(tmp / "micro.sqlite")
    t = time.perf_counter()
    for rec in recs:
        dedup(rec, sqlite)
        sqlite.confirm(rec.id)
    sqlite.close()
    sqlite_ms = (time.perf_counter() - t) * 1000 / n
    pg = PgStateStore(dsn, run="micro", worker="micro")

    async def all_() -> None:
        for rec in recs:
            await pg.adedup(rec, 1)
            pg.confirm(rec.id)
        await pg.aclose()

    t = time.perf_counter()
    asyncio.run(all_())
    pg.close()
    return sqlite_ms, (time.perf_counter() - t) * 1000 / n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--micro", type=int, default=1000, help="stories in the decision benchmark")
    args = ap.parse_args()
    import psycopg

    with (
        redis_server() as redis_url,
        postgres_server() as pg_url,
        wire_site(args.articles) as site,
        tempfile.TemporaryDirectory() as tmpdir,
    ):
        tmp = Path(tmpdir)

        def database(name: str) -> str:
            with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {name}")
            return pg_url.rsplit("/", 1)[0] + "/" + name

        rows = [("SQLite, no frontier", 1, crawl(site, tmp, 1, str(tmp / "solo-{n}.sqlite"), None, "solo"))]
        for w in args.workers:
            rows.append(
                (f"shared, {w} worker(s)", w, crawl(site, tmp, w, database(f"w{w}"), redis_url, f"w{w}"))
            )
        print(f"site: {args.articles} articles, {site.pages} listings + front page; 2 cores shared by all")
        print(
            f"{'mode':24} {'pages':>6} {'pages/s':>8} {'per worker':>16} {'frontier ms/page':>17} {'decide ms/story':>16}"
        )
        for name, _, r in rows:
            fr = f"{r['frontier_ms'] / r['pages']:.2f}" if r["frontier_ms"] else "-"
            de = f"{r['decide_ms'] / max(r['stories'], 1):.2f}" if r["decide_ms"] else "-"
            print(
                f"{name:24} {r['pages']:>6} {r['pages'] / r['span']:>8.1f} {'/'.join(map(str, r['per_worker'])):>16} {fr:>17} {de:>16}"
            )
        sqlite_ms, pg_ms = decisions(database("micro"), tmp, args.micro)
        print(
            f"decision + confirm, one story after another ({args.micro} stories): SQLite {sqlite_ms:.2f} ms, "
            f"PostgreSQL {pg_ms:.2f} ms ({pg_ms / sqlite_ms:.1f}x)"
        )  # fmt: skip


if __name__ == "__main__":
    main()
