"""Time stamps as printed on portals, resolved to UTC intervals with honest bounds.

``5 uur geleden`` seen at 15:00 does not name an instant: under the ``floor`` semantics most portals
use it means an age in [5 h, 6 h), so the story was published in (09:00, 10:00] UTC if 15:00 was
UTC. :func:`resolve_time` returns that interval (``earliest``, ``latest``), its midpoint ``at`` and
its ``precision``. The reference time (``anchor``) is always an argument: nothing here reads the clock.

Seconds, minutes and hours are subtracted in UTC; days, weeks, months and years on the portal's wall
clock (a day across a DST change lasts 23 or 25 hours) and, where generators disagree on what a month
or a day is, the interval is the union of the readings. Word tables are data at the top of the module.
dateparser is the fallback for absolute dates the fast path does not know; its naive result is
re-localized here, because it applies the anchor's UTC offset across clock changes.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from wirefeed.errors import TimeParseError
from wirefeed.invisible import visible, visible_positions

__all__ = ["SEMANTICS", "ResolvedTime", "refine", "resolve_time"]

SEMANTICS = ("floor", "round", "unknown")
#: A stamp may lie this far in the future of the anchor (clock skew between portal and crawler).
MAX_SKEW = timedelta(minutes=5)
#: Ages beyond this are not news stamps but garbage (`999999 jaar geleden`).
MAX_AGE_YEARS = 150

# --- word tables (data) --------------------------------------------------------------------------
_UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "second": (
        "s",
        "sec",
        "secs",
        "sec.",
        "seconde",
        "seconden",
        "second",
        "seconds",
        "sek",
        "sek.",
        "sekunde",
        "sekunden",
        "secondes",
    ),
    "minute": ("m", "min", "min.", "mins", "minuut", "minuten", "minute", "minutes", "minuten"),
    "hour": (
        "u",
        "uur",
        "uren",
        "h",
        "hr",
        "hrs",
        "hour",
        "hours",
        "std",
        "std.",
        "stunde",
        "stunden",
        "heure",
        "heures",
    ),
    "day": ("d", "dag", "dagen", "day", "days", "tag", "tage", "tagen", "j", "jour", "jours"),
    "week": ("w", "wk", "wks", "week", "weken", "weeks", "woche", "wochen", "semaine", "semaines"),
    "month": (
        "mnd",
        "mnd.",
        "maand",
        "maanden",
        "mo",
        "mos",
        "month",
        "months",
        "monat",
        "monate",
        "monaten",
        "mois",
    ),
    "year": (
        "y",
        "yr",
        "yrs",
        "jr",
        "jr.",
        "jaar",
        "jaren",
        "year",
        "years",
        "jahr",
        "jahre",
        "jahren",
        "an",
        "ans",
        "année",
        "années",
    ),
}
_UNIT_OF = {w: unit for unit, words in _UNIT_WORDS.items() for w in words}
_ONE_WORDS = ("een", "één", "eén", "'n", "a", "an", "one", "ein", "eine", "einer", "einem", "un", "une")
_NUMBER_WORDS = {
    **dict.fromkeys(_ONE_WORDS, 1),
    "twee": 2,
    "two": 2,
    "zwei": 2,
    "deux": 2,
    "drie": 3,
    "three": 3,
    "drei": 3,
    "trois": 3,
}
_FEW_WORDS = ("een paar", "enkele", "a few", "few", "ein paar", "einigen", "wenigen", "quelques")
_NOW_WORDS = (
    "zojuist",
    "net",
    "nu",
    "just now",
    "now",
    "right now",
    "gerade eben",
    "gerade",
    "jetzt",
    "soeben",
    "à l'instant",
    "a l'instant",
    "maintenant",
    "en ce moment",
)
_HEDGES = (
    "ongeveer",
    "circa",
    "ca.",
    "rond",
    "about",
    "around",
    "approximately",
    "etwa",
    "ungefähr",
    "environ",
    "bijna",
    "almost",
    "fast",
    "presque",
)
_PREFIXES = (
    "bijgewerkt",
    "gewijzigd",
    "laatste update",
    "update",
    "geplaatst",
    "gepubliceerd",
    "updated",
    "published",
    "posted",
    "last updated",
    "aktualisiert",
    "veröffentlicht",
    "zuletzt aktualisiert",
    "stand",
    "mis à jour",
    "publié",
    "publié le",
    "mis à jour le",
)
_DAY_WORDS = {
    "vandaag": 0,
    "today": 0,
    "heute": 0,
    "aujourd'hui": 0,
    "aujourd’hui": 0,
    "gisteren": 1,
    "yesterday": 1,
    "gestern": 1,
    "hier": 1,
    "eergisteren": 2,
    "vorgestern": 2,
    "avant-hier": 2,
}
_WEEKDAYS = {
    **{
        w: i
        for i, w in enumerate(
            ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
        )
    },
    **{
        w: i
        for i, w in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
    },
    **{
        w: i
        for i, w in enumerate(
            ["montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"]
        )
    },
    **{w: i for i, w in enumerate(["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"])},
    **{w: i for i, w in enumerate(["ma", "di", "wo", "do", "vr", "za", "zo"])},
    **{w: i for i, w in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])},
}
_MONTH_NUMBERS = {
    **{
        m: i + 1
        for i, m in enumerate(
            [
                "januari",
                "februari",
                "maart",
                "april",
                "mei",
                "juni",
                "juli",
                "augustus",
                "september",
                "oktober",
                "november",
                "december",
            ]
        )
    },
    **{
        m: i + 1
        for i, m in enumerate(
            [
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ]
        )
    },
    **{
        m: i + 1
        for i, m in enumerate(
            [
                "januar",
                "februar",
                "märz",
                "april",
                "mai",
                "juni",
                "juli",
                "august",
                "september",
                "oktober",
                "november",
                "dezember",
            ]
        )
    },
    **{
        m: i + 1
        for i, m in enumerate(
            [
                "janvier",
                "février",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "août",
                "septembre",
                "octobre",
                "novembre",
                "décembre",
            ]
        )
    },
    **{
        m: i + 1
        for i, m in enumerate(
            ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
        )
    },
    **{
        m: i + 1
        for i, m in enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        )
    },
    "sept": 9,
    "mär": 3,
    "mrz": 3,
    "dez": 12,
    "janv": 1,
    "févr": 2,
    "fév": 2,
    "avr": 4,
    "juil": 7,
    "déc": 12,
    "okt.": 10,
}


# --- patterns ----------------------------------------------------------------------------------------
def _alt(words: Any) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUM = rf"(?P<n>-?\d{{1,9}}(?:[.,]5)?|{_alt(_NUMBER_WORDS)}|{_alt(_FEW_WORDS)})"
_UNIT = rf"(?P<unit>{_alt(_UNIT_OF)})"
_CLOCK = r"(?P<h>[01]?\d|2[0-3])[:.hu](?P<mi>[0-5]\d)(?::(?P<s>[0-5]\d))?(?:\s*(?:uur|uhr|h))?"
_AT = r"(?:\s*,?\s*(?:om|at|um|à|a|,)?\s*)"
_RELATIVE_RES = [
    re.compile(rf"^{_NUM}\s*{_UNIT}(?:\s+(?:geleden|ago|terug))?$"),
    re.compile(rf"^vor\s+{_NUM}\s*{_UNIT}$"),
    re.compile(rf"^il\s+y\s+a\s+{_NUM}\s*{_UNIT}$"),
]
_NOW_RE = re.compile(rf"^(?:{_alt(_NOW_WORDS)})$")
_DAY_RE = re.compile(rf"^(?P<day>{_alt(_DAY_WORDS)})(?:{_AT}{_CLOCK})?$")
_WEEKDAY_RE = re.compile(
    rf"^(?:(?:afgelopen|vorige|last|letzten|dernier)\s+)?(?P<wd>{_alt(_WEEKDAYS)})\.?"
    rf"(?:{_AT}{_CLOCK})?$"
)
_DMY_WORDS_RE = re.compile(
    rf"^(?:(?:{_alt(_WEEKDAYS)})\.?,?\s+)?(?P<d>\d{{1,2}})\.?\s+(?P<mon>{_alt(_MONTH_NUMBERS)})\.?,?\s+"
    rf"(?P<y>\d{{4}})(?:{_AT}{_CLOCK})?$"
)
_MDY_WORDS_RE = re.compile(
    rf"^(?:(?:{_alt(_WEEKDAYS)})\.?,?\s+)?(?P<mon>{_alt(_MONTH_NUMBERS)})\.?\s+(?P<d>\d{{1,2}}),?\s+"
    rf"(?P<y>\d{{4}})(?:{_AT}{_CLOCK})?$"
)
_DMY_NUM_RE = re.compile(rf"^(?P<d>\d{{1,2}})[-/.](?P<mo>\d{{1,2}})[-/.](?P<y>\d{{4}})(?:{_AT}{_CLOCK})?$")
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_RFC2822_RE = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{2}:\d{2}")
_PREFIX_RE = re.compile(rf"^(?:{_alt(_PREFIXES)})\s*:?\s*")
_HEDGE_RE = re.compile(rf"^(?:{_alt(_HEDGES)})\s+")
_CLOCK_IN_TEXT_RE = re.compile(r"\b(?:[01]?\d|2[0-3])[:.hu][0-5]\d\b")
_LOOKS_LIKE_DATE_RE = re.compile(rf"\d{{4}}|\b(?:{_alt(_MONTH_NUMBERS)})\b")

_UNIT_SECONDS = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 30 * 86400,
    "year": 365 * 86400,
}
_DAY = timedelta(days=1)
# "zojuist"/"just now": timeago.js prints it below 10 s, moment below 45 s (wire-standards §4).
_NOW_AGE = {
    "floor": timedelta(seconds=10),
    "round": timedelta(seconds=44.5),
    "unknown": timedelta(seconds=60),
}


class ResolvedTime(NamedTuple):
    """A stamp resolved to an interval: published in [earliest, latest], best guess ``at``.

    Immutable; a named tuple because it is created on the per-item hot path.
    """

    raw: str
    at: datetime
    earliest: datetime
    latest: datetime
    precision: str  # second | minute | hour | day | week | month | year
    kind: str  # relative | calendar | absolute
    anchor: datetime
    semantics: str


Zones = ZoneInfo | tuple[ZoneInfo, ...]


# --- wall-clock helpers -----------------------------------------------------------------------------
def _to_utc_bounds(naive: datetime, tz: Zones) -> tuple[datetime, datetime]:
    """Both UTC readings of a local wall time (they differ only inside a DST fold or gap); with
    several zones (the page's zone is not known), the earliest and latest of all their readings."""
    if isinstance(tz, tuple):
        every = [_to_utc_bounds(naive, z) for z in tz]
        return min(b[0] for b in every), max(b[1] for b in every)
    off0 = tz.utcoffset(naive)
    off1 = tz.utcoffset(naive.replace(fold=1))
    a = (naive - off0).replace(tzinfo=UTC)  # type: ignore[operator]
    if off0 == off1:
        return a, a
    b = (naive - off1).replace(tzinfo=UTC)  # type: ignore[operator]
    return (a, b) if a <= b else (b, a)


def _shift_months(naive: datetime, months: int) -> datetime:
    total = naive.year * 12 + naive.month - 1 - months
    year, month = divmod(total, 12)
    if year < 1:
        raise OverflowError("year out of range")
    day = naive.day
    if day > 28:  # only the last days of a month can overflow the target month
        day = min(day, calendar.monthrange(year, month + 1)[1])
    return naive.replace(year=year, month=month + 1, day=day)


def _age_bounds(n: float, unit: str, semantics: str, one_word: bool) -> list[tuple[float, float]]:
    """Age intervals [lo, hi) in units, one per reading the semantics allows."""
    floor = (n, n + 1)
    if unit == "second" and n == 0:
        floor = (0, 1)
    if one_word or n == 1:
        round_ = {
            "second": (0, 44.5),
            "minute": (44.5 / 60, 1.5),
            "hour": (44.5 / 60, 1.5),
            "day": (22 / 24, 1.5),
            "week": floor,
            "month": (25.5 / 30.44, 45.7 / 30.44),
            "year": (320 / 365.25, 548 / 365.25),
        }[unit]
    else:
        round_ = floor if unit == "week" else (max(n - 0.5, 0), n + 0.5)
    if semantics == "floor":
        return [floor]
    if semantics == "round":
        return [round_]
    return [floor, round_]


def _relative(
    raw: str, n: float, unit: str, anchor: datetime, tz: ZoneInfo, semantics: str, one_word: bool
) -> tuple[datetime, datetime]:
    if n < 0:
        raise TimeParseError(raw, "negative-age", "a stamp cannot lie in the future")
    if n * _UNIT_SECONDS[unit] > MAX_AGE_YEARS * 365.25 * 86400:
        raise TimeParseError(raw, "too-old", f"more than {MAX_AGE_YEARS} years")
    earliest: datetime | None = None
    latest: datetime | None = None
    local = anchor.astimezone(tz).replace(tzinfo=None)
    for lo, hi in _age_bounds(n, unit, semantics, one_word):
        cands_e: list[datetime] = []
        cands_l: list[datetime] = []
        if unit in ("second", "minute", "hour"):
            cands_e.append(anchor - timedelta(seconds=hi * _UNIT_SECONDS[unit]))
            cands_l.append(anchor - timedelta(seconds=lo * _UNIT_SECONDS[unit]))
        else:
            # Generators count days as 86400 s or as wall-clock days; months as 30/30.44 days or
            # calendar months. Honest bounds cover every reading.
            for days_per in {"day": (1,), "week": (7,), "month": (30, 30.44), "year": (365, 365.25)}[unit]:
                cands_e.append(anchor - timedelta(days=hi * days_per))
                cands_l.append(anchor - timedelta(days=lo * days_per))
            if float(hi).is_integer() and float(lo).is_integer():
                if unit in ("day", "week"):
                    # Same UTC offset at both ends: wall-clock days are 24 h, the duration reading covers it.
                    offset = anchor.astimezone(tz).utcoffset()
                    if cands_e[-1].astimezone(tz).utcoffset() != offset:
                        per = 1 if unit == "day" else 7
                        cands_e += _to_utc_bounds(local - timedelta(days=hi * per), tz)
                        cands_l += _to_utc_bounds(local - timedelta(days=lo * per), tz)
                else:
                    per = 1 if unit == "month" else 12
                    cands_e += _to_utc_bounds(_shift_months(local, int(hi) * per), tz)
                    cands_l += _to_utc_bounds(_shift_months(local, int(lo) * per), tz)
        e, la = min(cands_e), max(cands_l)
        earliest = e if earliest is None else min(earliest, e)
        latest = la if latest is None else max(latest, la)
    assert earliest is not None and latest is not None
    return earliest, latest


def _day_bounds(day: date, tz: Zones) -> tuple[datetime, datetime]:
    if isinstance(tz, tuple):
        every = [_day_bounds(day, z) for z in tz]
        return min(b[0] for b in every), max(b[1] for b in every)
    start = _to_utc_bounds(datetime(day.year, day.month, day.day), tz)[0]
    nxt = day + _DAY
    end = _to_utc_bounds(datetime(nxt.year, nxt.month, nxt.day), tz)[0]
    return start, end


def _clock_bounds(day: date, h: int, mi: int, s: str | None, tz: Zones) -> tuple[datetime, datetime, str]:
    lo, hi = _to_utc_bounds(datetime(day.year, day.month, day.day, h, mi, int(s or 0)), tz)
    if s is not None:
        return lo, hi, "second"
    return lo, hi + timedelta(minutes=1), "minute"


def _number(token: str) -> tuple[float, bool]:
    token = token.lower()
    if token in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[token]), True
    if token in _FEW_WORDS:
        return 0.0, True
    return float(token.replace(",", ".")), False


