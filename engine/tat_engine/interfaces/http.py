"""The HTTP API (``/v1/…``) and the reading room, served by one FastAPI app.

Read-only over the shipped instruments: no endpoint takes DSL. Dates are
written YYYY-MM-DD. Every error has one shape, RFC 9457 problem details
(``application/problem+json``, see :mod:`guard`): a question the engine cannot
read is a 400, a field that cannot be read a 422 naming it, a body over its
limit a 413, a body too slow a 408; no traceback, and no input sent back at
length. Heavy work (a ledger, a whole text) runs off the event loop in bounded
pools. Each endpoint
is a few lines over one engine call; JSON shapes are the engine's answers as
:mod:`serialize` tags them.

    tat serve                      # http://127.0.0.1:8000/ (the reading room), /docs (OpenAPI)
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import tempfile
from collections import Counter
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import FileResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from .. import load
from ..errors import QueryError, TatError, UndeclaredRules
from .guard import HEAD_BYTES, PROBLEM_RESPONSES, VALUE_CHARS, Pool, Refused, clip, install, protocol
from ..law import Law
from ..messages import language, say, using
from .language import Speaking
from ..instruments import INSTRUMENTS
from .serialize import to_data

LEDGER_PATH = "/v1/costs/ledger"
MAX_LEDGER_BYTES = 20 * 1024 * 1024
MAX_BODY_BYTES = 64 * 1024  # every other body is one small JSON object
BODY_SECONDS = 30.0  # a client has this long to send its whole body (tat serve --body-timeout)
KEEP_ALIVE_SECONDS = 5  # an idle kept-alive connection is closed after this long (uvicorn)
Instrument = Annotated[Literal[tuple(INSTRUMENTS)], Query(description="the shipped instrument")]  # type: ignore[valid-type]


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


def _links(extra: dict | None = None, **targets: tuple[str, dict]) -> dict:
    """A 200 answer whose values other operations take (OpenAPI links, walked by stateful tests)."""
    links = {name: {"operationRef": "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/get", "parameters": values}
             for name, (path, values) in targets.items()}
    return {200: {"description": "Successful Response", **(extra or {}), "links": links}}


# --- the application --------------------------------------------------------------------


@lru_cache(maxsize=16)
def _law(instrument: str, choice: tuple = ((), ())) -> Law:
    """The law of ``instrument`` with the user's supplied act dates and readings (``Choice``)."""
    assume, reading = choice
    return load(instrument=instrument, assume=dict(assume), reading=dict(reading))


def _pairs(values: list[str], name: str, form: str) -> tuple[tuple[str, str], ...]:
    found = []
    for value in values:
        key, sep, chosen = value.partition("=")
        if not sep or not key.strip() or not chosen.strip():
            raise QueryError(f"{name} takes {form}, not {clip(value, VALUE_CHARS)!r}")
        found.append((key.strip(), chosen.strip()))
    return tuple(sorted(found))


Pair = Annotated[str, StringConstraints(max_length=80)]


def _choice(reading: Annotated[list[Pair], Query(max_length=4, description=(
                "a contested reading read one way, READING=OPTION, e.g. reach-2020=from-signing "
                "(GET /v1/acts lists them); repeatable"))] = [],  # noqa: B006 (FastAPI copies defaults)
            assume: Annotated[list[Pair], Query(max_length=4, description=(
                "the real date of an act the sources date only by bounds, ACT=YYYY-MM-DD, e.g. 1-3/zz=2020-03-16; "
                "repeatable"))] = [],  # noqa: B006
            lang: Annotated[Literal["et", "en"] | None, Query(description=(
                "the language of messages and problem details: et (eesti) or en; default: Accept-Language, "
                "else en"))] = None) -> tuple:  # read by language.Speaking, for the whole request
    return (_pairs(assume, "assume", "ACT=YYYY-MM-DD"), _pairs(reading, "reading", "READING=OPTION"))


Choice = Annotated[tuple, Depends(_choice)]


def _body_limit(path: str) -> int:
    return MAX_LEDGER_BYTES if path == LEDGER_PATH else MAX_BODY_BYTES


def _json(data) -> Response:
    """JSON written once by the standard library (FastAPI's encoder walks it again, slowly)."""
    return Response(json.dumps(data, ensure_ascii=False), media_type="application/json")


