"""One small bad input per error kind; each message names where and what was expected."""

import datetime as dt

import pytest

import tat_engine
from tat_engine.errors import CorpusError, DslError, QueryError
from tat_engine.loader import build
from tat_engine.dsl.parse import parse_file

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
    ("bad-date", HEAD + 'point 1 { text "x" fact a: annual --02-29 }', 2, 35, ["every year has"]),
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
    # dates outside the supported range (model.FIRST_DAY..LAST_DAY) and numbers too long to be meant
    ("date-range", HEAD.replace("2015-09-18", "9999-12-31"), 1, 47, ["9999-12-31", "1900-01-01..2999-12-31"]),
    ("date-range", HEAD + 'point 1 { text "x" fact p: period 2015-07-01..9999-12-31 }', 2, 47, ["expected a date in"]),
    ("date-range", HEAD + 'point 1 { text "x" fact r: role "r" held_by "b" until 9999-12-31 }', 2, 55, ["9999-12-31"]),
    ("date-range", HEAD + 'point 1 { text "x" fact m: moment 9999-12-31T10:00 "UTC" }', 2, 35, ["a time on a day in"]),
    ("date-range", AMEND.replace("on_signing", "1899-12-31"), 1, 81, ["1899-12-31", "1900-01-01..2999-12-31"]),
    ("number-size", HEAD + f'point 1.{"9" * 4301} {{ text "x" }}', 2, 7, ["4301 digits", "at most 9 digits"]),
    ("number-size", HEAD + f'point 1 {{ text "x" fact d: duration {"9" * 4301} calendar_days at_most after "t" }}', 2, 37,
     ["4301 digits", "a whole number of at most 9 digits"]),
    ("number-size", HEAD + 'point 1 { text "x" fact l: limit 1234567890 per "county" }', 2, 34, ["10 digits"]),
    ("number-size", AMEND + f"item 1.1 renumber 1.1.. by -{'1' * 4400}", 2, 28, ["4400 digits"]),
    ("number-size", HEAD + f'point 1 {{ text "x" fact a: amount {"1" * 30}.5 EUR }}', 2, 35, ["31 digits", "at most 20 digits"]),
    ("number-size", f'document memo "m" kind memo lines 1..{"7" * 5000}\n', 1, 38, ["5000 digits"]),
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


def test_a_long_line_is_shown_as_a_window_around_the_caret():
    with pytest.raises(DslError) as raised:
        parse_file(HEAD + f'point 1 {{ text "x" fact d: duration {"9" * 4301} calendar_days at_most after "t" }}', "bad.tat")
    source, marker = raised.value.diagnostic.context.splitlines()
    assert len(source) < 120 and "99999" in source and source[marker.index("^")] == "9"


def _diagnostics(*files):
    with pytest.raises(CorpusError) as raised:
        build(list(files))
    return raised.value.diagnostics


def test_two_acts_with_one_number_are_an_error_at_the_second():
    second = AMEND + 'item 1.1 substitute 1.2 { text "y" }'
    [found] = _diagnostics(("base.tat", BASE), ("a.tat", AMEND + 'item 1.1 substitute 1.1 { text "x" }'), ("b.tat", second))
    assert (found.code, found.location.path, found.location.line, found.location.column) == ("duplicate-act", "b.tat", 1, 1)
    assert "1-3/2 is declared twice" in found.message and "first at a.tat:1:1" in found.message and found.context


@pytest.mark.parametrize("amends, words", [
    ('amends "1-3/2"', ["act 1-3/2 amends itself", 'expected amends "1-3/1"']),
    ('amends "1-3/99"', ["amends 1-3/99", "not in the corpus", 'expected amends "1-3/1"']),
    ("", ["names no act it amends", 'expected amends "1-3/1"']),
])
def test_an_amending_act_amends_the_base_act_of_the_corpus(amends, words):
    amendment = AMEND.replace('amends "1-3/1"', amends) + 'item 1.1 substitute 1.1 { text "x" }'
    [found] = _diagnostics(("base.tat", BASE), ("amend.tat", amendment))
    assert (found.code, found.severity, found.location.path, found.location.line) == ("bad-amends", "error", "amend.tat", 1)
    for word in words:
        assert word in found.message


def test_an_act_amending_an_amending_act_or_a_directive_amending_is_an_error():
    later = AMEND.replace('"1-3/2"', '"1-3/3"').replace('amends "1-3/1"', 'amends "1-3/2"') + "item 1 repeal 1.2"
    [found] = _diagnostics(("base.tat", BASE), ("a.tat", AMEND + "item 1 repeal 1.1"), ("b.tat", later))
    assert found.location.path == "b.tat" and "amends 1-3/2, which is an amending act" in found.message
    [found] = _diagnostics(("base.tat", BASE.replace("kind directive", 'kind directive amends "1-3/0"')))
    assert found.code == "bad-amends" and "enacts points and amends no act" in found.message


