"""A stdlib-only answer table for the command line's commonest questions.

``tat point LABEL --as-of DATE [--corpus PATH … | --instrument NAME]`` should answer in a few times
the start-up of a bare interpreter, and importing attrs alone costs three times
that. So when the command line has loaded a corpus's index it also writes (:func:`refresh`), in the
reader's language, per label the start days (as ordinals) and the rendered answer of each stretch
(as text and as ``--json``), and the pages of other commands (:func:`tat_engine.interfaces.cli.pages`):
those that ask no date (``tat history LABEL`` per label, ``tat acts``), and, for a corpus of a few
hundred stretches of days on which nothing changes, ``tat text``, ``tat diff`` and ``tat refs LABEL``
per stretch (the day they name, and the moment of a JSON answer, filled in when read at the table's
:class:`Marks`); this module reads the one row that answers with sqlite3. Whatever it cannot answer
exactly (a label no point bore, a bad date, an option such as --assume, a stale or damaged table)
gives None, and the caller asks the full engine: both print the same text, a tested property.

The table is kept on content: its stamp is the cache's content key
(:func:`tat_engine.cachedir.content_key`) of the engine's code and of the corpus's text as loaded (a few
milliseconds to read), so an edit undone with ``cp -p`` (old size, old time) still reads as changed.
Each row carries an HMAC over the stamp, the table's marks, the row's key and its text under the
user's cache key (:mod:`tat_engine.cachedir`), so a damaged, planted, missing or
left-over row is never printed. Rows are plain SQLite columns: nothing read from
the table can run code or crash the interpreter, as ``marshal`` could (and json
would cost the import of ``re``, a quarter of a quick answer).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from bisect import bisect_right

from . import cachedir, prebuilt
from .instruments import INSTRUMENTS
from .languages import LANGUAGES

_FORMAT = 10  # 8: text, diff and refs per stretch; 9: a table per language; 10: marks of a nonce, answers as JSON


class Marks:
    """Where a page leaves the asked day, as the reader's language writes it (``on``) and as YYYY-MM-DD
    (``iso``), and the moment of the answer (``now``): tokens of a nonce drawn for each table, so that
    no corpus text (the DSL takes any character) can be taken for one."""

    __slots__ = ("on", "iso", "now")

    def __init__(self, nonce: str):
        self.on, self.iso, self.now = (f"[[{nonce}:{name}]]" for name in ("on", "iso", "now"))


def _bundled(corpus: tuple[str, ...]) -> tuple[str, ...]:
    """``("instrument:NAME",)`` names a shipped corpus: its folders under data/."""
    package = os.path.dirname(os.path.abspath(__file__))
    if len(corpus) == 1 and corpus[0].startswith("instrument:"):
        return tuple(os.path.join(package, "data", folder) for folder in INSTRUMENTS.get(corpus[0][11:], ()))
    return corpus


def table_path(corpus: tuple[str, ...] = ("instrument:tat",), lang: str = "en") -> str:
    """The table of a shipped instrument or of the DSL files and folders ``corpus``, in ``lang``."""
    key = hashlib.sha256("\0".join(sorted(map(os.path.abspath, _bundled(corpus)))).encode()).hexdigest()[:24]
    return os.path.join(cachedir.root(), f"quick-{key}-{lang}.sqlite")


def stamp(corpus: tuple[str, ...] = ("instrument:tat",), lang: str = "en") -> str:
    """The table's content key, from the corpus files as they are now (read as the loader reads them):
    see :func:`stamp_of`."""
    corpus = _bundled(corpus)
    found = []
    for folder in [path for path in corpus if os.path.isdir(path)]:
        with os.scandir(folder) as entries:
            found += [entry.path for entry in entries if entry.name.endswith(".tat")]
    found += [path for path in corpus if not os.path.isdir(path)]
    return stamp_of(cachedir.corpus_hash(map(_text, found)), lang)


def stamp_of(corpus_hash: str, lang: str) -> str:
    """The content key of a table in ``lang`` of the corpus whose text hashes to ``corpus_hash``
    (:func:`tat_engine.cachedir.corpus_hash`), with the engine's code and grammar. The writer stamps
    a table with its index's own hash, so a file edited while the index was built never passes for
    the files it was built from; and, the files' names left out, a table built at install
    (prebuilt.py) keeps its key wherever the package is installed."""
    return cachedir.content_key(f"tat-quick-{_FORMAT}-{lang}", [("corpus", corpus_hash.encode())])


def _instrument(corpus: tuple[str, ...]) -> str | None:
    """The shipped instrument that ``corpus`` names (``("instrument:NAME",)``), or None."""
    if len(corpus) == 1 and corpus[0].startswith("instrument:") and corpus[0][11:] in INSTRUMENTS:
        return corpus[0][11:]
    return None


def _text(path: str) -> str:
    """A DSL file's text as the loader reads it (UTF-8, universal newlines)."""
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def refresh(index, corpus: tuple[str, ...] = ("instrument:tat",), lang: str = "en", missing_only: bool = False) -> bool:
    """Write the table of ``corpus`` in ``lang`` from its just-loaded ``index`` unless a fresh one is there
    (the user's, or the one the install built). With ``missing_only``, unless there is one at all
    (the user's, a regular file of this user, or the install's): its freshness is not read. The
    command line's to call: a library or the server never writes this file."""
    path, shipped = table_path(corpus, lang), _shipped(corpus, lang)
    if missing_only and (cachedir.is_own_file(path) or (shipped and os.path.isfile(shipped))):
        return True
    current = stamp_of(index.corpus_hash, lang)  # the files the index was built from, not as they are now
    if shipped and fresh_shipped(shipped, current):
        return True
    return fresh(path, current) or write(index, path, current, lang)  # when it cannot, the command line asks the engine


