"""Fixed-window counters in DynamoDB, shared by every Lambda instance.

Each counter is one item updated with a conditional ADD, so that however many requests
race for the last place in a window, the database admits exactly as many as the limit. A
request's counters are taken in one transaction, usually the one that stores what the
request does: all of them and its work, or none.
"""

from __future__ import annotations

from datetime import datetime

from portal.persistence.conditional import Update
from portal.persistence.tables import LimitRecord


class LimitRepository:
    def counting(self, key: str, limit: int, window_end: datetime) -> Update:
        """The write that counts one more in the window, refused if it already holds `limit`.

        For a transaction (portal.persistence.conditional.transact): on its own it writes
        nothing.
        """
        return Update(
            LimitRecord(key),
            [LimitRecord.taken.add(1), LimitRecord.expires_at.set(window_end)],
            LimitRecord.taken.does_not_exist() | (LimitRecord.taken < limit),
        )

    def is_full(self, key: str, limit: int) -> bool:
        """Whether the window already holds `limit` (a read: nothing is counted)."""
        try:
            record = LimitRecord.get(key, consistent_read=True)
        except LimitRecord.DoesNotExist:
            return False
        return int(record.taken or 0) >= limit
