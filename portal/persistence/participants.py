"""Participants in DynamoDB: one item per (program, email)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from portal.domain.participants import Participant, Role, Status
from portal.persistence.conditional import save_if, update_if
from portal.persistence.tables import ParticipantRecord


class AlreadyConfirmedError(Exception):
    """The address is already a confirmed participant of this program."""


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
        confirmed_at=record.confirmed_at,
        active_matches=int(record.active_matches or 0),
    )


def _to_record(participant: Participant) -> ParticipantRecord:
    return ParticipantRecord(
        participant.program,
        participant.email,
        address=participant.address or None,
        participant_id=participant.participant_id,
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
        confirmed_at=participant.confirmed_at,
        active_matches=participant.active_matches or None,
    )


# Confirmed or paused: someone who can change their status or their answers.
_TAKING_PART = ParticipantRecord.status.is_in(Status.CONFIRMED.value, Status.PAUSED.value)


class ParticipantRepository:
    """Load and store participants; every write is conditional on the status it expects."""

    def get(self, program: str, email: str) -> Participant | None:
        try:
            return _to_entity(ParticipantRecord.get(program, email, consistent_read=True))
        except DoesNotExist:
            return None

    def get_by_id(self, participant_id: str) -> Participant | None:
        for key in ParticipantRecord.by_id.query(participant_id, limit=1):
            return self.get(key.program, key.email)
        return None

    def save_pending(self, participant: Participant) -> None:
        """Create the sign-up, or replace a pending one or one who left; never a confirmed one."""
        record = _to_record(participant)
        condition = ParticipantRecord.email.does_not_exist() | ParticipantRecord.status.is_in(
            Status.PENDING.value, Status.LEFT.value
        )
        if not save_if(record, condition):
            raise AlreadyConfirmedError(participant.email)

    def save(self, participant: Participant) -> None:
        """Store a participant as given (seeding, imports, tests)."""
        _to_record(participant).save()

    def confirm(self, program: str, email: str, now: datetime) -> bool:
        """Mark a pending sign-up confirmed; False if there was no pending sign-up."""
        return update_if(
            ParticipantRecord(program, email),
            [
                ParticipantRecord.status.set(Status.CONFIRMED.value),
                ParticipantRecord.confirmed_at.set(now),
                ParticipantRecord.updated_at.set(now),
            ],
            ParticipantRecord.status == Status.PENDING.value,
        )

    def set_status(self, program: str, email: str, status: Status, now: datetime) -> bool:
        """Pause, resume or leave a confirmed sign-up; False if it is pending, gone or left."""
        return update_if(
            ParticipantRecord(program, email),
            [ParticipantRecord.status.set(status.value), ParticipantRecord.updated_at.set(now)],
            _TAKING_PART,
        )

    def update_profile(self, participant: Participant, now: datetime) -> bool:
        """Store a person's edited answers; False unless they are confirmed or paused."""
        record = _to_record(participant)
        fields = (
            "name", "timezone", "languages", "availability", "skills", "goals", "department",
            "reports_to", "seniority", "capacity", "bio", "answers",
        )  # fmt: skip
        actions = []
        for name in fields:
            attribute = getattr(ParticipantRecord, name)
            value = getattr(record, name)
            actions.append(attribute.remove() if value is None else attribute.set(value))
        return update_if(record, [*actions, ParticipantRecord.updated_at.set(now)], _TAKING_PART)

    def for_program(self, program: str) -> Iterator[Participant]:
        for record in ParticipantRecord.query(program):
            yield _to_entity(record)

    def programs_of(self, email: str) -> list[str]:
        return [key.program for key in ParticipantRecord.by_email.query(email)]
