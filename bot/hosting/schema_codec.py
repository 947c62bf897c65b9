"""Faster JSON (de)serialization of botbuilder.schema models, with msrest's exact results.

msrest 0.7.1 (de)serializes every attribute of a model through layers of generic machinery: key
extractors, regex splits of the attribute map's keys, per-call copies of each attribute's
description, a fresh `Deserializer` per call, and — in `Serializer.body` — a full deserialization
round trip before serializing. For an `Activity` (40 attributes) that is ~0.2 ms to read one
and ~0.3 ms to write one: more than routing a message.

This module compiles each botbuilder.schema model's attribute map once and walks it directly. It
is deliberately narrow: it takes only the cases where the result is provably msrest's own —
plain dicts in, model instances of known classes out, msrest's own functions for every leaf value
(strings, numbers, dates, `object` payloads) — and for anything else (a dict where a model is
declared, a subclass, an unknown type, any error) it hands the call to msrest unchanged, so
errors and edge cases stay msrest's. tests/test_perf_behaviour.py compares both on many
activities.
"""

from __future__ import annotations

import copy
import datetime
import enum
from collections.abc import Callable
from typing import Any

import botbuilder.schema
from msrest.serialization import Deserializer, Model, Serializer

Decode = Callable[[Any], Any]
Encode = Callable[[Any], Any]


class _Unsupported(Exception):
    """This value is not one the fast path can prove equal to msrest's result."""


def _schema_models() -> dict[str, type]:
    """The classes msrest resolves botbuilder.schema type names with (`_infer_class_models`)."""
    return botbuilder.schema.Activity._infer_class_models()


# -- reading: dict -> model ---------------------------------------------------------------------


class FastDeserializer:
    """`Model.deserialize(data)` for botbuilder.schema models, from a plain JSON dict."""

    def __init__(self) -> None:
        self._classes = _schema_models()
        self._msrest = Deserializer(self._classes)
        self._plans: dict[type, tuple[tuple[tuple[str, str, Decode], ...], frozenset[str]]] = {}
        for cls in self._classes.values():
            if isinstance(cls, type) and issubclass(cls, Model) and self._compilable(cls):
                self._plans[cls] = ((), frozenset())
        for cls in self._plans:
            self._plans[cls] = self._compile(cls)

    @staticmethod
    def _compilable(cls: type) -> bool:
        descriptions = list(getattr(cls, "_attribute_map", {}).values())
        if not all(
            isinstance(d.get("key"), str) and isinstance(d.get("type"), str) for d in descriptions
        ):
            return False
        keys = [d["key"] for d in descriptions]
        return (
            not getattr(cls, "_validation", {})
            and not cls.__dict__.get("_subtype_map")
            and "additional_properties" not in cls._attribute_map
            and all(key and "." not in key and "\\" not in key for key in keys)
            and len(set(keys)) == len(keys)
        )

    def _compile(self, cls: type) -> tuple[tuple[tuple[str, str, Decode], ...], frozenset[str]]:
        fields = tuple(
            (attr, desc["key"], self._decoder(desc["type"]))
            for attr, desc in cls._attribute_map.items()
        )
        return fields, frozenset(desc["key"] for desc in cls._attribute_map.values())

    def _decoder(self, data_type: str) -> Decode:
        generic = self._msrest.deserialize_data
        if data_type == "str":
            # deserialize_unicode: an Enum stays, anything else becomes str(...)
            return lambda raw: raw if type(raw) is str else generic(raw, "str")
        model = self._classes.get(data_type)
        if model in self._plans:
            return lambda raw: self._model(model, raw)
        if data_type.startswith("[") and data_type.endswith("]"):
            item = self._classes.get(data_type[1:-1])
            if item in self._plans:

                def decode_list(raw: Any, item: type = item) -> list[Any]:
                    if type(raw) is not list:
                        raise _Unsupported
                    return [None if x is None else self._model(item, x) for x in raw]

                return decode_list
        return lambda raw: generic(raw, data_type)

    def _model(self, cls: type, data: Any) -> Any:
        if type(data) is not dict:
            raise _Unsupported
        fields, known = self._plans[cls]
        attrs = {}
        for attr, key, decode in fields:
            raw = data.get(key)
            attrs[attr] = None if raw is None else decode(raw)
        present = set(data.keys())  # as msrest's _build_additional_properties does it
        extra = {key: data[key] for key in present - known}
        return self._msrest._instantiate_model(cls, attrs, extra)

    def supports(self, cls: type) -> bool:
        """Whether `deserialize` takes this class on the fast path."""
        return cls in self._plans

    def deserialize(self, cls: type, data: Any) -> Any:
        """`cls.deserialize(data)`; raises `_Unsupported` (or anything) when msrest must do it."""
        return self._model(cls, data)


