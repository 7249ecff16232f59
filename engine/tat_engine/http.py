"""The HTTP API (``/v1/…``) and the reading room, served by one FastAPI app.

Read-only over the shipped instruments: no endpoint takes DSL. Dates are ISO
8601. Every error has one shape, RFC 9457 problem details
(``application/problem+json``): a question the engine cannot read is a 400, a
field that cannot be read a 422 naming it, a body over its limit a 413, a body
too slow a 408; no traceback, and no input sent back at length. Heavy work (a
ledger, a whole text) runs off the event loop in bounded pools. Each endpoint
is a few lines over one engine call; JSON shapes are the engine's answers as
:mod:`serialize` tags them.

    tat serve                      # http://127.0.0.1:8000/ (the reading room), /docs (OpenAPI)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import difflib
import json
import tempfile
from collections import Counter
from functools import lru_cache
from http import HTTPStatus
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Literal

import anyio
import anyio.to_thread
from attrs import field, frozen
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import load
from .errors import TatError
from .law import Law
from .instruments import INSTRUMENTS
from .serialize import to_data

LEDGER_PATH = "/v1/costs/ledger"
MAX_LEDGER_BYTES = 20 * 1024 * 1024
MAX_BODY_BYTES = 64 * 1024  # every other body is one small JSON object
BODY_SECONDS = 30.0  # a client has this long to send its whole body (tat serve --body-timeout)
HEAD_SECONDS = 10  # ... and this long to send a request's head (uvicorn, see serve)
KEEP_ALIVE_SECONDS = 5  # an idle kept-alive connection is closed after this long (uvicorn)
DETAIL_CHARS = 300  # the longest detail an error sends back
VALUE_CHARS = 40  # the most of any one input an error sends back
Instrument = Annotated[Literal[tuple(INSTRUMENTS)], Query(description="the shipped instrument")]  # type: ignore[valid-type]
Day = Annotated[dt.date, Query(description="an ISO 8601 date, e.g. 2021-01-01")]


class CostIn(BaseModel):
    """One cost line; the ledger's columns (see tat_engine.ledger)."""

    activity: str = Field(max_length=20)
    party: str = Field(max_length=20)
    category: str = Field(max_length=20)
    incurred_on: str = Field(max_length=20)
    paid_on: str = Field(max_length=20)
    amount: str = Field(max_length=30)
    on_documents: bool = False
    written_proof: bool = False
    mode: str = Field("", max_length=40)
    excess: str = Field("0", max_length=30)
    note: str = Field("", max_length=500)


# --- problems (RFC 9457) ---------------------------------------------------------


class FieldProblem(BaseModel):
    """One field of the request that could not be read."""

    location: str = Field(description="query, path, body, header or ledger")
    name: str = Field(description="the field, e.g. on or incurred_on; empty for the body as a whole")
    detail: str


