"""Zappa's packaged handler answers recorded API Gateway, EventBridge and SNS events.

One emulated container serves the whole module, as a warm Lambda would: pages, a sign-up
with its CSRF token and cookie, a matching round (the solvers come from the layer), the
outbox sending through SES, and SES feedback; AWS is a moto server on which the tables were
made by infrastructure/template.yaml through CloudFormation.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import secrets
import urllib.request
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest

from infrastructure.lambda_emulator import EmulatedLambda
from portal.catalog.programs import load_program
from portal.domain.addresses import address_digest
from portal.domain.participants import Role, Status
from portal.local.demo import demo_participants
from portal.persistence import tables
from portal.persistence.participants import ParticipantRepository
from tests.conftest import CONTENT, MENTEE_FORM, REGION, ROOT, TABLE_PREFIX, links_in, parse
from tests.package.conftest import MAX_UNPACKED_BYTES, MAX_ZIP_BYTES, Package

EVENTS = Path(__file__).parent / "events"
# The shapes API Gateway and EventBridge send, as AWS documents them, kept beside ours.
REFERENCE_EVENTS = EVENTS / "reference"
ZAPPA_SETTINGS = json.loads((ROOT / "zappa_settings.json").read_text(encoding="utf-8"))
STAGE_ENV = ZAPPA_SETTINGS["dev"]["environment_variables"]
PREFIX = STAGE_ENV["PORTAL_TABLE_PREFIX"]
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
# The Monday 09:00 (London) the demo program's rounds are due, as EventBridge would send it.
MONDAY_NINE = "2026-11-30T09:00:00Z"
SCHEDULED_EVENTS = (
    "scheduled-console-figures.json",
    "scheduled-matching-round.json",
    "scheduled-outbox.json",
    "scheduled-reminders.json",
    "scheduled-retention.json",
    "scheduled-roster.json",
    "scheduled-summaries.json",
)


def recorded(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    return event


def aws_client(service: str, url: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=url, **_credentials())


def _credentials() -> dict[str, str]:
    return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def aws(moto_server: str) -> str:
    """The moto server with what the stack makes: tables by CloudFormation, SES by hand."""
    cloudformation = aws_client("cloudformation", moto_server)
    cloudformation.create_stack(
        StackName="mentor-portal-dev",
        TemplateBody=(ROOT / "infrastructure" / "template.yaml").read_text(encoding="utf-8"),
        Parameters=[
            {"ParameterKey": "Domain", "ParameterValue": "example.org"},
            {"ParameterKey": "Sender", "ParameterValue": "portal@example.org"},
        ],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    (stack,) = cloudformation.describe_stacks(StackName="mentor-portal-dev")["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    ses = aws_client("ses", moto_server)
    # moto's CloudFormation skips SES resources; on AWS the stack makes the configuration set
    # and infrastructure/README.md verifies the domain.
    ses.verify_domain_identity(Domain="example.org")
    ses.create_configuration_set(
        ConfigurationSet={"Name": STAGE_ENV["PORTAL_SES_CONFIGURATION_SET"]}
    )
    return moto_server


@pytest.fixture(scope="module")
def container(package: Package, aws: str) -> Iterator[EmulatedLambda]:
    """One warm container of the packaged function."""
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": aws,
        # The Lambda's own environment (infrastructure/README.md): the secret is no file's.
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(48),
        **CREDENTIALS,
    }
    with EmulatedLambda(
        package.task, layers=[package.layer], runtime=package.runtime, env=env, timeout=120
    ) as lambda_:
        yield lambda_


def invoke(container: EmulatedLambda, event: dict[str, Any]) -> Any:
    outcome = container.invoke(event)
    assert outcome["ok"], f"the invocation failed:\n{outcome['error']}\n{container.log()[-3000:]}"
    return outcome["result"]


def body_of(response: dict[str, Any]) -> str:
    body = response.get("body") or ""
    if response.get("isBase64Encoded"):
        return base64.b64decode(body).decode("utf-8")
    return str(body)


def header(response: dict[str, Any], name: str) -> list[str]:
    """Every value of a response header, from headers and multiValueHeaders alike."""
    values: list[str] = []
    for key, value in (response.get("multiValueHeaders") or {}).items():
        if key.lower() == name.lower():
            values += list(value)
    if not values:
        values = [
            v for k, v in (response.get("headers") or {}).items() if k.lower() == name.lower()
        ]
    return values


# The artifact


def test_the_zip_is_small_and_holds_only_runtime_code(package: Package) -> None:
    assert package.zip.stat().st_size <= MAX_ZIP_BYTES
    with zipfile.ZipFile(package.zip) as zipped:
        names = zipped.namelist()
    top = {name.split("/", 1)[0] for name in names}
    assert {"handler.py", "zappa_settings.py", "portal", "functions", "content"} <= top
    assert {"flask", "pynamodb", "zappa", "pydantic", "tzdata"} <= top
    absent = {
        "tests", "bench", "infrastructure", "docs", ".venv", ".tools", "node_modules",
        "moto", "pytest", "_pytest", "mypy", "ruff", "playwright", "cfnlint", "scipy",
        "boto3", "botocore", "s3transfer", "pip", "setuptools", "troposphere", "numpy",
        "ortools", "rustworkx", "pandas",
        # in the layer (infrastructure/package.py): the console's charts, the Markdown, rosters
        "pygal", "importlib_metadata", "zipp", "lazy_importer", "markdown_it", "mdurl",
        "openpyxl", "et_xmlfile", "babel", "pytz", "icalendar",
        "dns",  # email-validator imports dnspython only to check deliverability, which we never do
    }  # fmt: skip
    assert top & absent == set()
    # The local stage's DynamoDB Local launcher is Java source Lambda never runs.
    assert [name for name in names if name.endswith(".java")] == []
    # What `make package` prepares for the cold start (portal/prepared.py): the route table,
    # and the app's templates compiled to bytecode alone (their Python source would not fit).
    assert "portal/route_table.json" in names
    compiled = [name for name in names if name.startswith("portal/compiled_templates/tmpl_")]
    assert len(compiled) > 50
    assert all(name.endswith(".pyc") for name in compiled)  # Zappa adds an empty __init__.py
    # and the sources of those are left out; the emails' are read by their own environment
    assert "portal/templates/base.html" not in names
    assert "portal/templates/signin/form.html" not in names
    assert "portal/templates/email/_layout.html" in names
    # The portal's bytecode is trusted without a date (Zappa's zip keeps none): none was
    # left by the step that builds the app to write the table (flags 1: unchecked hash).
    with zipfile.ZipFile(package.zip) as zipped:
        dated = [
            name
            for name in names
            if name.startswith(("portal/", "functions/"))
            and "/__pycache__/" in name
            and name.endswith(".pyc")
            and zipped.read(name)[4:8] != (1).to_bytes(4, "little")
        ]
    assert dated == []
    # pydantic's version 1 API and its mypy plugin are never imported (a tenth of a MB)
    assert [name for name in names if name.startswith(("pydantic/v1/", "pydantic/mypy"))] == []
    # The compiled catalogues are in (made by `make translations`), their sources are not.
    assert "portal/translations/es/LC_MESSAGES/messages.mo" in names
    assert [name for name in names if name.endswith(".po")] == []


def test_the_layer_holds_the_solvers_and_the_moved_libraries(package: Package) -> None:
    with zipfile.ZipFile(package.layer_zip) as zipped:
        zipped_names = zipped.namelist()
    top = {name.split("/")[1] for name in zipped_names}
    assert {"ortools", "numpy", "rustworkx"} <= top
    # Moved out of the zip for its 10 MB target; the pages that use them are tested above.
    moved = {"pygal", "importlib_metadata", "zipp", "lazy_importer", "markdown_it", "mdurl"}
    assert moved | {"openpyxl", "et_xmlfile", "babel", "pytz", "icalendar"} <= top
    # Babel's CLDR data only for the languages offered (English and Spanish), and the root.
    locales = {
        Path(name).stem.split("_")[0]
        for name in zipped_names
        if name.startswith("python/babel/locale-data/")
    }
    assert locales == {"root", "en", "es"}
    assert "test" not in {
        name.split("/")[2] for name in zipped_names if name.startswith("python/pygal/")
    }
    assert "pandas" not in top  # an OR-Tools dependency the min-cost flow never imports
    size = sum(
        path.stat().st_size
        for folder in (package.task, package.layer)
        for path in folder.rglob("*")
        if path.is_file()
    )
    assert size <= MAX_UNPACKED_BYTES


def test_the_recorded_events_keep_the_shapes_api_gateway_and_eventbridge_send() -> None:
    get = json.loads((REFERENCE_EVENTS / "apigw-v1-get.json").read_text(encoding="utf-8"))
    post = json.loads((REFERENCE_EVENTS / "apigw-v1-post-form.json").read_text(encoding="utf-8"))
    scheduled = json.loads((REFERENCE_EVENTS / "scheduled-event.json").read_text(encoding="utf-8"))
    for name in ("get-home.json", "get-page.json", "get-signup-form.json"):
        assert recorded(name).keys() == get.keys(), name
    assert recorded("post-signup-form.json").keys() == post.keys()
    for name in SCHEDULED_EVENTS:
        assert recorded(name).keys() == scheduled.keys(), name
    scheduled_functions = sorted(
        e["function"] for e in ZAPPA_SETTINGS["dev"]["events"] if "expression" in e
    )
    routed = sorted(recorded(name)["resources"][0].rsplit("-", 1)[1] for name in SCHEDULED_EVENTS)
    assert routed == scheduled_functions  # one recorded event for every scheduled function


# Pages and the sign-up


@pytest.mark.parametrize(
    ("name", "text"),
    [("get-home.json", "Mentor Portal"), ("get-page.json", "What mentoring is")],
)
def test_content_pages_are_served(container: EmulatedLambda, name: str, text: str) -> None:
    response = invoke(container, recorded(name))
    assert response["statusCode"] == 200
    assert text in body_of(response)


def test_a_page_is_served_in_spanish_to_a_browser_that_asks(container: EmulatedLambda) -> None:
    # The catalogue compiled into the zip, and Babel's data from the layer.
    event = copy.deepcopy(recorded("get-page.json"))
    event["headers"]["Accept-Language"] = "es-ES,es;q=0.9"
    event["multiValueHeaders"]["Accept-Language"] = ["es-ES,es;q=0.9"]
    response = invoke(container, event)
    assert response["statusCode"] == 200
    html = body_of(response)
    assert '<html lang="es">' in html
    assert "Saltar al contenido" in html


def open_form(container: EmulatedLambda) -> tuple[str, str]:
    """Open the sign-up form as a browser would: its CSRF token and the session cookie."""
    form = invoke(container, recorded("get-signup-form.json"))
    assert form["statusCode"] == 200
    html = body_of(form)
    token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html)
    assert token, "the form has no CSRF token"
    cookies = SimpleCookie()
    for value in header(form, "Set-Cookie"):
        cookies.load(value)
    # Served over https (the aws stage refuses anything else): the cookie is only this
    # host's, only over https, and browsers are told to use nothing but https.
    assert "__Host-session" in cookies, "the form set no session cookie"
    assert cookies["__Host-session"]["secure"]
    assert cookies["__Host-session"]["path"] == "/"
    assert not cookies["__Host-session"]["domain"]
    assert header(form, "Strict-Transport-Security") == ["max-age=63072000; includeSubDomains"]
    return token.group(1), f"__Host-session={cookies['__Host-session'].value}"


def signup_event(token: str, cookie: str, **form: str) -> dict[str, Any]:
    """The recorded sign-up POST with the form's token and cookie, and answers changed."""
    post = copy.deepcopy(recorded("post-signup-form.json"))
    post["headers"]["Cookie"] = cookie
    post["multiValueHeaders"]["Cookie"] = [cookie]
    post["body"] = urlencode({**MENTEE_FORM, **form, "csrf_token": token}, doseq=True)
    return post


