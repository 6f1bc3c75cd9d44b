"""One run per state store (and per output file) at a time: an OS-level lock beside the file.

:func:`acquire` takes an exclusive ``flock`` on ``<path>.lock`` and writes who holds it (pid, host,
start time) into that file; the lock dies with the process, however it ends, so a killed run never
leaves a stale lock. A second run gets :class:`wirefeed.errors.LockError` naming the holder at once,
or, with ``wait=True``, blocks until the holder is done. Locks are counted per process, so the CLI can
take the lock before any server starts and the state store take it again without deadlocking.
"""

from __future__ import annotations

import fcntl
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from wirefeed.errors import LockError

__all__ = ["acquire", "release"]

_NAME_WAIT = 2.0  # seconds a refused run waits for a holder caught between flock and its write
_held: dict[str, tuple[IO[str], int]] = {}  # lock path -> (open file, holders in this process)


def _lock_path(path: str | Path) -> str:
    return os.path.abspath(str(path)) + ".lock"


def acquire(path: str | Path, *, wait: bool = False) -> None:
    """Hold the lock of ``path`` (a state store or output file) for this process."""
    if os.path.exists(path) and not os.path.isfile(path):
        return  # a device such as /dev/stdout or /dev/full: nothing to guard, no lock file beside it
    lock = _lock_path(path)
    if lock in _held:
        fh, n = _held[lock]
        _held[lock] = (fh, n + 1)
        return
    Path(lock).parent.mkdir(parents=True, exist_ok=True)
    fh = open(lock, "a+", encoding="utf-8")  # noqa: SIM115 - held for the run
    if wait:
        fcntl.flock(fh, fcntl.LOCK_EX)
    else:
        _take_or_name_holder(fh, str(path))
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()} on {os.uname().nodename} since {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}\n")
    fh.flush()
    _held[lock] = (fh, 1)


def _take_or_name_holder(fh: IO[str], path: str) -> None:
    """Take the lock at once or raise :class:`LockError` with the holder's name.

    The holder writes its name just after its ``flock`` and empties the file just before it unlocks,
    so an empty file means one of those two instants: look again for a moment rather than report a
    nameless holder (or refuse a run whose rival is already done).
    """
    deadline = time.monotonic() + _NAME_WAIT
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip()
            if holder or time.monotonic() >= deadline:
                fh.close()
                raise LockError(path, holder or "a process that has not written its name yet") from None
            time.sleep(0.01)


def release(path: str | Path) -> None:
    lock = _lock_path(path)
    if lock not in _held:
        return
    fh, n = _held[lock]
    if n > 1:
        _held[lock] = (fh, n - 1)
        return
    del _held[lock]
    fh.seek(0)
    fh.truncate()
    fcntl.flock(fh, fcntl.LOCK_UN)
    fh.close()
