"""Fixed-window counters in DynamoDB, shared by every Lambda instance.

Each counter is one item updated with a conditional ADD, so that however many requests
race for the last place in a window, the database admits exactly as many as the limit.
"""

from __future__ import annotations

from datetime import datetime

from portal.persistence.conditional import update_if
from portal.persistence.tables import LimitRecord


class LimitRepository:
    def take(self, key: str, limit: int, window_end: datetime) -> bool:
        """Count one more in the window unless it already holds `limit`; True if counted."""
        return update_if(
            LimitRecord(key),
            [LimitRecord.taken.add(1), LimitRecord.expires_at.set(window_end)],
            LimitRecord.taken.does_not_exist() | (LimitRecord.taken < limit),
        )

    def give_back(self, key: str) -> None:
        """Uncount one taken by a request that another limit then refused."""
        update_if(LimitRecord(key), [LimitRecord.taken.add(-1)], LimitRecord.taken > 0)

    def is_full(self, key: str, limit: int) -> bool:
        """Whether the window already holds `limit` (a read: nothing is counted)."""
        try:
            record = LimitRecord.get(key, consistent_read=True)
        except LimitRecord.DoesNotExist:
            return False
        return int(record.taken or 0) >= limit
