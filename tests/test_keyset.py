"""KeySet: an exact set of 64-bit keys, checked against a Python set through adds, discards and merges."""

from __future__ import annotations

import random

from wirefeed.keyset import MERGE_MIN, KeySet


def test_keyset_agrees_with_a_set_through_merges() -> None:
    rng = random.Random(7)
    keys, ref = KeySet(), set()
    pool = [rng.randrange(-(1 << 63), 1 << 63) for _ in range(3 * MERGE_MIN)]
    for step in range(12 * MERGE_MIN):
        key = rng.choice(pool)
        if rng.random() < 0.2:
            keys.discard(key)
            ref.discard(key)
        else:
            keys.add(key)
            ref.add(key)
        if step % 997 == 0:
            assert len(keys) == len(ref)
            assert all((k in keys) == (k in ref) for k in pool)
    assert len(keys) == len(ref)
    assert all((k in keys) == (k in ref) for k in pool)
    assert len(keys._sorted) > 0  # the merges ran


def test_keyset_holds_extreme_keys_and_a_key_put_back_after_discard() -> None:
    keys = KeySet()
    for k in (-(1 << 63), (1 << 63) - 1, 0, hash("https://example.org/a")):
        keys.add(k)
    for _ in range(MERGE_MIN):  # push them into the sorted array
        keys.add(len(keys) + 10**6)
    assert -(1 << 63) in keys and (1 << 63) - 1 in keys and 0 in keys
    keys.discard(0)
    assert 0 not in keys
    keys.add(0)
    assert 0 in keys
    assert 1 not in keys
