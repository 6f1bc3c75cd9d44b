"""A compact exact set of 64-bit keys, for what a long run remembers per page or per story.

A crawl of a million pages remembers, per process, the URLs it requested and read and the stories it
counted. In a Python ``set`` each entry costs ~60 bytes (an int object and a hash slot); a
:class:`KeySet` keeps its keys in one sorted ``array('q')`` (8 bytes a key) plus a small ``set`` of the
latest additions, merged into the array once they reach a sixteenth of it, so memory stays near 12 bytes
a key and the merge work per key constant (Timsort merges the two sorted runs in linear time). Lookups
are a hash probe and a binary search. Keys are ints in the signed 64-bit range, e.g. ``hash()`` of a
string (per process, like the set itself; a collision is negligible at 10^7 keys).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left

__all__ = ["KeySet"]

#: The latest additions and removals are merged into the sorted array at max(this, a sixteenth of it).
MERGE_MIN = 4096


class KeySet:
    __slots__ = ("_recent", "_removed", "_sorted")

    def __init__(self) -> None:
        self._sorted = array("q")
        self._recent: set[int] = set()
        self._removed: set[int] = set()  # keys of the sorted array taken out since its last merge

    def _in_sorted(self, key: int) -> bool:
        keys = self._sorted
        i = bisect_left(keys, key)
        return i < len(keys) and keys[i] == key

    def __contains__(self, key: int) -> bool:
        if key in self._recent:
            return True
        return key not in self._removed and self._in_sorted(key)

    def __len__(self) -> int:
        return len(self._sorted) - len(self._removed) + len(self._recent)

    def add(self, key: int) -> None:
        if key in self._removed:
            self._removed.discard(key)
        elif key not in self._recent and not self._in_sorted(key):
            self._recent.add(key)
            self._maybe_merge()

    def discard(self, key: int) -> None:
        if key in self._recent:
            self._recent.discard(key)
        elif self._in_sorted(key):
            self._removed.add(key)
            self._maybe_merge()

    def _maybe_merge(self) -> None:
        if len(self._recent) + len(self._removed) >= max(MERGE_MIN, len(self._sorted) >> 4):
            self._merge()

    def _merge(self) -> None:
        removed = self._removed
        kept = [k for k in self._sorted if k not in removed] if removed else self._sorted.tolist()
        kept.extend(sorted(self._recent))
        kept.sort()  # two sorted runs: one linear merge
        self._sorted = array("q", kept)
        self._recent = set()
        self._removed = set()
