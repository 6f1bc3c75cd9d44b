"""Real Redis and PostgreSQL servers for tests and benchmarks: on 127.0.0.1, free ports, temp dirs.

``redis_server()`` runs Debian's ``redis-server`` without persistence; ``postgres_server()`` makes a
cluster with ``initdb`` and runs it with ``pg_ctl`` — as the ``postgres`` system user when we are
root (PostgreSQL refuses to run as root), else as ourselves. Both stop their server on exit.
``.ci/run`` installs the Debian packages when they are missing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["free_port", "missing", "postgres_server", "redis_server"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / name).exists():
            return str(d / name)
    return None


def missing() -> str | None:
    """Why the servers cannot be started here, or None."""
    if shutil.which("redis-server") is None:
        return "redis-server is not installed (apt-get install redis-server)"
    if _pg_bin("initdb") is None or _pg_bin("pg_ctl") is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    for module in ("scrapy_redis", "psycopg"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed (pip install -e '.[distributed]')"
    return None


def _wait_port(port: int, proc: subprocess.Popen[bytes] | None = None) -> None:
    for _ in range(3000):
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.01)
    raise RuntimeError(f"nothing listens on port {port}")


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A Redis server; yields its URL ``redis://127.0.0.1:PORT/0``."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="wirefeed-redis-") as tmp:
        proc = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", tmp, "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _wait_port(port, proc)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A PostgreSQL cluster with database ``wirefeed``; yields ``postgresql://wirefeed@127.0.0.1:PORT/wirefeed``."""
    port = free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
    tmp = tempfile.mkdtemp(prefix="wirefeed-pg-")
    data = Path(tmp, "data")
    if as_user:
        shutil.chown(tmp, "postgres")
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    assert initdb and pg_ctl, missing()
    run = {"check": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "cwd": tmp}
    try:
        subprocess.run([*as_user, initdb, "-D", str(data), "-U", "wirefeed", "-A", "trust", "-E", "UTF8",
                        "--no-sync"], **run)  # fmt: skip
        opts = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-o", opts, "-l", str(Path(tmp, "log")), "-w",
                        "start"], **run)  # fmt: skip
        try:
            _wait_port(port)
            import psycopg

            with psycopg.connect(f"postgresql://wirefeed@127.0.0.1:{port}/postgres", autocommit=True) as c:
                c.execute("CREATE DATABASE wirefeed")
            yield f"postgresql://wirefeed@127.0.0.1:{port}/wirefeed"
        finally:
            subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"], **run)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
