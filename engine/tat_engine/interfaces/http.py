"""The HTTP API (``/v1/…``) and the reading room, served by one FastAPI app.

Read-only: no endpoint takes DSL. Every endpoint takes ``?instrument=`` — a shipped instrument
or a corpus ``tat serve --corpus`` loaded — and answers from that instrument's rules or refuses
with a problem naming the rule set it does not declare. Dates are written YYYY-MM-DD. Every
error has one shape, RFC 9457 problem details (``application/problem+json``, see :mod:`guard`):
a question the engine cannot read is a 400, as is a query parameter the endpoint does not take;
a point no provision bore a 404 (with the engine's answer), a field that cannot be read a 422
naming it, a body over its limit a 413, a body too slow a 408; no traceback, and no input sent
back at length. Heavy work (a ledger, a whole text) runs off the event loop in bounded pools;
answers of microseconds are answered on it. Each endpoint is a few lines over one engine call;
its JSON is the engine's answer as :mod:`serialize` tags it, written once by :func:`answer`,
and its OpenAPI schema is read from the same result types (:mod:`schema`).

    tat serve                      # http://127.0.0.1:8000/ (the reading room), /docs (OpenAPI)
"""

import asyncio
import contextlib
import datetime as dt
import difflib
import functools
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import parse_qsl

import anyio.to_thread
from attrs import frozen
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from starlette.types import Scope

from .. import load
from ..errors import QueryError, TatError, UndeclaredRules
from ..history.answers import NoSuchLabel
from ..instruments import DEFAULT, INSTRUMENTS
from ..law import Law, label as point_label
from ..messages import language, say, using
from ..model import Reading
from . import schema
from .guard import HEAD_BYTES, VALUE_CHARS, Pool, Refused, clip, die_with, install, problem_responses, protocol
from .front import Front
from .serialize import to_data

LEDGER_PATH = "/v1/costs/ledger"
MAX_LEDGER_BYTES = 20 * 1024 * 1024
MAX_BODY_BYTES = 64 * 1024  # every other body is one small JSON object
BODY_SECONDS = 30.0  # a client has this long to send its whole body (tat serve --body-timeout)
KEEP_ALIVE_SECONDS = 5  # an idle kept-alive connection is closed after this long (uvicorn)
LEDGER_PROCESSES = 2  # ledgers judged at once, each in its own process (tat serve)
LEDGER_NICENESS = 19  # the ledger processes' priority where the OS has no idle class (see _ledger_worker)
STREAM_PIECE_BYTES = 128 * 1024  # a ledger's answer is sent in pieces this long, the loop let go between them
SERVE_ENV = "TAT_SERVE"  # how `tat serve --workers N` hands its settings to each worker process
SERVE_PARENT_ENV = "TAT_SERVE_PARENT"  # and the server's process id (a worker ends with it)


@frozen
class Corpus:
    """An instrument the API serves: a shipped one (no paths) or DSL files and folders, under a name."""

    name: str
    paths: tuple[str, ...] = ()


def _iso_day(value: object) -> object:
    """A date written YYYY-MM-DD and nothing else: pydantic alone reads ``0`` as 1970-01-01 and
    ``2021-01-01T00:00`` as a date, answers to questions nobody asked."""
    if isinstance(value, str):
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError(say("write a date as YYYY-MM-DD, e.g. 2021-01-01"))
        return dt.date.fromisoformat(value)  # 2015-06-31 is refused: day is out of range for month
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise ValueError(say("write a date as YYYY-MM-DD, e.g. 2021-01-01"))


Day = Annotated[dt.date, BeforeValidator(_iso_day), Query(description="an ISO 8601 date, e.g. 2021-01-01")]
MaybeDay = Annotated[dt.date | None, BeforeValidator(_iso_day), Query(description="an ISO 8601 date, e.g. 2021-01-01")]


class CostIn(BaseModel):
    """One cost line; the ledger's columns (see tat_engine.rules.ledger). Strict: ``0`` is not false."""

    model_config = ConfigDict(strict=True)
    activity: str = Field(max_length=20)
    party: str = Field(max_length=60)  # a body's full name, e.g. "Politsei- ja Piirivalveamet"
    category: str = Field(max_length=20)
    incurred_on: str = Field(max_length=20)
    paid_on: str = Field(max_length=20)
    amount: str = Field(max_length=30)
    on_documents: bool = False
    written_proof: bool = False
    mode: str = Field("", max_length=40)
    excess: str = Field("0", max_length=30)
    note: str = Field("", max_length=500)


# --- answers: written once, described from the result types ---------------------------------


def answer(value, kept: tuple | None = None) -> Response:
    """An answer as JSON: the engine's result (or data already JSON-ready) as ``to_data`` tags it,
    written by the standard library (FastAPI's encoder walks it again, slowly). Every JSON answer of
    the API leaves through here (or :func:`_kept`, the same bytes). ``kept``: ``value`` is an object
    the law's index keeps (a point's answer on a date) and ``kept`` names that law (its corpus and
    choice), so the answer is written once per law and its bytes kept beside it (a member added per
    law, such as a stamp, stays right)."""
    if kept is None:
        return Response(_json(to_data(value)).encode(), media_type="application/json")
    return Response(_kept(value, kept), media_type="application/json")


