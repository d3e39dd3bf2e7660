"""What importing a roster would do to a program: who is invited, changed, paused, left alone.

Pure: it compares the rows read from an HR file (portal.domain.roster) with the program's
people and with what the last import stored for each address (`RosterEntry`), and says what
the apply step must write. Nothing here reads a table or sends an email.

The rules, as issue 15 asks and as the dry run shows them:

- A roster person with no sign-up is invited once: when no invitation was ever recorded for
  the address (`new`). Someone already signed up (any status: an erased person has no record)
  is never invited again; the first import that lists them is `known`.
- A person whose roster fields differ from the last import's are `changed`, with the fields
  named; department, manager, time zone and seniority reach matching (the sign-up is updated,
  so the next round uses them), name, title, location, employee id and address do not.
- With a full roster, a person the last import stored as active and missing now is `gone`
  ("not in this roster"); a row marked inactive is `gone` too ("marked inactive"). Their
  sign-up, if any, is paused. Someone already paused or left is not listed again, and a person
  an import has already marked gone is not paused a second time for the same absence (an
  organizer who resumes them is not overruled by the next nightly file). People who signed up
  through the public form and were never in a roster are never paused by one.
- Only an import's own entries say who came from a roster: a sign-up with no entry is left
  alone when it is missing from the file.

Planning the same file against the entries `applied` returns gives nothing to do: that is
how applying a file twice changes nothing the second time.
"""

from __future__ import annotations

import zoneinfo
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache

from portal.domain.participants import SENIORITY_KEYS, SENIORITY_LEVELS, Participant, Status
from portal.domain.roster import RosterRow


def N_(message: str) -> str:
    """Mark words for the catalogue (`make messages`): the console translates them where shown.

    The domain imports nothing of the portal's i18n, so it marks its words with its own marker.
    """
    return message


# The roster fields an entry keeps and a change can name, with the words the dry run uses
# (English, marked: translated where shown).
FIELD_WORDS: tuple[tuple[str, str], ...] = (
    ("employee_id", N_("employee id")),
    ("name", N_("name")),
    ("title", N_("title")),
    ("department", N_("department")),
    ("manager", N_("manager")),
    ("location", N_("location")),
    ("timezone", N_("time zone")),
    ("seniority", N_("seniority")),
    ("address", N_("address")),
    ("active", N_("status")),
)
# The changes the matching rules read (same department excluded, reporting line excluded,
# time zones, seniority): they are copied into the sign-up, so they count from the next round.
MATCHING_FIELDS: frozenset[str] = frozenset({"department", "manager", "timezone", "seniority"})
# The participant field each of those is kept in.
PARTICIPANT_FIELD: Mapping[str, str] = {
    "department": "department",
    "manager": "reports_to",
    "timezone": "timezone",
    "seniority": "seniority",
}
_WORDS = dict(FIELD_WORDS)
# A paused or left sign-up is not paused again; a pending or confirmed one is.
_STOPPED = frozenset({Status.PAUSED, Status.LEFT})
_SENIORITY_BY_LABEL = {label.casefold(): key for key, label in SENIORITY_LEVELS}

# Why someone is invited or gone: English kept in the to-dos as stored, translated when shown.
NEW_IN_ROSTER = N_("new in the roster")
NEVER_INVITED = N_("in the roster before, never invited")
NOT_IN_ROSTER = N_("not in this roster")
MARKED_INACTIVE = N_("marked inactive")
ACTIVE, INACTIVE = N_("active"), N_("inactive")


@dataclass(frozen=True)
class Note:
    """Something the dry run says that is not an error: an English sentence with `%(name)s`
    placeholders (marked for the catalogue) and their values, translated where shown."""

    message: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message % dict(self.params)


@dataclass(frozen=True)
class RosterEntry:
    """What the last import stored for one address: the roster's own fields, whether the
    roster had them active, and the invitations sent (`email` is the comparison form)."""

    email: str
    employee_id: str = ""
    name: str = ""
    title: str = ""
    department: str = ""
    manager_email: str = ""  # resolved from the manager's id when the file gave only that
    manager_id: str = ""
    location: str = ""
    timezone: str = ""
    seniority: str = ""
    address: str = ""  # as the file wrote it: where the invitation and its reminders go
    active: bool = True
    invited_at: datetime | None = None
    invitations_sent: int = 0

    @property
    def mailbox(self) -> str:
        """The address to write to: as the roster wrote it, else the comparison form."""
        return self.address or self.email

    def same_roster_fields(self, other: RosterEntry) -> bool:
        """True when `other` holds the same roster fields (invitations are not compared)."""
        return not _differences(self, other)


