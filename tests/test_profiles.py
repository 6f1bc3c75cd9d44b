"""Portal profiles: built-ins, URL patterns, and malformed files refused by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wirefeed.errors import ProfileError
from wirefeed.profiles import builtin_profiles, get_profile, load_profile, profile_for_url


def test_builtins() -> None:
    assert {"zeelandnet", "apnews", "reuters", "belga"} <= set(builtin_profiles())


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.zeelandnet.nl/nieuws", "listing"),
        ("https://www.zeelandnet.nl/nieuws/buitenland", "listing"),
        ("https://www.zeelandnet.nl/nieuws/politiek?page=14", "listing"),
        ("https://www.zeelandnet.nl/nieuws/regio/middelburg?page=2", "listing"),
        ("https://www.zeelandnet.nl/nieuws/britten-moskou-werft-militairen", "article"),
        ("https://www.zeelandnet.nl/webmail", None),
    ],
)
def test_zeelandnet_page_kinds(url: str, kind: str | None) -> None:
    assert get_profile("zeelandnet").page_kind(url) == kind


def test_profile_for_url() -> None:
    prof = profile_for_url("https://www.zeelandnet.nl/nieuws/x")
    assert prof is not None and prof.name == "zeelandnet"
    assert profile_for_url("https://unknown.example/x") is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"domains": ["x.nl"]}, "name"),
        ({"name": "x", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "x", "semantics": "ceil"}, "semantics"),
        ({"name": "x", "article_patterns": ["("]}, "article_patterns"),
        ({"name": "x", "domains": "x.nl"}, "domains"),
        ({"name": "x", "colour": "blue"}, "colour"),
    ],
)
def test_malformed_profile_names_the_field(tmp_path: Path, data: dict[str, object], field: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert info.value.field == field and field in str(info.value)
