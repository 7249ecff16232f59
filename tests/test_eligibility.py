"""Cost eligibility on the real corpus: one cost, a ledger, and the rules' properties."""

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tat_engine
from tat_engine.rules.ledger import Cost, check_ledger, judge_batch, judge_cost, Vocabulary

D = dt.date
SAMPLE = Path(__file__).parents[1] / "examples" / "ledger.csv"
AUDIT = D(2021, 6, 1)


@pytest.fixture(scope="module")
def law(directive):
    return directive


def cost(**changes) -> Cost:
    fields = dict(activity="2.1", party="implementer", category="7.1.3.1", incurred_on="2016-03-01",
                  paid_on="2016-03-10", amount="100.00")
    return Cost(**{**fields, **changes})


def test_an_eligible_cost_cites_the_points_that_make_it_so(law):
    verdict = judge_cost(law, cost(), AUDIT)
    assert (verdict.verdict, verdict.eligible) == ("eligible", Decimal("100.00"))
    assert "5.1 (v2, 1-3/zz item 1.14)" in verdict.reasons and "7.1.3.1 (v1, 1-3/170)" in verdict.reasons


@pytest.mark.parametrize("changes, point, words", [
    (dict(incurred_on="2024-01-02", paid_on="2024-01-05"), "5.1", "outside the eligibility period"),
    (dict(incurred_on="2023-12-20", paid_on="2024-02-15"), "7.1.1", "paid later than 45 calendar days"),
    (dict(category="7.1.3.12", activity="2.2", party="partner"), "7.1.3.12", "only for activity 2.1"),
    (dict(category="7.1.3.13", activity="2.3", party="partner"), "7.1.3.13.2", "not proven in writing"),
    (dict(category="7.1.3.13", activity="2.3", written_proof=True, mode="takso"), "7.1.3.13.3", "ühistransport and sõiduauto"),
    (dict(category="7.2.1.3"), "7.2.1.3", "kinnisasjade ostmise kulu"),
    (dict(category="7.1.3.2", on_documents=True), "7.2.1.5", "claimed on kuludokumendid"),
    (dict(activity="2.4", party="partner", category="7.1.3.6"), "2.4.1.1", "no partner"),
    (dict(activity="2.2", party="partner", incurred_on="2016-06-01", paid_on="2016-06-02"), "2.2.3.1.8", "implementation period"),
])
def test_each_rule_makes_a_cost_ineligible_with_its_point(law, changes, point, words):
    verdict = judge_cost(law, cost(**changes), AUDIT)
    assert verdict.verdict == "ineligible" and verdict.eligible == 0
    assert verdict.reasons.startswith(point) or f"; {point} (" in verdict.reasons
    assert words in verdict.reasons


def test_travel_above_the_tax_free_limit_is_partly_eligible(law):
    verdict = judge_cost(law, cost(category="7.1.3.3", amount="640.00", excess="140.00"), AUDIT)
    assert (verdict.verdict, verdict.eligible) == ("partially eligible", Decimal("500.00"))
    assert "7.2.1.4" in verdict.reasons


def test_a_2022_cost_judged_by_the_law_of_2019_is_undetermined(law):
    verdict = judge_cost(law, cost(incurred_on="2019-02-01", paid_on="2019-02-10"), D(2019, 6, 1))
    assert verdict.verdict == "undetermined" and "eligibility period is not in the sources" in verdict.reasons


def test_a_decision_on_an_assumed_date_is_undetermined_when_the_date_matters(law):
    verdict = judge_cost(law, cost(incurred_on="2016-03-01"), D(2020, 6, 1))
    assert verdict.verdict == "undetermined"
    assert "if act 1-3/zz (xx.yy.2020) was signed as late as 2020-12-31: undetermined" in verdict.reasons