def _kept(value, kept: tuple) -> bytes:
    """The JSON of an answer the law's index keeps, written once per law (see :func:`answer`)."""
    key = (id(value), kept)
    written = _WRITTEN.get(key)
    if written is None or written[0] is not value:  # an id is reused only once its object is gone
        written = (value, _json(to_data(value)).encode())
        while len(_WRITTEN) >= _KEPT_ANSWERS:
            _WRITTEN.pop(next(iter(_WRITTEN)))
        _WRITTEN[key] = written
    return written[1]


_json = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(…, ensure_ascii=False), its encoder made once
_json_or_text = json.JSONEncoder(ensure_ascii=False, default=str).encode
_WRITTEN: dict[tuple, tuple[object, bytes]] = {}  # (id, law) -> (the answer, its JSON): the answer kept alive with it
_KEPT_ANSWERS = 4096


SCHEMAS: dict[str, dict] = {}  # the components the result types give (schema.schema_of)
_ACT_LIST = {"type": "array", "items": {"$ref": schema.REF + "ActRef"}}
_READING = {"allOf": [{"$ref": schema.REF + "Reading"},
                      {"type": "object", "properties": {"chosen": {"type": "string", "description": "the option read"}},
                       "required": ["chosen"]}]}
_WORDS = {"anyOf": [{"type": "null"}, {"type": "array", "items": {
    "type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2,
    "description": "[op, text]: op = (kept), - (deleted) or + (inserted)"}}]}
_CHANGE = {"allOf": [{"$ref": schema.REF + "Change"},
                     {"type": "object", "properties": {"words": _WORDS}, "required": ["words"],
                      "description": "words: a word diff of a reworded point, [op, text] with op =, - or +"}]}
_CELLS = {"type": "integer", "description": "euro cents"}
_MAYBE_CELLS = {"anyOf": [_CELLS, {"type": "null"}]}
_LEDGER = {"type": "object", "required": ["summary", "lines"], "properties": {
    "summary": {"type": "object", "required": ["rows", "as_of", "totals", "indirect", "budget"], "properties": {
        "rows": {"type": "integer"}, "as_of": {"type": "string", "format": "date"},
        "totals": {"type": "array", "items": {"type": "object", "properties": {
            "activity": {"type": "string"}, "verdict": {"type": "string"}, "lines": {"type": "integer"},
            "amount_cents": _CELLS, "eligible_cents": _CELLS}}},
        "indirect": {"type": "array", "items": {"type": "object", "properties": {
            "activity": {"type": "string"}, "direct_personnel_cents": _CELLS, "rate_percent": {"type": "string"},
            "entitlement_cents": _CELLS}}},
        "budget": {"type": "array", "items": {"type": "object", "properties": {
            "activity": {"type": "string"}, "eligible_cents": _CELLS, "budget_cents": _MAYBE_CELLS,
            "esf_cents": _MAYBE_CELLS, "national_cents": _MAYBE_CELLS}}}}},
    "lines": {"type": "array", "description": "every line in order: its columns as sent, then verdict, "
              "eligible_amount and reasons", "items": {"type": "object",
                                                        "additionalProperties": {"type": ["string", "null"]}}}}}
_TEXT = {"type": "object", "required": ["on", "points"], "properties": {
    "on": {"type": "string", "format": "date"}, "assumptions": {"type": "array", "items": {"type": "string"}},
    "acts": _ACT_LIST, "preamble": {"anyOf": [{"type": "null"}, {"type": "object"}]},
    "points": {"type": "array", "items": {"type": "object", "properties": {
        "label": {"type": "string"}, "provision": {"type": "string"}, "status": {"type": "string"},
        "text": {"type": ["string", "null"]}}}},
    "repealed": {"type": "array", "items": {"type": "object"}}}}


def _ok(shape, links: dict | None = None, media: dict | None = None) -> dict:
    """The responses of an operation: its 200 answer (a result type, or a schema) and its problems."""
    described = shape if isinstance(shape, dict) else schema.schema_of(shape, SCHEMAS)
    content = {"application/json": {"schema": described}, **(media or {})}
    ok = {"description": "the answer", "content": content}
    if links:
        ok["links"] = {name: {"operationRef": "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/get",
                              "parameters": values} for name, (path, values) in links.items()}
    return {200: ok}


_returned = schema.returned


# --- the laws served ---------------------------------------------------------------------------


_LAWS: dict[tuple, Law] = {}
_KEPT = 16  # laws kept at once (each instrument with each choice of dates and readings)


