"""Ledger rows read into values: each column of a batch as arrays (codes, day numbers, cents), and
why a row cannot be read — an unknown activity, party or category, a date that is no day, an amount
whose mark is not certain — so that it is invalid input with its reason.

Amounts are read by one rule, so that none is guessed (see :mod:`ledger`); dates as :mod:`dates` reads
them, from the bytes of the column.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from attrs import frozen

from .. import dates
from .. import model as m
from ..errors import LedgerError
from ..law import Law
from ..messages import say
from .eligibility import Codes, Lines
from .ledger_read import OPTIONAL, REQUIRED

PARTY_ROLES = ("implementer", "partner")  # the role facts naming who may incur an activity's costs, by exact name
# at most 10^17 cents: int64 holds a row, sums are exact ints; thousands grouped by (no-break) spaces
_GROUP = "[ \u00a0\u202f]"
_MONEY = f"^-?([0-9]{{1,15}}|[0-9]{{1,3}}({_GROUP}[0-9]{{3}}){{1,4}})([.,][0-9]{{1,2}})?$"
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
    clean = problems == ""  # the rows with no problem yet: a row keeps its first

    def column(name: str) -> pa.Array:
        return batch.column(name) if name in batch.schema.names else pa.repeat(pa.scalar("", pa.string()), size)

    def complain(bad: np.ndarray, text, written=None) -> None:
        """``text``: the reason, or a function of what a row wrote, ``written(rows)`` (each distinct one said once)."""
        rows = np.nonzero(bad & clean)[0]
        clean[rows] = False
        if not callable(text):
            problems[rows] = text
            return
        said: dict = {}
        for row, value in zip(rows.tolist(), written(rows)):
            problems[row] = said[value] if value in said else said.setdefault(value, text(value))

    def codes_of(column: Codes):
        return lambda rows: column.codes[rows].tolist()

    texts = {name: column(name) for name in REQUIRED + OPTIONAL}
    activity = _codes(texts["activity"])
    complain(~activity.isin(vocabulary.activities),
             lambda code: say("unknown activity {activity}; one of {activities}", activity=repr(activity.values[code]),
                              activities=sorted(vocabulary.activities)), codes_of(activity))
    written = _codes(texts["party"])
    party = _parties(written, vocabulary)
    complain(party.eq(""), lambda code: say("party {party} is not implementer, partner or a body the directive names as "
                                            "one: {bodies}", party=repr(written.values[code]), bodies=vocabulary.named()),
             codes_of(written))
    category = _codes(texts["category"])
    complain(~category.isin(vocabulary.categories),
             lambda code: say("unknown category {category}; a cost category is the point that names it",
                              category=repr(category.values[code]))
                          + (say(", such as {label}", label=min(vocabulary.categories, key=_label_order))
                             if vocabulary.categories else ""), codes_of(category))
    days = {}
    for name in ("incurred_on", "paid_on"):
        codes, distinct = _distinct(texts[name])  # a ledger's days repeat: each distinct text read once
        numbers, not_days = _days(distinct)
        days[name], bad = numbers[codes], not_days[codes]
        complain(bad, lambda code, name=name, distinct=distinct: _date_problem(name, distinct[code].as_py()),
                 lambda rows, codes=codes: codes[rows].tolist())
    amount, bad_amount = _cents(texts["amount"])
    complain(bad_amount, lambda text: _money_problem("amount", text),
             lambda rows: texts["amount"].take(pa.array(rows)).to_pylist())
    unexplained = np.asarray(pc.equal(pc.utf8_trim_whitespace(texts["note"]), "").to_numpy(zero_copy_only=False), dtype=bool)
    complain((amount < 0) & unexplained, say("a negative amount without a note saying why"))
    excess, bad_excess = _cents(texts["excess"], blank_is_zero=True)
    complain(bad_excess | (excess < 0), say("excess is not a non-negative amount in euros"))
    flags = {}
    for name in ("on_documents", "written_proof"):
        flags[name], known = _flags(texts[name])
        complain(~known, say("{column} is not true or false", column=name))
    mode = _codes(texts["mode"])
    lines = Lines(activity, party, category, days["incurred_on"], days["paid_on"], amount,
                  flags["on_documents"], flags["written_proof"], mode, excess)
    return Checked(lines, problems)


def _flags(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Which rows say true, and which say true or false (any case, spaces around): each distinct value looked at once."""
    written = _codes(text)
    value = pc.utf8_lower(pa.array(written.values, pa.string()))
    true = _bools(pc.is_in(value, pa.array(_TRUE)))
    known = _bools(pc.is_in(value, pa.array(_TRUE + _FALSE)))
    return true[written.codes], known[written.codes]


