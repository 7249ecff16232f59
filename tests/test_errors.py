"""One small bad input per error kind; each message names where and what was expected."""

import datetime as dt

import pytest

import tat_engine
from tat_engine.errors import CorpusError, DslError, QueryError
from tat_engine.loader import build
from tat_engine.parse import parse_file

HEAD = 'act "1-3/1" { kind directive title "T" signed 2015-09-18 in_force on_signing }\n'
AMEND = 'act "1-3/2" { kind amending title "A" amends "1-3/1" signed 2017-04-30 in_force on_signing }\n'

SYNTAX = [
    # code, text, line, column, words the message must hold
    ("syntax", HEAD + 'point 1 { text "x"\n', 3, 1, ["end of the file", '"}"']),
    ("syntax", HEAD + "point 1 { txt }", 2, 11, ["unexpected", "expected"]),
    ("syntax", HEAD + 'point 1 { text "x" fact a: duration 5 days at_most after "t" }', 2, 39, ["calendar_days"]),
    ("syntax", HEAD + 'point 1 { text "x" fact a: period 2015-07-01 2015-08-01 }', 2, 46, ['".."']),
    ("bad-date", HEAD + 'point 1 { text "x" fact p: period 2015-13-01..2016-01-01 }', 2, 35, ["YYYY-MM-DD", "2015-13-01"]),
    ("bad-date", HEAD + 'point 1 { text "x" fact a: annual --02-30 }', 2, 35, ["--MM-DD"]),
    ("bad-period", HEAD + 'point 1 { text "x" fact p: period 2016-01-01..2015-01-01 }', 2, 47, ["ends", "before it starts"]),
    ("no-text", HEAD + "point 1 { }", 2, 1, ["needs a text"]),
    ("two-texts", HEAD + 'point 1 { text "a" text "b" }', 2, 1, ["one text"]),
    ("two-acts", HEAD + HEAD, 2, 1, ["one act"]),
    ("no-act", 'point 1 { text "x" }', 1, 1, ["follow the act"]),
    ("item-in-directive", HEAD + "item 1.1 repeal 1", 2, 1, ["directive enacts points"]),
    ("point-in-amendment", AMEND + 'point 1 { text "x" }', 2, 1, ["through items"]),
    ("bad-insert", AMEND + 'item 1.1 insert 2.1 after 1.1 { text "x" }', 2, 10, ["not its sibling"]),
    ("bad-renumber", AMEND + "item 1.1 renumber 2.3..2.1 by -1", 2, 10, ["not a range of siblings"]),
    ("bad-renumber", AMEND + "item 1.1 renumber 2.3.. by 0", 2, 28, ["non-zero"]),
    ("item-content", AMEND + 'item 1.1 repeal 1 { text "x" }', 2, 1, ["only source and note"]),
    ("act-field", 'act "1-3/1" { title "T" signed 2015-09-18 }', 1, 1, ['no "kind"']),
    ("bad-assumption", 'act "1-3/2" { kind amending title "A" signed unknown "xx" between 2020-02-20 and 2020-12-31 '
     'assume 2021-01-05 because "r" }', 1, 100, ["outside"]),
    ("table-row", HEAD + 'point 6 { text "x" table "t" { columns "a" "b" row "1" } }', 2, 20, ["1 cells for 2 columns"]),
    ("table-row", HEAD + 'point 6 { text "x" table "t" { columns "a" "b" heading "h" row "1" } }', 2, 20, ["1 cells for 2"]),
    ("syntax", HEAD + 'point 6 { text "x" table "t" { columns "a" heading 5 } }', 2, 52, ['a quoted string']),
    ("syntax", 'act "1-3/1" { kind directive preamble "P" signed 2015-09-18 }', 1, 43, ['"source"']),
]


@pytest.mark.parametrize("code, text, line, column, words", SYNTAX, ids=[f"{c[0]}-{i}" for i, c in enumerate(SYNTAX)])
def test_bad_dsl_names_file_line_column_and_what_was_expected(code, text, line, column, words):
    with pytest.raises(DslError) as raised:
        parse_file(text, "bad.tat")
    diagnostic = raised.value.diagnostic
    assert diagnostic.code == code
    assert (diagnostic.location.path, diagnostic.location.line, diagnostic.location.column) == ("bad.tat", line, column)
    rendered = str(raised.value)
    assert rendered.startswith(f"bad.tat:{line}:{column}: error: ")
    assert "^" in rendered  # the line and a caret
    for word in words:
        assert word in rendered


BASE = HEAD + 'section 1 { text "S" }\npoint 1.1 { text "a" }\npoint 1.2 { text "vastavalt punktis 1.1 nimetatud" }\n'

SEMANTIC = [
    ("unknown-target", "error", AMEND + 'item 1.1 substitute 1.9 { text "x" }', 2, ["1.9", "not in force on 2017-04-30"]),
    ("unknown-target", "error", AMEND + 'item 1.1 insert 2.1 { text "x" }', 2, ["under 2", "not in force"]),
    ("label-collision", "error", AMEND + 'item 1.1 insert 1.2 after 1.1 { text "x" }', 2, ["already in force"]),
    ("label-collision", "error", AMEND + "item 1.1 renumber 1.2.. by -1", 2, ["renumbers onto 1.1"]),
]


