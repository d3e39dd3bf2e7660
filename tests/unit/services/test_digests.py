"""The organizers' daily digest on moto with a clock: one email a day, each alert in one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from portal.container import Services
from portal.mail.senders import MemorySender
from portal.services.checkins import CheckinAnswers
from tests.conftest import FakeClock, links, plain
from tests.factories import pair
from tests.unit.services.test_groups import group_program, run_round, seed

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ORGANIZER = "organizer@example.org"
NAMES = [f"M{n:02d}" for n in range(16)], [f"E{n:02d}" for n in range(16)]


def run_at(day: int) -> datetime:
    """07:00 in London (the demo program's zone) on match day `day`."""
    return datetime(2026, 3, 2, 7, tzinfo=UTC) + timedelta(days=day)


def to_organizer(services: Services, clock: FakeClock, mailbox: MemorySender) -> list[EmailMessage]:
    before = len(mailbox.sent)
    services.reminders.remind(clock(), mornings_only=True)
    services.mail.drain(per_second=1000)
    return [m for to, m in mailbox.sent[before:] if to == ORGANIZER]


def test_sixteen_stalled_pairs_are_one_email_once_a_day_and_new_ones_the_next_day(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    for mentor, mentee in zip(*NAMES, strict=True):
        pair(services, mentor, mentee, START)
    pair(services, "Zed", "Zoe", START + timedelta(days=1))
    clock.now = run_at(28)

    (digest,) = to_organizer(services, clock, mailbox)

    assert digest["Subject"] == "Demo: Tech Careers mentoring: 16 pairs need attention today"
    text = " ".join(plain(digest).split())
    for name in (*NAMES[0], *NAMES[1]):
        assert f'"{name} Example"' in text
    assert text.count("A pair: 28 days quiet") == 16
    assert "No check-in since they were matched on 2 March 2026; week 5 of 12." in text
    assert "Zed" not in text  # matched a day later: its alert is tomorrow's
    # A link that signs the organizer in on the program's pages, and the plain console address.
    sign_in, console = sorted(links(digest, "/organize/"), key=len, reverse=True)
    assert sign_in.startswith("http")
    assert len(sign_in) > len(console)
    assert console.endswith("/organize/")

    clock.now = run_at(28) + timedelta(hours=1)  # the morning's second hourly run
    assert to_organizer(services, clock, mailbox) == []

    clock.now = run_at(29)
    (second,) = to_organizer(services, clock, mailbox)
    assert second["Subject"] == "Demo: Tech Careers mentoring: 1 pair needs attention today"
    text = " ".join(plain(second).split())
    assert '"Zed Example"' in text
    assert '"Zoe Example"' in text
    assert "M00" not in text  # yesterday's alerts are not repeated

    clock.now = run_at(30)
    assert to_organizer(services, clock, mailbox) == []


def test_an_alert_whose_day_had_no_run_is_in_the_next_digest_once(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    pair(services, "Sam", "Sol", START)
    quiet = pair(services, "Kit", "Kim", START)
    clock.now = run_at(3) + timedelta(hours=5)
    services.checkins.record("demo", quiet.match_id, "kim@example.org", CheckinAnswers(met=True))
    clock.now = run_at(28)
    (first,) = to_organizer(services, clock, mailbox)
    assert '"Sam Example"' in plain(first)

    # No run on day 31 (the day Kit and Kim reached the alert): day 32's digest has them.
    clock.now = run_at(32)
    (later,) = to_organizer(services, clock, mailbox)
    text = " ".join(plain(later).split())
    assert '"Kim Example"' in text
    assert "Sam" not in text
    assert "A pair: 29 days quiet" in text


def test_a_group_programs_quiet_groups_are_in_one_digest(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    program = group_program()
    (mira, noor), mentees = seed(services, clock, mentors=2, mentees=4)
    run_round(services, program, clock, mailbox)
    before = len(mailbox.sent)
    at = clock() + timedelta(days=program.schedule.organizer_alert_days)

    services.reminders.remind_program(program, at)
    services.reminders.remind_program(program, at + timedelta(hours=1))
    services.mail.drain(per_second=1000)

    ((_address, digest),) = [(a, m) for a, m in mailbox.sent[before:] if a == ORGANIZER]
    assert digest["Subject"] == "Circle program: 2 groups need attention today"
    text = " ".join(plain(digest).split())
    assert f'The group of "{mira.name}"' in text
    assert f'The group of "{noor.name}"' in text
    assert all(f'"{p.name}"' in text for p in mentees)