# -- writing: model -> dict ---------------------------------------------------------------------


class FastSerializer(Serializer):
    """An msrest `Serializer` whose `body()` writes botbuilder.schema model instances directly.

    `Serializer.body(model, "Type")` first re-reads the model through a `Deserializer` (which
    turns dicts found where a model is declared into models), validates it, then serializes it.
    For a tree of model instances of known classes the re-read changes nothing, validation can
    only fail where a basic-type conversion fails, and serializing is a walk of the attribute
    maps — which is what this does, falling back to msrest for any other input."""

    def __init__(self, classes: dict[str, type] | None = None) -> None:
        super().__init__(classes)
        self._plans: dict[type, tuple[tuple[str, str, Encode], ...]] = {}
        for cls in set(self.dependencies.values()):
            if (
                isinstance(cls, type)
                and issubclass(cls, Model)
                and FastDeserializer._compilable(cls)
            ):
                self._plans[cls] = ()
        for cls in self._plans:
            self._plans[cls] = tuple(
                (attr, desc["key"], self._encoder(desc["type"]))
                for attr, desc in cls._attribute_map.items()
            )
        self._bases = tuple(self._plans)

    def _encoder(self, data_type: str) -> Encode:
        if data_type == "str":
            unicode = Serializer.serialize_unicode
            return lambda value: value if type(value) is str else unicode(value)
        if data_type in ("bool", "int", "float"):
            convert = {"bool": bool, "int": int, "float": float}[data_type]
            return convert  # serialize_basic (JSON) and validation both do exactly this
        if data_type in ("iso-8601", "bytearray"):
            return self.serialize_type[data_type]
        if data_type == "object":
            return self._object
        if data_type == "{object}":
            return self._dict_of_objects
        if data_type == "[str]":
            return self._list_of_str
        if data_type == "[object]":
            return self._list_of_objects
        model = self.dependencies.get(data_type)
        if model in self._plans:
            return self._model
        listed = data_type.startswith("[") and data_type.endswith("]")
        if listed and self.dependencies.get(data_type[1:-1]) in self._plans:
            return self._list_of_models
        return _unsupported

    def _object(self, value: Any) -> Any:
        if hasattr(value, "_validation"):  # a model in an `object` slot: msrest validates it
            raise _Unsupported
        try:
            return json_copy(value)
        except _Unsupported:
            return self.serialize_object(value, is_xml=False)

    def _dict_of_objects(self, value: Any) -> Any:
        if type(value) is not dict or any(hasattr(v, "_validation") for v in value.values()):
            raise _Unsupported
        return self.serialize_dict(value, "object", is_xml=False)

    def _list_of_str(self, value: Any) -> Any:
        if type(value) is not list:
            raise _Unsupported
        return self.serialize_iter(value, "str", is_xml=False)

    def _list_of_objects(self, value: Any) -> list[Any]:
        if type(value) is not list:
            raise _Unsupported
        return [None if item is None else self._object(item) for item in value]

    def _list_of_models(self, value: Any) -> list[Any]:
        if type(value) is not list:
            raise _Unsupported
        return [None if item is None else self._model(item) for item in value]

    def _model(self, value: Any) -> dict[str, Any]:
        fields = self._plans.get(type(value))
        if fields is None:
            fields = self._subclass_plan(type(value))
        serialized = {}
        for attr, key, encode in fields:
            item = getattr(value, attr)
            if item is not None:
                serialized[key] = encode(item)
        return serialized

    def _subclass_plan(self, cls: type) -> tuple[tuple[str, str, Encode], ...]:
        """The plan of a subclass of a known model with its own attribute map (Teams' message
        entity): msrest writes an instance by its own class's map, and so does this."""
        known = isinstance(cls, type) and any(issubclass(cls, base) for base in self._bases)
        if not known or not FastDeserializer._compilable(cls):
            raise _Unsupported  # a dict where a model is declared, or a class we do not know
        plan = tuple(
            (attr, desc["key"], self._encoder(desc["type"]))
            for attr, desc in cls._attribute_map.items()
        )
        self._plans[cls] = plan
        return plan

    def body(self, data: Any, data_type: str, **kwargs: Any) -> Any:
        """`Serializer.body`, on the fast path for a known model instance and no options."""
        if not kwargs and self.dependencies.get(data_type) in self._plans:
            try:
                return self._model(data)
            except Exception:
                pass
        return super().body(data, data_type, **kwargs)


