"""The organizers' audit log: what an organizer did in the console, by whom and when.

An entry names its subject by id (a participant's or a match's), never by name or address, so
that erasing a person leaves nothing of theirs in the log; the console shows the name while the
person is still there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Each action the console records, with the words the audit page shows for it.
ACTIONS: dict[str, str] = {
    "end_match": "Ended a match",
    "pause": "Paused a person",
    "resume": "Resumed a person",
    "remove": "Removed a person",
    "resend_link": "Sent a new sign-in link",
    "lift_unsubscribe": "Turned email back on",
    "lift_bounce": "Cleared a soft bounce",
    "move_mentee": "Moved a waiting mentee to a mentor",
    "adjust_draft": "Changed a draft pair",
    "approve_round": "Approved a round's drafts",
    "preview_round": "Previewed a round",
    "publish_round": "Published a previewed round",
    "discard_round": "Discarded a previewed round",
    "export": "Exported a CSV file",
    "create_program": "Created the program",
    "edit_program": "Changed the program's settings",
    "open_signup": "Opened sign-up",
    "close_signup": "Closed sign-up",
    "pause_rounds": "Paused rounds",
    "resume_rounds": "Resumed rounds",
    "archive_program": "Archived the program",
    "unarchive_program": "Brought the program back from the archive",
    "duplicate_program": "Duplicated the program for a new cohort",
    "import_program": "Loaded the program from a file",
    "import_roster": "Imported a roster",
}

# Subject kinds: a participant's id, a match's id, a round's id, a program's version (its
# number), or nothing.
SUBJECT_KINDS = ("participant", "match", "round", "version", "")


class UnknownActionError(ValueError):
    """An action the audit log has no words for: a programming error, not a user's."""


@dataclass(frozen=True)
class AuditEntry:
    """One thing an organizer did: who, when, what, to which subject, and any details."""

    program: str
    at: datetime
    organizer: str
    action: str
    subject_kind: str = ""
    subject: str = ""
    detail: str = ""

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise UnknownActionError(f"no words for the audit action {self.action!r}")
        if self.subject_kind not in SUBJECT_KINDS:
            raise UnknownActionError(f"unknown audit subject kind {self.subject_kind!r}")

    @property
    def what(self) -> str:
        """The action in the audit page's words."""
        return ACTIONS[self.action]
