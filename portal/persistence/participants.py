"""Participants in DynamoDB: one item per (program, participant id), found by address through
the addresses table (one item per address and program, naming the participant id)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition

from portal.domain.addresses import address_digest
from portal.domain.clock import Clock, system_clock
from portal.domain.participants import Participant, Role, Status
from portal.persistence.conditional import update_if
from portal.persistence.tables import AddressRecord, ParticipantRecord


def _to_entity(record: ParticipantRecord) -> Participant:
    return Participant(
        program=record.program,
        email=record.email,
        address=record.address or "",
        participant_id=record.participant_id,
        role=Role(record.role),
        name=record.name,
        timezone=record.timezone,
        languages=tuple(record.languages or ()),
        availability=tuple(record.availability or ()),
        skills=tuple(record.skills or ()),
        goals=tuple(record.goals or ()),
        department=record.department or "",
        reports_to=record.reports_to or "",
        seniority=record.seniority or "",
        capacity=int(record.capacity or 1),
        bio=record.bio or "",
        answers=dict(record.answers or {}),
        status=Status(record.status),
        created_at=record.created_at,
        updated_at=record.updated_at,
        consented_at=record.consented_at,
        consent_version=record.consent_version or "",
        confirmed_at=record.confirmed_at,
        active_matches=int(record.active_matches or 0),
        expires_at=record.expires_at,
        waiting_since=record.waiting_since,
        waiting_told=record.waiting_told or "",
        waiting_reason=dict(record.waiting_reason) if record.waiting_reason else None,
        language=record.language or "en",
        rounds_waited=int(record.rounds_waited or 0),
        waited_round=record.waited_round or "",
    )


def to_record(participant: Participant) -> ParticipantRecord:
    return ParticipantRecord(
        participant.program,
        participant.participant_id,
        email=participant.email,
        address=participant.address or None,
        role=participant.role.value,
        status=participant.status.value,
        name=participant.name,
        timezone=participant.timezone,
        languages=list(participant.languages),
        availability=list(participant.availability),
        skills=list(participant.skills),
        goals=list(participant.goals),
        department=participant.department or None,
        reports_to=participant.reports_to or None,
        seniority=participant.seniority or None,
        capacity=participant.capacity,
        bio=participant.bio or None,
        answers=participant.answers,
        created_at=participant.created_at,
        updated_at=participant.updated_at,
        consented_at=participant.consented_at,
        consent_version=participant.consent_version or None,
        confirmed_at=participant.confirmed_at,
        active_matches=participant.active_matches or None,
        expires_at=participant.expires_at,
        waiting_since=participant.waiting_since,
        waiting_told=participant.waiting_told or None,
        waiting_reason=participant.waiting_reason,
        language=participant.language,
        rounds_waited=participant.rounds_waited or None,
        waited_round=participant.waited_round or None,
    )


def address_record(participant: Participant) -> AddressRecord:
    """The item that gives this participant their address in their program."""
    return AddressRecord(
        address_digest(participant.email),
        participant.program,
        participant_id=participant.participant_id,
    )


def address_is_theirs(participant: Participant) -> Condition:
    """The address item may be written: it is new, or already names this participant."""
    condition: Condition = AddressRecord.address_hash.does_not_exist() | (
        AddressRecord.participant_id == participant.participant_id
    )
    return condition


def participant_id_of(program: str, email: str) -> str | None:
    """The id of whoever has this address in the program (strongly consistent), or None."""
    try:
        record = AddressRecord.get(address_digest(email), program, consistent_read=True)
    except DoesNotExist:
        return None
    return str(record.participant_id)


def address_items(email: str) -> list[AddressRecord]:
    """The address's items, one per program it signed up to (expired sign-ups included)."""
    return list(AddressRecord.query(address_digest(email), consistent_read=True))


# Forget that someone was waiting: done with the write that matches them or changes their
# status, so that the next round that leaves them waiting tells them (portal.domain.waiting).
FORGET_WAITING = (
    ParticipantRecord.waiting_since.remove(),
    ParticipantRecord.waiting_told.remove(),
    ParticipantRecord.waiting_reason.remove(),
)

