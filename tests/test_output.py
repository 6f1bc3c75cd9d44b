"""The output writer: appends, never truncates, cuts only a killed run's partial line, and a failed
write raises with its cause and leaves no partial line behind."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from wirefeed.errors import OutputError
from wirefeed.output import RecordWriter, read_back
from wirefeed.schemas import Article

RECORD = {
    "schema_version": "1", "id": "wf1-0123456789abcdef01234567", "kind": "article",
    "url": "https://example.org/a", "source": {"name": "example", "url": "https://example.org/a", "section": None},
    "title": "Titel", "lead": "Een lead.", "body": "Een lead.\n\nMeer tekst " + "x" * 400, "byline": None,
    "badge": None, "dateline": None, "agencies": [], "location": None, "published": None,
    "language": {"code": "nl", "confidence": 1.0, "source": "text"}, "fetched_at": "2026-11-26T16:28:22Z",
    "content_hash": "7e8efac0ac73b05d59f2e9fc67c09068", "duplicate_of": None, "version": 1,
}  # fmt: skip


def _record(n: int) -> Article:
    return Article.model_validate({**RECORD, "id": f"wf1-{n:024d}", "content_hash": f"{n:032x}"})


def test_appends_and_reads_back_what_is_there(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    w = RecordWriter(out)
    w.write(_record(1))
    w.close()
    first = out.read_bytes()
    w = RecordWriter(out)
    assert [r["id"] for r in w.existing] == [_record(1).id]
    w.write(_record(2))
    w.close()
    assert out.read_bytes().startswith(first) and out.read_bytes().count(b"\n") == 2


def test_only_a_partial_last_line_is_cut(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    line = _record(1).model_dump_json().encode() + b"\n"
    out.write_bytes(line + line[:40])
    assert [r["id"] for r in read_back(out)] == [_record(1).id]
    assert out.read_bytes() == line


def test_a_directory_is_refused_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a directory"):
        RecordWriter.preflight(tmp_path)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_dev_full_is_a_full_disk() -> None:
    w = RecordWriter("/dev/full")
    with pytest.raises(OutputError, match="disk full") as err:
        w.write(_record(1))
    assert err.value.cause == "disk-full"


class _CtrlCAfterPart:
    """The writer's real file, but Ctrl-C comes after the first part of a line is written, between
    two partial writes (the OS wrote only part of it)."""

    def __init__(self, fh: object) -> None:
        self.fh, self.calls = fh, 0

    def write(self, data: memoryview) -> int:
        self.calls += 1
        if self.calls > 1:
            raise KeyboardInterrupt
        return self.fh.write(data[:100])  # type: ignore[attr-defined]

    def fileno(self) -> int:
        return self.fh.fileno()  # type: ignore[attr-defined]


def test_a_line_cut_by_ctrl_c_is_taken_back(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    w = RecordWriter(out)
    w.write(_record(1))
    whole = out.read_bytes()
    w._fh = _CtrlCAfterPart(w._fh)
    with pytest.raises(KeyboardInterrupt):
        w.write(_record(2))
    assert out.read_bytes() == whole, "a part of the interrupted line stayed in the file"


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "24k") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` (root only); skips the test where it cannot be."""
    folder.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                                           capture_output=True).returncode != 0:  # fmt: skip
        pytest.skip("cannot mount a small tmpfs here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_full_disk_leaves_no_partial_line(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        out = disk / "o.jsonl"
        w = RecordWriter(out)
        written = 0
        with pytest.raises(OutputError, match="disk full"):
            for n in range(1000):
                w.write(_record(n))
                written += 1
        w.close()
        data = out.read_bytes()
        assert data.endswith(b"\n") and data.count(b"\n") == written
        assert [r["id"] for r in read_back(out)] == [_record(n).id for n in range(written)]


def test_a_commit_after_a_close_cut_short_by_ctrl_c_syncs_nothing(tmp_path: Path) -> None:
    """A second Ctrl-C may land inside close(), after the file is closed: the store's commit on its
    way out then syncs the writer, which must not raise over the KeyboardInterrupt."""
    w = RecordWriter(tmp_path / "o.jsonl")
    w.write(_record(1))
    w._fh.close()  # where the second Ctrl-C left it
    w.sync()
