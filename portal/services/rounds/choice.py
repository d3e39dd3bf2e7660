"""Mentee choice: a mentee gets a few suggested mentors and takes one of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.domain.matches import capacity
from portal.domain.participants import Participant, Role
from portal.domain.program import Program
from portal.mail.catalog import Recipient
from portal.persistence.matches import ACTIVATED, StoredMatch
from portal.services.magic_links import MagicLinks
from portal.services.rounds.common import person_context as _person
from portal.services.rounds.groups import GroupIntroductions

SUGGESTIONS = 3


class MenteeChoice(GroupIntroductions):
    """Suggestions for programs whose mentees choose, and the choice itself."""

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
            links = self.links
            if links is None:
                continue

            def context(
                mentee: Participant = mentee,
                suggestions: list[StoredMatch] = suggestions,
                links: MagicLinks = links,
            ) -> dict[str, Any]:
                # Made only for an email not queued before an interruption: no second link.
                ranked = sorted(suggestions, key=lambda m: (-m.score, m.mentor))
                urls = links.choose_urls(program.slug, round_id, mentee.email, len(ranked))
                options = [
                    {
                        "mentor": _person(everyone[m.mentor]),
                        "reasons": list(m.reasons),
                        "score": m.score,
                        "choose_url": url,
                    }
                    for m, url in zip(ranked, urls, strict=True)
                ]
                return {"program": program, "person": _person(mentee), "options": options}

            sent += self.mail.queue_once(
                "suggestions",
                Recipient.PARTICIPANT,
                to=mentee.mailbox,
                key={"program": program.slug, "round": round_id, "person": mentee.participant_id},
                context=context,
                program=program.slug,
                language=mentee.language,
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
            mentor_capacity=capacity(program, everyone[mentor]),
            mentee_capacity=capacity(program, everyone[mentee]),
            now=now,
            draft_status="suggested",
        )
        if outcome == ACTIVATED:
            pair = next(
                m
                for m in self.matches.for_round(program.slug, round_id)
                if (m.mentor, m.mentee) == (mentor, mentee)
            )
            self._introduce_all(program, round_id, [pair], everyone)
        return outcome