def _law(corpus: Corpus, choice: tuple = ((), ())) -> Law:
    """The law of ``corpus`` with the user's supplied act dates and readings (``Choice``), kept."""
    key = (corpus, choice)
    law = _LAWS.get(key)
    if law is None:
        assume, reading = choice
        law = load(list(corpus.paths) or None, instrument=corpus.name if not corpus.paths else DEFAULT,
                   assume=dict(assume), reading=dict(reading))
        while len(_LAWS) >= _KEPT:
            _LAWS.pop(next(iter(_LAWS)))
        _LAWS[key] = law
    return law


async def _law_soon(corpus: Corpus, choice: tuple = ((), ())) -> Law:
    """The law, loaded in a worker thread the first time (a load takes a while; a lookup does not)."""
    law = _LAWS.get((corpus, choice))
    return law if law is not None else await anyio.to_thread.run_sync(_law, corpus, choice)


def _pairs(values: list[str], name: str, form: str) -> tuple[tuple[str, str], ...]:
    found = []
    for value in values:
        key, sep, chosen = value.partition("=")
        if not sep or not key.strip() or not chosen.strip():
            raise QueryError(f"{name} takes {form}, not {clip(value, VALUE_CHARS)!r}")
        found.append((key.strip(), chosen.strip()))
    return tuple(sorted(found))


Pair = Annotated[str, StringConstraints(max_length=80)]


async def _choice(reading: Annotated[list[Pair], Query(max_length=4, description=(
                "a contested reading read one way, READING=OPTION, e.g. reach-2020=from-signing "
                "(GET /v1/readings lists them); repeatable"))] = [],  # noqa: B006 (FastAPI copies defaults)
            assume: Annotated[list[Pair], Query(max_length=4, description=(
                "the real date of an act the sources date only by bounds, ACT=YYYY-MM-DD, e.g. 1-3/zz=2020-03-16; "
                "repeatable"))] = []) -> tuple:  # noqa: B006
    return (_pairs(assume, "assume", "ACT=YYYY-MM-DD"), _pairs(reading, "reading", "READING=OPTION"))


async def _language(lang: Annotated[Literal["et", "en"] | None, Query(description=(
        "the language of messages and problem details: et (eesti) or en; default: Accept-Language, else en"))] = None
                    ) -> None:
    """Declares ``lang`` on every endpoint; front.Front reads it for the whole request."""


Choice = Annotated[tuple, Depends(_choice)]


def _body_limit(path: str) -> int:
    return MAX_LEDGER_BYTES if path == LEDGER_PATH else MAX_BODY_BYTES


def _served(corpora: Iterable[Corpus]) -> dict[str, Corpus]:
    """The instruments served by name, the default first: the corpora, then the shipped ones (a corpus
    may take a shipped name)."""
    served = {corpus.name: corpus for corpus in corpora}
    return served | {name: Corpus(name) for name in INSTRUMENTS if name not in served}


# --- parameters the endpoints do not take --------------------------------------------------------


def _accepted(route: APIRoute) -> frozenset[str]:
    """The query parameters ``route`` takes, its dependencies' too."""
    names, waiting = set(), [route.dependant]
    while waiting:
        dependant = waiting.pop()
        names.update(field.alias for field in dependant.query_params)
        waiting.extend(dependant.dependencies)
    return frozenset(names)


async def _only_declared(request: Request) -> None:
    """Refuse a query parameter the endpoint does not take: ignored, ``asume=`` would answer a
    question other than the one asked."""
    route = request.scope["route"]
    accepted = getattr(route, "accepted_query", None)
    if accepted is None:
        accepted = route.accepted_query = _accepted(route)  # once per route
    unknown = [name for name in request.query_params if name not in accepted]
    if unknown:
        names = ", ".join(sorted(accepted)) or "none"
        raise Refused(400, f"this endpoint takes no query parameter {clip(unknown[0], VALUE_CHARS)!r}; "
                      f"it takes: {names}",
                      [{"location": "query", "name": clip(name, VALUE_CHARS), "detail": "not a parameter of this endpoint"}
                       for name in unknown[:8]], extra={"accepted": sorted(accepted)})


# --- a point the app keeps, answered before FastAPI's parameter solving -------------------------


POINTS_PATH = "/v1/points/"
_ASKED_ONCE = frozenset({"on", "instrument", "lang"})
_ASKED_MANY = ("assume", "reading")  # Choice: at most 4 each, of at most 80 characters