def write(index, path: str, current: str, lang: str = "en") -> bool:
    """Write the table of ``index`` in ``lang`` at ``path`` in the user's cache, atomically; False when it cannot."""
    import sqlite3

    folder = cachedir.directory(create=True)
    secret = folder and os.path.dirname(path) == folder and cachedir.secret(folder, create=True)
    if not secret:
        return False
    try:
        cachedir.write(folder, os.path.basename(path), write_table(index, current, secret, lang))
    except (OSError, sqlite3.Error):
        return False
    return True


def write_table(index, current: str, secret: bytes | None, lang: str = "en") -> bytes:
    """Every stretch of every label of ``index``, rendered in ``lang``, and the pages of other commands
    (:func:`tat_engine.interfaces.cli.pages`), as the bytes of
    an SQLite file: a question reads one row, not the whole table. Each row carries its MAC under ``secret``;
    a table the install builds (``secret`` None) carries none (prebuilt.py says why)."""
    import secrets
    import sqlite3

    from .interfaces.cli import dated_stretches, pages
    from .interfaces.render import answer_text
    from .interfaces.serialize import dumps, to_data
    from .law import Law
    from .messages import using

    law, nonce, turns = Law(index), secrets.token_hex(16), dated_stretches(index)
    marks, signed = Marks(nonce), f"{current} {nonce}"  # rows are signed for this stamp and these marks
    line = law.stamp().line(on=marks.iso)  # the stamp's last line under the default readings (the only ones asked here)

    def sign(*parts) -> bytes | None:
        return None if secret is None else _mac(secret, signed, *parts)

    def rows():
        for label, timeline in index.labels.items():
            ends = [start.toordinal() for start in timeline.starts[1:]] + [None]
            for start, end, entry in zip(timeline.starts, ends, timeline.entries):
                text = None if entry is None else f"{answer_text(entry, marks.on)}\n{line}"
                # its --json, the stamp left out: kept where the stamp's stretches are (pages' "stamp")
                data = None if entry is None or turns is None else dumps(to_data(entry))
                yield label, start.toordinal(), end, text, data, sign(label, start.toordinal(), end, text, data)

    db = sqlite3.connect(":memory:")
    try:
        with db, using(lang):
            db.execute("CREATE TABLE stamp (value TEXT, nonce TEXT, mac BLOB)")
            db.execute("CREATE TABLE answers (label TEXT, start INTEGER, end INTEGER, text TEXT, data TEXT, mac BLOB, "
                       "PRIMARY KEY (label, start)) WITHOUT ROWID")
            db.execute("INSERT INTO stamp VALUES (?, ?, ?)",
                       (current, nonce, None if secret is None else cachedir.mac(secret, b"stamp", signed.encode())))
            db.executemany("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?)", rows())
            db.execute("CREATE TABLE pages (command TEXT, key TEXT, text TEXT, mac BLOB, PRIMARY KEY (command, key)) "
                       "WITHOUT ROWID")
            db.executemany("INSERT INTO pages VALUES (?, ?, ?, ?)",
                           ((command, key, text, None if secret is None else _page_mac(secret, signed, command, key, text))
                            for command, key, text in pages(law, marks, turns)))
        return db.serialize()
    finally:
        db.close()


