"""Questions legal staff ask of the real directive, answered from the bundled corpus."""

import datetime as dt

import pytest

import tat_engine
from tat_engine import InForce, NotYetInForce, Renumbered, Repealed

D = dt.date


@pytest.fixture(scope="module")
def law(directive):
    return directive


def roles_on(answer: InForce, day: dt.date) -> list[str]:
    return [
        fact.value.body for fact in answer.content.facts
        if type(fact.value).__name__ == "Role"
        and (fact.value.start is None or fact.value.start <= day)
        and (fact.value.end is None or day < fact.value.end)
    ]


def test_the_bundled_corpus_loads_without_errors(law):
    assert [act.number for act in law.acts()] == ["1-3/170", "1-3/53", "1-3/107", "1-3/29", "1-3/zz"]
    assert all(d.severity == "warning" for d in law.diagnostics)


def test_11_3_in_2019_is_known_only_by_its_45_days_from_the_memo(law):
    answer = law.point("11.3", D(2019, 6, 1))
    assert isinstance(answer, InForce)
    assert answer.status == "unknown" and answer.text is None
    due = answer.fact("final_report")
    assert (due.value.amount, due.value.unit, due.value.bound) == (45, "calendar_days", "at_most")
    assert due.source.document == "memo2020"
    assert answer.citation.act.number == "1-3/170" and answer.citation.verb == "enacted"
    assert answer.assumptions == ()  # the 2020 act cannot have been signed before 2020-02-20


def test_11_3_in_2021_is_the_2020_wording_with_30_days(law):
    answer = law.point("11.3", D(2021, 6, 1))
    assert answer.status == "known"
    assert answer.text.startswith("Elluviija esitab RÜ-le lõpparuande koos lisadega e-toetuse keskkonna kaudu 30 kalendripäeva jooksul")
    assert answer.fact("final_report").value.amount == 30
    assert (answer.citation.act.number, answer.citation.item, answer.citation.version) == ("1-3/zz", "1.23", 2)
    assert answer.assumptions == ()  # after 2020-12-31 the act is in force whatever its real date


def test_11_3_between_the_bounds_of_the_2020_act_says_it_rests_on_an_assumed_date(law):
    answer = law.point("11.3", D(2020, 6, 1))
    [assumption] = answer.assumptions
    assert assumption.act == "1-3/zz" and assumption.written == "xx.yy.2020" and not assumption.supplied


def test_a_supplied_date_replaces_the_assumption():
    law = tat_engine.load(assume={"1-3/zz": "2020-06-15"}, cache=False)
    assert law.point("11.3", D(2020, 6, 14)).status == "unknown"
    after = law.point("11.3", D(2020, 6, 15))
    assert after.fact("final_report").value.amount == 30
    assert [a.supplied for a in after.assumptions] == [True]


def test_9_1_10_names_two_provisions_before_and_after_the_renumbering(law):
    before, after = law.point("9.1.10", D(2018, 1, 1)), law.point("9.1.10", D(2021, 1, 1))
    assert before.text.startswith("sõlmima partneritega partnerluslepingud")
    assert after.text.startswith("koguma andmeid seirearuande jaoks")
    assert before.version.provision != after.version.provision
    assert after.citation.act.number == "1-3/53"  # its wording, amended 30.04.2017
    assert (after.change.verb, after.change.item, after.change.act.number) == ("renumbered", "1.22", "1-3/zz")


def test_the_partnership_point_keeps_its_identity_under_its_new_label(law):
    partnership = law.point("9.1.10", D(2018, 1, 1)).version.provision
    assert law.provision(partnership, D(2021, 1, 1)).label == "9.1.9"
    [history] = [h for h in law.history("9.1.10") if h.provision == partnership]
    assert [label for label, _, _ in history.labels] == ["9.1.10", "9.1.9"]


def test_old_9_1_9_is_repealed_and_its_label_reused(law):
    old = law.point("9.1.9", D(2019, 1, 1))
    assert old.status == "unknown"
    ever = {h.provision for h in law.history("9.1.9")}
    assert old.version.provision in ever and len(ever) == 2
    steps = next(h for h in law.history("9.1.9") if h.provision == old.version.provision).steps
    assert isinstance(steps[-1], Repealed) and steps[-1].by.item == "1.22"


def test_9_1_11_is_renumbered_away_after_2020(law):
    answer = law.point("9.1.11", D(2021, 1, 1))
    assert isinstance(answer, Renumbered) and answer.new_label == "9.1.10"


