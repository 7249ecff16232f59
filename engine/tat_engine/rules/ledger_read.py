"""Ledgers read: a CSV, Parquet or .xlsx file as batches of text columns, every row in its place.

Columns go by their English or Estonian names (:data:`COLUMN_NAMES`); a CSV ledger's separator and
encoding are detected (or its encoding named), and a row that cannot be read is kept in its place with
the reason, for the checks (:mod:`ledger_values`) to make it invalid input. See :mod:`ledger` for the
columns.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from attrs import frozen

from . import workbook
from ..errors import LedgerError
from ..messages import msg_n, say

REQUIRED = ("activity", "party", "category", "incurred_on", "paid_on", "amount")
OPTIONAL = ("line", "on_documents", "written_proof", "mode", "excess", "note")
_DECIMAL_COMMA = "^-?[0-9 \u00a0\u202f]*,[0-9]{1,2}$"
COLUMN_NAMES = {  # the Estonian names a column may go by (matched folded: see _folded_name)
    "line": ("rida", "rea_nr", "jrk", "jrk_nr"),
    "activity": ("tegevus",),
    "party": ("osapool", "kulutaja"),
    "category": ("kategooria", "kululiik"),
    "incurred_on": ("kulu_tekkimise_kuupäev", "tekkimise_kuupäev", "tekkinud"),
    "paid_on": ("makse_kuupäev", "maksmise_kuupäev", "makstud"),
    "amount": ("summa",),
    "on_documents": ("kuludokumentidel",),
    "written_proof": ("kirjalik_tõend",),
    "mode": ("sõiduviis", "transpordiliik"),
    "excess": ("ületav_osa", "ülejääk"),
    "note": ("selgitus", "märkus"),
}


# --- reading -------------------------------------------------------------------
#
# A CSV ledger is read twice over only when it is untidy. The quick reading (pyarrow) takes a
# UTF-8 file whose every row has the header's number of fields; anything else it refuses mid-file
# (a ragged row, a byte that is not UTF-8), and the run starts again with the tolerant reading
# (Python's csv module), which keeps every row in its place: a row it cannot take becomes an
# "invalid input" row with its line number and the reason, so rows in = rows out, in order.

_HEAD_BYTES = 1 << 20
# a block of the quick reading: pyarrow's reader holds some three dozen blocks at once, read ahead and being
# parsed (2 MiB blocks took 72 MiB, 256 KiB 10 MiB), and is no faster with larger ones; the blocks are gathered
# into larger slices to be judged (ledger._slices)
_BLOCK_BYTES = 1 << 18
_TOLERANT_ROWS = 65_536
_FIELD_CHARS = 1 << 30
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig", "UTF-8 with BOM"), (b"\xff\xfe", "utf-16", "UTF-16"),
         (b"\xfe\xff", "utf-16", "UTF-16"))
_ENCODINGS = {"utf-8": "UTF-8", "cp1257": "Windows-1257"}
_MARK = "\udcff"  # stands in for bytes the encoding cannot read; no decoded text holds a lone surrogate
ADDED = ("verdict", "eligible_amount", "reasons")
_EXPECTED = {name: "text" for name in ("line", "activity", "party", "category", "mode", "note")} | {
    "incurred_on": "a date (or text YYYY-MM-DD)", "paid_on": "a date (or text YYYY-MM-DD)",
    "amount": "a decimal number (or text such as 12.50)", "excess": "a decimal number (or text such as 12.50)",
    "on_documents": "true/false", "written_proof": "true/false"}
codecs.register_error("tat-mark", lambda error: (_MARK, error.end))


@frozen
class Source:
    """How a ledger was read, for the summary: a user whose file was guessed wrong can see it."""

    format: str  # CSV | Parquet | Excel workbook
    encoding: str = ""  # UTF-8, UTF-8 with BOM, UTF-16, Windows-1257 (CSV only)
    separator: str = ""  # , or ; (CSV only)
    decimal_comma: bool = False  # the first rows' amounts are written with a decimal comma


@frozen
class Rows:
    """A batch of a ledger, every column as text, and why rows could not be read ("" when they could)."""

    batch: pa.RecordBatch
    problems: np.ndarray | None = None  # object array of str; None: every row was read


class _Untidy(Exception):
    """The quick CSV reading met a row it cannot take; read again, tolerantly."""


@frozen
class Ledger:
    """An opened ledger: its columns and how to read its rows."""

    path: Path
    source: Source
    names: tuple[str, ...]  # as the header writes them
    tolerant: bool = False  # read by the csv module (after _Untidy: a row the quick reading cannot take)
    codec: str = ""  # the Python codec of a CSV ledger
    asked: bool = False  # the codec is the one the user named (--encoding), not detected
    meaning: tuple[str, ...] = ()  # the column each name stands for (REQUIRED, OPTIONAL) or the name itself

    def batches(self) -> Iterator[Rows]:
        if self.source.format == "Parquet":
            return _parquet_batches(self)
        if self.source.format == workbook.FORMAT:
            return (Rows(_text_batch(self, rows), np.array(problems, dtype=object))
                    for rows, problems in workbook.rows(self.path, len(self.names), _TOLERANT_ROWS))
        return _tolerant_batches(self) if self.tolerant else _quick_batches(self)

    def read_tolerantly(self) -> Ledger:
        """The same ledger, read tolerantly; a UTF-8 guess made from the head is checked on the whole file."""
        codec, encoding = self.codec, self.source.encoding
        if codec == "utf-8" and not self.asked and not _is_utf8(self.path):
            codec, encoding = "cp1257", _ENCODINGS["cp1257"]
        return attrs.evolve(self, source=attrs.evolve(self.source, encoding=encoding), tolerant=True, codec=codec)


def open_ledger(path: Path, encoding: str | None = None, verdicts: bool = False) -> Ledger:
    """The ledger at ``path`` with its columns checked; :class:`LedgerError` when it cannot be read at all.
    ``encoding`` names a CSV ledger's encoding (a Python codec name: utf-8, utf-16, utf-16-le, cp1257, …);
    without it the encoding is detected. ``verdicts``: a file of verdicts, read to be judged again
    (``stamped.reproduce``)."""
    suffix = path.suffix.lower()
    if encoding is not None and suffix != ".csv":
        raise LedgerError(say("{path}: an encoding is named only for a .csv ledger; a {suffix} says its own",
                              path=path, suffix=suffix or say("file without a suffix")))
    if suffix == ".parquet":
        ledger = _open_parquet(path)
    elif suffix == ".csv":
        ledger = _open_csv(path, encoding)
    elif suffix in (".xlsx", ".xlsm"):  # a macro-enabled workbook's macros are never run, only its cells read
        names, head = workbook.header(path)
        ledger = Ledger(path, Source(workbook.FORMAT, decimal_comma=_uses_decimal_comma(names, head)), names)
    elif suffix in (".xls", ".ods"):
        raise LedgerError(say("{path}: a {suffix} workbook is not read; save it as .xlsx (Excel workbook) or .csv",
                              path=path, suffix=suffix))
    else:
        raise LedgerError(say("{path}: a ledger is a .csv, .xlsx or .parquet file", path=path))
    ledger = attrs.evolve(ledger, meaning=tuple(map(_meaning, ledger.names)))
    _check_names(path, ledger.names, ledger.meaning, ADDED if verdicts else ())
    return ledger


def _folded_name(name: str) -> str:
    """A column name without case, diacritics, or the difference of space, hyphen and underscore."""
    bare = "".join(char for char in unicodedata.normalize("NFKD", name) if not unicodedata.combining(char))
    return re.sub(r"[\s_-]+", "_", bare.strip().casefold())


_MEANINGS = {_folded_name(written): name for name, written_names in COLUMN_NAMES.items()
             for written in (name, *written_names)}


def _meaning(name: str) -> str:
    """The column a header name stands for, or the name itself when it is none of the ledger's."""
    return _MEANINGS.get(_folded_name(name), name)