def _quick_point(served: dict[str, Corpus], default: str, scope: Scope) -> bytes | None:
    """The JSON ``GET /v1/points/{label}?on=DAY`` answers, when the app keeps it written: the query
    read as the endpoint reads it (``on``, ``instrument``, ``lang``, ``assume``, ``reading``), asked
    of a law already loaded, answered with the bytes :func:`answer` sends. ``front.Front`` asks this
    before FastAPI routes the request and solves its parameters, most of the request's time.
    None for anything else (another path or parameter, a value the endpoint refuses, ``facts_on``, a
    law not loaded yet, a label no point bore): the endpoint answers it, as before."""
    path = scope["path"]
    label = path[len(POINTS_PATH):]
    if scope["method"] != "GET" or not path.startswith(POINTS_PATH) or not label or "/" in label:
        return None
    once: dict[str, str] = {}
    many: dict[str, list[str]] = {name: [] for name in _ASKED_MANY}
    for name, value in parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True):
        if name in many and len(many[name]) < 4 and len(value) <= 80:
            many[name].append(value)
        elif name in _ASKED_ONCE and name not in once:
            once[name] = value
        else:
            return None
    instrument = once.get("instrument", default)
    if "on" not in once or instrument not in served or once.get("lang", "en") not in ("et", "en"):
        return None
    try:
        on = _iso_day(once["on"])
        choice = (_pairs(many["assume"], "assume", "ACT=YYYY-MM-DD"),
                  _pairs(many["reading"], "reading", "READING=OPTION"))
    except (ValueError, QueryError):
        return None
    kept = (served[instrument], choice)
    law = _LAWS.get(kept)
    if law is None:
        return None
    try:
        found = law.point(label, on)
    except Exception:  # noqa: BLE001 (the endpoint asks again and answers the refusal or the fault)
        return None
    return None if type(found) is NoSuchLabel else _kept(found, kept)


# --- the application --------------------------------------------------------------------


def create_app(body_seconds: float = BODY_SECONDS, ledgers: Pool | None = None, exports: Pool | None = None,
               corpora: Iterable[Corpus] = (), access_log: bool = False) -> FastAPI:
    """The API over the shipped instruments and ``corpora`` (the first corpus is the default instrument)."""
    corpora = tuple(corpora)
    served = _served(corpora)
    default = next(iter(served)) if corpora else DEFAULT
    ledgers = ledgers or Pool(slots=2, queue=4, retry_after=20)
    exports = exports or Pool(slots=2, queue=32, retry_after=1)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        await _law_soon(served[default])  # the first question does not wait for the load
        yield
        ledgers.close()
        exports.close()

    app = FastAPI(title="tat-engine", version="1", description=__doc__.split("\n\n")[0], docs_url=None,
                  redoc_url=None, lifespan=lifespan)
    install(app, SCHEMAS)
    # one pure ASGI layer: the language asked, the body limits, the stamp, the access log, the kept points
    app.add_middleware(Front, seconds=body_seconds, limit=_body_limit, access_log=access_log,
                       law_of=lambda name, choice: _law(served[name or default], choice),
                       quick=functools.partial(_quick_point, served, default))
    app.state.ledgers, app.state.exports = ledgers, exports
    _routes(app, served, default)
    _docs(app)
    return app


