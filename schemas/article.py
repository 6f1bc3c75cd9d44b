"""The pydantic v2 model of a wirefeed record (schema version 1).

Field names marked *fixed* are read by other tools and never change within a schema version:
``id kind url source title lead body dateline published language fetched_at content_hash
duplicate_of version``. Timestamps are aware and serialized as RFC 3339 in UTC (``...Z``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, model_validator

SCHEMA_VERSION = "1"


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp must carry a timezone")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    """Where the story was read: the portal, the page, and the page's section."""

    name: str = Field(min_length=1, description="portal or agency profile name, e.g. zeelandnet")
    url: str = Field(pattern=r"^(https?|file)://", description="the page the story was read from")
    section: str | None = Field(None, description="section printed on the page, e.g. Buitenland")
    page_kind: Literal["article", "liveblog", "listing", "homepage", "feed", "text"] | None = Field(
        None, description="what kind of page the story was read from"
    )


class Dateline(_Model):
    """The dateline as printed."""

    text: str = Field(min_length=1, description="as printed, with the dash: 'KYIV (ANP/RTR) -'")
    place: str | None = Field(description="place as printed, without byline or date: 'AIR FORCE ONE'")
    places: list[str] = Field(default_factory=list, description="the place split on '/'")
    agencies: list[str] = Field(description="credit codes as printed, in order: ['ANP', 'RTR']")
    date: str | None = Field(None, description="date part as printed, e.g. 'Nov 27'")
    byline: str | None = Field(None, description="byline printed before the dateline")


class AgencyRef(_Model):
    """A credit code resolved against the agency registry; unknown codes keep code=null."""

    printed: str
    code: str | None
    name: str | None
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")


class Location(_Model):
    """The dateline place, normalized."""

    printed: str
    name: str = Field(description="English name")
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    geonames_id: int | None = None
    lat: float | None = None
    lon: float | None = None


class Published(_Model):
    """When the story was published, as an interval: published in [earliest, latest]."""

    raw: str = Field(description="the stamp as printed, e.g. '5 uur geleden'")
    source: Literal["relative", "jsonld", "meta", "time", "rss", "url", "text"]
    at: UtcDatetime | None = Field(description="midpoint of the interval; null when it could not be resolved")
    earliest: UtcDatetime | None
    latest: UtcDatetime | None
    precision: Literal["second", "minute", "hour", "day", "week", "month", "year"] | None
    anchor: UtcDatetime | None = Field(description="reference time a relative stamp was resolved against")
    semantics: Literal["floor", "round", "unknown"] | None = None
    unresolved: str | None = Field(None, description="why at/earliest/latest are null, e.g. 'no-anchor'")
    note: str | None = Field(
        None, description="why the interval deserves a second look, e.g. 'after-reference-time'"
    )

    @model_validator(mode="after")
    def _ordered(self) -> Published:
        values = (self.at, self.earliest, self.latest)
        if any(v is None for v in values) and any(v is not None for v in values):
            raise ValueError("at, earliest and latest are all set or all null")
        if self.at is not None and not (self.earliest <= self.at <= self.latest):  # type: ignore[operator]
            raise ValueError("earliest <= at <= latest must hold")
        if self.source == "relative" and self.at is not None and self.anchor is None:
            raise ValueError("a resolved relative stamp needs its anchor")
        return self


class Language(_Model):
    """Detected language; source says whether the text decided or the page did."""

    code: str = Field(pattern=r"^([a-z]{2,3}|und)$")
    confidence: float = Field(ge=0, le=1)
    source: Literal["text", "html-lang", "profile", "none"]


class Article(_Model):
    """One story: the page's own article or a teaser announcing another page's story."""

    schema_version: Literal["1"] = SCHEMA_VERSION
    id: str = Field(pattern=r"^wf1-[0-9a-f]{24}$", description="stable id of the story (fixed)")
    kind: Literal["article", "teaser"]
    url: str | None = Field(None, pattern=r"^https?://", description="the story's own URL when known")
    source: Source
    title: str | None = Field(None, min_length=1)
    lead: str | None = Field(None, description="first paragraph, dateline removed")
    body: str | None = Field(None, description="full text, dateline removed; null for teasers")
    byline: str | None = None
    badge: str | None = Field(None, description="source badge printed before the title, e.g. ANP")
    dateline: Dateline | None
    agencies: list[AgencyRef] = Field(default_factory=list, description="dateline credits, normalized")
    location: Location | None = None
    published: Published | None
    language: Language
    fetched_at: UtcDatetime
    content_hash: str = Field(pattern=r"^[0-9a-f]{32}$", description="hash of the normalized text")
    duplicate_of: str | None = Field(
        None, pattern=r"^wf1-[0-9a-f]{24}$", description="first record of this story's near-duplicate cluster"
    )
    cluster_id: str | None = Field(
        None, pattern=r"^wf1-[0-9a-f]{24}$", description="id of the cluster's first record"
    )
    version: int = Field(1, ge=1)
    previous_version: int | None = Field(None, ge=1, description="the version this one replaces")
    changed_at: UtcDatetime | None = Field(
        None, description="when the change (or narrower interval) was seen"
    )
    # What the pipeline stages still need while they build the record (wirefeed.stages.Hints); never
    # serialized, not part of the contract, dropped by validation.
    _hints: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _has_text(self) -> Article:
        if not (self.title or self.lead):
            raise ValueError("a story needs a title or a lead")
        if self.kind == "teaser" and self.body is not None:
            raise ValueError("teasers carry no body")
        return self


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :class:`Article` as serialized."""
    schema = Article.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://github.com/wirefeed/wirefeed/schemas/article.schema.json"
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
