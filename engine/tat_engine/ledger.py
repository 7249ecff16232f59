"""Ledgers of cost lines: read (CSV, Parquet), check, judge, write, sum up.

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
incurred_on     yes      YYYY-MM-DD
paid_on         yes      YYYY-MM-DD
amount          yes      euros with at most two decimals; a negative amount
                         needs a ``note`` (a correction)
on_documents    no       true: an indirect cost claimed on cost documents
written_proof   no       true: participation proven in writing (7.1.3.13)
mode            no       means of transport (ühistransport, sõiduauto)
excess          no       euros above the tax-free limit (travel)
note            no       free text, e.g. why an amount is negative
=============== ======== =====================================================

A line that cannot be read gets the verdict "invalid input" and the reason;
rows in = rows out, in the same order.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from attrs import frozen

from . import model as m
from .eligibility import INVALID, VERDICTS, Codes, Judged, Lines, judge
from .errors import QueryError
from .law import Law

PARTY_ROLES = ("implementer", "partner")  # the facts naming who may incur an activity's costs
REQUIRED = ("activity", "party", "category", "incurred_on", "paid_on", "amount")
OPTIONAL = ("line", "on_documents", "written_proof", "mode", "excess", "note")
_MONEY = r"^-?\d{1,15}(\.\d{1,2})?$"
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
                if label.depth == 2 and label.parts[0] == 2:
                    activities.add(str(label))
                if any(f.name in ("category", "excluded") for f in version.content.facts):
                    categories.add(str(label))
                for fact in version.content.facts:
                    if fact.name.split("_")[0] in PARTY_ROLES and isinstance(fact.value, m.Role):
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


def read_batches(path: Path, batch_rows: int = 262_144):
    """Batches of a CSV or Parquet ledger, every column as text."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows):
            yield _as_text(batch)
    elif suffix == ".csv":
        options = pacsv.ReadOptions(block_size=1 << 24)
        header = pacsv.open_csv(path, read_options=options).schema.names
        convert = pacsv.ConvertOptions(column_types={name: pa.string() for name in header},
                                       strings_can_be_null=False, quoted_strings_can_be_null=False)
        for batch in pacsv.open_csv(path, read_options=options, convert_options=convert):
            yield batch
    else:
        raise QueryError(f"{path}: a ledger is a .csv or .parquet file")


def _as_text(batch: pa.RecordBatch) -> pa.RecordBatch:
    columns = [pc.fill_null(pc.cast(column, pa.string()), "") for column in batch.columns]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


@frozen
class Checked:
    """A batch read into arrays, and why each bad row is bad ("" when good)."""

    lines: Lines
    problems: np.ndarray  # object array of str


def check(batch: pa.RecordBatch, vocabulary: Vocabulary) -> Checked:
    missing = [name for name in REQUIRED if name not in batch.schema.names]
    if missing:
        raise QueryError(f"the ledger has no column {', '.join(missing)}; required: {', '.join(REQUIRED)}")
    size = batch.num_rows
    problems = np.full(size, "", dtype=object)

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
             lambda row: f"unknown category {category[row]!r}; a cost category is a point such as 7.1.3.3")
    dates = {}
    for name in ("incurred_on", "paid_on"):
        parsed = pc.strptime(pc.utf8_trim_whitespace(texts[name]), format="%Y-%m-%d", unit="s", error_is_null=True)
        days = pc.cast(pc.cast(parsed, pa.date32()), pa.int32())
        bad = np.asarray(pc.is_null(days).to_numpy(zero_copy_only=False), dtype=bool)
        raw = texts[name]
        complain(bad, lambda row, raw=raw, name=name: f"{name} {raw[row].as_py()!r} is not a date; write YYYY-MM-DD")
        dates[name] = np.asarray(pc.fill_null(days, 0).to_numpy(zero_copy_only=False), dtype=np.int64)
    amount, bad_amount = _cents(texts["amount"])
    complain(bad_amount, lambda row: f"amount {texts['amount'][row].as_py()!r} is not euros with at most two decimals")
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
    lines = Lines(activity, party, category, dates["incurred_on"], dates["paid_on"], amount,
                  flags["on_documents"], flags["written_proof"], mode, excess)
    return Checked(lines, problems)


