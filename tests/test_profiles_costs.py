"""Instruments as profiles for costs: an instrument written only in DSL here, with its own
activities, period, categories and parties, is judged by the rules it declares (library and
CLI); an instrument that declares no eligibility rules refuses clearly (library, CLI, HTTP)."""

import csv
import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

import tat_engine
from tat_engine.dsl.parse import parse_file
from tat_engine.errors import DslError, QueryError, UndeclaredRules
from tat_engine.interfaces.cli import main
from tat_engine.interfaces.http import create_app
from tat_engine.rules.eligibility import judge
from tat_engine.rules.ledger import Cost, Vocabulary, check, check_ledger, judge_cost

# Activities are points 3.1 and 3.2, named "noored" and "pered" by cost lines; the categories are
# under 4, one of them for "pered" only; the partner is stated under 3.2 only; "noored" runs a
# shorter time than the eligibility period.
YOUTH = '''
act "N-1" {
  kind directive
  title "Noorte ja perede toetuse tingimused"
  signed 2022-01-10
  in_force on_signing
}
section 1 { text "Üldsätted" }
point 1.1 { text "Elluviija on Linnavalitsus." fact implementer: role "elluviija" held_by "Linnavalitsus" }
section 3 { text "Tegevused" }
point 3.1 { text "Noorte nõustamine" fact activity: activity "noored" }
point 3.1.1 { text "Tegevus kestab 2022. aasta lõpuni." fact implementation_period: period 2022-01-01..2022-12-31 }
point 3.2 { text "Perede toetamine" fact activity: activity "pered" }
point 3.2.1 {
  text "Tegevust viib ellu elluviija koos partneri Perekeskusega (edaspidi PK)."
  fact partner: role "partner" held_by "Perekeskus" short "PK"
}
section 4 { text "Abikõlblikud kulud" }
point 4.1 { text "Personalikulud" fact category: category "personalikulud" }
point 4.1.1 { text "Kaudsed kulud on 10% personalikuludest." fact flat_rate: rate 10% of "personalikulud" }
point 4.2 { text "Lapsehoiu kulud tegevuses pered" fact category: category "lapsehoiu kulud" when activity = "pered" }
point 4.3 { text "Kinnisvara ostmise kulu ei ole abikõlblik." fact excluded: category "kinnisvara ostmise kulu" }
section 5 { text "Periood" }
point 5.1 { text "Abikõlblikkuse periood on 01.01.2022-30.06.2023." fact eligibility_period: period 2022-01-01..2023-06-30 }
point 5.2 { text "Kulu tasutakse 30 päeva jooksul." fact payment_grace: duration 30 calendar_days at_most after "perioodi lõpp" }
section 6 {
  text "Eelarve"
  fact budget: amount 1000 EUR when activity = "noored" when share = "total"
  fact budget: amount 2000 EUR when activity = "pered"
}
'''

