"""Matches and rounds in DynamoDB, written so that capacity holds under any concurrency.

A match is written in one transaction with two conditional updates of the people in it:
the mentee (or peer) must have no active match, the mentor fewer than their capacity.
Two rounds racing for the same person cannot both win. Every change of a match's state is
conditional on the states the domain allows it from (portal.domain.matches), so a move
the rules forbid is refused by the database too, whoever else writes at the same time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import (
    DoesNotExist,
    TransactWriteError,
)
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from portal.domain.matches import (
    Match,
    MatchState,
    Round,
    RoundState,
    check_round_move,
    sources,
)
from portal.domain.participants import Status
from portal.domain.program import Program
from portal.domain.reasons import Reason
from portal.persistence.conditional import Update, delete_if, save_if, transact_if, update_if
from portal.persistence.meetings import meeting_of
from portal.persistence.participants import FORGET_ON_MATCH, participant_id_of
from portal.persistence.tables import (
    MatchRecord,
    ParticipantRecord,
    RoundRecord,
    transaction_connection,
)

LOCK_ID = "~lock"  # sorts after every round id, which start with a year
ACTIVATED = "activated"
MENTEE_TAKEN = "mentee-taken"  # the mentee (or peer) has a match already
MENTOR_FULL = "mentor-full"
PAIR_TAKEN = "pair-taken"  # the match record was written, or changed, by someone else

# The trigger of a round an organizer published from a console preview: once started, its
# pairs are published whatever the program's approval (portal/services/rounds/preview.py).
PUBLISHED_IN_CONSOLE = "console-publish"


# The names the services know the domain's types by.
StoredMatch = Match
StoredRound = Round


def _key(program: str, participant_id: str) -> str:
    return f"{program}#{participant_id}"


def _id(key: str) -> str:
    return key.split("#", 1)[1]


class NotSignedUp(ValueError):
    """A match was asked for someone with no sign-up in the program."""


def _ids(program: str, mentor: str, mentee: str) -> tuple[str, str]:
    """Both people's participant ids, from their addresses; NotSignedUp if one has none."""
    found = []
    for email in (mentor, mentee):
        participant_id = participant_id_of(program, email)
        if participant_id is None:
            raise NotSignedUp(f"no sign-up for that address in {program!r}")
        found.append(participant_id)
    return found[0], found[1]


def _match(record: MatchRecord) -> Match:
    return Match(
        program=record.program,
        match_id=record.match_id,
        round_id=record.round_id,
        mentor=record.mentor_email,
        mentee=record.mentee_email,
        mentor_id=_id(record.mentor_key),
        mentee_id=_id(record.mentee_key),
        status=MatchState(record.status),
        score=float(record.score or 0),
        reasons=_reasons(record.reasons),
        created_at=record.created_at,
        mentor_agreed_at=record.mentor_agreed_at,
        mentee_agreed_at=record.mentee_agreed_at,
        ended_at=record.ended_at,
        end_reason=record.end_reason or "",
        ended_by=record.ended_by or "",
        group_id=record.group_id or "",
        meeting=meeting_of(record),
    )


def _reasons(stored: list[Any] | None) -> tuple[Reason | str, ...]:
    """A match's reasons as stored: maps, or the English sentences of an earlier version."""
    return tuple(
        dict(item) if isinstance(item, dict) else str(item)
        for item in stored or ()
        if isinstance(item, dict | str)
    )


def match_id(round_id: str, mentor_id: str, mentee_id: str) -> str:
    """The same pair in the same round always gets the same id: a retry writes nothing new."""
    return f"{round_id}#{mentor_id}#{mentee_id}"


