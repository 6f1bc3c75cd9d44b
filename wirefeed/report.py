"""``wirefeed report``: one self-contained HTML page about a job's runs and records.

Read from state stores (the run history: every run's figures, and what it emitted) and/or JSONL files of
records. Charts are inline SVG drawn here — no script, no stylesheet or font from the network — so the
file opens anywhere, offline, and mails as one attachment. Each chart is a ``<figure class="chart"
data-chart="<id>">``; :data:`CHARTS` lists them in page order.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path

from wirefeed.history import Run, RunHistory
from wirefeed.tally import COVERAGE_FIELDS, Tally

__all__ = ["CHARTS", "ReportData", "load_report_data", "render_report", "write_report"]

CHARTS = (
    "runs-stories",
    "runs-failures",
    "hours",
    "agencies",
    "places",
    "languages",
    "date-sources",
    "dateline-rate",
)
PALETTE = ("#3b6ea5", "#e8a33d", "#5aa469", "#c8553d", "#8e6bb0", "#4fb0c6", "#b5a33f", "#7f7f7f")
TOP = 15  # bars in a ranked chart


@dataclass
class ReportData:
    runs: list[Run] = field(default_factory=list)
    records: Tally = field(default_factory=Tally)
    sources: list[str] = field(default_factory=list)  # what was read, for the page header


def load_report_data(states: Iterable[str | Path] = (), files: Iterable[str | Path] = ()) -> ReportData:
    """Runs from each state store; records from the JSONL files, else what the runs emitted."""
    data = ReportData()
    for path in states:
        if not Path(path).is_file():
            raise FileNotFoundError(str(path))
        history = RunHistory(path)
        try:
            data.runs.extend(history.all())
        finally:
            history.close()
        data.sources.append(f"state {path}")
    files = list(files)
    for path in files:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    record = json.loads(line)
                    if isinstance(record, dict) and "id" in record:
                        data.records.add(record)
        data.sources.append(f"records {path}")
    if not files:
        for run in data.runs:
            data.records.merge(run.emitted)
    data.runs.sort(key=lambda r: r.finished)
    return data


# --- SVG ------------------------------------------------------------------------------------------
def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px" role="img" aria-label="{escape(label)}">' + "".join(body) + "</svg>"
    )


def _empty(label: str) -> str:
    return _svg(400, 40, [f'<text x="8" y="24" class="empty">no data: {escape(label)}</text>'], label)


def hbars(
    items: Sequence[tuple[str, float]], *, label: str, fmt: str = "{:g}", scale: float | None = None
) -> str:
    """Horizontal bars, one per (name, value), in the given order."""
    if not items:
        return _empty(label)
    top = scale or max(v for _, v in items) or 1
    left, bar_w, row = 190, 360, 20
    body = []
    for i, (name, value) in enumerate(items):
        y = i * row
        w = max(1.0, bar_w * value / top) if value else 0
        shown = fmt.format(value)
        body.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(name[:30])}</text>'
            f'<rect class="bar" x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{PALETTE[0]}">'
            f"<title>{escape(name)}: {shown}</title></rect>"
            f'<text x="{left + w + 4:.1f}" y="{y + 14}">{shown}</text>'
        )
    return _svg(left + bar_w + 60, row * len(items) + 4, body, label)


def stacked_hbars(rows: Sequence[tuple[str, Counter[str]]], keys: Sequence[str], *, label: str) -> str:
    """One horizontal bar per row, split by ``keys`` as shares of the row's total, with a legend."""
    if not rows:
        return _empty(label)
    left, bar_w, row = 190, 360, 20
    body = []
    for i, (name, counts) in enumerate(rows):
        y = i * row
        total = sum(counts.values()) or 1
        x = float(left)
        body.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(name[:30])}</text>')
        for k, key in enumerate(keys):
            n = counts.get(key, 0)
            if not n:
                continue
            w = bar_w * n / total
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
                f'fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(name)}: {escape(key)} {n} '
                f"({100 * n / total:.0f}%)</title></rect>"
            )
            x += w
    height = row * len(rows) + 4
    body.append(_legend(keys, 8, height + 6))
    return _svg(left + bar_w + 20, height + 26, body, label)