def _check_names(path: Path, names: tuple[str, ...], meaning: tuple[str, ...] | None = None,
                 verdicts: tuple[str, ...] = ()) -> None:
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise LedgerError(say("{path}: the header names {names} more than once; each column needs its own name",
                              path=path, names=_listed(twice)))
    meaning = meaning or names
    for column in dict.fromkeys(meaning):
        written = [name for name, meant in zip(names, meaning) if meant == column]
        if len(written) > 1:
            raise LedgerError(say("{path}: the header names {names}, which all stand for column {column}; keep one of them",
                                  path=path, names=_listed(written), column=repr(column)))
    written, names = names, meaning
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise LedgerError(say("{path}: the ledger has no column {missing}; required: {required} (in Estonian: {estonian}); "
                              "its header has {names}", path=path, missing=missing, required=REQUIRED,
                              estonian=[COLUMN_NAMES[name][0] for name in REQUIRED],
                              names=_listed(written) or say("no names")))
    taken = [name for name in ADDED if name in names and name not in verdicts]
    if taken:
        raise LedgerError(say("{path}: the ledger already has a column {names}, which the verdicts are written to; "
                              "rename or drop it (is this a file of verdicts?)", path=path, names=_listed(taken)))


def _listed(names) -> str:
    return ", ".join(repr(name) for name in names)


