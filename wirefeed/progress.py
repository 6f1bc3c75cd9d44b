"""Progress lines: what a long ``parse`` or crawl has done so far, for the person watching it.

:class:`Progress` shows counts (files, pages, stories, records, failures, MB) read from the run's live
stats (``wirefeed/<stage>/<outcome>``) and from what the caller adds, at most one line every
``interval`` seconds: on a terminal it redraws in place (``\\r``); elsewhere (a cron log) it prints
whole lines, or nothing when ``enabled`` is false. The clock is an argument, so tests drive it.
:meth:`Progress.start_ticking` also redraws from a background thread, so one big file that takes
minutes shows its stories and records climbing while it is parsed.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

__all__ = ["Progress"]


@dataclass
class Progress:
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    interval: float = 0.5
    enabled: bool = True
    total_files: int | None = None
    label: str = "parse"
    stats: Mapping[str, Any] | None = None  # the run's stats, read when a line is drawn
    redraw: bool = True  # on a terminal, redraw one line in place (a crawl's log would break it: False)
    clock: Callable[[], float] = time.monotonic
    counts: dict[str, float] = field(default_factory=dict)
    _started: float | None = None
    _last: float | None = None
    _drawn: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _stop: threading.Event | None = None
    _thread: threading.Thread | None = None

    @classmethod
    def for_terminal(cls, stream: TextIO | None = None, **kwargs: object) -> Progress:
        """Enabled only when ``stream`` (standard error) is a terminal."""
        stream = stream or sys.stderr
        return cls(stream=stream, enabled=bool(getattr(stream, "isatty", lambda: False)()), **kwargs)  # type: ignore[arg-type]

    @property
    def tty(self) -> bool:
        return self.redraw and bool(getattr(self.stream, "isatty", lambda: False)())

    def add(self, **counts: float) -> None:
        """Add to the counts (``files=1, stories=12, …``) and draw when ``interval`` has passed."""
        self.start()
        now = self.clock()
        for k, v in counts.items():
            self.counts[k] = self.counts.get(k, 0) + v
        if self.enabled and (self._last is None or now - self._last >= self.interval):
            self.draw(now)

    def figures(self) -> dict[str, float]:
        stats = dict(self.stats or {})  # a C-level copy: safe while the parsing thread adds keys
        out: dict[str, float] = {}
        if "wirefeed/fetch/pages" in stats:
            out["pages"] = stats["wirefeed/fetch/pages"]
        if "wirefeed/extract/stories" in stats:
            out["stories"] = stats["wirefeed/extract/stories"]
        emitted = [stats.get(f"wirefeed/dedup/{k}", 0) for k in ("new", "changed", "refined")]
        if any(emitted):
            out["records"] = sum(emitted)
        failed = sum(v for k, v in stats.items() if k.startswith("wirefeed/fetch/failed/"))
        if failed:
            out["failed"] = failed
        out.update(dict(self.counts))  # a copy: the parsing thread may add a key while the ticker reads
        return out

    def line(self, now: float | None = None) -> str:
        now = self.clock() if now is None else now
        elapsed = max(now - (self._started if self._started is not None else now), 0.0)
        figures = self.figures()
        parts = []
        for key in ("files", "pages", "stories", "records", "failed"):
            if key in figures:
                total = f"/{self.total_files}" if key == "files" and self.total_files else ""
                parts.append(f"{int(figures[key])}{total} {key}")
        if "bytes" in figures:
            parts.append(f"{figures['bytes'] / 1e6:.1f} MB")
        rate_key = "pages" if "pages" in figures else "records"
        if elapsed >= 1 and rate_key in figures:
            parts.append(f"{figures[rate_key] / elapsed:.1f} {rate_key}/s")
        return f"{self.label}: " + (", ".join(parts) or "starting") + f" ({elapsed:.0f} s)"

    def start(self) -> None:
        if self._started is None:
            self._started = self.clock()

    def draw(self, now: float | None = None) -> None:
        with self._lock:
            now = self.clock() if now is None else now
            self._last = now
            text = self.line(now)
            if self.tty:
                self.stream.write("\r\x1b[K" + text)
                self._drawn = True
            else:
                self.stream.write(text + "\n")
            self.stream.flush()

    def start_ticking(self) -> None:
        """Redraw every ``interval`` seconds from a daemon thread until :meth:`close` (when enabled)."""
        if not self.enabled or self._stop is not None:
            return
        self.start()
        stop = self._stop = threading.Event()

        def tick() -> None:
            while not stop.wait(self.interval):
                self.draw()

        self._thread = threading.Thread(target=tick, name="wirefeed-progress", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop ticking and end the redrawn line (the run summary prints on the next)."""
        if self._stop is not None and self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=5)  # its last line comes before ours
            self._stop = self._thread = None
        if self.enabled and self._drawn:
            self.draw()
            self.stream.write("\n")
            self.stream.flush()
