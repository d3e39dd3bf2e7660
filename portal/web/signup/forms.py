"""Sign-up forms, built per program and role from the program's settings."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from functools import lru_cache
from importlib import resources
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from portal.domain.addresses import email_key, typed
from portal.domain.participants import BLOCKS, DAYS, SENIORITY_LEVELS, Role
from portal.domain.program import Program, Question
from portal.services.roster_import import Invitee
from portal.services.signup import Application
from portal.web.forms import MultiCheckboxField, PlainText, PortalForm

NAME_MAX = 100
EMAIL_MAX = 254
DEPARTMENT_MAX = 100
BIO_MAX = 1000
BIO_LINKS = 2  # shown to the match as plain text, never as links
ANSWER_MAX = 200
MAX_GOALS = 5
# The order of the fields in signup/form.html; the program's questions go before consent.
PAGE_ORDER = (
    "name",
    "email",
    "seniority",
    "department",
    "reports_to",
    "languages",
    "timezone",
    "availability",
    "skills",
    "goals",
    "capacity",
    "bio",
    "consent",
)


def email_field(description: str) -> Any:
    """An address field, as every form asks for one: required, at most EMAIL_MAX, and one
    that SES can send to (SMTPUTF8 local parts, josé@..., are refused politely)."""
    return EmailField(
        "Email address",
        validators=[
            DataRequired(message="Please give your email address."),
            Length(max=EMAIL_MAX),
            Email(
                message="This does not look like an email address.",
                check_deliverability=False,
                allow_smtputf8=False,
            ),
        ],
        description=description,
        render_kw={"autocomplete": "email"},
    )


class Count:
    """At least `minimum` and at most `maximum` boxes ticked."""

    def __init__(self, minimum: int, maximum: int | None, noun: str) -> None:
        self.minimum, self.maximum, self.noun = minimum, maximum, noun

    def _count(self, number: int) -> str:
        return f"{number} {self.noun}" if number == 1 else f"{number} {self.noun}s"

    def __call__(self, form: FlaskForm, field: Field) -> None:
        chosen = len(field.data or [])
        if chosen < self.minimum:
            if self.minimum == 1:
                raise ValidationError(f"Please choose at least one {self.noun}.")
            raise ValidationError(f"Please choose at least {self._count(self.minimum)}.")
        if self.maximum is not None and chosen > self.maximum:
            raise ValidationError(f"Please choose at most {self._count(self.maximum)}.")


def _canonical_zones() -> set[str]:
    """Current zone names (no Europe/Kiev beside Europe/Kyiv), from tzdata's zone1970.tab."""
    try:
        table = resources.files("tzdata").joinpath("zoneinfo", "zone1970.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return set(zoneinfo.available_timezones())
    return {
        line.split("\t")[2]
        for line in table.splitlines()
        if line and not line.startswith("#") and len(line.split("\t")) > 2
    }


def _is_place_zone(name: str) -> bool:
    return "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))


def timezone_choices() -> dict[str, str]:
    """IANA zones people live in, labelled with today's UTC offset."""
    return _timezone_choices(datetime.now(UTC).date())


@lru_cache(maxsize=2)
def _timezone_choices(day: date) -> dict[str, str]:
    # Keyed by day so that a long-lived process shows offsets after a clock change correctly.
    now = datetime.combine(day, time(12), tzinfo=UTC)
    choices = {}
    for name in sorted(n for n in _canonical_zones() if _is_place_zone(n)):
        offset = now.astimezone(zoneinfo.ZoneInfo(name)).strftime("%z")
        choices[name] = f"{name.replace('_', ' ')} (UTC{offset[:3]}:{offset[3:]})"
    choices["UTC"] = "UTC"
    return choices


def availability_choices() -> dict[str, str]:
    return {
        f"{day}-{block[0]}": f"{day_label} {block[0]}"
        for day, day_label in DAYS
        for block in BLOCKS
    }


def _question_field(question: Question) -> Field:
    required = (
        [InputRequired(message="Please answer this question.")]
        if question.required
        else [Optional()]
    )
    if question.type == "choice":
        return RadioField(
            question.label,
            choices={c: c for c in question.choices},
            validators=required,
            validate_choice=True,
            description=question.help,
        )
    if question.type == "multi":
        return MultiCheckboxField(
            question.label,
            choices={c: c for c in question.choices},
            validators=[Count(1 if question.required else 0, None, "answer")],
            description=question.help,
        )
    return StringField(
        question.label,
        validators=[*required, Length(max=ANSWER_MAX), PlainText()],
        description=question.help,
    )


class SignupForm(PortalForm):
    """Fields every program asks; `build_signup_form` adds the program's own."""

    name = StringField(
        "Your name",
        validators=[
            DataRequired(message="Please tell us your name."),
            Length(max=NAME_MAX),
            # Strangers see a name (the already-signed-up email): it must not carry a link.
            PlainText(links=0, hint="For an initial, put a space after the full stop: J. Smith."),
        ],
        render_kw={"autocomplete": "name"},
    )
    email = email_field("We send a link to confirm it. No password needed, ever.")
    department = StringField(
        "Department or team",
        validators=[Optional(), Length(max=DEPARTMENT_MAX), PlainText(links=0)],
        description="Some programs avoid pairing people from the same team.",
        render_kw={"autocomplete": "organization-title"},
    )
    seniority = SelectField(
        "Career stage",
        choices={"": "Choose one", **dict(SENIORITY_LEVELS)},
        validators=[DataRequired(message="Please choose your career stage.")],
    )
    bio = TextAreaField(
        "A few words about you",
        validators=[Optional(), Length(max=BIO_MAX), PlainText(links=BIO_LINKS)],
        description=f"Up to {BIO_MAX} characters and {BIO_LINKS} links. Your match will see this.",
    )
    website = StringField(
        "Leave this field empty",
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "off", "tabindex": "-1"},
    )  # honeypot: people never see it, form-filling bots do
    consent = BooleanField(
        "I have read the privacy notice and agree that my answers are used to run this program.",
        validators=[DataRequired(message="Please agree to the privacy notice to sign up.")],
    )

    question_keys: tuple[str, ...] = ()
    role: Role = Role.MENTEE

    def errors_in_page_order(self) -> list[tuple[str, list[str]]]:
        """The form's errors in the order the fields appear on the page (for the summary)."""
        order = [*PAGE_ORDER[:-1], *(f"q_{key}" for key in self.question_keys), PAGE_ORDER[-1]]
        rank = {name: index for index, name in enumerate(order)}
        found = [(name, list(field.errors)) for name, field in self._fields.items() if field.errors]
        return sorted(found, key=lambda item: rank.get(item[0], len(rank)))

    def is_bot(self) -> bool:
        return bool(self.website.data)

    def _answers(self) -> dict[str, str | list[str]]:
        answers: dict[str, str | list[str]] = {}
        for key in self.question_keys:
            value = self.data[f"q_{key}"]
            if value:
                answers[key] = list(value) if isinstance(value, list) else str(value).strip()
        return answers

    def to_profile(self) -> dict[str, Any]:
        """The answers a person may change later, as Participant fields (no email, no role)."""
        application = self.to_application(email="")
        return {
            name: getattr(application, name)
            for name in (
                "name", "timezone", "languages", "availability", "skills", "goals",
                "department", "reports_to", "seniority", "capacity", "bio", "answers",
            )
        }  # fmt: skip

    def to_application(self, email: str | None = None, privacy_version: str = "") -> Application:
        data: dict[str, Any] = self.data
        return Application(
            role=self.role,
            name=" ".join(data["name"].split()),
            email=email_key(data["email"]) if email is None else email,
            timezone=data["timezone"],
            languages=tuple(data["languages"]),
            availability=tuple(data["availability"]),
            skills=tuple(data.get("skills") or ()),
            goals=tuple(data.get("goals") or ()),
            department=(data.get("department") or "").strip(),
            reports_to=email_key(data["reports_to"]) if data.get("reports_to") else "",
            seniority=data["seniority"],
            capacity=int(data.get("capacity") or 1),
            bio=(data.get("bio") or "").strip(),
            answers=self._answers(),
            # Written to as typed; compared (and stored) in the form email_key gives.
            address=typed(data["email"]) if email is None else "",
            privacy_version=privacy_version,
        )


