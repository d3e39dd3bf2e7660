"""Program files: the shipped ones load; a bad one is refused naming file, key and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.catalog.documents import ContentError
from portal.catalog.programs import ProgramCatalog, ProgramError, load_program, resolve_program
from portal.domain.program import Format, Weight
from tests.conftest import CONTENT

PROGRAMS = CONTENT / "programs"
# A program file each; `<slug>.<language>.md` translates a program's page and is read with it.
SHIPPED = sorted(path for path in PROGRAMS.glob("*.md") if "." not in path.stem)
DEMO = (PROGRAMS / "demo.md").read_text(encoding="utf-8")


def write_demo(folder: Path, old: str, new: str, name: str = "demo") -> Path:
    """The demo program with one edit, saved as `<name>.md` in `folder`."""
    assert old in DEMO, f"the demo program no longer contains {old!r}"
    path = folder / f"{name}.md"
    path.write_text(DEMO.replace(old, new, 1), encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    # Unreadable files fail as ContentError, bad settings as its subclass ProgramError.
    with pytest.raises(ContentError) as caught:
        load_program(path)
    return str(caught.value)


def test_the_shipped_programs_are_the_ones_expected() -> None:
    assert [path.stem for path in SHIPPED] == ["demo", "leaders-group", "peer-circles"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_every_shipped_program_loads(path: Path) -> None:
    program = load_program(path)
    assert program.slug == path.stem
    assert program.title
    assert program.organizers
    assert program.topics
    assert program.body.strip(), "the program's public page is empty"


def test_the_demo_program_reads_its_settings() -> None:
    program = load_program(PROGRAMS / "demo.md")
    assert program.track == "first-12-weeks"
    schedule = program.schedule
    assert (
        schedule.checkin_reminder_days,
        schedule.second_nudge_days,
        schedule.organizer_alert_days,
        schedule.rematch_offer_days,
    ) == (14, 21, 28, 35)
    assert (schedule.first_survey_day, schedule.survey_every_days, schedule.closing_survey) == (
        30,
        60,
        True,
    )
    assert program.format is Format.ONE_ON_ONE
    assert program.organizers == ("organizer@example.org",)
    assert program.timezone == "Europe/London"
    assert [q.key for q in program.questions] == ["industry", "meeting_style"]
    assert program.matching.weights.languages is Weight.MUST
    assert program.matching.min_score == 40
    assert program.roles == ("mentee", "mentor")


def test_min_score_defaults_to_40_and_takes_a_number_of_points(tmp_path: Path) -> None:
    assert load_program(write_demo(tmp_path, "  min_score: 40\n", "")).matching.min_score == 40
    for written, points in (("0", 0), ('"62.5"', 62.5), ("100", 100)):
        path = write_demo(tmp_path, "min_score: 40", f"min_score: {written}")
        assert load_program(path).matching.min_score == points


def test_a_quoted_off_weight_means_off() -> None:
    program = load_program(PROGRAMS / "peer-circles.md")
    assert program.matching.weights.seniority is Weight.OFF
    assert program.roles == ("peer",)


def test_catalog_from_the_content_folder() -> None:
    catalog = ProgramCatalog.from_folder(PROGRAMS)
    assert len(catalog) == 3
    demo = catalog.get("demo")
    assert demo is not None
    assert demo.title == "Demo: Tech Careers mentoring"
    assert catalog.get("nope") is None
    titles = [program.title for program in catalog]
    assert titles == sorted(titles)
    assert {program.slug for program in catalog.open_for_signup()} == {
        "demo",
        "leaders-group",
        "peer-circles",
    }


def test_catalog_leaves_out_programs_closed_for_signup(tmp_path: Path) -> None:
    write_demo(tmp_path, "signup_open: true", "signup_open: false")
    catalog = ProgramCatalog.from_folder(tmp_path)
    assert len(catalog) == 1
    assert catalog.open_for_signup() == []


def test_catalog_reports_every_bad_file_at_once(tmp_path: Path) -> None:
    first = write_demo(tmp_path, "capacity: 1", "capcity: 1", name="a-first")
    second = write_demo(tmp_path, "timezone: Europe/London", "timezone: Mars/Olympus", "b-second")
    with pytest.raises(ProgramError) as caught:
        ProgramCatalog.from_folder(tmp_path)
    message = str(caught.value)
    assert f"{first}: capcity:" in message
    assert f"{second}: timezone:" in message


BAD_SETTINGS = [
    pytest.param(
        "capacity: 1", "capcity: 1", "capcity", "is not a known setting", id="unknown-key"
    ),
    pytest.param("format: one-on-one", "format: one-to-one", "format", "'peer'", id="bad-format"),
    pytest.param(
        "organizers:\n  - organizer@example.org",
        "organizers: []",
        "organizers",
        "at least 1 item",
        id="no-organizers",
    ),
    pytest.param(
        "  - organizer@example.org",
        "  - organizer.example.org",
        "organizers[0]",
        "not a valid email address",
        id="bad-organizer-email",
    ),
    pytest.param(
        "timezone: Europe/London",
        "timezone: Mars/Olympus",
        "timezone",
        "'Mars/Olympus' is not an IANA time zone",
        id="unknown-timezone",
    ),
    pytest.param(
        "seniority: low",
        "seniority: sometimes",
        "matching.weights.seniority",
        "'must', 'high', 'medium', 'low' or 'off'",
        id="bad-weight",
    ),
    pytest.param(
        "    choices: [Tech, Finance, Health, Public sector, Education, Other]\n",
        "",
        "questions[0]",
        "a choice question needs at least two choices",
        id="choice-without-choices",
    ),
    pytest.param(
        "key: meeting_style",
        "key: industry",
        "questions",
        "two questions share a key",
        id="duplicate-question-keys",
    ),
    pytest.param(
        'rounds: "cron(0 9 ? * MON *)"',
        'rounds: "every monday at nine"',
        "schedule.rounds",
        "must be an EventBridge expression",
        id="bad-cron",
    ),
    pytest.param(
        'rounds: "cron(0 9 ? * MON *)"',
        'rounds: "cron(0 9 * MON)"',
        "schedule.rounds",
        "must be an EventBridge expression",
        id="cron-with-four-fields",
    ),
    pytest.param(
        "checkin_reminder_days: 14",
        "checkin_reminder_days: 14\n  second_nudge_days: 10",
        "schedule",
        "second_nudge_days (10) must be more than checkin_reminder_days (14)",
        id="ladder-out-of-order",
    ),
    pytest.param(
        "checkin_reminder_days: 14",
        "checkin_reminder_days: 14\n  organizer_alert_days: soon",
        "schedule.organizer_alert_days",
        "valid integer",
        id="ladder-not-a-number",
    ),
    pytest.param(
        "checkin_reminder_days: 14",
        "checkin_reminder_days: 14\n  first_survey_day: 90",
        "schedule.first_survey_day",
        "day 90 is not within the 12-week cycle (days 0 to 83)",
        id="survey-after-the-cycle",
    ),
    pytest.param(
        "checkin_reminder_days: 14",
        "checkin_reminder_days: 14\n  reminder_days: 3",
        "schedule.reminder_days",
        "is not a known setting",
        id="misspelt-ladder-key",
    ),
    pytest.param(
        "  min_score: 40",
        "  min_score: high",
        "matching.min_score",
        "must be a number of points from 0 to 100",
        id="min-score-not-a-number",
    ),
    pytest.param(
        "  min_score: 40",
        "  min_score: 140",
        "matching.min_score",
        "must be a number of points from 0 to 100 (pairs scoring below it are not matched; "
        "0 keeps every pair the rules allow), not 140",
        id="min-score-above-100",
    ),
    pytest.param(
        "  min_score: 40",
        "  min_score: -5",
        "matching.min_score",
        "from 0 to 100",
        id="min-score-below-0",
    ),
    pytest.param(
        "  min_score: 40",
        "  min_score: yes",
        "matching.min_score",
        "not True",
        id="min-score-yes",
    ),
    pytest.param(
        "  min_score: 40",
        "  min_score: .nan",
        "matching.min_score",
        "from 0 to 100",
        id="min-score-nan",
    ),
]


@pytest.mark.parametrize(("old", "new", "key", "problem"), BAD_SETTINGS)
def test_a_bad_setting_is_refused_naming_file_key_and_problem(
    tmp_path: Path, old: str, new: str, key: str, problem: str
) -> None:
    path = write_demo(tmp_path, old, new)
    message = refusal(path)
    assert message.startswith(f"{path}: ")
    assert f" {key}: " in message
    assert problem in message


def test_a_slug_other_than_the_file_name_is_refused(tmp_path: Path) -> None:
    path = write_demo(tmp_path, "slug: demo", "slug: demo", name="tech-careers")
    message = refusal(path)
    assert str(path) in message
    assert "slug:" in message
    assert "'demo' must equal the file name 'tech-careers'" in message


def test_a_body_key_is_refused(tmp_path: Path) -> None:
    path = write_demo(tmp_path, "capacity: 1", "body: hello")
    message = refusal(path)
    assert str(path) in message
    assert "body:" in message


def test_invalid_yaml_is_refused_with_its_line_number(tmp_path: Path) -> None:
    path = tmp_path / "demo.md"
    path.write_text(
        "---\ntitle: Demo\nslug: demo\nformat: peer\n  organizers: [a@example.org]\n---\nBody\n",
        encoding="utf-8",
    )
    message = refusal(path)
    assert str(path) in message
    assert "not valid YAML" in message
    assert "(line 5)" in message


def test_a_file_without_front_matter_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "demo.md"
    path.write_text("# Demo\n\nJust a page, no settings.\n", encoding="utf-8")
    message = refusal(path)
    assert str(path) in message
    assert "must start with front matter" in message


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "demo.md"
    path.write_bytes(DEMO.replace("Tech Careers", "Caf\xe9").encode("latin-1"))
    message = refusal(path)
    assert str(path) in message
    assert "UTF-8" in message


def test_unquoted_off_is_accepted_or_the_message_says_to_quote_it(tmp_path: Path) -> None:
    path = write_demo(tmp_path, "seniority: low", "seniority: off")
    try:
        program = load_program(path)
    except ProgramError as exc:
        advice = str(exc).removeprefix(str(path)).lower()  # the tmp path itself says "unquoted"
        assert "quote" in advice or '"off"' in advice
    else:
        assert program.matching.weights.seniority is Weight.OFF


def test_resolve_program_by_slug() -> None:
    assert resolve_program("leaders-group", PROGRAMS).slug == "leaders-group"


def test_resolve_program_by_path(tmp_path: Path) -> None:
    path = write_demo(tmp_path, "capacity: 1", "capacity: 3")
    program = resolve_program(str(path), PROGRAMS)
    assert program.capacity == 3  # the file given, not the shipped demo


def test_resolve_program_by_a_missing_path() -> None:
    with pytest.raises(ProgramError, match="no such program file"):
        resolve_program("programs/missing.md", PROGRAMS)


def test_resolve_program_with_an_unknown_slug_lists_the_known_ones() -> None:
    with pytest.raises(ProgramError) as caught:
        resolve_program("womens-network", PROGRAMS)
    message = str(caught.value)
    assert "'womens-network'" in message
    assert "known: demo, leaders-group, peer-circles" in message
