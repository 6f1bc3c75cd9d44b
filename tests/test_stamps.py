"""resolve_time and refine: a table of stamps with expected intervals, and DST-weekend properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wirefeed import TimeParseError, refine, resolve_time

TABLE = Path(__file__).parent / "fixtures" / "stamps.tsv"
AMS = ZoneInfo("Europe/Amsterdam")


def _t(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _cases() -> list[object]:
    rows = []
    for line in TABLE.read_text("utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        raw, anchor, semantics, *rest = line.split("\t")
        rows.append(pytest.param(raw, anchor, semantics, rest, id=f"{raw[:30]}@{anchor[:16]}/{semantics}"))
    return rows


@pytest.mark.parametrize(("raw", "anchor", "semantics", "expected"), _cases())
def test_table(raw: str, anchor: str, semantics: str, expected: list[str]) -> None:
    if expected[0] == "None":
        assert resolve_time(raw, _t(anchor), semantics=semantics) is None
        return
    if expected[0].startswith("!"):
        with pytest.raises(TimeParseError) as info:
            resolve_time(raw, _t(anchor), semantics=semantics)
        assert info.value.reason == expected[0][1:]
        return
    earliest, latest, precision, kind = expected
    r = resolve_time(raw, _t(anchor), semantics=semantics)
    assert r is not None
    assert (r.earliest, r.latest, r.precision, r.kind) == (_t(earliest), _t(latest), precision, kind)
    assert r.earliest <= r.at <= r.latest <= _t(anchor)
    assert r.at == r.earliest + (r.latest - r.earliest) / 2
    assert r.earliest.tzinfo == UTC


def test_naive_anchor_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        resolve_time("5 uur geleden", datetime(2026, 11, 26, 12))


def _floor_stamp(age: timedelta) -> str:
    """What a floor generator (zeelandnet) prints for an age."""
    minutes = int(age.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} minuten geleden"
    if minutes < 24 * 60:
        return f"{minutes // 60} uur geleden"
    return f"{minutes // 1440} dagen geleden"


def _dst_anchors() -> list[datetime]:
    starts = [
        datetime(2025, 3, 29, tzinfo=UTC),
        datetime(2025, 10, 25, tzinfo=UTC),
        datetime(2026, 3, 28, tzinfo=UTC),
        datetime(2026, 10, 24, tzinfo=UTC),
    ]
    return [s + timedelta(minutes=m) for s in starts for m in range(0, 3 * 1440)]


def test_true_instant_inside_bounds_on_every_dst_weekend_minute() -> None:
    """Every anchor minute of the 2025 and 2026 DST weekends, for relative and calendar stamps."""
    for i, anchor in enumerate(_dst_anchors()):
        age = timedelta(minutes=(i * 37) % (3 * 1440), seconds=(i * 13) % 60)
        true = anchor - age
        stamps = [_floor_stamp(age)]
        local_true = true.astimezone(AMS)
        day_diff = (anchor.astimezone(AMS).date() - local_true.date()).days
        word = {0: "vandaag", 1: "gisteren om", 2: "eergisteren"}.get(day_diff)
        if word and day_diff < 2:
            stamps.append(f"{word} {local_true:%H:%M}")
        elif word:
            stamps.append(word)
        for stamp in stamps:
            for semantics in ("floor", "unknown"):  # the union reading must hold whatever the generator
                r = resolve_time(stamp, anchor, semantics=semantics)
                assert r is not None, stamp
                assert r.earliest <= true <= r.latest, (stamp, anchor, true, r)
                assert r.latest <= anchor


def test_refine_intersects() -> None:
    anchor = datetime(2026, 11, 26, 12, tzinfo=UTC)
    a = resolve_time("2 uur geleden", anchor)
    b = resolve_time("2 uur geleden", anchor + timedelta(minutes=50))
    assert a is not None and b is not None
    r = refine([a, b])
    assert (r.earliest, r.latest) == (max(a.earliest, b.earliest), min(a.latest, b.latest))
    assert r.earliest <= r.at <= r.latest


def test_refine_conflict_raises() -> None:
    anchor = datetime(2026, 11, 26, 12, tzinfo=UTC)
    a = resolve_time("5 uur geleden", anchor)
    b = resolve_time("13 minuten geleden", anchor)
    assert a is not None and b is not None
    with pytest.raises(TimeParseError) as info:
        refine([a, b])
    assert info.value.reason == "conflict"


def test_dateparser_fallback_is_relocalized() -> None:
    # Not known to the fast path: dateparser reads it; its naive result is re-read in the portal's zone.
    r = resolve_time("le 3 mars 2026 à 14:05", datetime(2026, 11, 26, 12, tzinfo=UTC), language="fr")
    assert r is not None and r.kind == "absolute"
    assert r.earliest == datetime(2026, 3, 3, 13, 5, tzinfo=UTC)


@given(st.text(max_size=80), st.sampled_from(["floor", "round", "unknown"]))
@settings(max_examples=300, deadline=None)
def test_never_raises_anything_undocumented(raw: str, semantics: str) -> None:
    anchor = datetime(2026, 11, 26, 12, tzinfo=UTC)
    try:
        r = resolve_time(raw, anchor, semantics=semantics)
    except TimeParseError:
        return
    if r is not None:
        assert r.earliest <= r.at <= r.latest <= anchor
