"""The program editor: a stored program's settings in plain words, checked whole, saved as a
new version that the sign-up forms show at once; files and archived programs are read-only."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.container import Services, build_services
from portal.domain.program import MAX_ORGANIZERS, MAX_QUESTIONS, Program
from portal.mail.senders import MemorySender
from portal.services.program_changes import ChangePreview, PairView
from portal.settings import Settings
from portal.web.signup.forms import timezone_choices
from tests.conftest import FakeClock, table_snapshot
from tests.web.dom import Element, parse
from tests.web.helpers import sign_in_as_organizer

ADMIN = "admin@example.org"
LEAD = "lead@example.org"
OTHER = "other-lead@example.org"
SLUG = "spring-circles"
EDITOR = f"/organize/programs/{SLUG}/settings"


@pytest.fixture
def services(aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender) -> Services:
    services = build_services(
        dataclasses.replace(settings, admins=(ADMIN,)), clock=clock, sender=mailbox
    )
    services.program_admin.create(
        "group", title="Spring circles", slug=SLUG, organizers=(LEAD,), signup_open=True, by=ADMIN
    )
    return services


@pytest.fixture
def lead(client: FlaskClient, mailbox: MemorySender) -> FlaskClient:
    sign_in_as_organizer(client, mailbox, LEAD)
    return client


def _raw(element: Element) -> str:
    text = "".join(child for child in element.children if isinstance(child, str))
    return text.removeprefix("\r\n").removeprefix("\n")


def form_of(html: str) -> dict[str, Any]:
    """What a browser would send for the editor's form as shown (without a button)."""
    form = parse(html).one("form", class_="editor")
    data: dict[str, list[str]] = {}
    for element in form.iter():
        name = element.get("name")
        if not name:
            continue
        if element.tag == "textarea":
            data.setdefault(name, []).append(_raw(element))
        elif element.tag == "select":
            chosen = [o.get("value") or "" for o in element.find_all("option") if o.has("selected")]
            data.setdefault(name, []).append(chosen[0] if chosen else "")
        elif element.tag == "input":
            kind = element.get("type")
            if kind in ("checkbox", "radio"):
                if element.has("checked"):
                    data.setdefault(name, []).append(element.get("value") or "")
            elif kind != "submit":
                data.setdefault(name, []).append(element.get("value") or "")
    return data


def submit(client: FlaskClient, data: dict[str, Any], action: str = "save") -> TestResponse:
    return client.post(EDITOR, data={**data, "action": action})


def opened(client: FlaskClient) -> dict[str, Any]:
    page = client.get(EDITOR)
    assert page.status_code == 200
    return form_of(page.text)


def error_beside(response: TestResponse, field: str) -> str:
    """The message shown beside a field (by its id), after a refused save."""
    assert response.status_code == 422, response.status_code
    page = parse(response.text)
    error = page.by_id(f"{field}-error")
    assert error is not None, [e.text for e in page.find_all(class_="error")]
    return error.text