@dataclass(frozen=True)
class Invitation:
    """A roster person to invite: their row, why, and the entry to store with the invitation
    (before it is stamped as sent; `applied` stamps it)."""

    row: RosterRow
    reason: str
    entry: RosterEntry


@dataclass(frozen=True)
class Known:
    """A roster person already signed up, in a roster import for the first time: not invited;
    `updates` names what the roster sets in their sign-up (words, as the dry run shows them)."""

    row: RosterRow
    participant_id: str
    status: Status
    updates: tuple[str, ...] = ()
    # Each update as (words, what the sign-up holds now, what the roster sets).
    values: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Change:
    """A roster person whose roster fields differ from the last import's: `fields` in words,
    `matching` those of them the matching rules read."""

    row: RosterRow
    fields: tuple[str, ...]
    matching: tuple[str, ...]
    participant_id: str | None = None
    # Each changed field as (words, the last import's value, this file's), as the page shows it.
    values: tuple[tuple[str, str, str], ...] = ()

    @property
    def reaches_matching(self) -> bool:
        """True when the next round sees the change (department, manager, time zone,
        seniority): in the sign-up, or in the form an invited person has not filled yet."""
        return bool(self.matching)


@dataclass(frozen=True)
class Departure:
    """Someone the roster no longer has active: `participant_id` is the sign-up to pause
    (None for an invited person who never signed up), `line` the row for "marked inactive"."""

    email: str
    name: str
    reason: str
    entry: RosterEntry  # the entry to store: marked inactive
    participant_id: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Update:
    """An entry to store without an invitation, and the sign-up fields to set (participant
    field name to value; empty when there is no sign-up or nothing differs)."""

    entry: RosterEntry
    participant_id: str | None = None
    participant: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RosterPlan:
    """A roster compared with a program: the dry run's diff, and what applying it writes."""

    new: tuple[Invitation, ...] = ()
    known: tuple[Known, ...] = ()
    changed: tuple[Change, ...] = ()
    gone: tuple[Departure, ...] = ()
    unchanged: int = 0
    # Rows marked inactive of people the program never had and never invited: nothing to do.
    inactive: int = 0
    to_update: tuple[Update, ...] = ()
    notes: tuple[Note, ...] = ()  # not errors: e.g. a manager id the roster does not hold

    @property
    def to_invite(self) -> tuple[Invitation, ...]:
        """The invitations to send: every new person."""
        return self.new

    @property
    def to_pause(self) -> tuple[Departure, ...]:
        """The gone people with a sign-up to pause (their matches end kindly)."""
        return tuple(d for d in self.gone if d.participant_id is not None)

    @property
    def is_empty(self) -> bool:
        """True when applying would write nothing."""
        return not (self.new or self.changed or self.gone or self.to_update)

    def numbers(self) -> dict[str, int]:
        """The figures of the summary, by name."""
        return {
            "new": len(self.new),
            "known": len(self.known),
            "changed": len(self.changed),
            "gone": len(self.gone),
            "paused": len(self.to_pause),
            "unchanged": self.unchanged,
            "inactive": self.inactive,
        }


