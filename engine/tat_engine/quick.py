"""A stdlib-only answer table for the command line's commonest question.

``tat point LABEL --as-of DATE [--corpus PATH … | --instrument NAME]`` should answer in a few times
the start-up of a bare interpreter, and importing attrs alone costs three times
that. So when the loader has a corpus's index from its cache it also writes,
per label, the start days (as ordinals) and the rendered answer of each
stretch; this module reads one label's row with sqlite3, marshal and bisect. Whatever it cannot answer exactly (a label
no point bore, a bad date, a stale table) gives None, and the caller asks the
full engine: both print the same text, a tested property.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import marshal
import os
from bisect import bisect_right

from .instruments import INSTRUMENTS

_ON = "\x00"  # where the asked date goes in a rendered answer
_FORMAT = 4




def _bundled(corpus: tuple[str, ...]) -> tuple[str, ...]:
    """``("instrument:NAME",)`` names a shipped corpus: its folders under data/."""
    package = os.path.dirname(os.path.abspath(__file__))
    if len(corpus) == 1 and corpus[0].startswith("instrument:"):
        return tuple(os.path.join(package, "data", folder) for folder in INSTRUMENTS.get(corpus[0][11:], ()))
    return corpus


def table_path(corpus: tuple[str, ...] = ("instrument:tat",)) -> str:
    """The table of a shipped instrument or of the DSL files and folders ``corpus``."""
    root = os.environ.get("TAT_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "tat-engine")
    key = hashlib.sha256("\0".join(sorted(map(os.path.abspath, _bundled(corpus)))).encode()).hexdigest()[:24]
    return os.path.join(root, f"quick-{key}.sqlite")


def stamp(corpus: tuple[str, ...] = ("instrument:tat",)) -> tuple:
    """Names, sizes and modification times of the engine's code, grammar and corpus files."""
    package = os.path.dirname(os.path.abspath(__file__))
    corpus = _bundled(corpus)
    folders = [os.path.join(package, folder) for folder in ("", "data/grammar")]
    found = []
    for folder in folders + [path for path in corpus if os.path.isdir(path)]:
        with os.scandir(folder) as entries:
            found += [_file(entry.path) for entry in entries if entry.name.endswith((".py", ".lark", ".tat"))]
    found += [_file(path) for path in corpus if not os.path.isdir(path)]
    return (_FORMAT, tuple(sorted(found)))


def _file(path: str) -> tuple:
    info = os.stat(path)
    return (os.path.abspath(path), info.st_size, info.st_mtime_ns)


def write(index, path: str, current: tuple) -> None:
    """Render every stretch of every label of ``index`` into the table at ``path``:
    an SQLite file, so a question reads one label's row, not the whole table."""
    import sqlite3

    from .render import answer_text

    temporary = f"{path}.{os.getpid()}.tmp"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with contextlib.closing(sqlite3.connect(temporary)) as db, db:
        db.execute("CREATE TABLE stamp (value BLOB)")
        db.execute("CREATE TABLE answers (label TEXT PRIMARY KEY, entry BLOB)")
        db.execute("INSERT INTO stamp VALUES (?)", (marshal.dumps(current),))
        db.executemany("INSERT INTO answers VALUES (?, ?)", (
            (label, marshal.dumps(([start.toordinal() for start in timeline.starts],
                                   [None if entry is None else answer_text(entry, _ON) for entry in timeline.entries])))
            for label, timeline in index.labels.items()))
    os.replace(temporary, path)


def fresh(path: str, current: tuple) -> bool:
    """Whether the table at ``path`` was written for ``current``."""
    import sqlite3

    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            row = db.execute("SELECT value FROM stamp").fetchone()
    except sqlite3.Error:
        return False
    return row is not None and marshal.loads(row[0]) == current


def point(args: list[str]) -> str | None:
    """``LABEL --as-of DATE [--corpus PATH …]`` answered from a table, or None to ask the engine."""
    label, value, corpus, instrument = None, None, [], "tat"
    words = iter(args)
    for word in words:
        if word in ("--as-of", "--corpus", "--instrument"):
            target = next(words, None)
            if target is None:
                return None
            if word == "--corpus":
                corpus.append(target)
            elif word == "--instrument":
                instrument = target
            elif value is None:
                value = target
            else:
                return None
        elif word.startswith("-") or label is not None:
            return None  # anything else (--json, --assume, …) is the engine's
        else:
            label = word
    if label is None or value is None or instrument not in INSTRUMENTS:
        return None
    corpus = tuple(corpus) or (f"instrument:{instrument}",)
    import sqlite3

    try:
        day = dt.date.fromisoformat(value.strip())
        with contextlib.closing(sqlite3.connect(f"file:{table_path(corpus)}?mode=ro", uri=True)) as db:
            (written,) = db.execute("SELECT value FROM stamp").fetchone()
            if marshal.loads(written) != stamp(corpus):
                return None
            row = db.execute("SELECT entry FROM answers WHERE label = ?", (" ".join(label.split()).rstrip("."),)).fetchone()
    except (OSError, ValueError, EOFError, TypeError, sqlite3.Error):
        return None
    return None if row is None else _answer(marshal.loads(row[0]), day)


def _answer(entry: tuple, day: dt.date) -> str | None:
    starts, texts = entry
    text = texts[bisect_right(starts, day.toordinal()) - 1]
    # None: no point bore the label; the engine finds the near ones
    return None if text is None else text.replace(_ON, day.isoformat(), 1)
