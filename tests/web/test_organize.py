"""Organizers review draft pairs from a magic link: adjust with checks, then approve."""

from __future__ import annotations

import re
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.participants import Role
from portal.mail.senders import MemorySender
from tests.conftest import FakeClock, csrf_token, links_in, table_snapshot
from tests.factories import seed_demo_people
from tests.web.conftest import Site

# The demo people of each program (portal.local.demo), matched: leaders-group's 24 mentees
# all find a mentor but one, whose only mentor who passes the rules is full; peer-circles'
# 40 peers make 20 pairs.
LEADERS_PAIRS = 23
PEER_PAIRS = 20


@pytest.fixture
def site(build_site: Callable[..., Site], content_copy: Path) -> Site:
    """The portal with leaders-group and peer-circles switched to organizer approval."""
    for slug, approval in (("leaders-group", "mentee-choice"), ("peer-circles", "auto")):
        path = content_copy / "programs" / f"{slug}.md"
        text = path.read_text()
        assert f"approval: {approval}" in text
        path.write_text(text.replace(f"approval: {approval}", "approval: organizer"))
    return build_site(content_dir=content_copy)


@pytest.fixture
def client(site: Site) -> FlaskClient:
    return site.client


@pytest.fixture
def services(site: Site) -> Services:
    return site.services


def _run_draft_round(
    services: Services,
    clock: FakeClock,
    slug: str = "leaders-group",
    round_id: str = "2026-03-02T0900Z",
) -> tuple[str, str]:
    """An organizer-approval program: the round stores drafts and emails the organizers a link."""
    program = services.programs.get(slug)
    assert program is not None
    seed_demo_people(services, program, clock())
    outcome = services.rounds.run(program, round_id, trigger="cli")
    assert outcome.status == "done"
    services.mail.drain(per_second=1000)
    return program.slug, outcome.round_id


def _open_review(client: FlaskClient, mailbox: MemorySender) -> str:
    summary = next(m for to, m in mailbox.sent if to == "leaders@example.org")
    assert "drafts to approve" in summary["Subject"]
    link = next(u for u in links_in(summary) if "/organize/" in u).removeprefix(
        "http://portal.test"
    )
    page = client.get(link)
    assert page.status_code == 200
    opened = client.post(link, data={"csrf_token": csrf_token(page.text)})
    assert opened.status_code == 302
    return client.get(opened.headers["Location"]).text


