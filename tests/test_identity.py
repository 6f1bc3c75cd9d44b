"""Story identity: canonical URLs, stable ids, content hashes."""

from __future__ import annotations

import pytest

from wirefeed.identity import canonical_url, content_hash, story_id


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "HTTPS://WWW.Zeelandnet.NL:443/nieuws/a?utm_source=rss&utm_medium=feed#top",
            "https://www.zeelandnet.nl/nieuws/a",
        ),
        ("https://www.zeelandnet.nl/nieuws/a?ref=rss", "https://www.zeelandnet.nl/nieuws/a"),
        ("https://www.example.com/a?fbclid=x&gclid=y&id=7", "https://www.example.com/a?id=7"),
        ("https://www.example.com/a?b=2&a=1", "https://www.example.com/a?a=1&b=2"),
        ("http://127.0.0.1:8080/nieuws/x", "http://127.0.0.1:8080/nieuws/x"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_ids_are_stable_and_follow_the_canonical_url() -> None:
    a = story_id(
        url="https://www.zeelandnet.nl/nieuws/a?utm_source=x", source="zeelandnet", title="T", lead="L"
    )
    b = story_id(url="https://www.zeelandnet.nl/nieuws/a", source="other", title="Other", lead="Other")
    assert a == b and a.startswith("wf1-") and len(a) == 28
    c = story_id(url=None, source="zeelandnet", title="Titel", lead="Lead van het verhaal.")
    assert c == story_id(url=None, source="zeelandnet", title="titel", lead="Lead van het  verhaal")
    assert c != story_id(url=None, source="kust", title="Titel", lead="Lead van het verhaal.")


def test_content_hash_ignores_case_space_and_quotes() -> None:
    assert content_hash("‘Geen regels’", "De  minister.") == content_hash("'geen regels'", "de minister")
    assert content_hash("A", "b") != content_hash("A", "c")


def test_a_malformed_port_is_kept_not_fatal() -> None:
    # a fuzzed link; urlsplit(...).port raises ValueError on it
    assert canonical_url("http://127.0.0.1:800e</a") == canonical_url("http://127.0.0.1:800e</a")
    assert canonical_url("http://Example.org:800e/x").startswith("http://example.org:800e/")
    assert canonical_url("http://example.org:8080/x") == "http://example.org:8080/x"