@pytest.mark.parametrize("code, severity, amendment, line, words", SEMANTIC, ids=[s[0] for s in SEMANTIC])
def test_semantic_errors_are_collected_with_their_location(code, severity, amendment, line, words):
    with pytest.raises(CorpusError) as raised:
        build([("base.tat", BASE), ("amend.tat", amendment)])
    found = [d for d in raised.value.diagnostics if d.code == code]
    assert found and found[0].severity == severity
    assert found[0].location.path == "amend.tat" and found[0].location.line == line
    assert found[0].context  # the line and a caret
    for word in words:
        assert word in found[0].message


def test_every_error_of_a_corpus_is_reported_not_only_the_first():
    amendment = AMEND + 'item 1.1 substitute 1.8 { text "x" }\nitem 1.2 substitute 1.9 { text "y" }'
    with pytest.raises(CorpusError) as raised:
        build([("base.tat", BASE), ("amend.tat", amendment)])
    assert [(d.code, d.location.line) for d in raised.value.diagnostics] == [("unknown-target", 2), ("unknown-target", 3)]


def test_each_file_with_a_syntax_error_is_reported():
    with pytest.raises(CorpusError) as raised:
        build([("one.tat", "act {"), ("base.tat", BASE), ("two.tat", HEAD + "point")])
    assert [(d.location.path, d.code) for d in raised.value.diagnostics] == [("one.tat", "syntax"), ("two.tat", "syntax")]


def test_two_items_of_one_act_on_one_point_warn_and_the_later_prevails():
    amendment = AMEND + 'item 1.4 substitute 1.1 { text "first" }\nitem 1.9 substitute 1.1 { text "second" }'
    law = tat_engine.Law(build([("base.tat", BASE), ("amend.tat", amendment)]))
    [warning] = [d for d in law.diagnostics if d.code == "double-change"]
    assert warning.severity == "warning" and "1.4 and 1.9" in warning.message and warning.location.line == 3
    answer = law.point("1.1", dt.date(2018, 1, 1))
    assert answer.text == "second" and answer.citation.item == "1.9"
    assert len(law.history("1.1")[0].steps) == 2  # one version for the act, not two


def test_a_reference_that_dangles_after_a_repeal_is_reported():
    amendment = AMEND + "item 1.1 repeal 1.1"
    law = tat_engine.Law(build([("base.tat", BASE), ("amend.tat", amendment)]))
    [warning] = [d for d in law.diagnostics if d.code == "dangling-reference"]
    assert "1.2" in warning.message and "cites point 1.1" in warning.message and "repealed" in warning.message


def test_a_reference_whose_label_changes_meaning_is_reported():
    base = BASE.replace('point 1.2 { text "vastavalt punktis 1.1 nimetatud" }',
                        'point 1.2 { text "x" }\npoint 1.3 { text "vastavalt punktis 1.2 nimetatud" }')
    amendment = AMEND + "item 1.1 repeal 1.1\nitem 1.1 renumber 1.2.. by -1"
    law = tat_engine.Law(build([("base.tat", base), ("amend.tat", amendment)]))
    [moved] = [d for d in law.diagnostics if d.code == "moved-reference"]
    assert "1.3@1-3/1" in moved.message and "cites point 1.2" in moved.message and "then 1.3@1-3/1" in moved.message


@pytest.mark.parametrize("value, words", [("2019-13-01", "YYYY-MM-DD"), ("1.6.2019", "for instance 2019-06-01")])
def test_a_bad_date_in_a_question_teaches_the_format(value, words):
    law = tat_engine.Law(build([("base.tat", BASE)]))
    with pytest.raises(QueryError, match=words):
        law.point("1.1", value)


def test_a_bad_label_in_a_question_says_how_labels_look():
    law = tat_engine.Law(build([("base.tat", BASE)]))
    with pytest.raises(QueryError, match="write it like 11.3"):
        law.point("eleven", "2019-01-01")


def test_supplied_dates_must_fit_what_the_sources_allow():
    amendment = ('act "1-3/zz" { kind amending title "A" amends "1-3/1" signed unknown "xx.yy.2020" '
                 'between 2020-02-20 and 2020-12-31 assume 2020-03-06 because "r" in_force on_signing }\n')
    from tat_engine.loader import parse_corpus, with_dates

    corpus, _ = parse_corpus([("base.tat", BASE), ("zz.tat", amendment)])
    with pytest.raises(QueryError, match="2020-02-20..2020-12-31"):
        with_dates(corpus, {"1-3/zz": dt.date(2021, 1, 1)})
    with pytest.raises(QueryError, match="known date"):
        with_dates(corpus, {"1-3/1": dt.date(2015, 9, 18)})
    with pytest.raises(QueryError, match="no act numbered"):
        with_dates(corpus, {"1-3/99": dt.date(2020, 3, 1)})


DOCUMENTS = 'document memo "memo.txt" kind memo lines 10..20\n'


@pytest.mark.parametrize("source, code, words", [
    ("source memo 12..14", None, []),
    ("source memoo 12..14", "unknown-document", ["memoo", "declared: memo"]),
    ("source memo 18..25", "source-lines", ["outside memo", "lines 10-20"]),
])
def test_every_source_names_a_declared_document_and_its_lines(source, code, words):
    base = HEAD + f'section 1 {{ text "S" {source} }}\n'
    if code is None:
        build([("docs.tat", DOCUMENTS), ("base.tat", base)])
        return
    with pytest.raises(CorpusError) as raised:
        build([("docs.tat", DOCUMENTS), ("base.tat", base)])
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code == code and diagnostic.location.path == "base.tat" and diagnostic.location.line == 2
    for word in words:
        assert word in diagnostic.message
