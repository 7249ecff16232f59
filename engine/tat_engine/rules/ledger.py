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
and encoded in UTF-8 (BOM or not), UTF-16 (BOM) or else Windows-1257, all detected (or its encoding
named: ``check_ledger(..., encoding="utf-16-le")``). A ledger is read, judged and written in slices
(:data:`_JUDGED_ROWS`), so the memory a run takes does not grow with the file; three at once, a stage
each: one read and checked (a thread), one judged, one written (a thread).
An ``.xlsx`` workbook is read from its first sheet: each cell as the text it shows (a date cell as
YYYY-MM-DD, a formula as its last computed value). Verdicts go to CSV (in the input's separator, with
decimal commas when the input's amounts had them), Parquet, JSON lines or ``.xlsx`` (a sheet of
verdicts and a summary sheet).
A file that is no ledger as a whole raises :class:`~tat_engine.errors.LedgerError`.

The stages, a module each: reading files into batches of text (:mod:`ledger_read`: dialects,
encodings, column names), reading text into values and why a row is invalid (:mod:`ledger_values`),
judging and summing up (here), writing the verdicts (:mod:`ledger_write`).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import sys
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from queue import Full, Queue

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from attrs import frozen

from .. import model as m
from ..law import Law
from ..messages import language
from .eligibility import INVALID, PARTIAL, VERDICTS, Judged, Lines, judge, require
from .ledger_read import (  # noqa: F401  (the stages' names, as the library and the tests know them from here)
    ADDED, COLUMN_NAMES, OPTIONAL, REQUIRED, Ledger, Rows, Source, _Untidy, _check_names, _meaning, codec, open_ledger)
from .ledger_values import (  # noqa: F401
    PARTY_NAMES, PARTY_ROLES, Checked, Vocabulary, check)
from .ledger_write import _JsonLines, _Output  # noqa: F401


def judge_batch(law: Law, batch: pa.RecordBatch, as_of: dt.date, vocabulary: Vocabulary,
                unread: np.ndarray | None = None, written: Written | None = None,
                checked: Checked | None = None, encoded: bool = False) -> tuple[pa.RecordBatch, Judged, Checked]:
    """The batch with three more columns: verdict, eligible_amount, reasons (``written``: the reasons' text
    met in earlier batches of the run; ``checked``: the batch read into values already, see :func:`check`;
    ``encoded``: verdict and reasons as dictionary arrays, for a writer that turns them into text itself)."""
    checked = checked if checked is not None else check(batch, vocabulary, unread)
    judged = judge(law, checked.lines, as_of)
    invalid = checked.problems != ""
    verdict = np.where(invalid, INVALID, judged.verdict).astype(np.int8)
    eligible = np.where(invalid, 0, judged.eligible)
    written = written if written is not None else Written()
    said: dict[int, str] = {}  # a reason stands in many sets: written once
    texts = ["; ".join([said.get(id(reason)) or said.setdefault(id(reason), written(reason)) for reason in found])
             for found in judged.table]
    codes = judged.reason
    if invalid.any():  # an invalid row's reason is why it cannot be read: its text joins the table, once
        rows = np.nonzero(invalid)[0]
        problems = [str(problem) for problem in checked.problems[rows].tolist()]
        at = {problem: len(texts) + index for index, problem in enumerate(dict.fromkeys(problems))}
        codes = judged.reason.copy()
        codes[rows] = [at[problem] for problem in problems]
        texts += list(at)
    added = {"verdict": _strings(verdict, VERDICTS, encoded), "eligible_amount": _euros(eligible),
             "reasons": _strings(codes, texts, encoded)}
    out = pa.RecordBatch.from_arrays([*batch.columns, *added.values()], names=[*batch.schema.names, *added])
    return out, Judged(verdict, eligible, judged.reason, judged.table), checked


