"""The program editor's first-meeting section: the pairs' video-room link and the length."""

from __future__ import annotations

from wtforms import Field, Form, IntegerField, StringField
from wtforms.validators import Length, Optional, StopValidation

from portal.i18n import gettext, lazy_gettext

MEETING_LINK_MAX = 300  # the program model's limit
MEETING_MINUTES = (15, 180)


def _meeting_minutes(form: Form, field: Field) -> None:
    """A whole number of minutes in range, said once in the reader's language (not also
    WTForms' English "Not a valid integer value")."""
    low, high = MEETING_MINUTES
    if field.data is None or not low <= field.data <= high:
        field.errors = []  # StopValidation's message is the field's one
        raise StopValidation(gettext("Please give a whole number of minutes from 15 to 180."))


class MeetingsForm(Form):
    """A pair's first meeting: the program's video-room link and how long a meeting lasts."""

    link_pattern = StringField(
        lazy_gettext("Meeting link for each pair"),
        validators=[Optional(), Length(max=MEETING_LINK_MAX)],
        description=lazy_gettext(
            "A video-room web address starting with https:// and containing {room}, which is "
            "replaced by a random name fixed for each pair, for example "
            "https://meet.jit.si/mentor-portal-{room}. It goes into each pair's calendar "
            "invite unless they paste a link of their own. Leave it empty for none."
        ),
        render_kw={"maxlength": MEETING_LINK_MAX, "inputmode": "url"},
    )
    length_minutes = IntegerField(
        lazy_gettext("Length of a first meeting, in minutes"),
        validators=[_meeting_minutes],
        description=lazy_gettext(
            "The times proposed to a pair leave this long inside both people's free hours, "
            "and the calendar invite lasts this long."
        ),
        render_kw={"min": MEETING_MINUTES[0], "max": MEETING_MINUTES[1], "inputmode": "numeric"},
    )
