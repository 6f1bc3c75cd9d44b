"""The few exception types wirefeed raises; each says who raises it, what it carries and how to fix it.

Everything else that can go wrong with one input (a page without stories, a record that fails the
contract) is not an exception: it becomes a quarantine record with a stage and a reason.
"""

from __future__ import annotations

__all__ = [
    "FeedError",
    "LockError",
    "OutputError",
    "ProfileError",
    "StoreError",
    "TimeParseError",
    "UsageError",
    "WirefeedError",
]


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


class OutputError(WirefeedError):
    """Raised by :class:`wirefeed.output.RecordWriter` when a line could not be written: carries
    ``path`` and ``cause`` (``disk-full``, ``read-only``, ``is-a-directory``, ``permission-denied``,
    ``no-such-directory``, ``file-too-large``, ``io-error``). The run stops with exit 1 and the record
    stays pending in the state store, so the next run (with space, or another ``-o``) emits it."""

    def __init__(self, path: str, cause: str, detail: str) -> None:
        self.path = path
        self.cause = cause
        super().__init__(
            f"cannot write output {path}: {cause.replace('-', ' ')} ({detail}); free space or choose "
            "another -o; records not written stay pending and the next run emits them"
        )


class LockError(WirefeedError):
    """Raised by :func:`wirefeed.lock.acquire` when another run holds a state store or output.
    Carries ``path`` and ``holder`` (``pid … on HOST since TIME``); the CLI exits 4. Wait for that run,
    or pass ``--wait``."""

    def __init__(self, path: str, holder: str) -> None:
        self.path = path
        self.holder = holder
        super().__init__(f"{path} is in use by another run ({holder}); wait for it or pass --wait")


class UsageError(WirefeedError):
    """A command line or setting that cannot work (an unknown spider or profile, ``-s NAME=abc`` for a
    number). The CLI prints the one-line message and exits 2 before starting anything."""
