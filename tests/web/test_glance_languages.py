"""The program at a glance in the organizer's language: the stored figures are data, put into
words when the page is shown, whoever computed them and in whatever language."""

from __future__ import annotations

import base64
import html
import re
from datetime import UTC, datetime
from urllib.parse import unquote

from flask.testing import FlaskClient

from portal import i18n
from portal.container import Services
from portal.domain.checkins import Fit
from portal.domain.matches import MOVED
from portal.domain.participants import Role
from portal.mail.senders import MemorySender
from portal.persistence.matches import ACTIVATED
from portal.presenters.figures import VERSION
from portal.services.checkins import CheckinAnswers
from tests.conftest import FakeClock
from tests.english_left import english_left, visible_text
from tests.factories import pair, stored_person
from tests.web.dom import Document, parse
from tests.web.helpers import DEMO_ORGANIZER, sign_in_as_organizer

PAGE = "/organize/programs/demo"
REASON = {"code": "no_free_mentor"}


def _program(services: Services, clock: FakeClock) -> None:
    """Something in every part of the page: who waits (with the engine's reason and without),
    quiet pairs, a low rating and a request for another match, first meetings, goals, a
    round's cohort and the organizers' moves."""
    start = clock()
    matches = [pair(services, f"Mentor{n}", f"Mentee{n}", start) for n in range(8)]
    for name, reason in (("Wanda", REASON), ("Walter", None)):
        waiting = stored_person(name, Role.MENTEE, start)
        services.participants.save(waiting)
        services.participants.note_waiting(
            "demo", waiting.participant_id, since=start, told="x", reason=reason
        )
    for n, minute in enumerate(("0905", "0910", "0915")):
        mentor = stored_person(f"Moved{n}mentor", Role.MENTOR, start)
        mentee = stored_person(f"Moved{n}mentee", Role.MENTEE, start)
        for someone in (mentor, mentee):
            services.participants.save(someone)
        outcome = services.rounds.matches.activate(
            "demo",
            f"2026-03-05T{minute}Z{MOVED}",
            mentor=mentor.email,
            mentee=mentee.email,
            mentor_capacity=1,
            mentee_capacity=1,
            score=70,
            reasons=(),
            now=start,
        )
        assert outcome == ACTIVATED
    for n in range(3):
        services.checkins.add_goal(
            "demo", matches[n].match_id, f"mentee{n}@example.org", f"Goal {n}"
        )
    clock.advance(days=30)  # the pairs who say nothing are quiet for too long (28 days)
    ratings = (5, 5, 4, 4, 2, 1)
    for n, satisfaction in enumerate(ratings):
        services.checkins.record(
            "demo",
            matches[n].match_id,
            f"mentee{n}@example.org",
            CheckinAnswers(
                met=True,
                satisfaction=satisfaction,
                fit=Fit.REMATCH if satisfaction == 1 else Fit.GOOD,
            ),
        )
    clock.advance(hours=1)


def _spanish_organizer(client: FlaskClient, services: Services, mailbox: MemorySender) -> None:
    services.organizers.set_language(DEMO_ORGANIZER, "es")
    sign_in_as_organizer(client, mailbox)


def _main(page: str) -> str:
    """The visible text of the page's <main>."""
    return visible_text(page[page.index("<main") : page.index("</main>")])


def _chart_labels(source: str) -> list[str]:
    """The words and numbers drawn in a chart (its SVG's text), from its data: URI."""
    head, data = source.split(",", 1)
    svg = base64.b64decode(data).decode() if head.endswith(";base64") else unquote(data)
    return [html.unescape(text) for text in re.findall(r"<text[^>]*>([^<]+)</text>", svg)]


def _table(page: Document, caption: str) -> dict[str, list[str]]:
    """A table's rows by their first cell, found by the start of its caption."""
    for table in page.find_all("table"):
        found = table.find("caption")
        if found is not None and found.text.startswith(caption):
            rows = {}
            for row in table.one("tbody").find_all("tr"):
                cells = [c.text.strip() for c in row.iter() if c.tag in ("th", "td")]
                rows[cells[0]] = cells[1:]
            return rows
    captions = [c.text for c in page.find_all("caption")]
    raise AssertionError(f"no table captioned {caption!r} in {captions}")


