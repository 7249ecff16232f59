"""Deadlines counted the Estonian way, under the version of the rule in force."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tat_engine
from tat_engine.rules.deadlines import deadline, kinds, schedule, to_ics
from tat_engine.errors import QueryError
from tat_engine.rules.workdays import add_working_days, count, fixed_date, is_working_day

D = dt.date


@pytest.fixture(scope="module")
def law(directive):
    return directive


@pytest.mark.parametrize("day, working", [
    (D(2021, 4, 2), False),    # Good Friday
    (D(2021, 6, 23), False),   # Victory Day
    (D(2021, 6, 24), False),   # Midsummer Day
    (D(2021, 12, 24), False),  # Christmas Eve
    (D(2021, 2, 24), False),   # Independence Day
    (D(2021, 8, 20), False),   # Restoration of Independence
    (D(2021, 12, 31), True),   # an ordinary Friday
    (D(2021, 6, 26), False),   # a Saturday
])
def test_working_days_follow_the_holidays_act(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize("trigger, amount, unit, due", [
    (D(2021, 3, 31), 3, "working_days", D(2021, 4, 6)),       # Easter: Good Friday and the weekend
    (D(2021, 6, 21), 3, "working_days", D(2021, 6, 28)),      # Midsummer: 23 and 24 June
    (D(2021, 12, 22), 15, "working_days", D(2022, 1, 13)),    # Christmas and New Year
    (D(2021, 6, 18), 1, "working_days", D(2021, 6, 21)),      # Friday -> Monday
    (D(2020, 11, 9), 45, "calendar_days", D(2020, 12, 28)),   # lands on 24.12, moves past Christmas and a weekend
    (D(2023, 12, 31), 30, "calendar_days", D(2024, 1, 30)),   # a working day, stays
    (D(2021, 1, 31), 1, "months", D(2021, 3, 1)),             # 28.2. is a Sunday; moves to Monday
])
def test_counting(trigger, amount, unit, due):
    assert count(trigger, amount, unit).due == due


def test_fixed_dates_move_or_stay_as_chosen():
    assert fixed_date(D(2021, 1, 31), move=True).due == D(2021, 2, 1)   # a Sunday
    assert fixed_date(D(2021, 1, 31), move=False).due == D(2021, 1, 31)
    assert fixed_date(D(2022, 1, 31), move=True).due == D(2022, 1, 31)  # a Monday


def test_report_check_is_20_working_days_before_2020_and_15_after(law):
    # The memo's 20 working days describe the state just before the 2020 act: certain
    # since the last earlier act (27.03.2019); before it, an earlier act may have changed it.
    early = deadline(law, "report-check", D(2016, 12, 22))
    assert (early.status, early.due, early.rule.act.number) == ("undetermined", None, "1-3/170")
    assert "certain only from act 27.03.2019 nr 1-3/29" in str(early.steps[0])
    assert "if the value was unchanged then: due 2017-01-20" in str(early.steps[1]) and "memo2020" in str(early.notes[0])
    before = deadline(law, "report-check", D(2019, 12, 20))
    assert (before.status, before.due, before.rule.act.number) == ("determined", D(2020, 1, 23), "1-3/170")
    after = deadline(law, "report-check", D(2016, 12, 22), as_of=D(2021, 1, 5))
    assert (after.due, after.rule.item) == (D(2017, 1, 13), "1.24")
    assert "retroactively" in str(after.basis)
    assert after.other_readings and "from-signing" in after.other_readings[0].when


def test_a_deadline_inside_the_window_of_an_open_act_date_names_both_due_dates(law):
    found = deadline(law, "report-check", D(2020, 6, 1))
    assert (found.status, found.due) == ("undetermined", None)
    dues = {o.when: o.value.due for o in found.alternatives}
    assert dues["as assumed"] == D(2020, 6, 22) and D(2020, 7, 1) in dues.values()  # 15 or 20 working days
    assert deadline(law, "report-check", D(2021, 6, 1)).status == "determined"


def test_the_time_to_fix_deficiencies_changes_its_bound(law):
    before = deadline(law, "interim-deficiencies", D(2019, 5, 6))
    after = deadline(law, "interim-deficiencies", D(2021, 5, 6))
    assert (before.bound, after.bound) == ("at_least", "at_most")
    assert (before.due, after.due) == (D(2019, 5, 20), D(2021, 5, 20))


def test_final_report_runs_from_the_end_of_the_eligibility_period(law):
    final = deadline(law, "final-report", as_of=D(2021, 1, 1))
    assert (final.due, final.bound, final.rule.item) == (D(2024, 1, 30), "at_most", "1.23")
    before = deadline(law, "final-report", D(2020, 11, 9), as_of=D(2019, 6, 1))
    assert before.due == D(2020, 12, 28) and before.rule.act.number == "1-3/170"


def test_interim_report_is_dropped_within_six_months_of_the_final_report(law):
    last = deadline(law, "interim-report", D(2023, 6, 1))
    assert last.status == "none" and "only the final report" in str(last.steps[-1])
    earlier = deadline(law, "interim-report", D(2022, 6, 1))
    assert (earlier.status, earlier.due, earlier.bound) == ("determined", D(2023, 1, 31), "fixed")


def test_unknown_rules_are_undetermined_not_guessed(law):
    review = deadline(law, "amendment-review", D(2019, 3, 1))
    assert review.status == "undetermined" and review.due is None and "not in the sources" in str(review.steps[0])
    after = deadline(law, "amendment-review", D(2021, 3, 1))
    assert after.due == add_working_days(D(2021, 3, 1), 25) and any("at most 2 requests a year" in str(n) for n in after.notes)


def test_claim_processing_is_extended_by_the_time_spent_fixing(law):
    plain = deadline(law, "claim-processing", D(2021, 3, 1))
    longer = deadline(law, "claim-processing", D(2021, 3, 1), extension_days=10)
    assert plain.due == D(2021, 5, 31) and longer.due == D(2021, 6, 9)


def test_technical_failure_gives_the_next_working_day(law):
    assert deadline(law, "claim-technical-failure", D(2021, 6, 22)).due == D(2021, 6, 25)  # 23, 24 June holidays
    assert deadline(law, "claim-technical-failure", D(2019, 6, 20)).status == "undetermined"  # no such rule before 2020


def test_a_deadline_on_an_assumed_date_says_so(law):
    answer = deadline(law, "report-check", D(2020, 6, 1))
    assert [a.act for a in answer.assumptions] == ["1-3/zz"]


def test_the_year_schedule_and_its_calendar_file(law):
    items = schedule(law, 2021)
    assert [(i.kind, i.due) for i in items] == [("interim-report", D(2021, 2, 1)), ("plan-and-budget", D(2021, 11, 5))]
    ics = to_ics(items, law.name).decode()
    assert ics.count("BEGIN:VEVENT") == 2 and "DTSTART;VALUE=DATE:20210201" in ics and "1-3/170 p 11.2" in ics
    assert any(i.kind == "final-report" and i.due == D(2024, 1, 30) for i in schedule(law, 2024))


def test_every_kind_is_answered_after_2020(law):
    for kind in kinds(law):
        answer = deadline(law, kind.name, D(2021, 3, 1))
        assert answer.status in ("determined", "none") or kind.name.startswith("first-"), kind.name


def test_bad_questions_get_messages(law):
    with pytest.raises(QueryError, match="deadline --list"):
        deadline(law, "no-such-kind", D(2021, 1, 1))
    with pytest.raises(QueryError, match="needs --trigger"):
        deadline(law, "report-check")


DAYS = st.dates(D(2015, 1, 1), D(2030, 12, 31))


@given(DAYS, st.integers(1, 60))
def test_a_working_day_due_date_is_a_working_day(day, amount):
    assert is_working_day(add_working_days(day, amount))


@given(DAYS, st.integers(0, 40), st.integers(0, 40))
def test_adding_n_then_m_working_days_is_adding_n_plus_m(day, n, m):
    assert add_working_days(add_working_days(day, n), m) == add_working_days(day, n + m)


@given(DAYS, DAYS, st.integers(1, 100), st.sampled_from(["working_days", "calendar_days", "months"]))
def test_a_later_trigger_never_gives_an_earlier_due_date(first, second, amount, unit):
    early, late = sorted((first, second))
    assert count(early, amount, unit).due <= count(late, amount, unit).due


def test_before_2020_the_final_report_and_the_interim_skip_are_undetermined(law):
    final = deadline(law, "final-report", as_of=D(2018, 6, 1))
    assert final.status == "undetermined" and "not in the sources on 2018-06-01" in str(final.steps[0])
    interim = deadline(law, "interim-report", D(2018, 6, 1))
    assert interim.status == "determined" and interim.due == D(2019, 1, 31)
    assert any("undetermined" in str(note) or "not in the sources" in str(note) for note in interim.notes)


# --- annual deadlines by the year they report on -------------------------------------

ANNUAL = {"interim-report": (1, 1, 31), "plan-and-budget": (0, 11, 5)}  # year after the trigger's, month, day
YEARS = st.integers(2015, 2030)
DECISIONS = st.one_of(st.none(), st.sampled_from([D(2019, 6, 1), D(2021, 6, 1), D(2024, 6, 1)]))


@given(st.sampled_from(sorted(ANNUAL)), YEARS, st.integers(0, 365), DECISIONS)
def test_every_day_of_a_year_gives_that_year_s_annual_deadline(law, kind, year, offset, as_of):
    day = min(D(year, 1, 1) + dt.timedelta(days=offset), D(year, 12, 31))
    assert deadline(law, kind, day, as_of) == deadline(law, kind, D(year, 1, 1), as_of) == deadline(law, kind, D(year, 12, 31), as_of)


@pytest.mark.parametrize("kind", sorted(ANNUAL))
@pytest.mark.parametrize("year", [2018, 2021, 2022])
def test_the_first_and_last_day_of_a_year_ask_for_the_same_report(law, kind, year):
    after, month, day = ANNUAL[kind]
    expected = fixed_date(D(year + after, month, day), True).due
    for trigger in (D(year, 1, 1), D(year, 1, 15), D(year, 12, 31)):
        answer = deadline(law, kind, trigger)
        assert (answer.status, answer.due, answer.bound) == ("determined", expected, "fixed"), trigger


def test_a_january_day_asks_for_the_report_on_its_own_year(law):
    assert deadline(law, "interim-report", D(2021, 1, 15)).due == D(2022, 1, 31)
    assert deadline(law, "interim-report", D(2020, 1, 15)).due == D(2021, 2, 1)  # 31.01.2021 is a Sunday
    assert deadline(law, "plan-and-budget", D(2021, 12, 1)).due == D(2021, 11, 5)  # that year's plan, for 2022


def test_a_report_due_under_a_rule_the_sources_lack_is_undetermined_for_the_whole_year(law):
    # the 2016 report was due in January 2017, before 1-3/53 (30.04.2017) gave 11.2 its known wording
    for trigger in (D(2016, 1, 1), D(2016, 7, 1), D(2016, 12, 31)):
        assert deadline(law, "interim-report", trigger).status == "undetermined"
    assert deadline(law, "interim-report", D(2017, 1, 2)).due == D(2018, 1, 31)
