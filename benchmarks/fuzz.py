"""Push random and mutated inputs through parse_dateline, resolve_time and extract_stories; print counts.

    python benchmarks/fuzz.py [--n 1000000] [--seed 1]
    python benchmarks/fuzz.py --pages [--n 1000000] [--seed 1] [--jobs 2]   # whole pages, process_page
    python benchmarks/fuzz.py --pages --seed 1 --replay K [--out page.bin]   # input K again, alone

Inputs are mutations of real-looking seeds (datelines, stamps, page snippets: characters inserted,
deleted, replaced, duplicated, spliced) and purely random strings. Anything raised other than the
documented TimeParseError is a bug and is printed with its input; so is any input slower than 50 ms.

``--pages`` runs the whole-page campaign: the project's hand-written fixture pages (HTML and text
renderings) and the demo portals' pages, mutated the way hostile pages are (bytes inserted, deleted and
spliced; chunks repeated thousands of times; deep nesting; comment runs; bidi and zero-width marks;
lying or unknown charsets; re-encoding; truncation; random Content-Types), each read by
:func:`wirefeed.offline.process_page` (decode, extract, dateline, time, language, validate, dedup). A
:class:`~wirefeed.errors.WirefeedError` is documented and counted; anything else is a bug, printed with
its input. Each input is timed: over 1 s is counted and printed, and one that runs 10 s is stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import time
from collections import Counter
from datetime import UTC, datetime

from wirefeed import TimeParseError, extract_stories, parse_dateline, resolve_time

SEEDS = [
    "KYIV (ANP/RTR) - De stroom",
    "By MATT BROWN WASHINGTON (AP) — x",
    "(ANSA) - ROME, JUL 11 - x",
    "13 minuten geleden",
    "gisteren om 14:32",
    "vor 3 Std.",
    "il y a 2 h",
    "Bijgewerkt: 26 nov 2026 14:05",
    "3-10-2016, 17:44",
    "Titel\n\nDEN HAAG (ANP) - Lead.\n\n5 uur geleden\nVolgende",
    "<html><body><h1>T</h1><p>PARIS (AFP) - x</p><time datetime='2026-01-01'>1 uur geleden</time></body></html>",
]
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh0123456789 ()/-–—.,:'’\n<>\"=#&;éÏß"
ANCHOR = datetime(2026, 11, 26, 12, tzinfo=UTC)


def mutate(rng: random.Random, s: str) -> str:
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(5)
        i = rng.randrange(len(s) + 1)
        if op == 0:
            s = s[:i] + rng.choice(ALPHABET) + s[i:]
        elif op == 1 and s:
            s = s[:i] + s[i + 1 :]
        elif op == 2 and s:
            s = s[:i] + rng.choice(ALPHABET) + s[i + 1 :]
        elif op == 3:
            s = s[:i] + s[i : i + rng.randint(1, 20)] * rng.randint(2, 50) + s[i:]
        else:
            s = s[:i] + rng.choice(SEEDS) + s[i:]
    return s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    counts: Counter[str] = Counter()
    start = time.perf_counter()
    for k in range(args.n):
        s = (
            mutate(rng, rng.choice(SEEDS))
            if k % 4
            else "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 80)))
        )
        target = k % 3
        t = time.perf_counter()
        try:
            if target == 0:
                counts["dateline/" + ("found" if parse_dateline(s) else "none")] += 1
            elif target == 1:
                try:
                    counts["time/" + ("resolved" if resolve_time(s, ANCHOR) else "none")] += 1
                except TimeParseError as exc:
                    counts["time/rejected-" + exc.reason] += 1
            elif k % 30 == 2:  # extraction is slower: a tenth of its share
                counts[f"extract/{min(len(extract_stories(s, url='https://x.nl/a')), 3)}+ stories"] += 1
        except Exception as exc:
            counts["BUG/" + type(exc).__name__] += 1
            print("BUG", type(exc).__name__, exc, repr(s)[:200])
        if time.perf_counter() - t > 0.05:
            counts["SLOW"] += 1
            print("SLOW", f"{(time.perf_counter() - t) * 1000:.0f} ms", repr(s)[:200])
    print(f"{args.n} inputs in {time.perf_counter() - start:.0f} s")
    for key, value in sorted(counts.items()):
        print(f"  {key:32} {value}")


def _page_seeds() -> list[tuple[str, bytes]]:
    """The fixture pages and demo portal pages, plus a text rendering of each HTML one."""
    from pathlib import Path

    import lxml.html

    folder = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pages"
    seeds = [
        (f"https://fuzz.example/{p.parent.name}", p.read_bytes()) for p in sorted(folder.glob("*/page.*"))
    ]
    from core import demo_pages  # benchmarks/core.py, beside this script

    seeds += [(url, body if isinstance(body, bytes) else body.encode()) for url, body in demo_pages()]
    texts = []
    for url, body in seeds:
        if b"<" not in body[:200]:
            continue
        try:
            doc = lxml.html.fromstring(body)
        except Exception:
            continue
        lines = [el.text_content().strip() for el in doc.iter("h1", "h2", "p", "time", "li", "span")]
        texts.append((url + "?text", "\n\n".join(line for line in lines if line).encode()))
    return seeds + texts


_MARKS = ["\u200f", "\u200b", "\u202e", "\ufeff", "\u00ad", "\u2066"]
_CHARSETS = ["utf-8", "utf-16", "undefined", "x-nonsense", "iso-8859-1", "windows-1252", "utf-32", "ascii"]
_CTYPES = [None, "text/html", "text/plain", "text/csv", "application/xml", "application/octet-stream"]
_TAGS = ["div", "span", "b", "p", "li", "table", "article", "h1"]


def _small(rng: random.Random, seeds: list[tuple[str, bytes]], text: str) -> str:
    """One small edit: what most hostile or broken pages differ from a good one by."""
    op = rng.randrange(9)
    i = rng.randrange(len(text) + 1)
    if op == 0:  # characters inserted, deleted, replaced
        return text[:i] + "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 8))) + text[i:]
    if op == 1:
        return text[:i] + text[i + rng.randint(1, 200) :]
    if op == 2:
        return text[:i] + rng.choice(ALPHABET) + text[i + 1 :]
    if op == 3:  # a chunk of another page spliced in
        other = _text(rng.choice(seeds)[1])
        j = rng.randrange(len(other) + 1)
        return text[:i] + other[j : j + rng.randint(1, 400)] + text[i:]
    if op == 4:  # a chunk repeated a few times
        return text[:i] + text[i : i + rng.randint(1, 120)] * rng.randint(2, 20) + text[i:]
    if op == 5:  # shallow nesting
        tag, depth = rng.choice(_TAGS), rng.randint(1, 300)
        return text[:i] + f"<{tag}>" * depth + text[i : i + 300] + f"</{tag}>" * depth + text[i + 300 :]
    if op == 6:  # invisible marks
        for _ in range(rng.randint(1, 30)):
            k = rng.randrange(len(text) + 1)
            text = text[:k] + rng.choice(_MARKS) + text[k:]
        return text
    if op == 7:  # a charset declaration, true or not
        return f'<meta charset="{rng.choice(_CHARSETS)}">' + text
    return text[:i]  # truncation


HEAVY = ("repeated-chunk", "deep-nesting", "comment-run", "huge-attribute", "many-lines", "mark-flood")


def _heavy(rng: random.Random, text: str) -> tuple[str, str]:
    """One big hostile edit (the pages written to hurt a crawler), and its name in ``HEAVY``."""
    op = rng.randrange(6)
    i = rng.randrange(len(text) + 1)
    if op == 0:  # a chunk repeated thousands of times: listings of thousands of teasers
        text = text[:i] + text[i : i + rng.randint(1, 120)] * rng.randint(200, 3000) + text[i:]
    elif op == 1:  # deep nesting
        tag, depth = rng.choice(_TAGS), rng.choice([5000, 50_000, 100_000])
        text = text[:i] + f"<{tag}>" * depth + text[i : i + 300] + f"</{tag}>" * depth + text[i + 300 :]
    elif op == 2:  # comment runs, as in the sniffing bomb
        text = "<!---->" * rng.randint(1, 2000) + rng.choice(["", "x", "<html>"]) + text
    elif op == 3:  # a huge attribute
        text = text[:i] + '<a href="/' + "x" * rng.randint(1000, 200_000) + '">' + text[i:]
    elif op == 4:  # many tiny lines
        text = text[:i] + rng.choice(["<br>", "\n", "<p>x</p>"]) * rng.randint(100, 20_000) + text[i:]
    else:
        text = text[:i] + "".join(rng.choice(_MARKS) for _ in range(rng.randint(1000, 50_000))) + text[i:]
    return text, HEAVY[op]


HEAVY_SHARE = 0.01  # one input in a hundred gets a big hostile edit; the rest are small mutations


def mutate_page(
    rng: random.Random, seeds: list[tuple[str, bytes]], body: bytes
) -> tuple[bytes, str | None, str]:
    """One hostile variant of a page, the Content-Type it is served with, and its kind (``small`` or
    the big edit's name)."""
    text = _text(body)
    for _ in range(rng.randint(1, 4)):
        text = _small(rng, seeds, text)
    kind = "small"
    if rng.random() < HEAVY_SHARE:
        text, kind = _heavy(rng, text)
    encoding = rng.choice(["utf-8"] * 6 + ["cp1252", "utf-16", "latin-1"])
    data = text.encode(encoding, "replace")
    ctype = rng.choice(_CTYPES)
    if ctype and rng.random() < 0.3:
        ctype += f"; charset={rng.choice(_CHARSETS)}"
    return data, ctype, kind


_TEXTS: dict[bytes, str] = {}  # each seed decoded once, not once per input (same text, same inputs)


def _text(body: bytes) -> str:
    text = _TEXTS.get(body)
    if text is None:
        text = _TEXTS[body] = body.decode("utf-8", "replace")
    return text


class _Stop(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Stop


STOP_CPU_S = 10.0  # an input still running after this much CPU is stopped and counted
SLOW_S = 1.0  # the bar: no input over this much CPU time
_SEEDS: list[tuple[str, bytes]] = []


def _case(seed: int, k: int) -> tuple[str, bytes, str | None, str]:
    """Input ``k`` of campaign ``seed``: each input has its own generator, so any one can be replayed."""
    rng = random.Random(f"{seed}/{k}")
    url, body = rng.choice(_SEEDS)
    data, ctype, kind = mutate_page(rng, _SEEDS, body)
    return url, data, ctype, kind


Worst = dict[str, tuple[float, int]]  # "cpu" / "wall" -> (seconds, input index) of the slowest input


def _run_chunk(args: tuple[int, int, int]) -> tuple[Counter[str], list[str], Worst]:
    """Inputs ``lo..hi`` of campaign ``seed`` in this worker: counts (``inputs/<kind>``, outcomes, and
    ``cpu-ms/<kind>``: where the CPU went), the lines to print, the slowest input by CPU and by wall."""
    import signal

    from wirefeed.errors import WirefeedError
    from wirefeed.offline import process_page
    from wirefeed.store import StateStore

    seed, lo, hi = args
    counts: Counter[str] = Counter()
    lines: list[str] = []
    worst: Worst = {"cpu": (0.0, lo), "wall": (0.0, lo)}
    # CPU time, not wall time: the machine is shared, and what a page costs is its CPU.
    signal.signal(signal.SIGPROF, _alarm)
    store = StateStore(":memory:")  # a fresh store per chunk: dedup state must not grow with the campaign
    for k in range(lo, hi):
        t = time.process_time()
        url, data, ctype, kind = _case(seed, k)
        counts["cpu-ms/generating inputs"] += (time.process_time() - t) * 1000
        stats: Counter[str] = Counter()
        t, w = time.process_time(), time.perf_counter()
        signal.setitimer(signal.ITIMER_PROF, STOP_CPU_S)
        try:
            result = process_page(
                data, url=url, source_name="fuzz", fetched_at=ANCHOR, anchor=ANCHOR, profile=None,
                store=store, stats=stats, content_type=ctype,
            )  # fmt: skip
            counts[f"pages/{min(len(result.records), 3)}+ records"] += 1
        except _Stop:
            counts["STOPPED"] += 1
            lines.append(f"STOPPED input {k}: {len(data)} bytes {data[:120]!r}")
        except WirefeedError as exc:
            counts["documented/" + type(exc).__name__] += 1
        except Exception as exc:
            counts["BUG/" + type(exc).__name__] += 1
            lines.append(f"BUG input {k}: {type(exc).__name__} {exc} {data[:200]!r}")
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        took, wall = time.process_time() - t, time.perf_counter() - w
        counts[f"inputs/{kind}"] += 1
        counts[f"cpu-ms/{kind}"] += took * 1000
        worst["cpu"] = max(worst["cpu"], (took, k))
        worst["wall"] = max(worst["wall"], (wall, k))
        counts["bytes"] += len(data)
        if took > SLOW_S:
            counts["over-1s"] += 1
            lines.append(f"SLOW input {k}: {took:.2f} s CPU, {len(data)} bytes {data[:120]!r}")
        for key in ("wirefeed/extract/no-stories", "wirefeed/extract/over-budget"):
            counts[key] += stats.get(key, 0)
    store.close()
    return counts, lines, worst


# Stamps only the dateparser fallback reads, one per language it is asked for (no profile: nl en de fr).
WARM_STAMPS = ("1 février 2020 à 10h", "zondag 1 maart om 10 uur", "Sunday the 1st of March", "1. März um 10")


def _init_worker() -> None:
    """Read the seeds and warm up (lazy imports, language tables): an input's time is its own work."""
    from wirefeed.offline import process_page
    from wirefeed.store import StateStore

    _SEEDS[:] = _page_seeds()
    store = StateStore(":memory:")
    for url, body in _SEEDS:
        process_page(
            body, url=url, source_name="warm-up", fetched_at=ANCHOR, anchor=ANCHOR, profile=None, store=store,
            stats=Counter(),
        )  # fmt: skip
    store.close()
    for stamp in WARM_STAMPS:  # the dateparser fallback builds its parser on first use (~0.2 s)
        with contextlib.suppress(TimeParseError):
            resolve_time(stamp, ANCHOR)


class _Interrupted(Exception):
    pass


def _interrupt(signum: int, frame: object) -> None:
    raise _Interrupted


def _merge(worst: Worst, part: Worst) -> None:
    for key, value in part.items():
        worst[key] = max(worst[key], value)


def _inputs(counts: Counter[str]) -> int:
    return sum(v for key, v in counts.items() if key.startswith("inputs/"))


def report(counts: Counter[str], worst: Worst, took: float, header: str) -> None:
    """The final counts, the slowest inputs (replay them with ``--replay K``) and where the CPU went."""
    done = _inputs(counts)
    print(f"{header}: {done} inputs in {took:.0f} s wall, {done / max(took, 1e-9):.0f} inputs/s")
    cpu, k_cpu = worst["cpu"]
    wall, k_wall = worst["wall"]
    print(f"slowest input by CPU: {cpu:.3f} s (input {k_cpu}); by wall: {wall:.3f} s (input {k_wall})")
    print(f"over {SLOW_S:.0f} s CPU: {counts.get('over-1s', 0)}; stopped at {STOP_CPU_S:.0f} s: "
          f"{counts.get('STOPPED', 0)}; undocumented exceptions: "
          f"{sum(v for key, v in counts.items() if key.startswith('BUG/'))}")  # fmt: skip
    for key, value in sorted(counts.items()):
        if not key.startswith(("cpu-ms/", "inputs/")):
            print(f"  {key:32} {value}")
    spent = sum(v for key, v in counts.items() if key.startswith("cpu-ms/")) or 1.0
    print("where the CPU went (ms):     inputs   total ms  ms/input  share")
    for key, value in sorted(counts.items(), key=lambda kv: -kv[1]):
        if key.startswith("cpu-ms/"):
            kind = key.removeprefix("cpu-ms/")
            n = counts.get(f"inputs/{kind}", done)
            print(f"  {kind:24} {n:>10} {value:>10.0f} {value / max(n, 1):>9.3f} {value / spent:>6.1%}")


def fuzz_pages(n: int, seed: int, jobs: int = 2, first: int = 0, chunk: int = 500) -> Counter[str]:
    """Inputs ``first..first+n`` of campaign ``seed`` over ``jobs`` processes; prints progress and counts.
    SIGTERM or Ctrl-C stops it, and it prints the counts reached."""
    import multiprocessing
    import signal

    counts: Counter[str] = Counter()
    worst: Worst = {"cpu": (0.0, first), "wall": (0.0, first)}
    start = time.perf_counter()
    chunks = [(seed, lo, min(lo + chunk, first + n)) for lo in range(first, first + n, chunk)]
    header = f"seed {seed}, inputs {first}..{first + n - 1}"
    with multiprocessing.get_context("fork").Pool(jobs, initializer=_init_worker) as pool:
        # set after the fork: the workers keep the default handlers, and the pool's exit ends them
        previous = {s: signal.signal(s, _interrupt) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            for part, lines, part_worst in pool.imap_unordered(_run_chunk, chunks):
                before = _inputs(counts)
                counts.update(part)
                _merge(worst, part_worst)
                for line in lines:
                    print(line, flush=True)
                done = _inputs(counts)
                if done // 20_000 > before // 20_000 or done == n:
                    bad = {k: v for k, v in counts.items() if k.startswith(("BUG", "STOPPED", "over-1s"))}
                    took = time.perf_counter() - start
                    print(
                        f"... {done} inputs, {took:.0f} s, {done / took:.0f}/s, slowest {worst['cpu'][0]:.2f} s"
                        f" CPU (input {worst['cpu'][1]}), {bad}",
                        flush=True,
                    )
        except _Interrupted:
            header += ", STOPPED by a signal before the end"
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
    report(counts, worst, time.perf_counter() - start, header)
    return counts


def where(seed: int, n: int, first: int) -> None:
    """Inputs ``first..first+n`` in this process under cProfile: where an input's time goes."""
    import cProfile
    import pstats

    _init_worker()
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    counts, _, worst = _run_chunk((seed, first, first + n))
    profile.disable()
    report(
        counts, worst, time.perf_counter() - start, f"seed {seed}, inputs {first}..{first + n - 1}, profiled"
    )
    pstats.Stats(profile).sort_stats("cumulative").print_stats(r"wirefeed|fuzz", 40)


def replay(seed: int, k: int, out: str | None) -> None:
    """Input ``k`` of campaign ``seed`` again, alone, timed; written to ``out`` if given."""
    _init_worker()
    url, data, ctype, kind = _case(seed, k)
    print(f"input {k} ({kind}): {url} {len(data)} bytes, Content-Type {ctype}")
    if out:
        from pathlib import Path

        Path(out).write_bytes(data)
    counts, lines, worst = _run_chunk((seed, k, k + 1))
    print(*lines, sep="\n")
    print(f"{worst['cpu'][0]:.3f} s CPU, {worst['wall'][0]:.3f} s wall", dict(counts))


if __name__ == "__main__":
    import sys

    if "--pages" in sys.argv:
        sys.argv.remove("--pages")
        ap = argparse.ArgumentParser()
        ap.add_argument("--n", type=int, default=1_000_000)
        ap.add_argument("--seed", type=int, default=1)
        ap.add_argument("--jobs", type=int, default=2, help="worker processes")
        ap.add_argument("--first", type=int, default=0, help="first input index (to resume a campaign)")
        ap.add_argument("--replay", type=int, help="run input K of the campaign alone")
        ap.add_argument("--out", help="with --replay: write the input's bytes here")
        ap.add_argument("--where", action="store_true", help="profile --n inputs in one process")
        a = ap.parse_args()
        if a.replay is not None:
            replay(a.seed, a.replay, a.out)
        elif a.where:
            where(a.seed, a.n, a.first)
        else:
            fuzz_pages(a.n, a.seed, a.jobs, a.first)
    else:
        main()
