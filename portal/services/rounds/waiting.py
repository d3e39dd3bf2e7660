"""People still waiting: after a round, each confirmed person it left without a match hears
why, what happens next and what they can do, once per change of their situation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from portal.domain.matches import matching_pool
from portal.domain.participants import Participant, Role
from portal.domain.program import Program
from portal.domain.reasons import Reason
from portal.domain.schedule import next_due
from portal.domain.waiting import has_news, situation
from portal.mail.catalog import Recipient
from portal.persistence.matches import StoredMatch
from portal.presenters.words import day
from portal.services.rounds.common import RoundParts
from portal.services.rounds.common import person_context as _person

if TYPE_CHECKING:
    from portal.domain.matching import MatchResult


class WaitingNews(RoundParts):
    """The waiting email, and when the next round is."""

    def next_round(self, program: Program, after: datetime | None = None) -> datetime | None:
        """When the program's next round is due after `after` (now); None if rounds are manual."""
        moment = after or self.clock()
        latest = self.rounds.latest(program.slug)
        return next_due(
            program.schedule.rounds,
            program.timezone,
            moment,
            latest.created_at if latest else None,
        )

    def _waiting_news(
        self,
        program: Program,
        result: MatchResult | None,
        stored: Iterable[StoredMatch],
        everyone: dict[str, Participant],
    ) -> list[tuple[Participant, Reason]]:
        """Who the round left waiting and has news for, with the reason to tell them.

        Whoever the round stored a match, draft or suggestion for is not waiting; nor is
        whoever is no longer in the pool (a published preview's matching is hours old: the
        person may have paused, or been matched from the console, since).
        """
        if result is None:
            return []
        in_round = {email for m in stored for email in (m.mentor, m.mentee)}
        pool = {p.email for p in matching_pool(program, everyone.values())}
        news = []
        for unmatched in result.unmatched:
            person = everyone.get(unmatched.email)
            if (
                person is not None
                and unmatched.email in pool
                and unmatched.email not in in_round
                and has_news(person, unmatched.reason)
            ):
                news.append((person, unmatched.reason))
        return news

    def _count_rounds_waited(
        self,
        program: Program,
        round_id: str,
        result: MatchResult | None,
        stored: Iterable[StoredMatch],
        everyone: dict[str, Participant],
    ) -> int:
        """Count the round for each person it left waiting (once, however often a round is
        resumed); returns how many mentees (or peers) have now waited two or more rounds.

        Left waiting: in the pool and in no match, draft or suggestion of the round. Whoever
        a match was written for has their count removed with that write
        (portal.persistence.matches); a count is what `matching.waiting_bonus` reads.
        """
        in_round = {email for m in stored for email in (m.mentor, m.mentee)}
        pool = {p.email for p in matching_pool(program, everyone.values())}
        left = {u.email for u in (result.unmatched if result else ()) if u.email in pool} - in_round
        two_or_more = 0
        for email in sorted(left):
            person = everyone[email]
            counted = self.participants.count_round_waited(
                program.slug, person.participant_id, round_id
            )
            waited = person.rounds_waited + 1 if counted else person.rounds_waited
            two_or_more += person.role is not Role.MENTOR and waited >= 2
        return two_or_more

    def _tell_waiting(
        self,
        program: Program,
        round_id: str,
        due: datetime,
        news: list[tuple[Participant, Reason]],
    ) -> int:
        """Write to each person with news (`_waiting_news`); returns the emails queued.

        What each person was told is recorded whether or not an email could go (to an
        unsubscribed address): their page says how long they have waited either way.
        """
        upcoming = next_due(program.schedule.rounds, program.timezone, due, due)
        sent = 0
        for person, reason in news:
            since = person.waiting_since or due

            def context(
                person: Participant = person, reason: Reason = reason, since: datetime = since
            ) -> dict[str, Any]:
                # Made only for an email not queued before an interruption: no second link.
                page_url = f"{self.base_url}/programs/{program.slug}"
                if self.links is not None:
                    page_url = self.links.me_url(program.slug, person.email)
                today = due.date()
                return {
                    "program": program,
                    "person": _person(person),
                    "viewpoint": person.role.value,
                    "reason": reason,
                    "first_time": person.waiting_since is None,
                    "since": day(since, person.timezone, today=today),
                    "next_round": (
                        day(upcoming, person.timezone, weekday=True, today=today)
                        if upcoming
                        else ""
                    ),
                    "page_url": page_url,
                    "program_url": f"{self.base_url}/programs/{program.slug}",
                    "organizers": ", ".join(program.organizers),
                }

            sent += self.mail.queue_once(
                "waiting",
                Recipient.PARTICIPANT,
                to=person.mailbox,
                key={"program": program.slug, "round": round_id, "person": person.participant_id},
                context=context,
                program=program.slug,
                language=person.language,
            )
            self.participants.note_waiting(
                program.slug,
                person.participant_id,
                since=since,
                told=situation(reason),
                reason=dict(reason),
            )
        return sent