def plan_import(
    rows: Sequence[RosterRow],
    people: Sequence[Participant],
    previous: Mapping[str, RosterEntry],
    *,
    full: bool = True,
) -> RosterPlan:
    """Compare a roster with a program's people and the last import's entries; change nothing.

    `full` says the file is the whole roster (an HR export): then a person the last import
    had active and this file lacks is gone. A partial file pauses nobody for being missing.
    Rows must have distinct emails (the reader refuses a file that repeats one).
    """
    repeated = sorted(email for email, n in Counter(r.email for r in rows).items() if n > 1)
    if repeated:
        raise ValueError(f"the roster lists {', '.join(repeated)} more than once")
    by_email = {p.email: p for p in people}
    notes: list[Note] = []
    managers = _manager_resolver(rows, previous, full=full, notes=notes)

    new: list[Invitation] = []
    known: list[Known] = []
    changed: list[Change] = []
    gone: list[Departure] = []
    updates: list[Update] = []
    unchanged = inactive = 0
    for row in rows:
        before = previous.get(row.email)
        person = by_email.get(row.email)
        entry = _entry(row, managers(row), before)
        if not row.active:
            if _to_pause(person, before) or (
                person is None and before is not None and before.active
            ):
                gone.append(_departure(entry, MARKED_INACTIVE, person, line=row.line))
            elif before is None and person is None:
                inactive += 1
            else:
                unchanged += 1  # already paused or gone: the roster says nothing new
            continue
        if person is None and (before is None or before.invitations_sent == 0):
            reason = NEW_IN_ROSTER if before is None else NEVER_INVITED
            new.append(Invitation(row=row, reason=reason, entry=entry))
            continue
        if before is None:
            assert person is not None  # an invited person always has an entry
            sets = _participant_updates(entry, person, first=True)
            known.append(
                Known(
                    row=row,
                    participant_id=person.participant_id,
                    status=person.status,
                    updates=tuple(_WORDS[name] for name in sets),
                    values=tuple(
                        (
                            _WORDS[name],
                            _shown(getattr(person, PARTICIPANT_FIELD[name])),
                            _shown(value),
                        )
                        for name, value in sets.items()
                    ),
                )
            )
            updates.append(_update(entry, person, sets))
            continue
        differing = _differences(before, entry)
        if not differing:
            unchanged += 1
            continue
        matching = [name for name in differing if name in MATCHING_FIELDS]
        sets = (
            _participant_updates(entry, person, first=False, only=matching)
            if person is not None
            else {}
        )
        changed.append(
            Change(
                row=row,
                fields=tuple(_WORDS[name] for name in differing),
                matching=tuple(_WORDS[name] for name in matching),
                participant_id=person.participant_id if person is not None else None,
                values=_changed_values(before, entry, differing),
            )
        )
        updates.append(_update(entry, person, sets))
        if "active" in differing and person is not None and person.status is Status.PAUSED:
            notes.append(
                Note(
                    N_(
                        "Row %(line)s: %(email)s is back in the roster; their sign-up stays "
                        "paused until an organizer resumes it."
                    ),
                    {"line": row.line, "email": row.email},
                )
            )

    if full:
        listed = {r.email for r in rows}
        for email in sorted(set(previous) - listed):
            before = previous[email]
            person = by_email.get(email)
            if not before.active:
                continue  # gone since an earlier import: not paused again
            if person is None or _to_pause(person, before):
                gone.append(_departure(replace(before, active=False), NOT_IN_ROSTER, person))

    return RosterPlan(
        new=tuple(new),
        known=tuple(known),
        changed=tuple(changed),
        gone=tuple(gone),
        unchanged=unchanged,
        inactive=inactive,
        to_update=tuple(updates),
        notes=tuple(notes),
    )


def applied(
    previous: Mapping[str, RosterEntry], plan: RosterPlan, now: datetime
) -> dict[str, RosterEntry]:
    """The entries after applying `plan` at `now`: updates stored, invitations recorded as
    sent, gone people marked inactive; every other entry as it was."""
    after = dict(previous)
    for update in plan.to_update:
        after[update.entry.email] = update.entry
    for invitation in plan.to_invite:
        entry = invitation.entry
        after[entry.email] = replace(
            entry, invited_at=now, invitations_sent=entry.invitations_sent + 1
        )
    for departure in plan.gone:
        after[departure.email] = departure.entry
    return after


def seniority_key(value: str) -> str | None:
    """The portal's seniority key for a roster's value (a key or its label), or None."""
    value = value.strip()
    if value.casefold() in SENIORITY_KEYS:
        return value.casefold()
    return _SENIORITY_BY_LABEL.get(value.casefold())


# -- The parts ---------------------------------------------------------------------------------


def _manager_resolver(
    rows: Sequence[RosterRow],
    previous: Mapping[str, RosterEntry],
    *,
    full: bool,
    notes: list[Note],
) -> _Managers:
    ids: dict[str, set[str]] = {}
    for row in rows:
        if row.employee_id:
            ids.setdefault(row.employee_id, set()).add(row.email)
    # A partial file need not hold everyone's manager: the last import's ids of the people
    # it does not list fill the gaps (a listed person's id is the file's, not the last one's).
    # A full roster is the whole company: a manager it lacks has left, and stays unresolved.
    earlier: dict[str, set[str]] = {}
    if not full:
        listed = {row.email for row in rows}
        for entry in previous.values():
            if entry.employee_id and entry.email not in listed:
                earlier.setdefault(entry.employee_id, set()).add(entry.email)
    return _Managers(ids=ids, earlier=earlier, notes=notes)


