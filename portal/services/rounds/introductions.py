"""Introductions: the two emails that tell a new pair about each other."""

from __future__ import annotations

from typing import Any

from portal.catalog.agreements import Agreements
from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.mail.catalog import Recipient
from portal.persistence.matches import StoredMatch
from portal.services.rounds.common import RoundParts
from portal.services.rounds.common import person_context as _person


class Introductions(RoundParts):
    """Introduce an active pair, once per person, however often it is asked."""

    def agreement_url(self, program: Program) -> str:
        """The page of the program's agreement, or "" for a program that has none."""
        agreement = Agreements(self.content_dir / "agreements").of(program)
        return f"{self.base_url}/programs/{program.slug}/agreement" if agreement.text else ""

    def _introduce(
        self,
        program: Program,
        round_id: str,
        mentor: Participant,
        mentee: Participant,
        pair: StoredMatch,
    ) -> int:
        agreement_url = self.agreement_url(program)
        sent = 0
        for person, other in ((mentee, mentor), (mentor, mentee)):

            def context(person: Participant = person, other: Participant = other) -> dict[str, Any]:
                # Made only for an email not queued before an interruption: no second link.
                page_url = f"{self.base_url}/programs/{program.slug}"
                if self.links is not None:
                    page_url = self.links.me_url(program.slug, person.email)
                return {
                    "program": program,
                    "person": _person(person),
                    "other": _person(other),
                    "reasons": list(pair.reasons),
                    "score": pair.score,
                    "agreement_url": agreement_url,
                    "program_url": f"{self.base_url}/programs/{program.slug}",
                    "page_url": page_url,
                }

            sent += self.mail.queue_once(
                "introduction",
                Recipient.PARTICIPANT,
                to=person.mailbox,
                key={
                    "program": program.slug,
                    "round": round_id,
                    "person": person.participant_id,
                    "other": other.participant_id,
                },
                context=context,
                program=program.slug,
                reply_to=other.mailbox,
                language=person.language,
            )
        return sent
