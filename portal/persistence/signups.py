"""A sign-up's writes across participants, tokens and the outbox, each all or nothing.

A form submission stores its answers with the link emailed for them (the token's payload),
never in someone's participant record: only using that link writes them there. So a second
submission with the same address, by anyone, cannot change what the first link confirms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from portal.domain.participants import Participant, Status
from portal.persistence.conditional import CONFLICT, Check, Put, Update, transact, transact_if
from portal.persistence.outbox import OutboxItem, queued_record
from portal.persistence.participants import address_is_theirs, address_record, to_record
from portal.persistence.tables import OutboxRecord, ParticipantRecord, TokenRecord
from portal.persistence.tokens import NewToken, unused


class Submitted(StrEnum):
    STORED = "stored"
    # An email with this key (about this address, program and window) was queued before: the
    # sign-up was counted against its limits, and nothing else was stored.
    EMAILED_ALREADY = "emailed-already"
    # A limit counter was full: nothing was stored or counted.
    LIMITED = "limited"
    # What the caller read changed meanwhile (the participant record, or the outbox): read
    # again and decide again.
    CHANGED = "changed"
    # Another request was writing one of the same items at that moment: nothing was decided,
    # try again shortly.
    BUSY = "busy"


@dataclass(frozen=True)
class Submission:
    outcome: Submitted
    full: tuple[int, ...] = ()  # for LIMITED: the positions of the counters that were full


class SignupStore:
    def emailed_already(self, *keys: str) -> frozenset[str]:
        """Which of these outbox keys were queued: one read, of the keys only."""
        found = OutboxRecord.batch_get(keys, consistent_read=True, attributes_to_get=["key"])
        return frozenset(record.key for record in found)

    def submit(
        self,
        *,
        link: NewToken,
        email: OutboxItem | None,
        now: datetime,
        create: Participant | None = None,
        expect: Participant | None = None,
        emailed: str | None = None,
        counters: Sequence[Update] = (),
    ) -> Submission:
        """Count the sign-up and store a new link, queue its email, create or check a sign-up.

        `counters` are the limit counters' writes: if one is full, nothing at all is written.
        `create` is stored only where the address has no sign-up (or an expired pending one);
        `expect` is a sign-up read before, which must still have the same status. `emailed`
        is the key of an email read as queued already: then the transaction only checks it is
        still there and counts, and stores nothing else. Every submission is one transaction,
        whatever the address.
        """
        writes: list[Put | Update | Check] = []
        if emailed is not None:
            writes.append(Check(OutboxRecord, emailed, None, OutboxRecord.key.exists()))
        else:
            writes.append(Put(link.record(), TokenRecord.token_hash.does_not_exist()))
            if email is not None:
                writes.append(Put(queued_record(email, now), OutboxRecord.key.does_not_exist()))
            if create is not None:
                assert create.status is Status.PENDING
                assert create.expires_at is not None
                expired = (ParticipantRecord.status == Status.PENDING.value) & (
                    ParticipantRecord.expires_at <= now
                )
                writes.append(
                    Put(
                        to_record(create),
                        ParticipantRecord.participant_id.does_not_exist() | expired,
                    )
                )
                # One address, one person per program.
                writes.append(Put(address_record(create), address_is_theirs(create)))
            elif expect is not None:
                writes.append(
                    Check(
                        ParticipantRecord,
                        expect.program,
                        expect.participant_id,
                        ParticipantRecord.status == expect.status.value,
                    )
                )
        first_counter = len(writes)
        writes.extend(counters)
        reasons = transact(*writes)
        if not reasons:
            return Submission(Submitted.EMAILED_ALREADY if emailed else Submitted.STORED)
        full = tuple(
            i - first_counter
            for i, why in sorted(reasons.items())
            if i >= first_counter and why != CONFLICT
        )
        if full:
            return Submission(Submitted.LIMITED, full)
        if CONFLICT in reasons.values():
            return Submission(Submitted.BUSY)
        return Submission(Submitted.CHANGED)

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
