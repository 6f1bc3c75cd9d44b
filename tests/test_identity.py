"""Story identity: canonical URLs, stable ids, content hashes."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from w3lib.url import canonicalize_url

from wirefeed.identity import _CANONICAL_AS_IS, canonical_url, content_hash, story_id


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
        ("https://WWW.example.org:443/a/b-1.html#x", "https://www.example.org/a/b-1.html"),  # as it is
        ("https://www.example.org/a/./b/../c", "https://www.example.org/a/c"),  # w3lib: dot segments
        ("https://www.example.org/café au lait", "https://www.example.org/caf%C3%A9%20au%20lait"),
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


# Beside the shape itself, pieces that would be wrong to take as they are (capitals, escapes, dot
# segments, IDNA labels, long labels, far ports, ``;``, ``?``, ``#``, non-ASCII).
_PIECES = st.sampled_from(
    [
        "a",
        "Z",
        "0",
        "-",
        ".",
        "/",
        "..",
        "/./",
        "%2f",
        "%",
        ";",
        "?",
        "#",
        "é",
        "xn--",
        "q" * 64,
        ":0",
        ":99999",
        "_",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.from_regex(_CANONICAL_AS_IS, fullmatch=True)
    | st.lists(_PIECES, max_size=12).map(lambda p: "http://x" + "".join(p))
)
@example("https://www.example.org/nieuws/2026/het-bericht-123.html")
@example("http://127.0.0.1:8080/a/")
@example("http://xn--bcher-kva.example/a")
@example("http://h:99999/a")
def test_a_url_taken_as_it_is_is_what_w3lib_gives(url: str) -> None:
    """canonical_url skips w3lib for a URL its pattern says w3lib leaves unchanged: it must be so."""
    if _CANONICAL_AS_IS.fullmatch(url) and "/." not in url:
        with contextlib.suppress(ValueError):  # w3lib refuses a port out of range: kept as printed
            assert canonicalize_url(url) == url
