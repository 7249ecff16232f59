"""tat-engine: the TAT directive 1-3/170 and its amendments as versioned, queryable law.

>>> import datetime as dt, tat_engine
>>> law = tat_engine.load()
>>> law.point("1.3.3", dt.date(2021, 1, 1)).citation.item
'1.1'

The names below are imported on first use (PEP 562), so the command line can
answer from its table without importing attrs, lark or networkx.
"""

from __future__ import annotations

import datetime as dt
import os
from importlib import import_module

_EXPORTS = {
    "history.answers": ["ActRef", "Answer", "Assumption", "Citation", "InForce", "NoSuchLabel", "NotYetInForce",
                        "Renumbered", "Repealed"],
    "errors": ["CorpusError", "Diagnostic", "DslError", "QueryError", "TatError"],
    "law": ["Applicable", "Change", "Governing", "Law", "ProvisionHistory", "day"],
    "history.facts": ["FactView", "Snapshot"],
    "history.possible": ["Outcome", "Settled"],
    "rules.ledger": ["Cost", "Verdict", "check_ledger", "judge_cost"],
    "rules.deadlines": ["Deadline", "deadline"],
    "rules.admission": ["decide"],
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_HOME) + ["__version__", "load"]
__version__ = "0.1.0"  # the one place: pyproject.toml reads it, every stamp names it


def __getattr__(name: str):
    if name in _HOME:
        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module 'tat_engine' has no attribute {name!r}")


def load(
    paths: list[str | os.PathLike] | None = None,
    assume: dict[str, dt.date | str] | None = None,
    cache: bool = True,
    instrument: str = "tat",
    reading: dict[str, str] | None = None,
):
    """A shipped instrument (the TAT by default; ``tat_engine.instruments.INSTRUMENTS``)
    or the DSL files under ``paths``, as a :class:`Law`.

    ``assume`` supplies real dates for acts whose date the sources lack, e.g.
    ``{"1-3/zz": "2020-03-16"}``; ``reading`` chooses an option of a contested
    reading, e.g. ``{"reach-2020": "from-signing"}`` (each reading's default
    otherwise; ``law.index.readings`` lists them). Raises :class:`CorpusError` when the corpus
    has errors, with every diagnostic.
    """
    from .law import Law, day
    from .loader import load_index, read_files

    sources = read_files(list(paths)) if paths else None
    dates = {number: day(value) for number, value in (assume or {}).items()}
    return Law(load_index(sources, dates, cache, instrument), reading)
