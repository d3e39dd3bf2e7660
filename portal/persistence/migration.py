"""Copy the tables of earlier versions (people keyed by email) into the tables keyed by id.

Works on DynamoDB's typed items, so that it reads what 6f76a1a wrote (addresses as typed, no
`address` attribute) as well as what later versions wrote. Every write is a put on condition
that the item does not exist: a second run writes nothing, a run after a crash finishes the
job, and nothing the portal wrote in the new tables meanwhile is ever overwritten.
"""

from __future__ import annotations

import email.policy
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.parser import HeaderParser
from typing import TYPE_CHECKING, Any, cast

from pynamodb.connection import Connection

if TYPE_CHECKING:  # boto3-stubs, a development dependency: types only
    from mypy_boto3_dynamodb.client import DynamoDBClient

from portal.domain.addresses import address_digest, email_key
from portal.domain.checkins import match_ref
from portal.persistence.tables import LEGACY_ENTITIES

Item = dict[str, dict[str, Any]]

# In the order they are copied: matches need the people's ids, check-ins and goals the
# matches' new ids, the outbox the matches' new refs.
ORDER = ("participants", "matches", "checkins", "goals", "suppressions", "outbox")


@dataclass
class TableCount:
    """What one table's copy found and did."""

    source: str
    target: str
    read: int = 0
    to_write: int = 0  # not in the new table yet (a dry run stops here)
    already: int = 0  # in the new table already: copied before, or written by the portal
    written: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> how many
    missing: bool = False  # the earlier table does not exist (a new deployment)


class StopAfter(Exception):
    """The write limit was reached: the run stops there, as a crash would."""


@dataclass
class _Ids:
    people: dict[tuple[str, str], str] = field(default_factory=dict)  # (program, key) -> id
    matches: dict[str, str] = field(default_factory=dict)  # old match id -> new
    goals: dict[str, str] = field(default_factory=dict)  # old goal id -> new (per match)
    refs: dict[str, str] = field(default_factory=dict)  # old match_ref -> new


def _s(item: Item, name: str) -> str:
    value = item.get(name, {}).get("S")
    return str(value) if value is not None else ""


