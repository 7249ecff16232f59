"""Verdicts written: CSV in the input's dialect (formula-safe), Parquet, JSON lines or an .xlsx workbook,
each streamed batch by batch into a temporary file renamed into place when every row is written.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import stamped, workbook
from ..errors import QueryError
from ..messages import say
from .ledger_read import _ENCODINGS, Source
from .ledger_values import _bools, _buffers, _byte_set, _first_bytes

if TYPE_CHECKING:
    from .ledger import Summary

class _Output:
    """Verdicts written beside the target and renamed into it only when every row is written: a run
    that fails leaves no partial file, and the old file (if any) untouched; a run of no rows writes
    a header."""

    def __init__(self, target: Path | None, schema: pa.Schema, source: Source | None = None, stamp=None):
        self.target, self.temporary, self.writer, self.stamp = target, None, None, stamp
        if target is None:
            return
        suffix = target.suffix.lower()
        if suffix not in (".csv", ".parquet", ".json", ".jsonl", ".xlsx"):
            raise QueryError(say("{path}: write verdicts to a .csv, .xlsx, .parquet or .json file", path=target))
        self.temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        os.close(os.open(self.temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # never through a planted link
        try:
            if suffix == ".csv":
                self.writer = _FormulaSafeCsv(self.temporary, schema, source)
            elif suffix == ".xlsx":
                self.writer = workbook.Writer(self.temporary, schema.names, stamp)
            elif suffix == ".parquet":
                self.writer = pq.ParquetWriter(self.temporary, stamped.parquet_schema(schema, stamp))
            else:
                self.writer = _JsonLines(self.temporary)
        except BaseException:
            self.temporary.unlink(missing_ok=True)
            raise

    def write(self, batch: pa.RecordBatch) -> None:
        """Write a batch of text columns; a column may be a dictionary array of text (the CSV writer turns
        it into text in its thread, the others here)."""
        if self.writer is None:
            return
        if not isinstance(self.writer, _FormulaSafeCsv):
            batch = _decoded(batch)
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
                # CSV, JSON lines: the stamp beside the file, with the hash its writer worked out
                stamped.seal(self.temporary, self.target, self.stamp, getattr(self.writer, "sha256", None))
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
        # each slice formatted in memory and handed to the file whole (written and hashed in a thread), the
        # bytes pyarrow's CSVWriter would write
        self.options = pacsv.WriteOptions(delimiter=separator, include_header=False)
        header = _csv(pa.schema([(name, pa.string()) for name in self.names]).empty_table(),
                      pacsv.WriteOptions(delimiter=separator))
        self.handle = stamped.Sealing(path)
        if source is not None and (source.format == workbook.FORMAT or source.encoding not in ("", _ENCODINGS["utf-8"])):
            self.handle.write(codecs.BOM_UTF8)
        self.handle.write(header)

    def write(self, batch: pa.RecordBatch) -> None:
        """The batch formatted and written in the writer's thread, while the next one is judged."""
        self.handle.write_made(self._formatted, batch)

    def _formatted(self, batch: pa.RecordBatch) -> list[pa.Buffer]:
        made_safe = {at for at, column in enumerate(batch.columns) if pa.types.is_dictionary(column.type)}
        batch = _decoded(batch, self._safe)  # a dictionary's few values made safe, not each of its rows
        if self.comma:
            at = batch.schema.names.index("eligible_amount")
            batch = batch.set_column(at, "eligible_amount", pc.replace_substring(batch.column(at), ".", ","))
        blocks = []
        for start in range(0, batch.num_rows, self.ROWS):  # slices: a column rewritten is a small copy
            columns = [column if at in made_safe else self._safe(column)
                       for at, column in enumerate(batch.slice(start, self.ROWS).columns)]
            blocks.append(_csv(pa.RecordBatch.from_arrays(columns, names=self.names), self.options))
        return blocks

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
        self.handle.close()

    @property
    def sha256(self) -> str:
        return self.handle.sha256


def _decoded(batch: pa.RecordBatch, safe=None) -> pa.RecordBatch:
    """The batch with each dictionary column as text (its values first passed through ``safe``)."""
    if not any(pa.types.is_dictionary(column.type) for column in batch.columns):
        return batch
    columns = []
    for column in batch.columns:
        if pa.types.is_dictionary(column.type):
            values = safe(column.dictionary) if safe is not None else column.dictionary
            column = pc.cast(pa.DictionaryArray.from_arrays(column.indices, values), pa.string())
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _csv(rows: pa.RecordBatch | pa.Table, options: pacsv.WriteOptions) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    pacsv.write_csv(rows, sink, options)
    return sink.getvalue()


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
        self.handle = stamped.Sealing(target)

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

    @property
    def sha256(self) -> str:
        return self.handle.sha256


_QUOTING = _byte_set('"\\')  # bytes JSON escapes in a string, besides control characters


def _joined(lines: pa.Array) -> memoryview:
    """The text of a string column with no nulls, end to end, without copying: its data buffer between the first
    and the last offset."""
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    offsets, data = _buffers(lines)
    return memoryview(data)[offsets[0]:offsets[-1]]