def fresh(path: str, current: str) -> bool:
    """Whether the table at ``path`` was written, by this user's engine, for ``current``."""
    import sqlite3

    try:
        with _connect(path) as db:
            row = db.execute("SELECT value, nonce, mac FROM stamp").fetchone()
    except (OSError, sqlite3.Error):
        return False
    secret = row is not None and row[0] == current and cachedir.secret(os.path.dirname(path))
    return bool(secret) and row[2] == cachedir.mac(secret, b"stamp", f"{current} {row[1]}".encode())


class _Question:
    """A command's words as the table can take them: a tidy label, YYYY-MM-DD dates, a corpus, and
    whether it asks for JSON (a plain class: attrs stays unloaded here)."""

    __slots__ = ("label", "days", "corpus", "json")

    def __init__(self, label: str | None, days: tuple[str, ...], corpus: tuple[str, ...], json: bool):
        self.label, self.days, self.corpus, self.json = label, days, corpus, json


def _question(args: list[str], labelled: bool = True, dated: bool = True, dates: int = 0,
              json: bool = False) -> _Question | None:
    """``[LABEL | DATE DATE] [--as-of DATE] [--corpus PATH … | --instrument NAME] [--lang et|en] [--json]``
    (a label, ``dates`` dates, an --as-of date and --json where the command takes them; the language is
    the caller's to read), or None for any other words."""
    label, words_left, corpus, instrument, as_of, asks_json = None, [], [], "tat", None, False
    options = ("--corpus", "--instrument", "--lang") + (("--as-of",) if dated else ())
    words = iter(args)
    for word in words:
        if word.startswith("--lang="):
            if word[7:] not in LANGUAGES:
                return None
        elif word in options:
            target = next(words, None)
            if target is None or (word == "--lang" and target not in LANGUAGES) or \
                    (word == "--as-of" and as_of is not None):
                return None
            if word == "--corpus":
                corpus.append(target)
            elif word == "--instrument":
                instrument = target
            elif word == "--as-of":
                as_of = target
        elif word == "--json" and json:
            asks_json = True
        elif word.startswith("-"):
            return None  # anything else (--assume, --reading, …) is the engine's
        else:
            words_left.append(word)
    if len(words_left) != int(labelled) + dates or (dated and as_of is None) or instrument not in INSTRUMENTS:
        return None
    if labelled:
        label = _tidy_label(words_left[0])
    days = [value.strip() for value in words_left[int(labelled):] + ([as_of] if dated else [])]
    for value in days:
        if len(value) != 10 or value[4] != "-" or value[7] != "-":
            return None  # only YYYY-MM-DD here; any other spelling is the engine's to accept or explain
    return _Question(label, tuple(days), tuple(corpus) or (f"instrument:{instrument}",), asks_json)


def answer(args: list[str], lang: str = "en") -> str | None:
    """``tat point`` (and its --json), ``history``, ``acts``, ``text``, ``diff`` or ``refs`` answered
    from a table (their plain text in ``lang``), or None to ask the engine."""
    command, words = args[:1], args[1:]
    if command == ["point"]:
        return point(words, lang)
    if command == ["history"]:
        return page("history", _question(words, dated=False), lang)
    if command == ["acts"]:
        return page("acts", _question(words, labelled=False, dated=False), lang)
    if command == ["text"]:
        return page("text", _question(words, labelled=False), lang)
    if command == ["diff"]:
        return page("diff", _question(words, labelled=False, dated=False, dates=2), lang)
    if command == ["refs"]:
        return page("refs", _question(words), lang)
    return None


class _Table:
    """An open table written for the stamp asked: its rows believed under ``signed`` (the user's
    table, whose file ``path`` is) or as the package is (a shipped one, ``path`` None); its pages'
    ``marks``."""

    __slots__ = ("db", "path", "signed", "marks")

    def __init__(self, db, path: str | None, signed: str, marks: Marks):
        self.db, self.path, self.signed, self.marks = db, path, signed, marks


