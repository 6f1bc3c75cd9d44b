"""Records as IPTC ninjs 2.2 objects (``--format ninjs``).

Mapping: id/URL → ``uri`` (+ ``altids``), title → ``headlines``, lead → ``descriptions``, body (or lead)
→ ``bodies``, dateline place → ``located``, agencies → ``infosources``, byline → ``by``, ``published``
→ ``firstcreated`` and (for later versions, ``changed_at``) ``versioncreated``, language → ``language``.
What ninjs has no field for — the dateline as printed, the published interval, clusters, the source
page — goes under ``wirefeed``, declared by ``schemas/ninjs-wirefeed-extension.schema.json`` (an
``allOf`` over the official ``ninjsType``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["PROFILE", "to_ninjs"]

PROFILE = "wirefeed-text/1"


def to_ninjs(record: dict[str, Any]) -> dict[str, Any]:
    """``record``: a wirefeed record as JSON data (``Article.model_dump(mode="json")``)."""
    out: dict[str, Any] = {
        "uri": record.get("url") or f"urn:wirefeed:{record['id']}",
        "type": "text",
        "representationtype": "full" if record["kind"] == "article" else "partial",
        "profile": PROFILE,
        "version": str(record.get("version", 1)),
        "altids": [{"role": "wirefeed-id", "value": record["id"]}],
    }
    language = (record.get("language") or {}).get("code")
    if language and language != "und":
        out["language"] = language
    if record.get("title"):
        out["headlines"] = [{"role": "main", "contenttype": "text/plain", "value": record["title"]}]
    if record.get("lead"):
        out["descriptions"] = [{"role": "summary", "contenttype": "text/plain", "value": record["lead"]}]
    text = record.get("body") or record.get("lead")
    if text:
        out["bodies"] = [
            {
                "role": "main",
                "contenttype": "text/plain",
                "value": text,
                "charcount": len(text),
                "wordcount": len(text.split()),
            }
        ]
    dateline = record.get("dateline") or {}
    if dateline.get("place"):
        out["located"] = dateline["place"]
    location = record.get("location")
    if location:
        place: dict[str, Any] = {"name": location["name"], "literal": location["printed"]}
        if location.get("geonames_id"):
            place["uri"] = f"https://sws.geonames.org/{location['geonames_id']}/"
        out["places"] = [place]
    if record.get("agencies"):
        out["infosources"] = [
            {"name": a.get("name") or a["printed"], "literal": a["printed"], "role": "source"}
            for a in record["agencies"]
        ]
    if record.get("byline"):
        out["by"] = record["byline"]
    published = record.get("published") or {}
    if published.get("at"):
        out["firstcreated"] = published["at"]
        out["versioncreated"] = record.get("changed_at") or published["at"]
    out["wirefeed"] = {
        k: record.get(k)
        for k in (
            "kind",
            "source",
            "dateline",
            "published",
            "cluster_id",
            "duplicate_of",
            "previous_version",
            "content_hash",
            "fetched_at",
            "schema_version",
        )
    }
    return out
