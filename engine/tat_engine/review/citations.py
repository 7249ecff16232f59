"""Does every fact cite lines that state it? The numbers and dates a fact holds,
looked for in the source lines it cites.

A fact cites its own lines (``per DOC A..B``) or else the lines of its point or
item. The sources print a number as digits ("440 550", "440550", "235,95",
"3,1 miljonit", a Roman "II") or as Estonian words ("neljakümne viie",
"kahekümnelt"), and a date as "01.07.2015", "1. juulist 2015" or "31. märtsini
2020". A fact the sources do not state but that is derived from them (the
budget before 2020) is a reviewed exception, listed in a text file beside the
corpus, one ``POINT@ACT FACT: reason`` a line.

>>> sorted(number_words("neljakümne viielt kalendripäevalt kolmekümnele"))
[30, 45]
>>> Reading.of("kuni 31. märtsini 2020. a").dates
frozenset({datetime.date(2020, 3, 31)})
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache

import attrs
from attrs import frozen

from .. import model as m

# --- Estonian number words, 1-100 -----------------------------------------------

# Nominative and genitive stems; the other cases the sources use are the genitive
# stem and an ending ("kahe-lt", "viie-le", "kümne-s").
_UNITS = {1: ("üks", "ühe"), 2: ("kaks", "kahe"), 3: ("kolm", "kolme"), 4: ("neli", "nelja"), 5: ("viis", "viie"),
          6: ("kuus", "kuue"), 7: ("seitse", "seitsme"), 8: ("kaheksa", "kaheksa"), 9: ("üheksa", "üheksa")}
_ENDING = "(?:l|lt|le|s|st|sse|ks|ni|na|ta|ga)?"


@lru_cache(maxsize=1)
def _numerals() -> tuple[tuple[re.Pattern, int, bool], ...]:
    """(whole-word pattern, value, whether a unit word may follow it) for 1-100."""
    forms: list[tuple[str, int, bool]] = [(f"kümme|kümne{_ENDING}", 10, False), (f"sada|saja{_ENDING}", 100, False)]
    for n, (nominative, genitive) in _UNITS.items():
        forms.append((f"{nominative}|{genitive}{_ENDING}", n, False))
        forms.append((f"{nominative}teist(?:kümmend)?|{genitive}teist(?:kümne{_ENDING})?", 10 + n, False))
        if n > 1:
            forms.append((f"{nominative}kümmend|{genitive}kümne{_ENDING}", 10 * n, True))
    return tuple((re.compile(f"(?:{pattern})"), value, tens) for pattern, value, tens in forms)


def _numeral(word: str) -> tuple[int, bool] | None:
    for pattern, value, tens in _numerals():
        if pattern.fullmatch(word):
            return value, tens
    return None


def number_words(text: str) -> frozenset[int]:
    """The values of the Estonian cardinal numerals 1-100 in ``text``, in the cases
    the sources use; "neljakümne viie" is 45 (not 40 and 5).

    >>> sorted(number_words("kahekümnelt tööpäevalt viieteistkümnele; vähemalt kaheksateistkümnes piirkonnas"))
    [15, 18, 20]
    """
    words = re.findall(r"[^\W\d_]+", text.lower())
    found, index = set(), 0
    while index < len(words):
        read = _numeral(words[index])
        if read is None:
            index += 1
            continue
        value, tens = read
        following = _numeral(words[index + 1]) if tens and index + 1 < len(words) else None
        if following is not None and following[0] < 10:
            value, index = value + following[0], index + 1
        found.add(value)
        index += 1
    return frozenset(found)


# --- what a text states ----------------------------------------------------------------

_MONTHS = ("jaanuar", "veebruar", "märts", "aprill", "mai", "juun", "juul", "august", "septemb", "oktoob", "novemb", "detsemb")
_WORD_DATE = re.compile(r"(?<!\d)(\d{1,2})\.\s*(" + "|".join(_MONTHS) + r")\w*(?:\s+(\d{4})(?!\d))?", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?!\d)")
# A number, not a part of a point label or a date ("1.18", "7.1.3.9", "01.07.2015").
_NOT_AFTER, _NOT_BEFORE = r"(?<![\d,])(?<!\d\.)", r"(?!\d|\.\d)"
_GROUPED = re.compile(_NOT_AFTER + r"\d{1,3}(?:[ \u00a0]\d{3})+(?:,\d+)?" + _NOT_BEFORE)
_PLAIN = re.compile(_NOT_AFTER + r"\d+(?:,\d+)?" + _NOT_BEFORE)
_MILLIONS = re.compile(r"(?<![\d,])(\d+(?:,\d+)?)\s+miljon")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}
_REGISTER_NUMBER = re.compile(r"\d[\d.]*-\s?[\d.]+/[\w-]+")  # "nr 1-3/53", "nr 9.2-2/1788-1": not amounts
_TIME = re.compile(r"kell\s+(\d{1,2})[.:](\d{2})(?!\d)")


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(" ", "").replace("\u00a0", "").replace(",", "."))


@frozen
class Reading:
    """The numbers, dates, days of the year and times a text states."""

    text: str
    numbers: frozenset[Decimal]
    words: frozenset[int]
    dates: frozenset[dt.date]
    days: frozenset[tuple[int, int]]  # (month, day), with or without a year
    times: frozenset[tuple[int, int]]

    @classmethod
    def of(cls, text: str) -> Reading:
        text = re.sub(r"(?<=[^\W\d_])-\n(?=[^\W\d_])", "", text)  # "kaheksateist-\nkümnes"
        text = re.sub(r"\s+", " ", text)
        counted = _REGISTER_NUMBER.sub(" ", text)
        numbers = {value for found in _GROUPED.findall(counted) for value in _groupings(found)}
        numbers |= {_decimal(found) for found in _PLAIN.findall(counted)}
        numbers |= {_decimal(found) * 1_000_000 for found in _MILLIONS.findall(counted)}
        numbers |= {Decimal(_ROMAN[word]) for word in re.findall(r"\b[IVX]+\b", text) if word in _ROMAN}
        dates, days = set(), set()
        for day, month, year in _NUMERIC_DATE.findall(text):
            _add_day(dates, days, int(year), int(month), int(day))
        for day, month, year in _WORD_DATE.findall(text):
            number = next(i for i, stem in enumerate(_MONTHS, 1) if month.lower().startswith(stem))
            _add_day(dates, days, int(year) if year else None, number, int(day))
        times = {(int(hour), int(minute)) for hour, minute in _TIME.findall(text)}
        return cls(text, frozenset(numbers), number_words(text), frozenset(dates), frozenset(days), frozenset(times))


def _groupings(found: str) -> set[Decimal]:
    """A run of digit groups read every way: "965 608 100" is 965608, 608100, 965608100 ...
    (a table row prints an amount and its share side by side)."""
    whole, _, fraction = found.partition(",")
    groups = re.split(r"[ \u00a0]", whole)
    values = set()
    for first in range(len(groups)):
        for last in range(first + 1, len(groups) + 1):
            digits = "".join(groups[first:last])
            values.add(Decimal(digits + ("." + fraction if fraction and last == len(groups) else "")))
    return values


def _add_day(dates: set, days: set, year: int | None, month: int, day: int) -> None:
    try:
        dt.date(year or 2000, month, day)
    except ValueError:
        return
    days.add((month, day))
    if year:
        dates.add(dt.date(year, month, day))


# --- what a fact claims ------------------------------------------------------------------


@frozen
class Claim:
    """A number, date, day of the year, time or point label a fact states."""

    kind: str  # number | date | day | time | label
    value: object

    def __str__(self) -> str:
        if self.kind == "day":
            return f"--{self.value[0]:02d}-{self.value[1]:02d}"
        if self.kind == "time":
            return f"{self.value[0]:02d}:{self.value[1]:02d}"
        return str(self.value)

    def stated_in(self, reading: Reading) -> bool:
        if self.kind == "number":
            value = self.value
            return value in reading.numbers or (value == int(value) and int(value) in reading.words)
        if self.kind == "date":
            return self.value in reading.dates
        if self.kind == "day":
            return self.value in reading.days
        if self.kind == "time":
            return self.value in reading.times
        return re.search(r"(?<![\d.])" + re.escape(self.value) + r"(?!\d|\.\d)", reading.text) is not None


def claims(value: m.Value) -> tuple[Claim, ...]:
    """What ``value`` states that its sources must print: its numbers and dates."""
    match value:
        case m.Period(first, last):
            return Claim("date", first), Claim("date", last)
        case m.BoundedPeriod(first, earliest, latest):
            return Claim("date", first), Claim("date", earliest), Claim("date", latest)
        case m.AmountRange(low, high):
            return Claim("number", low), Claim("number", high)
        case m.Duration(amount):
            return (Claim("number", Decimal(amount)),)
        case m.Amount(amount) | m.Quantity(amount):
            return (Claim("number", amount),)
        case m.Rate(percent):
            return (Claim("number", percent),)
        case m.Role():
            found = [Claim("date", value.start)] if value.start else []
            found += [Claim("date", value.end - m.ONE_DAY)] if value.end else []
            return tuple(found) + tuple(Claim("number", Decimal(n)) for n in re.findall(r"\d+", value.body))
        case m.Annual(month, day):
            return (Claim("day", (month, day)),)
        case m.Moment(at, _, conditions):
            return (Claim("date", at.date()), Claim("time", (at.hour, at.minute))) + _conditions(conditions)
        case m.Limit(count, _, conditions):
            return (Claim("number", Decimal(count)),) + _conditions(conditions)
        case m.Category(_, conditions):
            return _conditions(conditions)
        case m.UnknownValue():
            return ()
    return _generic(value)


def _conditions(conditions) -> tuple[Claim, ...]:
    found = []
    for _, written in conditions:
        if re.fullmatch(r"\d+", written):
            found.append(Claim("number", Decimal(written)))
        elif re.fullmatch(r"\d+(\.\d+)+", written):
            found.append(Claim("label", written))
    return tuple(found)


def _generic(value) -> tuple[Claim, ...]:
    """A kind of value this module does not know: its numbers and dates, field by field."""
    found: list[Claim] = []
    for field in attrs.fields(type(value)) if attrs.has(type(value)) else ():
        item = getattr(value, field.name)
        if isinstance(item, dt.datetime):
            found += [Claim("date", item.date()), Claim("time", (item.hour, item.minute))]
        elif isinstance(item, dt.date):
            found.append(Claim("date", item))
        elif isinstance(item, (int, Decimal)) and not isinstance(item, bool):
            found.append(Claim("number", Decimal(item)))
        elif attrs.has(type(item)):
            found += _generic(item)
    return tuple(found)


# --- the check ---------------------------------------------------------------------------


@frozen
class Miscitation:
    """A fact whose cited lines do not state some of what it claims (or that cites none)."""

    point: str  # LABEL@ACT, the act whose text holds the fact
    fact: str
    cited: tuple[m.Source, ...]
    missing: tuple[str, ...]
    location: m.Location | None = attrs.field(default=None, eq=False)

    @property
    def key(self) -> str:
        return f"{self.point} {self.fact}"

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        if not self.cited:
            return f"{where}{self.key} cites no lines"
        lines = ", ".join(map(str, self.cited))
        return f"{where}{self.key}: {', '.join(self.missing)} not stated in {lines}"


def miscitations(corpus: m.Corpus, texts: dict[str, list[str]]) -> list[Miscitation]:
    """Every fact of ``corpus`` whose cited lines (``texts``: document name -> the
    lines of its file, 0-based) do not state its numbers and dates."""
    found = []
    for act in corpus.acts:
        holders = [(point.label, point.content) for point in act.points]
        holders += [(item.where, item.content) for item in act.items]
        for label, content in holders:
            names = [fact.name for fact in content.facts]
            for fact in content.facts:
                name = _fact_key(fact) if names.count(fact.name) > 1 else fact.name
                cited = (fact.source,) if fact.source else content.sources
                wanted = claims(fact.value)
                if not cited:
                    if not isinstance(fact.value, m.UnknownValue):
                        found.append(Miscitation(f"{label}@{act.number}", name, (), (), fact.location))
                    continue
                if not wanted:
                    continue
                reading = Reading.of("\n".join(_lines(texts, source) for source in cited))
                missing = tuple(str(claim) for claim in wanted if not claim.stated_in(reading))
                if missing:
                    found.append(Miscitation(f"{label}@{act.number}", name, cited, missing, fact.location))
    return found


def _fact_key(fact: m.Fact) -> str:
    """A fact among others of its name in one point, told apart by its conditions:
    ``budget(activity=2.1, share=esf)``."""
    conditions = getattr(fact.value, "conditions", ())
    return f"{fact.name}({', '.join(f'{key}={value}' for key, value in conditions)})"


def _lines(texts: dict[str, list[str]], source: m.Source) -> str:
    return "\n".join(texts[source.document][source.first_line - 1: source.last_line])


def read_exceptions(text: str) -> dict[str, str]:
    """``POINT@ACT FACT: reason`` lines (``#`` comments) as key -> reason."""
    found = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, reason = line.partition(": ")
        found[key.strip()] = reason.strip()
    return found
