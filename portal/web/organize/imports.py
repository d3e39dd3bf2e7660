"""Import people: a roster file from an HR system, uploaded, dry-run, then applied or discarded
(portal.services.roster_import). Nothing is stored about the people before Apply; the upload
itself is kept a day for its dry run."""

from __future__ import annotations

from typing import IO

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import default_stream_factory
from werkzeug.wrappers import Response

from portal.domain.program import Program
from portal.domain.roster import FIELDS, LABELS, NOT_KEPT
from portal.domain.roster_files import RosterFileError
from portal.domain.roster_plan import RosterPlan
from portal.extensions import csrf
from portal.i18n import N_, format_day, format_moment, gettext, ngettext
from portal.presenters.roster import counts_words, note_words, summary_words
from portal.services.roster_import import (
    CONSOLE_MAX_BYTES,
    Applied,
    DryRun,
    ImportChanged,
    ImportRefused,
    Staged,
)
from portal.web import services
from portal.web.auth import current_organizer, current_program, organizer_required
from portal.web.organize.blueprint import bp
from portal.web.organize.people import STATUS_WORDS

# Room for the multipart envelope and the form's other fields around a file of the limit.
ENVELOPE_BYTES = 64 * 1024
# How the dry run says where its column mapping came from.
MAPPING_SOURCES = {
    "saved": N_("your saved mapping"),
    "guessed": N_("recognised from the column names"),
    "chosen": N_("the mapping you chose"),
}
NOT_IMPORTED = ""  # the mapping's choice for a column the import leaves out


FOLLOW_UP_SHOWN = 200  # people listed as not signed up yet; the count says how many more


def _megabytes(size: int) -> str:
    """A byte count as the pages say it: `4 MB`."""
    return f"{size / 2**20:.0f} MB"


def _import_page(program: Program, *, error: str = "", status: int = 200) -> tuple[str, int]:
    """The Import people page: what an import does, the last import, and the upload form."""
    return (
        render_template(
            "organize/import.html",
            program=program,
            last=services().roster_imports.last(program.slug),
            follow_up=services().roster_imports.follow_up(program.slug),
            shown=FOLLOW_UP_SHOWN,
            error=error,
            full=_full_ticked(),
            limit=_megabytes(CONSOLE_MAX_BYTES),
            moment=format_moment,
            day=format_day,
            summary_words=summary_words,
        ),
        status,
    )


def _full_ticked() -> bool:
    """Whether the page shows "the whole roster" ticked: as sent, or ticked at first."""
    if request.method != "POST":
        return True
    try:
        return request.form.get("full") == "y"
    except RequestEntityTooLarge:
        # The form was refused as too large: reading it again raises again (on a real
        # server, where the body is a stream); show the box as it starts.
        return True


@bp.get("/programs/<slug>/import")
@organizer_required
def roster_import(slug: str) -> tuple[str, int]:
    """What importing people does, the program's last import, and the form to upload a file."""
    return _import_page(current_program())


@bp.post("/programs/<slug>/import")
@csrf.exempt  # checked in the view, once the larger limit for a file is set
@organizer_required
def upload_roster(slug: str) -> Response | tuple[str, int]:
    """Keep the file for its dry run (nothing about people is stored), and show the dry run."""
    program = current_program()
    # The app takes 1 MB bodies; a roster may be up to CONSOLE_MAX_BYTES. Set before the
    # form is read, which the CSRF check does first.
    request.max_content_length = CONSOLE_MAX_BYTES + ENVELOPE_BYTES
    spooled = _track_file_streams()
    try:
        csrf.protect()
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        # Werkzeug drops a file it had started to spool when the form is refused midway
        # (too many parts): close it here rather than leave it to the garbage collector.
        for stream in spooled:
            stream.close()
        if (request.content_length or 0) > request.max_content_length:
            return _too_large(program)
        return _import_page(
            program,
            error=gettext(
                "The upload could not be read: the form held far more than the file and "
                "the box this page sends. Choose the file and send it again."
            ),
            status=413,
        )
    if upload is None or not upload.filename:
        return _import_page(
            program,
            error=gettext("No file was chosen: choose the roster file (.csv or .xlsx)."),
            status=422,
        )
    data = upload.read()
    if len(data) > CONSOLE_MAX_BYTES:
        return _too_large(program)
    filename = upload.filename
    if not data:
        return _import_page(
            program,
            error=gettext("%(filename)s is empty: nothing in it to import.", filename=filename),
            status=422,
        )
    try:
        staged = services().roster_imports.stage(
            program,
            data,
            filename,
            full=request.form.get("full") == "y",
            by=current_organizer(),
        )
    except (RosterFileError, ImportRefused) as exc:
        return _import_page(program, error=str(exc), status=422)
    return redirect(url_for("organize.import_dry_run", slug=slug, upload_id=staged.upload_id))


