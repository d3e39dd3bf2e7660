"""A round's run: lock, match the waiting pool, store the pairs safely, queue the emails."""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from babel import dates

from portal import i18n
from portal.domain.matches import RoundState, capacity, round_pool
from portal.domain.participants import Participant
from portal.domain.program import Approval, Program
from portal.mail.catalog import Recipient
from portal.persistence.matches import ACTIVATED, PUBLISHED_IN_CONSOLE, StoredMatch
from portal.services.rounds.choice import MenteeChoice
from portal.services.rounds.common import RoundOutcome, due_time
from portal.services.rounds.waiting import WaitingNews

if TYPE_CHECKING:
    from portal.domain.matching import MatchResult

# The engine (NumPy, OR-Tools, rustworkx) is imported where a round or a score needs it, not
# with this module: the web app imports it for its constants, and a Lambda cold start that
# serves a page should not pay a third of a second for solvers it does not use.

log = logging.getLogger(__name__)

LOCK_HOLD = timedelta(minutes=15)  # longer than any round takes; a crashed run frees it


class RoundRun(MenteeChoice, WaitingNews):
    """One round of one program: lock, match the waiting pool, store the pairs, announce them."""

    def run(self, program: Program, round_id: str, *, trigger: str) -> RoundOutcome:
        """One round of one program; safe to repeat and to run concurrently."""
        owner = uuid.uuid4().hex
        now = self.clock()
        if not self.rounds.acquire_lock(program.slug, owner, now, LOCK_HOLD):
            # A preview open in the console holds the lock too (see preview.py).
            return RoundOutcome(
                program.slug,
                round_id,
                "busy",
                notes=["another round is running, or a preview is open in the console"],
            )
        try:
            self._finish_interrupted(program, now, but=round_id)
            if not self.rounds.create(program.slug, round_id, trigger=trigger, now=now):
                existing = self.rounds.get(program.slug, round_id)
                if existing is not None and existing.status is RoundState.PREVIEW:
                    # An organizer's preview of this minute (its lock ran out): not resumed.
                    return RoundOutcome(
                        program.slug, round_id, "busy", notes=["a preview has this round's name"]
                    )
                if existing is not None and existing.finished:
                    return RoundOutcome(
                        program.slug, round_id, "repeated", notes=["this round already ran"]
                    )
                log.warning("resuming round %s/%s", program.slug, round_id)
            return self._run_locked(program, round_id, now)
        finally:
            self.rounds.release_lock(program.slug, owner)

    def _finish_interrupted(self, program: Program, now: datetime, but: str = "") -> None:
        """Finish each round of the program that stopped half-way (a crash, a timeout), but
        `but`: its pairs still get their emails. Called holding the program's round lock."""
        for earlier in self.rounds.unfinished(program.slug):
            if earlier.round_id == but:
                continue
            log.warning("finishing interrupted round %s/%s", program.slug, earlier.round_id)
            # A preview an organizer was publishing is published, as they asked.
            published = (
                True
                if earlier.trigger == PUBLISHED_IN_CONSOLE
                and program.approval is not Approval.MENTEE_CHOICE
                else None
            )
            self._announce(program, earlier.round_id, now, None, 0, published=published)

    # -- the round ------------------------------------------------------------------------

    def _pool(self, program: Program) -> tuple[list[Participant], dict[str, Participant]]:
        """Confirmed people with room for another match; a mentor's capacity is what is left."""
        everyone = {p.email: p for p in self.participants.for_program(program.slug)}
        met = self.matches.met(program.slug) if program.matching.match_once else ()
        return round_pool(program, everyone.values(), met), everyone

    def _run_locked(self, program: Program, round_id: str, now: datetime) -> RoundOutcome:
        pool, everyone = self._pool(program)
        refused = 0
        result: MatchResult | None = None
        if pool:
            result, refused = self._match_and_store(
                program, round_id, pool, everyone, now, activate=program.approval is Approval.AUTO
            )
        return self._announce(program, round_id, now, result, refused)

    def _match_and_store(
        self,
        program: Program,
        round_id: str,
        pool: list[Participant],
        everyone: dict[str, Participant],
        now: datetime,
        *,
        activate: bool,
        status: RoundState = RoundState.STARTED,
    ) -> tuple[MatchResult, int]:
        """Match the pool, keep what matching found on the round (in `status`), and store the
        pairs: each mentee's suggestions where mentees choose, else the pairs as matches
        (`activate`) or as drafts. The result, and how many pairs could not be activated."""
        from portal.domain.matching import match

        history = self.matches.history(program.slug)
        result = match(program, pool, now=now, history=history)
        self.rounds.record_result(program.slug, round_id, _result_facts(result), now, status=status)
        refused = 0
        if program.approval is Approval.MENTEE_CHOICE:
            self._suggest(program, round_id, pool, history, now)
            return result, refused
        for pair in result.pairs:
            if activate:
                outcome = self.matches.activate(
                    program.slug,
                    round_id,
                    mentor=pair.mentor,
                    mentee=pair.mentee,
                    mentor_capacity=capacity(program, everyone[pair.mentor]),
                    mentee_capacity=capacity(program, everyone[pair.mentee]),
                    score=pair.score,
                    reasons=pair.reasons,
                    now=now,
                )
                refused += outcome != ACTIVATED
            else:
                self.matches.save_proposed(
                    program.slug,
                    round_id,
                    mentor=pair.mentor,
                    mentee=pair.mentee,
                    score=pair.score,
                    reasons=pair.reasons,
                    now=now,
                )
        return result, refused

    def _announce(
        self,
        program: Program,
        round_id: str,
        now: datetime,
        result: MatchResult | None,
        refused: int,
        *,
        published: bool | None = None,
    ) -> RoundOutcome:
        """Queue the emails for what the round stored, and mark it finished.

        Emails come from what is stored and have keys of their own, so a resumed round
        introduces everyone exactly once. `published`: whether the stored pairs are active
        and introduced (by default, in a program whose rounds publish themselves).
        """
        if published is None:
            published = program.approval is Approval.AUTO
        if result is None:
            # A resumed round: what its matching found was kept on the round's record.
            result = self._recorded_result(program.slug, round_id)
        everyone = {p.email: p for p in self.participants.for_program(program.slug)}
        stored = self.matches.for_round(program.slug, round_id)
        waiting = _waiting_digest(result)
        news = self._waiting_news(program, result, stored, everyone)
        # Counted even when nothing is new: an empty round still made its people wait.
        waited = self._count_rounds_waited(program, round_id, result, stored, everyone)
        if (
            not stored
            and not news
            and (result is None or waiting == self._previous_digest(program, round_id))
        ):
            # Nothing new since the last round: no pairs, the same people waiting, and none
            # of them with a new reason. The organizers already have that summary, and the
            # people waiting their email; don't send them again.
            self.rounds.finish(
                program.slug, round_id, "empty", {"waiting": waiting}, now, was="started"
            )
            note = "nobody is waiting" if result is None else "no new pairs; nothing new to report"
            return RoundOutcome(program.slug, round_id, "nobody", notes=[note])
        emails = 0
        if program.approval is Approval.MENTEE_CHOICE:
            emails += self._send_suggestions(program, round_id, stored, everyone)
        if published:
            emails += self._introduce_all(program, round_id, stored, everyone)
        due = due_time(round_id) or now
        emails += self._tell_waiting(program, round_id, due, news)
        pairs = [m for m in stored if m.status != "suggested"]  # suggestions are not pairs yet
        emails += self._summarise(
            program, round_id, due, result, pairs, everyone, published, waited=waited
        )
        status = "introduced" if published else "proposed"
        self.rounds.finish(
            program.slug,
            round_id,
            status,
            {**_summary(result, len(stored), refused), "waited_two_rounds": waited},
            now,
            was="started",
        )
        log.info("round %s/%s: %d pairs, %d refused", program.slug, round_id, len(stored), refused)
        return RoundOutcome(
            program.slug,
            round_id,
            "done",
            pairs=len(stored),
            refused=refused,
            unmatched=len(result.unmatched) if result else 0,
            emails=emails,
        )

    def _recorded_result(self, program: str, round_id: str) -> MatchResult | None:
        stored = self.rounds.get(program, round_id)
        facts = stored.summary.get("result") if stored else None
        return _result_from_facts(facts) if isinstance(facts, dict) else None

    def _previous_digest(self, program: Program, round_id: str) -> str | None:
        earlier = self.rounds.before(program.slug, round_id)
        return (
            str(earlier.summary.get("waiting"))
            if earlier and earlier.summary.get("waiting")
            else None
        )

    def _summarise(
        self,
        program: Program,
        round_id: str,
        now: datetime,
        result: MatchResult | None,
        stored: list[StoredMatch],
        everyone: dict[str, Participant],
        published: bool,
        *,
        waited: int = 0,
    ) -> int:
        pairs = [
            {
                "mentor_name": everyone[p.mentor].name,
                "mentor_email": everyone[p.mentor].mailbox,
                "mentee_name": everyone[p.mentee].name,
                "mentee_email": everyone[p.mentee].mailbox,
                "score": p.score,
                "reasons": list(p.reasons),
            }
            for p in stored
        ]
        unmatched = [
            {
                "name": everyone[u.email].name,
                "email": everyone[u.email].mailbox,
                "role": u.role,
                "reason": u.reason,
            }
            for u in (result.unmatched if result else ())
            if u.email in everyone  # a published preview's: someone may have gone since
        ]
        scores = sorted(p.score for p in stored)
        figures = result.figures if result else None
        context = {
            "program": program,
            "round_id": round_id,
            "approval": program.approval.value,
            "figures": {
                "participants": figures.participants if figures else 0,
                "mentors": figures.mentors if figures else 0,
                "mentees": figures.mentees if figures else 0,
                "pairs": len(stored),
                "matched_pct": figures.matched_pct if figures else 0.0,
                "mentees_matched_pct": figures.mentees_matched_pct if figures else 0.0,
                "mean_score": round(sum(scores) / len(scores), 1) if scores else 0.0,
                "min_score": scores[0] if scores else 0.0,
                "p10_score": figures.p10_score if figures else 0.0,
                "top5_pct": figures.top5_pct if figures else 0.0,
                "blocking_pairs": figures.blocking_pairs if figures else 0,
                # Mentees (or peers) now waiting for the second round or more.
                "waited_two_rounds": waited,
                # The matching was proved the best the rules and settings allow (not said of
                # `balanced`, whose floor comes from the pairs solved on).
                "certified": bool(result and result.proof.certified and result.fairness == "none"),
            },
            "pairs": pairs,
            "unmatched": unmatched,
            "hints": list(result.hints) if result else [],
        }
        sent = 0
        for organizer in program.organizers:

            def with_review_url(organizer: str = organizer) -> dict[str, Any]:
                # Made only for an email not queued before an interruption: no second link.
                review_url = None
                if (
                    program.approval is Approval.ORGANIZER
                    and not published
                    and self.links is not None
                ):
                    review_url = self.links.organize_url(program.slug, organizer)
                elif program.approval is Approval.MENTEE_CHOICE:
                    review_url = f"{self.base_url}/programs/{program.slug}"
                # Made in the organizer's language: the round's day is said in it.
                return {
                    **context,
                    "review_url": review_url,
                    "round_date": round_day(now, program.timezone),
                }

            sent += self.mail.queue_once(
                "match_summary",
                Recipient.ORGANIZER,
                to=organizer,
                key={"program": program.slug, "round": round_id, "organizer": organizer},
                context=with_review_url,
                program=program.slug,
                language=self.mail.organizer_language(organizer),
            )
        return sent


