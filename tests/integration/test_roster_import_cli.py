"""`portal import` as an organizer runs it: a Workday file dry-run, applied, applied again, a
later file without someone, and bad files refused with nothing stored.

The test process holds DynamoDB Local open on the command's data folder and publishes its
endpoint there, as `portal dev` does, so each command uses it instead of starting Java, and
the test reads and seeds the same tables. Four of the roster's people have signed up already;
the fifth is invited.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from portal.container import Services, build_services
from portal.domain.addresses import address_digest
from portal.domain.checkins import match_ref
from portal.domain.matches import MatchState
from portal.domain.participants import Role, Status
from portal.local.store import local_store
from portal.mail.catalog import Recipient
from portal.mail.senders import MemorySender
from portal.persistence import tables
from portal.persistence.tables import RosterRecord
from portal.settings import Settings, load_settings
from tests.factories import store_pair, stored_person
from tests.integration.test_cli import portal, portal_env

pytestmark = pytest.mark.integration

HEADER = (
    "Employee_ID,Legal_First_Name,Legal_Last_Name,Email - Primary Work,businessTitle,"
    "Supervisory Organization,Manager_ID,Location,Time zone,Hire_Date,Worker_Status"
)
ROWS = (
    "100001,Mia,Example,mia@example.org,Director,Engineering - Platform,,London Office,"
    "Europe/London,2015-04-01,Active",
    "100002,Tom,Example,tom@example.org,Engineer,Engineering - Platform,100001,London Office,"
    "Europe/London,2021-09-13,Active",
    "100003,Ana,Example,ana@example.org,Analyst,Finance - Accounting,100001,Lisbon Office,"
    "Europe/Lisbon,2019-01-07,Active",
    "100004,Lee,Example,lee@example.org,Account Executive,Sales - EMEA,100001,Berlin Office,"
    "Europe/Berlin,2022-06-20,Active",
    "100005,Zoe,Example,Zoe.Example@example.org,Designer,Product - Design,100001,Dublin Office,"
    "Europe/Dublin,2024-02-05,Active",
)
ZOE = {"program": "demo", "address": address_digest("zoe.example@example.org"), "n": "1"}


@dataclass(frozen=True)
class Store:
    """The command's data folder, and the services of the test process on its tables."""

    data: Path
    settings: Settings

    def services(self) -> Services:
        # Other integration tests bind the models to their own tables: bind to ours again.
        tables.bind(
            self.settings.table_prefix, self.settings.region, self.settings.dynamodb_endpoint
        )
        return build_services(self.settings, sender=MemorySender())

    def roster_items(self) -> list[tuple[str, str]]:
        self.services()
        return sorted((r.program, r.key) for r in RosterRecord.scan())


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    data = tmp_path / "data"
    settings = load_settings(portal_env(data))
    with local_store(settings, publish=True) as ready:
        yield Store(data, ready)


def write(folder: Path, name: str, *rows: str, header: str = HEADER) -> Path:
    path = folder / name
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


def run_import(store: Store, path: Path, *args: str) -> tuple[int, str, str]:
    result = portal(store.data, "import", str(path), "--program", "demo", *args)
    return result.returncode, result.stdout, result.stderr


