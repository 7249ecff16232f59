"""The index's sheets (plain columns from which the text and a diff are printed) against the answers
they stand for: the text and the diff read off the sheets equal those built from the decoded versions,
in either language, built or unpickled."""

import datetime as dt
import itertools
import pickle
import sys
from pathlib import Path

from hypothesis import given

from tat_engine import Law
from tat_engine.history.index import Side
from tat_engine.history.render import point_lines, repealed_line
from tat_engine.messages import using

from strategies import corpora
from test_properties import days, law_of


def text_body(law: Law, day: dt.date) -> list[str]:
    """The points of the text on ``day`` as rendered from the answers themselves (the versions decoded)."""
    entries = [(a.version.label, point_lines(a)) for a in law.index.in_force(day)]
    entries += [(r.last.label, [repealed_line(r)]) for r in law.index.repealed_on(day)]
    entries.sort(key=lambda entry: entry[0])
    return [line for _, block in entries for line in block]


def diff_of_answers(law: Law, before: dt.date, after: dt.date) -> list[tuple]:
    """What changed, compared on the answers in force on either day."""
    old = {a.version.provision: a for a in law.index.in_force(before)}
    new = {a.version.provision: a for a in law.index.in_force(after)}
    found = []
    for pid in sorted(old.keys() | new.keys(), key=lambda p: ((new.get(p) or old.get(p)).version.label, p)):
        a, b = old.get(pid), new.get(pid)
        if a is None or b is None:
            found.append((pid, ("added",) if a is None else ("repealed",), a, b))
            continue
        kinds = tuple(kind for kind, differs in (
            ("renumbered", a.version.label != b.version.label),
            ("reworded", a.wording != b.wording or a.content.table != b.content.table),
            ("facts", a.content.facts != b.content.facts)) if differs)
        if kinds:
            found.append((pid, kinds, a, b))
    return found


def side(answer) -> Side | None:
    return None if answer is None else Side(answer.label, answer.text, answer.change)


def assert_sheets_agree(law: Law, asked: list[dt.date]) -> None:
    for day in asked:
        printed = law.text(day).split("\n")
        body = text_body(law, day)
        assert printed[len(printed) - len(body) - 1:-1] == body, day
    for before, after in itertools.product(asked, repeat=2):
        expected = diff_of_answers(law, before, after)
        assert [(c.provision, c.kinds, c.before, c.after) for c in law.diff(before, after)] == expected
        assert [(c.provision, c.kinds, c.before, c.after) for c in law.changes(before, after)] == [
            (pid, kinds, side(a), side(b)) for pid, kinds, a, b in expected]


@given(corpora())
def test_the_text_and_the_diff_read_off_the_sheets_are_those_of_the_answers(corpus):
    law = law_of(corpus)
    asked = days(corpus)[::3]
    assert_sheets_agree(law, asked)
    unpickled = Law(pickle.loads(pickle.dumps(law.index, protocol=5)))  # the sheets as the cache keeps them
    assert [unpickled.text(day) for day in asked] == [law.text(day) for day in asked]
    assert unpickled.changes(asked[0], asked[-1]) == law.changes(asked[0], asked[-1])


def test_the_directive_s_text_and_diff_off_the_sheets_in_either_language(directive):
    asked = [dt.date(2015, 9, 1), dt.date(2016, 6, 1), dt.date(2018, 1, 1), dt.date(2019, 6, 1), dt.date(2021, 1, 1),
             dt.date(2023, 6, 1)]
    for lang in ("en", "et"):
        with using(lang):
            assert_sheets_agree(directive, asked)


