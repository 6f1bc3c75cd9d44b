"""Dateline places to locations: curated exonyms, the gazetteer, region hints and bias."""

from __future__ import annotations

import pytest

from wirefeed.places import is_place, is_region, resolve_place


@pytest.mark.parametrize(
    ("printed", "name", "country"),
    [
        ("LONDEN", "London", "GB"),
        ("DEN HAAG", "The Hague", "NL"),
        ("'S-HERTOGENBOSCH", "'s-Hertogenbosch", "NL"),
        ("KEULEN", "Cologne", "DE"),
        ("CAÏRO", "Cairo", "EG"),
        ("ANKARA/BUENOS AIRES/CAÏRO", "Ankara", "TR"),
        ("RALEIGH, N.C.", "Raleigh", "US"),
        ("LEXINGTON, Ky.", "Lexington", "US"),
        ("DUBAI, United Arab Emirates", "Dubai", "AE"),
        ("Georgetown, Guyana", "Georgetown", "GY"),
        ("N'DJAMENA", "N'Djamena", "TD"),
        ("Kinshasa", "Kinshasa", "CD"),
    ],
)
def test_resolves(printed: str, name: str, country: str) -> None:
    loc = resolve_place(printed)
    assert loc is not None
    assert (loc["name"], loc["country"], loc["printed"]) == (name, country, printed)


def test_gazetteer_adds_geonames_id_and_coordinates() -> None:
    loc = resolve_place("LONDEN")
    assert loc is not None and loc["geonames_id"] == 2643743
    assert loc["lat"] is not None and 51 < loc["lat"] < 52


def test_region_constrains_country() -> None:
    """The state after the comma picks Paris in Texas: resolved, in the US, never the French capital."""
    loc = resolve_place("PARIS, Texas")
    assert loc is not None and (loc["name"], loc["country"]) == ("Paris", "US")
    assert loc["lat"] is not None and loc["lon"] is not None
    assert 25.8 < loc["lat"] < 36.5 and -106.7 < loc["lon"] < -93.5  # Texas' bounding box


def test_bias_prefers_agency_and_portal_countries() -> None:
    assert resolve_place("BERGEN", bias={"NO"})["country"] == "NO"  # type: ignore[index]
    assert resolve_place("BERGEN", bias={"NL"})["country"] == "NL"  # type: ignore[index]


@pytest.mark.parametrize("printed", ["AIR FORCE ONE", "XYZZYVILLE", "", None])
def test_unknown_gives_none(printed: str | None) -> None:
    assert resolve_place(printed) is None


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("Berlin", True),
        ("NEW DELHI", True),
        ("München", True),  # curated exonym
        ("Riad", True),
        ("LONDRES", True),
        ("Milano", True),
        ("zurich", True),  # accents folded
        ("Ludwigshafen", True),  # own name `Ludwigshafen am Rhein`, printed short
        ("St. Pölten", True),  # own name `Sankt Pölten`
        ("DIY", False),  # an airport code among the gazetteer's alternate names
        ("THE", False),
        ("LIVE", False),
        ("Sonne", False),
    ],
)
def test_is_place_takes_own_names_not_alternates(name: str, known: bool) -> None:
    assert is_place(name) is known


def test_is_region() -> None:
    assert is_region("Ghana") and is_region("N.C.") and not is_region("Sand und Meer")
