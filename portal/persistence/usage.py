"""What this process counted of its own cost, and the usage table the counts are added to.

The meter is one per process (`METER`): the web app's requests, the functions' invocations,
the emails SES accepted, and every DynamoDB request unit PynamoDB's clients used, read from
each response. Counting DynamoDB units, the rule is:

- a response that reports its ConsumedCapacity (PynamoDB asks for TOTAL on every data
  operation) counts the units it reports, as read units for a read (GetItem, BatchGetItem,
  Query, Scan, TransactGetItems) and write units for a write (PutItem, UpdateItem,
  DeleteItem, BatchWriteItem, TransactWriteItems); DynamoDB and DynamoDB Local report them;
- a response that reports none (a refused conditional write or a cancelled transaction, which
  DynamoDB still bills; moto's transactions) counts by the request: one unit per item it
  names, two per item of a transaction, as DynamoDB bills the smallest such request;
- any other error (throttled, invalid) counts nothing, as DynamoDB bills nothing for it;
  creating, describing or deleting tables is not billed per request and counts nothing.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

from pynamodb.connection import Connection
from pynamodb.signals import pre_dynamodb_send

from portal.domain.costs import Usage
from portal.persistence.tables import UsageRecord

log = logging.getLogger(__name__)

READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
# Refusals DynamoDB bills as if the write had been tried.
BILLED_REFUSALS = frozenset({"ConditionalCheckFailedException", "TransactionCanceledException"})


class Meter:
    """Counts kept in memory by one process until they are taken to be stored."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._usage = Usage()

    def add(self, usage: Usage) -> None:
        with self._lock:
            self._usage = self._usage + usage

    def take(self) -> Usage:
        """What was counted since the last take; the meter starts again from nothing."""
        with self._lock:
            taken, self._usage = self._usage, Usage()
        return taken

    def peek(self) -> Usage:
        with self._lock:
            return self._usage


METER = Meter()


def units_by_request(operation: str, params: dict[str, Any]) -> float:
    """The units of the smallest request of its kind: one per item named, two in a transaction."""
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return 2.0 * len(params.get("TransactItems", []))
    if operation == "BatchGetItem":
        return float(sum(len(t.get("Keys", [])) for t in params.get("RequestItems", {}).values()))
    if operation == "BatchWriteItem":
        return float(sum(len(requests) for requests in params.get("RequestItems", {}).values()))
    return 1.0


def reported_units(parsed: dict[str, Any]) -> float | None:
    """The units a response reports in its ConsumedCapacity; None if it reports none."""
    consumed = parsed.get("ConsumedCapacity")
    entries = consumed if isinstance(consumed, list) else [consumed] if consumed else []
    if not entries:
        return None
    return float(sum(entry.get("CapacityUnits", 0) for entry in entries))


def units_used(operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> Usage:
    """The read or write units one DynamoDB response counts, by the rule above."""
    if operation not in READS and operation not in WRITES:
        return Usage()
    error = parsed.get("Error", {}).get("Code")
    if error and error not in BILLED_REFUSALS:
        return Usage()
    units = reported_units(parsed)
    if units is None:
        units = units_by_request(operation, params)
    return Usage(read_units=units) if operation in READS else Usage(write_units=units)


_PARAMS = "portal_usage_params"


def _keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    # The request's parameters, for a response that reports no units: the request's context
    # is handed to the after-call event of the same request.
    context[_PARAMS] = params


def _count_response(parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    METER.add(units_used(model.name, context.get(_PARAMS, {}), parsed))


_hooked: weakref.WeakSet[Any] = weakref.WeakSet()
_hooking = threading.Lock()


def _hook_client(sender: Connection, **_: Any) -> None:
    """Before a PynamoDB request: have its client count what DynamoDB answers (once each)."""
    client = sender.client  # made now if it is new: the request would make it next
    if client in _hooked:
        return
    with _hooking:
        if client in _hooked:
            return
        client.meta.events.register("provide-client-params.dynamodb", _keep_params)
        client.meta.events.register("after-call.dynamodb", _count_response)
        _hooked.add(client)


def count_database_units() -> None:
    """Count the request units of every PynamoDB request this process makes from now on."""
    # PynamoDB sends its pre-request signal through blinker (a dependency of Flask); weak=False:
    # the receiver is a module function, kept for the process's life.
    pre_dynamodb_send.connect(_hook_client, weak=False)


class UsageStore:
    """The usage table: one item per hour, each process adding what it counted."""

    def add(self, month: str, hour: str, usage: Usage) -> None:
        """Add counts to the hour's item in one atomic UpdateItem (made if it is new)."""
        if usage.is_empty():
            return
        record = UsageRecord(month, hour)
        record.update(
            actions=[
                UsageRecord.requests.add(usage.requests),
                UsageRecord.invocations.add(usage.invocations),
                UsageRecord.function_ms.add(usage.function_ms),
                UsageRecord.emails.add(usage.emails),
                UsageRecord.read_units.add(usage.read_units),
                UsageRecord.write_units.add(usage.write_units),
            ]
        )

    def month(self, month: str) -> tuple[Usage, int]:
        """The month's counts so far, summed over its hours (one Query); and how many hours."""
        total = Usage()
        hours = 0
        for item in UsageRecord.query(month):
            hours += 1
            total = total + Usage(
                requests=int(item.requests),
                invocations=int(item.invocations),
                function_ms=int(item.function_ms),
                emails=int(item.emails),
                read_units=float(item.read_units),
                write_units=float(item.write_units),
            )
        return total, hours