class Written:
    """The text of reasons, remembered across a run's batches: each batch judges afresh and builds its
    reasons anew, but a ledger's lines meet the same few dozen findings, whose text is costly to render."""

    MOST = 4096  # reasons remembered; past it the memory starts again, so a run's memory stays bounded

    def __init__(self):
        self.texts: dict = {}

    def __call__(self, reason) -> str:
        try:
            key = (language(), reason)
            text = self.texts.get(key)
        except TypeError:  # a reason holding an unhashable value: written each time
            return str(reason)
        if text is None:
            if len(self.texts) >= self.MOST:
                self.texts.clear()
            text = self.texts[key] = str(reason)
        return text


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


def _strings(codes: np.ndarray, values, encoded: bool = False) -> pa.Array:
    """Text for each row, from codes into a short list of strings (``encoded``: left as those codes and strings)."""
    array = pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(list(values), pa.string()))
    return array if encoded else pc.cast(array, pa.string())


def _euros(cents: np.ndarray) -> pa.Array:
    """Cents as exact euro strings: -1050 -> "-10.50"; written by Arrow as the decimals of scale 2 whose
    unscaled values the cents are (each a little-endian 128-bit integer: the cents, then their sign)."""
    words = np.empty((len(cents), 2), dtype="<i8")
    words[:, 0] = cents
    words[:, 1] = words[:, 0] >> 63
    decimals = pa.Array.from_buffers(pa.decimal128(38, 2), len(cents), [None, pa.py_buffer(words)])
    return pc.cast(decimals, pa.string())


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
                 stamp=None, encoding: str | None = None) -> Summary:
    """Judge every line of ``source`` and write them, with verdicts, to ``target`` (whole or not at all),
    stamped (``stamp``, or ``law.stamp(as_of)``: where each format keeps it, :mod:`stamped`);
    ``encoding`` names a CSV ledger's encoding where detecting it is not wanted (see :func:`open_ledger`)."""
    require(law)
    ledger = open_ledger(source, encoding)
    stamp = stamp if stamp is not None else law.stamp(as_of)
    try:
        return _check(law, ledger, target, as_of, progress, stamp)
    except _Untidy:  # the quick reading met an untidy row: start again, keeping every row in its place
        return _check(law, ledger.read_tolerantly(), target, as_of, progress, stamp)


def _check(law: Law, ledger: Ledger, target: Path | None, as_of: dt.date, progress: bool | None, stamp=None) -> Summary:
    vocabulary, written_reasons = Vocabulary.of(law), Written()
    totals: dict = defaultdict(lambda: [0, 0, 0])
    personnel: dict = defaultdict(int)
    direct = _direct_personnel(law, as_of)
    rows, invalid, problems = 0, 0, []
    written = [*ledger.names, *ADDED]  # the output keeps the input's names; the rules read the meanings
    schema = pa.schema([(name, pa.string()) for name in written])
    bar = _progress(ledger.path, progress)
    try:
        with _Output(target, schema, ledger.source, stamp) as output, closing(_ahead(_checked(ledger, vocabulary))) as slices:
            for read, meant, checked in slices:
                out, judged, checked = judge_batch(law, meant, as_of, vocabulary, read.problems, written_reasons, checked,
                                                   encoded=True)
                out = out.rename_columns(written)
                _add(totals, personnel, checked.lines, judged, direct)
                bad = np.nonzero(checked.problems != "")[0]
                problems += [Problem(rows + int(row) + 1, checked.problems[row])
                             for row in bad[:max(0, SHOWN_PROBLEMS - len(problems))]]
                rows, invalid = rows + read.batch.num_rows, invalid + len(bad)
                output.write(out)
                del out, judged, checked, meant
                pa.default_memory_pool().release_unused()  # the slice's buffers back to the system, not kept for later
                if bar is not None:
                    bar.update(read.batch.num_rows)
            summary = summarised(law, as_of, rows, totals, personnel, problems, invalid, ledger.source)
            output.summarise(summary)
    finally:
        if bar is not None:
            bar.close()
    return summary


