"""--format ninjs3: every object validates against the official IPTC ninjs 3.1 schema (with our extension),
carries what the 2.2 object carries under ninjs 3 names, and a resumed ninjs3 output is read back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from wirefeed.ninjs import to_ninjs, to_ninjs3
from wirefeed.output import read_back

from .conftest import FIXTURES, REPO

OFFICIAL = REPO / "schemas" / "ninjs" / "ninjs-schema_3.1.json"  # vendored, CC BY 4.0 (see its README)
EXTENSION = REPO / "schemas" / "ninjs3-wirefeed-extension.schema.json"


@pytest.fixture(scope="module")
def validators() -> tuple[jsonschema.Validator, jsonschema.Validator]:
    official = json.loads(OFFICIAL.read_text("utf-8"))
    resource = Resource.from_contents(official)
    registry = Registry().with_resources(
        [(official["$id"], resource), (official["$id"].rstrip("#"), resource)]
    )
    checker = jsonschema.FormatChecker()
    extension = json.loads(EXTENSION.read_text("utf-8"))
    return (
        jsonschema.Draft202012Validator(official, format_checker=checker),
        jsonschema.Draft202012Validator(extension, registry=registry, format_checker=checker),
    )


def _parse(fmt: str) -> list[dict]:
    page = FIXTURES / "pages" / "article-text" / "page.txt"
    proc = subprocess.run([sys.executable, "-m", "wirefeed", "parse", str(page), "--format", fmt],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_parse_output_validates_against_ninjs_3_1(validators: tuple) -> None:
    official, extended = validators
    objs = _parse("ninjs3")
    assert len(objs) == 4
    for obj in objs:
        extended.validate(obj)
        official.validate({k: v for k, v in obj.items() if k != "wirefeed"})
    main = objs[0]
    assert main["located"] == "MIDDELBURG" and main["infoSources"][0]["literal"] == "ANP"
    assert main["headlines"][0] == {"role": "main", "contentType": "text/plain",
                                    "value": "Provincie schrapt subsidie voor nieuwe fietsbrug"}  # fmt: skip
    assert main["altIds"][0]["role"] == "wirefeed-id" and main["representationType"] == "full"
    assert objs[1]["firstCreated"] == objs[1]["wirefeed"]["published"]["at"]


def test_ninjs_2_2_names_fail_the_3_1_schema(validators: tuple) -> None:
    official, _ = validators
    two = {k: v for k, v in _parse("ninjs")[0].items() if k != "wirefeed"}
    with pytest.raises(jsonschema.ValidationError):
        official.validate(two)  # versioncreated, infosources … are not ninjs 3


def test_same_content_as_ninjs_2_2() -> None:
    record = {"id": "wf1-" + "0" * 24, "kind": "article", "url": "https://x.test/a", "title": "T", "lead": "L",
              "body": "B b", "language": {"code": "nl"}, "agencies": [{"printed": "ANP", "name": "ANP"}],
              "published": {"at": "2026-11-30T06:00:00Z"}, "version": 2, "changed_at": "2026-11-30T07:00:00Z"}  # fmt: skip
    two, three = to_ninjs(record), to_ninjs3(record)
    assert three["versionCreated"] == two["versioncreated"] == "2026-11-30T07:00:00Z"
    assert three["bodies"] == [{"role": "main", "contentType": "text/plain", "value": "B b", "charCount": 3,
                                "wordCount": 2}]  # fmt: skip
    assert three["infoSources"] == two["infosources"] and three["wirefeed"] == two["wirefeed"]
    assert len(three) == len(two)


def test_a_ninjs3_output_is_read_back_on_resume(tmp_path: Path) -> None:
    record = {"id": "wf1-" + "1" * 24, "kind": "article", "url": "https://x.test/b", "lead": "Een", "body": "Twee",
              "version": 3, "content_hash": "a" * 32, "cluster_id": None}  # fmt: skip
    out = tmp_path / "out.ninjs3.jsonl"
    out.write_text(json.dumps(to_ninjs3(record)) + "\n", "utf-8")
    (got,) = read_back(out)
    assert (got["id"], got["version"], got["content_hash"], got["url"]) == (record["id"], 3, "a" * 32,
                                                                              "https://x.test/b")  # fmt: skip
