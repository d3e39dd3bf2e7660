"""The reads and writes that erase one person: found by their address's digest, every table.

Every delete and anonymising write goes through `ErasureStore._delete` / `_update`, one place
a test can interrupt to check that the next run finishes the job.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from portal.domain.addresses import address_digest, email_key
from portal.domain.matches import Match
from portal.persistence.matches import MatchRepository, _id, _key, _match
from portal.persistence.meetings import without_id
from portal.persistence.participants import address_items
from portal.persistence.roster_imports import RosterStore
from portal.persistence.tables import (
    AddressRecord,
    CheckinRecord,
    ExportRecord,
    FiguresRecord,
    GoalRecord,
    MatchRecord,
    OutboxRecord,
    ParticipantRecord,
    PreferenceRecord,
    SessionRecord,
    TokenRecord,
)

# What stands for an erased person inside other people's records. An address that can never
# receive mail (.invalid is reserved), so that code comparing or writing to it needs no case.
FORMER_ADDRESS = "former-participant@erased.invalid"
FORMER_ID = "former-participant"


def former_id(match_id: str) -> str:
    """What stands for an erased person's id in a match's key: one per match (two erased
    people of one round must not share a key), the same on every run (an interrupted erasure
    moves the match to the same place), and no way back to the id."""
    return f"{FORMER_ID}-{hashlib.sha256(match_id.encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class SignUp:
    """One of the person's sign-ups, by its address item (its participant item may be gone)."""

    program: str
    participant_id: str