def test_a_spanish_speaking_organizer_reads_the_whole_page_in_spanish(
    client: FlaskClient, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    _program(services, clock)
    _spanish_organizer(client, services, mailbox)

    response = client.get(PAGE)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = _main(response.text)
    assert english_left(text) == []
    page = parse(response.text)
    # Every part is there, in Spanish: who waits and why, the pairs to look at, the rounds.
    assert "Wanda Example" in text
    assert "Walter Example" in text
    assert "Mentee5 Example" in text
    for english in ("fewer than", "Moved by organizers", "Mar 2026", "quiet for", "Not started"):
        assert english not in text
    assert "2 mar 2026" in text  # the round's day, as Spanish writes it short
    assert "sin actividad desde hace 30 días" in text
    assert "valoró su emparejamiento con 2 de 5" in text
    assert _table(page, "Parejas según")["Más de 4 semanas"] == ["6"]
    images = page.find_all("img", class_="chart")
    assert len(images) >= 5
    labels = []
    for image in images:
        assert english_left(image.get("alt") or "") == []
        labels += _chart_labels(image.get("src") or "")
    # The charts' axes and legends: Spanish words, and numbers written with a decimal comma.
    assert english_left(" · ".join(labels)) == []
    assert "Movidas por las personas organizadoras" in labels
    assert "Sin empezar" in labels
    assert "0,2" in labels
    assert not [label for label in labels if re.fullmatch(r"\d+\.\d+", label)]


def test_figures_computed_in_english_are_read_in_spanish_and_the_other_way_round(
    client: FlaskClient, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    _program(services, clock)
    program = services.programs.get("demo")
    assert program is not None
    with i18n.speaking("en"):  # as the hourly function, outside any request
        services.figures.refresh(program)
    computed_at = clock()
    _spanish_organizer(client, services, mailbox)

    spanish = client.get(PAGE)

    text = _main(spanish.text)
    assert english_left(text) == []
    cohorts = _table(parse(spanish.text), "De las parejas")
    assert list(cohorts) == ["2 mar 2026", "Movidas por las personas organizadoras"]
    stored = services.figures.store.get("demo")
    assert stored is not None
    assert stored.computed_at == computed_at  # read as stored, not computed again

    # Computed while speaking Spanish, read by an English-speaking organizer.
    with i18n.speaking("es"):
        services.figures.refresh(program)
    services.organizers.set_language(DEMO_ORGANIZER, "en")
    english = parse(client.get(PAGE).text)

    assert list(_table(english, "Of the pairs each round made")) == [
        "2 Mar 2026",
        "Moved by organizers",
    ]
    assert _table(english, "Pairs by how long they took")["Over 4 weeks"] == ["6"]
    states = _table(english, "The pairs' goals by state")
    assert states == {"Not started": ["3"], "In progress": ["0"], "Done": ["0"]}
    waiting = _table(english, "4 confirmed people are in no match")
    assert waiting["Wanda Example"][-1] == "no mentor has a free place in this round"
    assert waiting["Walter Example"][-1] == "not in a round yet, or the reason was not kept"
    why = [cells[0] for cells in _table(english, "Pairs quiet for too long").values()]
    assert "asked for another match" in why
    assert "rated their match 2 of 5" in why
    assert "quiet for 30 days" in why


# What the first version stored (English words, no version), from a program of two pairs.
OLD_SHAPE = {
    "funnel": [{"label": "Signed up", "text": "4", "suppressed": False, "value": 4.0}],
    "match_rate": [{"label": "Mentors", "text": "100%", "suppressed": False, "value": 100.0}],
    "waiting": [],
    "waiting_total": 0,
    "attention": [],
    "attention_total": 0,
    "weeks": [
        {
            "label": "2 Mar",
            "checkins": {"text": "fewer than 5 people", "suppressed": True, "value": None},
            "satisfaction": {"text": "none yet", "suppressed": False, "value": None},
        }
    ],
    "satisfaction": {"text": "none yet", "suppressed": False, "value": None},
    "distribution": {"shown": True, "ratings": []},
    "cohorts": [],
    "first_meetings": {
        "median": {"text": "none yet", "suppressed": False, "value": None},
        "shown": True,
        "buckets": [{"label": "Within a week", "pairs": 0}],
        "not_yet": 2,
    },
    "goals": {
        "states": [{"label": "Not started", "count": 0}],
        "pairs": 0,
        "done": {"text": "none yet", "suppressed": False, "value": None},
        "shown": True,
    },
}


def test_figures_stored_in_the_old_english_shape_are_computed_again_when_read(
    client: FlaskClient, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    _program(services, clock)
    services.figures.store.put("demo", clock(), OLD_SHAPE)
    clock.advance(minutes=5)
    _spanish_organizer(client, services, mailbox)

    response = client.get(PAGE)

    assert response.status_code == 200
    text = _main(response.text)
    assert english_left(text) == []
    # Today's figures (24 people signed up, not the old 4), stored again in the new shape.
    assert _table(parse(response.text), "El embudo")["Inscripción"] == ["24"]
    stored = services.figures.store.get("demo")
    assert stored is not None
    assert stored.computed_at == clock()
    assert stored.figures["version"] == VERSION
    assert datetime.fromisoformat(stored.figures["cohorts"][0]["started"]) == datetime(
        2026, 3, 2, 9, 0, tzinfo=UTC
    )
