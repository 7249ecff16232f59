"""The DSL's parser tables, shipped with the package, so that a first load does not compile the grammar.

Compiling ``grammar/tat.lark`` into LALR tables is a quarter of a load on a fresh cache. The tables
are plain data (lark's own serialisation), kept here as JSON beside this module (``tables.json``)
with the SHA-256 of the grammar and lark's version they were made from; :func:`parser` uses them
only when both match, and compiles the grammar otherwise (a grammar changed since: slower, never
wrong). JSON, not lark's pickle: reading them runs no code. After a change to the grammar:

    python -m tat_engine.dsl.tables      # writes tables.json again (tests/test_start.py checks it is fresh)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import lark
from lark import Lark
from lark.grammar import Rule
from lark.lexer import TerminalDef

GRAMMAR = Path(__file__).parent.parent / "data" / "grammar" / "tat.lark"
TABLES = Path(__file__).with_name("tables.json")
OPTIONS = {"parser": "lalr", "propagate_positions": True, "maybe_placeholders": False}


def parser() -> Lark:
    """The DSL's parser: from the shipped tables when they were made from this grammar, else compiled."""
    grammar = GRAMMAR.read_text("utf-8")
    return shipped(grammar) or Lark(grammar, **OPTIONS)


def compiled() -> Lark:
    """The parser compiled from the grammar, with the grammar kept (which the tables leave out):
    what the tables are made from, and what hypothesis draws texts from."""
    return Lark(GRAMMAR.read_text("utf-8"), **OPTIONS)


def stamp(grammar: str) -> dict:
    """What the tables were made from: the grammar's bytes, lark's version and the options."""
    return {"grammar": hashlib.sha256(grammar.encode()).hexdigest(), "lark": lark.__version__, "options": OPTIONS}


def shipped(grammar: str) -> Lark | None:
    """The parser from ``tables.json``, or None when it is missing or made from another grammar or lark."""
    try:
        found = json.loads(TABLES.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(found, dict) or found.get("stamp") != stamp(grammar):
        return None
    tables = _decoded(found["tables"])
    return Lark._load_from_dict(tables["data"], tables["memo"])


def write(path: Path = TABLES) -> None:
    """Compile the grammar and write its tables to ``path``."""
    grammar = GRAMMAR.read_text("utf-8")
    data, memo = compiled().memo_serialize([TerminalDef, Rule])
    text = json.dumps({"stamp": stamp(grammar), "tables": _encoded({"data": data, "memo": memo})},
                      separators=(",", ":"), sort_keys=True)
    path.write_text(text + "\n", "utf-8")


def _encoded(value):
    """lark's serialised tables as JSON can hold them: dicts with keys other than strings (state
    numbers) as ``{"__items__": [[key, value], …]}``, tuples as ``{"__tuple__": […]}``."""
    if isinstance(value, dict):
        if all(type(key) is str for key in value) and "__items__" not in value and "__tuple__" not in value:
            return {key: _encoded(item) for key, item in value.items()}
        return {"__items__": [[_encoded(key), _encoded(item)] for key, item in value.items()]}
    if isinstance(value, tuple):
        return {"__tuple__": [_encoded(item) for item in value]}
    if isinstance(value, list):
        return [_encoded(item) for item in value]
    if value is None or type(value) in (str, int, float, bool):
        return value
    raise TypeError(f"lark's tables hold a {type(value).__name__}, which JSON cannot")


def _decoded(value):
    if isinstance(value, dict):
        if "__items__" in value:
            return {_decoded(key): _decoded(item) for key, item in value["__items__"]}
        if "__tuple__" in value:
            return tuple(_decoded(item) for item in value["__tuple__"])
        return {key: _decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    return value


if __name__ == "__main__":
    write()
    print(f"wrote {TABLES}")
