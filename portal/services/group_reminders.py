"""The inactivity ladder of groups: reminders counted per group, not per pair.

In a group program a mentor with three mentees is in three matches. Counted per pair, each
step of the ladder would reach the mentor three times. Here the ladder runs once per group:
the group is quiet since the latest check-in of anyone in it (a group check-in, or a
check-in of one of its pairs) or the latest first meeting one of its pairs booked (none is
due before such a meeting), counted from the group's start, and each step sends each
member one email (`group_reminder`), keyed by the group's id, and gives the organizers one
alert, in their daily digest (`portal.services.digests`). Surveys stay per match (each asks
about the person's own mentoring), as does completing a match at the end of its cycle
(portal.services.reminders).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from portal import i18n
from portal.domain.checkins import Checkin
from portal.domain.groups import Group, groups_of
from portal.domain.meetings import booked_start
from portal.domain.nudges import (
    LadderStep,
    Step,
    ladder_step_due,
    local_date,
    match_day,
    offers_rematch,
    pair_week,
    survey_due,
    surveys_answered,
)
from portal.domain.participants import Participant, Status
from portal.domain.program import Program
from portal.mail.catalog import Recipient
from portal.persistence.matches import StoredMatch
from portal.services.digests import Alert, alert_day
from portal.services.failures import log_failure
from portal.services.groups import GroupService
from portal.services.magic_links import MagicLinks
from portal.services.mail import MailService
from portal.services.rounds.common import person_context

log = logging.getLogger(__name__)

REMINDER = "group_reminder"


class GroupReminders:
    """One ladder per group: what the daily run sends a group that has gone quiet."""

    def __init__(
        self,
        *,
        groups: GroupService,
        links: MagicLinks,
        mail: MailService,
    ) -> None:
        self.groups = groups
        self.links = links
        self.mail = mail

    def remind(
        self,
        program: Program,
        matches: list[StoredMatch],
        people: dict[str, Participant],
        pair_checkins: dict[str, list[Checkin]],
        now: datetime,
        awake: Callable[[str], bool] = lambda _timezone: True,
        alerts: list[Alert] | None = None,
    ) -> list[str]:
        """Each group's due step, once per member, each in their morning when `awake` says
        so; the names of the emails queued. A quiet group's alert to the organizers is added
        to `alerts` in the program's morning, for their digest."""
        alerts = [] if alerts is None else alerts
        sent: list[str] = []
        for group in groups_of(matches):
            try:
                sent.extend(
                    self._remind_group(program, group, people, pair_checkins, now, awake, alerts)
                )
            except Exception:
                # One group's problem must not hold back every group after it, every day.
                log_failure(log, "reminders of a group of %s failed", program.slug)
        return sent

    def _remind_group(
        self,
        program: Program,
        group: Group,
        people: dict[str, Participant],
        pair_checkins: dict[str, list[Checkin]],
        now: datetime,
        awake: Callable[[str], bool],
        alerts: list[Alert],
    ) -> list[str]:
        members = [people[email] for email in group.members if email in people]
        if len(members) != len(group.members):
            log.warning("a group of %s names someone who is not signed up", program.slug)
            return []
        own = [c for m in group.matches for c in pair_checkins.get(m.match_id, [])]
        # A pair of the group with a first meeting booked: the group is not quiet before it,
        # and its quiet days count from the latest meeting (as a pair's do).
        booked = [start for m in group.matches if (start := booked_start(m.meeting))]
        step = ladder_step_due(
            program.schedule,
            cycle_weeks=program.cycle_weeks,
            timezone=program.timezone,
            started=group.started,
            checkins=own + self.groups.checkins_of(group),
            now=now,
            offer=offers_rematch(program),
            meeting=max(booked, default=None),
        )
        if step is None:
            return []
        if step.step is Step.ALERT:
            if awake(program.timezone):  # the organizers' morning: the program's
                alerts.append(self._alert(program, group, members, step, now))
            return []
        sent = []
        for person in members:
            if not awake(person.timezone):
                continue  # their morning comes in another hour's run
            if person.status is not Status.CONFIRMED or self.mail.suppression(person.email):
                continue
            if self._surveyed_today(program, group, person, pair_checkins, now):
                continue  # one email a day: the survey went today, the reminder tomorrow

            def context(person: Participant = person) -> dict[str, Any]:
                # Made only for an email not queued before: no second link on a repeated run.
                return self._context(program, group, members, person, step)

            if self.mail.queue_once(
                REMINDER,
                Recipient.PARTICIPANT,
                to=person.mailbox,
                key=_key(program, group, step, person=person.participant_id),
                context=context,
                program=program.slug,
                language=person.language,
            ):
                sent.append(REMINDER)
        return sent

    def _surveyed_today(
        self,
        program: Program,
        group: Group,
        person: Participant,
        pair_checkins: dict[str, list[Checkin]],
        now: datetime,
    ) -> bool:
        mine = [m for m in group.matches if person.email in (m.mentor, m.mentee)]
        for match in mine:
            survey = survey_due(
                program.schedule,
                cycle_weeks=program.cycle_weeks,
                timezone=program.timezone,
                started=match.created_at,
                answered=surveys_answered(pair_checkins.get(match.match_id, []), person.email),
                now=now,
            )
            if survey is not None and survey.day == match_day(
                match.created_at, now, program.timezone
            ):
                return True
        return False

    def _context(
        self,
        program: Program,
        group: Group,
        members: list[Participant],
        person: Participant,
        step: LadderStep,
    ) -> dict[str, Any]:
        return {
            "program": program,
            "person": person_context(person),
            "members": [{**person_context(m), "you": m.email == person.email} for m in members],
            "step": step.step.value,
            "quiet_days": step.quiet_days,
            "alert_in": program.schedule.organizer_alert_days - step.quiet_days,
            "last_checkin": (
                i18n.format_day(step.since, person.timezone) if step.since != group.started else ""
            ),
            "started": i18n.format_day(group.started, person.timezone, year=True),
            "organizers": ", ".join(program.organizers),
            "group_url": self.links.group_url(program.slug, person.email),
            "page_url": self.links.me_url(program.slug, person.email),
        }

    def _alert(
        self,
        program: Program,
        group: Group,
        members: list[Participant],
        step: LadderStep,
        now: datetime,
    ) -> Alert:
        """The group's alert, for the organizers' digest."""
        return Alert(
            kind="group",
            people=tuple({**person_context(m), "role": m.role.value} for m in members),
            quiet_days=step.quiet_days,
            last_checkin=(
                local_date(step.since, program.timezone) if step.since != group.started else None
            ),
            started=local_date(group.started, program.timezone),
            week=pair_week(group.started, now, program.timezone),
            due=alert_day(
                local_date(now, program.timezone),
                step.quiet_days,
                program.schedule.organizer_alert_days,
            ),
        )


def _key(program: Program, group: Group, step: LadderStep, **recipient: str) -> dict[str, str]:
    """The parts of a group reminder's key: the group stands where a pair's match would."""
    return {"program": program.slug, "match": group.group_id, "step": step.key, **recipient}
