"""Bounces and complaints from SES (through SNS): no more program email to those addresses."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from portal.domain.clock import Clock
from portal.persistence.suppressions import SuppressionRepository

log = logging.getLogger(__name__)

# Feedback that says an address must get no more mail. A transient bounce (a full mailbox)
# may deliver next time; a complaint marked "not-spam" is the opposite of a complaint.
BOUNCE = "bounce"
COMPLAINT = "complaint"
# Notifications SES also publishes to the topic, which ask nothing of us.
_NOTHING_TO_DO = frozenset({"Delivery", "Send", "Open", "Click", "AmazonSnsSubscriptionSucceeded"})


class SesFeedbackError(ValueError):
    """A notification that is not SES feedback we can read; the message says what is wrong."""


@dataclass(frozen=True)
class FeedbackReport:
    """What one invocation did (counts only: addresses are personal data and stay out of logs)."""

    suppressed: int = 0  # addresses that get no more program email from now on
    already: int = 0  # addresses that were suppressed for a bounce or complaint before
    ignored: int = 0  # notifications that ask for nothing: transient bounces, deliveries


def _recipients(notification: Mapping[str, Any], kind: str) -> list[str]:
    """The addresses a bounce or complaint names."""
    body = notification.get(kind)
    field = "bouncedRecipients" if kind == BOUNCE else "complainedRecipients"
    if not isinstance(body, Mapping) or not isinstance(body.get(field), list):
        raise SesFeedbackError(f"a {kind} notification without {kind}.{field}")
    addresses = []
    for entry in body[field]:
        address = entry.get("emailAddress") if isinstance(entry, Mapping) else None
        if not isinstance(address, str) or "@" not in address:
            raise SesFeedbackError(f"an entry of {kind}.{field} has no emailAddress")
        addresses.append(address)
    return addresses


class SesFeedback:
    def __init__(self, suppressions: SuppressionRepository, clock: Clock) -> None:
        self.suppressions = suppressions
        self.clock = clock

    def handle_sns_event(self, event: Mapping[str, Any]) -> FeedbackReport:
        """Read every SNS record; raise SesFeedbackError after the readable ones were handled."""
        totals = {"suppressed": 0, "already": 0, "ignored": 0}
        problems: list[str] = []
        for number, notification in self._notifications(event, problems):
            try:
                report = self.handle(notification)
            except SesFeedbackError as exc:
                problems.append(f"record {number}: {exc}")
                continue
            totals["suppressed"] += report.suppressed
            totals["already"] += report.already
            totals["ignored"] += report.ignored
        log.info("SES feedback: %s", totals)
        if problems:
            raise SesFeedbackError("; ".join(problems))
        return FeedbackReport(**totals)

    @staticmethod
    def _notifications(
        event: Mapping[str, Any], problems: list[str]
    ) -> Iterator[tuple[int, Mapping[str, Any]]]:
        records = event.get("Records")
        if not isinstance(records, list) or not records:
            raise SesFeedbackError("the event has no SNS Records: it is not an SNS notification")
        for number, record in enumerate(records):
            sns = record.get("Sns") if isinstance(record, Mapping) else None
            message = sns.get("Message") if isinstance(sns, Mapping) else None
            if not isinstance(message, str):
                problems.append(f"record {number}: no Sns.Message")
                continue
            try:
                notification = json.loads(message)
            except ValueError:
                problems.append(f"record {number}: Sns.Message is not JSON")
                continue
            if not isinstance(notification, Mapping):
                problems.append(f"record {number}: Sns.Message is not a JSON object")
                continue
            yield number, notification

    def handle(self, notification: Mapping[str, Any]) -> FeedbackReport:
        """One SES notification: identity notifications and configuration-set events alike."""
        kind = notification.get("notificationType") or notification.get("eventType")
        if kind == "Bounce":
            addresses = _recipients(notification, BOUNCE)
            if notification[BOUNCE].get("bounceType") != "Permanent":
                return FeedbackReport(ignored=1)
            return self._suppress(addresses, BOUNCE)
        if kind == "Complaint":
            addresses = _recipients(notification, COMPLAINT)
            if notification[COMPLAINT].get("complaintFeedbackType") == "not-spam":
                return FeedbackReport(ignored=1)
            return self._suppress(addresses, COMPLAINT)
        if kind in _NOTHING_TO_DO:
            return FeedbackReport(ignored=1)
        raise SesFeedbackError(
            f"notificationType {kind!r} is not one SES sends (Bounce, Complaint, Delivery)"
            if kind
            else "neither notificationType nor eventType: not an SES notification"
        )

    def _suppress(self, addresses: list[str], reason: str) -> FeedbackReport:
        suppressed = already = 0
        for address in addresses:
            # An unsubscribe still lets a requested confirmation through; a bounce or a
            # complaint stops everything, so it replaces an unsubscribe but not the other.
            if self.suppressions.reason(address) in (BOUNCE, COMPLAINT):
                already += 1
                continue
            self.suppressions.add(address, reason, self.clock())
            suppressed += 1
        return FeedbackReport(suppressed=suppressed, already=already)
