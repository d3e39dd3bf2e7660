"""People a round leaves waiting: what they were told, and when a round has news for them.

After each round, a confirmed person left without a match hears why, once per change of
their situation. Their situation is the reason the engine gave (a code with parameters,
`portal.domain.reasons`) without the counts that move from week to week ("all four mentors
who pass the rules are full" is the same news as "all three"): a new reason, a reason about
other rules, languages or goals, or waiting again after a match, a pause or a change of
status, is news; the same reason again is not. "All the mentors who pass the rules are full"
and, the round after, "no mentor has a free place" are the same news: the full mentors are
simply not in the second round's pool.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from portal.domain import reasons as r
from portal.domain.participants import Participant, Status
from portal.domain.reasons import Reason

# Parameters that count people or say how a full round fell out: they change as others sign
# up or are matched, and are not news.
_MOVING = frozenset({"count", "total", "odd", "outscored"})
# Reasons that are the same news for the person: everyone who could take them is taken.
_SAME_NEWS = {
    r.NO_FREE_MENTOR: r.COMPATIBLE_FULL,  # the round after: the full mentors are not in it
    r.NO_MENTEE_WAITING: r.COMPATIBLE_TAKEN,  # likewise, for a mentor
}


def situation(reason: Reason) -> str:
    """A short fingerprint of why someone waits, without the counts (stored, not shown)."""

    def kept(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: kept(v) for k, v in value.items() if k not in _MOVING}
        if isinstance(value, list):
            return [kept(v) for v in value]
        return value

    said = kept(reason)
    said["code"] = _SAME_NEWS.get(str(said.get("code")), said.get("code"))
    text = json.dumps(said, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def waits(person: Participant) -> bool:
    """Whether the person is in the pool with no match: confirmed, and in no active match.

    Paused people are not waiting (they asked not to be matched), nor is a mentor who has a
    mentee and room for another: they have a match.
    """
    return person.status is Status.CONFIRMED and person.active_matches == 0


def has_news(person: Participant, reason: Reason) -> bool:
    """Whether a round that left `person` waiting for `reason` has something new to tell them."""
    return waits(person) and person.waiting_told != situation(reason)
