"""Matching rounds: lock, match the waiting pool, store the pairs safely, queue the emails."""

from __future__ import annotations

import hashlib
import logging
import uuid
import zoneinfo
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portal.content import ContentError, read_document
from portal.domain.clock import Clock
from portal.domain.participants import Participant, Role, Status
from portal.domain.program import Approval, Format, Program
from portal.domain.schedule import last_due
from portal.persistence.matches import (
    ACTIVATED,
    MatchRepository,
    RoundRepository,
    StoredMatch,
    StoredRound,
)
from portal.persistence.participants import ParticipantRepository
from portal.programs import ProgramCatalog
from portal.services.failures import log_failure
from portal.services.magic_links import MagicLinks
from portal.services.mail import MailService

if TYPE_CHECKING:
    from portal.domain.matching import MatchResult

# The engine (NumPy, OR-Tools, rustworkx) is imported where a round or a score needs it, not
# with this module: the web app imports it for its constants, and a Lambda cold start that
# serves a page should not pay a third of a second for solvers it does not use.

log = logging.getLogger(__name__)

LOCK_HOLD = timedelta(minutes=15)  # longer than any round takes; a crashed run frees it
FINISHED = frozenset({"introduced", "proposed", "empty"})
SCHEDULER_PERIOD = timedelta(hours=1)  # how often zappa_settings.json runs matching_round
ORGANIZE = "organize"  # magic links that let an organizer review a program's rounds
CHOOSE = "choose"  # magic links with which a mentee picks one of their suggestions
SUGGESTIONS = 3
ME = "me"  # magic links to a participant's own page
ROUND_ID_FORMAT = "%Y-%m-%dT%H%MZ"


class AdjustmentError(Exception):
    """An organizer's change would break a rule; the message says which."""


class UnknownRoundError(Exception):
    """No round of the program by that name is waiting for an organizer's approval."""


@dataclass(frozen=True)
class RoundOutcome:
    """What one call did, for the CLI and the function's log (no personal data)."""

    program: str
    round_id: str
    status: str  # done | repeated | busy | nobody | failed
    pairs: int = 0
    refused: int = 0  # pairs the database refused: someone was taken by a concurrent round
    unmatched: int = 0
    emails: int = 0
    notes: list[str] = field(default_factory=list)


def round_id_for(moment: datetime) -> str:
    """Rounds are named by the minute they were due, in UTC: a repeated event gets the same name."""
    return moment.strftime(ROUND_ID_FORMAT)


def is_round_id(text: str) -> bool:
    """Whether `text` is a name `round_id_for` gives (round ids also come from URLs)."""
    due = _due_time(text)
    return due is not None and round_id_for(due) == text


