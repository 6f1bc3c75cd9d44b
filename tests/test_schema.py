"""The record contract: the committed JSON Schema matches the model; the model's rules hold."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from wirefeed.schemas import Article
from wirefeed.schemas.article import json_schema_text

from .conftest import REPO


def test_committed_schema_matches_model() -> None:
    committed = (REPO / "schemas" / "article.schema.json").read_text("utf-8")
    assert committed == json_schema_text(), "regenerate: wirefeed schema > schemas/article.schema.json"


def _record(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "wf1-" + "0" * 24,
        "kind": "teaser",
        "url": None,
        "source": {"name": "zeelandnet", "url": "https://www.zeelandnet.nl/nieuws", "section": None},
        "title": "Titel",
        "lead": "Lead.",
        "body": None,
        "dateline": None,
        "published": None,
        "language": {"code": "nl", "confidence": 0.9, "source": "text"},
        "fetched_at": "2026-11-26T12:00:00Z",
        "content_hash": "0" * 32,
    }
    base.update(over)
    return base


def test_valid_record() -> None:
    rec = Article.model_validate(_record())
    assert rec.schema_version == "1" and rec.version == 1
    assert '"fetched_at":"2026-11-26T12:00:00Z"' in rec.model_dump_json()


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "story"},
        {"id": "random"},
        {"title": None, "lead": None},
        {"body": "teasers have no body"},
        {"fetched_at": "2026-11-26T12:00:00"},
        {
            "published": {
                "raw": "x",
                "source": "relative",
                "at": "2026-11-26T12:00:00Z",
                "earliest": "2026-11-26T12:30:00Z",
                "latest": "2026-11-26T13:00:00Z",
                "precision": "hour",
                "anchor": "2026-11-26T14:00:00Z",
            }
        },
        {
            "published": {
                "raw": "x",
                "source": "relative",
                "at": None,
                "earliest": "2026-11-26T12:30:00Z",
                "latest": None,
                "precision": None,
                "anchor": None,
            }
        },
        {"extra_field": 1},
    ],
)
def test_invalid_records(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Article.model_validate(_record(**bad))
