"""A program's life in the console: created from a template by a site admin, its Status page,
sign-up opened and closed, rounds paused, archived (read-only) and brought back, duplicated."""

from __future__ import annotations

import dataclasses

import pytest
from flask.testing import FlaskClient

from portal.container import Services, build_services
from portal.domain.program import MAX_ORGANIZERS, Program
from portal.mail.senders import MemorySender
from portal.services.programs import document_of
from portal.settings import Settings
from tests.conftest import FakeClock, csrf_token, table_snapshot
from tests.factories import matched_pair
from tests.web.dom import parse
from tests.web.helpers import DEMO_ORGANIZER, assert_error_beside, sign_in_as_organizer

ADMIN = "admin@example.org"
LEAD = "lead@example.org"
SLUG = "spring-circles"
STATUS = f"/organize/programs/{SLUG}/status"


@pytest.fixture
def services(aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender) -> Services:
    return build_services(
        dataclasses.replace(settings, admins=(ADMIN,)), clock=clock, sender=mailbox
    )


def create(services: Services, slug: str = SLUG) -> Program:
    return services.program_admin.create(
        "group",
        title="Spring circles",
        slug=slug,
        organizers=(LEAD,),
        signup_open=True,
        by=ADMIN,
    )


def live(services: Services, slug: str = SLUG) -> Program:
    program = services.programs.get(slug)
    assert program is not None
    return program


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    if path.startswith("/organize/"):
        assert "no-store" in response.headers["Cache-Control"]
    return response.text


def do(client: FlaskClient, action: str, slug: str = SLUG) -> str:
    """Open the action's confirm page, press its button; the Status page it leads back to."""
    path = f"/organize/programs/{slug}/status/{action}"
    confirm = page(client, path)
    form = parse(confirm).one("form", action=path)
    done = client.post(
        path,
        data={"csrf_token": csrf_token(confirm), "expected": form.value_of("expected")},
    )
    assert done.status_code == 302
    assert done.headers["Location"] == f"/organize/programs/{slug}/status"
    return page(client, done.headers["Location"])


def new_program_form(client: FlaskClient, **fields: str) -> dict[str, str]:
    form = page(client, "/organize/new")
    return {
        "csrf_token": csrf_token(form),
        "template": "group",
        "title": "Spring circles",
        "slug": "",
        "organizers": f"{LEAD}\n{ADMIN}",
        "signup_open": "y",
        **fields,
    }


def audit_actions(client: FlaskClient, slug: str = SLUG) -> list[str]:
    body = parse(page(client, f"/organize/programs/{slug}/audit")).one("tbody")
    return [tr.find_all("td")[2].text.strip() for tr in body.find_all("tr")]


# Creating a program


