"""A cold start imports what its first request needs, not every part of the portal.

The Lambda imports the app and serves its first request in one go (bench/coldstart.py times
it): the matching engine and NumPy, the charts, the spreadsheets, the calendar invites and
the services of the scheduled runs and of the console's downloads load when something uses
them; with the route table `make package` writes (portal/prepared.py), so do the views of the
blueprints the request is not for, and what they import. Checked in a fresh interpreter,
since this test session has imported everything already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal import prepared
from tests.conftest import CONTENT, FAKE_AWS, REGION, ROOT, TABLE_PREFIX

# Modules the home page does not need (a round, a score, a chart, a workbook, an invite, a
# scheduled run, a download or an import), by name or package.
NOT_AT_START = (
    "numpy",
    "ortools",
    "rustworkx",
    "pygal",
    "openpyxl",
    "icalendar",
    "portal.domain.matching",
    "portal.domain.scoring",
    "portal.services.reminders",
    "portal.services.summaries",
    "portal.services.retention",
    "portal.services.csv_exports",
    "portal.services.console_figures",
)
# What the route table leaves out as well: the other blueprints' views and what they import.
OTHER_VIEWS = ("portal.web.organize", "portal.web.me", "portal.web.group", "portal.web.choose")
NOT_FOR_THE_SIGN_IN_FORM = (
    *NOT_AT_START,
    *OTHER_VIEWS,
    "portal.web.signup",
    "portal.services.signup",
    "portal.domain.program",  # and with it pydantic and email-validator
    "pydantic",
    "markdown_it",
)
NOT_FOR_A_SIGN_UP_FORM = (*NOT_AT_START, *OTHER_VIEWS, "portal.web.signin", "markdown_it")

SCRIPT = """
import json, sys
from pathlib import Path

from moto import mock_aws

from portal import create_app
from portal.persistence import tables
from portal.settings import Settings

from portal import prepared

prefix, region, content, data, unwanted, table, path = sys.argv[1:8]
with mock_aws():
    tables.bind(prefix, region, None)
    tables.create_tables()
    settings = Settings(
        stage="test",
        table_prefix=prefix,
        base_url="http://portal.test",
        mail_transport="memory",
        mail_sender="Mentor Portal <portal@example.org>",
        data_dir=Path(data),
        secret_key="test-secret-key-" + "x" * 32,
        region=region,
        content_dir=Path(content),
    )
    routes = prepared.packaged(Path(table)) if table else None
    response = create_app(settings, routes=routes).test_client().get(path)
    loaded = sorted(
        name
        for name in json.loads(unwanted)
        if any(m == name or m.startswith(name + ".") for m in sys.modules)
    )
    print(json.dumps({"status": response.status_code, "loaded": loaded}))
"""


def fresh_interpreter(script: str, *args: str, env: dict[str, str] | None = None) -> str:
    """What the script printed, run by this Python in a new process on moto's fake AWS."""
    done = subprocess.run(  # noqa: S603  (this interpreter, our own script)
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **FAKE_AWS, "PYTHONPATH": str(ROOT), **(env or {})},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.parametrize(
    ("path", "with_the_table", "unwanted"),
    [
        ("/", False, NOT_AT_START),
        ("/", True, NOT_AT_START),
        ("/sign-in", True, NOT_FOR_THE_SIGN_IN_FORM),
        ("/programs/demo/join/mentee", True, NOT_FOR_A_SIGN_UP_FORM),
    ],
)
def test_a_first_request_is_served_without_loading_what_it_does_not_need(
    tmp_path: Path,
    lambda_build: tuple[list[prepared.Route], Path],
    path: str,
    with_the_table: bool,
    unwanted: tuple[str, ...],
) -> None:
    table = ""
    if with_the_table:
        table = str(tmp_path / "route_table.json")
        prepared.write(lambda_build[0], Path(table))
    printed = fresh_interpreter(
        SCRIPT,
        TABLE_PREFIX,
        REGION,
        str(CONTENT),
        str(tmp_path),
        json.dumps(unwanted),
        table,
        path,
    )
    outcome = json.loads(printed.strip().splitlines()[-1])
    assert outcome == {"status": 200, "loaded": []}


GC_SCRIPT = """
import gc, os, sys
from moto import mock_aws
from portal.persistence import tables

with mock_aws():
    tables.bind(os.environ["PORTAL_TABLE_PREFIX"], os.environ["AWS_DEFAULT_REGION"], None)
    tables.create_tables()
    tables.reconnect()
    seen = []
    gc.callbacks.append(lambda phase, info: seen.append(phase))
    from portal import wsgi
    print(len(seen), gc.isenabled(), gc.get_freeze_count() > 0)
"""


def test_the_cycle_collector_waits_for_the_app_then_runs_for_every_event(tmp_path: Path) -> None:
    """No collection while the app is built; then it is on again before any event, a page or
    a scheduled run, is handled (Zappa imports the app in every container)."""
    printed = fresh_interpreter(
        GC_SCRIPT,
        env={
            "PORTAL_STAGE": "test",
            "PORTAL_TABLE_PREFIX": TABLE_PREFIX,
            "PORTAL_DATA_DIR": str(tmp_path),
            "PORTAL_MAIL_TRANSPORT": "memory",
        },
    )
    assert printed.split() == ["0", "True", "True"]
