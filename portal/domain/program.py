"""A program's settings, validated strictly so that a typo fails at load, not at round time."""

from __future__ import annotations

import itertools
import re
import zoneinfo
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from portal.domain.participants import SENIORITY_LEVELS
from portal.domain.schedule import expression_problem, more_than_hourly, rate_of

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
# The languages the portal speaks (portal.i18n.LANGUAGES' codes; the domain imports nothing
# of the app, and a unit test keeps the two equal).
PORTAL_LANGUAGES = ("en", "es")
# EventBridge schedule expressions: cron with six fields, or rate(N unit[s]).
_CRON = re.compile(r"^cron\((\S+\s+){5}\S+\)$")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]


class Format(StrEnum):
    ONE_ON_ONE = "one-on-one"
    GROUP = "group"
    REVERSE = "reverse"
    FLASH = "flash"
    PEER = "peer"


def _yaml_off(value: object) -> object:
    # YAML 1.1 reads a bare `off` as False (and `no` too): take it as the word the author wrote.
    return "off" if value is False else value


class Weight(StrEnum):
    MUST = "must"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    OFF = "off"


class Approval(StrEnum):
    AUTO = "auto"
    ORGANIZER = "organizer"
    MENTEE_CHOICE = "mentee-choice"


WeightSetting = Annotated[Weight, BeforeValidator(_yaml_off)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Question(_Strict):
    """An extra sign-up question and how it feeds matching."""

    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    label: Text
    type: Literal["text", "choice", "multi"] = "text"
    choices: tuple[Text, ...] = ()
    required: bool = False
    match: Literal["same", "overlap", "none"] = "none"
    weight: WeightSetting = Weight.MEDIUM
    help: str = ""

    @model_validator(mode="after")
    def _choices_fit_type(self) -> Question:
        if self.type in ("choice", "multi") and len(self.choices) < 2:
            raise ValueError(f"a {self.type} question needs at least two choices")
        if self.type == "text" and self.choices:
            raise ValueError("a text question takes no choices (use type: choice)")
        if len(set(self.choices)) != len(self.choices):
            raise ValueError("choices must not repeat")
        if self.match == "overlap" and self.type != "multi":
            raise ValueError("match: overlap needs a multi question (use match: same)")
        return self


class Weights(_Strict):
    languages: WeightSetting = Weight.MUST
    skills: WeightSetting = Weight.HIGH
    timezone: WeightSetting = Weight.MEDIUM
    availability: WeightSetting = Weight.MEDIUM
    seniority: WeightSetting = Weight.LOW


DEFAULT_MIN_SCORE = 40.0
# The most levels two career stages can be apart (SENIORITY_LEVELS, least senior first).
MAX_SENIORITY_GAP = len(SENIORITY_LEVELS) - 1


class SeniorityGap(_Strict):
    """How many career levels the mentor is ahead of the mentee (behind, in reverse
    mentoring): at least `min` and at most `max`; a hard rule."""

    min: int
    max: int

    @model_validator(mode="after")
    def _band(self) -> SeniorityGap:
        for name, value in (("min", self.min), ("max", self.max)):
            if not 0 <= value <= MAX_SENIORITY_GAP:
                raise ValueError(
                    f"{name} ({value}) must be a number of career levels from 0 to "
                    f"{MAX_SENIORITY_GAP} (there are {MAX_SENIORITY_GAP + 1} levels)"
                )
        if self.min > self.max:
            raise ValueError(
                f"min ({self.min}) must not be more than max ({self.max}): the mentor is "
                "between min and max levels ahead of the mentee"
            )
        return self


# The most points a waiting bonus may give, per round and in all (a score is 0 to 100: a
# bonus above that would outweigh every criterion, which no setting should do by accident).
MAX_WAITING_POINTS = 100


def _points_number(value: object) -> float | None:
    """A number of points as written (a number, or a string of one), else None.

    YAML reads `yes` as True and pydantic takes True for 1: a bool is not a number here, so
    the message can say what is wanted instead.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


class WaitingBonus(_Strict):
    """Priority for people who waited: a mentee (or peer) left unmatched by earlier rounds
    gets `points` per round waited, at most `cap`, added to what the engine maximises for
    every pair they are in; never to the score people and organizers see."""

    points: float
    cap: float

    @field_validator("points", "cap", mode="before")
    @classmethod
    def _number(cls, value: object) -> float:
        number = _points_number(value)
        if number is None or number != number or not 0 <= number <= MAX_WAITING_POINTS:
            raise ValueError(
                f"must be a number of points from 0 to {MAX_WAITING_POINTS} (a score is 0 to "
                f"100), not {value!r}"
            )
        return number

    @model_validator(mode="after")
    def _some_bonus(self) -> WaitingBonus:
        if self.points == 0 or self.cap == 0:
            raise ValueError(
                "points and cap must both be more than 0 (leave waiting_bonus out for no bonus)"
            )
        if self.cap < self.points:
            raise ValueError(
                f"cap ({self.cap:g}) must not be less than points ({self.points:g}): the cap "
                "is the most a person gets in all, after one round or many"
            )
        return self

    def points_for(self, rounds_waited: int) -> float:
        """The bonus of someone who has waited `rounds_waited` rounds."""
        return min(self.points * max(rounds_waited, 0), self.cap)


class Matching(_Strict):
    objective: Literal["participation", "score"] = "participation"
    fairness: Literal["none", "balanced"] = "none"
    weights: Weights = Weights()
    exclude_same_department: bool = False
    exclude_reporting_line: bool = False
    max_timezone_gap_hours: Annotated[float, Field(ge=0, le=26)] | None = None
    # A band of career levels between the mentor and the mentee (None: no such rule).
    seniority_gap: SeniorityGap | None = None
    # Priority for mentees and peers who waited (None: no bonus).
    waiting_bonus: WaitingBonus | None = None
    no_repeat_pairs: bool = True
    # A one-off conversation (the "informational" template): each person is matched once in
    # the program and does not return to the pool when their conversation ends.
    match_once: bool = False
    # A pair scoring below this (0 to 100 points) is never formed, even in `auto` programs:
    # its people wait, told "no match good enough yet", rather than meet a weak match.
    min_score: float = DEFAULT_MIN_SCORE

    @field_validator("min_score", mode="before")
    @classmethod
    def _points(cls, value: object) -> float:
        number = _points_number(value)
        if number is None or not 0 <= number <= 100 or number != number:
            raise ValueError(
                f"must be a number of points from 0 to 100 (pairs scoring below it are not "
                f"matched; 0 keeps every pair the rules allow), not {value!r}"
            )
        return number


Days = Annotated[int, Field(ge=1, le=365)]


class Schedule(_Strict):
    """When rounds and summaries run, and the steps that follow a pair that goes quiet."""

    rounds: str = "cron(0 9 ? * MON *)"
    summary: str = "cron(0 8 ? * FRI *)"
    # The inactivity ladder, in days without a check-in by either person (or since the match
    # started): a reminder, a second nudge, an alert to the organizers, an offer to re-match
    # or close. Each fires once per quiet stretch; a check-in starts the count again.
    checkin_reminder_days: Annotated[int, Field(ge=1, le=90)] = 14
    second_nudge_days: Days = 21
    organizer_alert_days: Days = 28
    rematch_offer_days: Days = 35
    # Milestone surveys, in days since the match started: the first, then one every
    # `survey_every_days` (0: no more) while the cycle lasts; and a closing survey at its end.
    first_survey_day: Annotated[int, Field(ge=0, le=728)] = 30
    survey_every_days: Annotated[int, Field(ge=0, le=365)] = 60
    closing_survey: bool = True

    @field_validator("rounds", "summary")
    @classmethod
    def _schedule_expression(cls, value: str) -> str:
        if not (value == "manual" or _CRON.match(value) or rate_of(value) is not None):
            raise ValueError(
                'must be an EventBridge expression such as "cron(0 9 ? * MON *)" '
                'or "rate(7 days)", or "manual"'
            )
        problem = expression_problem(value)
        if problem:
            raise ValueError(f"{value!r} is not a schedule the portal can read: {problem}")
        if more_than_hourly(value):
            # The scheduled functions run once an hour: a tighter schedule would be a promise
            # the portal cannot keep (and rounds that often would churn people's matches).
            raise ValueError(
                f"{value!r} would run more than once an hour; the portal checks schedules "
                "hourly, so use one time in the hour (such as cron(0 9 ? * MON *)) or a rate "
                "of 1 hour or more"
            )
        return value

    @model_validator(mode="after")
    def _ladder_ascends(self) -> Schedule:
        ladder = [
            ("checkin_reminder_days", self.checkin_reminder_days),
            ("second_nudge_days", self.second_nudge_days),
            ("organizer_alert_days", self.organizer_alert_days),
            ("rematch_offer_days", self.rematch_offer_days),
        ]
        for (low_name, low), (high_name, high) in itertools.pairwise(ladder):
            if high <= low:
                raise ValueError(
                    f"{high_name} ({high}) must be more than {low_name} ({low}): the steps "
                    "for a quiet pair come in this order, reminder, second nudge, organizer "
                    "alert, re-match offer"
                )
        return self


# Limits a program's lists stay within, whoever edits it (a file, the console, an import).
MAX_ORGANIZERS = 50
MAX_QUESTIONS = 50

DEFAULT_LANGUAGES = ("English", "Spanish", "French", "German", "Portuguese", "Hindi")


ROOM = "{room}"


class MeetingSettings(_Strict):
    """How a pair's first meeting is held: where (a video room per pair) and for how long."""

    # A video-room address with "{room}" where a random id, fixed per pair, goes:
    # "https://meet.jit.si/mentor-portal-{room}". None: the pair pastes a link of their own.
    link_pattern: Annotated[str, StringConstraints(max_length=300)] | None = None
    length_minutes: Annotated[int, Field(ge=15, le=180)] = 45

    @field_validator("link_pattern")
    @classmethod
    def _private_room(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.lower().startswith("https://") or len(value) <= len("https://"):
            raise ValueError(f"{value!r} is not an https address: a meeting link must be https")
        if ROOM not in value:
            raise ValueError(
                f"{value!r} has no {ROOM}: each pair needs a room of its own, named by {ROOM}"
            )
        return value

    def room_link(self, room: str) -> str | None:
        """The link of this pair's room, or None when the program has no pattern."""
        return self.link_pattern.replace(ROOM, room) if self.link_pattern else None


class PageTranslation(_Strict):
    """A program's public page in another language: its summary and its text (Markdown)."""

    summary: Annotated[str, StringConstraints(max_length=300)] = ""
    body: Annotated[str, StringConstraints(max_length=20_000)] = ""


class Program(_Strict):
    """One mentoring program, as its organizers defined it."""

    title: Text
    slug: Slug
    summary: Annotated[str, StringConstraints(max_length=300)] = ""
    format: Format
    organizers: Annotated[tuple[EmailStr, ...], Field(min_length=1, max_length=MAX_ORGANIZERS)]
    capacity: Annotated[int, Field(ge=1, le=20)] = 1
    approval: Approval = Approval.ORGANIZER
    timezone: str = "UTC"
    # The program's own language: its emails to people who have no profile yet (roster
    # invitations) are written in it.
    language: str = "en"
    cycle_weeks: Annotated[int, Field(ge=1, le=104)] = 12
    signup_open: bool = True
    topics: Annotated[tuple[Text, ...], Field(min_length=1, max_length=100)]
    languages: Annotated[tuple[Text, ...], Field(min_length=1)] = DEFAULT_LANGUAGES
    agreement: Slug | None = None
    track: Slug | None = None
    questions: Annotated[tuple[Question, ...], Field(max_length=MAX_QUESTIONS)] = ()
    matching: Matching = Matching()
    schedule: Schedule = Schedule()
    meetings: MeetingSettings = MeetingSettings()
    retention_days: Annotated[int, Field(ge=30, le=3650)] = 365
    # Lifecycle: rounds can be paused (sign-up may stay open), and an archived program is
    # read-only, closed to sign-up and gone from the public list.
    rounds_paused: bool = False
    archived: bool = False
    body: Annotated[str, StringConstraints(max_length=20_000)] = ""
    # The public page in other languages than the program's own: a reader of one of them gets
    # it; a reader of another gets the page in `language`, with a note saying so.
    translations: dict[str, PageTranslation] = {}

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/London") from None
        return value

    @field_validator("language")
    @classmethod
    def _offered_language(cls, value: str) -> str:
        if value not in PORTAL_LANGUAGES:
            offered = ", ".join(PORTAL_LANGUAGES)
            raise ValueError(f"{value!r} is not a language the portal speaks: one of {offered}")
        return value

    @field_validator("translations")
    @classmethod
    def _translated_languages(cls, value: dict[str, PageTranslation]) -> dict[str, PageTranslation]:
        for language in value:
            if language not in PORTAL_LANGUAGES:
                offered = ", ".join(PORTAL_LANGUAGES)
                raise ValueError(
                    f"{language!r} is not a language the portal speaks: one of {offered}"
                )
        return value

    @field_validator("topics", "languages")
    @classmethod
    def _no_repeats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        lowered = [item.casefold() for item in value]
        if len(set(lowered)) != len(lowered):
            raise ValueError("must not list the same entry twice")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Program:
        keys = [q.key for q in self.questions]
        if len(set(keys)) != len(keys):
            raise ValueError("questions: two questions share a key")
        if self.language in self.translations:
            raise ValueError(
                f"translations: {self.language!r} is the program's own language: its page is "
                "the body"
            )
        if self.archived and self.signup_open:
            raise ValueError("signup_open: an archived program cannot be open for sign-up")
        if self.format is Format.PEER and self.matching.seniority_gap is not None:
            raise ValueError(
                "matching.seniority_gap: peers have no mentor to be ahead; the rule needs "
                "mentors and mentees"
            )
        if self.format is Format.PEER and self.approval is Approval.MENTEE_CHOICE:
            raise ValueError("approval: mentee-choice needs mentors and mentees, not peers")
        cycle_days = self.cycle_weeks * 7
        if self.schedule.first_survey_day >= cycle_days:
            raise ValueError(
                f"schedule.first_survey_day: day {self.schedule.first_survey_day} is not within "
                f"the {self.cycle_weeks}-week cycle (days 0 to {cycle_days - 1}); use 0 for no "
                "milestone surveys"
            )
        return self

    def page_in(self, language: str) -> tuple[str, str, str]:
        """The summary, the page's text and the language the text is in, for a reader of
        `language`: the translation where there is one, else the program's own words."""
        translation = self.translations.get(language)
        if translation is None or language == self.language:
            return self.summary, self.body, self.language
        summary = translation.summary or self.summary
        if translation.body:
            return summary, translation.body, language
        return summary, self.body, self.language

    def summary_in(self, language: str) -> tuple[str, str]:
        """The summary for a reader of `language`, and the language it is written in (a
        page marks a summary in another language, for screen readers and translators)."""
        translation = self.translations.get(language)
        if translation is not None and language != self.language and translation.summary:
            return translation.summary, language
        return self.summary, self.language

    @property
    def page_languages(self) -> tuple[str, ...]:
        """The languages the public page is written in: the program's own first."""
        written = sorted(code for code, page in self.translations.items() if page.body)
        return (self.language, *written)

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles people can sign up as."""
        return ("peer",) if self.format is Format.PEER else ("mentee", "mentor")