AS_OF = dt.date(2023, 9, 1)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("youth")
    (path / "youth.tat").write_text(YOUTH, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def youth(folder):
    return tat_engine.load([folder], cache=False)


def spent(**changes) -> Cost:
    fields = dict(activity="noored", party="implementer", category="4.1", incurred_on="2022-03-01",
                  paid_on="2022-03-10", amount="100.00") | changes
    return Cost(**fields)


@pytest.mark.parametrize("changes, verdict, cited, words", [
    ({}, "eligible", "4.1", "an eligible category: personalikulud"),
    (dict(activity="pered", category="4.2", party="PK"), "eligible", "4.2", "lapsehoiu kulud"),
    (dict(category="4.2"), "ineligible", "4.2", "only for activity pered"),
    (dict(category="4.3"), "ineligible", "4.3", "ineligible: kinnisvara ostmise kulu"),
    (dict(category="4.9"), "invalid input", None, "category"),
    (dict(party="partner"), "ineligible", "3.1", "no partner"),
    (dict(activity="pered", party="Perekeskus"), "eligible", "4.1", "personalikulud"),
    (dict(incurred_on="2023-03-01", paid_on="2023-03-02"), "ineligible", "3.1.1", "implementation period"),
    (dict(activity="pered", incurred_on="2023-03-01", paid_on="2023-03-02"), "eligible", "5.1", "within the eligibility period"),
    (dict(activity="pered", incurred_on="2023-07-01", paid_on="2023-07-02"), "ineligible", "5.1", "outside the eligibility period"),
    (dict(activity="pered", incurred_on="2023-06-01", paid_on="2023-08-15"), "ineligible", "5.2", "paid later than 30"),
    (dict(activity="3.1"), "invalid input", None, "activity"),
])
def test_its_own_rules_judge_its_costs_citing_its_points(youth, changes, verdict, cited, words):
    found = judge_cost(youth, spent(**changes), AS_OF)
    assert found.verdict == verdict, found.reasons
    assert words in found.reasons
    if cited:
        assert f"{cited} (v1, N-1" in found.reasons


def test_a_category_it_does_not_list_is_named_under_its_own_category_point(youth):
    batch = pa.RecordBatch.from_pydict({"activity": ["noored"], "party": ["implementer"], "category": ["4.3.1"],
                                        "incurred_on": ["2022-03-01"], "paid_on": ["2022-03-02"], "amount": ["1"]})
    vocabulary = Vocabulary.of(youth)
    assert vocabulary.activities == {"noored", "pered"} and vocabulary.party("pk") == "Perekeskus"
    lines = check(batch, vocabulary).lines
    reasons = judge(youth, lines, AS_OF)
    assert any(reason.point == "4" and "not an eligible category" in reason.text
               for found in reasons.table for reason in found)


def test_the_ledger_through_the_cli_with_its_budget_and_flat_rate(folder, tmp_path, capsys):
    ledger, out = tmp_path / "kulud.csv", tmp_path / "otsused.csv"
    ledger.write_text("activity,party,category,incurred_on,paid_on,amount\n"
                      "noored,implementer,4.1,2022-03-01,2022-03-10,600.00\n"
                      "pered,PK,4.2,2022-04-01,2022-04-05,250.50\n"
                      "noored,implementer,4.2,2022-04-01,2022-04-05,10\n", encoding="utf-8")
    code = main(["check-costs", str(ledger), "--corpus", str(folder), "--as-of", AS_OF.isoformat(), "--out", str(out)])
    printed, _ = capsys.readouterr()
    assert code == 0
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["verdict"] for row in rows] == ["eligible", "eligible", "ineligible"]
    assert "4.2 (v1, N-1" in rows[2]["reasons"]
    summary = check_ledger(tat_engine.load([folder], cache=False), ledger, None, AS_OF, progress=False)
    budget = {line.activity: (line.eligible, line.budget) for line in summary.budget}
    assert budget == {"noored": (60000, 100000), "pered": (25050, 200000)}
    assert [(i.activity, i.direct_personnel, i.percent) for i in summary.indirect] == [("noored", 60000, Decimal(10))]
    assert "noored" in printed and "pered" in printed


@pytest.mark.parametrize("written, words", [
    ('fact activity: category "noored"', "a fact named activity holds activity, not category"),
    ('fact activity: activity "noored" fact budget: amount 5 EUR when share = "esf"', "a budget fact names its activity"),
    ('fact activity: activity "noored" fact flat_rate: amount 5 EUR', "a fact named flat_rate holds rate, not amount"),
])
def test_a_rule_fact_the_rules_could_not_read_is_a_located_error(written, words):
    text = YOUTH.replace('fact activity: activity "noored"', written)
    with pytest.raises(DslError) as raised:
        parse_file(text, "youth.tat")
    line = next(number for number, row in enumerate(text.splitlines(), 1) if written in row)
    location = raised.value.diagnostic.location
    assert (location.path, location.line) == ("youth.tat", line) and location.column > 1
    assert words in str(raised.value) and raised.value.diagnostic.code == "bad-rule"