class Problem(BaseModel):
    """The body of every 4xx and 5xx answer (RFC 9457, application/problem+json)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str = Field(description="the path asked for")
    errors: list[FieldProblem] | None = Field(None, description="the fields that could not be read (422)")


class Refused(HTTPException):
    """A request the API will not answer, with the fields to blame when there are some."""

    def __init__(self, status: int, detail: str, errors: list[dict] | None = None, headers: dict | None = None):
        super().__init__(status, detail, headers)
        self.errors = errors


_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}  # RFC 9110's names
_PLAIN = {404: "nothing is served at this path; the API is described at /docs",
          405: "this path does not take that method; the Allow header lists those it takes"}


def problem(scope: Scope, status: int, detail: str, errors: list[dict] | None = None,
            headers: dict | None = None) -> JSONResponse:
    body = {"type": "about:blank", "title": _TITLES.get(status) or HTTPStatus(status).phrase, "status": status,
            "detail": clip(detail, DETAIL_CHARS), "instance": _instance(scope)}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers, media_type="application/problem+json")


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters of ``text``, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def _install_problems(app: FastAPI) -> None:
    """One body shape for every error, whichever part of the stack refuses the request."""

    @app.exception_handler(HTTPException)
    async def refused(request: Request, error: HTTPException):
        detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
        if detail == HTTPStatus(error.status_code).phrase:
            detail = _PLAIN.get(error.status_code, detail)
        return problem(request.scope, error.status_code, _unechoed(detail, request),
                       getattr(error, "errors", None), error.headers)

    @app.exception_handler(RequestValidationError)
    async def unreadable(request: Request, error: RequestValidationError):
        errors = _field_problems(error)
        detail = "; ".join(f"{e['location']} {e['name']}: {e['detail']}".replace(" :", ":") for e in errors)
        return problem(request.scope, 422, detail or "the request could not be read", errors)

    @app.exception_handler(TatError)
    async def bad_question(request: Request, error: TatError):
        return problem(request.scope, 400, _unechoed(str(error), request))

    @app.exception_handler(Exception)
    async def fault(request: Request, error: Exception):
        return problem(request.scope, 500, "the server failed while answering; the failure is logged")


def _describe_problems(app: FastAPI) -> None:
    """The OpenAPI description says every 4xx and 5xx is a Problem (FastAPI alone would say 422 is its own shape)."""

    described = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = described()
            definitions = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(definitions.pop("$defs", {}))
            schemas["Problem"] = definitions
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


_PROBLEM = {"description": "a problem (RFC 9457)",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


# --- limits on what a client sends -------------------------------------------------


class BodyGuard:
    """Limits on the bytes a request body actually sends and on the time it takes, at the ASGI level.

    Content-Length is only a promise (a chunked body has none), so every chunk the application
    receives is counted: the first chunk past the limit is a 413, a body not complete within
    ``seconds`` of the request a 408, both closing the connection so nothing more is read.
    """

    def __init__(self, app: ASGIApp, seconds: float = BODY_SECONDS):
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = MAX_LEDGER_BYTES if scope["path"] == LEDGER_PATH else MAX_BODY_BYTES
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"").strip()
        if declared and (not declared.isdigit() or int(declared) > limit):
            refusal = _too_large(limit) if declared.isdigit() else Refused(400, "Content-Length is not a number")
            await problem(scope, refusal.status_code, refusal.detail, headers=refusal.headers)(scope, receive, send)
            return
        body = _Body(limit, anyio.current_time() + self.seconds, self.seconds,
                     done=not (int(declared or 0) or b"transfer-encoding" in headers))
        started = False

        async def guarded_receive() -> Message:
            return await body.receive(receive)

        async def closing_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))  # answered before the body ended: close, read no more
                if not body.done and all(name.lower() != b"connection" for name, _ in headers):
                    message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        try:
            await self.app(scope, guarded_receive, closing_send)
        except Refused as refusal:  # only reached when no handler inside answered it
            if started:
                raise
            await problem(scope, refusal.status_code, refusal.detail, headers=refusal.headers)(scope, receive, send)


class _Body:
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
    """Threads for heavy work, so the event loop keeps answering while a ledger is judged.

    At most ``slots`` jobs run at once and ``queue`` more wait for a slot; past that a request is
    refused with 503 and Retry-After at once. A short queue absorbs a burst without making
    clients retry; an unbounded one would let waiting uploads (up to 20 MiB each) and waiting
    connections pile up without limit, and answer them only after their clients gave up.
    """

    slots: int
    queue: int
    retry_after: int  # seconds: about how long one job takes
    limiter: anyio.CapacityLimiter = field(init=False)

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
        return await anyio.to_thread.run_sync(work, *args, limiter=self.limiter)


# --- the application --------------------------------------------------------------------


@lru_cache(maxsize=8)
def _law(instrument: str) -> Law:
    return load(instrument=instrument)


def _json(data) -> Response:
    """JSON written once by the standard library (FastAPI's encoder walks it again, slowly)."""
    return Response(json.dumps(data, ensure_ascii=False), media_type="application/json")


def create_app(body_seconds: float = BODY_SECONDS, ledgers: Pool | None = None, exports: Pool | None = None) -> FastAPI:
    app = FastAPI(title="tat-engine", version="1", description=__doc__.split("\n\n")[0],
                  responses={"4XX": _PROBLEM, "5XX": _PROBLEM})
    app.add_middleware(BodyGuard, seconds=body_seconds)
    app.state.ledgers = ledgers or Pool(slots=2, queue=4, retry_after=20)
    app.state.exports = exports or Pool(slots=2, queue=32, retry_after=1)
    _install_problems(app)
    _describe_problems(app)

    @app.get("/v1/instruments")
    def instruments() -> list[str]:
        return list(INSTRUMENTS)

    @app.get("/v1/acts")
    def acts(instrument: Instrument = "tat"):
        return _json(to_data(_law(instrument).acts()))

    @app.get("/v1/points/{label}")
    def point(label: str, on: Day, facts_on: Annotated[dt.date | None, Query()] = None, instrument: Instrument = "tat"):
        law = _law(instrument)
        if facts_on is not None:
            return _json(to_data(law.applicable(label, facts_on, on)))
        return _json(to_data(law.point(label, on)))

    @app.get("/v1/text", responses={200: {"content": {t: {} for t in ("text/markdown", "text/html", "application/akn+xml")}}})
    async def text(request: Request, on: Day, format: Literal["json", "markdown", "html", "akn"] = "json",
                   instrument: Instrument = "tat"):
        from .exports import FORMATS

        body = await request.app.state.exports.run(_text, instrument, on, format)
        return Response(body, media_type=FORMATS[format])

    @app.get("/v1/history/{label}")
    def history(label: str, instrument: Instrument = "tat"):
        return _json(to_data(_law(instrument).history(label)))

    @app.get("/v1/diff")
    async def diff(request: Request, before: Day, after: Day, instrument: Instrument = "tat"):
        return await request.app.state.exports.run(_diff, instrument, before, after)

    @app.post("/v1/costs/check")
    def check_cost(cost: CostIn, as_of: Day):
        from .ledger import Cost, judge_cost

        return _json(to_data(judge_cost(_law("tat"), Cost(**cost.model_dump()), as_of)))

    @app.post(LEDGER_PATH, description=f"A CSV ledger as the request body, at most {MAX_LEDGER_BYTES} bytes; "
              "its lines are judged in a bounded pool (503 with Retry-After when it is full).",
              openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}})
    async def check_ledger(request: Request, as_of: Day):
        pool = request.app.state.ledgers
        pool.admit()  # before the upload is read, not after
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "ledger.csv"
            with source.open("wb") as handle:
                async for chunk in request.stream():  # BodyGuard counts the bytes and the time
                    handle.write(chunk)
            pieces = await pool.run(_judge_ledger, source, as_of)
        return StreamingResponse(_sent(pieces), media_type="application/json")  # in pieces: no long write on the loop

    @app.get("/v1/deadlines")
    def deadline_kinds():
        from .deadlines import KINDS

        return _json(to_data(list(KINDS)))

    @app.get("/v1/deadlines/{kind}")
    def deadline(kind: str, trigger: Annotated[dt.date | None, Query()] = None,
                 as_of: Annotated[dt.date | None, Query()] = None, fixed_dates: Literal["move", "stay"] = "move"):
        from .deadlines import deadline as count

        return _json(to_data(count(_law("tat"), kind, trigger, as_of, move_fixed=fixed_dates == "move")))

    @app.get("/v1/lint")
    def lint(instrument: Instrument = "tat"):
        from .lint import lint as findings

        return _json(to_data(findings(_law(instrument).index, dt.date(2021, 1, 1) if instrument == "tat" else None)))

    @app.get("/v1/health", include_in_schema=False)
    def health():
        return {"ok": True}

    web = files("tat_engine") / "web"
    app.mount("/static", StaticFiles(directory=str(web)), name="static")

    @app.get("/", include_in_schema=False)
    def reading_room():
        return FileResponse(str(web / "index.html"))

    return app


