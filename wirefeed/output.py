"""The JSON Lines output: appended to, never truncated, and a record is confirmed only once written.

:class:`RecordWriter` is the one writer behind ``wirefeed crawl/demo -o`` (the export pipeline) and
``wirefeed parse -o``. Opening it cuts a partial last line a killed run left (the only bytes it ever
removes) and reads back what the complete lines hold, so the state store can be reconciled with them
(:meth:`wirefeed.store.StateStore.open_run`). :meth:`RecordWriter.write` writes one line straight to
the operating system (no buffer) before it returns — a killed process loses no line it confirmed — and
:meth:`RecordWriter.sync` fsyncs the file; the store calls it before each commit, so even after a power
loss the store never says emitted about a line the disk does not hold. A failed write raises
:class:`wirefeed.errors.OutputError` naming the cause (disk full, read-only, a directory); the record
stays pending and the next run emits it.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from wirefeed.errors import OutputError
from wirefeed.lock import acquire, release

__all__ = ["RecordWriter", "read_back", "record_lines", "render"]

# errno → what a person is told (and the stat ``wirefeed/export/failed/<reason>``)
_CAUSES = {
    errno.ENOSPC: "disk-full",
    errno.EDQUOT: "disk-full",
    errno.EFBIG: "file-too-large",
    errno.EROFS: "read-only",
    errno.EACCES: "permission-denied",
    errno.EPERM: "permission-denied",
    errno.EISDIR: "is-a-directory",
    errno.ENOENT: "no-such-directory",
    errno.ENOTDIR: "no-such-directory",
}


def cause(exc: OSError) -> str:
    return _CAUSES.get(exc.errno or 0, "io-error")


def render(record: Any, fmt: str = "jsonl") -> str:
    """One output line (without the newline) for an :class:`~wirefeed.schemas.Article`."""
    from wirefeed.ninjs import encode

    return encode(record, fmt)


class RecordWriter:
    """Appends records to ``path`` (``-``: standard output, nothing to read back or sync)."""

    def __init__(self, path: str | Path, fmt: str = "jsonl") -> None:
        self.path = str(path)
        self.fmt = fmt
        self.lines = 0
        self._size = 0
        self._regular = True
        self._fh: Any = None
        self.existing: list[dict[str, Any]] = []
        if self.path == "-":
            import sys

            self._fh = sys.stdout.buffer
            return
        acquire(self.path)
        try:
            self.existing = read_back(Path(self.path))
            self._fh = open(self.path, "ab", buffering=0)  # noqa: SIM115 - held open for the run
            info = os.fstat(self._fh.fileno())
            self._size = info.st_size
            self._regular = stat.S_ISREG(info.st_mode)
        except OSError as exc:
            release(self.path)
            raise OutputError(self.path, cause(exc), str(exc)) from None

    @staticmethod
    def preflight(path: str | Path) -> None:
        """Raise :class:`OutputError` now if ``path`` cannot be appended to (a directory, no such
        folder, no permission), before a run starts anything."""
        if str(path) == "-":
            return
        try:
            if Path(path).is_dir():
                raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
            with open(path, "ab"):
                pass
        except OSError as exc:
            raise OutputError(str(path), cause(exc), str(exc)) from None

    def write(self, record: Any) -> str:
        """Write one record's line to the file (unbuffered: it is with the OS when this returns) and
        return it (without the newline); raises :class:`OutputError` if it did not get there whole,
        after cutting back any part of it."""
        line = render(record, self.fmt)
        self.write_line(line)
        return line

    def write_line(self, line: str) -> None:
        """Write one rendered line (without its newline), as :meth:`write` does."""
        data = (line + "\n").encode("utf-8")
        try:
            view = memoryview(data)
            while view:
                view = view[self._fh.write(view) :]
            if self.path == "-":
                self._fh.flush()
        except OSError as exc:
            self._cut_back()
            raise OutputError(self.path, cause(exc), str(exc)) from None
        except BaseException:  # Ctrl-C (KeyboardInterrupt) between two partial writes of the line
            self._cut_back()
            raise
        self._size += len(data)
        self.lines += 1

    def _cut_back(self) -> None:
        """Cut the file back to its last whole line, so an interrupted write leaves no part of one."""
        if self.path != "-" and self._regular:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fh.fileno(), self._size)

    def sync(self) -> None:
        """fsync the output (the store calls this before it commits confirmations)."""
        if self._fh is None or self.path == "-" or not self._regular or self._fh.closed:
            return  # closed: a second Ctrl-C cut close() short, and the store commits on its way out
        try:
            os.fsync(self._fh.fileno())
        except OSError as exc:
            raise OutputError(self.path, cause(exc), str(exc)) from None

    def close(self) -> None:
        if self._fh is None or self.path == "-":
            return
        try:
            self.sync()
        finally:
            fh, self._fh = self._fh, None
            fh.close()
            release(self.path)


def read_back(path: Path) -> list[dict[str, Any]]:
    """Cut a partial last line off ``path`` (a killed run) and return what the store needs of every
    complete record in it (JSON Lines or ninjs): ``id, content_hash, version, url, cluster_id, text``."""
    if not path.exists():
        return []
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
    if not path.is_file():  # a device or a pipe: nothing to read back
        return []
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end != len(data):
        with path.open("r+b") as fh:
            fh.truncate(end)
        data = data[:end]
    return [summary for _, summary in _records(data.splitlines())]


def record_lines(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every complete record line of ``path`` (after :func:`read_back` cut a partial one) with what
    :func:`read_back` returns for it, one at a time."""
    with path.open("rb") as fh:
        for line, summary in _records(raw.rstrip(b"\n") for raw in fh if raw.endswith(b"\n")):
            yield line.decode("utf-8"), summary


def _records(lines: Iterable[bytes]) -> Iterator[tuple[bytes, dict[str, Any]]]:
    for line in lines:
        try:
            rec = json.loads(line)
            if "wirefeed" in rec:  # a ninjs line
                ext = rec["wirefeed"]
                text = "\n".join(d["value"] for d in rec.get("descriptions", []) + rec.get("bodies", []))
                yield (
                    line,
                    {
                        "id": (rec.get("altids") or rec["altIds"])[0]["value"],  # ninjs 2.2 or 3
                        "content_hash": ext["content_hash"],
                        "version": int(rec["version"]),
                        "url": rec["uri"],
                        "cluster_id": ext.get("cluster_id"),
                        "text": text,
                    },
                )
            else:
                text = "\n".join(p for p in (rec.get("lead"), rec.get("body")) if p)
                yield (
                    line,
                    {
                        "id": rec["id"],
                        "content_hash": rec["content_hash"],
                        "version": int(rec.get("version", 1)),
                        "url": rec.get("url"),
                        "cluster_id": rec.get("cluster_id"),
                        "text": text,
                    },
                )
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            continue