def create_app(body_seconds: float = BODY_SECONDS, ledgers: Pool | None = None, exports: Pool | None = None) -> FastAPI:
    app = FastAPI(title="tat-engine", version="1", description=__doc__.split("\n\n")[0], responses=PROBLEM_RESPONSES)
    install(app, body_seconds, _body_limit)
    app.add_middleware(Speaking)  # outermost: every answer, problems included, in the language asked
    app.state.ledgers = ledgers or Pool(slots=2, queue=4, retry_after=20)
    app.state.exports = exports or Pool(slots=2, queue=32, retry_after=1)

    @app.get("/v1/instruments", responses=_links(acts=("/v1/acts", {"instrument": "$response.body#/0"})))
    def instruments() -> list[str]:
        return list(INSTRUMENTS)

    @app.get("/v1/acts", responses=_links(text=("/v1/text", {"on": "$response.body#/0/in_force_from"})))
    def acts(choice: Choice, instrument: Instrument = "tat"):
        return _json(to_data(_law(instrument, choice).acts()))

    @app.get("/v1/readings")
    def readings(choice: Choice, instrument: Instrument = "tat"):
        """The contested readings of the instrument, their options with their basis, and the one chosen."""
        law = _law(instrument, choice)
        return _json([dict(to_data(reading), chosen=law.choice[name]) for name, reading in law.index.readings.items()])

    @app.get("/v1/points/{label}")
    def point(label: str, on: Day, choice: Choice, facts_on: MaybeDay = None, instrument: Instrument = "tat"):
        law = _law(instrument, choice)
        if facts_on is not None:
            return _json(to_data(law.applicable(label, facts_on, on)))
        return _json(to_data(law.point(label, on)))

    @app.get("/v1/text", responses=_links(
        {"content": {kind: {} for kind in ("text/markdown", "text/html", "application/akn+xml", "application/pdf",
                                             "application/vnd.openxmlformats-officedocument.wordprocessingml.document")}},
        point=("/v1/points/{label}", {"label": "$response.body#/points/0/label", "on": "$request.query.on"}),
        history=("/v1/history/{label}", {"label": "$response.body#/points/0/label"})))
    async def text(request: Request, on: Day, choice: Choice,
                   format: Literal["json", "markdown", "html", "akn", "pdf", "docx"] = "json", instrument: Instrument = "tat"):
        from ..errors import MissingExtra
        from .exports import FORMATS

        try:
            body = await request.app.state.exports.run(_text, instrument, on, format, choice, language())
        except MissingExtra as error:  # paper without its optional libraries: this server cannot, another can
            raise Refused(501, str(error)) from None
        paper = format in ("pdf", "docx")
        headers = {"Content-Disposition": f'attachment; filename="tat-{on.isoformat()}.{format}"'} if paper else None
        return Response(body, media_type=FORMATS[format], headers=headers)

    @app.get("/v1/history/{label}")
    def history(label: str, choice: Choice, instrument: Instrument = "tat"):
        return _json(to_data(_law(instrument, choice).history(label)))

    @app.get("/v1/diff")
    async def diff(request: Request, before: Day, after: Day, choice: Choice, instrument: Instrument = "tat"):
        return await request.app.state.exports.run(_diff, instrument, before, after, choice)

    @app.post("/v1/costs/check")
    def check_cost(cost: CostIn, as_of: Day, choice: Choice, instrument: Instrument = "tat"):
        from ..rules.ledger import Cost, judge_cost

        try:
            return _json(to_data(judge_cost(_law(instrument, choice), Cost(**cost.model_dump()), as_of)))
        except UndeclaredRules as error:
            raise _undeclared(error) from None

    @app.get("/v1/costs/form")
    def cost_form(as_of: Day, choice: Choice, instrument: Instrument = "tat"):
        """What a cost form asks under the law applied on ``as_of``: activities with their parties, categories with
        the fields their rules read (the reading room's cost form)."""
        from ..rules.form import cost_form as form

        try:
            return _json(to_data(form(_law(instrument, choice), as_of)))
        except UndeclaredRules as error:
            raise _undeclared(error) from None

    @app.post(LEDGER_PATH, description=f"A CSV ledger as the request body, at most {MAX_LEDGER_BYTES} bytes; "
              "its lines are judged in a bounded pool (503 with Retry-After when it is full).",
              openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}})
    async def check_ledger(request: Request, as_of: Day, choice: Choice, instrument: Instrument = "tat"):
        pool = request.app.state.ledgers
        pool.admit()  # before the upload is read, not after
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "ledger.csv"
            with source.open("wb") as handle:
                async for chunk in request.stream():  # BodyGuard counts the bytes and the time
                    handle.write(chunk)
            pieces = await pool.run(_judge_ledger, source, as_of, choice, instrument)
        return StreamingResponse(_sent(pieces), media_type="application/json")  # in pieces: no long write on the loop

    @app.get("/v1/deadlines", responses=_links(deadline=("/v1/deadlines/{kind}", {"kind": "$response.body#/0/name"})))
    def deadline_kinds(instrument: Instrument = "tat"):
        """The kinds of deadline the instrument declares (an empty list: it declares none)."""
        from ..rules.deadlines import kinds

        return _json(to_data(list(kinds(_law(instrument)))))

    @app.get("/v1/deadlines/{kind}")
    def deadline(kind: str, choice: Choice, trigger: MaybeDay = None, as_of: MaybeDay = None,
                 fixed_dates: Literal["move", "stay"] = "move", instrument: Instrument = "tat"):
        from ..rules.deadlines import deadline as count, kinds

        law = _law(instrument, choice)
        try:
            return _json(to_data(count(law, kind, trigger, as_of, move_fixed=fixed_dates == "move")))
        except UndeclaredRules as error:  # no deadlines at all: the instrument cannot serve; else a kind it lacks (400)
            raise (QueryError(str(error)) if kinds(law) else _undeclared(error)) from None

    @app.get("/v1/lint")
    def lint(instrument: Instrument = "tat"):
        from ..review.lint import lint as findings

        return _json(to_data(findings(_law(instrument).index, dt.date(2021, 1, 1) if instrument == "tat" else None)))

    @app.get("/v1/health", include_in_schema=False)
    def health():
        return {"ok": True}

    web = files("tat_engine") / "interfaces" / "web"
    app.mount("/static", StaticFiles(directory=str(web)), name="static")

    @app.get("/", include_in_schema=False)
    def reading_room():
        return FileResponse(str(web / "index.html"))

    return app