def _label_order(label: str) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in label.split("."))


def _parties(written: Codes, vocabulary: Vocabulary) -> Codes:
    """The party column with every name of a body read as that body's name."""
    meant = [vocabulary.party(PARTY_NAMES.get(_folded(value), value)) for value in written.values]
    values = sorted(set(meant))
    lookup = np.array([values.index(value) for value in meant], dtype=np.int32)
    return Codes(lookup[written.codes] if len(lookup) else written.codes, tuple(values))


def _codes(text: pa.Array) -> Codes:
    """The column's values without the spaces around them, as codes into the distinct values; trimmed once
    per distinct written value, and values written with and without spaces made one."""
    codes, written = _distinct(text)
    trimmed = pc.utf8_trim_whitespace(written).to_pylist()
    values = tuple(dict.fromkeys(trimmed))
    if len(values) < len(trimmed):
        at = {value: index for index, value in enumerate(values)}
        codes = np.array([at[value] for value in trimmed], dtype=np.int32)[codes]
    return Codes(codes, values)


def _distinct(text: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Codes into the column's distinct values (in order of first appearance), and those values."""
    encoded = pc.dictionary_encode(text)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    return np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int32), encoded.dictionary


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
    return f"{name} {dates.problem(text) or dates.not_a_date(text)}"


def _money_problem(name: str, text: str) -> str:
    """Why an amount is not read, after the module's one rule for amounts."""
    bare = text.strip()
    if "." in bare and "," in bare:
        why = say("it holds both '.' and ','; which of them marks the decimals is not guessed: group thousands "
                  "with a space, e.g. 1 234,50")
    elif re.fullmatch(r"-?[0-9]+\.[0-9]{6,}", bare):  # a spreadsheet's computed number, e.g. 0.30000000000000004
        why = say("euros have at most two decimals; a computed number in a spreadsheet is rounded to cents there, "
                  "e.g. with ROUND(…; 2)")
    elif re.search(r"[.,][0-9]{3}(?![0-9])", bare):
        mark = re.search(r"[.,]", bare).group()
        why = say("a {mark} before three digits would group thousands, which is not guessed: "
                  "group thousands with a space (1 234) and write at most two decimals", mark=repr(mark))
    else:
        why = say("euros are written with at most two decimals after '.' or ',', thousands grouped by spaces, "
                  "e.g. 2 500,00")
    return say("{column} {text} is not an amount: {why}", column=name, text=repr(text), why=why)


def _bools(array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=bool)


def _cents(text: pa.Array, blank_is_zero: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Cents of amounts read by the module's one rule (``_MONEY``), and which rows are no such amount;
    ``blank_is_zero``: an empty cell is 0, and only the filled cells are read (an excess is mostly blank)."""
    offsets, _ = _buffers(text)
    blank = offsets[1:] == offsets[:-1]
    if not blank.any():
        return _read_cents(text)
    cents, invalid = np.zeros(len(text), dtype=np.int64), ~blank if blank_is_zero else np.ones(len(text), dtype=bool)
    filled = np.nonzero(~blank)[0]
    if len(filled):
        cents[filled], invalid[filled] = _read_cents(text.filter(pa.array(~blank)))
    return cents, invalid


def _read_cents(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    trimmed = pc.utf8_trim_whitespace(text)
    good = pc.match_substring_regex(trimmed, _MONEY)
    plain = pc.if_else(good, trimmed, "0")
    _, data = _buffers(plain)
    if _LOCAL_MARKS[data].any():  # written the Estonian way: 2 500,00 (each mark replaced as a plain string)
        for mark, lead in ((" ", None), ("\u00a0", 0xC2), ("\u202f", 0xE2)):
            if lead is None or (data == lead).any():  # the no-break spaces only where their lead byte is
                plain = pc.replace_substring(plain, mark, "")
        plain = pc.replace_substring(plain, ",", ".")
    decimals = pc.cast(plain, pa.decimal128(18, 2))
    return _unscaled(decimals), ~np.asarray(good.to_numpy(zero_copy_only=False), dtype=bool)


def _unscaled(decimals: pa.Array) -> np.ndarray:
    """The integers a decimal128 column of scale 2 holds (its cents), read from its buffer: the low 64 bits
    of each little-endian 128-bit value, exact for any amount of at most 10^17 cents."""
    if isinstance(decimals, pa.ChunkedArray):
        decimals = decimals.combine_chunks()
    data = decimals.buffers()[1]
    if data is None or not len(decimals):
        return np.zeros(len(decimals), dtype=np.int64)
    words = np.frombuffer(data, dtype="<i8")[2 * decimals.offset:2 * (decimals.offset + len(decimals))]
    return words[0::2].astype(np.int64)
