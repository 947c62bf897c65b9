"""jsonpickle's flattening of bot state, ~8x faster: conversation state and what a dialog in
progress keeps (its instances, the prompt's activities, their enums) are plain objects,
containers and values, and for those the JSON data, references included, is jsonpickle's own
(tests/test_turn_cost.py checks it against `Pickler().flatten` on sample states and on a real
walkthrough's). Anything else is left to jsonpickle."""

from __future__ import annotations

from enum import Enum
from functools import lru_cache
from typing import Any

from jsonpickle import handlers, tags, util


class NotFlat(Exception):
    """A value this flattener leaves to jsonpickle."""


_RESERVED = frozenset(tags.RESERVED)


@lru_cache(maxsize=256)
def _kind_of(cls: type) -> str | None:
    """How jsonpickle flattens instances of `cls`: "enum" (a reduce of its value), "object"
    (its class name and `__dict__`), or None (anything else: left to jsonpickle)."""
    if handlers.get(cls, handlers.get(util.importable_name(cls))) is not None:
        return None
    if issubclass(cls, Enum):
        reduce_ex = getattr(cls, "__reduce_ex__", None)
        return "enum" if reduce_ex is Enum.__reduce_ex__ else None
    if cls.__getstate__ is not object.__getstate__ or hasattr(cls, "__setstate__"):
        return None
    for name in ("__getnewargs__", "__getnewargs_ex__", "__getinitargs__", "_jsonpickle_exclude"):
        if hasattr(cls, name):
            return None
    if any(
        "__reduce__" in vars(base) or "__reduce_ex__" in vars(base) or "__slots__" in vars(base)
        for base in cls.__mro__[:-1]
    ):
        return None
    if issubclass(cls, (dict, list, tuple, set, str, bytes, int, float)):
        return None
    return "object"


class Flattener:
    """`Pickler().flatten(value)` for dicts, lists, tuples, plain values, enum members and
    plain objects (no custom state, reduce or slots): the same JSON data, references
    (`py/id`) numbered as jsonpickle numbers them. Raises `NotFlat` for anything else."""

    def __init__(self) -> None:
        self._ids: dict[int, int] = {}

    def flatten(self, value: Any) -> Any:
        """The value as jsonpickle flattens it."""
        kind = type(value)
        if kind is str or kind is int or kind is float or kind is bool or value is None:
            return value
        if kind is tuple:
            return {tags.TUPLE: [self.flatten(v) for v in value]}
        if kind is dict or kind is list:
            seen = self._seen(value)
            if seen is not None:
                return seen
            if kind is list:
                return [self.flatten(v) for v in value]
            return self._items(value, {})
        how = _kind_of(kind)
        if how is None or (how == "object" and getattr(value, "__dict__", None) is None):
            raise NotFlat
        seen = self._seen(value)
        if seen is not None:
            return seen
        if how == "enum":
            return {
                tags.REDUCE: [
                    {tags.TYPE: util.importable_name(kind)},
                    {tags.TUPLE: [self.flatten(value._value_)]},
                ]
            }
        return self._items(vars(value), {tags.OBJECT: util.importable_name(kind)})

    def _seen(self, value: Any) -> dict[str, int] | None:
        """A reference to a container or object met before (None: first met, now numbered)."""
        number = self._ids.get(id(value))
        if number is not None:
            return {tags.ID: number}
        self._ids[id(value)] = len(self._ids)
        return None

    def _items(self, items: dict[Any, Any], into: dict[str, Any]) -> dict[str, Any]:
        """The items flattened into `into`; a key jsonpickle would write otherwise (not a
        string, or one of its tags) or a callable value (which it leaves out) is left to it."""
        for key, item in items.items():
            if type(key) is not str or key in _RESERVED or callable(item):
                raise NotFlat
            into[key] = self.flatten(item)
        return into
