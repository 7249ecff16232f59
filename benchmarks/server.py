"""The HTTP service against honest baselines, on loopback, with a multi-process load generator.

    python benchmarks/server.py [--seconds 3] [--repeats 5] [--clients 3] [--json]

Rows (``rows()`` returns them, for benchmarks/run.py; ``engine`` and ``baseline`` in the row's unit):

- point query, requests/s: ``GET /v1/points/LABEL?on=DAY`` of `tat serve`, 600 questions as users
  ask them (:func:`questions`: every label of the directive, days from 2015 to 2022, a third in
  Estonian), against a truly bare FastAPI route (one ``async`` handler returning a constant, asked
  with the same query strings) in a separate app and process, served by uvicorn with the same
  settings. Target: ≥ 0.6× the bare route.
- point query p99 (the same questions) while 10k-line ledgers are uploaded one after another,
  against the same clients' p99 with no upload (ms). Target: ≤ 3× idle.
- 10k-line ledger POST, ms: the whole request (upload, judging, the JSON answer read to its end),
  against the library's ``check_ledger`` on the same file in one process (the judging alone).
  Target: ≤ 150 ms.

Load comes from client *processes* (one keep-alive connection each, so no client shares a GIL with
another or with the server). Every figure is paired: engine and baseline are measured back to back,
in alternating order, ``--repeats`` times; a row gives the medians of the engine's and the
baseline's figures and the median of the paired ratios. The machine is shared: the figures are
noisy, the ratios less so.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from serving import BARE_PATH, serving  # noqa: E402

POINT = "/v1/points/11.3?on=2019-06-01"
LEDGER = "/v1/costs/ledger?as_of=2021-06-01"
HEAD = "activity,party,category,incurred_on,paid_on,amount\n"
ROWS = (  # a realistic mix: eligible, ineligible, wrong activity, a bad date
    "2.1,implementer,7.1.3.1,2016-03-01,2016-03-10,100.00\n",
    "2.3,partner,7.1.3.13,2021-02-01,2021-02-05,45.60\n",
    "2.1,implementer,7.2.1.1,2019-05-01,2019-05-10,12.50\n",
    "2.9,implementer,7.1.3.1,2016-03-01,2016-03-10,100\n",
    "2.2,implementer,7.1.3.1,2015-06-31,2016-03-10,100\n",
)


@dataclass(frozen=True)
class Row:
    """One measure: the engine's figure, the baseline's, their paired ratio and the target."""

    measure: str
    unit: str
    engine: float
    baseline: float
    ratio: float  # median of the paired engine/baseline ratios
    target: str
    met: bool


@dataclass(frozen=True)
class Load:
    rate: float  # requests per second, all clients together
    p50: float  # ms
    p99: float  # ms


def ledger_body(lines: int = 10_000) -> bytes:
    return (HEAD + "".join(ROWS[i % len(ROWS)] for i in range(lines))).encode()


# --- the load generator -------------------------------------------------------------------------


def questions(count: int = 600, seed: int = 15) -> tuple[str, ...]:
    """Point questions as users ask them, not one question again and again: every label the
    directive ever had, on days from before the directive to after its last amendment, a third of
    them in Estonian, in a shuffled order (a server that keeps answers written meets each first
    once, then again, as a long-running one does)."""
    import datetime as dt
    import random
    from urllib.parse import quote

    import tat_engine

    law = tat_engine.load()
    rnd = random.Random(seed)
    labels = sorted(law.index.labels)
    first, span = dt.date(2015, 1, 1), (dt.date(2022, 12, 31) - dt.date(2015, 1, 1)).days
    found = []
    for n in range(count):
        day = first + dt.timedelta(days=rnd.randrange(span))
        lang = "&lang=et" if n % 3 == 0 else ""
        found.append(f"/v1/points/{quote(rnd.choice(labels))}?on={day.isoformat()}{lang}")
    return tuple(found)


def _client(port: int, method: str, paths: tuple[str, ...], body: bytes | None, ready, go, stop, out) -> None:
    """One client process: one keep-alive connection, requests back to back until ``stop``, asking
    ``paths`` in turn (each client from its own place in them)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    latencies = []
    ready.wait()
    go.wait()
    turn = (os.getpid() * 7919) % len(paths)
    while not stop.is_set():
        path = paths[turn]
        turn = (turn + 1) % len(paths)
        began = time.perf_counter()
        connection.request(method, path, body=body)
        response = connection.getresponse()
        response.read()
        if response.status not in (200, 404):  # 404: a label no point bore on that day, answered so
            raise RuntimeError(f"{method} {path}: {response.status}")
        latencies.append(time.perf_counter() - began)
    connection.close()
    out.put(latencies)


