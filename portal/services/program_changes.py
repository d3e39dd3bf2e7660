"""What a change to a program's settings would do, shown before it is saved.

A dry run of matching on today's pool under the current settings and under the changed ones
(pairs gained and lost, and who would stay unmatched and why), warnings about questions people
have already answered, and the changes that cannot be saved at all.

What becomes of answers given to a question that changes, as the portal really treats them
(the warnings say this, so it must stay true):
- answers are stored under the question's key; nothing rewrites them when a program changes;
- the person's page, the organizers' person page and the CSV export show only the current
  questions' answers; the person's own data export shows every stored answer;
- saving one's profile (/me/programs/<slug>/profile) stores the current questions' answers
  only: an answer to a removed question, or a choice no longer offered, goes then;
- matching reads the current questions only: a `same` question compares the answer's text
  (a list of several answers counts as no answer), an `overlap` one the chosen choices that
  are still offered (others are not counted), and an unanswered question counts half in the
  score, or rules every pair out when the question is a `must`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from portal.domain.clock import Clock
from portal.domain.matches import round_pool
from portal.domain.participants import Participant
from portal.domain.program import Format, Program, Question, Weight
from portal.persistence.matches import MatchRepository
from portal.persistence.participants import ParticipantRepository
from portal.presenters.waiting import unmatched_text
from portal.presenters.words import plural

if TYPE_CHECKING:
    from portal.domain.matching import MatchedPair

EMPTY_POOL = "Nobody is waiting to be matched today, so the change moves no pairs."


@dataclass(frozen=True)
class PairView:
    """A pair as the preview lists it: the mentor's (or first peer's) name, the mentee's
    (or second peer's), and the pair's score under the settings it appears in."""

    left: str
    right: str
    score: float


@dataclass(frozen=True)
class UnmatchedView:
    """Someone the changed settings would leave unmatched, and the reason in words."""

    name: str
    role: str
    reason: str


@dataclass(frozen=True)
class ChangePreview:
    """The effect of a change on today's pool, and what to know before saving it."""

    people: int  # in today's pool (confirmed, with a place left)
    gained: tuple[PairView, ...]  # pairs the changed settings make that the current do not
    lost: tuple[PairView, ...]  # pairs the current settings make that the changed do not
    kept: int  # pairs both make
    unmatched_before: int  # left unmatched under the current settings
    unmatched: tuple[UnmatchedView, ...]  # left unmatched under the changed settings
    warnings: tuple[str, ...]  # questions people answered that change, and how answers carry over
    refusals: tuple[str, ...]  # changes that cannot be saved (a question a `must` rule uses)
    note: str = ""  # said instead of the pairs when there is nobody to match (EMPTY_POOL)
    peer: bool = False  # the changed program pairs peers: a pair is a first and a second peer


class ProgramChanges:
    """Previews a change to a program's settings (see portal/container.py for its wiring)."""

    def __init__(
        self, participants: ParticipantRepository, matches: MatchRepository, clock: Clock
    ) -> None:
        self.participants = participants
        self.matches = matches
        self.clock = clock

    def preview(self, current: Program, candidate: Program) -> ChangePreview:
        """A dry run of today's pool under both settings; nothing is stored, no email sent."""
        people = list(self.participants.for_program(current.slug))
        warnings = self._warnings(current, candidate, people)
        refusals = self.refusals(current, candidate)
        history = self.matches.history(current.slug)
        once = current.matching.match_once or candidate.matching.match_once
        met = self.matches.met(current.slug) if once else set()
        before_pool = round_pool(current, people, met)
        after_pool = round_pool(candidate, people, met)
        if not before_pool and not after_pool:
            return ChangePreview(0, (), (), 0, 0, (), warnings, refusals, note=EMPTY_POOL)
        now = self.clock()
        # The engine is imported here, not with the module (see portal/services/rounds/run.py).
        from portal.domain.matching import match

        before = match(current, before_pool, now=now, history=history)
        after = match(candidate, after_pool, now=now, history=history)
        names = {p.email: p.name for p in people}
        old = {_people(p): p for p in before.pairs}
        new = {_people(p): p for p in after.pairs}
        unmatched = sorted(
            (
                UnmatchedView(names.get(u.email, u.email), u.role, unmatched_text(u.reason))
                for u in after.unmatched
            ),
            key=lambda u: (u.role, u.name.casefold()),
        )
        return ChangePreview(
            people=len(after_pool),
            gained=_views((new[k] for k in new.keys() - old.keys()), names),
            lost=_views((old[k] for k in old.keys() - new.keys()), names),
            kept=len(new.keys() & old.keys()),
            unmatched_before=len(before.unmatched),
            unmatched=tuple(unmatched),
            warnings=warnings,
            refusals=refusals,
            peer=candidate.format is Format.PEER,
        )

    def warnings(self, current: Program, candidate: Program) -> tuple[str, ...]:
        """Questions people have answered that the change alters, and what becomes of answers."""
        changed = [q for q in current.questions if _question(candidate, q.key) != q]
        if not changed:
            return ()  # nothing to count: no table read
        return self._warnings(current, candidate, list(self.participants.for_program(current.slug)))

    def refusals(self, current: Program, candidate: Program) -> tuple[str, ...]:
        """Changes that cannot be saved, each in words (the table is read only when the
        change would alter the roles people sign up as)."""
        kept = {q.key for q in candidate.questions}
        refused = [
            f"“{q.label}” is a must rule in matching: change its weight first, save, "
            "then remove it."
            for q in current.questions
            if q.match != "none" and q.weight is Weight.MUST and q.key not in kept
        ]
        if current.roles != candidate.roles and (held := self.participants.count(current.slug)):
            # People keep the role they signed up as: peers would be matched by no round of a
            # mentoring program, nor mentors and mentees by a peer one.
            refused.append(
                f"{_people_count(held)} signed up as {' or '.join(current.roles)}, which a "
                f"{candidate.format.value} program does not have: people keep the role they "
                "signed up as, so the format cannot change between peer mentoring and mentors "
                "with mentees. Duplicate the program and change the copy's format instead."
            )
        return tuple(refused)

    def _warnings(
        self, current: Program, candidate: Program, people: Sequence[Participant]
    ) -> tuple[str, ...]:
        said: list[str] = []
        for question in current.questions:
            answers = [p.answers[question.key] for p in people if _given(p, question.key)]
            now = _question(candidate, question.key)
            if now is None:
                if answers:
                    said.append(
                        _removed(question, len(answers), _renamed(current, candidate, question))
                    )
                continue
            if answers and now.type != question.type:
                said.append(_retyped(question, now, answers))
            elif answers:
                said.extend(_choices_gone(question, now, answers))
            if now.required and not question.required:
                missing = len(people) - len(answers)
                if missing:
                    said.append(_made_required(now, missing))
        return tuple(said)


# -- the dry run ----------------------------------------------------------------------------


def _people_count(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


def _people(pair: MatchedPair) -> frozenset[str]:
    """A pair by its two people (whichever side each is on)."""
    return frozenset((pair.mentor, pair.mentee))


def _views(pairs: Iterable[MatchedPair], names: dict[str, str]) -> tuple[PairView, ...]:
    views = (
        PairView(names.get(p.mentor, p.mentor), names.get(p.mentee, p.mentee), p.score)
        for p in pairs
    )
    return tuple(sorted(views, key=lambda v: (v.left.casefold(), v.right.casefold())))


# -- what becomes of answers ----------------------------------------------------------------


def _question(program: Program, key: str) -> Question | None:
    return next((q for q in program.questions if q.key == key), None)


def _given(person: Participant, key: str) -> bool:
    """Whether the person's stored answers hold a non-blank answer under `key`."""
    from portal.domain.scoring.encoding import as_list

    return bool(as_list(person.answers.get(key)))


def _people_did(count: int, did: str) -> str:
    """ "12 people answered", "One person answered" (a sentence's start)."""
    text = plural(count, "{count} person {did}", "{count} people {did}", did=did)
    return text[0].upper() + text[1:]


# Saving one's profile stores the current questions' answers only (see the module's notes).
_UNTIL_SAVED = "until they next save their profile, which keeps only the current questions"
_NOT_SHOWN = (
    "no longer shown on the portal's pages (only in their own data export) or used in matching"
)


def _renamed(current: Program, candidate: Program, question: Question) -> Question | None:
    """The candidate's question that looks like `question` under a new key (the same label)."""
    old_keys = {q.key for q in current.questions}
    return next(
        (
            q
            for q in candidate.questions
            if q.key not in old_keys and q.label.casefold() == question.label.casefold()
        ),
        None,
    )


def _removed(question: Question, count: int, renamed: Question | None) -> str:
    start = _people_did(count, f"answered “{question.label}”")
    if renamed is not None:
        return (
            f"{start} under the key “{question.key}”, which becomes “{renamed.key}”: answers "
            f"are stored under the key, so theirs stay on their profile {_UNTIL_SAVED}, but "
            f"are {_NOT_SHOWN}; under the new key they count as unanswered."
        )
    return (
        f"{start}; their answers are kept with their profile {_UNTIL_SAVED}, but are {_NOT_SHOWN}."
    )


def _counts(question: Question, answer: str | list[str]) -> bool:
    """Whether matching counts `answer` to `question` as an answer (as the scorer reads it)."""
    from portal.domain.scoring.encoding import as_list, norm

    if question.match == "same":
        return isinstance(answer, str) and bool(answer.strip())
    if question.match == "overlap":
        offered = {norm(c) for c in question.choices}
        return any(norm(a) in offered for a in as_list(answer))
    return False


def _in_matching(question: Question, answers: Sequence[str | list[str]]) -> str:
    """How matching reads these answers under `question`, in words."""
    if question.match == "none":
        return "matching does not use this question"
    counted = sum(_counts(question, a) for a in answers)
    if counted == len(answers):
        return "matching still counts each of them"
    if counted == 0:
        return "in matching they count as no answer"
    return plural(
        counted,
        "in matching only one of them still counts; the others count as no answer",
        "in matching {count} of them still count; the others count as no answer",
    )


_KIND = {"text": "a text answer", "choice": "one choice", "multi": "several choices"}


def _retyped(question: Question, now: Question, answers: Sequence[str | list[str]]) -> str:
    start = _people_did(len(answers), f"answered “{question.label}”")
    return (
        f"{start}, which now asks for {_KIND[now.type]} instead of {_KIND[question.type]}: "
        "their answers stay on their profile as given until they next save it, answering in "
        f"the new form, and {_in_matching(now, answers)}."
    )


def _choices_gone(
    question: Question, now: Question, answers: Sequence[str | list[str]]
) -> list[str]:
    """A sentence for each choice people chose that the changed question no longer offers."""
    from portal.domain.scoring.encoding import as_list

    said = []
    renamed = dict(zip(question.choices, now.choices, strict=False))
    for choice in question.choices:
        if choice in now.choices:
            continue
        chose = [a for a in answers if choice in as_list(a)]
        if not chose:
            continue
        start = _people_did(len(chose), f"chose “{choice}”")
        new_name = renamed.get(choice)
        instead = (
            f" (it becomes “{new_name}”, which their answers do not change to)"
            if len(now.choices) == len(question.choices) and new_name not in question.choices
            else ""
        )
        if now.match == "none":
            matching = "matching does not use this question"
        elif now.match == "same":
            matching = (
                f"in matching it still counts as the same answer as another person's “{choice}”"
            )
        else:
            matching = "in matching it counts as not chosen"
        said.append(
            f"{start}, which is no longer a choice{instead}: that answer stays on their profile "
            f"until they next save it (the form no longer offers it), and {matching}."
        )
    return said


def _made_required(question: Question, missing: int) -> str:
    start = _people_did(missing, "signed up without answering")
    if question.match == "none":
        matching = "matching does not use this question"
    elif question.weight is Weight.MUST:
        matching = "in matching they match nobody while it has no answer, as it must match"
    else:
        matching = "in matching their missing answer counts half, as neither the same nor different"
    return (
        f"{start} “{question.label}”, now required: people who signed up before are not asked "
        f"again until they next save their profile, and {matching}."
    )