class ErasureStore:
    def _delete(self, record: Model) -> None:
        record.delete()

    def _update(self, record: Model, actions: list[Action]) -> None:
        record.update(actions=actions)

    # -- finding ---------------------------------------------------------------------------

    def sign_ups(self, email: str) -> list[SignUp]:
        """Every program the address has an item in, expired or erased half-way included."""
        return [SignUp(item.program, item.participant_id) for item in address_items(email)]

    def matches_of(self, sign_up: SignUp) -> list[Match]:
        """The person's matches in the program on either side, found by their id."""
        return MatchRepository().for_person_id(sign_up.program, sign_up.participant_id)

    # -- inside a match --------------------------------------------------------------------

    def erase_from_match(
        self, match: Match, email: str, participant_id: str, *, apply: bool = True
    ) -> tuple[int, int]:
        """Delete the person's check-ins and goals in the match, and take their goals out of
        the partner's check-ins; (check-ins, goals) deleted (only counted unless `apply`)."""
        suffix = f"#{participant_id}"
        checkins = goals = 0
        for goal in GoalRecord.query(match.match_id, consistent_read=True):
            if goal.goal_id.endswith(suffix) or goal.added_by == email:
                goals += 1
                if apply:
                    self._delete(goal)
        for checkin in CheckinRecord.query(match.match_id, consistent_read=True):
            if checkin.checkin_id.endswith(suffix) or checkin.author_email == email:
                checkins += 1
                if apply:
                    self._delete(checkin)
                continue
            details = dict(checkin.details or {})
            progress = dict(details.get("goals") or {})
            kept = {k: v for k, v in progress.items() if not k.endswith(suffix)}
            if apply and kept != progress:
                details["goals"] = kept
                self._update(checkin, [CheckinRecord.details.set(details)])
        return checkins, goals

    def erase_from_group(
        self, group_id: str, email: str, participant_id: str, *, apply: bool = True
    ) -> int:
        """Delete the group check-ins the person logged (a group's check-ins are keyed by its
        id, which holds no one's id: the others' stay where they are); how many."""
        suffix = f"#{participant_id}"
        found = 0
        for checkin in CheckinRecord.query(group_id, consistent_read=True):
            if checkin.checkin_id.endswith(suffix) or checkin.author_email == email:
                found += 1
                if apply:
                    self._delete(checkin)
        return found

    def anonymise_match(self, match: Match, email: str) -> bool:
        """Put the constant in place of the person's address in the match; False if done."""
        actions: list[Action] = []
        if match.mentor == email:
            actions.append(MatchRecord.mentor_email.set(FORMER_ADDRESS))
        if match.mentee == email:
            actions.append(MatchRecord.mentee_email.set(FORMER_ADDRESS))
        if match.ended_by == email:
            actions.append(MatchRecord.ended_by.set(FORMER_ADDRESS))
        if not actions:
            return False
        self._update(MatchRecord(match.program, match.match_id), actions)
        return True

    def delete_draft(self, match: Match) -> None:
        """Delete a draft pair or a suggestion (neither has check-ins or goals)."""
        self._delete(MatchRecord(match.program, match.match_id))

    def rekey_match(self, match: Match, participant_id: str) -> bool:
        """Move the match, and the partner's check-ins and goals in it, to a key without the
        person's id; False if its key holds no such id (moved before).

        The copy is written before the old items are deleted, so an interrupted move leaves
        both (the old one still found by the person's id, and moved again by the next run).
        """
        if participant_id not in (match.mentor_id, match.mentee_id):
            return False
        stand_in = former_id(match.match_id)
        round_id, mentor_id, mentee_id = match.match_id.rsplit("#", 2)
        moved = "#".join(
            (
                round_id,
                stand_in if mentor_id == participant_id else mentor_id,
                stand_in if mentee_id == participant_id else mentee_id,
            )
        )
        old = MatchRecord.get(match.program, match.match_id, consistent_read=True)
        values = dict(old.attribute_values)
        for side in ("mentor_key", "mentee_key"):
            if _id(values[side]) == participant_id:
                values[side] = _key(match.program, stand_in)
        values["match_id"] = moved
        # The first meeting names who proposed and who accepted by id: the stand-in instead.
        values["meeting"] = without_id(values.get("meeting"), participant_id, stand_in)
        MatchRecord(**values).save()
        kept: list[Model] = []
        for goal in GoalRecord.query(match.match_id, consistent_read=True):
            GoalRecord(**{**goal.attribute_values, "match_id": moved}).save()
            kept.append(goal)
        for checkin in CheckinRecord.query(match.match_id, consistent_read=True):
            CheckinRecord(**{**checkin.attribute_values, "match_id": moved}).save()
            kept.append(checkin)
        for record in kept:
            self._delete(record)
        self._delete(old)
        return True

    # -- the rest --------------------------------------------------------------------------

    def match(self, program: str, match_id: str) -> Match | None:
        """The match as stored now (after ending it, say)."""
        try:
            return _match(MatchRecord.get(program, match_id, consistent_read=True))
        except MatchRecord.DoesNotExist:
            return None

    def emails_to(self, email: str) -> list[str]:
        """The keys of the outbox's emails to the address, queued or sent."""
        return [
            record.key
            for record in OutboxRecord.by_recipient.query(
                address_digest(email), attributes_to_get=["key"]
            )
        ]

    def delete_email(self, key: str) -> None:
        self._delete(OutboxRecord(key))

    def tokens_of(self, email: str) -> list[str]:
        """The hashes of the links sent to the address (a scan: tokens have no address
        index, and the table holds only unexpired links, so it stays small)."""
        return [
            record.token_hash
            for record in TokenRecord.scan(attributes_to_get=["token_hash", "subject"])
            if email_key(record.subject) == email
        ]

    def delete_token(self, token_hash: str) -> None:
        self._delete(TokenRecord(token_hash))

    def sessions_of(self, email: str) -> list[str]:
        """The hashes of the sessions signed in as the address (a scan, as for tokens)."""
        return [
            record.session_hash
            for record in SessionRecord.scan()
            if any(
                email_key(str(value.get("email"))) == email
                for value in (record.sign_ins or {}).values()
            )
        ]

    def delete_session(self, session_hash: str) -> None:
        self._delete(SessionRecord(session_hash))

    def exports_of(self, email: str) -> Iterator[ExportRecord]:
        yield from ExportRecord.query(address_digest(email), consistent_read=True)

    def delete_export(self, record: ExportRecord) -> None:
        self._delete(record)

    def preference_of(self, email: str) -> PreferenceRecord | None:
        """The language the address chose as an organizer, if it chose one."""
        try:
            return PreferenceRecord.get(address_digest(email), consistent_read=True)
        except DoesNotExist:
            return None

    def delete_preference(self, record: PreferenceRecord) -> None:
        self._delete(record)

    def participant_exists(self, sign_up: SignUp) -> bool:
        return (
            ParticipantRecord.count(
                sign_up.program, ParticipantRecord.participant_id == sign_up.participant_id
            )
            > 0
        )

    def delete_participant(self, sign_up: SignUp) -> None:
        self._delete(ParticipantRecord(sign_up.program, sign_up.participant_id))

    def forget_figures(self, program: str) -> None:
        """Drop the program's stored console figures, which name people waiting and pairs
        needing attention: the console computes them anew, without the erased person."""
        FiguresRecord(program).delete()

    def roster_entries_of(self, email: str) -> list[tuple[str, str]]:
        """(program, key) of every roster import entry for the address (by-address index)."""
        return RosterStore().keys_of(email)

    def delete_roster_entries(self, keys: list[tuple[str, str]]) -> None:
        RosterStore().delete(keys)

    def delete_address(self, email: str, sign_up: SignUp) -> None:
        self._delete(AddressRecord(address_digest(email), sign_up.program))