def test_a_sign_up_is_stored_and_its_confirmation_queued(
    container: EmulatedLambda, aws: str
) -> None:
    token, cookie = open_form(container)
    response = invoke(container, signup_event(token, cookie))

    assert response["statusCode"] == 200, body_of(response)[:2000]
    assert "Check your email" in body_of(response)
    dynamodb = aws_client("dynamodb", aws)
    item = signed_up(dynamodb, "demo", "ada@example.org")
    assert item is not None
    assert (item["status"]["S"], item["name"]["S"]) == ("pending", "Ada Lovelace")
    outbox = dynamodb.scan(TableName=f"{PREFIX}-outbox-v2")["Items"]
    assert [(m["recipient"]["S"], m["template"]["S"]) for m in outbox] == [
        ("Ada@example.org", "confirm_signup")  # as typed
    ]


def signed_up(dynamodb: Any, program: str, address: str) -> dict[str, Any] | None:
    """A program's participant item for an address, found as the app finds it: by its digest."""
    found = dynamodb.get_item(
        TableName=f"{PREFIX}-addresses",
        Key={"address_hash": {"S": address_digest(address)}, "program": {"S": program}},
        ConsistentRead=True,
    )
    if "Item" not in found:
        return None
    person = dynamodb.get_item(
        TableName=f"{PREFIX}-participants-v2",
        Key={"program": {"S": program}, "participant_id": found["Item"]["participant_id"]},
        ConsistentRead=True,
    )
    item: dict[str, Any] = person["Item"]
    return item


