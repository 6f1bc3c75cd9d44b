"""Monitors: is this run as good as it should be? Checked after every crawl, against the run's own figures
and the earlier runs of the same job.

Each monitor is a rule over a run's stats, its :class:`~wirefeed.tally.Tally` and the history (oldest
first); a failing one is a :class:`Failure` naming the monitor, the figure and the limit it crossed:

* ``stories-min`` — fewer distinct stories than ``min_stories``;
* ``stories-drop`` — fewer stories (in all, or from one portal) than ``stories_ratio`` × the median of the
  last runs, once ``history_min`` runs are known;
* ``coverage-<field>`` — the share of records with a title, a resolved published time, a dateline or a
  detected language under its floor;
* ``coverage-<field>-drop`` — that share more than ``coverage_drop`` under its median of the last runs;
* ``failed-fetches`` — more than ``max_failed_share`` of the fetches failed;
* ``quarantined`` — more than ``max_quarantine_share`` of the extracted stories were quarantined;
* ``finish-reason`` — the crawl stopped for another reason than those in ``finish_reasons``.

Thresholds are data (:class:`MonitorConfig`, set from ``WIREFEED_MONITOR_*`` settings). Pure: no clock,
no I/O, except :func:`post_alert`, which sends one webhook POST for a run, and :func:`check_parse`, which
runs the monitors for ``wirefeed parse`` (a crawl runs them in ``wirefeed.pipelines.monitor``) and keeps
the run in the store's history.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import asdict, dataclass, field
from typing import Any

from wirefeed.history import Run, RunHistory
from wirefeed.tally import COVERAGE_FIELDS, Tally

__all__ = [
    "TALLIED",
    "Failure",
    "MonitorConfig",
    "check_parse",
    "evaluate",
    "format_failure",
    "parse_figures",
    "post_alert",
]


@dataclass(frozen=True)
class MonitorConfig:
    min_stories: int = 1
    history_runs: int = 10  # the median is taken over this many earlier runs of the job
    history_min: int = 3  # comparisons with history start once this many runs are known
    stories_ratio: float = 0.5
    # Floors on coverage shares. Many portals print no dateline, so its floor is off by default; a
    # broken dateline rule still shows as a drop against the job's own history.
    coverage_floor: dict[str, float] = field(
        default_factory=lambda: {"title": 0.95, "published": 0.8, "dateline": 0.0, "language": 0.8}
    )
    coverage_drop: float = 0.2
    min_sample: int = 20  # coverage and the quarantine share are judged on at least this many
    max_failed_share: float = 0.25
    max_quarantine_share: float = 0.25
    finish_reasons: tuple[str, ...] = ("finished", "closespider_pagecount", "closespider_itemcount")

    @classmethod
    def from_settings(cls, get: Any) -> MonitorConfig:
        """``get(name)``: a settings lookup returning ``None`` for an unset ``WIREFEED_MONITOR_<NAME>``."""
        base = cls()
        values: dict[str, Any] = {}
        for name, default in asdict(base).items():
            raw = get(f"WIREFEED_MONITOR_{name.upper()}")
            if raw is None:
                continue
            if isinstance(default, dict):
                floor = dict(default)
                floor.update(
                    {k: float(v) for k, v in (json.loads(raw) if isinstance(raw, str) else raw).items()}
                )
                values[name] = floor
            elif isinstance(default, tuple):
                values[name] = tuple(raw.split(",") if isinstance(raw, str) else raw)
            else:
                values[name] = type(default)(raw)
        return cls(**values)


@dataclass(frozen=True)
class Failure:
    monitor: str
    message: str
    value: float
    limit: float
    source: str | None = None  # the portal, when the figure is one portal's

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def evaluate(
    stats: dict[str, Any],
    tally: Tally,
    history: list[Run],
    config: MonitorConfig | None = None,
    *,
    quarantined: int = 0,
) -> list[Failure]:
    """Every monitor that fails for this run; ``history``: earlier runs of the same job, oldest first."""
    cfg = config or MonitorConfig()
    out: list[Failure] = []
    reason = str(stats.get("finish_reason"))
    if reason not in cfg.finish_reasons:
        out.append(Failure("finish-reason", f"the crawl stopped: {reason}", 0, 0))
    if tally.records < cfg.min_stories:
        out.append(
            Failure(
                "stories-min",
                f"{tally.records} stories, fewer than {cfg.min_stories}",
                tally.records,
                cfg.min_stories,
            )
        )
    past = [r for r in history if r.finish_reason in cfg.finish_reasons][-cfg.history_runs :]
    if len(past) >= cfg.history_min:
        out.extend(_story_drops(tally, past, cfg))
        out.extend(_coverage_drops(tally, past, cfg))
    if tally.records >= cfg.min_sample:
        for name in COVERAGE_FIELDS:
            share = tally.coverage(name)
            floor = cfg.coverage_floor.get(name, 0.0)
            if share is not None and share < floor:
                out.append(
                    Failure(
                        f"coverage-{name}",
                        f"{_pct(share)} of {tally.records} records have a {name}, "
                        f"under the floor of {_pct(floor)}",
                        share,
                        floor,
                    )
                )
    failed = {
        k.removeprefix("wirefeed/fetch/failed/"): v
        for k, v in stats.items()
        if k.startswith("wirefeed/fetch/failed/") and isinstance(v, int | float)
    }
    attempts = stats.get("wirefeed/fetch/pages", 0) + sum(failed.values())
    if attempts and sum(failed.values()) / attempts > cfg.max_failed_share:
        share = sum(failed.values()) / attempts
        why = ", ".join(f"{k}={v}" for k, v in sorted(failed.items()))
        out.append(
            Failure(
                "failed-fetches",
                f"{sum(failed.values())} of {attempts} fetches failed ({_pct(share)}, "
                f"limit {_pct(cfg.max_failed_share)}): {why}",
                share,
                cfg.max_failed_share,
            )
        )
    extracted = stats.get("wirefeed/extract/stories", 0)
    # A share of a handful is noise: one cut-off story of a three-story page is no alarm (it is
    # already quarantined with its reason), so a `parse` of one page does not fail its monitor.
    if extracted >= cfg.min_sample and quarantined / extracted > cfg.max_quarantine_share:
        share = quarantined / extracted
        out.append(
            Failure(
                "quarantined",
                f"{quarantined} of {extracted} stories quarantined ({_pct(share)}, "
                f"limit {_pct(cfg.max_quarantine_share)})",
                share,
                cfg.max_quarantine_share,
            )
        )
    return out


def median_of(values: Iterable[float]) -> float:
    """statistics.median, imported on the first run with a history (with random, fractions, decimal)."""
    from statistics import median

    return median(values)


def _story_drops(tally: Tally, past: list[Run], cfg: MonitorConfig) -> list[Failure]:
    out: list[Failure] = []
    median = median_of(r.stories for r in past)
    if tally.records < cfg.stories_ratio * median:
        out.append(
            Failure(
                "stories-drop",
                f"{tally.records} stories, under {_pct(cfg.stories_ratio)} of the median "
                f"{median:g} of the last {len(past)} runs",
                tally.records,
                cfg.stories_ratio * median,
            )
        )
    sources = sorted({s for r in past for s in r.tally.sources})
    for source in sources:
        source_median = median_of(r.tally.sources.get(source, 0) for r in past)
        now = tally.sources.get(source, 0)
        if source_median and now < cfg.stories_ratio * source_median:
            out.append(
                Failure(
                    "stories-drop",
                    f"{source}: {now} stories, under {_pct(cfg.stories_ratio)} of the "
                    f"median {source_median:g} of the last {len(past)} runs",
                    now,
                    cfg.stories_ratio * source_median,
                    source,
                )
            )
    return out


def _coverage_drops(tally: Tally, past: list[Run], cfg: MonitorConfig) -> list[Failure]:
    out: list[Failure] = []
    if tally.records < cfg.min_sample:
        return out
    for name in COVERAGE_FIELDS:
        share = tally.coverage(name)
        shares = [s for r in past if (s := r.tally.coverage(name)) is not None]
        if share is None or len(shares) < cfg.history_min:
            continue
        median = median_of(shares)
        if share < median - cfg.coverage_drop:
            out.append(
                Failure(
                    f"coverage-{name}-drop",
                    f"{_pct(share)} of records have a {name}, the median of the "
                    f"last {len(shares)} runs is {_pct(median)}",
                    share,
                    median - cfg.coverage_drop,
                )
            )
    return out


def format_failure(f: dict[str, Any] | Failure) -> str:
    data = f.to_json() if isinstance(f, Failure) else f
    return f"monitor failed: {data['monitor']}: {data['message']}"


def post_alert(url: str, payload: dict[str, Any], timeout: float = 10.0) -> str | None:
    """POST ``payload`` as JSON to ``url``; ``None`` when it was accepted, else why not."""
    import urllib.error  # only a run that alerts pays for the import
    import urllib.request

    body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return str(getattr(exc, "reason", exc))
    return None if 200 <= status < 300 else f"HTTP {status}"


# The record fields a wirefeed.tally.Tally reads: all a parse dumps of each record for its monitors.
TALLIED = {"id", "source", "title", "published", "dateline", "language", "agencies", "location"}


def parse_figures(stats: dict[str, Any]) -> dict[str, Any]:
    """A parse's stats as the monitors read a crawl's: each page read is a fetch, each page that could
    not be read (``wirefeed/parse/failed/<reason>``) a failed fetch; a parse that ends has finished."""
    figures = dict(stats)
    figures["finish_reason"] = "finished"
    figures["wirefeed/fetch/pages"] = stats.get("wirefeed/extract/pages", 0)
    for key, n in stats.items():
        if key.startswith("wirefeed/parse/failed/"):
            figures["wirefeed/fetch/failed/" + key.removeprefix("wirefeed/parse/failed/")] = n
    return figures


def check_parse(
    job: str,
    stats: MutableMapping[str, Any],
    tally: Tally,
    *,
    quarantined: int,
    state: str | None,
    finished: str,
    started: str | None = None,
    getenv: Callable[[str], str | None] = os.environ.get,
) -> list[Failure]:
    """The monitors of one ``wirefeed parse`` run, against the earlier runs of ``job`` kept in the
    SQLite store at ``state`` (no history in memory or in a shared store); the run is added to that
    history, each failure counted as ``wirefeed/monitor/failed/<monitor>``, and the failures POSTed
    once to ``WIREFEED_ALERT_URL``. Configured, like a crawl, by ``WIREFEED_MONITOR_*`` and
    ``WIREFEED_MONITORS=0`` (off) — environment variables here, as parse takes no settings."""
    if (getenv("WIREFEED_MONITORS") or "1").lower() in ("0", "false", "no", "off"):
        return []
    config = MonitorConfig.from_settings(getenv)
    kept = bool(state) and state != ":memory:" and not str(state).startswith(("postgresql://", "postgres://"))
    history = RunHistory(state) if kept and state else None
    try:
        past = history.recent(job, 4 * config.history_runs) if history else []
        figures = parse_figures(dict(stats))
        failures = evaluate(figures, tally, past, config, quarantined=quarantined)
        for f in failures:
            stats[f"wirefeed/monitor/failed/{f.monitor}"] = (
                stats.get(f"wirefeed/monitor/failed/{f.monitor}", 0) + 1
            )
        run = Run(
            job=job,
            started=started,
            finished=finished,
            finish_reason="finished",
            stats={
                k: v for k, v in figures.items() if isinstance(v, int | float) and not isinstance(v, bool)
            },
            tally=tally,
            failures=[f.to_json() for f in failures],
        )
        if history:
            history.add(run)
    finally:
        if history:
            history.close()
    url = getenv("WIREFEED_ALERT_URL")
    if failures and url:
        error = post_alert(
            url, {"job": job, "finished": finished, "failures": run.failures, "stats": run.stats}
        )
        key = "wirefeed/monitor/alert-failed" if error else "wirefeed/monitor/alert-sent"
        stats[key] = stats.get(key, 0) + 1
    return failures
