"""Answers as JSON-ready data: every attrs value becomes a dict tagged with its type.

>>> import datetime as dt
>>> from ..model import Period
>>> to_data(Period(dt.date(2015, 7, 1), dt.date(2023, 12, 31)))
{'type': 'Period', 'first_day': '2015-07-01', 'last_day': '2023-12-31'}
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from ..messages import Message
from ..model import Label


def to_data(value):
    if isinstance(value, (Label, Message)):  # a message: written in the current language
        return str(value)
    if attrs.has(type(value)):
        data = {"type": type(value).__name__}
        for field in attrs.fields(type(value)):
            if field.eq:  # source locations are not legal content
                data[field.alias or field.name] = to_data(getattr(value, field.name))  # keyed as it is built
        return data
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [to_data(item) for item in value]
    if isinstance(value, (set, frozenset)):  # no order of its own: sorted, so the output is stable
        return sorted((to_data(item) for item in value), key=repr)
    if isinstance(value, dict):
        return {str(key): to_data(item) for key, item in value.items()}
    return value


def dumps(data) -> str:
    """JSON as the engine prints and serves it: UTF-8 text as it is, indented two spaces."""
    import json

    return json.dumps(data, ensure_ascii=False, indent=2)


def stamped(data, stamp=None):
    """``data`` as JSON-ready data with the stamp as its ``stamp`` member: an answer that is not an object
    (a list of versions, of findings) goes under ``answer`` beside it."""
    found = to_data(data)
    if stamp is None:
        return found
    if isinstance(found, dict) and "stamp" not in found:
        return {**found, "stamp": stamp.as_data()}
    return {"answer": found, "stamp": stamp.as_data()}
