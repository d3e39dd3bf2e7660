"""Limits per client on sign-ups: per source address and per recipient, counted in DynamoDB."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.container import Services
from portal.mail.senders import MemorySender
from portal.persistence.tables import LimitRecord, ParticipantRecord
from portal.settings import Settings
from portal.web import source_address
from tests.conftest import ROOT, FakeClock, stored_sign_ups, table_snapshot
from tests.web.conftest import Site
from tests.web.dom import parse
from tests.web.helpers import sign_up

EVENTS = ROOT / "tests" / "package" / "events"


def from_address(client: FlaskClient, address: str) -> FlaskClient:
    """Make the client's requests come from `address`, as the development server reports it."""
    client.environ_base["REMOTE_ADDR"] = address
    return client


def without_empty_counters(snapshot: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """A table snapshot less the counters at 0: a refused sign-up takes each of its counters
    and gives it back, so one it created stays, counting nothing, until its window ends."""
    limits = LimitRecord.Meta.table_name
    counting = [item for item in snapshot[limits] if item["count"] != {"N": "0"}]
    return {**snapshot, limits: counting}


def assert_polite_429(response: TestResponse, retry_after: int) -> None:
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(retry_after)
    page = parse(response.text)
    assert page.h1 == "Please wait a little before trying again"
    assert page.title == "Please wait a little · Mentor Portal"
    assert "Nothing was saved and no email was sent." in page.text
    assert "/" in page.hrefs()


@pytest.fixture
def small(build_site: Callable[..., Site]) -> Site:
    """A site whose limits are small enough to reach in a few requests."""
    return build_site(signups_per_source=(2, 3), signups_per_address=(2, 3))


def test_past_the_source_limit_a_polite_429_and_nothing_is_stored(
    small: Site, mailbox: MemorySender
) -> None:
    client = from_address(small.client, "198.51.100.4")
    for n in range(2):
        assert sign_up(client, email=f"person{n}@example.org").status_code == 200
    assert stored_sign_ups() == (2, 2, 2)
    assert len(mailbox.sent) == 2
    before = table_snapshot()

    refused = sign_up(client, email="person2@example.org")

    # The clock stands at 09:00: the 10-minute window ends in 600 seconds.
    assert_polite_429(refused, retry_after=600)
    assert "try again in about 10 minutes" in parse(refused.text).text
    assert without_empty_counters(table_snapshot()) == without_empty_counters(before)
    assert small.services.participants.get("demo", "person2@example.org") is None
    assert [to for to, _ in mailbox.sent] == ["person0@example.org", "person1@example.org"]


def test_the_probes_burst_from_one_client_is_stopped_at_the_default_limit(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    # The outside probe sent 300 confirmations to 300 addresses from one client in 10.9 s.
    assert services.settings.signups_per_source == (20, 100)
    statuses = [sign_up(client, email=f"junk{n}@example.org").status_code for n in range(25)]
    assert statuses == [200] * 20 + [429] * 5
    assert len(mailbox.sent) == 20
    assert sum(1 for _ in ParticipantRecord.scan()) == 20


def test_the_source_limit_does_not_depend_on_the_recipient(small: Site) -> None:
    a = from_address(small.client, "198.51.100.4")
    assert sign_up(a, email="one@example.org").status_code == 200
    assert sign_up(a, email="two@example.org").status_code == 200
    assert sign_up(a, email="three@example.org").status_code == 429
    # The same address from elsewhere is welcome: only 198.51.100.4 reached its limit.
    b = from_address(small.app.test_client(), "203.0.113.9")
    assert sign_up(b, email="three@example.org").status_code == 200


def test_the_recipient_limit_does_not_depend_on_the_source(
    small: Site, mailbox: MemorySender
) -> None:
    for n, address in enumerate(["198.51.100.1", "198.51.100.2"]):
        client = from_address(small.app.test_client(), address)
        assert sign_up(client, email="Victim@Example.org", name=f"Try {n}").status_code == 200
    sent = len(mailbox.sent)
    # A third source, and the address in another case: still the same recipient.
    third = from_address(small.app.test_client(), "198.51.100.3")
    refused = sign_up(third, email="VICTIM@example.org", name="Try 2")
    assert_polite_429(refused, retry_after=3600)  # the hour's window ends at 10:00
    assert len(mailbox.sent) == sent
    # The refused attempt used none of that source's allowance: two more sign-ups go through.
    assert sign_up(third, email="someone@example.org").status_code == 200
    assert sign_up(third, email="someone.else@example.org").status_code == 200


def test_the_counts_end_with_their_window(small: Site, clock: FakeClock) -> None:
    client = from_address(small.client, "198.51.100.4")
    assert sign_up(client, email="a@example.org").status_code == 200
    assert sign_up(client, email="b@example.org").status_code == 200
    clock.advance(minutes=9, seconds=59)
    assert sign_up(client, email="c@example.org").status_code == 429
    clock.advance(seconds=1)  # 09:10, a new 10-minute window
    assert sign_up(client, email="c@example.org").status_code == 200
    # The day's limit (3) is reached now: it holds until midnight UTC.
    clock.advance(minutes=10)
    refused = sign_up(client, email="d@example.org")
    assert_polite_429(refused, retry_after=(24 - 9) * 3600 - 20 * 60)
    assert "try again in about 15 hours" in parse(refused.text).text
    clock.now = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
    assert sign_up(client, email="d@example.org").status_code == 200


def test_the_wait_named_is_until_every_limit_allows_again(
    build_site: Callable[..., Site],
) -> None:
    site = build_site(signups_per_source=(2, 2))
    client = from_address(site.client, "198.51.100.4")
    assert sign_up(client, email="a@example.org").status_code == 200
    assert sign_up(client, email="b@example.org").status_code == 200
    # Both the 10 minutes' and the day's limits are reached: 10 minutes would be too soon.
    assert_polite_429(sign_up(client, email="c@example.org"), retry_after=15 * 3600)


def test_counters_expire_at_their_windows_end_and_name_no_address(
    small: Site, clock: FakeClock
) -> None:
    client = from_address(small.client, "198.51.100.4")
    assert sign_up(client, email="Grace.Hopper@Example.org").status_code == 200
    counters = {record.key.split("#")[0]: record for record in LimitRecord.scan()}
    ends = {name: record.expires_at for name, record in counters.items()}
    assert ends == {
        "signup-source-10m": datetime(2026, 3, 2, 9, 10, tzinfo=UTC),
        "signup-source-1d": datetime(2026, 3, 3, tzinfo=UTC),
        "signup-recipient-1h": datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
        "signup-recipient-1d": datetime(2026, 3, 3, tzinfo=UTC),
    }
    assert {int(record.taken) for record in counters.values()} == {1}
    raw = json.dumps([record.serialize() for record in LimitRecord.scan()]).lower()
    assert "grace" not in raw
    assert "hopper" not in raw
    assert "198.51.100.4" not in raw


def test_an_ipv6_client_is_counted_by_its_64_network(small: Site) -> None:
    first = from_address(small.app.test_client(), "2001:db8:1:2::10")
    second = from_address(small.app.test_client(), "2001:db8:1:2:ffff::99")
    elsewhere = from_address(small.app.test_client(), "2001:db8:1:3::10")
    assert sign_up(first, email="a@example.org").status_code == 200
    assert sign_up(second, email="b@example.org").status_code == 200
    assert sign_up(second, email="c@example.org").status_code == 429
    assert sign_up(elsewhere, email="c@example.org").status_code == 200


def test_a_bot_caught_by_the_honeypot_uses_no_allowance(small: Site) -> None:
    client = from_address(small.client, "198.51.100.4")
    for n in range(5):
        assert sign_up(client, email=f"bot{n}@example.org", website="x").status_code == 200
    assert list(LimitRecord.scan()) == []
    assert sign_up(client, email="person@example.org").status_code == 200


# The source address on Lambda


def zappa_environ(event: dict[str, Any]) -> dict[str, Any]:
    """What Zappa's handler puts in the WSGI environ for an API Gateway event (zappa/wsgi.py).

    REMOTE_ADDR comes from X-Forwarded-For (its second-to-last entry when there are several),
    and the whole event is kept under "lambda.event".
    """
    forwarded = event["headers"].get("X-Forwarded-For", "")
    addresses = [part.strip() for part in forwarded.split(",")]
    remote = addresses[-2] if len(addresses) > 1 else forwarded or "127.0.0.1"
    return {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded, "lambda.event": event}


def test_on_lambda_the_source_is_api_gateways_not_the_forwarded_header(small: Site) -> None:
    recorded = json.loads((EVENTS / "post-signup-form.json").read_text(encoding="utf-8"))
    assert recorded["requestContext"]["identity"]["sourceIp"] == "203.0.113.7"
    client = small.client

    def sign_up_with(source_ip: str, forwarded: str, email: str) -> int:
        event = copy.deepcopy(recorded)
        event["requestContext"]["identity"]["sourceIp"] = source_ip
        event["headers"]["X-Forwarded-For"] = forwarded
        client.environ_base.update(zappa_environ(event))
        return sign_up(client, email=email).status_code

    # A client writing a new X-Forwarded-For each time is still one source...
    assert sign_up_with("203.0.113.7", "10.0.0.1, 192.0.2.1", "a@example.org") == 200
    assert sign_up_with("203.0.113.7", "10.0.0.2, 192.0.2.2", "b@example.org") == 200
    assert sign_up_with("203.0.113.7", "10.0.0.3, 192.0.2.3", "c@example.org") == 429
    # ...and another source is another client, whatever the header says.
    assert sign_up_with("198.51.100.8", "10.0.0.3, 192.0.2.3", "c@example.org") == 200


def test_behind_cloudfront_each_visitor_is_counted_by_their_own_address(small: Site) -> None:
    # Through the site's distribution every request comes from a CloudFront server: the
    # viewer's address it passes on counts, when the request carries the origin token.
    recorded = json.loads((EVENTS / "post-signup-form.json").read_text(encoding="utf-8"))
    client = small.client
    token = small.settings.origin_token
    assert len(token) == 64

    def sign_up_from(viewer: str, email: str, origin: str = token) -> int:
        event = copy.deepcopy(recorded)
        event["requestContext"]["identity"]["sourceIp"] = "130.176.0.1"  # a CloudFront server
        event["headers"]["x-portal-viewer-address"] = viewer
        event["headers"]["x-portal-origin"] = origin
        # A client's own spelling with underscores: one WSGI key with the real one, so only
        # the event's exact header may count.
        event["headers"]["x_portal_viewer_address"] = "6.6.6.6"
        client.environ_base.update(zappa_environ(event))
        return sign_up(client, email=email).status_code

    assert sign_up_from("203.0.113.7", "a@example.org") == 200
    assert sign_up_from("203.0.113.7", "b@example.org") == 200
    assert sign_up_from("203.0.113.7", "c@example.org") == 429  # the same visitor, thrice
    assert sign_up_from("198.51.100.8", "c@example.org") == 200  # another visitor
    # Without the token (someone calling the API directly, naming any address they like),
    # the header is not believed: the connection's address counts, as before.
    assert sign_up_from("192.0.2.1", "d@example.org", origin="0" * 64) == 200
    assert sign_up_from("192.0.2.2", "e@example.org", origin="") == 200
    assert sign_up_from("192.0.2.3", "f@example.org", origin="nonsense") == 429


def test_the_origin_token_is_made_from_the_secret_key(settings: Settings) -> None:
    # The stack's OriginToken parameter: the same for the same key, another for another key.
    assert settings.origin_token == settings.with_overrides().origin_token
    other = settings.with_overrides(secret_key=settings.secret_key + "x")
    assert other.origin_token != settings.origin_token
    assert settings.with_overrides(secret_key="").origin_token == ""


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"REMOTE_ADDR": "127.0.0.1"}, "127.0.0.1"),
        (
            {
                "REMOTE_ADDR": "10.9.9.9",
                "lambda.event": {"requestContext": {"identity": {"sourceIp": "203.0.113.7"}}},
            },
            "203.0.113.7",
        ),
        (  # an HTTP API's event (payload format 2.0)
            {
                "REMOTE_ADDR": "10.9.9.9",
                "lambda.event": {"requestContext": {"http": {"sourceIp": "2001:db8::1"}}},
            },
            "2001:db8::1",
        ),
        ({"lambda.event": {"requestContext": None}, "REMOTE_ADDR": "127.0.0.1"}, "127.0.0.1"),
        ({}, "unknown"),
    ],
)
def test_source_address(environ: dict[str, Any], expected: str) -> None:
    assert source_address(environ) == expected
