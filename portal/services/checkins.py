"""After the introduction: check-ins, quick ratings and the pair's goals (see participation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.domain.checkins import (
    Checkin,
    Fit,
    Goal,
    GoalState,
    Kind,
    checkin_id_for,
)
from portal.domain.clock import Clock
from portal.domain.matches import MatchState
from portal.i18n import N_, gettext
from portal.persistence.checkins import CheckinRepository, GoalRepository
from portal.persistence.matches import MatchRepository, StoredMatch
from portal.services.magic_links import LinkGrant, MagicLinks, Purpose
from portal.services.participation import ParticipationService

CHECKIN = Purpose.CHECKIN  # opens the check-in form of one match; scope "<match id>|<survey>"
RATE = Purpose.RATE  # records a quick rating of one match; scope "<match id>"
RATINGS = (1, 2, 3, 4, 5)
MAX_GOALS = 10
# Marked for the catalogue; translated where shown.
RATING_LABELS = {1: N_("Poor"), 2: N_("Not great"), 3: N_("OK"), 4: N_("Good"), 5: N_("Great")}


class CheckinError(Exception):
    """A check-in, rating or goal cannot be recorded; the message says why."""


@dataclass(frozen=True)
class CheckinAnswers:
    """What the check-in form collected, already validated by the form."""

    met: bool
    day: date | None = None
    minutes: int | None = None
    topics: tuple[str, ...] = ()
    goal_states: dict[str, GoalState] | None = None
    satisfaction: int | None = None
    fit: Fit | None = None
    note: str = ""
    survey: str = ""


@dataclass(frozen=True)
class RatingLink:
    """What a quick-rating link is for, for the page it opens."""

    program: str
    match: StoredMatch
    rater: str


def _scope(match_id: str, survey: str) -> str:
    return f"{match_id}|{survey}"


def split_scope(scope: str) -> tuple[str, str]:
    """A check-in link's match id and survey name."""
    match_id, _, survey = scope.partition("|")
    return match_id, survey


