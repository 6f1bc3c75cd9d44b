r"""Portal profiles: what wirefeed knows about one portal or agency site, kept apart from parsing.

A profile is a small JSON file (built-ins in ``wirefeed/profiles/``; users pass their own by path):
the portal's name, domains, start URLs and feeds, URL patterns of article, listing and pagination
pages, timezone, language, stamp semantics, default agency, and optional text rules (extra section
headers, boilerplate lines). A malformed file is refused with a :class:`~wirefeed.errors.ProfileError`
naming the field. A user's patterns are checked twice when the file loads: by shape (no nested or
alternating unbounded repeats, no back-references), then by running each on hostile lines of
:data:`PROBE_LENGTH` characters in a child process with a CPU limit, so a pattern that is slow in
practice (``\s*\s*\s*x`` is cubic) is refused before it meets a page, and cannot hang the check.
"""

from __future__ import annotations

import json
import re
import re._parser as _parser  # the stdlib's own pattern parser: the shape of a pattern, to refuse unsafe ones
import sys
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wirefeed.errors import ProfileError
from wirefeed.stamps import SEMANTICS

_MAXREPEAT = _parser.MAXREPEAT
_DEFAULT_PORTS = {"http": 80, "https": 443}  # the only schemes a crawl fetches

__all__ = ["RETIRED", "Profile", "builtin_profiles", "get_profile", "load_profile", "profile_from_data"]

_STR_LISTS = (
    "domains",
    "start_urls",
    "feeds",
    "article_patterns",
    "listing_patterns",
    "pagination_patterns",
    "section_headers",
    "boilerplate",
)


@dataclass(frozen=True)
class Profile:
    """One portal's profile. Patterns are regular expressions searched in the URL's path and query."""

    name: str
    domains: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    article_patterns: tuple[str, ...] = ()
    listing_patterns: tuple[str, ...] = ()
    pagination_patterns: tuple[str, ...] = ()
    section_headers: tuple[str, ...] = ()
    boilerplate: tuple[str, ...] = ()
    timezone: str = "Europe/Amsterdam"
    language: str | None = None
    country: str | None = None  # ISO 3166-1 of the portal: biases ambiguous dateline places
    semantics: str = "floor"
    stamp_position: str = "auto"  # after | before | auto
    display_name: str | None = None
    source: str = "<builtin>"
    _compiled: dict[str, list[re.Pattern[str]]] = field(default_factory=dict, compare=False, repr=False)

    def _patterns(self, key: str) -> list[re.Pattern[str]]:
        if key not in self._compiled:
            self._compiled[key] = [re.compile(p) for p in getattr(self, key)]
        return self._compiled[key]

    @staticmethod
    def _path(url: str) -> str:
        parts = urlsplit(url)
        return parts.path + ("?" + parts.query if parts.query else "")

    def page_kind(self, url: str) -> str | None:
        """``article``, ``listing`` or ``None`` (unknown) for a URL of this portal."""
        path = self._path(url)
        if any(p.search(path) for p in self._patterns("listing_patterns")):
            return "listing"
        if any(p.search(path) for p in self._patterns("pagination_patterns")):
            return "listing"
        if any(p.search(path) for p in self._patterns("article_patterns")):
            return "article"
        return None

    def owns(self, url: str) -> bool:
        """True for an http(s) URL on one of the profile's hosts (or a subdomain) and port: a domain
        given with a port (``127.0.0.1:8080``) owns that port only, one without owns the scheme's
        default port only, so a redirect to another port of the same host leaves the profile."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:  # a port that is not a number, or out of range
            return False
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            return False
        host = (parts.hostname or "").lower()
        for d in self.domains:
            d = d.lower()
            if ":" in d:
                if f"{host}:{port}" == d:
                    return True
            elif (host == d or host.endswith("." + d)) and port in (None, _DEFAULT_PORTS[scheme]):
                return True
        return False

    def is_pagination(self, url: str) -> bool:
        return any(p.search(self._path(url)) for p in self._patterns("pagination_patterns"))


def _risk(tree: Any, in_repeat: bool = False) -> str | None:
    """Why a parsed pattern can take exponential time, or ``None``: a back-reference, or an unbounded
    repeat around a variable repeat or an alternation (``(a+)+``, ``(a?b?)*``, ``(a|ab)*``), the shapes
    that let one text be split in exponentially many ways (a safe few, like ``(ab?)+``, are refused too). Possessive repeats (``a++``) never give back, so they
    are safe inside another repeat."""
    for op, av in tree:
        name = str(op)
        if name in ("GROUPREF", "GROUPREF_EXISTS"):
            return "a back-reference (\\1, (?P=name)) can take exponential time; match without it"
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            lo, hi, body = av
            if in_repeat and lo != hi:  # a fixed count like \d{3} matches one way only
                return (
                    "a repeat inside an unbounded repeat, like (a+)+, can take exponential time; "
                    "make the inner one possessive (a++) or wrap it in an atomic group (?>a+)"
                )
            if why := _risk(body, in_repeat or hi == _MAXREPEAT):
                return why
        elif name == "BRANCH":
            if in_repeat:
                return (
                    "an alternation inside an unbounded repeat, like (a|ab)*, can take exponential time; "
                    "make the repeat possessive ((?:a|ab)*+) or use a character class"
                )
            for branch in av[1]:
                if why := _risk(branch, in_repeat):
                    return why
        elif name == "SUBPATTERN":
            if why := _risk(av[-1], in_repeat):
                return why
        elif name in ("ATOMIC_GROUP", "POSSESSIVE_REPEAT"):
            # the body still backtracks within itself: check it as if it stood alone
            if why := _risk(av if name == "ATOMIC_GROUP" else av[2], False):
                return why
        elif name in ("ASSERT", "ASSERT_NOT") and (why := _risk(av[1], in_repeat)):
            return why
    return None


def _check_pattern(source: str, key: str, pattern: str) -> None:
    """Refuse a profile pattern that does not compile or whose worst case is super-linear: profile
    patterns run on every line of every page, and a page can be written to hit the worst case."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ProfileError(source, key, f"invalid regular expression {pattern!r}: {exc}") from None
    if why := _risk(_parser.parse(pattern)):
        raise ProfileError(source, key, f"unsafe regular expression {pattern!r}: {why}")