def _clean(raw: str) -> str:
    s = " ".join(visible(raw).replace("\u00a0", " ").split()).strip().lower()
    s = s.rstrip(" .")
    for _ in range(2):
        s = _PREFIX_RE.sub("", s, count=1)
        s = _HEDGE_RE.sub("", s, count=1)
    return s


@cache
def _dateparser(languages: tuple[str, ...] | None) -> Any:
    from dateparser.date import DateDataParser  # slow import, only for the fallback

    return DateDataParser(
        languages=list(languages) if languages else None,
        settings={"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False, "STRICT_PARSING": False},
    )


def _fallback(
    raw: str, anchor: datetime, tz: Zones, language: str | None
) -> tuple[datetime, datetime, str] | None:
    if not _LOOKS_LIKE_DATE_RE.search(raw.lower()) or len(raw) > 80:
        return None
    langs = (language,) if language else ("nl", "en", "de", "fr")
    parser = _dateparser(langs)
    local_anchor = anchor.astimezone(tz[0] if isinstance(tz, tuple) else tz).replace(tzinfo=None)
    with _dateparser_base(parser, local_anchor):
        data = parser.get_date_data(raw)
    if data is None or data.date_obj is None:
        return None
    value = data.date_obj
    if value.tzinfo is not None:  # the string carried its own offset
        return value.astimezone(UTC), value.astimezone(UTC), "second"
    period = data.period or "day"
    if period == "time" or (period == "day" and _CLOCK_IN_TEXT_RE.search(raw)):
        lo, hi, precision = _clock_bounds(value.date(), value.hour, value.minute, None, tz)
        return lo, hi, precision
    if period == "day":
        lo, hi = _day_bounds(value.date(), tz)
        return lo, hi, "day"
    if period == "month":
        first = value.date().replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        return _day_bounds(first, tz)[0], _day_bounds(last, tz)[1], "month"
    first = date(value.year, 1, 1)
    return _day_bounds(first, tz)[0], _day_bounds(date(value.year, 12, 31), tz)[1], "year"


class _dateparser_base:
    """Set RELATIVE_BASE on the shared parser for one call (the parser is reused for speed)."""

    def __init__(self, parser: Any, base: datetime) -> None:
        self.parser, self.base = parser, base

    def __enter__(self) -> None:
        self.old = self.parser._settings.RELATIVE_BASE
        self.parser._settings.RELATIVE_BASE = self.base

    def __exit__(self, *exc: object) -> None:
        self.parser._settings.RELATIVE_BASE = self.old


def _absolute(s: str, raw: str, tz: Zones) -> tuple[datetime, datetime, str] | None:
    iso = raw.strip()
    if _ISO_RE.match(iso):
        value = datetime.fromisoformat(iso.replace("Z", "+00:00").replace(" ", "T"))
        if len(iso) == 10:
            return (*_day_bounds(value.date(), tz), "day")
        if value.tzinfo is None:  # naive: read in the source's timezone
            lo, hi = _to_utc_bounds(value, tz)
        else:
            lo = hi = value.astimezone(UTC)
        precision = "second" if value.second or len(iso) > 16 else "minute"
        return lo, hi + (timedelta(minutes=1) if precision == "minute" else timedelta(0)), precision
    if _RFC2822_RE.match(raw.strip()):
        from email.utils import parsedate_to_datetime  # rare; its import costs a one-page parse ~15 ms

        try:
            value = parsedate_to_datetime(raw.strip())
        except (TypeError, ValueError):
            return None
        if value.tzinfo is None:
            lo, hi = _to_utc_bounds(value, tz)
            return lo, hi, "second"
        return value.astimezone(UTC), value.astimezone(UTC), "second"
    for rx in (_DMY_WORDS_RE, _MDY_WORDS_RE, _DMY_NUM_RE):
        m = rx.match(s)
        if not m:
            continue
        month = (
            _MONTH_NUMBERS.get(m.group("mon").rstrip(".")) if "mon" in rx.groupindex else int(m.group("mo"))
        )
        try:
            day = date(int(m.group("y")), month or 0, int(m.group("d")))
        except ValueError as exc:
            raise TimeParseError(raw, "invalid-date", str(exc)) from None
        if m.group("h") is None:
            return (*_day_bounds(day, tz), "day")
        return _clock_bounds(day, int(m.group("h")), int(m.group("mi")), m.group("s"), tz)
    return None


_MAX_AGE = timedelta(days=MAX_AGE_YEARS * 365.25)
_SUB_DAY = {"second": timedelta(seconds=1), "minute": timedelta(minutes=1), "hour": timedelta(hours=1)}
_HOUR = timedelta(hours=1)
_FIXED = {**_SUB_DAY, "day": timedelta(days=1), "week": timedelta(weeks=1)}
# unit -> (months per unit, shortest and longest fixed-length reading)
_CALENDAR_UNITS = {
    "month": (1, timedelta(days=30), timedelta(days=30.44)),
    "year": (12, timedelta(days=365), timedelta(days=365.25)),
}


@lru_cache(maxsize=64)
def _zone(tz: str) -> ZoneInfo:
    """The zone wall-clock arithmetic uses: the first of a space-separated list."""
    return ZoneInfo(tz.split(None, 1)[0])


@lru_cache(maxsize=64)
def _zones(tz: str) -> Zones:
    """Every zone a naive time may be in: one, or a tuple when the page's zone is not known."""
    names = tz.split()
    return ZoneInfo(names[0]) if len(names) == 1 else tuple(ZoneInfo(n) for n in names)


def _floor_ages(n: float, unit: str) -> tuple[timedelta, timedelta, timedelta] | None:
    """The [youngest, oldest) age a floor stamp of ``n`` ``unit`` allows, and its midpoint, precomputed
    with the parse;
    ``None`` when the fast paths do not apply (negative, fractional calendar units, beyond the range)."""
    if n < 0 or n * _UNIT_SECONDS[unit] > MAX_AGE_YEARS * 365 * 86400:
        return None
    if unit in _FIXED:
        size = _FIXED[unit]
        lo, hi = size * n, size * (n + 1 if n or unit != "second" else 1)
        return lo, hi, (lo + hi) / 2
    if not float(n).is_integer():
        return None
    _, short, long_ = _CALENDAR_UNITS[unit]
    return short * n, long_ * (n + 1), (short * n + long_ * (n + 1)) / 2


@lru_cache(maxsize=8192)
def _parse(raw: str) -> tuple[Any, ...]:
    """What a stamp says, independent of when it was read (cached: portals repeat their stamps)."""
    s = _clean(raw)
    if _NOW_RE.match(s):
        return ("now",)
    for rx in _RELATIVE_RES:
        m = rx.match(s)
        if m:
            n, one_word = _number(m.group("n"))
            unit = _UNIT_OF[m.group("unit")]
            return ("relative", n, unit, one_word, _floor_ages(n, unit))
    m = _DAY_RE.match(s)
    wd = None if m else _WEEKDAY_RE.match(s)
    if m or wd:
        c = m or wd
        assert c is not None
        back = _DAY_WORDS[c.group("day")] if m else None
        weekday = _WEEKDAYS[c.group("wd")] if wd else None
        h = int(c.group("h")) if c.group("h") is not None else None
        mi = int(c.group("mi")) if c.group("mi") is not None else 0
        return ("calendar", back, weekday, h, mi, c.group("s"))
    return ("absolute", s)


def resolve_time(
    raw: str,
    anchor: datetime,
    *,
    tz: str = "Europe/Amsterdam",
    language: str | None = None,
    semantics: str = "floor",
    allow_future: bool = False,
) -> ResolvedTime | None:
    """Resolve a printed stamp against ``anchor`` (an aware datetime: when the page was served).

    ``tz`` is the zone naive times are read in; several zones separated by spaces (the page's zone is
    not known) give the interval that covers every one of them. ``allow_future`` keeps an absolute
    time after the anchor instead of raising (the caller records that it lies in the future).

    Returns ``None`` when ``raw`` holds no time expression; raises :class:`TimeParseError` when it holds
    one that cannot be true (negative, absurdly old, in the future). ``semantics`` is ``floor``
    (``N uur`` = age in [N, N+1) h), ``round`` (moment/dayjs thresholds) or ``unknown`` (their union).
    """
    if anchor.tzinfo is not UTC and (anchor.tzinfo is None or anchor.utcoffset() is None):
        raise ValueError(
            "anchor must be timezone-aware (e.g. datetime.now(UTC)); a naive anchor is ambiguous"
        )
    if semantics not in SEMANTICS:
        raise ValueError(f"semantics must be one of {SEMANTICS}, not {semantics!r}")
    if not raw or len(raw) > 120:
        return None
    zone = _zone(tz)
    if anchor.tzinfo is not UTC:
        anchor = anchor.astimezone(UTC)
    spec = _parse(raw)
    kind = spec[0]
    result: tuple[datetime, datetime, str] | None = None
    try:
        if kind == "now":
            kind = "relative"
            result = (anchor - _NOW_AGE[semantics], anchor, "second")
        elif kind == "relative":
            _, n, unit, one_word, ages = spec
            if ages is not None and semantics == "floor" and unit in _FIXED:
                # The common case, kept cheap: an age in [N, N+1) units subtracted in UTC; for days and
                # weeks that equals wall-clock arithmetic unless a clock change lies in between.
                e = anchor - ages[1]
                if unit in _SUB_DAY or e.astimezone(zone).utcoffset() == anchor.astimezone(zone).utcoffset():
                    return ResolvedTime(
                        raw, anchor - ages[2], e, anchor - ages[0], unit, "relative", anchor, semantics
                    )
                result = (*_relative(raw, n, unit, anchor, zone, semantics, one_word), unit)
            elif ages is not None and semantics == "floor":
                # Months and years: the union of calendar (Django) and 30/30.44- or 365/365.25-day
                # (Drupal, timeago.js) readings, computed directly.
                # The calendar reading's UTC offset may differ from the anchor's by a DST hour: widen by
                # that hour rather than look the offset up.
                per = _CALENDAR_UNITS[unit][0]
                local = anchor.astimezone(zone)
                naive, off = local.replace(tzinfo=None), local.utcoffset()
                assert off is not None
                cal_e = (_shift_months(naive, int(n + 1) * per) - off - _HOUR).replace(tzinfo=UTC)
                cal_l = (_shift_months(naive, int(n) * per) - off + _HOUR).replace(tzinfo=UTC)
                result = (min(anchor - ages[1], cal_e), max(anchor - ages[0], cal_l), unit)
            else:
                e, la = _relative(raw, n, unit, anchor, zone, semantics, one_word)
                result = (e, la, unit)
        elif kind == "calendar":
            _, back_days, weekday, h, mi, sec = spec
            today = anchor.astimezone(zone).date()
            if weekday is not None:
                back_days = (today.weekday() - weekday) % 7
            day = today - _DAY * back_days
            if h is None:
                result = (*_day_bounds(day, zone), "day")
            else:
                result = _clock_bounds(day, h, mi, sec, zone)
                if result[0] > anchor + MAX_SKEW and weekday is not None:  # last week's weekday
                    day -= _DAY * 7
                    result = _clock_bounds(day, h, mi, sec, zone)
        else:
            zones = _zones(tz) if " " in tz else zone
            result = _absolute(spec[1], raw, zones) or _fallback(raw, anchor, zones, language)
    except (OverflowError, ValueError) as exc:
        if isinstance(exc, TimeParseError):
            raise
        raise TimeParseError(raw, "out-of-range", str(exc)) from None
    if result is None:
        return None
    earliest, latest, precision = result
    # An age is never negative and was bounded when parsed; dates and clock times must be checked here.
    if kind not in ("relative", "now"):
        if earliest > anchor + MAX_SKEW and not allow_future:
            raise TimeParseError(raw, "future", f"after the anchor {anchor.isoformat()}")
        if anchor - earliest > _MAX_AGE:
            raise TimeParseError(raw, "too-old", f"more than {MAX_AGE_YEARS} years before the anchor")
    if not (allow_future and kind not in ("relative", "now")):
        latest = min(latest, anchor)
    earliest = min(earliest, latest)
    at = earliest + (latest - earliest) / 2
    return ResolvedTime(
        raw=raw,
        at=at,
        earliest=earliest,
        latest=latest,
        precision=precision,
        kind=kind,
        anchor=anchor,
        semantics=semantics,
    )


def refine(intervals: list[ResolvedTime]) -> ResolvedTime:
    """Intersect the intervals of one story seen several times (teaser and article, two crawls).

    Raises :class:`TimeParseError` (reason ``conflict``) when they do not overlap: one of the stamps
    is wrong (a cached page, a mistaken match) and no interval can be trusted over the other.
    """
    if not intervals:
        raise ValueError("refine() needs at least one interval")
    earliest = max(i.earliest for i in intervals)
    latest = min(i.latest for i in intervals)
    best = min(intervals, key=lambda i: i.latest - i.earliest)
    if earliest > latest:
        raise TimeParseError(" | ".join(i.raw for i in intervals), "conflict", "intervals do not overlap")
    order = ("second", "minute", "hour", "day", "week", "month", "year")
    precision = best.precision
    width = latest - earliest
    for p in order:
        if width <= timedelta(seconds=_UNIT_SECONDS.get(p, 1)) * (1 if p != "second" else 60):
            precision = p if order.index(p) < order.index(precision) else precision
            break
    return ResolvedTime(
        raw=best.raw,
        at=earliest + width / 2,
        earliest=earliest,
        latest=latest,
        precision=precision,
        kind=best.kind,
        anchor=max(i.anchor for i in intervals),
        semantics=best.semantics,
    )


# --- finding stamps in page text (used by the segmenter) --------------------------------------------
_GLUED_RE = re.compile(
    rf"^(?P<stamp>{_NUM}\s*{_UNIT}\s+(?:geleden|ago))(?P<rest>\S.*)$".replace("?P<n>", "?:").replace(
        "?P<unit>", "?:"
    ),
    re.IGNORECASE,
)
_TRAILING_RE = re.compile(
    rf"^(?P<pre>.{{1,60}}?)\s+(?P<stamp>(?:il\s+y\s+a|vor)\s+{_NUM}\s*{_UNIT}"
    rf"|{_NUM}\s*{_UNIT}\s+(?:geleden|ago))$".replace("?P<n>", "?:").replace("?P<unit>", "?:"),
    re.IGNORECASE,
)


def is_relative_stamp(text: str) -> bool:
    """True when ``text`` is, as a whole, a relative or calendar stamp (valid or not).

    Only the fast patterns are consulted, never the dateparser fallback, so clock times, reading times
    and absolute dates are not stamps here.
    """
    if len(text) > 60:
        return False
    s = _clean(text)
    return bool(
        _NOW_RE.match(s)
        or any(rx.match(s) for rx in _RELATIVE_RES)
        or _DAY_RE.match(s)
        or _WEEKDAY_RE.match(s)
    )


def split_stamp(text: str) -> tuple[str, str, str] | None:
    """Split a stamp glued to other text: ``1 uur geledenDEN HAAG (ANP) - …`` or ``franceinfo Il y a 0 sec``.

    Returns ``(before, stamp, after)`` or ``None``. Bidi and zero-width marks do not hide a stamp
    (they are matched without, and kept in the parts returned).
    """
    clean, where = visible_positions(text)

    def part(m: re.Match[str], name: str) -> str:
        start, end = m.span(name)
        return text[where[start] : where[end]] if where else m.group(name)

    m = _GLUED_RE.match(clean)
    if m and m.group("rest")[:1].isupper():
        return "", part(m, "stamp"), part(m, "rest")
    m = _TRAILING_RE.match(clean)
    if m and is_relative_stamp(m.group("stamp")):
        return part(m, "pre"), part(m, "stamp"), ""
    return None


_CLOCK_ONLY_RE = re.compile(r"^(?:[01]?\d|2[0-3])[:.][0-5]\d(?:\s*(?:uur|uhr|h))?$")


def is_absolute_stamp(text: str) -> bool:
    """True when ``text`` is, as a whole, a calendar date or a bare clock time (``19:25``)."""
    if len(text) > 60 or not any(c.isdigit() for c in text):
        return False
    s = _clean(text)
    return bool(
        _CLOCK_ONLY_RE.match(s)
        or _ISO_RE.match(text.strip())
        or _RFC2822_RE.match(text.strip())
        or _DMY_WORDS_RE.match(s)
        or _MDY_WORDS_RE.match(s)
        or _DMY_NUM_RE.match(s)
    )
