"""The cache under attack: planted, linked, unwritable, corrupt, stale, half-written.

Nothing read from the cache directory may run code, follow a link, crash a run or
change an answer; a cache that cannot be used only means building in memory.
"""

import datetime as dt
import errno
import os
import pickle
import re
import sqlite3
import stat
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tat_engine
from tat_engine import cachedir, loader, quick
from tat_engine.interfaces.cli import main
from tat_engine.interfaces.render import answer_text

DAYS = ("2019-06-01", "2021-01-01")
ASKED = [("11.3", "2019-06-01"), ("11.3", "2021-01-01"), ("9.1.10", "2018-01-01"), ("9.1.10", "2021-01-01"),
         ("2.3.2.1", "2021-01-01"), ("16", "2021-01-01")]


@pytest.fixture(scope="module")
def reference():
    """What the law says, built without any cache: the texts and the point answers."""
    law = tat_engine.load(cache=False)
    texts = {day: law.text(day) for day in DAYS}
    points = {(label, day): f"{answer_text(law.point(label, day), dt.date.fromisoformat(day))}\n{law.stamp(day).line()}"
              for label, day in ASKED}  # as `tat point` prints it: the stamp its last line
    return texts, points


def texts_of(law):
    return {day: law.text(day) for day in DAYS}


def index_file(cache: Path) -> Path:
    [found] = cache.glob("*.pickle")
    return found


def the_key(cache: Path) -> str:
    return index_file(cache).name.removesuffix(".pickle")


