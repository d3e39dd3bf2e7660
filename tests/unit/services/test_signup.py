"""Sign-up: pending until confirmed, one email per window, confirmed people left alone."""

from __future__ import annotations

from dataclasses import replace

import pytest

from portal.domain.participants import Role, Status
from portal.domain.program import Program
from portal.mail.senders import MemorySender
from portal.persistence.tables import OutboxRecord
from portal.services import Services
from portal.services.magic_links import LinkProblem, MagicLinkError
from portal.services.signup import Application, SignupError
from tests.conftest import FakeClock, links_in, table_snapshot

ADA = Application(
    role=Role.MENTEE,
    name="Ada Lovelace",
    email="ada@example.org",
    timezone="Europe/London",
    languages=("English", "French"),
    availability=("mon-evening", "thu-morning"),
    goals=("python", "leadership"),
    seniority="early",
    department="Analytics",
    answers={"industry": "Tech"},
)


@pytest.fixture
def demo(services: Services) -> Program:
    program = services.programs.get("demo")
    assert program is not None
    return program


def programs(services: Services) -> dict[str, Program]:
    return {program.slug: program for program in services.programs}


def confirm_link(mailbox: MemorySender, index: int = -1) -> str:
    (link,) = [url for url in links_in(mailbox.sent[index][1]) if "/confirm/" in url]
    return link


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[-1]


def test_sign_up_stores_a_pending_participant_and_sends_one_email(
    services: Services, demo: Program, mailbox: MemorySender, clock: FakeClock
) -> None:
    services.signup.sign_up(demo, ADA)
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    assert stored.status is Status.PENDING
    assert stored.role is Role.MENTEE
    assert stored.goals == ("python", "leadership")
    assert stored.answers == {"industry": "Tech"}
    assert stored.consented_at == clock.now
    assert stored.confirmed_at is None
    assert len(mailbox.sent) == 1
    recipient, message = mailbox.sent[0]
    assert recipient == "ada@example.org"
    assert message["Subject"] == "Confirm your sign-up for Demo: Tech Careers mentoring"
    assert confirm_link(mailbox).startswith("http://portal.test/confirm/")


def test_the_email_address_is_kept_out_of_outbox_keys(services: Services, demo: Program) -> None:
    services.signup.sign_up(demo, ADA)
    (record,) = OutboxRecord.scan()
    assert "ada" not in record.key
    assert record.status == "sent"


def test_confirming_activates_the_sign_up(
    services: Services, demo: Program, mailbox: MemorySender, clock: FakeClock
) -> None:
    services.signup.sign_up(demo, ADA)
    clock.advance(minutes=30)
    token = token_of(confirm_link(mailbox))
    pending = services.signup.pending_confirmation(token, programs(services))
    assert pending.participant.status is Status.PENDING
    done = services.signup.confirm(token, programs(services))
    assert done.program.slug == "demo"
    assert done.participant.status is Status.CONFIRMED
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    assert stored.status is Status.CONFIRMED
    assert stored.confirmed_at == clock.now


def test_confirming_twice_fails_the_second_time(
    services: Services, demo: Program, mailbox: MemorySender
) -> None:
    services.signup.sign_up(demo, ADA)
    token = token_of(confirm_link(mailbox))
    services.signup.confirm(token, programs(services))
    before = table_snapshot()
    with pytest.raises(MagicLinkError) as caught:
        services.signup.confirm(token, programs(services))
    assert caught.value.problem is LinkProblem.USED
    assert table_snapshot() == before
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    assert stored.status is Status.CONFIRMED


def test_signing_up_again_within_the_window_updates_without_a_second_email(
    services: Services, demo: Program, mailbox: MemorySender, clock: FakeClock
) -> None:
    services.signup.sign_up(demo, ADA)
    first = services.participants.get("demo", "ada@example.org")
    clock.advance(minutes=5)
    services.signup.sign_up(demo, replace(ADA, name="Ada King", goals=("sql",)))
    assert len(mailbox.sent) == 1
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    assert first is not None
    assert stored.name == "Ada King"
    assert stored.goals == ("sql",)
    assert stored.participant_id == first.participant_id
    assert stored.created_at == first.created_at
    assert len(list(services.participants.for_program("demo"))) == 1

    # The link in the first email confirms the latest answers.
    done = services.signup.confirm(token_of(confirm_link(mailbox, 0)), programs(services))
    assert done.participant.name == "Ada King"
    confirmed = services.participants.get("demo", "ada@example.org")
    assert confirmed is not None
    assert confirmed.status is Status.CONFIRMED
    assert confirmed.goals == ("sql",)


def test_signing_up_again_after_the_window_sends_a_new_email(
    services: Services, demo: Program, mailbox: MemorySender, clock: FakeClock
) -> None:
    services.signup.sign_up(demo, ADA)
    clock.advance(minutes=11)
    services.signup.sign_up(demo, ADA)
    assert len(mailbox.sent) == 2
    assert confirm_link(mailbox, 0) != confirm_link(mailbox, 1)
    # Either link confirms.
    services.signup.confirm(token_of(confirm_link(mailbox, 1)), programs(services))
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    assert stored.status is Status.CONFIRMED


def test_many_submissions_cannot_flood_an_inbox(
    services: Services, demo: Program, mailbox: MemorySender, clock: FakeClock
) -> None:
    for _ in range(10):
        services.signup.sign_up(demo, ADA)
        clock.advance(seconds=50)
    assert len(mailbox.sent) == 1


def test_a_confirmed_participant_signing_up_again_is_unchanged_and_told_so(
    services: Services, demo: Program, mailbox: MemorySender, clock: FakeClock
) -> None:
    services.signup.sign_up(demo, ADA)
    services.signup.confirm(token_of(confirm_link(mailbox)), programs(services))
    before = services.participants.get("demo", "ada@example.org")
    clock.advance(minutes=20)

    services.signup.sign_up(demo, replace(ADA, role=Role.MENTOR, name="Someone Else"))

    assert services.participants.get("demo", "ada@example.org") == before
    assert len(mailbox.sent) == 2
    recipient, message = mailbox.sent[1]
    assert recipient == "ada@example.org"
    assert message["Subject"] == "You are already signed up for Demo: Tech Careers mentoring"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "confirmed as a mentee" in text  # the role on record, not the one just typed
    assert "/confirm/" not in text


def test_the_already_signed_up_email_goes_once_per_window(
    services: Services, demo: Program, mailbox: MemorySender, clock: FakeClock
) -> None:
    services.signup.sign_up(demo, ADA)
    services.signup.confirm(token_of(confirm_link(mailbox)), programs(services))
    clock.advance(minutes=20)
    services.signup.sign_up(demo, ADA)
    services.signup.sign_up(demo, ADA)
    assert len(mailbox.sent) == 2


def test_the_same_address_signs_up_separately_for_each_program(
    services: Services, demo: Program, mailbox: MemorySender
) -> None:
    other = services.programs.get("leaders-group")
    assert other is not None
    services.signup.sign_up(demo, ADA)
    services.signup.sign_up(other, replace(ADA, answers={"work_setting": "Hybrid"}))
    assert len(mailbox.sent) == 2
    assert sorted(services.participants.programs_of("ada@example.org")) == [
        "demo",
        "leaders-group",
    ]


def test_a_link_for_a_program_that_is_gone_is_refused(
    services: Services, demo: Program, mailbox: MemorySender
) -> None:
    services.signup.sign_up(demo, ADA)
    token = token_of(confirm_link(mailbox))
    before = table_snapshot()
    with pytest.raises(SignupError):
        services.signup.pending_confirmation(token, {})
    assert table_snapshot() == before
