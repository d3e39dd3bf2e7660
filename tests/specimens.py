"""One of every email the portal sends, made the way the portal makes them.

The services live through a program's life: sign-ups, a roster import's invitation, a round
with introductions and its summary, a round of suggestions, first meetings booked (one
cancelled, one followed up), a cycle of reminders, nudges,
alerts and surveys with a weekly summary, a match ended, and an email that could not be
delivered. Nothing here is a
hand-written context: an email the catalogue adds is missed only if no such life sends it.
"""

from __future__ import annotations

from typing import Any

from portal.container import Services
from portal.domain.participants import Role
from portal.mail.senders import MemorySender, PermanentSendError
from portal.persistence.outbox import OutboxItem
from portal.services.signup import Application, Emailed
from tests.conftest import FakeClock
from tests.factories import seed_demo_people

CYCLE_DAYS = 12 * 7 + 1  # the demo program's cycle, through its closing survey


def every_email(services: Services, clock: FakeClock, mailbox: MemorySender) -> dict[str, str]:
    """The raw message of the first email of each template the portal queued, by template."""
    found: dict[str, str] = {}
    compose = services.mail.compose

    def keep(*args: Any, **kwargs: Any) -> OutboxItem | None:
        item = compose(*args, **kwargs)
        if item is not None:
            found.setdefault(item.template, item.raw)
        return item

    services.mail.compose = keep  # type: ignore[method-assign]
    demo = services.programs.get("demo")
    leaders = services.programs.get("leaders-group")
    assert demo is not None
    assert leaders is not None

    grace = Application(
        role=Role.MENTEE,
        name="Grace Hopper",
        email="grace@example.org",
        timezone="America/New_York",
        languages=("English",),
        availability=("mon-evening",),
        goals=("python",),
        seniority="early",
        answers={"industry": "Tech"},
    )
    assert isinstance(services.signup.sign_up(demo, grace), Emailed)
    people = seed_demo_people(services, demo, clock(), mentors=3, mentees=4)
    known = next(p for p in people if p.role is Role.MENTEE)
    assert isinstance(services.signup.sign_up(demo, _with_email(grace, known.email)), Emailed)
    # An organizer imports a roster naming someone who has not signed up: an invitation.
    roster = b"Email address,Full name\r\nkatherine@example.org,Katherine Johnson\r\n"
    imports = services.roster_imports
    dry = imports.check(demo, imports.read(roster, "roster.csv"), filename="roster.csv", full=False)
    if imports.apply(demo, dry, by=demo.organizers[0], expected=dry.fingerprint).pending:
        imports.finish("demo")
    # A known person asks for a link back to their page.
    assert services.signin.request(known.email, known.email, "192.0.2.1") is None

    assert services.rounds.run(demo, "2026-03-02T0900Z", trigger="cli").status == "done"
    seed_demo_people(services, leaders, clock(), mentors=1, mentees=3)
    assert services.rounds.run(leaders, "2026-03-02T0900Z", trigger="cli").status == "done"
    # Each mentee of the group program takes their first suggestion: the group is introduced.
    for mentee in services.participants.for_program("leaders-group"):
        offered = services.rounds.suggestions_for(leaders, "2026-03-02T0900Z", mentee.email)
        if offered:
            services.rounds.choose(leaders, "2026-03-02T0900Z", mentee.email, offered[0].mentor)

    # Two pairs book a first meeting (one then cancels it); the other is followed up below.
    booking = [
        (m, view)
        for m in services.rounds.matches.active("demo")
        if (view := services.meetings.view("demo", m.match_id, m.mentor_id)).suggestions
    ]
    assert len(booking) >= 2, "two demo pairs that share a time"
    for (pair, view), cancel in zip(booking[:2], (False, True), strict=True):
        meetings = services.meetings
        proposed = meetings.propose(
            "demo", pair.match_id, pair.mentor_id, view.suggestions[0], expected_version=0
        )
        booked = meetings.accept(
            "demo", pair.match_id, pair.mentee_id, proposed.proposals[0].id, expected_version=1
        )
        if cancel:
            meetings.cancel("demo", pair.match_id, pair.mentee_id, expected_version=booked.version)

    # Nobody checks in: the ladder, the surveys, the closing survey and weekly summaries.
    for _ in range(CYCLE_DAYS):
        clock.advance(days=1)
        services.reminders.remind(clock())
        services.summaries.send_summaries(clock())

    # A new round, and one of its people ends their match.
    clock.advance(days=1)
    assert services.rounds.run(demo, "2026-05-27T0900Z", trigger="cli").status == "done"
    match = services.rounds.matches.active("demo")[0]
    services.participation.end_match("demo", match.match_id, match.mentee, "It did not fit.")

    # An email SES refuses is reported to the organizers.
    mailbox.send = _refuse  # type: ignore[method-assign]
    services.mail.drain(per_second=1_000_000, sleep=lambda _: None)
    assert "delivery_failed" in found or not services.mail.organizers_of
    del services.mail.compose
    del mailbox.send
    clock.advance(minutes=1)
    return found


def _with_email(application: Application, email: str) -> Application:
    from dataclasses import replace

    return replace(application, email=email)


def _refuse(recipient: str, raw: str) -> str:
    raise PermanentSendError("MessageRejected")
