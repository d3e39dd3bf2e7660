"""The organizers' daily digest: every alert due today in one email, not one email each.

The reminder run collects the alerts due now (a stalled pair, a quiet group) and queues one
`organizer_digest` per organizer per program per day, keyed `digest:<program>:<local
date>:<organizer>`: the outbox queues a key once, so a second run the same day sends nothing
and a run that crashed before queueing is repeated whole by the next one.

Nothing else is stored. An alert is due from its day (`organizer_alert_days` into a quiet
stretch) for up to `LATE_LIMIT_DAYS`; it belongs to the first digest on or after that day.
So a digest lists the due alerts whose day is later than the organizer's previous digest:
an alert already listed is not listed again, and one whose day passed with no digest (the
run was down) is in the next one. The same rule tells the weekly summary which stalled pairs
the organizers have had in a digest already (`alerted`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from portal import i18n
from portal.domain.nudges import LATE_LIMIT_DAYS
from portal.domain.program import Program
from portal.mail.catalog import Recipient
from portal.services.magic_links import GLANCE, MagicLinks
from portal.services.mail import MailService

log = logging.getLogger(__name__)

TEMPLATE = "organizer_digest"


@dataclass(frozen=True)
class Alert:
    """Something the organizers should hear about today: a stalled pair or a quiet group."""

    kind: str  # "pair" | "group"
    people: tuple[dict[str, str], ...]  # person_context with a role, mentor first
    quiet_days: int
    last_checkin: date | None  # the day of the last check-in, None when none since the start
    started: date
    week: int
    due: date  # the day it became due, in the program's time zone

    def context(self) -> dict[str, Any]:
        """The alert as the digest's template reads it."""
        return {
            "kind": self.kind,
            "people": list(self.people),
            "quiet_days": self.quiet_days,
            # Said in the reader's language (the digest is made in it); days where the
            # program is, as the alert's own day.
            "last_checkin": (
                i18n.format_day(self.last_checkin, year=True) if self.last_checkin else ""
            ),
            "started": i18n.format_day(self.started, year=True),
            "week": self.week,
        }


def alert_day(today: date, quiet_days: int, alert_days: int) -> date:
    """The day a stretch quiet for `quiet_days` today reached the organizers' alert."""
    return today - timedelta(days=quiet_days - alert_days)


def organize_url(links: MagicLinks, program: str, organizer: str) -> str:
    """Where the digest's button sends an organizer: a sign-in link (/organize/<token>) that
    opens the program at a glance in the console; every organizer email also ends with the
    plain console address (`console_url`)."""
    return links.organize_url(program, organizer, scope=GLANCE)


class OrganizerDigests:
    """Queues each organizer's digest of a program's alerts, once a day."""

    def __init__(self, *, mail: MailService, links: MagicLinks) -> None:
        self.mail = mail
        self.links = links

    def _key(self, program: Program, day: date, organizer: str) -> dict[str, str]:
        return {"program": program.slug, "day": day.isoformat(), "organizer": organizer}

    def sent_on(self, program: Program, day: date, organizer: str) -> bool:
        """Whether the organizer's digest of `day` is in the outbox."""
        return self.mail.queued(TEMPLATE, Recipient.ORGANIZER, self._key(program, day, organizer))

    def previous(self, program: Program, today: date, organizer: str) -> date | None:
        """The organizer's latest digest before today, as far back as an alert stays due."""
        for back in range(1, LATE_LIMIT_DAYS + 2):
            day = today - timedelta(days=back)
            if self.sent_on(program, day, organizer):
                return day
        return None

    def alerted(self, program: Program, due: date, today: date) -> bool:
        """Whether an alert due on `due` was in a digest to any organizer by `today`."""
        last = min(today, due + timedelta(days=LATE_LIMIT_DAYS))
        days = [due + timedelta(days=n) for n in range((last - due).days + 1)]
        return any(self.sent_on(program, day, o) for day in days for o in program.organizers)

    def send(self, program: Program, alerts: list[Alert], today: date) -> int:
        """Queue today's digest to each organizer, of the alerts not in an earlier one."""
        sent = 0
        for organizer in program.organizers:
            if not alerts or self.sent_on(program, today, organizer):
                continue  # nothing due, or sent by an earlier run today
            previous = self.previous(program, today, organizer)
            fresh = [a for a in alerts if previous is None or a.due > previous]
            if not fresh:
                continue
            fresh.sort(key=lambda a: (-a.quiet_days, a.kind, [p["name"] for p in a.people]))

            def context(organizer: str = organizer, fresh: list[Alert] = fresh) -> dict[str, Any]:
                # Made only for a digest not queued before: no second sign-in link.
                return {
                    "program": program,
                    "day": i18n.format_day(today, weekday=True, year=True),
                    "alerts": [a.context() for a in fresh],
                    "pairs": sum(a.kind == "pair" for a in fresh),
                    "groups": sum(a.kind == "group" for a in fresh),
                    "offer_days": program.schedule.rematch_offer_days,
                    "organize_url": organize_url(self.links, program.slug, organizer),
                }

            sent += self.mail.queue_once(
                TEMPLATE,
                Recipient.ORGANIZER,
                to=organizer,
                key=self._key(program, today, organizer),
                context=context,
                program=program.slug,
                language=self.mail.organizer_language(organizer),
            )
        log.info("digest of %s for %s: %d emails", program.slug, today.isoformat(), sent)
        return sent
