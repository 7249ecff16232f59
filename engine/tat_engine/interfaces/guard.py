"""What stands between a client and the HTTP API's endpoints (:mod:`tat_engine.http`).

- One error shape: every 4xx and 5xx is an RFC 9457 problem (``application/problem+json``:
  type, title, status, detail, instance; ``errors`` names the fields that could not be read),
  whichever layer refuses, with no traceback and no input sent back at length.
- Limits on what a client sends, on the bytes actually read (a chunked body has no
  Content-Length) and on the time a body and a request head take.
- Bounded pools, so heavy work (a ledger, a whole text) runs off the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable
from http import HTTPStatus

import anyio
import anyio.to_thread
from attrs import field, frozen
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope

from ..errors import TatError
from ..messages import N_, translated

DETAIL_CHARS = 300  # the longest detail an error sends back
VALUE_CHARS = 40  # the most of any one input an error sends back
HEAD_SECONDS = 10  # a client has this long to send a request's head (see protocol)
HEAD_BYTES = 16 * 1024  # a request's target and headers together (uvicorn's h11 limit for a head still arriving)
PARENT_POLL_SECONDS = 0.5  # how often a pool's worker process checks that the server that started it lives


class FieldProblem(BaseModel):
    """One field of the request that could not be read."""

    location: str = Field(description="query, path, body, header or ledger")
    name: str = Field(description="the field, e.g. on or incurred_on; empty for the body as a whole")
    detail: str


class Problem(BaseModel):
    """The body of every 4xx and 5xx answer (RFC 9457, application/problem+json)."""

    model_config = ConfigDict(extra="allow")  # RFC 9457 extension members
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str = Field(description="the path asked for")
    errors: list[FieldProblem] | None = Field(None, description="the fields that could not be read (422)")
    answer: dict | None = Field(None, description="the engine's answer where it is a refusal (404 for a label no "
                                "point bore: NoSuchLabel, with the labels near it)")
    accepted: list[str] | None = Field(None, description="the query parameters the endpoint takes (400 for one it does not)")


class Refused(HTTPException):
    """A request the API will not answer, with the fields to blame when there are some."""

    def __init__(self, status: int, detail: str, errors: list[dict] | None = None, headers: dict | None = None,
                 extra: dict | None = None):
        super().__init__(status, detail, headers)
        self.errors = errors
        self.extra = extra  # extension members of the problem (RFC 9457 section 3.2)


_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}  # RFC 9110's names
_PLAIN = {404: N_("nothing is served at this path; the API is described at /docs"),
          405: N_("this path does not take that method; the Allow header lists those it takes")}


def problem(scope: Scope, status: int, detail: str, errors: list[dict] | None = None,
            headers: dict | None = None, extra: dict | None = None) -> JSONResponse:
    body = {"type": "about:blank", "title": translated(_TITLES.get(status) or HTTPStatus(status).phrase), "status": status,
            "detail": clip(_quoted_short(detail), DETAIL_CHARS), "instance": _instance(scope), **(extra or {})}
    if errors:
        body["errors"] = [dict(error, detail=clip(_quoted_short(error["detail"]), 120)) for error in errors]
    return JSONResponse(body, status_code=status, headers=headers, media_type="application/problem+json")


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters of ``text``, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quoted_short(text: str) -> str:
    """Every quoted value in ``text`` (the engine quotes what it was given) cut to VALUE_CHARS."""
    return _QUOTED.sub(lambda found: found[1] + clip(found[2], VALUE_CHARS) + found[1], text)


_QUOTED = re.compile(r"""(['"])([^'"]{%d,})\1""" % (VALUE_CHARS + 1))


def _instance(scope: Scope) -> str:
    """The path as sent (percent-encoded), at most 60 characters: a long path is input too."""
    path = (scope.get("raw_path") or scope.get("path", "").encode()).decode("latin-1")
    if len(path) <= 60:
        return path
    cut = path[:60]
    return cut[: cut.rfind("%")] if "%" in cut[-2:] else cut


def _unechoed(text: str, request: Request) -> str:
    """``text`` with every long path or query value of ``request`` in it cut short."""
    values = [str(v) for v in request.path_params.values()] + [v for _, v in request.query_params.multi_items()]
    for value in sorted(values, key=len, reverse=True):
        if len(value) > VALUE_CHARS:
            for form in (value, repr(value)[1:-1]):
                text = text.replace(form, clip(form, VALUE_CHARS))
    return text


def _field_problems(error: RequestValidationError) -> list[dict]:
    """Pydantic's errors as location, name and reason, without the input pydantic keeps."""
    found = []
    for item in error.errors():
        where = [str(part) for part in item.get("loc", ())]
        location, name = (where[0], ".".join(where[1:])) if where else ("request", "")
        reason = item.get("msg", "invalid")
        if item.get("type") == "json_invalid":  # loc holds a character position, ctx the parser's reason
            name, reason = "", f"not JSON: {(item.get('ctx') or {}).get('error', 'invalid')} at character {name}"
        found.append({"location": location, "name": clip(name, VALUE_CHARS), "detail": clip(str(reason), 120)})
    return found


def install(app: FastAPI, schemas: dict | None = None) -> None:
    """Problems for errors on ``app`` (the body limits are :mod:`front`'s, with ``refused_by_head`` and
    ``BodyCount`` below); ``schemas`` are components the operations' answers refer to."""
    _install_problems(app)
    _describe_problems(app, {} if schemas is None else schemas)


def _install_problems(app: FastAPI) -> None:
    """One body shape for every error, whichever part of the stack refuses the request."""

    @app.exception_handler(HTTPException)
    async def refused(request: Request, error: HTTPException):
        detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
        if detail == HTTPStatus(error.status_code).phrase:
            detail = translated(_PLAIN.get(error.status_code, detail))
        return problem(request.scope, error.status_code, _unechoed(detail, request),
                       getattr(error, "errors", None), error.headers, getattr(error, "extra", None))

    @app.exception_handler(RequestValidationError)
    async def unreadable(request: Request, error: RequestValidationError):
        errors = _field_problems(error)
        detail = "; ".join(f"{e['location']} {e['name']}: {e['detail']}".replace(" :", ":") for e in errors)
        return problem(request.scope, 422, detail or translated(N_("the request could not be read")), errors)

    @app.exception_handler(TatError)
    async def bad_question(request: Request, error: TatError):
        return problem(request.scope, 400, _unechoed(str(error), request))

    @app.exception_handler(Exception)
    async def fault(request: Request, error: Exception):
        return problem(request.scope, 500, translated(N_("the server failed while answering; the failure is logged")))


def _describe_problems(app: FastAPI, components: dict) -> None:
    """The OpenAPI description declares every operation's errors as one Problem schema: those any
    operation may give, and those its own ``responses`` name (FastAPI alone gives 422 its own shape)."""

    described = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = described()
            definitions = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(definitions.pop("$defs", {}))
            schemas["Problem"] = definitions
            schemas.update(components)
            for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422 shape, replaced below
                schemas.pop(unused, None)
            for operation in (op for path in schema.get("paths", {}).values() for op in path.values()):
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)  # FastAPI's HTTPValidationError: a Problem here too
                for status, answer in problem_responses(*EVERY).items():
                    responses.setdefault(str(status), answer)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