def test_a_new_title_and_question_reach_the_sign_up_form_at_once(
    lead: FlaskClient, services: Services
) -> None:
    data = opened(lead)
    blank = max(
        int(key.split("-")[1]) for key in data if key.startswith("questions-")
    )  # the empty row for a new question
    data["basics-title"] = "Spring circles 2027"
    data[f"questions-{blank}-label"] = "Which office are you in?"
    data[f"questions-{blank}-type"] = "choice"
    data[f"questions-{blank}-choices"] = "Lisbon\nBerlin"
    data[f"questions-{blank}-required"] = "y"

    saved = submit(lead, data)

    assert saved.status_code == 302
    page = lead.get(EDITOR)
    assert "Saved: version 2 is live. It reaches every page within a minute." in page.text
    assert "Version 2 is live" in page.text
    assert f"by {LEAD}" in page.text
    assert services.program_admin.live_version(SLUG) == 2
    program = services.programs.get(SLUG)
    assert program is not None
    assert program.title == "Spring circles 2027"
    (question,) = [q for q in program.questions if q.label == "Which office are you in?"]
    assert question.key == "which_office_are_you_in"
    assert question.choices == ("Lisbon", "Berlin")
    sign_up = lead.get(f"/programs/{SLUG}/join/mentee")
    assert "Which office are you in?" in sign_up.text
    assert parse(sign_up.text).find("input", name="q_which_office_are_you_in", value="Berlin")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("people-capacity", "0", "from 1 to 20"),
        ("basics-title", "", "Please give the program a title."),
        ("ladder-second_nudge_days", "10", "must be more than the reminder"),
        ("rules-min_score", "101", "from 0 to 100"),
        ("people-organizers", "lead@example.org\nnot an address", "Line 2"),
    ],
)
def test_a_mistyped_setting_is_named_beside_it_and_nothing_is_saved(
    lead: FlaskClient, services: Services, field: str, value: str, message: str
) -> None:
    data = {**opened(lead), field: value}

    refused = submit(lead, data)

    assert message in error_beside(refused, field)
    assert services.program_admin.live_version(SLUG) == 1
    # What they typed is still there to correct.
    assert form_of(refused.text)[field] == [value]


def test_a_choice_question_with_one_choice_is_named_beside_its_choices(
    lead: FlaskClient, services: Services
) -> None:
    data = opened(lead)
    data["questions-0-label"] = "Team size"
    data["questions-0-type"] = "choice"
    data["questions-0-choices"] = "Small"

    refused = submit(lead, data)

    assert "at least two choices" in error_beside(refused, "questions-0-choices")
    assert services.program_admin.live_version(SLUG) == 1


def test_the_second_of_two_organizers_is_told_and_keeps_their_text(
    client: FlaskClient, app: Flask, mailbox: MemorySender, services: Services
) -> None:
    first, second = client, app.test_client()
    sign_in_as_organizer(first, mailbox, LEAD)
    sign_in_as_organizer(second, mailbox, LEAD)
    theirs, mine = opened(first), opened(second)
    assert submit(first, {**theirs, "basics-summary": "Their summary"}).status_code == 302

    told = submit(second, {**mine, "basics-summary": "My careful summary"})

    assert told.status_code == 409
    assert "Someone else saved" in told.text
    assert "Nothing was saved" in told.text
    assert form_of(told.text)["basics-summary"] == ["My careful summary"]
    program = services.programs.get(SLUG)
    assert program is not None
    assert program.summary == "Their summary"
    assert services.program_admin.live_version(SLUG) == 2


def test_the_picker_turns_days_and_a_time_into_a_schedule(
    lead: FlaskClient, services: Services
) -> None:
    data = opened(lead)
    data.update(
        {"rounds-when": "weekly", "rounds-days": ["MON", "THU"], "rounds-hour": "9",
         "rounds-minute": "30", "summaries-when": "manual"}
    )  # fmt: skip

    assert submit(lead, data).status_code == 302

    program = services.programs.get(SLUG)
    assert program is not None
    assert program.schedule.rounds == "cron(30 9 ? * MON,THU *)"
    assert program.schedule.summary == "manual"
    shown = parse(lead.get(EDITOR).text)
    assert shown.checked("rounds-days") == ["MON", "THU"]
    assert shown.selected("rounds-minute") == ["30"]


def test_a_schedule_the_picker_cannot_show_is_kept(lead: FlaskClient, services: Services) -> None:
    program = services.programs.get(SLUG)
    assert program is not None
    document = {**program.model_dump(mode="json")}
    document["schedule"] = {**document["schedule"], "rounds": "rate(2 days)"}
    services.program_admin.save(Program.model_validate(document), expected=1, by=LEAD)
    data = opened(lead)
    assert data["rounds-when"] == ["keep"]

    assert submit(lead, {**data, "basics-summary": "New words"}).status_code == 302

    program = services.programs.get(SLUG)
    assert program is not None
    assert program.schedule.rounds == "rate(2 days)"