def answers_for_form(program: Program, answers: Mapping[str, str | list[str]]) -> dict[str, Any]:
    """A person's stored answers as the program's questions now ask for them (a question may
    have changed type since they answered): form data, by field name."""
    data: dict[str, Any] = {}
    for question in program.questions:
        if question.key not in answers:
            continue
        value = answers[question.key]
        if question.type == "multi":
            data[f"q_{question.key}"] = value if isinstance(value, list) else [value]
        elif isinstance(value, list):
            # Several choices, now asked as one answer: shown as they were chosen.
            first = value[0] if value else ""
            data[f"q_{question.key}"] = ", ".join(value) if question.type == "text" else first
        else:
            data[f"q_{question.key}"] = value
    return data


def invitee_data(invitee: Invitee) -> dict[str, str]:
    """What a roster says about an invited person, as the sign-up form's data (by field name).

    Only what the form can show: a time zone or career stage the form does not offer is left
    to the form's own default, for the person to choose.
    """
    data = {"name": invitee.name, "email": invitee.address}
    if invitee.department:
        data["department"] = invitee.department
    if invitee.reports_to:
        data["reports_to"] = invitee.reports_to
    if invitee.timezone in timezone_choices():
        data["timezone"] = invitee.timezone
    if invitee.seniority in dict(SENIORITY_LEVELS):
        data["seniority"] = invitee.seniority
    return {name: value for name, value in data.items() if value}


