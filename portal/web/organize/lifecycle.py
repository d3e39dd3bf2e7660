"""A program's life in the console: create one from a template (site admins), its Status page
(where its settings come from, its state, its versions), open or close sign-up, pause or resume
rounds, archive or bring back (each asked first, against the version the organizer saw), and
duplicate it for a new cohort (site admins).

The changes themselves are `services().program_admin`'s, which validates, stores a new version
with a conditional write and records each in the audit log.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response
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
from portal.domain.program import MAX_ORGANIZERS, SLUG_PATTERN, Program
from portal.domain.program_templates import TEMPLATES
from portal.services.programs import ARCHIVED, InvalidProgram, ProgramChanged, ProgramRefused
from portal.web import services
from portal.web.auth import (
    admin_required,
    current_organizer,
    current_program,
    is_admin,
    organizer_required,
)
from portal.web.forms import PlainText, PortalForm
from portal.web.organize import program_words
from portal.web.organize.blueprint import bp
from portal.web.organize.program_form import LOST_VERSION, opened_version
from portal.web.signup.forms import EMAIL_MAX

TITLE_MAX = 200  # as Program's title
SLUG_MAX = 64  # as SLUG_PATTERN
ORGANIZERS_MAX = MAX_ORGANIZERS
SLUG_RULE = (
    "Lower-case letters (a to z), digits and hyphens, up to 64, starting and ending with a "
    "letter or a digit."
)
SLUG_MESSAGE = f"Please use only {SLUG_RULE[0].lower()}{SLUG_RULE[1:]}"


def suggested_slug(title: str) -> str:
    """A web address made from a title: `Mentoring: Spring 2027` → `mentoring-spring-2027`."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _title_field() -> StringField:
    return StringField(
        "Title",
        filters=[_stripped],
        validators=[
            DataRequired(message="Please give the program a title."),
            Length(max=TITLE_MAX, message=f"Up to {TITLE_MAX} characters, please."),
            PlainText(),
        ],
        description="As the public list and the emails show it, for example "
        "“Group mentoring: Spring 2027”.",
    )


def _slug_field() -> StringField:
    return StringField(
        "Web address",
        filters=[_stripped],
        validators=[
            Optional(),
            Length(max=SLUG_MAX, message=f"Up to {SLUG_MAX} characters, please."),
            Regexp(SLUG_PATTERN, message=SLUG_MESSAGE),
        ],
        description=f"The program's page is /programs/ followed by it. {SLUG_RULE} "
        "Left empty, one is made from the title.",
    )


def _signup_field() -> BooleanField:
    return BooleanField(
        "Open sign-up now",
        description="Unticked, the program is listed with sign-up closed: open it on the "
        "program's Status page when you are ready.",
    )


