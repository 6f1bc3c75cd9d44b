"""What a crawl command names: the spider, the profile it crawls, and where its state lives by default.

``wirefeed crawl mysite --profile mysite.json`` runs the portal spider on the user's profile ``mysite``,
the way ``wirefeed crawl zeelandnet`` runs it on a built-in one. Each profile gets its own default state
store (``.wirefeed/portal-mysite.sqlite``), so two portals crawled by the same spider never share their
story memory or run history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from wirefeed.profiles import load_profile

__all__ = ["default_state_name", "resolve_spider"]

SPIDERS = ("portal", "feed")


def resolve_spider(name: str, profile_files: Iterable[str], spider_args: list[str]) -> tuple[str, list[str]]:
    """``(spider, spider_args)`` for ``wirefeed crawl NAME``: a user profile's name (from ``--profile``)
    runs the portal spider with ``-a profile=NAME``; anything else is a spider name, unchanged."""
    if name in SPIDERS or any(a.startswith("profile=") for a in spider_args):
        return name, spider_args
    for path in profile_files:
        if load_profile(path).name == name:
            return "portal", [*spider_args, f"profile={name}"]
    return name, spider_args


def default_state_name(spider: str, profiles: str | None) -> str:
    """The file stem of a crawl's default state store: the spider, and its profiles unless the spider
    is named after its one profile (``zeelandnet``)."""
    names = sorted({p.strip() for p in (profiles or "").split(",") if p.strip()})
    names = [re.sub(r"[^A-Za-z0-9_.-]", "_", n.rsplit("/", 1)[-1].removesuffix(".json")) for n in names]
    if not names or names == [spider]:
        return spider
    return f"{spider}-{'+'.join(names)}"