# --- an instrument that declares no eligibility rules ------------------------------------------

COST = {"activity": "2.1", "party": "implementer", "category": "7.1.3.1", "incurred_on": "2023-06-01",
        "paid_on": "2023-06-10", "amount": "100.00"}


def test_the_library_refuses_costs_under_an_instrument_without_eligibility_rules():
    safety = tat_engine.load(instrument="safety-2023", cache=False)
    with pytest.raises(UndeclaredRules, match="no eligibility_period and no category fact") as raised:
        judge_cost(safety, Cost(**COST), AS_OF)
    assert isinstance(raised.value, QueryError) and raised.value.rule_set == "cost eligibility"


def test_the_cli_exits_2_naming_what_is_missing(tmp_path, capsys):
    ledger = tmp_path / "kulud.csv"
    ledger.write_text(",".join(COST) + "\n" + ",".join(COST.values()) + "\n", encoding="utf-8")
    code = main(["check-costs", str(ledger), "--instrument", "safety-2023", "--as-of", "2023-09-01"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "declares no cost eligibility rules" in err and "eligibility_period" in err
    assert "Traceback" not in err


def test_http_cost_endpoints_take_the_instrument_and_refuse_with_a_problem(tmp_path):
    client = TestClient(create_app())
    params = {"as_of": "2023-09-01", "instrument": "safety-2023"}
    one = client.post("/v1/costs/check", params=params, json=COST)
    ledger = ",".join(COST) + "\n" + ",".join(COST.values()) + "\n"
    many = client.post("/v1/costs/ledger", params=params, content=ledger.encode())
    for response in (one, many):
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert "declares no cost eligibility rules" in body["detail"]
        assert body["errors"][0]["name"] == "instrument"
    tat = client.post("/v1/costs/check", params={"as_of": "2021-06-01", "instrument": "tat"},
                      json=COST | {"incurred_on": "2016-03-01", "paid_on": "2016-03-10"})
    assert tat.json()["verdict"] == "eligible"


# An amending act in force on 1 March 2023 extends "noored" to mid-2023 by an item applied back
# to 1 January 2023, and repeals the exclusion 4.3 by an item with no reach of its own.
EXTENSION = '''
act "N-2" { kind amending title "Muutmine" amends "N-1" signed 2023-02-20 in_force 2023-03-01 }
item 1.1 substitute 3.1.1 {
  text "Tegevus kestab 2023. aasta 30. juunini."
  fact implementation_period: period 2022-01-01..2023-06-30
  applies_from 2023-01-01
}
item 1.2 repeal 4.3
'''


def test_an_item_applied_back_governs_the_costs_of_its_days_and_only_its_own_change(tmp_path):
    (tmp_path / "youth.tat").write_text(YOUTH, encoding="utf-8")
    (tmp_path / "extension.tat").write_text(EXTENSION, encoding="utf-8")
    law = tat_engine.load([tmp_path], cache=False)
    january = dict(incurred_on="2023-01-15", paid_on="2023-01-20")
    found = judge_cost(law, spent(**january), AS_OF)
    assert found.verdict == "eligible", found.reasons  # without the reach: outside 3.1.1's first period
    # before the item's day, and in a decision before the act was in force, the first period governs
    assert judge_cost(law, spent(incurred_on="2022-12-31", paid_on="2023-01-05"), AS_OF).verdict == "eligible"
    assert judge_cost(law, spent(**january), dt.date(2023, 2, 25)).verdict == "ineligible"
    # the act's other item does not reach back: the exclusion still governs January's costs
    excluded = judge_cost(law, spent(category="4.3", **january), AS_OF)
    assert excluded.verdict == "ineligible" and "kinnisvara ostmise kulu" in excluded.reasons
    assert law.applicable("3.1.1", "2023-01-15", AS_OF).answer.version.cause.item == "1.1"
