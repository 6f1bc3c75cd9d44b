"""Records as IPTC ninjs objects: 2.2 (``--format ninjs``) and 3.x (``--format ninjs3``).

Mapping: id/URL → ``uri`` (+ ``altids``), title → ``headlines``, lead → ``descriptions``, body (or lead)
→ ``bodies``, dateline place → ``located``, agencies → ``infosources``, byline → ``by``, ``published``
→ ``firstcreated`` and (for later versions, ``changed_at``) ``versioncreated``, language → ``language``.
What ninjs has no field for — the dateline as printed, the published interval, clusters, the source
page — goes under ``wirefeed``, declared by ``schemas/ninjs-wirefeed-extension.schema.json`` (an
``allOf`` over the official ``ninjsType``). ninjs 3 (IPTC's recommendation for new work) carries the
same content under camelCase names (``versionCreated``, ``infoSources``, ``contentType``); its extension
schema is ``schemas/ninjs3-wirefeed-extension.schema.json`` over ninjs 3.1.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FORMATS", "PROFILE", "encode", "to_ninjs", "to_ninjs3"]

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


# ninjs 2.2 name -> ninjs 3 name, at any depth (the 3.x schema renames fields, it does not move them).
NINJS3_NAMES = {
    "representationtype": "representationType",
    "altids": "altIds",
    "contenttype": "contentType",
    "charcount": "charCount",
    "wordcount": "wordCount",
    "infosources": "infoSources",
    "firstcreated": "firstCreated",
    "versioncreated": "versionCreated",
}


def _rename(value: Any) -> Any:
    if isinstance(value, dict):
        return {NINJS3_NAMES.get(k, k): (v if k == "wirefeed" else _rename(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v) for v in value]
    return value


def to_ninjs3(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` as a ninjs 3.x object (the ``wirefeed`` extension is unchanged)."""
    return dict(_rename(to_ninjs(record)))


FORMATS = ("jsonl", "ninjs", "ninjs3")


def encode(record: Any, fmt: str) -> str:
    """One output line (without the newline) for an ``Article`` in ``fmt`` (one of :data:`FORMATS`)."""
    import json

    if fmt == "jsonl":
        return str(record.model_dump_json())
    data = record.model_dump(mode="json")
    obj = to_ninjs3(data) if fmt == "ninjs3" else to_ninjs(data)
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
