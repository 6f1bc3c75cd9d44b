"""The ``wirefeed`` command line: crawl, parse, demo, schema, validate, profiles, report.

Exit codes: 0 ok; 1 the run failed or produced nothing it should have; 2 bad usage or input
(a missing file, a malformed profile, an invalid JSONL line in ``validate``); 3 some pages could not
be fetched (crawl, demo) or read (parse); 5 a monitor failed (``wirefeed.monitors``; outranks 3);
6 the crawl was stopped when asked (SIGTERM, Ctrl-C), its unread pages pending for the next run.
Scrapy is imported only by ``crawl`` and ``demo``; ``parse`` runs the pure core.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from wirefeed.errors import LockError, OutputError, WirefeedError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL, EXIT_LOCKED, EXIT_MONITOR = 0, 1, 2, 3, 4, 5


def _iso(value: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {value!r}") from None
    if dt.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give a timezone, e.g. {value}Z or {value}+01:00")
    return dt


def _print_summary(stats: dict[str, Any], out: TextIO = sys.stderr) -> None:
    keys = sorted(k for k in stats if k.startswith("wirefeed/"))
    width = max((len(k) for k in keys), default=10)
    print("run summary:", file=out)
    for k in keys:
        print(f"  {k.ljust(width)}  {stats[k]}", file=out)


def cmd_parse(args: argparse.Namespace) -> int:
    from wirefeed.emitted import confirm_written, missing_lines, missing_notice, reconciled_lines
    from wirefeed.monitors import TALLIED, check_parse, format_failure
    from wirefeed.offline import PageContext, quarantine_entry, read_sidecar, source_name_for
    from wirefeed.output import RecordWriter
    from wirefeed.profiles import get_profile, profile_for_url
    from wirefeed.progress import Progress
    from wirefeed.replay import replay_warc
    from wirefeed.store import StateStore
    from wirefeed.tally import Tally
    from wirefeed.textstream import read_pages
    from wirefeed.warc import is_warc

    missing = [n for n in args.files if n != "-" and not (Path(n).is_file() or Path(n).is_fifo())]
    if missing:  # before anything is opened: a usage error leaves the output as it was
        print(f"wirefeed parse: no such file: {missing[0]}", file=sys.stderr)
        return EXIT_USAGE
    profile_arg = get_profile(args.profile) if args.profile else None
    stats: Counter[str] = Counter()
    progress = Progress.for_terminal(total_files=len(args.files), stats=stats)  # only on a terminal
    progress.start_ticking()  # a big file shows its stories climbing while it is parsed
    fetched_at = datetime.now(UTC)  # the CLI is the top level: the only place that reads the clock
    rejected_path = Path(args.output + ".rejected.jsonl") if args.output else None
    rejected: list[dict[str, Any]] = []
    failed = False
    tally = Tally()  # every valid story, new or duplicate: what the monitors judge
    with contextlib.ExitStack() as stack:
        store = StateStore(args.state or ":memory:", wait=args.wait)
        stack.callback(store.close)
        writer = RecordWriter(args.output or "-", args.format)
        stack.callback(writer.close)
        store.before_commit.append(writer.sync)
        reconciled, dropped = store.open_run(writer.existing, int(fetched_at.timestamp()))
        if reconciled:
            reconciled_lines(store, writer, int(fetched_at.timestamp()))
        lost = missing_lines(store, writer) if args.state else 0
        if lost:  # the output was deleted or replaced since
            stats["wirefeed/export/missing-from-output"] += lost
            print(
                f"wirefeed parse: warning: {missing_notice(writer.path, lost, args.state)}",
                file=sys.stderr,
            )
        stats["wirefeed/dedup/reconciled"] += reconciled
        stats["wirefeed/dedup/rolled-back"] += dropped
        for name in args.files:
            if is_warc(name) and Path(name).is_file():  # a crawl's WARC: every page, in fetch order
                forced = get_profile(args.profile) if args.profile else None
                for result in replay_warc(name, store=store, stats=stats, fetched_at=fetched_at, profile=forced,
                                          source=args.source, reference_time=args.reference_time,
                                          confirm=False):  # fmt: skip
                    for record in result.records:  # records stream out page by page
                        confirm_written(store, writer, record, writer.write(record))
                    rejected.extend(result.rejected)
                    for record in result.valid:
                        tally.add(record.model_dump(mode="json", include=TALLIED))
                    progress.add(pages=1)
                progress.add(files=1)
                continue
            meta: dict[str, Any] = read_sidecar(Path(name)) if name != "-" else {}
            url = (
                args.url
                or meta.get("url")
                or (Path(name).resolve().as_uri() if name != "-" else "file:///stdin")
            )
            try:
                profile = profile_arg or profile_for_url(url)
                anchor = args.reference_time
                if anchor is None and meta.get("served_at"):
                    anchor = _iso(meta["served_at"])
                with open(name, "rb") if name != "-" else contextlib.nullcontext(sys.stdin.buffer) as fh:
                    source = args.source or source_name_for(url, profile)
                    ctx = PageContext(url, source, fetched_at, anchor, profile, store, stats, confirm=False)
                    for result in read_pages(  # a text rendering streams: records come as it is read
                        fh,
                        ctx,
                        content_type=meta.get("content_type"),
                        on_read=lambda n: progress.add(bytes=n),
                    ):
                        if result.no_story:
                            print(f"no story found in {name}: {result.no_story}", file=sys.stderr)
                        for record in result.records:  # OutputError: the record stays pending, the run stops
                            confirm_written(store, writer, record, writer.write(record))
                        rejected.extend(result.rejected)
                        for record in result.valid:
                            tally.add(record.model_dump(mode="json", include=TALLIED))
            except OutputError:
                raise
            except Exception as exc:  # every other failure of one page is an outcome (records before it stay)
                reason = type(exc).__name__
                stats[f"wirefeed/parse/failed/{reason}"] += 1
                rejected.append(quarantine_entry("parse", "failed", f"{reason}: {exc}", None, url))
                failed = True
                continue
            progress.add(files=1)
        progress.close()
    if rejected_path is not None:
        with rejected_path.open("a", encoding="utf-8") as fh:
            for entry in rejected:
                fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
    elif rejected:
        reasons = Counter(f"{r['stage']}/{r['reason']}" for r in rejected)
        print(
            "quarantined (use -o to keep them): " + ", ".join(f"{k}={v}" for k, v in sorted(reasons.items())),
            file=sys.stderr,
        )
    failures = []
    if stats["wirefeed/extract/stories"]:  # (nothing read at all is a failed run, exit 1, as before)
        job = "parse" + (f":{args.source or args.profile}" if args.source or args.profile else "")
        failures = check_parse(job, stats, tally, quarantined=len(rejected), state=args.state,
                               finished=datetime.now(UTC).isoformat(), started=fetched_at.isoformat())  # fmt: skip
    if args.verbose:
        _print_summary({k: v for k, v in stats.items() if v})
    for failure in failures:
        print(format_failure(failure), file=sys.stderr)
    if not stats["wirefeed/extract/stories"]:
        return EXIT_FAILED
    if failures:
        return EXIT_MONITOR
    return EXIT_PARTIAL if failed else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from wirefeed.schemas.article import json_schema_text

    text = json_schema_text()
    if args.check:
        committed = Path(args.check).read_text("utf-8")
        if committed != text:
            print(
                f"{args.check} differs from the model; regenerate with: wirefeed schema > {args.check}",
                file=sys.stderr,
            )
            return EXIT_FAILED
        return EXIT_OK
    sys.stdout.write(text)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from wirefeed.schemas import Article

    bad: list[str] = []
    counts: dict[str, Counter[str]] = {k: Counter() for k in ("agency", "country", "language", "hour")}
    n = 0
    path = Path(args.file)
    if not path.exists():
        print(f"wirefeed validate: no such file: {args.file}", file=sys.stderr)
        return EXIT_USAGE
    if not path.is_file():
        print(
            f"wirefeed validate: {args.file} is not a file (a directory?); give a .jsonl file",
            file=sys.stderr,
        )
        return EXIT_USAGE
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                n += 1
                bad.append(f"line {lineno}: not UTF-8 text (binary data?)")
                continue
            if not line.strip():
                continue
            n += 1
            try:
                rec = Article.model_validate_json(line)
            except ValidationError as exc:
                fields = sorted({".".join(str(p) for p in e["loc"]) or "<line>" for e in exc.errors()})
                bad.append(f"line {lineno}: {', '.join(fields)}")
                continue
            for a in rec.agencies:
                counts["agency"][a.code or a.printed] += 1
            counts["country"][rec.location.country if rec.location else "-"] += 1
            counts["language"][rec.language.code] += 1
            hour = rec.published.at.strftime("%H") if rec.published and rec.published.at else "-"
            counts["hour"][hour] += 1
    if bad:
        print(f"{args.file}: {len(bad)} of {n} lines fail the contract:", file=sys.stderr)
        for b in bad[:50]:
            print("  " + b, file=sys.stderr)
        return EXIT_USAGE
    print(f"{args.file}: {n} records, all valid")
    if args.stats:
        for name, counter in counts.items():
            print(f"by {name}: " + ", ".join(f"{k}={v}" for k, v in sorted(counter.items())))
    return EXIT_OK


def cmd_profiles(args: argparse.Namespace) -> int:
    from wirefeed.profiles import builtin_profiles, load_profile

    if args.check:
        from wirefeed.profilecheck import check_profile

        return check_profile(args.check, args.page)
    if args.page:
        print("wirefeed profiles: a PAGE goes with --check FILE", file=sys.stderr)
        return EXIT_USAGE

    profiles = dict(builtin_profiles())
    for path in args.profile or []:
        p = load_profile(path)
        profiles[p.name] = p
    for p in profiles.values():
        print(
            f"{p.name:12} {', '.join(p.domains):28} tz={p.timezone} lang={p.language or '-'} "
            f"semantics={p.semantics}  ({p.source})"
        )
    return EXIT_OK


def cmd_crawl(args: argparse.Namespace) -> int:
    from wirefeed.jobs import resolve_spider
    from wirefeed.runner import run_crawl

    spider, spider_args = resolve_spider(args.spider, args.profile or [], args.arg or [])
    code: int = run_crawl(
        spider,
        output=args.output,
        settings=args.set or [],
        spider_args=spider_args,
        state=args.state,
        profiles=args.profile or [],
        fmt=args.format,
        wait=args.wait,
        frontier=args.frontier,
        run=args.run,
    )
    return code


def cmd_export(args: argparse.Namespace) -> int:
    from wirefeed.store_pg import export, is_postgres

    if is_postgres(args.state):
        return export(args.state, since=args.since, output=args.output)
    return export_sqlite(args.state, since=args.since, output=args.output, wait=args.wait)


def export_sqlite(state: str, *, since: int = 0, output: str = "-", wait: bool = False) -> int:
    """``wirefeed export --state PATH.sqlite``: append the confirmed records numbered after ``since``,
    in confirmation order, that ``output`` does not hold yet (a deleted or replaced output is made
    whole again; running it twice adds nothing). The cursor to pass next time goes to standard error."""
    from wirefeed.emitted import append_missing
    from wirefeed.store import StateStore

    if not Path(state).is_file():
        print(f"wirefeed export: no such state store: {state}", file=sys.stderr)
        return EXIT_USAGE
    store = StateStore(state, wait=wait)
    try:
        cursor, n = append_missing(output, lambda held: store.emitted.lines(since, skip=held), since)
    finally:
        store.close()
    print(f"exported {n} records; next cursor: {cursor}", file=sys.stderr)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from wirefeed.runner import run_demo

    code: int = run_demo(
        output=args.output, state=args.state, settings=args.set or [], fmt=args.format, wait=args.wait
    )
    return code


def cmd_report(args: argparse.Namespace) -> int:
    from wirefeed.report import write_report

    if not args.state and not args.files:
        print("wirefeed report: give a state store (--state PATH) and/or JSONL files", file=sys.stderr)
        return EXIT_USAGE
    missing = [p for p in [*(args.state or []), *args.files] if not Path(p).is_file()]
    if missing:
        print(f"wirefeed report: no such file: {missing[0]}", file=sys.stderr)
        return EXIT_USAGE
    data = write_report(
        args.output, states=args.state or [], files=args.files, generated=datetime.now(UTC), title=args.title
    )
    print(f"{args.output}: {len(data.runs)} runs, {data.records.records} records", file=sys.stderr)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="wirefeed", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("crawl", help="run a spider with the project settings")
    p.add_argument("spider", help="a spider (portal, feed, a built-in profile) or the name of a --profile")
    p.add_argument("-o", "--output", help="JSON Lines output file (default: stdout summary only)")
    p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="a Scrapy setting")
    p.add_argument("-a", "--arg", action="append", metavar="NAME=VALUE", help="a spider argument")
    p.add_argument("--state", help="state store path (default: under JOBDIR or .wirefeed/)")
    p.add_argument("--profile", action="append", metavar="FILE", help="an extra portal profile file")
    p.add_argument("--wait", action="store_true", help="wait for another run holding --state or -o")
    p.add_argument(
        "--format",
        choices=["jsonl", "ninjs", "ninjs3"],
        default="jsonl",
        help="record format: jsonl, ninjs (2.2), ninjs3 (default jsonl)",
    )
    p.add_argument("--frontier", metavar="redis://HOST:PORT/N", help="shared frontier of many workers")
    p.add_argument("--run", metavar="RUN_ID", help="the crawl the workers share (with --frontier)")
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("export", help="stream the confirmed records of a state store (SQLite or shared)")
    p.add_argument("--state", required=True, metavar="PATH.sqlite | postgresql://USER@HOST:PORT/DB")
    p.add_argument("--since", type=int, default=0, metavar="CURSOR", help="records after this cursor")
    p.add_argument(
        "-o", "--output", default="-", help="file to append to, skipping records it holds (default: stdout)"
    )
    p.add_argument("--wait", action="store_true", help="wait for a run holding --state")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("parse", help="read saved pages (HTML or text renderings) offline")
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="page files or WARC files (.warc, .warc.gz); - reads standard input",
    )
    p.add_argument("--url", help="the URL the page was read from")
    p.add_argument("--source", help="portal name (default: the profile owning --url, else its host)")
    p.add_argument("--reference-time", type=_iso, help="when the page was served (ISO 8601 with offset)")
    p.add_argument("--profile", help="a profile name or file")
    p.add_argument("-o", "--output", help="write JSON Lines here (default: stdout)")
    p.add_argument("--state", help="state store path (default: in memory)")
    p.add_argument("--wait", action="store_true", help="wait for another run holding --state or -o")
    p.add_argument("-v", "--verbose", action="store_true", help="print the run summary")
    p.add_argument(
        "--format",
        choices=["jsonl", "ninjs", "ninjs3"],
        default="jsonl",
        help="record format: jsonl, ninjs (2.2), ninjs3 (default jsonl)",
    )
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("demo", help="crawl the bundled demo portals on 127.0.0.1")
    p.add_argument("-o", "--output", default="demo.jsonl")
    p.add_argument("--state", help="state store path (default: a fresh one per run)")
    p.add_argument("--wait", action="store_true", help="wait for another run holding --state or -o")
    p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE")
    p.add_argument(
        "--format",
        choices=["jsonl", "ninjs", "ninjs3"],
        default="jsonl",
        help="record format: jsonl, ninjs (2.2), ninjs3 (default jsonl)",
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("schema", help="print the record JSON Schema")
    p.add_argument("--check", metavar="FILE", help="exit 1 if FILE differs from the model's schema")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("validate", help="check every line of a JSONL file against the contract")
    p.add_argument("file")
    p.add_argument("--stats", action="store_true", help="print counts by agency, country, language, hour")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("report", help="one self-contained HTML page about the runs and records")
    p.add_argument("files", nargs="*", metavar="FILE", help="JSONL record files")
    p.add_argument("--state", action="append", metavar="PATH", help="a state store (its run history)")
    p.add_argument("-o", "--output", default="report.html", help="the HTML file (default report.html)")
    p.add_argument("--title", default="wirefeed report")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("profiles", help="list portal profiles, or check one (and what it finds on a page)")
    p.add_argument("--profile", action="append", metavar="FILE")
    p.add_argument(
        "--check", metavar="FILE", help="check a profile file; with PAGE, show what it finds there"
    )
    p.add_argument(
        "page", nargs="?", metavar="PAGE", help="a saved page file or an http(s) URL (with --check)"
    )
    p.set_defaults(func=cmd_profiles)
    return ap


def main(argv: list[str] | None = None) -> int:
    # pydantic scans every installed package's entry points for plugins when the first model is built
    # (~15 ms of a one-page parse); the CLI has none. An explicit PYDANTIC_DISABLE_PLUGINS= keeps them.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # The language model imports numpy, whose OpenBLAS starts a thread per core at import (~30 ms wall,
    # ~0.1 s CPU of a one-page parse) for matrix work it never does here; records are the same either way.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except LockError as exc:
        print(f"wirefeed {args.command}: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except OutputError as exc:
        print(f"wirefeed {args.command}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except WirefeedError as exc:
        print(f"wirefeed {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
