"""Precompiled forms of bulky data (the language model, the gazetteer), cached on disk for a fast start.

Reading the shipped forms costs 0.3–0.5 s each (an LZMA'd numpy archive, a gzipped TSV turned into a
dict of 200,000 keys), and a one-page ``wirefeed parse`` needs both. The first process that needs one
writes a form that opens in milliseconds (memory-mapped arrays, an indexed read-only SQLite table) to
``WIREFEED_CACHE_DIR`` (default ``$XDG_CACHE_HOME/wirefeed``, else ``~/.cache/wirefeed``). The file name
carries a digest of the source file's path, size and modification time and of the form's version, so an
updated source or a new form is rebuilt, never read stale. Writes go to a temporary file that is then
renamed: concurrent crawls never read half a file. Where the directory cannot be written the form is
built in a temporary directory for this process only (correct, just not fast on the next start).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

__all__ = ["cache_dir", "precompiled"]

_LOCK = threading.Lock()
_FALLBACK: list[Path] = []


def cache_dir() -> Path:
    """Where precompiled forms live (``WIREFEED_CACHE_DIR`` overrides)."""
    if os.environ.get("WIREFEED_CACHE_DIR"):
        return Path(os.environ["WIREFEED_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "wirefeed"


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()


def precompiled(name: str, source: Path, version: str, build: Callable[[Path, Path], None]) -> Path:
    """The path of ``name``'s precompiled form of ``source``, building it with ``build(source, target)``
    when missing. ``version`` names the form: change it when ``build`` writes something different."""
    suffix, stem = Path(name).suffix, Path(name).stem
    st = source.stat()
    # One family per source file (two installs keep their own); one member per state of it.
    family = f"{stem}-{_digest(str(source.resolve()))}"
    target = cache_dir() / f"{family}-{_digest(f'{st.st_size}|{st.st_mtime_ns}|{version}')}{suffix}"
    if target.is_file():
        return target
    with _LOCK:
        if target.is_file():
            return target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{stem}-", suffix=suffix)
            os.close(fd)
        except OSError:
            return _build_private(name, source, build)
        tmp = Path(tmp_name)
        try:
            build(source, tmp)
            tmp.chmod(0o644)  # mkstemp's 0600 would lock out others sharing WIREFEED_CACHE_DIR
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        for old in target.parent.glob(f"{family}-*{suffix}"):  # forms of the source before it changed
            if old != target:
                old.unlink(missing_ok=True)
        return target


def _build_private(name: str, source: Path, build: Callable[[Path, Path], None]) -> Path:
    if not _FALLBACK:
        _FALLBACK.append(Path(tempfile.mkdtemp(prefix="wirefeed-")))
        import shutil  # only here: a start that finds its cache needs no shutil (with bz2, lzma)

        atexit.register(shutil.rmtree, _FALLBACK[0], True)
    target = _FALLBACK[0] / name
    if not target.is_file():
        build(source, target)
    return target