def _track_file_streams() -> list[IO[bytes]]:
    """The streams this request's form parser makes for files, as it makes them."""
    made: list[IO[bytes]] = []

    def stream_factory(
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        stream = default_stream_factory(
            total_content_length, content_type, filename, content_length
        )
        made.append(stream)
        return stream

    # Werkzeug's per-request hook for file streams (Request._get_file_stream).
    request._get_file_stream = stream_factory  # type: ignore[method-assign]
    return made


def _too_large(program: Program) -> tuple[str, int]:
    """A file over the console's limit: the page again, saying the limit and the way round it."""
    return _import_page(
        program,
        error=(
            gettext(
                "That file is larger than the %(limit)s the console takes. Import it with the "
                "command line instead, which reads larger files: "
                "portal import FILE --program %(slug)s",
                limit=_megabytes(CONSOLE_MAX_BYTES),
                slug=program.slug,
            )
        ),
        status=413,
    )


def _staged(program: Program, upload_id: str) -> Staged:
    """The upload in the address, or the page saying it is gone (404)."""
    staged = services().roster_imports.staged(program.slug, upload_id)
    if staged is None:
        abort(_no_upload(program))
    return staged


def _no_upload(program: Program) -> Response:
    """The page for an upload id that is unknown, expired or another program's."""
    return make_response(render_template("organize/import_gone.html", program=program), 404)


def _dry_run(program: Program, staged: Staged) -> DryRun:
    """The dry run of a staged upload, with the mapping the organizer chose if any."""
    return services().roster_imports.check(
        program,
        staged.table,
        filename=staged.filename,
        full=staged.full,
        mapping=staged.mapping,
    )


def _dry_run_page(
    program: Program,
    staged: Staged,
    dry: DryRun,
    *,
    error: str = "",
    status: int = 200,
) -> tuple[str, int]:
    first = staged.table.rows[0] if staged.table.rows else None
    columns = [
        (index, header, first.cell(index) if first else "", dry.mapping.get(index, NOT_IMPORTED))
        for index, header in enumerate(dry.headers)
    ]
    return (
        render_template(
            "organize/import_dry_run.html",
            program=program,
            staged=staged,
            dry=dry,
            plan=dry.plan,
            columns=columns,
            choices=[
                (NOT_IMPORTED, gettext("Not imported")),
                *((f, _field_words(f)) for f in FIELDS),
            ],
            mapping_source=gettext(MAPPING_SOURCES[dry.mapping_source])
            if dry.mapping_source in MAPPING_SOURCES
            else dry.mapping_source,
            moment=format_moment,
            counts=counts_words(dry.plan.numbers()) if dry.plan is not None else "",
            note_words=note_words,
            status_words=STATUS_WORDS,
            apply_label=apply_label(dry.plan) if dry.plan is not None else "",
            error=error,
        ),
        status,
    )


@bp.get("/programs/<slug>/import/<upload_id>")
@organizer_required
def import_dry_run(slug: str, upload_id: str) -> tuple[str, int]:
    """The dry run: the column mapping, the diff, every bad row, and Apply when it can be."""
    program = current_program()
    staged = _staged(program, upload_id)
    return _dry_run_page(program, staged, _dry_run(program, staged))


@bp.post("/programs/<slug>/import/<upload_id>/mapping")
@organizer_required
def choose_import_mapping(slug: str, upload_id: str) -> Response | tuple[str, int]:
    """Read the file's columns as the organizer chose, and show the dry run again."""
    program = current_program()
    staged = _staged(program, upload_id)
    mapping: dict[int, str] = {}
    wrong: list[str] = []
    headers = staged.table.headers
    for name, value in request.form.items(multi=True):
        if name == "csrf_token":
            continue
        index = _column(name, len(headers))
        if index is None:
            wrong.append(
                gettext(
                    "“%(name)s” is not a column of %(filename)s",
                    name=name[:40],
                    filename=staged.filename,
                )
            )
        elif value not in FIELDS and value != NOT_IMPORTED:
            wrong.append(
                gettext(
                    "Column %(number)s “%(header)s”: “%(value)s” is not a field the portal reads",
                    number=index + 1,
                    header=headers[index],
                    value=value[:40],
                )
            )
        elif index in mapping:
            wrong.append(
                gettext(
                    "Column %(number)s “%(header)s” was given twice",
                    number=index + 1,
                    header=headers[index],
                )
            )
        elif value != NOT_IMPORTED:
            mapping[index] = value
    if wrong:
        return _dry_run_page(
            program,
            staged,
            _dry_run(program, staged),
            error=gettext("The mapping was not changed: %(problems)s.", problems="; ".join(wrong)),
            status=422,
        )
    try:
        services().roster_imports.choose_mapping(slug, upload_id, mapping)
    except ImportRefused:
        abort(_no_upload(program))  # gone since the page was read: say so, as for any
    return redirect(url_for("organize.import_dry_run", slug=slug, upload_id=upload_id))


def _column(name: str, count: int) -> int | None:
    """The column position a mapping field names (`column-3` is the fourth), or None."""
    prefix, _, number = name.partition("-")
    if prefix != "column" or not number.isascii() or not number.isdigit():
        return None
    index = int(number)
    return index if index < count else None


@bp.post("/programs/<slug>/import/<upload_id>/apply")
@organizer_required
def apply_roster(slug: str, upload_id: str) -> Response | tuple[str, int]:
    """Apply the dry run the organizer saw: invitations, pauses and updates, all or nothing."""
    program = current_program()
    staged = _staged(program, upload_id)
    dry = _dry_run(program, staged)
    portal = services()
    try:
        applied = portal.roster_imports.apply(
            program,
            dry,
            by=current_organizer(),
            save_mapping=request.form.get("save_mapping") == "y",
            expected=request.form.get("expected", ""),
        )
    except ImportChanged as exc:
        return _dry_run_page(
            program,
            staged,
            exc.dry_run,
            error=(
                gettext(
                    "Nothing was applied: the program or its people changed since you looked "
                    "at this dry run. Here it is as things stand now; check it, then apply it "
                    "again."
                )
            ),
            status=409,
        )
    except ImportRefused as exc:
        return _dry_run_page(
            program,
            staged,
            dry,
            error=gettext("Nothing was applied: %(reason)s", reason=exc),
            status=409,
        )
    portal.roster_imports.discard(slug, upload_id)
    flash(applied_message(applied), "ok")
    return redirect(url_for("organize.roster_import", slug=slug))


@bp.post("/programs/<slug>/import/<upload_id>/discard")
@organizer_required
def discard_roster(slug: str, upload_id: str) -> Response:
    """Forget the uploaded file: nothing of it was applied, nobody is told."""
    program = current_program()
    staged = _staged(program, upload_id)
    services().roster_imports.discard(slug, upload_id)
    flash(
        gettext(
            "Discarded: %(filename)s is deleted; nothing of it was applied.",
            filename=staged.filename,
        ),
        "ok",
    )
    return redirect(url_for("organize.roster_import", slug=program.slug))


def apply_label(plan: RosterPlan) -> str:
    """The Apply button, naming what it does: "Apply: invite 12, pause 2, update 3"."""
    withdrawn = len(plan.gone) - len(plan.to_pause)
    parts = [
        gettext(words, count=count)
        for words, count in (
            (N_("invite %(count)s"), len(plan.to_invite)),
            (N_("pause %(count)s"), len(plan.to_pause)),
            (N_("update %(count)s"), len(plan.changed) + len(plan.known)),
        )
        if count
    ]
    if withdrawn:
        parts.append(ngettext("stop %(num)s invitation", "stop %(num)s invitations", withdrawn))
    return gettext("Apply: %(actions)s", actions=", ".join(parts) or gettext("record this roster"))


def _field_words(field: str) -> str:
    """A field the mapping offers, in words: "hire date (read, not kept)"."""
    if field in NOT_KEPT:
        return gettext("%(field)s (read, not kept)", field=gettext(LABELS[field]))
    return gettext(LABELS[field])


def applied_message(applied: Applied) -> str:
    """What the flash after Apply says: the figures, what was done now, what is left."""
    ended = ngettext(
        "%(num)s match ended kindly", "%(num)s matches ended kindly", applied.ended_matches
    )
    done = ngettext(
        "%(invited)s invited, %(paused)s paused (%(ended)s) and %(num)s sign-up updated so far",
        "%(invited)s invited, %(paused)s paused (%(ended)s) and %(num)s sign-ups updated so far",
        applied.updated,
        invited=applied.invited,
        paused=applied.paused,
        ended=ended,
    )
    message = gettext(
        "Applied: %(summary)s. Done now: %(done)s.",
        summary=counts_words(applied.numbers),
        done=done,
    )
    if applied.pending:
        message += " " + ngettext(
            "%(num)s more step is left to finish in the background: this page counts them "
            "until they are done.",
            "%(num)s more steps are left to finish in the background: this page counts them "
            "until they are done.",
            applied.pending,
        )
    return message