def test_a_workday_file_dry_runs_applies_once_and_a_later_file_pauses_who_left(
    store: Store, tmp_path: Path
) -> None:
    services = store.services()
    now = datetime.now(UTC)
    match = store_pair(
        services,
        "demo",
        stored_person("Mia", Role.MENTOR, now),
        stored_person("Lee", Role.MENTEE, now),
        now,
    )
    for name in ("Tom", "Ana"):
        services.participants.save(stored_person(name, Role.MENTEE, now))
    roster = write(tmp_path, "Workday_Roster.csv", *ROWS)

    code, out, err = run_import(store, roster)
    assert code == 0, err
    assert "Workday_Roster.csv: 5 rows, a full roster." in out
    assert "'Email - Primary Work' -> email address" in out
    assert "'Manager_ID' -> manager's employee id" in out
    assert "Would do: 1 new (invited), 4 already signed up" in out
    assert "Invited (1):\n  row 6: Zoe Example <Zoe.Example@example.org>" in out
    assert "A dry run: nothing was stored." in out
    assert store.roster_items() == []
    assert not store.services().mail.queued("invitation", Recipient.INVITEE, ZOE)

    code, out, err = run_import(store, roster, "--apply")
    assert code == 0, err
    assert "Applied: 1 new (invited), 4 already signed up" in out
    assert "1 invitations queued, 4 sign-ups updated, 0 paused" in out
    services = store.services()
    assert services.mail.queued("invitation", Recipient.INVITEE, ZOE)
    tom = services.participants.get("demo", "tom@example.org")
    assert tom is not None
    assert (tom.department, tom.reports_to) == ("Engineering - Platform", "mia@example.org")
    stored = store.roster_items()
    assert len(stored) == 6  # the head and five entries

    code, out, err = run_import(store, roster, "--apply")
    assert code == 0, err
    assert "Nothing to change: the program already has this roster." in out
    assert "Applied" not in out
    assert store.roster_items() == stored

    without_lee = write(tmp_path, "Workday_Roster_next.csv", *ROWS[:3], ROWS[4])
    code, out, err = run_import(store, without_lee)
    assert code == 0, err
    assert "1 gone (paused)" in out
    assert "Gone (1):" in out
    assert "Lee Example: not in this roster; their sign-up is paused and matches end" in out
    assert store.roster_items() == stored

    code, out, err = run_import(store, without_lee, "--apply")
    assert code == 0, err
    assert "1 paused (1 match ended)" in out
    services = store.services()
    statuses = {p.email: p.status for p in services.participants.for_program("demo")}
    assert statuses == {
        "mia@example.org": Status.CONFIRMED,
        "tom@example.org": Status.CONFIRMED,
        "ana@example.org": Status.CONFIRMED,
        "lee@example.org": Status.PAUSED,
    }  # Zoe has not signed up: she is only invited
    assert services.participation.active_matches("demo", "mia@example.org") == []
    ended = services.rounds.matches.get("demo", match.match_id)
    assert ended is not None
    assert (ended.status, ended.ended_by) == (MatchState.ENDED, "lee@example.org")
    # Mia hears that the match ended, as when a partner pauses today.
    mia = services.participants.get("demo", "mia@example.org")
    assert mia is not None
    told = {"program": "demo", "match": match_ref(match.match_id), "person": mia.participant_id}
    assert services.mail.queued("match_ended", Recipient.PARTICIPANT, told)


BAD_FILES = {
    "formula": (
        [HEADER, ROWS[0], ROWS[1].replace("Engineer,", "=cmd|' /C calc'!A0,", 1)],
        "utf-8",
        [
            "row 3, column “businessTitle”: “=cmd|' /C calc'!A0” starts with “=”, so a "
            "spreadsheet would run it as a formula"
        ],
    ),
    "duplicate email": (
        [HEADER, ROWS[0], ROWS[1], ROWS[2].replace("ana@example.org", "Tom@example.org")],
        "utf-8",
        ["row 4, column “Email - Primary Work”: “Tom@example.org” is already on row 3"],
    ),
    "no email column": (
        [HEADER.replace("Email - Primary Work", "Work phone"), *ROWS[:2]],
        "utf-8",
        ["No column is chosen for the email address"],
    ),
    "latin-1": (
        [HEADER, ROWS[0].replace("Mia,Example", "Mia,Müller")],
        "latin-1",
        ["The file is not UTF-8 text: row 2 holds a byte UTF-8 does not have"],
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_bad_file_is_refused_with_where_and_nothing_is_stored(
    store: Store, tmp_path: Path, kind: str
) -> None:
    lines, encoding, messages = BAD_FILES[kind]
    path = tmp_path / "Workday_Roster.csv"
    path.write_bytes(codecs.encode("\n".join(lines) + "\n", encoding))

    code, out, err = run_import(store, path, "--apply")

    assert code == 1, out + err
    for message in messages:
        assert message in err, err
    assert "Nothing was stored." in err
    assert "Applied" not in out
    assert store.roster_items() == []
