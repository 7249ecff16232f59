"""Stamped verdict files: the stamp written into each output format, read back, and the rows judged again.

Where each format keeps its stamp (:mod:`tat_engine.stamp`), so that the file stays readable by the
programs people open it with:

- **Parquet**: the schema's metadata, key ``tat-engine.stamp`` (the stamp as JSON).
- **.xlsx**: a last sheet ``stamp`` (one row a field, and the whole stamp as JSON), and the document's
  properties (description: the stamp's line; custom properties: engine, corpus, decision date).
- **CSV and JSON lines**: a sidecar ``FILE.stamp.json`` beside the file, with the sha256 of the file it
  stamps. A spreadsheet program takes a CSV's first line as its header and reads every other line as
  data: leading ``#`` lines shift the header into the data (Excel), trailing rows sum into totals;
  so the stamp stays out of the table. The file's hash ties the pair: a sidecar beside another file,
  or a file edited after it was written, is reported.

:func:`reproduce` re-judges a stamped file under its stamp's decision date, readings and supplied
dates, and names every row whose verdict, eligible amount or reasons differ, and whether the engine
or the corpus differ from those that wrote it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pyarrow as pa
from attrs import frozen

from ..errors import LedgerError
from ..stamp import NoStamp, Stamp

METADATA_KEY = b"tat-engine.stamp"
SHEET = "stamp"
SIDECAR = ".stamp.json"
SIDECAR_FORMATS = (".csv", ".json", ".jsonl")
FORMATS = (".csv", ".json", ".jsonl", ".parquet", ".xlsx")


# --- writing -------------------------------------------------------------------------


def parquet_schema(schema: pa.Schema, stamp: Stamp | None) -> pa.Schema:
    """``schema`` with the stamp in its metadata."""
    return schema if stamp is None else schema.with_metadata({**(schema.metadata or {}), METADATA_KEY: stamp.to_json()})


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR)


def seal(written: Path, target: Path, stamp: Stamp | None, sha256: str | None = None) -> None:
    """For a CSV or JSON-lines ``target`` (still at ``written``, before its rename): its sidecar, written
    whole (a temporary file renamed), naming the file and its sha256 (``sha256``: as the writer worked it
    out while writing, see :class:`Sealing`; else the file is read for it)."""
    if stamp is None or target.suffix.lower() not in SIDECAR_FORMATS:
        return
    data = {"stamp": stamp.as_data(), "file": target.name, "sha256": sha256 or _sha256(written)}
    place = sidecar(target)
    temporary = place.with_name(f".{place.name}.{secrets.token_hex(6)}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2)
        os.replace(temporary, place)
    finally:
        temporary.unlink(missing_ok=True)


class Sealing:
    """The file a CSV or JSON-lines writer writes its blocks to: each block is written and hashed (sha256)
    in a thread beside the judging (a file's write and hashlib let go of the GIL), one block at a time and
    in order, so the sidecar's hash needs no second reading of the file. A block must not change once
    given (bytes, a pyarrow Buffer, a view of an array no one writes to); a failed write is raised by the
    next ``write`` or by ``close``."""

    def __init__(self, path: Path):
        self.handle = open(path, "wb")
        self.digest = hashlib.sha256()
        self.worker = ThreadPoolExecutor(1, thread_name_prefix="tat-sealing")
        self.pending: Future | None = None

    def write(self, block) -> None:
        self._wait()  # one block in flight: the memory held is a block's, whatever the file's size
        self.pending = self.worker.submit(self._put, block)

    def write_made(self, make, *args) -> None:
        """Write the blocks ``make(*args)`` returns, made in the thread too (formatting that lets go of the
        GIL then runs beside the judging of the next slice)."""
        self._wait()
        self.pending = self.worker.submit(self._make, make, args)

    def _make(self, make, args) -> None:
        for block in make(*args):
            self._put(block)

    def _put(self, block) -> None:
        self.handle.write(block)
        self.digest.update(block)

    def _wait(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        try:
            self._wait()
        finally:
            self.worker.shutdown()
            self.handle.close()

    @property
    def sha256(self) -> str:
        """The hash of every block written (read after ``close``)."""
        return self.digest.hexdigest()


def sheet_rows(stamp: Stamp) -> list[list]:
    """The stamp sheet of a workbook: a field a row, then the whole stamp as JSON (read back by --reproduce)."""
    rows: list[list] = [["engine", f"tat-engine {stamp.engine}"], ["instrument", stamp.instrument or "DSL files"],
                        ["corpus (sha256)", stamp.corpus], ["as of", str(stamp.decided_on)]]
    rows += [["reading", str(reading) + (" (default)" if reading.default else "")] for reading in stamp.readings]
    rows += [["assumed date" if a.status == "assumed" else "supplied date", str(a)] for a in stamp.assumptions]
    rows += [["act", f"{a.number} signed {a.signed} ({a.status})"] for a in stamp.acts]
    rows += [["produced at", str(stamp.produced_at)], ["json", stamp.to_json()]]
    return rows


def document_properties(book, stamp: Stamp) -> None:
    """The stamp in a workbook's document properties, where a file manager or Excel's Info pane shows it."""
    from openpyxl.packaging.custom import StringProperty

    book.properties.creator = f"tat-engine {stamp.engine}"
    book.properties.description = stamp.line()
    book.properties.keywords = f"tat-engine stamp; corpus {stamp.corpus}"
    for name, value in (("tat-engine", stamp.engine), ("tat-engine corpus", stamp.corpus),
                        ("tat-engine as of", str(stamp.decided_on))):
        book.custom_doc_props.append(StringProperty(name=name, value=value))


# --- reading ---------------------------------------------------------------------------


@frozen
class Found:
    """The stamp of a verdicts file, and whether the file is the one stamped (None: the format holds
    the stamp inside itself, so the two cannot part)."""

    stamp: Stamp
    file_matches: bool | None = None


def read_stamp(path: Path) -> Found:
    """The stamp of the verdicts file at ``path``; :class:`NoStamp` when it has none."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise NoStamp(f"{path}: verdicts are .csv, .json, .jsonl, .parquet or .xlsx files")
    if suffix in SIDECAR_FORMATS:
        place = sidecar(path)
        try:
            data = json.loads(place.read_text("utf-8"))
        except FileNotFoundError:
            raise NoStamp(f"{path}: no stamp beside it (its stamp is the file {place.name})") from None
        except (OSError, ValueError, RecursionError) as error:
            raise NoStamp(f"{place}: not a stamp: {error}") from None
        if not isinstance(data, dict):
            raise NoStamp(f"{place}: not a stamp")
        return Found(Stamp.from_data(data.get("stamp")), data.get("sha256") == _sha256(path))
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            metadata = pq.read_schema(path).metadata or {}
        except (OSError, pa.ArrowException) as error:
            raise NoStamp(f"{path}: not a Parquet file that can be read: {error}") from None
        if METADATA_KEY not in metadata:
            raise NoStamp(f"{path}: its schema holds no stamp ({METADATA_KEY.decode()})")
        return Found(Stamp.from_json(metadata[METADATA_KEY]))
    return Found(Stamp.from_json(_sheet_json(path)))


def _sheet_json(path: Path) -> str:
    from .workbook import _workbook

    book = _workbook(path)
    try:
        if SHEET not in book.sheetnames:
            raise NoStamp(f"{path}: the workbook has no sheet {SHEET!r}")
        for row in book[SHEET].iter_rows(values_only=True):
            if row and row[0] == "json" and len(row) > 1 and isinstance(row[1], str):
                return row[1]
    finally:
        book.close()
    raise NoStamp(f"{path}: its sheet {SHEET!r} holds no stamp")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- judging again ---------------------------------------------------------------------


@frozen
class Outcome:
    """A row's verdict, eligible amount (euros, as written) and reasons."""

    verdict: str
    eligible: str
    reasons: str


@frozen
class Difference:
    """A row (1 = the first below the header; ``line``: its own ``line`` column, if any) judged otherwise now."""

    row: int
    line: str
    old: Outcome
    new: Outcome
    why: str


@frozen
class Reproduction:
    """A stamped verdicts file judged again: what differs, and whether engine and corpus are those of the stamp."""

    path: str
    stamped: Stamp  # the file's stamp
    engine: str  # this engine's version
    corpus: str  # the hash of the corpus judged with now
    rows: int
    differences: tuple[Difference, ...]
    file_matches: bool | None  # a sidecar's file hash agrees with the file (None: the stamp is inside the file)

    @property
    def engine_differs(self) -> bool:
        return self.engine != self.stamped.engine

    @property
    def corpus_differs(self) -> bool:
        return self.corpus != self.stamped.corpus

    @property
    def agrees(self) -> bool:
        return not self.differences


def reproduce(law, path: Path, found: Found | None = None) -> Reproduction:
    """Judge every row of the stamped verdicts file at ``path`` again with ``law`` (loaded under the stamp's
    readings and supplied dates: :func:`law_of`) on the stamp's decision date."""
    from .eligibility import require
    from .ledger import Vocabulary, judge_batch

    require(law)
    found = found or read_stamp(path)
    decided = found.stamp.decided_on
    if decided is None:
        raise NoStamp(f"{path}: its stamp has no decision date; is this a file of verdicts?")
    vocabulary = Vocabulary.of(law)
    differences, rows = [], 0
    for batch, problems in _batches(path):
        kept = [name for name in batch.schema.names if name not in _ADDED]
        meant = batch.select(kept).rename_columns([_meaning(name) for name in kept])
        out, _, _ = judge_batch(law, meant, decided, vocabulary, problems)
        differences += _compare(batch, out, rows, path.suffix.lower() == ".csv")
        rows += batch.num_rows
    return Reproduction(str(path), found.stamp, _engine(), getattr(law.index, "corpus_hash", ""), rows,
                        tuple(differences), found.file_matches)


def law_of(stamp: Stamp, corpus: list[str] | None = None):
    """The law a stamp was judged under: its instrument (or the DSL files ``corpus``), its readings and
    the dates its user supplied."""
    from .. import load

    if stamp.instrument is None and not corpus:
        raise NoStamp(f"the stamp names DSL files (corpus {stamp.corpus[:12]}), not a shipped instrument: "
                      "give them with --corpus")
    return load(corpus or None, stamp.supplied(), instrument=stamp.instrument or "tat", reading=stamp.chosen())


_ADDED = ("verdict", "eligible_amount", "reasons")


def _meaning(name: str) -> str:
    from .ledger import _meaning as meaning

    return meaning(name)


def _batches(path: Path):
    """The file's rows, every column as text, with why each could not be read ("" when it could)."""
    suffix = path.suffix.lower()
    if suffix in (".json", ".jsonl"):
        yield from _json_batches(path)
        return
    from .ledger import open_ledger

    ledger = open_ledger(path, verdicts=True)
    missing = [name for name in _ADDED if name not in ledger.names]
    if missing:
        raise NoStamp(f"{path}: no column {', '.join(missing)}; is this a file of verdicts?")
    if suffix == ".csv":
        ledger = ledger.read_tolerantly()  # each row in its place, as it was written
    for read in ledger.batches():
        problems = read.problems if read.problems is not None else np.full(read.batch.num_rows, "", dtype=object)
        yield read.batch, problems


def _json_batches(path: Path, size: int = 65_536):
    names, rows = None, []
    with open(path, encoding="utf-8") as handle:
        for number, text in enumerate(handle, 1):
            if not text.strip():
                continue
            try:
                row = json.loads(text)
            except ValueError:
                raise LedgerError(f"{path}:{number}: not a line of JSON") from None
            if not isinstance(row, dict) or any(not isinstance(v, str) for v in row.values()):
                raise LedgerError(f"{path}:{number}: a line of verdicts is an object of texts")
            names = names or list(row)
            if list(row) != names or any(name not in names for name in _ADDED):
                raise NoStamp(f"{path}:{number}: not a line of verdicts with the columns of the first")
            rows.append([row[name] for name in names])
            if len(rows) == size:
                yield _text_batch(names, rows), np.full(len(rows), "", dtype=object)
                rows = []
    if rows or names is None:
        if names is None:
            raise NoStamp(f"{path}: no verdicts in it")
        yield _text_batch(names, rows), np.full(len(rows), "", dtype=object)


def _text_batch(names: list[str], rows: list[list[str]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array(column, pa.string()) for column in zip(*rows)] if rows else
                                      [pa.array([], pa.string()) for _ in names], names=names)


def _compare(old: pa.RecordBatch, new: pa.RecordBatch, before: int, csv: bool) -> list[Difference]:
    def column(batch, name):
        return batch.column(batch.schema.names.index(name)).to_pylist()

    lines = column(old, "line") if "line" in old.schema.names else [""] * old.num_rows
    was = zip(*(column(old, name) for name in _ADDED))
    now = zip(*(column(new, name) for name in _ADDED))
    found = []
    for at, (line, a, b) in enumerate(zip(lines, was, now)):
        a = Outcome(*(_unquoted(value or "") if csv else value or "" for value in a))
        b = Outcome(*b)
        why = _why(a, b)
        if why:
            found.append(Difference(before + at + 1, _unquoted(line or "") if csv else line or "", a, b, why))
    return found


def _why(old: Outcome, new: Outcome) -> str:
    """What differs between two outcomes of a row ("" when nothing does)."""
    said = []
    if old.verdict != new.verdict:
        said.append(f"verdict {old.verdict!r} is now {new.verdict!r}")
    if _euros(old.eligible) != _euros(new.eligible):
        said.append(f"eligible amount {old.eligible} is now {new.eligible}")
    if old.reasons != new.reasons:
        said.append(f"reasons now: {new.reasons}")
    return "; ".join(said)


def _euros(text: str) -> Decimal | str:
    try:
        return Decimal(text.replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except InvalidOperation:
        return text


def _unquoted(text: str) -> str:
    """A CSV cell as it was before the writer made it safe for spreadsheets (``'=…`` -> ``=…``)."""
    return text[1:] if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r" else text


def _engine() -> str:
    from .. import __version__

    return __version__
