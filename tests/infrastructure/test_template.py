"""infrastructure/template.yaml cannot drift from the models, the code or zappa_settings.json.

The tables are read from the template as written and compared with what the PynamoDB models
declare; then the stack is created in moto's CloudFormation and the repositories and services
run against the tables it made, while every AWS call they make is checked against the Lambda
role's policy.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import botocore.client
import pytest
from cfnlint.decode import cfn_yaml
from flask.testing import FlaskClient
from pynamodb.models import Model

from portal import create_app
from portal.container import Services, build_services
from portal.domain.participants import Status
from portal.mail.senders import MemorySender, SesSender
from portal.persistence import tables
from portal.persistence.tables import CheckinRecord
from portal.settings import Settings
from tests.conftest import MENTEE_FORM, REGION, ROOT, TABLE_PREFIX, FakeClock, csrf_token, links_in
from tests.factories import seed_demo_people

TEMPLATE = ROOT / "infrastructure" / "template.yaml"
STACK = "mentor-portal-dev-base"  # as infrastructure/README.md names it
ZAPPA_SETTINGS = json.loads((ROOT / "zappa_settings.json").read_text(encoding="utf-8"))
ACCOUNT = "123456789012"  # moto's account, and the placeholder in zappa_settings.json
PARAMETERS = {"Domain": "example.org", "Sender": "portal@example.org"}

# moto's CloudFormation creates what it knows (tables, topics, the role, the log group) and
# skips the rest (SES, alarms, metric filters) with this warning; cfn-lint checks those.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Tried to parse .* not supported by moto.s CloudFormation:UserWarning"
)


def template() -> dict[str, Any]:
    loaded: dict[str, Any] = cfn_yaml.loads(TEMPLATE.read_text(encoding="utf-8"))
    return loaded


def declared_tables() -> dict[str, dict[str, Any]]:
    """Entity -> the table's Properties, for every DynamoDB table in the template."""
    found = {}
    for name, resource in template()["Resources"].items():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        table_name = resource["Properties"]["TableName"]
        match = re.fullmatch(r"portal-\$\{Stage\}-([a-z0-9-]+)", table_name.get("Fn::Sub", ""))
        assert match, f"{name}: TableName must be portal-${{Stage}}-<entity>, not {table_name}"
        found[match.group(1)] = dict(resource["Properties"])
    return found


def model_schema(model: type[Model]) -> dict[str, Any]:
    """What a model declares, in CloudFormation's terms."""
    schema = model._get_schema()
    indexes = {
        index["index_name"]: {
            "keys": sorted((k["KeyType"], k["AttributeName"]) for k in index["key_schema"]),
            "projection": index["projection"]["ProjectionType"],
        }
        for index in schema["global_secondary_indexes"]
    }
    ttl = model._ttl_attribute()
    return {
        "attributes": sorted(
            (a["AttributeName"], a["AttributeType"]) for a in schema["attribute_definitions"]
        ),
        "keys": sorted((k["KeyType"], k["AttributeName"]) for k in schema["key_schema"]),
        "indexes": indexes,
        "ttl": ttl.attr_name if ttl else None,
    }


def template_schema(properties: dict[str, Any]) -> dict[str, Any]:
    ttl = properties.get("TimeToLiveSpecification")
    return {
        "attributes": sorted(
            (a["AttributeName"], a["AttributeType"]) for a in properties["AttributeDefinitions"]
        ),
        "keys": sorted((k["KeyType"], k["AttributeName"]) for k in properties["KeySchema"]),
        "indexes": {
            index["IndexName"]: {
                "keys": sorted((k["KeyType"], k["AttributeName"]) for k in index["KeySchema"]),
                "projection": index["Projection"]["ProjectionType"],
            }
            for index in properties.get("GlobalSecondaryIndexes", [])
        },
        "ttl": ttl["AttributeName"] if ttl and ttl.get("Enabled") else None,
    }


MODELS = {model.Meta.entity: model for model in tables.ALL_MODELS}  # type: ignore[attr-defined]


def test_the_template_declares_one_table_per_model() -> None:
    assert sorted(declared_tables()) == sorted(MODELS)


@pytest.mark.parametrize("entity", sorted(MODELS))
def test_each_table_has_the_keys_indexes_and_ttl_its_model_declares(entity: str) -> None:
    assert template_schema(declared_tables()[entity]) == model_schema(MODELS[entity])