def _routes(app: FastAPI, served: dict[str, Corpus], default: str) -> None:
    from ..review.lint import lint as findings
    from ..rules.deadlines import deadline as count, kinds
    from ..rules.form import cost_form as cost_form_of
    from ..rules.ledger import judge_cost

    names = tuple(served)
    schema.schema_of(Reading, SCHEMAS)  # the components _READING and _CHANGE extend
    schema.schema_of(_returned(Law.diff), SCHEMAS)
    Instrument = Annotated[Literal[names], Query(description=(  # type: ignore[valid-type]
        "the instrument asked: " + ", ".join(names) + f" (default {default}); GET /v1/instruments lists them"))]
    api = APIRouter(dependencies=[Depends(_only_declared), Depends(_language)])
    body = (408, 413)

    @api.get("/v1/instruments", responses=_ok(list[str], {"acts": ("/v1/acts", {"instrument": "$response.body#/0"})}))
    async def instruments() -> Response:
        """The instruments served (the default first)."""
        return answer(list(names))

    @api.get("/v1/acts", responses=_ok(_returned(Law.acts), {"text": ("/v1/text", {"on": "$response.body#/0/in_force_from"})}))
    async def acts(choice: Choice, instrument: Instrument = default) -> Response:
        """The instrument's acts: their dates (assumed where the sources lack them) and application."""
        return answer((await _law_soon(served[instrument], choice)).acts())

    @api.get("/v1/readings", responses=_ok({"type": "array", "items": _READING}))
    async def readings(choice: Choice, instrument: Instrument = default) -> Response:
        """The contested readings of the instrument, their options with their basis, and the one chosen."""
        law = await _law_soon(served[instrument], choice)
        return answer([dict(to_data(reading), chosen=law.choice[name]) for name, reading in law.index.readings.items()])

    point_answer = {"oneOf": [schema.schema_of(_returned(Law.point), SCHEMAS),
                              schema.schema_of(_returned(Law.applicable), SCHEMAS)]}

    @api.get("/v1/points/{label}", responses={**_ok(point_answer), **problem_responses(404)})
    async def point(label: str, on: Day, choice: Choice, facts_on: MaybeDay = None,
                    instrument: Instrument = default) -> Response:
        """A point on a date (or the law of ``on`` applied to facts of ``facts_on``); 404 when no point bore the label."""
        law = await _law_soon(served[instrument], choice)
        found = law.point(label, on) if facts_on is None else law.applicable(label, facts_on, on)
        unborne = found if facts_on is None else found.answer
        if type(unborne) is NoSuchLabel:
            raise _no_such_label(unborne, on)
        return answer(found, kept=(served[instrument], choice) if facts_on is None else None)

    @api.get("/v1/text", responses={**_ok(_TEXT, {
        "point": ("/v1/points/{label}", {"label": "$response.body#/points/0/label", "on": "$request.query.on"}),
        "history": ("/v1/history/{label}", {"label": "$response.body#/points/0/label"})},
        {**{kind: {"schema": {"type": "string"}} for kind in ("text/markdown", "text/html", "application/akn+xml")},
         **{kind: {"schema": {"type": "string", "format": "binary"}} for kind in (
             "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")}}),
        **problem_responses(501)})
    async def text(request: Request, on: Day, choice: Choice,
                   format: Literal["json", "markdown", "html", "akn", "pdf", "docx"] = "json",
                   instrument: Instrument = default) -> Response:
        """The consolidated text in force on a date, with its annotations (pdf and docx: the `paper` extra, else 501)."""
        from ..errors import MissingExtra
        from .exports import FORMATS

        try:
            body = await request.app.state.exports.run(_text, served[instrument], on, format, choice, language())
        except MissingExtra as error:  # paper without its optional libraries: this server cannot, another can
            raise Refused(501, str(error)) from None
        paper = format in ("pdf", "docx")
        headers = {"Content-Disposition": f'attachment; filename="{instrument}-{on.isoformat()}.{format}"'} if paper else None
        return Response(body, media_type=FORMATS[format], headers=headers)

    @api.get("/v1/history/{label}", responses={**_ok(_returned(Law.history)), **problem_responses(404)})
    async def history(label: str, choice: Choice, instrument: Instrument = default) -> Response:
        """Every provision that bore the label, version by version; 404 when none did."""
        law = await _law_soon(served[instrument], choice)
        try:
            return answer(law.history(label))
        except QueryError:
            if "@" in label:
                raise
            point_label(label)  # a label that is no point number at all is a 400
            raise _no_such_label(NoSuchLabel(label, None, law.index.near(label, None)), None) from None

    @api.get("/v1/diff", responses=_ok({"type": "array", "items": _CHANGE}))
    async def diff(request: Request, before: Day, after: Day, choice: Choice, instrument: Instrument = default):
        """What changed from one date to another, provision by provision, with a word diff of each rewording."""
        return await request.app.state.exports.run(_diff, served[instrument], before, after, choice)

    @api.post("/v1/costs/check", responses={**_ok(_returned(judge_cost)), **problem_responses(*body)})
    async def check_cost(cost: CostIn, as_of: Day, choice: Choice, instrument: Instrument = default) -> Response:
        """One cost judged by the instrument's eligibility rules (422 naming instrument when it declares none)."""
        law = await _law_soon(served[instrument], choice)
        return answer(_judge_cost(law, cost, as_of))

    @api.get("/v1/costs/form", responses=_ok(_returned(cost_form_of)))
    async def cost_form(as_of: Day, choice: Choice, instrument: Instrument = default) -> Response:
        """What a cost form asks under the law applied on ``as_of``: activities with their parties, categories with
        the fields their rules read (the reading room's cost form; 422 naming instrument when it declares none)."""
        law = await _law_soon(served[instrument], choice)
        try:
            return answer(cost_form_of(law, as_of))
        except UndeclaredRules as error:
            raise _undeclared(error) from None

    @api.post(LEDGER_PATH, description=f"A CSV ledger as the request body, at most {MAX_LEDGER_BYTES} bytes; "
              "its lines are judged in a bounded pool (503 with Retry-After when it is full).",
              responses={**_ok(_LEDGER), **problem_responses(*body, 503)},
              openapi_extra={"requestBody": {"required": True, "description": "the ledger: a header line naming "
                                             "the columns (English or Estonian), then one line per cost",
                                             "content": {"text/csv": {"schema": {"type": "string"}}}}})
    async def check_ledger(request: Request, as_of: Day, choice: Choice, instrument: Instrument = default):
        pool = request.app.state.ledgers
        pool.admit()  # before the upload is read, not after
        corpus = served[instrument]
        await _law_soon(corpus, choice)  # a choice the law refuses is a 400 before the upload is read
        folder = Path(tempfile.mkdtemp(prefix="tat-ledger-"))
        try:
            source = folder / "ledger.csv"
            with source.open("wb") as handle:
                async for chunk in request.stream():  # front.Front counts the bytes and the time
                    handle.write(chunk)
            judged = await pool.run(_judge_ledger, source, as_of, choice, corpus, language())
        except BaseException:
            _remove_soon(folder)
            raise
        return StreamingResponse(_streamed(judged, folder), media_type="application/json")

    @api.get("/v1/deadlines", responses=_ok(_returned(kinds), {
        "deadline": ("/v1/deadlines/{kind}", {"kind": "$response.body#/0/name"})}))
    async def deadline_kinds(instrument: Instrument = default) -> Response:
        """The kinds of deadline the instrument declares (an empty list: it declares none)."""
        return answer(list(_kinds(await _law_soon(served[instrument]))))

    @api.get("/v1/deadlines/{kind}", responses=_ok(_returned(count)))
    async def deadline(kind: str, choice: Choice, trigger: MaybeDay = None, as_of: MaybeDay = None,
                       fixed_dates: Literal["move", "stay"] = "move", instrument: Instrument = default) -> Response:
        """A deadline counted under the rule in force (400 for a kind the instrument does not declare, 422 when it declares none)."""
        law = await _law_soon(served[instrument], choice)
        return answer(_count(law, kind, trigger, as_of, fixed_dates == "move"))

    @api.get("/v1/lint", responses=_ok(_returned(findings)))
    async def lint(instrument: Instrument = default, published_on: MaybeDay = None) -> Response:
        """The review findings; with ``published_on`` (a date after the 2020 act) also the published TAT
        annotations the items do not bear out (the consolidated text `tat verify` reads)."""
        law = await _law_soon(served[instrument])
        return answer(await anyio.to_thread.run_sync(_findings, law, published_on))

    app.include_router(api)

    @app.get("/v1/health", include_in_schema=False)
    async def health() -> Response:
        return Response(b'{"ok":true}', media_type="application/json")

    web = files("tat_engine") / "interfaces" / "web"
    app.mount("/static", StaticFiles(directory=str(web)), name="static")

    @app.get("/", include_in_schema=False)
    async def reading_room():
        return FileResponse(str(web / "index.html"))


