"""The forms of a pair's meeting page: propose a time, accept one, cancel the meeting."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from wtforms import Field, HiddenField, StringField
from wtforms.validators import Length, Optional, ValidationError

from portal.i18n import gettext, lazy_gettext, zone
from portal.web.forms import PortalForm

LINK_MAX = 500
# A version the page says it showed: a stored version number, in ASCII digits, short.
VERSION = re.compile(r"[0-9]{1,9}")
DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
CLOCK = re.compile(r"(\d{1,2}):(\d{2})")


def https_link(form: PortalForm, field: Field) -> None:
    """A pasted meeting link is an https:// web address (what calendars open safely)."""
    text = (field.data or "").strip()
    if not text:
        return
    if not text.lower().startswith("https://") or len(text) <= len("https://"):
        raise ValidationError(
            gettext("The meeting link must be a web address starting with https://.")
        )
    if any(character.isspace() for character in text):
        raise ValidationError(gettext("The meeting link must be one web address, without spaces."))


def local_start(day: date, clock: time, timezone: str) -> datetime | None:
    """The instant `clock` on `day` is on the reader's clocks, in UTC; None when those clocks
    skip that time (the hour lost when summer time starts). In the hour that repeats when it
    ends, the first of the two is meant."""
    place = zone(timezone)
    wall = datetime.combine(day, clock, tzinfo=place)
    instant = wall.astimezone(UTC)
    if instant.astimezone(place).replace(tzinfo=None) != wall.replace(tzinfo=None):
        return None
    return instant


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class VersionedForm(PortalForm):
    """A button of the meeting page: it says which version of the meeting the page showed."""

    version = HiddenField()

    def shown_version(self) -> int | None:
        """The version the page showed; None unless it sent a plain number."""
        text = self.version.data
        return int(text) if isinstance(text, str) and VERSION.fullmatch(text) else None


class ProposeForm(VersionedForm):
    """A time proposed: one of the suggestions (`start`, UTC) or a day and time typed in."""

    start = HiddenField()
    day = StringField(
        lazy_gettext("Day"),
        filters=[_stripped],
        validators=[Optional(), Length(max=20)],
        render_kw={"type": "date"},
    )
    clock = StringField(
        lazy_gettext("Time"),
        filters=[_stripped],
        validators=[Optional(), Length(max=10)],
        render_kw={"type": "time"},
    )
    link = StringField(
        lazy_gettext("Meeting link"),
        filters=[_stripped],
        validators=[Optional(), Length(max=LINK_MAX), https_link],
        description=lazy_gettext(
            "Optional: paste the link of a video call you have set up (it must start with "
            "https://). Without one, the program's own meeting link is used."
        ),
        render_kw={"maxlength": LINK_MAX, "inputmode": "url", "autocomplete": "off"},
    )

    def suggested_start(self) -> datetime | None:
        """The suggestion's start, when a suggestion's button sent one it can read."""
        text = (self.start.data or "").strip()
        if not text:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        if moment.tzinfo is None:
            return None
        return moment.astimezone(UTC)

    def typed_day(self) -> date | None:
        """The day typed, or None with a message beside the field."""
        text = self.day.data or ""
        found = DAY.fullmatch(text)
        if not text:
            self.day.errors = [gettext("Please give the day of the meeting.")]
            return None
        try:
            if found is None:
                raise ValueError(text)
            return date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            self.day.errors = [
                gettext("Please give the day as year-month-day, for example 2026-12-08.")
            ]
            return None

    def typed_clock(self) -> time | None:
        """The time of day typed, or None with a message beside the field."""
        text = self.clock.data or ""
        found = CLOCK.fullmatch(text)
        if not text:
            self.clock.errors = [gettext("Please give the time of the meeting.")]
            return None
        if found is None or int(found[1]) > 23 or int(found[2]) > 59:
            self.clock.errors = [
                gettext(
                    "Please give the time as hours:minutes on a 24-hour clock, for example 14:30."
                )
            ]
            return None
        return time(int(found[1]), int(found[2]))


class AcceptForm(VersionedForm):
    """Accept the partner's proposal."""

    proposal = HiddenField()


class CancelForm(VersionedForm):
    """Cancel the booked meeting."""
