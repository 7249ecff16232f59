"""Every fact cites lines that state it: the number-word reader, the forms the
sources print, and the check over every bundled corpus with its reviewed exceptions."""

import datetime as dt
from decimal import Decimal
from importlib.resources import files
from pathlib import PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tat_engine.review.citations import Reading, miscitations, number_words, read_exceptions
from tat_engine.instruments import INSTRUMENTS
from tat_engine.loader import bundled_files, parse_corpus
from tat_engine.dsl.parse import parse_file
from tat_engine import model as m

DATA = files("tat_engine") / "data"


@pytest.mark.parametrize("text, values", [
    ("lõpparuande esitamise tähtaega neljakümne viielt kalendripäevalt kolmekümnele", {45, 30}),
    ("kahekümnelt tööpäevalt viieteistkümnele", {20, 15}),
    ("planeerimise alguses seatud kümme piirkonda", {10}),
    ("vähemalt kaheksateistkümnes piirkonnas", {18}),
    ("kümne tööpäeva jooksul", {10}),
    ("viie tööpäeva jooksul; kolme tööpäeva jooksul", {5, 3}),
    ("ühe kalendrikuu jooksul", {1}),
    ("kuni kaks korda aastas", {2}),
    ("kakskümmend viis tööpäeva", {25}),
    ("sada eurot; saja euro", {100}),
    ("üheksakümne üheksas", {99}),
    ("teist korda järgmine tööpäev kord kvartalis", set()),
])
def test_number_words_in_the_cases_the_sources_use(text, values):
    assert number_words(text) == values


UNITS = ["üks", "kaks", "kolm", "neli", "viis", "kuus", "seitse", "kaheksa", "üheksa"]
GENITIVES = ["ühe", "kahe", "kolme", "nelja", "viie", "kuue", "seitsme", "kaheksa", "üheksa"]
ENDINGS = ["", "l", "lt", "le", "s", "st", "ks", "ni", "ga"]


def written(n: int, ending: str | None) -> str:
    """``n`` as Estonian words: nominative when ``ending`` is None, else the genitive
    and the ending on the last word, as "neljakümne viielt"."""
    tens, unit = divmod(n, 10)
    if ending is None:
        if n == 100:
            return "sada"
        if n == 10:
            return "kümme"
        if tens == 1:
            return UNITS[unit - 1] + "teist"
        head = UNITS[tens - 1] + "kümmend" if tens else ""
        return " ".join(part for part in (head, UNITS[unit - 1] if unit else "") if part)
    if n == 100:
        return "saja" + ending
    if n == 10:
        return "kümne" + ending
    if tens == 1:
        return GENITIVES[unit - 1] + "teistkümne" + ending
    if not unit:
        return GENITIVES[tens - 1] + "kümne" + ending
    head = GENITIVES[tens - 1] + "kümne " if tens else ""
    return head + GENITIVES[unit - 1] + ending


@given(st.integers(1, 100), st.one_of(st.none(), st.sampled_from(ENDINGS)))
def test_every_number_from_one_to_a_hundred_is_read_in_every_case(n, ending):
    assert number_words(f"kuni {written(n, ending)} päeva") == {n}


def test_digits_and_dates_in_the_forms_the_sources_print():
    reading = Reading.of("kokku 440 550 eur ning 440550 ja 235,95 euri; 3,1 miljonit eurot; I etapp")
    assert {Decimal("440550"), Decimal("235.95"), Decimal("3100000"), Decimal(1)} <= reading.numbers
    dates = Reading.of("01.07.2015–31.12.2023; alates 1. juulist 2015; kuni 31. märtsini 2020. a; 30. november 2023").dates
    assert dates == {dt.date(2015, 7, 1), dt.date(2023, 12, 31), dt.date(2020, 3, 31), dt.date(2023, 11, 30)}
    assert (1, 31) in Reading.of("iga aasta\n31. jaanuariks").days
    assert Reading.of("tähtaeg on 10. mai 2023. a kell 10.00").times == {(10, 0)}


def test_point_labels_and_act_numbers_are_not_amounts():
    reading = Reading.of("1.18 sõnastan punkti 8.2 järgmiselt; käskkirjaga nr 1-3/53; kaheksateist-\nkümnes")
    assert not {Decimal(1), Decimal(18), Decimal(8), Decimal(2), Decimal(3), Decimal(53)} & reading.numbers
    assert reading.words == {18}


DSL = '''
document memo "memo.txt" kind memo lines 1..3
act "1-3/1" { kind directive title "T" signed 2015-09-18 in_force on_signing }
point 11.3 {
  text unknown "not in the sources"
  fact final_report: duration 45 calendar_days at_most after "lõpp" per memo 1..2
}
point 11.4 {
  text unknown "not in the sources"
  fact report_check: duration 20 working_days at_most after "laekumine" per memo 1..2
  fact interim_deficiencies: duration 10 working_days at_least after "puudused" per memo 3
}
point 12.1 {
  text "x"
  fact plan: annual --11-05
}
'''
MEMO = ["Punktis 11.3 lühendatakse tähtaega neljakümne viielt", "kalendripäevalt kolmekümnele.", "kuni kuus tööpäeva"]


def test_a_fact_citing_lines_that_do_not_state_it_is_found():
    documents, act = parse_file(DSL, "x.tat")
    found = miscitations(m.Corpus(documents, (act,)), {"memo": MEMO})
    assert [(f.key, f.missing) for f in found] == [
        ("11.4@1-3/1 report_check", ("20",)),
        ("11.4@1-3/1 interim_deficiencies", ("10",)),
        ("12.1@1-3/1 plan", ()),
    ]
    assert str(found[-1]) == "x.tat:15:3: 12.1@1-3/1 plan cites no lines"


def _texts(corpus: m.Corpus) -> dict[str, list[str]]:
    """Each document's file as lines; a document's path is relative to the file declaring it."""
    texts = {}
    for document in corpus.documents:
        target = DATA
        for part in (*PurePosixPath(document.location.path).parent.parts, *PurePosixPath(document.path).parts):
            target = target / part
        texts[document.name] = target.read_text("utf-8").splitlines()
    return texts


@pytest.mark.parametrize("instrument", sorted(INSTRUMENTS))
def test_every_fact_of_the_bundled_corpus_cites_lines_that_state_it(instrument):
    corpus, diagnostics = parse_corpus(bundled_files(instrument))
    assert not diagnostics
    listed = DATA
    for part in INSTRUMENTS[instrument][0].split("/"):
        listed = listed / part
    exceptions = read_exceptions((listed / "citation-exceptions.txt").read_text("utf-8"))
    found = miscitations(corpus, _texts(corpus))
    assert [str(f) for f in found if f.key not in exceptions] == []
    assert sorted(set(exceptions) - {f.key for f in found}) == [], "listed exceptions that no longer fail: remove them"
    assert all(reason.startswith("derived") for reason in exceptions.values())
