"""Ledgers of cost lines: read (CSV, Excel .xlsx, Parquet), check, judge, write, sum up.

Columns (a header row names them; order free, extra columns are carried):

=============== ======== =====================================================
column          required what it holds
=============== ======== =====================================================
line            no       the line's id (default: its row number)
activity        yes      the supported activity: 2.1, 2.2, 2.3 or 2.4
party           yes      who incurred it: implementer or partner, or the body
                         by a name the directive gives it (TAI, Tervise
                         Arengu Instituut, PPA, SKA, Siseministeerium, ...)
category        yes      the directive's point naming the kind of cost, e.g.
                         7.1.3.1 (direct personnel), 7.1.3.3 (travel),
                         7.1.3.13 (target-group transport), 7.2.1.2 (vehicles)
incurred_on     yes      YYYY-MM-DD or DD.MM.YYYY
paid_on         yes      YYYY-MM-DD or DD.MM.YYYY
amount          yes      euros with at most two decimals; a negative amount
                         needs a ``note`` (a correction)
on_documents    no       true: an indirect cost claimed on cost documents
written_proof   no       true: participation proven in writing (7.1.3.13)
mode            no       means of transport (ühistransport, sõiduauto)
excess          no       euros above the tax-free limit (travel)
note            no       free text, e.g. why an amount is negative
=============== ======== =====================================================

A column may also go by an Estonian name (:data:`COLUMN_NAMES`: tegevus, osapool, summa,
makstud, ...); names are matched regardless of case, diacritics, spaces and hyphens, and the output
keeps the names as the input wrote them. The party may be written ``elluviija`` (implementer).

Amounts are read by one rule, so that none is guessed: the decimals (one or two digits) follow a
``.`` or a ``,``; thousands may be grouped in threes by spaces or no-break spaces, never by a point
or comma. So ``2 500,00``, ``2500.00`` and ``-12,50`` are read; ``1.234,50``, ``1,234.50`` and
``1,234`` are invalid input with the reason (which mark stands for the decimals is not guessed).

A line that cannot be read gets the verdict "invalid input" and the reason;
rows in = rows out, in the same order. A CSV ledger is separated by ``,`` or ``;``
and encoded in UTF-8 (BOM or not), UTF-16 (BOM) or else Windows-1257, all detected.
An ``.xlsx`` workbook is read from its first sheet: each cell as the text it shows (a date cell as
YYYY-MM-DD, a formula as its last computed value). Verdicts go to CSV (in the input's separator, with
decimal commas when the input's amounts had them), Parquet, JSON lines or ``.xlsx`` (a sheet of
verdicts and a summary sheet).
A file that is no ledger as a whole raises :class:`~tat_engine.errors.LedgerError`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import os
import re
import secrets
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import attrs

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from attrs import frozen

from .. import model as m
from .eligibility import INVALID, PARTIAL, VERDICTS, Codes, Judged, Lines, judge, require
from .. import dates
from . import workbook
from ..errors import LedgerError, QueryError
from ..law import Law

PARTY_ROLES = ("implementer", "partner")  # the role facts naming who may incur an activity's costs, by exact name
REQUIRED = ("activity", "party", "category", "incurred_on", "paid_on", "amount")
OPTIONAL = ("line", "on_documents", "written_proof", "mode", "excess", "note")
# at most 10^17 cents: int64 holds a row, sums are exact ints; thousands grouped by (no-break) spaces
_GROUP = "[ \u00a0\u202f]"
_MONEY = f"^-?([0-9]{{1,15}}|[0-9]{{1,3}}({_GROUP}[0-9]{{3}}){{1,4}})([.,][0-9]{{1,2}})?$"
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
PARTY_NAMES = {"elluviija": "implementer"}  # Estonian names of the roles (partner is the same word)
_TRUE, _FALSE = ("true", "1", "yes", "jah"), ("false", "0", "no", "ei", "")


@frozen
class Vocabulary:
    """What a ledger may name: activities, cost categories and the bodies that
    are implementer or partner, in any version."""

    activities: frozenset[str]
    categories: frozenset[str]
    bodies: dict[str, str]  # a name or abbreviation as the corpus writes it -> the body's name

    @classmethod
    def of(cls, law: Law) -> Vocabulary:
        activities, categories, bodies = set(), set(), {}
        for versions in law.index.provisions.values():
            for version in versions:
                if version.repealed:
                    continue
                label = version.label
                activities.update(fact.value.name for fact in version.content.facts
                                  if fact.name == "activity" and isinstance(fact.value, m.Activity))
                if any(f.name in ("category", "excluded") for f in version.content.facts):
                    categories.add(str(label))
                for fact in version.content.facts:
                    if fact.name in PARTY_ROLES and isinstance(fact.value, m.Role):
                        for name in filter(None, (fact.value.body, fact.value.short)):
                            bodies[name] = fact.value.body
        return cls(frozenset(activities), frozenset(categories), bodies)

    def party(self, written: str) -> str:
        """``implementer``, ``partner``, or the body a name stands for ("" when unknown)."""
        folded = _folded(written)
        if folded in PARTY_ROLES:
            return folded
        return next((body for name, body in self.bodies.items() if _folded(name) == folded), "")

    def named(self) -> str:
        """The bodies a ledger may name, for a message: "Politsei- ja Piirivalveamet (PPA), …"."""
        shorts = {body: sorted(name for name, of in self.bodies.items() if of == body and name != body)
                  for body in self.bodies.values()}
        return ", ".join(f"{body} ({', '.join(names)})" if names else body for body, names in sorted(shorts.items()))


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


# --- reading -------------------------------------------------------------------
#
# A CSV ledger is read twice over only when it is untidy. The quick reading (pyarrow) takes a
# UTF-8 file whose every row has the header's number of fields; anything else it refuses mid-file
# (a ragged row, a byte that is not UTF-8), and the run starts again with the tolerant reading
# (Python's csv module), which keeps every row in its place: a row it cannot take becomes an
# "invalid input" row with its line number and the reason, so rows in = rows out, in order.

_HEAD_BYTES = 1 << 20
# a block of the quick reading: pyarrow's reader holds several times a block while it parses one (16 MiB
# blocks took 150 MiB, 1 MiB 40 MiB), and is no faster with larger ones
_BLOCK_BYTES = 1 << 21
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


def open_ledger(path: Path, encoding: str | None = None) -> Ledger:
    """The ledger at ``path`` with its columns checked; :class:`LedgerError` when it cannot be read at all.
    ``encoding`` names a CSV ledger's encoding (a Python codec name: utf-8, utf-16, utf-16-le, cp1257, …);
    without it the encoding is detected."""
    suffix = path.suffix.lower()
    if encoding is not None and suffix != ".csv":
        raise LedgerError(f"{path}: an encoding is named only for a .csv ledger; a {suffix or 'file without a suffix'} "
                          f"says its own")
    if suffix == ".parquet":
        ledger = _open_parquet(path)
    elif suffix == ".csv":
        ledger = _open_csv(path, encoding)
    elif suffix in (".xlsx", ".xlsm"):  # a macro-enabled workbook's macros are never run, only its cells read
        names, head = workbook.header(path)
        ledger = Ledger(path, Source(workbook.FORMAT, decimal_comma=_uses_decimal_comma(names, head)), names)
    elif suffix in (".xls", ".ods"):
        raise LedgerError(f"{path}: a {suffix} workbook is not read; save it as .xlsx (Excel workbook) or .csv")
    else:
        raise LedgerError(f"{path}: a ledger is a .csv, .xlsx or .parquet file")
    ledger = attrs.evolve(ledger, meaning=tuple(map(_meaning, ledger.names)))
    _check_names(path, ledger.names, ledger.meaning)
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


def _check_names(path: Path, names: tuple[str, ...], meaning: tuple[str, ...] | None = None) -> None:
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise LedgerError(f"{path}: the header names {_listed(twice)} more than once; each column needs its own name")
    meaning = meaning or names
    for column in dict.fromkeys(meaning):
        written = [name for name, meant in zip(names, meaning) if meant == column]
        if len(written) > 1:
            raise LedgerError(f"{path}: the header names {_listed(written)}, which all stand for column {column!r}; "
                              f"keep one of them")
    written, names = names, meaning
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise LedgerError(f"{path}: the ledger has no column {', '.join(missing)}; required: {', '.join(REQUIRED)} "
                          f"(in Estonian: {', '.join(COLUMN_NAMES[name][0] for name in REQUIRED)}); "
                          f"its header has {_listed(written) or 'no names'}")
    taken = [name for name in ADDED if name in names]
    if taken:
        raise LedgerError(f"{path}: the ledger already has a column {_listed(taken)}, which the verdicts are written "
                          f"to; rename or drop it (is this a file of verdicts?)")


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
        raise LedgerError(f"no text encoding is named {name!r}; for instance utf-8, utf-16, utf-16-le, windows-1257")
    shown = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16", "utf-16-le": "UTF-16LE",
             "utf-16-be": "UTF-16BE", "cp1257": "Windows-1257"}.get(info.name, info.name)
    return info.name, f"{shown} (as named)"


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
        raise LedgerError(f"{path}: the ledger is empty; its first line names the columns: {','.join(REQUIRED)}")
    if "\x00" in text.splitlines()[0]:
        raise LedgerError(f"{path}: the header holds NUL bytes; is it UTF-16 without a byte-order mark? "
                          "Save the ledger as UTF-8 (or UTF-16 with a byte-order mark), or name its encoding "
                          "(check-costs --encoding utf-16-le)")
    separator, names = _header(text)
    if not whole and len(text.splitlines()) < 2:
        raise LedgerError(f"{path}: the first line is longer than {_HEAD_BYTES} bytes; is this a ledger?")
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
                problem = problem or (f"line {line} has {len(record)} field{'s' if len(record) != 1 else ''} where "
                                      f"the header has {width} (separator {ledger.source.separator!r})"
                                      f"{_extra(record[width:])}")
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
            yield end + 1, [], f"line {end + 1} cannot be read: {error}"
            end = reader.line_num
            continue
        start, end = end + 1, reader.line_num
        if record:
            yield start, record, ""


def _extra(fields: list[str]) -> str:
    shown = ", ".join(repr(field[:40]) for field in fields[:5])
    return f"; fields past the last column: {shown}{', …' if len(fields) > 5 else ''}" if fields else ""


def _rows(ledger: Ledger, rows: list[list[str]], problems: list[str]) -> Rows:
    """Rows read by the csv module as a batch; a row with bytes the encoding cannot read is invalid input."""
    if _MARK in "".join(map("".join, rows)):
        for index, row in enumerate(rows):
            if any(_MARK in field for field in row):
                rows[index] = [field.replace(_MARK, "\ufffd") for field in row]
                problems[index] = problems[index] or f"the row holds bytes that are not {ledger.source.encoding} text"
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


@frozen
class Checked:
    """A batch read into arrays, and why each bad row is bad ("" when good)."""

    lines: Lines
    problems: np.ndarray  # object array of str


def check(batch: pa.RecordBatch, vocabulary: Vocabulary, unread: np.ndarray | None = None) -> Checked:
    """Each row read into values, or the first reason it cannot be (``unread``: rows the reader could not take)."""
    missing = [name for name in REQUIRED if name not in batch.schema.names]
    if missing:
        raise LedgerError(f"the ledger has no column {', '.join(missing)}; required: {', '.join(REQUIRED)}")
    size = batch.num_rows
    problems = np.full(size, "", dtype=object) if unread is None else unread.copy()

    def column(name: str) -> pa.Array:
        return batch.column(name) if name in batch.schema.names else pa.array([""] * size, pa.string())

    def complain(bad: np.ndarray, text) -> None:
        for row in np.nonzero(bad & (problems == ""))[0]:
            problems[row] = text(row) if callable(text) else text

    texts = {name: column(name) for name in REQUIRED + OPTIONAL}
    activity = _codes(texts["activity"])
    complain(~activity.isin(vocabulary.activities),
             lambda row: f"unknown activity {activity[row]!r}; one of {', '.join(sorted(vocabulary.activities))}")
    written = _codes(texts["party"])
    party = _parties(written, vocabulary)
    complain(party.eq(""), lambda row: f"party {written[row]!r} is not implementer, partner or a body the directive "
                                       f"names as one: {vocabulary.named()}")
    category = _codes(texts["category"])
    complain(~category.isin(vocabulary.categories),
             lambda row: f"unknown category {category[row]!r}; a cost category is the point that names it"
                         + (f", such as {min(vocabulary.categories, key=_label_order)}" if vocabulary.categories else ""))
    days = {}
    for name in ("incurred_on", "paid_on"):
        days[name], bad = _days(texts[name])
        complain(bad, lambda row, name=name: _date_problem(name, texts[name][row].as_py()))
    amount, bad_amount = _cents(texts["amount"])
    complain(bad_amount, lambda row: _money_problem("amount", texts["amount"][row].as_py()))
    unexplained = np.asarray(pc.equal(pc.utf8_trim_whitespace(texts["note"]), "").to_numpy(zero_copy_only=False), dtype=bool)
    complain((amount < 0) & unexplained, "a negative amount without a note saying why")
    excess, bad_excess = _cents(pc.if_else(pc.equal(texts["excess"], ""), "0", texts["excess"]))
    complain(bad_excess | (excess < 0), "excess is not a non-negative amount in euros")
    flags = {}
    for name in ("on_documents", "written_proof"):
        value = pc.utf8_lower(pc.utf8_trim_whitespace(texts[name]))
        flags[name] = np.asarray(pc.is_in(value, pa.array(_TRUE)).to_numpy(zero_copy_only=False), dtype=bool)
        known = np.asarray(pc.is_in(value, pa.array(_TRUE + _FALSE)).to_numpy(zero_copy_only=False), dtype=bool)
        complain(~known, f"{name} is not true or false")
    mode = _codes(texts["mode"])
    lines = Lines(activity, party, category, days["incurred_on"], days["paid_on"], amount,
                  flags["on_documents"], flags["written_proof"], mode, excess)
    return Checked(lines, problems)


def _label_order(label: str) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in label.split("."))


def _parties(written: Codes, vocabulary: Vocabulary) -> Codes:
    """The party column with every name of a body read as that body's name."""
    meant = [vocabulary.party(PARTY_NAMES.get(_folded(value), value)) for value in written.values]
    values = sorted(set(meant))
    lookup = np.array([values.index(value) for value in meant], dtype=np.int32)
    return Codes(lookup[written.codes] if len(lookup) else written.codes, tuple(values))


