"""The README's lists that a reader relies on stay true: every record field, every profile field, and
the example profile is a valid profile."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from typing import Any

from wirefeed.profiles import Profile, profile_from_data
from wirefeed.schemas import Article

from .conftest import REPO

README = (REPO / "README.md").read_text("utf-8")


def _names(model: Any) -> list[str]:
    return list(model.model_fields)


def test_record_field_list_matches_the_model() -> None:
    listed = README[README.index("- Every field, in order") :].split("\n- ", 1)[0]
    top = re.sub(r"\([^)]*\)", "", listed.split(":", 1)[1])
    assert re.findall(r"`([a-z_]+)`", top) == _names(Article)
    for name in ("source", "dateline", "location", "published", "language"):
        inner = re.search(rf"`{name}` \(([^)]*)\)", listed)
        assert inner, name
        sub = Article.model_fields[name].annotation
        model = next(a for a in getattr(sub, "__args__", (sub,)) if hasattr(a, "model_fields"))
        assert re.findall(r"`([a-z_]+)`", inner.group(1)) == _names(model), name
    agency = re.search(r"`agencies` \(([^)]*)\)", listed)
    assert agency and re.findall(r"`([a-z_]+)`", agency.group(1)) == ["printed", "code", "name", "country"]


def test_profile_field_table_lists_every_field() -> None:
    section = README[README.index("## Writing a profile") : README.index("## Monitors and alerts")]
    rows = re.findall(r"^\| `([a-z_]+)` \|", section, re.M)
    known = [f.name for f in fields(Profile) if not f.name.startswith("_") and f.name != "source"]
    assert sorted(rows) == sorted(known)
    example = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
    prof = profile_from_data(example, "README")
    assert set(example) - {"_note"} == set(known)  # the example uses every field
    assert prof.page_kind("https://www.dorpsblad.example/nieuws/123/brand-in-loods") == "article"
    assert prof.page_kind("https://www.dorpsblad.example/nieuws?pagina=2") == "listing"