def test_a_site_admin_creates_a_program_from_the_group_template_with_working_signup(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_in_as_organizer(client, mailbox, ADMIN)
    console = parse(page(client, "/organize/"))
    assert "/organize/new" in console.hrefs()
    form = parse(page(client, "/organize/new"))
    assert "Group mentoring" in form.text
    assert "One mentor meets a small group of mentees" in form.text
    assert form.one("textarea", name="organizers").text.strip() == ADMIN
    assert "lower-case letters (a to z), digits and hyphens" in form.text.lower()

    created = client.post("/organize/new", data=new_program_form(client))
    assert created.status_code == 302
    assert created.headers["Location"] == f"/organize/programs/{SLUG}"  # made from the title
    glance = page(client, created.headers["Location"])
    assert f"/organize/programs/{SLUG}/settings" in glance

    program = live(services)
    assert program.format.value == "group"
    assert program.organizers == (LEAD, ADMIN)
    assert program.signup_open
    assert "Spring circles" in page(client, "/programs/")
    role = program.roles[0]
    join = parse(page(client, f"/programs/{SLUG}/join/{role}"))
    assert join.find("input", name="email") is not None

    status = parse(page(client, STATUS))
    assert "version 1 is live" in status.text
    cells = [td.text for td in status.one("tbody").find_all("td")]
    assert cells[0].startswith("1")
    assert cells[2] == ADMIN
    assert "group mentoring template" in cells[3].lower()
    assert audit_actions(client) == ["Created the program"]


def test_an_organizer_who_is_no_site_admin_cannot_create_a_program(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    assert client.get("/organize/new").status_code == 403  # nobody signed in: the sign-in form
    sign_in_as_organizer(client, mailbox)  # demo's organizer
    assert "/organize/new" not in parse(page(client, "/organize/")).hrefs()
    token = csrf_token(page(client, "/organize/"))
    before = table_snapshot()
    assert client.get("/organize/new").status_code == 404
    refused = client.post(
        "/organize/new",
        data={"csrf_token": token, "template": "group", "title": "Mine", "slug": "mine",
              "organizers": DEMO_ORGANIZER},
    )  # fmt: skip
    assert refused.status_code == 404
    assert table_snapshot() == before
    assert services.programs.get("mine") is None


def test_a_taken_address_an_empty_title_or_a_bad_organizer_is_shown_beside_its_field(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    create(services)
    sign_in_as_organizer(client, mailbox, ADMIN)
    before = table_snapshot()
    for slug in ("demo", SLUG):  # a file's program, a stored one
        taken = client.post("/organize/new", data=new_program_form(client, slug=slug))
        assert_error_beside(taken, "slug", f"The web address /programs/{slug} is another program's")
    made_from_title = client.post("/organize/new", data=new_program_form(client))
    assert_error_beside(made_from_title, "slug", "is another program's")
    assert "made from the title" in made_from_title.text
    # Left empty, so that a changed title makes a new address.
    assert parse(made_from_title.text).one("input", name="slug").get("value") in (None, "")
    untitled = client.post("/organize/new", data=new_program_form(client, title="  "))
    assert_error_beside(untitled, "title", "Please give the program a title.")
    badly = client.post("/organize/new", data=new_program_form(client, slug="Spring_Circles"))
    assert_error_beside(badly, "slug", "lower-case letters (a to z), digits and hyphens")
    wrong = client.post(
        "/organize/new", data=new_program_form(client, slug="x", organizers=f"{LEAD}\nnot mail")
    )
    assert_error_beside(wrong, "organizers", "Line 2, “not mail”, is not an email address")
    assert table_snapshot() == before


# The Status page and the lifecycle


def test_closing_signup_is_asked_first_then_the_public_page_and_the_form_say_closed(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    create(services)
    sign_in_as_organizer(client, mailbox, LEAD)
    status = parse(page(client, STATUS))
    assert "Sign-up is open" in status.text
    assert f"{STATUS}/close" in status.hrefs()
    assert f"{STATUS}/open" not in status.hrefs()
    assert f"/organize/programs/{SLUG}/duplicate" not in status.hrefs()  # site admins only
    assert STATUS in parse(page(client, f"/organize/programs/{SLUG}")).hrefs()  # the nav

    confirm = parse(page(client, f"{STATUS}/close"))
    button = confirm.one("form", action=f"{STATUS}/close").one("button")
    assert button.text == "Close sign-up: the sign-up forms stop taking people"
    assert live(services).signup_open  # asking changed nothing

    after = do(client, "close")
    assert "Done: sign-up is closed" in after
    assert not live(services).signup_open
    assert "sign-up closed" in page(client, "/programs/")
    role = live(services).roles[0]
    refused = client.get(f"/programs/{SLUG}/join/{role}")
    assert refused.status_code == 403
    assert "Sign-up is closed" in refused.text
    assert services.program_admin.live_version(SLUG) == 2
    assert "Closed sign-up" in audit_actions(client)

    assert "Done: sign-up is open" in do(client, "open")
    assert page(client, f"/programs/{SLUG}/join/{role}")
    assert "Opened sign-up" in audit_actions(client)


def test_paused_rounds_are_said_on_the_round_page_which_still_runs_one(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    create(services)
    sign_in_as_organizer(client, mailbox, LEAD)
    assert "Scheduled rounds are paused" not in page(client, f"/organize/programs/{SLUG}/round")
    assert "The scheduled rounds are paused" in do(client, "pause")
    assert live(services).rounds_paused
    round_page = parse(page(client, f"/organize/programs/{SLUG}/round"))
    assert "Scheduled rounds are paused" in round_page.text
    assert round_page.find("form", action=f"/organize/programs/{SLUG}/round") is not None
    do(client, "resume")
    assert not live(services).rounds_paused
    assert {"Resumed rounds", "Paused rounds"} <= set(audit_actions(client))


def test_an_archived_program_is_unlisted_read_only_and_can_be_brought_back(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    create(services)
    sign_in_as_organizer(client, mailbox, LEAD)
    confirm = parse(page(client, f"{STATUS}/archive"))
    assert confirm.one("form", action=f"{STATUS}/archive").one("button").text == (
        "Archive: read-only, gone from the public list, no more rounds or summaries"
    )
    status = parse(do(client, "archive"))
    assert "Archived: read-only" in status.text
    assert [h for h in status.hrefs() if h.startswith(f"{STATUS}/")] == [f"{STATUS}/unarchive"]
    assert live(services).archived
    assert not live(services).signup_open
    assert "Spring circles" not in page(client, "/programs/")
    assert "archived" in page(client, f"/programs/{SLUG}")
    round_page = parse(page(client, f"/organize/programs/{SLUG}/round"))
    assert "it runs no more rounds" in round_page.text
    assert round_page.find("form", action=f"/organize/programs/{SLUG}/round") is None

    token = csrf_token(page(client, f"{STATUS}/unarchive"))
    before = table_snapshot()
    for path in (
        f"/organize/programs/{SLUG}/round",  # Run a round now
        f"/organize/programs/{SLUG}/figures",
        f"{STATUS}/open",
        f"/organize/programs/{SLUG}/people/p/pause",
    ):
        refused = client.post(path, data={"csrf_token": token, "expected": "2", "seen": "x"})
        assert refused.status_code == 409, path
        assert "This program is archived and read-only: bring it back from the archive on its " \
            "Status page first" in " ".join(parse(refused.text).text.split()), path  # fmt: skip
    assert table_snapshot() == before
    with pytest.raises(Exception, match="archived"):
        services.rounds.preview(live(services))  # not from anywhere else either

    back = do(client, "unarchive")
    assert "back from the archive" in back
    assert not live(services).archived
    assert "Spring circles" in page(client, "/programs/")
    assert {"Brought the program back from the archive", "Archived the program"} <= set(
        audit_actions(client)
    )


def test_a_change_made_meanwhile_is_refused_and_nothing_changes(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    create(services)
    sign_in_as_organizer(client, mailbox, LEAD)
    path = f"{STATUS}/close"
    confirm = page(client, path)
    expected = parse(confirm).one("form", action=path).value_of("expected")
    assert expected == "1"
    services.program_admin.lifecycle(SLUG, "pause", expected=1, by=ADMIN)  # another organizer
    before = table_snapshot()
    stale = client.post(path, data={"csrf_token": csrf_token(confirm), "expected": expected})
    assert stale.status_code == 302
    shown = page(client, stale.headers["Location"])
    assert f"Someone else saved &#39;{SLUG}&#39; since you opened it" in shown
    assert "Nothing was saved" in shown
    assert table_snapshot() == before
    assert live(services).signup_open
    assert services.program_admin.live_version(SLUG) == 2


def test_a_site_admin_duplicates_a_program_with_its_settings_and_none_of_its_people(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    create(services)
    matched_pair(services, clock, program=SLUG)
    sign_in_as_organizer(client, mailbox, ADMIN)
    path = f"/organize/programs/{SLUG}/duplicate"
    assert path in parse(page(client, STATUS)).hrefs()
    form = page(client, path)
    taken = client.post(
        path, data={"csrf_token": csrf_token(form), "title": "Spring circles", "slug": ""}
    )
    assert_error_beside(taken, "slug", "is another program's")
    assert parse(taken.text).one("input", name="slug").get("value") in (None, "")
    copied = client.post(
        path,
        data={"csrf_token": csrf_token(form), "title": "Autumn circles", "slug": "autumn-circles"},
    )
    assert copied.status_code == 302
    assert copied.headers["Location"] == "/organize/programs/autumn-circles"
    source, copy = live(services), live(services, "autumn-circles")
    assert copy.title == "Autumn circles"
    assert not copy.signup_open
    assert copy.model_dump(exclude={"title", "slug", "signup_open"}) == source.model_dump(
        exclude={"title", "slug", "signup_open"}
    )
    assert services.participation.people(SLUG)
    assert services.participation.people("autumn-circles") == []
    assert "Duplicated the program for a new cohort" in audit_actions(client)
    assert audit_actions(client, "autumn-circles") == ["Created the program"]


def test_only_site_admins_duplicate(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    create(services)
    sign_in_as_organizer(client, mailbox, LEAD)
    token = csrf_token(page(client, STATUS))
    assert client.get(f"/organize/programs/{SLUG}/duplicate").status_code == 404
    before = table_snapshot()
    refused = client.post(
        f"/organize/programs/{SLUG}/duplicate",
        data={"csrf_token": token, "title": "Mine", "slug": "mine"},
    )
    assert refused.status_code == 404
    assert table_snapshot() == before


def test_a_file_programs_status_page_says_where_to_change_it_and_offers_no_action(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_in_as_organizer(client, mailbox)
    status = parse(page(client, "/organize/programs/demo/status"))
    assert "Defined by content/programs/demo.md: change the file and deploy" in status.text
    assert not [h for h in status.hrefs() if h.startswith("/organize/programs/demo/status/")]
    confirm = page(client, "/organize/programs/demo/status/close")
    assert parse(confirm).find("form", action="/organize/programs/demo/status/close") is None
    before = table_snapshot()
    refused = client.post(
        "/organize/programs/demo/status/close",
        data={"csrf_token": csrf_token(confirm), "expected": "0"},
    )
    assert refused.status_code == 302
    assert "content/programs/demo.md" in page(client, refused.headers["Location"])
    assert table_snapshot() == before
    assert live(services, "demo").signup_open


def test_another_programs_organizer_gets_404(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    create(services)
    sign_in_as_organizer(client, mailbox)  # demo's organizer
    for path in (STATUS, f"{STATUS}/close", f"/organize/programs/{SLUG}/duplicate"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"{STATUS}/no-such-action").status_code == 404
    lead = client.application.test_client()
    sign_in_as_organizer(lead, mailbox, LEAD)
    assert lead.get("/organize/programs/demo/status").status_code == 404


@pytest.mark.parametrize(
    "expected", ["", "0", "-1", "one", "99999999999", "²", "٣", "1" * 5000, " 1", "1\n"]
)
def test_a_confirm_page_without_the_version_it_showed_changes_nothing(
    client: FlaskClient, services: Services, mailbox: MemorySender, expected: str
) -> None:
    create(services)
    sign_in_as_organizer(client, mailbox, LEAD)
    path = f"{STATUS}/close"
    confirm = page(client, path)
    before = table_snapshot()

    refused = client.post(path, data={"csrf_token": csrf_token(confirm), "expected": expected})

    assert refused.status_code == 302
    shown = " ".join(parse(page(client, refused.headers["Location"])).text.split())
    assert "did not say which version of the program you opened" in shown
    assert "it is out of date. Nothing was saved" in shown
    assert "is another program's" not in shown
    assert table_snapshot() == before
    assert live(services).signup_open


def test_the_create_form_takes_as_many_organizers_as_a_program_holds(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_in_as_organizer(client, mailbox, ADMIN)
    help_text = parse(page(client, "/organize/new")).by_id("organizers-help")
    assert help_text is not None
    assert f"up to {MAX_ORGANIZERS}" in help_text.text
    addresses = [f"organizer{number}@example.org" for number in range(MAX_ORGANIZERS + 1)]
    before = table_snapshot()

    too_many = client.post(
        "/organize/new", data=new_program_form(client, organizers="\n".join(addresses))
    )

    assert_error_beside(too_many, "organizers", f"Up to {MAX_ORGANIZERS} organizers")
    assert table_snapshot() == before
    created = client.post(
        "/organize/new",
        data=new_program_form(client, organizers="\n".join(addresses[:MAX_ORGANIZERS])),
    )
    assert created.status_code == 302
    assert len(live(services).organizers) == MAX_ORGANIZERS


def test_what_changed_is_shown_as_the_version_says_it(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    create(services)
    change = (
        "edited: title, summary, body, organizers, capacity, timezone, cycle_weeks, topics, "
        "languages, questions, matching, schedule, retention_days (Spanish added)"
    )
    stored = services.program_admin.store.save(
        SLUG, document_of(live(services)), expected=1, saved_at=clock(), saved_by=LEAD,
        change=change,
    )  # fmt: skip
    assert stored == 2
    sign_in_as_organizer(client, mailbox, LEAD)

    table = parse(page(client, STATUS)).one("table", class_="stacked")  # a cell a line on a phone
    newest = table.one("tbody").find_all("td", data_label="What changed")[0]

    assert newest.text == "E" + change[1:]  # in full, its words as they were


@pytest.mark.parametrize("action", ["open", "close", "pause", "resume", "archive"])
def test_an_archived_programs_confirm_pages_say_it_is_archived(
    client: FlaskClient, services: Services, mailbox: MemorySender, action: str
) -> None:
    create(services)
    services.program_admin.lifecycle(SLUG, "archive", expected=1, by=ADMIN)
    sign_in_as_organizer(client, mailbox, LEAD)
    confirm = parse(page(client, f"{STATUS}/{action}"))
    said = " ".join(confirm.one(class_="error").text.split())
    assert said == (
        "The program is archived and read-only: bring it back from the archive first. "
        "Nothing was changed."
    )
    assert confirm.find("form", action=f"{STATUS}/{action}") is None


def test_a_file_programs_pages_say_why_it_has_no_actions_and_offer_a_site_admin_the_copy(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_in_as_organizer(client, mailbox, ADMIN)
    status = parse(page(client, "/organize/programs/demo/status"))
    assert "Its sign-up, rounds and settings are set in its file" in status.text
    assert "Scheduled rounds run on Mondays at 09:00 (Europe/London)." in status.text
    assert (
        "The weekly summary email to organizers is sent on Fridays at 08:00 (Europe/London)."
        in status.text
    )
    settings = parse(page(client, "/organize/programs/demo/settings"))
    assert "/organize/programs/demo/duplicate" in settings.hrefs()
    assert "ask a site admin" not in settings.text
    facts = " ".join(settings.one("dl", class_="facts").text.split())
    assert "AgreementOur mentoring agreement" in facts
    assert "Learning trackThe first 12 weeks" in facts


def test_an_organizer_who_is_no_site_admin_is_told_to_ask_one(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_in_as_organizer(client, mailbox)
    settings = parse(page(client, "/organize/programs/demo/settings"))
    assert "/organize/programs/demo/duplicate" not in settings.hrefs()
    assert "ask a site admin" in settings.text


def test_the_state_says_when_rounds_run_and_the_words_are_plain(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    create(services)
    program = live(services)
    services.program_admin.save(
        program.model_copy(
            update={
                "schedule": program.schedule.model_copy(
                    update={"rounds": "cron(30 14 ? * MON,THU *)", "summary": "manual"}
                )
            }
        ),
        expected=1,
        by=ADMIN,
    )
    services.program_admin.lifecycle(SLUG, "close", expected=2, by=ADMIN)
    sign_in_as_organizer(client, mailbox, LEAD)
    status = parse(page(client, STATUS)).text
    assert f"Scheduled rounds run on Mondays and Thursdays at 14:30 ({program.timezone})." in status
    assert "The weekly summary email to organizers is not on a schedule" in status
    confirm = parse(page(client, f"{STATUS}/open"))
    assert confirm.one("form", action=f"{STATUS}/open").one("button").text == (
        "Open sign-up: the sign-up forms take people"
    )
    paused = do(client, "pause")
    assert "The scheduled rounds are paused: none runs until they are resumed" in paused


def test_the_console_marks_archived_programs_and_organizers_are_said_to_be_public(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    create(services)
    create(services, "autumn-circles")
    services.program_admin.lifecycle("autumn-circles", "archive", expected=1, by=ADMIN)
    sign_in_as_organizer(client, mailbox, ADMIN)
    items = [" ".join(li.text.split()) for li in parse(page(client, "/organize/")).find_all("li")]
    assert "Spring circles" in items
    assert "Spring circles (archived)" in items
    said = "shown on the program's public page, so that participants can write to them"
    for path in ("/organize/new", f"/organize/programs/{SLUG}/settings"):
        assert said in " ".join(parse(page(client, path)).text.split()), path