# Fields profiles no longer use: still accepted (older profiles keep loading), ignored, and named by
# `wirefeed profiles --check` with the reason.
RETIRED = {
    "default_agency": "records take agencies only from credits printed with the story; remove it",
}


PROBE_LENGTH = 10_000  # a long line a hostile page can print; a URL is far shorter
PROBE_CPU_S = 0.2  # a linear pattern searches it in well under a millisecond
_PROBE_PIECES = ["a", "A", "1", " ", "-", "/", ".", ",", "\t", "é", "a1 ", "ab", "?p=1&", "<a>", "\u200b"]
_PROBE_LIMIT_S = 1  # the whole check's CPU in the child; past it the child is killed (RLIMIT_CPU)
# Run in a child (python -I -S: no site, no project import): each pattern on each probe, timed by CPU;
# "start i" before pattern i, so a child killed mid-pattern names it.
_PROBE_CODE = """
import json, re, resource, sys, time
patterns, pieces, length, limit, total = json.load(sys.stdin)
resource.setrlimit(resource.RLIMIT_CPU, (total, total))
for i, source in enumerate(patterns):
    print("start", i, flush=True)
    pattern = re.compile(source)
    for j, piece in enumerate(pieces):
        body = piece * (length // len(piece))
        for text in (body, body + "!", "/" + body):  # a line, one that ends oddly, a URL path
            t = time.thread_time()
            pattern.search(text)
            took = time.thread_time() - t
            if took > limit:
                print("slow", i, j, round(took, 3), flush=True)
                sys.exit(0)
print("done", flush=True)
"""


def _probe(source: str, fields: list[tuple[str, str]]) -> None:
    """Refuse the first ``(key, pattern)`` that is slow on a hostile probe line (see the module doc)."""
    if fields and (slow := _slow_pattern(tuple(fields))):
        key, pattern, why = slow
        raise ProfileError(
            source,
            key,
            f"slow regular expression {pattern!r}: {why}; avoid repeats that can split the same text "
            "several ways, such as \\s*\\s* or .*x.* (make them possessive, a++, or anchor them)",
        )


