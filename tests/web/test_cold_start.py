"""A cold start imports what its first request needs, not every part of the portal.

The Lambda imports the app and serves the home page in one go (bench/coldstart.py times it):
the matching engine and NumPy, the charts, the spreadsheets, the calendar invites and the
services of the scheduled runs and of the console's downloads load when something uses them.
Checked in a fresh interpreter, since this test session has imported everything already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

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

SCRIPT = """
import json, sys
from pathlib import Path

from moto import mock_aws

from portal import create_app
from portal.persistence import tables
from portal.settings import Settings

prefix, region, content, data, unwanted = sys.argv[1:6]
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
    response = create_app(settings).test_client().get("/")
    loaded = sorted(
        name
        for name in json.loads(unwanted)
        if any(m == name or m.startswith(name + ".") for m in sys.modules)
    )
    print(json.dumps({"status": response.status_code, "loaded": loaded}))
"""


def test_the_home_page_is_served_without_loading_what_it_does_not_need(tmp_path: object) -> None:
    done = subprocess.run(  # noqa: S603  (this interpreter, our own script)
        [
            sys.executable,
            "-c",
            SCRIPT,
            TABLE_PREFIX,
            REGION,
            str(CONTENT),
            str(tmp_path),
            json.dumps(NOT_AT_START),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **FAKE_AWS, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome == {"status": 200, "loaded": []}
