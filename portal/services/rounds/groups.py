"""Group introductions: in a group program, one email to each member naming the whole group.

A pair's introduction (introductions.py) is one email per person per pair: a mentor with three
new mentees would get three. In a group program the round introduces the group instead: each
member gets one email listing every member with what a match sees of them, and the reasons
the group fits them (strengths only). The email's key holds the group's membership, so a
repeated or resumed round sends nothing twice, and a later change (a mentee who joins, in a
later round or by choosing the mentor) sends each member one email naming the group as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from portal.domain.groups import Group, groups_of, is_group_program
from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.mail.catalog import Recipient
from portal.persistence.matches import StoredMatch
from portal.services.rounds.common import person_context
from portal.services.rounds.introductions import Introductions


class GroupIntroductions(Introductions):
    """Introduce a round's new pairs: pair by pair, or in a group program group by group."""

    def _introduce_all(
        self,
        program: Program,
        round_id: str,
        pairs: Iterable[StoredMatch],
        everyone: dict[str, Participant],
    ) -> int:
        """Introduce the round's pairs: each pair, or in a group program each group that an
        active pair of the round joined."""
        if not is_group_program(program):
            return sum(
                self._introduce(program, round_id, everyone[p.mentor], everyone[p.mentee], p)
                for p in pairs
            )
        mentors = {pair.mentor_id for pair in pairs if pair.holds_places}
        sent = 0
        for group in self._groups(program, mentors):
            sent += self._introduce_group(program, group, everyone)
        return sent

    def _groups(self, program: Program, mentor_ids: set[str]) -> list[Group]:
        """The groups of these mentors as they are now, each named (its id on every match)."""
        found = []
        for mentor_id in sorted(mentor_ids):
            theirs = self.matches.for_person_id(program.slug, mentor_id)
            for group in groups_of(m for m in theirs if m.mentor_id == mentor_id):
                now = self.clock()
                for match in group.matches:
                    if not match.group_id:
                        self.matches.join_group(program.slug, match.match_id, group.group_id, now)
                found.append(group)
        return found

    def _introduce_group(
        self, program: Program, group: Group, everyone: dict[str, Participant]
    ) -> int:
        members = [everyone[email] for email in group.members if email in everyone]
        if len(members) != len(group.members):
            return 0  # someone's sign-up went meanwhile: their erasure ends the group's match
        mentor = members[0]
        by_mentee = {match.mentee: match for match in group.matches}
        # Who came with the latest round is "new", once the group has older members.
        rounds = [match.round_id for match in group.matches]
        grown = len(set(rounds)) > 1
        sent = 0
        for person in members:

            def context(person: Participant = person) -> dict[str, Any]:
                # Made only for an email not queued before an interruption: no second link.
                page_url = f"{self.base_url}/programs/{program.slug}"
                group_url = f"{self.base_url}/me/programs/{program.slug}/group"
                if self.links is not None:
                    page_url = self.links.me_url(program.slug, person.email)
                    group_url = self.links.group_url(program.slug, person.email)
                own = by_mentee.get(person.email)
                return {
                    "program": program,
                    "person": person_context(person),
                    "mentor": person_context(mentor),
                    "members": [
                        {
                            **person_context(member),
                            "you": member.email == person.email,
                            "new": grown
                            and member.email in by_mentee
                            and by_mentee[member.email].round_id == rounds[-1],
                        }
                        for member in members
                    ],
                    # A mentee reads why the group fits them; the mentor, why each mentee fits.
                    "reasons": list(own.reasons) if own is not None else [],
                    "mentees_reasons": [
                        {"name": everyone[m.mentee].name, "reasons": list(m.reasons)}
                        for m in group.matches
                    ],
                    "agreement_url": self.agreement_url(program),
                    "program_url": f"{self.base_url}/programs/{program.slug}",
                    "page_url": page_url,
                    "group_url": group_url,
                }

            sent += self.mail.queue_once(
                "group_introduction",
                Recipient.PARTICIPANT,
                to=person.mailbox,
                key={
                    "program": program.slug,
                    "group": group.group_id,
                    "members": group.membership,
                    "person": person.participant_id,
                },
                context=context,
                program=program.slug,
                reply_to=mentor.mailbox if person is not mentor else None,
                language=person.language,
            )
        return sent