def _codes(text: pa.Array) -> Codes:
    encoded = pc.dictionary_encode(pc.utf8_trim_whitespace(text))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    return Codes(np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int32),
                 tuple(encoded.dictionary.to_pylist()))


def _days(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers (since 1970-01-01) of dates written in a form of ``dates.FORMS``, and which rows are not
    such a date: not written so, not a day (2015-06-31), or outside ``dates.FIRST`` to ``dates.LAST``.
    Read from the bytes of the column, as ``DateForm.fields`` reads one text."""
    offsets, data = _buffers(text)
    if (_first_bytes(offsets, data, _SPACES) | _first_bytes(offsets, data, _SPACES, last=True)).any():
        offsets, data = _buffers(pc.utf8_trim(text, dates.SPACE))
    numbers, read = np.zeros(len(text), dtype=np.int64), np.zeros(len(text), dtype=bool)
    first, last = (int(limit.strftime("%Y%m%d")) for limit in (dates.FIRST, dates.LAST))
    for form in dates.FORMS:
        rows = np.nonzero((offsets[1:] - offsets[:-1] == len(form.shape)) & ~read)[0]
        starts, written = offsets[rows].astype(np.int64), np.ones(len(rows), dtype=bool)
        fields = {letter: np.zeros(len(rows), dtype=np.int64) for letter in "YMD"}
        for at, wanted in enumerate(form.shape):  # one byte position at a time: no rows × width matrix
            char = data[starts + at]
            if wanted in fields:
                written &= (char >= 48) & (char <= 57)
                fields[wanted] = fields[wanted] * 10 + (char.astype(np.int64) - 48)
            else:
                written &= char == ord(wanted)
        rows = rows[written]
        year, month, day = (fields[letter][written] for letter in "YMD")
        key = year * 10_000 + month * 100 + day
        good = _exists(year, month, day) & (key >= first) & (key <= last)
        numbers[rows[good]] = _day_numbers(year[good], month[good], day[good])
        read[rows[good]] = True
    return numbers, ~read


def _byte_set(chars: str) -> np.ndarray:
    """A lookup table: which of the 256 byte values are among ``chars`` (ASCII)."""
    table = np.zeros(256, dtype=bool)
    table[list(chars.encode("ascii"))] = True
    return table


_SPACES = _byte_set(dates.SPACE)
_LOCAL_MARKS = _byte_set(", ") | np.isin(np.arange(256), [0xC2, 0xE2])  # a comma, a space, lead bytes of U+00A0, U+202F


def _first_bytes(offsets: np.ndarray, data: np.ndarray, among: np.ndarray, last: bool = False) -> np.ndarray:
    """Which rows start (or end) with a byte of the set ``among``; empty rows do not."""
    filled = offsets[1:] > offsets[:-1]
    if not len(data):
        return filled
    at = np.minimum(offsets[1:] - 1 if last else offsets[:-1], len(data) - 1)
    return filled & among[data[at]]


def _buffers(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and bytes of a string column, without copying: row i is ``data[offsets[i]:offsets[i + 1]]``."""
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if text.type != pa.string():
        text = text.cast(pa.string())
    _, offsets, data = text.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int32)[text.offset:text.offset + len(text) + 1] if len(text) else np.zeros(1, np.int32)
    return offsets, (np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8))