def _docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the package's own copy (swagger/README.md): nothing from a CDN."""
    assets = files("tat_engine") / "interfaces" / "swagger"
    app.mount("/docs/assets", StaticFiles(directory=str(assets)), name="swagger")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="tat-engine API",
                                   swagger_js_url="/docs/assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs/assets/swagger-ui.css",
                                   swagger_favicon_url="/docs/assets/favicon-32x32.png",
                                   swagger_ui_parameters={"validatorUrl": None})


def _no_such_label(unborne: NoSuchLabel, on: dt.date | None) -> Refused:
    """A 404 whose ``answer`` member is the engine's: the label, the day, the labels near it."""
    when = f" on {on.isoformat()}" if on else ""
    near = f"; near: {', '.join(unborne.near)}" if unborne.near else ""
    return Refused(404, f"no point bore {clip(unborne.label, VALUE_CHARS)!r}{when}{near}",
                   extra={"answer": to_data(unborne)})


def _judge_cost(law: Law, cost: CostIn, as_of: dt.date):
    from ..rules.ledger import Cost, judge_cost

    try:
        return judge_cost(law, Cost(**cost.model_dump()), as_of)
    except UndeclaredRules as error:
        raise _undeclared(error) from None


def _kinds(law: Law):
    from ..rules.deadlines import kinds

    return kinds(law)


def _count(law: Law, kind: str, trigger, as_of, move_fixed: bool):
    from ..rules.deadlines import deadline as count, kinds

    try:
        return count(law, kind, trigger, as_of, move_fixed=move_fixed)
    except UndeclaredRules as error:  # no deadlines at all: the instrument cannot serve; else a kind it lacks (400)
        raise (QueryError(str(error)) if kinds(law) else _undeclared(error)) from None


def _findings(law: Law, published_on: dt.date | None):
    from ..review.lint import lint as findings

    return findings(law.index, published_on)


@lru_cache(maxsize=256)
def _text(corpus: Corpus, on: dt.date, fmt: str, choice: tuple = ((), ()), lang: str = "en") -> bytes | str:
    """The exported text of a date, kept (per language: its notes are messages): readers ask for the
    same few dates again and again."""
    from .exports import export

    law = _law(corpus, choice)
    with using(lang):
        body = export(law.index, on, fmt, law.stamp(on))
    return json.dumps(body, ensure_ascii=False) if fmt == "json" else body


def _diff(corpus: Corpus, before: dt.date, after: dt.date, choice: tuple = ((), ())) -> Response:
    changes = _law(corpus, choice).diff(before, after)
    return answer([dict(to_data(change), words=_words(change)) for change in changes])


def _judge_ledger(source: Path, as_of: dt.date, choice: tuple, corpus: Corpus, lang: str = "en") -> Path:
    """The verdicts of a CSV ledger as one JSON document, written beside it (run in a worker process,
    which does not inherit the request's language: it is passed)."""
    with using(lang):
        return _judged_ledger(source, as_of, choice, corpus)


