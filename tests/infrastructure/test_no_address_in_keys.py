"""No key of a table or an index holds an email address (issue 10): people are keyed by their
participant id, an address by its digest. Each key attribute the template declares is named
here with what it holds, so that a new key must say what it is."""

from __future__ import annotations

from typing import Any

import pytest

from portal.persistence import tables
from tests.infrastructure.test_template import MODELS, declared_tables

# Every key attribute of every table and index, and what it holds; none an address.
KEY_ATTRIBUTES = {
    "program": "a program's slug",
    "participant_id": "a participant's opaque id",
    "address_hash": "address_digest of an address (SHA-256)",
    "match_id": "<round>#<mentor id>#<mentee id>",
    "mentor_key": "<program>#<participant id>",
    "mentee_key": "<program>#<participant id>",
    "created_at": "a time",
    "checkin_id": "<time>#<author's participant id>",
    "goal_id": "<time>#<author's participant id>",
    "round_id": "a time, or the lock's name",
    "key": (
        "an outbox key (portal/mail/catalog.py), a limit's keyed hash, or a roster item's "
        '"head", "e#<import id>#<address digest>" or "u#<upload id>#<part>"'
    ),
    "status": "an outbox item's state",
    "due_at": "a time",
    "token_hash": "SHA-256 of a link's token",
    "session_hash": "SHA-256 of a session's id",
    "exported_at": "a time",
    "entry_id": "<time>#<random>",
    "month": "a month, 2026-12",
    "hour": "an hour, 2026-12-05T14",
    "slug": "a program's slug",
    "version": "a program's version number (0 for the head)",
    "listed": 'the constant "program" (the heads index)',
    "address_key": "address_digest of an address (SHA-256): a roster entry's",
}


def key_attributes(properties: dict[str, Any]) -> set[str]:
    keys = {k["AttributeName"] for k in properties["KeySchema"]}
    for index in properties.get("GlobalSecondaryIndexes", []):
        keys |= {k["AttributeName"] for k in index["KeySchema"]}
    return keys


@pytest.mark.parametrize("entity", sorted(MODELS))
def test_every_key_attribute_is_known_and_none_is_an_address(entity: str) -> None:
    keys = key_attributes(declared_tables()[entity])
    assert keys <= set(KEY_ATTRIBUTES), f"{entity}: say what {keys - set(KEY_ATTRIBUTES)} holds"
    assert not {k for k in keys if "email" in k or k == "address" or "recipient" in k}


def test_the_legacy_tables_are_not_in_the_template_and_each_has_a_new_one() -> None:
    declared = declared_tables()
    assert not set(tables.LEGACY_ENTITIES) & set(declared)
    assert set(tables.LEGACY_ENTITIES.values()) <= set(declared)
