"""detect_language: deterministic, honest about its source, pluggable."""

from __future__ import annotations

import subprocess
import sys

import pytest

from wirefeed import detect_language

TEXTS = [
    ("nl", "De regering heeft dinsdag nieuwe maatregelen aangekondigd om de woningnood te bestrijden."),
    ("en", "The government announced new measures on Tuesday to tackle the housing shortage."),
    ("de", "Die Regierung hat am Dienstag neue Maßnahmen gegen die Wohnungsnot angekündigt."),
    ("fr", "Le gouvernement a annoncé mardi de nouvelles mesures contre la crise du logement."),
]


@pytest.mark.parametrize("backend", ["py3langid", "langdetect"])
@pytest.mark.parametrize(("code", "text"), TEXTS)
def test_backends_on_sentences(backend: str, code: str, text: str) -> None:
    r = detect_language(text, backend=backend)
    assert (r.code, r.source) == (code, "text")
    assert 0.5 < r.confidence <= 1


def test_short_text_falls_back_to_the_page() -> None:
    r = detect_language("Ajax - PSV", fallback=("nl", "html-lang"))
    assert r.source == "html-lang" and r.code == "nl" and r.confidence == 0.0


def test_unsure_text_does_not_override_the_page() -> None:
    r = detect_language("Live: Champions League", fallback=("nl", "profile"))
    assert r.code == "nl" and r.source == "profile" and r.confidence < 0.9


def test_no_fallback_and_no_text_says_so() -> None:
    assert detect_language("…").source == "none"


def test_deterministic_across_processes() -> None:
    code = (
        "from wirefeed import detect_language as d; "
        "print(d('Brexit deal gesloten in Brussel', backend='langdetect'))"
    )
    outs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        for _ in range(3)
    }
    assert len(outs) == 1
