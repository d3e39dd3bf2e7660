"""The forms of a participant's own page: check-ins, goals, and the buttons that change things."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from wtforms import (
    Field,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.domain.checkins import GOAL_STATE_LABELS, Fit, Goal, GoalState
from portal.domain.program import Program
from portal.services.checkins import RATING_LABELS, CheckinAnswers
from portal.web.forms import MultiCheckboxField, PlainText, PortalForm

NOTE_MAX = 2000
GOAL_MAX = 200
MINUTES_MAX = 600
# A check-in is about the recent past: far-off dates are typing slips.
OLDEST_MEETING = timedelta(days=180)

FIT_CHOICES = {
    Fit.GOOD.value: "Yes, we work well together",
    Fit.UNSURE.value: "Not sure yet",
    Fit.REMATCH.value: "No: please find me another match",
}
GOAL_CHOICES = {state.value: label for state, label in GOAL_STATE_LABELS.items()}


class ActionForm(PortalForm):
    """A button that changes something: only its CSRF token is checked."""


def _stripped(value: Any) -> Any:
    """Text without the spaces around it (what is counted and stored); anything else as is."""
    return value.strip() if isinstance(value, str) else value


class GoalForm(PortalForm):
    text = StringField(
        "A new goal",
        # Counted without the spaces around it: "   " is no goal, though three characters.
        filters=[_stripped],
        validators=[
            DataRequired(message="Please write the goal."),
            Length(min=3, max=GOAL_MAX, message=f"Between 3 and {GOAL_MAX} characters, please."),
            PlainText(),
        ],
        description="Something you can tell you have done, e.g. “Run a team meeting”.",
    )


class GoalStateForm(PortalForm):
    state = SelectField("Progress", choices=GOAL_CHOICES, validate_choice=True)


class CheckinForm(PortalForm):
    """Fields every check-in has; `build_checkin_form` adds one per goal and the fit question."""

    met = RadioField(
        "Did you meet since your last check-in?",
        choices={"yes": "Yes, we met", "no": "No, not this time"},
        validators=[InputRequired(message="Please say whether you met.")],
    )
    # Text fields parsed here: a meeting's date and length are needed only when they met, and
    # a blank or mistyped one gets a message of its own instead of WTForms' "Not a valid ...".
    day = StringField(
        "When did you meet?",
        description="The date of your latest meeting.",
        render_kw={"type": "date"},
    )
    minutes = StringField(
        "For how many minutes?",
        render_kw={"type": "number", "inputmode": "numeric", "min": 5, "max": MINUTES_MAX},
    )
    topics = MultiCheckboxField("What did you talk about?")
    satisfaction = RadioField(
        "How is your mentoring going?",
        choices={str(score): f"{score}: {label}" for score, label in RATING_LABELS.items()},
        validators=[InputRequired(message="Please give a rating from 1 to 5.")],
    )
    note = TextAreaField(
        "A note for the organizers",
        validators=[
            Optional(),
            Length(max=NOTE_MAX, message=f"Up to {NOTE_MAX} characters, please."),
            PlainText(),
        ],
        description=f"Private: only the organizers see it, never your match. Up to {NOTE_MAX} "
        "characters.",
    )

    goal_ids: tuple[str, ...] = ()
    asks_fit: bool = False
    today: date = date.min
    meeting_day: date | None = None  # parsed by validate_day
    meeting_minutes: int | None = None

    def validate_day(self, field: Field) -> None:
        if self.met.data != "yes":
            return
        text = (field.data or "").strip()
        if not text:
            raise ValidationError("Please give the date you met.")
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                "Please give the date as year-month-day, e.g. 2026-03-02."
            ) from None
        if day > self.today:
            raise ValidationError("The date is in the future: give the day you met.")
        if day < self.today - OLDEST_MEETING:
            raise ValidationError("That is more than six months ago: check the year.")
        self.meeting_day = day

    def validate_minutes(self, field: Field) -> None:
        if self.met.data != "yes":
            return
        text = (field.data or "").strip()
        if not text:
            raise ValidationError("Please say how long you met.")
        # ASCII digits only: str.isdigit() takes "²", which int() refuses, and int() of more
        # than 4,300 digits raises; both were server errors.
        if not re.fullmatch(r"[0-9]+", text):
            raise ValidationError("Please give the minutes as a whole number.")
        if len(text) > 6 or not 5 <= int(text) <= MINUTES_MAX:
            raise ValidationError(f"From 5 to {MINUTES_MAX} minutes.")
        self.meeting_minutes = int(text)

    def validate_fit(self, field: Field) -> None:
        # Asked until answered once after a meeting; a check-in without a meeting may skip it.
        if field.data and field.data not in FIT_CHOICES:
            raise ValidationError("Not a valid choice.")
        if self.met.data == "yes" and not field.data:
            raise ValidationError("Please tell us whether the match works for you.")

    def to_answers(self, survey: str) -> CheckinAnswers:
        data: dict[str, Any] = self.data
        met = data["met"] == "yes"
        return CheckinAnswers(
            met=met,
            day=self.meeting_day if met else None,
            minutes=self.meeting_minutes if met else None,
            topics=tuple(data["topics"] or ()),
            goal_states={
                goal_id: GoalState(data[f"goal_{index}"])
                for index, goal_id in enumerate(self.goal_ids)
                if data.get(f"goal_{index}")
            },
            satisfaction=int(data["satisfaction"]),
            fit=Fit(data["fit"]) if self.asks_fit and data.get("fit") else None,
            note=(data.get("note") or "").strip(),
            survey=survey,
        )


def build_checkin_form(
    program: Program, goals: list[Goal], *, asks_fit: bool, today: date, **kwargs: Any
) -> CheckinForm:
    """The check-in form for one match: its goals, and the fit question after a first meeting."""

    class MatchCheckinForm(CheckinForm):
        pass

    MatchCheckinForm.topics = MultiCheckboxField(
        "What did you talk about?", choices={t: t for t in program.topics}
    )
    for index, goal in enumerate(goals):
        setattr(
            MatchCheckinForm,
            f"goal_{index}",
            SelectField(goal.text, choices=GOAL_CHOICES, default=goal.state.value),
        )
    if asks_fit:
        MatchCheckinForm.fit = RadioField(
            "Is this a good match for you?",
            choices=FIT_CHOICES,
            validate_choice=False,  # checked by validate_fit: optional when they did not meet
            description="Only the organizers see this answer.",
        )
    MatchCheckinForm.goal_ids = tuple(goal.goal_id for goal in goals)
    MatchCheckinForm.asks_fit = asks_fit
    MatchCheckinForm.today = today
    return MatchCheckinForm(**kwargs)
