"""Learning tracks: the shipped one loads; a bad file or a program naming a missing track is
refused with the file, the key and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.catalog.programs import ProgramCatalog
from portal.catalog.tracks import TrackCatalog, TrackError, load_track
from tests.conftest import CONTENT

TRACKS = CONTENT / "tracks"
SHIPPED = (TRACKS / "first-12-weeks.md").read_text(encoding="utf-8")


def test_the_shipped_track_loads_in_week_order() -> None:
    track = load_track(TRACKS / "first-12-weeks.md")
    assert track.title == "The first 12 weeks"
    assert [step.week for step in track.steps] == [1, 2, 4, 6, 8, 10, 12]
    step = track.step_for(7)
    assert step is not None
    assert step.title == "Halfway check"


def test_every_program_names_a_track_that_exists() -> None:
    catalog = TrackCatalog.from_folder(TRACKS)
    catalog.check_programs(ProgramCatalog.from_folder(CONTENT / "programs"), CONTENT / "programs")


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        pytest.param(
            "  - week: 4\n",
            "  - week: 1\n",
            "steps[2]: week 1 must come after week 2",
            id="weeks-out-of-order",
        ),
        pytest.param(
            "  - week: 4\n",
            "  - week: four\n",
            "steps[2].week: Input should be a valid integer",
            id="week-not-a-number",
        ),
        pytest.param(
            "    title: Halfway check\n", "", "steps[3].title: is required", id="step-without-title"
        ),
        pytest.param(
            "slug: first-12-weeks",
            "slug: twelve",
            "'twelve' must equal the file name",
            id="slug-not-file-name",
        ),
        pytest.param(
            "title: The first 12 weeks",
            "titel: The first 12 weeks",
            "titel: is not a known setting",
            id="misspelt-key",
        ),
    ],
)
def test_a_bad_track_is_refused_naming_file_key_and_problem(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    assert old in SHIPPED
    path = tmp_path / "first-12-weeks.md"
    path.write_text(SHIPPED.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(TrackError) as caught:
        TrackCatalog.from_folder(tmp_path)
    assert str(caught.value).startswith(f"{path}: ")
    assert problem in str(caught.value)


def test_a_program_naming_a_missing_track_is_refused(tmp_path: Path) -> None:
    programs = ProgramCatalog.from_folder(CONTENT / "programs")
    with pytest.raises(TrackError) as caught:
        TrackCatalog.from_folder(tmp_path).check_programs(programs, CONTENT / "programs")
    message = str(caught.value)
    assert (
        "demo.md: track: 'first-12-weeks' is not a track in content/tracks (known: none)" in message
    )
