"""The preview of a change to a program: pairs gained and lost on today's pool, warnings about
answered questions, refusals, and nothing stored or sent."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask, render_template

from portal.container import Services, build_services
from portal.domain.matches import round_pool
from portal.domain.matching import match
from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.mail.senders import MemorySender
from portal.services.program_changes import EMPTY_POOL, ChangePreview, PairView, UnmatchedView
from portal.settings import Settings
from tests.conftest import FakeClock, table_snapshot
from tests.factories import seed_demo_people

ADMIN = "admin@example.org"
SLUG = "spring-pairs"
QUESTIONS: list[dict[str, Any]] = [
    {
        "key": "industry",
        "label": "Industry",
        "type": "choice",
        "choices": ["Tech", "Finance", "Health"],
        "match": "same",
        "weight": "must",
    },
    {
        "key": "style",
        "label": "Working style",
        "type": "choice",
        "choices": ["Remote", "Hybrid", "Office"],
        "match": "none",
    },
]


@pytest.fixture
def services(aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender) -> Services:
    return build_services(
        dataclasses.replace(settings, admins=(ADMIN,)), clock=clock, sender=mailbox
    )


def changed(program: Program, **settings: Any) -> Program:
    """The program with some settings replaced, validated as the editor's candidate is."""
    return Program.model_validate({**program.model_dump(), **settings})


def with_weights(program: Program, **weights: str) -> Program:
    matching = program.matching.model_dump()
    return changed(program, matching={**matching, "weights": {**matching["weights"], **weights}})


@pytest.fixture
def current(services: Services) -> Program:
    """A stored one-on-one program with two questions (no must on languages, for a pool
    that a languages rule changes)."""
    created = services.program_admin.create(
        "one-on-one",
        title="Spring pairs",
        slug=SLUG,
        organizers=("lead@example.org",),
        signup_open=True,
        by=ADMIN,
    )
    return changed(created, questions=QUESTIONS)


def seeded(services: Services, program: Program, clock: FakeClock) -> list[Participant]:
    return seed_demo_people(services, program, clock())


def engine_pairs(
    services: Services, program: Program, clock: FakeClock
) -> dict[frozenset[str], float]:
    """The pairs a direct engine run on today's pool makes, by their two names."""
    people = list(services.participants.for_program(SLUG))
    history = services.rounds.matches.history(SLUG)
    names = {p.email: p.name for p in people}
    result = match(program, round_pool(program, people, history), now=clock(), history=history)
    return {frozenset((names[p.mentor], names[p.mentee])): p.score for p in result.pairs}


def by_names(views: tuple[PairView, ...]) -> dict[frozenset[str], float]:
    return {frozenset((v.left, v.right)): v.score for v in views}


def test_a_weight_change_lists_the_pairs_it_moves_as_two_engine_runs_find_them(
    services: Services, current: Program, clock: FakeClock
) -> None:
    seeded(services, current, clock)
    candidate = with_weights(current, languages="off", skills="off", availability="high")
    preview = services.program_changes.preview(current, candidate)
    before = engine_pairs(services, current, clock)
    after = engine_pairs(services, candidate, clock)
    assert preview.gained
    assert preview.lost
    assert by_names(preview.gained) == {k: after[k] for k in after.keys() - before.keys()}
    assert by_names(preview.lost) == {k: before[k] for k in before.keys() - after.keys()}
    assert preview.kept == len(before.keys() & after.keys())
    assert preview.people == 40
    assert preview.refusals == ()
    assert preview.note == ""


def test_an_unchanged_program_gains_and_loses_nothing_and_says_who_waits_and_why(
    services: Services, current: Program, clock: FakeClock
) -> None:
    seeded(services, current, clock)
    preview = services.program_changes.preview(current, current)
    assert preview.gained == ()
    assert preview.lost == ()
    assert preview.kept == len(engine_pairs(services, current, clock)) > 0
    assert preview.warnings == ()
    assert len(preview.unmatched) == preview.unmatched_before > 0
    # The reasons are the words the console's round preview uses, not codes.
    assert all(u.reason and "code" not in u.reason for u in preview.unmatched)
    assert {u.role for u in preview.unmatched} <= {"mentor", "mentee"}


