"""``tat test``: scenario files of expected answers, run against the law.

The shipped examples pass; a wrong expectation fails, naming its file:line, what was expected and
what the engine answered; a bad file gives a located error (exit 2), never a traceback; nothing in
a file can run code.
"""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tat_engine.interfaces.cli import main
from tat_engine.review.scenario_checks import run_file
from tat_engine.review.scenarios import parse_scenarios

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "scenarios").glob("*.yaml"))


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TAT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def scenario(tmp_path, text: str, name: str = "case.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return str(path)


# --- the examples ------------------------------------------------------------------------------


def test_the_examples_pass_and_cover_every_kind_of_case(capsys, cache):
    assert [path.name for path in EXAMPLES] == ["safety-2023.yaml", "tat.yaml"]
    code, out, _ = run(capsys, "test", *map(str, EXAMPLES))
    assert code == 0, out
    assert "FAILED" not in out and out.rstrip().endswith("29 cases in 2 files: 29 passed, 0 failed")
    keys = set()
    for path in EXAMPLES:
        read = parse_scenarios(path.read_text("utf-8"), str(path))
        assert not read.diagnostics
        keys |= {type(case.question).__name__ for case in read.cases}
        keys |= {e.key for case in read.cases for e in case.expected}
    assert {"PointQuestion", "CostQuestion", "DeadlineQuestion"} <= keys
    assert {"status", "says", "contains", "wording", "act", "item", "since", "renumbered_to", "law_on", "verdict",
            "eligible_amount", "reason", "due", "bound", "alternatives", "determined", "hinges_on", "refused"} <= keys


def test_the_examples_as_json(capsys, cache):
    code, out, _ = run(capsys, "test", *map(str, EXAMPLES), "--json")
    data = json.loads(out)
    assert code == 0 and (data["passed"], data["failed"], data["errors"], data["exit_code"]) == (29, 0, 0, 0)
    first = data["files"][1]["results"][0]
    assert first["passed"] and first["where"]["line"] == 12 and first["where"]["path"].endswith("tat.yaml")


def test_the_other_reading_fails_the_cases_that_rest_on_the_default(capsys, cache):
    """The command line's reading replaces the file's: the 2016 cost is then undetermined."""
    code, out, _ = run(capsys, "test", str(ROOT / "examples/scenarios/tat.yaml"), "--reading", "reach-2020=from-signing")
    assert code == 1
    assert "reading reach-2020 = from-signing" in out.splitlines()[0]
    assert "tat.yaml:87: FAILED: direct personnel costs of activity 2.1" in out
    assert "expected: eligible\n    actual:   undetermined" in out


# --- a wrong expectation fails, usefully ------------------------------------------------------


def test_a_wrong_due_date_fails_with_expected_actual_and_line(capsys, cache, tmp_path):
    path = scenario(tmp_path, """\
cases:
  - deadline: report-check     # 15 working days from 22.12.2021: 13.01.2022
    trigger: 2021-12-22
    due: 2022-01-14
""")
    code, out, _ = run(capsys, "test", path)
    assert code == 1
    assert f"{path}:2: FAILED: deadline report-check from 2021-12-22" in out
    assert f"{path}:4: due\n    expected: 2022-01-14\n    actual:   2022-01-13" in out
    assert "answer: due 2022-01-13 (at most)" in out and "item 1.24" in out
    assert out.rstrip().endswith("1 case in 1 file: 0 passed, 1 failed")


@pytest.mark.parametrize("expectation, expected, actual", [
    ("status: repealed", "expected: repealed", "actual:   in force"),
    ("wording: known", "expected: known", "actual:   unknown"),
    ("act: 1-3/zz", "expected: 1-3/zz", "actual:   1-3/170"),
    ("contains: 30 kalendripäeva", "expected: containing '30 kalendripäeva'", "actual:   (no wording)"),
    ("determined: no", "expected: no", "actual:   yes"),
])
def test_each_wrong_expectation_of_a_point_fails(capsys, cache, tmp_path, expectation, expected, actual):
    path = scenario(tmp_path, f"cases:\n  - point: 11.3\n    on: 2019-06-01\n    {expectation}\n")
    code, out, _ = run(capsys, "test", path)
    assert code == 1 and f"{path}:4: {expectation.split(':')[0]}" in out
    assert expected in out and actual in out


def test_a_wrong_wording_shows_where_it_differs(capsys, cache, tmp_path):
    path = scenario(tmp_path, """\
cases:
  - point: 11.4
    on: 2021-01-01
    says: >-
      11.4. RÜ kontrollib 20 tööpäeva jooksul seirearuande laekumisest arvates, kas aruanne on
      vormikohane ja nõuetekohaselt täidetud.
""")
    code, out, _ = run(capsys, "test", path)
    assert code == 1
    assert "first difference at character 15: expected" in out and "'RÜ kontrollib 20 tööpäeva" in out


def test_the_right_wording_passes_with_or_without_its_number(capsys, cache, tmp_path):
    text = "RÜ kontrollib 15 tööpäeva jooksul seirearuande laekumisest arvates, kas aruanne on\n      " \
           "vormikohane ja nõuetekohaselt täidetud."
    path = scenario(tmp_path, f"cases:\n  - point: 11.4\n    on: 2021-01-01\n    says: >-\n      11.4. {text}\n"
                              f"  - point: 11.4\n    on: 2021-01-01\n    says: >-\n      {text}\n")
    code, out, _ = run(capsys, "test", path)
    assert code == 0, out


def test_a_wrong_verdict_amount_and_reason_fail(capsys, cache, tmp_path):
    path = scenario(tmp_path, """\
cases:
  - kulu: {tegevus: "2.4", osapool: elluviija, kululiik: 7.1.3.3, tekkinud: 14.09.2020,
           makstud: 30.09.2020, summa: "640,00", ületav_osa: "140,00"}
    kuupäev: 2021-06-01
    otsus: abikõlblik
    abikõlblik_summa: 640,00
    põhjus: 7.2.1.2
""")
    code, out, _ = run(capsys, "test", path)
    assert code == 1
    assert "expected: eligible\n    actual:   partially eligible" in out
    assert "expected: 640.00\n    actual:   500.00" in out
    assert "expected: among them [7.2.1.2]" in out and "7.2.1.4" in out


def test_a_refusal_that_says_something_else_fails(capsys, cache, tmp_path):
    path = scenario(tmp_path, "cases:\n  - deadline: annual-audit\n    refused: no such instrument\n")
    code, out, _ = run(capsys, "test", path)
    assert code == 1 and "actual:   refused: no deadline kind 'annual-audit'" in out


def test_an_answer_where_a_refusal_was_expected_fails(capsys, cache, tmp_path):
    path = scenario(tmp_path, "cases:\n  - deadline: final-report\n    refused: yes\n")
    code, out, _ = run(capsys, "test", path)
    assert code == 1 and "expected: the question refused\n    actual:   answered: due 2024-01-30" in out


# --- bad files: located errors, exit 2 --------------------------------------------------------


@pytest.mark.parametrize("text, where, words", [
    ("cases:\n  - point: 11.3\n    on: 2019-06-31\n    status: in force\n", "3:9", "June 2019 has 30 days"),
    ("cases:\n  - point: 11.3\n    on: 2019-06-01\n    stauts: in force\n", "4:5", "did you mean `status`?"),
    ("cases:\n  - point: 11.3\n    on: 2019-06-01\n    status: valid\n", "4:13", "status is one of: in force"),
    ("cases:\n  - point: x.y\n    on: 2019-06-01\n    status: in force\n", "2:12", "is not a point number"),
    ("cases:\n  - point: 11.3\n    status: in force\n", "2:5", "needs `on`"),
    ("cases:\n  - point: 11.3\n    on: 2019-06-01\n", "2:5", "states no expected answer"),
    ("cases:\n  - on: 2019-06-01\n    status: in force\n", "2:5", "asks one question"),
    ("cases:\n  - point: 11.3\n    deadline: final-report\n    on: 2019-06-01\n    status: in force\n", "3:5",
     "make them two cases"),
    ("cases:\n  - point: 11.3\n    point: 11.4\n    on: 2019-06-01\n    status: in force\n", "3:5", "given twice"),
    ("cases:\n  - point: 11.3\n    punkt: 11.4\n    on: 2019-06-01\n    status: in force\n", "3:5", "given twice"),
    ("cases:\n  - cost: {activity: '2.1'}\n    on: 2021-01-01\n    verdict: eligible\n", "2:11", "the cost lacks party"),
    ("cases:\n  - cost: {activity: '2.1', colour: red}\n    on: 2021-01-01\n    verdict: eligible\n", "2:29",
     "a cost has no column 'colour'"),
    ("cases:\n  - deadline: nope\n    due: 2021-01-01\n", "2:15", "the engine refuses the question: no deadline kind"),
    ("cases:\n  - point: 11.3\n    on: 2019-06-01\n    refused: yes\n    status: in force\n", "4:5",
     "expects nothing else"),
    ("cases:\n  - point: &a 11.3\n    on: *a\n", "2:12", "anchors and aliases"),
    ("cases:\n  - point: !!python/object/apply:os.system ['echo planted']\n", "2:12", "tags such as"),
    ("cases: [\n  - point: 1\n", "2:3", "not YAML as a scenario file is written"),
    ("instrument: tat\n", "1:1", "has no `cases:`"),
    ("cases: 11.3\n", "1:8", "is a list of cases"),
    ("instrument: tax\ncases:\n  - point: 11.3\n    on: 2019-06-01\n    status: in force\n", "1:13", "no instrument 'tax'"),
    ("instrument: tat\ncorpus: tat\ncases:\n  - point: 1\n    on: 2019-06-01\n    status: in force\n", "2:1",
     "either an `instrument` or a `corpus`"),
    ("reading: {reach-2020: sideways}\ncases:\n  - point: 11.3\n    on: 2019-06-01\n    status: in force\n", "1:1",
     "has no option 'sideways'"),
    ("assume: {1-3/zz: 2021-06-01}\ncases:\n  - point: 11.3\n    on: 2019-06-01\n    status: in force\n", "1:1",
     "cannot be dated 2021-06-01"),
    ("", "1:1", "the file holds nothing"),
])
def test_a_bad_file_is_a_located_error(capsys, cache, tmp_path, text, where, words):
    path = scenario(tmp_path, text)
    code, out, err = run(capsys, "test", path)
    assert code == 2, out
    assert f"{path}:{where}: error: " in out and words in out, out
    assert "Traceback" not in out + err


def test_a_cost_the_ledger_cannot_read_is_a_bad_case_unless_expected(capsys, cache, tmp_path):
    cost = "{activity: '2.1', party: implementer, category: 7.1.3.1, incurred_on: 31.06.2015, paid_on: 2016-03-10, " \
           "amount: '100'}"
    path = scenario(tmp_path, f"cases:\n  - cost: {cost}\n    on: 2021-01-01\n    verdict: eligible\n")
    code, out, _ = run(capsys, "test", path)
    assert code == 2 and f"{path}:2:11: error: the cost cannot be judged: incurred_on '31.06.2015'" in out
    path = scenario(tmp_path, f"cases:\n  - cost: {cost}\n    on: 2021-01-01\n    verdict: invalid input\n", "ok.yaml")
    code, out, _ = run(capsys, "test", path)
    assert code == 0, out


def test_the_good_cases_of_a_bad_file_still_run(capsys, cache, tmp_path):
    path = scenario(tmp_path, "cases:\n  - point: 11.3\n    on: 2019-06-01\n    status: in force\n"
                              "  - point: 11.3\n    on: someday\n    status: in force\n")
    code, out, _ = run(capsys, "test", path)
    assert code == 2
    assert f"{path}:2: passed: point 11.3 on 2019-06-01" in out and f"{path}:6:9: error: on: 'someday'" in out
    assert out.rstrip().endswith("1 case in 1 file: 1 passed, 0 failed, 1 error in the files")


def test_files_that_cannot_be_read(capsys, cache, tmp_path):
    missing = str(tmp_path / "missing.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"cases:\n  - point: \xff\n")
    code, out, _ = run(capsys, "test", missing, str(binary))
    assert code == 2
    assert f"{missing}: cannot read the file" in out and f"{binary}:2:1: error: the file is not UTF-8 text" in out


def test_a_corpus_with_errors_is_named_with_its_diagnostics(capsys, cache, tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "a.tat").write_text('act "x" {\n  kind nonsense\n}\n', "utf-8")
    path = scenario(tmp_path, "corpus: broken\ncases:\n  - point: 1\n    on: 2019-06-01\n    status: in force\n")
    code, out, _ = run(capsys, "test", path)
    assert code == 2
    assert f"{path}:1:1: error: the corpus has errors" in out and "a.tat:2:8: error: unexpected 'nonsense'" in out


def test_a_bad_option_on_the_command_line_is_a_usage_error(capsys, cache, tmp_path):
    code, _, err = run(capsys, "test", str(EXAMPLES[0]), "--assume", "1-3/zz=someday")
    assert code == 2 and "tat: " in err


def test_nothing_read_runs_code(cache, tmp_path):
    """A planted constructor is refused before anything is built from it."""
    marker = tmp_path / "ran"
    path = scenario(tmp_path, f"cases:\n  - point: !!python/object/apply:pathlib.Path.touch [{str(marker)!r}]\n"
                              "    on: 2019-06-01\n    status: in force\n")
    result = run_file(path)
    assert not marker.exists() and result.diagnostics and not result.results


# --- the law a file asks ---------------------------------------------------------------------


def test_a_file_names_its_corpus_relative_to_itself(capsys, cache, tmp_path):
    """A third instrument written only in DSL, beside the file: its own points are asked."""
    (tmp_path / "law").mkdir()
    (tmp_path / "law" / "act.tat").write_text("""\
act "1/2024" {
  kind directive
  title "Proovikäskkiri"
  signed 2024-01-15
  in_force on_signing
}

point 1 {
  text "Käskkiri kehtib alates allkirjastamisest."
}
""", "utf-8")
    path = scenario(tmp_path, "korpus: law\njuhtumid:\n  - punkt: 1\n    kuupäev: 2024-02-01\n    olek: kehtib\n"
                              "    ütleb: Käskkiri kehtib alates allkirjastamisest.\n    alates: 15.01.2024\n"
                              "  - punkt: 1\n    kuupäev: 2024-01-14\n    olek: ei kehti veel\n")
    code, out, _ = run(capsys, "test", path)
    assert code == 0, out
    assert f"corpus {tmp_path / 'law'}" in out.splitlines()[0]


def test_the_command_lines_instrument_replaces_the_files(capsys, cache):
    code, out, _ = run(capsys, "test", str(ROOT / "examples/scenarios/safety-2023.yaml"), "--instrument", "tat")
    assert code in (1, 2) and "instrument tat" in out.splitlines()[0]
    assert "FAILED: the application deadline of the first stage" in out


def test_the_readmes_example_passes(capsys, cache, tmp_path):
    import re

    readme = (ROOT / "README.md").read_text("utf-8")
    example = re.search(r"## Scenario files.*?```yaml\n(.*?)```", readme, re.S)[1]
    code, out, _ = run(capsys, "test", scenario(tmp_path, example))
    assert code == 0 and out.rstrip().endswith("5 cases in 1 file: 5 passed, 0 failed"), out


_PIECES = ["cases:", "\n", "  - ", "point: ", "11.3", "on: ", "2019-06-01", "status: ", "in force", "cost: ", "{", "}",
           "[", "]", ", ", ": ", "&a ", "*a", "!!python/name:os.system", "'", '"', "? ", "- ", "    ", "\t", "\x00",
           "deadline: ", "refused: yes", "juhtumid:", "kuupäev: ", "31.06.2015", "due: ", "#", "|", ">-", "%TAG ", "---"]


@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join) | st.text(max_size=200))
def test_any_text_reads_as_cases_or_located_errors(text):
    """Whatever a file holds, reading it gives cases or located diagnostics, never an exception."""
    read = parse_scenarios(text, "fuzz.yaml")
    for diagnostic in read.diagnostics:
        assert diagnostic.severity == "error" and diagnostic.message
        assert diagnostic.location is None or diagnostic.location.path == "fuzz.yaml"
    assert read.cases or read.diagnostics