def codec(name: str) -> tuple[str, str]:
    """The Python codec of an encoding a user names, and how the summary shows it; :class:`LedgerError` when
    no text encoding goes by that name."""
    try:
        info = codecs.lookup(name.strip())
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise LedgerError(say("no text encoding is named {name}; for instance utf-8, utf-16, utf-16-le, windows-1257",
                              name=repr(name)))
    shown = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16", "utf-16-le": "UTF-16LE",
             "utf-16-be": "UTF-16BE", "cp1257": "Windows-1257"}.get(info.name, info.name)
    return info.name, say("{encoding} (as named)", encoding=shown)


def _open_csv(path: Path, named: str | None = None) -> Ledger:
    with open(path, "rb") as handle:
        head = handle.read(_HEAD_BYTES)
        whole = len(head) < _HEAD_BYTES or not handle.read(1)
    codec_name, encoding = "utf-8", _ENCODINGS["utf-8"]
    if named is not None:
        codec_name, encoding = codec(named)
        if codec_name == "utf-8" and head.startswith(codecs.BOM_UTF8):
            codec_name = "utf-8-sig"  # the mark is no letter of the first column's name
    else:
        for bom, bom_codec, bom_encoding in _BOMS:
            if head.startswith(bom):
                codec_name, encoding = bom_codec, bom_encoding
                break
        else:
            try:
                codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
            except UnicodeDecodeError:
                codec_name, encoding = "cp1257", _ENCODINGS["cp1257"]
    text = codecs.getincrementaldecoder(codec_name)(errors="replace").decode(head, final=whole)
    if not text.strip():
        raise LedgerError(say("{path}: the ledger is empty; its first line names the columns: {required}", path=path,
                              required=",".join(REQUIRED)))
    if "\x00" in text.splitlines()[0]:
        raise LedgerError(say("{path}: the header holds NUL bytes; is it UTF-16 without a byte-order mark? "
                              "Save the ledger as UTF-8 (or UTF-16 with a byte-order mark), or name its encoding "
                              "(check-costs --encoding utf-16-le)", path=path))
    separator, names = _header(text)
    if not whole and len(text.splitlines()) < 2:
        raise LedgerError(say("{path}: the first line is longer than {size} bytes; is this a ledger?", path=path,
                              size=_HEAD_BYTES))
    comma = _uses_decimal_comma(names, _head_rows(text, separator))
    return Ledger(path, Source("CSV", encoding, separator, comma), names, False, codec_name, named is not None)


