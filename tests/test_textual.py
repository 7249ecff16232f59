"""Textual amendments (issue 13 item 3): items that change part of a point, written as the
ministry writes them, replayed into the resulting wording, consolidated text and annotation;
one located error per kind; per-item applies_from in ``Law.applicable``.

The directive below is a test fixture in the shape of the sources, not law."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tat_engine import InForce, Law, model as m
from tat_engine.errors import CorpusError, DslError
from tat_engine.loader import build
from tat_engine.dsl.parse import parse_act
from tat_engine.dsl.printer import print_act

BASE = '''act "1-3/1" { kind directive title "Toetuse andmise tingimused" signed 2015-09-18 in_force on_signing }
section 8 { text "Aruandlus" }
point 8.3 { text "Toetuse saaja esitab aruande punktis 9.1.2 nimetatud kulude kohta." }
point 8.6 { text "Rakendusüksus kontrollib punktis 9.1.2 nimetatud kulusid." }
section 9 { text "Kulud" }
point 9.1 { text "Abikõlblikud on:" }
point 9.1.2 { text "personalikulud;" }
point 9.1.8 { text "Toetuse saaja tellib teenused RÜ-lt, järgides riigihangete seadust. Teenuse eest tasutakse arve alusel. Eelnõustamist pakub SA Innove."
  fact cap: amount 500 EUR
  fact flat: rate 15% of "otsesed personalikulud"
  table "määrad" { columns "kulu" "määr" row "teenus" 15% } }
point 9.2 { text "SA Innove nõustab taotlejaid. Kontakt: SA Innove." }
point 9.3 { text unknown "the sources do not give it" }
point 9.4 { text reconstructed "Kulud hüvitatakse kümnes osas." basis "the memo" }
'''
AMEND = 'act "1-3/53" { kind amending title "Muutmine" amends "1-3/1" signed 2017-04-30 in_force 2017-05-01 }\n'
BEFORE, AFTER = dt.date(2017, 4, 30), dt.date(2017, 5, 1)
MUUDETUD = "(muudetud siseministri 30.04.2017 käskkirjaga nr 1-3/53)"
RTK = "Riigi Tugiteenuste Keskus"


def law_with(*items: str) -> Law:
    return Law(build([("base.tat", BASE), ("amend.tat", AMEND + "\n".join(items))]))


def wording(law: Law, label: str, on: dt.date = AFTER) -> str:
    answer = law.point(label, on)
    assert isinstance(answer, InForce), answer
    return answer.content.wording.text


def consolidated_line(law: Law, label: str) -> str:
    return next(line for line in law.text(AFTER).splitlines() if line.startswith(f"{label}. "))


# --- every operation: wording, consolidated text, annotation ---------------------------------------

def test_replace_words_in_one_point():
    # 1.5. asendan punktis 9.1.8 lühendi „RÜ“ lühendiga „RTK“;
    law = law_with('item 1.5 replace 9.1.8 { words "RÜ" by "RTK" }')
    assert wording(law, "9.1.8").startswith("Toetuse saaja tellib teenused RTK-lt, järgides")
    assert wording(law, "9.1.8", BEFORE).startswith("Toetuse saaja tellib teenused RÜ-lt")
    assert consolidated_line(law, "9.1.8") == f"9.1.8. {wording(law, '9.1.8')} {MUUDETUD}"
    answer = law.point("9.1.8", AFTER)
    assert (answer.citation.verb, answer.citation.item, answer.citation.act.number) == ("replaced", "1.5", "1-3/53")
    old = law.point("9.1.8", BEFORE).content
    assert answer.content.facts == old.facts and answer.content.table == old.table  # facts do not follow text edits
    assert [change.kinds for change in law.diff(BEFORE, AFTER)] == [("reworded",)]


def test_replace_words_in_several_points():
    # 1.6. asendan punktides 8.3 ja 8.6 arvu „9.1.2“ arvuga „9.1.3“;
    law = law_with('item 1.6 replace 8.3 8.6 { words "9.1.2" by "9.1.3" }')
    assert wording(law, "8.3") == "Toetuse saaja esitab aruande punktis 9.1.3 nimetatud kulude kohta."
    assert wording(law, "8.6") == "Rakendusüksus kontrollib punktis 9.1.3 nimetatud kulusid."
    assert consolidated_line(law, "8.6").endswith(MUUDETUD)
    changes = law.act_changes("1-3/53")
    [item] = changes.items
    assert (item.item, item.verb, item.target) == ("1.6", "replace", "8.3 8.6")
    assert sorted(citation.label for citation in item.made) == ["8.3", "8.6"]


def test_replace_everywhere_changes_every_occurrence_and_only_the_points_holding_it():
    # 1.7. asendan käskkirja tekstis läbivalt sõnad „SA Innove“ sõnadega „Riigi Tugiteenuste Keskus“;
    law = law_with('item 1.7 replace everywhere { words "SA Innove" by "Riigi Tugiteenuste Keskus" }')
    assert wording(law, "9.2") == f"{RTK} nõustab taotlejaid. Kontakt: {RTK}."
    assert wording(law, "9.1.8").endswith(f"Eelnõustamist pakub {RTK}.")
    assert {change.provision for change in law.diff(BEFORE, AFTER)} == {"9.1.8@1-3/1", "9.2@1-3/1"}
    assert consolidated_line(law, "9.2").endswith(MUUDETUD)
    assert not consolidated_line(law, "8.3").endswith(")")  # untouched: no annotation
    [unseen] = [d for d in law.diagnostics if d.code == "everywhere-unseen"]
    assert unseen.severity == "warning" and "9.3, 9.4" in unseen.message  # wordings it could not look into


def test_delete_words():
    # 1.8. jätan punktist 9.1.8 välja sõnad „, järgides riigihangete seadust“;
    law = law_with('item 1.8 delete 9.1.8 { words ", järgides riigihangete seadust" }')
    assert wording(law, "9.1.8").startswith("Toetuse saaja tellib teenused RÜ-lt. Teenuse eest")
    assert law.point("9.1.8", AFTER).citation.verb == "deleted"
    assert consolidated_line(law, "9.1.8").endswith(MUUDETUD)


def test_deleting_words_quoted_without_their_space_leaves_one_space():
    # jätan punktist 9.1.8 välja sõna „arve“ / sõnad „Teenuse eest tasutakse arve alusel.“
    law = law_with('item 1.8 delete 9.1.8 { words "arve" }')
    assert "tasutakse alusel." in wording(law, "9.1.8")
    law = law_with('item 1.8 delete 9.1.8 { words "Teenuse eest tasutakse arve alusel." }')
    assert wording(law, "9.1.8") == "Toetuse saaja tellib teenused RÜ-lt, järgides riigihangete seadust. Eelnõustamist pakub SA Innove."


def test_delete_a_numbered_sentence():
    # 1.9. jätan punktist 9.1.8 välja teise lause;
    law = law_with("item 1.9 delete 9.1.8 { sentence 2 }")
    assert wording(law, "9.1.8") == "Toetuse saaja tellib teenused RÜ-lt, järgides riigihangete seadust. Eelnõustamist pakub SA Innove."
    law = law_with("item 1.9 delete 9.1.8 { sentence 3 }")
    assert wording(law, "9.1.8").endswith("arve alusel.")
    assert consolidated_line(law, "9.1.8").endswith(MUUDETUD)


def test_delete_the_last_sentence_whatever_their_number():
    # 1.9. jätan punktist 9.1.8 välja viimase lause;
    law = law_with("item 1.9 delete 9.1.8 { sentence last }")
    assert wording(law, "9.1.8") == ("Toetuse saaja tellib teenused RÜ-lt, järgides riigihangete seadust. "
                                     "Teenuse eest tasutakse arve alusel.")
    law = law_with("item 1.9 delete 9.2 { sentence last }")
    assert wording(law, "9.2") == "SA Innove nõustab taotlejaid."


def test_replace_a_whole_sentence():
    # 1.4. sõnastan punkti 9.1.8 teise lause järgmiselt: „Teenuse eest tasutakse ettemaksuna.“;
    law = law_with('item 1.4 replace 9.1.8 { sentence 2 by "Teenuse eest tasutakse ettemaksuna." }')
    assert wording(law, "9.1.8") == ("Toetuse saaja tellib teenused RÜ-lt, järgides riigihangete seadust. "
                                     "Teenuse eest tasutakse ettemaksuna. Eelnõustamist pakub SA Innove.")
    assert law.point("9.1.8", AFTER).citation.verb == "replaced"
    assert consolidated_line(law, "9.1.8").endswith(MUUDETUD)


def test_an_edit_narrowed_to_one_sentence_looks_only_there():
    # 1.6. asendan punkti 9.2 viimases lauses lühendi „SA Innove“ lühendiga „RTK“;
    # the phrase is twice in 9.2, once in its last sentence: the scope names one.
    law = law_with('item 1.6 replace 9.2 { in sentence last words "SA Innove" by "RTK" }')
    assert wording(law, "9.2") == "SA Innove nõustab taotlejaid. Kontakt: RTK."
    law = law_with('item 1.6 delete 9.2 { in sentence 1 words " taotlejaid" }',
                   'item 1.7 amend 9.2 { in sentence 2 after "Kontakt:" words " e-post" }')
    assert wording(law, "9.2") == "SA Innove nõustab. Kontakt: e-post SA Innove."


def test_amend_after_and_before_a_phrase():
    # 2.0. täiendan punkti 9.1.8 pärast sõna „teenused“ sõnadega „ja kaubad“;
    # 2.1. täiendan punkti 9.1.8 enne sõna „Eelnõustamist“ sõnaga „Tasuta“ (as the act quotes it, the space is the importer's)
    law = law_with('item 2.0 amend 9.1.8 { after "teenused" words " ja kaubad" }',
                   'item 2.1 amend 9.1.8 { before "Eelnõustamist" words "Tasuta " }')
    assert wording(law, "9.1.8") == ("Toetuse saaja tellib teenused ja kaubad RÜ-lt, järgides riigihangete seadust. "
                                     "Teenuse eest tasutakse arve alusel. Tasuta Eelnõustamist pakub SA Innove.")
    answer = law.point("9.1.8", AFTER)
    assert (answer.citation.verb, answer.citation.item) == ("amended", "2.1")  # one version for the act
    assert not [d for d in law.diagnostics if d.code == "double-change"]  # edits of one point compose
    assert consolidated_line(law, "9.1.8").endswith(MUUDETUD)


def test_amend_with_a_sentence():
    # 2.2. täiendan punkti 8.3 lausega järgmises sõnastuses: „Aruande vorm on lisas 2.“;
    law = law_with('item 2.2 amend 8.3 { sentence "Aruande vorm on lisas 2." }')
    assert wording(law, "8.3") == "Toetuse saaja esitab aruande punktis 9.1.2 nimetatud kulude kohta. Aruande vorm on lisas 2."
    assert consolidated_line(law, "8.3") == f"8.3. {wording(law, '8.3')} {MUUDETUD}"


def test_amend_with_a_sub_point_is_the_insert():
    # 2.3. täiendan punkti 9.1 alapunktiga 9.1.9 järgmises sõnastuses: „sõidukulud.“
    law = law_with('item 2.3 insert 9.1.9 { text "sõidukulud." }')
    assert wording(law, "9.1.9") == "sõidukulud."
    assert consolidated_line(law, "9.1.9") == "9.1.9. sõidukulud. (lisatud siseministri 30.04.2017 käskkirjaga nr 1-3/53)"


def test_an_item_of_several_operations_in_one_act_applies_them_in_turn_and_its_facts_replace_by_name():
    law = law_with('item 1.1 replace 9.1.8 { words "RÜ" by "RTK" }',
                   'item 1.2 delete 9.1.8 { sentence 2 fact cap: amount 800 EUR source x 1 }',
                   'item 1.3 replace everywhere { words "SA Innove" by "Riigi Tugiteenuste Keskus" }')
    assert wording(law, "9.1.8") == f"Toetuse saaja tellib teenused RTK-lt, järgides riigihangete seadust. Eelnõustamist pakub {RTK}."
    content = law.point("9.1.8", AFTER).content
    assert content.fact("cap").value == m.Amount(Decimal(800))
    assert [fact.name for fact in content.facts] == ["cap", "flat"] and content.table.name == "määrad"
    assert content.sources == (m.Source("x", 1, 1),)
    assert len(law.history("9.1.8")[0].steps) == 2
    made = {item.item: sorted(citation.label for citation in item.made) for item in law.act_changes("1-3/53").items}
    assert made == {"1.1": ["9.1.8"], "1.2": ["9.1.8"], "1.3": ["9.1.8", "9.2"]}  # every item that shaped the wording


def test_facts_do_not_follow_words_and_the_replay_says_so():
    """A change of words leaves a point's facts as they were; a substitute without facts drops them:
    either way a warning at the item, unless the act gives the facts."""
    def warned(*items):
        return [(d.code, d.location.line) for d in law_with(*items).diagnostics if d.code.startswith("facts-")]

    assert warned('item 1.5 replace 9.1.8 { words "RÜ" by "RTK" }') == [("facts-kept", 2)]
    assert warned('item 1.5 replace 9.1.8 { words "RÜ" by "RTK" fact cap: amount 600 EUR }') == []
    assert warned('item 1.5 substitute 9.1.8 { text "Uus." }') == [("facts-dropped", 2)]
    # a later item of the same act that gives them back settles it
    assert warned('item 1.5 substitute 9.1.8 { text "Uus." }',
                  'item 1.6 substitute 9.1.8 { text "Uus." fact cap: amount 600 EUR }') == []
    assert warned('item 1.5 replace 8.3 { words "9.1.2" by "9.1.3" }', 'item 1.6 repeal 9.1.8') == []
    [message] = [d.message for d in law_with('item 1.5 delete 9.1.8 { sentence 3 }').diagnostics if d.code == "facts-kept"]
    assert "9.1.8" in message and "cap, flat" in message


def test_an_edit_after_a_whole_point_substitute_applies_to_the_new_wording():
    law = law_with('item 1.1 substitute 8.3 { text "Aruanne esitatakse punktis 9.1.2 nimetatud kulude kohta." }',
                   'item 1.2 replace 8.3 { words "9.1.2" by "9.1.3" }')
    assert wording(law, "8.3") == "Aruanne esitatakse punktis 9.1.3 nimetatud kulude kohta."


def test_the_dsl_forms_print_and_parse_back():
    text = AMEND + "\n".join([
        'item 1.5 replace 2.2.3.1.8 { words "kümnes" by "kaheksateistkümnes" }',
        'item 1.6 replace 8.3 8.6 { words "9.1.2" by "9.1.3" }',
        'item 1.7 replace everywhere { words "SA Innove" by "Riigi Tugiteenuste Keskus" }',
        'item 1.8 delete 9.1.8 { words ", järgides riigihangete seadust" }',
        'item 1.9 delete 9.1.8 { sentence 2 }',
        'item 2.0 amend 9.1.8 { after "RÜ-lt" words " taotleda" }',
        'item 2.1 amend 9.1.8 { before "eelnõustamist" words "tasuta " note "REVIEW: why" }',
        'item 2.2 amend 9.1.8 { sentence "Uus lause." applies_from 2016-01-01 }',
        'item 2.3 insert 9.1.8.1 { text "…" applies_from 2016-01-01 }',
        'item 2.4 delete 9.1.8 { sentence last }',
        'item 2.5 replace 9.1.8 { sentence 2 by "Uus lause." }',
        'item 2.6 replace 9.2 { in sentence last words "SA Innove" by "RTK" }',
    ])
    act = parse_act(text)
    assert [type(item.verb).__name__ for item in act.items] == (["Replace"] * 3 + ["Delete"] * 2 + ["Amend"] * 3 + ["Insert"]
                                                                + ["Delete", "Replace", "Replace"])
    assert act.items[9].verb.sentence == m.LAST_SENTENCE and act.items[10].verb == m.Replace(
        (m.Label.parse("9.1.8"),), None, "Uus lause.", scope=2)
    assert act.items[11].verb.scope == m.LAST_SENTENCE and act.items[11].verb.phrase == "SA Innove"
    assert act.items[2].verb.targets == () and act.items[1].where == "8.3 8.6"
    assert act.items[5].verb == m.Amend((m.Label.parse("9.1.8"),), "after", " taotleda", "RÜ-lt")
    assert act.items[7].applies_from == dt.date(2016, 1, 1) and act.items[6].content.notes == ("REVIEW: why",)
    assert parse_act(print_act(act)) == act


# --- per-item applies_from ---------------------------------------------------------------------------

def test_an_item_applied_from_an_earlier_day_governs_facts_from_then_once_its_act_is_in_force():
    # Käskkirja punkti 1.2 rakendatakse tagasiulatuvalt alates 1. jaanuarist 2016.
    law = law_with('item 1.1 replace 8.6 { words "9.1.2" by "9.1.3" }',
                   'item 1.2 replace 8.3 { words "9.1.2" by "9.1.3" applies_from 2016-01-01 }')
    reached = law.applicable("8.3", "2016-06-01", "2018-01-01")
    assert "9.1.3" in reached.answer.content.wording.text and reached.law_on == AFTER
    assert "item 1.2 of act 1-3/53 applies from 2016-01-01" in str(reached.basis)
    assert "9.1.2" in law.applicable("8.6", "2016-06-01", "2018-01-01").answer.content.wording.text  # other items: not
    assert "9.1.2" in law.applicable("8.3", "2015-12-31", "2018-01-01").answer.content.wording.text  # before its day
    assert "9.1.2" in law.applicable("8.3", "2016-06-01", "2017-04-30").answer.content.wording.text  # act not yet in force


def test_a_sub_point_inserted_back_to_an_earlier_day_governs_facts_from_then():
    law = law_with('item 2.3 insert 9.1.9 { text "sõidukulud." applies_from 2016-01-01 }')
    assert law.applicable("9.1.9", "2016-06-01", "2018-01-01").answer.content.wording.text == "sõidukulud."
    assert not isinstance(law.applicable("9.1.9", "2015-12-01", "2018-01-01").answer, InForce)


def test_items_of_one_act_with_different_days_on_one_point_apply_from_the_later_with_a_warning():
    law = law_with('item 1.1 replace 8.3 { words "9.1.2" by "9.1.3" }',
                   'item 1.2 amend 8.3 { sentence "Vorm on lisas 2." applies_from 2016-01-01 }')
    [warning] = [d for d in law.diagnostics if d.code == "item-reach"]
    assert warning.location.line == 3 and "1.1 and 1.2" in warning.message
    assert "9.1.2" in law.applicable("8.3", "2016-06-01", "2018-01-01").answer.content.wording.text


# --- errors: one fixture per kind, located at the item --------------------------------------------------

REPLAY_ERRORS = [
    # code, items, line of the item, words the message must hold
    ("phrase-missing", ['item 1.5 replace 9.1.8 { words "kümnes" by "kaheksateistkümnes" }'], 2, ["„kümnes“", "9.1.8"]),
    ("phrase-missing", ['item 1.1 replace 8.3 { words "9.1.2" by "9.1.3" }', 'item 1.8 amend 8.6 { after "RÜ" words "x" }'],
     3, ["„RÜ“", "8.6", "item 1.8"]),
    ("phrase-repeated", ['item 1.6 replace 9.2 { words "SA Innove" by "RTK" }'], 2, ["„SA Innove“", "9.2", "2 times", "läbivalt"]),
    ("phrase-repeated", ['item 1.6 delete 9.2 { words "SA Innove" }'], 2, ["2 times"]),
    ("unknown-wording", ['item 1.1 replace 9.3 { words "a" by "b" }'], 2, ["9.3", "not in the sources", "whole-point substitute"]),
    ("unknown-wording", ['item 1.1 replace 9.4 { words "kümnes" by "kaheksateistkümnes" }'], 2, ["9.4", "reconstructed"]),
    ("everywhere-unmatched", ['item 1.7 replace everywhere { words "Innove SA" by "RTK" }'], 2, ["„Innove SA“", "everywhere", "no point"]),
    ("sentence-range", ["item 1.9 delete 8.3 { sentence 2 }"], 2, ["8.3", "1 sentence", "no sentence 2"]),
    ("sentence-range", ["item 1.9 delete 9.1.8 { sentence 4 }"], 2, ["3 sentences", "no sentence 4"]),
    ("empty-wording", ["item 1.9 delete 9.1.2 { sentence 1 }"], 2, ["repeal"]),
    ("empty-wording", ["item 1.9 delete 9.1.2 { sentence last }"], 2, ["repeal"]),
    ("phrase-missing", ['item 1.6 replace 9.2 { in sentence 1 words "Kontakt" by "RTK" }'], 2,
     ["first sentence", "„Kontakt“", "„SA Innove nõustab taotlejaid.“"]),
    ("sentence-range", ['item 1.6 replace 8.3 { sentence 2 by "Uus." }'], 2, ["1 sentence", "no sentence 2"]),
    ("unknown-target", ['item 1.6 replace 8.3 8.7 { words "9.1.2" by "9.1.3" }'], 2, ["8.7", "not in force"]),
]


@pytest.mark.parametrize("code, items, line, words", REPLAY_ERRORS, ids=[f"{e[0]}-{i}" for i, e in enumerate(REPLAY_ERRORS)])
def test_an_edit_that_cannot_apply_is_a_located_error(code, items, line, words):
    with pytest.raises(CorpusError) as raised:
        law_with(*items)
    [found] = [d for d in raised.value.diagnostics if d.code == code]
    assert found.severity == "error" and found.location.path == "amend.tat" and found.location.line == line
    assert found.context  # the line and a caret
    for word in words:
        assert word in found.message


SYNTAX_ERRORS = [
    # code, item text, column, words the message must hold
    ("bad-edit", 'item 1.5 replace 9.1.8 { words "A" }', 26, ['words "A" by "B"', "not"]),
    ("bad-edit", "item 1.5 replace 9.1.8", 1, ["exactly one operation"]),
    ("bad-edit", 'item 1.5 delete 9.1.8 { words "A" sentence 2 }', 35, ["exactly one operation"]),
    ("bad-edit", 'item 1.5 amend 9.1.8 { words "A" by "B" }', 24, ["after", "not"]),
    ("bad-edit", "item 1.9 delete everywhere { sentence 2 }", 30, ["name the point"]),
    ("bad-edit", 'item 1.5 replace 9.1.8 { words "" by "B" }', 32, ["empty"]),
    ("bad-edit", "item 1.9 delete 9.1.8 { sentence 0 }", 34, ["from 1"]),
    ("bad-edit", 'item 1.5 replace 8.3 8.3 { words "A" by "B" }', 1, ["8.3 twice"]),
    ("bad-edit", 'item 1.5 substitute 8.3 { text "x" words "A" by "B" }', 36, ["(replace, delete, amend)"]),
    ("item-content", 'item 1.5 replace 8.3 { words "A" by "B" text "x" }', 1, ["computes", "substitute"]),
    ("item-field", 'item 1.5 repeal 8.3 { applies_from 2016-01-01 applies_from 2016-02-01 }', 47, ["one"]),
    ("syntax", 'item 1.5 replace { words "A" by "B" }', 18, ["point number", "everywhere"]),
    ("bad-edit", 'item 1.5 replace everywhere { in sentence 2 words "A" by "B" }', 31, ["name the point"]),
    ("bad-edit", 'item 1.5 delete 9.1.8 { in sentence 2 sentence 1 }', 25, ["names no phrase"]),
    ("bad-edit", 'item 1.5 repeal 9.1.8 { in sentence 2 }', 25, ["(replace, delete, amend)"]),
    ("bad-edit", 'item 1.5 amend 9.1.8 { sentence "A." by "B." }', 41, ["sentence N by"]),
    ("bad-edit", 'item 1.5 delete 9.1.8 { sentence 2 by "B." }', 25, ["delete", "not"]),
]


@pytest.mark.parametrize("code, item, column, words", SYNTAX_ERRORS, ids=[f"{e[0]}-{i}" for i, e in enumerate(SYNTAX_ERRORS)])
def test_a_malformed_edit_names_line_column_and_what_was_expected(code, item, column, words):
    with pytest.raises(DslError) as raised:
        parse_act(AMEND + item, "amend.tat")
    diagnostic = raised.value.diagnostic
    assert (diagnostic.code, diagnostic.location.line, diagnostic.location.column) == (code, 2, column), diagnostic
    for word in words:
        assert word in diagnostic.message


# --- a property: replacing A by B, then B by A, gives the wording back ---------------------------------

WORDS = st.text(alphabet="aeiklmnstõäöüKT.,;", min_size=1, max_size=6)


@given(st.lists(WORDS, min_size=1, max_size=6), st.integers(0, 5), WORDS, WORDS)
def test_replacing_a_by_b_then_b_by_a_gives_the_wording_back(words, at, a, b):
    """A and B are whole words (the wording's words are separated by spaces, B holds none), so B
    cannot straddle the seam; B does not occur in the wording before."""
    words.insert(at % (len(words) + 1), a)
    text = " ".join(words)
    assume(text.count(a) == 1 and b not in text)
    base = f'act "1-3/1" {{ kind directive title "T" signed 2015-09-18 in_force on_signing }}\npoint 1 {{ text {_q(text)} }}\n'
    there = AMEND + f"item 1.1 replace 1 {{ words {_q(a)} by {_q(b)} }}\n"
    back = ('act "1-3/60" { kind amending title "T" amends "1-3/1" signed 2018-01-01 in_force on_signing }\n'
            f"item 1 replace everywhere {{ words {_q(b)} by {_q(a)} }}\n")
    law = Law(build([("base.tat", base), ("there.tat", there), ("back.tat", back)]))
    assert wording(law, "1") == text.replace(a, b)
    assert wording(law, "1", dt.date(2018, 1, 1)) == text


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
