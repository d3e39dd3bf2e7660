"""Queue rendered email in the outbox, then deliver it: never lost, never sent twice."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from portal import i18n
from portal.domain.clock import Clock
from portal.mail.calendar import CalendarPart
from portal.mail.catalog import Recipient, email
from portal.mail.message import build_message
from portal.mail.render import render
from portal.mail.senders import PermanentSendError, Sender, TransientSendError
from portal.persistence.outbox import OutboxItem, OutboxRepository
from portal.persistence.suppressions import SuppressionRepository

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6


class Unread:
    """A value the caller has not read (`compose`'s suppression): read it when needed."""


UNREAD = Unread()
LEASE = timedelta(minutes=5)


def backoff(attempt: int) -> timedelta:
    """Wait before the next try: 1, 2, 4, 8, 16 minutes."""
    return timedelta(minutes=2 ** max(attempt - 1, 0))


@dataclass(frozen=True)
class DrainReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


class MailService:
    def __init__(
        self,
        outbox: OutboxRepository,
        sender: Sender,
        mail_from: str,
        clock: Clock,
        organizers_of: Callable[[str], tuple[str, ...]] | None = None,
        suppressions: SuppressionRepository | None = None,
        unsubscribe_url: Callable[[str], str] | None = None,
        courier: Callable[[str], None] | None = None,
        console_url: str | None = None,
        on_sent: Callable[[], None] | None = None,
        organizer_language: Callable[[str], str] | None = None,
    ) -> None:
        self.outbox = outbox
        self.sender = sender
        self.mail_from = mail_from
        self.clock = clock
        self.organizers_of = organizers_of
        self.suppressions = suppressions
        self.unsubscribe_url = unsubscribe_url
        self.courier = courier
        # The organizers' console, which every email to an organizer links to: the plain
        # address, which asks a signed-out browser to sign in, never a sign-in link (emails
        # to organizers are forwarded, and a weekly summary lies in a mailbox for months).
        self.console_url = console_url
        # Told of each email SES (or the local sender) accepted: the usage meter counts them.
        self.on_sent = on_sent
        # The language each organizer chose (portal.services.organizers), for their emails.
        self._organizer_language = organizer_language

    def organizer_language(self, email: str) -> str:
        """The language the organizer with this address reads their emails in."""
        if self._organizer_language is None:
            return i18n.DEFAULT_LANGUAGE
        return self._organizer_language(email)

    def compose(
        self,
        key: str,
        *,
        to: str,
        template: str,
        recipient: Recipient,
        context: dict[str, Any],
        program: str | None = None,
        reply_to: str | None = None,
        suppressed: str | Unread | None = UNREAD,
        language: str | None = None,
        calendar: CalendarPart | None = None,
    ) -> OutboxItem | None:
        """Render a message for the outbox, without storing it; None if it must not be sent.

        None if the address has asked for no more program email (or bounced); an email the
        catalogue says the person asked for (a confirmation) still goes out after an
        unsubscribe, never after a bounce or a complaint. CatalogError for an email the
        catalogue does not declare for this kind of recipient. `suppressed` is the address's
        suppression if the caller read it already (`suppression`), else it is read here.
        `language` is the recipient's: the email is written in it (English if None).
        `calendar` is an invite (.ics) sent with it (portal/mail/calendar.py).
        """
        entry = email(template, recipient)
        if isinstance(suppressed, Unread):
            suppressed = self.suppression(to)
        if suppressed and (suppressed != "unsubscribe" or entry.unsubscribe_stops):
            log.info("not queued: %s is suppressed (%s)", template, suppressed)
            return None
        # Only where unsubscribing stops the email: a link that would not stop it (in a
        # confirmation the person just asked for) would promise what it cannot do.
        unsubscribe_url = (
            self.unsubscribe_url(to) if self.unsubscribe_url and entry.unsubscribe_stops else None
        )
        console_url = self.console_url if recipient is Recipient.ORGANIZER else None
        rendered = render(
            template,
            context,
            unsubscribe_url=unsubscribe_url,
            console_url=console_url,
            language=language,
        )
        message = build_message(
            rendered,
            sender=self.mail_from,
            recipient=to,
            now=self.clock(),
            unsubscribe_url=unsubscribe_url,
            reply_to=reply_to,
            calendar=calendar,
        )
        return OutboxItem(
            key=key,
            recipient=to,
            template=template,
            program=program,
            raw=message.as_string(),
            subject=rendered.subject,  # kept after sending, for the person's export
        )

    def suppression(self, to: str) -> str | None:
        """Why the address must not be written to ("unsubscribe", "bounce"...), or None."""
        return self.suppressions.reason(to) if self.suppressions else None

    def queue(
        self,
        key: str,
        *,
        to: str,
        template: str,
        recipient: Recipient,
        context: dict[str, Any],
        program: str | None = None,
        reply_to: str | None = None,
        language: str | None = None,
        calendar: CalendarPart | None = None,
    ) -> bool:
        """Render and store a message under an idempotency key, in the recipient's `language`.

        False if it was queued before, or if it must not be sent (see `compose`).
        """
        item = self.compose(
            key,
            to=to,
            template=template,
            recipient=recipient,
            context=context,
            program=program,
            reply_to=reply_to,
            language=language,
            calendar=calendar,
        )
        return item is not None and self.outbox.enqueue(item, self.clock())

    def queued(self, template: str, recipient: Recipient, key: Mapping[str, str]) -> bool:
        """Whether this email, its key made from `key`'s parts, is in the outbox already."""
        return self.outbox.get(email(template, recipient).key_for(**key)) is not None

    def queue_once(
        self,
        template: str,
        recipient: Recipient,
        *,
        to: str,
        key: Mapping[str, str],
        context: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
        program: str | None = None,
        reply_to: str | None = None,
        language: str | None = None,
        calendar: CalendarPart | None = None,
    ) -> bool:
        """Queue a catalogued email unless it was queued before; True if this call queued it.

        The key is the catalogue's shape filled with `key`'s parts. A context given as a
        function is made only when the email is new, so a repeated run issues no second link,
        and in the recipient's `language`, so that the dates it formats are in it too.
        """
        outbox_key = email(template, recipient).key_for(**key)
        if self.outbox.get(outbox_key) is not None:
            return False
        if callable(context):
            # Made in the recipient's language: the dates and words the service formats.
            with i18n.speaking(language):
                context = context()
        return self.queue(
            outbox_key,
            to=to,
            template=template,
            recipient=recipient,
            context=dict(context),
            program=program,
            reply_to=reply_to,
            language=language,
            calendar=calendar,
        )

    def dispatch(self, key: str) -> None:
        """Have a queued message sent soon: by the courier if there is one, else now.

        On AWS the courier starts another invocation that sends it, so a request that queues
        an email takes the same time whether or not there was one to send.
        """
        if self.courier is not None:
            self.courier(key)
        else:
            self.deliver(key)

    def deliver(self, key: str) -> bool:
        """Try to send one queued message now; True if this call sent it."""
        return self._attempt(key) == "sent"

    def drain(
        self,
        limit: int = 500,
        per_second: float = 10.0,
        sleep: Callable[[float], object] = time.sleep,
    ) -> DrainReport:
        """Send every due message, up to `limit`, at most `per_second` (SES's sending rate)."""
        counts = {"sent": 0, "retrying": 0, "failed": 0, "skipped": 0}
        interval = 1.0 / per_second if per_second > 0 else 0.0
        next_send = time.monotonic()
        for key in self.outbox.due_keys(self.clock(), limit):
            wait = next_send - time.monotonic()
            if wait > 0:
                sleep(wait)
            outcome = self._attempt(key)
            counts[outcome] += 1
            if outcome != "skipped":
                next_send = max(next_send, time.monotonic()) + interval
        return DrainReport(
            sent=counts["sent"], retrying=counts["retrying"], failed=counts["failed"]
        )

    def _report_failure(self, item: OutboxItem, error: str) -> None:
        """Tell the program's organizers an email could not be delivered (once per email)."""
        if item.template == "delivery_failed" or self.organizers_of is None or not item.program:
            return  # a failed failure report is logged, not reported again
        for organizer in self.organizers_of(item.program):
            self.queue_once(
                "delivery_failed",
                Recipient.ORGANIZER,
                to=organizer,
                key={"email": item.key, "organizer": organizer},
                context={"recipient": item.recipient, "template": item.template, "error": error},
                program=item.program,
                language=self.organizer_language(organizer),
            )

    def _attempt(self, key: str) -> str:
        now = self.clock()
        item = self.outbox.claim(key, now, LEASE)
        if item is None:
            return "skipped"  # sent already, or another drainer holds it
        try:
            provider_id = self.sender.send(item.recipient, item.raw)
        except TransientSendError as exc:
            attempt = item.attempts + 1
            if attempt >= MAX_ATTEMPTS:
                self.outbox.mark_attempt_failed(key, str(exc), None, now)
                log.warning("email %s failed after %d attempts", item.template, attempt)
                self._report_failure(item, str(exc))
                return "failed"
            self.outbox.mark_attempt_failed(key, str(exc), now + backoff(attempt), now)
            return "retrying"
        except PermanentSendError as exc:
            self.outbox.mark_attempt_failed(key, str(exc), None, now)
            log.warning("email %s refused permanently: %s", item.template, exc)
            self._report_failure(item, str(exc))
            return "failed"
        self.outbox.mark_sent(key, provider_id, now)
        if self.on_sent is not None:
            self.on_sent()
        return "sent"
