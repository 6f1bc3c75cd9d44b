"""The spider's own logic: the anchor it stamps on a page (Date minus Age, fetch time without)."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.http import Headers

from wirefeed.spiders.portal import served_at

FETCHED = datetime(2026, 11, 26, 12, 0, 30, tzinfo=UTC)


def test_date_header_is_the_anchor() -> None:
    headers = Headers({"Date": "Thu, 26 Nov 2026 12:00:00 GMT"})
    assert served_at(headers, FETCHED) == datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_age_is_subtracted() -> None:
    headers = Headers({"Date": "Thu, 26 Nov 2026 12:00:00 GMT", "Age": "300"})
    assert served_at(headers, FETCHED) == datetime(2026, 11, 26, 11, 55, tzinfo=UTC)


def test_fetch_time_without_a_usable_header() -> None:
    assert served_at(Headers({}), FETCHED) == FETCHED
    assert served_at(Headers({"Date": "yesterday-ish"}), FETCHED) == FETCHED