def sent_by_ses(aws: str, recipient: str) -> list[str]:
    """The raw messages SES accepted for an address (moto's record of them)."""
    with urllib.request.urlopen(f"{aws}/moto-api/data.json", timeout=10) as reply:  # noqa: S310
        data = json.load(reply)
    return [m["raw_data"] for m in data["ses"]["RawMessage"] if recipient in m["destinations"]]


def test_the_deliver_command_sends_the_confirmation_and_its_link_opens_unlogged(
    container: EmulatedLambda, aws: str
) -> None:
    # The request only queued the email and asked Lambda to invoke the function for it
    # (portal/mail/courier.py); moto runs no function, so the test sends that event itself.
    assert sent_by_ses(aws, "Ada@example.org") == []
    assert "the scheduled run will send it (ResourceNotFoundException)" in container.log()
    (queued,) = aws_client("dynamodb", aws).scan(TableName=f"{PREFIX}-outbox-v2")["Items"]
    command = {"command": "functions.outbox.deliver", "key": queued["key"]["S"]}
    assert invoke(container, command) == {"sent": True}
    assert invoke(container, command) == {"sent": False}  # a retried invocation sends nothing
    (raw,) = sent_by_ses(aws, "Ada@example.org")
    (link,) = [url for url in links_in(parse(raw)) if "/confirm/" in url]
    assert link.startswith(STAGE_ENV["PORTAL_BASE_URL"])
    token = link.rsplit("/", 1)[1]
    event = copy.deepcopy(recorded("get-page.json"))
    event["path"] = f"/confirm/{token}"
    event["pathParameters"] = {"proxy": event["path"].lstrip("/")}

    response = invoke(container, event)

    assert response["statusCode"] == 200
    assert "Confirm my sign-up" in body_of(response)
    log = container.log()
    assert token not in log
    assert "203.0.113.7" not in log  # the visitor's address, in every recorded event
    assert "Traceback" not in log


