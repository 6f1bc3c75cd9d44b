"""The agency registry: printed credit codes (``RTR``, ``Rtr``, ``Reuters``, ``dpa/bb``) to agencies.

The table is data (``data/agencies.json``). A code that means different agencies in different
languages (``ANP`` is the Dutch agency in Dutch copy, the Nigerien one in French copy) is resolved by
the copy's language. Unknown codes are kept as printed with ``code: None`` so nothing is dropped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib.resources import files
from typing import TypedDict

__all__ = ["Agency", "is_known", "normalize"]


class Agency(TypedDict):
    printed: str
    code: str | None
    name: str | None
    country: str | None


@cache
def _registry() -> tuple[dict[str, str], dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    data = json.loads(files("wirefeed").joinpath("data/agencies.json").read_text("utf-8"))
    aliases: dict[str, str] = {}
    for code, entry in data["agencies"].items():
        for alias in entry["aliases"]:
            aliases[alias.casefold()] = code
    for parent, suffixes in data["regional_suffixes"].items():
        if parent.startswith("_"):
            continue
        for suffix in suffixes:
            aliases.setdefault(suffix.casefold(), aliases[parent.casefold()])
    return aliases, data["agencies"], data["by_language"]


def is_known(printed: str) -> bool:
    """True when ``printed`` is a code or alias in the registry (case-insensitive)."""
    return printed.casefold() in _registry()[0]


def is_dashless(printed: str) -> bool:
    """True for agencies that print their credit without a dash (Keystone-SDA: ``Paris (ats afp) Le``)."""
    aliases, table, _ = _registry()
    code = aliases.get(printed.casefold())
    return bool(code and table[code].get("dashless"))


def normalize(printed: Sequence[str], language: str | None = None) -> list[Agency]:
    """Map printed codes to registry entries, in printed order, without duplicates."""
    aliases, table, by_language = _registry()
    out: list[Agency] = []
    seen: set[str] = set()
    for p in printed:
        code = aliases.get(p.casefold())
        if code and language and code in by_language:
            code = by_language[code].get(language, code)
        key = code or p
        if key in seen:
            continue
        seen.add(key)
        entry = table.get(code) if code else None
        out.append(
            Agency(
                printed=p,
                code=code,
                name=entry["name"] if entry else None,
                country=entry["country"] if entry else None,
            )
        )
    return out
