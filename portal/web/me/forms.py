"""The forms of a participant's own page: check-ins, goals, and the buttons that change things."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from babel.support import LazyProxy
from wtforms import (
    Field,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.domain.checkins import GOAL_STATES, Fit, Goal, GoalState
from portal.domain.program import Program
from portal.i18n import LANGUAGES, N_, gettext, lazy_gettext
from portal.presenters.words import GOAL_STATE_WORDS
from portal.services.checkins import RATING_LABELS, CheckinAnswers
from portal.web.forms import MultiCheckboxField, PlainText, PortalForm

NOTE_MAX = 2000
GOAL_MAX = 200
MINUTES_MAX = 600
# A check-in is about the recent past: far-off dates are typing slips.
OLDEST_MEETING = timedelta(days=180)

FIT_CHOICES = {
    Fit.GOOD.value: lazy_gettext("Yes, we work well together"),
    Fit.UNSURE.value: lazy_gettext("Not sure yet"),
    Fit.REMATCH.value: lazy_gettext("No: please find me another match"),
}
# The words of goal states and ratings are data of portal.domain.checkins and
# portal.services.checkins; marked here too so that the catalogue holds them.
STATE_AND_RATING_WORDS = (
    N_("Not started"), N_("In progress"), N_("Done"),
    N_("Poor"), N_("Not great"), N_("OK"), N_("Good"), N_("Great"),
)  # fmt: skip
GOAL_CHOICES = {state.value: lazy_gettext(GOAL_STATE_WORDS[state.value]) for state in GOAL_STATES}


def choice_list(labels: Mapping[str, Any]) -> Callable[[], dict[str, str]]:
    """A field's choices from labels translated when shown: WTForms reads the callable once
    per form, in the request's language (and takes a dict of plain strings only)."""
    return lambda: {value: str(label) for value, label in labels.items()}


def _rating_label(score: int, label: str) -> str:
    """A rating as the check-in form offers it: "4: Good"."""
    return f"{score}: {gettext(label)}"


class ActionForm(PortalForm):
    """A button that changes something: only its CSRF token is checked."""


def _stripped(value: Any) -> Any:
    """Text without the spaces around it (what is counted and stored); anything else as is."""
    return value.strip() if isinstance(value, str) else value


class GoalForm(PortalForm):
    text = StringField(
        lazy_gettext("A new goal"),
        # Counted without the spaces around it: "   " is no goal, though three characters.
        filters=[_stripped],
        validators=[
            DataRequired(message=lazy_gettext("Please write the goal.")),
            Length(
                min=3,
                max=GOAL_MAX,
                message=lazy_gettext("Between 3 and %(most)s characters, please.", most=GOAL_MAX),
            ),
            PlainText(),
        ],
        description=lazy_gettext(
            "Something you can tell you have done, e.g. “Run a team meeting”."
        ),
    )


class GoalStateForm(PortalForm):
    state = SelectField(
        lazy_gettext("Progress"), choices=choice_list(GOAL_CHOICES), validate_choice=True
    )