def _head_rows(text: str, separator: str, most: int = 1000) -> list[list[str]]:
    """The first data rows of a CSV head, as far as they can be read (the last may be cut off)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=False)
    rows = []
    try:
        for record in reader:
            rows.append(record)
            if len(rows) > most:
                break
    except csv.Error:
        pass
    return rows[1:]


def _uses_decimal_comma(names: tuple[str, ...], rows: list[list[str]]) -> bool:
    """Whether the first rows write their amounts with a decimal comma (so the output does too)."""
    at = next((i for i, name in enumerate(names) if _meaning(name) == "amount"), None)
    return at is not None and any(len(row) > at and re.match(_DECIMAL_COMMA, row[at].strip()) for row in rows)


def _header(text: str) -> tuple[str, tuple[str, ...]]:
    """The separator (the one of , and ; that splits the header into more names) and the names."""
    found: dict[str, tuple[str, ...]] = {",": (), ";": ()}
    for separator in found:
        try:
            found[separator] = next(filter(None, csv.reader(io.StringIO(text, newline=""), delimiter=separator)), ())
        except csv.Error as error:
            raise LedgerError(f"the header cannot be read: {error}") from None
    separator = ";" if len(found[";"]) > len(found[","]) else ","
    return separator, tuple(found[separator])


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 24):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _quick_batches(ledger: Ledger) -> Iterator[Rows]:
    names = list(ledger.names)
    transcoded = ledger.codec not in ("utf-8", "utf-8-sig")  # pyarrow decodes other encodings block by block
    options = (pacsv.ReadOptions(block_size=_BLOCK_BYTES, encoding=ledger.codec if transcoded else "utf8"),
               pacsv.ParseOptions(delimiter=ledger.source.separator, newlines_in_values=True),
               pacsv.ConvertOptions(column_types={name: pa.string() for name in names}, strings_can_be_null=False,
                                    quoted_strings_can_be_null=False))
    try:
        reader = pacsv.open_csv(ledger.path, *options)
        if reader.schema.names != names:
            raise _Untidy
        for batch in reader:
            yield Rows(batch)
    except (pa.ArrowInvalid, UnicodeError):  # a ragged row, or bytes the encoding cannot read
        raise _Untidy from None


def _tolerant_batches(ledger: Ledger) -> Iterator[Rows]:
    # a long note is still a note: past the csv module's default of 128 KiB a field would be cut and
    # its rest read as rows; only ever raised, so threads reading at once agree
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_CHARS))
    width = len(ledger.names)
    rows: list[list[str]] = []
    problems: list[str] = []
    with open(ledger.path, encoding=ledger.codec, errors="tat-mark", newline="") as handle:
        reader = csv.reader(handle, delimiter=ledger.source.separator, strict=False)
        records = _records(reader)
        next(records)  # the header, read already
        for line, record, problem in records:
            if len(record) != width:
                problem = problem or str(msg_n("line {line} has {count} field where the header has {width} (separator "
                                               "{separator}){extra}", "line {line} has {count} fields where the header "
                                               "has {width} (separator {separator}){extra}", len(record), line=line,
                                               width=width, separator=repr(ledger.source.separator),
                                               extra=_extra(record[width:])))
                record = (record + [""] * width)[:width]
            rows.append(record)
            problems.append(problem)
            if len(rows) == _TOLERANT_ROWS:
                yield _rows(ledger, rows, problems)
                rows, problems = [], []
    if rows:
        yield _rows(ledger, rows, problems)


def _records(reader) -> Iterator[tuple[int, list[str], str]]:
    """Each non-blank record: its first line, its fields, and a problem the csv module had with it."""
    end = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # e.g. a field over the csv module's limit: this row only
            yield end + 1, [], say("line {line} cannot be read: {error}", line=end + 1, error=error)
            end = reader.line_num
            continue
        start, end = end + 1, reader.line_num
        if record:
            yield start, record, ""


def _extra(fields: list[str]) -> str:
    shown = ", ".join(repr(field[:40]) for field in fields[:5])
    return say("; fields past the last column: {fields}", fields=shown + (", …" if len(fields) > 5 else "")) if fields else ""


def _rows(ledger: Ledger, rows: list[list[str]], problems: list[str]) -> Rows:
    """Rows read by the csv module as a batch; a row with bytes the encoding cannot read is invalid input."""
    if _MARK in "".join(map("".join, rows)):
        for index, row in enumerate(rows):
            if any(_MARK in field for field in row):
                rows[index] = [field.replace(_MARK, "\ufffd") for field in row]
                problems[index] = problems[index] or say("the row holds bytes that are not {encoding} text",
                                                         encoding=ledger.source.encoding)
    return Rows(_text_batch(ledger, rows), np.array(problems, dtype=object))


def _text_batch(ledger: Ledger, rows: list[list[str]]) -> pa.RecordBatch:
    columns = [pa.array(column, pa.string()) for column in zip(*rows)] if rows else [pa.array([], pa.string())] * len(ledger.names)
    return pa.RecordBatch.from_arrays(columns, names=list(ledger.names))


def _open_parquet(path: Path) -> Ledger:
    try:
        schema = pq.ParquetFile(path).schema_arrow
    except (pa.ArrowException, OSError) as error:
        raise LedgerError(f"{path}: not a Parquet file that can be read: {_first_line(error)}") from None
    for field in schema:
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if pa.types.is_nested(kind) or pa.types.is_union(kind):
            expected = _EXPECTED.get(field.name, "text, a number, a date or true/false")
            raise LedgerError(f"{path}: column {field.name!r} holds {field.type}, values nested in values; "
                              f"a ledger column holds one value a row: {expected}")
    return Ledger(path, Source("Parquet"), tuple(schema.names))


def _parquet_batches(ledger: Ledger, batch_rows: int = 262_144) -> Iterator[Rows]:
    done = 0
    try:
        for batch in pq.ParquetFile(ledger.path).iter_batches(batch_size=batch_rows):
            yield Rows(_as_text(ledger.path, batch))
            done += batch.num_rows
    except (pa.ArrowException, OSError) as error:
        raise LedgerError(f"{ledger.path}: cannot be read after row {done}: {_first_line(error)}") from None


def _as_text(path: Path, batch: pa.RecordBatch) -> pa.RecordBatch:
    columns = []
    for name, column in zip(batch.schema.names, batch.columns):
        try:
            columns.append(pc.fill_null(pc.cast(_midnights_as_dates(column), pa.string()), ""))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise LedgerError(f"{path}: column {name!r} ({column.type}) cannot be read as "
                              f"{_EXPECTED.get(name, 'text')}: {_first_line(error)}") from None
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _midnights_as_dates(column: pa.Array) -> pa.Array:
    """Timestamps at midnight (pandas writes dates so) as dates; other times stay timestamps, which are
    then no date written YYYY-MM-DD."""
    if not pa.types.is_timestamp(column.type) or column.type.tz is not None:
        return column
    days = pc.cast(column, pa.date32())
    midnight = pc.equal(pc.cast(days, column.type), column)
    return pc.if_else(midnight, pc.cast(days, pa.string()), pc.cast(column, pa.string()))


def _first_line(error: Exception) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:200]
