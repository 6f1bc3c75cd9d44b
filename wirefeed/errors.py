"""The few exception types wirefeed raises; each says who raises it, what it carries and how to fix it.

Everything else that can go wrong with one input (a page without stories, a record that fails the
contract) is not an exception: it becomes a quarantine record with a stage and a reason.
"""

from __future__ import annotations

__all__ = ["FeedError", "ProfileError", "StoreError", "TimeParseError", "WirefeedError"]


class WirefeedError(Exception):
    """Base class: catch this to handle any wirefeed failure."""


class TimeParseError(WirefeedError, ValueError):
    """Raised by :func:`wirefeed.resolve_time` (and ``refine``) for a stamp that is a time expression
    but cannot be true: a negative age, an age beyond the supported range, a time in the future.

    Carries ``raw`` (the stamp as printed) and ``reason`` (a short machine-readable slug such as
    ``negative-age``, ``too-old``, ``future``, ``conflict``). The timestamps stage quarantines the story
    with that reason; fix the portal profile's timezone or semantics if many stamps are rejected.
    """

    def __init__(self, raw: str, reason: str, detail: str = "") -> None:
        self.raw = raw
        self.reason = reason
        super().__init__(f"{reason}: {raw!r}" + (f" ({detail})" if detail else ""))


class ProfileError(WirefeedError):
    """Raised when a portal profile file is malformed. Carries ``source`` (file or profile name) and
    ``field`` (the offending key); the message names the fix."""

    def __init__(self, source: str, field: str, message: str) -> None:
        self.source = source
        self.field = field
        super().__init__(f"profile {source}: field {field!r}: {message}")


class StoreError(WirefeedError):
    """Raised by :class:`wirefeed.store.StateStore` when a state file cannot be used, e.g. it was
    written by another schema version. Carries ``path``; the message says what to do (move the file
    away or point ``--state`` elsewhere)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"state store {path}: {message}")


class FeedError(WirefeedError):
    """Raised by :func:`wirefeed.feeds.parse_feed` for a document that is not a feed or is unsafe to
    read. Carries ``reason`` (``entities``, ``not-xml``, ``not-a-feed``); the feed spider counts it as
    ``wirefeed/feed/<reason>`` and moves on."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}")
