"""Invisible format characters: bidi controls, zero-width spaces and joiners, the BOM and soft hyphen.

A page can put them anywhere (``KYIV\u200f (ANP) -``): a reader never sees them, but a pattern does,
and a dateline or stamp with one inside goes unrecognised. :func:`visible` removes them from the copy a
parser matches on; the story text keeps what the page printed.
"""

from __future__ import annotations

import re

__all__ = ["INVISIBLE", "visible", "visible_positions"]

# Unicode Cf characters that change no visible glyph in running text (data: add one here, not a branch).
_CODEPOINTS = [0x00AD, 0x061C, 0x180E, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065),
               *range(0x2066, 0x206A), 0xFEFF]  # fmt: skip
INVISIBLE = dict.fromkeys(_CODEPOINTS)
# Found by a scan in C before anything is removed: `str.translate` looks up every character of the text.
_ANY_RE = re.compile("[" + "".join(map(chr, _CODEPOINTS)) + "]")


def visible(text: str) -> str:
    """``text`` without invisible format characters (fast when there are none)."""
    return text if text.isascii() or not _ANY_RE.search(text) else text.translate(INVISIBLE)


def visible_positions(text: str) -> tuple[str, list[int] | None]:
    """``visible(text)`` and, for each of its characters (and its end), the index in ``text`` it came
    from; ``None`` for the positions when nothing was removed (the common case, no list built)."""
    if text.isascii() or not _ANY_RE.search(text):
        return text, None
    clean = text.translate(INVISIBLE)
    if len(clean) == len(text):
        return clean, None
    return clean, [i for i, c in enumerate(text) if ord(c) not in INVISIBLE] + [len(text)]