def _parties(written: Codes, vocabulary: Vocabulary) -> Codes:
    """The party column with every name of a body read as that body's name."""
    meant = [vocabulary.party(value) for value in written.values]
    values = sorted(set(meant))
    lookup = np.array([values.index(value) for value in meant], dtype=np.int32)
    return Codes(lookup[written.codes] if len(lookup) else written.codes, tuple(values))


def _codes(text: pa.Array) -> Codes:
    encoded = pc.dictionary_encode(pc.utf8_trim_whitespace(text))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    return Codes(np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int32),
                 tuple(encoded.dictionary.to_pylist()))


def _cents(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    trimmed = pc.utf8_trim_whitespace(text)
    good = pc.match_substring_regex(trimmed, _MONEY)
    decimals = pc.cast(pc.if_else(good, trimmed, "0"), pa.decimal128(18, 2))
    cents = pc.cast(pc.multiply(decimals, pa.scalar(100, pa.decimal128(5, 0))), pa.int64())
    return (np.asarray(cents.to_numpy(zero_copy_only=False), dtype=np.int64),
            ~np.asarray(good.to_numpy(zero_copy_only=False), dtype=bool))


def judge_batch(law: Law, batch: pa.RecordBatch, as_of: dt.date, vocabulary: Vocabulary) -> tuple[pa.RecordBatch, Judged, Checked]:
    """The batch with three more columns: verdict, eligible_amount, reasons."""
    checked = check(batch, vocabulary)
    judged = judge(law, checked.lines, as_of)
    invalid = checked.problems != ""
    verdict = np.where(invalid, INVALID, judged.verdict).astype(np.int8)
    eligible = np.where(invalid, 0, judged.eligible)
    reasons = _strings(judged.reason, ["; ".join(map(str, found)) for found in judged.table])
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
class Summary:
    """Totals of a checked ledger, per activity and verdict, against the budget."""

    rows: int
    totals: dict  # (activity, verdict) -> [lines, amount cents, eligible cents]
    indirect: dict  # activity -> (direct personnel eligible cents, rate, entitlement cents)
    budget: dict  # activity -> (eligible cents, budget cents | None, esf cents | None, national cents | None)
    law_on: dt.date


def check_ledger(law: Law, source: Path, target: Path | None, as_of: dt.date, progress: bool | None = None) -> Summary:
    """Judge every line of ``source`` and write them, with verdicts, to ``target``."""
    vocabulary = Vocabulary.of(law)
    totals: dict = defaultdict(lambda: [0, 0, 0])
    personnel: dict = defaultdict(int)
    direct = _direct_personnel(law, as_of)
    writer, rows = None, 0
    bar = _progress(source, progress)
    try:
        for batch in read_batches(source):
            out, judged, checked = judge_batch(law, batch, as_of, vocabulary)
            rows += batch.num_rows
            _add(totals, personnel, checked.lines, judged, direct)
            if target is not None:
                writer = writer or _writer(target, out.schema)
                writer.write(out)
            if bar is not None:
                bar.update(batch.num_rows)
    finally:
        if writer is not None:
            writer.close()
        if bar is not None:
            bar.close()
    return Summary(rows, dict(totals), _indirect(law, as_of, personnel), _budget(law, as_of, totals), as_of)


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
    amounts = np.bincount(keys, weights=lines.amount, minlength=size)
    eligible = np.bincount(keys, weights=judged.eligible, minlength=size)
    for key in np.nonzero(counts)[0]:
        entry = totals[str(activities[key // len(VERDICTS)]), VERDICTS[key % len(VERDICTS)]]
        entry[0] += int(counts[key])
        entry[1] += int(amounts[key])
        entry[2] += int(eligible[key])
    if direct is not None:
        mine = lines.category.eq(direct) & (judged.verdict <= 1)
        for activity in lines.activity.values:
            cents = int(judged.eligible[mine & lines.activity.eq(activity)].sum())
            if cents:
                personnel[activity] += cents


def _direct_personnel(law: Law, on: dt.date) -> str | None:
    """The category point whose name is the base of the indirect-cost rate (7.1.3.2.2)."""
    rate = _fact(law, on, "indirect_rate")
    if rate is None:
        return None
    for answer in law.in_force(on):
        fact = answer.fact("category")
        if fact and isinstance(fact.value, m.Category) and fact.value.name == rate[1].value.base:
            return answer.label
    return None


def _fact(law: Law, on: dt.date, name: str):
    for answer in law.in_force(on):
        fact = answer.fact(name)
        if fact is not None:
            return answer, fact
    return None


def _indirect(law: Law, on: dt.date, personnel: dict) -> dict:
    rate = _fact(law, on, "indirect_rate")
    if rate is None or not isinstance(rate[1].value, m.Rate):
        return {}
    percent = rate[1].value.percent
    return {activity: (cents, percent, int(Decimal(cents) * percent / 100)) for activity, cents in sorted(personnel.items())}


def _budget(law: Law, on: dt.date, totals: dict) -> dict:
    """Eligible amounts against each activity's budget and its ESF / national parts (section 6)."""
    budget: dict[str, dict] = defaultdict(dict)
    for answer in law.in_force(on):
        for fact in answer.content.facts:
            parts = fact.name.split("_")
            if parts[0] == "budget" and len(parts) >= 3 and isinstance(fact.value, m.Amount):
                share = parts[3] if len(parts) > 3 else "total"
                budget[f"{parts[1]}.{parts[2]}"][share] = int(fact.value.value * 100)
    eligible: dict[str, int] = defaultdict(int)
    for (activity, _), (_, _, good) in totals.items():
        eligible[activity] += good
    shown = set(budget) | {activity for activity, cents in eligible.items() if cents}
    return {activity: (eligible.get(activity, 0), budget.get(activity, {}).get("total"),
                       budget.get(activity, {}).get("esf"), budget.get(activity, {}).get("national"))
            for activity in sorted(shown)}


def _writer(target: Path, schema: pa.Schema):
    suffix = target.suffix.lower()
    if suffix == ".csv":
        return pacsv.CSVWriter(target, schema)
    if suffix == ".parquet":
        return pq.ParquetWriter(target, schema)
    if suffix in (".json", ".jsonl"):
        return _JsonLines(target)
    raise QueryError(f"{target}: write verdicts to a .csv, .parquet or .json file")


class _JsonLines:
    """One JSON object a line, one line a cost line."""

    def __init__(self, target: Path):
        self.handle = open(target, "w", encoding="utf-8")

    def write(self, batch: pa.RecordBatch) -> None:
        for row in batch.to_pylist():
            self.handle.write(json.dumps(row, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.handle.close()


def describe_summary(summary: Summary) -> str:
    lines = [f"{summary.rows} lines judged as of {summary.law_on}", "", "activity  verdict              lines        amount      eligible"]
    for (activity, verdict), (count, amount, good) in sorted(summary.totals.items()):
        lines.append(f"{activity:9} {verdict:18} {count:7} {_euro(amount):>13} {_euro(good):>13}")
    if summary.indirect:
        lines += ["", "indirect costs at the flat rate (7.1.3.2.2): activity, eligible direct personnel costs, entitlement"]
        lines += [f"{a:9} {_euro(c):>13} × {p}% = {_euro(e):>12}" for a, (c, p, e) in summary.indirect.items()]
    lines += ["", "eligible against the budget (section 6): activity, eligible, budget, ESF part, national part"]
    for activity, (good, total, esf, national) in summary.budget.items():
        fields = [_euro(v) if v is not None else "not in the sources" for v in (total, esf, national)]
        over = "  OVER BUDGET" if total is not None and good > total else ""
        lines.append(f"{activity:9} {_euro(good):>13} {fields[0]:>13} {fields[1]:>13} {fields[2]:>13}{over}")
    return "\n".join(lines)


def _euro(cents: int) -> str:
    return f"{'-' if cents < 0 else ''}{abs(cents) // 100:,}.{abs(cents) % 100:02d} €".replace(",", " ")