def _unsupported(value: Any) -> Any:
    raise _Unsupported


def json_copy(value: Any) -> Any:
    """msrest's `serialize_object` for plain JSON data (dicts with str keys, lists, str, int,
    float, bool, None — exact types): an equal copy. Raises `_Unsupported` for anything else
    (msrest turns, say, a dict subclass into its str(); that stays msrest's job)."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is dict:
        copied = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _Unsupported
            copied[key] = json_copy(item)
        return copied
    if kind is list:
        return [json_copy(item) for item in value]
    raise _Unsupported


_ATOMS = frozenset({str, int, float, bool, type(None)})
_IMMUTABLE = frozenset(
    {datetime.datetime, datetime.date, datetime.time, datetime.timedelta, datetime.timezone}
)
"""Values nothing can change, shared by a copy: deepcopy rebuilds them from `__reduce_ex__`
(an equal object, ~20 µs for an activity's timestamp)."""
_ENUM_DEEPCOPY = enum.Enum.__deepcopy__
"""An enum member's deepcopy: the member itself."""


def json_deepcopy(value: Any, memo: dict[int, Any]) -> Any:
    """`copy.deepcopy(value, memo)`, walking plain dicts and lists itself (they are what
    activities carry: cards, channel data, entities), sharing immutable values (enum members,
    dates and times) and handing anything else to deepcopy."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is dict:
        copied = memo.get(id(value))
        if copied is None:
            copied = memo[id(value)] = {}
            for key, item in value.items():
                copied[key if type(key) in _ATOMS else copy.deepcopy(key, memo)] = (
                    item if type(item) in _ATOMS else json_deepcopy(item, memo)
                )
        return copied
    if kind is list:
        copied = memo.get(id(value))
        if copied is None:
            copied = memo[id(value)] = []
            copied.extend(
                item if type(item) in _ATOMS else json_deepcopy(item, memo) for item in value
            )
        return copied
    if kind in _IMMUTABLE or getattr(kind, "__deepcopy__", None) is _ENUM_DEEPCOPY:
        return value  # `timestamp`; `type`, `text_format`, a card action's `type`
    return copy.deepcopy(value, memo)


_COPY_HOOKS = frozenset(
    {
        "__slots__",
        "__reduce__",
        "__reduce_ex__",
        "__getstate__",
        "__setstate__",
        "__getnewargs__",
        "__getnewargs_ex__",
        "__copy__",
        "__deepcopy__",
    }
)
"""What a class defines to be copied otherwise than by its `__dict__`."""


def install_model_deepcopy(classes: set[type]) -> None:
    """Give these msrest model classes a `__deepcopy__` equal to deepcopy's default (a new
    instance whose `__dict__` is a deep copy, registered in `memo` first) that walks plain
    JSON contents fast, and a `__copy__` equal to copy's default (a new instance sharing the
    `__dict__` values). Subclasses that change how they are copied (slots, pickling or copy
    hooks of their own) get the defaults; the others (an entity with a wider attribute map) are
    copied as their base is."""
    plain: dict[type, bool] = dict.fromkeys(classes, True)

    def copied_plainly(cls: type) -> bool:
        known = plain.get(cls)
        if known is None:
            known = True
            for own in cls.__mro__:  # the subclasses' own definitions, down to a model class
                if own in classes:
                    break
                if own.__dict__.keys() & _COPY_HOOKS:
                    known = False
                    break
            plain[cls] = known
        return known

    def __deepcopy__(self: Any, memo: dict[int, Any]) -> Any:
        cls = type(self)
        if not copied_plainly(cls):
            return copy._reconstruct(self, memo, *self.__reduce_ex__(4))  # type: ignore[attr-defined]
        copied = cls.__new__(cls)
        memo[id(self)] = copied
        copied.__dict__.update(json_deepcopy(self.__dict__, memo))
        return copied

    def __copy__(self: Any) -> Any:
        cls = type(self)
        if not copied_plainly(cls):
            return copy._reconstruct(self, None, *self.__reduce_ex__(4))  # type: ignore[attr-defined]
        copied = cls.__new__(cls)
        copied.__dict__.update(self.__dict__)
        return copied

    for cls in classes:
        cls.__deepcopy__ = __deepcopy__  # type: ignore[attr-defined]
        cls.__copy__ = __copy__  # type: ignore[attr-defined]


def schema_model_classes() -> set[type]:
    """botbuilder.schema's model classes (exact classes, not their subclasses)."""
    return {
        cls for cls in _schema_models().values() if isinstance(cls, type) and issubclass(cls, Model)
    }
