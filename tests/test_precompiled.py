"""Precompiled data forms: built once, rebuilt when the source changes, and equal to the source."""

from __future__ import annotations

import gzip
import os
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from wirefeed import language, places
from wirefeed.precompiled import precompiled

LABELLED = Path(__file__).parent / "fixtures" / "language.tsv"


def _upper(source: Path, target: Path) -> None:
    target.write_text(source.read_text("utf-8").upper(), "utf-8")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WIREFEED_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_built_once_then_reused(tmp_path: Path, cache: Path) -> None:
    source = tmp_path / "words.txt"
    source.write_text("kabinet", "utf-8")
    builds: list[Path] = []

    def build(src: Path, target: Path) -> None:
        builds.append(target)
        _upper(src, target)

    first = precompiled("words.txt", source, "1", build)
    second = precompiled("words.txt", source, "1", build)
    assert first == second and first.parent == cache
    assert first.read_text("utf-8") == "KABINET"
    assert len(builds) == 1
    assert [p.name for p in cache.iterdir()] == [first.name]  # no temporary file left behind


def test_changed_source_or_form_is_rebuilt_and_the_old_form_removed(tmp_path: Path, cache: Path) -> None:
    source = tmp_path / "words.txt"
    source.write_text("kabinet", "utf-8")
    old = precompiled("words.txt", source, "1", _upper)
    source.write_text("gemeente", "utf-8")
    os.utime(source, ns=(1, 1))  # a different modification time, whatever the clock's resolution
    new = precompiled("words.txt", source, "1", _upper)
    assert new != old and new.read_text("utf-8") == "GEMEENTE"
    assert not old.exists()
    assert precompiled("words.txt", source, "2", _upper) != new  # a new form version: a new file


def test_unwritable_cache_builds_for_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", "utf-8")
    monkeypatch.setenv("WIREFEED_CACHE_DIR", str(blocker / "cache"))  # mkdir fails under a file
    source = tmp_path / "words.txt"
    source.write_text("kabinet", "utf-8")
    form = precompiled("words.txt", source, "1", _upper)
    assert form.read_text("utf-8") == "KABINET"
    assert not str(form).startswith(str(blocker))


def _labelled_texts() -> list[str]:
    rows = LABELLED.read_text("utf-8").splitlines()
    return [r.split("\t")[2] for r in rows if r and not r.startswith("#")]


@pytest.fixture(scope="module")
def reference() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)  # py3langid's own loader


@pytest.mark.parametrize("candidates", [("de", "en", "fr", "nl"), ("en", "sr"), None])
def test_language_form_classifies_like_py3langid(candidates: tuple[str, ...] | None, reference: Any) -> None:
    reference.set_languages(list(candidates) if candidates else None)
    model = language._py3langid_model(candidates)
    texts = _labelled_texts()
    assert len(texts) > 200
    assert [model.classify(t) for t in texts] == [reference.classify(t) for t in texts]


def test_language_form_rejects_unknown_codes() -> None:
    with pytest.raises(ValueError, match="xx"):
        language._py3langid_model(("nl", "xx"))


def test_gazetteer_form_holds_every_place_of_the_tsv() -> None:
    raw = files("wirefeed").joinpath("data/gazetteer.tsv.gz").read_bytes()
    index: dict[str, list[tuple[int, str, str, float, float, int]]] = {}
    own: set[str] = set()
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        if line and not line.startswith("#"):
            gid, name, cc, lat, lon, pop, keys = line.split("\t")
            own.add(places._fold(name))
            for key in dict.fromkeys(keys.split("|")):
                index.setdefault(key, []).append((int(gid), name, cc, float(lat), float(lon), int(pop)))
    gazetteer = places._gazetteer()
    sample = sorted(index)[::7]  # every 7th key: enough to catch a dropped column or a lost entry
    assert len(sample) > 20000
    assert {k: gazetteer.get(k, []) for k in sample} == {k: index[k] for k in sample}
    assert gazetteer.get("no such place", []) == []
    assert all(gazetteer.has_own_name(n) for n in sorted(own)[::7])
    variants = {v for n in own for v in places._own_variants(n)}  # `ludwigshafen`, `st. polten`
    alternates = sorted({k for k in index if k not in own and k not in variants})[::7]
    assert len(alternates) > 10000
    assert not any(gazetteer.has_own_name(k) for k in alternates)
