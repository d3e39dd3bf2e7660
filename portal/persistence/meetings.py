"""A pair's first meeting, stored on its match item: every change conditional on its version.

The meeting is three attributes of the match (portal/persistence/tables.py MatchRecord):
`meeting_state`, `meeting_version` and `meeting` (JSON). A write names the version it read;
of two writes from the same version (two accepts at once) the database takes one, and the
other is told it lost, so a pair never has two meetings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.domain.matches import MatchState
from portal.domain.meetings import Meeting, Proposal
from portal.persistence.conditional import update_if
from portal.persistence.tables import MatchRecord


def _when(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) and text else None


def _instant(text: Any) -> datetime:
    return datetime.fromisoformat(str(text))


def _text(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def meeting_of(record: MatchRecord) -> Meeting | None:
    """The meeting stored on a match item; None when none was ever proposed."""
    if record.meeting_state is None and record.meeting is None:
        return None
    stored: dict[str, Any] = dict(record.meeting or {})
    proposals = tuple(
        Proposal(
            id=str(p["id"]),
            start=_instant(p["start"]),
            by=str(p["by"]),
            at=_instant(p["at"]),
            link=p.get("link") or None,
        )
        for p in stored.get("proposals", ())
    )
    return Meeting(
        state=record.meeting_state,
        version=int(record.meeting_version or 0),
        proposals=proposals,
        start=_when(stored.get("start")),
        length_minutes=int(stored.get("length_minutes") or 45),
        link=stored.get("link"),
        uid=stored.get("uid"),
        sequence=int(stored.get("sequence") or 0),
        booked_at=_when(stored.get("booked_at")),
        by=stored.get("by"),
        room=stored.get("room"),
        moved=bool(stored.get("moved")),
    )


def _document(meeting: Meeting) -> dict[str, Any]:
    return {
        "proposals": [
            {"id": p.id, "start": _text(p.start), "by": p.by, "at": _text(p.at), "link": p.link}
            for p in meeting.proposals
        ],
        "start": _text(meeting.start),
        "length_minutes": meeting.length_minutes,
        "link": meeting.link,
        "uid": meeting.uid,
        "sequence": meeting.sequence,
        "booked_at": _text(meeting.booked_at),
        "by": meeting.by,
        "room": meeting.room,
        "moved": meeting.moved,
    }


def without_id(document: dict[str, Any] | None, participant_id: str, stand_in: str) -> Any:
    """A stored meeting with an erased person's id replaced by the match's stand-in."""
    if not document:
        return document
    proposals = [
        {**p, "by": stand_in if p.get("by") == participant_id else p.get("by")}
        for p in document.get("proposals", ())
    ]
    by = document.get("by")
    return {
        **document,
        "proposals": proposals,
        "by": stand_in if by == participant_id else by,
    }


class MeetingStore:
    """Writes of a pair's meeting onto its match item."""

    def write(self, program: str, match_id: str, meeting: Meeting, now: datetime) -> bool:
        """Store `meeting` (whose version is the one read, plus one) if the item still holds
        the version read and the match is active; False if someone changed it first."""
        if meeting.state is None:
            raise ValueError("a stored meeting has a state")
        read = meeting.version - 1
        unchanged = (
            MatchRecord.meeting_version.does_not_exist()
            if read == 0
            else MatchRecord.meeting_version == read
        )
        return update_if(
            MatchRecord(program, match_id),
            [
                MatchRecord.meeting_state.set(meeting.state),
                MatchRecord.meeting_version.set(meeting.version),
                MatchRecord.meeting.set(_document(meeting)),
                MatchRecord.updated_at.set(now),
            ],
            (MatchRecord.status == MatchState.ACTIVE.value) & unchanged,
        )