class MatchRepository:
    def activate(
        self,
        program: str,
        round_id: str,
        *,
        mentor: str,
        mentee: str,
        mentor_capacity: int,
        mentee_capacity: int,
        score: float,
        reasons: tuple[Reason, ...],
        now: datetime,
    ) -> str:
        """Write an active match if both people still have room; ACTIVATED, or why not."""
        try:
            mentor_id, mentee_id = _ids(program, mentor, mentee)
        except NotSignedUp:
            return PAIR_TAKEN  # one of them is gone: no match to write
        record = MatchRecord(
            program,
            match_id(round_id, mentor_id, mentee_id),
            round_id=round_id,
            mentor_key=_key(program, mentor_id),
            mentee_key=_key(program, mentee_id),
            mentor_email=mentor,
            mentee_email=mentee,
            status=MatchState.ACTIVE.value,
            score=score,
            reasons=list(reasons),
            created_at=now,
            updated_at=now,
        )
        return self._commit(
            program,
            mentor=mentor_id,
            mentee=mentee_id,
            mentor_capacity=mentor_capacity,
            mentee_capacity=mentee_capacity,
            write=lambda tx: tx.save(record, condition=MatchRecord.match_id.does_not_exist()),
        )

    def activate_proposed(
        self,
        program: str,
        round_id: str,
        *,
        mentor: str,
        mentee: str,
        mentor_capacity: int,
        mentee_capacity: int,
        now: datetime,
        draft_status: str = MatchState.PROPOSED.value,
    ) -> str:
        """Turn a draft (or a suggestion) into an active match if both people still have room."""
        if MatchState(draft_status) not in sources(MatchState.ACTIVE):
            raise ValueError(f"a {draft_status} match is not a draft")
        try:
            mentor_id, mentee_id = _ids(program, mentor, mentee)
        except NotSignedUp:
            return PAIR_TAKEN
        record = MatchRecord(program, match_id(round_id, mentor_id, mentee_id))
        return self._commit(
            program,
            mentor=mentor_id,
            mentee=mentee_id,
            mentor_capacity=mentor_capacity,
            mentee_capacity=mentee_capacity,
            write=lambda tx: tx.update(
                record,
                actions=[
                    MatchRecord.status.set(MatchState.ACTIVE.value),
                    MatchRecord.updated_at.set(now),
                ],
                condition=MatchRecord.status == draft_status,
            ),
        )

    def _commit(
        self,
        program: str,
        *,
        mentor: str,
        mentee: str,
        mentor_capacity: int,
        mentee_capacity: int,
        write: Callable[[TransactWrite], object],
    ) -> str:
        """The match write and both people's counts (by participant id), all or nothing; which
        one stopped it."""
        confirmed = ParticipantRecord.status == Status.CONFIRMED.value

        def room(capacity: int) -> Condition:
            condition: Condition = ParticipantRecord.active_matches.does_not_exist() | (
                ParticipantRecord.active_matches < capacity
            )  # PynamoDB leaves Condition's | untyped
            return condition

        try:
            with TransactWrite(connection=transaction_connection(MatchRecord)) as transaction:
                write(transaction)
                transaction.update(
                    ParticipantRecord(program, mentee),
                    actions=[ParticipantRecord.active_matches.add(1), *FORGET_ON_MATCH],
                    condition=confirmed & room(mentee_capacity),
                )
                transaction.update(
                    ParticipantRecord(program, mentor),
                    actions=[ParticipantRecord.active_matches.add(1), *FORGET_ON_MATCH],
                    condition=confirmed & room(mentor_capacity),
                )
        except TransactWriteError as exc:
            if exc.cause_response_code != "TransactionCanceledException":
                raise
            reasons = [reason.code if reason else None for reason in exc.cancellation_reasons]
            for position, outcome in ((1, MENTEE_TAKEN), (2, MENTOR_FULL), (0, PAIR_TAKEN)):
                if len(reasons) > position and reasons[position] == "ConditionalCheckFailed":
                    return outcome
            return PAIR_TAKEN
        return ACTIVATED

    def remove_proposed(
        self,
        program: str,
        round_id: str,
        *,
        mentor: str,
        mentee: str,
        status: str = MatchState.PROPOSED.value,
    ) -> None:
        """Drop a draft pair (or a suggestion); an active match is never removed here."""
        mentor_id, mentee_id = _ids(program, mentor, mentee)
        delete_if(
            MatchRecord(program, match_id(round_id, mentor_id, mentee_id)),
            MatchRecord.status == status,
        )

    def remove_drafts(self, program: str, round_id: str) -> int:
        """Drop every draft and suggestion of a round (a discarded preview); how many went.

        Each delete is conditional on the record still being a draft: a match made meanwhile
        is never removed.
        """
        drafts = (MatchState.PROPOSED.value, MatchState.SUGGESTED.value)
        removed = 0
        for record in MatchRecord.query(program, MatchRecord.match_id.startswith(f"{round_id}#")):
            if record.status in drafts:
                removed += delete_if(
                    MatchRecord(program, record.match_id), MatchRecord.status.is_in(*drafts)
                )
        return removed

    def save_proposed(
        self,
        program: str,
        round_id: str,
        *,
        mentor: str,
        mentee: str,
        score: float,
        reasons: tuple[Reason, ...],
        now: datetime,
        status: str = MatchState.PROPOSED.value,
    ) -> None:
        """A draft pair for the organizers, or a suggestion for a mentee; it holds no capacity."""
        mentor_id, mentee_id = _ids(program, mentor, mentee)
        MatchRecord(
            program,
            match_id(round_id, mentor_id, mentee_id),
            round_id=round_id,
            mentor_key=_key(program, mentor_id),
            mentee_key=_key(program, mentee_id),
            mentor_email=mentor,
            mentee_email=mentee,
            status=status,
            score=score,
            reasons=list(reasons),
            created_at=now,
            updated_at=now,
        ).save()

    def for_program(self, program: str, page_size: int | None = None) -> Iterator[Match]:
        """The program's matches, read a page at a time as the caller iterates."""
        for record in MatchRecord.query(program, page_size=page_size):
            yield _match(record)

    def for_round(self, program: str, round_id: str) -> list[Match]:
        condition = MatchRecord.match_id.startswith(f"{round_id}#")
        return [_match(record) for record in MatchRecord.query(program, condition)]

    def get(self, program: str, match_id: str) -> Match | None:
        try:
            return _match(MatchRecord.get(program, match_id, consistent_read=True))
        except DoesNotExist:
            return None

    def for_person(self, program: str, email: str) -> list[Match]:
        """A person's matches in a program, on either side, oldest first."""
        participant_id = participant_id_of(program, email)
        if participant_id is None:
            return []
        return self.for_person_id(program, participant_id)

    def for_person_id(self, program: str, participant_id: str) -> list[Match]:
        """The matches of the person with this id in a program, on either side, oldest first."""
        key = _key(program, participant_id)
        found = {m.match_id: m for m in map(_match, MatchRecord.by_mentor.query(key))}
        found.update((m.match_id, m) for m in map(_match, MatchRecord.by_mentee.query(key)))
        return sorted(found.values(), key=lambda m: (m.created_at, m.match_id))

    def active(self, program: str) -> list[Match]:
        """The program's active matches (the reminders' and summaries' working set)."""
        return [
            _match(record)
            for record in MatchRecord.query(
                program, filter_condition=MatchRecord.status == MatchState.ACTIVE.value
            )
        ]

    def agree(self, program: str, match_id: str, email: str, now: datetime) -> bool:
        """Record that this person accepted the agreement; False if not in this active match."""
        stored = self.get(program, match_id)
        if stored is None or email not in (stored.mentor, stored.mentee):
            return False
        attribute = (
            MatchRecord.mentor_agreed_at
            if email == stored.mentor
            else (MatchRecord.mentee_agreed_at)
        )
        return update_if(
            MatchRecord(program, match_id),
            [attribute.set(now), MatchRecord.updated_at.set(now)],
            (MatchRecord.status == MatchState.ACTIVE.value) & attribute.does_not_exist(),
        )

    def join_group(self, program: str, match_id: str, group_id: str, now: datetime) -> bool:
        """Give an active match without a group its group's id; False if it has one already
        (the id never changes once given) or is no longer active."""
        return update_if(
            MatchRecord(program, match_id),
            [MatchRecord.group_id.set(group_id), MatchRecord.updated_at.set(now)],
            (MatchRecord.status == MatchState.ACTIVE.value) & MatchRecord.group_id.does_not_exist(),
        )

    def end(
        self,
        program: str,
        match_id: str,
        *,
        reason: str,
        now: datetime,
        by: str = "",
    ) -> bool:
        """End an active match early and free both people's places, all at once; False if it
        is not active (ended or completed already)."""
        stored = self.get(program, match_id)
        if stored is None or not stored.holds_places:
            return False
        return self._close(stored.end(reason, by=by, now=now), now)

    def complete(self, program: Program, match_id: str, *, now: datetime) -> bool:
        """Mark an active match through its cycle as completed and free both people's places,
        all at once; False if it is not active (a second run changes nothing)."""
        stored = self.get(program.slug, match_id)
        if stored is None or not stored.holds_places:
            return False
        return self._close(stored.complete(program, now), now)

    def _close(self, closed: Match, now: datetime) -> bool:
        """Write a match's move out of `active` with both people's counts; False if refused."""
        allowed = [state.value for state in sources(closed.status)]
        refused = transact_if(
            Update(
                MatchRecord(closed.program, closed.match_id),
                [
                    MatchRecord.status.set(closed.status.value),
                    MatchRecord.ended_at.set(now),
                    MatchRecord.end_reason.set(closed.end_reason),
                    *([MatchRecord.ended_by.set(closed.ended_by)] if closed.ended_by else []),
                    MatchRecord.updated_at.set(now),
                ],
                MatchRecord.status.is_in(*allowed),
            ),
            *(
                Update(
                    ParticipantRecord(closed.program, participant_id),
                    [ParticipantRecord.active_matches.add(-1)],
                    ParticipantRecord.active_matches > 0,
                )
                for participant_id in (closed.mentor_id, closed.mentee_id)
            ),
        )
        return not refused

    def met(self, program: str) -> set[frozenset[str]]:
        """Every pair that has really been matched (published, ended or completed): not the
        suggestions a mentee did not choose, nor drafts (for programs that match people once)."""
        return {
            frozenset((m.mentor, m.mentee))
            for m in self.for_program(program)
            if m.status in (MatchState.ACTIVE, MatchState.ENDED, MatchState.COMPLETED)
        }

    def history(self, program: str) -> set[frozenset[str]]:
        """Every pair that has been matched in the program (for no-repeat rules)."""
        return {
            frozenset((m.mentor, m.mentee))
            for m in self.for_program(program)
            if m.status is not MatchState.PROPOSED
        }


