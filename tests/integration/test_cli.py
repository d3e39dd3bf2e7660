"""The `portal` command as a person runs it: a real process, its own data folder, a deadline.

Each call that needs the database starts Java (DynamoDB Local) on the data folder, or uses
the one a running `portal dev` published there; none may leave a JVM behind.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest

from portal.catalog.programs import ProgramCatalog
from portal.local.dynamodb import EndpointFile, free_port, port_open
from portal.persistence import tables
from tests.conftest import CONTENT, MENTEE_FORM, ROOT, csrf_token, links_in, parse
from tests.integration.conftest import is_loopback, listening_addresses, processes_matching

pytestmark = pytest.mark.integration

PORTAL = Path(sys.executable).parent / "portal"
# Java starts in 3-5 s on an idle machine and in 20 s or more on a busy two-core runner.
COMMAND_SECONDS = 120
SERVER_START_SECONDS = 90  # DynamoDB Local alone may take its own 60 s deadline
SERVER_STOP_SECONDS = 30
HTTP_SECONDS = 15


def portal_env(data_dir: Path) -> dict[str, str]:
    """The test process's environment (fake AWS credentials included), local stage, own data."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not (key.startswith("PORTAL_") and key != "PORTAL_DYNAMODB_LOCAL_DIR")
        and key not in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB")
    }
    env["PORTAL_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"  # the dev server's log is readable while it runs
    return env


def portal(
    data_dir: Path, *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `portal <args>` (from the project folder) and wait for it, within a deadline."""
    return subprocess.run(  # noqa: S603 - our own console script, arguments from the test
        [str(PORTAL), *args],
        cwd=cwd,
        env=portal_env(data_dir) if env is None else env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )


def java_on(data_dir: Path) -> list[str]:
    """JVMs whose command line names the data folder (DynamoDB Local's -dbPath)."""
    return processes_matching(f"{data_dir.resolve()}/")


def participants_json(data_dir: Path) -> list[dict[str, Any]]:
    result = portal(data_dir, "participants", "--program", "demo", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


# Without a dev server


def test_participants_starts_and_stops_its_own_database(tmp_path: Path) -> None:
    data = tmp_path / "data"

    result = portal(data, "participants", "--program", "demo", "--format", "json")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert "moto" not in result.stderr  # DynamoDB Local, not the in-memory fallback
    assert (data / "dynamodb" / "shared-local-instance.db").is_file()
    assert java_on(data) == []


def test_participants_from_another_folder_still_uses_dynamodb_local(tmp_path: Path) -> None:
    data = tmp_path / "data"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = portal_env(data)
    env.pop("PORTAL_DYNAMODB_LOCAL_DIR", None)  # the default install folder, as `make run` left it

    result = portal(
        data, "participants", "--program", "demo", "--format", "json", cwd=elsewhere, env=env
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert java_on(data) == []
    assert "moto" not in result.stderr, result.stderr
    assert (data / "dynamodb" / "shared-local-instance.db").is_file()


def test_participants_of_an_unknown_program_names_the_known_ones(tmp_path: Path) -> None:
    data = tmp_path / "data"

    result = portal(data, "participants", "--program", "nosuch")

    assert result.returncode != 0
    assert "'nosuch'" in result.stderr
    known = [program.slug for program in ProgramCatalog.from_folder(CONTENT / "programs")]
    assert known == ["demo", "leaders-group", "peer-circles"]  # the shipped programs
    assert all(slug in result.stderr for slug in known), result.stderr
    assert java_on(data) == []


def test_participants_in_an_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    result = portal(tmp_path / "data", "participants", "--program", "demo", "--format", "xml")

    assert result.returncode == 2
    assert "'xml'" in result.stderr
    assert "json" in result.stderr
    assert result.stdout == ""


def test_tables_create_twice(tmp_path: Path) -> None:
    data = tmp_path / "data"

    first = portal(data, "tables", "create")
    second = portal(data, "tables", "create")

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    for run in (first, second):
        assert f"{len(tables.ALL_MODELS)} tables ready: portal-local-participants" in run.stdout
    assert "created tables" in first.stderr
    assert "created tables" not in second.stderr  # the data folder kept them
    assert java_on(data) == []


# With a dev server


@contextmanager
def dev_server(
    data_dir: Path, log: Path, *args: str
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`portal dev` on a free port of 127.0.0.1, answering; always stopped on the way out."""
    port = free_port()
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 - our own console script, arguments from the test
            [str(PORTAL), "dev", "--port", str(port), *args],
            cwd=ROOT,
            env=portal_env(data_dir),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not port_open(port):
            if process.poll() is not None:
                pytest.fail(f"portal dev exited with {process.returncode}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"portal dev did not answer in {SERVER_START_SECONDS} s:\n{log.read_text()}"
                )
            time.sleep(0.2)
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=SERVER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=SERVER_STOP_SECONDS)


def mail_files(data_dir: Path, count: int) -> list[Path]:
    """The mail folder's messages, once there are `count` (dev's mail loop writes them)."""
    deadline = time.monotonic() + HTTP_SECONDS
    while len(found := sorted((data_dir / "mail").glob("*.eml"))) < count:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return found


def children(process: subprocess.Popen[bytes]) -> list[str]:
    """The pid and command line of each process `process` started."""
    pgrep = shutil.which("pgrep")
    assert pgrep, "pgrep (procps) is needed to list a process's children"
    found = subprocess.run(  # noqa: S603 - fixed program, a pid we started
        [pgrep, "-a", "-P", str(process.pid)],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    assert found.returncode in (0, 1), found.stderr  # 1: none
    return found.stdout.splitlines()


def stop(process: subprocess.Popen[bytes]) -> int:
    """What Ctrl-C or a service manager does: SIGTERM, then wait for the exit."""
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=SERVER_STOP_SECONDS)


class Browser:
    """Just enough of a browser: cookies, redirects, form posts."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def open(self, path: str, form: dict[str, Any] | None = None) -> tuple[int, str, str]:
        """Status, final URL and text of a GET, or a POST when a form is given."""
        url = path if path.startswith("http") else self.base_url + path
        assert url.startswith(self.base_url)
        body = None if form is None else urllib.parse.urlencode(form, doseq=True).encode()
        with self.opener.open(url, data=body, timeout=HTTP_SECONDS) as response:
            return response.status, response.geturl(), response.read().decode()


def test_dev_server_sign_up_confirm_stop_and_start_again(tmp_path: Path) -> None:
    data = tmp_path / "data"
    log = tmp_path / "dev.log"

    with dev_server(data, log) as (dev, base_url):
        # 1. The pages a visitor sees first.
        browser = Browser(base_url)
        for path in ("/", "/programs/demo", "/programs/demo/join/mentee"):
            status, _, _ = browser.open(path)
            assert status == 200, path

        # 2. Sign up on the form, as a browser does: the form's CSRF token and cookie.
        _, _, form_page = browser.open("/programs/demo/join/mentee")
        status, landed, page = browser.open(
            "/programs/demo/join/mentee", {**MENTEE_FORM, "csrf_token": csrf_token(form_page)}
        )
        assert (status, landed) == (200, f"{base_url}/programs/demo/join/mentee")
        assert "Check your email" in page

        # 3. The confirmation email is a file in the data folder, written by dev's mail loop
        #    once the request queued it; its link confirms.
        (eml,) = mail_files(data, 1)
        message = parse(eml.read_text(encoding="utf-8"))
        assert message["To"] == "Ada@example.org"  # as typed; a domain has no case
        (link,) = [url for url in links_in(message) if "/confirm/" in url]
        status, _, confirm_page = browser.open(link)
        assert status == 200
        assert "Confirm my sign-up" in confirm_page
        status, _, done = browser.open(link, {"csrf_token": csrf_token(confirm_page)})
        assert status == 200
        assert "is confirmed" in done

        # 4. The CLI, while dev runs, reads dev's database: Ada and the 40 demo people.
        rows = participants_json(data)
        ada = [row for row in rows if row["email"] == "ada@example.org"]
        assert len(ada) == 1
        assert (ada[0]["status"], ada[0]["role"]) == ("confirmed", "mentee")
        assert ada[0]["confirmed"] is not None
        demo = [row for row in rows if row["email"].endswith("@demo.example.org")]
        assert len(demo) == 40
        assert len(rows) == 41
        assert len(java_on(data)) == 1  # dev's own; the CLI started none

        # 4b. A round queued from the CLI links to this server's port, not the default one.
        matched = portal(data, "round", "--program", "demo")
        assert matched.returncode == 0, matched.stderr
        # Each of the 16 demo mentors takes one of the 25 mentees (Ada too), with capacity 1.
        assert ": 16 pairs" in matched.stdout, matched.stdout
        sent = portal(data, "send-mail")
        assert sent.returncode == 0, sent.stderr
        messages = [
            parse(path.read_text(encoding="utf-8")) for path in (data / "mail").glob("*.eml")
        ]
        intros = [m for m in messages if str(m["Subject"]).startswith("Meet ")]
        assert len(intros) == 2 * 16  # one to each side of each pair
        # And one to each of the 9 mentees left waiting (25 with Ada, 16 places).
        waiting = [m for m in messages if "No match for you yet" in str(m["Subject"])]
        assert len(waiting) == 25 - 16
        for email in intros + waiting:
            assert all(url.startswith(base_url + "/") for url in links_in(email)), email["To"]

        # 5. SIGTERM stops the server and its JVM, and withdraws the published endpoint.
        assert stop(dev) == 0, log.read_text()
    assert "Stopping." in log.read_text()
    assert java_on(data) == []
    assert not EndpointFile.in_data_dir(data).path.exists()

    # 6. Started again without the demo: the data folder kept Ada's confirmed sign-up.
    with dev_server(data, log, "--no-demo") as (dev, base_url):
        status, _, _ = Browser(base_url).open("/programs/demo")
        assert status == 200
        rows = participants_json(data)
        assert [row["status"] for row in rows if row["email"] == "ada@example.org"] == ["confirmed"]
        assert len(rows) == 41
        assert stop(dev) == 0, log.read_text()
    assert java_on(data) == []


def test_dev_server_sends_what_commands_queue_and_keeps_its_data_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    log = tmp_path / "dev.log"
    previous = os.umask(0o022)  # the usual one: files are world-readable unless made otherwise
    try:
        with dev_server(data, log) as (dev, _):
            # A command queues the demo's weekly summary and does not send it: dev does, as
            # the scheduled function does on AWS, without `portal send-mail`.
            queued = portal(data, "summaries", "--program", "demo")
            assert queued.returncode == 0, queued.stderr
            assert "queued for 1 organizer" in queued.stdout
            (eml,) = mail_files(data, 1)
            assert parse(eml.read_text(encoding="utf-8"))["To"] == "organizer@example.org"

            # Its database listens on 127.0.0.1 only.
            live = EndpointFile.in_data_dir(data).live_endpoint()
            assert live is not None
            port = int(live[0].rsplit(":", 1)[1])
            listening = listening_addresses(port)
            assert listening
            assert all(is_loopback(address) for address in listening), listening

            # Nothing in the data folder is readable by another account.
            assert stat.S_IMODE(data.stat().st_mode) == 0o700
            modes = {
                str(path.relative_to(data)): stat.S_IMODE(path.stat().st_mode)
                for path in data.rglob("*")
            }
            for name in (
                "secret_key",
                "base_url",
                "mail",
                eml.relative_to(data).as_posix(),
                "dynamodb",
                "dynamodb/endpoint.json",
                "dynamodb/shared-local-instance.db",
                "dynamodb/dynamodb-local.log",
            ):
                assert name in modes, sorted(modes)
            folders = {name for name in modes if (data / name).is_dir()}
            assert {name: modes[name] for name in folders} == dict.fromkeys(folders, 0o700)
            files = set(modes) - folders
            assert {name: modes[name] for name in files} == dict.fromkeys(files, 0o600)
            assert stop(dev) == 0, log.read_text()
    finally:
        os.umask(previous)
    assert "Queued email is sent at once by a background loop" in log.read_text()
    assert "left queued every 5 s" in log.read_text()
    assert java_on(data) == []


def test_dev_server_with_worker_processes_serves_sends_and_stops(tmp_path: Path) -> None:
    data = tmp_path / "data"
    log = tmp_path / "dev.log"

    with dev_server(data, log, "--no-demo", "--processes", "2") as (dev, base_url):
        # Two workers answer, each in a process of its own, beside DynamoDB Local's JVM. The
        # listening socket is made before they are forked: on a busy machine the port answers
        # a moment before both exist.
        deadline = time.monotonic() + HTTP_SECONDS
        while len(workers := [line for line in children(dev) if "java" not in line]) < 2:
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert len(workers) == 2, children(dev)
        assert "2 worker processes, each answering one request at a time." in log.read_text()

        browser = Browser(base_url)
        _, _, form_page = browser.open("/programs/demo/join/mentee")
        status, landed, page = browser.open(
            "/programs/demo/join/mentee", {**MENTEE_FORM, "csrf_token": csrf_token(form_page)}
        )
        assert (status, landed) == (200, f"{base_url}/programs/demo/join/mentee")
        assert "Check your email" in page
        # The worker queued the email and rang the mail loop of the server it was forked from.
        (eml,) = mail_files(data, 1)
        (link,) = [url for url in links_in(parse(eml.read_text())) if "/confirm/" in url]
        status, _, confirm_page = browser.open(link)
        assert status == 200
        status, _, done = browser.open(link, {"csrf_token": csrf_token(confirm_page)})
        assert "is confirmed" in done

        # SIGTERM ends the workers, the JVM and the server, which exits cleanly.
        worker_pids = [line.split()[0] for line in workers]
        assert stop(dev) == 0, log.read_text()
    assert java_on(data) == []
    assert not [pid for pid in worker_pids if Path(f"/proc/{pid}").exists()]
    assert "Traceback" not in log.read_text()
