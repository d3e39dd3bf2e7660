"""Magic links: a GET never uses a token up, a POST uses it once, expired and forged fail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from portal.container import Services
from portal.persistence.tables import TokenRecord
from portal.services.magic_links import LinkGrant, LinkProblem, MagicLinkError, Purpose
from tests.conftest import FakeClock
from tests.factories import seed_demo_people
from tests.unit.services.test_signup import ADA


def problem_of(call: Callable[[str, str], LinkGrant], token: str, purpose: str) -> LinkProblem:
    """Why `call` refuses the token."""
    with pytest.raises(MagicLinkError) as caught:
        call(token, purpose)
    return caught.value.problem


def test_check_tells_what_the_link_grants_without_using_it(services: Services) -> None:
    token = services.links.issue("confirm", "demo", "ada@example.org")
    expected = LinkGrant(purpose="confirm", program="demo", subject="ada@example.org")
    # A mail scanner may open the link any number of times.
    assert services.links.check(token, "confirm") == expected
    assert services.links.check(token, "confirm") == expected
    assert services.links.consume(token, "confirm") == expected


def test_consume_works_once(services: Services) -> None:
    token = services.links.issue("confirm", "demo", "ada@example.org")
    services.links.consume(token, "confirm")
    assert problem_of(services.links.consume, token, "confirm") is LinkProblem.USED
    assert problem_of(services.links.check, token, "confirm") is LinkProblem.USED


def test_every_issued_token_is_different(services: Services) -> None:
    tokens = {services.links.issue("confirm", "demo", "ada@example.org") for _ in range(5)}
    assert len(tokens) == 5
    # A floor, not an exact length: what matters is that a token cannot be guessed, and 40
    # URL-safe characters carry 240 bits. (token_urlsafe(32) gives 43 today.)
    assert all(len(token) >= 40 for token in tokens)


def test_a_link_works_until_it_expires(services: Services, clock: FakeClock) -> None:
    token = services.links.issue("confirm", "demo", "ada@example.org")
    clock.advance(hours=47, minutes=59)
    assert services.links.check(token, "confirm").subject == "ada@example.org"
    clock.advance(hours=1, minutes=2)
    assert problem_of(services.links.check, token, "confirm") is LinkProblem.EXPIRED
    assert problem_of(services.links.consume, token, "confirm") is LinkProblem.EXPIRED


def test_an_expired_link_cannot_be_consumed(services: Services, clock: FakeClock) -> None:
    token = services.links.issue("confirm", "demo", "ada@example.org")
    clock.advance(hours=49)
    assert problem_of(services.links.consume, token, "confirm") is LinkProblem.EXPIRED
    clock.advance(hours=-49)
    # The failed attempt did not use it up.
    assert services.links.consume(token, "confirm").subject == "ada@example.org"


def test_a_token_for_another_purpose_is_unknown(services: Services) -> None:
    token = services.links.issue("organize", "demo", "ada@example.org")
    assert problem_of(services.links.check, token, "confirm") is LinkProblem.UNKNOWN
    assert problem_of(services.links.consume, token, "confirm") is LinkProblem.UNKNOWN
    # and the wrong-purpose attempt did not use it up
    assert services.links.consume(token, "organize").purpose == "organize"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "short",
        "x" * 43,  # plausible shape, never issued
        "x" * 101,
        "../../etc/passwd-and-some-more-characters",
        "tok\u00e9n-with-an-accent-and-enough-length",
        "with spaces in it and long enough to pass",
    ],
)
def test_garbage_tokens_are_unknown(services: Services, token: str) -> None:
    services.links.issue("confirm", "demo", "ada@example.org")
    assert problem_of(services.links.check, token, "confirm") is LinkProblem.UNKNOWN
    assert problem_of(services.links.consume, token, "confirm") is LinkProblem.UNKNOWN


def test_the_token_itself_is_never_stored(services: Services) -> None:
    tokens = [services.links.issue("confirm", "demo", f"p{n}@example.org") for n in range(3)]
    services.links.consume(tokens[0], "confirm")
    records = list(TokenRecord.scan())
    assert len(records) == 3
    for record in records:
        stored = [str(value) for value in record.attribute_values.values()]
        assert stored, "the record has no attributes"
        for token in tokens:
            assert not any(token in value for value in stored)


# One lifetime per purpose


def me_link_lifetimes() -> set[timedelta]:
    """How long each stored /me link works, from its record."""
    return {
        record.expires_at - record.created_at
        for record in TokenRecord.scan()
        if record.purpose == Purpose.ME
    }


def test_a_me_link_lives_as_long_whoever_issues_it(services: Services, clock: FakeClock) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    seed_demo_people(services, demo, clock(), mentors=1, mentees=1)
    issued: dict[str, set[timedelta]] = {}
    seen = 0

    def record(source: str) -> None:
        nonlocal seen
        count = sum(1 for r in TokenRecord.scan() if r.purpose == Purpose.ME)
        assert count > seen, f"{source} issued no /me link"
        seen = count
        issued[source] = me_link_lifetimes()

    assert services.rounds.run(demo, "2026-03-02T0900Z", trigger="cli").pairs == 1
    record("introduction")
    (match,) = services.rounds.matches.active("demo")
    services.checkins.page_url("demo", match.mentee)  # what reminders carry
    record("reminder")
    services.signup.sign_up(demo, replace(ADA, email=match.mentee))
    record("already registered")
    services.participation.end_match("demo", match.match_id, match.mentee, "rematch")
    record("match ended")
    assert me_link_lifetimes() == {timedelta(days=14)} == {services.links.lifetime(Purpose.ME)}
    assert all(found == {timedelta(days=14)} for found in issued.values())
