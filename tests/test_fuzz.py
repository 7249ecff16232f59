"""Malformed DSL never escapes as anything but DslError with a line and a column;
inconsistent DSL and questions at the edges of the date range get the project's
own errors, located."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from tat_engine import model as m
from tat_engine.loader import bundled_files, parse_corpus
from tat_engine.rules.deadlines import deadline, schedule
from tat_engine.errors import CorpusError, DslError, QueryError
from tat_engine.law import Law
from tat_engine.loader import build
from tat_engine.dsl import tables
from tat_engine.dsl.parse import parse_file
from tat_engine.dsl.printer import print_act

from strategies import corpora

# Regex terminals drawn from strategies that keep generated text lexable.
TERMINALS = {
    "STRING": st.text(alphabet="abõ „“-", max_size=6).map(lambda t: f'"{t}"'),
    "DATE": (st.dates(m.FIRST_DAY, m.LAST_DAY) | st.dates()).map(lambda d: d.isoformat()),
    "LABEL": st.lists(st.integers(1, 20), min_size=1, max_size=4).map(lambda p: ".".join(map(str, p))),
    "NAME": st.sampled_from(["a", "due", "act2020"]),
    "MONTH_DAY": st.sampled_from(["--01-31", "--02-30", "--13-01"]),
    "NUMBER": st.decimals(-1000, 10**6, places=2).map(str),
    "PERCENT": st.integers(0, 200).map(lambda n: f"{n}%"),
    "INT": st.integers(0, 3000).map(str),
    "SIGNED_INT": st.integers(-3, 3).map(lambda n: f"{n:+d}"),
    "ANNEX_LABEL": st.integers(1, 9).map(lambda n: f"Lisa {n}"),
}



@st.composite
def mutated(draw, texts):
    text = draw(texts)
    if not text:
        return text
    kind = draw(st.integers(0, 3))
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start, min(len(text), start + 20)))
    if kind == 0:
        return text[:start] + text[end:]
    if kind == 1:
        return text[:start] + draw(st.characters()) + text[start:]
    if kind == 2:
        return text[:end] + text[start:end] + text[end:]
    return text[:start] + draw(st.sampled_from(["{", "}", '"', "..", "item ", "act ", "\n"])) + text[start:]


def parses_or_says_where(text: str) -> None:
    try:
        parse_file(text, "fuzz.tat")
    except DslError as error:
        location = error.location
        assert location is not None and location.line >= 1 and location.column >= 1
        assert str(error).startswith(f"fuzz.tat:{location.line}:{location.column}: error: ")
    except Exception as error:  # anything else escaping is the defect this test looks for
        pytest.fail(f"{type(error).__name__} escaped for {text!r}: {error}")


GRAMMAR_TEXT = from_lark(tables.compiled(), explicit=TERMINALS)  # the shipped tables keep no grammar to draw from


@given(GRAMMAR_TEXT)
def test_text_drawn_from_the_grammar(text):
    parses_or_says_where(text)


@given(mutated(GRAMMAR_TEXT))
def test_mutated_text_drawn_from_the_grammar(text):
    parses_or_says_where(text)


@given(mutated(corpora(max_acts=2).map(lambda corpus: "\n".join(print_act(act) for act in corpus.acts[1:2]) or print_act(corpus.acts[0]))))
def test_mutated_corpus_files(text):
    parses_or_says_where(text)


@given(st.text())
def test_any_text(text):
    parses_or_says_where(text)


# --- semantic mutations: a small valid corpus with a few values replaced --------------------------------
#
# The corpus below loads. Each example replaces one to four of its values by an
# attack (a duplicate act number, an amends naming itself, nothing or another
# amending act, a number of thousands of digits, a day at or past the edges of
# the supported range, two acts in force the same day, an edited label or date).
# Loading must succeed, or fail with the project's own errors, each located;
# a loaded law must answer every question or refuse it with a QueryError.

CORPUS = {
    "base.tat": 'document memo "memo.txt" kind memo lines {l1}..{l2}\n'
                'act "{n1}" {{ kind directive title "T" signed {d1} in_force on_signing }}\n'
                'section 1 {{ text "S" }}\n'
                'point 1.1 {{ text "a" fact due: duration {i1} working_days at_most after "t" source memo {s1}..{s2} }}\n'
                'point 1.2 {{ text "vastavalt punktis 1.1" fact p: period {d2}..{d3} }}\n'
                'point 1.3 {{ text "c" fact r: role "r" held_by "b" from {d4} until {d5} fact l: limit {i2} per "county" }}\n'
                'section 2 {{ text "T" fact m: moment {d6}T10:00 "Europe/Tallinn" fact a: amount {x1} EUR }}\n',
    "a.tat": 'act "{n2}" {{ kind amending title "A" {a2} signed {d7} in_force {f2} }}\n'
             'item 1 substitute {t1} {{ text "x" fact due: duration 10 working_days at_most after "t" }}\n'
             'item 2 repeal {t2}\n',
    "b.tat": 'act "{n3}" {{ kind amending title "B" {a3} signed {d8} in_force {f3} }}\n'
             'item 1 substitute {t3} {{ text "y" fact p: period 2015-07-01..2021-12-31 }}\n'
             'item 2 renumber {t4}.. by {by}\n'
             'item 3 insert {t5} {{ text "z" }}\n',
}
VALID = dict(l1="1", l2="50", n1="1-3/1", d1="2015-09-18", i1="15", s1="3", s2="4", d2="2015-07-01", d3="2020-12-31",
             d4="2016-01-01", d5="2019-12-31", i2="2", d6="2023-05-10", x1="840787.05",
             n2="1-3/2", a2='amends "1-3/1"', d7="2017-04-30", f2="on_signing", t1="1.1", t2="1.3",
             n3="1-3/3", a3='amends "1-3/1"', d8="2019-03-27", f3="on_signing", t3="1.2", t4="2", by="+1", t5="1.4")

EDGE_DAYS = ["0001-01-01", "1899-12-31", "1900-01-01", "2999-12-30", "2999-12-31", "3000-01-01", "9999-12-30",
             "9999-12-31", "2023-02-29", "2015-13-01", "0000-01-01"]
DAYS = (st.sampled_from(EDGE_DAYS + ["2017-04-30", "2019-03-27", "2015-09-18"]) | st.dates().map(dt.date.isoformat)
        | st.dates(m.FIRST_DAY, m.LAST_DAY).map(dt.date.isoformat))
HUGE = st.sampled_from([9, 10, 4300, 4301, 6000]).map(lambda n: "9" * n)
NUMBERS = st.sampled_from(["1-3/1", "1-3/2", "1-3/3", "1-3/99", ""])
LABELS = st.sampled_from(["1", "1.1", "1.2", "1.3", "1.4", "2", "3", "1.1.1", "Lisa 1", "0", "1.0"]) | HUGE.map("1.{}".format)
ATTACKS = {
    "n": NUMBERS,
    "a": NUMBERS.map('amends "{}"'.format) | st.just(""),
    "d": DAYS,
    "f": st.just("on_signing") | st.sampled_from(["2017-04-30", "2019-03-27"]) | DAYS,  # same day as the other act, or far
    "t": LABELS,
    "i": st.integers(0, 10**6).map(str) | HUGE,
    "l": st.integers(0, 100).map(str) | HUGE,
    "s": st.integers(0, 100).map(str) | HUGE,
    "x": st.decimals(0, 10**9, places=2).map(str) | HUGE | HUGE.map("{}.5".format),
    "b": st.sampled_from(["+1", "-1", "+0", "-5", "+3"]) | HUGE.map("+{}".format),
}


@st.composite
def semantic_mutants(draw) -> list[tuple[str, str]]:
    chosen = draw(st.lists(st.sampled_from(sorted(VALID) + ["same-day", "twin"]), min_size=1, max_size=4, unique=True))
    values = dict(VALID)
    for name in chosen:
        if name == "same-day":  # both amending acts in force one day, changing one point
            values.update(f3=values["f2"] if values["f2"] != "on_signing" else values["d7"], t3=values["t1"])
        elif name == "twin":  # an act number given twice
            values["n3"] = draw(st.sampled_from([values["n1"], values["n2"]]))
        else:
            values[name] = draw(ATTACKS[name[0]])
    return [(path, template.format(**values)) for path, template in CORPUS.items()]


def test_the_unmutated_corpus_loads_with_no_warning():
    law = Law(build([(path, template.format(**VALID)) for path, template in CORPUS.items()]))
    assert law.diagnostics == () and law.point("1.4", "2019-03-27").text == "z"


QUESTION_DAYS = [dt.date(1899, 12, 31), dt.date(1900, 1, 1), dt.date(2017, 4, 30), dt.date(2999, 12, 31),
                 dt.date(3000, 1, 1), dt.date.max]


def loads_or_says_where_and_answers(files: list[tuple[str, str]]) -> None:
    try:
        law = Law(build(files))
    except (DslError, CorpusError) as error:
        diagnostics = error.diagnostics if isinstance(error, CorpusError) else [error.diagnostic]
        errors = [d for d in diagnostics if d.severity == "error"]
        assert errors, f"{type(error).__name__} with no error"
        for d in errors:
            assert d.location is not None and d.location.line >= 1 and d.location.column >= 1, d
            assert d.context or d.location.path not in dict(files), d  # the line and a caret
        return
    except Exception as error:  # anything else escaping is the defect this test looks for
        pytest.fail(f"{type(error).__name__} escaped building {files!r}: {error}")
    assert all(d.location is not None for d in law.diagnostics)
    for on in QUESTION_DAYS:
        for question in (law.text, lambda on: law.diff(dt.date(2016, 1, 1), on),
                         lambda on: [law.point(label, on) for label in ("1.1", "1.4", "2")]):
            try:
                question(on)
            except QueryError:
                assert not m.supported(on)
            except Exception as error:
                pytest.fail(f"{type(error).__name__} escaped a question on {on} about {files!r}: {error}")


@given(semantic_mutants())
def test_semantic_mutations_of_a_valid_corpus(files):
    loads_or_says_where_and_answers(files)


# --- deadline questions at and past the edges -----------------------------------------------------------

ANY_DAY = (st.sampled_from([dt.date(1899, 12, 31), dt.date(1900, 1, 1), dt.date(2999, 12, 31), dt.date(3000, 1, 1),
                            dt.date(9999, 12, 31), dt.date.min])
           | st.dates() | st.dates(m.FIRST_DAY, m.LAST_DAY) | st.dates(dt.date(2999, 1, 1), m.LAST_DAY))


BY_NAME = {kind.name: kind for kind in parse_corpus(bundled_files())[0].deadlines}  # the TAT's declared kinds


@given(kind=st.sampled_from(sorted(BY_NAME)), trigger=st.none() | ANY_DAY, as_of=st.none() | ANY_DAY,
       extension=st.sampled_from([0, 1, -1, 10**9, -(10**9)]) | st.integers(-400, 400), move=st.booleans())
def test_deadline_questions_are_answered_or_refused(directive, kind, trigger, as_of, extension, move):
    try:
        answer = deadline(directive, kind, trigger, as_of, extension, move)
    except QueryError as error:
        assert str(error)
        return
    except Exception as error:
        pytest.fail(f"{type(error).__name__} escaped {kind} {trigger} {as_of} {extension}: {error}")
    assert extension >= 0  # a negative extension is refused
    assert answer.due is None or m.supported(answer.due)
    if answer.due is not None and trigger is not None and BY_NAME[kind].year is None:
        assert answer.due > trigger  # a period starts the day after its trigger (an annual date is the year's)


@given(st.integers(-10, 10**4) | st.sampled_from([1900, 1901, 2999, 3000]))
def test_a_calendar_year_is_answered_or_refused(directive, year):
    try:
        items = schedule(directive, year)
    except QueryError as error:
        assert "expected a year between 1901 and 2999" in str(error)
        return
    assert all(item.due is None or item.due.year == year for item in items)
