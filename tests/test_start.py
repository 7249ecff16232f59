"""A cheap start: the cached index decoded part by part, the shipped parser tables, a load without
networkx, dates written YYYY-MM-DD read inline. Every answer stays the one the engine builds."""

import datetime as dt
import os
import pickle
import subprocess
import sys

import pytest
from lark.exceptions import UnexpectedInput

import tat_engine
from tat_engine.dsl import tables
from tat_engine.errors import QueryError
from tat_engine.loader import bundled_files

DAYS = ("2016-03-01", "2019-06-01", "2020-06-01", "2021-01-01")
LABELS = ("11.3", "9.1.10", "9.1.11", "2.3.2.1", "16.1", "1.3.3", "99.1")


def answers(law) -> dict:
    found = {(label, day): law.point(label, day) for label in LABELS for day in DAYS}
    found.update({("text", day): law.text(day) for day in DAYS})
    found["history"] = law.history("9.1.10")
    found["refs"] = law.references("8.3", "2021-06-01")
    found["applicable"] = law.applicable("11.3", "2016-03-01", "2021-06-01")
    return found


def test_a_cached_index_decodes_only_what_a_question_needs(cache, directive):
    tat_engine.load()  # builds and seals the index
    law = tat_engine.load()  # from the cache
    index = law.index
    assert not {"answers", "lives", "edges", "worlds"} & index.__dict__.keys()
    assert law.point("11.3", "2019-06-01") == directive.point("11.3", "2019-06-01")
    decoded = [chunk is None for chunk in index.labels._chunks]
    assert sum(decoded) == 1 and len(decoded) > 1  # one chunk of labels, nothing else
    assert not any(chunk is None for chunk in index.provisions._chunks) and "edges" not in index.__dict__
    bearers = {history.provision for history in directive.history("9.1.10")}
    wanted = {n for n, (keys, _) in enumerate(index.provisions._chunks) if bearers & set(keys)}
    assert law.history("9.1.10") == directive.history("9.1.10")  # its label's chunk, its provisions' chunks
    assert {n for n, chunk in enumerate(index.provisions._chunks) if chunk is None} == wanted
    assert len(index.provisions._chunks) > len(wanted)
    pid = directive.history("9.1.10")[0].provision
    assert law.provision(pid, "2019-06-01") == directive.provision(pid, "2019-06-01")
    assert "answers" not in index.__dict__  # not the versions of every provision
    labels_decoded = sum(chunk is None for chunk in index.labels._chunks)
    assert law.text("2021-01-01") == directive.text("2021-01-01")  # the versions and the repeals, not every label
    assert sum(chunk is None for chunk in index.labels._chunks) == labels_decoded
    assert answers(law) == answers(directive)  # every other part, decoded when asked, gives the same answers
    assert list(index.labels) == list(directive.index.labels) and len(index.labels) == len(directive.index.labels)


def test_references_and_an_acts_changes_read_the_kept_edges_not_every_answer(cache, directive):
    """refs and act read the index's edges and the provisions they name: the answers of every
    version (what text and diff read) stay packed."""
    tat_engine.load()
    law = tat_engine.load()
    assert law.references("8.3", "2021-06-01") == directive.references("8.3", "2021-06-01")
    assert law.act_changes("1-3/zz") == directive.act_changes("1-3/zz")
    assert law.act_changes("1-3/53") == directive.act_changes("1-3/53")
    assert not {"answers", "lives", "repeals"} & law.index.__dict__.keys()
    assert all(type(edge) is tuple and len(edge) == 4 for edge in law.index.edges)


@pytest.mark.parametrize("protocol", [4, 5])
def test_an_index_pickled_again_is_the_same_law(cache, directive, protocol):
    """Half decoded or whole, in band or out of band: the index survives another pickle whole."""
    tat_engine.load()
    law = tat_engine.load()
    law.point("11.3", "2019-06-01")  # a part decoded, the rest still packed
    again = tat_engine.Law(pickle.loads(pickle.dumps(law.index, protocol=protocol)))
    assert answers(again) == answers(directive)