class CheckinForm(PortalForm):
    """Fields every check-in has; `build_checkin_form` adds one per goal and the fit question."""

    met = RadioField(
        lazy_gettext("Did you meet since your last check-in?"),
        choices=choice_list(
            {"yes": lazy_gettext("Yes, we met"), "no": lazy_gettext("No, not this time")}
        ),
        validators=[InputRequired(message=lazy_gettext("Please say whether you met."))],
    )
    # Text fields parsed here: a meeting's date and length are needed only when they met, and
    # a blank or mistyped one gets a message of its own instead of WTForms' "Not a valid ...".
    day = StringField(
        lazy_gettext("When did you meet?"),
        description=lazy_gettext("The date of your latest meeting."),
        render_kw={"type": "date"},
    )
    minutes = StringField(
        lazy_gettext("For how many minutes?"),
        render_kw={"type": "number", "inputmode": "numeric", "min": 5, "max": MINUTES_MAX},
    )
    topics = MultiCheckboxField(lazy_gettext("What did you talk about?"))
    satisfaction = RadioField(
        lazy_gettext("How is your mentoring going?"),
        choices=choice_list(
            {
                str(score): LazyProxy(_rating_label, score, label, enable_cache=False)
                for score, label in RATING_LABELS.items()
            }
        ),
        validators=[InputRequired(message=lazy_gettext("Please give a rating from 1 to 5."))],
    )
    note = TextAreaField(
        lazy_gettext("A note for the organizers"),
        validators=[
            Optional(),
            Length(
                max=NOTE_MAX,
                message=lazy_gettext("Up to %(most)s characters, please.", most=NOTE_MAX),
            ),
            PlainText(),
        ],
        description=lazy_gettext(
            "Private: only the organizers see it, never your match. Up to %(most)s characters.",
            most=NOTE_MAX,
        ),
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
            raise ValidationError(gettext("Please give the date you met."))
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                gettext("Please give the date as year-month-day, e.g. 2026-03-02.")
            ) from None
        if day > self.today:
            raise ValidationError(gettext("The date is in the future: give the day you met."))
        if day < self.today - OLDEST_MEETING:
            raise ValidationError(gettext("That is more than six months ago: check the year."))
        self.meeting_day = day

    def validate_minutes(self, field: Field) -> None:
        if self.met.data != "yes":
            return
        text = (field.data or "").strip()
        if not text:
            raise ValidationError(gettext("Please say how long you met."))
        # ASCII digits only: str.isdigit() takes "²", which int() refuses, and int() of more
        # than 4,300 digits raises; both were server errors.
        if not re.fullmatch(r"[0-9]+", text):
            raise ValidationError(gettext("Please give the minutes as a whole number."))
        if len(text) > 6 or not 5 <= int(text) <= MINUTES_MAX:
            raise ValidationError(gettext("From 5 to %(most)s minutes.", most=MINUTES_MAX))
        self.meeting_minutes = int(text)

    def validate_fit(self, field: Field) -> None:
        # Asked until answered once after a meeting; a check-in without a meeting may skip it.
        if field.data and field.data not in FIT_CHOICES:
            raise ValidationError(gettext("Not a valid choice."))
        if self.met.data == "yes" and not field.data:
            raise ValidationError(gettext("Please tell us whether the match works for you."))

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
        lazy_gettext("What did you talk about?"), choices={t: t for t in program.topics}
    )
    for index, goal in enumerate(goals):
        setattr(
            MatchCheckinForm,
            f"goal_{index}",
            SelectField(goal.text, choices=choice_list(GOAL_CHOICES), default=goal.state.value),
        )
    if asks_fit:
        MatchCheckinForm.fit = RadioField(
            lazy_gettext("Is this a good match for you?"),
            choices=choice_list(FIT_CHOICES),
            validate_choice=False,  # checked by validate_fit: optional when they did not meet
            description=lazy_gettext("Only the organizers see this answer."),
        )
    MatchCheckinForm.goal_ids = tuple(goal.goal_id for goal in goals)
    MatchCheckinForm.asks_fit = asks_fit
    MatchCheckinForm.today = today
    return MatchCheckinForm(**kwargs)


class LanguageForm(PortalForm):
    """The language of the portal's pages and emails for the person, on their profile."""

    class Meta(PortalForm.Meta):
        csrf = False  # a part of the profile's form, whose own token is checked

    language = SelectField(
        lazy_gettext("Language for the portal and its emails"),
        # Each language named in itself: a reader who does not read this page's language
        # still finds their own.
        choices=dict(LANGUAGES),
        validate_choice=False,  # validate_language says what is wrong in the reader's words
        description=lazy_gettext(
            "Pages opened from your emails, and every email we send you, are in this "
            "language. It is yours in every program you signed up to."
        ),
    )

    def validate_language(self, field: Field) -> None:
        if field.data not in LANGUAGES:
            raise ValidationError(gettext("Choose a language from the list."))