def build_signup_form(program: Program, role: Role, **kwargs: Any) -> SignupForm:
    """A form class for this program and role, instantiated."""

    class ProgramSignupForm(SignupForm):
        pass

    attrs: dict[str, Field] = {
        "languages": MultiCheckboxField(
            "Languages you can meet in",
            choices={lang: lang for lang in program.languages},
            validators=[Count(1, None, "language")],
        ),
        "timezone": SelectField(
            "Your time zone",
            # An empty first option: a required select must not start on a real answer
            # (HTML's rule, which vnu checks); the program's zone is chosen already.
            choices={"": "Choose your time zone", **timezone_choices()},
            default=program.timezone,
            validators=[DataRequired(message="Please choose your time zone.")],
            validate_choice=True,
        ),
        "availability": MultiCheckboxField(
            "When can you usually meet?",
            choices=availability_choices(),
            validators=[Count(1, None, "time slot")],
            description="In your own time zone. Tick every slot that usually works.",
        ),
    }
    if role in (Role.MENTOR, Role.PEER):
        attrs["skills"] = MultiCheckboxField(
            "Topics you can help with",
            choices={t: t for t in program.topics},
            validators=[Count(1, None, "topic")],
        )
    if role in (Role.MENTEE, Role.PEER):
        attrs["goals"] = MultiCheckboxField(
            "What you would like to work on",
            choices={t: t for t in program.topics},
            validators=[Count(1, MAX_GOALS, "goal")],
            description=f"Choose up to {MAX_GOALS}.",
        )
    if role is Role.MENTOR and program.capacity > 1:
        attrs["capacity"] = SelectField(
            "How many mentees can you take on?",
            choices={"": "Choose a number"}
            | {str(n): str(n) for n in range(1, program.capacity + 1)},
            default=str(program.capacity),
            validators=[DataRequired(message="Please choose how many mentees you can take on.")],
            validate_choice=True,
        )
    if program.matching.exclude_reporting_line:
        attrs["reports_to"] = EmailField(
            "Your manager's email address",
            validators=[
                Optional(),
                Length(max=EMAIL_MAX),
                Email(
                    message="This does not look like an email address.",
                    check_deliverability=False,
                    allow_smtputf8=False,
                ),
            ],
            description="Used only to avoid matching you within your reporting line.",
        )
    for question in program.questions:
        attrs[f"q_{question.key}"] = _question_field(question)
    for name, field in attrs.items():
        setattr(ProgramSignupForm, name, field)
    ProgramSignupForm.question_keys = tuple(q.key for q in program.questions)
    ProgramSignupForm.role = role
    return ProgramSignupForm(**kwargs)
