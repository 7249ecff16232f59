"""The command line: thin commands over the API, and its quick answer table."""

import contextlib
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tat_engine
from tat_engine import quick
from tat_engine.model import tidy_label
from tat_engine.interfaces.cli import main
from tat_engine.interfaces.render import answer_text


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TAT_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_point_prints_wording_citation_and_assumption(capsys, cache):
    code, out, _ = run(capsys, "point", "11.3", "--as-of", "2020-06-01")
    assert code == 0
    assert out.startswith("11.3 on 2020-06-01: in force (known wording)")
    assert "substituted by item 1.23 of act xx.yy.2020 nr 1-3/zz" in out and "ASSUMPTION: act 1-3/zz" in out


def test_the_library_never_writes_the_command_lines_table(capsys, cache):
    """The loader builds and the cache stores the index; the answer table is the command line's."""
    from fastapi.testclient import TestClient

    from tat_engine.interfaces import http

    tat_engine.load()
    forget = getattr(getattr(http, "_law", None), "cache_clear", lambda: None)  # laws the server holds
    forget()
    try:
        assert TestClient(http.create_app()).get("/v1/points/11.3", params={"on": "2021-01-01"}).status_code == 200
    finally:
        forget()
    assert list(cache.glob("*.pickle")) and not Path(quick.table_path()).exists()
    assert run(capsys, "check")[0] == 0  # a command that loaded the law keeps its table
    assert Path(quick.table_path()).exists()


def test_the_quick_table_answers_exactly_as_the_engine(capsys, cache):
    run(capsys, "check")  # writes the table for the bundled corpus
    law = tat_engine.load()
    days = sorted({dt.date(2015, 1, 1), dt.date(2020, 2, 19), dt.date(2020, 12, 31), dt.date(2021, 1, 1)}
                  | {act.in_force_from + dt.timedelta(days=k) for act in law.acts() for k in (-1, 0, 1)})
    checked = 0
    for label in law.index.labels:
        for day in days:
            fast = quick.point([label, "--as-of", day.isoformat()])
            if fast is not None:
                assert fast == f"{answer_text(law.point(label, day), day)}\n{law.stamp(day).line()}", (label, day)
                checked += 1
    assert checked > len(law.index.labels) * len(days) // 2


def test_the_tables_pages_are_what_history_and_acts_print(capsys, cache):
    """``tat history LABEL`` for every label and ``tat acts``: the table's page is the engine's text."""
    run(capsys, "check")  # writes the table
    law = tat_engine.load()
    for label in law.index.labels:
        page = quick.answer(["history", label])
        assert page is not None, label
        assert quick.answer(["history", f"{label}."]) == page  # the label tidied as the engine tidies it
        with using_table(quick, False):
            code, out, _ = run(capsys, "history", label)
        assert code == 0 and out == f"{page}\n", label
    acts = quick.answer(["acts"])
    with using_table(quick, False):
        assert run(capsys, "acts")[1] == f"{acts}\n" and "1-3/zz" in acts
    for words in (["history", "11.3", "--json"], ["history", "11.3", "--reading", "reach-2020=from-signing"],
                  ["acts", "--json"], ["history"], ["acts", "11.3"], ["history", "no-such-label"]):
        assert quick.answer(words) is None, words  # the engine's to answer


