"""A person's answers on their profile form after the program changed a question's type."""

from __future__ import annotations

from portal.domain.program import Program, Question
from portal.web.signup.forms import answers_for_form
from tests.factories import program as make_program

MULTI = Question(
    key="setting",
    label="Where does your team work?",
    type="multi",
    choices=("Office", "Hybrid", "Remote"),
)


def with_question(question: Question) -> Program:
    return make_program().model_copy(update={"questions": (question,)})


def test_several_choices_asked_now_as_text_show_as_they_were_chosen() -> None:
    as_text = MULTI.model_copy(update={"type": "text", "choices": ()})
    data = answers_for_form(with_question(as_text), {"setting": ["Office", "Hybrid"]})
    assert data == {"q_setting": "Office, Hybrid"}


def test_one_answer_asked_now_as_several_choices_stays_ticked() -> None:
    assert answers_for_form(with_question(MULTI), {"setting": "Hybrid"}) == {
        "q_setting": ["Hybrid"]
    }


def test_several_choices_asked_now_as_one_keep_the_first_and_a_removed_question_none() -> None:
    one = MULTI.model_copy(update={"type": "choice"})
    program = with_question(one)
    assert answers_for_form(program, {"setting": ["Remote", "Office"], "gone": "x"}) == {
        "q_setting": "Remote"
    }
    assert answers_for_form(program, {"setting": []}) == {"q_setting": ""}
