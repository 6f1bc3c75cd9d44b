"""What a run's records looked like, in counts: per portal, field coverage, languages, agencies, places,
date sources and the hour of publication.

One :class:`Tally` per run (or per JSONL file). The monitors read its coverage, the run history keeps it
as JSON, and ``wirefeed report`` draws it. It takes records as JSON data (``Article.model_dump(mode=
"json")`` or a JSONL line) so the same code counts a live crawl and a file on disk.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from wirefeed.keyset import KeySet

__all__ = ["COVERAGE_FIELDS", "Tally"]

# A record "has" a field when this is true of it; the monitors' coverage floors name these keys.
COVERAGE_FIELDS = ("title", "published", "dateline", "language")


def _has(record: dict[str, Any], name: str) -> bool:
    if name == "title":
        return bool(record.get("title"))
    if name == "published":
        return bool((record.get("published") or {}).get("at"))
    if name == "dateline":
        return record.get("dateline") is not None
    if name == "language":
        code: str = (record.get("language") or {}).get("code", "und")
        return code != "und"
    raise KeyError(name)


@dataclass
class Tally:
    """Counts over distinct stories. ``add`` the same story id twice and it counts once."""

    records: int = 0
    sources: Counter[str] = field(default_factory=Counter)
    has: dict[str, Counter[str]] = field(default_factory=dict)  # field -> source -> records having it
    languages: Counter[str] = field(default_factory=Counter)
    agencies: Counter[str] = field(default_factory=Counter)
    places: Counter[str] = field(default_factory=Counter)
    date_sources: dict[str, Counter[str]] = field(default_factory=dict)  # source -> date source -> n
    hours: Counter[str] = field(default_factory=Counter)  # "00".."23" UTC hour of publication
    # hash() of the ids counted: 12 bytes a story instead of ~150 for the id in a set (long crawls)
    _seen: KeySet = field(default_factory=KeySet, repr=False)

    def add(self, record: dict[str, Any]) -> None:
        key = hash(str(record.get("id", "")))
        if key in self._seen:
            return
        self._seen.add(key)
        self.records += 1
        source = str((record.get("source") or {}).get("name") or "-")
        self.sources[source] += 1
        for name in COVERAGE_FIELDS:
            if _has(record, name):
                self.has.setdefault(name, Counter())[source] += 1
        self.languages[(record.get("language") or {}).get("code") or "und"] += 1
        for agency in record.get("agencies") or []:
            self.agencies[agency.get("code") or agency.get("printed") or "?"] += 1
        location = record.get("location")
        if location:
            self.places[f"{location.get('name')}, {location.get('country')}"] += 1
        published = record.get("published") or {}
        self.date_sources.setdefault(source, Counter())[published.get("source") or "none"] += 1
        at = published.get("at")
        if at:
            self.hours[str(at)[11:13]] += 1

    def coverage(self, name: str, source: str | None = None) -> float | None:
        """Share of records having ``name`` (all portals, or one); ``None`` without records."""
        total = self.records if source is None else self.sources.get(source, 0)
        if not total:
            return None
        counts = self.has.get(name, Counter())
        have = sum(counts.values()) if source is None else counts.get(source, 0)
        return have / total

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "sources": dict(self.sources),
            "has": {k: dict(v) for k, v in self.has.items()},
            "languages": dict(self.languages),
            "agencies": dict(self.agencies),
            "places": dict(self.places),
            "date_sources": {k: dict(v) for k, v in self.date_sources.items()},
            "hours": dict(self.hours),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tally:
        return cls(
            records=int(data.get("records", 0)),
            sources=Counter(data.get("sources", {})),
            has={k: Counter(v) for k, v in data.get("has", {}).items()},
            languages=Counter(data.get("languages", {})),
            agencies=Counter(data.get("agencies", {})),
            places=Counter(data.get("places", {})),
            date_sources={k: Counter(v) for k, v in data.get("date_sources", {}).items()},
            hours=Counter(data.get("hours", {})),
        )

    def merge(self, other: Tally) -> None:
        """Add another tally's counts (stories are not de-duplicated across the two)."""
        self.records += other.records
        self.sources.update(other.sources)
        for k, v in other.has.items():
            self.has.setdefault(k, Counter()).update(v)
        self.languages.update(other.languages)
        self.agencies.update(other.agencies)
        self.places.update(other.places)
        for k, v in other.date_sources.items():
            self.date_sources.setdefault(k, Counter()).update(v)
        self.hours.update(other.hours)