def test_1_3_3_implementing_body_changes_on_1_april_2020(law):
    on_31_march, on_1_april = law.point("1.3.3", D(2020, 3, 31)), law.point("1.3.3", D(2020, 4, 1))
    assert roles_on(on_31_march, D(2020, 3, 31)) == ["Sihtasutus Innove"]
    assert roles_on(on_1_april, D(2020, 4, 1)) == ["Riigi Tugiteenuste Keskus"]
    assert on_1_april.assumptions  # the change rests on the 2020 act being signed by then


def test_2_3_2_1_after_the_2020_act_is_item_1_9_and_the_double_change_is_reported(law):
    answer = law.point("2.3.2.1", D(2021, 1, 1))
    assert "vähemalt kaheksateistkümnes piirkonnas" in answer.text and "kümnes kaheksateist" not in answer.text
    assert answer.citation.item == "1.9"
    assert answer.fact("regions").value.value == 18
    [double] = [d for d in law.diagnostics if d.code == "double-change" and "2.3.2.1" in d.message]
    assert "1.4 and 1.9" in double.message
    before = law.point("2.3.2.1", D(2019, 1, 1))
    assert before.status == "unknown" and before.fact("regions").value.value == 10


def test_15_and_16_after_2020(law):
    assert law.point("15", D(2021, 1, 1)).text == "Riigiabi"
    assert law.point("16", D(2021, 1, 1)).text == "Rakendussäte"
    assert isinstance(law.point("16", D(2019, 1, 1)), NotYetInForce)
    assert law.point("15", D(2019, 1, 1)).status == "reconstructed"


def test_facts_of_2016_decided_in_2021_are_judged_by_the_2021_text(law):
    applied = law.applicable("11.3", facts_on=D(2016, 3, 1), decided_on=D(2021, 6, 1))
    assert applied.law_on == D(2021, 6, 1) and "retroactively from 2015-07-01" in str(applied.basis)
    assert applied.answer.fact("final_report").value.amount == 30


def test_facts_of_2016_decided_in_2019_are_judged_by_the_2016_text(law):
    applied = law.applicable("11.3", facts_on=D(2016, 3, 1), decided_on=D(2019, 6, 1))
    assert applied.law_on == D(2016, 3, 1)
    assert applied.answer.fact("final_report").value.amount == 45


def test_the_consolidated_text_generates_its_annotations(law):
    text = law.text(D(2021, 1, 1))
    assert "11.3. Elluviija esitab" in text
    assert "(muudetud siseministri xx.yy.2020 käskkirjaga nr 1-3/zz)" in text
    assert "(lisatud siseministri xx.yy.2020 käskkirjaga nr 1-3/zz)" in text
    assert "9.1.10. koguma andmeid" in text and "(muudetud siseministri 30.04.2017 käskkirjaga nr 1-3/53)" in text
    assert "ASSUMPTION" not in text


def test_the_2016_text_shows_unknown_wording_as_unknown(law):
    text = law.text(D(2016, 1, 1))
    assert "11.3. [wording not in the sources" in text and "45 calendar days" in text
    assert "16." not in text.split("15.")[-1]  # no point 16 yet
    assert "käskkirjaga" not in text  # nothing amended yet


def test_diff_between_2019_and_2021_lists_the_2020_changes(law):
    changes = {(c.before or c.after).version.provision: c for c in law.diff(D(2019, 6, 1), D(2021, 1, 1))}
    assert "reworded" in changes["11.3@1-3/170"].kinds
    assert changes["9.1.10@1-3/170"].kinds == ("renumbered",)
    assert changes["16@1-3/zz"].kinds == ("added",)


@pytest.mark.parametrize("path", ["tat/1-3-170.tat", "amendments/2020-1-3-zz.tat", "amendments/2017-04-30-1-3-53.tat"])
def test_the_real_files_print_back_to_an_equal_model(path):
    from tat_engine.loader import bundled_files
    from tat_engine.dsl.parse import parse_act
    from tat_engine.dsl.printer import print_act

    act = parse_act(dict(bundled_files())[path], path)
    assert parse_act(print_act(act)) == act


def test_a_label_as_people_write_it_is_the_same_point(law):
    day = D(2021, 1, 1)
    assert law.point("11.3.", day) == law.point(" 11.3 ", day) == law.point("11.3", day)
    assert law.point("Lisa  5", day) == law.point("Lisa 5", day)
