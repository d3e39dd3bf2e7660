"""A round previewed in the console: a dry run on today's pool that an organizer publishes or
discards.

The preview is a round of its own (status `preview`, trigger `console`) whose pairs are stored
as drafts, or in a program whose mentees choose as suggestions: they hold no place and nobody
is told. While it is open it holds the program's round lock (the one every round takes) for
up to `PREVIEW_HOLD`, so a scheduled round or `portal round` finds the program busy and runs
once the preview is gone, on the pool as it is then; nobody is matched twice.

Publishing moves the preview on to a started round, once (a conditional write: a second
organizer is told it was published already), re-checks each pair against the pool as it is
now, as approving drafts does, and announces the round as a round that ran would have:
introductions (or the suggestions), the people waiting, the organizers' summary. Discarding
deletes the round and its drafts, and lets the lock go: the pool is as it was.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from portal.domain.matches import RoundState, places_left
from portal.domain.participants import Participant, Role
from portal.domain.program import Approval, Program
from portal.i18n import N_, gettext
from portal.persistence.matches import (
    MENTEE_TAKEN,
    MENTOR_FULL,
    PUBLISHED_IN_CONSOLE,
    StoredMatch,
    StoredRound,
)
from portal.presenters.waiting import unmatched_text
from portal.services.rounds.common import RoundOutcome, is_round_id, round_id_for
from portal.services.rounds.review import REFUSALS, OrganizerReview, UnknownRoundError, gone
from portal.services.rounds.run import RoundRun

if TYPE_CHECKING:
    from portal.domain.matching import MatchResult, Unmatched


PREVIEW_HOLD = timedelta(hours=24)  # how long a preview keeps scheduled rounds away


ARCHIVED = N_(
    "This program is archived: it runs no more rounds. Bring it back from the archive on its "
    "Status page first."
)


class PreviewError(Exception):
    """A preview cannot be made, or published, now; the message says why, for the organizer."""


class AlreadyPublishedError(Exception):
    """The preview was published meanwhile (by another organizer, or in another tab)."""


@dataclass(frozen=True)
class Preview:
    """A preview as the console shows it: the round, its drafts and whom it leaves waiting."""

    round: StoredRound
    pairs: list[StoredMatch]  # drafts, or a mentee-choice program's suggestions
    result: MatchResult | None  # what matching found (unmatched, figures); None for no pool
    waiting: list[Unmatched]  # whom it leaves waiting, of the people still in the program
    by_reason: list[tuple[str, int]]  # how many wait for each reason, in words, most first
    expires_at: datetime
    expired: bool
    # Mentees (or peers) it leaves waiting who, once it is published, will have waited two or
    # more rounds in a row (the round summary's figure, foreseen).
    waited_two_rounds: int = 0


def _lock_owner(round_id: str) -> str:
    return f"preview:{round_id}"


class RoundPreviews(RoundRun, OrganizerReview):
    """Preview a round in the console, then publish or discard it."""

    def open_preview(self, program: Program) -> Preview | None:
        """The program's preview not yet published or discarded, if there is one."""
        previews = self.rounds.previews(program.slug)
        return self._preview_of(program, previews[-1]) if previews else None

    def preview_round(self, program: Program, round_id: str) -> StoredRound:
        """The program's preview of that name; UnknownRoundError if there is none (any more).

        AlreadyPublishedError when a preview of that name was published (a round made in the
        console that has moved on).
        """
        stored = self.rounds.get(program.slug, round_id) if is_round_id(round_id) else None
        if stored is not None and stored.status is RoundState.PREVIEW:
            return stored
        if stored is not None and stored.trigger in ("console", PUBLISHED_IN_CONSOLE):
            raise AlreadyPublishedError(round_id)
        raise UnknownRoundError(round_id)

    def preview(self, program: Program) -> Preview:
        """Match today's pool as a round would, store it as a preview and tell nobody.

        PreviewError when a preview is open already, a round is running, or a round's drafts
        wait for approval (their people are in the pool too), or the program is archived.
        Paused scheduled rounds do not stop it: a round run from the console is asked for.
        """
        if program.archived:
            raise PreviewError(gettext(ARCHIVED))
        if self.rounds.previews(program.slug):
            raise PreviewError(gettext("A preview is open already: publish or discard it first."))
        drafts = self.drafts(program)
        if drafts is not None and drafts[1]:
            raise PreviewError(
                gettext(
                    "A round's draft pairs are waiting for approval: approve them first, "
                    "then run a new round."
                )
            )
        now = self.clock()
        round_id = round_id_for(now)
        owner = _lock_owner(round_id)
        if not self.rounds.acquire_lock(program.slug, owner, now, PREVIEW_HOLD):
            raise PreviewError(gettext("A round is running now: try again in a few minutes."))
        try:
            # A round (or a publish) cut short is finished first, as a round run now would.
            self._finish_interrupted(program, now)
        except Exception:
            self.rounds.release_lock(program.slug, owner)
            raise
        if not self.rounds.create(
            program.slug, round_id, trigger="console", now=now, status=RoundState.PREVIEW
        ):
            self.rounds.release_lock(program.slug, owner)
            raise PreviewError(gettext("A round ran this minute: try again in a minute."))
        try:
            self._match_preview(program, round_id, now)
        except Exception:
            # Nothing half-made stays: the drafts, the round and the lock go.
            self.matches.remove_drafts(program.slug, round_id)
            self.rounds.discard_preview(program.slug, round_id)
            self.rounds.release_lock(program.slug, owner)
            raise
        stored = self.rounds.get(program.slug, round_id)
        assert stored is not None  # made above, under the lock
        return self._preview_of(program, stored)

    def _match_preview(self, program: Program, round_id: str, now: datetime) -> None:
        pool, everyone = self._pool(program)
        if pool:
            self._match_and_store(
                program, round_id, pool, everyone, now, activate=False, status=RoundState.PREVIEW
            )

    def _preview_of(self, program: Program, stored: StoredRound) -> Preview:
        pairs = sorted(
            (
                m
                for m in self.matches.for_round(program.slug, stored.round_id)
                if m.status in ("proposed", "suggested")
            ),
            key=lambda m: (m.mentee, -m.score, m.mentor),
        )
        expires_at = stored.created_at + PREVIEW_HOLD
        result = self._recorded_result(program.slug, stored.round_id)
        here = {p.email: p for p in self.participants.for_program(program.slug)}
        waiting = [u for u in (result.unmatched if result else ()) if u.email in here]
        waited = sum(
            here[u.email].role is not Role.MENTOR and here[u.email].rounds_waited + 1 >= 2
            for u in waiting
        )
        by_reason = Counter(unmatched_text(u.reason) for u in waiting)
        return Preview(
            round=stored,
            pairs=pairs,
            result=result,
            waiting=waiting,
            by_reason=sorted(by_reason.items(), key=lambda item: (-item[1], item[0])),
            expires_at=expires_at,
            expired=self.clock() >= expires_at,
            waited_two_rounds=waited,
        )

    def publish(self, program: Program, round_id: str) -> RoundOutcome:
        """Publish a preview: make each pair that still can be, and send what the program's
        approval asks (introductions, or the mentees' suggestions).

        UnknownRoundError if there is no such preview, AlreadyPublishedError if it was
        published meanwhile, PreviewError if it is too old to publish. The outcome's
        `refused` counts the pairs (or suggestions) that could not be made, and its notes
        say why, in words with their counts.
        """
        stored = self.preview_round(program, round_id)
        if program.archived:
            raise PreviewError(gettext(ARCHIVED))
        now = self.clock()
        if now >= stored.created_at + PREVIEW_HOLD:
            raise PreviewError(
                gettext(
                    "This preview is more than 24 hours old, and scheduled rounds may have run "
                    "since: discard it and run a new one."
                )
            )
        if not self.rounds.start_publishing(program.slug, round_id, now):
            self.preview_round(program, round_id)  # raises: published or discarded meanwhile
            raise UnknownRoundError(round_id)
        try:
            everyone = {p.email: p for p in self.participants.for_program(program.slug)}
            choosing = program.approval is Approval.MENTEE_CHOICE
            if choosing:
                refused = self._check_suggestions(program, round_id, everyone)
            else:
                refused = self._activate_drafts(program, round_id, everyone, now)
            outcome = self._announce(
                program,
                round_id,
                now,
                self._recorded_result(program.slug, round_id),
                sum(refused.values()),
                published=not choosing,
            )
        finally:
            self.rounds.release_lock(program.slug, _lock_owner(round_id))
        notes = [f"{count} because {why}" for why, count in sorted(refused.items())]
        return RoundOutcome(
            outcome.program,
            outcome.round_id,
            outcome.status,
            pairs=outcome.pairs,
            refused=outcome.refused,
            unmatched=outcome.unmatched,
            emails=outcome.emails,
            notes=notes or outcome.notes,
        )

    def _check_suggestions(
        self, program: Program, round_id: str, everyone: dict[str, Participant]
    ) -> Counter[str]:
        """Drop each suggestion that can no longer be taken; counted by why, in words."""
        refused: Counter[str] = Counter()
        for option in self.matches.for_round(program.slug, round_id):
            if option.status != "suggested":
                continue
            mentor, mentee = everyone.get(option.mentor), everyone.get(option.mentee)
            why = gone(mentor, mentee)
            if why is None and mentee is not None and not places_left(program, mentee):
                why = REFUSALS[MENTEE_TAKEN]
            if why is None and mentor is not None and not places_left(program, mentor):
                why = REFUSALS[MENTOR_FULL]
            if why is not None:
                refused[why] += 1
                if mentor is not None and mentee is not None:
                    self.matches.remove_proposed(
                        program.slug,
                        round_id,
                        mentor=option.mentor,
                        mentee=option.mentee,
                        status="suggested",
                    )
        return refused

    def discard(self, program: Program, round_id: str) -> int:
        """Delete a preview: its round, its drafts, and its hold on the round lock; how many
        drafts went. UnknownRoundError (or AlreadyPublishedError) if it is not a preview.

        The round goes first, conditionally: a publish at the same moment either finds it
        gone, or moved it on first and this finds it no longer a preview.
        """
        self.preview_round(program, round_id)
        if not self.rounds.discard_preview(program.slug, round_id):
            self.preview_round(program, round_id)  # raises: published or discarded meanwhile
            raise UnknownRoundError(round_id)
        removed = self.matches.remove_drafts(program.slug, round_id)
        self.rounds.release_lock(program.slug, _lock_owner(round_id))
        return removed