@dataclass
class _Managers:
    ids: dict[str, set[str]]
    earlier: dict[str, set[str]]
    notes: list[Note]

    def __call__(self, row: RosterRow) -> str:
        """The manager's email for a row: as given, or found by the manager's employee id."""
        if row.manager_email or not row.manager_id:
            return row.manager_email
        found = self.ids.get(row.manager_id) or self.earlier.get(row.manager_id) or set()
        if len(found) == 1:
            return next(iter(found))
        params = {"line": row.line, "manager": row.manager_id}
        if found and not self.earlier:
            said = N_(
                "Row %(line)s: manager id %(manager)s belongs to more than one person in this "
                "roster; the manager is left unset."
            )
        elif found:
            said = N_(
                "Row %(line)s: manager id %(manager)s belongs to more than one person in this "
                "roster or the last import; the manager is left unset."
            )
        elif not self.earlier:
            said = N_(
                "Row %(line)s: manager id %(manager)s is not in this roster; the manager is "
                "left unset."
            )
        else:
            said = N_(
                "Row %(line)s: manager id %(manager)s is not in this roster or the last "
                "import; the manager is left unset."
            )
        self.notes.append(Note(said, params))
        return ""


def _entry(row: RosterRow, manager_email: str, before: RosterEntry | None) -> RosterEntry:
    return RosterEntry(
        email=row.email,
        employee_id=row.employee_id,
        name=row.name,
        title=row.title,
        department=row.department,
        manager_email=manager_email,
        manager_id=row.manager_id,
        location=row.location,
        timezone=row.timezone,
        seniority=row.seniority,
        address=row.address,
        active=row.active,
        invited_at=before.invited_at if before else None,
        invitations_sent=before.invitations_sent if before else 0,
    )


def _values(entry: RosterEntry) -> dict[str, object]:
    return {
        "employee_id": entry.employee_id,
        "name": entry.name,
        "title": entry.title,
        "department": entry.department,
        "manager": (entry.manager_email, entry.manager_id),
        "location": entry.location,
        "timezone": entry.timezone,
        "seniority": entry.seniority,
        "address": entry.address,
        "active": entry.active,
    }


def _shown(value: object) -> str:
    """A field's value as the dry run shows it; an empty one as a dash."""
    if isinstance(value, bool):
        return ACTIVE if value else INACTIVE
    if isinstance(value, tuple):  # the manager: their address, else their id
        value = next((part for part in value if part), "")
    return str(value) if value else "—"


def _changed_values(
    before: RosterEntry, after: RosterEntry, names: Sequence[str]
) -> tuple[tuple[str, str, str], ...]:
    old, new = _values(before), _values(after)
    return tuple((_WORDS[name], _shown(old[name]), _shown(new[name])) for name in names)


def _differences(before: RosterEntry, after: RosterEntry) -> list[str]:
    old, new = _values(before), _values(after)
    return [name for name, _ in FIELD_WORDS if old[name] != new[name]]


def _to_pause(person: Participant | None, before: RosterEntry | None) -> bool:
    # An entry an import already marked inactive means this absence was acted on once.
    return (
        person is not None and person.status not in _STOPPED and (before is None or before.active)
    )


def _departure(
    entry: RosterEntry, reason: str, person: Participant | None, *, line: int | None = None
) -> Departure:
    return Departure(
        email=entry.email,
        name=entry.name,
        reason=reason,
        entry=replace(entry, active=False),
        participant_id=person.participant_id if person and person.status not in _STOPPED else None,
        line=line,
    )


def _update(entry: RosterEntry, person: Participant | None, sets: Mapping[str, str]) -> Update:
    return Update(
        entry=entry,
        participant_id=person.participant_id if person is not None else None,
        participant={PARTICIPANT_FIELD[name]: value for name, value in sets.items()},
    )


def _participant_updates(
    entry: RosterEntry,
    person: Participant | None,
    *,
    first: bool,
    only: Sequence[str] = tuple(MATCHING_FIELDS),
) -> dict[str, str]:
    """The matching fields the roster sets in a sign-up, by roster field name.

    The first time, an empty roster cell keeps what the person gave; a later change to an
    empty department, manager or seniority clears it (the roster no longer says it). A time
    zone is never cleared (matching needs one), nor set to a zone that does not exist, and a
    manager id the roster cannot resolve changes nothing.
    """
    if person is None or person.status is Status.LEFT:
        return {}
    seniority = seniority_key(entry.seniority) if entry.seniority else ""
    wanted = {
        "department": entry.department,
        "manager": entry.manager_email,
        "timezone": entry.timezone,
        "seniority": seniority,
    }
    current = {name: getattr(person, PARTICIPANT_FIELD[name]) for name in wanted}
    sets: dict[str, str] = {}
    for name, _ in FIELD_WORDS:
        value = wanted.get(name)
        if name not in only or value is None:
            continue
        if name == "timezone" and not (value and _is_zone(value)):
            continue
        if name == "manager" and not value and entry.manager_id:
            continue  # unresolved: a note says so
        if first and not value:
            continue
        if value != current[name]:
            sets[name] = value
    return sets


@cache
def _is_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True
