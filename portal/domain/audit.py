"""The organizers' audit log: what an organizer did in the console, by whom and when.

An entry names its subject by id (a participant's or a match's), never by name or address, so
that erasing a person leaves nothing of theirs in the log; the console shows the name while the
person is still there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


def N_(message: str) -> str:
    """Mark words for the catalogue (`make messages`): the page translates them where shown.

    The domain imports nothing of the portal, so it marks its words with its own marker.
    """
    return message


# Each action the console records, with the words the audit page shows for it (in English;
# the console's pages translate them).
ACTIONS: dict[str, str] = {
    "end_match": N_("Ended a match"),
    "pause": N_("Paused a person"),
    "resume": N_("Resumed a person"),
    "remove": N_("Removed a person"),
    "resend_link": N_("Sent a new sign-in link"),
    "lift_unsubscribe": N_("Turned email back on"),
    "lift_bounce": N_("Cleared a soft bounce"),
    "move_mentee": N_("Moved a waiting mentee to a mentor"),
    "adjust_draft": N_("Changed a draft pair"),
    "approve_round": N_("Approved a round's drafts"),
    "preview_round": N_("Previewed a round"),
    "publish_round": N_("Published a previewed round"),
    "discard_round": N_("Discarded a previewed round"),
    "export": N_("Exported a CSV file"),
    "create_program": N_("Created the program"),
    "edit_program": N_("Changed the program's settings"),
    "open_signup": N_("Opened sign-up"),
    "close_signup": N_("Closed sign-up"),
    "pause_rounds": N_("Paused rounds"),
    "resume_rounds": N_("Resumed rounds"),
    "archive_program": N_("Archived the program"),
    "unarchive_program": N_("Brought the program back from the archive"),
    "duplicate_program": N_("Duplicated the program for a new cohort"),
    "import_program": N_("Loaded the program from a file"),
    "import_roster": N_("Imported a roster"),
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
