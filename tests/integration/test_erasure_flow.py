"""Issue 11's check of erasure, on DynamoDB Local: sign up, confirm, get matched, check in, add
a goal, export, then Delete my data; no table holds the person any more, but the one digest."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.addresses import address_digest
from portal.domain.participants import Role
from portal.mail.senders import MemorySender
from portal.persistence.matches import ACTIVATED
from portal.persistence.tables import SuppressionRecord
from portal.services.checkins import CheckinAnswers
from tests.conftest import FakeClock, csrf_token, links_in, table_snapshot
from tests.factories import stored_person
from tests.integration.conftest import sign_up_as_mentee

pytestmark = pytest.mark.integration

BASE = "http://portal.test"
ROUND = "2026-03-02T0900Z"
GOAL = "Learn to review pull requests"
NOTE = "Ada's note for the organizers"
MAX_NOTE = "Max's own note about the pair"


def _sign_in(client: FlaskClient, url: str) -> str:
    path = url.removeprefix(BASE)
    opened = client.get(path)
    assert opened.status_code == 200
    signed = client.post(path, data={"csrf_token": csrf_token(opened.text)})
    assert signed.status_code == 302
    return signed.headers["Location"]


def test_erase_from_the_page_leaves_only_the_suppressions_digest(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    assert sign_up_as_mentee(client).status_code == 200
    (link,) = [u for u in links_in(mailbox.sent[0][1]) if "/confirm/" in u]
    form = client.get(link.removeprefix(BASE))
    confirmed = client.post(link.removeprefix(BASE), data={"csrf_token": csrf_token(form.text)})
    assert confirmed.status_code == 200
    ada = services.participants.get("demo", "ada@example.org")
    assert ada is not None
    mentor = stored_person("Max", Role.MENTOR, clock())
    services.participants.save(mentor)
    outcome = services.rounds.matches.activate(
        "demo",
        ROUND,
        mentor=mentor.email,
        mentee=ada.email,
        mentor_capacity=1,
        mentee_capacity=1,
        score=80,
        reasons=(),
        now=clock(),
    )
    assert outcome == ACTIVATED
    (match,) = services.rounds.matches.for_person("demo", ada.email)
    services.checkins.add_goal("demo", match.match_id, ada.email, GOAL)
    services.checkins.record(
        "demo", match.match_id, ada.email, CheckinAnswers(met=True, minutes=30, note=NOTE)
    )
    services.checkins.record(
        "demo", match.match_id, mentor.email, CheckinAnswers(met=True, note=MAX_NOTE)
    )
    services.unsubscribes.suppressions.add(ada.email, "bounce", clock())
    page = _sign_in(client, services.participation.page_url("demo", ada.email))
    html = client.get(page).text
    export = client.post("/me/programs/demo/export", data={"csrf_token": csrf_token(html)})
    document = json.loads(export.text)
    assert [g["text"] for g in document["goals"]] == [GOAL]
    assert [n["note"] for n in document["private_notes"]] == [NOTE]
    assert document["matches"][0]["partner_name"] == "Max Example"
    traces = [ada.email, ada.name.lower(), ada.participant_id, GOAL.lower(), NOTE.lower()]
    dump = json.dumps(table_snapshot(), default=str).lower()
    assert [t for t in traces if t in dump] == traces

    asked = client.get("/me/programs/demo/erase")
    done = client.post("/me/programs/demo/erase", data={"csrf_token": csrf_token(asked.text)})
    assert done.status_code == 200
    assert "Your data is deleted" in done.text
    services.mail.drain(per_second=1000)  # the partner is told; the email keeps no body

    dump = json.dumps(table_snapshot(), default=str).lower()
    assert [t for t in traces if t in dump] == []
    assert [r.address_hash for r in SuppressionRecord.scan()] == [address_digest(ada.email)]
    told = [m for to, m in mailbox.sent if to == mentor.mailbox]
    assert [m["Subject"] for m in told] == ["Your match with Ada has ended"]

    # The partner's page and the organizer's summary still work.
    partner = client.application.test_client()
    partner_page = partner.get(
        _sign_in(partner, services.participation.page_url("demo", mentor.email))
    )
    assert partner_page.status_code == 200
    assert "Hello, Max" in partner_page.text
    demo = services.programs.get("demo")
    assert demo is not None
    report = services.summaries.summary_for(demo, clock())
    assert services.summaries.context(report)
    assert MAX_NOTE in json.dumps(table_snapshot(), default=str)  # the partner's note stays
