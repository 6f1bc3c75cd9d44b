"""Invisible marks: the visible copy, and the map from it back to the text the page printed."""

from __future__ import annotations

import random
import time

from wirefeed.invisible import visible, visible_positions
from wirefeed.stamps import split_stamp

MARKS = "\u00ad\u200b\u200f\u2066\ufeff"


def _brute_positions(text: str) -> list[int]:
    """The map written the slow, obvious way: the index of every kept character, then the end."""
    return [i for i, c in enumerate(text) if c not in MARKS] + [len(text)]


def test_positions_map_every_index_of_the_copy_back_to_the_text() -> None:
    rng = random.Random(5)
    for _ in range(2_000):
        text = "".join(rng.choice("ab é" + MARKS) for _ in range(rng.randint(1, 30)))
        clean, where = visible_positions(text)
        assert clean == visible(text) == "".join(c for c in text if c not in MARKS)
        expected = _brute_positions(text)
        if where is None:
            assert expected == list(range(len(text) + 1))
        else:
            assert [where[j] for j in range(len(clean) + 1)] == expected


def test_no_mark_gives_the_text_itself_and_no_map() -> None:
    assert visible_positions("Den Haag é") == ("Den Haag é", None)
    assert visible_positions("KYIV (ANP) -") == ("KYIV (ANP) -", None)


def test_a_two_megabyte_line_with_a_mark_costs_little() -> None:
    """A hostile page's text with no block tag is one line of megabytes; a mark in it made the map a
    Python list of every character (1.4 s CPU for a 3.8 MB page in the fuzz campaign). CPU time, with a
    margin of about 10x over this code on a busy machine; the old map alone took 0.6 s here."""
    line = "x " * 1_000_000 + "\u200b" + "y" * 10
    start = time.process_time()
    for _ in range(3):
        assert split_stamp(line) is None
        visible(line)
    assert time.process_time() - start < 0.5
