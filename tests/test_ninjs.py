"""--format ninjs: every object validates against the official IPTC ninjs 2.2 schema (with our extension)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from .conftest import FIXTURES, REPO

OFFICIAL = REPO / "schemas" / "ninjs" / "ninjs-schema_2.2.json"  # vendored, CC BY 4.0 (see its README)


@pytest.fixture(scope="module")
def validators() -> tuple[jsonschema.Validator, jsonschema.Validator]:
    official = json.loads(OFFICIAL.read_text("utf-8"))
    extension = json.loads((REPO / "schemas" / "ninjs-wirefeed-extension.schema.json").read_text("utf-8"))
    resource = Resource.from_contents(official)
    registry = Registry().with_resources(
        [(official["$id"], resource), (official["$id"].rstrip("#"), resource)]
    )
    checker = jsonschema.FormatChecker()
    return (
        jsonschema.Draft202012Validator(official, format_checker=checker),
        jsonschema.Draft202012Validator(extension, registry=registry, format_checker=checker),
    )


def _ninjs_lines(args: list[str]) -> list[dict[str, object]]:
    proc = subprocess.run(
        [sys.executable, "-m", "wirefeed", "parse", *args, "--format", "ninjs"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_parse_output_validates(validators: tuple[jsonschema.Validator, jsonschema.Validator]) -> None:
    official, extended = validators
    objs = _ninjs_lines([str(FIXTURES / "pages" / "article-text" / "page.txt")])
    assert len(objs) == 4
    for obj in objs:
        extended.validate(obj)
        core = {k: v for k, v in obj.items() if k != "wirefeed"}
        official.validate(core)  # without the extension it is plain ninjs 2.2
    main = objs[0]
    assert main["located"] == "MIDDELBURG" and main["infosources"][0]["literal"] == "ANP"
    assert main["headlines"][0]["value"] == "Provincie schrapt subsidie voor nieuwe fietsbrug"
    assert objs[1]["firstcreated"] == objs[1]["wirefeed"]["published"]["at"]


def test_extension_rejects_unknown_root_keys(
    validators: tuple[jsonschema.Validator, jsonschema.Validator],
) -> None:
    _, extended = validators
    with pytest.raises(jsonschema.ValidationError):
        extended.validate({"uri": "urn:x", "colour": "blue"})


def test_demo_ninjs(tmp_path: Path, validators: tuple[jsonschema.Validator, jsonschema.Validator]) -> None:
    _, extended = validators
    out = tmp_path / "demo.ninjs.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "wirefeed", "demo", "-o", str(out), "--format", "ninjs"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(objs) == 34
    for obj in objs:
        extended.validate(obj)
