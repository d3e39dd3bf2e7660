"""A pair's first meeting, from the pair's page: times they share, proposals, the booking.

Times are shown in the reader's zone and their partner's, each zone named; a time typed in is
read on the reader's clocks that day (a daylight-saving change between now and then is theirs
to live, not a fixed offset's). Every change is a POST with the CSRF token and the version of
the meeting the page showed, so a change the partner made meanwhile is never overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal.domain.meetings import Proposal
from portal.domain.participants import Participant
from portal.i18n import format_moment, format_time, gettext, zone, zone_name
from portal.presenters.meetings import refusal_text
from portal.services.meetings import MeetingChanged, MeetingRefused, MeetingView
from portal.web import services
from portal.web.auth import participant_required
from portal.web.languages.routes import reader_speaks
from portal.web.me.meeting_forms import (
    AcceptForm,
    CancelForm,
    ProposeForm,
    VersionedForm,
    local_start,
)
from portal.web.me.routes import Me, _checked_action, _match, _me, bp

PAGE = "me/meeting.html"


@dataclass(frozen=True)
class Shown:
    """One time as the page says it: in the reader's zone, and for the partner in theirs."""

    start: datetime  # UTC
    mine: str
    theirs: str


@dataclass(frozen=True)
class ShownProposal:
    """A pending proposal: when, and whether the reader made it (then they wait)."""

    proposal: Proposal
    when: Shown
    mine: bool


def shown(moment: datetime, reader: Participant, partner: Participant, today: date) -> Shown:
    """`moment` in the reader's words and zone, and as the partner's clock reads it."""
    mine = format_moment(moment, reader.timezone, today=today)
    same_day = (
        moment.astimezone(zone(reader.timezone)).date()
        == moment.astimezone(zone(partner.timezone)).date()
    )
    if same_day:
        when = gettext(
            "%(time)s (%(zone)s)",
            time=format_time(moment, partner.timezone),
            zone=zone_name(partner.timezone, moment),
        )
    else:
        when = format_moment(moment, partner.timezone, today=today)
    return Shown(
        moment, mine, gettext("for %(name)s: %(when)s", name=partner.first_name, when=when)
    )


def _view(me: Me, match_id: str) -> MeetingView:
    portal = services()
    try:
        return portal.meetings.view(me.program.slug, match_id, me.person.participant_id)
    except MeetingRefused:
        abort(404)  # the match ended between the page's check and the read