def test_a_cost_before_the_directive_signed_is_governed_by_its_first_text(law):
    # The directive applies from 01.07.2015 (under either reading): a cost of August 2015
    # decided in 2019 is judged by the 2015 text, whose eligibility period the memo
    # vouches for only since the last act before 2020 (27.03.2019).
    verdict = judge_cost(law, cost(incurred_on="2015-08-01", paid_on="2015-08-05"), D(2019, 6, 1))
    assert verdict.verdict == "undetermined"
    assert "5.1 (v1, 1-3/170)" in verdict.reasons and "certain only from act 27.03.2019 nr 1-3/29" in verdict.reasons


def test_a_cost_before_the_directive_applies_is_ineligible_under_every_possibility(law):
    verdict = judge_cost(law, cost(incurred_on="2015-06-30", paid_on="2015-07-05"), AUDIT)
    assert (verdict.verdict, verdict.eligible) == ("ineligible", Decimal("0.00"))
    assert "no act governs the date the cost was incurred: the earliest act applies from 2015-07-01" in verdict.reasons and "under the reading" not in verdict.reasons
    first_day = judge_cost(law, cost(incurred_on="2015-07-01", paid_on="2015-07-05"), AUDIT)
    assert first_day.verdict == "eligible"


def test_the_other_reading_is_named_where_it_would_judge_otherwise(law):
    default = judge_cost(law, cost(), AUDIT)
    assert default.verdict == "eligible"
    assert "under the reading reach-2020 = from-signing: undetermined" in default.reasons
    other = judge_cost(law.under({"reach-2020": "from-signing"}), cost(), AUDIT)
    assert other.verdict == "undetermined" and "under the reading reach-2020 = retroactive: eligible" in other.reasons
    recent = judge_cost(law, cost(activity="2.3", incurred_on="2021-03-01", paid_on="2021-03-10"), AUDIT)
    assert recent.verdict == "eligible" and "under the reading" not in recent.reasons


def test_the_sample_ledger_rows_in_equal_rows_out_in_order(law, tmp_path):
    out = tmp_path / "verdicts.csv"
    summary = check_ledger(law, SAMPLE, out, AUDIT, progress=False)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    source = list(csv.DictReader(SAMPLE.open(encoding="utf-8")))
    assert [r["line"] for r in rows] == [r["line"] for r in source] and summary.rows == len(source)
    verdicts = {r["line"]: r["verdict"] for r in rows}
    assert verdicts["12"] == verdicts["13"] == verdicts["14"] == "invalid input"
    assert verdicts["15"] == "eligible"  # a negative correction with a note
    assert sum(total.lines for total in summary.totals) == len(source)


