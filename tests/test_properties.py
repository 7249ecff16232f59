"""Properties of consolidation on generated corpora, checked against a naive replay."""

import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tat_engine import InForce, Law, QueryError, model as m
from tat_engine.history.answers import Repealed
from tat_engine.loader import build
from tat_engine.dsl.parse import parse_act
from tat_engine.dsl.printer import print_act

from reference import text_on
from strategies import corpora


def files(corpus: m.Corpus) -> list[tuple[str, str]]:
    return [(f"act{position}.tat", print_act(act)) for position, act in enumerate(corpus.acts)]


def law_of(corpus: m.Corpus) -> Law:
    return Law(build(files(corpus)))


def days(corpus: m.Corpus) -> list[dt.date]:
    """Every act date, the days around it, and a day before everything."""
    found = {dt.date(2015, 1, 1)}
    for act in corpus.acts:
        day = act.in_force_from
        found |= {day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)}
    return sorted(found)


def labels_ever(law: Law) -> set[str]:
    return {str(v.label) for versions in law.index.provisions.values() for v in versions}


@given(corpora())
def test_the_index_answers_as_a_naive_replay(corpus):
    law = law_of(corpus)
    for day in days(corpus):
        expected = text_on(corpus, day)
        for label in labels_ever(law) | {".".join(map(str, key)) for key in expected}:
            answer = law.point(label, day)
            parts = m.Label.parse(label).parts
            if parts in expected:
                assert isinstance(answer, InForce), (label, day, answer)
                assert answer.content == expected[parts], (label, day)
            else:
                assert not isinstance(answer, InForce), (label, day, answer)


@given(corpora())
def test_the_repealed_on_a_day_are_the_labels_a_repeal_answers_for(corpus):
    """``repealed_on`` (read from the repeals kept apart) is every label whose answer that day is a repeal."""
    law = law_of(corpus)
    for day in days(corpus):
        asked = [law.index.point(label, day) for label in law.index.labels]
        assert law.index.repealed_on(day) == [answer for answer in asked if isinstance(answer, Repealed)]


@given(corpora())
def test_live_labels_are_unique_and_those_of_the_replay(corpus):
    law = law_of(corpus)
    for day in days(corpus):
        labels = [answer.label for answer in law.in_force(day)]
        assert len(labels) == len(set(labels))
        assert {m.Label.parse(label).parts for label in labels} == set(text_on(corpus, day))


@given(corpora())
def test_renumbering_keeps_identity_and_history(corpus):
    law = law_of(corpus)
    acts = {act.number: act for act in corpus.acts}
    for versions in law.index.provisions.values():
        for before, after in zip(versions, versions[1:]):
            if after.content_cause == before.content_cause:
                assert after.content == before.content  # only a new wording changes the wording
            if before.label != after.label:  # a label changes only by a renumbering
                assert any(isinstance(item.verb, m.Renumber) for item in acts[after.cause.act].items)
    for label in labels_ever(law):
        firsts = {pid: min(v.start for v in versions if str(v.label) == label and not v.repealed and v.start != v.end)
                  for pid, versions in law.index.provisions.items()
                  if any(str(v.label) == label and not v.repealed and v.start != v.end for v in versions)}
        if firsts:  # every provision that bore the label, in order of first bearing it
            assert [history.provision for history in law.history(label)] == sorted(firsts, key=firsts.get)
        else:
            with pytest.raises(QueryError):
                law.history(label)


@given(corpora())
def test_versions_are_contiguous_half_open_and_cover_the_life(corpus):
    law = law_of(corpus)
    for versions in law.index.provisions.values():
        for before, after in zip(versions, versions[1:]):
            assert before.end == after.start and before.start <= before.end
        assert versions[-1].end is None
        assert [v.number for v in versions] == list(range(1, len(versions) + 1))
        assert all(v.repealed for v in versions[-1:]) or not any(v.repealed for v in versions)


@given(corpora())
def test_print_then_parse_gives_back_an_equal_model(corpus):
    for act in corpus.acts:
        text = print_act(act)
        assert parse_act(text) == act
        assert print_act(parse_act(text)) == text


@given(corpora(), st.dates(dt.date(2015, 9, 19), dt.date(2024, 12, 31)))
def test_an_act_that_changes_nothing_changes_no_answer(corpus, day):
    empty = m.Act("1-3/999", "amending", m.KnownDate(day), amends="1-3/1")
    law, same = law_of(corpus), Law(build(files(corpus) + [("empty.tat", print_act(empty))]))
    for when in days(corpus) + [day]:
        assert law.in_force(when) == same.in_force(when)
        for label in labels_ever(law):
            assert law.point(label, when) == same.point(label, when)


@given(corpora(), st.randoms(use_true_random=False))
def test_the_order_of_files_does_not_change_answers(corpus, rnd: random.Random):
    sources = files(corpus)
    shuffled = sources[:]
    rnd.shuffle(shuffled)
    law, other = Law(build(sources)), Law(build(shuffled))
    for day in days(corpus):
        assert law.in_force(day) == other.in_force(day)


@given(corpora())
def test_a_provisions_reach_read_alone_is_the_whole_laws(corpus):
    """A deadline reads the versions items applied back (their own ``applies_from``) of one provision
    from its own versions; they are those the whole law's reach finds for it, on every pair of days."""
    law = law_of(corpus)
    for facts_on in days(corpus):
        for decided_on in [day for day in days(corpus) if day >= facts_on]:
            governing = law.governing(facts_on, decided_on)
            whole = law._reaching(governing)
            for provision in law.index.provisions:
                assert law._reaching_of(provision, governing) == whole.get(provision), (provision, facts_on, decided_on)