@lru_cache(maxsize=256)
def _text(instrument: str, on: dt.date, fmt: str, choice: tuple = ((), ()), lang: str = "en") -> bytes | str:
    """The exported text of a date, kept (per language: its notes are messages): readers ask for the
    same few dates again and again."""
    from .exports import export

    with using(lang):
        body = export(_law(instrument, choice).index, on, fmt)
    return json.dumps(body, ensure_ascii=False) if fmt == "json" else body


def _diff(instrument: str, before: dt.date, after: dt.date, choice: tuple = ((), ())) -> Response:
    changes = _law(instrument, choice).diff(before, after)
    return _json([dict(to_data(change), words=_words(change)) for change in changes])


def _judge_ledger(source: Path, as_of: dt.date, choice: tuple, instrument: str = "tat") -> list[bytes]:
    """The verdicts of a CSV ledger as one JSON document in pieces (run in a worker thread)."""
    from ..rules.ledger import check_ledger as run

    twice = _named_twice(source)  # checked here: a header alone has no rows for the ledger module to check
    if twice:
        raise Refused(422, f"the ledger's header names {', '.join(repr(n) for n in twice)} more than once; "
                      "each column needs its own name",
                      [{"location": "ledger", "name": clip(n, VALUE_CHARS), "detail": "column named more than once"}
                       for n in twice])
    target = source.with_name("verdicts.parquet")  # written by pyarrow without holding the GIL
    try:
        summary = run(_law(instrument, choice), source, target, as_of, progress=False)
    except UndeclaredRules as error:
        raise _undeclared(error) from None
    except TatError as error:  # the ledger as a whole cannot be judged (its columns)
        message = str(error).replace(f"{source}: ", "").replace(str(source), "the ledger")
        raise Refused(422, message, [{"location": "ledger", "name": "", "detail": message}]) from None
    except (ValueError, OSError) as error:  # pyarrow could not read it as CSV
        reason = (str(error).splitlines() or ["unreadable"])[0]  # pyarrow quotes the row it stopped at: cut it short
        raise Refused(400, f"not a CSV ledger: {clip(reason, 100)}") from None
    head = json.dumps({"summary": _summary(summary)}, ensure_ascii=False)[:-1]
    return [f'{head}, "lines": ['.encode(), *_json_rows(target), b"]}"]


def _undeclared(error: UndeclaredRules) -> Refused:
    """The instrument asked for has no rules for the question: the query's instrument is what cannot be served."""
    return Refused(422, str(error), [{"location": "query", "name": "instrument", "detail": str(error)}])


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
    """The column names the header gives more than once (pyarrow's reading; it refuses such a ledger mid-run)."""
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


def server_config(host: str = "127.0.0.1", port: int = 8000, body_seconds: float = BODY_SECONDS):
    """uvicorn's settings for the API, every timeout explicit (the tests serve with these too)."""
    import uvicorn

    if not body_seconds > 0:
        raise QueryError(f"a body timeout is a positive number of seconds, not {body_seconds}")
    return uvicorn.Config(create_app(body_seconds), host=host, port=port, log_level="warning", http=protocol(),
                          timeout_keep_alive=KEEP_ALIVE_SECONDS, h11_max_incomplete_event_size=HEAD_BYTES,
                          timeout_graceful_shutdown=10)


def serve(host: str = "127.0.0.1", port: int = 8000, body_seconds: float = BODY_SECONDS) -> None:
    import uvicorn

    uvicorn.Server(server_config(host, port, body_seconds)).run()
