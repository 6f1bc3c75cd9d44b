"""Near-duplicate threshold: recall and precision on pairs built from the demo portals' stories.

    python benchmarks/neardup.py

Positives: each demo story against an edited copy — two words changed, a sentence added, the dateline
reworded, only the first paragraph (a lead-only copy). Negatives: different stories of the same section
(same topic area), and hand-written stories on the same event in other words. A pair is "found" when the
LSH bands collide and the estimated Jaccard similarity reaches the threshold. Also prints µs per signature.
"""

from __future__ import annotations

import itertools
import statistics
import time

from wirefeed.demo.site import stories
from wirefeed.neardup import THRESHOLD, band_keys, signature, similarity

SAME_EVENT = [  # (demo slug, another outlet's own story on the same event)
    (
        "eu-leiders-eens-over-steunpakket",
        "Na urenlang overleg hebben de Europese regeringsleiders ingestemd met "
        "financiële hulp aan Kyiv. Hongarije gaf pas in de ochtend zijn verzet op, zeggen diplomaten.",
    ),
    (
        "ecb-houdt-rente-ongewijzigd",
        "Beleggers hadden het al verwacht: de centrale bank in Frankfurt laat de "
        "rentetarieven zoals ze zijn. Een verlaging zit er volgens economen pas in het voorjaar in.",
    ),
    (
        "treinverkeer-utrecht-urenlang-plat-door-storing",
        "Reizigers tussen Amersfoort en Utrecht stonden dinsdag "
        "lang te wachten. Een kabelbreuk zette de seinen op rood, waarna bussen de reizigers vervoerden.",
    ),
    (
        "knmi-waarschuwt-voor-gladheid-in-het-noorden",
        "Automobilisten in Groningen en Friesland moeten morgenvroeg "
        "extra voorzichtig zijn. Bevriezing van natte wegdelen maakt fietspaden en wegen glad.",
    ),
    (
        "aex-sluit-hoger-na-cijfers-chipbedrijven",
        "Het Damrak eindigde vrijdag met winst. Vooral technologiefondsen "
        "deden het goed na resultaten van chipmakers die de verwachtingen overtroffen.",
    ),
    (
        "stroomuitval-in-delen-van-kyiv",
        "In Kyiv viel na Russische aanvallen op energiecentrales de elektriciteit "
        "uit in meerdere wijken. Inwoners konden zich warmen in tenten van de stad.",
    ),
]


def text_of(s: dict) -> str:
    return "\n".join(s["paragraphs"])


def variants(s: dict) -> list[str]:
    paras = s["paragraphs"]
    words = paras[0].split()
    two = words[:]
    two[3], two[-4] = "ongeveer", "volgens"
    dateline = f"{s['place'].title()} - " + "\n".join(paras)
    return [
        " ".join(two) + "\n" + "\n".join(paras[1:]),
        text_of(s) + "\nHet nieuws werd later op de dag bevestigd door betrokkenen.",
        dateline,
        paras[0],
    ]


def found(a: str, b: str, threshold: float) -> bool:
    sa, sb = signature(a), signature(b)
    if sa is None or sb is None:
        return False
    return bool(set(band_keys(sa)) & set(band_keys(sb))) and similarity(sa, sb) >= threshold


def main() -> None:
    all_stories = stories()
    by_slug = {s["slug"]: s for s in all_stories}
    positives = [(text_of(s), v) for s in all_stories for v in variants(s)]
    negatives = [
        (text_of(a), text_of(b))
        for a, b in itertools.combinations(all_stories, 2)
        if a["section"] == b["section"]
    ]
    negatives += [(text_of(by_slug[slug]), other) for slug, other in SAME_EVENT]
    print(
        f"{len(positives)} positive pairs (edited copies), {len(negatives)} negative pairs (same section or event)"
    )
    print("| threshold | recall | precision | false positives |")
    print("|-----------|--------|-----------|-----------------|")
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        tp = sum(found(a, b, threshold) for a, b in positives)
        fp = sum(found(a, b, threshold) for a, b in negatives)
        recall = tp / len(positives)
        precision = tp / (tp + fp) if tp + fp else 1.0
        mark = "  <- used" if threshold == THRESHOLD else ""
        print(f"| {threshold:9.1f} | {recall:6.3f} | {precision:9.3f} | {fp:15d} |{mark}")
    texts = [text_of(s) for s in all_stories]
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for t in texts:
            signature(t)
        rounds.append((time.perf_counter() - start) / len(texts) * 1e6)
    print(f"signature: {statistics.median(rounds):.0f} µs per story (median of 5 rounds)")


if __name__ == "__main__":
    main()
