"""The program editor's form: one sub-form per section, in plain words, never YAML.

The form turns what the organizer typed into a program document (`to_document`) for the one
validation every program goes through (`Program`), and puts that validation's messages back
beside the fields they are about (`show_errors`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.domain.program import MAX_ORGANIZERS, MAX_QUESTIONS, Program, Question
from portal.i18n import lazy_gettext
from portal.web.forms import PortalForm
from portal.web.organize import program_words
from portal.web.organize.editor_errors import all_fields
from portal.web.organize.meeting_settings import MeetingsForm
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
    SchedulePicker,
    lines,
    new_key,
    question_data,
)
from portal.web.signup.forms import timezone_choices

SUMMARY_MAX = 300
BODY_MAX = 20_000
LIST_MAX = 100  # topics (the model's limit), languages, organizers, choices
HELP_MAX = 300
# A version a page says it opened: a stored version number (they start at 1), in ASCII digits
# only ("²".isdigit() is true) and short enough for int() (a long string raises ValueError).
VERSION = re.compile(r"[1-9][0-9]{0,8}")
LOST_VERSION = (
    "This page did not say which version of the program you opened, so it cannot tell whether "
    "someone saved since: it is out of date. Nothing was saved"
)


def opened_version(text: object) -> int | None:
    """The version a page says it opened; None unless it sent a plain version number."""
    return int(text) if isinstance(text, str) and VERSION.fullmatch(text) else None


def _ranged(label: str, low: int, high: int, unit: str, help_text: str = "") -> IntegerField:
    message = f"Please give a whole number of {unit} from {low} to {high}."
    return IntegerField(
        label,
        validators=[InputRequired(message=message), NumberRange(low, high, message=message)],
        description=help_text,
        render_kw={"min": low, "max": high, "inputmode": "numeric"},
    )


class BasicsForm(Form):
    title = StringField(
        "Title",
        validators=[
            InputRequired(message="Please give the program a title."),
            Length(max=TEXT_MAX),
        ],
        render_kw={"maxlength": TEXT_MAX},
    )
    summary = TextAreaField(
        "Summary",
        validators=[Optional(), Length(max=SUMMARY_MAX)],
        description=f"One or two sentences for the list of programs (at most {SUMMARY_MAX} "
        "characters).",
        render_kw={"maxlength": SUMMARY_MAX, "rows": 2},
    )
    body = TextAreaField(
        "Page text",
        validators=[Optional(), Length(max=BODY_MAX)],
        description="The program's public page, in Markdown: ## for a heading, a blank line "
        "between paragraphs, - for a list item, [words](https://...) for a link. "
        f"At most {BODY_MAX:,} characters.",
        render_kw={"maxlength": BODY_MAX, "rows": 16},
    )


class PeopleForm(Form):
    organizers = TextAreaField(
        "Organizers",
        validators=[
            InputRequired(message="Please list at least one organizer."),
            MaxLines(MAX_ORGANIZERS),
        ],
        description=f"Email addresses, one a line, up to {MAX_ORGANIZERS}. Each can sign in to "
        "this console. They are shown on the program's public page, so that participants can "
        "write to them. Keep your own address here.",
        render_kw={"rows": 3},
    )
    format = RadioField("Format", choices=dict(FORMAT_WORDS), validate_choice=True)
    capacity = _ranged(
        "Capacity",
        1,
        20,
        "people",
        "How many mentees a mentor can take on at most (in a group program: the group's size). "
        "Each mentor can choose a smaller number when they sign up.",
    )
    approval = RadioField(
        "Who approves the pairs", choices=dict(APPROVAL_WORDS), validate_choice=True
    )


class TimeForm(Form):
    timezone = SelectField(
        "Time zone",
        validators=[InputRequired(message="Please choose a time zone.")],
        description="The program's own time zone: scheduled rounds and the weekly summary run "
        "at their time in this zone.",
        validate_choice=False,  # validate_timezone says so in words
    )
    cycle_weeks = _ranged(
        "Cycle length in weeks",
        1,
        104,
        "weeks",
        "How long a match lasts before it closes (with a closing survey, if it is on).",
    )
    signup_open = BooleanField("Sign-up is open: new people can join from the program's page")

    def validate_timezone(self, field: SelectField) -> None:
        if field.data not in {value for value, *_ in field.iter_choices()}:
            shown = str(field.data)[:64]
            raise ValidationError(
                f"“{shown}” is not one of the time zones offered: please choose one from the list."
            )


class ListsForm(Form):
    topics = TextAreaField(
        "Topics",
        validators=[InputRequired(message="Please list at least one topic."), MaxLines(LIST_MAX)],
        description=f"One a line (at most {LIST_MAX}, each at most {TEXT_MAX} characters): "
        "mentors offer them, mentees choose the ones they want to work on.",
        render_kw={"rows": 6},
    )
    languages = TextAreaField(
        "Languages",
        validators=[
            InputRequired(message="Please list at least one language."),
            MaxLines(LIST_MAX),
        ],
        description="One a line: the languages people can meet in.",
        render_kw={"rows": 4},
    )


class QuestionForm(Form):
    position = IntegerField(
        "Position",
        validators=[Optional(), NumberRange(1, 999, message="Please give a number from 1 to 999.")],
        description="Questions are asked in the order of these numbers.",
        render_kw={"min": 1, "max": 999, "inputmode": "numeric"},
    )
    label = StringField(
        "Question", validators=[Optional(), Length(max=TEXT_MAX)], render_kw={"maxlength": TEXT_MAX}
    )
    key = StringField(
        "Short name (used in exports)",
        validators=[Optional(), Length(max=40)],
        description="Made from the question's words if left empty. Lower-case letters, digits "
        "and _; it names the answers' column in exports. Changing it leaves earlier answers "
        "behind.",
        render_kw={"maxlength": 40},
    )
    help = StringField(
        "Hint shown under the question",
        validators=[Optional(), Length(max=HELP_MAX)],
        render_kw={"maxlength": HELP_MAX},
    )
    type = SelectField("Kind of answer", choices=dict(TYPE_WORDS), validate_choice=True)
    choices = TextAreaField(
        "Choices",
        validators=[Optional(), MaxLines(LIST_MAX)],
        description="One a line, at least two (for a one-choice or several-choice question).",
        render_kw={"rows": 3},
    )
    required = BooleanField("An answer is required")
    match = SelectField(
        "How it counts in matching", choices=dict(MATCH_WORDS), validate_choice=True
    )
    weight = SelectField("How much it counts", choices=dict(WEIGHT_WORDS), validate_choice=True)
    remove = BooleanField("Remove this question")

    def is_blank(self) -> bool:
        """A row nobody filled in (the empty row for a new question)."""
        return (
            not (self.label.data or "").strip()
            and not (self.key.data or "").strip()
            and not (lines(self.choices.data))
        )


class WeightsForm(Form):
    languages = SelectField("A shared language", choices=dict(WEIGHT_WORDS), validate_choice=True)
    skills = SelectField(
        "Topics that fit (what the mentee wants, what the mentor offers)",
        choices=dict(WEIGHT_WORDS),
        validate_choice=True,
    )
    timezone = SelectField("Close time zones", choices=dict(WEIGHT_WORDS), validate_choice=True)
    availability = SelectField(
        "Free hours in common", choices=dict(WEIGHT_WORDS), validate_choice=True
    )
    seniority = SelectField(
        "A mentor further along in their career",
        choices=dict(WEIGHT_WORDS),
        validate_choice=True,
    )


def _gap(form: Form, field: Field) -> None:
    text = (field.data or "").strip().lower()
    if text in ("", "none"):
        return
    try:
        hours = float(text)
    except ValueError:
        raise ValidationError(
            "Please give a number of hours from 0 to 26, or leave it empty."
        ) from None
    if not 0 <= hours <= 26:
        raise ValidationError("Please give a number of hours from 0 to 26, or leave it empty.")


class RulesForm(Form):
    exclude_same_department = BooleanField("Never match two people from the same department")
    exclude_reporting_line = BooleanField(
        "Never match someone with their manager (people give their manager's address)"
    )
    max_timezone_gap_hours = StringField(
        "Largest time zone difference, in hours",
        validators=[Optional(), Length(max=10), _gap],
        description="Pairs further apart are never made. Leave empty for no limit.",
        render_kw={"maxlength": 10, "inputmode": "decimal"},
    )
    no_repeat_pairs = BooleanField("Never match the same two people twice")
    match_once = BooleanField(
        "Match each person once only (a one-off conversation: nobody returns to the pool)"
    )
    min_score = _ranged(
        "Lowest score for a pair",
        0,
        100,
        "points",
        "Pairs scoring below this (0 to 100) are never made: their people wait for a better "
        "match. 0 makes every pair the rules allow.",
    )
    objective = RadioField(
        "What a round aims for", choices=dict(OBJECTIVE_WORDS), validate_choice=True
    )
    fairness = RadioField(
        "Those who waited longest first", choices=dict(FAIRNESS_WORDS), validate_choice=True
    )


class LadderForm(Form):
    checkin_reminder_days = _ranged(
        "Reminder after", 1, 90, "days", "Days without a check-in before both are reminded."
    )
    second_nudge_days = _ranged("Second nudge after", 1, 365, "days")
    organizer_alert_days = _ranged(
        "Alert to organizers after", 1, 365, "days", "You are told the pair has gone quiet."
    )
    rematch_offer_days = _ranged(
        "Offer to re-match after", 1, 365, "days", "Each is offered a new match or to close."
    )
    first_survey_day = _ranged(
        "First survey on day",
        0,
        728,
        "days",
        "Days after the match starts; 0 for no milestone surveys. It must fall within the cycle.",
    )
    survey_every_days = _ranged(
        "Then a survey every", 0, 365, "days", "0 for no more surveys after the first."
    )
    closing_survey = BooleanField("A closing survey when the cycle ends")


class ExtrasForm(Form):
    agreement = SelectField("Mentoring agreement", validate_choice=True)
    track = SelectField("Learning track", validate_choice=True)
    retention_days = _ranged(
        "Keep people's data for",
        30,
        3650,
        "days",
        "Days after a person's last cycle in this program ends before their data is erased "
        "(30 to 3,650); the program page says so.",
    )


class ProgramForm(PortalForm):
    """Every setting of a stored program, in sections."""

    basics = FormField(BasicsForm, label="Title, summary and page")
    people = FormField(PeopleForm, label="Organizers, format and approval")
    time = FormField(TimeForm, label="Time and sign-up")
    lists = FormField(ListsForm, label="Topics and languages")
    # The program's questions and, below the limit, an empty row for a new one.
    questions = FieldList(FormField(QuestionForm), min_entries=1, max_entries=MAX_QUESTIONS + 1)
    weights = FormField(WeightsForm, label="What matters in matching")
    rules = FormField(RulesForm, label="Hard rules")
    rounds = FormField(SchedulePicker, label="Rounds")
    summaries = FormField(SchedulePicker, label="Weekly summary email")
    ladder = FormField(LadderForm, label="Reminders and surveys")
    extras = FormField(ExtrasForm, label="Agreement, learning track and data")
    meetings = FormField(MeetingsForm, label=lazy_gettext("First meetings"))
    version = HiddenField()
    confirmed = HiddenField()

    # The form rows of the candidate's questions, in its order (to put messages back).
    question_rows: list[int]
    # Problems of the questions as a whole (too many, two sharing a key), shown above them.
    questions_problems: list[str]

    def offer(
        self, program: Program, agreements: Mapping[str, str], tracks: Mapping[str, str]
    ) -> None:
        """The agreements and tracks that exist, and none; the program's stored schedules to
        keep, if the picker cannot show them."""
        self.extras.form.agreement.choices = {"": "None", **agreements}
        self.extras.form.track.choices = {"": "None", **tracks}
        # The sign-up form's zones; a stored zone the list lacks stays choosable, not lost.
        zones = timezone_choices()
        self.time.form.timezone.choices = (
            {program.timezone: program.timezone, **zones}
            if (program.timezone not in zones)
            else zones
        )
        self.rounds.form.offer_keep(program.schedule.rounds)
        self.summaries.form.offer_keep(program.schedule.summary)

    def load(self, program: Program) -> None:
        """Fill the form from a program's settings."""
        self.basics.title.data = program.title
        self.basics.summary.data = program.summary
        self.basics.body.data = program.body
        self.people.format.data = program.format.value
        self.people.organizers.data = "\n".join(program.organizers)
        self.people.capacity.data = program.capacity
        self.people.approval.data = program.approval.value
        self.time.timezone.data = program.timezone
        self.time.cycle_weeks.data = program.cycle_weeks
        self.time.signup_open.data = program.signup_open
        self.lists.topics.data = "\n".join(program.topics)
        self.lists.languages.data = "\n".join(program.languages)
        while len(self.questions.entries):
            self.questions.pop_entry()
        rows: list[Question | None] = [*program.questions]
        if len(rows) < MAX_QUESTIONS:
            rows.append(None)  # the empty row for a new question
        for position, question in enumerate(rows, 1):
            self.questions.append_entry(question_data(question, position))
        weights = program.matching.weights
        for name in ("languages", "skills", "timezone", "availability", "seniority"):
            getattr(self.weights, name).data = getattr(weights, name).value
        matching = program.matching
        rules = self.rules
        rules.exclude_same_department.data = matching.exclude_same_department
        rules.exclude_reporting_line.data = matching.exclude_reporting_line
        gap = matching.max_timezone_gap_hours
        rules.max_timezone_gap_hours.data = "" if gap is None else f"{gap:g}"
        rules.no_repeat_pairs.data = matching.no_repeat_pairs
        rules.match_once.data = matching.match_once
        rules.min_score.data = round(matching.min_score)
        rules.objective.data = matching.objective
        rules.fairness.data = matching.fairness
        self.rounds.form.load(program.schedule.rounds)
        self.summaries.form.load(program.schedule.summary)
        schedule = program.schedule
        for field in self.ladder:
            field.data = getattr(schedule, field.short_name)
        self.extras.agreement.data = program.agreement or ""
        self.extras.track.data = program.track or ""
        self.extras.retention_days.data = program.retention_days
        self.meetings.link_pattern.data = program.meetings.link_pattern or ""
        self.meetings.length_minutes.data = program.meetings.length_minutes

    def to_document(self, current: dict[str, Any]) -> dict[str, Any]:
        """The program document the form describes, over `current` (for settings not shown)."""
        gap = (self.rules.max_timezone_gap_hours.data or "").strip().lower()
        document = {
            **current,
            "title": self.basics.title.data or "",
            "summary": (self.basics.summary.data or "").strip(),
            "body": (self.basics.body.data or "").replace("\r\n", "\n"),
            "organizers": lines(self.people.organizers.data),
            "format": self.people.format.data,
            "capacity": self.people.capacity.data,
            "approval": self.people.approval.data,
            "timezone": (self.time.timezone.data or "").strip(),
            "cycle_weeks": self.time.cycle_weeks.data,
            "signup_open": bool(self.time.signup_open.data),
            "topics": lines(self.lists.topics.data),
            "languages": lines(self.lists.languages.data),
            "questions": self._questions(),
            "agreement": self.extras.agreement.data or None,
            "track": self.extras.track.data or None,
            "retention_days": self.extras.retention_days.data,
        }
        document["matching"] = {
            **current.get("matching", {}),
            "weights": {field.short_name: field.data for field in self.weights},
            "exclude_same_department": bool(self.rules.exclude_same_department.data),
            "exclude_reporting_line": bool(self.rules.exclude_reporting_line.data),
            "max_timezone_gap_hours": None if gap in ("", "none") else float(gap),
            "no_repeat_pairs": bool(self.rules.no_repeat_pairs.data),
            "match_once": bool(self.rules.match_once.data),
            "min_score": self.rules.min_score.data,
            "objective": self.rules.objective.data,
            "fairness": self.rules.fairness.data,
        }
        document["meetings"] = {
            **current.get("meetings", {}),
            "link_pattern": (self.meetings.link_pattern.data or "").strip() or None,
            "length_minutes": self.meetings.length_minutes.data,
        }
        ladder = {field.short_name: field.data for field in self.ladder}
        ladder["closing_survey"] = bool(ladder["closing_survey"])
        document["schedule"] = {
            **current.get("schedule", {}),
            **ladder,
            "rounds": self.rounds.form.expression(),
            "summary": self.summaries.form.expression(),
        }
        return document

    def _questions(self) -> list[dict[str, Any]]:
        rows = [
            (index, entry.form)
            for index, entry in enumerate(self.questions.entries)
            if not entry.form.remove.data and not entry.form.is_blank()
        ]
        # By the organizer's numbers; rows without one, and ties, keep their order.
        rows.sort(key=lambda row: (row[1].position.data or 1000, row[0]))
        self.question_rows = [index for index, _ in rows]
        taken = {(row.key.data or "").strip() for _, row in rows}
        questions = []
        for _, row in rows:
            key = (row.key.data or "").strip()
            if not key:
                key = new_key(row.label.data or "", taken)
                taken.add(key)
                row.key.data = key
            question_type = row.type.data
            questions.append(
                {
                    "key": key,
                    "label": row.label.data or "",
                    "type": question_type,
                    "choices": lines(row.choices.data),
                    "required": bool(row.required.data),
                    "match": row.match.data,
                    "weight": row.weight.data,
                    "help": (row.help.data or "").strip(),
                }
            )
        return questions

    # -- the validation's messages, beside their fields ---------------------------------

    def show_errors(
        self, errors: Iterable[Mapping[str, Any]], *, after_form_errors: bool = False
    ) -> list[str]:
        """Put each of the program validation's errors beside its field; those that belong to
        no field are returned, for the top of the page. `after_form_errors`: the form's own
        checks failed, so a field they gave a message keeps that one alone."""
        general: list[str] = []
        self.questions_problems = []
        already = {id(field) for field in all_fields(self) if field.errors}
        for error in errors:
            field, message = self._field_for(*program_words.problem(error))
            message = program_words.in_words(message)
            if field is None:
                general.append(message)
            elif after_form_errors and id(field) in already:
                continue
            elif field is self.questions:
                self.questions_problems.append(message[:1].upper() + message[1:])
            else:
                field.errors = [*field.errors, message]
        return general

    def _field_for(self, loc: tuple[Any, ...], message: str) -> tuple[Field | None, str]:
        if not loc:
            return None, message
        head = loc[0]
        simple = {
            "title": self.basics.title,
            "summary": self.basics.summary,
            "body": self.basics.body,
            "format": self.people.format,
            "capacity": self.people.capacity,
            "approval": self.people.approval,
            "timezone": self.time.timezone,
            "cycle_weeks": self.time.cycle_weeks,
            "signup_open": self.time.signup_open,
            "agreement": self.extras.agreement,
            "track": self.extras.track,
            "retention_days": self.extras.retention_days,
        }
        if head in simple:
            return simple[head], message
        lists = {
            "organizers": self.people.organizers,
            "topics": self.lists.topics,
            "languages": self.lists.languages,
        }
        if head in lists:
            if len(loc) > 1 and isinstance(loc[1], int):
                return lists[head], f"Line {loc[1] + 1}: {message}"
            return lists[head], message
        if head == "questions":
            return self._question_field(loc[1:], message)
        if head == "matching":
            if len(loc) > 2 and loc[1] == "weights":
                return getattr(self.weights, str(loc[2]), None), message
            if len(loc) > 1:
                return getattr(self.rules, str(loc[1]), None), message
        if head == "meetings" and len(loc) > 1:
            return getattr(self.meetings, str(loc[1]), None), message
        if head == "schedule":
            return self._schedule_field(loc[1:], message)
        return None, message

    def _question_field(self, loc: tuple[Any, ...], message: str) -> tuple[Field | None, str]:
        rows = getattr(self, "question_rows", [])
        if not loc:
            return self.questions, message  # about them all: too many, or a key shared
        if not isinstance(loc[0], int) or loc[0] >= len(rows):
            return None, f"Questions: {message}"
        row: QuestionForm = self.questions.entries[rows[loc[0]]].form
        if len(loc) > 1:
            field = getattr(row, str(loc[1]), None)
            if len(loc) > 2 and isinstance(loc[2], int):
                message = f"Line {loc[2] + 1}: {message}"
            return field if isinstance(field, Field) else row.label, message
        # A question's own rule: about its choices, or how it counts in matching.
        return (row.match if "overlap" in message else row.choices), message

    def _schedule_field(self, loc: tuple[Any, ...], message: str) -> tuple[Field | None, str]:
        if not loc:
            # The ladder's order: the message starts with the step that is out of place.
            name = message.split(" ", 1)[0]
            loc = (name,)
        name = str(loc[0])
        if name == "rounds":
            return self.rounds.form.days, message
        if name == "summary":
            return self.summaries.form.days, message
        return getattr(self.ladder, name, None), message