def test_the_shipped_parser_tables_are_fresh():
    grammar = tables.GRAMMAR.read_text("utf-8")
    assert tables.shipped(grammar) is not None, \
        "tables.json was made from another grammar or lark: run python -m tat_engine.dsl.tables"


def test_the_shipped_tables_parse_as_the_grammar_compiled():
    shipped, compiled = tables.parser(), tables.compiled()
    for _, text in bundled_files() + bundled_files("safety-2023"):
        assert shipped.parse(text) == compiled.parse(text)
    for broken in ('act "1-3/1" { kind directive', 'point 1 { text 12 }', 'act "x" { kind }}'):
        with pytest.raises(UnexpectedInput) as by_tables:
            shipped.parse(broken)
        with pytest.raises(UnexpectedInput) as by_grammar:
            compiled.parse(broken)
        found, wanted = by_tables.value, by_grammar.value  # (lark lists the expected in set order: compared as sets)
        assert (type(found), found.line, found.column, set(getattr(found, "expected", ()) or ())) == \
            (type(wanted), wanted.line, wanted.column, set(getattr(wanted, "expected", ()) or ()))


def test_tables_of_another_grammar_are_not_used():
    grammar = tables.GRAMMAR.read_text("utf-8")
    assert tables.shipped(grammar + "\n// changed\n") is None


def test_a_load_imports_no_networkx_and_a_cached_one_no_lark(cache):
    code = "import sys, tat_engine; tat_engine.load(); print('networkx' in sys.modules, 'lark' in sys.modules)"
    env = {**os.environ, "TAT_CACHE_DIR": str(cache)}
    built = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert built.stdout.split() == ["False", "True"]  # built: parsed with lark, checked without networkx
    cached = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert cached.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("written", ["2019-06-01", "2015-06-30", "1900-01-01", "2999-12-31", "2019-02-30",
                                     "1899-12-31", "3000-01-01", "2019-0６-01", "+019-06-01", "2019-06-1 ",
                                     " 2019-06-01", "01.06.2019", "2019-W22-6", "20190601"])
def test_a_written_date_reads_as_the_general_reader_reads_it(directive, written):
    """law.point reads YYYY-MM-DD inline: the same day, or the same refusal, as law.day."""
    try:
        day = tat_engine.day(written)
    except QueryError as error:
        with pytest.raises(QueryError) as inline:
            directive.point("11.3", written)
        assert str(inline.value) == str(error)
    else:
        assert isinstance(day, dt.date) and directive.point("11.3", written) == directive.point("11.3", day)


def test_threads_asking_at_once_decode_each_part_once(cache, directive):
    """A server's threads may be the first to ask for one chunk or the versions at the same time."""
    from concurrent.futures import ThreadPoolExecutor

    tat_engine.load()
    law = tat_engine.load()
    questions = [(label, day) for label in LABELS for day in DAYS] * 4

    def ask(question):
        label, day = question
        return law.point(label, day), law.in_force(day)

    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(ask, questions))
    assert found == [(directive.point(label, day), directive.in_force(day)) for label, day in questions]


# what each command imports (never how long it takes: speed targets live in benchmarks/run.py)
_IMPORTED = ("import sys; from tat_engine.interfaces.cli import main; code = main(sys.argv[1:]); "
             "print('\\x00' + ' '.join(sorted(sys.modules)), file=sys.stderr); sys.exit(code)")
_COMMANDS = {
    "refs": ["refs", "8.3", "--as-of", "2021-06-01"],
    "act": ["act", "1-3/zz"],
    "deadline": ["deadline", "report-check", "--trigger", "2021-12-22"],
    "calendar": ["calendar", "2021"],
    "text": ["text", "--as-of", "2021-01-01"],  # answered from the table, as refs is
    "history": ["history", "9.1.10"],  # answered from the table
    "acts": ["acts"],  # answered from the table
    "point --json": ["point", "11.3", "--as-of", "2019-06-01", "--json"],
    "point": ["point", "11.3", "--as-of", "2019-06-01"],  # answered from the table (quick.py)
}


