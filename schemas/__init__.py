"""The record contract: one JSON object per story, validated by pydantic (``wirefeed.schemas``).

``Article`` is the model; ``schemas/article.schema.json`` is generated from it (``wirefeed schema``)
and a test fails when the committed file drifts from the model.
"""

from wirefeed.schemas.article import (
    SCHEMA_VERSION,
    AgencyRef,
    Article,
    Dateline,
    Language,
    Location,
    Published,
    Source,
    json_schema,
)

__all__ = [
    "SCHEMA_VERSION",
    "AgencyRef",
    "Article",
    "Dateline",
    "Language",
    "Location",
    "Published",
    "Source",
    "json_schema",
]