_MEANING = {
    400: "a question the engine cannot read (a label that is no point number, a date out of range, an unknown "
         "query parameter: `accepted` lists those taken)",
    404: "nothing at this path, or no point bore the label (`answer`: the engine's NoSuchLabel with the labels near it)",
    405: "the path does not take this method (the Allow header lists those it takes)",
    408: "the request body did not arrive in time",
    413: "the request body is over its limit",
    422: "a field that could not be read (`errors` names each), or an instrument that declares no rules for the question",
    431: "the request's target and headers are too large",
    500: "the server failed while answering",
    501: "this server lacks the optional libraries the format needs (the `paper` extra)",
    503: "the server is busy with heavy requests (Retry-After says when to try again)",
}
EVERY = (400, 404, 405, 422, 431, 500)  # what any operation may answer


def problem_responses(*statuses: int) -> dict:
    """OpenAPI responses: each status a Problem (RFC 9457), with what it means here."""
    return {status: {"description": _MEANING[status], "content": {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}} for status in statuses}


# --- limits on what a client sends -------------------------------------------------
#
# Content-Length is only a promise (a chunked body has none), so every chunk the application
# receives is counted: the first chunk past the limit is a 413, a body not complete within its
# seconds of the request a 408, both closing the connection so nothing more is read (front.Front).


