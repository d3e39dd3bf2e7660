"""`portal migrate` on data folders made by earlier versions (tests/fixtures/README.md).

Each fixture is every table of a data folder made by that commit's own code: the demo seeded
(40 people and a pending sign-up), a round of 16 pairs, check-ins, goals, an ended match, an
unsubscribe and a bounce, reminders and a summary. The dump is loaded into the tables of that
version (keyed by email), `portal migrate` runs as a person runs it (click's runner, the same
settings from the environment), and the portal then works on what it copied.
"""

from __future__ import annotations

import json
import re
import secrets
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from click.testing import CliRunner, Result

from portal.cli import main as portal_command
from portal.container import build_services
from portal.domain.addresses import address_digest, email_key
from portal.local.dynamodb import DynamoDBLocal
from portal.mail.senders import MemorySender
from portal.persistence import tables
from portal.settings import Settings
from tests.conftest import REGION, ROOT, FakeClock

pytestmark = pytest.mark.integration

FIXTURES = ROOT / "tests" / "fixtures"
PREFIX = "portal-mig"
# The keys of the tables of 6f76a1a and 5ec509a (their indexes are not needed: the migration
# scans). Tables that kept their name and key (rounds, tokens, sessions, limits) are the
# current ones, created by `tables.create_tables`.
LEGACY_KEYS: dict[str, tuple[str, ...]] = {
    "participants": ("program", "email"),
    "matches": ("program", "match_id"),
    "checkins": ("match_id", "checkin_id"),
    "goals": ("match_id", "goal_id"),
    "outbox": ("key",),
    "suppressions": ("email",),
}
Item = dict[str, Any]
Snapshot = dict[str, list[str]]


def _s(item: Item, name: str) -> str:
    return str(item[name]["S"]) if name in item else ""


@pytest.fixture
def client(dynamodb_local: DynamoDBLocal) -> Any:
    return boto3.client("dynamodb", endpoint_url=dynamodb_local.endpoint, region_name=REGION)


def _drop_tables(client: Any) -> None:
    for name in client.list_tables()["TableNames"]:
        if name.startswith(PREFIX + "-"):
            client.delete_table(TableName=name)


@pytest.fixture
def mig_settings(it_settings: Settings, client: Any) -> Iterator[Settings]:
    """The test stage's settings on a prefix of their own, without a table; dropped after."""
    _drop_tables(client)
    yield it_settings.with_overrides(table_prefix=PREFIX)
    _drop_tables(client)
    # Put the models back where the other tests of the session expect them.
    tables.bind(it_settings.table_prefix, it_settings.region, it_settings.dynamodb_endpoint)


def load(client: Any, settings: Settings, dump: dict[str, list[Item]]) -> None:
    """Tables as the earlier version had them, with the dump's items in them."""
    tables.bind(settings.table_prefix, settings.region, settings.dynamodb_endpoint)
    tables.create_tables()  # rounds, tokens, sessions, limits: the same in both versions
    for entity, keys in LEGACY_KEYS.items():
        client.create_table(
            TableName=f"{PREFIX}-{entity}",
            KeySchema=[
                {"AttributeName": k, "KeyType": t}
                for k, t in zip(keys, ("HASH", "RANGE")[: len(keys)], strict=True)
            ],
            AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in keys],
            BillingMode="PAY_PER_REQUEST",
        )
    for entity, items in dump.items():
        for item in items:
            client.put_item(TableName=f"{PREFIX}-{entity}", Item=item)


def scan(client: Any, entity: str) -> list[Item]:
    items: list[Item] = []
    for page in client.get_paginator("scan").paginate(
        TableName=f"{PREFIX}-{entity}", ConsistentRead=True
    ):
        items.extend(page["Items"])
    return items


def snapshot(client: Any) -> Snapshot:
    """Every item of every table of the prefix, comparable."""
    names = sorted(n for n in client.list_tables()["TableNames"] if n.startswith(PREFIX + "-"))
    return {
        name: sorted(json.dumps(i, sort_keys=True) for i in scan(client, name[len(PREFIX) + 1 :]))
        for name in names
    }


