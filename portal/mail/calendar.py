"""Calendar invites (.ics) for a pair's first meeting, written with the icalendar library.

Each person gets their own invite, its times in their own zone (DTSTART with their TZID and
the zone's VTIMEZONE, so a daylight-saving change before the meeting is their calendar's to
apply). The event keeps one UID across reschedules; SEQUENCE grows with each change, and a
cancellation is METHOD:CANCEL with STATUS:CANCELLED, which calendars apply to that event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

from portal import i18n
from portal.i18n import gettext

PRODID = "-//Mentor Portal//First meetings//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


@dataclass(frozen=True)
class CalendarPart:
    """An .ics to send with an email: its METHOD (REQUEST or CANCEL) and its text."""

    method: str
    text: str


def _address(mailbox: str) -> vCalAddress:
    return vCalAddress(f"mailto:{mailbox}")


def invite(
    *,
    uid: str,
    sequence: int,
    start: datetime,
    length: timedelta,
    zone: str,
    cancelled: bool,
    summary_of: tuple[str, str],
    link: str | None,
    organizer: str,
    attendees: tuple[str, ...],
    stamp: datetime,
    language: str,
) -> CalendarPart:
    """The invite (or cancellation) of one person, in their zone and language.

    `summary_of` is the program's title and the partner's name; `organizer` the portal's
    sender address; `attendees` the two people's addresses, the recipient first.
    """
    where = i18n.zone(zone)
    with i18n.speaking(language):
        title, partner = summary_of
        summary = gettext("First meeting with %(name)s (%(program)s)", name=partner, program=title)
        description = (
            gettext("Join the meeting: %(link)s", link=link)
            if link
            else gettext(
                "No meeting link yet: agree with %(name)s where you will meet.", name=partner
            )
        )
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", CANCEL if cancelled else REQUEST)
    event = Event()
    event.add("uid", f"{uid}@mentor-portal")
    event.add("sequence", sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", start.astimezone(where))
    event.add("dtend", (start + length).astimezone(where))
    event.add("summary", summary)
    event.add("description", description)
    if link:
        event.add("location", link)
        event.add("url", link)
    sender = organizer.rsplit("<", 1)[-1].rstrip(">").strip()
    event.add("organizer", _address(sender), parameters={"CN": vText("Mentor Portal")})
    for attendee in attendees:
        event.add(
            "attendee",
            _address(attendee),
            parameters={"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "FALSE"},
        )
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return CalendarPart(CANCEL if cancelled else REQUEST, calendar.to_ical().decode())