SAME_DAY = 'act "{n}" {{ kind amending title "A" amends "1-3/1" signed {signed} in_force 2017-04-30 }}\nitem 1.{i} substitute 1.1 {{ text "{text}" }}\n'


@pytest.mark.parametrize("first_signed, second_signed, winner, loser", [
    ("2017-04-30", "2017-04-30", "1-3/3", "1-3/2"),  # same signing day: the number decides
    ("2017-04-30", "2017-04-01", "1-3/2", "1-3/3"),  # 1-3/3 was signed first, so 1-3/2 applies after it
])
def test_two_acts_in_force_the_same_day_changing_one_point_warn_and_say_which_prevails(first_signed, second_signed, winner, loser):
    acts = [("a.tat", SAME_DAY.format(n="1-3/2", signed=first_signed, i=4, text="from 1-3/2")),
            ("b.tat", SAME_DAY.format(n="1-3/3", signed=second_signed, i=7, text="from 1-3/3"))]
    law = tat_engine.Law(build([("base.tat", BASE)] + acts))
    [warning] = [d for d in law.diagnostics if d.code == "same-day-change"]
    assert warning.severity == "warning" and warning.point == "1.1" and warning.context
    assert warning.location.path == ("b.tat" if winner == "1-3/3" else "a.tat") and warning.location.line == 2
    for word in (loser, winner, "change 1.1", f"{winner} prevails", "by signing date, then by number"):
        assert word in warning.message
    assert law.point("1.1", dt.date(2017, 4, 30)).text == f"from {winner}"


def test_acts_on_different_days_changing_one_point_do_not_warn():
    acts = [("a.tat", SAME_DAY.format(n="1-3/2", signed="2017-04-30", i=4, text="x")),
            ("b.tat", SAME_DAY.format(n="1-3/3", signed="2017-04-30", i=7, text="y").replace("in_force 2017-04-30", "in_force 2017-05-01"))]
    law = tat_engine.Law(build([("base.tat", BASE)] + acts))
    assert not [d for d in law.diagnostics if d.code == "same-day-change"]


def test_context_is_attached_splitting_each_file_once(monkeypatch):
    from tat_engine import loader

    calls = []
    monkeypatch.setattr(loader, "source_lines", lambda text: calls.append(text) or text.splitlines() + [""])
    amendment = AMEND + "\n".join(f'item 1.{n} substitute 9.{n} {{ text "x" }}' for n in range(300))
    found = _diagnostics(("base.tat", BASE), ("amend.tat", amendment))
    assert len(found) == 300 and all(d.context.startswith(f"    item 1.{d.location.line - 2} ") for d in found)
    assert len(calls) == 1  # not once per diagnostic: that was quadratic (16 000 diagnostics took 22 s)


# --- the supported date range: the day before, of and after each edge ---------------------------------

def test_the_range_is_enforced_in_the_dsl_at_each_edge():
    for day, ok in [("1899-12-31", False), ("1900-01-01", True), ("2999-12-31", True), ("3000-01-01", False)]:
        text = HEAD.replace("2015-09-18", day)
        if ok:
            assert parse_file(text, "edge.tat")[1].signed.date == dt.date.fromisoformat(day)
        else:
            with pytest.raises(DslError, match="expected a date in 1900-01-01..2999-12-31"):
                parse_file(text, "edge.tat")


FAR = 'act "1-3/9" { kind amending title "A" amends "1-3/1" signed 2999-12-31 in_force on_signing }\nitem 9 substitute 1.1 { text "far" }\n'


def test_a_change_on_the_last_supported_day_is_in_force_that_day_in_text_and_diff():
    """An open end (date.max) once met a real day there: the point was in force, the text empty."""
    law = tat_engine.Law(build([("base.tat", BASE), ("far.tat", FAR)]))
    last, before = dt.date(2999, 12, 31), dt.date(2999, 12, 30)
    assert law.point("1.1", before).text == "a" and law.point("1.1", last).text == "far"
    assert "1.1. far" in law.text(last) and "1.2. vastavalt" in law.text(last)
    assert [(c.provision, c.kinds) for c in law.diff(before, last)] == [("1.1@1-3/1", ("reworded",))]
    for ask in (lambda on: law.point("1.1", on), law.text, law.in_force, lambda on: law.diff(before, on)):
        with pytest.raises(QueryError, match="outside the dates the engine supports; expected a date in 1900-01-01..2999-12-31"):
            ask(dt.date(3000, 1, 1))


