"""What the sources leave open: date worlds, readings, bounded and later-vouched values.

Each test writes its own small corpus in the DSL, so the rule under test is visible
next to its answer: change a fact or a reading and the answer changes.
"""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tat_engine.rules.deadlines import deadline
from tat_engine.errors import CorpusError, QueryError
from tat_engine.law import Law
from tat_engine.rules.ledger import Cost, judge_cost
from tat_engine.loader import build
from tat_engine.dsl.parse import parse_file
from tat_engine.dsl.printer import print_act

D = dt.date

READING = '''
reading "reach" {
  title "How far back the amendment reaches"
  option "back" { basis "the amendment says it applies from the start" }
  option "forward" { basis "the amendment applies from its entry into force" }
  default "back" because "the act's own words"
}
'''

BASE = '''
act "B" {
  kind directive
  signed 2016-01-01
  in_force on_signing
  applies_from 2015-07-01
}
section 2 { text "Tegevused" }
point 2.1 { text "Tegevus" fact activity: activity "2.1" fact implementer: role "elluviija" held_by "Ministeerium" }
section 5 { text "Periood" }
point 5.1 {
  text unknown "the earlier wording is not in the sources"
  fact eligibility_period: period 2015-07-01..unknown between 2016-12-31 and 2019-12-30 holds_since "M"
}
section 7 { text "Kulud" }
point 7.1 { text "Makse" fact payment_grace: duration 45 calendar_days at_most after "perioodi lõpp" }
point 7.2 { text "Personalikulud" fact category: category "otsesed personalikulud" }
deadline "report-check" { title "the body checks a report" point 11.4 fact report_check trigger "receipt of the report" }
section 11 { text "Aruanded" }
point 11.4 {
  text unknown "the earlier wording is not in the sources"
  fact report_check: duration 20 working_days at_most after "laekumine" holds_since "M"
}
'''

MIDDLE = '''
act "M" {
  kind amending
  amends "B"
  signed 2016-06-01
  in_force on_signing
}
item ? substitute 2.1 { text "Tegevus ja selle elluviija" fact activity: activity "2.1" fact implementer: role "elluviija" held_by "Ministeerium" }
'''

AMENDMENT = '''
act "A" {
  kind amending
  amends "B"
  signed unknown "xx.yy.2020" between 2020-02-01 and 2020-06-30 assume 2020-03-01 because "a draft"
  in_force on_signing
  applies_from 2015-07-01 under "reach" = "back"
}
item 1 substitute 5.1 {
  text "Periood on 01.07.2015-31.12.2023."
  fact eligibility_period: period 2015-07-01..2023-12-31
}
item 2 substitute 11.4 {
  text "RÜ kontrollib 15 tööpäeva jooksul."
  fact report_check: duration 15 working_days at_most after "laekumine"
}
'''


def corpus(*, base=BASE, amendment=AMENDMENT, reading=READING, **choice) -> Law:
    return Law(build([("b.tat", base), ("m.tat", MIDDLE), ("a.tat", reading + amendment)]), choice or None)


@pytest.fixture(scope="module")
def law() -> Law:
    return corpus()


def cost(incurred: str, paid: str | None = None) -> Cost:
    return Cost(activity="2.1", party="implementer", category="7.2", incurred_on=incurred, paid_on=paid or incurred,
                amount="100.00")


# --- the law governing facts of one date, decided on another -----------------------------


def test_the_base_act_governs_facts_before_its_signing_by_its_first_text(law):
    governing = law.governing(D(2015, 8, 1), D(2016, 6, 1))
    assert governing.law_on == D(2016, 1, 1) and governing.act.number == "B"
    assert law.governing(D(2015, 6, 30), D(2016, 6, 1)).law_on is None  # the day before its reach
    assert law.governing(D(2015, 7, 1), D(2016, 6, 1)).law_on == D(2016, 1, 1)  # the day of it


def test_the_reading_decides_whether_the_amendment_reaches_back(law):
    assert law.governing(D(2016, 3, 1), D(2021, 1, 1)).law_on == D(2021, 1, 1)
    forward = law.under({"reach": "forward"})
    assert forward.governing(D(2016, 3, 1), D(2021, 1, 1)).law_on == D(2016, 3, 1)
    assert forward.choice == {"reach": "forward"} and law.choice == {"reach": "back"}


def test_an_unknown_reading_or_option_is_a_question_to_correct(law):
    with pytest.raises(QueryError, match="no reading 'reach-2020'"):
        law.under({"reach-2020": "back"})
    with pytest.raises(QueryError, match="options: back, forward"):
        law.under({"reach": "sideways"})


# --- eligibility over every possibility -------------------------------------------------------


def test_a_cost_before_any_act_reaches_is_ineligible_whatever_is_open(law):
    verdict = judge_cost(law, cost("2015-06-30"), D(2021, 1, 1))
    assert verdict.verdict == "ineligible" and "earliest act applies from 2015-07-01" in verdict.reasons


def test_a_bounded_period_end_decides_only_outside_its_bounds(law):
    # After M the value is certain: a last day between 2016-12-31 and 2019-12-30.
    decide = {day: judge_cost(law, cost(day), D(2020, 1, 15)).verdict for day in
              ("2016-12-31", "2017-01-01", "2019-12-30", "2019-12-31")}
    assert decide["2016-12-31"] == "eligible"  # the earliest possible last day: inside whatever it was
    assert decide["2017-01-01"] == "undetermined"  # the day after: inside only if the period ran on
    assert decide["2019-12-30"] == "undetermined"  # the latest possible last day
    assert decide["2019-12-31"] == "ineligible"  # the day after it: outside whatever it was


