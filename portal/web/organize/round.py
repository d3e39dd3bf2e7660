"""Run a round now: a preview of a round on today's pool, which the organizer publishes or
discards (portal.services.rounds.preview)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal.domain.program import Approval, Program
from portal.i18n import format_moment, gettext, ngettext
from portal.services.rounds import (
    AlreadyPublishedError,
    Preview,
    PreviewError,
    UnknownRoundError,
)
from portal.web import services
from portal.web.auth import current_organizer, current_program, organizer_required
from portal.web.organize.blueprint import bp


@bp.get("/programs/<slug>/round")
@organizer_required
def round_now(slug: str) -> str:
    """The open preview with its pairs, reasons and the people it leaves waiting; or the
    button that makes one."""
    program = current_program()
    portal = services()
    preview = portal.rounds.open_preview(program)
    people = {p.email: p for p in portal.participation.people(slug)}
    return render_template(
        "organize/round.html",
        program=program,
        preview=preview,
        people=people,
        choosing=program.approval is Approval.MENTEE_CHOICE,
        publish_label=_publish_label(program, preview) if preview else "",
        moment=format_moment,
    )


def _publish_label(program: Program, preview: Preview) -> str:
    """The Publish button, naming what it sends."""
    if program.approval is Approval.MENTEE_CHOICE:
        mentees = len({m.mentee for m in preview.pairs})
        if mentees:
            return ngettext(
                "Publish: email suggestions to %(num)s mentee now",
                "Publish: email suggestions to %(num)s mentees now",
                mentees,
            )
    elif preview.pairs:
        return ngettext(
            "Publish: email %(num)s introduction now",
            "Publish: email %(num)s introductions now",
            len(preview.pairs),
        )
    return gettext("Publish: record this round, which made no pairs")


def _detail(preview: Preview) -> str:
    """What the audit log keeps of a preview: counts only."""
    unmatched = len(preview.result.unmatched) if preview.result else 0
    if any(m.status == "suggested" for m in preview.pairs):
        mentees = len({m.mentee for m in preview.pairs})
        return f"{len(preview.pairs)} suggestions to {mentees} mentees, {unmatched} unmatched"
    return f"{len(preview.pairs)} pairs, {unmatched} unmatched"


def _no_such_preview(program: Program) -> tuple[str, int]:
    """The round in the address is not this program's open preview."""
    return render_template("organize/no_preview.html", program=program), 404


@bp.post("/programs/<slug>/round")
@organizer_required
def preview_round(slug: str) -> Response:
    """Make the preview (nobody is told), and show it."""
    program = current_program()
    portal = services()
    try:
        preview = portal.rounds.preview(program)
    except PreviewError as exc:
        flash(str(exc), "error")
    else:
        portal.audit.record(
            slug,
            current_organizer(),
            "preview_round",
            subject_kind="round",
            subject=preview.round.round_id,
            detail=_detail(preview),
        )
    return redirect(url_for("organize.round_now", slug=slug))


@bp.post("/programs/<slug>/round/<round_id>/publish")
@organizer_required
def publish_round(slug: str, round_id: str) -> Response | tuple[str, int]:
    """Publish the preview: make the pairs that still can be, and send what the program sends."""
    program = current_program()
    portal = services()
    try:
        outcome = portal.rounds.publish(program, round_id)
    except UnknownRoundError:
        return _no_such_preview(program)
    except AlreadyPublishedError:
        flash(
            gettext(
                "This preview was published already (by another organizer, or in another tab), "
                "or its publishing was cut short and the next round or preview finishes it: "
                "nothing is sent twice."
            ),
            "error",
        )
        return redirect(url_for("organize.round_now", slug=slug))
    except PreviewError as exc:
        flash(str(exc), "error")
        return redirect(url_for("organize.round_now", slug=slug))
    if outcome.status != "done":
        message = gettext(
            "Published: the round made no pairs, and nobody waiting has news to be told."
        )
    elif program.approval is Approval.MENTEE_CHOICE:
        message = ngettext(
            "Published: %(num)s suggestion is emailed to the mentees, who choose their mentor.",
            "Published: %(num)s suggestions are emailed to the mentees, who choose their mentor.",
            outcome.pairs,
        )
    else:
        message = ngettext(
            "Published: %(num)s pair is introduced by email.",
            "Published: %(num)s pairs are introduced by email.",
            outcome.pairs,
        )
    if outcome.refused:
        message += " " + gettext(
            "%(count)s could not be made: %(notes)s.",
            count=outcome.refused,
            notes="; ".join(outcome.notes),
        )
    flash(message, "ok")
    portal.audit.record(
        slug,
        current_organizer(),
        "publish_round",
        subject_kind="round",
        subject=round_id,
        detail=f"{outcome.pairs} made, {outcome.refused} could not be made",
    )
    return redirect(url_for("organize.round_now", slug=slug))


@bp.post("/programs/<slug>/round/<round_id>/discard")
@organizer_required
def discard_round(slug: str, round_id: str) -> Response | tuple[str, int]:
    """Discard the preview: nothing of it stays, nobody is told."""
    program = current_program()
    portal = services()
    try:
        removed = portal.rounds.discard(program, round_id)
    except UnknownRoundError:
        return _no_such_preview(program)
    except AlreadyPublishedError:
        flash(
            gettext("This preview was published already: it can no longer be discarded."),
            "error",
        )
        return redirect(url_for("organize.round_now", slug=slug))
    flash(gettext("Discarded: the preview is deleted, and nobody was told."), "ok")
    portal.audit.record(
        slug,
        current_organizer(),
        "discard_round",
        subject_kind="round",
        subject=round_id,
        detail=f"{removed} drafts deleted",
    )
    return redirect(url_for("organize.round_now", slug=slug))
