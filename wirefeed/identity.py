"""Story identity: canonical URLs, stable ids and content hashes.

A story's id is derived from what identifies it, never from time or chance: its canonical URL when
known, else its source, title and lead. ``content_hash`` is an exact hash of the normalized text,
so the same words give the same hash whatever the whitespace, case or quote style.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["canonical_url", "content_hash", "normalize_text", "story_id"]

# Query parameters that track a click, not name a page.
_TRACKING = re.compile(
    r"^(utm_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|ref|ref_src|"
    r"feedtype|feedname|cmpid|ocid|at_medium|at_campaign|xtor|wt_mc|s_cid)$",
    re.IGNORECASE,
)
_PUNCT_RE = re.compile(r"[^\w\s]")
# A URL w3lib's canonicalize_url returns unchanged: http(s), a lower-case ASCII host of non-empty labels
# of at most 63 letters, digits and hyphens (IDNA leaves those as they are), a port as int() prints it, a path of unreserved
# characters without dot segments ("/."), no query, no fragment. Most article URLs are; the others go
# through w3lib, whose module imports urllib.request (with http.client, email and ssl: ~0.1 s of a
# one-page parse's start). tests/test_identity.py checks the two agree on such URLs.
_CANONICAL_AS_IS = re.compile(
    r"https?://[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*(?::[1-9][0-9]{0,4})?(?:/[A-Za-z0-9._~-]*)+"
)


@lru_cache(maxsize=4096)
def canonical_url(url: str) -> str:
    """Scheme and host lower-cased, default port, fragment and tracking parameters dropped, query sorted."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:  # a malformed port (``host:800e<``, seen in fuzzing) is kept as printed, not fatal
        host = parts.netloc.rpartition("@")[2].lower()
        port = None
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    rebuilt = urlunsplit((parts.scheme.lower(), host, parts.path or "/", urlencode(query), ""))
    if _CANONICAL_AS_IS.fullmatch(rebuilt) and "/." not in rebuilt:
        return rebuilt
    from w3lib.url import canonicalize_url

    try:
        return canonicalize_url(rebuilt)
    except ValueError:  # w3lib refuses what urlsplit let through (a malformed port): keep it as rebuilt
        return rebuilt


@lru_cache(maxsize=16)  # a story's title, lead and body are normalized for its hash and again for MinHash
def normalize_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_PUNCT_RE.sub(" ", text).split())


def content_hash(*parts: str | None) -> str:
    joined = "\n".join(normalize_text(p) for p in parts if p)
    return hashlib.blake2b(joined.encode("utf-8"), digest_size=16).hexdigest()


def story_id(*, url: str | None, source: str, title: str | None, lead: str | None) -> str:
    if url:
        key = "url\n" + canonical_url(url)
    else:
        key = "text\n" + "\n".join([source, normalize_text(title or ""), normalize_text(lead or "")[:300]])
    return "wf1-" + hashlib.blake2b(key.encode("utf-8"), digest_size=12).hexdigest()
