"""Every email the portal sends, declared once: who may get it, whether unsubscribing stops it,
and the shape of its idempotency key.

A new email is a folder under templates/email/<name>/ and one entry here; the mail service
refuses to queue anything else (tests/unit/mail/test_catalog.py checks the two agree).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from enum import StrEnum

from portal.domain.addresses import address_digest


class Recipient(StrEnum):
    """Who an email goes to."""

    PARTICIPANT = "participant"  # someone signed up to a program, by their stored address
    ORGANIZER = "organizer"  # an organizer listed in the program's definition
    APPLICANT = "applicant"  # the address just typed on a form (sign-up, sign-in)
    INVITEE = "invitee"  # named by an organizer's roster import, not signed up


class CatalogError(Exception):
    """An email the catalogue does not declare, or one sent in a way it does not allow."""


@dataclass(frozen=True)
class Email:
    """One email the portal sends."""

    template: str  # the folder under templates/email
    recipients: frozenset[Recipient]
    # False for what the person asked for just now (a confirmation, a fresh link): it goes out
    # after they unsubscribed from program mail (never after a bounce or a complaint).
    unsubscribe_stops: bool
    # The outbox key, from named parts: the same email to the same person is queued once.
    key: str

    def key_for(self, **parts: str) -> str:
        """The idempotency key from its parts; every part of the shape and no other."""
        wanted = {name for _, name, _, _ in string.Formatter().parse(self.key) if name}
        if set(parts) != wanted:
            raise CatalogError(
                f"the key of {self.template!r} is {self.key!r}: "
                f"given {sorted(parts)}, expected {sorted(wanted)}"
            )
        # An organizer is no participant and has no id: the key holds their address's digest.
        if "organizer" in parts:
            parts = {**parts, "organizer": address_digest(parts["organizer"])}
        return self.key.format(**parts)


def _email(template: str, recipients: set[Recipient], key: str, *, stops: bool = True) -> Email:
    return Email(template, frozenset(recipients), unsubscribe_stops=stops, key=key)


PT, ORG, APP = Recipient.PARTICIPANT, Recipient.ORGANIZER, Recipient.APPLICANT
INV = Recipient.INVITEE

# {address} is a digest of the typed address (keys appear in logs); {window} a few minutes'
# slot, so a second sign-up soon after gets no second email; {request} one request for a
# sign-in link (each one admitted by the limits gets its email); {person} a participant's id;
# {organizer} is given as an address and put in the key as its address_digest; {match} is a
# match_ref; {email} the outbox key of the email that failed.
EMAILS: dict[str, Email] = {
    e.template: e
    for e in (
        # Sign-up: asked for by the person at the form, so sent even after an unsubscribe.
        _email("confirm_signup", {APP}, "confirm:{program}:{address}:{window}", stops=False),
        _email("already_registered", {APP}, "already:{program}:{address}:{window}", stops=False),
        # Sign-in: asked for at the sign-in form, for the person's pages in every program.
        _email("sign_in", {APP}, "signin:{address}:{request}", stops=False),
        # A roster import's invitation ({n} 1) and its two reminders ({n} 2 and 3).
        _email("invitation", {INV}, "invite:{program}:{address}:{n}"),
        # Rounds
        _email("introduction", {PT}, "intro:{program}:{round}:{person}:{other}"),
        _email("suggestions", {PT}, "suggest:{program}:{round}:{person}"),
        # Left without a match by a round: once per round, and only when it is news to them.
        _email("waiting", {PT}, "waiting:{program}:{round}:{person}"),
        _email("match_summary", {ORG}, "summary:{program}:{round}:{organizer}"),
        # Group programs: {group} is the group's id, {members} a fingerprint of who is in it,
        # so that a group that grows introduces itself again, once.
        _email("group_introduction", {PT}, "group:{program}:{group}:{members}:{person}"),
        # A match's life: {step} is the reminder ladder's step and stretch, or the survey's.
        _email("checkin_reminder", {PT}, "nudge:{program}:{match}:{step}:{person}"),
        _email("second_nudge", {PT}, "nudge:{program}:{match}:{step}:{person}"),
        _email("rematch_offer", {PT}, "nudge:{program}:{match}:{step}:{person}"),
        _email("survey", {PT}, "nudge:{program}:{match}:{step}:{person}"),
        # A group's reminders: {match} is the group's id, one email per member per step.
        _email("group_reminder", {PT}, "nudge:{program}:{match}:{step}:{person}"),
        _email("match_ended", {PT}, "ended:{program}:{match}:{person}"),
        # A pair's first meeting: {proposal} is a proposal's id, {uid} the calendar event's
        # (fixed across reschedules) and {sequence} its change number, so a retry never
        # sends twice and each change sends once.
        _email("meeting_proposed", {PT}, "meeting-proposed:{program}:{match}:{proposal}:{person}"),
        _email("meeting_invite", {PT}, "meeting:{program}:{match}:{uid}:{sequence}:{person}"),
        _email(
            "meeting_cancelled", {PT}, "meeting-cancel:{program}:{match}:{uid}:{sequence}:{person}"
        ),
        _email("meeting_follow_up", {PT}, "meeting-after:{program}:{match}:{uid}:{person}"),
        # Organizers' reports
        # Every alert due today (stalled pairs, quiet groups), in one email a day: {day} is
        # the program's local date (portal/services/digests.py).
        _email("organizer_digest", {ORG}, "digest:{program}:{day}:{organizer}"),
        _email("progress_summary", {ORG}, "progress:{program}:{occurrence}:{organizer}"),
        _email("delivery_failed", {ORG}, "failed:{email}:{organizer}"),
    )
}


def email(template: str, recipient: Recipient) -> Email:
    """The catalogue's entry for an email to this kind of recipient; CatalogError if none."""
    entry = EMAILS.get(template)
    if entry is None:
        raise CatalogError(f"{template!r} is not an email the portal sends (portal/mail/catalog)")
    if recipient not in entry.recipients:
        allowed = ", ".join(sorted(entry.recipients))
        raise CatalogError(f"{template!r} goes to {allowed}, not to a {recipient}")
    return entry