def _checked(ledger: Ledger, vocabulary: Vocabulary) -> Iterator[tuple[Rows, pa.RecordBatch, Checked]]:
    """Each slice of the ledger as read, with its columns named by their meaning, and read into values."""
    meaning = list(ledger.meaning or ledger.names)
    for read in _slices(ledger.batches()):
        meant = read.batch.rename_columns(meaning)
        yield read, meant, check(meant, vocabulary, read.problems)


_AHEAD = 2  # slices read and checked ahead of the one judged


def _ahead(items: Iterator) -> Iterator:
    """The items, made in a thread up to ``_AHEAD`` ahead of their use: reading and checking a slice (Arrow's
    and numpy's work, which lets go of the GIL) runs beside the judging of the one before. The thread runs in
    the caller's context (its language); an error there is raised here, where the item would have come; a
    run that stops early stops the thread."""
    queue: Queue = Queue(_AHEAD)
    stop = threading.Event()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                queue.put(entry, timeout=0.05)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            with closing(items):
                for item in items:
                    if not put((item, None)):
                        return
            put((_END, None))
        except BaseException as error:  # noqa: BLE001  (raised again in the caller's thread)
            put((None, error))

    thread = threading.Thread(target=contextvars.copy_context().run, args=(produce,), name="tat-ledger-reader",
                              daemon=True)
    thread.start()
    try:
        while True:
            item, error = queue.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        thread.join()


_END = object()
_JUDGED_ROWS = 32_768  # judged and written at a time: the reasons' text of a slice is a few MiB, whatever the file's size


def _slices(batches: Iterator[Rows]) -> Iterator[Rows]:
    """The batches as read, gathered and cut into slices of ``_JUDGED_ROWS`` rows (the last may be shorter):
    the reader's blocks are small, since the memory it holds is a few dozen of them, while judging costs
    less by the row in larger slices. A slice within one block is a view; one spanning blocks, a copy."""
    held: list[Rows] = []
    count = 0
    for read in batches:
        start = 0
        while start < read.batch.num_rows:
            take = min(_JUDGED_ROWS - count, read.batch.num_rows - start)
            problems = None if read.problems is None else read.problems[start:start + take]
            held.append(Rows(read.batch.slice(start, take), problems))
            count, start = count + take, start + take
            if count == _JUDGED_ROWS:
                yield _gathered(held)
                held, count = [], 0
    if held:
        yield _gathered(held)


def _gathered(parts: list[Rows]) -> Rows:
    """Consecutive parts of a ledger as one batch, and their rows' problems (None: every row was read)."""
    if len(parts) == 1:
        return parts[0]
    problems = None
    if any(part.problems is not None for part in parts):
        problems = np.concatenate([np.full(part.batch.num_rows, "", dtype=object) if part.problems is None
                                   else part.problems for part in parts])
    return Rows(pa.concat_batches([part.batch for part in parts]), problems)


def summarised(law: Law, as_of: dt.date, rows: int, totals: dict, personnel: dict, problems: list, invalid: int,
               source: Source | None = None) -> Summary:
    """The summary of a judged ledger from its sums: ``totals`` (activity, verdict) -> [lines, amount,
    eligible] and ``personnel`` activity -> eligible base of the flat rate (cents); the flat rate and
    the budget are applied to the sums here, once (a dataset's parts are summed first: dataset.combine)."""
    named = tuple(Total(activity, verdict, *sums) for (activity, verdict), sums in sorted(totals.items()))
    snapshot = law.on(as_of)
    rate, budget = snapshot.fact("flat_rate"), snapshot.fact("budget")
    return Summary(rows, named, _indirect(law, as_of, personnel), _budget(law, as_of, named), as_of, source,
                   tuple(problems[:SHOWN_PROBLEMS]), invalid, rate.label if rate else None,
                   budget.label if budget else None)


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