def migrate(settings: Settings, *args: str, env: dict[str, str] | None = None) -> Result:
    """`portal migrate <args>` with the settings' store, as the command reads its settings."""
    environment = {
        "PORTAL_STAGE": "local",
        "PORTAL_DATA_DIR": str(settings.data_dir),
        "PORTAL_TABLE_PREFIX": settings.table_prefix,
        "PORTAL_DYNAMODB_ENDPOINT": str(settings.dynamodb_endpoint),
        "PORTAL_REGION": settings.region,
        **(env or {}),
    }
    return CliRunner().invoke(
        portal_command,
        ["migrate", *args],
        prog_name="portal",
        env=environment,
        catch_exceptions=False,
    )


def line_of(output: str, entity: str) -> dict[str, int]:
    """One new table's figures in migrate's output: read, to write or written, already, skipped."""
    source = "participants" if entity == "addresses" else entity
    target = "addresses" if entity == "addresses" else f"{entity}-v2"
    found = re.search(
        rf"^  {PREFIX}-{source} -> {PREFIX}-{target}: read (\d+), (?:to write|written) (\d+), "
        rf"already there (\d+), skipped (\d+)$",
        output,
        re.MULTILINE,
    )
    assert found, output
    read, write, already, skipped = (int(g) for g in found.groups())
    return {"read": read, "write": write, "already": already, "skipped": skipped}


def people_of(participants: list[Item]) -> dict[str, str]:
    """participant id -> the comparison form of their address."""
    return {_s(p, "participant_id"): email_key(_s(p, "email")) for p in participants}


def content(items: dict[str, list[Item]], people: dict[str, str]) -> dict[str, Counter[Any]]:
    """What each table holds, however it is keyed: people named by their address.

    `people` maps the ids that keys hold to addresses; an earlier version's keys hold
    addresses themselves, which map to themselves.
    """

    def who(value: str) -> str:  # "<program>#<email or id>", or the email or id alone
        person = value.rsplit("#", 1)[-1]
        return people.get(person, email_key(person))

    def moment_and_who(value: str) -> tuple[str, str]:  # "<time>#<email or id>"
        moment, _, person = value.partition("#")
        return moment, who(person)

    def digest(s: Item) -> str:
        return _s(s, "address_hash") or address_digest(_s(s, "email"))

    return {
        "participants": Counter(
            (_s(p, "program"), _s(p, "participant_id"), email_key(_s(p, "email")), _s(p, "name"))
            for p in items["participants"]
        ),
        "matches": Counter(
            (
                _s(m, "program"),
                _s(m, "round_id"),
                who(_s(m, "mentor_key")),
                who(_s(m, "mentee_key")),
                _s(m, "status"),
                _s(m, "end_reason"),
            )
            for m in items["matches"]
        ),
        "checkins": Counter(
            (*moment_and_who(_s(c, "checkin_id")), _s(c, "met"), _s(c, "author_email"))
            for c in items["checkins"]
        ),
        "goals": Counter(
            (*moment_and_who(_s(g, "goal_id")), _s(g, "text"), _s(g, "state"))
            for g in items["goals"]
        ),
        "suppressions": Counter((digest(s), _s(s, "reason")) for s in items["suppressions"]),
    }


def migrated(client: Any) -> dict[str, list[Item]]:
    """The new tables' items, by the earlier tables' names."""
    return {entity: scan(client, f"{entity}-v2") for entity in LEGACY_KEYS}


@pytest.fixture(params=["6f76a1a", "5ec509a"])
def dump(request: pytest.FixtureRequest) -> dict[str, list[Item]]:
    data: dict[str, list[Item]] = json.loads(
        (FIXTURES / f"data-{request.param}.json").read_text(encoding="utf-8")
    )
    return data


