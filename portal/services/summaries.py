"""The weekly organizer progress summary: what needs attention first, then the figures."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from babel import numbers

from portal import i18n
from portal.catalog.programs import ProgramCatalog
from portal.domain.analytics import (
    SMALL_GROUP,
    Flag,
    StalledPair,
    WeeklyProgress,
    weekly_progress,
)
from portal.domain.checkins import Checkin, Kind
from portal.domain.groups import groups_of, is_group_program
from portal.domain.nudges import local_date
from portal.domain.participants import Participant
from portal.domain.program import Format, Program
from portal.domain.schedule import recent_fire
from portal.i18n import N_, format_short_day, gettext, pgettext
from portal.mail.catalog import Recipient
from portal.persistence.checkins import CheckinRepository
from portal.persistence.matches import MatchRepository
from portal.persistence.outbox import OutboxItem
from portal.persistence.participants import ParticipantRepository
from portal.presenters.figures import show
from portal.services.digests import OrganizerDigests, alert_day
from portal.services.failures import log_failure
from portal.services.mail import MailService

log = logging.getLogger(__name__)

# The summaries function runs hourly; a summary whose time came within the last day and that
# is not in the outbox yet is sent (a missed hour is caught up, a repeated event finds it).
CATCH_UP = timedelta(days=1)
TEMPLATE = "progress_summary"
MAX_LISTED = 60  # check-ins listed one by one; the rest are counted
# The email that could not be delivered, as "The %(email)s to ..." names it.
EMAIL_NAMES = {
    "introduction": N_("introduction"),
    "match_summary": N_("round summary"),
    "suggestions": N_("mentor suggestions"),
    "checkin_reminder": N_("check-in reminder"),
    "second_nudge": N_("second nudge"),
    "organizer_digest": N_("daily alerts"),
    "rematch_offer": N_("re-match offer"),
    "survey": N_("survey"),
    "progress_summary": N_("progress summary"),
    "confirm_signup": N_("sign-up confirmation"),
    "already_registered": N_("already-signed-up notice"),
    "sign_in": N_("sign-in link"),
    "delivery_failed": N_("delivery failure report"),
}
FUNNEL = (
    ("signed_up", N_("Signed up")),
    ("confirmed", N_("Confirmed their email")),
    ("matched", N_("Matched")),
    ("active", N_("In an active match")),
    ("completed", N_("Completed the cycle")),
)


# How far back the printable summary goes: no program keeps data longer (retention_days).
OLDEST_WEEK = timedelta(days=3650)


class WeekError(ValueError):
    """A week asked of the printable summary that is no date, or none it can show."""


@dataclass(frozen=True)
class SummaryOutcome:
    program: str
    week_ending: str
    status: str  # sent | repeated | failed
    emails: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProgressReport:
    """A program's week: the domain's figures, and the emails that could not be delivered."""

    program: Program
    progress: WeeklyProgress
    failed_emails: tuple[OutboxItem, ...]
    people: dict[str, Participant]
    # Stalled pairs the organizers had in a daily digest already: listed apart, not counted
    # again as things that need their attention.
    alerted: frozenset[str] = frozenset()


def _what(checkin: Checkin) -> str:
    """What the check-in was, in the reader's words ("answered the day 30 survey")."""
    if checkin.kind is Kind.RATING:
        return gettext("gave a one-click rating")
    if checkin.survey == "closing":
        return gettext("answered the closing survey")
    milestone = re.fullmatch(r"day-(\d+)", checkin.survey)
    if milestone:
        return gettext("answered the day %(day)s survey", day=milestone.group(1))
    if checkin.survey:
        return gettext("answered the %(survey)s survey", survey=checkin.survey.replace("-", " "))
    return gettext("logged a check-in")


def _trend(change: float) -> str:
    """How the average moved since last week: "up 0.4", "down 1.1", "no change"."""
    if change == 0:
        return gettext("no change")
    amount = numbers.format_decimal(abs(change), format="0.0", locale=i18n.locale())
    if change > 0:
        return gettext("up %(change)s", change=amount)
    return gettext("down %(change)s", change=amount)


def _ended_why(reason: str) -> str:
    """Why a match ended early, said after the name of who ended it; an unknown code as it is."""
    if reason == "rematch":
        return gettext("asked for another match")
    if reason == "paused":
        return pgettext("ended a match", "paused")
    if reason == "left":
        return gettext("left the program")
    return reason


def _email_name(template: str) -> str:
    """The email named for the summary's reader ("survey", "encuesta")."""
    if template in EMAIL_NAMES:
        return gettext(EMAIL_NAMES[template])
    return template.replace("_", " ")