def test_nobody_is_introduced_until_an_organizer_approves(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    slug, round_id = _run_draft_round(services, clock)
    assert not [m for _, m in mailbox.sent if m["Subject"].startswith("Meet")]
    review = _open_review(client, mailbox)
    drafts = [m for m in services.rounds.matches.for_round(slug, round_id)]
    assert len(drafts) == LEADERS_PAIRS
    assert all(m.status == "proposed" for m in drafts)
    assert "Approve and send the introductions" in review

    approved = client.post(
        f"/organize/programs/{slug}/rounds/{round_id}/approve",
        data={"csrf_token": csrf_token(review)},
        follow_redirects=True,
    )
    assert f"Approved: {len(drafts)} pairs" in approved.text
    ((entry, _),) = services.audit.page(slug).rows
    assert (entry.action, entry.subject_kind, entry.subject, entry.organizer) == (
        "approve_round",
        "round",
        round_id,
        "leaders@example.org",
    )
    services.mail.drain(per_second=1000)
    # leaders-group is a group program: one email to each member of each group, not per pair.
    intros = [to for to, m in mailbox.sent if " group in " in m["Subject"]]
    members = {m.mentor for m in drafts} | {m.mentee for m in drafts}
    assert sorted(intros) == sorted(members)
    people = {p.email: p for p in services.participants.for_program(slug)}
    for person in people.values():
        limit = min(person.capacity, 4) if person.role is Role.MENTOR else 1
        assert person.active_matches <= limit


def test_an_adjustment_that_breaks_a_rule_or_a_capacity_is_refused(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    slug, round_id = _run_draft_round(services, clock)
    review = _open_review(client, mailbox)
    token = csrf_token(review)
    drafts = services.rounds.matches.for_round(slug, round_id)
    people = {p.email: p for p in services.participants.for_program(slug)}
    mentee = drafts[0].mentee

    # A full mentor: give one mentor a capacity of 1 already taken by their draft.
    drafted = Counter(m.mentor for m in drafts)
    full = next(m.mentor for m in drafts if m.mentee != mentee and drafted[m.mentor] == 1)
    services.participants.save(replace(people[full], capacity=1))
    before = table_snapshot()
    refused = client.post(
        f"/organize/programs/{slug}/rounds/{round_id}/adjust",
        data={"csrf_token": token, "mentee": mentee, "mentor": full},
        follow_redirects=True,
    )
    assert re.search(r"already has 1 of 1 place", refused.text)
    assert table_snapshot() == before

    # A must rule: a mentor who shares no language with the mentee.
    stranger = next(
        p
        for p in people.values()
        if p.role is Role.MENTOR and p.email not in (full, drafts[0].mentor)
    )
    services.participants.save(replace(stranger, languages=("Klingon",), capacity=4))
    before = table_snapshot()
    refused = client.post(
        f"/organize/programs/{slug}/rounds/{round_id}/adjust",
        data={"csrf_token": token, "mentee": mentee, "mentor": stranger.email},
        follow_redirects=True,
    )
    assert "cannot be paired: no shared language" in refused.text, re.findall(
        r"role=\"(?:alert|status)\">([^<]*)", refused.text
    )
    assert table_snapshot() == before  # nothing changed
    after = {m.mentee: m.mentor for m in services.rounds.matches.for_round(slug, round_id)}
    assert after[mentee] == drafts[0].mentor

    taken_out = client.post(
        f"/organize/programs/{slug}/rounds/{round_id}/adjust",
        data={"csrf_token": token, "mentee": mentee, "mentor": ""},
        follow_redirects=True,
    )
    assert "Saved" in taken_out.text
    assert mentee not in {m.mentee for m in services.rounds.matches.for_round(slug, round_id)}
    # Only the change made is in the audit log, with no name in it; the refusals are not.
    ((entry, _),) = services.audit.page(slug).rows
    assert (entry.action, entry.subject_kind, entry.subject, entry.detail) == (
        "adjust_draft",
        "round",
        round_id,
        "taken out of the round",
    )


def test_the_review_page_is_for_the_programs_organizers_only(client: FlaskClient) -> None:
    response = client.get("/organize/programs/leaders-group/review")
    assert response.status_code == 403
    assert "for the program's organizers" in response.text


OTHER_PROGRAMS_ROUND = "2026-03-02T1400Z"  # peer-circles' Monday, 09:00 in New York
BAD_ROUND_IDS = {
    "made up": "not-a-round",
    "made up in a round's shape": "2026-03-09T0900Z",
    "a round's shape padded to 1,000 bytes": "2026-03-02T0900Z".ljust(1000, "9"),
    "another program's proposed round": OTHER_PROGRAMS_ROUND,
}


@pytest.mark.parametrize("action", ["approve", "adjust"])
@pytest.mark.parametrize("round_id", BAD_ROUND_IDS.values(), ids=BAD_ROUND_IDS.keys())
def test_a_round_that_is_not_waiting_for_approval_is_not_found_and_nothing_is_written(
    client: FlaskClient,
    services: Services,
    mailbox: MemorySender,
    clock: FakeClock,
    action: str,
    round_id: str,
) -> None:
    slug, real_round = _run_draft_round(services, clock)
    other_slug, other_round = _run_draft_round(
        services, clock, "peer-circles", OTHER_PROGRAMS_ROUND
    )
    assert other_round == OTHER_PROGRAMS_ROUND
    review = _open_review(client, mailbox)
    drafts = services.rounds.matches.for_round(slug, real_round)
    assert len(drafts) == LEADERS_PAIRS
    before = table_snapshot()
    emails = len(mailbox.sent)

    response = client.post(
        f"/organize/programs/{slug}/rounds/{round_id}/{action}",
        data={"csrf_token": csrf_token(review), "mentee": drafts[0].mentee, "mentor": ""},
    )

    assert table_snapshot() == before
    assert response.status_code == 404
    assert "No round by that name is waiting for approval" in response.text
    services.mail.drain(per_second=1000)
    assert len(mailbox.sent) == emails  # nobody was introduced
    # The real drafts are still the ones to review, and still approvable.
    page = client.get(f"/organize/programs/{slug}/review").text
    assert f"Round {real_round}: {len(drafts)} draft pairs" in page
    assert "Approve and send the introductions" in page
    other = services.rounds.matches.for_round(other_slug, other_round)
    assert len(other) == PEER_PAIRS
    assert all(m.status == "proposed" for m in other)


def test_an_approved_round_cannot_be_approved_or_adjusted_again(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    slug, round_id = _run_draft_round(services, clock)
    review = _open_review(client, mailbox)
    token = csrf_token(review)
    mentee = services.rounds.matches.for_round(slug, round_id)[0].mentee
    approved = client.post(
        f"/organize/programs/{slug}/rounds/{round_id}/approve", data={"csrf_token": token}
    )
    assert approved.status_code == 302
    before = table_snapshot()

    for action in ("approve", "adjust"):
        again = client.post(
            f"/organize/programs/{slug}/rounds/{round_id}/{action}",
            data={"csrf_token": token, "mentee": mentee, "mentor": ""},
        )
        assert again.status_code == 404, action
        assert "No round by that name is waiting for approval" in again.text

    assert table_snapshot() == before
    assert services.rounds.rounds.get(slug, round_id).status == "introduced"


@pytest.mark.parametrize("field", ["mentee", "mentor"])
def test_a_made_up_person_is_refused_by_a_message_that_fits_in_the_cookie(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock, field: str
) -> None:
    slug, round_id = _run_draft_round(services, clock)
    review = _open_review(client, mailbox)
    drafts = services.rounds.matches.for_round(slug, round_id)
    # Random text does not compress: a message quoting it would fill the session cookie.
    made_up = secrets.token_urlsafe(3000)
    form = {"csrf_token": csrf_token(review), "mentee": drafts[0].mentee, "mentor": ""}
    form[field] = made_up
    before = table_snapshot()

    refused = client.post(f"/organize/programs/{slug}/rounds/{round_id}/adjust", data=form)

    assert refused.status_code == 302
    (cookie,) = refused.headers.getlist("Set-Cookie")
    assert len(cookie.split(";", 1)[0]) <= 4096  # what browsers keep; a larger one is dropped
    page = client.get(refused.headers["Location"])
    assert page.status_code == 200  # still signed in: the browser kept its session
    expected = {
        "mentee": "The chosen mentee has no draft pair in this round",
        "mentor": "The chosen mentor is not a confirmed mentor of this program",
    }[field]
    assert expected in page.text
    assert made_up[:20] not in page.text
    assert table_snapshot() == before
