"""Running crawls from the CLI: settings, feeds, state and the run summary; the demo end to end.

``run_crawl`` is what ``wirefeed crawl`` does; ``run_demo`` starts the bundled demo portals on
127.0.0.1, crawls them with the real spider and pipelines, and stops them.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path
from typing import Any

from wirefeed.monitors import format_failure

__all__ = ["exit_code", "run_crawl", "run_demo", "write_demo_profiles"]


def _settings(
    pairs: Iterable[str], output: str | None, state: str | None, profiles: Iterable[str], fmt: str = "jsonl"
) -> Any:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "wirefeed.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"wirefeed: setting {pair!r} is not NAME=VALUE")
        settings.set(name.strip(), value, priority="cmdline")
    if output:
        # Outputs are appended to, never truncated: lines an earlier (maybe killed) run wrote stay,
        # and the state store keeps a rerun from writing them twice.
        settings.set(
            "FEEDS",
            {output: {"format": f"wirefeed-{fmt}", "encoding": "utf-8", "overwrite": False}},
            priority="cmdline",
        )
        settings.set("WIREFEED_QUARANTINE", output + ".rejected.jsonl", priority="cmdline")
    if state:
        settings.set("WIREFEED_STATE", state, priority="cmdline")
    extra = list(profiles)
    if extra:
        settings.set(
            "WIREFEED_PROFILES", [*settings.getlist("WIREFEED_PROFILES"), *extra], priority="cmdline"
        )
    return settings


EXIT_OK, EXIT_FAILED, EXIT_PARTIAL, EXIT_MONITOR = 0, 1, 3, 5  # 4: the state store is locked (cli)


def exit_code(stats: dict[str, Any]) -> int:
    """0: finished, every page read. 3: finished, but some pages could not be fetched (see the
    ``wirefeed/fetch/failed/*`` stats). 5: finished, but a monitor failed (``wirefeed/monitor/failed/*``;
    it outranks 3). 1: the crawl did not finish or read nothing."""
    if stats.get("finish_reason") not in ("finished", "closespider_pagecount", "closespider_itemcount"):
        return EXIT_FAILED
    if not stats.get("wirefeed/fetch/pages"):
        return EXIT_FAILED
    if any(k.startswith("wirefeed/monitor/failed/") for k in stats):
        return EXIT_MONITOR
    if any(k.startswith("wirefeed/fetch/failed/") for k in stats):
        return EXIT_PARTIAL
    return EXIT_OK


def print_summary(stats: dict[str, Any], out: Any = sys.stderr) -> None:
    keys = sorted(k for k in stats if k.startswith("wirefeed/"))
    emitted = stats.get("wirefeed/dedup/new", 0) + stats.get("wirefeed/dedup/changed", 0)
    width = max((len(k) for k in keys), default=10)
    print(f"run summary: finish_reason={stats.get('finish_reason')} records emitted={emitted}", file=out)
    for k in keys:
        print(f"  {k.ljust(width)}  {stats[k]}", file=out)
    for failure in stats.get("monitor/failures", []):
        print(format_failure(failure), file=out)


def run_crawl(
    spider: str,
    *,
    output: str | None,
    settings: Iterable[str] = (),
    spider_args: Iterable[str] = (),
    state: str | None = None,
    profiles: Iterable[str] = (),
    fmt: str = "jsonl",
    frontier: str | None = None,
    run: str | None = None,
) -> int:
    from scrapy.crawler import AsyncCrawlerProcess

    s = _settings(settings, output, state, profiles, fmt)
    if frontier or run or (state or "").startswith(("postgresql://", "postgres://")):
        from wirefeed.spiders.distributed import configure  # many workers (pip install wirefeed[distributed])

        configure(s, state=state, frontier=frontier, run=run, output=output)
    kwargs = {}
    for pair in spider_args:
        name, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"wirefeed: spider argument {pair!r} is not NAME=VALUE")
        kwargs[name] = value
    if not s.get("WIREFEED_STATE") and not s.get("JOBDIR"):  # one default store per spider and profile
        from wirefeed.jobs import default_state_name

        s.set(
            "WIREFEED_STATE",
            f".wirefeed/{default_state_name(spider, kwargs.get('profile'))}.sqlite",
            "cmdline",
        )
    process = AsyncCrawlerProcess(s)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **kwargs)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print_summary(stats)
    return exit_code(stats)


def write_demo_profiles(bases: dict[str, str], folder: Path) -> list[str]:
    """Profile files for the running demo portals (their domains are the servers' host:port)."""
    data = json.loads(files("wirefeed.demo").joinpath("profiles.json").read_text("utf-8"))
    paths = []
    for portal, base in bases.items():
        text = json.dumps(data[portal]).replace("{base}", base).replace("{hostport}", base.split("://", 1)[1])
        path = folder / f"demo-{portal}.json"
        path.write_text(text, "utf-8")
        paths.append(str(path))
    return paths


def run_demo(
    *, output: str, state: str | None = None, settings: Iterable[str] = (), fmt: str = "jsonl"
) -> int:
    from wirefeed.demo.server import running_demo

    with running_demo() as servers, tempfile.TemporaryDirectory(prefix="wirefeed-demo-") as tmp:
        bases = {name: srv.base_url for name, srv in servers.items()}
        print("demo portals: " + ", ".join(f"{k} {v}" for k, v in bases.items()), file=sys.stderr)
        paths = write_demo_profiles(bases, Path(tmp))
        names = ",".join(Path(p).stem for p in paths)
        pairs = ["LOG_LEVEL=WARNING", *settings]
        code = run_crawl(
            "portal",
            output=output,
            settings=pairs,
            spider_args=[f"profile={names}"],
            state=state or str(Path(tmp) / "state.sqlite"),
            fmt=fmt,
            profiles=paths,
        )
    print(f"records written to {output} (rejected items, if any: {output}.rejected.jsonl)", file=sys.stderr)
    return code
