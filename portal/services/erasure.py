"""Erasing everything the portal holds about one person, in every program they signed up to.

The steps run in an order that leaves no half-erased person for other code to trip over, and
every step is safe to run again, so that an erasure interrupted anywhere is finished by the
next run:

1. their active matches end, and each partner is told as when a match ends today (the
   partner's email is queued once: a second run queues none);
2. their draft pairs and suggestions (not matches yet) are deleted; in each of their
   matches, their check-ins and goals are deleted, their goals are taken out of the partner's
   check-ins, their address in the match becomes a constant, and the match (with the
   partner's own check-ins, notes and goals) moves to a key without their id; in a group
   program, the group check-ins they logged are deleted (the group's id holds no one's id,
   so the others' stay where they are, and the match keeps the id when it moves);
3. the emails queued or sent to them, the links sent to them, the log of their exports and
   the console language they chose as an organizer are deleted;
4. their participant records are deleted, then their sessions (until then a person whose
   erasure failed half-way can press the button again), and last the address items: those
   are how the next run finds them, so they go only when everything else has.

A suppression (an unsubscribe, a bounce or a complaint) is kept: it is keyed by the address's
digest only (docs/architecture.md, "How people and addresses are keyed"), and it must hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.domain.addresses import email_key
from portal.domain.matches import MatchState
from portal.persistence.erasure import ErasureStore, SignUp
from portal.services.participation import ParticipationService

# The kinds counted, in the order they are shown.
KINDS = (
    ("sign_ups", "sign-ups (participant records)"),
    ("matches_ended", "active matches ended (partner told)"),
    ("drafts", "draft pairs and suggestions withdrawn"),
    ("matches_anonymised", "matches keeping 'a former participant'"),
    ("checkins", "check-ins and ratings they wrote"),
    ("goals", "goals they added"),
    ("emails", "emails queued or sent to them"),
    ("links", "sign-in and other links sent to them"),
    ("sessions", "browser sessions"),
    ("exports", "logged exports of their data"),
    ("preferences", "the console language they chose as an organizer"),
    ("roster", "roster import entries (what an organizer's HR file said of them)"),
)


class NobodyToErase(LookupError):
    """The portal holds no sign-up for the address (nothing was changed)."""


@dataclass
class Erasure:
    """What an erasure did, or a dry run would do: a count per kind, and the programs."""

    programs: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {kind: 0 for kind, _ in KINDS})

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class ErasureService:
    def __init__(self, *, store: ErasureStore, participation: ParticipationService) -> None:
        self.store = store
        self.participation = participation

    def plan(self, email: str) -> Erasure:
        """What `erase` would remove, counted, changing nothing; NobodyToErase if unknown."""
        return self._run(email, apply=False)

    def erase(self, email: str) -> Erasure:
        """Erase the person with this address everywhere; NobodyToErase if the portal holds
        nothing of them (a second run after a finished one)."""
        return self._run(email, apply=True)

    def _run(self, email: str, *, apply: bool) -> Erasure:
        email = email_key(email)
        sign_ups = self.store.sign_ups(email)
        roster = self.store.roster_entries_of(email)
        # An organizer who never signed up holds only their console language here.
        if not sign_ups and not roster and self.store.preference_of(email) is None:
            raise NobodyToErase("The portal holds no sign-up for that address.")
        done = Erasure(programs=[s.program for s in sign_ups])
        groups: set[str] = set()  # a mentor's matches share one group: visited once
        for sign_up in sign_ups:
            self._matches(done, email, sign_up, apply=apply, groups=groups)
        self._rest(done, email, apply=apply)
        done.counts["roster"] += len(roster)
        if apply and roster:
            # Someone an import invited and who never signed up has only these.
            self.store.delete_roster_entries(roster)
        for sign_up in sign_ups:
            if self.store.participant_exists(sign_up):
                done.counts["sign_ups"] += 1
                if apply:
                    self.store.delete_participant(sign_up)
        if apply:
            # Signed out only now: until here a person whose erasure failed half-way can
            # press the button again from their page.
            for session_hash in self.store.sessions_of(email):
                self.store.delete_session(session_hash)
            for program in {s.program for s in sign_ups}:
                self.store.forget_figures(program)
            # Last: the address items are how an interrupted erasure is found again.
            for sign_up in sign_ups:
                self.store.delete_address(email, sign_up)
        return done

    def _matches(
        self, done: Erasure, email: str, sign_up: SignUp, *, apply: bool, groups: set[str]
    ) -> None:
        for match in self.store.matches_of(sign_up):
            if match.status in (MatchState.PROPOSED, MatchState.SUGGESTED):
                # Not a match yet: nobody's history, and an organizer must not publish it.
                done.counts["drafts"] += 1
                if apply:
                    self.store.delete_draft(match)
                continue
            if match.holds_places and email in (match.mentor, match.mentee):
                done.counts["matches_ended"] += 1
                if apply:
                    # The partner is told while the person's name can still be read.
                    self.participation.end(sign_up.program, match, email, "left")
            if email in (match.mentor, match.mentee, match.ended_by):
                done.counts["matches_anonymised"] += 1
            checkins, goals = self.store.erase_from_match(
                match, email, sign_up.participant_id, apply=apply
            )
            done.counts["checkins"] += checkins
            done.counts["goals"] += goals
            if match.group_id and match.group_id not in groups:
                groups.add(match.group_id)
                done.counts["checkins"] += self.store.erase_from_group(
                    match.group_id, email, sign_up.participant_id, apply=apply
                )
            if apply:
                # As stored now: ending it named them as the one who ended it.
                current = self.store.match(sign_up.program, match.match_id)
                if current is not None:
                    self.store.anonymise_match(current, email)
                    self.store.rekey_match(current, sign_up.participant_id)

    def _rest(self, done: Erasure, email: str, *, apply: bool) -> None:
        emails = self.store.emails_to(email)
        links = self.store.tokens_of(email)
        sessions = self.store.sessions_of(email)
        exports = list(self.store.exports_of(email))
        preference = self.store.preference_of(email)
        done.counts["emails"] += len(emails)
        done.counts["links"] += len(links)
        done.counts["sessions"] += len(sessions)
        done.counts["exports"] += len(exports)
        done.counts["preferences"] += preference is not None
        if not apply:
            return
        for key in emails:
            self.store.delete_email(key)
        for token_hash in links:
            self.store.delete_token(token_hash)
        for record in exports:
            self.store.delete_export(record)
        if preference is not None:
            self.store.delete_preference(preference)
