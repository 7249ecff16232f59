"""Ledgers as Excel workbooks (.xlsx), read and written with openpyxl.

Reading takes the first sheet, streamed (read-only mode), every cell as the text it stands for: a
date cell as YYYY-MM-DD, a number as its shortest decimal writing (2500, 45.6), a formula as the value
Excel last computed for it (the workbook's cache: nothing is evaluated, no macro runs). Blank rows
are skipped, as in a CSV ledger; a row with values past the header's last column is invalid input.

Writing gives a sheet of verdicts (the input's cells as read, and the three verdict columns) and a
summary sheet. Every text cell is written as text, never as a formula, whatever it starts with.
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from ..errors import LedgerError, QueryError

FORMAT = "Excel workbook"
# what openpyxl raises on a damaged or hostile file: a broken zip, deflate stream or XML (the XML parsers'
# errors, expat's and lxml's, are SyntaxErrors), a missing part
_BROKEN = (zipfile.BadZipFile, zlib.error, SyntaxError, EOFError, KeyError, IndexError, ValueError, TypeError,
           AttributeError, OSError, NotImplementedError, RuntimeError)
MAX_ROWS = 1_048_576  # a sheet's rows in Excel, the header among them


def _workbook(path: Path):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, *_BROKEN) as error:
        hint = "; a workbook saved with a password is no zip file: save it without one" if isinstance(
            error, zipfile.BadZipFile) else ""
        raise LedgerError(f"{path}: not an .xlsx workbook that can be read: {_first_line(error)}{hint}") from None


def _first_line(error: Exception) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:200]


def text(value) -> str:
    """A cell's value as the ledger reads it: text, as a CSV ledger would hold it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)  # the shortest writing that is this float: 45.6, not 45.599999999999994
    return str(value)


def _sheet_rows(path: Path) -> Iterator[tuple[int, list]]:
    """Each non-blank row of the first sheet: its row number in the sheet and its values."""
    book = _workbook(path)
    try:
        if not book.worksheets:
            raise LedgerError(f"{path}: the workbook has no sheet")
        sheet = book.worksheets[0]
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
                if any(value is not None and value != "" for value in values):
                    yield number, list(values)
        except _BROKEN as error:
            raise LedgerError(f"{path}: the sheet cannot be read: {_first_line(error)}") from None
    finally:
        book.close()


def header(path: Path, most: int = 1000) -> tuple[tuple[str, ...], list[list[str]]]:
    """The column names (the first non-blank row) and, as text, the first ``most`` rows below it."""
    rows = _sheet_rows(path)
    try:
        first = next(rows, None)
        if first is None:
            raise LedgerError(f"{path}: the first sheet is empty; its first row names the columns")
        values = first[1]
        while values and values[-1] is None:
            values.pop()
        head = []
        for _, row in rows:
            head.append([text(value) for value in row])
            if len(head) >= most:
                break
    finally:
        rows.close()
    return tuple(text(value).strip() for value in values), head


def rows(path: Path, width: int, batch: int) -> Iterator[tuple[list[list[str]], list[str]]]:
    """The data rows as text in batches, each with why it cannot be read ("" when it can)."""
    found, problems = [], []
    records = _sheet_rows(path)
    next(records)  # the header, read already
    for number, values in records:
        cells = [text(value) for value in values]
        extra = [cell for cell in cells[width:] if cell]
        found.append((cells + [""] * width)[:width])
        problems.append(f"sheet row {number} has values past the last named column: "
                        f"{', '.join(repr(cell[:40]) for cell in extra[:5])}" if extra else "")
        if len(found) == batch:
            yield found, problems
            found, problems = [], []
    if found:
        yield found, problems


class Writer:
    """Verdicts as a workbook: a sheet of the rows, then a summary sheet; streamed (write-only mode)."""

    def __init__(self, path: Path, names: list[str], stamp=None):
        from openpyxl import Workbook

        self.path, self.rows, self.stamp = path, 0, stamp
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet("verdicts")
        self.sheet.append([self._cell(name) for name in names])

    def _cell(self, value):
        """A value as openpyxl appends it; a text it would take for a formula, or could not write (control
        characters, which XML cannot hold: shown as U+FFFD), as a cell made text."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        if isinstance(value, str) and (value.startswith("=") or ILLEGAL_CHARACTERS_RE.search(value)):
            cell = WriteOnlyCell(self.sheet, ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
            cell.data_type = "s"  # text, never a formula, whatever it starts with
            return cell
        return value

    def write(self, batch: pa.RecordBatch) -> None:
        self.rows += batch.num_rows
        if self.rows >= MAX_ROWS:
            raise QueryError(f"{self.path.name}: an .xlsx sheet holds at most {MAX_ROWS - 1} rows below its header; "
                             f"write the verdicts to .csv or .parquet")
        amounts = batch.schema.names.index("eligible_amount")
        for row in zip(*(column.to_pylist() for column in batch.columns)):
            cells = [self._cell(value) for value in row]
            cells[amounts] = float(row[amounts])  # euros with two decimals: a float shows them exactly
            self.sheet.append(cells)

    def summarise(self, summary) -> None:
        sheet = self.book.create_sheet("summary")
        self.sheet, rows = sheet, summary_rows(summary)
        for row in rows:
            sheet.append([self._cell(value) for value in row])

    def close(self) -> None:
        if self.stamp is not None:  # a last sheet and the document's properties (stamped.py)
            from .stamped import SHEET, document_properties, sheet_rows

            self.sheet = self.book.create_sheet(SHEET)
            for row in sheet_rows(self.stamp):
                self.sheet.append([self._cell(value) for value in row])
            document_properties(self.book, self.stamp)
        self.book.save(self.path)


def summary_rows(summary) -> list[list]:
    """The summary of a checked ledger as rows of a sheet (euros as numbers)."""
    def euros(cents):
        return None if cents is None else cents / 100

    rows: list[list] = [["lines judged", summary.rows], ["as of", summary.law_on]]
    if summary.source is not None:
        source = summary.source
        rows.append(["read as", ", ".join(filter(None, (
            source.format, source.encoding, source.separator and f"fields separated by {source.separator!r}",
            source.decimal_comma and "decimal comma")))])
    rows.append(["invalid input", summary.invalid])
    rows += [[f"row {problem.row}", problem.reason] for problem in summary.problems]
    rows += [[], ["activity", "verdict", "lines", "amount", "eligible"]]
    rows += [[t.activity, t.verdict, t.lines, euros(t.amount), euros(t.eligible)] for t in summary.totals]
    if summary.indirect:
        rows += [[], ["indirect costs at the flat rate (7.1.3.2.2)"],
                 ["activity", "eligible direct personnel costs", "percent", "entitlement"]]
        rows += [[i.activity, euros(i.direct_personnel), float(i.percent), euros(i.entitlement)] for i in summary.indirect]
    rows += [[], ["eligible against the budget (section 6)"],
             ["activity", "eligible", "budget", "ESF part", "national part", "over budget"]]
    rows += [[b.activity, euros(b.eligible), *(euros(v) if v is not None else "not in the sources"
                                             for v in (b.budget, b.esf, b.national)), "yes" if b.over else ""]
             for b in summary.budget]
    return rows
