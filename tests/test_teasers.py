"""wirefeed.teasers: a headline beside an article that announces another story, told from navigation."""

from __future__ import annotations

import pytest
from lxml import etree

from wirefeed.teasers import announces_story, may_hold_teasers, names_a_service

PAGE = {"https://www.valleycourier.example/region/old-mill-museum-1234"}
LEAD = "From June the first boat leaves the quay at six, an hour earlier than last year, and later at night."
T = "Ferry timetable changes for the summer"
LINK = "https://www.valleycourier.example/region/ferry-timetable-changes-5678"


def test_a_headline_linking_to_another_story_over_a_lead_is_a_teaser() -> None:
    assert announces_story(T, LEAD, LINK, None, PAGE)
    assert announces_story(T, LEAD, LINK, LINK, PAGE)  # lead linked too


@pytest.mark.parametrize(
    ("title", "lead", "link", "lead_link", "why"),
    [
        (T, None, LINK, None, "no lead: a bare headline link"),
        ("Ferry timetable changes", "Too short to be a lead.", LINK, None, "a kicker or a date, not a lead"),
        ("Mara Lind", LEAD, LINK, None, "two words: an author or a label"),
        ("Sign up for the morning briefing", LEAD, LINK, None, "a newsletter box"),
        (T, LEAD, "https://other.example/a-b-c-1234", None, "another site"),
        (T, LEAD, "mailto:?subject=ferry-times-1234", None, "a mail link"),
        (T, LEAD, next(iter(PAGE)) + "#comments", None, "the page itself"),
        (T, LEAD, "https://www.valleycourier.example/region", None, "a section"),
        (
            T,
            LEAD,
            LINK,
            "https://www.valleycourier.example/region/bridge-closed-3456",
            "the next headline link of a list, taken for a lead",
        ),
    ],
)
def test_what_is_not_a_teaser(
    title: str, lead: str | None, link: str, lead_link: str | None, why: str
) -> None:
    assert not announces_story(title, lead, link, lead_link, PAGE), why


@pytest.mark.parametrize(
    "title",
    [
        "Sign up for the Valley morning briefing",  # a newsletter box
        "Der Morgennewsletter aus dem Tal",  # a compound
        "Talfunk – der Podcast zur Kreispolitik",
        "Mit der App immer wissen, was im Tal passiert",
        "Der Talbote auf Instagram: Bilder aus der Region",
        "Über uns: So arbeitet die Lokalredaktion",
        "Schrijf je in voor onze nieuwsbrief",
        "Lisez le journal en e-paper chaque matin",
        "Seguici su WhatsApp per le notizie del giorno",
        "Über die Autorin: Mara Lind",  # an author box, whatever its link
    ],
)
def test_a_headline_naming_a_service_is_not_a_teaser(title: str) -> None:
    assert names_a_service(title)
    assert not announces_story(title, LEAD, LINK, None, PAGE)


@pytest.mark.parametrize(
    "title",
    [
        T,
        "Knapp daneben: Stadtrat lehnt den Haushalt ab",  # `app` inside a word is no app
        "Schülerinnen aus Auenbach gewinnen Hörspielpreis",
        "Applaus für die Feuerwehr nach dem Großbrand",  # nor at its start
    ],
)
def test_a_story_headline_names_no_service(title: str) -> None:
    assert not names_a_service(title)


def _tree(body: str) -> object:
    return etree.fromstring(f"<html><body>{body}</body></html>", etree.HTMLParser())


CARD = f'<div class="card"><a href="/region/ferry-timetable-changes-5678"><h3>{T}</h3></a><p>{LEAD}</p></div>'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (CARD, True),
        (f'<div><a href="/region/x-y-z-1"><h4>Region</h4><h3>{T}</h3><p>{LEAD}</p></a></div>', True),
        # a list of bare headline links: each headline's closest container holds the next one
        (
            "<ul><li><h3><a href='/region/bridge-closed-3456'>Bridge closed for repairs until Friday</a></h3></li>"
            "<li><h3><a href='/sport/rowing-club-wins-7890'>Rowing club wins the river cup again</a></h3></li></ul>"
            f"<p>{LEAD}</p>",
            False,
        ),
        (CARD.replace(T, "Sign up for the morning briefing"), False),  # a service box
        (CARD.replace("/region/ferry-timetable-changes-5678", "/region"), False),  # a section link
        (CARD.replace(LEAD, "Two lines."), False),  # no room for a lead
    ],
)
def test_a_look_for_teaser_cards_before_the_walk(body: str, expected: bool) -> None:
    assert may_hold_teasers(_tree(body), next(iter(PAGE))) is expected
