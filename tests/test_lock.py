"""One run per store: a second process is refused at once with the holder's pid, or waits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
