"""The stamp (:mod:`tat_engine.stamp`) on every HTTP answer, added in one place (:mod:`front` calls it).

A 200 answer of a ``/v1/`` endpoint about the law gets a ``Tat-Stamp`` header (the stamp as ASCII JSON),
and a JSON object gets it as its ``stamp`` member too. A JSON list stays a list (its clients, the reading
room among them, and its declared schema expect one): the header alone stamps it. The body is rewritten as
it streams (its first piece only), so a large ledger's verdicts are not held in memory; errors (problem
details) are left as they are. The stamp is
read from the query the endpoint answered: ``instrument``, ``reading``, ``assume``, the decision date
(``on``, ``as_of``, else ``trigger``) and ``facts_on``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from urllib.parse import parse_qsl

from ..stamp import produced_at

UNSTAMPED = ("/v1/instruments", "/v1/health")  # answers about no law
_NOT_YET = object()
HEADER = b"tat-stamp"


class Stamps:
    """The stamps of the questions asked, each written once (only its time differs from answer to
    answer); ``law_of(instrument or None, choice)`` is the app's own (cached) law."""

    def __init__(self, law_of):
        self.law_of = law_of
        self._memo: dict[bytes, tuple[str, str] | None] = {}

    def on(self, scope, send):
        """``send`` stamping the answer to ``scope`` where it is one about the law (itself otherwise)."""
        path = scope["path"]
        if not path.startswith("/v1/") or path in UNSTAMPED:
            return send
        query = scope.get("query_string", b"")
        held = {}  # the JSON answer's start, until its first piece shows whether it is an object

        async def stamping(message):
            if message["type"] == "http.response.start":
                written = self._written(query) if message["status"] == 200 else None
                if written is None:
                    return await send(message)
                now = _now()
                headers = [*message.get("headers", ()), (HEADER, (written[0] + now + "}").encode("ascii"))]
                kind = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if not kind.startswith(b"application/json"):  # the body as it is: its length holds
                    return await send({**message, "headers": headers})
                unsized = [(k, v) for k, v in headers if k.lower() != b"content-length"]  # its length changes
                held.update(start={**message, "headers": unsized}, stamp=(written[1] + now + "}").encode())
                return None
            if "start" not in held or message["type"] != "http.response.body":
                return await send(message)
            body, more = message.get("body", b""), message.get("more_body", False)
            if not body.strip() and more:
                return None  # nothing to see yet
            start, stamp = held.pop("start"), held.pop("stamp")
            stripped = body.lstrip()
            if stripped.startswith(b"{"):  # an object: the stamp its first member (a list stays a list)
                rest = stripped[1:]
                body = b'{"stamp": ' + stamp + (b"" if rest.lstrip().startswith(b"}") else b", ") + rest
            if not more:  # the whole answer in one piece: its length is known
                start["headers"].append((b"content-length", str(len(body)).encode()))
            await send(start)
            await send({**message, "body": body})
            return None

        return stamping

    def _written(self, query: bytes) -> tuple[str, str] | None:
        """The stamp of the answer to ``query`` as JSON (ASCII for the header, UTF-8 for the body), open
        for its ``produced_at``: made once per question asked, since only the time differs."""
        written = self._memo.get(query, _NOT_YET)
        if written is _NOT_YET:
            stamp = _stamp(self.law_of, query.decode("latin-1"))
            written = None
            if stamp is not None:
                data = {key: value for key, value in stamp.as_data().items() if key != "produced_at"}
                written = (json.dumps(data, sort_keys=True)[:-1] + ', "produced_at": ',
                           json.dumps(data, ensure_ascii=False)[:-1] + ', "produced_at": ')
            if len(self._memo) > 4096:  # bounded: the queries a server is asked are many
                self._memo.clear()
            self._memo[query] = written
        return written


def _now() -> str:
    """The time produced as JSON, written once a second (``TAT_STAMP_TIME``: the time it fixes)."""
    if os.environ.get("TAT_STAMP_TIME"):
        return json.dumps(produced_at().isoformat())
    second = int(time.time())
    if _CLOCK[0] != second:
        _CLOCK[:] = [second, json.dumps(dt.datetime.fromtimestamp(second, dt.timezone.utc).isoformat())]
    return _CLOCK[1]


_CLOCK: list = [None, ""]  # the second last written, and it as JSON


def _stamp(law_of, query: str):
    """The stamp of the answer to ``query``; None where it names no law that loads."""
    from ..errors import TatError

    asked = parse_qsl(query, keep_blank_values=True)
    first = {}
    for key, value in asked:
        first.setdefault(key, value)
    choice = (_pairs(v for k, v in asked if k == "assume"), _pairs(v for k, v in asked if k == "reading"))
    try:
        law = law_of(first.get("instrument"), choice)  # None: the app's default instrument
        decided = first.get("on") or first.get("as_of") or first.get("trigger")
        return law.stamp(dt.date.fromisoformat(decided) if decided else None,
                         dt.date.fromisoformat(first["facts_on"]) if first.get("facts_on") else None)
    except (TatError, ValueError, TypeError, KeyError):
        return None


def _pairs(values) -> tuple:
    """``KEY=VALUE`` pairs as the app's ``Choice`` holds them (sorted, stripped)."""
    found = []
    for value in values:
        key, _, chosen = value.partition("=")
        found.append((key.strip(), chosen.strip()))
    return tuple(sorted(found))
