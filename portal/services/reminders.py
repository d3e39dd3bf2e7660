"""The reminder run: the inactivity ladder and the surveys, for every active match.

What is due comes from the domain (`portal.domain.nudges`) with a key per step and stretch;
the outbox queues a key once, so a repeated or overlapping run sends nothing twice. Links
(which issue tokens) are made only for an email that is actually going to be queued.
The scheduled run is hourly and writes to each person in their own morning, to the
organizers in the program's (`portal.domain.mornings`); `portal remind` sends all that is due.
A pair with a booked first meeting is not nudged before it, and is asked for the check-in
the day after it; a meeting email that an action stored but did not queue (its process
stopped in between) is queued by the next run (portal/services/meetings.py). The
organizers' alerts (a stalled pair, a quiet group) are not emailed one by one: they are
collected and sent as one daily digest per organizer (`portal.services.digests`).
A match through its cycle is then marked completed, once both people's closing surveys were
queued, which frees both people's places for the next round.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from portal import i18n
from portal.catalog.programs import ProgramCatalog
from portal.catalog.tracks import TrackCatalog
from portal.domain.checkins import Checkin, match_ref
from portal.domain.groups import is_group_program
from portal.domain.meetings import booked_start
from portal.domain.mornings import in_morning
from portal.domain.nudges import (
    LadderStep,
    Step,
    SurveyDue,
    ladder_step_due,
    local_date,
    match_day,
    offers_rematch,
    pair_week,
    survey_due,
    surveys_answered,
)
from portal.domain.participants import Participant, Status
from portal.domain.program import Format, Program
from portal.mail.catalog import Recipient
from portal.persistence.checkins import CheckinRepository
from portal.persistence.matches import MatchRepository, StoredMatch
from portal.persistence.participants import ParticipantRepository
from portal.presenters.words import role_word
from portal.services.checkins import RATING_LABELS, CheckinService
from portal.services.digests import Alert, OrganizerDigests, alert_day
from portal.services.failures import log_failure
from portal.services.group_reminders import GroupReminders
from portal.services.mail import MailService
from portal.services.meetings import Meetings
from portal.services.rounds.common import person_context

log = logging.getLogger(__name__)

TEMPLATES = {
    Step.REMINDER: "checkin_reminder",
    Step.NUDGE: "second_nudge",
    Step.OFFER: "rematch_offer",
}
SURVEY_TEMPLATE = "survey"


@dataclass(frozen=True)
class ReminderOutcome:
    """What one program's run queued, by email (no personal data: for the log and the CLI)."""

    program: str
    pairs: int
    queued: dict[str, int] = field(default_factory=dict)
    status: str = "done"  # done | failed
    completed: int = 0  # matches marked completed: their cycle ended


def other_role(program: Program, person: Participant) -> str:
    """The other person's role, as a word in the reader's language ("mentor", "peer partner")."""
    if program.format is Format.PEER or person.role.value == "peer":
        return i18n.gettext("peer partner")
    return role_word("mentor" if person.role.value == "mentee" else "mentee")


