"""Instruments as profiles: each declares its own kinds of deadline in its corpus, and
answers from them or refuses clearly.

The third instrument here is written only in the DSL: two points with their time
limits, an amending act that lengthens one, and two deadline kinds bound to them.
The HTTP API serves only the shipped instruments (no endpoint takes DSL), so the
written instrument is asked through the library and the command line; HTTP is asked
for the shipped instruments' kinds and refusals.
"""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tat_engine
from tat_engine import model as m
from tat_engine.dsl.parse import parse_file
from tat_engine.dsl.printer import print_deadlines
from tat_engine.errors import CorpusError, DslError, QueryError
from tat_engine.interfaces.cli import main
from tat_engine.law import Law
from tat_engine.loader import build, bundled_files, parse_corpus
from tat_engine.rules.deadlines import deadline, kinds, schedule

from strategies import LABELS, NAMES, TEXT

D = dt.date

BASE = '''
act "K-1" {
  kind directive
  title "Toetuse andmise tingimused"
  signed 2022-01-10
  in_force on_signing
}
section 4 { text "Aruandlus" }
point 4.1 {
  text "Elluviija esitab aruande eelmise aasta kohta iga aasta 15. veebruariks."
  fact yearly_report: annual --02-15
}
point 4.2 {
  text "Rakendusüksus kontrollib aruannet 10 tööpäeva jooksul."
  fact report_review: duration 10 working_days at_most after "aruande laekumine"
}
'''

AMENDMENT = '''
act "K-2" {
  kind amending
  amends "K-1"
  signed 2024-01-02
  in_force on_signing
}
item 1 substitute 4.2 {
  text "Rakendusüksus kontrollib aruannet 12 tööpäeva jooksul."
  fact report_review: duration 12 working_days at_most after "aruande laekumine"
}
'''

KINDS = '''
deadline "yearly-report" {
  title "yearly report on the year before"
  point 4.1
  fact yearly_report
  trigger "any day of the year reported on"
  annual year_reported
}
deadline "report-review" {
  title "the body reviews a report"
  point 4.2
  fact report_review
  trigger "receipt of the report"
}
'''


def files(kinds_text: str = KINDS, base: str = BASE) -> list[tuple[str, str]]:
    return [("k/base.tat", base), ("k/k2.tat", AMENDMENT), ("k/deadlines.tat", kinds_text)]


@pytest.fixture(scope="module")
def law() -> Law:
    return Law(build(files()))


# --- the library ---------------------------------------------------------------------------------


def test_the_written_instrument_declares_its_own_kinds(law):
    assert [kind.name for kind in kinds(law)] == ["yearly-report", "report-review"]


def test_working_days_from_a_trigger_under_the_version_in_force(law):
    before = deadline(law, "report-review", D(2023, 3, 1))
    assert (before.status, before.due, before.bound) == ("determined", D(2023, 3, 15), "at_most")
    assert before.rule.act.number == "K-1"
    after = deadline(law, "report-review", D(2024, 3, 1))  # K-2's 12 working days; Good Friday is 29 March
    assert (after.due, after.rule.item) == (D(2024, 3, 19), "1")


def test_an_annual_kind_falls_due_the_year_after_any_day_it_reports_on(law):
    for trigger in (D(2022, 1, 10), D(2022, 6, 1), D(2022, 12, 31)):
        answer = deadline(law, "yearly-report", trigger)
        assert (answer.status, answer.due, answer.bound) == ("determined", D(2023, 2, 15), "fixed")
    assert [(item.kind, item.due) for item in schedule(law, 2024)] == [("yearly-report", D(2024, 2, 15))]


def test_the_answer_follows_the_corpus_not_the_code():
    shorter = Law(build(files(base=BASE.replace("10 working_days", "5 working_days"))))
    assert deadline(shorter, "report-review", D(2023, 3, 1)).due == D(2023, 3, 8)
    filed = Law(build(files(KINDS.replace("year_reported", "year_filed"))))
    assert deadline(filed, "yearly-report", D(2023, 6, 1)).due == D(2023, 2, 15)