def test_a_file_program_is_read_only(client: FlaskClient, mailbox: MemorySender) -> None:
    sign_in_as_organizer(client, mailbox)
    page = client.get("/organize/programs/demo/settings")
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    assert "defined by content/programs/demo.md" in page.text
    assert parse(page.text).find("form", class_="editor") is None


def test_another_programs_organizer_gets_404_and_the_page_is_no_store(
    client: FlaskClient, mailbox: MemorySender, lead: FlaskClient
) -> None:
    page = lead.get(EDITOR)
    assert "no-store" in page.headers["Cache-Control"]
    assert lead.get("/organize/programs/demo/settings").status_code == 404


def test_warnings_need_confirming(
    lead: FlaskClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = ("12 people answered Industry: their answers are kept as typed.",)
    monkeypatch.setattr(services.program_changes, "warnings", lambda current, candidate: said)
    data = {**opened(lead), "basics-summary": "Changed"}

    warned = submit(lead, data)

    assert warned.status_code == 200
    assert said[0] in warned.text
    assert "Save with these changes" in warned.text
    assert services.program_admin.live_version(SLUG) == 1
    assert submit(lead, form_of(warned.text)).status_code == 302
    assert services.program_admin.live_version(SLUG) == 2


def test_refusals_block_saving(
    lead: FlaskClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = ("The question Industry is used by a must rule: it cannot be removed.",)
    monkeypatch.setattr(services.program_changes, "refusals", lambda current, candidate: said)

    refused = submit(lead, {**opened(lead), "basics-summary": "Changed"})

    assert refused.status_code == 409
    assert said[0] in refused.text
    assert services.program_admin.live_version(SLUG) == 1


def test_previews_show_the_page_and_the_effect_without_saving(
    lead: FlaskClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    preview = ChangePreview(
        people=6, gained=(PairView("Ada", "Grace", 80.0),), lost=(), kept=2,
        unmatched_before=2, unmatched=(), warnings=(), refusals=(),
    )  # fmt: skip
    monkeypatch.setattr(services.program_changes, "preview", lambda current, candidate: preview)
    data = {**opened(lead), "basics-body": "## Welcome\n\nCome *along*. <script>x</script>"}

    page = submit(lead, data, action="preview_page")
    effect = submit(lead, data, action="preview_effect")

    shown = parse(page.text).one(class_="page-preview")
    assert shown.one("h2", id="page-preview-title")
    assert shown.find("em") is not None
    assert "<script>x" not in page.text
    assert "6 people" in effect.text
    assert services.program_admin.live_version(SLUG) == 1


@pytest.mark.parametrize(
    "version", ["", "-1", "0", "one", "99999999999", "²", "1" * 5000, " 1", "1\n", "٣"]
)
def test_a_page_without_the_version_it_opened_saves_nothing(
    lead: FlaskClient, services: Services, version: str
) -> None:
    refused = submit(lead, {**opened(lead), "version": version, "basics-summary": "Changed"})

    assert refused.status_code == 409
    assert "did not say which version of the program you opened" in refused.text
    assert "Nothing was saved" in refused.text
    assert form_of(refused.text)["basics-summary"] == ["Changed"]
    assert services.program_admin.live_version(SLUG) == 1


def test_a_file_programs_schedule_is_said_in_words(
    client: FlaskClient, mailbox: MemorySender
) -> None:
    sign_in_as_organizer(client, mailbox)
    page = parse(client.get("/organize/programs/demo/settings").text)
    assert "Monday at 09:00 (Europe/London)" in page.text


def _with_questions(services: Services, count: int) -> None:
    program = services.programs.get(SLUG)
    assert program is not None
    document = program.model_dump(mode="json")
    document["questions"] = [
        {"key": f"q{number}", "label": f"Question number {number}"} for number in range(count)
    ]
    services.program_admin.save(Program.model_validate(document), expected=1, by=LEAD)


def test_a_program_with_the_most_questions_opens_and_refuses_one_more_beside_them(
    lead: FlaskClient, services: Services
) -> None:
    _with_questions(services, MAX_QUESTIONS)
    page = lead.get(EDITOR)
    assert page.status_code == 200
    assert f"{MAX_QUESTIONS} questions, the most a program can have" in page.text
    data = form_of(page.text)
    rows = {key.split("-")[1] for key in data if key.startswith("questions-")}
    assert len(rows) == MAX_QUESTIONS  # no empty row for a new question
    assert "A new question" not in page.text
    extra = f"questions-{MAX_QUESTIONS}"
    data.update({f"{extra}-label": "One too many", f"{extra}-type": "text"})
    data.update({f"{extra}-match": "none", f"{extra}-weight": "medium"})

    refused = submit(lead, data)

    assert f"At most {MAX_QUESTIONS} questions" in error_beside(refused, "questions")
    assert "Nothing was saved" in refused.text
    assert services.program_admin.live_version(SLUG) == 2
    program = services.programs.get(SLUG)
    assert program is not None
    assert len(program.questions) == MAX_QUESTIONS


def test_a_kept_schedule_the_page_did_not_get_from_the_program_is_not_stored(
    lead: FlaskClient, services: Services
) -> None:
    program = services.programs.get(SLUG)
    assert program is not None
    document = program.model_dump(mode="json")
    document["schedule"] = {**document["schedule"], "rounds": "rate(2 days)"}
    services.program_admin.save(Program.model_validate(document), expected=1, by=LEAD)
    data = opened(lead)
    assert data["rounds-kept"] == ["rate(2 days)"]
    assert data["summaries-kept"] == [""]

    for tampered in (
        {"rounds-kept": "cron(0 3 1 * ? *)"},  # another expression the picker cannot show
        {"summaries-when": "keep", "summaries-kept": "cron(0 3 ? * MON *)"},  # none to keep
    ):
        refused = submit(lead, {**data, **tampered, "basics-summary": "Changed"})

        field = next(iter(tampered)).replace("kept", "when")
        assert "please choose days and a time" in error_beside(refused, field)
        assert services.program_admin.live_version(SLUG) == 2

    program = services.programs.get(SLUG)
    assert program is not None
    assert program.schedule.rounds == "rate(2 days)"
    assert program.summary != "Changed"


def test_the_organizers_limit_is_the_programs(lead: FlaskClient, services: Services) -> None:
    page = lead.get(EDITOR)
    assert f"up to {MAX_ORGANIZERS}" in parse(page.text).by_id("people-organizers-help").text
    addresses = [f"organizer{number}@example.org" for number in range(MAX_ORGANIZERS)]

    refused = submit(
        lead, {**form_of(page.text), "people-organizers": "\n".join([LEAD, *addresses])}
    )

    assert f"at most {MAX_ORGANIZERS}" in error_beside(refused, "people-organizers")
    assert services.program_admin.live_version(SLUG) == 1


def test_one_save_shows_the_forms_and_the_programs_problems_together(
    lead: FlaskClient, services: Services
) -> None:
    data = {
        **opened(lead),
        "basics-title": "",  # the form's own check
        "time-timezone": "London",
        "ladder-checkin_reminder_days": "14",
        "ladder-second_nudge_days": "10",  # the program's check: the ladder out of order
    }

    refused = submit(lead, data)

    assert "Please give the program a title." in error_beside(refused, "basics-title")
    assert "London" in error_beside(refused, "time-timezone")
    assert "must be more than the reminder" in error_beside(refused, "ladder-second_nudge_days")
    assert services.program_admin.live_version(SLUG) == 1


def test_the_top_of_the_page_links_each_problem_to_its_field_in_page_order(
    lead: FlaskClient, services: Services
) -> None:
    data = {
        **opened(lead),
        "basics-title": "",
        "people-capacity": "0",
        "ladder-checkin_reminder_days": "14",
        "ladder-second_nudge_days": "10",
    }

    refused = submit(lead, data)

    page = parse(refused.text)
    summary = page.one(class_="error-summary")
    assert summary.get("role") == "alert"
    links = [a.get("href") for a in summary.find_all("a")]
    assert links == ["#basics-title", "#people-capacity", "#ladder-second_nudge_days"]
    for href in links:
        assert page.by_id(str(href)[1:]) is not None
    assert "Please give the program a title." in summary.text


def test_previews_are_at_the_top_of_the_page_before_the_form(
    lead: FlaskClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    preview = ChangePreview(
        people=6, gained=(PairView("Ada", "Grace", 80.0),), lost=(), kept=2,
        unmatched_before=2, unmatched=(), warnings=(), refusals=(),
    )  # fmt: skip
    monkeypatch.setattr(services.program_changes, "preview", lambda current, candidate: preview)
    data = {**opened(lead), "basics-body": "## Welcome"}

    for action, section in (("preview_page", "page-preview"), ("preview_effect", "change-preview")):
        html = submit(lead, data, action=action).text
        assert f'class="{section}"' in html
        assert html.index(f'class="{section}"') < html.index('class="signup editor"'), action
        assert parse(html).one(class_=section).find("h2") is not None


def test_each_section_of_the_editor_is_a_heading_in_its_legend(
    lead: FlaskClient, services: Services
) -> None:
    form = parse(lead.get(EDITOR).text).one("form", class_="editor")
    sections = [
        child.one("h2").text.strip()
        for fieldset in form.find_all("fieldset", class_="group")
        for child in fieldset.children
        if isinstance(child, Element) and child.tag == "legend"
    ]
    assert sections[0] == "Title, summary and page"
    assert "When rounds and summaries run" in sections
    assert "First meetings" in sections
    assert "The page in Spanish" in sections  # the program is in English
    assert len(sections) == 12


def test_the_time_zone_is_chosen_from_the_sign_up_forms_list_and_a_stored_one_is_kept(
    lead: FlaskClient, services: Services
) -> None:
    page = parse(lead.get(EDITOR).text)
    select = page.one("select", name="time-timezone")
    offered = [option.get("value") for option in select.find_all("option")]
    assert offered == list(timezone_choices())
    assert "IANA" not in page.text
    assert page.by_id("questions-0-key") is not None
    assert "Short name (used in exports)" in page.text

    refused = submit(lead, {**opened(lead), "time-timezone": "Mars/Olympus"})
    assert "“Mars/Olympus” is not one of the time zones offered" in error_beside(
        refused, "time-timezone"
    )
    assert services.program_admin.live_version(SLUG) == 1

    program = services.programs.get(SLUG)
    assert program is not None
    services.program_admin.save(
        program.model_copy(update={"timezone": "Etc/GMT+5"}), expected=1, by=LEAD
    )
    data = opened(lead)
    assert data["time-timezone"] == ["Etc/GMT+5"]  # shown, chosen, and saved as it was
    data["basics-title"] = "Spring circles, kept zone"
    assert submit(lead, data).status_code == 302
    saved = services.programs.get(SLUG)
    assert saved is not None
    assert saved.timezone == "Etc/GMT+5"


def test_saving_with_nothing_changed_makes_no_version(
    lead: FlaskClient, services: Services
) -> None:
    data = opened(lead)
    before = table_snapshot()

    saved = submit(lead, data)

    assert saved.status_code == 302
    assert table_snapshot() == before  # no version, no audit entry
    assert services.program_admin.live_version(SLUG) == 1
    assert "Nothing changed: version 1 stays live." in lead.get(EDITOR).text
