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
_SHIFT = np.uint64(61)
_BLAKE8 = hashlib.blake2b(digest_size=8)
# The permutations (a, b), fixed: signatures must compare across runs and processes. They are the first
# draws of numpy's RandomState(20261126) (randint over [1, p) for a, then [0, p) for b; tests check it),
# kept as data so a start does not import numpy.random (~20 ms).
_PERMUTATIONS = bytes.fromhex(
    "8035beba2495430e2c95e393122b6c1effc6af2807ff131a80e6048b324abd01965e21c3c1cf090371de8280798e3d09"
    "0d865b3bf8392b038d4c0d94f9080a10353416c50c096104c4f6ecf5d2d2ea076b14eb800afc3b09d49c0cdec7002c12"
    "5615bdcede61a01c31740d04982d4a1c4265c60909048f1499d4cb04904c14175a046bdaa41fcb1ada9eb8607a034e0d"
    "aedacbc9a1410309120f09350bbee31580521ddece5453167965d0ab2d0573183382302b337d8907899e485c35364e17"
    "c385b411785644028bd57a23548997197ee627a939b00a03a27721d0c146ef08e175cece264e8217063109e78a121105"
    "7497c307b966ee00dcc7b49fb4420a1c6819091b7f473a08aecb21765897950125d80d2650a534192572fb39ef1a6006"
    "0fadc2fd11b34007b6562058b2464f1f6f32d451e670c60ef9f74a4ee49a130d9d20e80b58aeaf1d51b978aabbc5a212"
    "db55ed01037a571e1073d8cce110110bf57523cc1e0fed192294196656bf5b012c7792501f2e63077e39622285206a06"
    "cc4858d761190502997aa595c7d6cf0c5a7686f54c8e7b07102f1894e4c82f027d588fadc969f603372b44af457e8a1e"
    "59faf5e041a0d40bbad60febec98791c08aed0509f186d067163662343be44159173cd659f80ee09d6894b28920ea10e"
    "e35377941bcc69173a17d70db0b08f0ae7be3355b403d50b564830bae74c0d0d9b9c186779a0a71e433b2cd30c9a5b0c"
    "ff45dd54c93f2319f4244198bff54a0762fc78802115cd03fbcc680d5a03a5060259b64f90e75c0813a802f4110abd04"
    "e7fa83a320dd98147d59aea86794690a6ce84b0da3909f1168cf7a9384afbf15631856f098c94d1e762122228bef4c10"
    "fb7421933f6df20472464727c3ae3406b3172a3e17780f1207e46ac04e532b064c4070dffb5f1506141efc17cfdf750c"
    "1aadf1e501447f02dc1137ac3dab9715de030027b9edf416edc69acc98c1c50fb931b348d1478301b1a4dee87aa8db04"
    "ea368f61136790185ff90226aa0a610328811fa89519a51bedf87dab26e60e1cc5f2078d5f9a8a1054eab16e4f348516"
    "35a87c1871b89a051cc09809665c670d7ffa383fd02a3f065d68162f723d780df1ca00c87450eb0610f53f98d59d8714"
    "b17e50bdf2c6a30e9335fd4335256a01c6b8a2bafbbe510d07ce8e0e1918df15e1884fd4fe388d13bc4c265672620c06"
    "3603db8386a4841936d5d66e3fa068065c90516f2d128a11cc38db1634d3550dbf5a08914fbd600e0eb8f16fe52c6f09"
    "473500316166de1b69626a8c7e7bcb0c90be8ba5b8565e1fb206d029b61fea1fb05613e3bbe5dc00768e94a1d16a2812"
    "b32e766c5c55950db4845f7df27afa0c0912d158c94e590a21b650e4d594d117aa39016c9165fd100e1492a8abe39c1e"
    "bafcb87503052f080fe427b1d76e0309"
)
_A = np.frombuffer(_PERMUTATIONS, "<u8", count=NUM_PERM)
_B = np.frombuffer(_PERMUTATIONS, "<u8", count=NUM_PERM, offset=8 * NUM_PERM)
_B_COLUMN = _B[:, None]  # one row per permutation: each row's minimum is over contiguous memory


def _shingles(*parts: str | None) -> set[bytes]:
    # The parts read as one text (joined by newlines: normalizing each part gives the same words),
    # each part normalized once (cached: the content hash has just normalized the same lead and body).
    normalized = " ".join([n for n in map(normalize_text, filter(None, parts)) if n])
    if not normalized:
        return set()
    words = normalized.encode("utf-8").split(b" ")
    if len(words) < 3:
        return {b" ".join(words)}
    return set(map(b" ".join, zip(words, words[1:], words[2:], strict=False)))


def signature(*parts: str | None) -> np.ndarray | None:
    """The MinHash signature (``NUM_PERM`` uint32 values) of the text of ``parts`` (as if joined by
    newlines); ``None`` for empty text."""
    shingles = _shingles(*parts)
    if not shingles:
        return None
    # One 64-bit little-endian blake2b hash per distinct shingle (copying a hasher is cheaper than
    # making one), read in one go.
    hasher, digests = _BLAKE8.copy, []
    for s in shingles:
        h = hasher()
        h.update(s)
        digests.append(h.digest())
    hv = np.frombuffer(b"".join(digests), "<u8")
    with np.errstate(over="ignore"):
        x = np.multiply.outer(_A, hv)
        x += _B_COLUMN
        # x % (2**61 - 1) without a division: a Mersenne prime folds the high bits onto the low ones.
        phv = x & _PRIME
        x >>= _SHIFT
        phv += x
        np.subtract(phv, _PRIME, out=phv, where=phv >= _PRIME)
    phv &= _MAX
    sig: np.ndarray = phv.min(axis=1).astype(np.uint32)
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