@lru_cache(maxsize=256)
def _text(instrument: str, on: dt.date, fmt: str) -> bytes | str:
    """The exported text of a date, kept: readers ask for the same few dates again and again."""
    from .exports import export

    body = export(_law(instrument).index, on, fmt)
    return json.dumps(body, ensure_ascii=False) if fmt == "json" else body


def _diff(instrument: str, before: dt.date, after: dt.date) -> Response:
    changes = _law(instrument).diff(before, after)
    return _json([dict(to_data(change), words=_words(change)) for change in changes])


def _judge_ledger(source: Path, as_of: dt.date) -> list[bytes]:
    """The verdicts of a CSV ledger as one JSON document in pieces (run in a worker thread)."""
    from .ledger import check_ledger as run

    target = source.with_name("verdicts.parquet")  # written by pyarrow without holding the GIL
    try:
        summary = run(_law("tat"), source, target, as_of, progress=False)
    except TatError as error:  # the ledger as a whole cannot be judged (its columns)
        message = str(error).replace(f"{source}: ", "").replace(str(source), "the ledger")
        raise Refused(422, message, [{"location": "ledger", "name": "", "detail": clip(message, 120)}]) from None
    except KeyError:  # pyarrow refuses a column named twice; the ledger module lets it through
        twice = _named_twice(source)
        if not twice:
            raise
        raise Refused(422, f"the ledger's header names {', '.join(repr(clip(n, VALUE_CHARS)) for n in twice)} "
                      "more than once; each column needs its own name",
                      [{"location": "ledger", "name": clip(n, VALUE_CHARS), "detail": "column named more than once"}
                       for n in twice]) from None
    except (ValueError, OSError) as error:  # pyarrow could not read it as CSV
        reason = (str(error).splitlines() or ["unreadable"])[0]  # pyarrow quotes the row it stopped at: cut it short
        raise Refused(400, f"not a CSV ledger: {clip(reason, 100)}") from None
    head = json.dumps({"summary": _summary(summary)}, ensure_ascii=False)[:-1]
    return [f'{head}, "lines": ['.encode(), *_json_rows(target), b"]}"]


