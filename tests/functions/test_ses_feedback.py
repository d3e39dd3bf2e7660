"""The SES feedback function, called with recorded SNS notifications of a bounce and a complaint."""

from __future__ import annotations

import copy
import inspect
import json
from collections.abc import Callable
from typing import Any

import pytest

import functions.ses_feedback
from portal.catalog.programs import load_program
from portal.container import Services
from portal.mail.catalog import Recipient
from portal.persistence.suppressions import SuppressionRepository
from portal.services.ses_feedback import SesFeedbackError
from tests.conftest import CONTENT, ROOT, table_snapshot

EVENTS = ROOT / "tests" / "package" / "events"
DEMO = load_program(CONTENT / "programs" / "demo.md")


def recorded(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    return event


def with_message(event: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """The recorded event with its SES notification changed."""
    event = copy.deepcopy(event)
    sns = event["Records"][0]["Sns"]
    message = json.loads(sns["Message"])
    change(message)
    sns["Message"] = json.dumps(message)
    return event


def queue_intro(portal: Services, to: str, template: str = "confirm_signup") -> bool:
    return portal.mail.queue(
        f"{template}:demo:{to}",
        to=to,
        template=template,
        recipient=Recipient.APPLICANT if template == "confirm_signup" else Recipient.PARTICIPANT,
        context={
            "name": "Someone",
            "program": DEMO,
            "role": "mentee",
            "confirm_url": "http://portal.test/confirm/abcdefghijklmnopqrstuvwxyz0123",
            "expires_hours": 48,
        },
        program="demo",
    )


def test_the_handler_takes_exactly_event_and_context() -> None:
    parameters = list(inspect.signature(functions.ses_feedback.handler).parameters.values())
    assert [p.name for p in parameters] == ["event", "context"]
    assert all(p.default is inspect.Parameter.empty for p in parameters)


def test_a_permanent_bounce_stops_all_mail_to_the_address(
    lambda_services: Callable[..., Services],
) -> None:
    portal = lambda_services()

    result = functions.ses_feedback.handler(recorded("sns-ses-bounce.json"), None)

    assert result == {"suppressed": 1, "already": 0, "ignored": 0}
    # SES wrote "Bounced.Person@Example.org"; the portal stores addresses in lower case.
    assert SuppressionRepository().reason("bounced.person@example.org") == "bounce"
    # Not even a confirmation the person asks for: the mailbox does not exist.
    assert not queue_intro(portal, "bounced.person@example.org")
    assert queue_intro(portal, "someone.else@example.org")


def test_a_complaint_stops_all_mail_to_the_address(
    lambda_services: Callable[..., Services],
) -> None:
    portal = lambda_services()

    result = functions.ses_feedback.handler(recorded("sns-ses-complaint.json"), None)

    assert result == {"suppressed": 1, "already": 0, "ignored": 0}
    assert SuppressionRepository().reason("complainer@example.org") == "complaint"
    assert not queue_intro(portal, "complainer@example.org", template="introduction")


def test_the_same_notification_delivered_twice_suppresses_once(
    lambda_services: Callable[..., Services],
) -> None:
    lambda_services()
    event = recorded("sns-ses-bounce.json")
    functions.ses_feedback.handler(event, None)

    again = functions.ses_feedback.handler(event, None)

    assert again == {"suppressed": 0, "already": 1, "ignored": 0}
    assert SuppressionRepository().reason("bounced.person@example.org") == "bounce"


def test_a_bounce_after_an_unsubscribe_also_stops_requested_mail(
    lambda_services: Callable[..., Services],
) -> None:
    portal = lambda_services()
    address = "bounced.person@example.org"
    portal.unsubscribes.unsubscribe(portal.unsubscribes.url(address).rsplit("/", 1)[1])
    assert queue_intro(portal, address)  # an unsubscribe lets a requested confirmation through

    functions.ses_feedback.handler(recorded("sns-ses-bounce.json"), None)

    assert SuppressionRepository().reason(address) == "bounce"
    assert not portal.mail.queue(
        "confirm:demo:again",
        to=address,
        template="confirm_signup",
        recipient=Recipient.APPLICANT,
        context={
            "name": "Someone",
            "program": DEMO,
            "role": "mentee",
            "confirm_url": "http://portal.test/confirm/abcdefghijklmnopqrstuvwxyz0123",
            "expires_hours": 48,
        },
        program="demo",
    )


@pytest.mark.parametrize(
    ("name", "change"),
    [
        pytest.param(
            "sns-ses-bounce.json",
            lambda m: m["bounce"].update(bounceType="Transient", bounceSubType="MailboxFull"),
            id="transient-bounce",
        ),
        pytest.param(
            "sns-ses-complaint.json",
            lambda m: m["complaint"].update(complaintFeedbackType="not-spam"),
            id="not-spam",
        ),
        pytest.param(
            "sns-ses-bounce.json",
            lambda m: m.update(eventType="Delivery", delivery={"recipients": ["x@example.org"]}),
            id="delivery",
        ),
    ],
)
def test_feedback_that_asks_for_nothing_suppresses_nobody(
    lambda_services: Callable[..., Services], name: str, change: Callable[[dict[str, Any]], None]
) -> None:
    lambda_services()

    result = functions.ses_feedback.handler(with_message(recorded(name), change), None)

    assert result == {"suppressed": 0, "already": 0, "ignored": 1}
    assert SuppressionRepository().reason("bounced.person@example.org") is None
    assert SuppressionRepository().reason("complainer@example.org") is None


def test_identity_notifications_are_read_like_configuration_set_events(
    lambda_services: Callable[..., Services],
) -> None:
    lambda_services()

    def identity_style(message: dict[str, Any]) -> None:
        message["notificationType"] = message.pop("eventType")

    event = with_message(recorded("sns-ses-bounce.json"), identity_style)
    assert functions.ses_feedback.handler(event, None)["suppressed"] == 1


@pytest.mark.parametrize(
    ("event", "message"),
    [
        pytest.param({"detail-type": "Scheduled Event"}, "no SNS Records", id="not-sns"),
        pytest.param({"Records": [{"Sns": {"Message": "{oops"}}]}, "not JSON", id="not-json"),
        pytest.param(
            {"Records": [{"Sns": {"Message": json.dumps({"eventType": "Bounce"})}}]},
            "without bounce.bouncedRecipients",
            id="no-recipients",
        ),
        pytest.param(
            {"Records": [{"Sns": {"Message": json.dumps({"hello": "world"})}}]},
            "not an SES notification",
            id="not-ses",
        ),
    ],
)
def test_an_unreadable_notification_fails_with_what_is_wrong(
    lambda_services: Callable[..., Services], event: dict[str, Any], message: str
) -> None:
    lambda_services()
    before = table_snapshot()
    with pytest.raises(SesFeedbackError, match=message):
        functions.ses_feedback.handler(event, None)
    assert table_snapshot() == before


def test_a_bad_record_fails_the_invocation_after_the_good_ones_were_handled(
    lambda_services: Callable[..., Services],
) -> None:
    lambda_services()
    event = recorded("sns-ses-bounce.json")
    event["Records"].append({"Sns": {"Message": "not json"}})

    with pytest.raises(SesFeedbackError, match=r"record 1: Sns\.Message is not JSON"):
        functions.ses_feedback.handler(event, None)

    assert SuppressionRepository().reason("bounced.person@example.org") == "bounce"