def refused_by_head(scope: Scope, declared: bytes, limit: int) -> Refused | None:
    """What the head alone says is too much: a head over HEAD_BYTES, a Content-Length over ``limit``."""
    head = len(scope.get("raw_path") or b"") + len(scope["query_string"])
    if head + sum(len(name) + len(value) for name, value in scope["headers"]) > HEAD_BYTES:
        return Refused(431, f"the request's target and headers are over {HEAD_BYTES} bytes",
                       headers={"Connection": "close"})
    if declared and not declared.isdigit():
        return Refused(400, "Content-Length is not a number", headers={"Connection": "close"})
    if declared and int(declared) > limit:
        return _too_large(limit)
    return None


class BodyCount:
    """What one request's body has sent so far, against its limits."""

    def __init__(self, limit: int, deadline: float, seconds: float, done: bool):
        self.limit, self.deadline, self.seconds, self.done = limit, deadline, seconds, done
        self.read = 0

    async def receive(self, receive: Receive) -> Message:
        if self.done:  # the body is complete: what is left to receive is the disconnect
            return await receive()
        try:
            with anyio.fail_after(max(self.deadline - anyio.current_time(), 0)):
                message = await receive()
        except TimeoutError:
            raise Refused(408, f"the request body did not arrive within {self.seconds:g} seconds",
                          headers={"Connection": "close"}) from None
        if message["type"] != "http.request":
            self.done = True
            return message
        self.read += len(message.get("body", b""))
        if self.read > self.limit:
            raise _too_large(self.limit)
        self.done = not message.get("more_body", False)
        return message


def _too_large(limit: int) -> Refused:
    return Refused(413, f"the request body is over {limit} bytes", headers={"Connection": "close"})


# --- heavy work off the event loop --------------------------------------------------


@frozen
class Pool:
    """Workers for heavy work, so the event loop keeps answering while a ledger is judged.

    At most ``slots`` jobs run at once and ``queue`` more wait for a slot; past that a request is
    refused with 503 and Retry-After at once. A short queue absorbs a burst without making
    clients retry; an unbounded one would let waiting uploads (up to 20 MiB each) and waiting
    connections pile up without limit, and answer them only after their clients gave up.
    With ``processes``, the jobs run in that many worker processes (started on first use, each
    first running ``warm``): judging a ledger is mostly Python, and in a thread it would hold the
    GIL the event loop needs, so every other answer would wait for it.
    """

    slots: int
    queue: int
    retry_after: int  # seconds: about how long one job takes
    processes: int = 0  # 0: threads of this process
    warm: Callable[[], None] | None = None
    limiter: anyio.CapacityLimiter = field(init=False)
    _executor: list = field(init=False, factory=list)  # the process pool, once started

    @limiter.default
    def _limiter(self) -> anyio.CapacityLimiter:
        return anyio.CapacityLimiter(self.slots)

    def admit(self) -> None:
        """Refuse now (503) when every slot is taken and the queue is full."""
        state = self.limiter.statistics()
        if state.borrowed_tokens >= state.total_tokens and state.tasks_waiting >= self.queue:
            raise Refused(503, "the server is busy with other heavy requests; try again later",
                          headers={"Retry-After": str(self.retry_after)})

    async def run(self, work, *args):
        self.admit()
        if not self.processes:
            return await anyio.to_thread.run_sync(work, *args, limiter=self.limiter)
        from concurrent.futures.process import BrokenProcessPool

        async with self.limiter:
            executor = self._processes()
            try:
                return await asyncio.get_running_loop().run_in_executor(executor, work, *args)
            except BrokenProcessPool:  # a worker died (killed, out of memory): this job fails, the next
                self._forget(executor)  # starts a new pool, not the broken one every later job would fail in
                raise

    def _processes(self):
        if not self._executor:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # spawn: a fork of a process with threads (the event loop's helpers) may inherit a held lock
            self._executor.append(ProcessPoolExecutor(self.processes, multiprocessing.get_context("spawn"),
                                                      initializer=_worker_start, initargs=(os.getpid(), self.warm)))
        return self._executor[0]

    def _forget(self, executor) -> None:
        if executor in self._executor:
            self._executor.remove(executor)
            executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the worker processes once the jobs running are done (those waiting are cancelled)."""
        while self._executor:
            self._executor.pop().shutdown(wait=True, cancel_futures=True)


def _worker_start(parent: int, warm: Callable[[], None] | None) -> None:
    """A pool's worker process: it dies with the process that started it, then runs ``warm``."""
    die_with(parent)
    if warm is not None:
        warm()