def _legend(keys: Sequence[str], x: float, y: float) -> str:
    out = []
    for k, key in enumerate(keys):
        out.append(
            f'<rect x="{x:.0f}" y="{y:.0f}" width="10" height="10" fill="{PALETTE[k % len(PALETTE)]}"/>'
            f'<text x="{x + 14:.0f}" y="{y + 9:.0f}">{escape(key)}</text>'
        )
        x += 24 + 7 * len(key)
    return "".join(out)


def vbars(
    labels: Sequence[str], series: dict[str, Sequence[float]], *, label: str, tips: Sequence[str] = ()
) -> str:
    """Vertical stacked bars: one column per label, one colour per series, with a legend."""
    if not labels or not any(any(v for v in vs) for vs in series.values()):
        return _empty(label)
    height, left, bottom = 180, 40, 40
    col = max(14, min(48, 720 // len(labels)))
    top = max(sum(vs[i] for vs in series.values()) for i in range(len(labels))) or 1
    width = left + col * len(labels) + 10
    body = [
        f'<line x1="{left}" y1="{height}" x2="{width}" y2="{height}" stroke="#999"/>',
        f'<text x="{left - 4}" y="12" text-anchor="end">{top:g}</text>',
        f'<text x="{left - 4}" y="{height}" text-anchor="end">0</text>',
    ]
    for i, name in enumerate(labels):
        x = left + i * col
        y = float(height)
        for k, (key, values) in enumerate(series.items()):
            v = values[i]
            if not v:
                continue
            h = (height - 14) * v / top
            y -= h
            tip = f"{tips[i] if i < len(tips) else name}: {key} {v:g}"
            body.append(
                f'<rect class="bar" x="{x + 2}" y="{y:.1f}" width="{col - 4}" height="{h:.1f}" '
                f'fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(tip)}</title></rect>'
            )
        if len(labels) <= 24 or i % max(1, len(labels) // 12) == 0:
            body.append(
                f'<text x="{x + col / 2:.1f}" y="{height + 14}" text-anchor="middle" class="tick">'
                f"{escape(name)}</text>"
            )
    body.append(_legend(list(series), left, height + 24))
    return _svg(max(width, 420), height + bottom, body, label)


# --- the page -------------------------------------------------------------------------------------
def _run_label(run: Run) -> str:
    return run.finished[5:16].replace("T", " ")  # MM-DD HH:MM (UTC)


def _emitted(run: Run) -> float:
    return sum(run.stats.get(f"wirefeed/dedup/{k}", 0) for k in ("new", "changed", "refined"))


def _charts(data: ReportData) -> dict[str, tuple[str, str, str]]:
    """chart id -> (title, what it shows, svg)."""
    runs, rec = data.runs, data.records
    labels = [f"#{r.id}" + ("!" if r.failures else "") for r in runs]  # "!": a monitor failed
    tips = [f"run {r.id} {r.job} {_run_label(r)}" for r in runs]
    reasons = sorted(
        {
            k.removeprefix("wirefeed/fetch/failed/")
            for r in runs
            for k in r.stats
            if k.startswith("wirefeed/fetch/failed/")
        }
    )
    failures: dict[str, Sequence[float]] = {
        reason: [r.stats.get(f"wirefeed/fetch/failed/{reason}", 0) for r in runs] for reason in reasons
    }
    failures["quarantined"] = [
        sum(v for k, v in r.stats.items() if k in ("wirefeed/extract/truncated", "wirefeed/validate/invalid"))
        for r in runs
    ]
    hours = [f"{h:02d}" for h in range(24)]
    portals = sorted(rec.sources, key=lambda s: -rec.sources[s])
    date_keys = sorted({k for c in rec.date_sources.values() for k in c})
    return {
        "runs-stories": (
            "Stories per run",
            "valid stories each run saw: new records emitted, and duplicates of what was already emitted "
            "(! a monitor failed)"
            + (
                f"; runs #{runs[0].id} ({_run_label(runs[0])}) to #{runs[-1].id} ({_run_label(runs[-1])}) UTC"
                if runs
                else ""
            ),
            vbars(
                labels,
                {
                    "new": [_emitted(r) for r in runs],
                    "duplicate": [r.stats.get("wirefeed/dedup/duplicate", 0) for r in runs],
                },
                label="stories per run",
                tips=tips,
            ),
        ),
        "runs-failures": (
            "Failures per run",
            "fetches that failed, by reason, and stories quarantined (truncated or failing the contract)",
            vbars(labels, failures, label="failures per run", tips=tips)
            if any(any(v) for v in failures.values())
            else _empty("no run had a failure"),
        ),
        "hours": (
            "Stories per hour of publication (UTC)",
            "the hour of each record's published time",
            vbars(hours, {"records": [rec.hours.get(h, 0) for h in hours]}, label="stories per hour"),
        ),
        "agencies": (
            "Agencies",
            f"dateline credits, normalized (top {TOP})",
            hbars(rec.agencies.most_common(TOP), label="agencies"),
        ),
        "places": (
            "Dateline places",
            f"where the stories were filed from (top {TOP})",
            hbars(rec.places.most_common(TOP), label="places"),
        ),
        "languages": (
            "Languages",
            "detected language of each record",
            hbars(rec.languages.most_common(), label="languages"),
        ),
        "date-sources": (
            "Date sources per portal",
            "where each record's published time came from",
            stacked_hbars(
                [(p, rec.date_sources.get(p, Counter())) for p in portals],
                date_keys,
                label="date sources per portal",
            ),
        ),
        "dateline-rate": (
            "Dateline hit-rate per portal",
            "share of the portal's records whose lead opened with a dateline",
            hbars(
                [(p, 100 * (rec.coverage("dateline", p) or 0)) for p in portals],
                label="dateline hit-rate",
                fmt="{:.0f}%",
                scale=100,
            ),
        ),
    }


_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px;margin:0 0 4px} .meta{color:#666;margin:0 0 16px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:16px}
figure.chart{margin:0;padding:12px;border:1px solid #ddd;border-radius:6px;overflow-x:auto}
figcaption{font-weight:600} figcaption span{display:block;font-weight:normal;color:#666;font-size:12px}
svg{font-size:11px;display:block;margin-top:8px} svg .empty{fill:#999} svg .tick{font-size:10px}
table{border-collapse:collapse;margin:16px 0;font-size:13px} td,th{border-bottom:1px solid #eee;padding:3px 8px;text-align:left}
.fail{color:#b00020}
"""


def render_report(data: ReportData, *, generated: datetime, title: str = "wirefeed report") -> str:
    charts = _charts(data)
    figures = "\n".join(
        f'<figure class="chart" data-chart="{cid}" id="chart-{cid}"><figcaption>{escape(t)}'
        f"<span>{escape(what)}</span></figcaption>{svg}</figure>"
        for cid, (t, what, svg) in charts.items()
    )
    rows = []
    for run in reversed(data.runs[-50:]):
        failed = "; ".join(f["message"] for f in run.failures)
        rows.append(
            f"<tr><td>{run.id}</td><td>{escape(run.job)}</td><td>{escape(_run_label(run))}</td>"
            f"<td>{escape(str(run.finish_reason))}</td><td>{run.tally.records}</td><td>{_emitted(run):g}</td>"
            f'<td class="{"fail" if failed else ""}">{escape(failed or "ok")}</td></tr>'
        )
    coverage = ", ".join(
        f"{name} {100 * share:.0f}%"
        for name in COVERAGE_FIELDS
        if (share := data.records.coverage(name)) is not None
    )
    table = (
        "<table><tr><th>run</th><th>job</th><th>finished (UTC)</th><th>finish reason</th><th>stories</th>"
        "<th>emitted</th><th>monitors</th></tr>" + "".join(rows) + "</table>"
        if rows
        else "<p>No runs in the history (records only).</p>"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width"><style>{_CSS}</style></head><body>\n'
        f"<h1>{escape(title)}</h1>"
        f'<p class="meta">{len(data.runs)} runs, {data.records.records} records ({escape(coverage or "-")}); '
        f"generated {generated.isoformat(timespec='seconds')} from {escape(', '.join(data.sources) or '-')}</p>\n"
        f'<div class="grid">\n{figures}\n</div>\n<h2>Runs</h2>\n{table}\n</body></html>\n'
    )


def write_report(
    output: str | Path,
    *,
    states: Iterable[str | Path] = (),
    files: Iterable[str | Path] = (),
    generated: datetime,
    title: str = "wirefeed report",
) -> ReportData:
    """Read, render and write the page; returns what it drew."""
    data = load_report_data(states, files)
    Path(output).write_text(render_report(data, generated=generated, title=title), "utf-8")
    return data
