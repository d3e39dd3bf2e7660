"""The weekly organizer progress summary on moto: what organizers read, when, and only once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.container import Services
from portal.domain.checkins import Fit
from portal.domain.participants import Role, Status
from portal.domain.program import Program
from portal.mail.senders import MemorySender, PermanentSendError
from portal.persistence.tables import OutboxRecord
from portal.services.checkins import CheckinAnswers
from tests.conftest import FakeClock, html, plain
from tests.factories import pair, stored_person

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ORGANIZER = "organizer@example.org"
# The demo's summary is due on Fridays at 08:00 in London: 08:00 UTC in March.
FRIDAY = datetime(2026, 4, 10, 8, 0, tzinfo=UTC)
NOTE = "He keeps cancelling and I feel ignored"


@pytest.fixture
def demo(services: Services) -> Program:
    program = services.programs.get("demo")
    assert program is not None
    assert program.schedule.summary == "cron(0 8 ? * FRI *)"
    return program


def text_of(message: EmailMessage) -> str:
    return " ".join(plain(message).split())


class Bounce:
    """A sender that refuses one address for good, like SES for a rejected recipient."""

    def __init__(self, inner: MemorySender, refused: str) -> None:
        self.inner, self.refused = inner, refused

    def send(self, recipient: str, raw: str) -> str:
        if recipient == self.refused:
            raise PermanentSendError("MessageRejected")
        return self.inner.send(recipient, raw)


def populate(services: Services, clock: FakeClock) -> dict[str, str]:
    """Eight pairs, two people waiting, one pending; check-ins over the last two weeks."""
    matches = [pair(services, f"Mentor{n}", f"Mentee{n}", START) for n in range(8)]
    for name, role in (("Wanda", Role.MENTEE), ("Walt", Role.MENTOR)):
        services.participants.save(stored_person(name, role, START + timedelta(days=20)))
    services.participants.save(
        replace(
            stored_person("Pending", Role.MENTEE, START), status=Status.PENDING, confirmed_at=None
        )
    )

    def record(day_offset: float, match_index: int, author: str, **answers: object) -> None:
        clock.now = FRIDAY - timedelta(days=day_offset)
        services.checkins.record(
            "demo",
            matches[match_index].match_id,
            author,
            CheckinAnswers(**answers),  # type: ignore[arg-type]
        )

    # Last week: six pairs, the mentees rate 4.
    for n in range(6):
        record(9 - n * 0.1, n, f"mentee{n}@example.org", met=True, satisfaction=4)
    # This week: six mentors rate 3; Mentee1 rates 2 with a private note; Mentee2 asks for
    # another match.
    for n in range(6):
        record(3 - n * 0.1, n, f"mentor{n}@example.org", met=True, satisfaction=3)
    record(2, 1, "mentee1@example.org", met=False, satisfaction=2, note=NOTE)
    record(1, 2, "mentee2@example.org", met=True, satisfaction=3, fit=Fit.REMATCH)
    # Pairs 6 and 7 never checked in: 39 days quiet by Friday.
    clock.now = FRIDAY
    return {"stalled": matches[6].match_id}


def test_the_summary_puts_what_needs_attention_first_then_the_figures(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    populate(services, clock)

    (outcome,) = [o for o in services.summaries.send_summaries(FRIDAY) if o.program == "demo"]
    services.mail.drain(per_second=1000)

    assert outcome.status == "sent"
    (message,) = [m for to, m in mailbox.sent if to == ORGANIZER]
    assert message["Subject"] == (
        "Demo: Tech Careers mentoring: week to Fri 10 Apr 2026, 8 things need your attention"
    )
    text = text_of(message)
    attention = text.index("Needs your attention")
    figures = text.index("Participation")
    assert attention < figures
    head = text[attention:figures]
    # Stalled pairs, with who they are and for how long.
    assert (
        '"Mentor6 Example" (mentor, mentor6@example.org) and "Mentee6 Example" (mentee, '
        "mentee6@example.org): 39 days quiet, no check-in since they were matched" in head
    )
    assert '"Mentor7 Example" (mentor, mentor7@example.org) and "Mentee7 Example"' in head
    assert "Mentor0 Example" not in head.split("Low ratings")[0]
    # The low rating with its private note, and the request for another match.
    assert (
        '"Mentee1 Example" (mentee, mentee1@example.org) rated their match with "Mentor1 Example" '
        "2 of 5 on Wed 8 Apr. "
        f'Private note: "{NOTE}"'
    ) in head
    assert (
        '"Mentee2 Example" (mentee, mentee2@example.org) says the match with "Mentor2 Example" '
        "is not a good fit (Thu 9 Apr, rating 3 of 5)"
    ) in head
    # Confirmed people with no match, longest first; the pending sign-up is not waiting. The
    # request for another match ended that match, so both of its people wait too.
    assert "Still waiting for a match (4 people)" in head
    assert '"Mentee2 Example" (mentee, mentee2@example.org): 1 day' in head
    assert '"Walt Example" (mentor, walt@example.org): 19 days' in head
    assert '"Wanda Example" (mentee, wanda@example.org): 19 days' in head
    assert "Pending" not in head
    tail = text[figures:]
    assert "Signed up: 19" in tail
    assert "Confirmed their email: 18" in tail
    assert "Matched: 16" in tail
    assert "In an active match: 14" in tail  # Mentee2's match ended
    assert "Completed the cycle: none yet" not in tail
    assert "Completed the cycle: 0" in tail
    assert "Still in or through their match (retention): 88%" in tail  # 14 of 16
    # 8 check-ins by 8 people this week, 6 last week; mean 2.9 (six 3s, a 2, a 3) against 4.
    assert "Check-ins and ratings this week: 8 (last week: 6)" in tail
    assert "Average satisfaction this week: 2.9 of 5 (last week: 4.0 of 5, down 1.1)" in tail
    assert NOTE in html(message)


def test_stalled_pairs_already_in_a_daily_digest_are_listed_apart_and_not_counted_again(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    populate(services, clock)
    # Pairs 6 and 7 reached the organizers' alert on day 28, in that morning's digest.
    clock.now = START + timedelta(days=28, hours=-2)  # 08:00 in London
    services.reminders.remind(clock())
    services.mail.drain(per_second=1000)
    (digest,) = [m for to, m in mailbox.sent if to == ORGANIZER]
    assert "Mentor6 Example" in plain(digest)
    clock.now = FRIDAY

    services.summaries.send_summaries(FRIDAY)
    services.mail.drain(per_second=1000)

    summary = [m for to, m in mailbox.sent if to == ORGANIZER][-1]
    assert summary["Subject"] == (
        "Demo: Tech Careers mentoring: week to Fri 10 Apr 2026, 6 new things need your "
        "attention, 2 quiet pairs already emailed"
    )
    text = text_of(summary)
    assert "Stalled pairs (" not in text
    apart = text.split(
        "Still quiet, already in your daily alert emails (2 pairs, not counted again):"
    )
    assert len(apart) == 2
    listed = apart[1].split("Low ratings")[0]
    assert '"Mentor6 Example" and "Mentee6 Example" (39 days)' in listed
    assert '"Mentor7 Example" and "Mentee7 Example" (39 days)' in listed
    assert "Still quiet, already in your daily alert emails" in html(summary)
    assert "Low ratings" in text  # the rest is news, as before


def test_a_figure_about_fewer_than_five_people_is_shown_as_fewer_than_five(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    matches = [pair(services, f"Mentor{n}", f"Mentee{n}", START) for n in range(3)]
    clock.now = FRIDAY - timedelta(days=2)
    for n in range(2):
        services.checkins.record(
            "demo",
            matches[n].match_id,
            f"mentee{n}@example.org",
            CheckinAnswers(met=True, satisfaction=1),
        )
    clock.now = FRIDAY

    services.summaries.send(demo, FRIDAY, "test")
    services.mail.drain(per_second=1000)

    text = text_of(mailbox.sent[0][1])
    assert "Signed up: 6" in text
    assert (
        "Check-ins and ratings this week: not shown, fewer than 5 people checked in (last week: 0)"
        in text
    )
    assert (
        "Average satisfaction this week: not shown, fewer than 5 people rated "
        "(last week: none yet)" in text
    )
    assert "1.0 of 5" not in text
    # The organizers still see who rated low: they need to act on it.
    assert '"Mentee0 Example" (mentee, mentee0@example.org) rated their match with "Mentor0' in text


def test_failed_emails_of_the_week_are_listed(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    pair(services, "Maria", "Tom", START)
    services.mail.sender = Bounce(mailbox, "tom@example.org")
    clock.now = START + timedelta(days=35, hours=-2)
    services.reminders.remind(clock())  # day 35: the re-match offer, and the day-30 survey
    services.mail.drain(per_second=1000)
    clock.now = FRIDAY

    services.summaries.send(demo, FRIDAY, "test")
    services.mail.drain(per_second=1000)

    summary = next(m for to, m in mailbox.sent if str(m["Subject"]).startswith("Demo: Tech"))
    text = text_of(summary)
    assert "Emails that could not be delivered: - The " in text
    assert "- The re-match offer to tom@example.org: MessageRejected" in text
    assert "- The survey to tom@example.org: MessageRejected" in text
    assert "maria@example.org: MessageRejected" not in text


def test_the_hourly_check_sends_each_summary_once_on_its_day_in_the_programs_time_zone(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    pair(services, "Maria", "Tom", START)
    sent: dict[str, list[str]] = {}
    moment = datetime(2026, 4, 9, 0, 0, tzinfo=UTC)  # Thursday
    while moment < datetime(2026, 4, 11, 0, 0, tzinfo=UTC):
        clock.now = moment
        for outcome in services.summaries.send_summaries(moment):
            if outcome.status == "sent":
                sent.setdefault(outcome.program, []).append(moment.strftime("%a %H:%M"))
        moment += timedelta(minutes=30)  # more often than hourly: repeats find it sent

    # London is on summer time on 10 April: 08:00 there is 07:00 UTC.
    assert sent["demo"] == ["Fri 07:00"]
    assert keys_starting("progress:demo:") == 1


def keys_starting(prefix: str) -> int:
    return sum(1 for record in OutboxRecord.scan() if record.key.startswith(prefix))


def test_portal_summaries_queues_a_summary_now_and_shows_it(
    services: Services,
    demo: Program,
    clock: FakeClock,
    cli_env: None,
) -> None:
    match = pair(services, "Maria", "Tom", START)
    clock.now = START + timedelta(days=3)
    services.checkins.record(
        "demo",
        match.match_id,
        "tom@example.org",
        CheckinAnswers(met=True, satisfaction=5, note="Going well"),
    )

    result = CliRunner().invoke(
        main, ["summaries", "--program", "demo", "--at", "2026-03-06T10:00", "--show"]
    )

    assert result.exit_code == 0, result.output
    assert (
        "demo: the summary of the week to 2026-03-06 10:00 UTC is queued for 1 organizer"
        in result.output
    )
    assert (
        "Subject: Demo: Tech Careers mentoring: week to Fri 6 Mar 2026, all quiet" in result.output
    )
    assert (
        "Check-ins and ratings this week: not shown, fewer than 5 people checked in"
        in result.output
    )
    # The check-in itself is listed for the organizers, with its private note but no rating.
    listed = " ".join(result.output.split())
    assert (
        'Thu 5 Mar: "Tom Example" (mentee, tom@example.org) logged a check-in on the match with '
        '"Maria Example" (met). Private note: "Going well"'
    ) in listed
    assert "5 of 5" not in listed
    again = CliRunner().invoke(main, ["summaries", "--program", "demo", "--at", "2026-03-06T10:00"])
    assert "demo: the summary for 2026-03-06 10:00 UTC was queued already" in again.output
    assert keys_starting("progress:demo:cli-2026-03-06T1000Z:") == 1


def test_what_people_typed_is_escaped_in_the_html_part(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    match = pair(services, "Maria", "Tom", START)
    clock.now = FRIDAY - timedelta(days=1)
    services.checkins.record(
        "demo",
        match.match_id,
        "tom@example.org",
        CheckinAnswers(met=False, satisfaction=1, note="<script>alert(1)</script>"),
    )
    services.summaries.send(demo, FRIDAY, "test")
    services.mail.drain(per_second=1000)

    page = html(mailbox.sent[0][1])
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '"<script>alert(1)</script>"' in plain(mailbox.sent[0][1])


def test_portal_summaries_includes_a_check_in_of_a_few_seconds_ago(
    services: Services,
    demo: Program,
    clock: FakeClock,
    cli_env: None,
) -> None:
    match = pair(services, "Maria", "Tom", START)
    clock.now = datetime(2026, 3, 6, 10, 0, 30, tzinfo=UTC)
    services.checkins.record(
        "demo", match.match_id, "tom@example.org", CheckinAnswers(met=True, satisfaction=2)
    )

    result = CliRunner().invoke(
        main, ["summaries", "--program", "demo", "--at", "2026-03-06T10:00:45", "--show"]
    )

    assert result.exit_code == 0, result.output
    listed = " ".join(result.output.split())
    rated = '"Tom Example" (mentee, tom@example.org) rated their match with "Maria Example"'
    assert rated in listed
