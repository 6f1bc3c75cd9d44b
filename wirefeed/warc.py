"""WARC files: reading the pages a crawl (or any web archive) kept, and writing what a crawl fetched.

:func:`read_pages` yields every HTTP ``response`` record as a :class:`WarcPage`: its URL, body (transfer
and content encodings undone), content type, when it was served (the HTTP ``Date`` minus ``Age``, else
the ``WARC-Date``) and when it was fetched (``WARC-Date``). Records that are not pages — other record
types, non-200 statuses, ``robots.txt``, XML feeds — are counted under ``wirefeed/warc/skipped/<why>``.
:class:`WarcWriter` appends gzip-compressed response records; a crawl started with
``-s WIREFEED_WARC=path`` writes one per fetched response and a ``warcinfo`` record holding the crawl's
profiles, and tags each response with the profile it was fetched for (``WIREFEED-Profile``), so
``wirefeed parse path`` can replay the run without the profile files.

Uses warcio (``benchmarks/warc.py``: 0.2 ms per 18 KB record, fastwarc 0.05 ms; either is a few percent
of what parsing the page costs, and warcio needs one small package where fastwarc needs four).
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

__all__ = ["WarcPage", "WarcWriter", "is_warc", "read_pages"]

PROFILE_HEADER = "WIREFEED-Profile"
_DROPPED_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass(frozen=True)
class WarcPage:
    url: str
    content: bytes
    content_type: str | None
    served_at: datetime | None  # HTTP Date minus Age, else WARC-Date
    fetched_at: datetime | None  # WARC-Date
    profile: str | None = None  # the profile a wirefeed crawl fetched it for


def is_warc(name: str | Path) -> bool:
    return str(name).lower().endswith((".warc", ".warc.gz"))


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    from email.utils import parsedate_to_datetime  # with socket: only a WARC read needs it

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when.astimezone(UTC) if when is not None and when.tzinfo is not None else None


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(UTC) if when.tzinfo is not None else None


def read_pages(
    source: str | Path | BinaryIO,
    stats: Counter[str],
    profiles: dict[str, dict[str, Any]] | None = None,
    not_pages: list[tuple[str, str, str | None]] | None = None,
) -> Iterator[WarcPage]:
    """The pages in a WARC, in file order. ``profiles``, when given, receives the profile data a
    wirefeed crawl stored in its ``warcinfo`` record (name → profile JSON); ``not_pages`` receives
    each response that is not a 200 as it is passed (URL, status, ``Location``), before the next page
    is yielded: a replay learns of a failed fetch or a redirect in fetch order."""
    from warcio.archiveiterator import ArchiveIterator

    fh: BinaryIO = open(source, "rb") if isinstance(source, str | Path) else source  # noqa: SIM115
    try:
        for record in ArchiveIterator(fh):
            kind = record.rec_type
            if kind == "warcinfo":  # about the file, not a page: not counted
                if profiles is not None:
                    _read_info(record.content_stream().read(), profiles)
                continue
            if kind != "response" or record.http_headers is None:
                stats[f"wirefeed/warc/skipped/{kind}"] += 1
                continue
            stats["wirefeed/warc/responses"] += 1
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            status = record.http_headers.get_statuscode()
            ctype = record.http_headers.get_header("Content-Type")
            if status != "200":
                stats[f"wirefeed/warc/skipped/status-{status}"] += 1
                if not_pages is not None:
                    not_pages.append((url, str(status), record.http_headers.get_header("Location")))
                continue
            if url.endswith("/robots.txt"):
                stats["wirefeed/warc/skipped/robots"] += 1
                continue
            if ctype and "xml" in ctype.lower():
                stats["wirefeed/warc/skipped/feed"] += 1
                continue
            fetched = _warc_date(record.rec_headers.get_header("WARC-Date"))
            served = _http_date(record.http_headers.get_header("Date"))
            age = record.http_headers.get_header("Age")
            if served is not None and age and age.strip().isdigit():
                served -= timedelta(seconds=int(age))
            yield WarcPage(
                url=url,
                content=record.content_stream().read(),
                content_type=ctype,
                served_at=served or fetched,
                fetched_at=fetched,
                profile=record.rec_headers.get_header(PROFILE_HEADER),
            )
    finally:
        if fh is not source:
            fh.close()


def _read_info(payload: bytes, profiles: dict[str, dict[str, Any]]) -> None:
    for line in payload.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "wirefeed-profiles":
            try:
                data = json.loads(value)
            except ValueError:
                continue
            if isinstance(data, dict):
                profiles.update({k: v for k, v in data.items() if isinstance(v, dict)})


class WarcWriter:
    """Appends gzip-compressed WARC records to ``path`` (a killed crawl leaves whole records: each is
    its own gzip member, flushed when written)."""

    def __init__(self, path: str | Path, *, info: dict[str, str] | None = None) -> None:
        from warcio.warcwriter import WARCWriter

        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("ab")
        self._writer = WARCWriter(self._fh, gzip=True)
        self.count = 0
        if info:
            record = self._writer.create_warcinfo_record(self.path.name, info)
            self._writer.write_record(record)
            self._fh.flush()

    def write_response(
        self,
        url: str,
        *,
        status: int,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        fetched_at: datetime,
        profile: str | None = None,
    ) -> None:
        from warcio.statusandheaders import StatusAndHeaders

        # The body is stored as the crawler read it (decoded), so its encodings are not declared.
        kept = [(k, v) for k, v in headers if k.lower() not in _DROPPED_HEADERS]
        kept.append(("Content-Length", str(len(body))))
        http = StatusAndHeaders(f"{status} {_REASONS.get(status, 'Status')}", kept, protocol="HTTP/1.1")
        warc_headers = {"WARC-Date": fetched_at.astimezone(UTC).isoformat().replace("+00:00", "Z")}
        if profile:
            warc_headers[PROFILE_HEADER] = profile
        record = self._writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict=warc_headers
        )
        self._writer.write_record(record)
        self._fh.flush()
        self.count += 1

    def close(self) -> None:
        self._fh.close()


_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
            307: "Temporary Redirect", 308: "Permanent Redirect", 404: "Not Found", 410: "Gone",
            429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}  # fmt: skip