def page(command: str, question: _Question | None, lang: str = "en") -> str | None:
    """The page of ``command`` for ``question`` from a table: a shipped instrument's built at install
    first, then the user's; None to ask the engine. A command that asks dates reads the page of their
    stretches (the table's ``turns``), the --as-of date put where the page leaves it."""
    if question is None:
        return None
    import sqlite3

    def read(table: _Table) -> str | None:
        key = question.label or ""
        if days:
            stretches = _stretches(table, days)
            if stretches is None:
                return None
            key = f"{stretches} {key}".rstrip()
        found = _page(table, command, key)
        return found if found is None or not days else _filled(found, days[-1], lang, table.marks)

    try:
        days = _days(question)
        if days is None or (days and not _holds(question.corpus, lang, "turns")):
            return None
        return _read(question.corpus, lang, stamp(question.corpus, lang), read)
    except (OSError, ValueError, TypeError, AttributeError, IndexError, sqlite3.Error):
        return None


def _holds(corpus: tuple[str, ...], lang: str, command: str) -> bool:
    """Whether a table of ``corpus`` in ``lang`` holds pages of ``command`` at all, looked up before
    the stamp is made (which reads every corpus file): a corpus of too many stretches keeps no
    dated pages, and its questions go to the engine at once. Nothing read here is printed."""
    shipped = _shipped(corpus, lang)
    tables = [_open_shipped(shipped)] if shipped and os.path.isfile(shipped) else []
    if cachedir.is_own_file(table_path(corpus, lang)):
        tables.append(_connect(table_path(corpus, lang)))
    for table in tables:
        with table as db:
            if db.execute("SELECT 1 FROM pages WHERE command = ? LIMIT 1", (command,)).fetchone():
                return True
    return False


def point(args: list[str], lang: str = "en") -> str | None:
    """``LABEL --as-of DATE [--corpus PATH …] [--json]`` answered from a table in ``lang``, or None to ask
    the engine. A shipped instrument's table built at install is read first, then the user's."""
    question = _question(args, json=True)
    if question is None:
        return None
    import sqlite3

    def read(table: _Table) -> str | None:
        found = _row(table, question.label, day)
        if not found:
            return None  # no fresh row, or no point bore the label (the engine finds the near ones)
        text, data = found
        if question.json:  # the answer's JSON with the stamp of the asked day's stretch as its last member
            stretch = _stretches(table, [day])
            stamp_member = stretch and _page(table, "stamp", stretch)
            if data is None or stamp_member is None or not data.endswith("\n}"):
                return None
            text = f"{data[:-2]},\n{stamp_member}\n}}"
        return _filled(text, day, lang, table.marks)

    try:
        days = _days(question)
        if days is None:
            return None
        day = days[0]
        return _read(question.corpus, lang, stamp(question.corpus, lang), read)
    except (OSError, ValueError, TypeError, AttributeError, IndexError, sqlite3.Error):
        return None


def _days(question: _Question) -> list[dt.date] | None:
    """The question's dates, or None for one the engine refuses (it says the range)."""
    days = [dt.date.fromisoformat(value) for value in question.days]
    return days if all(1900 <= day.year <= 2999 for day in days) else None  # model.FIRST_DAY..LAST_DAY


def _filled(text: str, day: dt.date, lang: str, marks: Marks) -> str:
    """``text`` with the asked day put in: as ``lang`` writes it (messages.day, restated: importing
    messages would load attrs; tests hold the two equal) and as YYYY-MM-DD; and the moment of the answer."""
    written = day.strftime("%d.%m.%Y") if lang == "et" else day.isoformat()
    text = text.replace(marks.on, written).replace(marks.iso, day.isoformat())
    return text.replace(marks.now, _moment()) if marks.now in text else text


def _moment() -> str:
    """stamp.produced_at, restated (importing stamp would load attrs; tests hold the two equal):
    now in UTC to the second, or ``TAT_STAMP_TIME``."""
    fixed = os.environ.get("TAT_STAMP_TIME")
    if fixed:
        moment = dt.datetime.fromisoformat(fixed)
        return (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).isoformat()
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _stretches(table: _Table, days: list[dt.date]) -> str | None:
    """The first days (as day numbers) of the stretches ``days`` fall in, read off the table's turns."""
    turns = _page(table, "turns", "")
    if turns is None:
        return None
    starts = [int(word) for word in turns.split()]
    at = [bisect_right(starts, day.toordinal()) - 1 for day in days]
    return None if min(at) < 0 else " ".join(str(starts[i]) for i in at)  # (-1: a day before the first stretch)


