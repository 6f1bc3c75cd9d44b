"""parse_dateline: a table of printed forms (tests/fixtures/datelines.tsv) and properties."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wirefeed import parse_dateline
from wirefeed.agencies import normalize

TABLE = Path(__file__).parent / "fixtures" / "datelines.tsv"


def _cases() -> list[tuple[str, list[str]]]:
    rows = []
    for line in TABLE.read_text("utf-8").splitlines():
        if line.startswith("#") or not line.strip("\t"):
            continue
        text, *fields = line.split("\t")
        rows.append(pytest.param(text, fields, id=text[:40]))
    return rows


@pytest.mark.parametrize(("text", "fields"), _cases())
def test_table(text: str, fields: list[str]) -> None:
    d = parse_dateline(text)
    if fields[0] == "-":
        assert d is None, f"not a dateline, got {d}"
        return
    place, agencies, date, byline = fields
    assert d is not None
    assert d.place == (None if place == "~" else place)
    assert list(d.agencies) == (agencies.split("/") if agencies else [])
    assert d.date == (None if date == "~" else date)
    assert d.byline == (None if byline == "~" else byline)
    assert d.text + d.rest == text
    assert d.text.rstrip() == d.text
    if d.place:
        assert list(d.places) == [p.strip() for p in d.place.split("/")]


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_never_raises_and_round_trips(text: str) -> None:
    d = parse_dateline(text)
    if d is not None:
        assert d.text + d.rest == text


@pytest.mark.parametrize("piece", ["A(", "AB (", "A/B ", "A - ", "((((", "A, B, ", "By A B ", "'S-"])
def test_adversarial_input_is_fast(piece: str) -> None:
    text = piece * (100_000 // len(piece))
    start = time.perf_counter()
    parse_dateline(text)
    assert time.perf_counter() - start < 0.5  # generous bound; the benchmark measures the real figure


def test_agency_normalization() -> None:
    out = normalize(["ANP", "Rtr", "dpa", "bb", "XYZ"], "nl")
    assert [a["code"] for a in out] == ["ANP", "RTR", "DPA", None]
    assert out[0]["country"] == "NL"
    assert out[-1]["printed"] == "XYZ"  # unknown codes kept as printed
    assert normalize(["ANP"], "fr")[0]["country"] == "NE"  # the Nigerien agency in French copy


@pytest.mark.parametrize("space", ["\xa0", "\u2009", "\u202f"])
def test_html_spaces_around_the_dash(space: str) -> None:
    # HTML text puts no-break and thin spaces where copy has plain ones.
    text = f"KATHMANDU, April 25 (Reuters){space}-{space}Nepal's government said"
    d = parse_dateline(text)
    assert d is not None and d.text + d.rest == text
    assert (d.place, d.agencies, d.date) == ("KATHMANDU", ("Reuters",), "April 25")
    assert d.rest.strip() == "Nepal's government said"
    bare = parse_dateline(f"DUBLIN{space}—{space}The Irish parliament debated the bill.")
    assert bare is not None and bare.place == "DUBLIN"


def test_period_dateline_text_and_rest() -> None:
    d = parse_dateline("Berlin. Die Bundesregierung will die Förderung kürzen.")
    assert d is not None
    assert (d.text, d.rest) == ("Berlin.", " Die Bundesregierung will die Förderung kürzen.")


def test_place_only_needs_a_lead_after_it() -> None:
    # `Place - Headline` teasers are not datelines; the same opening before a sentence is.
    assert parse_dateline("Brussel - Nieuwe regering") is None
    assert parse_dateline("Brussel - De nieuwe regering is beëdigd.") is not None