# Scheduled functions and SES feedback


@pytest.fixture
def confirmed_pool(aws: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """Six confirmed mentors and six mentees of the demo program on the server's tables."""
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    tables.bind(PREFIX, REGION, aws)
    try:
        program = load_program(CONTENT / "programs" / "demo.md")
        people = demo_participants(program, datetime(2026, 11, 23, tzinfo=UTC))
        chosen = [p for p in people if p.role is Role.MENTOR][:6]
        chosen += [p for p in people if p.role is Role.MENTEE][:6]
        assert all(p.status is Status.CONFIRMED for p in chosen)
        for person in chosen:
            ParticipantRepository().save(person)
        yield len(chosen)
    finally:
        tables.bind(TABLE_PREFIX, REGION, None)


def scheduled(name: str, time: str) -> dict[str, Any]:
    event = recorded(name)
    event["time"] = time
    return event


def test_the_matching_round_and_the_outbox_run_from_their_schedules(
    container: EmulatedLambda, aws: str, confirmed_pool: int
) -> None:
    result = invoke(container, scheduled("scheduled-matching-round.json", MONDAY_NINE))
    (demo,) = [r for r in result["rounds"] if r["program"] == "demo"]
    assert demo["status"] == "done"
    assert demo["round_id"] == "2026-11-30T0900Z"
    # OR-Tools from the layer solved it: the six mentors and six mentees all pair up.
    assert demo["pairs"] == confirmed_pool // 2 == 6
    waiting = [
        item["key"]["S"]
        for item in aws_client("dynamodb", aws).scan(TableName=f"{PREFIX}-outbox-v2")["Items"]
        if item["status"]["S"] == "pending"
    ]
    round_mail = [key for key in waiting if key.startswith(("intro:demo:", "summary:demo:"))]
    assert len(round_mail) == 2 * demo["pairs"] + 1  # the introductions and the summary

    sent = invoke(container, scheduled("scheduled-outbox.json", MONDAY_NINE))

    assert sent["failed"] == 0
    # All that waited: the round's mail, and Ada's confirmation when the sign-up test ran first.
    assert sent["sent"] == len(waiting)
    assert '{"outbox": {"sent": ' in container.log()  # the line the failures alarm reads
    quota = aws_client("ses", aws).get_send_quota()
    # At least these: the server counts what every test of the session sent through it.
    assert quota["SentLast24Hours"] >= sent["sent"]


def test_the_reminders_and_the_weekly_summary_run_from_their_schedules(
    container: EmulatedLambda, aws: str, confirmed_pool: int
) -> None:
    invoke(container, scheduled("scheduled-matching-round.json", MONDAY_NINE))
    # Friday 08:00 in London, the demo's summary time: one summary to its organizer.
    summaries = invoke(container, scheduled("scheduled-summaries.json", "2026-12-04T08:00:00Z"))
    (demo,) = [s for s in summaries["summaries"] if s["program"] == "demo"]
    assert (demo["status"], demo["emails"]) == ("sent", 1)
    # Fifteen days after the matches were stored (by the Lambda's own clock), nobody has
    # checked in: over that day's hourly events, a reminder to both people of each pair, each
    # in their own morning (the demo's people live in several time zones).
    later = (datetime.now(UTC) + timedelta(days=15)).strftime("%Y-%m-%d")
    queued: Counter[str] = Counter()
    for hour in range(24):
        reminders = invoke(
            container, scheduled("scheduled-reminders.json", f"{later}T{hour:02}:00:00Z")
        )
        (demo,) = [r for r in reminders["reminders"] if r["program"] == "demo"]
        assert demo["pairs"] == confirmed_pool // 2  # the six pairs of the round
        queued.update(demo["queued"])
        again = invoke(
            container, scheduled("scheduled-reminders.json", f"{later}T{hour:02}:00:00Z")
        )
        assert all(not r["queued"] for r in again["reminders"])  # a repeated event queues nothing
    assert queued == {"checkin_reminder": confirmed_pool}


def test_the_retention_run_reports_its_counts_in_one_log_line(
    container: EmulatedLambda, aws: str
) -> None:
    # Today: nothing the other tests stored is past its time (the package's code and the
    # Lambda role's scans and deletes are what this checks; tests/unit/services has the rules).
    today = datetime.now(UTC).strftime("%Y-%m-%dT03:00:00Z")
    result = invoke(container, scheduled("scheduled-retention.json", today))
    assert (result["people"], result["failed"]) == (0, 0)
    assert '{"retention": {"at": ' in container.log()


def test_the_hourly_roster_run_finishes_and_reminds_in_the_package(
    container: EmulatedLambda, aws: str
) -> None:
    # No program has imported a roster here: the run reads each head item and is done (the
    # package's code, its imports and the role; tests/functions has the rules).
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:00:00Z")
    assert invoke(container, scheduled("scheduled-roster.json", now)) == {
        "finished": {},
        "reminded": {},
    }


def test_the_hourly_console_figures_are_computed_for_every_program(
    container: EmulatedLambda, aws: str
) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:00:00Z")
    result = invoke(container, scheduled("scheduled-console-figures.json", now))
    assert {outcome["program"]: outcome["status"] for outcome in result["figures"]} == {
        "demo": "computed",
        "leaders-group": "computed",
        "peer-circles": "computed",
    }
    item = aws_client("dynamodb", aws).get_item(
        TableName=f"{PREFIX}-console-figures", Key={"program": {"S": "demo"}}, ConsistentRead=True
    )["Item"]
    assert "funnel" in item["figures"]["S"]


def page_event(path: str, cookie: str, form: dict[str, str] | None = None) -> dict[str, Any]:
    """The recorded GET (or, with a form, POST) for another path, with a session cookie."""
    event = copy.deepcopy(recorded("get-page.json" if form is None else "post-signup-form.json"))
    event["path"] = path
    event["pathParameters"] = {"proxy": path.lstrip("/")}
    event["requestContext"]["path"] = f"/dev{path}"
    event["headers"]["Cookie"] = cookie
    event["multiValueHeaders"]["Cookie"] = [cookie]
    if form is not None:
        event["body"] = urlencode(form)
    return event


def session_cookie(response: dict[str, Any], cookie: str) -> str:
    """The session cookie a response set, or the one the request sent."""
    cookies = SimpleCookie()
    for value in header(response, "Set-Cookie"):
        cookies.load(value)
    if "__Host-session" in cookies:
        return f"__Host-session={cookies['__Host-session'].value}"
    return cookie


def test_the_console_draws_its_charts_with_pygal_from_the_layer(
    container: EmulatedLambda, aws: str
) -> None:
    # pygal is in the layer, not in the zip: the organizer's program at a glance shows the
    # hourly figures (computed by the test above, of the people the tests before it stored:
    # fewer than 5 would draw no chart) as chart images drawn with it.
    token, cookie = open_form(container)
    asked = invoke(
        container,
        page_event("/sign-in", cookie, {"email": "organizer@example.org", "csrf_token": token}),
    )
    assert asked["statusCode"] == 200, body_of(asked)[:2000]
    queued = aws_client("dynamodb", aws).scan(TableName=f"{PREFIX}-outbox-v2")["Items"]
    (sign_in,) = [
        m
        for m in queued
        if m["recipient"]["S"] == "organizer@example.org" and m["template"]["S"] == "sign_in"
    ]
    command = {"command": "functions.outbox.deliver", "key": sign_in["key"]["S"]}
    assert invoke(container, command) == {"sent": True}
    (raw,) = sent_by_ses(aws, "organizer@example.org")[-1:]
    (link,) = [
        u for u in links_in(parse(raw)) if "/organize/" in u and not u.endswith("/organize/")
    ]
    path = link.removeprefix(STAGE_ENV["PORTAL_BASE_URL"])
    opened = invoke(container, page_event(path, cookie))
    assert opened["statusCode"] == 200, body_of(opened)[:2000]
    cookie = session_cookie(opened, cookie)
    form_token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', body_of(opened))
    assert form_token, "the sign-in page has no CSRF token"
    signed = invoke(container, page_event(path, cookie, {"csrf_token": form_token.group(1)}))
    assert signed["statusCode"] == 302, body_of(signed)[:2000]
    cookie = session_cookie(signed, cookie)

    glance = invoke(container, page_event("/organize/programs/demo", cookie))

    assert glance["statusCode"] == 200, body_of(glance)[:2000]
    assert re.search(r'<img class="chart" src="data:image/svg\+xml;', body_of(glance))
    assert "Traceback" not in container.log()


def test_ses_feedback_from_sns_suppresses_the_address(container: EmulatedLambda, aws: str) -> None:
    result = invoke(container, recorded("sns-ses-bounce.json"))

    assert result == {"suppressed": 1, "already": 0, "ignored": 0}
    item = aws_client("dynamodb", aws).get_item(
        TableName=f"{PREFIX}-suppressions-v2",
        Key={"address_hash": {"S": address_digest("bounced.person@example.org")}},
        ConsistentRead=True,
    )["Item"]
    assert item["reason"]["S"] == "bounce"


# Limits per client (last: the sign-ups they make would change the figures above)


def test_sign_ups_are_counted_by_api_gateways_source_ip_not_by_x_forwarded_for(
    container: EmulatedLambda, aws: str
) -> None:
    token, cookie = open_form(container)

    def sign_up_from(source_ip: str, n: int) -> dict[str, Any]:
        event = signup_event(token, cookie, email=f"limit{n}@example.org")
        event["requestContext"]["identity"]["sourceIp"] = source_ip
        forwarded = f"10.1.{n}.1, 10.2.{n}.2"  # the client writes a new one each time
        event["headers"]["X-Forwarded-For"] = forwarded
        event["multiValueHeaders"]["X-Forwarded-For"] = [forwarded]
        return invoke(container, event)

    # 20 a 10-minute window by default (zappa_settings.json sets no other): at most 40
    # pass before the first refusal even if the run crosses a window's edge.
    responses = []
    for n in range(41):
        responses.append(sign_up_from("192.0.2.50", n))
        if responses[-1]["statusCode"] == 429:
            break
    *admitted, refused = responses
    assert refused["statusCode"] == 429, "41 sign-ups from one source address were admitted"
    assert {r["statusCode"] for r in admitted} == {200}
    assert 20 <= len(admitted) <= 40
    (retry_after,) = header(refused, "Retry-After")
    assert 1 <= int(retry_after) <= 600  # the rest of the window the Lambda's real clock is in
    assert "Please wait a little before trying again" in body_of(refused)
    dynamodb = aws_client("dynamodb", aws)
    refused_address = f"limit{len(admitted)}@example.org"
    assert signed_up(dynamodb, "demo", refused_address) is None
    emails = [
        p["email"]["S"] for p in dynamodb.scan(TableName=f"{PREFIX}-participants-v2")["Items"]
    ]
    assert refused_address not in emails
    assert f"limit{len(admitted) - 1}@example.org" in emails  # the last one admitted
    outbox = dynamodb.scan(TableName=f"{PREFIX}-outbox-v2")["Items"]
    assert refused_address not in [m["recipient"]["S"] for m in outbox]
    assert sent_by_ses(aws, refused_address) == []

    # Another source address, with the same header as the refused request: admitted.
    assert sign_up_from("198.51.100.20", len(admitted))["statusCode"] == 200
    counters = json.dumps(dynamodb.scan(TableName=f"{PREFIX}-limits")["Items"])
    assert "192.0.2.50" not in counters
    assert "limit0@example.org" not in counters
