"""The one ASGI layer in front of the HTTP API: what every request passes through, in one call.

Four things every request needs, done in one pure ASGI layer rather than four stacked ones (each
layer is a coroutine call, a wrapped ``send`` and a wrapped ``receive`` per request):

- the language of the answer (:func:`language.request_language`, for the whole request);
- the body's limits in bytes and time (:mod:`guard`: 413, 408, 431, a bad Content-Length);
- the stamp on an answer about the law (:mod:`stamping`: the ``Tat-Stamp`` header and a JSON
  object's ``stamp`` member);
- the access log (method, path, status, milliseconds), when asked for.

And one short cut: a question whose answer the app keeps written (a point on a date, see
``http._quick_point``) is answered here, without FastAPI's routing and parameter solving, which
were most of a point request's time (in-process, 180 µs a request through them, 24 µs without).
Only a question the short cut reads completely and answers with a 200 is answered so; anything
else — a refusal, a parameter it does not know, a law not loaded yet — goes to the app, which
answers it as before.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..messages import using
from .guard import BodyCount, Refused, clip, problem, refused_by_head
from .language import request_language
from .stamping import Stamps

_JSON = b"application/json"


class Front:
    """Language, body limits, stamp and access log for every request of ``app`` (see the module)."""

    def __init__(self, app: ASGIApp, seconds: float, limit: Callable[[str], int], law_of,
                 access_log: bool = False, quick: Callable[[Scope], bytes | None] | None = None):
        self.app, self.seconds, self.limit = app, seconds, limit
        self.stamps = Stamps(law_of)
        self.access_log, self.quick = access_log, quick

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with using(request_language(scope)):
            if self.access_log:
                await self._logged(scope, receive, send)
            else:
                await self._answer(scope, receive, self.stamps.on(scope, send))

    async def _logged(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The answer, then its line in the access log (refused requests too)."""
        began = time.perf_counter()
        status = 0

        async def sent(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self._answer(scope, receive, self.stamps.on(scope, sent))
        if status:
            _log(scope, status, began)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The request's body held to its limits, then the short cut's answer or the app's."""
        headers = scope["headers"]
        declared = b""
        chunked = False
        for name, value in headers:
            if name == b"content-length":
                declared = value.strip()
            elif name == b"transfer-encoding":
                chunked = True
        limit = self.limit(scope["path"])
        refusal = refused_by_head(scope, declared, limit)
        if refusal is not None:  # refused before a byte of the body is read
            await _refuse(scope, refusal, receive, send)
            return
        if not (int(declared or 0) or chunked):  # no body: nothing to count, nothing to wait for
            known = self.quick(scope) if self.quick is not None else None
            if known is not None:
                await send({"type": "http.response.start", "status": 200,
                            "headers": [(b"content-type", _JSON), (b"content-length", str(len(known)).encode())]})
                await send({"type": "http.response.body", "body": known})
                return
            await self.app(scope, receive, send)
            return
        body = BodyCount(limit, anyio.current_time() + self.seconds, self.seconds, done=False)
        await self._guarded(scope, receive, send, body)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, body: BodyCount) -> None:
        """The app, reading a body counted chunk by chunk against its limits (guard.BodyCount)."""
        started = False

        async def guarded_receive() -> Message:
            return await body.receive(receive)

        async def closing_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                answer = list(message.get("headers", []))  # answered before the body ended: close, read no more
                if not body.done and all(name.lower() != b"connection" for name, _ in answer):
                    message = {**message, "headers": [*answer, (b"connection", b"close")]}
            await send(message)

        try:
            await self.app(scope, guarded_receive, closing_send)
        except Refused as refusal:  # only reached when no handler inside answered it
            if started:
                raise
            await _refuse(scope, refusal, receive, send)


async def _refuse(scope: Scope, refusal: Refused, receive: Receive, send: Send) -> None:
    await problem(scope, refusal.status_code, refusal.detail, headers=refusal.headers)(scope, receive, send)


def _log(scope: Scope, status: int, began: float) -> None:
    """One line on stderr; the path as sent, percent-encoded, so no input can forge a line."""
    path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
    path = "".join(c if c.isprintable() and c != " " else "?" for c in clip(path, 200))
    sys.stderr.write(f"{scope['method'][:10]} {path} {status} {(time.perf_counter() - began) * 1000:.1f} ms\n")
    sys.stderr.flush()