def round_day(moment: datetime, timezone: str) -> str:
    """The round's day where the program is, short, in the reader's language ("Mon 2 Mar 2026")."""
    local = moment.astimezone(i18n.zone(timezone)).date()
    return dates.format_date(local, "EEE d MMM y", locale=i18n.locale())


def _result_facts(result: MatchResult) -> dict[str, Any]:
    """What the summary of a round needs from its matching, as JSON."""
    return {
        "format": result.format,
        "objective": result.objective,
        "fairness": result.fairness,
        "unmatched": [asdict(u) for u in result.unmatched],
        "hints": list(result.hints),
        "figures": asdict(result.figures),
        "proof": asdict(result.proof),
    }


def _result_from_facts(facts: dict[str, Any]) -> MatchResult:
    """The matching result of `_result_facts` again; its pairs are the stored matches."""
    from portal.domain.matching import Figures, MatchResult, Proof, Unmatched

    return MatchResult(
        format=facts["format"],
        objective=facts["objective"],
        fairness=facts["fairness"],
        pairs=(),
        unmatched=tuple(Unmatched(**u) for u in facts["unmatched"]),
        hints=tuple(facts["hints"]),
        figures=Figures(**facts["figures"]),
        # Rounds recorded before the proof was kept say nothing about one.
        proof=Proof(**facts.get("proof", {"certified": False, "passes": 0})),
    )


def _waiting_digest(result: MatchResult | None) -> str:
    """A fingerprint of who is left waiting (no personal data in the round record)."""
    waiting = sorted(u.email for u in (result.unmatched if result else ()))
    return hashlib.sha256("\n".join(waiting).encode()).hexdigest()


def _summary(result: MatchResult | None, pairs: int, refused: int) -> dict[str, object]:
    """What the round record keeps: counts and figures, no personal data."""
    if result is None:
        return {"pairs": pairs, "refused": refused}
    figures = result.figures
    return {
        "waiting": _waiting_digest(result),
        "pairs": pairs,
        "refused": refused,
        "unmatched": len(result.unmatched),
        "matched_pct": figures.matched_pct,
        "mean_score": figures.mean_score,
        "min_score": figures.min_score,
        "blocking_pairs": figures.blocking_pairs,
        # Proved the exact optimum over every compatible pair, in this many passes.
        "certified": result.proof.certified,
        "pricing_passes": result.proof.passes,
    }
