"""The words and forms of a program's life in the console (portal.web.organize.lifecycle): the
new program and duplicate forms, each lifecycle step as the console asks it, the program's
state in sentences, and the program service's refusals in the reader's language."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from flask import url_for
from wtforms import BooleanField, Field, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from portal.domain.addresses import AddressError, ascii_address, email_key, typed
from portal.domain.audit import ACTIONS
from portal.domain.program import MAX_ORGANIZERS, SLUG_PATTERN, Program
from portal.domain.program_templates import TEMPLATES
from portal.i18n import N_, gettext, lazy_gettext
from portal.services.programs import InvalidProgram, ProgramRefused
from portal.web.forms import EMAIL_MAX, PlainText, PortalForm
from portal.web.organize import program_words

TITLE_MAX = 200  # as Program's title
SLUG_MAX = 64  # as SLUG_PATTERN
ORGANIZERS_MAX = MAX_ORGANIZERS
SLUG_RULE = lazy_gettext(
    "Lower-case letters (a to z), digits and hyphens, up to 64, starting and ending with a "
    "letter or a digit."
)
SLUG_MESSAGE = lazy_gettext(
    "Please use only lower-case letters (a to z), digits and hyphens, up to 64, starting and "
    "ending with a letter or a digit."
)
# The service's refusals (portal.services.programs), said in the reader's language.
# Patterns, compiled when first used (re caches them): not at import, which every cold
# start pays.
REFUSALS: tuple[tuple[str, str], ...] = (
    (
        r"The web address /programs/(?P<slug>\S+) is another program's: choose another "
        r"web address\.",
        N_("The web address /programs/%(slug)s is another program's: choose another web address."),
    ),
    (
        r"The program is archived and read-only: bring it back from the archive first\.",
        N_("The program is archived and read-only: bring it back from the archive first."),
    ),
    (
        r"Someone else saved (?P<slug>'.*') since you opened it \(it is now at version "
        r"(?P<version>\d+)\)\. Nothing was saved: open it again to see their change, then "
        r"make yours\.",
        N_(
            "Someone else saved %(slug)s since you opened it (it is now at version "
            "%(version)s). Nothing was saved: open it again to see their change, then make "
            "yours."
        ),
    ),
    (r"Only site admins can create programs\.", N_("Only site admins can create programs.")),
    (r"There is no template '(?P<key>.*)'\.", N_("There is no template “%(key)s”.")),
    (
        r"There is no program '(?P<slug>.*)' in the database\.",
        N_("There is no program “%(slug)s” in the database."),
    ),
    (
        r"'(?P<slug>.*)' is defined by the file content/programs/(?P=slug)\.md: change the "
        r"file and deploy, or duplicate it to keep it in the database instead\.",
        N_(
            "“%(slug)s” is defined by the file content/programs/%(slug)s.md: change the file "
            "and deploy, or duplicate it to keep it in the database instead."
        ),
    ),
)


def refusal_words(exc: ProgramRefused) -> str:
    """What the program service refused, in the reader's language where the words are known."""
    message = str(exc)
    for pattern, words in REFUSALS:
        found = re.fullmatch(pattern, message)
        if found:
            return gettext(words, **found.groupdict())
    return message


