"""Retention: what the portal keeps no longer, removed by a daily run (functions/retention.py)
and shown, or removed, by `portal purge`.

- A person whose last cycle ended more than `retention_days` ago (portal/domain/retention.py)
  in every program they signed up to is erased by the erasure service, as Delete my data
  does. The erasure removes a person from every program at once, so someone past the period
  of one program but inside another's is kept until the last of their periods ends (counted
  as `people_kept`). A match still marked active long after its cycle (the reminders did not
  run) is marked completed first, so that the partner is not told it ended early.
- A sign-up never confirmed is deleted 7 days after the form was sent (with the whole
  person, by the erasure, when it was all the portal held of them).
- Links, browser sessions, records of sent emails and the log of exports past their time are
  deleted; DynamoDB's TTL deletes them too, but days late.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from portal.catalog.programs import ProgramCatalog
from portal.domain.matches import Match
from portal.domain.participants import Participant, Status
from portal.domain.program import Program
from portal.domain.retention import kept_until
from portal.persistence.matches import MatchRepository
from portal.persistence.participants import ParticipantRepository
from portal.persistence.retention import RetentionStore
from portal.services.erasure import ErasureService, NobodyToErase

log = logging.getLogger(__name__)

K = TypeVar("K")

# The kinds counted, in the order they are shown.
KINDS = (
    ("people", "people past the retention period of every program they are in, erased"),
    ("people_kept", "people past one program's retention period, kept for another's"),
    ("matches_completed", "matches long past their cycle, marked completed before erasing"),
    ("unconfirmed", "sign-ups not confirmed within 7 days"),
    ("links", "expired links"),
    ("sessions", "expired browser sessions"),
    ("emails", "records of emails sent or given up more than 90 days ago"),
    ("exports", "logged exports more than a year old"),
)


@dataclass
class Purge:
    """What a retention run removed, or a dry run would: a count per kind, and failures."""

    at: datetime
    applied: bool
    counts: dict[str, int] = field(default_factory=lambda: {kind: 0 for kind, _ in KINDS})
    failed: int = 0  # people whose erasure raised (logged with its traceback; the next run retries)
    completed: set[str] = field(default_factory=set, repr=False)  # match ids marked completed

    @property
    def total(self) -> int:
        return sum(self.counts[kind] for kind, _ in KINDS if kind != "people_kept")


@dataclass(frozen=True)
class SignUpVerdict:
    """One sign-up of a person, judged: past its time or not."""

    program: Program
    person: Participant
    matches: tuple[Match, ...]
    due: bool


class RetentionService:
    def __init__(
        self,
        *,
        programs: ProgramCatalog,
        participants: ParticipantRepository,
        matches: MatchRepository,
        store: RetentionStore,
        erasure: ErasureService,
    ) -> None:
        self.programs = programs
        self.participants = participants
        self.matches = matches
        self.store = store
        self.erasure = erasure

    def plan(self, now: datetime) -> Purge:
        """What `purge` would remove at `now`, counted, changing nothing."""
        return self._run(now, apply=False)

    def purge(self, now: datetime) -> Purge:
        """Remove everything past its time at `now`; running it again removes nothing more."""
        return self._run(now, apply=True)

    def _run(self, now: datetime, *, apply: bool) -> Purge:
        done = Purge(at=now, applied=apply)
        # First what has expired: the erasures below then scan smaller tables.
        self._sweep(done, "links", self.store.expired_links(now), self.store.delete_link, now)
        self._sweep(
            done, "sessions", self.store.expired_sessions(now), self.store.delete_session, now
        )
        self._sweep(
            done, "emails", self.store.old_emails(now), lambda k, _: self.store.delete_email(k), now
        )
        self._sweep(done, "exports", self.store.expired_exports(now), self.store.delete_export, now)
        for email, verdicts in self._people(now).items():
            try:
                self._person(done, email, verdicts, now)
            except Exception:
                # One person's failure stops nobody else's; the next run tries again (an
                # interrupted erasure is finished by the next, portal/services/erasure.py).
                log.exception(
                    "retention: a person in %s", ", ".join(v.program.slug for v in verdicts)
                )
                done.failed += 1
        return done

    def _sweep(
        self,
        done: Purge,
        kind: str,
        keys: Iterable[K],
        delete: Callable[[K, datetime], bool],
        now: datetime,
    ) -> None:
        for key in keys:
            if not done.applied or delete(key, now):
                done.counts[kind] += 1

    def _people(self, now: datetime) -> dict[str, list[SignUpVerdict]]:
        """Everyone signed up to a program of the catalog, by address, each sign-up judged."""
        found: dict[str, list[SignUpVerdict]] = defaultdict(list)
        for program in self.programs:
            by_id: dict[str, list[Match]] = defaultdict(list)
            for match in self.matches.for_program(program.slug):
                by_id[match.mentor_id].append(match)
                by_id[match.mentee_id].append(match)
            for person in self.participants.with_expired(program.slug):
                matches = tuple(by_id.get(person.participant_id, ()))
                due = now >= kept_until(person, matches, program)
                found[person.email].append(SignUpVerdict(program, person, matches, due))
        return found

    def _person(
        self, done: Purge, email: str, verdicts: list[SignUpVerdict], now: datetime
    ) -> None:
        unconfirmed = [v for v in verdicts if v.due and v.person.status is Status.PENDING]
        past = [v for v in verdicts if v.due and v.person.status is not Status.PENDING]
        if not unconfirmed and not past:
            return
        # A sign-up in a program no longer in the catalog cannot be judged: it is kept, and
        # so is the person.
        judged = {v.program.slug for v in verdicts}
        elsewhere = {s.program for s in self.erasure.store.sign_ups(email)} - judged
        if all(v.due for v in verdicts) and not elsewhere:
            for verdict in past:
                self._complete_overdue(done, verdict, now)
            try:
                (self.erasure.erase if done.applied else self.erasure.plan)(email)
            except NobodyToErase:
                # No address item: a sign-up left half-deleted. Unconfirmed ones are deleted
                # one by one below; anything else needs an organizer.
                if past:
                    log.error(
                        "retention: a sign-up past its period in %s has no address item",
                        ", ".join(v.program.slug for v in past),
                    )
                    done.failed += 1
            else:
                done.counts["people"] += 1 if past else 0
                done.counts["unconfirmed"] += len(unconfirmed)
                return
        elif past:
            done.counts["people_kept"] += 1
        for verdict in unconfirmed:
            if not done.applied or self.store.delete_unconfirmed(verdict.person, now):
                done.counts["unconfirmed"] += 1

    def _complete_overdue(self, done: Purge, verdict: SignUpVerdict, now: datetime) -> None:
        for match in verdict.matches:
            if match.match_id in done.completed:
                continue  # both people erased: counted once, as it is written once
            if match.holds_places and match.cycle_over(verdict.program, now):
                done.completed.add(match.match_id)
                if not done.applied or self.matches.complete(
                    verdict.program, match.match_id, now=now
                ):
                    done.counts["matches_completed"] += 1