def _judged_ledger(source: Path, as_of: dt.date, choice: tuple, corpus: Corpus) -> Path:
    from ..rules.ledger import check_ledger as run

    target = source.with_name("verdicts.parquet")
    try:
        summary = run(_law(corpus, choice), source, target, as_of, progress=False)
    except UndeclaredRules as error:
        raise _undeclared(error) from None
    except TatError as error:  # the ledger as a whole cannot be judged (its columns)
        message = str(error).replace(f"{source}: ", "").replace(str(source), "the ledger")
        raise Refused(422, message, [{"location": "ledger", "name": "", "detail": message}]) from None
    except (ValueError, OSError) as error:  # pyarrow could not read it as CSV
        reason = (str(error).splitlines() or ["unreadable"])[0]  # pyarrow quotes the row it stopped at: cut it short
        raise Refused(400, f"not a CSV ledger: {clip(reason, 100)}") from None
    answer_path = source.with_name("answer.json")
    with answer_path.open("wb") as out:
        out.write(json.dumps({"summary": _summary(summary)}, ensure_ascii=False)[:-1].encode() + b', "lines": [')
        out.write(_json_lines(target))
        out.write(b"]}")
    return answer_path


def _undeclared(error: UndeclaredRules) -> Refused:
    """The instrument asked for has no rules for the question: the query's instrument is what cannot be served."""
    return Refused(422, str(error), [{"location": "query", "name": "instrument", "detail": str(error)}])


async def _streamed(answer_path: Path, folder: Path):
    """The answer file in pieces, then its folder removed. Each piece is short and the loop is let go
    between pieces: a socket that drains as fast as it is fed never makes the server wait, and the
    whole answer (3.8 MB for 10 000 lines) would otherwise go out in one step of the loop, every
    other request waiting ~10 ms behind it."""
    try:
        with answer_path.open("rb") as answer_file:
            while piece := answer_file.read(STREAM_PIECE_BYTES):
                yield piece
                await asyncio.sleep(0)
    finally:
        _remove_soon(folder)


def _remove_soon(folder: Path) -> None:
    """Remove ``folder`` in a thread of the loop's executor, not on the loop: unlinking the upload,
    the verdicts and the answer (4.5 MB for 10 000 lines) takes ~0.6 ms, one step every point
    request waiting then would wait behind. Inline where no loop runs (a generator closed late)."""
    remove = functools.partial(shutil.rmtree, folder, ignore_errors=True)
    try:
        asyncio.get_running_loop().run_in_executor(None, remove)
    except RuntimeError:  # no running loop, or its executor shut down
        remove()


def _json_lines(verdicts: Path) -> bytes:
    """The verdict rows as JSON objects joined by commas, built column by column in Arrow: each
    distinct value of a column is written by ``json`` once (a ledger repeats its activities,
    categories, dates and reasons), and Arrow joins them into rows (a header alone writes no file)."""
    if not verdicts.exists():
        return b""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(verdicts)
    if table.num_rows == 0:
        return b""
    last = table.num_columns - 1
    members = []
    for number, name in enumerate(table.column_names):
        encoded = pc.dictionary_encode(table.column(number).combine_chunks())
        words = pa.array([_json_or_text(value)
                          for value in encoded.dictionary.to_pylist()], pa.string())
        values = pc.fill_null(words.take(encoded.indices), "null")
        key = ("{" if number == 0 else "") + _json(name) + ": "
        members.append(pc.binary_join_element_wise(key, values, "}" if number == last else "", ""))
    rows = pc.binary_join_element_wise(*members, ", ")
    return ",".join(rows.to_pylist()).encode()


def _words(change) -> list[list[str]] | None:
    """A word diff of a reworded point: ``[op, text]`` with op ``=``, ``-`` or ``+``."""
    if "reworded" not in change.kinds:
        return None
    from ..history.render import unknown_wording

    old = (change.before.text or unknown_wording()).split()
    new = (change.after.text or unknown_wording()).split()
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
        "totals": [{"activity": t.activity, "verdict": t.verdict, "lines": t.lines, "amount_cents": t.amount,
                    "eligible_cents": t.eligible} for t in summary.totals],
        "indirect": [{"activity": i.activity, "direct_personnel_cents": i.direct_personnel, "rate_percent": str(i.percent),
                      "entitlement_cents": i.entitlement} for i in summary.indirect],
        "budget": [{"activity": b.activity, "eligible_cents": b.eligible, "budget_cents": b.budget, "esf_cents": b.esf,
                    "national_cents": b.national} for b in summary.budget],
    }


# --- the server -----------------------------------------------------------------------------


