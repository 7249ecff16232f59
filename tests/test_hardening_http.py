"""Attacks on the HTTP API, one fixture per class: a chunked body past its limit, a slow body, a
slow request head, a ledger that blocks, a full pool, duplicate columns, a header-only ledger, and
every 4xx/5xx checked for the problem shape (RFC 9457) and for sending no long input back.

The attacks on the connection run against a real uvicorn on 127.0.0.1 (a free port, started
here with the settings of ``tat serve``); every loop is bounded in count and in time."""

import os
import select
import socket
import threading
import time

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from tat_engine.interfaces import guard, http
from tat_engine.interfaces.cli import main
from tat_engine.interfaces.guard import Pool
from tat_engine.interfaces.http import create_app

HEAD = "activity,party,category,incurred_on,paid_on,amount\n"
ROW = "2.1,implementer,7.1.3.1,2016-03-01,2016-03-10,100\n"
LONG = "Z" * 5000  # an input no error may send back at length
GIVE_UP = 15.0  # seconds: the most any one attack waits


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    os.environ.setdefault("TAT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def port(tmp_path_factory):
    """A real server with ``tat serve``'s settings, but a 1 s body timeout and a 1 s head deadline."""
    os.environ.setdefault("TAT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(guard, "HEAD_SECONDS", 1)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        # ledgers in threads, so that a test can hold one (blocked_ledgers); tat serve judges them in processes
        server = uvicorn.Server(http.server_config("127.0.0.1", listener.getsockname()[1], body_seconds=1.0,
                                                   ledger_processes=0))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
        thread.start()
        until = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < until, "the server did not start"
            time.sleep(0.05)
        yield listener.getsockname()[1]
        server.should_exit = True
        thread.join(10)
        listener.close()


def assert_problem(response, status: int, *inputs: str) -> dict:
    """The RFC 9457 shape, the status, no traceback, and none of ``inputs`` sent back at length."""
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body) and body["status"] == status
    assert body["type"] == "about:blank" and body["title"] and body["detail"]
    assert "Traceback" not in response.text and len(response.content) < 2000
    for text in inputs:
        assert text[:60] not in response.text, "an input came back at length"
    return body


def exchange(port: int, head: bytes, pieces, pause: float = 0.0) -> tuple[bytes, int, bool]:
    """Send ``head`` then ``pieces`` until the server answers or closes, or GIVE_UP seconds pass:
    what came back, how many body bytes went out, and whether the server closed the connection."""
    sent, answer, closed = 0, b"", False
    until = time.monotonic() + GIVE_UP
    with socket.create_connection(("127.0.0.1", port), timeout=GIVE_UP) as connection:
        try:
            connection.sendall(head)
            for piece in pieces:
                if time.monotonic() > until or select.select([connection], [], [], 0)[0]:
                    break  # the server has answered (or closed)
                connection.sendall(piece)
                sent += len(piece)
                time.sleep(pause)
        except OSError:  # the server closed while the body was still going out
            closed = True
        connection.settimeout(max(until - time.monotonic(), 0.1))
        while True:
            try:
                data = connection.recv(65536)
            except TimeoutError:
                break
            except OSError:
                closed = True
                break
            if not data:
                closed = True
                break
            answer += data
    return answer, sent, closed


def _chunks(size: int, count: int):
    piece = b"%x\r\n%s\r\n" % (size, b"x" * size)
    return (piece for _ in range(count))


# --- limits on the bytes read ----------------------------------------------------------------


def test_a_chunked_body_is_counted_not_trusted(client):
    """No Content-Length: the bytes themselves are counted (before: read whole, echoed in a 422)."""
    body = (b"x" * 8192 for _ in range(128))  # 1 MiB, chunked
    response = client.post("/v1/costs/check", params={"as_of": "2021-06-01"}, content=body,
                           headers={"content-type": "application/json"})
    assert "over 65536 bytes" in assert_problem(response, 413, "x" * 100)["detail"]


def test_a_chunked_body_on_the_wire_is_cut_off_once_past_the_limit(port):
    """64 MiB offered in chunks: the server answers 413 after a little more than 64 KiB and closes."""
    head = (b"POST /v1/costs/check?as_of=2021-06-01 HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    answer, sent, closed = exchange(port, head, _chunks(65536, 1024))
    assert answer.startswith(b"HTTP/1.1 413") or (closed and not answer), answer[:200]
    assert b"application/problem+json" in answer or not answer
    assert sent < 32 * 1024 * 1024, f"{sent} bytes went out before the server stopped reading"
    assert closed


def test_the_ledger_limit_counts_chunks_too(client, monkeypatch):
    monkeypatch.setattr(http, "MAX_LEDGER_BYTES", 1000)
    body = (chunk.encode() for chunk in [HEAD] + [ROW] * 100)
    response = client.post("/v1/costs/ledger", params={"as_of": "2021-06-01"}, content=body)
    assert "over 1000 bytes" in assert_problem(response, 413, ROW * 2)["detail"]


# --- slow clients -------------------------------------------------------------------------------


def test_a_body_trickled_in_gets_408_and_the_connection_closes(port):
    head = (b"POST /v1/costs/check?as_of=2021-06-01 HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n")
    answer, sent, closed = exchange(port, head, (b" " for _ in range(100)), pause=0.2)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"application/problem+json" in answer and b"did not arrive within 1 seconds" in answer
    assert sent < 1000 and closed


def test_a_request_head_trickled_in_is_cut_off(port):
    head = b"GET /v1/health HTTP/1.1\r\nHost: t\r\nX-Slow: "
    answer, sent, closed = exchange(port, head, (b"a" for _ in range(100)), pause=0.2)
    assert closed and not answer


@pytest.mark.parametrize("head, status", [
    (b"NOT HTTP AT ALL\r\n\r\n", b"400"),
    (b"GET /v1/health HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n", b"431"),  # sent at once
    (b"GET /v1/health?q=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", b"431"),
    (b"GET /v1/health HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 1_000_000, b"400"),  # never complete: h11's limit
])
def test_what_is_not_http_or_too_big_a_head_is_a_problem_from_the_server(port, head, status):
    answer, sent, closed = exchange(port, head, [])
    assert answer.startswith(b"HTTP/1.1 " + status) and b"application/problem+json" in answer and closed, answer[:200]
    assert b"a" * 60 not in answer


def test_a_connection_that_sends_nothing_is_closed(port):
    with socket.create_connection(("127.0.0.1", port), timeout=GIVE_UP) as connection:
        assert connection.recv(100) == b""  # closed by the server, not a timeout here


def test_tat_serve_refuses_a_body_timeout_that_is_not_positive(capsys):
    assert main(["serve", "--body-timeout", "0"]) == 1
    assert "positive number of seconds" in capsys.readouterr().err


# --- heavy work off the event loop ----------------------------------------------------------


@pytest.fixture
def blocked_ledgers(monkeypatch):
    """Ledger judging that waits until released: a ledger as long as a test needs."""
    entered, release = threading.Event(), threading.Event()

    def judge(source, as_of, choice, corpus, lang="en"):
        entered.set()
        assert release.wait(GIVE_UP)
        answer = source.with_name("answer.json")
        answer.write_bytes(b'{"summary": {"rows": 0}, "lines": []}')
        return answer

    monkeypatch.setattr(http, "_judge_ledger", judge)
    yield entered, release
    release.set()


def _post_ledger(url_or_client, results: list, **kwargs) -> threading.Thread:
    def post():
        if isinstance(url_or_client, str):
            results.append(httpx.post(url_or_client, params={"as_of": "2021-06-01"}, content=HEAD + ROW,
                                      timeout=GIVE_UP))
        else:
            results.append(url_or_client.post("/v1/costs/ledger", params={"as_of": "2021-06-01"}, content=HEAD + ROW))

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread


def test_other_requests_are_answered_while_a_ledger_is_judged(port, blocked_ledgers):
    """Before, a 300k-row ledger was judged on the event loop and every request waited 17 s."""
    entered, release = blocked_ledgers
    results: list = []
    thread = _post_ledger(f"http://127.0.0.1:{port}{http.LEDGER_PATH}", results)
    assert entered.wait(GIVE_UP)
    assert httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=GIVE_UP).json() == {"ok": True}
    release.set()
    thread.join(GIVE_UP)
    assert results[0].status_code == 200


def test_a_full_pool_answers_503_with_retry_after(tmp_path, blocked_ledgers):
    entered, release = blocked_ledgers
    os.environ.setdefault("TAT_CACHE_DIR", str(tmp_path))
    with TestClient(create_app(ledgers=Pool(slots=1, queue=0, retry_after=7)), raise_server_exceptions=False) as client:
        results: list = []
        thread = _post_ledger(client, results)
        assert entered.wait(GIVE_UP)
        refused = client.post("/v1/costs/ledger", params={"as_of": "2021-06-01"}, content=HEAD + ROW)
        assert_problem(refused, 503)
        assert refused.headers["retry-after"] == "7"
        release.set()
        thread.join(GIVE_UP)
        assert results[0].status_code == 200


# --- ledgers the server used to answer with 500 -------------------------------------------------


@pytest.mark.parametrize("rows", ["2.1,2.1,implementer,7.1.3.1,2016-03-01,2016-03-10,1\n", ""])
def test_a_column_named_twice_is_a_422_naming_it(client, rows):
    ledger = "activity,activity,party,category,incurred_on,paid_on,amount\n" + rows
    body = assert_problem(client.post("/v1/costs/ledger", params={"as_of": "2021-06-01"}, content=ledger), 422)
    assert "'activity'" in body["detail"] and body["errors"][0]["location"] == "ledger"
    assert any(error["name"] == "activity" or "activity" in error["detail"] for error in body["errors"])


def test_a_ledger_the_ledger_module_refuses_is_a_422_without_the_server_s_paths(client, monkeypatch):
    """The ledger module names the file and quotes the header; the answer names neither at length."""
    from tat_engine.rules import ledger
    from tat_engine.errors import QueryError

    def refuse(law, source, target, as_of, progress=None):
        raise QueryError(f"{source}: the ledger has no column activity; its header has '{LONG}'")

    monkeypatch.setattr(ledger, "check_ledger", refuse)
    body = assert_problem(client.post("/v1/costs/ledger", params={"as_of": "2021-06-01"}, content=HEAD), 422, LONG)
    assert "no column activity" in body["detail"] and "ledger.csv" not in body["detail"] and "/tmp" not in body["detail"]


def test_a_header_alone_is_a_ledger_of_no_lines(client):
    response = client.post("/v1/costs/ledger", params={"as_of": "2021-06-01"}, content=HEAD)
    assert response.status_code == 200
    data = response.json()
    assert data["lines"] == [] and data["summary"]["rows"] == 0 and data["summary"]["totals"] == []


def test_a_ledger_is_still_judged_line_by_line(client):
    response = client.post("/v1/costs/ledger", params={"as_of": "2021-06-01"}, content=HEAD + ROW * 3)
    assert [line["verdict"] for line in response.json()["lines"]] == ["eligible"] * 3


# --- one error shape, nothing echoed ------------------------------------------------------------


COST = {"activity": "2.1", "party": "implementer", "category": "7.1.3.1", "incurred_on": "2016-03-01",
        "paid_on": "2016-03-10", "amount": "100.00"}


@pytest.mark.parametrize("method, url, kwargs, status", [
    ("GET", "/no/such/" + LONG, {}, 404),
    ("POST", "/v1/health", {"content": LONG}, 405),
    ("GET", "/static/" + LONG, {}, 404),
    ("POST", "/v1/costs/check?as_of=2021-06-01", {"json": dict(COST, note=LONG * 20)}, 413),
    ("GET", "/v1/points/11.3?on=" + LONG, {}, 422),
    ("GET", "/v1/points/11.3", {}, 422),
    ("POST", "/v1/costs/check?as_of=2021-06-01", {"json": dict(COST, activity=LONG)}, 422),
    ("POST", "/v1/costs/check?as_of=2021-06-01", {"content": "{" + LONG, "headers": {"content-type": "application/json"}}, 422),
    ("POST", "/v1/costs/check?as_of=2021-06-01", {"json": [LONG]}, 422),
    ("GET", "/v1/text?on=2021-01-01&format=" + LONG, {}, 422),
    ("GET", "/v1/points/" + LONG + "?on=2021-01-01", {}, 400),
    ("GET", "/v1/deadlines/" + LONG + "?trigger=2021-01-01", {}, 400),
    ("POST", "/v1/costs/ledger?as_of=2021-06-01", {"content": "a,b\n" + LONG + "\n"}, 422),
    ("POST", "/v1/costs/ledger?as_of=2021-06-01", {"content": LONG + ",b\n1,2\n"}, 422),
    ("POST", "/v1/costs/ledger?as_of=2021-06-01", {"content": f"{LONG},{LONG}\n"}, 422),
])
def test_every_error_is_a_problem_that_sends_no_long_input_back(client, method, url, kwargs, status):
    assert_problem(client.request(method, url, **kwargs), status, LONG)


def test_a_ragged_ledger_row_is_judged_invalid_in_its_place_not_refused(client):
    response = client.post("/v1/costs/ledger", params={"as_of": "2021-06-01"}, content=HEAD + ROW + "1," + LONG + "\n" + ROW)
    assert response.status_code == 200
    verdicts = [line["verdict"] for line in response.json()["lines"]]
    assert verdicts == ["eligible", "invalid input", "eligible"]


def test_405_says_which_methods_the_path_takes(client):
    response = client.delete("/v1/instruments")
    assert_problem(response, 405)
    assert response.headers["allow"] == "GET"


def test_a_422_names_each_field_and_its_problem(client):
    body = assert_problem(client.get("/v1/points/11.3", params={"on": "2021-13-01", "facts_on": "0"}), 422)
    assert {(e["location"], e["name"]) for e in body["errors"]} == {("query", "on"), ("query", "facts_on")}
    assert all(e["detail"] and "input" not in e for e in body["errors"])


def test_a_server_fault_is_a_500_problem_without_its_message(client, monkeypatch):
    async def broken(corpus, choice=((), ())):
        raise RuntimeError("secret /etc/passwd " + LONG)

    monkeypatch.setattr(http, "_law_soon", broken)
    body = assert_problem(client.get("/v1/acts"), 500, LONG)
    assert "secret" not in body["detail"] and "RuntimeError" not in body["detail"]


@pytest.mark.parametrize("day", ["0", "1700000000", "2015-06-31", "2023-02-29", "2021-01-01T00:00", "20210101",
                                 "2021-1-1", "٢٠٢١-٠١-٠١"])
def test_a_date_is_written_yyyy_mm_dd_and_exists(client, day):
    """Before, ``on=0`` was read as 1970-01-01 and answered."""
    body = assert_problem(client.get("/v1/points/11.3", params={"on": day}), 422)
    assert body["errors"][0]["name"] == "on"


def test_a_cost_flag_is_a_boolean_not_a_number(client):
    response = client.post("/v1/costs/check", params={"as_of": "2021-06-01"}, json=dict(COST, written_proof=0))
    assert_problem(response, 422)


def test_the_description_says_errors_are_problems(client):
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/v1/points/{label}"]["get"]["responses"]
    assert {"400", "404", "422", "500"} <= set(operation)
    assert all(list(operation[status]["content"]) == ["application/problem+json"] for status in operation if status >= "4")
    assert {"type", "title", "status", "detail", "instance"} <= set(spec["components"]["schemas"]["Problem"]["properties"])


def test_every_connection_gets_tcp_nodelay_even_on_a_socket_handed_to_workers():
    """asyncio sets TCP_NODELAY only on sockets whose proto it opened as TCP; `tat serve --workers`
    hands the workers a socket made with proto 0, and a keep-alive answer then waited 40 ms (Nagle)."""
    import socket as sockets

    class Transport:
        def __init__(self, connection):
            self.connection = connection

        def get_extra_info(self, name):
            return self.connection if name == "socket" else None

    with sockets.socket() as listener:  # as uvicorn's bind_socket makes it: proto 0
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with sockets.create_connection(listener.getsockname()) as _, listener.accept()[0] as accepted:
            assert accepted.getsockopt(sockets.IPPROTO_TCP, sockets.TCP_NODELAY) == 0
            guard._no_delay(Transport(accepted))
            assert accepted.getsockopt(sockets.IPPROTO_TCP, sockets.TCP_NODELAY) != 0


def test_a_ledger_worker_that_dies_fails_its_job_alone_and_the_next_job_gets_a_new_pool():
    """A worker process killed mid-job (the OOM killer, a signal) breaks its process pool: that job
    fails, and the next one runs in a new pool, not in the broken one every later job would fail in."""
    import asyncio
    from concurrent.futures.process import BrokenProcessPool

    pool = Pool(slots=1, queue=1, retry_after=1, processes=1)

    async def jobs() -> None:
        assert await pool.run(divmod, 7, 2) == (3, 1)
        with pytest.raises(ValueError):
            await pool.run(int, "seven")  # a job's own error: the pool stays
        with pytest.raises(BrokenProcessPool):
            await pool.run(os._exit, 1)  # the worker ends without answering
        assert await pool.run(divmod, 9, 4) == (2, 1)

    try:
        asyncio.run(asyncio.wait_for(jobs(), GIVE_UP * 2))
    finally:
        pool.close()
