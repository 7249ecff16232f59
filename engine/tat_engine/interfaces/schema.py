"""JSON Schemas of the engine's answers, read from the result types' annotations.

The API's answers are the result types as :func:`serialize.to_data` writes them, so their
OpenAPI schemas are derived from the same attrs classes, never written by hand: a field added
to a result type is in the description at once. Each class is one component named after it,
with its ``type`` tag as a constant; a union of classes is a ``oneOf`` told apart by that tag.

>>> from ..model import Period
>>> found = {}
>>> schema_of(Period, found)
{'$ref': '#/components/schemas/Period'}
>>> found["Period"]["properties"]["first_day"]
{'type': 'string', 'format': 'date'}
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from decimal import Decimal

import attrs

from ..messages import Message
from ..model import Label

REF = "#/components/schemas/"


def schema_of(kind, found: dict[str, dict]) -> dict:
    """The schema of values of ``kind`` as ``to_data`` writes them; classes go into ``found``."""
    if kind is typing.Any or kind is object:
        return {}
    if isinstance(kind, str):  # an annotation that could not be resolved: anything
        return {}
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return _union(typing.get_args(kind), found)
    if origin is typing.Literal:
        return {"enum": list(typing.get_args(kind))}
    if origin in (list, tuple, set, frozenset) or kind in (list, tuple, set, frozenset):
        return _array(kind, found)
    if origin is dict or kind is dict:
        args = typing.get_args(kind)
        return {"type": "object", "additionalProperties": schema_of(args[1], found) if args else {}}
    return _plain(kind, found)


def _plain(kind, found: dict[str, dict]) -> dict:
    if kind is Label or kind is str:
        return {"type": "string"}
    if kind is Message:  # written as text in the language asked (serialize.to_data)
        return {"type": "string", "description": "a message for people, in the language asked (lang)"}
    if kind is bool:
        return {"type": "boolean"}
    if kind is int:
        return {"type": "integer"}
    if kind is float:
        return {"type": "number"}
    if kind is type(None):
        return {"type": "null"}
    if kind is dt.datetime:
        return {"type": "string", "format": "date-time"}
    if kind is dt.date:
        return {"type": "string", "format": "date"}
    if kind is Decimal:
        return {"type": "string", "description": "a decimal number, e.g. 2500.00"}
    if isinstance(kind, type) and attrs.has(kind):
        return _component(kind, found)
    return {}


def _array(kind, found: dict[str, dict]) -> dict:
    args = [arg for arg in typing.get_args(kind) if arg is not Ellipsis]
    if not args:
        return {"type": "array"}
    items = schema_of(args[0], found) if len(args) == 1 else _union(tuple(args), found)
    return {"type": "array", "items": items}


def _union(members: tuple, found: dict[str, dict]) -> dict:
    schemas, nullable = [], False
    for member in members:
        if member is type(None):
            nullable = True
        else:
            schema = schema_of(member, found)
            if schema not in schemas:
                schemas.append(schema)
    if {} in schemas:
        return {}
    tagged = all(isinstance(m, type) and attrs.has(m) for m in members if m is not type(None))
    one = schemas[0] if len(schemas) == 1 else ({"oneOf": schemas} if tagged else {"anyOf": schemas})
    return {"anyOf": [one, {"type": "null"}]} if nullable else one


def _component(cls: type, found: dict[str, dict]) -> dict:
    """The class as a component (once), every field ``to_data`` writes required."""
    name = cls.__name__
    if name not in found:
        found[name] = {}  # a placeholder first: a class may contain itself
        hints = _hints(cls)
        written = [f for f in attrs.fields(cls) if f.eq]
        properties = {"type": {"const": name}}
        properties.update({f.name: schema_of(hints.get(f.name, typing.Any), found) for f in written})
        found[name] = {"title": name, "type": "object", "properties": properties,
                       "required": ["type", *(f.name for f in written)]}
        doc = (cls.__doc__ or "").strip().split("\n\n")[0]
        if doc and not doc.startswith(name + "("):
            found[name]["description"] = " ".join(doc.split())
    return {"$ref": REF + name}


def _hints(cls: type) -> dict:
    """The fields' types; a class whose annotations cannot be resolved has its fields left open."""
    try:
        return typing.get_type_hints(cls)
    except NameError:  # a name only a type checker sees
        return {}


def returned(function) -> object:
    """The type ``function`` says it returns."""
    return typing.get_type_hints(function).get("return", typing.Any)