@pytest.mark.parametrize("lang", ["en", "et"])
def test_the_tables_dated_pages_are_what_point_text_diff_and_refs_print(capsys, cache, lang, monkeypatch):
    """``tat point``, ``text``, ``diff`` and ``refs``, answered from the table (of the reader's language)
    by the page of each asked day's stretch, print what the engine prints: on each stretch's first,
    second and last day, the window of the unknown act date included (its ends are stretches' ends)."""
    monkeypatch.setenv("TAT_STAMP_TIME", "2026-01-02T03:04:05+00:00")  # the moment a --json answer names
    run(capsys, "check", "--lang", lang)  # writes the table of that language
    law = tat_engine.load()
    turns = law.index.turns()
    assert turns[0] == dt.date(1900, 1, 1) and {dt.date(2020, 2, 20), dt.date(2020, 12, 31)} <= set(turns)
    days = sorted({day for start, end in zip(turns, turns[1:] + [dt.date(2999, 12, 31)])
                   for day in (start, start + dt.timedelta(days=1), end - dt.timedelta(days=1))})

    def engine(*words):
        with using_table(quick, False):
            code, out, _ = run(capsys, *words, "--lang", lang)
        return out.rstrip("\n") if code == 0 else None

    for day in days:
        page = quick.answer(["text", "--as-of", day.isoformat()], lang)
        assert page is not None and page == engine("text", "--as-of", day.isoformat()), day
    for before in days[::2]:
        for after in days[1::3]:
            words = ["diff", before.isoformat(), after.isoformat()]
            assert quick.answer(words, lang) == engine(*words), words
    labels = list(law.index.labels)
    for day in days:
        for label in labels[day.toordinal() % 7::7]:
            for words in (["refs", label], ["point", label], ["point", label, "--json"]):
                words = [*words, "--as-of", day.isoformat()]
                command = words[0]
                page, printed = quick.answer(words, lang), engine(*words)
                # None: not in force, the engine says why
                assert page == printed or (page is None and command == "refs" and printed is None), words
    refs = quick.answer(["refs", "8.3.", "--as-of", "2021-06-01", "--lang", lang], lang)
    assert refs.startswith({"en": "8.3 (8.3@1-3/170) on 2021-06-01", "et": "8.3 (8.3@1-3/170) seisuga 01.06.2021"}[lang])
    for words in (["text", "--as-of", "2021-01-01", "--json"], ["text", "--as-of", "01.01.2021"], ["text"],
                  ["text", "--as-of", "2021-01-01", "--lang", "fi"], ["text", "--as-of", "2021-01-01", "--lang"],
                  ["diff", "2019-06-01"], ["diff", "2019-06-01", "2021-01-01", "--json"],
                  ["text", "--as-of", "2021-01-01", "--out", "t.pdf"], ["refs", "8.3", "--as-of", "1899-12-31"],
                  ["text", "--as-of", "2021-01-01", "--reading", "reach-2020=from-signing"]):
        assert quick.answer(words) is None, words  # the engine's to answer


def test_a_corpus_of_many_stretches_keeps_no_dated_pages(capsys, cache, monkeypatch):
    """Past a bound on the pages (stretches squared and stretches by labels), the table keeps none of
    text, diff or refs, nor the answers' JSON: the engine answers them, as fast as it answers any
    corpus of that size."""
    from tat_engine.interfaces import cli

    monkeypatch.setattr(cli, "_DATED_PAGES", 10)
    run(capsys, "check")
    assert quick.answer(["history", "11.3"]) is not None
    assert quick.answer(["point", "11.3", "--as-of", "2021-01-01"]) is not None
    assert quick.answer(["point", "11.3", "--as-of", "2021-01-01", "--json"]) is None  # no stamp pages: no JSON kept
    assert quick.answer(["text", "--as-of", "2021-01-01"]) is None
    assert run(capsys, "text", "--as-of", "2021-01-01")[1].startswith("KÄSKKIRI 18.09.2015 nr 1-3/170")


def test_a_page_changed_in_the_table_is_not_printed(capsys, cache):
    import sqlite3

    run(capsys, "check")
    assert quick.answer(["history", "11.3"]) is not None
    with contextlib.closing(sqlite3.connect(quick.table_path())) as db, db:
        db.execute("UPDATE pages SET text = 'planted' WHERE command = 'history' AND key = '11.3'")
    assert quick.answer(["history", "11.3"]) is None and quick.answer(["acts"]) is not None
    assert quick.answer(["text", "--as-of", "2021-01-01"]) is not None
    with contextlib.closing(sqlite3.connect(quick.table_path())) as db, db:  # stretches moved: no dated page is read
        db.execute("UPDATE pages SET text = '693596' WHERE command = 'turns'")
    assert quick.answer(["text", "--as-of", "2021-01-01"]) is None


@contextlib.contextmanager
def using_table(module, on: bool):
    """The command line with its table read (``on``) or not: the engine's own answer."""
    original = module.answer
    module.answer = original if on else (lambda argv, lang="en": None)
    try:
        yield
    finally:
        module.answer = original


def test_a_stale_table_is_not_used(capsys, cache, monkeypatch):
    run(capsys, "check")
    assert quick.point(["11.3", "--as-of", "2019-06-01"]) is not None
    monkeypatch.setattr(quick, "stamp", lambda corpus=(), lang="en": ("changed",))
    assert quick.point(["11.3", "--as-of", "2019-06-01"]) is None