def test_a_point_whose_lines_are_in_the_reader_s_language_is_printed_in_it(directive):
    """An unknown wording's facts from other sources are written in the reader's language: the sheets
    keep no lines for it, and the text renders it when asked."""
    sheets = directive.index.sheets
    local = [at for at, lines in enumerate(directive.index.pages.printed) if lines is None and sheets.ranks[at] >= 0]
    assert local, "the directive has unknown wordings with facts from other sources"
    day = dt.date.fromordinal(sheets.starts[local[0]])
    label = sheets.labels[local[0]]
    texts = {}
    for lang in ("en", "et"):
        with using(lang):
            texts[lang] = next(line for line in directive.text(day).split("\n") if line.startswith(f"{label}. "))
            assert texts[lang] in text_body(directive, day)
    assert texts["en"] != texts["et"]


def references_by_the_edges(law: Law, label: str, day: dt.date):
    """``tat refs`` as a walk over every kept edge of the clause graph (what the cites table stands for)."""
    from tat_engine.history.graph import References, _leaving, _reaching, _reference

    index = law.index
    version = law.point(label, day).version
    node, provision = ("version", version.provision, version.number), ("provision", version.provision)
    cites = tuple(_reference(index, index.cite(version, version.content_cause), edge.label, edge.target, day)
                  for edge in _leaving(index.edges, {node}).get(node, ()) if edge.rel == "cites")
    cited_by = []
    for edge in _reaching(index.edges, {provision}).get(provision, ()):
        citing = index.provisions[edge.source[1]][edge.source[2] - 1]
        if edge.rel == "cites" and not citing.repealed and citing.start <= day and (citing.end is None or day < citing.end):
            cited_by.append(_reference(index, index.cite(citing, citing.content_cause), edge.label, provision, day))
    return References(label, day, version.provision, cites, tuple(sorted(cited_by, key=lambda r: r.citing.label)))


def assert_references_agree(law: Law, asked: list[dt.date]) -> None:
    for day in asked:
        for answer in law.in_force(day):
            assert law.references(answer.label, day) == references_by_the_edges(law, answer.label, day)


@given(corpora())
def test_references_read_off_the_cites_table_are_those_of_the_edges(corpus):
    law = law_of(corpus)
    assert_references_agree(law, days(corpus)[::3])


def test_the_directive_s_references_off_the_cites_table(directive):
    asked = sorted({act.in_force_from for act in directive.acts()} | {dt.date(2023, 6, 1)})  # each text it had
    assert_references_agree(directive, asked)
    assert any(refs.cited_by for refs in (directive.references(a.label, asked[-1]) for a in directive.in_force(asked[-1])))


def test_a_generated_corpus_s_text_diff_and_references_off_the_index(tmp_path):
    """The benchmark's generated corpus (wordings citing points, renumberings, repeals), small."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import generate
    from tat_engine.loader import build

    law = Law(build(generate.write(tmp_path, generate.generate(points=300, acts=12))))
    asked = sorted({act.in_force_from for act in law.acts()})[::2]
    assert_sheets_agree(law, asked)
    assert_references_agree(law, asked)


def test_a_cached_index_prints_the_text_the_diff_and_the_references_without_its_versions(tmp_path, monkeypatch,
                                                                                         directive):
    """Read from the cache, the text and a diff decode the sheets alone, and references one chunk of
    the cites table and the provisions they name, never the answers of every version or the edges."""
    import tat_engine

    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("TAT_CACHE_DIR", str(folder))
    tat_engine.load()  # builds and seals the index
    law = tat_engine.load()
    index = law.index
    assert not {"sheets", "pages", "answers", "edges"} & index.__dict__.keys()
    assert law.changes("2019-06-01", "2021-01-01") == directive.changes("2019-06-01", "2021-01-01")
    assert "sheets" in index.__dict__ and "pages" not in index.__dict__  # a diff prints no text
    assert law.text("2021-01-01") == directive.text("2021-01-01")
    assert law.references("8.3", "2021-06-01") == directive.references("8.3", "2021-06-01")
    assert "sheets" in index.__dict__ and not {"answers", "edges"} & index.__dict__.keys()
    assert sum(chunk is None for chunk in index.cites._chunks) == 1 < len(index.cites._chunks)
    assert law.diff("2019-06-01", "2021-01-01") == directive.diff("2019-06-01", "2021-01-01")  # --json: the answers
