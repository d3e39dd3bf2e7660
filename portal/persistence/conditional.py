"""Conditional writes that answer whether they happened, instead of raising when refused."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from portal.persistence.tables import transaction_connection

REFUSED = "ConditionalCheckFailedException"
# The same refusal, as a transaction names it for each of its writes.
REFUSED_IN_TRANSACTION = "ConditionalCheckFailed"


def save_if(record: Model, condition: Condition) -> bool:
    """Save the item if the condition holds; False if the database refused it."""
    try:
        record.save(condition=condition)
    except PutError as exc:
        if exc.cause_response_code == REFUSED:
            return False
        raise
    return True


def update_if(record: Model, actions: Sequence[Any], condition: Condition) -> bool:
    """Apply the update if the condition holds; False if the database refused it."""
    try:
        record.update(actions=list(actions), condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code == REFUSED:
            return False
        raise
    return True


def delete_if(record: Model, condition: Condition) -> bool:
    """Delete the item if the condition holds; False if the database refused it."""
    try:
        record.delete(condition=condition)
    except DeleteError as exc:
        if exc.cause_response_code == REFUSED:
            return False
        raise
    return True


@dataclass(frozen=True)
class Put:
    """Store a whole item, if the condition holds."""

    record: Model
    condition: Condition | None = None


@dataclass(frozen=True)
class Update:
    """Change some attributes of an item, if the condition holds."""

    record: Model
    actions: Sequence[Any]
    condition: Condition | None = None


@dataclass(frozen=True)
class Delete:
    """Delete an item, if the condition holds."""

    record: Model
    condition: Condition | None = None


@dataclass(frozen=True)
class Check:
    """Write nothing, but let the transaction happen only if the condition holds on this item."""

    model: type[Model]
    hash_key: Any
    range_key: Any
    condition: Condition


CONFLICT = "TransactionConflict"


def transact(*writes: Put | Update | Delete | Check) -> dict[int, str]:
    """Apply every write in one transaction, or none; why each refused write was refused.

    An empty dict means everything was written. Otherwise it maps the position of each write
    the database refused to its reason: REFUSED_IN_TRANSACTION when its condition failed,
    CONFLICT when another transaction was changing the same item at that moment (nothing was
    decided about it: the caller may try again).
    """
    # PynamoDB sends condition checks, then deletes, puts and updates: keep the caller's
    # positions.
    ordered = sorted(
        range(len(writes)),
        key=lambda i: {Check: 0, Delete: 1, Put: 2, Update: 3}[type(writes[i])],
    )
    first = writes[0]
    model = first.model if isinstance(first, Check) else type(first.record)
    try:
        with TransactWrite(connection=transaction_connection(model)) as transaction:
            for index in ordered:
                write = writes[index]
                if isinstance(write, Check):
                    transaction.condition_check(
                        write.model, write.hash_key, write.range_key, condition=write.condition
                    )
                elif isinstance(write, Delete):
                    transaction.delete(write.record, condition=write.condition)
                elif isinstance(write, Put):
                    transaction.save(write.record, condition=write.condition)
                else:
                    transaction.update(
                        write.record, actions=list(write.actions), condition=write.condition
                    )
    except TransactWriteError as exc:
        if exc.cause_response_code != "TransactionCanceledException":
            raise
        reasons = {
            ordered[sent]: reason.code
            for sent, reason in enumerate(exc.cancellation_reasons)
            if reason is not None
        }
        return reasons or dict.fromkeys(range(len(writes)), CONFLICT)
    return {}


def transact_if(*writes: Put | Update | Delete | Check) -> frozenset[int]:
    """Apply every write in one transaction, or none; the positions of the writes that refused.

    An empty set means everything was written. A write that collided with another transaction
    on the same item counts as refused, like one whose condition failed: either way nothing
    was written, and the caller reads again to find out what happened.
    """
    return frozenset(transact(*writes))
