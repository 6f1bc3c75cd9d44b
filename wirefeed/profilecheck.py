"""``wirefeed profiles --check FILE [PAGE]``: is a profile right, and what does it find on a page?

Checks the profile file (a malformed one is refused naming the field), prints what it says, and with a
page — a saved file, or an ``http(s)`` URL fetched once — says how the profile classifies the URL, every
story it extracts (title, dateline, stamp and the time it resolves to, link and whether a crawl would
follow it), so a newcomer sees at once whether the patterns and the language/time settings fit.
"""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TextIO

from wirefeed.identity import canonical_url
from wirefeed.profiles import RETIRED, Profile, load_profile

__all__ = ["check_profile"]


def _fetch(url: str) -> tuple[bytes, str | None, datetime | None]:
    from wirefeed.settings import USER_AGENT

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read(8 * 1024 * 1024)
        date = response.headers.get("Date")
        ctype = response.headers.get("Content-Type")
    served = None
    if date:
        try:
            served = parsedate_to_datetime(date).astimezone(UTC)
        except (TypeError, ValueError):
            served = None
    return body, ctype, served


def _read_page(page: str, profile: Profile) -> tuple[bytes, str, str | None, datetime | None]:
    from wirefeed.offline import read_sidecar

    if page.startswith(("http://", "https://")):
        body, ctype, served = _fetch(page)
        return body, page, ctype, served
    path = Path(page)
    meta = read_sidecar(path)
    served = meta.get("served_at")
    url = meta.get("url") or (
        f"https://{profile.domains[0]}/" if profile.domains else path.resolve().as_uri()
    )
    anchor = datetime.fromisoformat(served.replace("Z", "+00:00")) if served else None
    return path.read_bytes(), url, meta.get("content_type"), anchor


def check_profile(path: str, page: str | None = None, out: TextIO | None = None) -> int:
    """0: the profile is valid (and found stories on ``page``); 1: it found none there.
    A malformed profile raises :class:`~wirefeed.errors.ProfileError`."""
    import sys

    out = out or sys.stdout
    prof = load_profile(path)
    print(f"profile {prof.name} ({path}): valid", file=out)
    print(f"  domains: {', '.join(prof.domains) or '- (none: a crawl follows nothing)'}", file=out)
    print(f"  start_urls: {len(prof.start_urls)}, feeds: {len(prof.feeds)}", file=out)
    for url in prof.start_urls:
        kind = prof.page_kind(url) if prof.owns(url) else "not in domains"
        print(f"    {url}  -> {kind or 'unknown (matches no pattern: not followed)'}", file=out)
    print(f"  timezone {prof.timezone}, language {prof.language or 'detected'}, semantics {prof.semantics}, "
          f"stamp_position {prof.stamp_position}", file=out)  # fmt: skip
    for key in _retired(path):
        print(f"  {key}: no longer used ({RETIRED[key]})", file=out)
    if page is None:
        return 0
    return _check_page(prof, page, out)


def _retired(path: str) -> list[str]:
    """The retired fields (:data:`wirefeed.profiles.RETIRED`) a profile file still sets."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return [k for k in RETIRED if isinstance(data, dict) and k in data]


def _check_page(prof: Profile, page: str, out: TextIO) -> int:
    from wirefeed.extract import extract_page
    from wirefeed.offline import process_page
    from wirefeed.page import load_page
    from wirefeed.store import StateStore

    content, url, ctype, anchor = _read_page(page, prof)
    loaded = load_page(content, url=url, content_type=ctype)
    stories = extract_page(loaded, profile=prof)
    kind = prof.page_kind(url)
    print(f"page {page}: url {url}, {'HTML' if loaded.is_html else 'text'}, {len(content):,} bytes", file=out)
    print(f"  the URL is {'an ' + kind if kind == 'article' else 'a ' + kind if kind else 'unknown to the patterns'}"
          f" page; anchor {anchor.isoformat() if anchor else '- (relative stamps stay unresolved)'}", file=out)  # fmt: skip
    kinds = Counter(s.kind for s in stories)
    print(
        f"  {len(stories)} stories: " + (", ".join(f"{n} {k}" for k, n in kinds.items()) or "none"), file=out
    )
    stats: Counter[str] = Counter()
    store = StateStore(":memory:")
    try:
        result = process_page(content, url=url, source_name=prof.name, fetched_at=anchor or datetime.now(UTC),
                              anchor=anchor, profile=prof, store=store, stats=stats, content_type=ctype)  # fmt: skip
    finally:
        store.close()
    by_title: dict[str, Any] = {r.title: r for r in result.records if r.title}
    for s in stories:
        link = canonical_url(s.link) if s.link else None
        follow = ""
        if link:
            lk = prof.page_kind(link) if prof.owns(link) else None
            follow = f"  link -> {lk + ' (followed)' if lk else 'not followed'}"
        rec = by_title.get(s.title or "")
        when = rec.published.at.isoformat() if rec is not None and rec.published and rec.published.at else "-"
        dl = rec.dateline.text if rec is not None and rec.dateline else "-"
        print(f"  - [{s.kind}] {s.title or '(no title)'}", file=out)
        print(
            f"      dateline {dl}; stamp {s.stamp or '-'} ({s.stamp_source or '-'}) -> {when}{follow}",
            file=out,
        )
    rejected = Counter(f"{r['stage']}/{r['reason']}" for r in result.rejected)
    if rejected:
        print("  quarantined: " + json.dumps(dict(rejected)), file=out)
    return 0 if stories else 1
