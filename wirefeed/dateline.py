"""Wire datelines: the ``KYIV (ANP/RTR) - `` that opens agency copy, parsed into fields.

:func:`parse_dateline` reads the opening of a lead and returns a :class:`Dateline` (text as printed,
place, places, agency codes as printed, date, byline, rest) or ``None`` when the text does not open
with a dateline. It handles every agency's form (ANP co-credits, Reuters with dates and bylines, AP
with bylines and states, mixed-case AFP/dpa, credit-first ANSA, EFE ``).-``, TASS ``/TASS/.``) and
refuses look-alikes (``FILE - `` captions, dashes inside titles, photo and closing credits).

Only the first :data:`WINDOW` characters are examined and every pattern is bounded, so the cost is
constant whatever the input length. Normalizing what was parsed (agency registry, place gazetteer)
lives in :mod:`wirefeed.agencies` and :mod:`wirefeed.places`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from wirefeed import agencies as _agencies

__all__ = ["WINDOW", "Dateline", "parse_dateline"]

#: No real dateline is longer; bounds the work on adversarial input.
WINDOW = 200

# Month names and abbreviations printed in datelines (en, nl, de, fr, es, it, sl), as data.
_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "januari februari maart mei juni juli augustus oktober "
    "januar februar märz mai oktober dezember "
    "janvier février fevrier mars avril juin juillet août aout septembre octobre novembre décembre "
    "ene enero febrero marzo abr abril mayo junio julio ago agosto set septiembre octubre noviembre dic "
    "diciembre gen gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre "
    "januarja februarja marca aprila maja junija julija avgusta septembra oktobra novembra decembra"
)
_MONTH = "|".join(sorted({re.escape(m) for m in _MONTHS.split()}, key=len, reverse=True))
_DATE = (
    rf"(?i:(?:{_MONTH})\.?\s{{1,3}}\d{{1,2}}(?:st|nd|rd|th)?\.?(?:,?\s\d{{4}})?"
    rf"|\d{{1,2}}\.?\s{{1,3}}(?:{_MONTH})\.?(?:\s\d{{4}})?)"
)
_DATE_RE = re.compile(rf"{_DATE}$")
_PREDATE_RE = re.compile(rf"^(?P<date>\d{{1,2}}\.?\s(?i:{_MONTH}))\s+(?P<place>.+)$")
_POSTDATE_RE = re.compile(rf"^(?P<place>.+?),\s*(?P<date>{_DATE})\.?$")

# A credit in parentheses (or TASS's slashes), and what may follow it as a separator.
_CREDIT_RE = re.compile(r"\((?P<paren>[^()\n]{1,40})\)|/(?P<slash>[A-Z][A-Za-z-]{1,14})/")
_AFTER_CREDIT_RE = re.compile(r"[ \t]{0,3}(?P<sep>--|[-–—_](?!\w)|[-–—](?=\w)|\.-|\.(?=\s)|:)?")
_CREDIT_TOKEN_RE = re.compile(r"^[A-Za-z][A-Za-z-]{0,14}$")
# Separators for datelines without a credit: a dash set off by a space, or an en/em dash anywhere.
_BARE_SEP_RE = re.compile(r"[ \t]{1,3}(?:--|[-–—_])[ \t]|[ \t]{0,3}[–—]|(?<=\S)-[ \t]")
_NO_DASH_RE = re.compile(
    rf"^(?P<place>[^\W\d_][^\W\d_ .'’-]*(?:[ .'’-]{{1,2}}[^\W\d_]+){{0,3}})\s+"
    rf"(?P<date>{_DATE})\s+(?=[^\W\d_])"
)
_BYLINE_RE = re.compile(r"^By\s+(?P<rest>.+)$")
# The agency (and job title) between a byline and the place: `Associated Press`, `AP Science Writer`.
_BYLINE_SPLIT_RE = re.compile(
    r"\s+(?:Associated Press|AP|Reuters|AFP|Bloomberg)"
    r"(?:\s+(?:[A-Z][a-z]+\s+){0,2}(?:Writer|Correspondent|Reporter|Editor))?\s+"
)
_PAREN_TAIL_RE = re.compile(r"\s\([^()]{1,30}\)$")
_WORD_RE = re.compile(r"^['’]?[^\W\d_][\w.'’-]{0,30}$")

# Lower-case words allowed inside a place name (`St. Anton am Arlberg`, `Bourg-de-Péage`, `Den Bosch`).
_PARTICLES = frozenset(
    [
        "am",
        "an",
        "der",
        "den",
        "des",
        "de",
        "del",
        "della",
        "di",
        "da",
        "do",
        "dos",
        "du",
        "la",
        "le",
        "les",
        "el",
        "en",
        "et",
        "sur",
        "sous",
        "upon",
        "on",
        "of",
        "aan",
        "op",
        "im",
        "bei",
        "ob",
        "van",
        "von",
        "y",
        "und",
        "zu",
        "al",
        "ter",
    ]
)
# Upper-case openings that are labels, not places (`FILE - This photo…`, `UPDATE - …`).
_NOT_PLACES = frozenset(
    [
        "FILE",
        "UPDATE",
        "UPDATED",
        "LIVE",
        "BREAKING",
        "EXCLUSIVE",
        "VIDEO",
        "FOTO",
        "PHOTO",
        "PHOTOS",
        "WATCH",
        "ANALYSIS",
        "OPINION",
        "CORRECTION",
        "CORRECTED",
        "REFILE",
        "ADVISORY",
        "EDITORS",
        "NOTE",
        "LEAD",
        "URGENT",
        "FLASH",
        "ALERT",
        "COLUMN",
        "INTERVIEW",
        "REVIEW",
        "PODCAST",
        "POLL",
        "UITSLAG",
        "UITSLAGEN",
        "ANP",
        "AP",
        "AFP",
        "RTR",
        "DPA",
        "BELGA",
    ]
)


@dataclass(frozen=True, slots=True)
class Dateline:
    """One parsed dateline; ``text + rest`` is the input it was parsed from."""

    text: str
    place: str | None
    agencies: tuple[str, ...]
    date: str | None = None
    byline: str | None = None
    rest: str = ""
    places: tuple[str, ...] = ()


def _is_upper(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _valid_place(place: str) -> bool:
    core = _PAREN_TAIL_RE.sub("", place)
    parts = [p.strip() for p in core.split(",")]
    if len(parts) > 3 or any(not p for p in parts):
        return False
    words = [w for p in parts for chunk in p.split("/") for w in chunk.split()]
    if not words or len(words) > 9:
        return False
    for i, w in enumerate(words):
        if not _WORD_RE.match(w):
            return False
        lower = w[0].islower() or (w[0] in "'’" and w[1:2].islower())
        if lower and (i == 0 or w not in _PARTICLES):  # a particle inside a name, never the first word
            return False
    return True


def _split_head(head: str) -> tuple[str | None, str | None, str | None] | None:
    """Split the text before a credit/dash into (byline, place, date); None if it is not a head."""
    head = head.strip().rstrip(",").strip()
    if not head:
        return None, None, None
    byline = None
    m = _BYLINE_RE.match(head)
    if m:
        rest = m.group("rest")
        parts = _BYLINE_SPLIT_RE.split(rest, maxsplit=1)
        if len(parts) == 2:
            byline, head = parts[0].strip(), parts[1].strip()
        else:
            words = rest.split()
            # "By A and B C PLACE": names take two words each; what is left is the place.
            take = 2
            if len(words) > 3 and words[2].lower() == "and":
                take = 5
            byline, head = " ".join(words[:take]), " ".join(words[take:])
        if not head:
            return byline, None, None
    date = None
    whole = _DATE_RE.match(head)
    if whole and whole.group(0) == head:
        return byline, None, head.rstrip(".")
    m = _PREDATE_RE.match(head)
    if m:
        date, head = m.group("date"), m.group("place")
    else:
        m = _POSTDATE_RE.match(head)
        if m:
            head, date = m.group("place"), m.group("date").rstrip(".")
    if not _valid_place(head):
        return None
    return byline, head, date


def _credit_tokens(raw: str) -> list[str] | None:
    tokens = [t for t in re.split(r"[/\s,]+", raw.strip()) if t]
    if not tokens or len(tokens) > 5 or not all(_CREDIT_TOKEN_RE.match(t) for t in tokens):
        return None
    return tokens


def _make(
    window: str,
    text_end: int,
    full: str,
    *,
    place: str | None,
    agencies: list[str],
    date: str | None = None,
    byline: str | None = None,
) -> Dateline:
    text = window[:text_end].rstrip()
    places = tuple(p.strip() for p in place.split("/")) if place else ()
    return Dateline(
        text=text,
        place=place,
        agencies=tuple(agencies),
        date=date,
        byline=byline,
        rest=full[len(text) :],
        places=places,
    )


def _credit_first(window: str, full: str) -> Dateline | None:
    m = _CREDIT_RE.match(window)
    if not m or not m.group("paren"):
        return None
    tokens = _credit_tokens(m.group("paren"))
    if tokens is None or not any(_agencies.is_known(t) for t in tokens):
        return None
    sep = _AFTER_CREDIT_RE.match(window, m.end())
    end = sep.end() if sep and sep.group("sep") else m.end()
    # `(ANSA) - ROME, JUL 11 - `: a place and date may follow the credit.
    place = date = None
    tail = window[end:]
    s = _BARE_SEP_RE.search(tail, 0, 60)
    if s:
        parts = _split_head(tail[: s.start()])
        if parts and parts[1] and _is_upper(parts[1].split(",")[0]):
            _, place, date = parts
            end += s.end()
    return _make(window, end, full, place=place, agencies=tokens, date=date)


def _with_credit(window: str, full: str) -> Dateline | None:
    for m in _CREDIT_RE.finditer(window, 0, 160):
        raw = m.group("paren") or m.group("slash")
        tokens = _credit_tokens(raw)
        if tokens is None:
            continue
        known = any(_agencies.is_known(t) for t in tokens)
        sep = _AFTER_CREDIT_RE.match(window, m.end())
        has_sep = bool(sep and sep.group("sep")) and sep.group("sep") != ":"
        if not known and not (has_sep and _is_upper(raw) and len(raw) <= 12):
            continue  # `Maribo (Denmark) (AFP)`, `De PVV (Wilders) -`: a parenthesis that is not the credit
        if not has_sep and not (
            _is_upper(window[: m.start()]) or any(_agencies.is_dashless(t) for t in tokens)
        ):
            continue  # `Ajax (ANP) wint`: only upper-case places and dashless agencies (`ats afp`) go without
        if m.group("slash") and not has_sep:
            continue
        head = window[: m.start()]
        parts = _split_head(head)
        if parts is None:
            return None
        byline, place, date = parts
        if place is None and byline is None and date is None and head.strip():
            return None
        end = sep.end() if has_sep else m.end()
        return _make(window, end, full, place=place, agencies=tokens, date=date, byline=byline)
    return None


def _without_credit(window: str, full: str) -> Dateline | None:
    s = _BARE_SEP_RE.search(window, 0, 90)
    if s:
        head = window[: s.start()]
        parts = _split_head(head)
        if parts is not None and parts[1] is not None and parts[0] is None:
            _, place, date = parts
            first = place.split(",")[0]
            sep = s.group(0).strip()
            core = _PAREN_TAIL_RE.sub("", first)
            ok = _is_upper(core) and len([c for c in core if c.isalpha()]) >= 3
            if ok and core.split("/")[0].strip() in _NOT_PLACES:
                ok = False
            # Mixed case needs more evidence: a region or date, and a real dash (`Georgetown, Guyana—`).
            if not ok and ("," in place or date) and sep in "–—" and place[0].isupper():
                ok = True
            if not ok and date and place[0].isupper():
                ok = True
            if ok:
                return _make(window, s.end(), full, place=place, agencies=[], date=date)
    m = _NO_DASH_RE.match(window)
    if m and _is_upper(m.group("place")) and m.group("place") not in _NOT_PLACES:
        place = m.group("place")
        return _make(window, m.end(), full, place=place, agencies=[], date=m.group("date"))
    return None


def parse_dateline(text: str, *, language: str | None = None) -> Dateline | None:
    """Parse the dateline that opens ``text``; ``None`` when it does not open with one.

    ``language`` (the copy's language) is accepted for API stability; it matters for normalizing
    ambiguous agency codes (:func:`wirefeed.agencies.normalize`), not for reading the printed form.
    Results are cached for lead-sized texts: extraction and the dateline stage read the same leads.
    """
    del language
    if len(text) <= _CACHE_MAX_LEN:
        return _parse_cached(text)
    return _parse(text)


_CACHE_MAX_LEN = 1000  # leads; a cache of long bodies would cost more memory than it saves time


@lru_cache(maxsize=2048)
def _parse_cached(text: str) -> Dateline | None:
    return _parse(text)


def _parse(text: str) -> Dateline | None:
    if not text:
        return None
    lead_ws = len(text) - len(text.lstrip())
    body = text[lead_ws:]
    window = body[:WINDOW]
    if not window:
        return None
    result = _credit_first(window, body) if window[:1] == "(" else None
    if result is None and window[:1] != "(":
        result = _with_credit(window, body) or _without_credit(window, body)
    if result is None:
        return None
    if lead_ws:
        result = Dateline(
            text=text[:lead_ws] + result.text,
            place=result.place,
            agencies=result.agencies,
            date=result.date,
            byline=result.byline,
            rest=result.rest,
            places=result.places,
        )
    return result