class NewProgramForm(PortalForm):
    """A new program: its template, title, web address, organizers, and sign-up."""

    template = RadioField(
        "Template",
        choices={key: template.name for key, template in TEMPLATES.items()},
        validators=[InputRequired(message="Please choose a template.")],
        description="Its settings and a draft public page: you can change them all afterwards.",
    )
    title = _title_field()
    slug = _slug_field()
    organizers = TextAreaField(
        "Organizers",
        validators=[DataRequired(message="Please give at least one organizer's address.")],
        description="One email address a line. Each may open this program's console, from "
        f"the sign-in form; up to {ORGANIZERS_MAX}. They are shown on the program's public "
        "page, so that participants can write to them.",
    )
    signup_open = _signup_field()
    addresses: tuple[str, ...] = ()  # the organizers' addresses, once validated

    def validate_organizers(self, field: Field) -> None:
        """Every line an address mail can be sent to; duplicates are kept once."""
        lines = [line.strip() for line in str(field.data or "").splitlines() if line.strip()]
        if len(lines) > ORGANIZERS_MAX:
            raise ValidationError(
                f"Up to {ORGANIZERS_MAX} organizers, please (you gave {len(lines)})."
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
                    f"Line {number}, “{shown}”, is not an email address: one address a line."
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

    question: str
    consequence: str
    button: str
    not_now: str  # why it cannot be done while the program is as it is
    done: str  # what the program is like once done


STEPS: dict[str, Step] = {
    "open": Step(
        "Open sign-up?",
        "The sign-up forms take people, and the public list offers them.",
        "Open sign-up: the sign-up forms take people",
        "Sign-up is open already: there is nothing to open.",
        "Done: sign-up is open, and the sign-up forms take people.",
    ),
    "close": Step(
        "Close sign-up?",
        "The sign-up forms stop taking people, and the program's page says sign-up is closed. "
        "People already in the program stay, and its rounds go on.",
        "Close sign-up: the sign-up forms stop taking people",
        "Sign-up is closed already: there is nothing to close.",
        "Done: sign-up is closed, and the sign-up forms take nobody.",
    ),
    "pause": Step(
        "Pause the scheduled rounds?",
        "No scheduled round runs until you resume them. Active matches go on, sign-up stays "
        "as it is, and you can still run a round yourself on the Run a round now page.",
        "Pause rounds: no scheduled round runs until they are resumed",
        "The scheduled rounds are paused already.",
        "Done: the scheduled rounds are paused until you resume them.",
    ),
    "resume": Step(
        "Resume the scheduled rounds?",
        "Rounds run on the program's schedule again, from the next time it is due.",
        "Resume rounds: scheduled rounds run again",
        "The scheduled rounds are running already: there is nothing to resume.",
        "Done: the scheduled rounds run again.",
    ),
    "archive": Step(
        "Archive the program?",
        "Sign-up closes, the program leaves the public list (its page says it is archived), "
        "no more rounds run and its organizers get no more summaries. Matches already running "
        "carry on to the end of their cycle, with their reminders and surveys, but nobody is "
        "offered another match. Its console pages, audit log and exports stay readable, but "
        "nothing in it can be changed until it is brought back from the archive.",
        "Archive: read-only, gone from the public list, no more rounds or summaries",
        "The program is archived already.",
        "Done: the program is archived and read-only.",
    ),
    "unarchive": Step(
        "Bring the program back from the archive?",
        "It is on the public list again and can be changed; sign-up stays closed until you "
        "open it, and its rounds run on schedule again unless they are paused.",
        "Bring back: listed and changeable again, sign-up still closed",
        "The program is not archived: there is nothing to bring back.",
        "Done: the program is back from the archive, with sign-up closed.",
    ),
}


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
        return ARCHIVED
    return STEPS[action].not_now


def state_words(program: Program) -> list[str]:
    """The program's state, a sentence for each side of it."""
    if program.archived:
        return [
            "Archived: read-only, not on the public list, taking no sign-ups; no rounds run "
            "and no summaries are sent. Matches still running end with their cycle."
        ]
    return [
        "Sign-up is open: the sign-up forms take people."
        if program.signup_open
        else "Sign-up is closed: the sign-up forms take nobody.",
        _rounds_words(program),
        _summary_words(program),
    ]


def _rounds_words(program: Program) -> str:
    when = program_words.when_words(program.schedule.rounds, program.timezone)
    if when is None:
        return "Rounds are not on a schedule: they run when an organizer runs one."
    if program.rounds_paused:
        return (
            f"The scheduled rounds are paused: none runs until they are resumed (they run {when})."
        )
    return f"Scheduled rounds run {when}."


def _summary_words(program: Program) -> str:
    when = program_words.when_words(program.schedule.summary, program.timezone)
    if when is None:
        return "The weekly summary email to organizers is not on a schedule: none is sent."
    return f"The weekly summary email to organizers is sent {when}."


def file_actions_words(slug: str) -> str:
    """Why a file's program has no actions on its Status page."""
    return (
        f"Its sign-up, rounds and settings are set in its file: change content/programs/{slug}.md "
        "and deploy to open or close sign-up, pause rounds or archive it."
    )


def file_words(slug: str) -> str:
    """Where a file's program is changed."""
    return (
        f"Defined by content/programs/{slug}.md: change the file and deploy, or duplicate it "
        "to keep a copy in the portal's database instead."
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
        loc, message = program_words.problem(error)
        name = str(loc[0]) if loc else ""
        if error.get("type") == "string_pattern_mismatch" and name == "slug":
            message = SLUG_MESSAGE
        field = FIELD_OF.get(name)
        if field is not None and field in form:
            form[field].errors = [*form[field].errors, message[:1].upper() + message[1:]]
        else:
            general.append(f"{name}: {message}" if name else message)
    return general


def refusal_placed(form: PortalForm, exc: ProgramRefused) -> list[str]:
    """A refusal beside the field it is about (a taken web address), or for the top."""
    if isinstance(exc, InvalidProgram):
        return place_errors(form, exc.errors)
    if "web address" in str(exc) and "slug" in form:
        form["slug"].errors = [*form["slug"].errors, str(exc)]
        return []
    return [str(exc)]


def errors_in_page_order(form: PortalForm) -> list[tuple[Field, list[str]]]:
    """The fields with problems, in the order the page shows them (for the summary)."""
    return [(field, list(field.errors)) for field in form if field.errors]


def _render_form(
    template: str, form: PortalForm, general: list[str], **context: Any
) -> tuple[str, int] | str:
    page = render_template(
        template,
        form=form,
        general=general,
        problems=errors_in_page_order(form),
        templates=TEMPLATES,
        slug_rule=SLUG_RULE,
        **context,
    )
    return (page, 422) if form.is_submitted() else page


def _unfill_slug(form: PortalForm, slug: str) -> None:
    """A web address made from the title was refused: empty the field again (so that a new
    title makes a new one) and say which address was tried."""
    form["slug"].data = ""
    form["slug"].errors = [
        f"The web address /programs/{slug} is another program's: it was made from the title. "
        "Change the title, or choose a web address here."
    ]


def _fill_slug(form: PortalForm) -> str:
    """The web address asked for, or the one made from the title (shown in the field)."""
    if not form["slug"].data:
        form["slug"].data = suggested_slug(str(form["title"].data or ""))
        if not form["slug"].data:
            form["slug"].errors = [
                *form["slug"].errors,
                f"Please choose a web address: none could be made from the title. {SLUG_RULE}",
            ]
    return str(form["slug"].data)


# -- creating a program -------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new_program() -> str | tuple[str, int] | Response:
    """Create a program from a template (site admins only)."""
    form = NewProgramForm()
    if not form.is_submitted():
        form.organizers.data = current_organizer()
        form.signup_open.data = False
        return _render_form("organize/new_program.html", form, [])
    general: list[str] = []
    if form.validate():
        made = not form.slug.data
        slug = _fill_slug(form)
        if not form.slug.errors:
            try:
                program = services().program_admin.create(
                    str(form.template.data),
                    title=str(form.title.data),
                    slug=slug,
                    organizers=form.addresses,
                    signup_open=bool(form.signup_open.data),
                    by=current_organizer(),
                )
            except ProgramRefused as exc:
                general = refusal_placed(form, exc)
                if made and form.slug.errors:
                    _unfill_slug(form, slug)
            else:
                flash(_created(program, "Created"), "ok")
                return redirect(url_for("organize.program", slug=program.slug))
    return _render_form("organize/new_program.html", form, general)


def _created(program: Program, verb: str) -> str:
    signup = "open" if program.signup_open else "closed (open it on its Status page)"
    return (
        f"{verb} “{program.title}” at /programs/{program.slug}, with sign-up {signup}. "
        f"Change its questions, schedule and page on its settings page, "
        f"{settings_path(program.slug)}."
    )


# -- a program's status -------------------------------------------------------------------


@bp.get("/programs/<slug>/status")
@organizer_required
def program_status(slug: str) -> str:
    """Where the program's settings come from, its state, its versions and what can be done."""
    program = current_program()
    admin = services().program_admin
    info = admin.info(slug)
    return render_template(
        "organize/status.html",
        program=program,
        info=info,
        file_words=file_words(slug),
        file_actions=file_actions_words(slug),
        state=state_words(program),
        versions=admin.versions(slug) if info is not None else [],
        actions=[action for action in STEPS if possible(program, action)]
        if info is not None
        else [],
        steps=STEPS,
        admin=is_admin(),
        settings_path=settings_path(slug),
    )


@bp.route("/programs/<slug>/status/<action>", methods=["GET", "POST"])
@organizer_required
def program_lifecycle(slug: str, action: str) -> str | tuple[str, int] | Response:
    """Open/close sign-up, pause/resume rounds, archive/bring back: asked first, then done."""
    if action not in STEPS:
        abort(404)
    program = current_program()
    portal = services()
    info = portal.program_admin.info(slug)
    form = LifecycleForm()
    if not form.is_submitted():
        form.expected.data = str(info.version) if info else ""
        return render_template(
            "organize/lifecycle.html",
            program=program,
            action=action,
            step=STEPS[action],
            form=form,
            file_words=file_words(slug) if info is None else "",
            possible=possible(program, action),
            not_now=not_now(program, action),
        )
    if not form.validate():
        abort(400)  # the token checks failed before; nothing else is typed on this form
    back = redirect(url_for("organize.program_status", slug=slug))
    if info is None:
        flash(f"{file_words(slug)} Nothing was changed.", "error")
        return back
    if not possible(program, action):
        flash(f"{not_now(program, action)} Nothing was changed.", "error")
        return back
    expected = opened_version(form.expected.data)
    if expected is None:
        flash(f"{LOST_VERSION}: choose again on this page, which shows the live version.", "error")
        return back
    try:
        portal.program_admin.lifecycle(slug, action, expected=expected, by=current_organizer())
    except ProgramChanged as exc:
        # Its message says nothing was saved; the Status page it leads back to reads the live
        # version from the table (organizer_required), so it shows what changed.
        flash(str(exc), "error")
    except ProgramRefused as exc:
        flash(f"{exc} Nothing was changed.", "error")
    else:
        flash(STEPS[action].done, "ok")
    return back


# -- duplicating it -------------------------------------------------------------------------


@bp.route("/programs/<slug>/duplicate", methods=["GET", "POST"])
@organizer_required
def duplicate_program(slug: str) -> str | tuple[str, int] | Response:
    """A new program for the next cohort: these settings, none of the people (site admins)."""
    if not is_admin():
        abort(404)
    program = current_program()
    form = DuplicateForm()
    general: list[str] = []
    if form.is_submitted() and form.validate():
        made = not form.slug.data
        new_slug = _fill_slug(form)
        if not form.slug.errors:
            try:
                copy = services().program_admin.duplicate(
                    slug,
                    new_slug=new_slug,
                    new_title=str(form.title.data),
                    signup_open=bool(form.signup_open.data),
                    by=current_organizer(),
                )
            except ProgramRefused as exc:
                general = refusal_placed(form, exc)
                if made and form.slug.errors:
                    _unfill_slug(form, new_slug)
            else:
                flash(_created(copy, f"Duplicated {program.title} as"), "ok")
                return redirect(url_for("organize.program", slug=copy.slug))
    return _render_form("organize/duplicate.html", form, general, program=program)
