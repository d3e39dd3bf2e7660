"""Conditional writes that answer whether they happened, instead of raising when refused."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

REFUSED = "ConditionalCheckFailedException"


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
