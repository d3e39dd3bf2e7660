"""moto's answers, unchanged, in a fifth of the time: its attribute picker remembers its aliases.

moto 5.2 writes every response through botocore's shapes, and for each member of each
structure (each of the ten kinds of a DynamoDB attribute value, say) its picker makes six
alias providers to list the keys that might hold the member. Most members are absent, so
every provider runs; this was over half of the unit and web tiers' time.

For a plain `dict` the keys listed depend only on the member's name, its shape and the
structure it sits in, which `_memo_key` spells out in full; `fast_pick` lists them once per
such key and then reads the dict directly. Any other object (moto's own model classes, which
may carry aliases in a `Meta`) goes through moto's picker as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from moto.core import serialize
from moto.core.constants import MISSING
from moto.core.utils import get_value

# The alias providers `_memo_key` was written for, in moto's order: another list, from another
# moto, may read something the key leaves out, so the speed-up stands aside (`installable`).
KNOWN_PROVIDERS: list[type[serialize.AttributeAliasProvider]] = [
    serialize.ExplicitAlias,
    serialize.ShapeNameAlias,
    serialize.NoAlias,
    serialize.ShapePrefixAlias,
    serialize.ClassPrefixAlias,
    serialize.ModelAlias,
]

# moto's own picker, kept for the test that compares the two.
MOTO_PICK = serialize.AttributePicker.__call__

_Memo = tuple[object, ...]
# The possible keys of a member, each with whether it is a dotted path (read by get_value).
_possible: dict[_Memo, tuple[tuple[str, bool], ...]] = {}


def _memo_key(
    picker: serialize.AttributePicker, context: serialize.AttributePickerContext
) -> _Memo | None:
    """Everything the known providers read about a dict's member, or None to ask moto."""
    shape = context.shape
    if shape is None or picker.alias_providers is not serialize.DEFAULT_ALIAS_PROVIDERS:
        return None
    key = context.key
    # The picker's class too: XFormedAttributePicker adds the snake_case form of each key.
    own = (type(picker), key, shape.name, shape.type_name, shape.serialization.get("name", key))
    if not hasattr(shape, "parent"):
        return (*own, False)
    parent = shape.parent
    members = getattr(parent, "members", None)
    if not isinstance(members, dict):
        return None  # a parent moto's providers would read otherwise: do as they do
    return (
        *own,
        True,
        parent.type_name,
        parent.name,
        shape.name in members,
        key[len(parent.name) :] in members,
    )


def fast_pick(
    original: Callable[[serialize.AttributePicker, serialize.AttributePickerContext], Any],
) -> Callable[[serialize.AttributePicker, serialize.AttributePickerContext], Any]:
    """moto's `AttributePicker.__call__`, remembering a dict member's possible keys."""

    def pick(self: serialize.AttributePicker, context: serialize.AttributePickerContext) -> Any:
        obj = context.obj
        memo = _memo_key(self, context) if type(obj) is dict else None
        if memo is None:
            return original(self, context)
        found = _possible.get(memo)
        if found is None:
            keys: Iterator[str] = self.get_possible_keys(context)
            found = _possible[memo] = tuple((k, "." in k) for k in keys)
        value = None
        for possible_key, dotted in found:
            if not dotted:
                # For a dict, get_value of a key without a dot is a plain lookup.
                if possible_key in obj:
                    value = obj[possible_key]
                    break
            elif (picked := get_value(obj, possible_key, MISSING)) is not MISSING:
                value = picked
                break
        if self.response_transformers:
            key_path = f"{context.key_path}.{context.key}"
            for transform_path, transform in self.response_transformers.items():
                if key_path.endswith(transform_path):
                    return transform(value)
        return value

    return pick


def installable() -> bool:
    """Whether this moto's picker is the one `fast_pick` was written for."""
    return serialize.DEFAULT_ALIAS_PROVIDERS == KNOWN_PROVIDERS