def test_a_stale_table_is_written_again_by_the_point_it_failed(capsys, cache, monkeypatch):
    """A command the table does not answer leaves a table it finds unread (and so stale: here, an
    engine of other code); the next ``tat point``, which the table cannot answer, asks the engine and
    writes the table again."""
    run(capsys, "check")
    path = quick.table_path()
    monkeypatch.setattr(quick, "stamp_of", lambda corpus_hash, lang: "changed")
    assert run(capsys, "check")[0] == 0
    assert not quick.fresh(path, "changed") and quick.point(["11.3", "--as-of", "2019-06-01"]) is None
    code, out, _ = run(capsys, "point", "11.3", "--as-of", "2019-06-01")
    assert code == 0 and quick.fresh(path, "changed")
    assert quick.point(["11.3", "--as-of", "2019-06-01"]) == out.rstrip("\n")


def test_a_label_no_point_bore_gets_the_near_ones(capsys, cache):
    code, out, _ = run(capsys, "point", "11.33", "--as-of", "2021-01-01")
    assert code == 0 and "no point bore this label" in out and "11.3" in out


def test_a_bad_date_is_a_message_and_exit_1_not_a_traceback(capsys, cache):
    code, out, err = run(capsys, "point", "11.3", "--as-of", "1.6.2019")
    assert code == 1 and err.startswith("tat: ") and "YYYY-MM-DD" in err and "Traceback" not in err


def test_json_output_is_tagged_data(capsys, cache):
    code, out, _ = run(capsys, "point", "9.1.10", "--as-of", "2021-01-01", "--json")
    data = json.loads(out)
    assert data["type"] == "InForce" and data["version"]["provision"] == "9.1.11@1-3/170"
    assert data["change"]["verb"] == "renumbered"


def test_two_dates_on_the_command_line(capsys, cache):
    code, out, _ = run(capsys, "point", "11.3", "--as-of", "2021-06-01", "--facts-on", "2016-03-01")
    assert code == 0 and "retroactively from 2015-07-01" in out and "30 calendar days" in out


def test_assume_supplies_the_real_date(capsys, cache):
    code, out, _ = run(capsys, "point", "11.3", "--as-of", "2020-06-01", "--assume", "1-3/zz=2020-06-15")
    assert code == 0 and "unknown wording" in out
    code, _, err = run(capsys, "point", "11.3", "--as-of", "2020-06-01", "--assume", "1-3/zz")
    assert code == 1 and "ACT=DATE" in err


def test_history_text_diff_acts_check(capsys, cache):
    assert "9.1.10@1-3/170: labels 9.1.10 [2015-09-18, 2020-03-06), 9.1.9 [2020-03-06, …)" in run(capsys, "history", "9.1.10")[1]
    assert "11.3. Elluviija esitab" in run(capsys, "text", "--as-of", "2021-01-01")[1]
    assert "11.3 (11.3@1-3/170): reworded, facts" in run(capsys, "diff", "2019-06-01", "2021-01-01")[1]
    assert "applied from 2015-07-01" in run(capsys, "acts")[1]
    code, out, _ = run(capsys, "check")
    assert code == 0 and "double-change" in out and "5 acts" in out


def test_a_broken_corpus_prints_diagnostics_and_exits_1(capsys, cache, tmp_path):
    bad = tmp_path / "bad.tat"
    bad.write_text('act "1" { kind directive signed 2015-13-01 }', encoding="utf-8")
    code, _, err = run(capsys, "check", "--corpus", str(bad))
    assert code == 1 and f"{bad}:1:33: error:" in err and "YYYY-MM-DD" in err


def test_coverage_counts_known_and_unknown_wording_per_act(capsys, cache):
    code, out, _ = run(capsys, "coverage")
    rows = {line.split()[0]: line for line in out.splitlines()[:-1]}  # the last: the stamp
    assert code == 0 and list(rows) == ["1-3/170", "1-3/53", "1-3/107", "1-3/29", "1-3/zz"]
    assert "unknown   0" in rows["1-3/zz"] and "unknown   0" not in rows["1-3/170"]


def test_history_says_when_a_version_starts_on_an_assumed_date(capsys, cache):
    out = run(capsys, "history", "16")[1]
    assert "inserted by item 1.34" in out and "starts on an assumed date: act 1-3/zz" in out


