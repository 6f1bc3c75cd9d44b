"""Language of a story's text, deterministic, with an honest confidence and its source.

:func:`detect_language` runs a pluggable backend restricted to the languages the crawl expects.
Backends: ``py3langid`` (the default: fast, deterministic, good on short text once restricted),
``langdetect`` (seeded so it is deterministic) and ``lingua`` (when installed); ``benchmarks/language.py``
measures all three on the team's labelled set. When the text is too short or the backend unsure,
the page's declared language (``<html lang>``) or the profile's language decides, and ``source``
says so; the confidence reported is then the backend's, never an invented certainty.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol

from wirefeed.precompiled import precompiled

__all__ = ["BACKENDS", "DEFAULT_CANDIDATES", "LanguageResult", "detect_language"]

DEFAULT_CANDIDATES = ("nl", "en", "de", "fr")
#: Below this many letters the text cannot decide on its own.
MIN_LETTERS = 12
#: A backend probability at or above this lets the text decide even against the page's language.
CONFIDENT = 0.90


@dataclass(frozen=True, slots=True)
class LanguageResult:
    code: str
    confidence: float
    source: str  # text | html-lang | profile | none


class Backend(Protocol):
    def classify(self, text: str) -> tuple[str, float]: ...


class _Py3LangId:
    def __init__(self, candidates: tuple[str, ...] | None) -> None:
        self.model = _py3langid_model(candidates)
        self.lock = threading.Lock()

    def classify(self, text: str) -> tuple[str, float]:
        with self.lock:
            code, prob = self.model.classify(text)
        return str(code), float(prob)


# py3langid ships its model LZMA-compressed (0.3–0.5 s to read); the precompiled form is the same arrays
# uncompressed in one file, memory-mapped, with the feature table stored one row per language so a
# restriction to the crawl's languages reads only their rows.
_MODEL_FORM = "py3langid-1"
_TYPECODES: dict[str, Literal["H", "I", "i"]] = {"<u2": "H", "<u4": "I", "<i4": "i"}


def _write_py3langid_form(source: Path, target: Path) -> None:
    import numpy as np
    from py3langid.modelio import load_model

    ptc, pc, classes, nextmove, row, output = load_model(source)
    arrays: dict[str, np.ndarray] = {
        "ptc_t": np.ascontiguousarray(np.asarray(ptc, dtype=np.float16).T),
        "pc": np.asarray(pc, dtype=np.float32),
        "nextmove": np.frombuffer(nextmove, dtype=np.dtype(nextmove.typecode)),
        "row": np.frombuffer(row, dtype=np.dtype(row.typecode)),
        "output": np.asarray(output, dtype=np.int32),
    }
    layout: dict[str, Any] = {"classes": list(classes), "arrays": {}}
    offset = 0
    for name, arr in arrays.items():
        layout["arrays"][name] = [offset, arr.dtype.str, list(arr.shape)]
        offset += -(-arr.nbytes // 64) * 64
    header = json.dumps(layout).encode("utf-8")
    start = -(-(8 + len(header)) // 64) * 64
    with target.open("wb") as fh:
        fh.write(len(header).to_bytes(8, "little") + header)
        for name, arr in arrays.items():
            fh.seek(start + layout["arrays"][name][0])
            fh.write(arr.tobytes())


def _py3langid_model(candidates: tuple[str, ...] | None) -> Any:
    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    path = precompiled("py3langid.bin", Path(MODEL_DIR) / MODEL_FILE, _MODEL_FORM, _write_py3langid_form)
    with path.open("rb") as fh:
        buf = memoryview(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))
    size = int.from_bytes(buf[:8], "little")
    layout = json.loads(bytes(buf[8 : 8 + size]))
    start = -(-(8 + size) // 64) * 64

    def array(name: str) -> Any:
        offset, dtype, shape = layout["arrays"][name]
        count = int(np.prod(shape))
        return np.frombuffer(buf, dtype=dtype, count=count, offset=start + offset).reshape(shape)

    def ints(name: str) -> memoryview:  # indexed per byte of text: plain ints, not numpy scalars
        offset, dtype, shape = layout["arrays"][name]
        width = np.dtype(dtype).itemsize
        return buf[start + offset : start + offset + width * shape[0]].cast(_TYPECODES[dtype])

    classes: list[str] = layout["classes"]
    ptc_t, pc = array("ptc_t"), array("pc")
    if candidates:
        unknown = set(candidates) - set(classes)
        if unknown:
            raise ValueError(f"Unknown language code(s): {unknown}")
        keep = [i for i, c in enumerate(classes) if c in set(candidates)]
        classes, ptc, pc = [classes[i] for i in keep], np.ascontiguousarray(ptc_t[keep].T), pc[keep]
    else:
        ptc = ptc_t.T
    return LanguageIdentifier(
        ptc, pc, classes, ints("nextmove"), ints("output"), norm_probs=True, tk_row=ints("row")
    )


class _LangDetect:
    def __init__(self, candidates: tuple[str, ...] | None) -> None:
        from langdetect import DetectorFactory
        from langdetect.detector_factory import PROFILES_DIRECTORY

        self.factory = DetectorFactory()
        self.factory.load_profile(PROFILES_DIRECTORY)
        self.factory.seed = 0  # the library is random without a seed
        self.candidates = candidates

    def classify(self, text: str) -> tuple[str, float]:
        from langdetect.lang_detect_exception import LangDetectException

        detector: Any = self.factory.create()
        if self.candidates:
            detector.set_prior_map(
                {c: (1.0 if c in self.candidates else 0.0) for c in self.factory.get_lang_list()}
            )
        detector.append(text)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return "und", 0.0
        return str(best.lang), float(best.prob)


class _Lingua:
    """lingua-language-detector, when installed (``pip install wirefeed[lingua]``)."""

    def __init__(self, candidates: tuple[str, ...] | None) -> None:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        if candidates:
            langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in candidates]
            builder = LanguageDetectorBuilder.from_languages(*langs)
        else:
            builder = LanguageDetectorBuilder.from_all_languages()
        self.detector = builder.build()

    def classify(self, text: str) -> tuple[str, float]:
        values = self.detector.compute_language_confidence_values(text)
        if not values:
            return "und", 0.0
        best = values[0]
        return best.language.iso_code_639_1.name.lower(), float(best.value)


BACKENDS: dict[str, type] = {"py3langid": _Py3LangId, "langdetect": _LangDetect, "lingua": _Lingua}


@cache
def _backend(name: str, candidates: tuple[str, ...] | None) -> Backend:
    if name not in BACKENDS:
        raise ValueError(f"unknown language backend {name!r}; choose one of {', '.join(BACKENDS)}")
    return BACKENDS[name](candidates)  # type: ignore[no-any-return]


def _candidates(candidates: Iterable[str] | str | None) -> tuple[str, ...] | None:
    if candidates is None:
        return DEFAULT_CANDIDATES
    if candidates == "*" or candidates == ["*"]:
        return None  # every language the backend knows
    return tuple(sorted({c.lower() for c in candidates}))


def detect_language(
    text: str,
    *,
    candidates: Iterable[str] | str | None = None,
    fallback: tuple[str, str] | str | None = None,
    backend: str = "py3langid",
) -> LanguageResult:
    """Detect the language of ``text``.

    ``candidates``: the languages to choose from (default nl/en/de/fr; ``"*"`` allows all).
    ``fallback``: ``(code, source)`` or a code (source ``profile``) used when the text cannot decide.
    Results are cached per (digest of the text, settings): a teaser and its article, or a story seen again
    in the same process, are detected once.
    """
    fb = (fallback, "profile") if isinstance(fallback, str) else (tuple(fallback) if fallback else None)
    return _detect(text, _candidates(candidates), fb, backend)


def _has_letters(text: str, n: int) -> bool:
    """At least ``n`` letters in ``text`` (stops at the n-th: a story's first words usually hold them)."""
    for c in text:
        if c.isalpha():
            n -= 1
            if n <= 0:
                return True
    return n <= 0


class _DigestCache:
    """An LRU cache of results keyed by a 16-byte digest of the text, not the text (as keys, 2,048 whole
    stories of several KB each stayed alive for a whole crawl). ``__wrapped__`` is the uncached function."""

    def __init__(self, fn: Callable[..., LanguageResult], maxsize: int) -> None:
        self.__wrapped__ = fn
        self.maxsize = maxsize
        self.lock = threading.Lock()
        self.results: OrderedDict[tuple[Any, ...], LanguageResult] = OrderedDict()

    def __call__(self, text: str, *args: Any) -> LanguageResult:
        key = (hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest(), *args)
        with self.lock:
            hit = self.results.get(key)
            if hit is not None:
                self.results.move_to_end(key)
                return hit
        result = self.__wrapped__(text, *args)
        with self.lock:
            self.results[key] = result
            if len(self.results) > self.maxsize:
                self.results.popitem(last=False)
        return result

    def cache_clear(self) -> None:
        with self.lock:
            self.results.clear()


def _detect_uncached(
    text: str, candidates: tuple[str, ...] | None, fb: tuple[str, str] | None, backend: str
) -> LanguageResult:
    if not _has_letters(text, MIN_LETTERS):
        if fb:
            return LanguageResult(fb[0], 0.0, fb[1])
        return LanguageResult("und", 0.0, "none")
    code, prob = _backend(backend, candidates).classify(text)
    if fb and code != fb[0] and prob < CONFIDENT:
        return LanguageResult(fb[0], round(prob, 4), fb[1])
    return LanguageResult(code, round(prob, 4), "text")


_detect = _DigestCache(_detect_uncached, maxsize=2048)