def test_a_kind_the_instrument_does_not_declare_is_refused_naming_its_kinds(law):
    with pytest.raises(QueryError, match="it declares: yearly-report, report-review"):
        deadline(law, "report-check", D(2023, 3, 1))
    with pytest.raises(QueryError, match="takes no extension"):
        deadline(law, "report-review", D(2023, 3, 1), extension_days=3)


def test_a_shipped_instrument_without_deadlines_says_so():
    safety = tat_engine.load(instrument="safety-2023")
    assert kinds(safety) == ()
    with pytest.raises(QueryError, match="declares no deadlines"):
        deadline(safety, "report-check", D(2023, 6, 1))


# --- the DSL -------------------------------------------------------------------------------------


def test_the_tat_s_kinds_print_and_parse_back():
    declared = parse_corpus(bundled_files())[0].deadlines
    assert len(declared) == 24 and all(kind.sources for kind in declared)
    again, _ = parse_file(print_deadlines(declared), "again.tat")
    assert again == declared


PERIOD = 'section 3 { text "Periood" }\npoint 3.1 { text "Projekti periood" fact project_period: period 2022-01-10..2025-12-31 }\n'
CLOSING = '''
deadline "closing" {
  title "closing report"
  point 4.2
  fact report_review
  trigger "the end of the project period"
  from_fact 3.1 project_period end
}
'''
SKIPPED = KINDS.replace("  annual year_reported\n", '  annual year_reported\n  skipped_when report_review of 4.2 before "closing"\n')


def test_a_trigger_from_a_fact_and_a_rule_that_suppresses_another_kind():
    law = Law(build(files(SKIPPED + CLOSING, base=BASE + PERIOD)))
    closing = deadline(law, "closing", as_of=D(2025, 6, 1))  # 12 working days after 2025-12-31; 1 January is a holiday
    assert (closing.status, closing.due) == ("determined", D(2026, 1, 19))
    last = deadline(law, "yearly-report", D(2025, 6, 1))  # due 2026-02-16, within 12 working days after the closing report
    assert last.status == "none" and "only the closing report is filed (4.2)" in str(last.steps[-1])
    assert deadline(law, "yearly-report", D(2023, 6, 1)).due == D(2024, 2, 15)
    assert [(item.kind, item.status) for item in schedule(law, 2026)] == [("yearly-report", "none"), ("closing", "determined")]


@pytest.mark.parametrize("code, words", [
    ("skip-needs-from-fact", "'report-review', which has no from_fact"),
    ("skip-cycle", "yearly-report -> closing -> yearly-report"),
])
def test_a_rule_that_suppresses_a_kind_needs_one_asked_without_trigger_and_no_cycle(code, words):
    if code == "skip-needs-from-fact":
        kinds_text = SKIPPED.replace('before "closing"', 'before "report-review"') + CLOSING
    else:
        kinds_text = SKIPPED + CLOSING.replace("  from_fact", '  skipped_when report_review of 4.2 before "yearly-report"\n'
                                                            "  from_fact")
    with pytest.raises(CorpusError) as error:
        build(files(kinds_text, base=BASE + PERIOD))
    found = [d for d in error.value.diagnostics if d.code == code]
    assert found and words in found[0].message


KIND_DECLARATIONS = st.builds(
    m.DeadlineKind, TEXT, TEXT, LABELS, NAMES, TEXT,
    annual=st.none() | st.sampled_from(sorted(m.ANNUAL_YEARS)),
    from_fact=st.none() | st.builds(m.TriggerFromFact, LABELS, NAMES, st.sampled_from(["start", "end"])),
    skipped_when=st.none() | st.builds(m.SkippedWhen, NAMES, LABELS, TEXT),
    extension=st.booleans(),
    notes=st.lists(st.builds(m.NoteFrom, LABELS, NAMES, TEXT), max_size=2).map(tuple),
    sources=st.lists(st.builds(lambda name, first, more: m.Source(name, first, first + more), NAMES,
                               st.integers(1, 999), st.integers(0, 9)), max_size=2).map(tuple),
)