# Both fixtures hold the same population: the demo's 40 people and a pending sign-up, 16
# pairs (one ended on a re-match request), 9 check-ins, 12 goals, an unsubscribe and a bounce.
FIGURES = {
    "participants": 41,
    "addresses": 41,
    "matches": 16,
    "checkins": 9,
    "goals": 12,
    "suppressions": 2,
    "outbox": 65,
}
WRITES = sum(FIGURES.values())  # 186


def new_counts(client: Any) -> dict[str, int]:
    """How many items each new table holds (by the earlier tables' names)."""
    return {
        entity: len(scan(client, entity if entity == "addresses" else f"{entity}-v2"))
        for entity in FIGURES
    }


def figures_of(output: str) -> dict[str, dict[str, int]]:
    """Every table's line of migrate's output."""
    return {entity: line_of(output, entity) for entity in FIGURES}


def test_the_figures_are_the_dumps(dump: dict[str, list[Item]]) -> None:
    assert {e: len(dump[e]) for e in LEGACY_KEYS} == {
        e: n for e, n in FIGURES.items() if e != "addresses"
    }


def test_a_dry_run_counts_and_writes_nothing_and_apply_copies_everything_once(
    mig_settings: Settings, client: Any, dump: dict[str, list[Item]]
) -> None:
    load(client, mig_settings, dump)
    before = snapshot(client)

    dry = migrate(mig_settings)

    assert dry.exit_code == 0, dry.output
    assert dry.output.startswith("Dry run (nothing written; --apply writes):\n")
    assert figures_of(dry.output) == {
        e: {
            "read": FIGURES["participants" if e == "addresses" else e],
            "write": n,
            "already": 0,
            "skipped": 0,
        }
        for e, n in FIGURES.items()
    }
    assert snapshot(client) == before

    applied = migrate(mig_settings, "--apply")

    assert applied.exit_code == 0, applied.output
    assert applied.output.startswith("Applied:\n")
    assert {e: f["write"] for e, f in figures_of(applied.output).items()} == FIGURES
    assert new_counts(client) == FIGURES
    # Every person, match, check-in, goal and suppression, with what it says, counted from
    # the dump itself: the same whichever way they are keyed.
    assert content(migrated(client), people_of(dump["participants"])) == content(dump, {})
    # Each person's address leads to them.
    people = {(_s(p, "program"), _s(p, "participant_id")) for p in dump["participants"]}
    assert {
        (_s(a, "program"), _s(a, "participant_id")) for a in scan(client, "addresses")
    } == people
    assert {_s(a, "address_hash") for a in scan(client, "addresses")} == {
        address_digest(email_key(_s(p, "email"))) for p in dump["participants"]
    }
    # The earlier tables are left as they were.
    after = snapshot(client)
    for entity in LEGACY_KEYS:
        assert after[f"{PREFIX}-{entity}"] == before[f"{PREFIX}-{entity}"]

    again = migrate(mig_settings, "--apply")

    assert again.exit_code == 0, again.output
    assert figures_of(again.output) == {
        e: {
            "read": FIGURES["participants" if e == "addresses" else e],
            "write": 0,
            "already": n,
            "skipped": 0,
        }
        for e, n in FIGURES.items()
    }
    assert snapshot(client) == after