def test_the_summary_equals_the_sum_of_its_rows(law, tmp_path):
    out = tmp_path / "verdicts.json"
    summary = check_ledger(law, SAMPLE, out, AUDIT, progress=False)
    rows = [json.loads(line) for line in out.open(encoding="utf-8")]
    for total in summary.totals:
        mine = [r for r in rows if r["activity"] == total.activity and r["verdict"] == total.verdict]
        assert total.lines == len(mine)
        assert total.eligible == sum(int(Decimal(r["eligible_amount"]) * 100) for r in mine)
    good = sum(t.eligible for t in summary.totals if t.activity == "2.1")
    (line,) = [b for b in summary.budget if b.activity == "2.1"]
    assert (line.eligible, line.budget) == (good, 96560800)
    personnel = sum(int(Decimal(r["eligible_amount"]) * 100) for r in rows
                    if r["activity"] == "2.1" and r["category"] == "7.1.3.1" and r["verdict"] == "eligible")
    (indirect,) = [i for i in summary.indirect if i.activity == "2.1"]
    assert (indirect.direct_personnel, indirect.percent, indirect.entitlement) == (personnel, Decimal("15"), personnel * 15 // 100)


def test_parquet_in_and_out(law, tmp_path):
    table = pa.table({"activity": ["2.1"], "party": ["implementer"], "category": ["7.1.3.1"],
                      "incurred_on": [D(2016, 3, 1)], "paid_on": [D(2016, 3, 10)], "amount": [pa.scalar(Decimal("12.50"))]})
    source, out = tmp_path / "ledger.parquet", tmp_path / "out.parquet"
    pq.write_table(table, source)
    check_ledger(law, source, out, AUDIT, progress=False)
    [row] = pq.read_table(out).to_pylist()
    assert (row["verdict"], row["eligible_amount"]) == ("eligible", "12.50")


def test_a_ledger_without_a_required_column_is_refused(law, tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text("activity,party\n2.1,implementer\n", encoding="utf-8")
    with pytest.raises(tat_engine.QueryError, match="no column category"):
        check_ledger(law, source, None, AUDIT, progress=False)


LINES = st.fixed_dictionaries({
    "activity": st.sampled_from(["2.1", "2.2", "2.3", "2.4", "2.9"]),
    "party": st.sampled_from(["implementer", "partner", "someone"]),
    "category": st.sampled_from(["7.1.3.1", "7.1.3.2", "7.1.3.3", "7.1.3.12", "7.1.3.13", "7.2.1.2", "7.2.1.5", "9.9"]),
    "incurred_on": st.dates(D(2015, 1, 1), D(2024, 12, 31)).map(str) | st.just("2021-02-30"),
    "paid_days": st.integers(0, 120),
    "amount": st.integers(-5000, 10**7).map(lambda c: f"{c / 100:.2f}"),
    "on_documents": st.booleans(),
    "written_proof": st.booleans(),
    "mode": st.sampled_from(["", "ühistransport", "takso"]),
    "excess": st.sampled_from(["", "0", "12.50"]),
    "note": st.sampled_from(["", "correction"]),
})
DECISIONS = st.dates(D(2016, 1, 1), D(2025, 12, 31))


def _cost(line: dict, later: int = 0) -> Cost:
    try:
        paid = (D.fromisoformat(line["incurred_on"]) + dt.timedelta(days=line["paid_days"] + later)).isoformat()
    except ValueError:
        paid = line["incurred_on"]
    fields = {k: v for k, v in line.items() if k != "paid_days"}
    return Cost(**{**fields, "paid_on": paid})


@settings(max_examples=40)
@given(st.lists(LINES, min_size=1, max_size=25), DECISIONS)
def test_one_cost_at_a_time_and_the_ledger_agree(law, lines, decided):
    costs = [_cost(line) for line in lines]
    columns = {name: [str(getattr(c, name)).lower() if isinstance(getattr(c, name), bool) else str(getattr(c, name))
                      for c in costs] for name in ("activity", "party", "category", "incurred_on", "paid_on", "amount",
                                                   "on_documents", "written_proof", "mode", "excess", "note")}
    out, _, _ = judge_batch(law, pa.RecordBatch.from_pydict(columns), decided, Vocabulary.of(law))
    batch = out.to_pylist()
    for row, one in zip(batch, costs):
        alone = judge_cost(law, one, decided)
        assert (row["verdict"], Decimal(row["eligible_amount"]), row["reasons"]) == (alone.verdict, alone.eligible, alone.reasons)


@settings(max_examples=40)
@given(LINES, DECISIONS, st.integers(1, 400))
def test_paying_later_never_makes_an_ineligible_cost_eligible(law, line, decided, later):
    before, after = judge_cost(law, _cost(line), decided), judge_cost(law, _cost(line, later), decided)
    if before.verdict == "ineligible":
        assert after.verdict != "eligible"


@settings(max_examples=40)
@given(LINES, DECISIONS)
def test_an_excluded_category_is_never_eligible(law, line, decided):
    for category in ("7.2.1.2", "7.2.1.3"):
        assert judge_cost(law, _cost({**line, "category": category}), decided).verdict != "eligible"




# --- parties by name ---------------------------------------------------------------


@pytest.mark.parametrize("named, meant, activity", [
    ("TAI", "partner", "2.1"),
    ("Tervise Arengu Instituut", "partner", "2.1"),
    ("Sotsiaalkindlustusamet", "partner", "2.3"),
    ("ska", "partner", "2.3"),
    ("Politsei- ja  Piirivalveamet", "partner", "2.2"),
    ("Siseministeerium", "implementer", "2.4"),
    ("siseministeerium", "implementer", "2.1"),
])
def test_a_body_named_by_the_directive_is_judged_as_the_party_it_is(law, named, meant, activity):
    facts = dict(activity=activity, incurred_on="2019-03-01", paid_on="2019-03-10")
    assert judge_cost(law, cost(party=named, **facts), AUDIT) == judge_cost(law, cost(party=meant, **facts), AUDIT)


@pytest.mark.parametrize("named, activity, point", [
    ("PPA", "2.1", "2.1.1.1 (v1, 1-3/170)"),
    ("Tervise Arengu Instituut", "2.3", "2.3.1.1 (v1, 1-3/170)"),
    ("SKA", "2.4", "2.4.1.1 (v1, 1-3/170)"),
])
def test_a_cost_charged_by_a_body_that_is_no_party_of_the_activity_is_ineligible(law, named, activity, point):
    verdict = judge_cost(law, cost(party=named, activity=activity), AUDIT)
    assert (verdict.verdict, verdict.eligible) == ("ineligible", Decimal("0.00"))
    assert verdict.reasons.startswith(f"{point}: ") and "is not a party of activity" in verdict.reasons


def test_a_body_is_no_party_by_the_version_in_force_on_the_cost_date(law):
    facts = dict(activity="2.2", incurred_on="2018-03-01", paid_on="2018-03-05")
    verdict = judge_cost(law, cost(party="TAI", **facts), D(2018, 6, 1))
    assert verdict.verdict == "ineligible" and "2.2.1.1 (v2, 1-3/53): Tervise Arengu Instituut is not a party" in verdict.reasons
    assert "2.2.1.1" not in judge_cost(law, cost(party="PPA", **facts), D(2018, 6, 1)).reasons


def test_where_the_partner_is_not_in_the_sources_a_named_body_is_undetermined(law):
    facts = dict(activity="2.2", incurred_on="2016-03-01", paid_on="2016-03-05")
    verdict = judge_cost(law, cost(party="TAI", **facts), D(2016, 6, 1))
    assert verdict.verdict == "undetermined"
    assert "2.2.1.1 (v1, 1-3/170): whether Tervise Arengu Instituut was a partner of activity 2.2" in verdict.reasons
    assert "2.2.1.1" not in judge_cost(law, cost(party="Siseministeerium", **facts), D(2016, 6, 1)).reasons  # 1.3.1


def test_a_body_the_corpus_does_not_know_is_invalid_input(law):
    verdict = judge_cost(law, cost(party="Maksu- ja Tolliamet"), AUDIT)
    assert verdict.verdict == "invalid input" and "'Maksu- ja Tolliamet' is not implementer, partner" in verdict.reasons
    assert verdict.reasons.endswith("Politsei- ja Piirivalveamet (PPA), Siseministeerium, Sotsiaalkindlustusamet (SKA), "
                                    "Tervise Arengu Instituut (TAI)")


def test_the_names_of_the_parties_come_from_the_corpus(tmp_path):
    root = Path(__file__).parents[1]
    for folder in ("tat", "amendments"):
        (tmp_path / folder).mkdir()
        for file in (root / folder).glob("*.tat"):
            (tmp_path / folder / file.name).write_text(file.read_text("utf-8").replace('short "TAI"', 'short "T.A.I."'), "utf-8")
    renamed = tat_engine.load([tmp_path / "tat", tmp_path / "amendments"], cache=False)
    assert judge_cost(renamed, cost(party="T.A.I."), AUDIT).verdict == "eligible"
    assert judge_cost(renamed, cost(party="TAI"), AUDIT).verdict == "invalid input"
