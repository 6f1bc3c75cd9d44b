"""Libraries that could do part of the real-page work, measured against ours on the same pages.

    python benchmarks/realhtml_libs.py [REALHTML_DIR]

REALHTML_DIR holds ``gold.jsonl`` and ``pages/`` (default ``../shared/realhtml``). Measured, in one run:

* parsing (ms/page): lxml's HTML parser (ours) beside selectolax/lexbor and resiliparse;
* the page's own story (pages whose text holds >= 50 % of the words of the gold's first two
  paragraphs, the scorer's rule — recall only, so the length of the text is printed beside it, and
  every visible word of the page is the floor) and ms/page: our main-story finder beside
  readability-lxml, trafilatura and resiliparse's main-content extraction;
* embedded metadata (a publish date on the gold's day, ms/page): our reader beside extruct.

Libraries that are not installed are skipped (``pip install selectolax resiliparse extruct
readability-lxml``). Nothing is asserted; the figures go in README.md.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "realhtml"


def words(s: str | None) -> set[str]:
    return {w for w in re.findall(r"\w+", (s or "").casefold()) if len(w) > 3}


def story_ok(text: str | None, gold: dict[str, Any]) -> bool:
    gw = words(gold["gold_first_paragraph"] + " " + gold["gold_second_paragraph"])
    return bool(gw) and len(gw & words(text)) / len(gw) >= 0.5


def day_ok(value: str | None, gold: dict[str, Any]) -> bool:
    return bool(value) and str(value)[:10] == gold["publishing_day"]


def timed(
    fn: Callable[[bytes, dict[str, Any]], Any], pages: list[tuple[bytes, dict[str, Any]]]
) -> tuple[list[Any], float]:
    out = []
    t0 = time.perf_counter()
    for body, gold in pages:
        try:
            out.append(fn(body, gold))
        except Exception:  # a library failing on a page is a miss, not the end of the run
            out.append(None)
    return out, (time.perf_counter() - t0) / len(pages) * 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", nargs="?", default=str(DEFAULT))
    args = ap.parse_args(argv)
    folder = Path(args.folder)
    if not (folder / "gold.jsonl").is_file():
        print(f"no gold.jsonl in {folder}", file=sys.stderr)
        return 2
    golds = [json.loads(line) for line in (folder / "gold.jsonl").open(encoding="utf-8")]
    pages = [((folder / g["page"]).read_bytes(), g) for g in golds]
    rows: list[tuple[str, str, str]] = []

    from lxml import etree

    from wirefeed.mainstory import find_main_story
    from wirefeed.metadata import read_metadata
    from wirefeed.page import decode

    parser = etree.HTMLParser(remove_comments=True)
    _, ms = timed(lambda b, g: etree.fromstring(decode(b), parser), pages)
    rows.append(("parse", "lxml HTMLParser (ours)", f"{ms:.2f} ms/page"))
    try:
        from selectolax.lexbor import LexborHTMLParser

        _, ms = timed(lambda b, g: LexborHTMLParser(b), pages)
        rows.append(("parse", "selectolax/lexbor", f"{ms:.2f} ms/page"))
    except ImportError:
        pass
    try:
        from resiliparse.parse.html import HTMLTree

        _, ms = timed(lambda b, g: HTMLTree.parse_from_bytes(b), pages)
        rows.append(("parse", "resiliparse", f"{ms:.2f} ms/page"))
    except ImportError:
        pass

    def ours_story(b: bytes, g: dict[str, Any]) -> str:
        doc = etree.fromstring(decode(b), parser)
        meta = read_metadata(doc, g["url"])
        etree.strip_elements(doc, "script", "style", "noscript", "template", "svg", with_tail=False)
        main = find_main_story(doc, meta)
        return "\n".join(main.paragraphs) if main else (meta.body() or "")

    def story_row(name: str, res: list[Any], ms: float) -> None:
        ok = sum(story_ok(t, g) for t, (_, g) in zip(res, pages, strict=True))
        chars = sum(len(t or "") for t in res) / len(res)
        rows.append(
            ("own story", name, f"{ok}/{len(pages)}, {chars / 1000:.1f}k chars of text, {ms:.1f} ms/page")
        )

    def whole_text(b: bytes, g: dict[str, Any]) -> str:
        doc = etree.fromstring(decode(b), parser)
        etree.strip_elements(doc, "script", "style", "noscript", "template", "svg", with_tail=False)
        return " ".join("".join(doc.itertext()).split())

    res, ms = timed(whole_text, pages)
    story_row("every visible word (the floor)", res, ms)
    res, ms = timed(ours_story, pages)
    story_row("wirefeed.mainstory (ours)", res, ms)
    try:
        from readability import Document

        res, ms = timed(lambda b, g: re.sub(r"<[^>]+>", " ", Document(b).summary()), pages)
        story_row("readability-lxml", res, ms)
    except ImportError:
        pass
    try:
        import trafilatura

        res, ms = timed(lambda b, g: trafilatura.extract(b, url=g["url"]), pages)
        story_row("trafilatura.extract", res, ms)
    except ImportError:
        pass
    try:
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree

        res, ms = timed(
            lambda b, g: extract_plain_text(HTMLTree.parse_from_bytes(b), main_content=True), pages
        )
        story_row("resiliparse main_content", res, ms)
    except ImportError:
        pass

    def ours_date(b: bytes, g: dict[str, Any]) -> str | None:
        doc = etree.fromstring(decode(b), parser)
        found = read_metadata(doc, g["url"]).published()
        return found[0][0] if found else None

    res, ms = timed(ours_date, pages)
    ok = sum(day_ok(t, g) for t, (_, g) in zip(res, pages, strict=True))
    rows.append(
        ("metadata date", "wirefeed.metadata (ours)", f"{ok}/{len(pages)} on the gold day, {ms:.2f} ms/page")
    )
    try:
        import extruct

        def ex_date(b: bytes, g: dict[str, Any]) -> str | None:
            data = extruct.extract(b, base_url=g["url"], syntaxes=["json-ld", "microdata", "opengraph"])
            for obj in data.get("json-ld", []) + [i.get("properties", {}) for i in data.get("microdata", [])]:
                for o in obj.get("@graph", [obj]) if isinstance(obj, dict) else []:
                    if isinstance(o, dict) and o.get("datePublished"):
                        return str(o["datePublished"])
            for og in data.get("opengraph", []):
                for k, v in og.get("properties", []):
                    if k == "article:published_time":
                        return str(v)
            return None

        res, ms = timed(ex_date, pages)
        ok = sum(day_ok(t, g) for t, (_, g) in zip(res, pages, strict=True))
        rows.append(
            (
                "metadata date",
                "extruct (json-ld, microdata, og)",
                f"{ok}/{len(pages)} on the gold day, {ms:.2f} ms/page",
            )
        )
    except ImportError:
        pass
    width = max(len(r[1]) for r in rows)
    print(f"{len(pages)} pages")
    for task, name, figure in rows:
        print(f"{task:<14} {name:<{width}}  {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