def suggested_slug(title: str) -> str:
    """A web address made from a title: `Mentoring: Spring 2027` → `mentoring-spring-2027`."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _title_field() -> StringField:
    return StringField(
        lazy_gettext("Title"),
        filters=[_stripped],
        validators=[
            DataRequired(message=lazy_gettext("Please give the program a title.")),
            Length(
                max=TITLE_MAX,
                message=lazy_gettext("Up to %(max)s characters, please.", max=TITLE_MAX),
            ),
            PlainText(),
        ],
        description=lazy_gettext(
            "As the public list and the emails show it, for example “Group mentoring: Spring 2027”."
        ),
    )


def _slug_field() -> StringField:
    return StringField(
        lazy_gettext("Web address"),
        filters=[_stripped],
        validators=[
            Optional(),
            Length(
                max=SLUG_MAX,
                message=lazy_gettext("Up to %(max)s characters, please.", max=SLUG_MAX),
            ),
            Regexp(SLUG_PATTERN, message=SLUG_MESSAGE),
        ],
        description=lazy_gettext(
            "The program's page is /programs/ followed by it. %(rule)s Left empty, one is made "
            "from the title.",
            rule=SLUG_RULE,
        ),
    )


def _signup_field() -> BooleanField:
    return BooleanField(
        lazy_gettext("Open sign-up now"),
        description=lazy_gettext(
            "Unticked, the program is listed with sign-up closed: open it on the program's "
            "Status page when you are ready."
        ),
    )


class NewProgramForm(PortalForm):
    """A new program: its template, title, web address, organizers, and sign-up."""

    template = RadioField(
        lazy_gettext("Template"),
        # The template's name in the reader's words (the domain keeps the English, marked):
        # WTForms calls this once per form, in the request's language.
        choices=lambda: {key: gettext(template.name) for key, template in TEMPLATES.items()},
        validators=[InputRequired(message=lazy_gettext("Please choose a template."))],
        description=lazy_gettext(
            "Its settings and a draft public page: you can change them all afterwards."
        ),
    )
    title = _title_field()
    slug = _slug_field()
    organizers = TextAreaField(
        lazy_gettext("Organizers"),
        validators=[
            DataRequired(message=lazy_gettext("Please give at least one organizer's address."))
        ],
        description=lazy_gettext(
            "One email address a line. Each may open this program's console, from the sign-in "
            "form; up to %(max)s. They are shown on the program's public page, so that "
            "participants can write to them.",
            max=ORGANIZERS_MAX,
        ),
    )
    signup_open = _signup_field()
    addresses: tuple[str, ...] = ()  # the organizers' addresses, once validated

    def validate_organizers(self, field: Field) -> None:
        """Every line an address mail can be sent to; duplicates are kept once."""
        lines = [line.strip() for line in str(field.data or "").splitlines() if line.strip()]
        if len(lines) > ORGANIZERS_MAX:
            raise ValidationError(
                gettext(
                    "Up to %(max)s organizers, please (you gave %(count)s).",
                    max=ORGANIZERS_MAX,
                    count=len(lines),
                )
            )
        addresses: dict[str, str] = {}
        for number, line in enumerate(lines, start=1):
            try:
                if len(line) > EMAIL_MAX:
                    raise AddressError("too long")
                ascii_address(line)
                address = typed(line)
            except AddressError:
                shown = line if len(line) <= 40 else line[:39] + "…"
                raise ValidationError(
                    gettext(
                        "Line %(line)s, “%(shown)s”, is not an email address: one address a line.",
                        line=number,
                        shown=shown,
                    )
                ) from None
            addresses.setdefault(email_key(address), address)
        self.addresses = tuple(addresses.values())


class DuplicateForm(PortalForm):
    """The new cohort's title, web address and sign-up."""

    title = _title_field()
    slug = _slug_field()
    signup_open = _signup_field()


class LifecycleForm(PortalForm):
    """A lifecycle action, against the version the organizer saw on the confirm page."""

    expected = HiddenField()


@dataclass(frozen=True)
class Step:
    """A lifecycle action as the console asks it: the question, what it does, the button."""

    # Each said in the reader's language when shown (lazy_gettext).
    question: Any
    consequence: Any
    button: Any
    not_now: Any  # why it cannot be done while the program is as it is
    done: Any  # what the program is like once done


