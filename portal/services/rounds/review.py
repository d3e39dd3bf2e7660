"""Organizer review: draft pairs an organizer adjusts, then approves."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from portal.domain.matches import MOVED, capacity
from portal.domain.participants import Participant, Role, Status
from portal.domain.program import Program
from portal.domain.reasons import Reason
from portal.domain.waiting import waits
from portal.i18n import gettext, ngettext
from portal.persistence.matches import (
    ACTIVATED,
    MENTEE_TAKEN,
    MENTOR_FULL,
    PAIR_TAKEN,
    StoredMatch,
    StoredRound,
)
from portal.presenters.reasons import veto_text
from portal.services.rounds.common import RoundOutcome, is_round_id, round_id_for
from portal.services.rounds.groups import GroupIntroductions


class AdjustmentError(Exception):
    """An organizer's change would break a rule; the message says which."""


class UnknownRoundError(Exception):
    """No round of the program by that name is waiting for an organizer's approval."""


class OrganizerReview(GroupIntroductions):
    """A round's drafts, waiting for an organizer: see them, move a mentee, publish them."""

    def drafts(self, program: Program) -> tuple[str, list[StoredMatch]] | None:
        """The latest round's draft pairs, waiting for approval, if there are any."""
        latest = self.rounds.latest(program.slug)
        if latest is None or latest.status != "proposed":
            return None
        pairs = [
            m
            for m in self.matches.for_round(program.slug, latest.round_id)
            if m.status == "proposed"
        ]
        return latest.round_id, pairs

    def proposed_round(self, program: Program, round_id: str) -> StoredRound:
        """The program's round of that name if it is waiting for approval; else UnknownRoundError.

        The name comes from a URL: anything but a round's name is refused before it reaches
        the database (whose keys have a size limit).
        """
        stored = self.rounds.get(program.slug, round_id) if is_round_id(round_id) else None
        if stored is None or stored.status != "proposed":
            raise UnknownRoundError(round_id)
        return stored

    def adjust(
        self, program: Program, round_id: str, mentee: str, mentor: str | None
    ) -> StoredMatch | None:
        """Move a mentee to another mentor (or out of the round), checked against the rules.

        Raises UnknownRoundError unless the round is waiting for approval, and AdjustmentError
        with a message for the organizer when the move breaks a must rule or a mentor's
        capacity; nothing is changed then.
        """
        self.proposed_round(program, round_id)
        now = self.clock()
        everyone = {p.email: p for p in self.participants.for_program(program.slug)}
        drafts = [
            m for m in self.matches.for_round(program.slug, round_id) if m.status == "proposed"
        ]
        current = next((m for m in drafts if m.mentee == mentee), None)
        # Messages name people by their stored names, never by the posted values: a message
        # is flashed into the session cookie, and a made-up value of kilobytes made a cookie
        # that browsers drop (with the session).
        if mentee not in everyone or current is None:
            if mentee in everyone:
                raise AdjustmentError(
                    gettext("%(name)s has no draft pair in this round", name=everyone[mentee].name)
                )
            raise AdjustmentError(gettext("The chosen mentee has no draft pair in this round"))
        if mentor == current.mentor:
            return current
        new_pair = None
        if mentor is not None:
            other = everyone.get(mentor)
            taken = sum(1 for m in drafts if m.mentor == mentor) + (
                other.active_matches if other is not None else 0
            )
            new_pair = self.check_pair(
                program,
                everyone[mentee],
                other,
                taken=taken,
                now=now,
                draft=True,
            )
        self.matches.remove_proposed(program.slug, round_id, mentor=current.mentor, mentee=mentee)
        if new_pair is None or mentor is None:
            return None
        self.matches.save_proposed(
            program.slug,
            round_id,
            mentor=mentor,
            mentee=mentee,
            score=new_pair[0],
            reasons=new_pair[1],
            now=now,
        )
        return next(m for m in self.matches.for_round(program.slug, round_id) if m.mentee == mentee)

    def check_pair(
        self,
        program: Program,
        mentee: Participant,
        mentor: Participant | None,
        *,
        taken: int,
        now: datetime,
        draft: bool = False,
    ) -> tuple[float, tuple[Reason, ...]]:
        """The pair's score and reasons if `mentor` may take `mentee` with `taken` places held.

        Raises AdjustmentError naming what is wrong: not a confirmed mentor, no room (for a
        `draft`, the message says to move someone else away), or a must rule the pair breaks.
        """
        if (
            mentor is None
            or mentor.role is not Role.MENTOR
            or mentor.status is not Status.CONFIRMED
        ):
            if mentor is not None:
                raise AdjustmentError(
                    gettext("%(name)s is not a confirmed mentor of this program", name=mentor.name)
                )
            raise AdjustmentError(
                gettext("The chosen mentor is not a confirmed mentor of this program")
            )
        limit = capacity(program, mentor)
        if taken >= limit:
            raise AdjustmentError(
                ngettext(
                    "%(name)s already has %(taken)s of %(num)s place: move someone else away first",
                    "%(name)s already has %(taken)s of %(num)s places: move someone else away "
                    "first",
                    limit,
                    name=mentor.name,
                    taken=taken,
                )
                if draft
                else ngettext(
                    "%(name)s already has %(taken)s of %(num)s place",
                    "%(name)s already has %(taken)s of %(num)s places",
                    limit,
                    name=mentor.name,
                    taken=taken,
                )
            )
        from portal.domain.scoring import Scorer

        history = self.matches.history(program.slug)
        scorer = Scorer(program, [mentor], [mentee], now=now, history=history)
        score, reasons, veto = scorer.explain(0, 0)
        if veto:
            raise AdjustmentError(
                gettext(
                    "%(mentee)s and %(mentor)s cannot be paired: %(why)s",
                    mentee=mentee.name,
                    mentor=mentor.name,
                    why=veto_text(veto),
                )
            )
        return score / 10, reasons

    def move(self, program: Program, mentee: str, mentor: str) -> StoredMatch:
        """Match a waiting mentee with a mentor who has room, at once, and introduce them.

        Checked as `adjust` checks a draft (`check_pair`: a confirmed mentor, room, the must
        rules); the database's conditions on both people decide last, so a mentee matched or
        a mentor filled meanwhile is refused too. AdjustmentError names what is wrong, and
        nothing is stored then.
        """
        now = self.clock()
        everyone = {p.email: p for p in self.participants.for_program(program.slug)}
        person, other = everyone.get(mentee), everyone.get(mentor)
        if person is None or person.role is not Role.MENTEE:
            raise AdjustmentError(gettext("The chosen mentee is not a mentee of this program"))
        if not waits(person):
            raise AdjustmentError(
                gettext("%(name)s is no longer waiting: they have a match now", name=person.name)
                if person.active_matches
                else gettext(
                    "%(name)s is no longer waiting: they are not confirmed", name=person.name
                )
            )
        score, reasons = self.check_pair(
            program, person, other, taken=other.active_matches if other else 0, now=now
        )
        assert other is not None  # check_pair refuses anyone else
        # Named by the minute, as a round is, and marked apart: it is no round's pair.
        round_id = f"{round_id_for(now)}{MOVED}"
        outcome = self.matches.activate(
            program.slug,
            round_id,
            mentor=mentor,
            mentee=mentee,
            mentor_capacity=capacity(program, other),
            mentee_capacity=capacity(program, person),
            score=score,
            reasons=reasons,
            now=now,
        )
        if outcome == MENTEE_TAKEN:
            raise AdjustmentError(
                gettext(
                    "%(name)s is no longer waiting: they were matched meanwhile", name=person.name
                )
            )
        if outcome == MENTOR_FULL:
            raise AdjustmentError(
                gettext("%(name)s has no room left: their places filled meanwhile", name=other.name)
            )
        if outcome != ACTIVATED:
            raise AdjustmentError(
                gettext(
                    "%(mentee)s and %(mentor)s could not be matched: one of them changed meanwhile",
                    mentee=person.name,
                    mentor=other.name,
                )
            )
        pair = next(
            m
            for m in self.matches.for_person(program.slug, mentee)
            if m.round_id == round_id and m.mentor == mentor
        )
        self._introduce_all(program, round_id, [pair], everyone)
        return pair

    def approve(self, program: Program, round_id: str) -> RoundOutcome:
        """Publish a round's drafts: activate each pair that still has room, introduce them.

        Only a round waiting for approval (else UnknownRoundError). A second approval at the
        same moment activates nothing twice and introduces nobody twice.
        """
        self.proposed_round(program, round_id)
        now = self.clock()
        everyone = {p.email: p for p in self.participants.for_program(program.slug)}
        refused = sum(self._activate_drafts(program, round_id, everyone, now).values())
        active = [m for m in self.matches.for_round(program.slug, round_id) if m.status == "active"]
        emails = self._introduce_all(program, round_id, active, everyone)
        self.rounds.finish(
            program.slug,
            round_id,
            "introduced",
            {"pairs": len(active), "refused": refused},
            now,
            was="proposed",
        )
        return RoundOutcome(
            program.slug, round_id, "done", pairs=len(active), refused=refused, emails=emails
        )

    def _activate_drafts(
        self,
        program: Program,
        round_id: str,
        everyone: dict[str, Participant],
        now: datetime,
    ) -> Counter[str]:
        """Make each draft pair of a round a match if both people still have room; the
        drafts that could not be, counted by why (in words), are dropped."""
        refused: Counter[str] = Counter()
        for pair in self.matches.for_round(program.slug, round_id):
            if pair.status != "proposed":
                continue
            mentor, mentee = everyone.get(pair.mentor), everyone.get(pair.mentee)
            why = gone(mentor, mentee)
            if why is None and mentor is not None and mentee is not None:
                outcome = self.matches.activate_proposed(
                    program.slug,
                    round_id,
                    mentor=pair.mentor,
                    mentee=pair.mentee,
                    mentor_capacity=capacity(program, mentor),
                    mentee_capacity=capacity(program, mentee),
                    now=now,
                )
                why = None if outcome == ACTIVATED else REFUSALS[outcome]
            if why is not None:
                refused[why] += 1
                if mentor is not None and mentee is not None:
                    self.matches.remove_proposed(
                        program.slug, round_id, mentor=pair.mentor, mentee=pair.mentee
                    )
        return refused


# Why the database refused a pair, in the organizer's words.
REFUSALS = {
    MENTEE_TAKEN: "the mentee was matched meanwhile",
    MENTOR_FULL: "the mentor had no place left",
    PAIR_TAKEN: "the pair was changed meanwhile",
}
LEFT = "someone left the program"
PAUSED = "someone paused or is no longer taking part"


def gone(*people: Participant | None) -> str | None:
    """Why a pair of these people can no longer be made, in words; None while both can."""
    if any(p is None or p.status is Status.LEFT for p in people):
        return LEFT
    if any(p is not None and p.status is not Status.CONFIRMED for p in people):
        return PAUSED
    return None