async def _sent(pieces: list[bytes]):
    for piece in pieces:
        yield piece


def _json_rows(verdicts: Path):
    """The verdict rows as JSON objects, comma-separated, a few thousand at a time: each short
    call lets the event loop's thread take the GIL between them (a header alone writes no file)."""
    if not verdicts.exists():
        return
    import pyarrow.parquet as pq

    comma = b""
    for batch in pq.ParquetFile(verdicts).iter_batches(batch_size=4096):
        yield comma + ",".join(json.dumps(row, ensure_ascii=False) for row in batch.to_pylist()).encode()
        comma = b","


def _named_twice(source: Path) -> list[str]:
    import pyarrow.csv as pacsv

    try:
        names = pacsv.open_csv(source).schema.names
    except (ValueError, OSError):
        return []
    return [name for name, count in Counter(names).items() if count > 1]


def _words(change) -> list[list[str]] | None:
    """A word diff of a reworded point: ``[op, text]`` with op ``=``, ``-`` or ``+``."""
    if "reworded" not in change.kinds:
        return None
    old = (change.before.text or "[wording not in the sources]").split()
    new = (change.after.text or "[wording not in the sources]").split()
    ops = []
    for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(["=", " ".join(old[a1:a2])])
            continue
        if a2 > a1:
            ops.append(["-", " ".join(old[a1:a2])])
        if b2 > b1:
            ops.append(["+", " ".join(new[b1:b2])])
    return ops


def _summary(summary) -> dict:
    return {
        "rows": summary.rows, "as_of": summary.law_on.isoformat(),
        "totals": [{"activity": a, "verdict": v, "lines": n, "amount_cents": amount, "eligible_cents": good}
                   for (a, v), (n, amount, good) in sorted(summary.totals.items())],
        "indirect": [{"activity": a, "direct_personnel_cents": c, "rate_percent": str(p), "entitlement_cents": e}
                     for a, (c, p, e) in summary.indirect.items()],
        "budget": [{"activity": a, "eligible_cents": good, "budget_cents": total, "esf_cents": esf, "national_cents": national}
                   for a, (good, total, esf, national) in summary.budget.items()],
    }


# --- the server -----------------------------------------------------------------------------


def _protocol():
    """uvicorn's h11 protocol with a deadline on the request head: uvicorn has none, so a client
    sending its headers a byte at a time, or opening a connection and sending nothing, is
    otherwise held forever (its keep-alive timer runs only between requests)."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeadDeadline(H11Protocol):
        head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
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

    return HeadDeadline


def serve(host: str = "127.0.0.1", port: int = 8000, body_seconds: float = BODY_SECONDS) -> None:
    import uvicorn

    uvicorn.run(create_app(body_seconds), host=host, port=port, log_level="warning", http=_protocol(),
                timeout_keep_alive=KEEP_ALIVE_SECONDS, h11_max_incomplete_event_size=16 * 1024,
                timeout_graceful_shutdown=10)
