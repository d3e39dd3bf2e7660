"""A roster import's pieces that read no table: the mapping a dry run uses, its fingerprint,
and the entries an apply stores.

Pure but for the shapes they take and build (portal.persistence.roster_imports: Head,
StoredEntry): the saved mapping where it fits a file's headers, else the guess; what an apply
writes under its new import id, to-dos carried over from an import whose runs had not
finished, and people gone from the roster long enough forgotten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from portal.domain.roster import check_mapping, guess_mapping, mapping_notes
from portal.domain.roster_plan import RosterEntry, RosterPlan, applied
from portal.persistence.roster_imports import Head, StoredEntry


def fingerprint(live: str | None, full: bool, mapping: Mapping[int, str], plan: object) -> str:
    """What a dry run would do, in a few characters: the apply form carries it, and a
    different one at apply time means the program changed since the organizer looked."""
    text = repr((live, full, sorted(mapping.items()), plan))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def default_mapping(
    head: Head | None, headers: Sequence[str]
) -> tuple[dict[int, str], str, tuple[str, ...]]:
    """The saved mapping where it fits the headers, else the guess: (mapping, its source, the
    guess's notes)."""
    saved = {i: head.mapping[h] for i, h in enumerate(headers) if h in head.mapping} if head else {}
    if saved and not check_mapping(headers, saved):
        return saved, "saved", ()
    return guess_mapping(headers), "guessed", tuple(mapping_notes(headers))


# A person an import marked gone is forgotten this long after (by the hourly run, or by an
# import after that).
GONE_KEPT = timedelta(days=90)


def snapshot(
    previous: Mapping[str, StoredEntry], plan: RosterPlan, now: datetime, by: str
) -> list[StoredEntry]:
    """The new import's entries: every entry after the plan, with its to-do."""
    after = applied({e: s.entry for e, s in previous.items()}, plan, now)
    todos: dict[str, dict[str, Any]] = {}
    for invitation in plan.to_invite:
        todos.setdefault(invitation.entry.email, {})["invite"] = 1
    for update in plan.to_update:
        if update.participant_id and update.participant:
            todo = todos.setdefault(update.entry.email, {})
            todo["update"] = dict(update.participant)
            todo["participant_id"] = update.participant_id
    for departure in plan.to_pause:
        todos.setdefault(departure.email, {}).update(
            {"pause": departure.participant_id, "reason": departure.reason, "by": by}
        )
    entries = []
    for email, entry in after.items():
        before = previous.get(email)
        # A to-do the last import left undone (its run stopped, or had not come round yet)
        # is carried into this one, not lost with the import it belonged to.
        todo = _merged(_carried(before.todo if before else None, entry), todos.get(email))
        gone_at = None
        if not entry.active:
            was_gone = before is not None and not before.entry.active and before.gone_at
            gone_at = before.gone_at if was_gone and before else now
            if gone_at is not None and gone_at < now - GONE_KEPT and not todo:
                continue  # gone long enough: forgotten
        entries.append(StoredEntry(entry, gone_at, todo or None))
    return entries


def _carried(todo: Mapping[str, Any] | None, entry: RosterEntry) -> dict[str, Any]:
    """What the last import had still to do for someone and that still holds now: an
    invitation while they are active, a pause while they are not, an update of their
    sign-up (a new one from this import takes its place field by field)."""
    if not todo:
        return {}
    kept: dict[str, Any] = {}
    if todo.get("invite") and entry.active:
        kept["invite"] = 1
    if todo.get("update"):
        kept["update"] = dict(todo["update"])
        kept["participant_id"] = todo["participant_id"]
    if todo.get("pause") and not entry.active:
        kept.update({k: todo[k] for k in ("pause", "reason", "by") if k in todo})
    return kept


def _merged(carried: dict[str, Any], new: Mapping[str, Any] | None) -> dict[str, Any]:
    if not new:
        return carried
    merged = {**carried, **new}
    if "update" in carried and "update" in new:
        merged["update"] = {**carried["update"], **new["update"]}
    return merged
