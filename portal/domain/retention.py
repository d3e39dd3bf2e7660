"""How long a person's data in a program is kept: until their last cycle there ended, plus the
program's `retention_days`; an unconfirmed sign-up, 7 days.

A cycle belongs to a match: it starts when the match starts and lasts the program's
`cycle_weeks`; a match that ended early (someone left, paused, asked for another match, or it
was closed) ends its cycle then. A person's last cycle in a program ended at the latest of:

- the end of the cycle of each of their matches there (drafts and suggestions are not
  matches and do not count);
- for someone who left the program, the day they left; for anyone else, one cycle after they
  last changed their sign-up (confirmed it, edited their profile, paused or came back): the
  cycle they were waiting in, matched or not.

So nobody inside a running cycle, nor anyone who changed their sign-up within the last cycle
plus the retention period, is ever past it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from portal.domain.matches import Match, MatchState
from portal.domain.participants import Participant, Status
from portal.domain.program import Program

# An unconfirmed sign-up is kept this long after the form was sent (its `expires_at`).
UNCONFIRMED_FOR = timedelta(days=7)

# Matches that were published: a draft pair or a suggestion was never anyone's cycle.
_LIVED = (MatchState.ACTIVE, MatchState.ENDED, MatchState.COMPLETED)


def cycle_end(match: Match, program: Program) -> datetime:
    """When the match's cycle ended (or ends): `cycle_weeks` after it started, or earlier if
    the match ended early."""
    scheduled = match.created_at + timedelta(weeks=program.cycle_weeks)
    if match.status is MatchState.ENDED and match.ended_at is not None:
        return min(scheduled, match.ended_at)
    return scheduled


def last_cycle_end(person: Participant, matches: Iterable[Match], program: Program) -> datetime:
    """When the person's last cycle in the program ended (or ends), by the rule above."""
    changed = person.updated_at or person.confirmed_at or person.created_at
    if changed is None:
        raise ValueError(f"the sign-up {person.participant_id} has no date")
    own = (
        changed if person.status is Status.LEFT else changed + timedelta(weeks=program.cycle_weeks)
    )
    ends = [cycle_end(match, program) for match in matches if match.status in _LIVED]
    return max([own, *ends])


def kept_until(person: Participant, matches: Iterable[Match], program: Program) -> datetime:
    """Until when the person's data in the program is kept (a pending sign-up: 7 days)."""
    if person.status is Status.PENDING:
        if person.expires_at is not None:
            return person.expires_at
        # Sign-ups stored before pending ones carried an expiry: 7 days from the form.
        sent = person.created_at or person.updated_at
        if sent is None:
            raise ValueError(f"the sign-up {person.participant_id} has no date")
        return sent + UNCONFIRMED_FOR
    return last_cycle_end(person, matches, program) + timedelta(days=program.retention_days)
