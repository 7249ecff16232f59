"""A stdlib-only answer table for the command line's commonest question.

``tat point LABEL --as-of DATE`` should answer in a few times the start-up of a
bare interpreter, and importing attrs alone costs three times that. So when the
loader has the bundled corpus's index it also writes, per label, the start days
(as ordinals) and the rendered answer of each stretch; this module reads that
table with marshal and bisect only. Whatever it cannot answer exactly (a label
no point bore, a bad date, a stale table) gives None, and the caller asks the
full engine: both print the same text, a tested property.
"""

from __future__ import annotations

import datetime as dt
import marshal
import os
from bisect import bisect_right

_ON = "\x00"  # where the asked date goes in a rendered answer
_FORMAT = 2


def table_path() -> str:
    root = os.environ.get("TAT_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "tat-engine")
    return os.path.join(root, "quick.marshal")


def stamp() -> tuple:
    """Names, sizes and modification times of the engine's code, grammar and corpus."""
    package = os.path.dirname(os.path.abspath(__file__))
    found = []
    for folder in ("", "data/grammar", "data/tat", "data/amendments"):
        with os.scandir(os.path.join(package, folder)) as entries:
            for entry in entries:
                if entry.name.endswith((".py", ".lark", ".tat")):
                    info = entry.stat()
                    found.append((folder, entry.name, info.st_size, info.st_mtime_ns))
    return (_FORMAT, tuple(sorted(found)))


def write(index, path: str, current: tuple) -> None:
    """Render every stretch of every label of ``index`` into the table at ``path``."""
    from .render import answer_text

    table = {
        label: ([start.toordinal() for start in timeline.starts],
                [None if entry is None else answer_text(entry, _ON) for entry in timeline.entries])
        for label, timeline in index.labels.items()
    }
    temporary = f"{path}.{os.getpid()}.tmp"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(temporary, "wb") as handle:
        marshal.dump((current, table), handle)
    os.replace(temporary, path)


def point(args: list[str]) -> str | None:
    """``LABEL --as-of DATE`` answered from the table, or None to ask the engine."""
    if len(args) != 3 or "--as-of" not in args[:2]:
        return None
    position = args.index("--as-of")
    label, value = (args[2], args[1]) if position == 0 else (args[0], args[2])
    try:
        day = dt.date.fromisoformat(value.strip())
        with open(table_path(), "rb") as handle:
            current, table = marshal.load(handle)
        if current != stamp():
            return None
    except (OSError, ValueError, EOFError, TypeError):
        return None
    entry = table.get(" ".join(label.split()).rstrip("."))
    return None if entry is None else _answer(entry, day)


def _answer(entry: tuple, day: dt.date) -> str | None:
    starts, texts = entry
    text = texts[bisect_right(starts, day.toordinal()) - 1]
    # None: no point bore the label; the engine finds the near ones
    return None if text is None else text.replace(_ON, day.isoformat(), 1)