# Forget the rounds someone waited: done with the write that matches them (only that: a
# pause does not undo the rounds they waited before it).
FORGET_ROUNDS_WAITED = (
    ParticipantRecord.rounds_waited.remove(),
    ParticipantRecord.waited_round.remove(),
)
# What the write of a match forgets of each of its people: the wait, and its rounds.
FORGET_ON_MATCH = (*FORGET_WAITING, *FORGET_ROUNDS_WAITED)

# Confirmed or paused: someone who can change their status or their answers.
_TAKING_PART = ParticipantRecord.status.is_in(Status.CONFIRMED.value, Status.PAUSED.value)


# The sign-up fields a roster import may set (portal.domain.roster_plan.PARTICIPANT_FIELD).
ROSTER_FIELDS = frozenset({"department", "reports_to", "timezone", "seniority"})


class ParticipantRepository:
    """Load and store participants; every write is conditional on the status it expects.

    Sign-ups are created and confirmed by `SignupStore`, together with their links and emails.
    """

    def __init__(self, clock: Clock = system_clock) -> None:
        self.clock = clock

    def _live(self, record: ParticipantRecord) -> bool:
        # DynamoDB deletes an expired item up to a few days late, and DynamoDB Local and moto
        # never do: an unconfirmed sign-up past its time is gone for every reader.
        return record.expires_at is None or record.expires_at > self.clock()

    def get(self, program: str, email: str) -> Participant | None:
        participant_id = participant_id_of(program, email)
        return None if participant_id is None else self.get_in(program, participant_id)

    def find(self, program: str, email: str) -> tuple[Participant | None, str | None]:
        """The address's live sign-up, and the id the address has in the program even when its
        sign-up expired (None for an address never seen there).

        Two reads whatever the address: a sign-up must cost the same for an unknown address as
        for a known one, so an unknown one reads a participant item that cannot exist.
        """
        participant_id = participant_id_of(program, email)
        found = self.get_in(program, participant_id or "~unknown")
        return found, participant_id

    def get_in(self, program: str, participant_id: str) -> Participant | None:
        """The participant with this id in the program, or None."""
        try:
            record = ParticipantRecord.get(program, participant_id, consistent_read=True)
        except DoesNotExist:
            return None
        return _to_entity(record) if self._live(record) else None

    def get_by_id(self, participant_id: str) -> Participant | None:
        for key in ParticipantRecord.by_id.query(participant_id, limit=1):
            return self.get_in(key.program, key.participant_id)
        return None

    def save(self, participant: Participant) -> None:
        """Store a participant as given (seeding, imports, tests), with their address item."""
        address_record(participant).save()
        to_record(participant).save()

    def set_status(
        self, program: str, email: str, status: Status, now: datetime, *, seen: Status | None = None
    ) -> bool:
        """Pause, resume or leave a confirmed sign-up; False if it is pending, gone or left,
        or (given `seen`, the status an organizer saw) if its status is no longer `seen`."""
        participant_id = participant_id_of(program, email)
        if participant_id is None:
            return False
        condition = _TAKING_PART
        if seen is not None:
            condition = condition & (ParticipantRecord.status == seen.value)
        return update_if(
            ParticipantRecord(program, participant_id),
            [
                ParticipantRecord.status.set(status.value),
                ParticipantRecord.updated_at.set(now),
                *FORGET_WAITING,  # back from a pause, waiting is news again
            ],
            condition,
        )

    def note_waiting(
        self,
        program: str,
        participant_id: str,
        *,
        since: datetime,
        told: str,
        reason: dict[str, Any] | None = None,
    ) -> bool:
        """Record that a round told a confirmed person why they wait; False if not confirmed."""
        actions = [
            ParticipantRecord.waiting_since.set(since),
            ParticipantRecord.waiting_told.set(told),
        ]
        if reason is not None:
            # The reason itself, for the organizers' console (the fingerprint cannot be read).
            actions.append(ParticipantRecord.waiting_reason.set(reason))
        return update_if(
            ParticipantRecord(program, participant_id),
            actions,
            ParticipantRecord.status == Status.CONFIRMED.value,
        )

    def count_round_waited(self, program: str, participant_id: str, round_id: str) -> bool:
        """Count one more round that left a confirmed person waiting, once per round (a
        resumed round counts nobody twice); False if it was counted already or they are not
        confirmed."""
        return update_if(
            ParticipantRecord(program, participant_id),
            [
                ParticipantRecord.rounds_waited.add(1),
                ParticipantRecord.waited_round.set(round_id),
            ],
            (ParticipantRecord.status == Status.CONFIRMED.value)
            & (
                ParticipantRecord.waited_round.does_not_exist()
                | (ParticipantRecord.waited_round != round_id)
            ),
        )

    def update_profile(self, participant: Participant, now: datetime) -> bool:
        """Store a person's edited answers; False unless they are confirmed or paused."""
        record = to_record(participant)
        fields = (
            "name", "timezone", "languages", "availability", "skills", "goals", "department",
            "reports_to", "seniority", "capacity", "bio", "answers", "language",
        )  # fmt: skip
        actions = []
        for name in fields:
            attribute = getattr(ParticipantRecord, name)
            value = getattr(record, name)
            actions.append(attribute.remove() if value is None else attribute.set(value))
        return update_if(record, [*actions, ParticipantRecord.updated_at.set(now)], _TAKING_PART)

    def set_roster_fields(
        self, program: str, participant_id: str, values: Mapping[str, str], now: datetime
    ) -> bool:
        """Set what a roster import says of a sign-up (department, reports_to, timezone,
        seniority; an empty value clears it); only those fields, never matches or capacity.
        False if the sign-up is gone."""
        actions = []
        for name, value in values.items():
            if name not in ROSTER_FIELDS:
                raise ValueError(f"a roster import does not set {name!r}")
            if name == "timezone" and not value:
                continue  # matching needs a zone: an empty cell keeps the one given
            attribute = getattr(ParticipantRecord, name)
            actions.append(attribute.set(value) if value else attribute.remove())
        if not actions:
            return False
        return update_if(
            ParticipantRecord(program, participant_id),
            [*actions, ParticipantRecord.updated_at.set(now)],
            ParticipantRecord.participant_id.exists(),
        )

    def for_program(self, program: str, page_size: int | None = None) -> Iterator[Participant]:
        """The program's live sign-ups, read a page at a time as the caller iterates."""
        for record in ParticipantRecord.query(program, page_size=page_size):
            if self._live(record):
                yield _to_entity(record)

    def count(self, program: str) -> int:
        """How many people the program holds, whatever their status (a Query that counts)."""
        return ParticipantRecord.count(program)

    def names(self, program: str) -> Iterator[tuple[str, str, str]]:
        """Each live sign-up's participant id, address and name, and nothing else of theirs
        (so that a reader keeping them all for a program holds a few bytes a person)."""
        attributes = ["participant_id", "email", "name", "expires_at"]
        for record in ParticipantRecord.query(program, attributes_to_get=attributes):
            if self._live(record):
                yield record.participant_id, record.email, record.name

    def with_expired(self, program: str) -> Iterator[Participant]:
        """Every sign-up in the program, unconfirmed ones past their time included (the
        retention run deletes those: DynamoDB's TTL does it days late, or not at all locally)."""
        for record in ParticipantRecord.query(program, consistent_read=True):
            yield _to_entity(record)

    def everywhere(self, email: str, *, as_if_known: bool = False) -> list[Participant]:
        """The address's live sign-ups in every program, found by its digest (no scan).

        `as_if_known` reads a participant item even for an address never seen (one that
        cannot exist, as `find` does), so that a request about an address costs about the
        same whether or not it is known.
        """
        keys = [(item.program, item.participant_id) for item in address_items(email)]
        if not keys and as_if_known:
            keys = [("~unknown", "~unknown")]
        found = (self.get_in(program, participant_id) for program, participant_id in keys)
        return [person for person in found if person is not None]

    def by_digest(self, digest: str) -> list[Participant]:
        """The live sign-ups of the address with this digest (an unsubscribe link's), no scan."""
        keys = [(item.program, item.participant_id) for item in AddressRecord.query(digest)]
        found = (self.get_in(program, participant_id) for program, participant_id in keys)
        return [person for person in found if person is not None]

    def set_language(self, participant: Participant, language: str, now: datetime) -> bool:
        """Store the language of the person's pages and emails on one sign-up; False if gone."""
        return update_if(
            ParticipantRecord(participant.program, participant.participant_id),
            [ParticipantRecord.language.set(language), ParticipantRecord.updated_at.set(now)],
            ParticipantRecord.participant_id.exists(),
        )

    def programs_of(self, email: str) -> list[str]:
        """The programs the address has a live sign-up in (expired ones left out)."""
        return [person.program for person in self.everywhere(email)]