class RoundRepository:
    def acquire_lock(self, program: str, owner: str, now: datetime, hold: timedelta) -> bool:
        """Take the program's round lock unless someone holds it; it expires by itself."""
        record = RoundRecord(
            program,
            LOCK_ID,
            status="lock",
            lock_owner=owner,
            lock_expires_at=int((now + hold).timestamp()),
            created_at=now,
            updated_at=now,
        )
        return save_if(
            record,
            RoundRecord.round_id.does_not_exist()
            | (RoundRecord.lock_expires_at < int(now.timestamp())),
        )

    def release_lock(self, program: str, owner: str) -> None:
        delete_if(RoundRecord(program, LOCK_ID), RoundRecord.lock_owner == owner)

    def create(
        self,
        program: str,
        round_id: str,
        *,
        trigger: str,
        now: datetime,
        status: RoundState = RoundState.STARTED,
    ) -> bool:
        """Record a new round; False if a round with this id exists (a repeated event)."""
        record = RoundRecord(
            program,
            round_id,
            status=status.value,
            trigger=trigger,
            created_at=now,
            updated_at=now,
        )
        return save_if(record, RoundRecord.round_id.does_not_exist())

    def record_result(
        self,
        program: str,
        round_id: str,
        facts: dict[str, object],
        now: datetime,
        *,
        status: RoundState = RoundState.STARTED,
    ) -> bool:
        """Keep what matching found while the round's emails go out, for a resumed round
        (or while a preview waits for an organizer).

        It holds the addresses of the people left waiting; `finish` replaces it. False if
        the round is not in `status` (an update must never create a round without its dates).
        """
        return update_if(
            RoundRecord(program, round_id),
            [RoundRecord.summary.set({"result": facts}), RoundRecord.updated_at.set(now)],
            RoundRecord.status == status.value,
        )

    def start_publishing(self, program: str, round_id: str, now: datetime) -> bool:
        """Move a preview on to a started round, once; False if it is not (or no longer) a
        preview: another organizer published or discarded it first."""
        check_round_move(RoundState.PREVIEW, RoundState.STARTED)
        return update_if(
            RoundRecord(program, round_id),
            [
                RoundRecord.status.set(RoundState.STARTED.value),
                # So that a run finishing it after a crash knows an organizer published it.
                RoundRecord.trigger.set(PUBLISHED_IN_CONSOLE),
                RoundRecord.updated_at.set(now),
            ],
            RoundRecord.status == RoundState.PREVIEW.value,
        )

    def discard_preview(self, program: str, round_id: str) -> bool:
        """Delete a preview's round record, once; False if it is not (or no longer) a preview."""
        return delete_if(
            RoundRecord(program, round_id), RoundRecord.status == RoundState.PREVIEW.value
        )

    def previews(self, program: str) -> list[Round]:
        """The program's previews not yet published or discarded (a Query on the program)."""
        condition = RoundRecord.round_id < LOCK_ID
        return [
            _round(record)
            for record in RoundRecord.query(
                program, condition, filter_condition=RoundRecord.status == RoundState.PREVIEW.value
            )
        ]

    def finish(
        self,
        program: str,
        round_id: str,
        status: str,
        summary: dict[str, object],
        now: datetime,
        *,
        was: str,
    ) -> bool:
        """Move a round from status `was` to `status`; False if it is not (or no longer) there.

        Conditional, so that finishing a round never creates one: only `create` does.
        """
        check_round_move(RoundState(was), RoundState(status))
        return update_if(
            RoundRecord(program, round_id),
            [
                RoundRecord.status.set(status),
                RoundRecord.summary.set(summary),
                RoundRecord.updated_at.set(now),
            ],
            RoundRecord.status == was,
        )

    def get(self, program: str, round_id: str) -> Round | None:
        try:
            record = RoundRecord.get(program, round_id, consistent_read=True)
        except DoesNotExist:
            return None
        return _round(record)

    def unfinished(self, program: str) -> list[Round]:
        """Rounds that started and never finished (the process died or timed out)."""
        condition = RoundRecord.round_id < LOCK_ID
        return [
            _round(record)
            for record in RoundRecord.query(
                program, condition, filter_condition=RoundRecord.status == RoundState.STARTED.value
            )
        ]

    def before(self, program: str, round_id: str) -> Round | None:
        """The round that came just before `round_id`."""
        condition = RoundRecord.round_id < round_id
        for record in RoundRecord.query(program, condition, scan_index_forward=False, limit=1):
            return _round(record)
        return None

    def latest(self, program: str) -> Round | None:
        condition = RoundRecord.round_id < LOCK_ID
        for record in RoundRecord.query(program, condition, scan_index_forward=False, limit=1):
            return _round(record)
        return None


def _round(record: RoundRecord) -> Round:
    return Round(
        program=record.program,
        round_id=record.round_id,
        status=RoundState(record.status),
        trigger=record.trigger or "",
        summary=dict(record.summary or {}),
        created_at=record.created_at,
    )
