"""Sign-up forms, built per program and role from the program's settings."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from babel import dates as babel_dates
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

# The stubs predate SelectChoice (WTForms 3.2): a choice whose label is looked up when shown.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from portal import i18n
from portal.domain.addresses import email_key, typed
from portal.domain.participants import BLOCKS, DAYS, SENIORITY_LEVELS, Role
from portal.domain.program import Program, Question
from portal.i18n import N_, gettext, lazy_gettext, ngettext
from portal.presenters.words import SENIORITY_WORDS
from portal.services.signup import Application
from portal.web.forms import EMAIL_MAX, MultiCheckboxField, PlainText, PortalForm, email_field

if TYPE_CHECKING:
    # Only sign-ups through a roster's invitation have one: not imported for the others.
    from portal.services.roster_invitations import Invitee

NAME_MAX = 100
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
    "language",
    "languages",
    "timezone",
    "availability",
    "skills",
    "goals",
    "capacity",
    "bio",
    "consent",
)


# What a list of boxes asks for, each message a whole sentence (so each language can word
# it): at least one; at least a number; at most a number.
COUNT_MESSAGES: dict[str, tuple[Callable[[], str], Callable[[int], str], Callable[[int], str]]] = {
    "answer": (
        lambda: gettext("Please choose at least one answer."),
        lambda n: ngettext(
            "Please choose at least %(num)s answer.", "Please choose at least %(num)s answers.", n
        ),
        lambda n: ngettext(
            "Please choose at most %(num)s answer.", "Please choose at most %(num)s answers.", n
        ),
    ),
    "language": (
        lambda: gettext("Please choose at least one language."),
        lambda n: ngettext(
            "Please choose at least %(num)s language.",
            "Please choose at least %(num)s languages.",
            n,
        ),
        lambda n: ngettext(
            "Please choose at most %(num)s language.", "Please choose at most %(num)s languages.", n
        ),
    ),
    "time slot": (
        lambda: gettext("Please choose at least one time slot."),
        lambda n: ngettext(
            "Please choose at least %(num)s time slot.",
            "Please choose at least %(num)s time slots.",
            n,
        ),
        lambda n: ngettext(
            "Please choose at most %(num)s time slot.",
            "Please choose at most %(num)s time slots.",
            n,
        ),
    ),
    "topic": (
        lambda: gettext("Please choose at least one topic."),
        lambda n: ngettext(
            "Please choose at least %(num)s topic.", "Please choose at least %(num)s topics.", n
        ),
        lambda n: ngettext(
            "Please choose at most %(num)s topic.", "Please choose at most %(num)s topics.", n
        ),
    ),
    "goal": (
        lambda: gettext("Please choose at least one goal."),
        lambda n: ngettext(
            "Please choose at least %(num)s goal.", "Please choose at least %(num)s goals.", n
        ),
        lambda n: ngettext(
            "Please choose at most %(num)s goal.", "Please choose at most %(num)s goals.", n
        ),
    ),
}


class Count:
    """At least `minimum` and at most `maximum` boxes ticked (`noun`: a key of COUNT_MESSAGES)."""

    def __init__(self, minimum: int, maximum: int | None, noun: str) -> None:
        self.minimum, self.maximum, self.noun = minimum, maximum, noun

    def __call__(self, form: FlaskForm, field: Field) -> None:
        one, at_least, at_most = COUNT_MESSAGES[self.noun]
        chosen = len(field.data or [])
        if chosen < self.minimum:
            if self.minimum == 1:
                raise ValidationError(one())
            raise ValidationError(at_least(self.minimum))
        if self.maximum is not None and chosen > self.maximum:
            raise ValidationError(at_most(self.maximum))


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


# The parts of a day a person can meet in, and a slot (a day and a part) in words.
BLOCK_WORDS: dict[str, str] = {
    "morning": N_("Morning"),
    "afternoon": N_("Afternoon"),
    "evening": N_("Evening"),
}
_SLOT_WORDS: dict[str, Callable[[str], str]] = {
    "morning": lambda day: gettext("%(day)s morning", day=day),
    "afternoon": lambda day: gettext("%(day)s afternoon", day=day),
    "evening": lambda day: gettext("%(day)s evening", day=day),
}
_DAY_INDEX = {day: index for index, (day, _) in enumerate(DAYS)}


def day_word(day: str) -> str:
    """A day of the week ("mon") named in the reader's language: "Monday", "Lunes"."""
    index = _DAY_INDEX.get(day)
    if index is None:
        return day
    name = str(babel_dates.get_day_names("wide", locale=i18n.locale())[index])
    return name[:1].upper() + name[1:]