class CheckinService:
    def __init__(
        self,
        *,
        participation: ParticipationService,
        matches: MatchRepository,
        checkins: CheckinRepository,
        goals: GoalRepository,
        links: MagicLinks,
        clock: Clock,
        base_url: str,
    ) -> None:
        self.participation = participation
        self.matches = matches
        self.checkins = checkins
        self.goals = goals
        self.links = links
        self.clock = clock
        self.base_url = base_url

    # -- links that emails carry ----------------------------------------------------------

    def page_url(self, program: str, email: str) -> str:
        """A magic link to the person's own page (reminders carry it beside their own links)."""
        return self.participation.page_url(program, email)

    def checkin_url(self, program: str, match_id: str, email: str, survey: str = "") -> str:
        """A magic link that signs the person in and opens the match's check-in form."""
        return self.links.checkin_url(program, email, _scope(match_id, survey))

    def rating_urls(self, program: str, match_id: str, email: str) -> list[tuple[int, str]]:
        """One link per rating, 1 to 5, sharing one single-use token bound to this person."""
        return self.links.rate_urls(program, email, match_id, RATINGS)

    # -- reading --------------------------------------------------------------------------

    def checkin_matches(self, program: str, email: str) -> list[StoredMatch]:
        """The person's matches that take check-ins: the active ones, and those that completed
        their cycle (the closing survey is answered after the cycle's end)."""
        return [m for m in self.matches.for_person(program, email) if m.takes_checkins]

    def match_of(
        self, program: str, match_id: str, email: str, *, feedback: bool = False
    ) -> StoredMatch:
        """The person's active match with this id, or a CheckinError.

        With `feedback` (a check-in, a rating, a survey answer) a completed match will do too.
        """
        match = self.matches.get(program, match_id)
        if match is None or email not in (match.mentor, match.mentee):
            raise CheckinError(gettext("This match is not one of yours."))
        if not (match.takes_checkins if feedback else match.holds_places):
            raise CheckinError(
                gettext("This match has ended, so it takes no more check-ins.")
                if match.status is not MatchState.COMPLETED
                else gettext(
                    "This match has completed its cycle: it takes check-ins and surveys, but "
                    "no more changes."
                )
            )
        return match

    def history(self, match_id: str) -> list[Checkin]:
        """The match's check-ins and ratings, oldest first."""
        return self.checkins.for_match(match_id)

    def goals_of(self, match_id: str) -> list[Goal]:
        """The pair's goals in the order they were added."""
        return self.goals.for_match(match_id)

    # -- check-ins ------------------------------------------------------------------------

    def record(self, program: str, match_id: str, author: str, answers: CheckinAnswers) -> Checkin:
        """Store one check-in and apply its goal progress to the pair's goals."""
        match = self.match_of(program, match_id, author, feedback=True)
        now = self.clock()
        goal_states = dict(answers.goal_states or {})
        known = {goal.goal_id for goal in self.goals.for_match(match.match_id)}
        unknown = set(goal_states) - known
        if unknown:
            raise CheckinError(gettext("A goal on the form no longer exists: reload the page."))
        checkin = Checkin(
            program=program,
            match_id=match.match_id,
            checkin_id=checkin_id_for(now, match.person_id(author)),
            author=author,
            kind=Kind.SURVEY if answers.survey else Kind.CHECKIN,
            created_at=now,
            met=answers.met,
            day=answers.day if answers.met else None,
            minutes=answers.minutes if answers.met else None,
            topics=answers.topics,
            goal_states=goal_states,
            satisfaction=answers.satisfaction,
            fit=answers.fit,
            note=answers.note,
            survey=answers.survey,
        )
        self.checkins.add(checkin)
        for goal_id, state in goal_states.items():
            self.goals.update(match.match_id, goal_id, now=now, state=state)
        if answers.fit is Fit.REMATCH:
            # "No: please find me another match" is acted on at once, as the button is.
            self.participation.end(program, match, author, "rematch")
        return checkin

    def rating_link(self, token: str) -> RatingLink:
        """What a rating link would record, without using it (for the page a GET shows)."""
        return self._rating_link(self.links.check(token, RATE))

    def rate(self, token: str, score: int, signed_in_as: str | None) -> RatingLink:
        """Use a rating link up and record the rating as its owner's, once."""
        if score not in RATINGS:
            raise CheckinError(gettext("A rating is a whole number from 1 to 5."))
        link = self.rating_link(token)
        if signed_in_as is not None and signed_in_as != link.rater:
            raise CheckinError(
                gettext(
                    "This rating link was sent to someone else, so it cannot record your rating."
                )
            )
        grant = self.links.consume(token, RATE)
        now = self.clock()
        self.checkins.add(
            Checkin(
                program=grant.program,
                match_id=link.match.match_id,
                checkin_id=checkin_id_for(now, link.match.person_id(grant.subject)),
                author=grant.subject,
                kind=Kind.RATING,
                created_at=now,
                satisfaction=score,
            )
        )
        return link

    def _rating_link(self, grant: LinkGrant) -> RatingLink:
        match = self.match_of(grant.program, grant.scope, grant.subject, feedback=True)
        return RatingLink(program=grant.program, match=match, rater=grant.subject)

    # -- goals --------------------------------------------------------------------------

    def add_goal(self, program: str, match_id: str, author: str, text: str) -> Goal:
        match = self.match_of(program, match_id, author)
        if len(self.goals.for_match(match.match_id)) >= MAX_GOALS:
            raise CheckinError(
                gettext(
                    "A match can have at most %(most)s goals: mark one done first.",
                    most=MAX_GOALS,
                )
            )
        now = self.clock()
        goal = Goal(
            match_id=match.match_id,
            goal_id=checkin_id_for(now, match.person_id(author)),
            text=text,
            state=GoalState.NOT_STARTED,
            added_by=author,
            created_at=now,
            updated_at=now,
        )
        self.goals.add(program, goal)
        return goal

    def update_goal(
        self,
        program: str,
        match_id: str,
        author: str,
        goal_id: str,
        *,
        text: str | None = None,
        state: GoalState | None = None,
    ) -> None:
        match = self.match_of(program, match_id, author)
        if not self.goals.update(match.match_id, goal_id, now=self.clock(), text=text, state=state):
            raise CheckinError(gettext("That goal no longer exists."))
