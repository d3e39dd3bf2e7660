"""moto's answers, unchanged, in a fraction of the time: it remembers where a member is found.

moto 5.2 writes every response through botocore's shapes. For each member of each structure
(each of the ten kinds of a DynamoDB attribute value, say) its serializer's `get_value` makes
a context and six alias providers to list the keys that might hold the member, and tries
them; most members are absent, so every provider runs. This was over half of the time of the
unit and web tiers.

For a plain `dict` the keys listed depend only on the picker's class, the member's name, its
shape and the structure it sits in, which `_memo_key` spells out in full; `get_value` asks
moto's picker for them once per such key and then reads the dict directly. Any other object
(moto's own model classes, which may carry aliases in a `Meta`) goes through moto's
`get_value` as before.
"""

from __future__ import annotations

from typing import Any

from moto.core import serialize
from moto.core.constants import MISSING
from moto.core.utils import get_value as moto_get_value

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

# moto's own, kept for the test that compares the two.
MOTO_GET_VALUE = serialize.ResponseSerializer.get_value

_Memo = tuple[object, ...]
# The possible keys of a member, each with whether it is a dotted path (read by get_value).
_possible: dict[_Memo, tuple[tuple[str, bool], ...]] = {}
# The pickers whose keys depend on nothing but their class and the alias providers.
_PICKERS = (serialize.AttributePicker, serialize.XFormedAttributePicker)


def _memo_key(picker: serialize.AttributePicker, key: str, shape: Any) -> _Memo | None:
    """Everything the known providers read about a dict's member, or None to ask moto."""
    if shape is None or picker.alias_providers is not serialize.DEFAULT_ALIAS_PROVIDERS:
        return None
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


def get_value(self: serialize.ResponseSerializer, value: Any, key: str, shape: Any) -> Any:
    """moto's `ResponseSerializer.get_value`, remembering a dict member's possible keys."""
    picker = self._value_picker
    memo = (
        _memo_key(picker, key, shape) if type(value) is dict and type(picker) in _PICKERS else None
    )
    if memo is None:
        return MOTO_GET_VALUE(self, value, key, shape)
    # What moto's picker is given: only made when its answer is not remembered yet, or to
    # find a transformer by the member's path.
    context = None
    found = _possible.get(memo)
    if found is None:
        context = _context(self, value, key, shape)
        found = _possible[memo] = tuple((k, "." in k) for k in picker.get_possible_keys(context))
    picked = None
    for possible_key, dotted in found:
        if not dotted:
            # For a dict, moto's get_value of a key without a dot is a plain lookup.
            if possible_key in value:
                picked = value[possible_key]
                break
        elif (at_path := moto_get_value(value, possible_key, MISSING)) is not MISSING:
            picked = at_path
            break
    if picker.response_transformers:
        context = context or _context(self, value, key, shape)
        key_path = f"{context.key_path}.{context.key}"
        for transform_path, transform in picker.response_transformers.items():
            if key_path.endswith(transform_path):
                return transform(picked)
    return picked


def _context(
    serializer: serialize.ResponseSerializer, value: Any, key: str, shape: Any
) -> serialize.AttributePickerContext:
    """The context moto's `get_value` gives its picker."""
    return serialize.AttributePickerContext(
        obj=value,
        key=key,
        shape=shape,
        operation_model=serializer.operation_model,
        service_model=serializer.operation_model.service_model,
        key_path=".".join(serializer.path),
    )


def installable() -> bool:
    """Whether this moto's picker is the one `get_value` was written for."""
    return serialize.DEFAULT_ALIAS_PROVIDERS == KNOWN_PROVIDERS