def die_with(parent: int, every: float = PARENT_POLL_SECONDS) -> None:
    """End this process as soon as ``parent`` is gone. A server killed with SIGKILL (or by the OOM
    killer) cannot shut its pool down or stop its `--workers`, which, waiting for work that never
    comes, would otherwise live on, each holding a loaded law. A thread watches the parent's pid (an
    orphan is given a new parent). Not prctl(PR_SET_PDEATHSIG): it fires when the *thread* that
    started the worker ends, and a pool may be started from a short-lived thread (a test client's)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    if os.getppid() != parent:  # gone before this process got this far
        os._exit(1)
    threading.Thread(target=watch, name="tat-parent-watch", daemon=True).start()


# --- slow request heads ---------------------------------------------------------------------


def _no_delay(transport) -> None:
    """TCP_NODELAY on every connection: asyncio sets it only on sockets it opened itself, so a
    socket handed to workers (``tat serve --workers``) would wait 40 ms for each small answer."""
    connection = transport.get_extra_info("socket")
    if connection is not None and connection.family in (socket.AF_INET, socket.AF_INET6):
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def __getattr__(name: str):
    """``HeadDeadline`` by name, so a worker process can import it (``tat serve --workers``)."""
    if name == "HeadDeadline":
        return protocol()
    raise AttributeError(name)


@functools.cache
def protocol():
    """uvicorn's h11 protocol with a deadline on the request head: uvicorn has none, so a client
    sending its headers a byte at a time, or opening a connection and sending nothing, is
    otherwise held forever (its keep-alive timer runs only between requests)."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeadDeadline(H11Protocol):
        head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            _no_delay(transport)
            self._watch_head()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._watch_head()

        def connection_lost(self, exc) -> None:
            self._stop_head_timer()
            super().connection_lost(exc)

        def _watch_head(self) -> None:
            """A timer while a request's head is awaited or half received; none once it is in."""
            if self.conn.their_state is not h11.IDLE:
                self._stop_head_timer()
            elif self.head_timer is None and not self.transport.is_closing():
                self.head_timer = self.loop.call_later(HEAD_SECONDS, self._head_too_slow)

        def _stop_head_timer(self) -> None:
            if self.head_timer is not None:
                self.head_timer.cancel()
                self.head_timer = None

        def _head_too_slow(self) -> None:
            self.head_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.close()

        def send_400_response(self, msg: str) -> None:
            """A request that is not HTTP, refused before any application sees it: a problem too."""
            body = json.dumps({"type": "about:blank", "title": "Bad Request", "status": 400,
                               "detail": "not an HTTP/1.1 request that can be read", "instance": ""}).encode()
            headers = [(b"content-type", b"application/problem+json"), (b"connection", b"close"),
                       (b"content-length", str(len(body)).encode())]
            for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"), h11.Data(data=body),
                          h11.EndOfMessage()):
                self.transport.write(self.conn.send(event))
            self.transport.close()

    return HeadDeadline