def test_an_open_end_is_never_mistaken_for_a_real_day_even_date_max():
    """The index (read by exports, verify and lint without Law's checks) agrees with the point lookup on every day."""
    from tat_engine.interfaces.exports import export

    index = build([("base.tat", BASE), ("far.tat", FAR)])
    for on in (dt.date(2999, 12, 31), dt.date(3000, 1, 1), dt.date.max):
        assert [str(a.version.label) for a in index.in_force(on)] == ["1", "1.1", "1.2"]
        assert index.point("1.1", on).text == "far"
    with pytest.raises(QueryError, match="9999-12-31 is outside"):
        export(index, dt.date.max, "json")


def test_the_first_supported_day_answers_and_the_day_before_is_refused():
    law = tat_engine.Law(build([("base.tat", BASE.replace("2015-09-18", "1900-01-01"))]))
    assert law.point("1.1", "1900-01-01").text == "a"
    with pytest.raises(QueryError, match="1899-12-31 is outside"):
        law.point("1.1", dt.date(1899, 12, 31))


@pytest.mark.parametrize("trigger, words", [
    (dt.date(2999, 12, 1), None),  # 15 working days: 2999-12-20
    (dt.date(2999, 12, 31), "a period of 15 working days from 2999-12-31 would end after 2999-12-31"),
    (dt.date(3000, 1, 1), "3000-01-01 is outside"),
    (dt.date(9999, 12, 31), "9999-12-31 is outside"),
    (dt.date(1899, 12, 31), "1899-12-31 is outside"),
])
def test_deadlines_at_the_edges_of_the_range(directive, trigger, words):
    from tat_engine.rules.deadlines import deadline

    if words is None:
        assert deadline(directive, "report-check", trigger).due == dt.date(2999, 12, 20)
        return
    with pytest.raises(QueryError, match=words):
        deadline(directive, "report-check", trigger)


def test_a_fixed_date_past_the_range_and_a_negative_extension_are_refused(directive):
    from tat_engine.rules.deadlines import deadline

    from tat_engine.rules.workdays import fixed_date

    assert deadline(directive, "plan-and-budget", dt.date(2999, 12, 31)).due == dt.date(2999, 11, 5)
    with pytest.raises(QueryError, match="3000-01-01 is outside"):  # the report on 2999 is due in 3000
        deadline(directive, "interim-report", dt.date(2999, 6, 1))
    with pytest.raises(QueryError, match="the due date 3000-01-31 falls after 2999-12-31"):
        fixed_date(dt.date(3000, 1, 31), move=False)
    with pytest.raises(QueryError, match="0 or more, not -1"):
        deadline(directive, "claim-processing", dt.date(2021, 6, 1), extension_days=-1)
    assert deadline(directive, "claim-processing", dt.date(2021, 6, 1), extension_days=0).due > dt.date(2021, 6, 1)


@pytest.mark.parametrize("year, ok", [(1900, False), (1901, True), (2999, True), (3000, False), (1, False)])
def test_the_calendar_takes_a_year_whose_deadlines_fit_the_range(directive, year, ok):
    from tat_engine.rules.deadlines import schedule

    if ok:
        assert all(item.due is None or item.due.year == year for item in schedule(directive, year))
        return
    with pytest.raises(QueryError, match="expected a year between 1901 and 2999"):
        schedule(directive, year)


@pytest.mark.parametrize("argv, words", [
    (["calendar", "1"], "expected a year between 1901 and 2999, not '1'"),
    (["deadline", "claim-processing", "--trigger", "2021-06-01", "--extension-days", "-5"], "0 or more"),
])
def test_the_command_line_refuses_a_bad_year_or_extension_with_exit_2(capsys, argv, words):
    from tat_engine.interfaces.cli import main

    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2 and words in capsys.readouterr().err


def test_the_command_line_says_the_range_for_a_far_trigger(capsys):
    from tat_engine.interfaces.cli import main

    assert main(["deadline", "report-check", "--trigger", "9999-12-31"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tat: 9999-12-31 is outside") and "1900-01-01..2999-12-31" in err and "Traceback" not in err


@pytest.mark.parametrize("fact, kind, outcome", [
    ("interim_report_skipped: duration 6 months", "interim-report", "none"),
    ("final_report: duration 30 calendar_days", "final-report", "would end after 2999-12-31"),
])
def test_a_duration_of_nine_digits_in_the_corpus_is_counted_or_refused(fact, kind, outcome):
    from tat_engine.rules.deadlines import deadline
    from tat_engine.loader import bundled_files

    huge = fact.replace(fact.split()[2], "999999999")
    law = tat_engine.Law(build([(path, text.replace(fact, huge)) for path, text in bundled_files()]))
    if outcome == "none":  # every due date is within 999 999 999 months of the interim report: only the final one is filed
        assert deadline(law, kind, dt.date(2021, 12, 31), dt.date(2021, 6, 1)).status == "none"
        return
    with pytest.raises(QueryError, match=outcome):
        deadline(law, kind, dt.date(2021, 12, 31), dt.date(2021, 6, 1))
