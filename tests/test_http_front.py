"""The API's one ASGI layer (interfaces/front.py) and its short cut for kept points.

The short cut answers ``GET /v1/points/{label}?on=…`` before FastAPI solves the parameters; it
must answer exactly as the endpoint does, and leave to the endpoint every question it does not
read completely. Each query here is asked of the app twice — with the short cut and without it —
and the two answers must be the same, status, headers and body."""

import os
import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, strategies as st

from tat_engine.interfaces import http
from tat_engine.interfaces.http import Corpus, create_app
from tat_engine.instruments import DEFAULT, INSTRUMENTS

LABELS = ("11.3", "9.1.10", "9.1.11", "16.1", "1", "9.9", "11.3.x", "%31%31.3", "11.3%2F1", "11.3/", "Z" * 50)
PARAMETERS = {
    "on": ("2019-06-01", "2021-01-01", "2015-06-31", "0", "2021-01-01T00:00", "", "٢٠٢١-٠١-٠١"),
    "instrument": ("tat", "safety-2023", "nosuch", ""),
    "lang": ("et", "en", "fr", ""),
    "reading": ("reach-2020=from-signing", "reach-2020=retroactive", "reach-2020", "nosuch=x", "r=" + "x" * 90),
    "assume": ("1-3/zz=2020-03-16", "1-3/zz=2020-13-01", "1-3/zz"),
    "facts_on": ("2016-03-01",),
    "asume": ("1-3/zz=2020-03-16",),
}


@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    """The app with its short cut, and the same app without it (the endpoint answers everything)."""
    os.environ.setdefault("TAT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TAT_STAMP_TIME", "2026-01-01T00:00:00")  # the two answers' stamps alike
        quick = TestClient(create_app(), raise_server_exceptions=False)
        patch.setattr(http, "_quick_point", lambda served, default, scope: None)
        endpoint = TestClient(create_app(), raise_server_exceptions=False)
        patch.undo()
        patch.setenv("TAT_STAMP_TIME", "2026-01-01T00:00:00")
        with quick, endpoint:
            yield quick, endpoint


def _same(clients, url: str, method: str = "GET") -> int:
    quick, endpoint = clients
    expected = endpoint.request(method, url, follow_redirects=False)  # first: it loads a law the short cut then finds
    got = quick.request(method, url, follow_redirects=False)
    assert (got.status_code, got.content) == (expected.status_code, expected.content), url
    assert {k: v for k, v in got.headers.items() if k != "content-length"} == \
        {k: v for k, v in expected.headers.items() if k != "content-length"}, url
    assert int(got.headers.get("content-length", len(got.content))) == len(got.content)
    return got.status_code


def _scope(path: str, query: str, method: str = "GET") -> dict:
    return {"type": "http", "method": method, "path": path, "query_string": query.encode(), "headers": []}


def _kept(query: str, label: str = "11.3", method: str = "GET") -> bytes | None:
    served = {name: Corpus(name) for name in INSTRUMENTS}
    return http._quick_point(served, DEFAULT, _scope("/v1/points/" + label, query, method))


@pytest.mark.parametrize("query", ["on=2019-06-01", "on=2021-01-01&lang=et", "instrument=tat&on=2021-01-01",
                                   "on=2021-01-01&reading=reach-2020%3Dfrom-signing",
                                   "on=2020-06-01&assume=1-3/zz%3D2020-03-16&reading=reach-2020=retroactive"])
def test_a_kept_point_is_answered_by_the_short_cut_as_the_endpoint_answers_it(clients, query):
    assert _same(clients, "/v1/points/11.3?" + query) == 200
    assert _kept(query) is not None, "the short cut did not answer"


@pytest.mark.parametrize("query", ["on=2019-06-01&facts_on=2016-03-01", "on=2019-06-01&on=2021-01-01",
                                   "on=2019-06-01&asume=1-3/zz%3D2020-03-16", "on=2019-06-01&lang=fr",
                                   "on=2019-06-01&instrument=nosuch", "on=2019-6-1", "on=2019-06-01&reading=nosuch",
                                   "on=2019-06-01&reading=" + "r=" + "x" * 90, "on=2019-06-01" + "&reading=a=b" * 5,
                                   "on=2021-01-01&reading=reach-2020%3Dnone", "lang=et"])
def test_what_the_short_cut_does_not_read_completely_goes_to_the_endpoint(clients, query):
    assert _kept(query) is None
    _same(clients, "/v1/points/11.3?" + query)


@pytest.mark.parametrize("label", ["9.9", "11.3.x", "11.3/", "", "Z" * 50])
def test_a_label_no_point_bore_or_none_at_all_goes_to_the_endpoint(clients, label):
    assert _kept("on=2019-06-01", label) is None
    assert _same(clients, f"/v1/points/{label}?on=2019-06-01") in (307, 400, 404)  # 307: to the path without its slash


def test_only_a_get_takes_the_short_cut(clients):
    assert _kept("on=2019-06-01", method="POST") is None
    assert _same(clients, "/v1/points/11.3?on=2019-06-01", "POST") == 405


@given(label=st.sampled_from(LABELS), on=st.sampled_from(["2019-06-01", "2021-01-01", None]),
       asked=st.lists(st.sampled_from(sorted(PARAMETERS)).flatmap(
           lambda name: st.tuples(st.just(name), st.sampled_from(PARAMETERS[name]))), max_size=5))
def test_every_question_of_a_point_is_answered_alike_with_the_short_cut_or_without(clients, label, on, asked):
    asked = ([("on", on)] if on else []) + asked
    query = "&".join(f"{name}={quote(value, safe='/')}" for name, value in asked)
    _same(clients, f"/v1/points/{label}?{query}")


def test_the_access_log_has_a_line_for_an_answer_of_the_short_cut_and_one_for_a_refusal(capfd):
    with TestClient(create_app(access_log=True), raise_server_exceptions=False) as client:
        capfd.readouterr()
        assert client.get("/v1/points/11.3", params={"on": "2019-06-01"}).status_code == 200
        assert client.get("/v1/points/11.3", params={"on": "2019-6-1"}).status_code == 422
    logged = capfd.readouterr().err
    assert re.search(r"^GET /v1/points/11\.3 200 [0-9.]+ ms$", logged, re.M), logged
    assert re.search(r"^GET /v1/points/11\.3 422 [0-9.]+ ms$", logged, re.M), logged