class Payload:
    """Unpickling this makes a directory: proof that code ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def test_the_sealed_cache_is_read_back_not_rebuilt(cache, reference, monkeypatch):
    tat_engine.load()
    assert index_file(cache).read_bytes().startswith(cachedir.MAGIC)
    monkeypatch.setattr(loader, "build", lambda *args: pytest.fail("a sound cache was rebuilt"))
    assert texts_of(tat_engine.load()) == reference[0]


def test_a_planted_pickle_does_not_run(cache, reference, tmp_path):
    tat_engine.load()
    marker = tmp_path / "code-ran"
    index_file(cache).write_bytes(pickle.dumps(Payload(marker)))
    assert texts_of(tat_engine.load()) == reference[0]
    assert not marker.exists()
    assert index_file(cache).read_bytes().startswith(cachedir.MAGIC)  # rebuilt and sealed again


def test_a_pickle_sealed_under_another_name_is_refused(cache, reference):
    """A sound file of another corpus or date, renamed into place, would be the wrong law."""
    tat_engine.load()
    key = the_key(cache)
    secret = cachedir.secret(str(cache))
    other = loader.build(loader.bundled_files(), {"1-3/zz": dt.date(2020, 6, 15)})
    index_file(cache).write_bytes(cachedir.seal(secret, "another-key", pickle.dumps(other)))
    assert loader._cached(key) is None
    assert texts_of(tat_engine.load()) == reference[0]


@pytest.mark.parametrize("unsafe", ["world-writable", "someone else's"])
def test_a_directory_others_can_write_is_not_used(cache, reference, tmp_path, monkeypatch, unsafe):
    """Who can write the directory can write a key too: such a directory is not trusted at all."""
    assert main(["check"]) == 0  # the index and the command line's table
    assert quick.point(["11.3", "--as-of", "2019-06-01"]) is not None
    key, marker = the_key(cache), tmp_path / "code-ran"
    secret = cachedir.secret(str(cache))  # the planter knows the key: it is in a directory they can write
    index_file(cache).write_bytes(cachedir.seal(secret, key, pickle.dumps(Payload(marker))))
    if unsafe == "world-writable":
        cache.chmod(0o777)
    else:
        monkeypatch.setattr(cachedir.os, "geteuid", lambda: os.stat(cache).st_uid + 1)
    assert cachedir.directory() is None
    assert texts_of(tat_engine.load()) == reference[0]
    assert not marker.exists()
    assert quick.point(["11.3", "--as-of", "2019-06-01"]) is None  # the table there is not read either


def test_a_key_others_can_read_or_a_linked_key_is_not_used(cache, tmp_path):
    tat_engine.load()
    key_file = cache / cachedir.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and cachedir.secret(str(cache)) is not None
    key_file.chmod(0o644)
    assert cachedir.secret(str(cache)) is None
    key_file.chmod(0o600)
    elsewhere = tmp_path / "key"
    elsewhere.write_bytes(key_file.read_bytes())
    elsewhere.chmod(0o600)
    key_file.unlink()
    key_file.symlink_to(elsewhere)
    assert cachedir.secret(str(cache)) is None
    assert cachedir.secret(str(cache), create=True) is None  # and a link is not replaced by a new key


def test_links_planted_at_the_cache_paths_are_not_followed(cache, reference, tmp_path):
    assert main(["check"]) == 0  # the index and the command line's table
    key, table = the_key(cache), Path(quick.table_path())
    victims = []
    for path in (cache / f"{key}.pickle", table):
        victim = tmp_path / f"victim-{path.name}"
        victim.write_bytes(path.read_bytes())  # even a sound file is not read through a link
        path.unlink()
        path.symlink_to(victim)
        victims.append((path, victim, victim.stat()))
    assert cachedir.read(str(cache), f"{key}.pickle") is None
    assert loader._cached(key) is None
    assert quick.point(["11.3", "--as-of", "2019-06-01"]) is None
    assert main(["check"]) == 0
    assert texts_of(tat_engine.load()) == reference[0]
    for path, victim, before in victims:
        assert not path.is_symlink() and path.is_file()  # replaced by a rename, not written through
        assert victim.stat().st_mtime_ns == before.st_mtime_ns and path.stat().st_ino != before.st_ino
    assert quick.point(["11.3", "--as-of", "2019-06-01"]) == reference[1]["11.3", "2019-06-01"]


def test_a_link_planted_at_the_temporary_name_is_not_followed(cache, reference, tmp_path, monkeypatch):
    """The temporary name is random; made predictable here, the planted link still only makes the write fail."""
    victim = tmp_path / "victim"
    victim.write_text("precious")
    assert cachedir.secret(str(cache), create=True) is not None
    monkeypatch.setattr(cachedir.os, "urandom", lambda n: b"\x07" * n)
    for name in (f"{the_key_for_bundled()}.pickle", os.path.basename(quick.table_path())):
        (cache / f".{name}.{'07' * 8}.tmp").symlink_to(victim)
    assert main(["check"]) == 0  # tries to write the index and the table
    assert texts_of(tat_engine.load()) == reference[0]
    assert victim.read_text() == "precious"
    assert not list(cache.glob("*.pickle"))  # nothing could be written: answered from memory


def the_key_for_bundled() -> str:
    return loader._key(loader.bundled_files(), {})


def test_an_unwritable_cache_only_means_building(tmp_path, monkeypatch, capsys, reference):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("TAT_CACHE_DIR", str(blocker / "cache"))  # a path no one can make: under a regular file
    assert texts_of(tat_engine.load()) == reference[0]
    assert main(["point", "11.3", "--as-of", "2019-06-01"]) == 0
    assert capsys.readouterr().out.rstrip("\n") == reference[1]["11.3", "2019-06-01"]


def test_a_directory_that_refuses_writes_only_means_building(cache, monkeypatch, capsys, reference):
    """A read-only file system, simulated (root writes through chmod 0500): every create fails."""
    real_open = os.open

    def read_only(path, flags, *args, **kwargs):
        if flags & os.O_CREAT:
            raise OSError(errno.EROFS, "Read-only file system", path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(cachedir.os, "open", read_only)
    assert texts_of(tat_engine.load()) == reference[0]
    assert main(["point", "11.3", "--as-of", "2021-01-01"]) == 0
    assert capsys.readouterr().out.rstrip("\n") == reference[1]["11.3", "2021-01-01"]
    assert list(cache.iterdir()) == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes through mode 0500; "
                    "the two tests above simulate an unwritable directory instead")
def test_a_read_only_directory_only_means_building(cache, capsys, reference):
    cache.chmod(0o500)
    try:
        assert texts_of(tat_engine.load()) == reference[0]
        assert main(["point", "11.3", "--as-of", "2019-06-01"]) == 0
        assert capsys.readouterr().out.rstrip("\n") == reference[1]["11.3", "2019-06-01"]
        assert list(cache.iterdir()) == []
    finally:
        cache.chmod(0o700)


def test_http_answers_with_an_unwritable_cache(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from tat_engine.interfaces import http

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("TAT_CACHE_DIR", str(blocker / "cache"))
    forget = getattr(getattr(http, "_law", None), "cache_clear", lambda: None)  # laws the server holds
    forget()
    try:
        client = TestClient(http.create_app(), raise_server_exceptions=False)
        for path in ("/v1/points/11.3", "/v1/text"):
            assert client.get(path, params={"on": "2021-01-01"}).status_code == 200
    finally:
        forget()


# --- corruption -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sealed(tmp_path_factory):
    """A sound cache directory, made once; each example damages a copy of its index file."""
    folder = tmp_path_factory.mktemp("sealed")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TAT_CACHE_DIR", str(folder))
        assert main(["check"]) == 0  # the index and the command line's table
    return folder


damage = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1, exclude_max=True), st.integers(1, 255)),
    st.tuples(st.just("cut"), st.floats(0, 1, exclude_max=True), st.just(0)),
)


def damaged(data: bytes, how) -> bytes:
    kind, where, bits = how
    at = int(where * len(data))
    if kind == "cut":
        return data[:at]
    return data[:at] + bytes([data[at] ^ bits]) + data[at + 1:]


@given(how=damage)
def test_a_damaged_index_is_never_unpickled(sealed, how):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TAT_CACHE_DIR", str(sealed))
        check_damaged_index(sealed, how)


def check_damaged_index(sealed, how):
    [path] = sealed.glob("*.pickle")
    sound = path.read_bytes()
    key = path.name.removesuffix(".pickle")
    try:
        path.write_bytes(damaged(sound, how))
        assert loader._cached(key) is None  # the seal fails: nothing is unpickled, the loader builds
    finally:
        path.write_bytes(sound)
    assert loader._cached(key) is not None


@pytest.mark.parametrize("how", [("flip", 0.5, 0x01), ("flip", 0.999, 0x80), ("flip", 0.0, 0xff), ("cut", 0.5, 0),
                                 ("cut", 0.0, 0)])
def test_a_damaged_index_falls_back_to_building_the_same_law(cache, reference, how):
    tat_engine.load()
    path = index_file(cache)
    path.write_bytes(damaged(path.read_bytes(), how))
    assert texts_of(tat_engine.load()) == reference[0]
    assert loader._cached(the_key(cache)) is not None  # and the cache is whole again


@given(how=damage)
def test_a_damaged_answer_table_answers_right_or_not_at_all(sealed, reference, how):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TAT_CACHE_DIR", str(sealed))
        check_damaged_table(reference, how)


def check_damaged_table(reference, how):
    path = Path(quick.table_path())
    sound = path.read_bytes()
    kind, where, bits = how
    if kind == "flip":  # aim at the stored answers: most of an SQLite file is free space
        spots = [found.start() for found in re.finditer(rb"11\.3|9\.1\.1", sound)]
        where = (spots[int(where * len(spots))] + bits) / len(sound)
    try:
        path.write_bytes(damaged(sound, (kind, min(where, 0.999999), bits)))
        for (label, day), answer in reference[1].items():
            assert quick.point([label, "--as-of", day]) in (None, answer)
    finally:
        path.write_bytes(sound)


# --- staleness and left-overs -----------------------------------------------------------------


def test_an_edit_restored_with_its_old_size_and_time_is_not_answered_stale(cache, tmp_path, capsys):
    folder = tmp_path / "corpus"
    folder.mkdir()
    act = 'act "1-3/1" { kind directive title "T" signed 2015-09-18 in_force on_signing }\n'
    source = folder / "base.tat"
    source.write_text(act + 'section 1 { text "Esimene" }\n', encoding="utf-8")
    args = ["1", "--as-of", "2016-01-01", "--corpus", str(folder)]
    assert main(["point", *args]) == 0 and "1. Esimene" in capsys.readouterr().out
    assert quick.point(args) is not None
    before = source.stat()
    source.write_text(act + 'section 1 { text "Teinene" }\n', encoding="utf-8")  # same size
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `cp -p` leaves it
    assert source.stat().st_size == before.st_size and source.stat().st_mtime_ns == before.st_mtime_ns
    assert quick.point(args) is None
    assert main(["point", *args]) == 0 and "1. Teinene" in capsys.readouterr().out


def test_a_killed_writers_temporary_files_are_harmless_and_swept(cache, reference, capsys):
    table = quick.table_path()
    left = [f"{table}.{os.getpid()}.tmp",  # the old name, under this very pid
            str(cache / f".{os.path.basename(table)}.0123456789abcdef.tmp"),
            str(cache / f".{the_key_for_bundled()}.pickle.fedcba9876543210.tmp")]
    for name in left:
        with sqlite3.connect(name) as db:
            db.execute("CREATE TABLE stamp (value BLOB)")
            db.execute("CREATE TABLE answers (label TEXT PRIMARY KEY, entry BLOB)")
        db.close()
    old = time.time() - 2 * 3600
    os.utime(left[2], (old, old))
    assert texts_of(tat_engine.load()) == reference[0]
    assert main(["point", "11.3", "--as-of", "2019-06-01"]) == 0
    assert capsys.readouterr().out.rstrip("\n") == reference[1]["11.3", "2019-06-01"]
    assert not os.path.exists(left[2])  # a writer dead for hours: swept
    assert os.path.exists(left[1])  # a recent one may be a live writer's: kept


def test_a_planted_answer_table_is_not_believed(cache, reference, capsys):
    """A table with the right stamp but rows its writer could not seal: the engine answers."""
    table = quick.table_path()
    with sqlite3.connect(table) as db:
        db.execute("CREATE TABLE stamp (value TEXT, mac BLOB)")
        db.execute("CREATE TABLE answers (label TEXT, start INTEGER, end INTEGER, text TEXT, mac BLOB, "
                   "PRIMARY KEY (label, start)) WITHOUT ROWID")
        db.execute("INSERT INTO stamp VALUES (?, x'00')", (quick.stamp(),))
        db.execute("INSERT INTO answers VALUES ('11.3', 0, NULL, 'PLANTED', x'00')")
    db.close()
    assert cachedir.secret(str(cache), create=True) is not None
    assert quick.point(["11.3", "--as-of", "2019-06-01"]) is None
    assert main(["point", "11.3", "--as-of", "2019-06-01"]) == 0
    assert capsys.readouterr().out.rstrip("\n") == reference[1]["11.3", "2019-06-01"]
    assert quick.point(["11.3", "--as-of", "2019-06-01"]) == reference[1]["11.3", "2019-06-01"]  # rewritten


def test_the_key_follows_the_engines_code_byte_for_byte(tmp_path, monkeypatch):
    """The code is read once per process for its keys; what it reads is every byte of every file."""
    code = tmp_path / "engine.py"
    keys = []
    for text in ("x = 1\n", "x = 2\n", "x = 1\n", "y = 1\n"):
        code.write_text(text)
        monkeypatch.setattr(cachedir, "code_files", lambda: [str(code)])
        cachedir._code_digest.cache_clear()
        keys.append(cachedir.content_key("kind", [("a.tat", b"act")]))
    cachedir._code_digest.cache_clear()
    assert keys[0] == keys[2] and len(set(keys)) == 3


@pytest.mark.parametrize("damage", ["planted", "flipped", "renamed", "link"])
def test_a_kept_holiday_table_is_believed_only_with_its_seal(cache, tmp_path, monkeypatch, damage):
    """The holidays kept for deadlines (rules/workdays.py) are plain text under the cache's seal: a
    planted, damaged, renamed or linked table is computed again from the package, never read."""
    from tat_engine.rules import workdays

    workdays._table.cache_clear()
    made = workdays._table()
    [kept] = cache.glob("holidays-*.txt")
    secret = cachedir.secret(str(cache))
    if damage == "planted":  # right name, sealed under another key: a lie about Christmas
        kept.write_bytes(cachedir.seal(os.urandom(32), kept.name, b"en\t2021-12-27\tInvented Day"))
    elif damage == "flipped":
        data = bytearray(kept.read_bytes())
        data[-3] ^= 0x20
        kept.write_bytes(bytes(data))
    elif damage == "renamed":  # a table sealed for another key (another engine or package) put in its place
        kept.write_bytes(cachedir.seal(secret, "holidays-other.txt", b"en\t2021-12-27\tInvented Day"))
    else:
        victim = tmp_path / "victim.txt"
        victim.write_bytes(kept.read_bytes())
        kept.unlink()
        kept.symlink_to(victim)
    workdays._table.cache_clear()
    computed = []
    real = workdays._computed
    monkeypatch.setattr(workdays, "_computed", lambda: computed.append(1) or real())
    try:
        assert workdays._table() == made and computed == [1]
        assert workdays._named(dt.date(2021, 12, 27), "en") is None
    finally:
        workdays._table.cache_clear()