def _render(
    me: Me,
    match_ref: str,
    view: MeetingView,
    *,
    propose: ProposeForm | None = None,
    refused: str = "",
    changed: str = "",
    status: int = 200,
) -> tuple[str, int]:
    today = services().clock().date()
    reader, partner = view.reader, view.partner
    form = propose if propose is not None else ProposeForm(formdata=None)
    if not me.program.meetings.link_pattern:
        # No program link to fall back on: the help says only what is true.
        form.link.description = gettext(
            "Optional: paste the link of a video call you have set up (it must start with "
            "https://)."
        )
    pending = tuple(
        ShownProposal(p, shown(p.start, reader, partner, today), p.by == reader.participant_id)
        for p in view.proposals
    )
    return (
        render_template(
            PAGE,
            program=me.program,
            person=me.person,
            partner=partner,
            match_ref=match_ref,
            view=view,
            suggestions=[shown(s, reader, partner, today) for s in view.suggestions],
            pending=pending,
            booked=shown(view.start, reader, partner, today) if view.start else None,
            minutes=int(view.length.total_seconds() // 60),
            form=form,
            accept=AcceptForm(formdata=None),
            cancel=CancelForm(formdata=None),
            version=view.version,
            refused=refused,
            changed=changed,
            zone_now=zone_name(reader.timezone, services().clock()),
            invited=_invited_words(view),
        ),
        status,
    )


def _invited_words(view: MeetingView) -> str:
    """Who of the pair received the booked meeting's invite, as the outbox says."""
    name = view.partner.first_name
    partner = view.why_uninvited(view.partner.participant_id)
    reader = view.why_uninvited(view.reader.participant_id)
    if partner is None and reader is None:
        return gettext(
            "You both received a calendar invite by email. To move the meeting, propose a new "
            "time below: the meeting stands until %(name)s accepts the new time.",
            name=name,
        )
    if reader is None:
        said = (
            gettext(
                "You received a calendar invite by email. %(name)s has turned off program "
                "email, so the portal did not send them one: tell them the time yourself.",
                name=name,
            )
            if partner == "unsubscribe"
            else gettext(
                "You received a calendar invite by email. %(name)s's address does not take the "
                "portal's emails, so the portal did not send them one: tell them the time "
                "yourself.",
                name=name,
            )
        )
    elif partner is None:
        said = (
            gettext(
                "%(name)s received a calendar invite by email. You have turned off program "
                "email, so the portal did not send you one: add the meeting to your calendar "
                "yourself.",
                name=name,
            )
            if reader == "unsubscribe"
            else gettext(
                "%(name)s received a calendar invite by email. Your address does not take the "
                "portal's emails, so the portal did not send you one: add the meeting to your "
                "calendar yourself.",
                name=name,
            )
        )
    else:
        said = gettext(
            "Neither of you received a calendar invite by email: the portal does not email "
            "your addresses. Add the meeting to your calendars yourselves."
        )
    moving = gettext(
        "To move the meeting, propose a new time below: the meeting stands until %(name)s "
        "accepts the new time.",
        name=name,
    )
    return f"{said} {moving}"


def _changed_words(view: MeetingView) -> str:
    """What the page says when the partner changed the meeting while the reader looked."""
    name = view.partner.first_name
    if view.state == "booked":
        return gettext(
            "%(name)s changed the meeting a moment ago, so nothing you sent was saved: here is "
            "the meeting as it stands now.",
            name=name,
        )
    if view.state == "cancelled":
        return gettext(
            "%(name)s cancelled the meeting a moment ago, so nothing you sent was saved.",
            name=name,
        )
    return gettext(
        "%(name)s changed the proposals a moment ago, so nothing you sent was saved: here they "
        "are as they stand now.",
        name=name,
    )


def _stale(me: Me, match_ref: str, match_id: str, *, lost: bool = False) -> tuple[str, int]:
    """The page as it stands now, saying why the reader's page was out of date: the partner
    changed the meeting, or (`lost`) the page did not say which version it showed."""
    view = _view(me, match_id)
    words = (
        gettext(
            "This page did not say which version of the meeting it showed, so nothing was "
            "saved: here is the meeting as it stands now."
        )
        if lost
        else _changed_words(view)
    )
    return _render(me, match_ref, view, changed=words, status=409)


@bp.get("/me/programs/<slug>/matches/<match_ref>/meeting")
@participant_required
def meeting(slug: str, match_ref: str) -> tuple[str, int]:
    me = _me()
    reader_speaks(me.person.language)
    match = _match(me, match_ref)
    return _render(me, match_ref, _view(me, match.match_id))


def _version(form: VersionedForm, me: Me, match_ref: str, match_id: str) -> int | tuple[str, int]:
    """The version the page showed, or the page as it is now when the form's check failed."""
    if not form.validate_on_submit():
        abort(400)
    version = form.shown_version()
    if version is None:
        return _stale(me, match_ref, match_id, lost=True)
    return version


@bp.post("/me/programs/<slug>/matches/<match_ref>/meeting/propose")
@participant_required
def propose_meeting(slug: str, match_ref: str) -> Response | tuple[str, int]:
    me = _me()
    reader_speaks(me.person.language)
    match = _match(me, match_ref)
    _checked_action()  # the CSRF token; the fields' own checks speak beside them, below
    form = ProposeForm()
    form.validate()
    version = form.shown_version()
    if version is None:
        return _stale(me, match_ref, match.match_id, lost=True)
    start = form.suggested_start()
    if start is None and not form.errors:
        day, clock = form.typed_day(), form.typed_clock()
        if day is not None and clock is not None:
            start = local_start(day, clock, me.person.timezone)
            if start is None:
                form.clock.errors = [
                    gettext(
                        "Clocks in your time zone skip that time on that day (summer time "
                        "starts): please choose another time."
                    )
                ]
    view = _view(me, match.match_id)
    if start is None or form.errors:
        return _render(me, match_ref, view, propose=form, status=422)
    try:
        done = services().meetings.propose(
            slug,
            match.match_id,
            me.person.participant_id,
            start,
            expected_version=version,
            link=form.link.data or None,
        )
    except MeetingChanged:
        return _stale(me, match_ref, match.match_id)
    except MeetingRefused as exc:
        words = refusal_text(exc.refusal)
        return _render(me, match_ref, view, propose=form, refused=words, status=422)
    name = view.partner.first_name
    if done.why_unreached(view.partner.participant_id) is None:
        flash(
            gettext("Your proposal is sent: %(name)s is asked to accept it by email.", name=name),
            "notice",
        )
    else:
        flash(
            gettext("Your proposal is saved: %(name)s can accept it on this page.", name=name),
            "notice",
        )
    _flash_unreached(done)
    return _back(slug, match_ref)


def _flash_unreached(view: MeetingView) -> None:
    """Say, for each of the pair the action could not email, why and what to do instead."""
    name = view.partner.first_name
    partner = view.why_unreached(view.partner.participant_id)
    if partner == "unsubscribe":
        flash(
            gettext(
                "%(name)s has turned off program email, so the portal did not email them "
                "about this: tell them yourself.",
                name=name,
            ),
            "notice",
        )
    elif partner is not None:
        flash(
            gettext(
                "%(name)s's address does not take the portal's emails, so the portal did not "
                "email them about this: tell them yourself.",
                name=name,
            ),
            "notice",
        )
    reader = view.why_unreached(view.reader.participant_id)
    if reader == "unsubscribe":
        flash(
            gettext(
                "You have turned off program email, so the portal did not email you about "
                "this: keep your calendar up to date yourself."
            ),
            "notice",
        )
    elif reader is not None:
        flash(
            gettext(
                "Your address does not take the portal's emails, so the portal did not email "
                "you about this: keep your calendar up to date yourself."
            ),
            "notice",
        )


def _done_words(view: MeetingView, cancelled: bool) -> str:
    """What a booking or a cancellation did, naming only the emails that were queued."""
    name = view.partner.first_name
    partner = view.why_unreached(view.partner.participant_id) is None
    reader = view.why_unreached(view.reader.participant_id) is None
    if cancelled:
        if partner and reader:
            return gettext(
                "The meeting is cancelled: you both get an email that takes it off your calendars."
            )
        if reader:
            return gettext(
                "The meeting is cancelled: you get an email that takes it off your calendar."
            )
        if partner:
            return gettext(
                "The meeting is cancelled: %(name)s gets an email that takes it off their "
                "calendar.",
                name=name,
            )
        return gettext("The meeting is cancelled.")
    if partner and reader:
        return gettext("The meeting is booked: you both get a calendar invite by email.")
    if reader:
        return gettext("The meeting is booked: you get a calendar invite by email.")
    if partner:
        return gettext(
            "The meeting is booked: %(name)s gets a calendar invite by email.", name=name
        )
    return gettext("The meeting is booked.")


@bp.post("/me/programs/<slug>/matches/<match_ref>/meeting/accept")
@participant_required
def accept_meeting(slug: str, match_ref: str) -> Response | tuple[str, int]:
    form = AcceptForm()
    return _act(
        slug,
        match_ref,
        form,
        lambda match_id, by, version: services().meetings.accept(
            slug, match_id, by, form.proposal.data or "", expected_version=version
        ),
        cancelled=False,
    )


@bp.post("/me/programs/<slug>/matches/<match_ref>/meeting/cancel")
@participant_required
def cancel_meeting(slug: str, match_ref: str) -> Response | tuple[str, int]:
    return _act(
        slug,
        match_ref,
        CancelForm(),
        lambda match_id, by, version: services().meetings.cancel(
            slug, match_id, by, expected_version=version
        ),
        cancelled=True,
    )


def _act(
    slug: str,
    match_ref: str,
    form: VersionedForm,
    action: Callable[[str, str, int], MeetingView],
    *,
    cancelled: bool,
) -> Response | tuple[str, int]:
    """Accept or cancel, as the page's version of the meeting allows: the page again with the
    refusal, the meeting as it now stands (409), or back to the page with what was emailed."""
    me = _me()
    reader_speaks(me.person.language)
    match = _match(me, match_ref)
    version = _version(form, me, match_ref, match.match_id)
    if not isinstance(version, int):
        return version
    try:
        done = action(match.match_id, me.person.participant_id, version)
    except MeetingChanged:
        return _stale(me, match_ref, match.match_id)
    except MeetingRefused as exc:
        view = _view(me, match.match_id)
        return _render(me, match_ref, view, refused=refusal_text(exc.refusal), status=422)
    flash(_done_words(done, cancelled=cancelled), "notice")
    _flash_unreached(done)
    return _back(slug, match_ref)


def _back(slug: str, match_ref: str) -> Response:
    return redirect(url_for("me.meeting", slug=slug, match_ref=match_ref))
