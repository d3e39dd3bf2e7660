"""The program editor's form: one sub-form per section, in plain words, never YAML.

The form turns what the organizer typed into a program document (`to_document`) for the one
validation every program goes through (`Program`), and puts that validation's messages back
beside the fields they are about (`show_errors`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wtforms import (
    Field,
    FieldList,
    FormField,
    HiddenField,
)

from portal.domain.program import MAX_QUESTIONS, Program, Question
from portal.i18n import gettext, lazy_gettext
from portal.web.forms import PortalForm
from portal.web.organize import program_words
from portal.web.organize.editor_errors import all_fields
from portal.web.organize.meeting_settings import MeetingsForm
from portal.web.organize.program_sections import (
    LOST_VERSION,
    BasicsForm,
    ExtrasForm,
    LadderForm,
    ListsForm,
    PeopleForm,
    QuestionForm,
    RulesForm,
    TimeForm,
    TranslationsForm,
    WeightsForm,
    opened_version,
)
from portal.web.organize.program_words import (
    SchedulePicker,
    lines,
    new_key,
    question_data,
)
from portal.web.signup.forms import timezone_choices

__all__ = ["LOST_VERSION", "ProgramForm", "opened_version"]


class ProgramForm(PortalForm):
    """Every setting of a stored program, in sections."""

    basics = FormField(BasicsForm, label=lazy_gettext("Title, summary and page"))
    # The page in the portal's other languages (the template shows all but the program's own).
    translations = FormField(TranslationsForm, label=lazy_gettext("The page in other languages"))
    people = FormField(PeopleForm, label=lazy_gettext("Organizers, format and approval"))
    time = FormField(TimeForm, label=lazy_gettext("Time and sign-up"))
    lists = FormField(ListsForm, label=lazy_gettext("Topics and languages"))
    # The program's questions and, below the limit, an empty row for a new one.
    questions = FieldList(FormField(QuestionForm), min_entries=1, max_entries=MAX_QUESTIONS + 1)
    weights = FormField(WeightsForm, label=lazy_gettext("What matters in matching"))
    rules = FormField(RulesForm, label=lazy_gettext("Hard rules"))
    rounds = FormField(SchedulePicker, label=lazy_gettext("Rounds"))
    summaries = FormField(SchedulePicker, label=lazy_gettext("Weekly summary email"))
    ladder = FormField(LadderForm, label=lazy_gettext("Reminders and surveys"))
    extras = FormField(ExtrasForm, label=lazy_gettext("Agreement, learning track and data"))
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
        self.extras.form.agreement.choices = {"": gettext("None"), **agreements}
        self.extras.form.track.choices = {"": gettext("None"), **tracks}
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
        self.basics.language.data = program.language
        for section in self._pages():
            page = program.translations.get(section.short_name)
            section.form.summary.data = page.summary if page else ""
            section.form.body.data = page.body if page else ""
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
        band = matching.seniority_gap
        rules.seniority_gap_min.data = "" if band is None else str(band.min)
        rules.seniority_gap_max.data = "" if band is None else str(band.max)
        bonus = matching.waiting_bonus
        rules.waiting_bonus_points.data = "" if bonus is None else f"{bonus.points:g}"
        rules.waiting_bonus_cap.data = "" if bonus is None else f"{bonus.cap:g}"
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
            "language": self.basics.language.data,
            "translations": self._translations(),
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
            "seniority_gap": self._pair_of(
                self.rules.seniority_gap_min, self.rules.seniority_gap_max, "min", "max"
            ),
            "waiting_bonus": self._pair_of(
                self.rules.waiting_bonus_points, self.rules.waiting_bonus_cap, "points", "cap"
            ),
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

    @staticmethod
    def _pair_of(first: Field, second: Field, one: str, other: str) -> dict[str, str] | None:
        """Two numbers of a setting as the model reads them (it checks them); None when both
        are empty (no such setting)."""
        values = {
            name: (field.data or "").strip().replace(",", ".")
            for name, field in ((one, first), (other, second))
        }
        return values if any(values.values()) else None

    def _pages(self) -> list[FormField[Any]]:
        """The page's section for each language (FormFields of PageTranslationForm)."""
        return [field for field in self.translations if isinstance(field, FormField)]

    def _translations(self) -> dict[str, dict[str, str]]:
        """The page in each other language that has words (an empty one is no translation)."""
        pages = {}
        for section in self._pages():
            summary = (section.form.summary.data or "").strip()
            body = (section.form.body.data or "").replace("\r\n", "\n")
            if summary or body.strip():
                pages[section.short_name] = {"summary": summary, "body": body}
        return pages

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
            loc, raw = program_words.problem(error)
            field, message = self._field_for(loc, raw, program_words.in_words(raw))
            if field is None:
                general.append(message)
            elif after_form_errors and id(field) in already:
                continue
            elif field is self.questions:
                self.questions_problems.append(message[:1].upper() + message[1:])
            else:
                field.errors = [*field.errors, message]
        return general

    def _field_for(self, loc: tuple[Any, ...], message: str, said: str) -> tuple[Field | None, str]:
        """The field a message is about (found by the model's `message`), and `said`, the
        words shown, with the line they are about."""
        if not loc:
            return None, said
        head = loc[0]
        simple = {
            "title": self.basics.title,
            "summary": self.basics.summary,
            "body": self.basics.body,
            "language": self.basics.language,
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
            return simple[head], said
        lists = {
            "organizers": self.people.organizers,
            "topics": self.lists.topics,
            "languages": self.lists.languages,
        }
        if head in lists:
            if len(loc) > 1 and isinstance(loc[1], int):
                return lists[head], gettext(
                    "Line %(line)s: %(problem)s", line=loc[1] + 1, problem=said
                )
            return lists[head], said
        if head == "questions":
            return self._question_field(loc[1:], message, said)
        if head == "translations":
            return self._translation_field(loc[1:], said)
        if head == "matching":
            if len(loc) > 2 and loc[1] == "weights":
                return getattr(self.weights, str(loc[2]), None), said
            pairs = {"seniority_gap": "min", "waiting_bonus": "points"}
            if len(loc) > 1 and loc[1] in pairs:
                # A pair of numbers: about one of them, or (min above max) the first.
                part = str(loc[2]) if len(loc) > 2 else pairs[str(loc[1])]
                return getattr(self.rules, f"{loc[1]}_{part}", None), said
            if len(loc) > 1:
                return getattr(self.rules, str(loc[1]), None), said
        if head == "meetings" and len(loc) > 1:
            return getattr(self.meetings, str(loc[1]), None), said
        if head == "schedule":
            return self._schedule_field(loc[1:], message, said)
        return None, said

    def _question_field(
        self, loc: tuple[Any, ...], message: str, said: str
    ) -> tuple[Field | None, str]:
        rows = getattr(self, "question_rows", [])
        if not loc:
            return self.questions, said  # about them all: too many, or a key shared
        if not isinstance(loc[0], int) or loc[0] >= len(rows):
            return None, gettext("Questions: %(problem)s", problem=said)
        row: QuestionForm = self.questions.entries[rows[loc[0]]].form
        if len(loc) > 1:
            field = getattr(row, str(loc[1]), None)
            if len(loc) > 2 and isinstance(loc[2], int):
                said = gettext("Line %(line)s: %(problem)s", line=loc[2] + 1, problem=said)
            return field if isinstance(field, Field) else row.label, said
        # A question's own rule: about its choices, or how it counts in matching.
        return (row.match if "overlap" in message else row.choices), said

    def _translation_field(self, loc: tuple[Any, ...], said: str) -> tuple[Field | None, str]:
        section = getattr(self.translations, str(loc[0]), None) if loc else None
        if not isinstance(section, FormField):
            # About them all: a translation in the program's own language (the language was
            # changed), said beside the language chosen.
            return self.basics.language, said
        field = getattr(section.form, str(loc[1]), None) if len(loc) > 1 else None
        return (field if isinstance(field, Field) else section.form.body), said

    def _schedule_field(
        self, loc: tuple[Any, ...], message: str, said: str
    ) -> tuple[Field | None, str]:
        if not loc:
            # The ladder's order: the message starts with the step that is out of place.
            name = message.split(" ", 1)[0]
            loc = (name,)
        name = str(loc[0])
        if name == "rounds":
            return self.rounds.form.days, said
        if name == "summary":
            return self.summaries.form.days, said
        return getattr(self.ladder, name, None), said
