"""Wire datelines: the ``KYIV (ANP/RTR) - `` that opens agency copy, parsed into fields.

:func:`parse_dateline` reads the opening of a lead and returns a :class:`Dateline` (text as printed,
place, places, agency codes as printed, date, byline, rest) or ``None`` when the text does not open
with a dateline. It handles every agency's form (ANP co-credits, Reuters with dates and bylines, AP
with bylines and states, mixed-case AFP/dpa, credit-first ANSA, EFE ``).-``, TASS ``/TASS/.``) and
refuses look-alikes (``FILE - `` captions, dashes inside titles, photo and closing credits).

Place-only datelines (``Berlin. ``, ``NEW DELHI: ``, ``DUBLIN — ``, ``PUTRAJAYA, Nov 22 — ``,
``München/London – ``) carry no credit to vouch for them, so each form asks for evidence, weakest form
first: a period or colon after the place needs a place known to :func:`wirefeed.places.is_place`; a
dash after a mixed-case place needs a known place, a date or a known region; only an upper-case place
before a dash may be unknown (small towns), and then only one or two words. Kicker and topic labels
(``LIVE -``, ``ANALYSIS-``, ``LE POINT SUR LA SITUATION -``) are never places: the word lists are data
(``data/datelines.json``).

Only the first :data:`WINDOW` characters are examined and every pattern is bounded, so the cost is
constant whatever the input length. Normalizing what was parsed (agency registry, place gazetteer)
lives in :mod:`wirefeed.agencies` and :mod:`wirefeed.places`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import cast

from wirefeed import agencies as _agencies
from wirefeed import places as _places
from wirefeed.invisible import visible

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
    rf"|(?:le\s|den\s)?\d{{1,2}}\.?\s{{1,3}}(?:{_MONTH})\.?(?:\s\d{{4}})?"  # `le 12 mars`, `den 3. Mai`
    # numeric, as printed on regional sites: `27.6.2025`, `27.06.`, `6/27/2025` (typos like `27.6.205` too)
    r"|\d{1,2}\.\d{1,2}\.(?:\d{2,4})?|\d{1,2}/\d{1,2}/\d{2,4})"
)
_DATE_RE = re.compile(rf"^{_DATE}$")  # anchored: only ever matched whole
_PREDATE_RE = re.compile(rf"^(?P<date>\d{{1,2}}\.?\s(?i:{_MONTH}))\s+(?P<place>.+)$")
_POSTDATE_RE = re.compile(rf"^(?P<place>.+?),\s*(?P<date>{_DATE})\.?$")

# A credit in parentheses (or TASS's slashes), and what may follow it as a separator.
_CREDIT_RE = re.compile(r"\((?P<paren>[^()\n]{1,40})\)|/(?P<slash>[A-Z][A-Za-z-]{1,14})/")
_SP = "[ \t\xa0\u2009\u202f]"  # a space as printed in HTML text (no-break and thin spaces too)
_AFTER_CREDIT_RE = re.compile(rf"{_SP}{{0,3}}(?P<sep>--|[-–—_](?!\w)|[-–—](?=\w)|\.-|\.(?=\s)|:)?")
_CREDIT_TOKEN_RE = re.compile(r"^[A-Za-z][A-Za-z-]{0,14}$")
# Separators for datelines without a credit: a dash set off by a space, or an en/em dash anywhere.
_BARE_SEP_RE = re.compile(rf"{_SP}{{1,3}}(?:--|[-–—_]){_SP}|{_SP}{{0,3}}[–—]|(?<=\S)-{_SP}")
# After a place without a credit: a dash (as above), a colon (`NEW DELHI: `) or a period before a capital
# (`Berlin. Der`), tried in the order they occur; a dash ends the search.
# Every branch opens with its separator character, so the scan skips ordinary text quickly.
_PLACE_SEP_RE = re.compile(
    rf"(?P<dash>(?:--|[-_])(?={_SP})|[–—])"
    rf"|(?P<colon>:(?<=[^\W\d_]:)(?={_SP}))"
    rf"|(?P<period>\.(?<=[^\W\d_]{{2}}\.)(?={_SP}[\"'„“«‘]?[^\W\d_]))"
)
_LEAD_MIN = 120  # characters after a mixed-case place-only dateline that make the text a lead anyway
_SENTENCE_END = frozenset(".!?…\"'”»“)")
_SCORE_RE = re.compile(r"\d{1,2}[ \t]?[-–:][ \t]?\d{1,2}(?!\d)")  # `Ajax - PSV 2-1`: a match, not a dateline
_NO_DASH_RE = re.compile(
    rf"^(?P<place>[^\W\d_][^\W\d_ .'’-]*(?:[ .'’-]{{1,2}}[^\W\d_]+){{0,3}})\s+"
    rf"(?P<date>{_DATE})\s+(?=[^\W\d_])"
)
_BYLINE_RE = re.compile(r"^By\s+(?P<rest>.+)$")
# The agency (and job title) between a byline and the place: `Associated Press`, `AP Science Writer`.
_BYLINE_SPLIT_RE = re.compile(  # (?<!\s): one try per run of spaces, not one per space (linear)
    r"(?<!\s)\s+(?:Associated Press|AP|Reuters|AFP|Bloomberg)"
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
        # German river and region abbreviations: `Frankfurt a.M.`, `Halle a.d. Saale`, `Freiburg i.Br.`
        "a.",
        "a.M.",
        "a.d.",
        "i.",
        "i.Br.",
        "v.d.",
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
        return _place_in_parens(window, full, m)
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


def _place_in_parens(window: str, full: str, m: re.Match[str]) -> Dateline | None:
    """`(Bruxelles) Les ministres`: a known place in parentheses before a capitalized sentence."""
    place = m.group("paren").strip()
    nxt = window[m.end() : m.end() + 2]
    if not (nxt[:1] == " " and nxt[1:2].isupper() and _valid_place(place)):
        return None
    if not _places.is_place(place) or any(w in _words()[0] for w in place.casefold().split()):
        return None
    return _make(window, m.end(), full, place=place, agencies=[])


def _house_credit(raw: str, head: str) -> bool:
    """An unlisted lower-case credit (a site's own short code) after a known place: `Kiel (xyz) -`."""
    return (
        raw.isalpha()
        and raw.islower()
        and 2 <= len(raw) <= 6
        and _places.is_place(head.split(",")[0].split("/")[0])
    )


def _with_credit(window: str, full: str) -> Dateline | None:
    for m in _CREDIT_RE.finditer(window, 0, 160):
        raw = m.group("paren") or m.group("slash")
        tokens = _credit_tokens(raw)
        if tokens is None:
            continue
        known = any(_agencies.is_known(t) for t in tokens)
        sep = cast("re.Match[str]", _AFTER_CREDIT_RE.match(window, m.end()))  # all optional: always matches
        has_sep = bool(sep and sep.group("sep")) and sep.group("sep") != ":"
        if not known and not (
            has_sep and ((_is_upper(raw) and len(raw) <= 12) or _house_credit(raw, window[: m.start()]))
        ):
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


@cache
def _words() -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    """(labels, prefixes, common words) from ``data/datelines.json``, casefolded."""
    data = json.loads(files("wirefeed").joinpath("data/datelines.json").read_text("utf-8"))
    return (
        frozenset(w.casefold() for w in data["labels"]),
        tuple(sorted((w.casefold() + " " for w in data["prefixes"]), key=len, reverse=True)),
        frozenset(w.casefold() for w in data["common_words"]),
    )


def _letters(s: str) -> int:
    return sum(c.isalpha() for c in s)


def _place_only_ok(place: str, date: str | None, kind: str, sep: str, rest: str) -> bool:
    """Whether a place printed without a credit has the evidence its separator ``kind`` asks for.

    ``rest``: the text after the separator (the whole of it, which may be long)."""
    labels, prefixes, common = _words()
    heads = [_PAREN_TAIL_RE.sub("", p.split(",")[0]).strip() for p in place.split("/")]
    region = place.split("/")[0].partition(",")[2].strip()
    if not all(heads):
        return False
    folded = [h.casefold() for h in heads]
    prefixed = False
    for i, h in enumerate(folded):  # `ABOARD AIR FORCE ONE`: the place proper follows the prefix
        p = next((p for p in prefixes if h.startswith(p)), None)
        if p:
            folded[i], prefixed = h[len(p) :], True
    whole = place.split(",")[0].strip()
    known = all(_places.is_place(h) for h in folded) or (len(heads) > 1 and _places.is_place(whole))
    if not known and any(
        w in labels or _agencies.is_known(w) for h in folded for w in re.split(r"[\s.'’-]+", h)
    ):
        return False  # `LIVE -`, `ANALYSIS-`, `LE POINT SUR LA SITUATION -`, `BELGA -`
    upper = all(_is_upper(h) for h in heads)
    if kind == "colon":  # `NEW DELHI: `; labels (`UPDATE:`) and names (`TRUMP:`) are the usual colons
        return upper and known
    if kind == "period":  # `Berlin. Der`: a sentence opening with a town's name looks just the same
        return known and not date and not region and not any(h in common for h in folded) and _is_lead(rest)
    if upper:
        if _letters(heads[0]) < 3:
            return False
        if known or date or (region and _places.is_region(region)):
            return True
        # An unknown upper-case place (small towns): one or two words, longer than an acronym.
        words = sum(len(h.split()) for h in folded)
        return (words <= 2 or prefixed) and all(_letters(h) >= 4 for h in heads)
    if not heads[0][:1].isupper():
        return False
    if date:
        return True
    if region and _places.is_region(region) and sep in "–—":
        return True  # `Georgetown, Guyana—`
    if not known or any(h in common for h in folded):
        return False
    # `Brussel - De`, `München/London – In`; a plain hyphen also joins teams (`Ajax - PSV 2-1`).
    return _is_lead(rest) and (sep in "–—" or not _SCORE_RE.search(rest, 0, 40))


def _is_lead(rest: str) -> bool:
    """A lead's text, not a headline's (`Potsdam - Festival eröffnet`): long, or a finished sentence."""
    return len(rest) >= _LEAD_MIN or rest.rstrip()[-1:] in _SENTENCE_END


def _without_credit(window: str, full: str) -> Dateline | None:
    for s in _PLACE_SEP_RE.finditer(window, 0, 90):
        kind = s.lastgroup or "dash"
        head = window[: s.start()]
        if kind != "dash" and (len(head) > 40 or head.count(" ") > 3 or not head[:1].isupper()):
            continue  # a colon or period after a sentence, not after a place: skip the costly split
        parts = _split_head(head)
        if parts is not None and parts[1] is not None and parts[0] is None:
            _, place, date = parts
            sep = s.group(0).strip()
            if _place_only_ok(cast(str, place), date, kind, sep, full[s.end() : s.end() + _LEAD_MIN]):
                return _make(window, s.end(), full, place=place, agencies=[], date=date)
        if kind == "dash":
            break
    m = _NO_DASH_RE.match(window) if window[:2].isupper() else None  # upper-case places only
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
    text = visible(text)  # a bidi or zero-width mark inside the dateline must not hide it
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