def hammer(port: int, path: str | tuple[str, ...], seconds: float, clients: int, uploads: int = 0,
           upload_port: int | None = None) -> Load:
    """``clients`` processes asking ``path`` (or each of several in turn) for ``seconds``, while
    ``uploads`` processes post ledgers."""
    paths = (path,) if isinstance(path, str) else path
    context = multiprocessing.get_context("fork")
    total = clients + uploads
    ready, go, stop = context.Barrier(total + 1), context.Barrier(total + 1), context.Event()
    asks, posts = context.Queue(), context.Queue()
    body = ledger_body() if uploads else None
    processes = [context.Process(target=_client, args=(port, "GET", paths, None, ready, go, stop, asks))
                 for _ in range(clients)]
    processes += [context.Process(target=_client, args=(upload_port or port, "POST", (LEDGER,), body, ready, go, stop,
                                                        posts))
                  for _ in range(uploads)]
    for process in processes:
        process.start()
    ready.wait()  # every client is started and about to connect
    go.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    latencies = [latency for _ in range(clients) for latency in asks.get(timeout=300)]
    elapsed = time.perf_counter() - began
    for _ in range(uploads):
        posts.get(timeout=300)
    for process in processes:
        process.join(timeout=60)
        if process.exitcode != 0:
            raise RuntimeError("a client failed")
    cuts = statistics.quantiles(latencies, n=100)
    return Load(len(latencies) / elapsed, cuts[49] * 1000, cuts[98] * 1000)


def _paired(repeats: int, engine, baseline) -> tuple[list[float], list[float]]:
    """``repeats`` pairs, the order alternating so that drift hits both alike."""
    mine, theirs = [], []
    for repeat in range(repeats):
        if repeat % 2:
            theirs.append(baseline())
            mine.append(engine())
        else:
            mine.append(engine())
            theirs.append(baseline())
    return mine, theirs


def _row(measure: str, unit: str, mine: list[float], theirs: list[float], target: str, met) -> Row:
    ratio = statistics.median(a / b for a, b in zip(mine, theirs))
    return Row(measure, unit, statistics.median(mine), statistics.median(theirs), ratio, target, met(ratio, mine))


# --- the rows -------------------------------------------------------------------------------------


def point_rate(seconds: float, repeats: int, clients: int) -> Row:
    asked = questions()
    bare_asked = tuple(BARE_PATH + path[path.index("?"):] for path in asked)  # the same query strings, ignored
    with serving(warm=POINT) as engine, serving(bare=True) as bare:
        hammer(engine, asked, 0.5, clients)
        hammer(bare, bare_asked, 0.5, clients)
        mine, theirs = _paired(repeats, lambda: hammer(engine, asked, seconds, clients).rate,
                               lambda: hammer(bare, bare_asked, seconds, clients).rate)
    return _row("point query (req/s) vs a bare FastAPI route", "req/s", mine, theirs, ">= 0.6x",
                lambda ratio, _: ratio >= 0.6)


def point_p99_under_uploads(seconds: float, repeats: int, clients: int) -> Row:
    asked = questions()
    with serving(warm=POINT) as engine:
        _post(engine, ledger_body())  # the ledger path warm too
        hammer(engine, asked, 0.5, clients)
        mine, theirs = _paired(repeats, lambda: hammer(engine, asked, seconds, clients, uploads=1).p99,
                               lambda: hammer(engine, asked, seconds, clients).p99)
    return _row("point p99 (ms) under 10k-line ledger uploads vs idle", "ms", mine, theirs, "<= 3x",
                lambda ratio, _: ratio <= 3)


def ledger_post(repeats: int) -> Row:
    import datetime as dt

    import tat_engine
    from tat_engine.rules.ledger import check_ledger

    body = ledger_body()
    law = tat_engine.load()
    with tempfile.TemporaryDirectory() as folder, serving(warm=POINT) as engine:
        source = Path(folder) / "ledger.csv"
        source.write_bytes(body)
        _post(engine, body)
        check_ledger(law, source, None, dt.date(2021, 6, 1), progress=False)

        def library() -> float:
            began = time.perf_counter()
            check_ledger(law, source, None, dt.date(2021, 6, 1), progress=False)
            return (time.perf_counter() - began) * 1000

        mine, theirs = _paired(repeats, lambda: _post(engine, body), library)
    return _row("10k-line ledger POST (ms) vs the library judging it", "ms", mine, theirs, "<= 150 ms",
                lambda _, mine: statistics.median(mine) <= 150)


def _post(port: int, body: bytes) -> float:
    """Milliseconds for one ledger POST, the answer read to its end."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    began = time.perf_counter()
    connection.request("POST", LEDGER, body=body, headers={"Content-Type": "text/csv"})
    response = connection.getresponse()
    answer = response.read()
    took = (time.perf_counter() - began) * 1000
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"ledger POST: {response.status} {answer[:200]!r}")
    return took


def rows(seconds: float = 3.0, repeats: int = 5, clients: int = 3) -> list[Row]:
    """Every row, measured now (about ``repeats × seconds × 4`` seconds, plus the servers' starts)."""
    return [point_rate(seconds, repeats, clients), point_p99_under_uploads(seconds, repeats, clients),
            ledger_post(max(repeats, 5))]


def table(found: list[Row]) -> str:
    lines = [f"{'measure':56} {'engine':>10} {'baseline':>10} {'ratio':>7} {'target':>10}  met"]
    for row in found:
        lines.append(f"{row.measure:56} {row.engine:10.1f} {row.baseline:10.1f} {row.ratio:6.2f}x {row.target:>10}  "
                     f"{'yes' if row.met else 'NO'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--seconds", type=float, default=3.0, help="seconds of load per measurement")
    cli.add_argument("--repeats", type=int, default=5, help="paired measurements per row")
    cli.add_argument("--clients", type=int, default=3, help="client processes asking points")
    cli.add_argument("--json", action="store_true")
    args = cli.parse_args(argv)
    found = rows(args.seconds, args.repeats, args.clients)
    print(json.dumps([asdict(row) for row in found], indent=1) if args.json else table(found))
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