def test_a_run_stopped_part_way_is_finished_by_the_next_ones(
    mig_settings: Settings, client: Any, dump: dict[str, list[Item]]
) -> None:
    load(client, mig_settings, dump)

    # 31 writes: 16 people, and the addresses of the first 15 (each person's comes after them).
    first = migrate(mig_settings, "--apply", "--limit", "31")

    assert first.exit_code == 0, first.output
    assert first.output.startswith(
        "Stopped after 31 writes (run `portal migrate --apply` again to finish):\n"
    )
    assert line_of(first.output, "participants") == {
        "read": 16,
        "write": 16,
        "already": 0,
        "skipped": 0,
    }
    assert line_of(first.output, "addresses") == {
        "read": 16,
        "write": 15,
        "already": 0,
        "skipped": 0,
    }
    assert new_counts(client) == dict.fromkeys(FIGURES, 0) | {"participants": 16, "addresses": 15}

    # The same limit again goes on from there: what is there already does not count.
    second = migrate(mig_settings, "--apply", "--limit", "31")

    assert second.exit_code == 0, second.output
    assert line_of(second.output, "addresses")["already"] == 15
    assert new_counts(client) == dict.fromkeys(FIGURES, 0) | {"participants": 31, "addresses": 31}

    rest = migrate(mig_settings, "--apply")

    assert rest.exit_code == 0, rest.output
    figures = figures_of(rest.output)
    assert sum(f["write"] for f in figures.values()) == WRITES - 62
    assert figures["participants"] == {"read": 41, "write": 10, "already": 31, "skipped": 0}
    assert new_counts(client) == FIGURES  # nothing twice: every key once
    assert content(migrated(client), people_of(dump["participants"])) == content(dump, {})
    done = snapshot(client)

    again = migrate(mig_settings, "--apply")

    assert sum(f["write"] for f in figures_of(again.output).values()) == 0
    assert snapshot(client) == done


def test_the_portal_works_on_the_migrated_data(
    mig_settings: Settings, client: Any, dump: dict[str, list[Item]]
) -> None:
    load(client, mig_settings, dump)
    assert migrate(mig_settings, "--apply").exit_code == 0
    # The moment of the earlier version's `portal remind --at` (tests/fixtures/README.md).
    clock = FakeClock(datetime(2030, 4, 2, 7, 0, tzinfo=UTC))
    services = build_services(mig_settings, clock=clock, sender=MemorySender())
    demo = services.programs.get("demo")
    assert demo is not None

    # Everything due then was queued before the migration: nothing is queued again.
    (outcome,) = [o for o in services.reminders.remind(clock()) if o.program == "demo"]
    assert (outcome.pairs, outcome.queued, outcome.status) == (15, {}, "done")
    moment = datetime(2030, 3, 25, 8, 0, tzinfo=UTC)
    repeated = services.summaries.send(demo, moment, "cli-2030-03-25T0800Z")
    assert repeated.status == "repeated"
    assert len(scan(client, "outbox-v2")) == FIGURES["outbox"]

    # Monday 8 April, 09:00 in London: a reminder run, a summary and the weekly round.
    clock.advance(days=6, hours=1)
    (outcome,) = [o for o in services.reminders.remind(clock()) if o.program == "demo"]
    # Both people of the 15 active pairs, but the one who unsubscribed.
    assert (outcome.pairs, outcome.queued, outcome.status) == (15, {"second_nudge": 29}, "done")
    unsubscribed = {
        _s(s, "email") for s in dump["suppressions"] if _s(s, "reason") == "unsubscribe"
    }
    nudged = {
        _s(o, "recipient")
        for o in scan(client, "outbox-v2")
        if _s(o, "template") == "checkin_reminder" and _s(o, "status") == "pending"
    }
    assert len(unsubscribed) == 1
    assert not unsubscribed & {email_key(r) for r in nudged}

    progress = services.summaries.summary_for(demo, clock()).progress
    assert (progress.funnel.matched.value, progress.funnel.active.value) == (32, 30)
    assert {w.email for w in progress.waiting} >= {
        "priya.sharma@demo.example.org",  # their mentee asked for another match
        "uma.patel@demo.example.org",  # who asked
    }
    summary = services.summaries.send(demo, clock(), "cli-2030-04-08T0800Z")
    assert (summary.status, summary.emails) == ("sent", 1)
    (queued,) = [
        o
        for o in scan(client, "outbox-v2")
        if _s(o, "template") == "progress_summary" and _s(o, "status") == "pending"
    ]
    assert _s(queued, "recipient") == "organizer@example.org"

    rounds = services.rounds.run_due(clock())

    assert [(r.program, r.status, r.pairs, r.unmatched) for r in rounds] == [("demo", "done", 1, 8)]
    matches = scan(client, "matches-v2")
    assert len(matches) == FIGURES["matches"] + 1
    (new,) = [m for m in matches if _s(m, "round_id") == rounds[0].round_id]
    pair = {_s(new, "mentor_email"), _s(new, "mentee_email")}
    assert pair <= {w.email for w in progress.waiting}
    assert pair != {"priya.sharma@demo.example.org", "uma.patel@demo.example.org"}
    # Nobody is in two active matches (the demo's capacity is one).
    active = Counter(
        who
        for m in matches
        if _s(m, "status") == "active"
        for who in (_s(m, "mentor_key"), _s(m, "mentee_key"))
    )
    assert set(active.values()) == {1}