STEPS: dict[str, Step] = {
    "open": Step(
        lazy_gettext("Open sign-up?"),
        lazy_gettext("The sign-up forms take people, and the public list offers them."),
        lazy_gettext("Open sign-up: the sign-up forms take people"),
        lazy_gettext("Sign-up is open already: there is nothing to open."),
        lazy_gettext("Done: sign-up is open, and the sign-up forms take people."),
    ),
    "close": Step(
        lazy_gettext("Close sign-up?"),
        lazy_gettext(
            "The sign-up forms stop taking people, and the program's page says sign-up is closed. "
            "People already in the program stay, and its rounds go on."
        ),
        lazy_gettext("Close sign-up: the sign-up forms stop taking people"),
        lazy_gettext("Sign-up is closed already: there is nothing to close."),
        lazy_gettext("Done: sign-up is closed, and the sign-up forms take nobody."),
    ),
    "pause": Step(
        lazy_gettext("Pause the scheduled rounds?"),
        lazy_gettext(
            "No scheduled round runs until you resume them. Active matches go on, sign-up stays "
            "as it is, and you can still run a round yourself on the Run a round now page."
        ),
        lazy_gettext("Pause rounds: no scheduled round runs until they are resumed"),
        lazy_gettext("The scheduled rounds are paused already."),
        lazy_gettext("Done: the scheduled rounds are paused until you resume them."),
    ),
    "resume": Step(
        lazy_gettext("Resume the scheduled rounds?"),
        lazy_gettext("Rounds run on the program's schedule again, from the next time it is due."),
        lazy_gettext("Resume rounds: scheduled rounds run again"),
        lazy_gettext("The scheduled rounds are running already: there is nothing to resume."),
        lazy_gettext("Done: the scheduled rounds run again."),
    ),
    "archive": Step(
        lazy_gettext("Archive the program?"),
        lazy_gettext(
            "Sign-up closes, the program leaves the public list (its page says it is archived), "
            "no more rounds run and its organizers get no more summaries. Matches already running "
            "carry on to the end of their cycle, with their reminders and surveys, but nobody is "
            "offered another match. Its console pages, audit log and exports stay readable, but "
            "nothing in it can be changed until it is brought back from the archive."
        ),
        lazy_gettext("Archive: read-only, gone from the public list, no more rounds or summaries"),
        lazy_gettext("The program is archived already."),
        lazy_gettext("Done: the program is archived and read-only."),
    ),
    "unarchive": Step(
        lazy_gettext("Bring the program back from the archive?"),
        lazy_gettext(
            "It is on the public list again and can be changed; sign-up stays closed until you "
            "open it, and its rounds run on schedule again unless they are paused."
        ),
        lazy_gettext("Bring back: listed and changeable again, sign-up still closed"),
        lazy_gettext("The program is not archived: there is nothing to bring back."),
        lazy_gettext("Done: the program is back from the archive, with sign-up closed."),
    ),
}


# portal.services.programs.ARCHIVED, marked for the catalogue.
ARCHIVED_WORDS = N_("The program is archived and read-only: bring it back from the archive first.")


def possible(program: Program, action: str) -> bool:
    """Whether the action would change anything in the program as it is."""
    if program.archived:
        return action == "unarchive"
    return {
        "open": not program.signup_open,
        "close": program.signup_open,
        "pause": not program.rounds_paused,
        "resume": program.rounds_paused,
        "archive": True,
    }.get(action, False)


def not_now(program: Program, action: str) -> str:
    """Why the action cannot be done while the program is as it is."""
    if program.archived and action != "unarchive":
        return gettext(ARCHIVED_WORDS)
    return str(STEPS[action].not_now)


def state_words(program: Program) -> list[str]:
    """The program's state, a sentence for each side of it."""
    if program.archived:
        return [
            gettext(
                "Archived: read-only, not on the public list, taking no sign-ups; no rounds run "
                "and no summaries are sent. Matches still running end with their cycle."
            )
        ]
    return [
        gettext("Sign-up is open: the sign-up forms take people.")
        if program.signup_open
        else gettext("Sign-up is closed: the sign-up forms take nobody."),
        _rounds_words(program),
        _summary_words(program),
    ]


def _rounds_words(program: Program) -> str:
    when = program_words.when_words(program.schedule.rounds, program.timezone)
    if when is None:
        return gettext("Rounds are not on a schedule: they run when an organizer runs one.")
    if program.rounds_paused:
        return gettext(
            "The scheduled rounds are paused: none runs until they are resumed (they run "
            "%(when)s).",
            when=when,
        )
    return gettext("Scheduled rounds run %(when)s.", when=when)


def _summary_words(program: Program) -> str:
    when = program_words.when_words(program.schedule.summary, program.timezone)
    if when is None:
        return gettext("The weekly summary email to organizers is not on a schedule: none is sent.")
    return gettext("The weekly summary email to organizers is sent %(when)s.", when=when)


