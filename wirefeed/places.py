"""Dateline places to locations: English name and ISO country, from a curated table (data).

The table (``data/places.json``) holds Dutch exonyms (``LONDEN`` → London, GB) and frequent dateline
places. A place made of several (``OSLO/LONDON``) resolves to its first part; a region after a comma
(``RALEIGH, N.C.``) is ignored for the lookup. A place not in the table gives ``None`` — never a
guess — and the dateline stage counts it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import TypedDict

__all__ = ["LocationDict", "resolve_place"]


class LocationDict(TypedDict):
    printed: str
    name: str
    country: str


@cache
def _table() -> dict[str, list[str]]:
    data = json.loads(files("wirefeed").joinpath("data/places.json").read_text("utf-8"))
    return {k.casefold(): v for k, v in data["places"].items()}


def resolve_place(place: str | None) -> LocationDict | None:
    if not place:
        return None
    first = place.split("/")[0].split(",")[0].strip()
    hit = _table().get(first.casefold())
    if hit is None:
        return None
    return LocationDict(printed=place, name=hit[0], country=hit[1])