@frozen
class Settings:
    """What `tat serve` was asked for; each worker process reads it from the environment."""

    body_seconds: float = BODY_SECONDS
    corpora: tuple[Corpus, ...] = ()
    access_log: bool = False
    ledger_processes: int = LEDGER_PROCESSES  # 0: ledgers in threads of the server's process

    def dumps(self) -> str:
        return json.dumps({"body_seconds": self.body_seconds, "access_log": self.access_log,
                           "corpora": [[c.name, list(c.paths)] for c in self.corpora],
                           "ledger_processes": self.ledger_processes})

    @classmethod
    def loads(cls, text: str) -> "Settings":
        data = json.loads(text)
        return cls(float(data["body_seconds"]), tuple(Corpus(name, tuple(paths)) for name, paths in data["corpora"]),
                   bool(data["access_log"]), int(data["ledger_processes"]))

    def app(self) -> FastAPI:
        """The app, judging ledgers in worker processes that have the default law loaded."""
        default = self.corpora[0] if self.corpora else Corpus(DEFAULT)
        ledgers = Pool(slots=self.ledger_processes or 2, queue=4, retry_after=20, processes=self.ledger_processes,
                       warm=functools.partial(_ledger_worker, default))
        return create_app(self.body_seconds, ledgers=ledgers, corpora=self.corpora, access_log=self.access_log)


def _ledger_worker(default: Corpus) -> None:
    """A ledger worker process starts with the default law loaded, and yields the processor to the
    server's own: a point query waits less behind a ledger being judged."""
    _in_the_background()
    _law(default)


def _in_the_background() -> None:
    """This process (and the threads it starts, Arrow's) runs on a processor only when nothing else
    wants it: Linux's idle class (SCHED_IDLE), else niceness 19.

    The idle class, not niceness 19 alone: a processor running only idle-class tasks counts as free
    when the kernel places a task that wakes, so a waking point client or the server goes to the
    judging core, where before it queued behind the server on the other (the server was preempted
    ~1 600 times a second under back-to-back uploads, ~100 idle). Point p99 under uploads, paired on
    a 2-core machine: 3.9× → 2.2× idle p99. A ledger loses only when every core is busy; on an idle
    core it runs at full speed (the ledger POST alone unchanged)."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):  # not Linux, or refused
        os.nice(LEDGER_NICENESS)


def app_from_environment() -> FastAPI:
    """The app of one worker of `tat serve --workers N` (a uvicorn factory), which ends with the server."""
    die_with(int(os.environ[SERVE_PARENT_ENV]))
    return Settings.loads(os.environ[SERVE_ENV]).app()


def server_config(host: str = "127.0.0.1", port: int = 8000, body_seconds: float = BODY_SECONDS,
                  corpora: Iterable[Corpus] = (), access_log: bool = False, workers: int = 1,
                  ledger_processes: int = LEDGER_PROCESSES):
    """uvicorn's settings for the API, every timeout explicit (the tests serve with these too)."""
    import uvicorn

    if not body_seconds > 0:
        raise QueryError(f"a body timeout is a positive number of seconds, not {body_seconds}")
    if not 1 <= workers <= 64:
        raise QueryError(f"workers is a number of processes from 1 to 64, not {workers}")
    settings = Settings(body_seconds, tuple(corpora), access_log, ledger_processes)
    if workers == 1:
        return uvicorn.Config(settings.app(), host=host, port=port, **uvicorn_settings())
    os.environ[SERVE_ENV] = settings.dumps()  # the workers are new processes: they read it there
    os.environ[SERVE_PARENT_ENV] = str(os.getpid())
    return uvicorn.Config(f"{__name__}:app_from_environment", factory=True, workers=workers, host=host, port=port,
                          **uvicorn_settings(by_name=True))


def uvicorn_settings(by_name: bool = False) -> dict:
    """The server's own settings (the benchmarks serve their bare baseline with them too): the
    protocol with a deadline on request heads and TCP_NODELAY, keep-alive and head limits."""
    return dict(http="tat_engine.interfaces.guard:HeadDeadline" if by_name else protocol(), log_level="warning",
                timeout_keep_alive=KEEP_ALIVE_SECONDS, h11_max_incomplete_event_size=HEAD_BYTES,
                timeout_graceful_shutdown=10)


def serve(host: str = "127.0.0.1", port: int = 8000, body_seconds: float = BODY_SECONDS,
          corpora: Iterable[Corpus] = (), quiet: bool = False, workers: int = 1) -> None:
    """Serve until interrupted; unless ``quiet``, say where and log each request to stderr."""
    import uvicorn

    corpora = tuple(corpora)
    for corpus in corpora:
        _law(corpus)  # a corpus with errors stops here, with its diagnostics, before anything is served
    config = server_config(host, port, body_seconds, corpora, not quiet, workers)
    if not quiet:
        shown = f"[{host}]" if ":" in host else host
        instruments = ", ".join(_served(corpora))
        print(f"tat serve: http://{shown}:{port}/ (the API at /v1/, described at /docs; instruments: {instruments}; "
              f"{workers} worker{'s' if workers > 1 else ''})", file=sys.stderr, flush=True)
    if workers == 1:
        uvicorn.Server(config).run()
        return
    from uvicorn.supervisors import Multiprocess

    Multiprocess(config, sockets=[config.bind_socket()]).run()
