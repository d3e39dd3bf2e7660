"""What the console's services refuse, said to an organizer or a participant who reads
Spanish: no English left, and no raw codes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from portal import i18n
from portal.container import Services
from portal.domain.checkins import match_ref
from portal.domain.participants import Role, Status
from portal.mail.senders import MemorySender
from portal.services.groups import GroupCheckinAnswers, GroupError
from portal.services.participation import MatchChangedError
from portal.services.roster import Action, RosterError
from portal.services.rounds import AdjustmentError, PreviewError
from portal.web.organize.program_words import translated
from tests.conftest import FakeClock
from tests.english_left import english_left, visible_text
from tests.factories import matched_pair, stored_person
from tests.web.helpers import DEMO_ORGANIZER, sign_in_as_organizer


def _spanish(refusal: BaseException) -> str:
    words = str(refusal)
    assert english_left(words) == [], words
    return words


def test_a_pair_the_rules_refuse_is_said_in_spanish(services: Services, clock: FakeClock) -> None:
    program = services.programs.get("demo")
    assert program is not None
    services.participants.save(stored_person("Bo", Role.MENTEE, clock()))
    pending = replace(stored_person("Al", Role.MENTOR, clock()), status=Status.PENDING)
    services.participants.save(pending)
    with i18n.speaking("es"), pytest.raises(AdjustmentError) as refused:
        services.rounds.move(program, "bo@example.org", "al@example.org")
    assert "no es un mentor confirmado de este programa" in _spanish(refused.value)


def test_a_stale_status_change_is_said_in_spanish(services: Services, clock: FakeClock) -> None:
    match = matched_pair(services, clock)
    person = services.participants.get("demo", match.mentee)
    assert person is not None
    with i18n.speaking("es"), pytest.raises(RosterError) as refused:
        services.roster.change_status(
            "demo", person.participant_id, Action.RESUME, Status.LEFT, DEMO_ORGANIZER
        )
    assert "que está fuera del programa no se la puede reanudar" in _spanish(refused.value)


def test_a_group_check_in_refused_is_said_in_spanish(services: Services, clock: FakeClock) -> None:
    program = services.programs.get("leaders-group")
    assert program is not None
    with i18n.speaking("es"), pytest.raises(GroupError) as refused:
        services.groups.log(program, "nobody@example.org", GroupCheckinAnswers(met=False))
    assert "No está en ningún grupo" in _spanish(refused.value)


def test_a_preview_of_an_archived_program_is_refused_in_spanish(services: Services) -> None:
    program = services.programs.get("demo")
    assert program is not None
    archived = program.model_copy(update={"archived": True})
    with i18n.speaking("es"), pytest.raises(PreviewError) as refused:
        services.rounds.preview(archived)
    assert "archivado" in _spanish(refused.value)


def test_a_match_ended_meanwhile_is_said_in_spanish_with_its_state_in_words(
    client: FlaskClient, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    match = matched_pair(services, clock)
    services.participation.end_match("demo", match.match_id, match.mentee, "rematch")
    with i18n.speaking("es"), pytest.raises(MatchChangedError) as refused:
        services.participation.end_by_organizer(
            "demo", match.match_id, seen="active", organizer=DEMO_ORGANIZER
        )
    assert "terminó este emparejamiento" in _spanish(refused.value)
    # The end-a-match page of a match that is over says its state in words, not its code.
    services.organizers.set_language(DEMO_ORGANIZER, "es")
    sign_in_as_organizer(client, mailbox)
    page = client.get(f"/organize/programs/demo/matches/{match_ref(match.match_id)}/end")
    text = visible_text(page.text)
    assert english_left(text) == []
    assert "Este emparejamiento está terminado" in text
    assert "ended" not in text


def test_a_choice_the_editor_does_not_offer_is_named_without_codes() -> None:
    with i18n.speaking("es"):
        said = translated("Input should be 'organizer', 'auto' or 'mentee'")
    assert "organizer" not in said
    assert english_left(said) == []
