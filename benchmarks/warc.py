"""Reading WARC: warcio (what wirefeed uses) against fastwarc, on the same gzip WARC.

    pip install fastwarc        # only for the comparison row
    python benchmarks/warc.py [--records 3000]

Writes N response records of an 18 KB HTML page with warcio, then reads every response body and its
``Date`` header with each library, twice, and prints the seconds and ms per record.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

BODY = (
    "<html><body>" + "<p>Dit is een alinea met tekst over de haven en de dijk.</p>" * 300 + "</body></html>"
).encode()


def write(path: Path, n: int) -> None:
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for i in range(n):
            headers = StatusAndHeaders(
                "200 OK",
                [("Content-Type", "text/html; charset=utf-8"), ("Date", "Tue, 01 Dec 2026 06:00:00 GMT")],
                protocol="HTTP/1.1",
            )
            record = w.create_warc_record(
                f"http://example.test/a/{i}", "response", payload=io.BytesIO(BODY), http_headers=headers
            )
            w.write_record(record)


def read_warcio(path: Path) -> int:
    n = 0
    with path.open("rb") as fh:
        for r in ArchiveIterator(fh):
            if r.rec_type == "response":
                r.content_stream().read()
                r.http_headers.get_header("Date")
                n += 1
    return n


def read_fastwarc(path: Path) -> int:
    from fastwarc.warc import ArchiveIterator as FastIterator
    from fastwarc.warc import WarcRecordType

    n = 0
    with path.open("rb") as fh:
        for r in FastIterator(fh, record_types=WarcRecordType.response, parse_http=True):
            r.reader.read()
            r.http_headers.get("Date")
            n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=3000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.warc.gz"
        write(path, args.records)
        print(f"{args.records} records, {path.stat().st_size / 1e6:.1f} MB on disk, "
              f"{args.records * len(BODY) / 1e6:.0f} MB of pages")  # fmt: skip
        readers = [("warcio", read_warcio)]
        try:
            import fastwarc  # noqa: F401

            readers.append(("fastwarc", read_fastwarc))
        except ImportError:
            print("fastwarc is not installed: pip install fastwarc for its row")
        for _ in range(2):
            for name, read in readers:
                start = time.perf_counter()
                n = read(path)
                took = time.perf_counter() - start
                print(f"{name:9} {n} records  {took:.2f} s  {1000 * took / n:.2f} ms/record")


if __name__ == "__main__":
    main()
