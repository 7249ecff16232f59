"""The indexes and answer tables the install builds into the package for the shipped instruments:
a first call on a fresh machine reads them, answers as the engine does, and writes nothing; one
made by other code or from other files is never read."""

import datetime as dt
import os

import pytest

import tat_engine
from tat_engine import loader, prebuilt, quick
from tat_engine.interfaces.cli import main
from tat_engine.interfaces.render import answer_text
from tat_engine.instruments import INSTRUMENTS


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prebuilt")
    names = prebuilt.build(str(folder))
    return folder, names


@pytest.fixture()
def shipped(built, tmp_path, monkeypatch):
    """The built files as the package's own, and an empty cache: a fresh machine."""
    folder, _ = built
    monkeypatch.setattr(prebuilt, "FOLDER", str(folder))
    monkeypatch.setenv("TAT_PREBUILT", "1")
    monkeypatch.setenv("TAT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_instrument_gets_an_index_and_a_table(built):
    folder, names = built
    assert sorted(os.listdir(folder)) == sorted(names)
    for instrument in INSTRUMENTS:
        assert {f"quick-{instrument}-et.sqlite", f"quick-{instrument}-en.sqlite"} <= set(names)  # a reader of each
        assert f"{loader._key(loader.bundled_files(instrument), {})}.pickle" in names


def test_a_first_call_reads_them_and_writes_nothing(capsys, shipped, monkeypatch):
    monkeypatch.setattr(loader, "build", lambda *a, **k: pytest.fail("the corpus was parsed again"))
    for argv in (["point", "11.3", "--as-of", "2019-06-01"], ["text", "--as-of", "2021-01-01"], ["history", "9.1.10"],
                 ["point", "11.3", "--as-of", "2019-06-01", "--lang", "et"], ["diff", "2019-06-01", "2021-01-01"],
                 ["point", "4.1", "--as-of", "2023-06-01", "--instrument", "safety-2023"]):
        code, out, _ = run(capsys, *argv)
        assert code == 0 and out
    assert not shipped.exists() or not any(shipped.iterdir())


def test_the_shipped_index_answers_as_a_built_one(shipped, directive):
    law = tat_engine.load()
    assert law.index is not directive.index
    days = sorted({act.in_force_from + dt.timedelta(days=k) for act in directive.acts() for k in (-1, 0, 1)})
    for day in days:
        assert law.text(day) == directive.text(day)
        assert law.in_force(day) == directive.in_force(day)
    assert law.acts() == directive.acts() and law.diagnostics == directive.diagnostics


def test_the_shipped_table_answers_as_the_engine(shipped, directive):
    days = [dt.date(2016, 3, 1), dt.date(2019, 6, 1), dt.date(2020, 6, 1), dt.date(2021, 1, 1)]
    for label in list(directive.index.labels)[::7]:
        for day in days:
            fast = quick.point([label, "--as-of", day.isoformat()])
            if fast is not None:
                assert fast == f"{answer_text(directive.point(label, day), day)}\n{directive.stamp(day).line()}"
    assert quick.point(["11.3", "--as-of", "2019-06-01"]) is not None


def test_files_made_by_other_code_or_from_other_files_are_not_read(shipped, monkeypatch):
    monkeypatch.setattr(quick, "stamp", lambda corpus=(), lang="en": "another engine's key")
    assert quick.point(["11.3", "--as-of", "2019-06-01"]) is None  # and no user table yet
    monkeypatch.setattr(loader, "_key", lambda sources, assume: "0" * 32)
    assert loader._prebuilt("0" * 32) is None
    assert tat_engine.load().point("11.3", "2019-06-01").label == "11.3"  # built, as before


def test_off_for_assumed_dates_user_corpora_and_when_turned_off(shipped, monkeypatch):
    read = []
    original = prebuilt.read
    monkeypatch.setattr(prebuilt, "read", lambda path: read.append(path) or original(path))
    tat_engine.load(assume={"1-3/zz": "2020-03-16"})
    tat_engine.load([os.path.join(prebuilt.PACKAGE, "data", folder) for folder in INSTRUMENTS["tat"]])
    assert read == []
    monkeypatch.setenv("TAT_PREBUILT", "0")
    tat_engine.load()
    assert read == [] and quick.point(["11.3", "--as-of", "2019-06-01"]) is None


def test_a_damaged_shipped_file_is_built_again(shipped, built, tmp_path, monkeypatch):
    folder, _ = built
    copy = tmp_path / "damaged"
    copy.mkdir()
    for name in os.listdir(folder):
        data = (folder / name).read_bytes()
        (copy / name).write_bytes(data[: len(data) // 2])
    monkeypatch.setattr(prebuilt, "FOLDER", str(copy))
    assert quick.point(["11.3", "--as-of", "2019-06-01"]) is None
    assert tat_engine.load().point("11.3", "2019-06-01").label == "11.3"
