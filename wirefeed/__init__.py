"""wirefeed: news-wire copy on web portals → clean, deduplicated, machine-readable records.

The core (this package, without its ``spiders``, ``pipelines`` and ``schemas`` subpackages) is pure
and imports no Scrapy: a data team can use the public functions below on pages of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["TimeParseError", "detect_language", "extract_stories", "parse_dateline", "refine", "resolve_time"]

if TYPE_CHECKING:
    from wirefeed.dateline import parse_dateline
    from wirefeed.errors import TimeParseError
    from wirefeed.extract import extract_stories
    from wirefeed.language import detect_language
    from wirefeed.stamps import refine, resolve_time

_LAZY = {
    "parse_dateline": "wirefeed.dateline",
    "resolve_time": "wirefeed.stamps",
    "refine": "wirefeed.stamps",
    "extract_stories": "wirefeed.extract",
    "detect_language": "wirefeed.language",
    "TimeParseError": "wirefeed.errors",
}


def __getattr__(name: str) -> Any:
    # Lazy so that `import wirefeed.settings` (Scrapy) and the CLI start fast.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'wirefeed' has no attribute {name!r}")