def _exists(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether each (year, month, day) names a day of the Gregorian calendar."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    length = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)] + ((month == 2) & leap)
    return (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= length)


def _day_numbers(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of existing dates (H. Hinnant's days_from_civil, in integers)."""
    year = year - (month <= 2)
    era = year // 400
    of_era = year - era * 400
    of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    return era * 146_097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year - 719_468


def _date_problem(name: str, text: str) -> str:
    return f"{name} {dates.problem(text) or f'{text!r} is not a date; {dates.TEACH}'}"


def _money_problem(name: str, text: str) -> str:
    """Why an amount is not read, after the module's one rule for amounts."""
    bare = text.strip()
    if "." in bare and "," in bare:
        why = ("it holds both '.' and ','; which of them marks the decimals is not guessed: group thousands "
               "with a space, e.g. 1 234,50")
    elif re.fullmatch(r"-?[0-9]+\.[0-9]{6,}", bare):  # a spreadsheet's computed number, e.g. 0.30000000000000004
        why = "euros have at most two decimals; a computed number in a spreadsheet is rounded to cents there, e.g. with ROUND(…; 2)"
    elif re.search(r"[.,][0-9]{3}(?![0-9])", bare):
        mark = re.search(r"[.,]", bare).group()
        why = (f"a {mark!r} before three digits would group thousands, which is not guessed: "
               f"group thousands with a space (1 234) and write at most two decimals")
    else:
        why = "euros are written with at most two decimals after '.' or ',', thousands grouped by spaces, e.g. 2 500,00"
    return f"{name} {text!r} is not an amount: {why}"


def _bools(array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=bool)


def _cents(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    trimmed = pc.utf8_trim_whitespace(text)
    good = pc.match_substring_regex(trimmed, _MONEY)
    plain = pc.if_else(good, trimmed, "0")
    _, data = _buffers(plain)
    if _LOCAL_MARKS[data].any():  # written the Estonian way: 2 500,00
        plain = pc.replace_substring(pc.replace_substring_regex(plain, _GROUP, ""), ",", ".")
    decimals = pc.cast(plain, pa.decimal128(18, 2))
    cents = pc.cast(pc.multiply(decimals, pa.scalar(100, pa.decimal128(5, 0))), pa.int64())
    return (np.asarray(cents.to_numpy(zero_copy_only=False), dtype=np.int64),
            ~np.asarray(good.to_numpy(zero_copy_only=False), dtype=bool))


def judge_batch(law: Law, batch: pa.RecordBatch, as_of: dt.date, vocabulary: Vocabulary,
                unread: np.ndarray | None = None) -> tuple[pa.RecordBatch, Judged, Checked]:
    """The batch with three more columns: verdict, eligible_amount, reasons."""
    checked = check(batch, vocabulary, unread)
    judged = judge(law, checked.lines, as_of)
    invalid = checked.problems != ""
    verdict = np.where(invalid, INVALID, judged.verdict).astype(np.int8)
    eligible = np.where(invalid, 0, judged.eligible)
    said: dict[int, str] = {}  # a reason stands in many sets: written once
    reasons = _strings(judged.reason, ["; ".join([said.get(id(reason)) or said.setdefault(id(reason), str(reason))
                                                  for reason in found]) for found in judged.table])
    if invalid.any():
        reasons = pc.if_else(pa.array(invalid), pa.array(checked.problems.astype(str)), reasons)
    added = {"verdict": _strings(verdict, VERDICTS), "eligible_amount": _euros(eligible), "reasons": reasons}
    out = pa.RecordBatch.from_arrays([*batch.columns, *added.values()], names=[*batch.schema.names, *added])
    return out, Judged(verdict, eligible, judged.reason, judged.table), checked


@frozen
class Cost:
    """One cost line, as an auditor states it (the ledger's columns, as text or values)."""

    activity: str
    party: str
    category: str
    incurred_on: dt.date | str
    paid_on: dt.date | str
    amount: Decimal | str
    on_documents: bool = False
    written_proof: bool = False
    mode: str = ""
    excess: Decimal | str = "0"
    note: str = ""
    line: str = ""


@frozen
class Verdict:
    verdict: str
    eligible: Decimal
    reasons: str


def judge_cost(law: Law, cost: Cost, as_of: dt.date) -> Verdict:
    """One cost judged through the ledger path: a ledger of one line."""
    require(law)
    row = {field: [_text(getattr(cost, field))] for field in REQUIRED + OPTIONAL}
    out, _, _ = judge_batch(law, pa.RecordBatch.from_pydict(row), as_of, Vocabulary.of(law))
    record = out.to_pylist()[0]
    return Verdict(record["verdict"], Decimal(record["eligible_amount"]), record["reasons"])


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _strings(codes: np.ndarray, values) -> pa.Array:
    """Text for each row, from codes into a short list of strings."""
    return pc.cast(pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(list(values), pa.string())),
                   pa.string())


def _euros(cents: np.ndarray) -> pa.Array:
    """Cents as exact euro strings: -1050 -> "-10.50"."""
    whole, part = np.divmod(np.abs(cents), 100)
    sign = pa.array(np.where(cents < 0, "-", ""))
    fraction = pc.utf8_lpad(pc.cast(pa.array(part), pa.string()), 2, "0")
    return pc.binary_join_element_wise(sign, pc.cast(pa.array(whole), pa.string()), ".", fraction, "")


# --- the whole run ------------------------------------------------------------


@frozen
class Problem:
    """A row judged "invalid input": its number among the data rows (1 = the first below the header) and why."""

    row: int
    reason: str


@frozen
class Total:
    """The lines of one activity with one verdict: how many, their amount and what is eligible (cents)."""

    activity: str
    verdict: str
    lines: int
    amount: int
    eligible: int


@frozen
class Indirect:
    """Indirect costs due at the flat rate (a ``flat_rate`` fact) on an activity's eligible costs of its base category."""

    activity: str
    direct_personnel: int  # cents
    percent: Decimal
    entitlement: int  # cents


@frozen
class BudgetLine:
    """An activity's eligible amount against its budget and the budget's ESF and national parts
    (cents; None: not in the sources on the decision date)."""

    activity: str
    eligible: int
    budget: int | None
    esf: int | None
    national: int | None

    @property
    def over(self) -> bool:
        return self.budget is not None and self.eligible > self.budget


@frozen
class Summary:
    """Totals of a checked ledger, per activity and verdict, against the budget."""

    rows: int
    totals: tuple[Total, ...]  # by activity, then verdict
    indirect: tuple[Indirect, ...]
    budget: tuple[BudgetLine, ...]
    law_on: dt.date
    source: Source | None = None  # how the file was read (encoding, separator)
    problems: tuple[Problem, ...] = ()  # the first invalid rows, at most SHOWN_PROBLEMS
    invalid: int = 0  # how many rows are invalid input
    rate_point: str | None = None  # the point of the flat rate (a ``flat_rate`` fact), when one is in force
    budget_point: str | None = None  # the point of the budget lines (``budget`` facts), when any are in force

    def total(self, activity: str, verdict: str) -> Total | None:
        return next((t for t in self.totals if (t.activity, t.verdict) == (activity, verdict)), None)


SHOWN_PROBLEMS = 20


def check_ledger(law: Law, source: Path, target: Path | None, as_of: dt.date, progress: bool | None = None,
                 encoding: str | None = None) -> Summary:
    """Judge every line of ``source`` and write them, with verdicts, to ``target`` (whole or not at all);
    ``encoding`` names a CSV ledger's encoding where detecting it is not wanted (see :func:`open_ledger`)."""
    require(law)
    ledger = open_ledger(source, encoding)
    try:
        return _check(law, ledger, target, as_of, progress)
    except _Untidy:  # the quick reading met an untidy row: start again, keeping every row in its place
        return _check(law, ledger.read_tolerantly(), target, as_of, progress)


def _check(law: Law, ledger: Ledger, target: Path | None, as_of: dt.date, progress: bool | None) -> Summary:
    vocabulary = Vocabulary.of(law)
    totals: dict = defaultdict(lambda: [0, 0, 0])
    personnel: dict = defaultdict(int)
    direct = _direct_personnel(law, as_of)
    rows, invalid, problems = 0, 0, []
    written = [*ledger.names, *ADDED]  # the output keeps the input's names; the rules read the meanings
    schema = pa.schema([(name, pa.string()) for name in written])
    bar = _progress(ledger.path, progress)
    try:
        with _Output(target, schema, ledger.source) as output:
            for read in _slices(ledger.batches()):
                meant = read.batch.rename_columns(list(ledger.meaning or ledger.names))
                out, judged, checked = judge_batch(law, meant, as_of, vocabulary, read.problems)
                out = out.rename_columns(written)
                _add(totals, personnel, checked.lines, judged, direct)
                bad = np.nonzero(checked.problems != "")[0]
                problems += [Problem(rows + int(row) + 1, checked.problems[row])
                             for row in bad[:max(0, SHOWN_PROBLEMS - len(problems))]]
                rows, invalid = rows + read.batch.num_rows, invalid + len(bad)
                output.write(out)
                if bar is not None:
                    bar.update(read.batch.num_rows)
            named = tuple(Total(activity, verdict, *sums) for (activity, verdict), sums in sorted(totals.items()))
            snapshot = law.on(as_of)
            rate, budget = snapshot.fact("flat_rate"), snapshot.fact("budget")
            summary = Summary(rows, named, _indirect(law, as_of, personnel), _budget(law, as_of, named), as_of,
                              ledger.source, tuple(problems), invalid, rate.label if rate else None,
                              budget.label if budget else None)
            output.summarise(summary)
    finally:
        if bar is not None:
            bar.close()
    return summary


_JUDGED_ROWS = 32_768  # judged and written at a time: the reasons' text of a slice is a few MiB, whatever the file's size


def _slices(batches: Iterator[Rows]) -> Iterator[Rows]:
    """The batches as read, cut into slices of at most ``_JUDGED_ROWS`` rows (views, not copies), so that
    the memory a run takes is bounded by a slice, not by the reader's block."""
    for read in batches:
        for start in range(0, read.batch.num_rows, _JUDGED_ROWS):
            problems = None if read.problems is None else read.problems[start:start + _JUDGED_ROWS]
            yield Rows(read.batch.slice(start, _JUDGED_ROWS), problems)


def _progress(source: Path, wanted: bool | None):
    if wanted is False or (wanted is None and not sys.stderr.isatty()):
        return None
    from tqdm import tqdm

    return tqdm(unit=" lines", unit_scale=True, desc=source.name, file=sys.stderr)


def _add(totals, personnel, lines: Lines, judged: Judged, direct: str | None) -> None:
    activities = lines.activity.values
    keys = lines.activity.codes.astype(np.int64) * len(VERDICTS) + judged.verdict
    size = len(activities) * len(VERDICTS)
    counts = np.bincount(keys, minlength=size)
    amounts, eligible = _sums(keys, lines.amount, size), _sums(keys, judged.eligible, size)
    for key in np.nonzero(counts)[0]:
        entry = totals[str(activities[key // len(VERDICTS)]), VERDICTS[key % len(VERDICTS)]]
        entry[0] += int(counts[key])
        entry[1] += amounts[key]
        entry[2] += eligible[key]
    if direct is not None:
        mine = lines.category.eq(direct) & (judged.verdict <= PARTIAL)  # eligible or partially eligible
        keys = np.where(mine, lines.activity.codes, len(activities)).astype(np.int64)
        for activity, cents in zip(activities, _sums(keys, judged.eligible, len(activities))):
            if cents:
                personnel[activity] += cents


def _sums(keys: np.ndarray, cents: np.ndarray, size: int) -> list[int]:
    """Exact sums of ``cents`` per key, as Python ints.

    A float sum of large cents rounds, and an int64 sum of many can overflow; so each value is
    split into a high and a low part of 32 bits, and each part is summed over at most 2^20 rows,
    where every partial sum stays below 2^53 and a float holds it exactly."""
    sums = [0] * size
    cents = np.asarray(cents, dtype=np.int64)
    for start in range(0, len(keys), 1 << 20):
        part = slice(start, start + (1 << 20))
        high, low = np.divmod(cents[part], 1 << 32)
        high_sums = np.bincount(keys[part], weights=high, minlength=size)
        low_sums = np.bincount(keys[part], weights=low, minlength=size)
        for key in range(size):
            sums[key] += (int(high_sums[key]) << 32) + int(low_sums[key])
    return sums


def _direct_personnel(law: Law, on: dt.date) -> str | None:
    """The category point whose name is the base of the flat rate (a ``flat_rate`` fact)."""
    snapshot = law.on(on)
    rate = snapshot.fact("flat_rate")
    if rate is None or not isinstance(rate.value, m.Rate):
        return None
    return next((view.label for view in snapshot.facts("category")
                 if isinstance(view.value, m.Category) and view.value.name == rate.value.base), None)


def _indirect(law: Law, on: dt.date, personnel: dict) -> tuple[Indirect, ...]:
    rate = law.on(on).fact("flat_rate")
    if rate is None or not isinstance(rate.value, m.Rate):
        return ()
    percent = rate.value.percent
    return tuple(Indirect(activity, cents, percent, int(Decimal(cents) * percent / 100))
                 for activity, cents in sorted(personnel.items()))


def _budget(law: Law, on: dt.date, totals: tuple[Total, ...]) -> tuple[BudgetLine, ...]:
    """Eligible amounts against each activity's budget and its ESF / national shares: the ``budget``
    facts, each naming its activity and share (``total`` when it names none)."""
    budget: dict[str, dict] = defaultdict(dict)
    for view in law.on(on).facts("budget"):
        if isinstance(view.value, m.Amount):
            conditions = dict(view.value.conditions)
            if "activity" in conditions:
                budget[conditions["activity"]][conditions.get("share", "total")] = int(view.value.value * 100)
    eligible: dict[str, int] = defaultdict(int)
    for total in totals:
        eligible[total.activity] += total.eligible
    shown = set(budget) | {activity for activity, cents in eligible.items() if cents}
    return tuple(BudgetLine(activity, eligible.get(activity, 0), budget.get(activity, {}).get("total"),
                            budget.get(activity, {}).get("esf"), budget.get(activity, {}).get("national"))
                 for activity in sorted(shown))


class _Output:
    """Verdicts written beside the target and renamed into it only when every row is written: a run
    that fails leaves no partial file, and the old file (if any) untouched; a run of no rows writes
    a header."""

    def __init__(self, target: Path | None, schema: pa.Schema, source: Source | None = None):
        self.target, self.temporary, self.writer = target, None, None
        if target is None:
            return
        suffix = target.suffix.lower()
        if suffix not in (".csv", ".parquet", ".json", ".jsonl", ".xlsx"):
            raise QueryError(f"{target}: write verdicts to a .csv, .xlsx, .parquet or .json file")
        self.temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        os.close(os.open(self.temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # never through a planted link
        try:
            if suffix == ".csv":
                self.writer = _FormulaSafeCsv(self.temporary, schema, source)
            elif suffix == ".xlsx":
                self.writer = workbook.Writer(self.temporary, schema.names)
            elif suffix == ".parquet":
                self.writer = pq.ParquetWriter(self.temporary, schema)
            else:
                self.writer = _JsonLines(self.temporary)
        except BaseException:
            self.temporary.unlink(missing_ok=True)
            raise

    def write(self, batch: pa.RecordBatch) -> None:
        if self.writer is not None:
            self.writer.write(batch)

    def summarise(self, summary: Summary) -> None:
        """Add the summary, for writers that hold one (a workbook's summary sheet)."""
        if hasattr(self.writer, "summarise"):
            self.writer.summarise(summary)

    def __enter__(self) -> _Output:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if self.writer is None:
            return
        try:
            self.writer.close()
            if kind is None:
                os.replace(self.temporary, self.target)
        finally:
            if self.temporary.exists():
                self.temporary.unlink()


class _FormulaSafeCsv:
    """CSV for spreadsheets: a text cell that Excel would run as a formula (it starts with = + - @, a tab
    or a carriage return) is written after a single quote, the OWASP recipe; numbers such as -12.50
    (or -2 500,00) stay numbers. Written in the input's dialect: its separator, and the eligible
    amount with a decimal comma when the input's amounts had one; in UTF-8, after a byte-order mark
    when the input was a workbook or not plain UTF-8 (Excel reads a file without one as the Windows
    code page)."""

    RISKY = "=+-@\t\r"  # first characters of a formula (OWASP, CSV injection)
    STARTS = _byte_set(RISKY)
    ROWS = 32_768
    NUMBER = "^-?[0-9]+(\\.[0-9]+)?$|^-?[0-9]{1,3}([ \u00a0\u202f][0-9]{3})*(,[0-9]+)?$"

    def __init__(self, path: Path, schema: pa.Schema, source: Source | None = None):
        self.names = [_safe(name) for name in schema.names]
        self.comma = source is not None and source.decimal_comma
        separator = source.separator if source is not None and source.separator else ";" if self.comma else ","
        self.handle = open(path, "wb")
        if source is not None and (source.format == workbook.FORMAT or source.encoding not in ("", _ENCODINGS["utf-8"])):
            self.handle.write(codecs.BOM_UTF8)
        self.writer = pacsv.CSVWriter(self.handle, pa.schema([(name, pa.string()) for name in self.names]),
                                      write_options=pacsv.WriteOptions(delimiter=separator))

    def write(self, batch: pa.RecordBatch) -> None:
        if self.comma:
            at = batch.schema.names.index("eligible_amount")
            batch = batch.set_column(at, "eligible_amount", pc.replace_substring(batch.column(at), ".", ","))
        for start in range(0, batch.num_rows, self.ROWS):  # slices: a column rewritten is a small copy
            columns = [self._safe(column) for column in batch.slice(start, self.ROWS).columns]
            self.writer.write(pa.RecordBatch.from_arrays(columns, names=self.names))

    def _safe(self, column: pa.Array) -> pa.Array:
        risky = _first_bytes(*_buffers(column), self.STARTS)
        if not risky.any():
            return column
        cells = column.filter(pa.array(risky))
        formula = ~_bools(pc.match_substring_regex(cells, self.NUMBER))
        risky[risky] = formula
        quoted = pc.binary_join_element_wise("'", cells.filter(pa.array(formula)), "")
        order = np.arange(len(column))  # each row from the column, or its quoted text after the column
        order[risky] = len(column) + np.arange(len(quoted))
        return pa.chunked_array([column, quoted]).take(pa.array(order)).combine_chunks()

    def close(self) -> None:
        try:
            self.writer.close()
        finally:
            self.handle.close()


def _safe(text: str) -> str:
    """A header name as _FormulaSafeCsv writes cells."""
    risky = text[:1] and text[0] in _FormulaSafeCsv.RISKY and not re.match(_FormulaSafeCsv.NUMBER, text, re.ASCII)
    return f"'{text}" if risky else text


class _JsonLines:
    """One JSON object a line, one line a cost line: what ``json.dumps(row, ensure_ascii=False)`` writes,
    built a column at a time (quotes and backslashes escaped in place); a row holding a control character,
    which JSON writes as an escape, is written by ``json.dumps`` itself."""

    CONTROL = "[\\x00-\\x1f]"

    def __init__(self, target: Path):
        self.handle = open(target, "wb")

    def write(self, batch: pa.RecordBatch) -> None:
        parts: list = []
        control = np.zeros(batch.num_rows, dtype=bool)
        for at, (name, column) in enumerate(zip(batch.schema.names, batch.columns)):
            column = pc.fill_null(column.cast(pa.string()), "")
            _, data = _buffers(column)  # the whole buffer: a byte outside the rows only costs a needless pass
            if (data < 0x20).any():
                control |= _bools(pc.match_substring_regex(column, self.CONTROL))
            if _QUOTING[data].any():
                column = pc.replace_substring(pc.replace_substring(column, "\\", "\\\\"), '"', '\\"')
            parts += [("{" if at == 0 else '", ') + json.dumps(name, ensure_ascii=False) + ': "', column]
        if not parts:
            self.handle.write(b"{}\n" * batch.num_rows)
            return
        lines = pc.binary_join_element_wise(*parts, '"}\n', "")
        if control.any():
            rows = np.nonzero(control)[0]
            exact = batch.take(pa.array(rows)).to_pylist()
            fixed = np.full(batch.num_rows, None, dtype=object)
            fixed[rows] = [json.dumps(row, ensure_ascii=False) + "\n" for row in exact]
            lines = pc.if_else(pa.array(control), pa.array(fixed, pa.string()), lines)
        self.handle.write(_joined(lines))

    def close(self) -> None:
        self.handle.close()


_QUOTING = _byte_set('"\\')  # bytes JSON escapes in a string, besides control characters


def _joined(lines: pa.Array) -> memoryview:
    """The text of a string column with no nulls, end to end, without copying: its data buffer between the first
    and the last offset."""
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    offsets, data = _buffers(lines)
    return memoryview(data)[offsets[0]:offsets[-1]]
