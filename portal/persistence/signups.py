"""A sign-up's writes across participants, tokens and the outbox, each all or nothing.

A form submission stores its answers with the link emailed for them (the token's payload),
never in someone's participant record: only using that link writes them there. So a second
submission with the same address, by anyone, cannot change what the first link confirms.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from portal.domain.participants import Participant, Status
from portal.persistence.conditional import Check, Put, Update, transact_if
from portal.persistence.outbox import OutboxItem, queued_record
from portal.persistence.participants import address_is_theirs, address_record, to_record
from portal.persistence.tables import OutboxRecord, ParticipantRecord, TokenRecord
from portal.persistence.tokens import NewToken, unused


class Submitted(StrEnum):
    STORED = "stored"
    # An email with this key (about this address, program and window) was queued before:
    # nothing was stored.
    EMAILED_ALREADY = "emailed-already"
    # The participant record is not what the caller read: read again and decide again.
    CHANGED = "changed"


class SignupStore:
    def submit(
        self,
        *,
        link: NewToken,
        email: OutboxItem | None,
        now: datetime,
        create: Participant | None = None,
        expect: Participant | None = None,
    ) -> Submitted:
        """Store a new link and queue its email; create a pending sign-up, or check one read.

        `create` is stored only where the address has no sign-up (or an expired pending one);
        `expect` is a sign-up read before, which must still have the same status. Either way
        one write touches the participant item, and nothing is stored if the email was queued
        before: every submission costs the same, whatever the address.
        """
        writes: list[Put | Update | Check] = [
            Put(link.record(), TokenRecord.token_hash.does_not_exist())
        ]
        if email is not None:
            writes.append(Put(queued_record(email, now), OutboxRecord.key.does_not_exist()))
        if create is not None:
            assert create.status is Status.PENDING
            assert create.expires_at is not None
            expired = (ParticipantRecord.status == Status.PENDING.value) & (
                ParticipantRecord.expires_at <= now
            )
            writes.append(
                Put(to_record(create), ParticipantRecord.participant_id.does_not_exist() | expired)
            )
        elif expect is not None:
            writes.append(
                Check(
                    ParticipantRecord,
                    expect.program,
                    expect.participant_id,
                    ParticipantRecord.status == expect.status.value,
                )
            )
        if create is not None:
            # Last, so that the positions above stay: one address, one person per program.
            writes.append(Put(address_record(create), address_is_theirs(create)))
        refused = transact_if(*writes)
        if not refused:
            return Submitted.STORED
        if email is not None and 1 in refused:
            return Submitted.EMAILED_ALREADY
        return Submitted.CHANGED

    def confirm(
        self, *, token_hash: str, purpose: str, participant: Participant, now: datetime
    ) -> bool:
        """Use the link and store the participant it confirms, at once; False if refused.

        Refused when the link is used, expired or gone, or when the address already takes part
        in the program (confirmed or paused): a sign-up replaces only a pending one or one who
        left. Of two people pressing the same link at once, exactly one succeeds.
        """
        assert participant.status is Status.CONFIRMED
        assert participant.expires_at is None
        may_join = (
            ParticipantRecord.participant_id.does_not_exist()
            | ParticipantRecord.status.is_in(Status.PENDING.value, Status.LEFT.value)
        )
        refused = transact_if(
            Update(TokenRecord(token_hash), [TokenRecord.used_at.set(now)], unused(purpose, now)),
            Put(to_record(participant), may_join),
            Put(address_record(participant), address_is_theirs(participant)),
        )
        return not refused
