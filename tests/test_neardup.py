"""neardup: the MinHash permutations are the fixed ones every stored signature was made with."""

from __future__ import annotations

import numpy as np

from wirefeed import neardup


def test_the_permutations_are_the_draws_of_the_fixed_seed() -> None:
    """Kept as data for a fast start; they must stay the seed's draws, or signatures stored by earlier
    runs would no longer compare with new ones."""
    rng = np.random.RandomState(20261126)
    a = rng.randint(1, (1 << 61) - 1, size=neardup.NUM_PERM, dtype=np.uint64)
    b = rng.randint(0, (1 << 61) - 1, size=neardup.NUM_PERM, dtype=np.uint64)
    assert np.array_equal(neardup._A, a) and np.array_equal(neardup._B, b)
    assert neardup._A.dtype == np.uint64 and neardup._B.dtype == np.uint64


def test_a_signature_is_stable() -> None:
    text = "De regering heeft dinsdag nieuwe maatregelen aangekondigd om de woningnood te bestrijden."
    sig = neardup.signature(text)
    assert sig is not None and sig.dtype == np.uint32 and len(sig) == neardup.NUM_PERM
    assert neardup.similarity(sig, neardup.signature(text.upper())) == 1.0
    assert neardup.similarity(sig, neardup.signature("Iets heel anders over het weer in de provincie")) < 0.2