class RoundService:
    def __init__(
        self,
        *,
        programs: ProgramCatalog,
        participants: ParticipantRepository,
        matches: MatchRepository,
        rounds: RoundRepository,
        mail: MailService,
        clock: Clock,
        base_url: str,
        content_dir: Path,
        links: MagicLinks | None = None,
    ) -> None:
        self.programs = programs
        self.participants = participants
        self.matches = matches
        self.rounds = rounds
        self.mail = mail
        self.clock = clock
        self.base_url = base_url
        self.content_dir = content_dir
        self.links = links

    # -- entry points ---------------------------------------------------------------------

    def run_due(self, moment: datetime) -> list[RoundOutcome]:
        """Every program whose schedule says a round is due at `moment` (the scheduled function)."""
        outcomes = []
        for program in self.programs:
            due_id: str | None = None
            try:
                due_id = self._due_round(program, moment)
                if due_id is not None:
                    outcomes.append(self.run(program, due_id, trigger="schedule"))
            except Exception:
                # One program's failure (a bug, unreadable data) must not stop the others'
                # rounds; the next run finishes an interrupted round (see `run`).
                log_failure(log, "round of %s failed", program.slug)
                outcomes.append(RoundOutcome(program.slug, due_id or "", "failed"))
        return outcomes

    def _due_round(self, program: Program, moment: datetime) -> str | None:
        """The round of `program` to run at `moment`, if one is due or was left unfinished."""
        expression = program.schedule.rounds
        latest = self.rounds.latest(program.slug)
        if expression.startswith("rate("):
            due = last_due(
                expression, program.timezone, moment, latest.created_at if latest else None
            )
        else:
            fired = last_due(expression, program.timezone, moment, None)
            # Due when it fired within the scheduler's period (a repeated event finds its
            # round done), or fired after the last round (a missed run is caught up). A new
            # program waits for its first fire time rather than running at deploy.
            recent = fired is not None and moment - fired < SCHEDULER_PERIOD
            missed = fired is not None and latest is not None and latest.created_at < fired
            due = fired if recent or missed else None
        if due is not None:
            return round_id_for(due)
        # Nothing due, but a round that stopped half-way is finished now, not next week.
        unfinished = self.rounds.unfinished(program.slug)
        return unfinished[0].round_id if unfinished else None

    def run(self, program: Program, round_id: str, *, trigger: str) -> RoundOutcome:
        """One round of one program; safe to repeat and to run concurrently."""
        owner = uuid.uuid4().hex
        now = self.clock()
        if not self.rounds.acquire_lock(program.slug, owner, now, LOCK_HOLD):
            return RoundOutcome(program.slug, round_id, "busy", notes=["another round is running"])
        try:
            for earlier in self.rounds.unfinished(program.slug):
                if earlier.round_id != round_id:
                    # It stopped half-way (a crash, a timeout): its pairs still get their emails.
                    log.warning("finishing interrupted round %s/%s", program.slug, earlier.round_id)
                    self._announce(program, earlier.round_id, now, None, 0)
            if not self.rounds.create(program.slug, round_id, trigger=trigger, now=now):
                existing = self.rounds.get(program.slug, round_id)
                if existing is not None and existing.status in FINISHED:
                    return RoundOutcome(
                        program.slug, round_id, "repeated", notes=["this round already ran"]
                    )
                log.warning("resuming round %s/%s", program.slug, round_id)
            return self._run_locked(program, round_id, now)
        finally:
            self.rounds.release_lock(program.slug, owner)

    # -- the round ------------------------------------------------------------------------

    def _pool(self, program: Program) -> tuple[list[Participant], dict[str, Participant]]:
        """Confirmed people with room for another match; a mentor's capacity is what is left."""
        everyone = {p.email: p for p in self.participants.for_program(program.slug)}
        pool = []
        for person in everyone.values():
            if person.status is not Status.CONFIRMED:
                continue
            limit = self._capacity(program, person)
            if person.active_matches >= limit:
                continue
            pool.append(replace(person, capacity=limit - person.active_matches))
        return pool, everyone

    @staticmethod
    def _capacity(program: Program, person: Participant) -> int:
        if person.role is Role.MENTOR and program.format is not Format.FLASH:
            return max(1, min(person.capacity or 1, program.capacity))
        return 1

    def _run_locked(self, program: Program, round_id: str, now: datetime) -> RoundOutcome:
        from portal.domain.matching import match

        pool, everyone = self._pool(program)
        published = program.approval is Approval.AUTO
        refused = 0
        result: MatchResult | None = None
        if pool:
            history = self.matches.history(program.slug)
            result = match(program, pool, now=now, history=history)
            self.rounds.record_result(program.slug, round_id, _result_facts(result), now)
            if program.approval is Approval.MENTEE_CHOICE:
                self._suggest(program, round_id, pool, history, now)
            for pair in result.pairs if program.approval is not Approval.MENTEE_CHOICE else ():
                if published:
                    outcome = self.matches.activate(
                        program.slug,
                        round_id,
                        mentor=pair.mentor,
                        mentee=pair.mentee,
                        mentor_capacity=self._capacity(program, everyone[pair.mentor]),
                        mentee_capacity=self._capacity(program, everyone[pair.mentee]),
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
        return self._announce(program, round_id, now, result, refused)

    def _suggest(
        self,
        program: Program,
        round_id: str,
        pool: list[Participant],
        history: set[frozenset[str]],
        now: datetime,
    ) -> None:
        """Each waiting mentee's best mentors (up to three), stored as suggestions."""
        import numpy as np

        from portal.domain.scoring import Scorer

        mentors = [p for p in pool if p.role is Role.MENTOR]
        mentees = [p for p in pool if p.role is Role.MENTEE]
        if not mentors or not mentees:
            return
        scorer = Scorer(program, mentors, mentees, now=now, history=history)
        block = max(1, 500_000 // len(mentors))
        for start in range(0, len(mentees), block):
            rows = np.arange(start, min(start + block, len(mentees)), dtype=np.intp)
            parts = scorer.components(rows)
            for k, row in enumerate(rows.tolist()):
                allowed = np.flatnonzero(parts.veto[k] == 0)
                best = allowed[np.argsort(-parts.score[k, allowed], kind="stable")][:SUGGESTIONS]
                for column in best.tolist():
                    score, reasons, _ = scorer.explain(row, column)
                    self.matches.save_proposed(
                        program.slug,
                        round_id,
                        mentor=mentors[column].email,
                        mentee=mentees[row].email,
                        score=score / 10,
                        reasons=reasons,
                        now=now,
                        status="suggested",
                    )

    def _announce(
        self,
        program: Program,
        round_id: str,
        now: datetime,
        result: MatchResult | None,
        refused: int,
    ) -> RoundOutcome:
        """Queue the emails for what the round stored, and mark it finished.

        Emails come from what is stored and have keys of their own, so a resumed round
        introduces everyone exactly once.
        """
        published = program.approval is Approval.AUTO
        if result is None:
            # A resumed round: what its matching found was kept on the round's record.
            result = self._recorded_result(program.slug, round_id)
        everyone = {p.email: p for p in self.participants.for_program(program.slug)}
        stored = self.matches.for_round(program.slug, round_id)
        waiting = _waiting_digest(result)
        if not stored and (result is None or waiting == self._previous_digest(program, round_id)):
            # Nothing new since the last round: no pairs, and the same people waiting. The
            # organizers already have that summary; don't send it again.
            self.rounds.finish(
                program.slug, round_id, "empty", {"waiting": waiting}, now, was="started"
            )
            note = "nobody is waiting" if result is None else "no new pairs; nothing new to report"
            return RoundOutcome(program.slug, round_id, "nobody", notes=[note])
        emails = 0
        if program.approval is Approval.MENTEE_CHOICE:
            emails += self._send_suggestions(program, round_id, stored, everyone)
        if published:
            for pair in stored:
                emails += self._introduce(
                    program, round_id, everyone[pair.mentor], everyone[pair.mentee], pair
                )
        pairs = [m for m in stored if m.status != "suggested"]  # suggestions are not pairs yet
        due = _due_time(round_id) or now
        emails += self._summarise(program, round_id, due, result, pairs, everyone, published)
        status = "introduced" if published else "proposed"
        self.rounds.finish(
            program.slug,
            round_id,
            status,
            _summary(result, len(stored), refused),
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

    # -- email ----------------------------------------------------------------------------

    def agreement(self, program: Program) -> tuple[str, str]:
        """The program's agreement: its title and its Markdown text, or empty strings."""
        if not program.agreement:
            return "", ""
        try:
            document = read_document(self.content_dir / "agreements" / f"{program.agreement}.md")
        except (ContentError, FileNotFoundError):
            log.warning("program %s names a missing agreement", program.slug)
            return "", ""
        return str(document.meta.get("title", "")), document.body.strip()

    def _introduce(
        self,
        program: Program,
        round_id: str,
        mentor: Participant,
        mentee: Participant,
        pair: StoredMatch,
    ) -> int:
        title, text = self.agreement(program)
        sent = 0
        for person, other in ((mentee, mentor), (mentor, mentee)):
            key = f"intro:{program.slug}:{round_id}:{person.participant_id}:{other.participant_id}"
            if self.mail.outbox.get(key) is not None:
                continue  # introduced before an interruption: no second link
            page_url = f"{self.base_url}/programs/{program.slug}"
            if self.links is not None:
                page_url = f"{self.base_url}/me/{self.links.issue(ME, program.slug, person.email)}"
            queued = self.mail.queue(
                key,
                to=person.mailbox,
                template="introduction",
                context={
                    "program": program,
                    "person": _person(person),
                    "other": _person(other),
                    "reasons": list(pair.reasons),
                    "score": pair.score,
                    "agreement_title": title,
                    "agreement_text": text,
                    "program_url": f"{self.base_url}/programs/{program.slug}",
                    "page_url": page_url,
                },
                program=program.slug,
                reply_to=other.mailbox,
            )
            sent += queued
        return sent

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

    def _send_suggestions(
        self,
        program: Program,
        round_id: str,
        stored: list[StoredMatch],
        everyone: dict[str, Participant],
    ) -> int:
        by_mentee: dict[str, list[StoredMatch]] = {}
        for suggestion in stored:
            if suggestion.status == "suggested":
                by_mentee.setdefault(suggestion.mentee, []).append(suggestion)
        sent = 0
        for mentee_email, suggestions in sorted(by_mentee.items()):
            mentee = everyone[mentee_email]
            key = f"suggest:{program.slug}:{round_id}:{mentee.participant_id}"
            if self.mail.outbox.get(key) is not None or self.links is None:
                continue
            token = self.links.issue(f"{CHOOSE}:{round_id}", program.slug, mentee_email)
            ranked = sorted(suggestions, key=lambda m: (-m.score, m.mentor))
            options = [
                {
                    "mentor": _person(everyone[m.mentor]),
                    "reasons": list(m.reasons),
                    "score": m.score,
                    "choose_url": f"{self.base_url}/choose/{round_id}/{token}/{index}",
                }
                for index, m in enumerate(ranked, start=1)
            ]
            sent += self.mail.queue(
                key,
                to=mentee.mailbox,
                template="suggestions",
                context={"program": program, "person": _person(mentee), "options": options},
                program=program.slug,
            )
        return sent

    def suggestions_for(self, program: Program, round_id: str, mentee: str) -> list[StoredMatch]:
        """A mentee's suggestions in a round, best first (the order of the emailed links)."""
        mine = [
            m
            for m in self.matches.for_round(program.slug, round_id)
            if m.mentee == mentee and m.status != "proposed"
        ]
        return sorted(mine, key=lambda m: (-m.score, m.mentor))

    def choose(self, program: Program, round_id: str, mentee: str, mentor: str) -> str:
        """A mentee takes one of their suggestions: ACTIVATED, MENTEE_TAKEN or MENTOR_FULL.

        Exclusive and capacity-safe under simultaneous clicks: the database's conditions on
        both people decide, not a read before the write.
        """
        now = self.clock()
        everyone = {p.email: p for p in self.participants.for_program(program.slug)}
        outcome = self.matches.activate_proposed(
            program.slug,
            round_id,
            mentor=mentor,
            mentee=mentee,
            mentor_capacity=self._capacity(program, everyone[mentor]),
            mentee_capacity=self._capacity(program, everyone[mentee]),
            now=now,
            draft_status="suggested",
        )
        if outcome == ACTIVATED:
            pair = next(
                m
                for m in self.matches.for_round(program.slug, round_id)
                if (m.mentor, m.mentee) == (mentor, mentee)
            )
            self._introduce(program, round_id, everyone[mentor], everyone[mentee], pair)
        return outcome

    def _summarise(
        self,
        program: Program,
        round_id: str,
        now: datetime,
        result: MatchResult | None,
        stored: list[StoredMatch],
        everyone: dict[str, Participant],
        published: bool,
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
        ]
        scores = sorted(p.score for p in stored)
        figures = result.figures if result else None
        context = {
            "program": program,
            "round_id": round_id,
            "round_date": now.astimezone(zoneinfo.ZoneInfo(program.timezone)).strftime(
                "%a %-d %b %Y"
            ),
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
            },
            "pairs": pairs,
            "unmatched": unmatched,
            "hints": list(result.hints) if result else [],
        }
        sent = 0
        for organizer in program.organizers:
            key = f"summary:{program.slug}:{round_id}:{organizer}"
            if self.mail.outbox.get(key) is not None:
                continue  # queued before this round was interrupted: no second link
            review_url = None
            if program.approval is Approval.ORGANIZER and self.links is not None:
                token = self.links.issue(ORGANIZE, program.slug, organizer)
                review_url = f"{self.base_url}/organize/{token}"
            elif program.approval is Approval.MENTEE_CHOICE:
                review_url = f"{self.base_url}/programs/{program.slug}"
            sent += self.mail.queue(
                key,
                to=organizer,
                template="match_summary",
                context={**context, "review_url": review_url},
                program=program.slug,
            )
        return sent

    # -- organizers' review ------------------------------------------------------------------

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
            who = everyone[mentee].name if mentee in everyone else "The chosen mentee"
            raise AdjustmentError(f"{who} has no draft pair in this round")
        if mentor == current.mentor:
            return current
        new_pair = None
        if mentor is not None:
            person, other = everyone[mentee], everyone.get(mentor)
            if (
                other is None
                or other.role is not Role.MENTOR
                or other.status is not Status.CONFIRMED
            ):
                who = other.name if other is not None else "The chosen mentor"
                raise AdjustmentError(f"{who} is not a confirmed mentor of this program")
            taken = sum(1 for m in drafts if m.mentor == mentor) + other.active_matches
            limit = self._capacity(program, other)
            if taken >= limit:
                raise AdjustmentError(
                    f"{other.name} already has {taken} of {limit} "
                    f"place{'s' if limit != 1 else ''}: "
                    "move someone else away first"
                )
            from portal.domain.scoring import Scorer

            history = self.matches.history(program.slug)
            scorer = Scorer(program, [other], [person], now=now, history=history)
            score, reasons, veto = scorer.explain(0, 0)
            if veto:
                raise AdjustmentError(f"{person.name} and {other.name} cannot be paired: {veto}")
            new_pair = (score / 10, reasons)
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

    def approve(self, program: Program, round_id: str) -> RoundOutcome:
        """Publish a round's drafts: activate each pair that still has room, introduce them.

        Only a round waiting for approval (else UnknownRoundError). A second approval at the
        same moment activates nothing twice and introduces nobody twice.
        """
        self.proposed_round(program, round_id)
        now = self.clock()
        everyone = {p.email: p for p in self.participants.for_program(program.slug)}
        refused = 0
        for pair in self.matches.for_round(program.slug, round_id):
            if pair.status != "proposed":
                continue
            outcome = self.matches.activate_proposed(
                program.slug,
                round_id,
                mentor=pair.mentor,
                mentee=pair.mentee,
                mentor_capacity=self._capacity(program, everyone[pair.mentor]),
                mentee_capacity=self._capacity(program, everyone[pair.mentee]),
                now=now,
            )
            if outcome != ACTIVATED:
                refused += 1
                self.matches.remove_proposed(
                    program.slug, round_id, mentor=pair.mentor, mentee=pair.mentee
                )
        emails = 0
        active = [m for m in self.matches.for_round(program.slug, round_id) if m.status == "active"]
        for pair in active:
            emails += self._introduce(
                program, round_id, everyone[pair.mentor], everyone[pair.mentee], pair
            )
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


def _person(person: Participant) -> dict[str, Any]:
    return {
        "name": person.name,
        "first_name": person.first_name,
        "email": person.mailbox,  # shown and written to: as the person typed it
        "role": person.role.value,
        "bio": person.bio,
        "languages": list(person.languages),
        "timezone": person.timezone,
        "department": person.department,
    }


def _due_time(round_id: str) -> datetime | None:
    """The minute a round was due, from its name (see `round_id_for`)."""
    try:
        return datetime.strptime(round_id, ROUND_ID_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _result_facts(result: MatchResult) -> dict[str, Any]:
    """What the summary of a round needs from its matching, as JSON."""
    return {
        "format": result.format,
        "objective": result.objective,
        "fairness": result.fairness,
        "unmatched": [asdict(u) for u in result.unmatched],
        "hints": list(result.hints),
        "figures": asdict(result.figures),
    }


def _result_from_facts(facts: dict[str, Any]) -> MatchResult:
    """The matching result of `_result_facts` again; its pairs are the stored matches."""
    from portal.domain.matching import Figures, MatchResult, Unmatched

    return MatchResult(
        format=facts["format"],
        objective=facts["objective"],
        fairness=facts["fairness"],
        pairs=(),
        unmatched=tuple(Unmatched(**u) for u in facts["unmatched"]),
        hints=tuple(facts["hints"]),
        figures=Figures(**facts["figures"]),
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
    }
