"""The stamp (:mod:`tat_engine.stamp`) on every HTTP answer, added in one place: an ASGI middleware.

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
from urllib.parse import parse_qsl

from ..stamp import produced_at

UNSTAMPED = ("/v1/instruments", "/v1/health")  # answers about no law
_NOT_YET = object()
HEADER = b"tat-stamp"


def install(app, law_of) -> None:
    """Stamp ``app``'s answers; ``law_of(instrument or None, choice)`` is the app's own (cached) law."""
    app.add_middleware(StampMiddleware, law_of=law_of)


class StampMiddleware:
    def __init__(self, app, law_of):
        self.app, self.law_of = app, law_of
        self._memo: dict[bytes, tuple[str, str] | None] = {}

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith("/v1/") or path in UNSTAMPED:
            return await self.app(scope, receive, send)
        state = {"start": None, "json": False, "list": None, "stamp": None}

        async def sending(message):
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    return await send(message)
                written = self._written(scope.get("query_string", b""))
                if written is None:
                    return await send(message)
                now = json.dumps(produced_at().isoformat())
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-length"]
                headers.append((HEADER, (written[0] + now + "}").encode("ascii")))
                kind = dict((k.lower(), v) for k, v in headers).get(b"content-type", b"")
                state.update(start={**message, "headers": headers}, json=kind.startswith(b"application/json"),
                             stamp=(written[1] + now + "}").encode())
                if not state["json"]:
                    await send(state["start"])
                return None
            if message["type"] != "http.response.body" or state["start"] is None or not state["json"]:
                return await send(message)
            body, more = message.get("body", b""), message.get("more_body", False)
            if state["list"] is None:  # the first piece: open the answer
                if not body.strip() and more:
                    return None  # nothing to see yet
                await send(state["start"])
                stripped = body.lstrip()
                state["list"] = not stripped.startswith(b"{")
                if not state["list"]:
                    rest = stripped[1:]
                    body = b'{"stamp": ' + state["stamp"] + (b"" if rest.lstrip().startswith(b"}") else b", ") + rest
            await send({**message, "body": body})
            return None

        await self.app(scope, receive, sending)

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
