"""tat-engine: the TAT directive 1-3/170 and its amendments as versioned, queryable law.

>>> import datetime as dt, tat_engine
>>> law = tat_engine.load()
>>> law.point("1.3.3", dt.date(2021, 1, 1)).citation.item
'1.1'
"""

from __future__ import annotations

import datetime as dt
import os

from .answers import (
    ActRef, Answer, Assumption, Citation, InForce, NoSuchLabel, NotYetInForce, Renumbered, Repealed,
)
from .errors import CorpusError, Diagnostic, DslError, QueryError, TatError
from .law import Applicable, Change, Law, ProvisionHistory, day

__all__ = [
    "ActRef", "Answer", "Applicable", "Assumption", "Change", "Citation", "CorpusError", "Diagnostic",
    "DslError", "InForce", "Law", "NoSuchLabel", "NotYetInForce", "ProvisionHistory", "QueryError",
    "Renumbered", "Repealed", "TatError", "day", "load",
]


def load(
    paths: list[str | os.PathLike] | None = None,
    assume: dict[str, dt.date | str] | None = None,
    cache: bool = True,
) -> Law:
    """The bundled directive (or the DSL files under ``paths``), consolidated.

    ``assume`` supplies real dates for acts whose date the sources lack, e.g.
    ``{"1-3/zz": "2020-03-16"}``. Raises :class:`CorpusError` when the corpus
    has errors, with every diagnostic.
    """
    from .loader import load_index, read_files

    sources = read_files(list(paths)) if paths else None
    dates = {number: day(value) for number, value in (assume or {}).items()}
    return Law(load_index(sources, dates, cache))
