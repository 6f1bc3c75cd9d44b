"""Language of a story's text, deterministic, with an honest confidence and its source.

:func:`detect_language` runs a pluggable backend restricted to the languages the crawl expects.
Backends: ``py3langid`` (the default: fast, deterministic, good on short text once restricted),
``langdetect`` (seeded so it is deterministic) and ``lingua`` (when installed); ``benchmarks/language.py``
measures all three on the team's labelled set. When the text is too short or the backend unsure,
the page's declared language (``<html lang>``) or the profile's language decides, and ``source``
says so; the confidence reported is then the backend's, never an invented certainty.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Protocol

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
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self.model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        if candidates:
            self.model.set_languages(list(candidates))
        self.lock = threading.Lock()

    def classify(self, text: str) -> tuple[str, float]:
        with self.lock:
            code, prob = self.model.classify(text)
        return str(code), float(prob)


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
    Results are cached per (text, settings): a teaser and its article, or a story seen again in the same
    process, are detected once.
    """
    fb = (fallback, "profile") if isinstance(fallback, str) else (tuple(fallback) if fallback else None)
    return _detect(text, _candidates(candidates), fb, backend)  # type: ignore[arg-type]


@lru_cache(maxsize=2048)
def _detect(
    text: str, candidates: tuple[str, ...] | None, fb: tuple[str, str] | None, backend: str
) -> LanguageResult:
    letters = sum(c.isalpha() for c in text)
    if letters < MIN_LETTERS:
        if fb:
            return LanguageResult(fb[0], 0.0, fb[1])
        return LanguageResult("und", 0.0, "none")
    code, prob = _backend(backend, candidates).classify(text)
    if fb and code != fb[0] and prob < CONFIDENT:
        return LanguageResult(fb[0], round(prob, 4), fb[1])
    return LanguageResult(code, round(prob, 4), "text")