def test_a_value_vouched_for_only_since_a_later_act_is_open_before_it(law):
    before = judge_cost(law, cost("2016-03-01"), D(2016, 4, 1))
    assert before.verdict == "undetermined" and "certain only from act" in before.reasons
    after = judge_cost(law, cost("2016-06-01"), D(2016, 7, 1))  # the day M entered into force
    assert after.verdict == "eligible"


def test_a_decision_inside_the_window_of_an_open_date_hinges_on_it(law):
    inside = judge_cost(law, cost("2018-01-10"), D(2020, 4, 1))
    assert inside.verdict == "undetermined" and "signed as late as 2020-06-30" in inside.reasons
    after = judge_cost(law, cost("2018-01-10"), D(2020, 7, 1))  # the day after the window: determined
    assert after.verdict == "eligible"


def test_another_reading_keeps_the_verdict_and_says_what_it_would_be(law):
    verdict = judge_cost(law, cost("2016-03-01"), D(2021, 1, 1))
    assert verdict.verdict == "eligible"
    assert "under the reading reach = forward: undetermined" in verdict.reasons
    assert judge_cost(law.under({"reach": "forward"}), cost("2016-03-01"), D(2021, 1, 1)).verdict == "undetermined"


def test_change_the_bound_and_the_verdict_changes():
    wider = corpus(base=BASE.replace("between 2016-12-31 and 2019-12-30", "between 2018-12-31 and 2019-12-30"))
    assert judge_cost(wider, cost("2018-05-31"), D(2018, 6, 1)).verdict == "eligible"
    assert judge_cost(corpus(), cost("2018-05-31"), D(2018, 6, 1)).verdict == "undetermined"


DAYS = st.dates(D(2015, 1, 1), D(2024, 12, 31))


@given(DAYS, DAYS)
def test_a_determined_verdict_is_the_same_in_every_world(incurred, decided):
    """Against an independent path: the corpus rebuilt with the open date supplied at each end."""
    law = _module_law()
    verdict = judge_cost(law, cost(incurred.isoformat()), decided)
    if verdict.verdict == "undetermined":
        return
    for day in (D(2020, 2, 1), D(2020, 6, 30)):
        world = Law(build(_files(), {"A": day}))
        assert judge_cost(world, cost(incurred.isoformat()), decided).verdict == verdict.verdict


def _files():
    return [("b.tat", BASE), ("m.tat", MIDDLE), ("a.tat", READING + AMENDMENT)]


_LAW = []


def _module_law() -> Law:
    if not _LAW:
        _LAW.append(corpus())
    return _LAW[0]


# --- deadlines --------------------------------------------------------------------------------


def test_a_deadline_from_a_value_not_yet_vouched_for_is_undetermined_with_its_candidate(law):
    early = deadline(law, "report-check", D(2016, 3, 1))
    assert early.status == "undetermined" and "if the value was unchanged then" in str(early.steps[1])
    assert deadline(law, "report-check", D(2018, 3, 1)).status == "determined"


def test_a_deadline_inside_an_open_date_window_lists_each_due_date(law):
    found = deadline(law, "report-check", D(2020, 3, 2))
    assert found.status == "undetermined"
    assert {o.value.due for o in found.alternatives} == {D(2020, 3, 23), D(2020, 3, 30)}  # 15 or 20 working days


# --- the point answers ----------------------------------------------------------------------------


def test_settle_names_the_hinge_of_a_point_answer(law):
    settled = law.settle(lambda world: world.point("11.4", D(2020, 4, 1)).version.number)
    assert not settled.determined and settled.value == 2
    assert [o.value for o in settled.alternatives] == [1] and "as late as 2020-06-30" in settled.hinges[0]
    assert law.settle(lambda world: world.point("11.4", D(2020, 7, 1)).version.number).determined


# --- the DSL ------------------------------------------------------------------------------------------


def test_readings_and_qualified_facts_print_and_parse_back():
    declared, act = parse_file(READING + AMENDMENT, "a.tat")
    again = parse_file(print_act(act, readings=declared), "a.tat")
    assert again == (declared, act)
    _, base = parse_file(BASE, "b.tat")
    assert parse_file(print_act(base), "b.tat")[1] == base


@pytest.mark.parametrize("change, words", [
    (('under "reach" = "back"', 'under "reach" = "sideways"'), "option 'sideways' of 'reach'"),
    (('under "reach" = "back"', 'under "scope" = "back"'), "reading 'scope'"),
])
def test_a_condition_on_an_undeclared_reading_is_located(change, words):
    with pytest.raises(CorpusError) as error:
        corpus(amendment=AMENDMENT.replace(*change))
    found = [d for d in error.value.diagnostics if d.code == "unknown-reading"]
    assert found and words in found[0].message and found[0].location.path == "a.tat"


def test_holds_since_names_an_act_of_the_corpus():
    with pytest.raises(CorpusError) as error:
        corpus(base=BASE.replace('holds_since "M"', 'holds_since "Z"', 1))
    assert any(d.code == "unknown-act" and "'Z'" in d.message for d in error.value.diagnostics)


def test_a_reading_needs_a_default_among_its_options():
    with pytest.raises(Exception) as error:
        parse_file(READING.replace('default "back"', 'default "up"'), "r.tat")
    assert "reading-default" in str(error.value) and "r.tat:2:1" in str(error.value)


def test_a_point_answer_an_open_date_could_change_names_the_other_answer(law):
    from tat_engine.interfaces.render import answer_text

    inside = law.point("11.4", D(2020, 4, 1))
    assert inside.assumptions and [o.value.version.number for o in inside.alternatives] == [1]
    assert "OTHERWISE if act A (xx.yy.2020) was signed as late as 2020-06-30: in force" in answer_text(inside)
    before = law.point("11.4", D(2020, 1, 31))  # the day before the window: one answer in every world
    assert not before.assumptions and not before.alternatives