class Migration:
    """Reads `<prefix>-<entity>` of earlier versions, writes `<prefix>-<entity>-v2`."""

    def __init__(self, prefix: str, region: str, endpoint: str | None) -> None:
        self.prefix = prefix
        # The low-level client: items move as DynamoDB's JSON, untouched by any model.
        self.client = cast("DynamoDBClient", Connection(region=region, host=endpoint).client)
        self.ids = _Ids()
        self.writes_left: int | None = None
        self.stopped = False  # the last run reached its write limit
        self.addresses = TableCount("", "")
        self._key_cache: dict[str, list[str]] = {}

    def table(self, entity: str) -> str:
        return f"{self.prefix}-{entity}"

    def _exists(self, name: str) -> bool:
        try:
            self.client.describe_table(TableName=name)
        except self.client.exceptions.ResourceNotFoundException:
            return False
        return True

    def missing_targets(self) -> list[str]:
        """The new tables that do not exist yet (deploy the template first)."""
        names = [self.table(LEGACY_ENTITIES[e]) for e in ORDER] + [self.table("addresses")]
        return [name for name in names if not self._exists(name)]

    def _scan(self, name: str) -> Iterator[Item]:
        for page in self.client.get_paginator("scan").paginate(TableName=name, ConsistentRead=True):
            # Read as plain dicts: the rewrites below reach into {"S": ...}, {"L": [...]}.
            yield from cast("list[Item]", page["Items"])

    def _put(self, count: TableCount, table: str, item: Item, key: str, apply: bool) -> None:
        """Put unless an item with this key exists; count what happened."""
        if not apply:
            keys = {k: item[k] for k in self._key_names(table)}
            found = self.client.get_item(TableName=table, Key=keys, ConsistentRead=True)
            if "Item" in found:
                count.already += 1
            else:
                count.to_write += 1
            return
        # Only writes count towards the limit: a run after a stopped one goes past what
        # that one copied, however many items it finds there already.
        if self.writes_left is not None and self.writes_left <= 0:
            raise StopAfter
        try:
            self.client.put_item(
                TableName=table,
                Item=item,
                ConditionExpression="attribute_not_exists(#k)",
                ExpressionAttributeNames={"#k": key},
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            count.already += 1
            return
        if self.writes_left is not None:
            self.writes_left -= 1
        count.to_write += 1
        count.written += 1

    def _key_names(self, table: str) -> list[str]:
        if table not in self._key_cache:
            described = self.client.describe_table(TableName=table)["Table"]
            self._key_cache[table] = [k["AttributeName"] for k in described["KeySchema"]]
        return self._key_cache[table]

    # -- the run ------------------------------------------------------------------------------

    def run(self, *, apply: bool, limit: int | None = None) -> list[TableCount]:
        """Copy every earlier table into its new one (or count what would be copied).

        With a limit, stops after that many writes (`stopped`), with the counts so far.
        """
        self.writes_left = limit
        self.stopped = False
        self.ids = _Ids()
        self.addresses = TableCount(self.table("participants"), self.table("addresses"))
        steps: dict[str, Callable[[Item, TableCount, bool], None]] = {
            "participants": self._participant,
            "matches": self._match,
            "checkins": self._checkin,
            "goals": self._goal,
            "suppressions": self._suppression,
            "outbox": self._outbox,
        }
        counts = []
        # Goals before check-ins would be natural, but check-ins name goals by id: collect
        # the goals' new ids first, whatever order the tables are copied in.
        self._collect_people()
        self._collect_goals()
        try:
            for entity in ORDER:
                count = TableCount(self.table(entity), self.table(LEGACY_ENTITIES[entity]))
                counts.append(count)
                if entity == "participants":
                    counts.append(self.addresses)  # written with each person
                if not self._exists(count.source):
                    count.missing = True
                    self.addresses.missing |= entity == "participants"
                    continue
                for item in self._scan(count.source):
                    count.read += 1
                    steps[entity](item, count, apply)
        except StopAfter:
            self.stopped = True
        return counts

    def _collect_people(self) -> None:
        name = self.table("participants")
        if not self._exists(name):
            return
        for item in self._scan(name):
            key = (_s(item, "program"), email_key(_s(item, "email")))
            self.ids.people.setdefault(key, _s(item, "participant_id"))
        matches = self.table("matches")
        if not self._exists(matches):
            return
        for item in self._scan(matches):
            new = self._new_match_id(item)
            if new is not None:
                self.ids.matches[_s(item, "match_id")] = new
                self.ids.refs[match_ref(_s(item, "match_id"))] = match_ref(new)

    def _collect_goals(self) -> None:
        name = self.table("goals")
        if not self._exists(name):
            return
        for item in self._scan(name):
            new = self._new_time_id(item, "goal_id")
            if new is not None:
                self.ids.goals[_s(item, "goal_id")] = new

    def _person(self, program: str, email: str) -> str | None:
        return self.ids.people.get((program, email_key(email)))

    def _new_match_id(self, item: Item) -> str | None:
        program = _s(item, "program")
        mentor = self._person(program, _s(item, "mentor_key").split("#", 1)[-1])
        mentee = self._person(program, _s(item, "mentee_key").split("#", 1)[-1])
        if mentor is None or mentee is None:
            return None
        return f"{_s(item, 'round_id')}#{mentor}#{mentee}"

    def _new_time_id(self, item: Item, name: str) -> str | None:
        """A check-in's or goal's id, "<time>#<email>", as "<time>#<participant id>"."""
        moment, _, author = _s(item, name).partition("#")
        if "@" not in author:
            return _s(item, name)  # written by a version that keyed it by id already
        person = self._person(_s(item, "program"), author)
        return None if person is None else f"{moment}#{person}"

    # -- each table's items -------------------------------------------------------------------

    def _participant(self, item: Item, count: TableCount, apply: bool) -> None:
        program, typed = _s(item, "program"), _s(item, "email")
        key = email_key(typed)
        participant_id = _s(item, "participant_id")
        self.addresses.read += 1
        if self.ids.people.get((program, key)) != participant_id:
            count.skipped["another sign-up has the same address"] += 1
            self.addresses.skipped["another sign-up has the same address"] += 1
            return
        new = dict(item)
        new["email"] = {"S": key}
        if "address" not in new and typed != key:
            new["address"] = {"S": typed}  # 6f76a1a kept the address as typed
        self._put(count, count.target, new, "participant_id", apply)
        address = {
            "address_hash": {"S": address_digest(key)},
            "program": {"S": program},
            "participant_id": {"S": participant_id},
        }
        self._put(self.addresses, self.addresses.target, address, "address_hash", apply)

    def _match(self, item: Item, count: TableCount, apply: bool) -> None:
        old = _s(item, "match_id")
        new_id = self.ids.matches.get(old)
        if new_id is None:
            count.skipped["a person in it has no sign-up"] += 1
            return
        program = _s(item, "program")
        mentor_id, mentee_id = new_id.split("#")[-2:]
        new = dict(item)
        new["match_id"] = {"S": new_id}
        new["mentor_email"] = {"S": email_key(_s(item, "mentor_key").split("#", 1)[-1])}
        new["mentee_email"] = {"S": email_key(_s(item, "mentee_key").split("#", 1)[-1])}
        new["mentor_key"] = {"S": f"{program}#{mentor_id}"}
        new["mentee_key"] = {"S": f"{program}#{mentee_id}"}
        self._put(count, count.target, new, "program", apply)

    def _checkin(self, item: Item, count: TableCount, apply: bool) -> None:
        match_id = self.ids.matches.get(_s(item, "match_id"))
        checkin_id = self._new_time_id(item, "checkin_id")
        if match_id is None or checkin_id is None:
            count.skipped["its match or its author has no sign-up"] += 1
            return
        new = dict(item)
        new["match_id"] = {"S": match_id}
        new["checkin_id"] = {"S": checkin_id}
        details = json.loads(_s(item, "details") or "{}")
        if isinstance(details.get("goals"), dict):
            details["goals"] = {self.ids.goals.get(k, k): v for k, v in details["goals"].items()}
            new["details"] = {"S": json.dumps(details)}
        self._put(count, count.target, new, "match_id", apply)

    def _goal(self, item: Item, count: TableCount, apply: bool) -> None:
        match_id = self.ids.matches.get(_s(item, "match_id"))
        goal_id = self.ids.goals.get(_s(item, "goal_id"))
        if match_id is None or goal_id is None:
            count.skipped["its match or its author has no sign-up"] += 1
            return
        new = dict(item)
        new["match_id"] = {"S": match_id}
        new["goal_id"] = {"S": goal_id}
        self._put(count, count.target, new, "match_id", apply)

    def _suppression(self, item: Item, count: TableCount, apply: bool) -> None:
        new = {k: v for k, v in item.items() if k != "email"}
        new["address_hash"] = {"S": address_digest(_s(item, "email"))}
        self._put(count, count.target, new, "address_hash", apply)

    def _outbox(self, item: Item, count: TableCount, apply: bool) -> None:
        # Addresses in a key (organizers') become digests, matches' refs their new refs; the
        # rest (people's ids, hashed addresses, rounds, steps) is the same in both versions.
        parts = [
            address_digest(part) if "@" in part else self.ids.refs.get(part, part)
            for part in _s(item, "key").split(":")
        ]
        new = dict(item)
        new["key"] = {"S": ":".join(parts)}
        # What the person's export reads (the by-recipient index, the subject): the earlier
        # versions kept neither. A sent email's body is gone, and its subject with it.
        recipient = item.get("recipient", {}).get("S")
        if recipient and "address_hash" not in item:
            new["address_hash"] = {"S": address_digest(recipient)}
        raw = item.get("raw", {}).get("S")
        if raw and "subject" not in item:
            subject = HeaderParser(policy=email.policy.default).parsestr(raw)["Subject"]
            if subject:
                new["subject"] = {"S": str(subject)}
        self._put(count, count.target, new, "key", apply)