class SummaryService:
    def __init__(
        self,
        *,
        programs: ProgramCatalog,
        participants: ParticipantRepository,
        matches: MatchRepository,
        checkins: CheckinRepository,
        mail: MailService,
        digests: OrganizerDigests,
        base_url: str = "",
    ) -> None:
        self.base_url = base_url
        self.digests = digests
        self.programs = programs
        self.participants = participants
        self.matches = matches
        self.checkins = checkins
        self.mail = mail

    # -- entry points ---------------------------------------------------------------------

    def send_summaries(self, now: datetime) -> list[SummaryOutcome]:
        """Every program whose `schedule.summary` fired in the last day and was not sent yet."""
        outcomes = []
        for program in self.programs:
            if program.archived:
                continue  # an archived program is over: its organizers get no more summaries
            stamp = ""
            try:
                fired = recent_fire(program.schedule.summary, program.timezone, now, CATCH_UP)
                if fired is None:
                    continue
                stamp = fired.strftime("%Y-%m-%dT%H%MZ")
                outcomes.append(self.send(program, fired, stamp))
            except Exception:
                # One program's failure (a bug, unreadable data) must not stop the others'
                # summaries; the next hourly run tries again within the day.
                log_failure(log, "summary of %s failed", program.slug)
                outcomes.append(SummaryOutcome(program.slug, stamp, "failed"))
        return outcomes

    def send(self, program: Program, now: datetime, occurrence: str) -> SummaryOutcome:
        """Queue the summary of the week ending `now` to each organizer, once per occurrence."""
        keys = {
            o: {"program": program.slug, "occurrence": occurrence, "organizer": o}
            for o in program.organizers
        }
        if all(self.mail.queued(TEMPLATE, Recipient.ORGANIZER, key) for key in keys.values()):
            return SummaryOutcome(
                program.slug, occurrence, "repeated", notes=["this summary was sent already"]
            )
        report = self.summary_for(program, now)
        sent = sum(
            self.mail.queue_once(
                TEMPLATE,
                Recipient.ORGANIZER,
                to=organizer,
                key=key,
                # Made for each organizer in their language: its words, days and numbers.
                context=lambda: self.context(report),
                program=program.slug,
                language=self.mail.organizer_language(organizer),
            )
            for organizer, key in keys.items()
        )
        log.info("summary of %s for %s: %d emails", program.slug, occurrence, sent)
        return SummaryOutcome(program.slug, occurrence, "sent", emails=sent)

    # -- the printable page -----------------------------------------------------------------

    def printable_url(self, program: Program, now: datetime) -> str:
        """The console's printable page of the summary of the week ending `now`."""
        day = local_date(now, program.timezone).isoformat()
        return f"{self.base_url}/organize/programs/{program.slug}/summary?week={day}"

    def week_of(self, program: Program, text: str, now: datetime) -> date:
        """The day a `week=` parameter names (YYYY-MM-DD), or WeekError saying what is wrong."""
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise WeekError(
                f"\u201c{text[:40]}\u201d is not a date written as year-month-day, "
                "such as 2026-04-10."
            )
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise WeekError(f"{text} is not a day of the calendar.") from None
        today = local_date(now, program.timezone)
        if day > today:
            raise WeekError(f"{text} is after today ({today.isoformat()}): no summary yet.")
        if day < today - OLDEST_WEEK:
            raise WeekError(f"{text} is more than ten years ago: nothing that old is kept.")
        return day

    def week_ending(self, program: Program, day: date) -> datetime:
        """When the summary of `day` closed its week: the program's summary time on that day,
        or the last one in the week before; the end of the day if the schedule has none."""
        zone = i18n.zone(program.timezone)
        midnight = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
        last = midnight - timedelta(microseconds=1)
        fired = recent_fire(program.schedule.summary, program.timezone, last, timedelta(days=7))
        return fired or midnight

    def printable(self, program: Program, now: datetime) -> dict[str, Any]:
        """The summary of the week ending `now`, as the email shows it, for the printable page."""
        return self.context(self.summary_for(program, now))

    def summary_for(self, program: Program, now: datetime) -> ProgressReport:
        """The week ending `now`, from the database."""
        people = {p.email: p for p in self.participants.for_program(program.slug)}
        matches = list(self.matches.for_program(program.slug))
        recent = self.checkins.for_program(program.slug, now - timedelta(days=14), now)
        seen = {(c.match_id, c.checkin_id) for c in recent}
        checkins: list[Checkin] = list(recent)
        # In a group program a pair is quiet only when its whole group is (as its reminders).
        groups = groups_of(matches) if is_group_program(program) else []
        keys = [m.match_id for m in matches if m.status == "active"]
        keys += [key for group in groups for key in group.checkin_keys]
        for key in keys:
            # How long an active pair (or group) has been quiet needs its older check-ins too.
            for checkin in self.checkins.for_match(key):
                if (checkin.match_id, checkin.checkin_id) not in seen and checkin.created_at < now:
                    checkins.append(checkin)
        progress = weekly_progress(
            program,
            now=now,
            participants=list(people.values()),
            matches=matches,
            checkins=checkins,
            groups=groups,
        )
        failed = self.mail.outbox.failed_since(program.slug, now - timedelta(days=7))
        return ProgressReport(
            program, progress, tuple(failed), people, self._alerted(program, progress, now)
        )

    def _alerted(self, program: Program, progress: WeeklyProgress, now: datetime) -> frozenset[str]:
        """The stalled pairs whose alert was in a daily digest by now (their match ids)."""
        today = local_date(now, program.timezone)
        days = {
            pair.match_id: alert_day(today, pair.quiet_days, program.schedule.organizer_alert_days)
            for pair in progress.stalled
        }
        told = {day: self.digests.alerted(program, day, today) for day in set(days.values())}
        return frozenset(match for match, day in days.items() if told[day])

    # -- the email ------------------------------------------------------------------------

    def context(self, report: ProgressReport) -> dict[str, Any]:
        """The summary's words and figures, in the reader's language and the program's zone."""
        program, progress, people = report.program, report.progress, report.people
        zone = program.timezone
        peer = program.format is Format.PEER

        def who(email: str) -> dict[str, str]:
            person = people.get(email)
            role = "" if person is None else ("peer" if peer else person.role.value)
            shown = person.mailbox if person else email
            return {"name": person.name if person else email, "email": shown, "role": role}

        def flag(item: Flag) -> dict[str, Any]:
            return {
                "author": who(item.author),
                "other": who(item.other),
                "day": format_short_day(item.created_at, zone),
                "satisfaction": item.satisfaction,
                "note": item.note,
            }

        f = progress
        trend = f.satisfaction_trend

        def stalled(pair: StalledPair) -> dict[str, Any]:
            return {
                "people": [who(email) for email in pair.people],
                "quiet_days": pair.quiet_days,
                "last_checkin": (
                    format_short_day(pair.last_checkin, zone, weekday=False)
                    if pair.last_checkin
                    else ""
                ),
            }

        # The pairs' and the groups' check-ins, in the order they came.
        week = sorted(
            [(c, other, False) for c, other in f.this_week]
            + [(c, mentor, True) for c, mentor in f.group_week],
            key=lambda item: item[0].created_at,
        )
        return {
            "program": program,
            "week_start": format_short_day(f.since, zone),
            "week_end": format_short_day(f.until - timedelta(seconds=1), zone, year=True),
            "small_group": SMALL_GROUP,
            # New this week: not in a daily digest yet (it goes in the program's morning).
            "stalled": [stalled(p) for p in f.stalled if p.match_id not in report.alerted],
            # Told already, in the organizers' daily digest: listed apart and not counted.
            "alerted": [stalled(p) for p in f.stalled if p.match_id in report.alerted],
            # A low rating that also asks for a new match is listed once, with the request.
            "low_ratings": [flag(item) for item in f.low_ratings if item not in f.rematch_requests],
            "rematch_requests": [flag(item) for item in f.rematch_requests],
            "ended": [
                {
                    "people": [who(email) for email in pair.people],
                    "by": who(pair.by) if pair.by else None,
                    "reason": pair.reason,
                    "why": _ended_why(pair.reason),
                    "day": format_short_day(pair.ended_at, zone),
                }
                for pair in f.ended
                # A request for another match made in a check-in is listed once, above.
                if not (
                    pair.reason == "rematch"
                    and any(r.match_id == pair.match_id for r in f.rematch_requests)
                )
            ],
            "failed_emails": [
                {
                    "recipient": item.recipient,
                    "email": _email_name(item.template),
                    # The sending service's own words (an error code), not the portal's.
                    "error": item.last_error or gettext("unknown error"),
                }
                for item in report.failed_emails
            ],
            "waiting": [{**who(w.email), "days": w.days} for w in f.waiting],
            "funnel": [(gettext(label), show(getattr(f.funnel, step))) for step, label in FUNNEL],
            "checkins_this_week": show(f.checkins_this_week, "checkins"),
            "checkins_last_week": show(f.checkins_last_week, "checkins"),
            "satisfaction_this_week": show(f.satisfaction_this_week, "mean"),
            "satisfaction_last_week": show(f.satisfaction_last_week, "mean"),
            "trend": None if trend is None else _trend(trend),
            "retention": show(f.retention, "pct"),
            "checkins": [
                {
                    "day": format_short_day(checkin.created_at, zone),
                    "author": who(checkin.author),
                    "other": None if group else who(other),
                    # A group check-in names its group by the mentor; it has no private note.
                    "group": who(other) if group else None,
                    "what": gettext("logged a group check-in") if group else _what(checkin),
                    "form": checkin.kind is not Kind.RATING,
                    "met": checkin.met,
                    "minutes": checkin.minutes,
                    "note": checkin.note,
                }
                for checkin, other, group in week[:MAX_LISTED]
            ],
            "group_checkins": bool(f.group_week),
            "more_checkins": max(len(week) - MAX_LISTED, 0),
            "attention": bool(f.needs_attention or report.failed_emails),
            # The same week as a printable page in the console.
            "summary_url": self.printable_url(program, f.until),
        }
