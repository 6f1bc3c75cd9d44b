"""Invisible format characters: bidi controls, zero-width spaces and joiners, the BOM and soft hyphen.

A page can put them anywhere (``KYIV\u200f (ANP) -``): a reader never sees them, but a pattern does,
and a dateline or stamp with one inside goes unrecognised. :func:`visible` removes them from the copy a
parser matches on; the story text keeps what the page printed.
"""

from __future__ import annotations

import re
from bisect import bisect_right

__all__ = ["INVISIBLE", "Positions", "visible", "visible_positions"]

# Unicode Cf characters that change no visible glyph in running text (data: add one here, not a branch).
_CODEPOINTS = [0x00AD, 0x061C, 0x180E, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065),
               *range(0x2066, 0x206A), 0xFEFF]  # fmt: skip
INVISIBLE = dict.fromkeys(_CODEPOINTS)
# Found and removed by a scan in C: `str.translate` looks up every character in a dict, 12x slower on a
# 2 MB line (a hostile page's text with no block tag).
_ANY_RE = re.compile("[" + "".join(map(chr, _CODEPOINTS)) + "]")


def visible(text: str) -> str:
    """``text`` without invisible format characters (fast when there are none)."""
    return text if text.isascii() or not _ANY_RE.search(text) else _ANY_RE.sub("", text)


class Positions:
    """For each index of a visible copy (and its end), the index in the original text it came from.

    Kept as the copy's index of every removed mark, so its size is the number of marks, not of
    characters: a lookup counts the marks removed before that index."""

    def __init__(self, removed_at: list[int]) -> None:
        self._removed_at = removed_at  # non-decreasing: the copy's index where each mark was

    def __getitem__(self, index: int) -> int:
        return index + bisect_right(self._removed_at, index)


def visible_positions(text: str) -> tuple[str, Positions | None]:
    """``visible(text)`` and the :class:`Positions` that map it back to ``text``; ``None`` for the
    positions when nothing was removed (the common case)."""
    if text.isascii():
        return text, None
    removed_at = [m.start() - k for k, m in enumerate(_ANY_RE.finditer(text))]
    if not removed_at:
        return text, None
    return _ANY_RE.sub("", text), Positions(removed_at)