@cache  # a profile loaded twice in one process is probed once
def _slow_pattern(fields: tuple[tuple[str, str], ...]) -> tuple[str, str, str] | None:
    import subprocess  # only for a profile with a pattern to probe: a start without one needs none

    data = json.dumps([[p for _, p in fields], _PROBE_PIECES, PROBE_LENGTH, PROBE_CPU_S, _PROBE_LIMIT_S])
    try:
        child = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _PROBE_CODE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
    except OSError:
        return None  # no child process here: the shape check is all there is
    try:
        stdout, _ = child.communicate(data, timeout=120)  # a backstop: the child's CPU limit acts first
    except subprocess.TimeoutExpired:
        child.kill()
        stdout, _ = child.communicate()
    out = stdout.split()
    if out[-1:] == ["done"]:
        return None
    started = [int(out[i + 1]) for i, word in enumerate(out) if word == "start"]
    key, pattern = fields[started[-1]] if started else fields[0]
    why = (
        f"searching a {PROBE_LENGTH:,}-character line of {_PROBE_PIECES[int(out[out.index('slow') + 2])]!r} took "
        f"{out[out.index('slow') + 3]} s (a linear pattern takes under 0.01 s)"
        if "slow" in out
        else f"searching a {PROBE_LENGTH:,}-character hostile line did not end within {_PROBE_LIMIT_S} s of CPU"
    )
    return key, pattern, why


def _check(source: str, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ProfileError(source, "<root>", "a profile is a JSON object")
    known = {f for f in Profile.__dataclass_fields__ if not f.startswith("_")} - {"source"}
    for key in data:
        if key not in known and key not in RETIRED and not key.startswith("_"):
            raise ProfileError(source, key, f"unknown field; known fields: {', '.join(sorted(known))}")
    if not isinstance(data.get("name"), str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,40}", data["name"]):
        raise ProfileError(source, "name", "required: lower-case letters, digits, '-' or '_'")
    out: dict[str, Any] = {k: v for k, v in data.items() if not k.startswith("_") and k not in RETIRED}
    for key in _STR_LISTS:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ProfileError(source, key, "must be a list of strings")
        if key.endswith("_patterns") or key in ("section_headers", "boilerplate"):
            for v in value:
                _check_pattern(source, key, v)
        out[key] = tuple(value)
    try:
        ZoneInfo(str(data.get("timezone", "Europe/Amsterdam")))
    except (ZoneInfoNotFoundError, ValueError):
        raise ProfileError(source, "timezone", "must be an IANA zone such as 'Europe/Amsterdam'") from None
    if data.get("semantics", "floor") not in SEMANTICS:
        raise ProfileError(source, "semantics", f"must be one of {', '.join(SEMANTICS)}")
    if data.get("stamp_position", "auto") not in ("after", "before", "auto"):
        raise ProfileError(source, "stamp_position", "must be 'after', 'before' or 'auto'")
    return out


def load_profile(path: str | Path) -> Profile:
    """Load and check a profile file."""
    p = Path(path)
    try:
        data = json.loads(p.read_text("utf-8"))
    except OSError as exc:
        raise ProfileError(str(p), "<file>", f"cannot read: {exc.strerror}") from None
    except ValueError as exc:
        raise ProfileError(str(p), "<file>", f"not valid JSON: {exc}") from None
    return _user_profile(str(p), data)


def profile_from_data(data: Any, source: str) -> Profile:
    """Check and build a profile from JSON data (e.g. the profiles a crawl kept in its WARC)."""
    return _user_profile(source, data)


def _user_profile(source: str, data: Any) -> Profile:
    """A profile from a user's data: checked, and its patterns run on hostile lines (built-in
    profiles are checked by the test suite instead: no child process when they load)."""
    fields = _check(source, data)
    _probe(source, [(key, v) for key in _PATTERN_FIELDS for v in fields[key]])
    return Profile(**fields, source=source)


_PATTERN_FIELDS = (
    "article_patterns",
    "listing_patterns",
    "pagination_patterns",
    "section_headers",
    "boilerplate",
)


@cache
def builtin_profiles() -> dict[str, Profile]:
    out: dict[str, Profile] = {}
    for entry in sorted(files("wirefeed").joinpath("profiles").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            data = json.loads(entry.read_text("utf-8"))
            out[data["name"]] = Profile(**_check(entry.name, data), source=f"builtin:{entry.name}")
    return out


def get_profile(name_or_path: str, extra: dict[str, Profile] | None = None) -> Profile:
    """A profile by built-in name, by name among ``extra``, or from a file path."""
    if extra and name_or_path in extra:
        return extra[name_or_path]
    if name_or_path in builtin_profiles():
        return builtin_profiles()[name_or_path]
    if name_or_path.endswith(".json") or "/" in name_or_path:
        return load_profile(name_or_path)
    raise ProfileError(name_or_path, "name", f"no such profile; built-in: {', '.join(builtin_profiles())}")


def profile_for_url(url: str, extra: dict[str, Profile] | None = None) -> Profile | None:
    """The first profile (extra ones first) whose domains own ``url``."""
    for prof in [*(extra or {}).values(), *builtin_profiles().values()]:
        if prof.owns(url):
            return prof
    return None
