"""One run per store: a second process is refused at once with the holder's pid, or waits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

from wirefeed.errors import LockError
from wirefeed.store import StateStore

HOLD = (
    "import sys; from wirefeed.store import StateStore; s = StateStore(sys.argv[1]); "
    "print('held', flush=True); sys.stdin.read(); s.close()"
)


def _holder(path: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline() == "held\n"
    return proc


@pytest.mark.skipif(os.name != "posix", reason="flock")
def test_second_process_is_refused_with_the_holders_name(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    holder = _holder(path)
    try:
        with pytest.raises(
            LockError, match=rf"in use by another run \(pid {holder.pid} on .+ since \d{{4}}-"
        ):
            StateStore(path)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    StateStore(path).close()  # free again once the holder is gone


@pytest.mark.skipif(os.name != "posix", reason="flock")
def test_wait_blocks_until_the_holder_is_done(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    holder = _holder(path)
    waiter = subprocess.Popen(
        [sys.executable, "-c", f"from wirefeed.store import StateStore; StateStore({str(path)!r}, wait=True)"
         ".close(); print('got it')"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=30)
    out, _ = waiter.communicate(timeout=60)
    assert (waiter.returncode, out) == (0, "got it\n")


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    holder = _holder(path)
    holder.kill()
    holder.wait(timeout=30)
    StateStore(path).close()


def _held_nameless(path: Path) -> IO[str]:
    """Hold ``path``'s lock the way a rival run does in the instant after its flock: file still empty."""
    import fcntl

    fh = open(str(path) + ".lock", "a+", encoding="utf-8")  # noqa: SIM115 - closed by the test
    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a second open file description: a rival holder
    return fh


@pytest.mark.skipif(os.name != "posix", reason="flock")
def test_a_holder_caught_before_writing_its_name_is_still_named(tmp_path: Path) -> None:
    import threading

    from wirefeed import lock

    path = tmp_path / "s.sqlite"
    fh = _held_nameless(path)
    write = threading.Timer(
        0.2, lambda: (fh.write("pid 4242 on box since 2026-12-03T00:00:00Z\n"), fh.flush())
    )
    write.start()
    try:
        with pytest.raises(LockError, match=r"in use by another run \(pid 4242 on box since"):
            lock.acquire(path)
    finally:
        write.join()
        fh.close()


@pytest.mark.skipif(os.name != "posix", reason="flock")
def test_a_holder_caught_while_letting_go_does_not_refuse_the_next_run(tmp_path: Path) -> None:
    import fcntl
    import threading

    from wirefeed import lock

    path = tmp_path / "s.sqlite"
    fh = _held_nameless(path)  # emptied, about to unlock: what release() leaves for an instant
    let_go = threading.Timer(0.2, lambda: fcntl.flock(fh, fcntl.LOCK_UN))
    let_go.start()
    try:
        lock.acquire(path)  # the rival is done: this run goes on instead of being refused
        lock.release(path)
    finally:
        let_go.join()
        fh.close()