def block_word(block: str) -> str:
    """A part of the day ("morning") in the reader's language, as a heading: "Morning"."""
    word = BLOCK_WORDS.get(block)
    return gettext(word) if word else block.capitalize()


def slot_word(slot: str) -> str:
    """An availability slot ("mon-morning") in the reader's language: "Monday morning"."""
    day, _, block = slot.partition("-")
    words = _SLOT_WORDS.get(block)
    return words(day_word(day)) if words else f"{day_word(day)} {block}"


def availability_choices() -> dict[str, str]:
    return {
        f"{day}-{block[0]}": slot_word(f"{day}-{block[0]}") for day, _ in DAYS for block in BLOCKS
    }


def _seniority_choices() -> list[SelectChoice]:
    # Each label looked up when shown, in the reader's language.
    return [SelectChoice("", lazy_gettext("Choose one"))] + [
        SelectChoice(key, lazy_gettext(SENIORITY_WORDS.get(key, label)))
        for key, label in SENIORITY_LEVELS
    ]


def _question_field(question: Question) -> Field:
    required = (
        [InputRequired(message=lazy_gettext("Please answer this question."))]
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
        lazy_gettext("Your name"),
        validators=[
            DataRequired(message=lazy_gettext("Please tell us your name.")),
            Length(max=NAME_MAX),
            # Strangers see a name (the already-signed-up email): it must not carry a link.
            PlainText(
                links=0,
                hint=lazy_gettext("For an initial, put a space after the full stop: J. Smith."),
            ),
        ],
        render_kw={"autocomplete": "name"},
    )
    email = email_field(lazy_gettext("We send a link to confirm it. No password needed, ever."))
    department = StringField(
        lazy_gettext("Department or team"),
        validators=[Optional(), Length(max=DEPARTMENT_MAX), PlainText(links=0)],
        description=lazy_gettext("Some programs avoid pairing people from the same team."),
        render_kw={"autocomplete": "organization-title"},
    )
    seniority = SelectField(
        lazy_gettext("Career stage"),
        choices=_seniority_choices(),
        validators=[DataRequired(message=lazy_gettext("Please choose your career stage."))],
    )
    bio = TextAreaField(
        lazy_gettext("A few words about you"),
        validators=[Optional(), Length(max=BIO_MAX), PlainText(links=BIO_LINKS)],
        description=lazy_gettext(
            "Up to %(characters)s characters and %(links)s links. Your match will see this.",
            characters=BIO_MAX,
            links=BIO_LINKS,
        ),
    )
    website = StringField(
        lazy_gettext("Leave this field empty"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "off", "tabindex": "-1"},
    )  # honeypot: people never see it, form-filling bots do
    consent = BooleanField(
        lazy_gettext(
            "I have read the privacy notice and agree that my answers are used to run this program."
        ),
        validators=[
            DataRequired(message=lazy_gettext("Please agree to the privacy notice to sign up."))
        ],
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
            language=data.get("language") or i18n.DEFAULT_LANGUAGE,
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


def _chosen_language(form: FlaskForm, field: Field) -> None:
    """Refuse a form sent with no language (the select always offers one chosen)."""
    if not field.data:
        raise StopValidation(gettext("Please choose a language for the portal and its emails."))


def _offered_language(form: FlaskForm, field: Field) -> None:
    """Refuse a language the portal does not speak (a tampered or outdated form)."""
    if field.data not in i18n.LANGUAGES:
        raise ValidationError(
            gettext(
                "Please choose one of the languages listed: %(languages)s.",
                languages=", ".join(i18n.LANGUAGES.values()),
            )
        )


def language_field(default: str) -> Any:
    """The language of the portal's pages and emails for a person: each named in itself."""
    return SelectField(
        lazy_gettext("Language for the portal and its emails"),
        choices=[
            SelectChoice(code, name, render_kw={"lang": code})
            for code, name in i18n.LANGUAGES.items()
        ],
        default=default,
        # Not DataRequired: it would make the <select> `required`, which HTML allows only
        # with an empty first option, and this one always has a language chosen.
        validators=[_chosen_language, _offered_language],
        validate_choice=False,  # _offered_language says what is wrong, in words
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


def build_signup_form(
    program: Program, role: Role, *, language: str | None = None, **kwargs: Any
) -> SignupForm:
    """A form class for this program and role, instantiated.

    With a `language` (the sign-up's, not the profile's) it asks for the person's language,
    that one chosen to start with.
    """

    class ProgramSignupForm(SignupForm):
        pass

    attrs: dict[str, Field] = {
        "languages": MultiCheckboxField(
            lazy_gettext("Languages you can meet in"),
            choices={lang: lang for lang in program.languages},
            validators=[Count(1, None, "language")],
        ),
        "timezone": SelectField(
            lazy_gettext("Your time zone"),
            # An empty first option: a required select must not start on a real answer
            # (HTML's rule, which vnu checks); the program's zone is chosen already.
            choices=[
                SelectChoice("", lazy_gettext("Choose your time zone")),
                *(SelectChoice(name, label) for name, label in timezone_choices().items()),
            ],
            default=program.timezone,
            validators=[DataRequired(message=lazy_gettext("Please choose your time zone."))],
            validate_choice=True,
        ),
        "availability": MultiCheckboxField(
            lazy_gettext("When can you usually meet?"),
            choices=availability_choices(),
            validators=[Count(1, None, "time slot")],
            description=lazy_gettext("In your own time zone. Tick every slot that usually works."),
        ),
    }
    if role in (Role.MENTOR, Role.PEER):
        attrs["skills"] = MultiCheckboxField(
            lazy_gettext("Topics you can help with"),
            choices={t: t for t in program.topics},
            validators=[Count(1, None, "topic")],
        )
    if role in (Role.MENTEE, Role.PEER):
        attrs["goals"] = MultiCheckboxField(
            lazy_gettext("What you would like to work on"),
            choices={t: t for t in program.topics},
            validators=[Count(1, MAX_GOALS, "goal")],
            description=lazy_gettext("Choose up to %(goals)s.", goals=MAX_GOALS),
        )
    if role is Role.MENTOR and program.capacity > 1:
        attrs["capacity"] = SelectField(
            lazy_gettext("How many mentees can you take on?"),
            choices=[
                SelectChoice("", lazy_gettext("Choose a number")),
                *(SelectChoice(str(n), str(n)) for n in range(1, program.capacity + 1)),
            ],
            default=str(program.capacity),
            validators=[
                DataRequired(
                    message=lazy_gettext("Please choose how many mentees you can take on.")
                )
            ],
            validate_choice=True,
        )
    if program.matching.exclude_reporting_line:
        attrs["reports_to"] = EmailField(
            lazy_gettext("Your manager's email address"),
            validators=[
                Optional(),
                Length(max=EMAIL_MAX),
                Email(
                    message=lazy_gettext("This does not look like an email address."),
                    check_deliverability=False,
                    allow_smtputf8=False,
                ),
            ],
            description=lazy_gettext("Used only to avoid matching you within your reporting line."),
        )
    if language is not None:
        attrs["language"] = language_field(i18n.checked_language(language))
    for question in program.questions:
        attrs[f"q_{question.key}"] = _question_field(question)
    for name, field in attrs.items():
        setattr(ProgramSignupForm, name, field)
    ProgramSignupForm.question_keys = tuple(q.key for q in program.questions)
    ProgramSignupForm.role = role
    return ProgramSignupForm(**kwargs)