@pytest.mark.parametrize("entity", sorted(MODELS))
def test_each_table_is_on_demand_recoverable_encrypted_and_kept(entity: str) -> None:
    properties = declared_tables()[entity]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    (resource,) = [
        r
        for r in template()["Resources"].values()
        if r["Type"] == "AWS::DynamoDB::Table" and r["Properties"] is not None
        if r["Properties"]["TableName"] == {"Fn::Sub": f"portal-${{Stage}}-{entity}"}
    ]
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"


# The stack in moto


def test_the_documented_stack_names_are_not_the_ones_zappa_gives_its_own_stacks() -> None:
    """Zappa deploys the API as a stack named after the function; ours must keep away from it."""
    settings = json.loads((ROOT / "zappa_settings.json").read_text(encoding="utf-8"))
    zappa_stacks = {f"{settings['dev']['project_name']}-{stage}" for stage in settings}
    readme = (ROOT / "infrastructure" / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"--stack-name (\S+)", readme))
    assert documented == {STACK}
    assert not documented & zappa_stacks


@pytest.fixture(scope="module")
def stack(_moto: None) -> Iterator[dict[str, str]]:
    """The dev stack created by moto's CloudFormation; its outputs."""
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(
        StackName=STACK,
        TemplateBody=TEMPLATE.read_text(encoding="utf-8"),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in PARAMETERS.items()],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    (described,) = cloudformation.describe_stacks(StackName=STACK)["Stacks"]
    assert described["StackStatus"] == "CREATE_COMPLETE", described.get("StackStatusReason")
    yield {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for entity in MODELS:  # the tables outlive the stack by design (DeletionPolicy: Retain)
        dynamodb.delete_table(TableName=f"portal-dev-{entity}")
    cloudformation.delete_stack(StackName=STACK)
    tables.bind(TABLE_PREFIX, REGION, None)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every AWS call the code under test makes: (service, operation)."""
    made: list[tuple[str, str]] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(self: Any, operation_name: str, api_params: Any) -> Any:
        made.append((self.meta.service_model.service_name, operation_name))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    return made


@pytest.fixture
def on_stack(
    stack: dict[str, str], settings: Settings, clock: FakeClock, mailbox: MemorySender
) -> Services:
    """The services on the stack's tables (empty at the start of each test)."""
    prefix = stack["TablePrefix"]
    tables.bind(prefix, REGION, None)
    tables.truncate_tables()
    return build_services(settings.with_overrides(table_prefix=prefix), clock=clock, sender=mailbox)


def test_the_stack_made_the_tables_the_models_declare(stack: dict[str, str]) -> None:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for entity, model in MODELS.items():
        table = dynamodb.describe_table(TableName=f"{stack['TablePrefix']}-{entity}")["Table"]
        made = {
            "attributes": sorted(
                (a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]
            ),
            "keys": sorted((k["KeyType"], k["AttributeName"]) for k in table["KeySchema"]),
            "indexes": {
                index["IndexName"]: {
                    "keys": sorted((k["KeyType"], k["AttributeName"]) for k in index["KeySchema"]),
                    "projection": index["Projection"]["ProjectionType"],
                }
                for index in table.get("GlobalSecondaryIndexes", [])
            },
        }
        declared = model_schema(model)
        del declared["ttl"]  # moto's CloudFormation does not apply TTL: compared above
        assert made == declared, entity
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_sign_up_confirm_round_and_mail_work_on_the_stacks_tables(
    on_stack: Services,
    mailbox: MemorySender,
    clock: FakeClock,
    calls: list[tuple[str, str]],
) -> None:
    app = create_app(on_stack.settings, on_stack)
    app.config.update(TESTING=True)
    client: FlaskClient = app.test_client()

    page = client.get("/programs/demo/join/mentee")
    sent = client.post(
        "/programs/demo/join/mentee", data={**MENTEE_FORM, "csrf_token": csrf_token(page.text)}
    )
    assert sent.status_code == 200
    (link,) = [url for url in links_in(mailbox.sent[0][1]) if "/confirm/" in url]
    confirm_page = client.get(link.removeprefix("http://portal.test"))
    done = client.post(
        link.removeprefix("http://portal.test"),
        data={"csrf_token": csrf_token(confirm_page.text)},
    )
    assert done.status_code == 200
    ada = on_stack.participants.get("demo", "ada@example.org")
    assert ada is not None
    assert ada.status is Status.CONFIRMED
    assert on_stack.participants.get_by_id(ada.participant_id) == ada  # by-id index
    assert on_stack.participants.programs_of("ada@example.org") == ["demo"]  # by-email index
    # Her page's link opens a session kept in the sessions table; signing out deletes it.
    me_path = on_stack.checkins.page_url("demo", ada.email).removeprefix("http://portal.test")
    opened = client.get(me_path)
    signed = client.post(me_path, data={"csrf_token": csrf_token(opened.text)})
    page = client.get(signed.headers["Location"])
    assert page.status_code == 200
    assert client.post("/sign-out", data={"csrf_token": csrf_token(page.text)}).status_code == 200
    assert client.get(signed.headers["Location"]).status_code == 403
    # Signed out, she asks for a link on the sign-in form (the limits table, a transaction).
    form = client.get("/sign-in")
    asked = client.post(
        "/sign-in", data={"email": "ada@example.org", "csrf_token": csrf_token(form.text)}
    )
    assert asked.status_code == 200
    assert [url for url in links_in(mailbox.sent[-1][1]) if "/me/" in url]

    seed_demo_people(on_stack, "demo", clock(), mentors=6, mentees=6)
    demo = on_stack.programs.get("demo")
    assert demo is not None
    # A roster import: its entries in batches, then the head's conditional update names it.
    hr = on_stack.roster_imports.read(b"workEmail,department\nada@example.org,Research\n", "hr.csv")
    checked = on_stack.roster_imports.check(demo, hr, filename="hr.csv")
    assert on_stack.roster_imports.apply(demo, checked, by="organizer@example.org").updated == 1
    outcome = on_stack.rounds.run(demo, "2026-03-02T0900Z", trigger="cli")
    assert outcome.status == "done"
    assert outcome.pairs == 6  # the first six demo mentors and mentees all pair up
    pairs = list(on_stack.rounds.matches.for_program("demo"))
    assert on_stack.rounds.matches.history("demo") == {  # by-mentor and by-mentee indexes
        frozenset((m.mentor, m.mentee)) for m in pairs
    }
    assert on_stack.rounds.rounds.latest("demo") is not None

    ses = boto3.client("ses", region_name=REGION)
    ses.verify_domain_identity(Domain="example.org")
    on_stack.mail.sender = SesSender(ses, on_stack.settings.ses_configuration_set)
    report = on_stack.mail.drain(per_second=1000)  # the by-status index, claims, SES
    assert report.sent == outcome.emails
    assert report.failed == 0

    CheckinRecord(
        pairs[0].match_id,
        "2026-03-09T0900Z",
        program="demo",
        author_email=pairs[0].mentee,
        met="yes",
        created_at=clock() + timedelta(days=7),
    ).save()
    assert [c.met for c in CheckinRecord.by_program.query("demo")] == ["yes"]

    on_stack.unsubscribes.unsubscribe(on_stack.unsubscribes.url(pairs[0].mentee).rsplit("/")[-1])
    assert on_stack.unsubscribes.suppressions.reason(pairs[0].mentee) == "unsubscribe"

    # The export: addresses by digest, the outbox's by-recipient index, the exports table.
    exported = on_stack.exports.export(pairs[0].mentee, route="web", requested_by="the person")
    assert [m["status"] for m in exported.document["emails"]] == ["sent"]
    assert [e["route"] for e in exported.document["exports"]] == ["web"]

    # Erasure: the people's indexes, a scan of tokens and sessions, deletes and moves.
    erased = on_stack.erasure.erase(pairs[0].mentee)
    assert erased.counts["matches_ended"] == 1
    assert on_stack.participants.get("demo", pairs[0].mentee) is None

    # Retention, a day after the partner's period ends: scans of links, sessions and the
    # export log, the outbox's by-status index, the partner erased; the new export log too.
    on_stack.exports.export(pairs[1].mentee, route="web", requested_by="the person")
    after = clock() + timedelta(weeks=12, days=366)
    purged = on_stack.retention.purge(after)
    assert purged.failed == 0
    assert purged.counts["people"] >= 1
    assert purged.counts["exports"] == 1
    assert on_stack.participants.get("demo", pairs[0].mentor) is None

    assert_allowed_by_the_lambda_role(calls)


def role_statements() -> list[dict[str, Any]]:
    iam = boto3.client("iam", region_name=REGION)
    (name,) = iam.list_role_policies(RoleName="mentor-portal-dev-lambda")["PolicyNames"]
    document = iam.get_role_policy(RoleName="mentor-portal-dev-lambda", PolicyName=name)
    policy = document["PolicyDocument"]
    if isinstance(policy, str):  # moto keeps what CloudFormation resolved as a Python literal
        policy = ast.literal_eval(policy)
    # A statement made only with a distribution (!If HasSite) is AWS::NoValue without one:
    # CloudFormation drops it, moto leaves None.
    statements: list[dict[str, Any]] = [s for s in policy["Statement"] if s is not None]
    return statements


# A transaction is authorised item by item, by the actions of the writes it holds.
_TRANSACTION = {
    "TransactWriteItems": {"PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem"},
    "TransactGetItems": {"GetItem"},
}


def assert_allowed_by_the_lambda_role(calls: list[tuple[str, str]]) -> None:
    """Every call the code made is one the role allows; the role allows nothing unused."""
    allowed = {a for s in role_statements() for a in _as_list(s["Action"])}
    needed = set()
    for service, operation in calls:
        if service in ("iam", "cloudformation"):
            continue  # the test's own look-ups
        if service == "ses" and operation == "VerifyDomainIdentity":
            continue  # the deployer verifies the domain (infrastructure/README.md)
        for action in _TRANSACTION.get(operation, {operation}):
            needed.add(f"{service}:{action}")
    assert needed - allowed == set(), "the Lambda role misses actions the code uses"
    # Not in this journey: DeleteItem (an organizer moves a draft pair; erasure), logs (the
    # Lambda service writes them), InvokeFunction (API Gateway's integration assumes the role;
    # on Lambda a request invokes the function to send its email, tests/unit/mail/test_courier.py).
    unused = allowed - needed
    assert unused <= {
        "dynamodb:DeleteItem",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "lambda:InvokeFunction",
        # An organizer's save republishes the site (tests/infrastructure/test_site.py).
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:ListBucket",
    }


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def test_the_role_reaches_only_the_stacks_tables_and_the_sender(stack: dict[str, str]) -> None:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    arns = {
        dynamodb.describe_table(TableName=f"{stack['TablePrefix']}-{entity}")["Table"]["TableArn"]
        for entity in MODELS
    }
    statements = {s["Sid"]: s for s in role_statements()}
    resources = set(statements["Tables"]["Resource"])
    indexed = {
        arn
        for arn in arns
        if MODELS[arn.split(":table/")[1][len(stack["TablePrefix"]) + 1 :]]._get_schema()[
            "global_secondary_indexes"
        ]
    }
    assert resources == arns | {f"{arn}/index/*" for arn in indexed}
    assert all("*" not in r.split(":table/")[0] for r in resources)
    scans = statements["EraseLinksAndSessions"]
    assert scans["Action"] == "dynamodb:Scan"
    assert {r.split(":table/")[1] for r in scans["Resource"]} == {
        f"{stack['TablePrefix']}-tokens",
        f"{stack['TablePrefix']}-sessions",
    }
    assert statements["PurgeExportLog"]["Action"] == "dynamodb:Scan"
    assert [r.split(":table/")[1] for r in statements["PurgeExportLog"]["Resource"]] == [
        f"{stack['TablePrefix']}-exports"
    ]
    ses = statements["SendAsTheSenderOnly"]
    assert ses["Action"] == "ses:SendRawEmail"
    assert ses["Condition"] == {"StringEquals": {"ses:FromAddress": PARAMETERS["Sender"]}}
    assert all(not r.endswith("*") for r in ses["Resource"])


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_zappa_settings_name_what_the_stack_makes(stage: str) -> None:
    settings = {**ZAPPA_SETTINGS["dev"], **ZAPPA_SETTINGS[stage]}
    env = settings["environment_variables"]
    assert settings["role_name"] == f"mentor-portal-{stage}-lambda"
    assert env["PORTAL_TABLE_PREFIX"] == f"portal-{stage}"
    assert env["PORTAL_SES_CONFIGURATION_SET"] == f"mentor-portal-{stage}"
    (layer,) = settings["layers"]
    assert layer.endswith(f":layer:mentor-portal-{stage}-solvers:1")
    (feedback,) = [e for e in settings["events"] if "event_source" in e]
    assert feedback["function"] == "functions.ses_feedback.handler"
    assert feedback["event_source"]["arn"] == (
        f"arn:aws:sns:{settings['aws_region']}:{ACCOUNT}:mentor-portal-{stage}-ses-feedback"
    )


def test_the_stack_outputs_match_zappa_settings(stack: dict[str, str]) -> None:
    dev = ZAPPA_SETTINGS["dev"]
    assert stack["LambdaRoleName"] == dev["role_name"]
    assert stack["TablePrefix"] == dev["environment_variables"]["PORTAL_TABLE_PREFIX"]
    (feedback,) = [e for e in dev["events"] if "event_source" in e]
    assert stack["FeedbackTopicArn"] == feedback["event_source"]["arn"]
