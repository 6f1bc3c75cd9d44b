"""The time zone a page's naive times are printed in, as far as the page itself tells.

``2024-04-28T10:00:00`` without an offset means a different instant on a US site than on a German
one. :func:`page_zone` reads what the page implies, strongest first: the offsets of its other machine
times (a ``datePublished`` with ``+02:00`` beside a naive ``dateModified``), its country (``og:locale``
``de_CH``, ``<html lang="en-GB">``, the host's country domain), its language. Where none of that names
one zone, it returns every plausible zone (space-separated, as :func:`wirefeed.resolve_time` takes
them), so the interval covers them all instead of guessing. A portal profile's zone overrides all of
this (the caller applies it). The tables are data.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

__all__ = ["page_zone"]

COUNTRY_ZONES: dict[str, str] = {
    "de": "Europe/Berlin",
    "at": "Europe/Vienna",
    "ch": "Europe/Zurich",
    "li": "Europe/Vaduz",
    "lu": "Europe/Luxembourg",
    "nl": "Europe/Amsterdam",
    "be": "Europe/Brussels",
    "fr": "Europe/Paris",
    "it": "Europe/Rome",
    "es": "Europe/Madrid",
    "pt": "Europe/Lisbon",
    "gb": "Europe/London",
    "uk": "Europe/London",
    "ie": "Europe/Dublin",
    "dk": "Europe/Copenhagen",
    "se": "Europe/Stockholm",
    "no": "Europe/Oslo",
    "fi": "Europe/Helsinki",
    "pl": "Europe/Warsaw",
    "cz": "Europe/Prague",
    "gr": "Europe/Athens",
    "tr": "Europe/Istanbul",
    "ua": "Europe/Kyiv",
    "in": "Asia/Kolkata",
    "pk": "Asia/Karachi",
    "my": "Asia/Kuala_Lumpur",
    "sg": "Asia/Singapore",
    "jp": "Asia/Tokyo",
    "kr": "Asia/Seoul",
    "cn": "Asia/Shanghai",
    "hk": "Asia/Hong_Kong",
    "il": "Asia/Jerusalem",
    "ae": "Asia/Dubai",
    "za": "Africa/Johannesburg",
    "ng": "Africa/Lagos",
    "ke": "Africa/Nairobi",
    "nz": "Pacific/Auckland",
    # countries spanning several zones: every one of them
    "us": "America/New_York America/Chicago America/Denver America/Los_Angeles",
    "ca": "America/Toronto America/Winnipeg America/Edmonton America/Vancouver",
    "au": "Australia/Perth Australia/Adelaide Australia/Sydney",
    "br": "America/Sao_Paulo America/Manaus",
    "mx": "America/Mexico_City America/Tijuana",
    "ru": "Europe/Moscow Asia/Yekaterinburg Asia/Novosibirsk Asia/Vladivostok",
}
# By language alone: the zones its news sites are in.
LANGUAGE_ZONES: dict[str, str] = {
    "de": "Europe/Berlin",
    "nl": "Europe/Amsterdam",
    "fr": "America/Toronto Europe/Paris",
    "it": "Europe/Rome",
    "en": "America/Los_Angeles America/New_York Europe/London Asia/Kolkata Australia/Sydney",
    "es": "America/Los_Angeles America/Mexico_City America/Bogota America/Argentina/Buenos_Aires Europe/Madrid",
    "pt": "America/Sao_Paulo Europe/Lisbon",
}
EVERY_ZONE = "Etc/GMT+12 Etc/GMT-14"  # nothing known: the whole range of offsets
# Generic domains say nothing about a country.
_GENERIC_TLDS = frozenset(["com", "org", "net", "info", "eu", "io", "co", "news", "media", "online", "tv"])
# `Z` is often a CMS normalizing to UTC, not the newsroom's clock: only printed offsets count.
_OFFSET_RE = re.compile(r"[+-]\d{2}:?\d{2}$")


@lru_cache(maxsize=256)
def _utcoffset(zone: str, when: datetime) -> float:
    off = when.replace(tzinfo=ZoneInfo(zone)).utcoffset()
    return off.total_seconds() if off is not None else 0.0


def _country(locale: str | None, lang: str | None, url: str) -> str | None:
    for value in (locale, lang):
        if value:
            parts = re.split(r"[-_]", value.strip())
            if len(parts) >= 2 and len(parts[1]) == 2 and parts[1].isalpha():
                return parts[1].lower()
    host = (urlsplit(url).hostname or "").lower()
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    if tld and tld not in _GENERIC_TLDS and tld in COUNTRY_ZONES:
        return tld
    return None


def _offsets(times: list[str]) -> list[tuple[datetime, float]]:
    out = []
    for t in times:
        t = t.strip()
        if not _OFFSET_RE.search(t):
            continue
        try:
            value = datetime.fromisoformat(t.replace("Z", "+00:00").replace(" ", "T", 1))
        except ValueError:
            continue
        off = value.utcoffset()
        if off is not None:
            out.append((value.replace(tzinfo=None), off.total_seconds()))
    return out


def page_zone(*, times: list[str], locale: str | None, lang: str | None, url: str) -> str:
    """The zone (or space-separated zones) naive times on this page are read in.

    ``times`` are the page's machine-readable times (ISO strings, with or without offsets); ``locale``
    is ``og:locale``; ``lang`` is ``<html lang>`` as printed.
    """
    country = _country(locale, lang, url)
    candidates = COUNTRY_ZONES.get(country or "", "")
    language = (lang or locale or "").split("-")[0].split("_")[0].lower()
    if not candidates:
        candidates = LANGUAGE_ZONES.get(language, EVERY_ZONE)
    zones = candidates.split()
    offsets = _offsets(times)
    if offsets:
        # The page's own offsets pick the zone among the candidates (an offset alone does not name a
        # zone, but it tells New York from Los Angeles); none fits: the offset itself.
        fitting = [z for z in zones if all(_utcoffset(z, when) == off for when, off in offsets)]
        if fitting and "Etc/" not in candidates:
            return " ".join(fitting)
        hours = int(offsets[0][1] // 3600)
        # Etc/ zones exist for UTC-12..UTC+14 only: a printed +20:00 names no zone (the candidates stay)
        if (
            all(off == offsets[0][1] for _, off in offsets)
            and offsets[0][1] % 3600 == 0
            and -12 <= hours <= 14
        ):
            return "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"  # Etc/GMT-2 is UTC+2
    return candidates
