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
from portal.i18n import N_, gettext, ngettext
from portal.persistence.matches import MatchRepository
from portal.persistence.participants import ParticipantRepository
from portal.presenters.waiting import unmatched_text
from portal.presenters.words import join, number, role_word

if TYPE_CHECKING:
    from portal.domain.matching import MatchedPair

# The preview's note (a msgid: the page translates it where it is shown).
EMPTY_POOL = N_("Nobody is waiting to be matched today, so the change moves no pairs.")


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
    # Questions people answered that change, and how answers carry over; and changes that
    # cannot be saved (a question a `must` rule uses). Both in the reader's words: a preview
    # is made for the page that shows it, in its request, and never stored.
    warnings: tuple[str, ...]
    refusals: tuple[str, ...]
    note: str = ""  # said instead of the pairs when nobody is to be matched (EMPTY_POOL's msgid)
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
            gettext(
                "“%(label)s” is a must rule in matching: change its weight first, save, "
                "then remove it.",
                label=q.label,
            )
            for q in current.questions
            if q.match != "none" and q.weight is Weight.MUST and q.key not in kept
        ]
        if current.roles != candidate.roles and (held := self.participants.count(current.slug)):
            # People keep the role they signed up as: peers would be matched by no round of a
            # mentoring program, nor mentors and mentees by a peer one.
            roles = join([role_word(r) for r in current.roles], "or")
            if candidate.format is Format.PEER:
                refused.append(
                    ngettext(
                        "%(num)s person signed up as %(roles)s, which a peer program does not "
                        "have: people keep the role they signed up as, so the format cannot "
                        "change between peer mentoring and mentors with mentees. Duplicate the "
                        "program and change the copy's format instead.",
                        "%(num)s people signed up as %(roles)s, which a peer program does not "
                        "have: people keep the role they signed up as, so the format cannot "
                        "change between peer mentoring and mentors with mentees. Duplicate the "
                        "program and change the copy's format instead.",
                        held,
                        roles=roles,
                    )
                )
            else:
                refused.append(
                    ngettext(
                        "%(num)s person signed up as %(roles)s, which a %(format)s program does "
                        "not have: people keep the role they signed up as, so the format cannot "
                        "change between peer mentoring and mentors with mentees. Duplicate the "
                        "program and change the copy's format instead.",
                        "%(num)s people signed up as %(roles)s, which a %(format)s program does "
                        "not have: people keep the role they signed up as, so the format cannot "
                        "change between peer mentoring and mentors with mentees. Duplicate the "
                        "program and change the copy's format instead.",
                        held,
                        roles=roles,
                        format=candidate.format.value,
                    )
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


def _capital(text: str) -> str:
    """A sentence that starts with a count in words ("two people ...") starts with a capital."""
    return text[:1].upper() + text[1:]


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
    # Saving one's profile stores the current questions' answers only (the module's notes).
    if renamed is not None:
        return _capital(
            ngettext(
                "%(num)s person answered “%(label)s” under the key “%(key)s”, which becomes "
                "“%(new_key)s”: answers are stored under the key, so theirs stay on their "
                "profile until they next save their profile, which keeps only the current "
                "questions, but are no longer shown on the portal's pages (only in their own "
                "data export) or used in matching; under the new key they count as unanswered.",
                "%(num)s people answered “%(label)s” under the key “%(key)s”, which becomes "
                "“%(new_key)s”: answers are stored under the key, so theirs stay on their "
                "profile until they next save their profile, which keeps only the current "
                "questions, but are no longer shown on the portal's pages (only in their own "
                "data export) or used in matching; under the new key they count as unanswered.",
                count,
                num=number(count),
                label=question.label,
                key=question.key,
                new_key=renamed.key,
            )
        )
    return _capital(
        ngettext(
            "%(num)s person answered “%(label)s”; their answers are kept with their profile "
            "until they next save their profile, which keeps only the current questions, but "
            "are no longer shown on the portal's pages (only in their own data export) or used "
            "in matching.",
            "%(num)s people answered “%(label)s”; their answers are kept with their profile "
            "until they next save their profile, which keeps only the current questions, but "
            "are no longer shown on the portal's pages (only in their own data export) or used "
            "in matching.",
            count,
            num=number(count),
            label=question.label,
        )
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
    """How matching reads these answers under `question`: a clause that ends a sentence."""
    if question.match == "none":
        return gettext("matching does not use this question")
    counted = sum(_counts(question, a) for a in answers)
    if counted == len(answers):
        return gettext("matching still counts each of them")
    if counted == 0:
        return gettext("in matching they count as no answer")
    return ngettext(
        "in matching only one of them still counts; the others count as no answer",
        "in matching %(num)s of them still count; the others count as no answer",
        counted,
        num=number(counted),
    )


# What a question asks for, as the warning names it.
_KIND = {"text": N_("a text answer"), "choice": N_("one choice"), "multi": N_("several choices")}


def _retyped(question: Question, now: Question, answers: Sequence[str | list[str]]) -> str:
    count = len(answers)
    return _capital(
        ngettext(
            "%(num)s person answered “%(label)s”, which now asks for %(kind)s instead of "
            "%(old_kind)s: their answers stay on their profile as given until they next save "
            "it, answering in the new form, and %(matching)s.",
            "%(num)s people answered “%(label)s”, which now asks for %(kind)s instead of "
            "%(old_kind)s: their answers stay on their profile as given until they next save "
            "it, answering in the new form, and %(matching)s.",
            count,
            num=number(count),
            label=question.label,
            kind=gettext(_KIND[now.type]),
            old_kind=gettext(_KIND[question.type]),
            matching=_in_matching(now, answers),
        )
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
        new_name = renamed.get(choice)
        becomes = len(now.choices) == len(question.choices) and new_name not in question.choices
        if now.match == "none":
            matching = gettext("matching does not use this question")
        elif now.match == "same":
            matching = gettext(
                "in matching it still counts as the same answer as another person's “%(choice)s”",
                choice=choice,
            )
        else:
            matching = gettext("in matching it counts as not chosen")
        count = len(chose)
        if becomes:
            said.append(
                _capital(
                    ngettext(
                        "%(num)s person chose “%(choice)s”, which is no longer a choice (it "
                        "becomes “%(new_name)s”, which their answers do not change to): that "
                        "answer stays on their profile until they next save it (the form no "
                        "longer offers it), and %(matching)s.",
                        "%(num)s people chose “%(choice)s”, which is no longer a choice (it "
                        "becomes “%(new_name)s”, which their answers do not change to): that "
                        "answer stays on their profile until they next save it (the form no "
                        "longer offers it), and %(matching)s.",
                        count,
                        num=number(count),
                        choice=choice,
                        new_name=new_name,
                        matching=matching,
                    )
                )
            )
        else:
            said.append(
                _capital(
                    ngettext(
                        "%(num)s person chose “%(choice)s”, which is no longer a choice: that "
                        "answer stays on their profile until they next save it (the form no "
                        "longer offers it), and %(matching)s.",
                        "%(num)s people chose “%(choice)s”, which is no longer a choice: that "
                        "answer stays on their profile until they next save it (the form no "
                        "longer offers it), and %(matching)s.",
                        count,
                        num=number(count),
                        choice=choice,
                        matching=matching,
                    )
                )
            )
    return said


def _made_required(question: Question, missing: int) -> str:
    if question.match == "none":
        matching = gettext("matching does not use this question")
    elif question.weight is Weight.MUST:
        matching = gettext("in matching they match nobody while it has no answer, as it must match")
    else:
        matching = gettext(
            "in matching their missing answer counts half, as neither the same nor different"
        )
    return _capital(
        ngettext(
            "%(num)s person signed up without answering “%(label)s”, now required: people who "
            "signed up before are not asked again until they next save their profile, and "
            "%(matching)s.",
            "%(num)s people signed up without answering “%(label)s”, now required: people who "
            "signed up before are not asked again until they next save their profile, and "
            "%(matching)s.",
            missing,
            num=number(missing),
            label=question.label,
            matching=matching,
        )
    )
