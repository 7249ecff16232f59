"""Indexes and answer tables built when the package is installed, for the instruments it ships.

A first command on a fresh machine would otherwise parse and replay the corpus (lark's import and
the parse are most of a third of a second) and write the user's cache before it answers. The
install builds both once instead (``setup.py``'s ``build_py`` runs ``python -m tat_engine.prebuilt
FOLDER``), into the package's own ``data/prebuilt/``: the index as the loader keeps it, without a
seal, and the answer tables the command line reads first (quick.py, one per language), without row MACs.

Why no seal: the cache's seal (cachedir.py) guards files in a folder anyone running as the user may
write, against files the engine did not write. These files lie beside the package's code and are
trusted as that code is (whoever can change them can change the ``.py`` files next to them). Each is
named and stamped by its content key (the engine's code, the grammar, the corpus files), so a file
made by other code or from other files is never read: after an edit the engine builds as before.

``TAT_PREBUILT=0`` leaves them unread (the tests of the user's cache run so). Standard library only:
quick.py imports this module.
"""

from __future__ import annotations

import os
import sys

from .instruments import INSTRUMENTS
from .languages import LANGUAGES

PACKAGE = os.path.dirname(os.path.abspath(__file__))
FOLDER = os.path.join(PACKAGE, "data", "prebuilt")


def folder() -> str | None:
    """The folder of the shipped files, or None when ``TAT_PREBUILT=0`` turns them off."""
    return None if os.environ.get("TAT_PREBUILT", "1") == "0" else FOLDER


def index_path(key: str) -> str | None:
    """Where the shipped index of content key ``key`` would lie."""
    where = folder()
    return where and os.path.join(where, f"{key}.pickle")


def table_path(instrument: str, lang: str) -> str | None:
    """Where the shipped answer table of ``instrument`` in ``lang`` would lie."""
    where = folder()
    return where and os.path.join(where, f"quick-{instrument}-{lang}.sqlite")


def read(path: str) -> bytes | None:
    """The bytes of a shipped file, or None when it is not there (or not a plain file)."""
    try:
        if os.path.islink(path):
            return None
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def current(instrument: str) -> bool:
    """Whether the install's index and answer tables of ``instrument`` are there and were made by
    this engine from these files (else the first call builds, as without them)."""
    from .loader import _key, bundled_files
    from .quick import fresh_shipped, stamp

    path, corpus = index_path(_key(bundled_files(instrument), {})), (f"instrument:{instrument}",)
    tables = [(table_path(instrument, lang), stamp(corpus, lang)) for lang in LANGUAGES]
    return bool(path and os.path.isfile(path)) and all(table and fresh_shipped(table, key) for table, key in tables)


def build(target: str) -> list[str]:
    """Write the index and the answer tables of every shipped instrument into ``target`` (replacing
    what was there), and return the names written."""
    from .loader import _key, _payload, build as build_index, bundled_files
    from .quick import stamp_of, write_table

    os.makedirs(target, exist_ok=True)
    for name in os.listdir(target):
        if name.endswith((".pickle", ".sqlite")):
            os.unlink(os.path.join(target, name))
    written = []
    for instrument in INSTRUMENTS:
        sources = bundled_files(instrument)
        index = build_index(sources)
        key = _key(sources, {})
        _write(os.path.join(target, f"{key}.pickle"), _payload(index))
        written.append(f"{key}.pickle")
        for lang in LANGUAGES:  # a table for a reader of each
            name = f"quick-{instrument}-{lang}.sqlite"
            _write(os.path.join(target, name), write_table(index, stamp_of(index.corpus_hash, lang), None, lang))
            written.append(name)
    return written


def _write(path: str, data: bytes) -> None:
    temporary = f"{path}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def main(argv: list[str] | None = None) -> int:
    """``python -m tat_engine.prebuilt [FOLDER]`` (default: the package's own ``data/prebuilt``)."""
    argv = sys.argv[1:] if argv is None else argv
    target = argv[0] if argv else FOLDER
    for name in build(target):
        print(os.path.join(target, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
