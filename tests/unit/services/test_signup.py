"""Sign-up: pending until confirmed, one email per window, confirmed people left alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from portal.container import Services, build_services
from portal.domain.participants import Participant, Role, Status
from portal.domain.program import Program
from portal.mail.senders import MemorySender
from portal.persistence.tables import LimitRecord, OutboxRecord, ParticipantRecord, TokenRecord
from portal.services.limits import Refusal
from portal.services.magic_links import LinkProblem, MagicLinkError
from portal.services.signup import AlreadySignedUpError, Application, Emailed, SignupError
from portal.settings import Settings
from tests.conftest import FakeClock, links_in, parse, stored_sign_ups, table_snapshot

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


# Someone who knows Ada's address, and sends the form with it and their own answers.
MALLORY = replace(
    ADA,
    name="Mallory Mischief",
    languages=("German",),
    department="Sales",
    goals=("sql",),
    bio="I would rather meet someone from Sales.",
    answers={"industry": "Finance"},
)


def assert_adas_answers(person: Participant | None) -> None:
    assert person is not None
    assert (person.name, person.role, person.email) == ("Ada Lovelace", Role.MENTEE, ADA.email)
    assert person.languages == ADA.languages
    assert person.availability == ADA.availability
    assert person.goals == ADA.goals
    assert person.department == ADA.department
    assert person.bio == ""
    assert person.answers == ADA.answers


def test_a_second_form_within_the_window_changes_nothing_and_sends_nothing(
    services: Services, demo: Program, mailbox: MemorySender, clock: FakeClock
) -> None:
    services.signup.sign_up(demo, ADA)
    first = services.participants.get("demo", "ada@example.org")
    clock.advance(minutes=5)
    services.signup.sign_up(demo, MALLORY)

    assert len(mailbox.sent) == 1
    assert services.participants.get("demo", "ada@example.org") == first
    assert len(list(services.participants.for_program("demo"))) == 1
    # Ada's link shows, then confirms, the answers Ada sent: not the later ones.
    token = token_of(confirm_link(mailbox, 0))
    assert_adas_answers(services.signup.pending_confirmation(token, programs(services)).participant)
    done = services.signup.confirm(token, programs(services))
    assert_adas_answers(done.participant)
    confirmed = services.participants.get("demo", "ada@example.org")
    assert_adas_answers(confirmed)
    assert confirmed is not None
    assert first is not None
    assert confirmed.status is Status.CONFIRMED
    assert (confirmed.participant_id, confirmed.created_at) == (
        first.participant_id,
        first.created_at,
    )


def test_each_link_confirms_the_answers_it_was_sent_for(
    services: Services, demo: Program, mailbox: MemorySender, clock: FakeClock
) -> None:
    services.signup.sign_up(demo, ADA)
    clock.advance(minutes=11)
    services.signup.sign_up(demo, MALLORY)  # a new window: a second email, to Ada
    assert [recipient for recipient, _ in mailbox.sent] == [ADA.email, ADA.email]
    adas, mallorys = token_of(confirm_link(mailbox, 0)), token_of(confirm_link(mailbox, 1))

    shown = services.signup.pending_confirmation(mallorys, programs(services)).participant
    assert (shown.name, shown.department) == ("Mallory Mischief", "Sales")
    assert_adas_answers(services.signup.confirm(adas, programs(services)).participant)

    # Ada is signed up now: the other link changes nothing, and stays unused.
    with pytest.raises(AlreadySignedUpError):
        services.signup.confirm(mallorys, programs(services))
    with pytest.raises(AlreadySignedUpError):
        services.signup.pending_confirmation(mallorys, programs(services))
    assert_adas_answers(services.participants.get("demo", "ada@example.org"))


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


def test_a_form_never_changes_the_record_of_someone_who_left(
    services: Services, demo: Program, mailbox: MemorySender, clock: FakeClock
) -> None:
    services.signup.sign_up(demo, ADA)
    services.signup.confirm(token_of(confirm_link(mailbox)), programs(services))
    services.participants.set_status("demo", ADA.email, Status.LEFT, clock())
    left = services.participants.get("demo", ADA.email)
    clock.advance(minutes=20)

    services.signup.sign_up(demo, MALLORY)

    assert services.participants.get("demo", ADA.email) == left
    # The owner gets a link for those answers, and only using it would change the record.
    shown = services.signup.pending_confirmation(
        token_of(confirm_link(mailbox)), programs(services)
    )
    assert shown.participant.name == "Mallory Mischief"


def test_someone_who_left_joins_again_with_the_answers_of_their_link(
    services: Services, demo: Program, mailbox: MemorySender, clock: FakeClock
) -> None:
    services.signup.sign_up(demo, ADA)
    services.signup.confirm(token_of(confirm_link(mailbox)), programs(services))
    before = services.participants.get("demo", ADA.email)
    services.participants.set_status("demo", ADA.email, Status.LEFT, clock())
    clock.advance(minutes=20)
    services.signup.sign_up(demo, replace(ADA, name="Ada King"))
    services.signup.confirm(token_of(confirm_link(mailbox)), programs(services))
    again = services.participants.get("demo", ADA.email)
    assert again is not None
    assert before is not None
    assert (again.name, again.status, again.confirmed_at) == ("Ada King", Status.CONFIRMED, clock())
    assert again.participant_id == before.participant_id


def test_an_unconfirmed_sign_up_expires_after_seven_days(
    services: Services, demo: Program, mailbox: MemorySender, clock: FakeClock
) -> None:
    services.signup.sign_up(demo, ADA)
    (record,) = ParticipantRecord.query("demo")
    assert record.expires_at == clock() + timedelta(days=7)  # DynamoDB's TTL deletes it then
    clock.advance(days=7)

    # DynamoDB deletes expired items late (moto and DynamoDB Local never): readers skip it.
    assert ParticipantRecord.count("demo") == 1
    assert services.participants.get("demo", ADA.email) is None
    assert list(services.participants.for_program("demo")) == []
    assert services.participants.programs_of(ADA.email) == []
    # Its link expired before it did; a new form makes a new pending sign-up.
    with pytest.raises(MagicLinkError) as caught:
        services.signup.pending_confirmation(token_of(confirm_link(mailbox)), programs(services))
    assert caught.value.problem is LinkProblem.EXPIRED
    services.signup.sign_up(demo, replace(ADA, name="Ada King"))
    again = services.participants.get("demo", ADA.email)
    assert again is not None
    assert (again.name, again.status) == ("Ada King", Status.PENDING)


def test_confirming_removes_the_expiry(
    services: Services, demo: Program, mailbox: MemorySender, clock: FakeClock
) -> None:
    services.signup.sign_up(demo, ADA)
    services.signup.confirm(token_of(confirm_link(mailbox)), programs(services))
    (record,) = ParticipantRecord.query("demo")
    assert record.expires_at is None
    clock.advance(days=400)
    stored = services.participants.get("demo", ADA.email)
    assert stored is not None
    assert stored.status is Status.CONFIRMED


def test_a_confirmation_link_never_outlives_the_sign_up(
    aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender
) -> None:
    services = build_services(settings.with_overrides(token_ttl_hours=336), clock, mailbox)
    demo = services.programs.get("demo")
    assert demo is not None
    services.signup.sign_up(demo, ADA)
    body = mailbox.sent[0][1].get_body(preferencelist=("plain",))
    assert body is not None
    assert "expires in 168 hours" in body.get_content()
    clock.advance(days=7)
    with pytest.raises(MagicLinkError) as caught:
        services.signup.confirm(token_of(confirm_link(mailbox)), programs(services))
    assert caught.value.problem is LinkProblem.EXPIRED


def test_a_refused_confirmation_leaves_the_link_unused(
    services: Services, demo: Program, mailbox: MemorySender, clock: FakeClock
) -> None:
    services.signup.sign_up(demo, ADA)
    token = token_of(confirm_link(mailbox))
    pending = services.participants.get("demo", ADA.email)
    assert pending is not None
    # Confirmed by another way between the page and the button (say, another link).
    services.participants.save(replace(pending, status=Status.CONFIRMED, expires_at=None))
    with pytest.raises(AlreadySignedUpError):
        services.signup.confirm(token, programs(services))
    (stored,) = TokenRecord.scan(TokenRecord.purpose == "confirm")
    assert stored.used_at is None


SOURCE = "198.51.100.7"
# The reads of a sign-up are made at once, on several threads: their order varies.
SIGN_UP_WORK = sorted(
    [
        "dynamodb:GetItem",  # the address's item (its id in the program)
        "dynamodb:GetItem",  # the sign-up with that id (or one that cannot exist)
        "dynamodb:GetItem",  # the address's suppression
        "dynamodb:BatchGetItem",  # whether either sign-up email went out in this window
        "dynamodb:TransactWriteItems",  # the counters, the link, the email, the sign-up
    ]
)


def test_every_sign_up_does_the_same_work_whatever_the_address(
    services: Services, demo: Program, clock: FakeClock, operations: list[str]
) -> None:
    """Known or not, emailed minutes ago or not: the same reads and writes, one email handed on."""
    handed: list[str] = []
    services.mail.courier = handed.append  # as on AWS: sent by another invocation
    confirmed = replace(ADA, email="grace@example.org")
    services.signup.sign_up(demo, confirmed)
    services.signup.confirm(token_of(handed_link(services, handed[-1])), programs(services))
    services.signup.sign_up(demo, replace(ADA, email="pending@example.org"))
    clock.advance(minutes=10)

    work = {}
    for case, application in [
        ("unknown", replace(ADA, email="new@example.org")),
        ("confirmed", confirmed),
        ("pending", replace(ADA, email="pending@example.org")),
        ("repeat of unknown", replace(ADA, email="new@example.org")),
        ("repeat of confirmed", confirmed),
        ("repeat of pending", replace(ADA, email="pending@example.org")),
    ]:
        operations.clear()
        handed.clear()
        services.signup.sign_up(demo, application, SOURCE)
        work[case] = (sorted(operations), len(handed))
    assert work["unknown"] == (SIGN_UP_WORK, 1)
    assert all(done == work["unknown"] for done in work.values()), work


def handed_link(services: Services, key: str) -> str:
    """The confirmation link in the queued (not yet sent) email with this outbox key."""
    item = services.mail.outbox.get(key)
    assert item is not None
    (link,) = [url for url in links_in(parse(item.raw)) if "/confirm/" in url]
    return link


def counts() -> dict[str, int]:
    """The limit counters as stored, by limit: how many sign-ups each has counted."""
    return {str(r.key).split("#")[0]: int(r.taken or 0) for r in LimitRecord.scan()}


def test_a_sign_up_is_counted_by_the_transaction_that_stores_it(
    services: Services, demo: Program, clock: FakeClock, operations: list[str]
) -> None:
    emailed = services.signup.sign_up(demo, ADA, SOURCE)

    assert emailed == Emailed(ADA.mailbox, earlier=False, next_at=clock() + timedelta(minutes=10))
    assert counts() == {
        "signup-source-10m": 1,
        "signup-source-1d": 1,
        "signup-recipient-1h": 1,
        "signup-recipient-1d": 1,
    }
    # No counter taken on its own: the reads, then the one transaction (then the email).
    assert sorted(operations[:5]) == SIGN_UP_WORK
    assert operations[4] == "dynamodb:TransactWriteItems"
    assert stored_sign_ups() == (1, 1, 1)


def test_a_repeat_within_the_window_stores_nothing_but_is_counted(
    services: Services, demo: Program, mailbox: MemorySender
) -> None:
    services.signup.sign_up(demo, ADA, SOURCE)
    stored = stored_sign_ups()

    again = services.signup.sign_up(demo, ADA, SOURCE)

    assert isinstance(again, Emailed)
    assert again.earlier  # what the page says: an email went there minutes ago, none now

    assert stored_sign_ups() == stored
    assert len(mailbox.sent) == 1
    assert counts()["signup-recipient-1h"] == 2  # a flood of repeats still reaches the limit


def test_a_sign_up_its_limits_refuse_stores_and_counts_nothing(
    aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender
) -> None:
    settings = settings.with_overrides(signups_per_source=(5, 100), signups_per_address=(1, 10))
    services = build_services(settings, clock=clock, sender=mailbox)
    demo = services.programs.get("demo")
    assert demo is not None
    assert isinstance(services.signup.sign_up(demo, ADA, SOURCE), Emailed)
    before = table_snapshot()
    mailbox.sent.clear()
    clock.advance(minutes=10)  # another email window: only the limit stands in the way

    refusal = services.signup.sign_up(demo, ADA, "203.0.113.9")

    assert isinstance(refusal, Refusal)
    assert refusal.limit.name == "signup-recipient-1h"
    assert refusal.retry_after == 50 * 60  # until the hour's window ends
    assert table_snapshot() == before  # neither the other counters nor the sign-up
    assert mailbox.sent == []


def test_the_wait_named_covers_every_full_window(
    aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender
) -> None:
    settings = settings.with_overrides(signups_per_source=(5, 100), signups_per_address=(1, 1))
    services = build_services(settings, clock=clock, sender=mailbox)
    demo = services.programs.get("demo")
    assert demo is not None
    services.signup.sign_up(demo, ADA, SOURCE)
    clock.advance(minutes=10)

    refusal = services.signup.sign_up(demo, ADA, SOURCE)

    assert isinstance(refusal, Refusal)
    assert refusal.limit.name == "signup-recipient-1d"  # the day's window ends last
    assert refusal.retry_after > 3600
