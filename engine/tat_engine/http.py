"""The HTTP API (``/v1/…``) and the reading room, served by one FastAPI app.

Read-only over the shipped instruments: no endpoint takes DSL. Dates are ISO
8601. A question the engine cannot read is a 400 with a message; a body over
its limit is a 413; nothing else escapes as a traceback. Each endpoint is a
few lines over one engine call; JSON shapes are the engine's answers as
:mod:`serialize` tags them.

    tat serve                      # http://127.0.0.1:8000/ (the reading room), /docs (OpenAPI)
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import tempfile
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Literal

from fastapi import FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from . import load
from .errors import TatError
from .law import Law
from .instruments import INSTRUMENTS
from .serialize import to_data

MAX_LEDGER_BYTES = 20 * 1024 * 1024
MAX_BODY_BYTES = 64 * 1024  # every other body is one small JSON object
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


@lru_cache(maxsize=8)
def _law(instrument: str) -> Law:
    return load(instrument=instrument)


def _json(data) -> Response:
    """JSON written once by the standard library (FastAPI's encoder walks it again, slowly)."""
    return Response(json.dumps(data, ensure_ascii=False), media_type="application/json")


def create_app() -> FastAPI:
    app = FastAPI(title="tat-engine", version="1", description=__doc__.split("\n\n")[0])

    @app.middleware("http")
    async def limit_bodies(request: Request, call_next):
        limit = MAX_LEDGER_BYTES if request.url.path == "/v1/costs/ledger" else MAX_BODY_BYTES
        if int(request.headers.get("content-length") or 0) > limit:
            return JSONResponse({"detail": f"the request body is over {limit} bytes"}, status_code=413)
        return await call_next(request)

    @app.exception_handler(TatError)
    async def bad_question(request: Request, error: TatError):
        return JSONResponse({"detail": str(error)}, status_code=400)

    @app.exception_handler(Exception)
    async def fault(request: Request, error: Exception):
        return JSONResponse({"detail": "internal error"}, status_code=500)

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

    @app.get("/v1/text")
    def text(on: Day, format: Literal["json", "markdown", "html", "akn"] = "json", instrument: Instrument = "tat"):
        from .exports import FORMATS

        return Response(_text(instrument, on, format), media_type=FORMATS[format])

    @app.get("/v1/history/{label}")
    def history(label: str, instrument: Instrument = "tat"):
        return _json(to_data(_law(instrument).history(label)))

    @app.get("/v1/diff")
    def diff(before: Day, after: Day, instrument: Instrument = "tat"):
        return _json([dict(to_data(change), words=_words(change)) for change in _law(instrument).diff(before, after)])

    @app.post("/v1/costs/check")
    def check_cost(cost: CostIn, as_of: Day):
        from .ledger import Cost, judge_cost

        return _json(to_data(judge_cost(_law("tat"), Cost(**cost.model_dump()), as_of)))

    @app.post("/v1/costs/ledger", description=f"A CSV ledger as the request body, at most {MAX_LEDGER_BYTES} bytes.")
    async def check_ledger(request: Request, as_of: Day):
        from .ledger import check_ledger as run

        size = int(request.headers.get("content-length") or 0)
        if size > MAX_LEDGER_BYTES:
            return JSONResponse({"detail": f"the ledger is over {MAX_LEDGER_BYTES} bytes"}, status_code=413)
        with tempfile.TemporaryDirectory() as folder:
            source, target = Path(folder) / "ledger.csv", Path(folder) / "verdicts.json"
            received = 0
            with source.open("wb") as handle:
                async for chunk in request.stream():
                    received += len(chunk)
                    if received > MAX_LEDGER_BYTES:
                        return JSONResponse({"detail": f"the ledger is over {MAX_LEDGER_BYTES} bytes"}, status_code=413)
                    handle.write(chunk)
            try:
                summary = run(_law("tat"), source, target, as_of, progress=False)
            except (ValueError, OSError) as error:  # pyarrow could not read it as CSV
                return JSONResponse({"detail": f"not a CSV ledger: {str(error).splitlines()[0]}"}, status_code=400)
            lines = [json.loads(line) for line in target.read_text("utf-8").splitlines()]
        return {"summary": _summary(summary), "lines": lines}

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


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    import uvicorn

    uvicorn.run(create_app(), host=host, port=port, log_level="warning")