def file_actions_words(slug: str) -> str:
    """Why a file's program has no actions on its Status page."""
    return gettext(
        "Its sign-up, rounds and settings are set in its file: change "
        "content/programs/%(slug)s.md and deploy to open or close sign-up, pause rounds or "
        "archive it.",
        slug=slug,
    )


def file_words(slug: str) -> str:
    """Where a file's program is changed."""
    return gettext(
        "Defined by content/programs/%(slug)s.md: change the file and deploy, or duplicate it "
        "to keep a copy in the portal's database instead.",
        slug=slug,
    )


def settings_path(slug: str) -> str:
    """The program's settings page (the editor, its own part of the console)."""
    return url_for("organize.program_settings", slug=slug)


# The form field each of the program's settings is typed in, on the forms here.
FIELD_OF = {"title": "title", "slug": "slug", "organizers": "organizers"}


def place_errors(form: PortalForm, errors: list[Any]) -> list[str]:
    """Put each validation problem beside its field; the ones no field shows are returned."""
    general: list[str] = []
    for error in errors:
        loc, raw = program_words.problem(error)
        message = program_words.in_words(raw)
        name = str(loc[0]) if loc else ""
        if error.get("type") == "string_pattern_mismatch" and name == "slug":
            message = str(SLUG_MESSAGE)
        field = FIELD_OF.get(name)
        if field is not None and field in form:
            form[field].errors = [*form[field].errors, message[:1].upper() + message[1:]]
        else:
            general.append(
                gettext("%(setting)s: %(problem)s", setting=name, problem=message)
                if name
                else message
            )
    return general


def refusal_placed(form: PortalForm, exc: ProgramRefused) -> list[str]:
    """A refusal beside the field it is about (a taken web address), or for the top."""
    if isinstance(exc, InvalidProgram):
        return place_errors(form, exc.errors)
    if "web address" in str(exc) and "slug" in form:
        form["slug"].errors = [*form["slug"].errors, refusal_words(exc)]
        return []
    return [refusal_words(exc)]


def errors_in_page_order(form: PortalForm) -> list[tuple[Field, list[str]]]:
    """The fields with problems, in the order the page shows them (for the summary)."""
    return [(field, list(field.errors)) for field in form if field.errors]


# The settings a version's "edited: ..." names (portal.services.programs: the setting's name,
# or SETTING_NAMES' words for it), in the reader's language.
EDITED_WORDS = {
    "title": N_("title"),
    "slug": N_("web address"),
    "summary": N_("summary"),
    "format": N_("format"),
    "organizers": N_("organizers"),
    "capacity": N_("capacity"),
    "approval": N_("approval"),
    "time zone": N_("time zone"),
    "language": N_("language"),
    "cycle length": N_("cycle length"),
    "sign-up": N_("sign-up"),
    "topics": N_("topics"),
    "languages": N_("languages"),
    "agreement": N_("agreement"),
    "track": N_("learning track"),
    "questions": N_("questions"),
    "matching": N_("matching"),
    "schedule": N_("schedule"),
    "meetings": N_("first meetings"),
    "retention": N_("retention"),
    "rounds_paused": N_("paused rounds"),
    "archived": N_("archive"),
    "page text": N_("page text"),
    "translations": N_("the page in other languages"),
}


def change_words(change: str) -> str:
    """What a stored version changed (English words kept with it), in the reader's language."""
    edited = re.fullmatch(r"edited: (.+)", change)
    if edited:
        names = [
            gettext(EDITED_WORDS[name]) if name in EDITED_WORDS else name
            for name in edited.group(1).split(", ")
        ]
        return gettext("edited: %(settings)s", settings=", ".join(names))
    duplicated = re.fullmatch(r"duplicated from (\S+)", change)
    if duplicated:
        return gettext("duplicated from %(slug)s", slug=duplicated.group(1))
    created = re.fullmatch(r"created from the (.+) template", change)
    if created:
        return gettext("created from the %(template)s template", template=created.group(1))
    if change == "loaded from a file":
        return gettext("loaded from a file")
    for words in ACTIONS.values():
        if change == words.lower():
            return gettext(words)
    return change