def test_the_preview_stores_nothing_and_sends_no_email(
    services: Services, current: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    seeded(services, current, clock)
    before = table_snapshot()
    services.program_changes.preview(current, with_weights(current, skills="off"))
    assert table_snapshot() == before
    assert mailbox.sent == []


def test_an_empty_pool_says_the_change_moves_no_pairs(services: Services, current: Program) -> None:
    preview = services.program_changes.preview(current, with_weights(current, skills="off"))
    assert preview == ChangePreview(0, (), (), 0, 0, (), (), (), note=EMPTY_POOL)
    assert "nobody is waiting to be matched today" in EMPTY_POOL.lower()


def test_removing_an_answered_question_warns_with_the_count_of_answers(
    services: Services, current: Program, clock: FakeClock
) -> None:
    people = seeded(services, current, clock)
    answered = sum(1 for p in people if p.answers.get("style"))
    assert 0 < answered < len(people) + 1
    candidate = changed(current, questions=QUESTIONS[:1])
    warnings = services.program_changes.warnings(current, candidate)
    assert warnings == (
        f"{answered} people answered “Working style”; their answers are kept with their "
        "profile until they next save their profile, which keeps only the current questions, "
        "but are no longer shown on the portal's pages (only in their own data export) or "
        "used in matching.",
    )
    assert services.program_changes.refusals(current, candidate) == ()


def test_a_choice_removed_says_how_many_chose_it(
    services: Services, current: Program, clock: FakeClock
) -> None:
    people = seeded(services, current, clock)
    hybrid = sum(1 for p in people if p.answers.get("style") == "Hybrid")
    assert hybrid
    style = {**QUESTIONS[1], "choices": ["Remote", "Office"]}
    candidate = changed(current, questions=[QUESTIONS[0], style])
    (warning,) = services.program_changes.warnings(current, candidate)
    assert warning.startswith(f"{hybrid} people chose “Hybrid”, which is no longer a choice")
    assert "matching does not use this question" in warning


def test_an_unanswered_question_made_required_says_who_is_not_asked_again(
    services: Services, current: Program, clock: FakeClock
) -> None:
    people = seeded(services, current, clock)
    services.participants.save(replace(people[0], answers={}))
    style = {**QUESTIONS[1], "required": True}
    candidate = changed(current, questions=[QUESTIONS[0], style])
    (warning,) = services.program_changes.warnings(current, candidate)
    assert warning.startswith("One person signed up without answering “Working style”")
    assert "not asked again until they next save their profile" in warning


def test_removing_a_question_a_must_rule_uses_is_refused(
    services: Services, current: Program, clock: FakeClock
) -> None:
    seeded(services, current, clock)
    candidate = changed(current, questions=QUESTIONS[1:])
    expected = (
        "“Industry” is a must rule in matching: change its weight first, save, then remove it.",
    )
    assert services.program_changes.refusals(current, candidate) == expected
    assert services.program_changes.preview(current, candidate).refusals == expected
    # Once its weight is no longer a must, removing it is allowed.
    relaxed = changed(current, questions=[{**QUESTIONS[0], "weight": "high"}, QUESTIONS[1]])
    assert services.program_changes.refusals(relaxed, candidate) == ()


def test_the_partial_shows_the_pairs_the_reasons_warnings_and_refusals(app: Flask) -> None:
    preview = ChangePreview(
        people=6,
        gained=(PairView("Ada Example", "Grace Example", 81.5),),
        lost=(PairView("Alan Example", "Barbara Example", 64.0),),
        kept=2,
        unmatched_before=1,
        unmatched=(UnmatchedView("Edsger Example", "mentee", "no mentor speaks Dutch"),),
        warnings=("12 people answered “Industry”; their answers are kept.",),
        refusals=("“Industry” is a must rule in matching: change its weight first.",),
    )
    with app.test_request_context():
        html = render_template("organize/_change_preview.html", preview=preview)
    assert "What this change would do to matching today" in html
    for text in (
        "Ada Example",
        "Grace Example",
        "81.5",
        "Barbara Example",
        "64.0",
        "Edsger Example",
        "no mentor speaks Dutch",
        "12 people answered “Industry”",
        "is a must rule in matching",
    ):
        assert text in html
    assert html.count("<caption") == 4
    with app.test_request_context():
        empty = render_template(
            "organize/_change_preview.html",
            preview=ChangePreview(0, (), (), 0, 0, (), (), (), note=EMPTY_POOL),
        )
    assert EMPTY_POOL in empty
    assert "<table" not in empty


def test_a_format_change_that_drops_the_roles_people_hold_is_refused(
    services: Services, current: Program, clock: FakeClock
) -> None:
    to_peers = changed(current, format="peer", approval="auto")
    assert services.program_changes.refusals(current, to_peers) == ()  # nobody signed up yet

    seeded(services, current, clock)
    (refusal,) = services.program_changes.refusals(current, to_peers)

    assert refusal.startswith("40 people signed up as mentee or mentor, which a peer program")
    assert "Duplicate the program" in refusal
    assert services.program_changes.preview(current, to_peers).refusals == (refusal,)
