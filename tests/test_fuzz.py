"""Malformed DSL never escapes as anything but DslError with a line and a column."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from tat_engine.errors import DslError
from tat_engine.parse import parse_file, parser
from tat_engine.printer import print_act

from strategies import corpora

# Regex terminals drawn from strategies that keep generated text lexable.
TERMINALS = {
    "STRING": st.text(alphabet="abõ „“-", max_size=6).map(lambda t: f'"{t}"'),
    "DATE": st.dates().map(lambda d: d.isoformat()),
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


GRAMMAR_TEXT = from_lark(parser(), explicit=TERMINALS)


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
