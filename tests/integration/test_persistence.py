"""Repositories and services on DynamoDB Local: conditional writes really are atomic here.

moto does not apply conditions atomically across threads, so the races live in this tier.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import TypeVar

import boto3
import pytest

from portal.container import Services
from portal.domain.participants import Participant, Role, Status
from portal.domain.program import Program
from portal.mail.senders import MemorySender
from portal.persistence import tables
from portal.persistence.outbox import SENT, OutboxItem, OutboxRepository
from portal.persistence.tables import TokenRecord
from portal.services.magic_links import LinkProblem, MagicLinkError
from portal.services.mail import LEASE
from portal.services.signup import AlreadySignedUpError, Application, Confirmation
from portal.settings import Settings
from tests.conftest import FakeClock, links_in, table_snapshot
from tests.factories import queue_confirmations

pytestmark = pytest.mark.integration

T = TypeVar("T")
RACERS = 8


def at_once(count: int, work: Callable[[], T]) -> list[T | Exception]:
    """Run `work` in `count` threads released together; each result or the exception raised."""
    start = threading.Barrier(count)

    def one() -> T | Exception:
        start.wait(timeout=30)
        try:
            return work()
        except Exception as exc:  # the caller counts the failures
            return exc

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(one) for _ in range(count)]
        return [future.result(timeout=60) for future in futures]


def person(
    email: str,
    clock: FakeClock,
    *,
    program: str = "demo",
    name: str = "Ada Lovelace",
    status: Status = Status.PENDING,
    role: Role = Role.MENTEE,
) -> Participant:
    return Participant(
        program=program,
        email=email,
        participant_id=f"id-{program}-{email}",
        role=role,
        name=name,
        timezone="Europe/London",
        languages=("English",),
        goals=("python",),
        status=status,
        created_at=clock(),
        updated_at=clock(),
        consented_at=clock(),
        confirmed_at=clock() if status is Status.CONFIRMED else None,
    )


# Participants


ADA = Application(
    role=Role.MENTEE,
    name="Ada Lovelace",
    email="ada@example.org",
    timezone="Europe/London",
    languages=("English",),
    availability=("mon-evening",),
    goals=("python",),
    seniority="early",
    answers={"industry": "Tech"},
)


def confirm_tokens(mailbox: MemorySender) -> list[str]:
    """The token of every confirmation link sent, oldest first."""
    return [
        url.rsplit("/", 1)[-1]
        for _, message in mailbox.sent
        for url in links_in(message)
        if "/confirm/" in url
    ]


def catalog(services: Services) -> dict[str, Program]:
    return {program.slug: program for program in services.programs}


def test_a_sign_up_is_pending_until_its_link_is_used_and_expires_if_never(
    services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    services.signup.sign_up(demo, ADA)
    stored = services.participants.get("demo", ADA.email)
    assert stored is not None
    assert (stored.status, stored.expires_at) == (Status.PENDING, clock() + timedelta(days=7))

    # Past its time it is gone for readers, and a new form makes a new one in its place.
    clock.advance(days=7, minutes=11)
    assert services.participants.get("demo", ADA.email) is None
    services.signup.sign_up(demo, replace(ADA, name="Ada King"))
    again = services.participants.get("demo", ADA.email)
    assert again is not None
    assert (again.name, again.expires_at) == ("Ada King", clock() + timedelta(days=7))

    services.signup.confirm(confirm_tokens(mailbox)[-1], catalog(services))
    confirmed = services.participants.get("demo", ADA.email)
    assert confirmed is not None
    assert (confirmed.status, confirmed.expires_at) == (Status.CONFIRMED, None)


def test_a_later_form_changes_neither_a_pending_nor_a_confirmed_sign_up(
    services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    services.signup.sign_up(demo, ADA)
    pending = services.participants.get("demo", ADA.email)
    for minutes in (1, 11):  # within the window of the first email, then after it
        clock.advance(minutes=minutes)
        services.signup.sign_up(demo, replace(ADA, name="Someone Else", goals=("sql",)))
        assert services.participants.get("demo", ADA.email) == pending
    assert len(mailbox.sent) == 2

    services.signup.confirm(confirm_tokens(mailbox)[0], catalog(services))
    confirmed = services.participants.get("demo", ADA.email)
    assert confirmed is not None
    assert (confirmed.name, confirmed.goals) == ("Ada Lovelace", ("python",))
    clock.advance(minutes=11)
    services.signup.sign_up(demo, replace(ADA, name="Someone Else", role=Role.MENTOR))
    assert services.participants.get("demo", ADA.email) == confirmed
    before = table_snapshot()
    with pytest.raises(AlreadySignedUpError):
        services.signup.confirm(confirm_tokens(mailbox)[1], catalog(services))
    assert services.participants.get("demo", ADA.email) == confirmed
    assert table_snapshot() == before


def test_the_same_form_sent_from_many_threads_stores_and_emails_once(
    services: Services, mailbox: MemorySender
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None

    results = at_once(RACERS, lambda: services.signup.sign_up(demo, ADA))

    # Every racer is told where the email went: one queued it, the others found it queued.
    assert {(r.to, r.earlier) for r in results} <= {(ADA.mailbox, False), (ADA.mailbox, True)}
    assert len(mailbox.sent) == 1
    assert [p.email for p in services.participants.for_program("demo")] == [ADA.email]
    assert TokenRecord.count() == 1  # no link without its email


def test_a_link_pressed_from_many_threads_confirms_once(
    services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    services.signup.sign_up(demo, ADA)
    (token,) = confirm_tokens(mailbox)
    clock.advance(hours=1)

    results = at_once(RACERS, lambda: services.signup.confirm(token, catalog(services)))

    assert sum(isinstance(r, Confirmation) for r in results) == 1
    refused = [r for r in results if not isinstance(r, Confirmation)]
    used = [isinstance(r, MagicLinkError) and r.problem is LinkProblem.USED for r in refused]
    assert all(used), [repr(r) for r in refused]
    confirmed = services.participants.get("demo", ADA.email)
    assert confirmed is not None
    assert (confirmed.status, confirmed.confirmed_at) == (Status.CONFIRMED, clock())


def test_of_two_links_pressed_at_once_one_confirms_its_answers(
    services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    services.signup.sign_up(demo, ADA)
    clock.advance(minutes=11)
    services.signup.sign_up(demo, replace(ADA, name="Ada King", goals=("sql",)))
    tokens = confirm_tokens(mailbox)
    assert len(tokens) == 2
    pressed = iter(tokens * (RACERS // 2))
    lock = threading.Lock()

    def press() -> Confirmation:
        with lock:
            token = next(pressed)
        return services.signup.confirm(token, catalog(services))

    results = at_once(RACERS, press)

    (winner,) = [r for r in results if isinstance(r, Confirmation)]
    others = Counter(type(r).__name__ for r in results if not isinstance(r, Confirmation))
    assert set(others) <= {"MagicLinkError", "AlreadySignedUpError"}
    stored = services.participants.get("demo", ADA.email)
    assert stored is not None
    assert stored == winner.participant  # exactly the answers of the link that won
    assert stored.name in ("Ada Lovelace", "Ada King")


def test_for_program_lists_that_programs_participants_only(
    services: Services, clock: FakeClock
) -> None:
    repository = services.participants
    for email in ("c@example.org", "a@example.org", "b@example.org"):
        repository.save(person(email, clock))
    repository.save(person("a@example.org", clock, program="peer-circles", role=Role.PEER))

    assert sorted(p.email for p in repository.for_program("demo")) == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]
    assert [p.role for p in repository.for_program("peer-circles")] == [Role.PEER]
    assert list(repository.for_program("leaders-group")) == []


def test_programs_of_and_get_by_id_read_the_indexes(services: Services, clock: FakeClock) -> None:
    repository = services.participants
    for program in ("peer-circles", "demo"):
        repository.save(person("ada@example.org", clock, program=program))
    repository.save(person("bob@example.org", clock))

    # Global secondary indexes are eventually consistent in AWS, immediate in DynamoDB Local.
    assert sorted(repository.programs_of("ada@example.org")) == ["demo", "peer-circles"]
    assert repository.programs_of("bob@example.org") == ["demo"]
    assert repository.programs_of("nobody@example.org") == []
    found = repository.get_by_id("id-peer-circles-ada@example.org")
    assert found is not None
    assert (found.program, found.email) == ("peer-circles", "ada@example.org")
    assert repository.get_by_id("no-such-id") is None


# Magic links


def test_a_token_consumed_from_many_threads_at_once_works_once(services: Services) -> None:
    token = services.links.issue("confirm", "demo", "ada@example.org")

    results = at_once(RACERS, lambda: services.links.consume(token, "confirm"))

    granted = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(granted) == 1
    assert (granted[0].program, granted[0].subject) == ("demo", "ada@example.org")
    assert len(refused) == RACERS - 1
    assert all(isinstance(r, MagicLinkError) for r in refused), refused
    assert {r.problem for r in refused if isinstance(r, MagicLinkError)} == {LinkProblem.USED}


def test_an_expired_token_is_refused(
    services: Services, clock: FakeClock, it_settings: Settings
) -> None:
    token = services.links.issue("confirm", "demo", "ada@example.org")

    clock.advance(hours=it_settings.token_ttl_hours, seconds=-1)
    assert services.links.check(token, "confirm").subject == "ada@example.org"
    clock.advance(seconds=1)
    before = table_snapshot()

    for attempt in (services.links.check, services.links.consume):
        with pytest.raises(MagicLinkError) as refused:
            attempt(token, "confirm")
        assert refused.value.problem is LinkProblem.EXPIRED
    assert table_snapshot() == before


def test_a_token_of_another_purpose_is_unknown_and_stays_usable(services: Services) -> None:
    token = services.links.issue("confirm", "demo", "ada@example.org")

    with pytest.raises(MagicLinkError) as refused:
        services.links.consume(token, "organizer-login")
    assert refused.value.problem is LinkProblem.UNKNOWN

    assert services.links.consume(token, "confirm").subject == "ada@example.org"


# The outbox


def raw_message(number: int) -> str:
    return (
        f"To: person{number}@example.org\r\nFrom: portal@example.org\r\n"
        f"Subject: Message {number}\r\n\r\nHello {number}\r\n"
    )


def outbox_item(key: str, number: int = 1) -> OutboxItem:
    return OutboxItem(
        key=key,
        recipient=f"person{number}@example.org",
        template="confirm_signup",
        program="demo",
        raw=raw_message(number),
    )


def test_enqueue_with_the_same_key_stores_one_message(services: Services, clock: FakeClock) -> None:
    outbox = OutboxRepository()
    assert outbox.enqueue(outbox_item("confirm:demo:abc:0", 1), clock()) is True
    clock.advance(minutes=1)
    assert outbox.enqueue(outbox_item("confirm:demo:abc:0", 2), clock()) is False

    stored = outbox.get("confirm:demo:abc:0")
    assert stored is not None
    assert stored.raw == raw_message(1)  # the first one queued is the one kept
    assert outbox.due_keys(clock(), limit=10) == ["confirm:demo:abc:0"]


def test_a_due_message_claimed_from_many_threads_at_once_goes_to_one(
    services: Services, clock: FakeClock
) -> None:
    outbox = OutboxRepository()
    outbox.enqueue(outbox_item("intro:1:ada"), clock())

    results = at_once(RACERS, lambda: outbox.claim("intro:1:ada", clock(), LEASE))

    claimed = [r for r in results if r is not None]
    assert len(claimed) == 1, results
    assert isinstance(claimed[0], OutboxItem)
    assert claimed[0].key == "intro:1:ada"
    # Held for the lease: nobody else can claim it until the lease runs out.
    assert outbox.due_keys(clock(), limit=10) == []
    assert outbox.due_keys(clock() + LEASE, limit=10) == ["intro:1:ada"]


def test_draining_from_four_threads_sends_each_message_once(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    keys = queue_confirmations(services, 20)

    reports = at_once(4, services.mail.drain)

    assert not [r for r in reports if isinstance(r, Exception)], reports
    assert sum(r.sent for r in reports if not isinstance(r, Exception)) == 20
    recipients = Counter(recipient for recipient, _ in mailbox.sent)
    assert recipients == Counter(f"person{number}@example.org" for number in range(20))
    outbox = OutboxRepository()
    assert {outbox.get(key).status for key in keys} == {SENT}  # type: ignore[union-attr]
    assert services.mail.drain().sent == 0


# Tables


def test_creating_the_tables_again_creates_nothing(store: Settings) -> None:
    assert tables.create_tables() == []
    assert all(model.exists() for model in tables.ALL_MODELS)


def test_tokens_outbox_sessions_and_unconfirmed_sign_ups_expire_by_ttl(store: Settings) -> None:
    client = boto3.client(
        "dynamodb", region_name=store.region, endpoint_url=store.dynamodb_endpoint
    )
    try:
        ttl = {
            model.__name__: client.describe_time_to_live(TableName=model.Meta.table_name)[
                "TimeToLiveDescription"
            ]
            for model in (
                tables.TokenRecord,
                tables.OutboxRecord,
                tables.SessionRecord,
                tables.ParticipantRecord,
            )
        }
    finally:
        client.close()

    on = {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    assert ttl == dict.fromkeys(
        ("TokenRecord", "OutboxRecord", "SessionRecord", "ParticipantRecord"), on
    )


def test_a_session_is_kept_by_the_hash_of_its_id_and_ends_on_time(
    services: Services, clock: FakeClock
) -> None:
    session_id = services.sessions.sign_in(None, "me", "demo", "ada@example.org", 8 * 3600)
    (record,) = list(tables.SessionRecord.scan())
    assert session_id not in record.session_hash
    assert services.sessions.sign_ins(session_id)["me"].email == "ada@example.org"
    clock.advance(hours=8)
    # DynamoDB Local, like DynamoDB for a few days, still holds the expired item.
    assert len(list(tables.SessionRecord.scan())) == 1
    assert services.sessions.sign_ins(session_id) == {}
    services.sessions.sign_out(session_id)
    assert list(tables.SessionRecord.scan()) == []
