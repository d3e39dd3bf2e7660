"""The program editor's sections: each a small form of settings in plain words, with the
limits and messages of its fields (said in the reader's language)."""

from __future__ import annotations

import re
from typing import Any

from babel.support import LazyProxy
from wtforms import (
    BooleanField,
    Field,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal import i18n
from portal.domain.program import MAX_ORGANIZERS, MAX_SENIORITY_GAP, MAX_WAITING_POINTS
from portal.i18n import N_, format_number, gettext, lazy_gettext
from portal.web.organize.program_words import (
    APPROVAL_WORDS,
    FAIRNESS_WORDS,
    FORMAT_WORDS,
    MATCH_WORDS,
    OBJECTIVE_WORDS,
    TEXT_MAX,
    TYPE_WORDS,
    WEIGHT_WORDS,
    MaxLines,
    lines,
    said,
)

SUMMARY_MAX = 300
BODY_MAX = 20_000
LIST_MAX = 100  # topics (the model's limit), languages, organizers, choices
HELP_MAX = 300
# A version a page says it opened: a stored version number (they start at 1), in ASCII digits
# only ("²".isdigit() is true) and short enough for int() (a long string raises ValueError).
VERSION = re.compile(r"[1-9][0-9]{0,8}")
LOST_VERSION = N_(
    "This page did not say which version of the program you opened, so it cannot tell whether "
    "someone saved since: it is out of date. Nothing was saved"
)


def opened_version(text: object) -> int | None:
    """The version a page says it opened; None unless it sent a plain version number."""
    return int(text) if isinstance(text, str) and VERSION.fullmatch(text) else None


# What a number outside its range is told, by its unit (each a whole sentence, to translate).
WHOLE_NUMBER = {
    "people": N_("Please give a whole number of people from %(low)s to %(high)s."),
    "weeks": N_("Please give a whole number of weeks from %(low)s to %(high)s."),
    "points": N_("Please give a whole number of points from %(low)s to %(high)s."),
    "days": N_("Please give a whole number of days from %(low)s to %(high)s."),
}


def _number(value: int) -> Any:
    """A number said in the reader's way ("20,000", "20.000") when the words are shown."""
    return LazyProxy(format_number, value, enable_cache=False)


def _ranged(label: Any, low: int, high: int, unit: str, help_text: Any = "") -> IntegerField:
    message = lazy_gettext(WHOLE_NUMBER[unit], low=low, high=high)
    return IntegerField(
        label,
        validators=[InputRequired(message=message), NumberRange(low, high, message=message)],
        description=help_text,
        render_kw={"min": low, "max": high, "inputmode": "numeric"},
    )


class BasicsForm(Form):
    title = StringField(
        lazy_gettext("Title"),
        validators=[
            InputRequired(message=lazy_gettext("Please give the program a title.")),
            Length(max=TEXT_MAX),
        ],
        render_kw={"maxlength": TEXT_MAX},
    )
    summary = TextAreaField(
        lazy_gettext("Summary"),
        validators=[Optional(), Length(max=SUMMARY_MAX)],
        description=lazy_gettext(
            "One or two sentences for the list of programs (at most %(max)s characters).",
            max=SUMMARY_MAX,
        ),
        render_kw={"maxlength": SUMMARY_MAX, "rows": 2},
    )
    body = TextAreaField(
        lazy_gettext("Page text"),
        validators=[Optional(), Length(max=BODY_MAX)],
        description=lazy_gettext(
            "The program's public page, in Markdown: ## for a heading, a blank line between "
            "paragraphs, - for a list item, [words](https://...) for a link. At most %(max)s "
            "characters.",
            max=_number(BODY_MAX),
        ),
        render_kw={"maxlength": BODY_MAX, "rows": 16},
    )
    language = SelectField(
        lazy_gettext("Language"),
        description=lazy_gettext(
            "The language of the program's page and of its invitations (to people who have no "
            "profile yet; every other email is in its reader's language). The page can also be "
            "written in the other languages the portal speaks, below."
        ),
        choices=lambda: {code: i18n.language_name(code) for code in i18n.LANGUAGES},
        validate_choice=False,  # validate_language says so in words
    )

    def validate_language(self, field: SelectField) -> None:
        if field.data not in i18n.LANGUAGES:
            raise ValidationError(
                gettext(
                    "“%(language)s” is not a language the portal speaks: please choose one "
                    "from the list.",
                    language=str(field.data)[:20],
                )
            )


class PageTranslationForm(Form):
    """The program's public page in another language: its summary and its text."""

    summary = TextAreaField(
        lazy_gettext("Summary"),
        validators=[Optional(), Length(max=SUMMARY_MAX)],
        description=lazy_gettext(
            "One or two sentences for the list of programs (at most %(max)s characters). Left "
            "empty, the summary in the program's own language is shown.",
            max=SUMMARY_MAX,
        ),
        render_kw={"maxlength": SUMMARY_MAX, "rows": 2},
    )
    body = TextAreaField(
        lazy_gettext("Page text"),
        validators=[Optional(), Length(max=BODY_MAX)],
        description=lazy_gettext(
            "The program's public page in this language, in Markdown (at most %(max)s "
            "characters). Left empty, readers of this language get the page in the program's "
            "own language, with a note saying so.",
            max=_number(BODY_MAX),
        ),
        render_kw={"maxlength": BODY_MAX, "rows": 10},
    )


class TranslationsForm(Form):
    """The page in each language the portal speaks (the program's own one is not shown)."""


for _code in i18n.LANGUAGES:  # a third language gets its section here
    setattr(TranslationsForm, _code, FormField(PageTranslationForm))


class PeopleForm(Form):
    organizers = TextAreaField(
        lazy_gettext("Organizers"),
        validators=[
            InputRequired(message=lazy_gettext("Please list at least one organizer.")),
            MaxLines(MAX_ORGANIZERS),
        ],
        description=lazy_gettext(
            "Email addresses, one a line, up to %(max)s. Each can sign in to this console. They "
            "are shown on the program's public page, so that participants can write to them. "
            "Keep your own address here.",
            max=MAX_ORGANIZERS,
        ),
        render_kw={"rows": 3},
    )
    format = RadioField(lazy_gettext("Format"), choices=said(FORMAT_WORDS), validate_choice=True)
    capacity = _ranged(
        lazy_gettext("Capacity"),
        1,
        20,
        "people",
        lazy_gettext(
            "How many mentees a mentor can take on at most (in a group program: the group's "
            "size). Each mentor can choose a smaller number when they sign up."
        ),
    )
    approval = RadioField(
        lazy_gettext("Who approves the pairs"), choices=said(APPROVAL_WORDS), validate_choice=True
    )


class TimeForm(Form):
    timezone = SelectField(
        lazy_gettext("Time zone"),
        validators=[InputRequired(message=lazy_gettext("Please choose a time zone."))],
        description=lazy_gettext(
            "The program's own time zone: scheduled rounds and the weekly summary run at their "
            "time in this zone."
        ),
        validate_choice=False,  # validate_timezone says so in words
    )
    cycle_weeks = _ranged(
        lazy_gettext("Cycle length in weeks"),
        1,
        104,
        "weeks",
        lazy_gettext(
            "How long a match lasts before it closes (with a closing survey, if it is on)."
        ),
    )
    signup_open = BooleanField(
        lazy_gettext("Sign-up is open: new people can join from the program's page")
    )

    def validate_timezone(self, field: SelectField) -> None:
        if field.data not in {value for value, *_ in field.iter_choices()}:
            shown = str(field.data)[:64]
            raise ValidationError(
                gettext(
                    "“%(zone)s” is not one of the time zones offered: please choose one from the "
                    "list.",
                    zone=shown,
                )
            )


class ListsForm(Form):
    topics = TextAreaField(
        lazy_gettext("Topics"),
        validators=[
            InputRequired(message=lazy_gettext("Please list at least one topic.")),
            MaxLines(LIST_MAX),
        ],
        description=lazy_gettext(
            "One a line (at most %(lines)s, each at most %(length)s characters): mentors offer "
            "them, mentees choose the ones they want to work on.",
            lines=LIST_MAX,
            length=TEXT_MAX,
        ),
        render_kw={"rows": 6},
    )
    languages = TextAreaField(
        lazy_gettext("Languages"),
        validators=[
            InputRequired(message=lazy_gettext("Please list at least one language.")),
            MaxLines(LIST_MAX),
        ],
        description=lazy_gettext("One a line: the languages people can meet in."),
        render_kw={"rows": 4},
    )


class QuestionForm(Form):
    position = IntegerField(
        lazy_gettext("Position"),
        validators=[
            Optional(),
            NumberRange(1, 999, message=lazy_gettext("Please give a number from 1 to 999.")),
        ],
        description=lazy_gettext("Questions are asked in the order of these numbers."),
        render_kw={"min": 1, "max": 999, "inputmode": "numeric"},
    )
    label = StringField(
        lazy_gettext("Question"),
        validators=[Optional(), Length(max=TEXT_MAX)],
        render_kw={"maxlength": TEXT_MAX},
    )
    key = StringField(
        lazy_gettext("Short name (used in exports)"),
        validators=[Optional(), Length(max=40)],
        description=lazy_gettext(
            "Made from the question's words if left empty. Lower-case letters, digits and _; it "
            "names the answers' column in exports. Changing it leaves earlier answers behind."
        ),
        render_kw={"maxlength": 40},
    )
    help = StringField(
        lazy_gettext("Hint shown under the question"),
        validators=[Optional(), Length(max=HELP_MAX)],
        render_kw={"maxlength": HELP_MAX},
    )
    type = SelectField(
        lazy_gettext("Kind of answer"), choices=said(TYPE_WORDS), validate_choice=True
    )
    choices = TextAreaField(
        lazy_gettext("Choices"),
        validators=[Optional(), MaxLines(LIST_MAX)],
        description=lazy_gettext(
            "One a line, at least two (for a one-choice or several-choice question)."
        ),
        render_kw={"rows": 3},
    )
    required = BooleanField(lazy_gettext("An answer is required"))
    match = SelectField(
        lazy_gettext("How it counts in matching"), choices=said(MATCH_WORDS), validate_choice=True
    )
    weight = SelectField(
        lazy_gettext("How much it counts"), choices=said(WEIGHT_WORDS), validate_choice=True
    )
    remove = BooleanField(lazy_gettext("Remove this question"))

    def is_blank(self) -> bool:
        """A row nobody filled in (the empty row for a new question)."""
        return (
            not (self.label.data or "").strip()
            and not (self.key.data or "").strip()
            and not (lines(self.choices.data))
        )


class WeightsForm(Form):
    languages = SelectField(
        lazy_gettext("A shared language"), choices=said(WEIGHT_WORDS), validate_choice=True
    )
    skills = SelectField(
        lazy_gettext("Topics that fit (what the mentee wants, what the mentor offers)"),
        choices=said(WEIGHT_WORDS),
        validate_choice=True,
    )
    timezone = SelectField(
        lazy_gettext("Close time zones"), choices=said(WEIGHT_WORDS), validate_choice=True
    )
    availability = SelectField(
        lazy_gettext("Free hours in common"), choices=said(WEIGHT_WORDS), validate_choice=True
    )
    seniority = SelectField(
        lazy_gettext("A mentor further along in their career"),
        choices=said(WEIGHT_WORDS),
        validate_choice=True,
    )


GAP_MESSAGE = N_("Please give a number of hours from 0 to 26, or leave it empty.")


def _gap(form: Form, field: Field) -> None:
    text = (field.data or "").strip().lower()
    if text in ("", "none"):
        return
    try:
        hours = float(text)
    except ValueError:
        raise ValidationError(gettext(GAP_MESSAGE)) from None
    if not 0 <= hours <= 26:
        raise ValidationError(gettext(GAP_MESSAGE))


BAND_MESSAGE = N_(
    "Please give a whole number of career levels from 0 to %(high)s, or leave both empty."
)
BAND_BOTH = N_("Please give both the fewest and the most levels, or leave both empty.")
BAND_ORDER = N_("The most levels (%(high)s) must not be fewer than the fewest (%(low)s).")
BONUS_MESSAGE = N_(
    "Please give a number of points more than 0 and at most %(high)s, or leave both empty."
)
BONUS_BOTH = N_("Please give both the points per round and the most in all, or leave both empty.")
BONUS_ORDER = N_(
    "The most in all (%(cap)s) must not be less than the points per round (%(points)s)."
)


def number_in(field: Field) -> float | None:
    """What a field of a pair of numbers holds: None when empty (text that is not a number
    is refused by the field's own check)."""
    text = (field.data or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number else None


def _pair(other: str, both: str) -> Any:
    """A field of a pair that is given together or not at all (`other` names the partner)."""

    def check(form: Form, field: Field) -> None:
        mine = (field.data or "").strip()
        theirs = (form[other].data or "").strip()
        if not mine and theirs:
            raise ValidationError(gettext(both))

    return check


def _levels(form: Form, field: Field) -> None:
    text = (field.data or "").strip()
    if not text:
        return
    if not text.isascii() or not text.isdigit() or int(text) > MAX_SENIORITY_GAP:
        raise ValidationError(gettext(BAND_MESSAGE, high=MAX_SENIORITY_GAP))


def _band_order(form: Form, field: Field) -> None:
    low, high = number_in(form["seniority_gap_min"]), number_in(field)
    if low is not None and high is not None and high < low:
        raise ValidationError(gettext(BAND_ORDER, high=format_number(high), low=format_number(low)))


def _points(form: Form, field: Field) -> None:
    text = (field.data or "").strip()
    if not text:
        return
    number = number_in(field)
    if number is None or not 0 < number <= MAX_WAITING_POINTS:
        raise ValidationError(gettext(BONUS_MESSAGE, high=MAX_WAITING_POINTS))


def _bonus_order(form: Form, field: Field) -> None:
    points, cap = number_in(form["waiting_bonus_points"]), number_in(field)
    if points is not None and cap is not None and cap < points:
        raise ValidationError(
            gettext(BONUS_ORDER, cap=format_number(cap), points=format_number(points))
        )


class RulesForm(Form):
    exclude_same_department = BooleanField(
        lazy_gettext("Never match two people from the same department")
    )
    exclude_reporting_line = BooleanField(
        lazy_gettext("Never match someone with their manager (people give their manager's address)")
    )
    max_timezone_gap_hours = StringField(
        lazy_gettext("Largest time zone difference, in hours"),
        validators=[Optional(), Length(max=10), _gap],
        description=lazy_gettext("Pairs further apart are never made. Leave empty for no limit."),
        render_kw={"maxlength": 10, "inputmode": "decimal"},
    )
    seniority_gap_min = StringField(
        lazy_gettext("Seniority band: the fewest career levels the mentor is ahead"),
        validators=[
            Length(max=10),
            _pair("seniority_gap_max", BAND_BOTH),
            _levels,
        ],
        description=lazy_gettext(
            "With the most levels below, a hard rule: pairs outside the band are never made "
            "(in reverse mentoring the mentor is that many levels behind). 0 allows the same "
            "level. Leave both empty for no band."
        ),
        render_kw={"maxlength": 10, "inputmode": "numeric"},
    )
    seniority_gap_max = StringField(
        lazy_gettext("Seniority band: the most career levels the mentor is ahead"),
        validators=[
            Length(max=10),
            _pair("seniority_gap_min", BAND_BOTH),
            _levels,
            _band_order,
        ],
        render_kw={"maxlength": 10, "inputmode": "numeric"},
    )
    no_repeat_pairs = BooleanField(lazy_gettext("Never match the same two people twice"))
    match_once = BooleanField(
        lazy_gettext(
            "Match each person once only (a one-off conversation: nobody returns to the pool)"
        )
    )
    min_score = _ranged(
        lazy_gettext("Lowest score for a pair"),
        0,
        100,
        "points",
        lazy_gettext(
            "Pairs scoring below this (0 to 100) are never made: their people wait for a better "
            "match. 0 makes every pair the rules allow."
        ),
    )
    waiting_bonus_points = StringField(
        lazy_gettext("Priority for people who waited: points per round waited"),
        validators=[
            Length(max=10),
            _pair("waiting_bonus_cap", BONUS_BOTH),
            _points,
        ],
        description=lazy_gettext(
            "A mentee (or peer) whom earlier rounds left without a match counts these points "
            "more for each round in a row they waited, up to the most in all below, when a "
            "round chooses its pairs. The scores people and organizers see do not change. "
            "Leave both empty for no priority."
        ),
        render_kw={"maxlength": 10, "inputmode": "decimal"},
    )
    waiting_bonus_cap = StringField(
        lazy_gettext("Priority for people who waited: the most points in all"),
        validators=[
            Length(max=10),
            _pair("waiting_bonus_points", BONUS_BOTH),
            _points,
            _bonus_order,
        ],
        render_kw={"maxlength": 10, "inputmode": "decimal"},
    )
    objective = RadioField(
        lazy_gettext("What a round aims for"), choices=said(OBJECTIVE_WORDS), validate_choice=True
    )
    fairness = RadioField(
        lazy_gettext("Those who waited longest first"),
        choices=said(FAIRNESS_WORDS),
        validate_choice=True,
    )


class LadderForm(Form):
    checkin_reminder_days = _ranged(
        lazy_gettext("Reminder after"),
        1,
        90,
        "days",
        lazy_gettext("Days without a check-in before both are reminded."),
    )
    second_nudge_days = _ranged(lazy_gettext("Second nudge after"), 1, 365, "days")
    organizer_alert_days = _ranged(
        lazy_gettext("Alert to organizers after"),
        1,
        365,
        "days",
        lazy_gettext("You are told the pair has gone quiet."),
    )
    rematch_offer_days = _ranged(
        lazy_gettext("Offer to re-match after"),
        1,
        365,
        "days",
        lazy_gettext("Each is offered a new match or to close."),
    )
    first_survey_day = _ranged(
        lazy_gettext("First survey on day"),
        0,
        728,
        "days",
        lazy_gettext(
            "Days after the match starts; 0 for no milestone surveys. It must fall within the "
            "cycle."
        ),
    )
    survey_every_days = _ranged(
        lazy_gettext("Then a survey every"),
        0,
        365,
        "days",
        lazy_gettext("0 for no more surveys after the first."),
    )
    closing_survey = BooleanField(lazy_gettext("A closing survey when the cycle ends"))


class ExtrasForm(Form):
    agreement = SelectField(lazy_gettext("Mentoring agreement"), validate_choice=True)
    track = SelectField(lazy_gettext("Learning track"), validate_choice=True)
    retention_days = _ranged(
        lazy_gettext("Keep people's data for"),
        30,
        3650,
        "days",
        lazy_gettext(
            "Days after a person's last cycle in this program ends before their data is erased "
            "(30 to %(max)s); the program page says so.",
            max=_number(3650),
        ),
    )
