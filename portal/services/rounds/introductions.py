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

    def agreement(self, program: Program) -> tuple[str, str]:
        """The program's agreement: its title and its Markdown text, or empty strings."""
        agreement = Agreements(self.content_dir / "agreements").of(program)
        return agreement.title, agreement.text

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
                    "agreement_title": title,
                    "agreement_text": text,
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
            )
        return sent
