"""Running crawls for the CLI: settings, feeds, state and the run summary; the demo end to end.

``run_crawl`` is what ``wirefeed crawl`` does; ``run_demo`` starts the bundled demo portals on
127.0.0.1, crawls them with the real spider and pipelines, and stops them. It lives with the CLI, in
the core package, so Scrapy is imported inside the functions that start a crawl, never at import time.
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

from wirefeed.errors import UsageError
from wirefeed.monitors import format_failure
from wirefeed.output import RecordWriter

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
            raise UsageError(f"setting {pair!r} is not NAME=VALUE")
        name = name.strip()
        check_setting(name, value, settings)
        settings.set(name, value, priority="cmdline")
    for name in sorted(os.environ):
        if name.startswith("WIREFEED_") and name not in _KNOWN_ENV:
            _warn(
                f"environment variable {name} is not read by wirefeed; settings are passed as -s NAME=VALUE"
            )
    if output:
        # Outputs are appended to, never truncated: lines an earlier (maybe killed) run wrote stay,
        # and the state store keeps a rerun from writing them twice.
        settings.set("WIREFEED_OUTPUT", output, priority="cmdline")
        settings.set("WIREFEED_FORMAT", fmt, priority="cmdline")
        settings.set("WIREFEED_QUARANTINE", output + ".rejected.jsonl", priority="cmdline")
    if state:
        settings.set("WIREFEED_STATE", state, priority="cmdline")
    extra = list(profiles)
    if extra:
        settings.set(
            "WIREFEED_PROFILES", [*settings.getlist("WIREFEED_PROFILES"), *extra], priority="cmdline"
        )
    return settings


# Environment variables wirefeed itself reads (not settings).
_KNOWN_ENV = {"WIREFEED_ALERT_URL", "WIREFEED_CACHE_DIR"}


def _warn(message: str) -> None:
    print(f"wirefeed: warning: {message}", file=sys.stderr)


def _did_you_mean(name: str, settings: Any) -> str:
    import difflib

    close = difflib.get_close_matches(name, [k for k, _ in settings.items()], n=1, cutoff=0.8)
    return f" (did you mean {close[0]}?)" if close else ""


def check_setting(name: str, value: str, settings: Any) -> None:
    """``-s NAME=VALUE``: an unknown name is warned about (a typo is otherwise silently ignored); a value
    that cannot have the type of the setting's default is a usage error, before anything starts."""
    if name not in settings:
        _warn(
            f"-s {name}: not a Scrapy or wirefeed setting{_did_you_mean(name, settings)}; passed on as given"
        )
        return
    default = settings.get(name)
    try:
        if isinstance(default, bool):
            if value.strip().lower() not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(value)
        elif isinstance(default, int):
            int(value)
        elif isinstance(default, float):
            float(value)
    except ValueError:
        kind = {"bool": "True or False", "int": "an integer", "float": "a number"}[type(default).__name__]
        raise UsageError(f"-s {name}={value}: {name} takes {kind} (default {default!r})") from None


def check_crawl(settings: Any, spider: str, spider_args: dict[str, str]) -> None:
    """An unknown spider or profile is a usage error, found before any server or crawl starts."""
    from scrapy.spiderloader import SpiderLoader

    from wirefeed.profiles import get_profile, load_profile

    names = SpiderLoader.from_settings(settings).list()
    if spider not in names:
        raise UsageError(f"no spider {spider!r}; spiders: {', '.join(sorted(names))}")
    extra = {p.name: p for p in (load_profile(f) for f in settings.getlist("WIREFEED_PROFILES"))}
    for name in (spider_args.get("profile") or "").split(","):
        if name.strip():
            get_profile(name.strip(), extra)


EXIT_OK, EXIT_FAILED, EXIT_PARTIAL, EXIT_MONITOR, EXIT_STOPPED = 0, 1, 3, 5, 6  # 4: locked (cli)


# Outcomes that make a finished run partial (exit 3): pages not fetched, pages or items that raised.
_PARTIAL = (
    "wirefeed/fetch/failed/",
    "wirefeed/extract/failed/",
    "wirefeed/pipeline/failed/",
    "wirefeed/ledger/pending-at-close",
    "wirefeed/export/feed-not-stored",
)