@given(st.lists(KIND_DECLARATIONS, max_size=3).map(tuple))
def test_any_kind_declaration_prints_and_parses_back(declared):
    assert parse_file(print_deadlines(declared), "k.tat") == (declared, None)


@pytest.mark.parametrize("change, code, words", [
    (("point 4.2", "point 4.9"), "unknown-point", "reads point 4.9"),
    (('trigger "receipt of the report"\n', 'trigger "receipt of the report"\n  skipped_when report_review of 4.2 '
                                           'before "final"\n'), "unknown-deadline", "'final'"),
    (('  annual year_reported\n', '  annual year_reported\n  source memo 1..2\n'), "unknown-document", "'memo'"),
    (('deadline "report-review"', 'deadline "yearly-report"'), "deadline-twice", "declared twice"),
])
def test_a_kind_that_reads_what_the_corpus_lacks_is_located(change, code, words):
    with pytest.raises(CorpusError) as error:
        build(files(KINDS.replace(*change)))
    found = [d for d in error.value.diagnostics if d.code == code]
    assert found and words in found[0].message and found[0].location.path == "k/deadlines.tat"


def test_a_kind_without_its_fact_is_a_located_syntax_error():
    with pytest.raises(DslError) as error:
        parse_file(KINDS.replace("  fact report_review\n", ""), "k.tat")
    assert "needs fact" in str(error.value) and "k.tat:9:1" in str(error.value)


# --- the command line ----------------------------------------------------------------------------


@pytest.fixture()
def corpus(tmp_path, monkeypatch):
    monkeypatch.setenv("TAT_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "k"
    folder.mkdir()
    for path, text in files():
        (tmp_path / path).write_text(text, encoding="utf-8")
    return str(folder)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_line_answers_from_the_written_instrument(capsys, corpus):
    code, out, _ = run(capsys, "deadline", "--list", "--corpus", corpus)
    assert code == 0 and out.split()[0:2] == ["yearly-report", "4.1"] and "report-review" in out
    code, out, _ = run(capsys, "deadline", "report-review", "--trigger", "2024-03-01", "--corpus", corpus)
    assert code == 0 and "due 2024-03-19 (Tuesday) (at most)" in out and "item 1 of act" in out
    code, out, _ = run(capsys, "calendar", "2023", "--corpus", corpus)
    assert code == 0 and "yearly-report: due 2023-02-15" in out


def test_the_command_line_refuses_a_kind_not_declared_with_exit_2(capsys, corpus):
    code, out, err = run(capsys, "deadline", "report-check", "--trigger", "2023-03-01", "--corpus", corpus)
    assert code == 2 and not out and "it declares: yearly-report, report-review" in err
    code, _, err = run(capsys, "deadline", "report-check", "--trigger", "2023-06-01", "--instrument", "safety-2023")
    assert code == 2 and "declares no deadlines" in err
    code, out, _ = run(capsys, "deadline", "--list", "--instrument", "safety-2023")
    assert code == 0 and "declares no deadlines" in out
    code, _, err = run(capsys, "calendar", "2023", "--instrument", "safety-2023")
    assert code == 2 and "declares no deadlines" in err


# --- HTTP: the shipped instruments ---------------------------------------------------------------


def test_http_lists_and_refuses_by_instrument():
    from fastapi.testclient import TestClient

    from tat_engine.interfaces.http import create_app

    client = TestClient(create_app())
    assert client.get("/v1/deadlines", params={"instrument": "safety-2023"}).json() == []
    assert "report-check" in [kind["name"] for kind in client.get("/v1/deadlines").json()]
    refused = client.get("/v1/deadlines/report-check", params={"trigger": "2023-06-01", "instrument": "safety-2023"})
    assert refused.status_code == 422 and "declares no deadlines" in refused.json()["detail"]
    assert refused.json()["errors"][0]["name"] == "instrument"
    unknown = client.get("/v1/deadlines/no-such-kind", params={"trigger": "2021-01-01"})
    assert unknown.status_code == 400 and "it declares: final-report" in unknown.json()["detail"]
    assert client.get("/v1/deadlines/report-check", params={"trigger": "2021-12-22"}).json()["due"] == "2022-01-13"