def _modules(words: list[str], env: dict) -> set[str]:
    done = subprocess.run([sys.executable, "-c", _IMPORTED, *words], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return set(done.stderr.rpartition("\x00")[2].split())


@pytest.mark.parametrize("command", list(_COMMANDS))
def test_a_command_imports_only_what_it_needs(cache, command):
    """No command imports networkx; a first deadline loads Estonia's holidays alone, not the other
    countries'; from a warm cache no command imports lark or the holidays package at all."""
    env = {**os.environ, "TAT_CACHE_DIR": str(cache), "LANG": "C"}
    first = _modules(_COMMANDS[command], env)  # fills the cache
    countries = {name for name in first if name.startswith("holidays.countries")}
    assert countries == ({"holidays.countries.estonia"} if command in ("deadline", "calendar") else set())
    found = _modules(_COMMANDS[command], env)
    assert "networkx" not in first
    assert not {name for name in found if name.split(".")[0] in ("holidays", "lark", "networkx")}
    # nor what only a build, a wrong date, help or a fresh table needs: the DSL's act classes, the
    # replay's edits, the general date reader, shutil; sqlite3 only where the table is read; dateutil (and the
    # calendar module it imports) only where a period in months is counted: the directive's calendar
    months = command == "calendar"
    assert not found & {"tat_engine.acts", "tat_engine.history.edits", "tat_engine.dates", "shutil"}
    assert ("dateutil" in found) == months and ("calendar" in found) == months
    tabled = command in ("point", "history", "acts", "text", "refs")
    assert ("sqlite3" in found) == (tabled or command == "point --json")
    if tabled:  # the table's answer: the standard library's few modules, not even typing or re
        assert not found & {"attrs", "typing", "re", "tat_engine.model", "tat_engine.messages"}


def test_the_kept_holidays_are_the_packages_day_by_day(cache):
    """Estonia loaded alone (workdays._estonia) and the kept table (all years at once, in the cache)
    name every holiday the package names, year by year, in both languages, on every day counted."""
    import holidays

    from tat_engine.rules import workdays

    workdays._table.cache_clear()
    try:
        for lang, language in (("en", "en_US"), ("et", "et")):
            for year in range(1900, 3000):
                known = holidays.country_holidays("EE", years=year, language=language)
                if year in (1990, 1991, 1994, 2021, 2100, 2999):
                    assert list(workdays._holidays(year, lang).items()) == list(known.items())
                kept = {day: name for day, name in workdays._table()[lang].items() if day.startswith(f"{year}-")}
                assert kept == {day.isoformat(): name for day, name in known.items()}, year
            assert workdays._named(dt.date(2021, 12, 24), lang) == known_name(language, dt.date(2021, 12, 24))
        assert len(list(cache.glob("holidays-*.txt"))) == 1
        made = workdays._computed()
        workdays._table.cache_clear()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(workdays, "_computed", lambda: pytest.fail("the kept table was not read"))
            assert workdays._table() == made  # read back from the cache as made
    finally:
        workdays._table.cache_clear()


def known_name(language: str, day: dt.date) -> str:
    import holidays

    return holidays.country_holidays("EE", years=day.year, language=language)[day]


_WORDS = [["point", "11.3", "--as-of", "2019-06-01", "--json"], ["calendar", "1800"], ["poin"], ["--help"], [], ["--version"],
          ["deadline", "x", "--extension-days", "-1"], ["text", "--as-of", "2020-01-01", "--format", "odt"],
          ["acts", "--bogus"], ["history"], ["check-costs", "--help"], ["test", "a.yaml", "--reading", "a=b"],
          ["serve", "--port", "x"], ["import", "a.txt", "--lines", "1..2"], ["point", "1", "--as-of", "x", "--lang", "xx"]]


@pytest.mark.parametrize("words", _WORDS, ids=" ".join)
def test_the_parser_of_one_subcommand_reads_and_refuses_as_the_whole_one(words, capsys):
    """The command line builds only the asked subcommand's parser; help, errors and values are the whole parser's."""
    from tat_engine.interfaces import cli

    def outcome(parse):
        try:
            found = {key: getattr(value, "__name__", value) for key, value in vars(parse(words)).items()}
        except SystemExit as stop:
            found = stop.code
        return found, capsys.readouterr()

    assert outcome(cli._parse) == outcome(cli._parser().parse_args)
