"""Near-duplicate signatures: the same wire story on two portals, in one cluster.

MinHash (Broder, 1997) over word 3-shingles of the normalized lead and body, with one shared set of
permutations so signatures from any run and any process compare; LSH banding (16 bands × 4 rows)
finds candidates, and the estimated Jaccard similarity decides. Titles are left out on purpose: portals
retitle wire copy, the text under the dateline is what they share. A few numpy array operations do
the work; datasketch implements the same method but pulls in scipy for it.
"""

from __future__ import annotations

import hashlib
import struct

import numpy as np

from wirefeed.identity import normalize_text

__all__ = [
    "BANDS",
    "CANDIDATES_PER_BAND",
    "NUM_PERM",
    "ROWS",
    "THRESHOLD",
    "band_keys",
    "best_cluster",
    "candidates_sql",
    "pack",
    "signature",
    "similarity",
]

NUM_PERM = 64
BANDS, ROWS = 16, 4
#: Estimated Jaccard similarity at or above which two texts are one story (measured: benchmarks/neardup.py).
THRESHOLD = 0.4
#: Stories a lookup compares per LSH band (the latest that share it): bounds the cost per story however
#: many near-identical stories the store holds (benchmarks/neardup_scale.py).
CANDIDATES_PER_BAND = 32
_PRIME = np.uint64((1 << 61) - 1)
_MAX = np.uint64((1 << 32) - 1)
_rng = np.random.RandomState(20261126)  # fixed: signatures must compare across runs and processes
_A = _rng.randint(1, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
_B = _rng.randint(0, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)


def _shingles(text: str) -> set[str]:
    words = normalize_text(text).split()
    if len(words) < 3:
        return {" ".join(words)} if words else set()
    return {f"{a} {b} {c}" for a, b, c in zip(words, words[1:], words[2:], strict=False)}


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature (``NUM_PERM`` uint32 values) of ``text``; ``None`` for empty text."""
    shingles = _shingles(text)
    if not shingles:
        return None
    blake = hashlib.blake2b  # one 64-bit little-endian hash per distinct shingle, read in one go
    hv = np.frombuffer(b"".join([blake(s.encode("utf-8"), digest_size=8).digest() for s in shingles]), "<u8")
    with np.errstate(over="ignore"):
        phv = np.bitwise_and((np.outer(hv, _A) + _B) % _PRIME, _MAX)
    sig: np.ndarray = phv.min(axis=0).astype(np.uint32)
    return sig


def band_keys(sig: np.ndarray) -> list[int]:
    """One 63-bit key per LSH band: equal keys in any band make two signatures candidates."""
    keys = []
    for b in range(BANDS):
        chunk = sig[b * ROWS : (b + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(bytes([b]) + chunk, digest_size=8).digest()
        keys.append(struct.unpack("<q", digest)[0] >> 1)
    return keys


def pack(sig: np.ndarray) -> np.ndarray:
    """Signatures are stored as 16-bit values: half the bytes, and a chance collision per value
    (1 in 65,536) moves a similarity estimate by far less than its sampling error."""
    return (sig & 0xFFFF).astype(np.uint16)


def candidates_sql(bands: int, param: str = "?") -> str:
    """The lookup bound, as SQL both stores run (SQLite ``?``, PostgreSQL ``%s`` placeholders, one per
    band key): the story numbers of the ``CANDIDATES_PER_BAND`` latest stories (highest numbers) of each
    band, over the table ``lsh(band_key, story)``. Thousands of near-identical stories share every band;
    comparing against all of them made the cost per story grow with the store."""
    one = (
        f"SELECT story FROM (SELECT story FROM lsh WHERE band_key={param} "
        f"ORDER BY story DESC LIMIT {CANDIDATES_PER_BAND}) AS b{{}}"
    )
    return " UNION ".join(one.format(i) for i in range(bands))


def best_cluster(packed: np.ndarray, candidates: list[tuple[str, bytes]]) -> str | None:
    """The cluster of the candidate (cluster id, packed signature bytes) most similar to ``packed``, if
    it reaches ``THRESHOLD``: all candidates at once, one comparison over a (candidates × permutations)
    array."""
    if not candidates:
        return None
    sigs = np.frombuffer(b"".join(bytes(b) for _, b in candidates), dtype=np.uint16)
    sims = (sigs.reshape(len(candidates), -1) == packed).mean(axis=1)
    best = int(sims.argmax())
    return str(candidates[best][0]) if sims[best] >= THRESHOLD else None


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)