def exit_code(stats: dict[str, Any]) -> int:
    """0: finished, every page read. 3: finished, but some pages could not be fetched (see the
    ``wirefeed/fetch/failed/*`` stats), or work was left pending in the ledger. 5: finished, but a monitor failed (``wirefeed/monitor/failed/*``;
    it outranks 3). 1: the crawl did not finish or read nothing (a worker of a shared run that found
    it drained, the others having fetched everything, read nothing and is fine). 6: stopped when asked
    (SIGTERM, Ctrl-C: ``finish_reason`` ``shutdown``): nothing failed and nothing is lost, what was read is
    written, and what was not is pending in the ledger for the next run with the same state."""
    if stats.get("finish_reason") == "shutdown":
        return EXIT_STOPPED
    if stats.get("finish_reason") not in ("finished", "closespider_pagecount", "closespider_itemcount"):
        return EXIT_FAILED
    if not stats.get("wirefeed/fetch/pages") and not stats.get("wirefeed/shared/drained"):
        return EXIT_FAILED
    if any(k.startswith("wirefeed/monitor/failed/") for k in stats):
        return EXIT_MONITOR
    if any(k.startswith(_PARTIAL) for k in stats):
        return EXIT_PARTIAL
    return EXIT_OK


_MESSAGES = ("wirefeed/export/error", "wirefeed/export/notice")  # stats that are sentences, printed as such

# What the summary says about a stat that needs a person's attention (stat → message).
_NOTICES = {
    "wirefeed/export/not-written": (
        "no output given (-o): {n} records were written nowhere; they are not confirmed in the state "
        "store, so the next run with -o emits them"
    ),
    "wirefeed/ledger/pending-at-close": (
        "{n} pages or teasers are still pending in the ledger although the crawl finished (a setting "
        "such as DEPTH_LIMIT, or a middleware, dropped requests); the next run with this state takes them up"
    ),
    "wirefeed/ledger/pending-at-stop": (
        "the crawl was stopped when asked (SIGTERM or Ctrl-C; exit 6): {n} pages or teasers are pending in "
        "the ledger; the next run with this state takes them up"
    ),
}


def print_summary(stats: dict[str, Any], out: Any = sys.stderr) -> None:
    keys = sorted(k for k in stats if k.startswith("wirefeed/") and k not in _MESSAGES)
    emitted = stats.get("wirefeed/export/emitted", 0)
    for key in _MESSAGES:
        if stats.get(key):
            print(f"wirefeed: {stats[key]}", file=out)
    for key, message in _NOTICES.items():
        if stats.get(key):
            print("wirefeed: " + message.format(n=stats[key]), file=out)
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
    wait: bool = False,
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
            raise UsageError(f"spider argument {pair!r} is not NAME=VALUE")
        kwargs[name] = value
    if not s.get("WIREFEED_STATE") and not s.get("JOBDIR"):  # one default store per spider and profile
        from wirefeed.jobs import default_state_name

        s.set(
            "WIREFEED_STATE",
            f".wirefeed/{default_state_name(spider, kwargs.get('profile'))}.sqlite",
            "cmdline",
        )
    check_crawl(s, spider, kwargs)
    if output:
        RecordWriter.preflight(output)
    state_path = state_of(s, spider)
    if not state_path.startswith(("postgresql://", "postgres://")):
        from wirefeed.store import StateStore

        StateStore.preflight(state_path)  # a foreign file: exit 2 before its lock file is made beside it
    hold(state_path, output, wait=wait)
    process = AsyncCrawlerProcess(s)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **kwargs)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print_summary(stats)
    return exit_code(stats)


def state_of(settings: Any, spider: str) -> str:
    """The state store a crawl will use (as :func:`wirefeed.pipelines.stages.state_path` decides)."""
    if settings.get("WIREFEED_STATE"):
        return str(settings.get("WIREFEED_STATE"))
    if settings.get("JOBDIR"):
        return str(Path(settings.get("JOBDIR")) / "wirefeed-state.sqlite")
    return str(Path(".wirefeed") / f"{spider}.sqlite")


def hold(*paths: str | None, wait: bool = False) -> None:
    """Take the run's locks (state store, output) before anything starts: a second run is told who
    holds them at once (exit 4), or waits with ``--wait``. Released when the process exits."""
    from wirefeed.lock import acquire

    for path in paths:
        # a shared PostgreSQL store is meant to be used by several workers at once: no file lock
        if path and path != "-" and not path.startswith(("postgresql://", "postgres://")):
            acquire(path, wait=wait)


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
    *,
    output: str,
    state: str | None = None,
    settings: Iterable[str] = (),
    fmt: str = "jsonl",
    wait: bool = False,
) -> int:
    from wirefeed.demo.server import running_demo

    RecordWriter.preflight(output)
    _settings(["LOG_LEVEL=WARNING", *settings], output, state, (), fmt)  # usage errors before servers
    hold(state, output, wait=wait)

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
            wait=wait,
        )
    print(f"records written to {output} (rejected items, if any: {output}.rejected.jsonl)", file=sys.stderr)
    return code