class ReminderService:
    def __init__(
        self,
        *,
        programs: ProgramCatalog,
        tracks: TrackCatalog,
        participants: ParticipantRepository,
        matches: MatchRepository,
        checkins: CheckinRepository,
        links: CheckinService,
        mail: MailService,
        digests: OrganizerDigests,
        groups: GroupReminders | None = None,
        meetings: Meetings | None = None,
    ) -> None:
        self.meetings = meetings  # the day-after follow-up of a pair's booked meeting
        self.digests = digests  # the organizers' alerts, one email a day
        self.groups = groups  # the ladder of group programs, counted per group
        self.programs = programs
        self.tracks = tracks
        self.participants = participants
        self.matches = matches
        self.checkins = checkins
        self.links = links
        self.mail = mail

    def remind(self, now: datetime, *, mornings_only: bool = False) -> list[ReminderOutcome]:
        """Every program's due reminders, nudges, alerts, offers and surveys; `mornings_only`
        (the hourly run): only to those for whom it is 07:00 to 08:59 now."""
        outcomes = []
        for program in self.programs:
            try:
                outcomes.append(self.remind_program(program, now, mornings_only=mornings_only))
            except Exception:
                # One program's failure must not stop the others; the next run repeats
                # nothing that was queued, and queues what this one did not.
                log_failure(log, "reminders of %s failed", program.slug)
                outcomes.append(ReminderOutcome(program.slug, 0, status="failed"))
        return outcomes

    def remind_program(
        self, program: Program, now: datetime, *, mornings_only: bool = False
    ) -> ReminderOutcome:
        matches = self.matches.active(program.slug)
        if not matches:
            return ReminderOutcome(program.slug, 0)

        def awake(timezone: str) -> bool:
            """Whether mail goes now to someone in `timezone` (a person, or the organizers)."""
            return not mornings_only or in_morning(now, timezone, fallback=program.timezone)

        people = {p.email: p for p in self.participants.for_program(program.slug)}
        queued: Counter[str] = Counter()
        failed = completed = 0
        # In a group program the ladder runs per group (below); surveys stay per pair.
        grouped = is_group_program(program) and self.groups is not None
        pair_checkins: dict[str, list[Checkin]] = {}
        alerts: list[Alert] = []  # due to the organizers now: sent as one digest below
        for match in matches:
            pair = (people.get(match.mentor), people.get(match.mentee))
            if pair[0] is None or pair[1] is None:
                log.warning("a match of %s names someone who is not signed up", program.slug)
                continue
            nobody_awake = not (
                awake(program.timezone) or awake(pair[0].timezone) or awake(pair[1].timezone)
            )
            if nobody_awake and not grouped:  # a group's ladder counts every pair's check-ins
                continue  # nobody's morning: nothing to read (most hours, for most pairs)
            try:
                checkins = pair_checkins[match.match_id] = self.checkins.for_match(match.match_id)
                sent = self._remind_pair(
                    program,
                    match,
                    (pair[0], pair[1]),
                    checkins,
                    now,
                    awake,
                    alerts,
                    ladder=not grouped,
                )
                queued.update(sent)
                # Only once both closing surveys are queued (each in its reader's morning): a
                # pair whose emails failed stays active, and the next run tries again. A second
                # run finds it completed.
                if (
                    match.cycle_over(program, now)
                    and self._surveyed_at_close(program, match, (pair[0], pair[1]), checkins, now)
                    and self.matches.complete(program, match.match_id, now=now)
                ):
                    completed += 1
                    pair_checkins.pop(match.match_id, None)  # no longer in its group
            except Exception:
                # One pair's problem must not hold back every pair after it, every day.
                log_failure(log, "reminders of a pair of %s failed", program.slug)
                failed += 1
        if self.meetings is not None:
            # The day after a pair's booked meeting, each is asked for the check-in.
            asked = self.meetings.follow_ups(program.slug, now=now, awake=awake, matches=matches)
            if asked:
                queued["meeting_follow_up"] += asked
            # Emails of a meeting action whose process stopped after storing it.
            queued.update(self.meetings.catch_up(program.slug, now=now, matches=matches))
        if grouped and self.groups is not None:
            ongoing = [m for m in matches if m.match_id in pair_checkins]
            queued.update(
                self.groups.remind(program, ongoing, people, pair_checkins, now, awake, alerts)
            )
        if alerts and awake(program.timezone):
            # A pair whose run failed above is not in it; it stays in the weekly summary.
            today = local_date(now, program.timezone)
            digests = self.digests.send(program, alerts, today)
            if digests:
                queued["organizer_digest"] += digests
        log.info(
            "reminders of %s: %s, %d completed",
            program.slug,
            dict(queued) or "nothing due",
            completed,
        )
        return ReminderOutcome(
            program.slug,
            len(matches),
            dict(sorted(queued.items())),
            status="failed" if failed else "done",
            completed=completed,
        )

    # -- one pair -------------------------------------------------------------------------

    def _remind_pair(
        self,
        program: Program,
        match: StoredMatch,
        pair: tuple[Participant, Participant],
        checkins: list[Checkin],
        now: datetime,
        awake: Callable[[str], bool],
        alerts: list[Alert],
        *,
        ladder: bool = True,
    ) -> list[str]:
        sent: list[str] = []
        # Paused and departed people get nothing (their matches end when they pause or leave),
        # nor do addresses that unsubscribed or bounced: no links are issued for them either.
        # The others get what is due in their morning (the hourly run asks `awake`).
        reachable = [p for p in pair if awake(p.timezone) and self._reachable(p)]
        surveyed: set[str] = set()
        for person in reachable:
            survey = survey_due(
                program.schedule,
                cycle_weeks=program.cycle_weeks,
                timezone=program.timezone,
                started=match.created_at,
                answered=surveys_answered(checkins, person.email),
                now=now,
            )
            if survey is None:
                continue
            if survey.day == match_day(match.created_at, now, program.timezone):
                # One email a day: on a survey's own day, a reminder waits until tomorrow.
                surveyed.add(person.email)
            if self._send_survey(program, match, person, pair, survey, now):
                sent.append(SURVEY_TEMPLATE)
        if not ladder:
            return sent  # a group's match: its group's ladder reminds the group as one
        step = ladder_step_due(
            program.schedule,
            cycle_weeks=program.cycle_weeks,
            timezone=program.timezone,
            started=match.created_at,
            checkins=checkins,
            now=now,
            offer=offers_rematch(program),
            meeting=booked_start(match.meeting),
        )
        if step is None:
            return sent
        if step.step is Step.ALERT:
            if awake(program.timezone):  # the organizers' morning: the program's
                alerts.append(self._alert(program, match, pair, step, now))
            return sent
        for person in reachable:
            if person.email in surveyed:
                continue
            if self._nudge(program, match, person, pair, step, now):
                sent.append(TEMPLATES[step.step])
        return sent

    def _reachable(self, person: Participant) -> bool:
        return person.status is Status.CONFIRMED and self.mail.suppression(person.email) is None

    def _surveyed_at_close(
        self,
        program: Program,
        match: StoredMatch,
        pair: tuple[Participant, Participant],
        checkins: list[Checkin],
        now: datetime,
    ) -> bool:
        """Whether everyone of an ended cycle who is owed a closing survey has it queued.

        Each gets it in their own morning, which may be a run or a day after the other's;
        completing the match before would end the reminders and lose the second survey.
        """
        for person in pair:
            if not self._reachable(person):
                continue
            survey = survey_due(
                program.schedule,
                cycle_weeks=program.cycle_weeks,
                timezone=program.timezone,
                started=match.created_at,
                answered=surveys_answered(checkins, person.email),
                now=now,
            )
            if survey is None or not survey.closing:
                continue  # answered, not wanted (closing_survey off), or too late to send
            key = self._key(program, match, survey.key, person=person.participant_id)
            if not self.mail.queued(SURVEY_TEMPLATE, Recipient.PARTICIPANT, key):
                return False
        return True

    def _key(
        self, program: Program, match: StoredMatch, what: str, **recipient: str
    ) -> dict[str, str]:
        """The parts of a reminder's key; `recipient` is person= or organizer=."""
        return {
            "program": program.slug,
            "match": match_ref(match.match_id),
            "step": what,
            **recipient,
        }

    def _common(
        self,
        program: Program,
        match: StoredMatch,
        person: Participant,
        pair: tuple[Participant, Participant],
        now: datetime,
    ) -> dict[str, Any]:
        other = pair[1] if person.email == pair[0].email else pair[0]
        week = pair_week(match.created_at, now, program.timezone)
        track = self.tracks.get(program.track) if program.track else None
        step = track.step_for(week) if track else None
        return {
            "program": program,
            "person": person_context(person),
            "other": person_context(other),
            "other_role": other_role(program, person),
            "week": week,
            "cycle_weeks": program.cycle_weeks,
            # The reader's day, in their zone and language.
            "started": i18n.format_day(match.created_at, person.timezone, year=True),
            "track_title": track.title if track else "",
            "track_step": (
                {"week": step.week, "title": step.title, "text": step.text} if step else None
            ),
            "organizers": ", ".join(program.organizers),
        }

    def _nudge(
        self,
        program: Program,
        match: StoredMatch,
        person: Participant,
        pair: tuple[Participant, Participant],
        step: LadderStep,
        now: datetime,
    ) -> bool:
        other = pair[1] if person.email == pair[0].email else pair[0]
        return self._to_person(
            program,
            match,
            person,
            TEMPLATES[step.step],
            step.key,
            lambda: self._nudge_context(program, match, person, pair, step, now),
            # The nudge says "write to them": a reply does, not to the portal's address.
            reply_to=other.mailbox if step.step is Step.NUDGE else None,
        )

    def _to_person(
        self,
        program: Program,
        match: StoredMatch,
        person: Participant,
        template: str,
        step_key: str,
        context: Callable[[], Mapping[str, Any]],
        reply_to: str | None = None,
    ) -> bool:
        """Queue one of the match's emails to one of its people, once per step."""
        return self.mail.queue_once(
            template,
            Recipient.PARTICIPANT,
            to=person.mailbox,
            key=self._key(program, match, step_key, person=person.participant_id),
            context=context,
            program=program.slug,
            reply_to=reply_to,
            language=person.language,
        )

    def _nudge_context(
        self,
        program: Program,
        match: StoredMatch,
        person: Participant,
        pair: tuple[Participant, Participant],
        step: LadderStep,
        now: datetime,
    ) -> dict[str, Any]:
        context = self._common(program, match, person, pair, now)
        context["quiet_days"] = step.quiet_days
        context["alert_in"] = program.schedule.organizer_alert_days - step.quiet_days
        context["last_checkin"] = (
            i18n.format_day(step.since, person.timezone) if step.since != match.created_at else ""
        )
        context["checkin_url"] = self.links.checkin_url(program.slug, match.match_id, person.email)
        if step.step is Step.OFFER:
            context["page_url"] = self.links.page_url(program.slug, person.email)
            context["ratings"] = []
        else:
            context["ratings"] = [
                {"score": score, "label": i18n.gettext(RATING_LABELS[score]), "url": url}
                for score, url in self.links.rating_urls(program.slug, match.match_id, person.email)
            ]
            context["page_url"] = (
                self.links.page_url(program.slug, person.email) if step.step is Step.NUDGE else ""
            )
        return context

    def _alert(
        self,
        program: Program,
        match: StoredMatch,
        pair: tuple[Participant, Participant],
        step: LadderStep,
        now: datetime,
    ) -> Alert:
        """The pair's stalled alert, for the organizers' digest."""
        peer = program.format is Format.PEER
        return Alert(
            kind="pair",
            people=tuple(
                {**person_context(p), "role": "peer" if peer else p.role.value} for p in pair
            ),
            quiet_days=step.quiet_days,
            last_checkin=(
                local_date(step.since, program.timezone) if step.since != match.created_at else None
            ),
            started=local_date(match.created_at, program.timezone),
            week=pair_week(match.created_at, now, program.timezone),
            due=alert_day(
                local_date(now, program.timezone),
                step.quiet_days,
                program.schedule.organizer_alert_days,
            ),
        )

    def _send_survey(
        self,
        program: Program,
        match: StoredMatch,
        person: Participant,
        pair: tuple[Participant, Participant],
        survey: SurveyDue,
        now: datetime,
    ) -> bool:
        return self._to_person(
            program,
            match,
            person,
            SURVEY_TEMPLATE,
            survey.key,
            lambda: self._survey_context(program, match, person, pair, survey, now),
        )

    def _survey_context(
        self,
        program: Program,
        match: StoredMatch,
        person: Participant,
        pair: tuple[Participant, Participant],
        survey: SurveyDue,
        now: datetime,
    ) -> dict[str, Any]:
        context = self._common(program, match, person, pair, now)
        context["survey"] = {"name": survey.name, "day": survey.day, "closing": survey.closing}
        context["checkin_url"] = self.links.checkin_url(
            program.slug, match.match_id, person.email, survey=survey.name
        )
        # The match completes once both closing surveys are queued (within a day) and both
        # people go back into the pool: the closing survey says so, with the way to stop there.
        context["page_url"] = (
            self.links.page_url(program.slug, person.email) if survey.closing else ""
        )
        return context