def _page(table: _Table, command: str, key: str) -> str | None:
    """A page of an open table (a user's table's page only with its MAC)."""
    found = table.db.execute("SELECT text, mac FROM pages WHERE command = ? AND key = ?", (command, key)).fetchone()
    if found is None or (table.path is not None and not _believed(table, _page_mac, command, key, found[0], mac=found[1])):
        return None
    return found[0]


def _believed(table: _Table, mac_of, *parts, mac: bytes) -> bool:
    secret = cachedir.secret(os.path.dirname(table.path))
    return bool(secret) and mac == mac_of(secret, table.signed, *parts)


def _read(corpus: tuple[str, ...], lang: str, current: str, read):
    """``read(table)`` of the install's table of a shipped instrument in ``lang``, then of the user's
    table, each only when written for ``current``."""
    shipped = _shipped(corpus, lang)
    if shipped and os.path.isfile(shipped):
        with _open_shipped(shipped) as db:
            table = _opened(db, None, current)
            found = table and read(table)
        if found is not None:
            return found
    path = table_path(corpus, lang)
    with _connect(path) as db:
        table = _opened(db, path, current)
        return table and read(table)


def _opened(db, path: str | None, current: str) -> _Table | None:
    """An open table, if it was written for ``current`` (its stamp's MAC is checked by refresh, each
    row's by its reader)."""
    written, nonce = db.execute("SELECT value, nonce FROM stamp").fetchone()
    return _Table(db, path, f"{current} {nonce}", Marks(nonce)) if written == current else None


def _row(table: _Table, label: str, day: dt.date) -> tuple[str | None, str | None] | None:
    """The answer for ``label`` on ``day`` from an open table, as text and as JSON (both None where no
    point bore the label); None when the table cannot answer."""
    found = table.db.execute("SELECT start, end, text, data, mac FROM answers WHERE label = ? AND start <= ? "
                             "ORDER BY start DESC LIMIT 1", (label, day.toordinal())).fetchone()
    if found is None:
        return None
    start, end, text, data, mac = found
    if table.path is not None and not _believed(table, _mac, label, start, end, text, data, mac=mac):
        return None  # damaged or planted
    if not start <= day.toordinal() < (end if end is not None else day.toordinal() + 1):
        return None  # a stretch whose neighbour is missing
    return text, data


def _open_shipped(path: str):
    """A shipped table, read-only and immutable (no locks: nothing writes the package's files)."""
    return _read_only(path, "&immutable=1")


def _shipped(corpus: tuple[str, ...], lang: str) -> str | None:
    """The path of the table in ``lang`` the install built for a shipped instrument, if it may be read."""
    instrument = _instrument(corpus)
    return instrument and prebuilt.table_path(instrument, lang)


def fresh_shipped(path: str, current: str) -> bool:
    """Whether the table the install built at ``path`` is there and was written for ``current``."""
    import sqlite3

    try:
        if not os.path.isfile(path):
            return False
        with _open_shipped(path) as db:
            return _opened(db, None, current) is not None
    except (sqlite3.Error, TypeError):
        return False


def _tidy_label(text: str) -> str:
    """model.tidy_label, restated: importing model would load attrs (tests hold the two equal)."""
    return " ".join(text.split()).rstrip(".")


def _connect(path: str):
    """The table at ``path``, read-only, never through a symbolic link, only in a safe cache directory.
    Only this user can swap the file between the check and the open (the directory is theirs alone),
    and a row is believed only with its MAC."""
    if cachedir.directory() != os.path.dirname(path) or not cachedir.is_own_file(path):
        raise OSError(f"{path} is not a table in a safe cache directory")  # (sqlite3 cannot refuse links itself)
    return _read_only(path)


def _read_only(path: str, options: str = ""):
    """The SQLite file at ``path``, read-only, closed at the end of a ``with`` (its name escaped for a URI)."""
    import contextlib
    import sqlite3

    name = path.replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    return contextlib.closing(sqlite3.connect(f"file:{name}?mode=ro{options}", uri=True))


def _page_mac(secret: bytes, signed: str, command: str, key: str, text: str) -> bytes:
    return cachedir.mac(secret, signed.encode(), b"page", command.encode(), key.encode(), text.encode())


def _mac(secret: bytes, signed: str, label: str, start: int, end: int | None, text: str | None, data: str | None) -> bytes:
    kept = [b"-" if value is None else b"+" + value.encode() for value in (text, data)]
    return cachedir.mac(secret, signed.encode(), label.encode(), b"%d" % start, b"%d" % end if end is not None else b"", *kept)