def test_a_migrated_persons_export_lists_the_emails_sent_before_the_migration(
    mig_settings: Settings, client: Any, dump: dict[str, list[Item]]
) -> None:
    load(client, mig_settings, dump)
    assert migrate(mig_settings, "--apply").exit_code == 0
    services = build_services(
        mig_settings, clock=FakeClock(datetime(2030, 4, 2, 7, 0, tzinfo=UTC)), sender=MemorySender()
    )
    # Every migrated email is found by its recipient, as the export looks for it.
    received = Counter(email_key(_s(o, "recipient")) for o in dump["outbox"])
    person, count = received.most_common(1)[0]

    document = services.exports.export(person, route="cli", requested_by="test").document

    assert len(document["emails"]) == count
    assert {e["template"] for e in document["emails"]} == {
        _s(o, "template") for o in dump["outbox"] if email_key(_s(o, "recipient")) == person
    }


def load_6f76a1a(client: Any, settings: Settings) -> Snapshot:
    """The earlier version's data folder, loaded; every table's items."""
    load(client, settings, json.loads((FIXTURES / "data-6f76a1a.json").read_text("utf-8")))
    return snapshot(client)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--apply", "--bogus"], "No such option '--bogus'"),
        (["--apply", "--limit", "0"], "Invalid value for '--limit': 0 is not in the range x>=1"),
        (["--apply", "--limit", "-3"], "Invalid value for '--limit': -3 is not in the range x>=1"),
        (
            ["--apply", "--limit", "ten"],
            "Invalid value for '--limit': 'ten' is not a valid integer",
        ),
        (["--apply", "--limit"], "Option '--limit' requires an argument"),
        (["apply"], "Got unexpected extra argument (apply)"),
    ],
)
def test_bad_arguments_are_named_and_nothing_is_written(
    mig_settings: Settings, client: Any, args: list[str], message: str
) -> None:
    before = load_6f76a1a(client, mig_settings)

    result = migrate(mig_settings, *args)

    assert result.exit_code == 2, result.output
    assert f"Error: {message}" in result.output
    assert snapshot(client) == before


def test_without_the_new_tables_it_says_to_deploy_them_first_and_writes_nothing(
    mig_settings: Settings, client: Any
) -> None:
    load_6f76a1a(client, mig_settings)
    # As in a deployment whose template was not deployed yet (the aws stage creates no table).
    for table in ("addresses", "outbox-v2"):
        client.delete_table(TableName=f"{PREFIX}-{table}")
    before = snapshot(client)
    aws = {
        "PORTAL_STAGE": "aws",
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(48),
        "PORTAL_BASE_URL": "https://mentoring.example.org",
    }

    for args in ([], ["--apply"]):
        result = migrate(mig_settings, *args, env=aws)

        assert result.exit_code == 1, result.output
        assert result.output == (
            f"Error: the new tables do not exist yet: {PREFIX}-outbox-v2, {PREFIX}-addresses. "
            "Deploy the template first (infrastructure/README.md, Upgrading), or `portal "
            "tables create` locally\n"
        )
        assert snapshot(client) == before