def test_a_corpus_of_ones_own_gets_a_table_that_follows_its_files(capsys, cache, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    act = 'act "1-3/1" { kind directive title "T" signed 2015-09-18 in_force on_signing }\n'
    (folder / "base.tat").write_text(act + 'section 1 { text "Esimene" }\n', encoding="utf-8")
    args = ["1", "--as-of", "2016-01-01", "--corpus", str(folder)]
    assert quick.point(args) is None  # no table yet
    code, out, _ = run(capsys, "point", *args)
    assert code == 0 and "1. Esimene" in out
    assert quick.point(args) == out.rstrip("\n")  # the table now answers, as the engine did
    (folder / "base.tat").write_text(act + 'section 1 { text "Teine" }\n', encoding="utf-8")
    assert quick.point(args) is None  # a changed file makes the table stale
    assert "1. Teine" in run(capsys, "point", *args)[1]


def test_a_table_is_stamped_with_the_files_its_index_was_built_from(cache, tmp_path):
    """A file edited while a command built its index: the table written from that index is the old
    files' table, never read for the new ones (it is stamped with the index's own corpus hash)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    act = 'act "1-3/1" { kind directive title "T" signed 2015-09-18 in_force on_signing }\n'
    (folder / "base.tat").write_text(act + 'section 1 { text "Esimene" }\n', encoding="utf-8")
    law = tat_engine.load([folder])
    (folder / "base.tat").write_text(act + 'section 1 { text "Teine" }\n', encoding="utf-8")  # edited meanwhile
    assert quick.refresh(law.index, (str(folder),))
    args = ["1", "--as-of", "2016-01-01", "--corpus", str(folder)]
    assert quick.point(args) is None  # not the table of the files as they are now
    (folder / "base.tat").write_text(act + 'section 1 { text "Esimene" }\n', encoding="utf-8")
    assert "1. Esimene" in quick.point(args)  # the table of the files it was built from


def test_deadline_and_calendar_commands(capsys, cache, tmp_path):
    code, out, _ = run(capsys, "deadline", "--list")
    assert code == 0 and "report-check" in out and "11.4" in out
    code, out, _ = run(capsys, "deadline", "report-check", "--trigger", "2021-12-22")
    assert code == 0 and "due 2022-01-13 (Thursday)" in out and "item 1.24" in out and "TsÜS § 135 (1)" in out
    code, out, _ = run(capsys, "deadline", "interim-report", "--trigger", "2020-06-01", "--fixed-dates", "stay")
    assert code == 0 and "2021-01-31 (Sunday)" in out and "not moved" in out
    ics = tmp_path / "tat-2021.ics"
    code, out, _ = run(capsys, "calendar", "2021", "--ics", str(ics))
    assert code == 0 and "plan-and-budget: due 2021-11-05" in out
    assert ics.read_bytes().count(b"BEGIN:VEVENT") == 2
    code, _, err = run(capsys, "deadline", "report-check")
    assert code == 1 and "needs --trigger" in err


EXAMPLES = Path(__file__).parents[1] / "examples"


def test_check_applications_json_is_data(capsys, cache):
    code, out, _ = run(capsys, "check-applications", str(EXAMPLES / "applications.csv"), "--instrument", "safety-2023",
                       "--as-of", "2023-05-15", "--json")
    decisions = json.loads(out)["answer"]  # a list: beside its stamp
    assert code == 0 and decisions[0]["application"]["applicant"] == "Tartu vald"
    documents = decisions[0]["application"]["documents"]  # a set: a sorted list
    assert documents == sorted(documents) and "taotlusvorm" in documents


def test_check_json_is_data(capsys, cache):
    code, out, _ = run(capsys, "check", "--json")
    data = json.loads(out)
    assert code == 0 and data["acts"] == 5 and data["warnings"] == len(data["diagnostics"]) > 0
    assert "double-change" in {d["code"] for d in data["diagnostics"]}


@pytest.mark.parametrize("argv", [["text", "--as-of", "2021-01-01"], ["text", "--as-of", "2021-01-01", "--json"],
                                  ["point", "11.3", "--as-of", "2019-06-01"], ["history", "9.1.10"]])
def test_a_reader_that_went_away_ends_quietly(cache, argv):
    """``tat text … | head -1``: the reader closes the pipe; no traceback, the status of SIGPIPE."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "TAT_CACHE_DIR": str(cache), "PYTHONPATH": str(Path(tat_engine.__file__).parents[1])}
    subprocess.run([sys.executable, "-m", "tat_engine.interfaces.cli", *argv], env=env, capture_output=True, check=True)  # warm
    reader, writer = os.pipe()
    os.close(reader)  # gone before the first line is written
    try:
        done = subprocess.run([sys.executable, "-m", "tat_engine.interfaces.cli", *argv], env=env, stdout=writer,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(writer)
    assert done.stderr == "" and done.returncode == 141


def test_an_applications_file_with_a_bom_keeps_the_applicant(capsys, cache, tmp_path):
    from tat_engine.rules.admission import read_applications

    plain = EXAMPLES / "applications.csv"
    marked = tmp_path / "applications.csv"
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())  # as a spreadsheet saves "CSV UTF-8"
    assert [a.applicant for a in read_applications(marked)] == [a.applicant for a in read_applications(plain)]
    assert all("\ufeff" not in name for a in read_applications(marked) for name, _ in a.fields)
    code, out, _ = run(capsys, "check-applications", str(marked), "--instrument", "safety-2023", "--as-of", "2023-05-15")
    assert code == 0 and "Tartu vald: admissible" in out


def test_check_json_of_a_broken_corpus_is_data_too(capsys, cache, tmp_path):
    bad = tmp_path / "bad.tat"
    bad.write_text('act "1" { kind directive signed 2015-13-01 }', encoding="utf-8")
    code, out, err = run(capsys, "check", "--corpus", str(bad), "--json")
    [diagnostic] = json.loads(out)["diagnostics"]
    assert code == 1 and diagnostic["severity"] == "error" and diagnostic["location"]["line"] == 1
    assert f"{bad}:1:33: error:" in err


def test_a_day_outside_the_engines_range_is_refused_on_the_quick_path_too(capsys, cache):
    assert run(capsys, "point", "11.3", "--as-of", "2021-01-01")[0] == 0  # the table is written
    code, out, err = run(capsys, "point", "11.3", "--as-of", "9999-12-31")
    assert code != 0 and "1900-01-01..2999-12-31" in err and out == ""


def test_the_version_is_told(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    out, _ = capsys.readouterr()
    assert done.value.code == 0 and out.startswith("tat-engine ") and tat_engine.__version__ in out


@given(st.dates(dt.date(1900, 1, 1), dt.date(2999, 12, 31)), st.sampled_from(["en", "et"]))
def test_the_quick_table_writes_a_day_as_the_messages_do(day, lang):
    """quick.py restates messages.day (it may not import messages): the two must agree."""
    from tat_engine.messages import day as written, using

    marks = quick.Marks("0" * 32)
    with using(lang):
        assert quick._filled(f"{marks.on} {marks.iso}", day, lang, marks) == f"{written(day)} {day.isoformat()}"


@given(st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2999, 12, 31)), st.booleans())
def test_the_quick_table_stamps_the_moment_as_the_stamp_does(moment, zoned):
    """quick.py restates stamp.produced_at for ``tat point --json``: the two must agree."""
    import os

    from tat_engine.stamp import produced_at

    written = (moment.replace(tzinfo=dt.timezone.utc) if zoned else moment).isoformat()
    previous = os.environ.get("TAT_STAMP_TIME")
    os.environ["TAT_STAMP_TIME"] = written
    try:
        assert quick._moment() == produced_at().isoformat()
    finally:
        os.environ.pop("TAT_STAMP_TIME") if previous is None else os.environ.__setitem__("TAT_STAMP_TIME", previous)


def test_a_corpus_text_may_hold_any_character_the_table_answers_it_as_written(capsys, cache, tmp_path):
    """The DSL takes any character in a text, control characters too: the table's marks (where it
    leaves the asked day) are a nonce of its own, so no text is taken for one."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    act = 'act "1-3/1" { kind directive title "T" signed 2015-09-18 in_force on_signing }\n'
    (folder / "base.tat").write_text(act + 'section 1 { text "Es\x00i\x01m\x02ene" }\n', encoding="utf-8")
    args = ["point", "1", "--as-of", "2016-01-01", "--corpus", str(folder)]
    first = run(capsys, *args)[1]
    assert "1. Es\x00i\x01m\x02ene" in first
    assert quick.answer(args) + "\n" == first == run(capsys, *args)[1]


@given(st.text(alphabet=" \t.1Lisa3\n", max_size=12))
def test_the_quick_table_tidies_a_label_as_the_engine_does(written):
    """quick.py restates model.tidy_label (it may not import attrs): the two must agree."""
    assert quick._tidy_label(written) == tidy_label(written)
