"""The legal model: acts, their points and amendment items, as frozen values.

Everything here is plain data. The parser fills it, the printer writes it back,
and the consolidation replays it; none of those libraries is imported here.

Dates are ``datetime.date``. Where the law writes a period with both ends
included ("01.07.2015–31.12.2023"), the model keeps those days as written
(``first_day``/``last_day``); validity intervals derived from them are
half-open ``[start, end)`` everywhere in the engine.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import total_ordering
from typing import Union

from attrs import field, frozen

ONE_DAY = dt.timedelta(days=1)

# The days the engine answers for, ends included. Every date read from the DSL,
# the command line or a library question lies in this range, and a due date
# counted past its end is refused. The margin to ``date.max`` keeps a last day
# plus one (a half-open end) and the open-end sentinel ``OPEN_END`` from ever
# meeting a real day.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
DAY_RANGE = f"{FIRST_DAY}..{LAST_DAY}"
OPEN_END = dt.date.max  # the end of an interval still open: later than any day in the range


def supported(day: dt.date) -> bool:
    """Whether ``day`` is in the range the engine answers for.

    >>> supported(dt.date(2015, 9, 18)), supported(dt.date(9999, 12, 31))
    (True, False)
    """
    return FIRST_DAY <= day <= LAST_DAY


@frozen
class Location:
    """Where a statement stands in a DSL file (1-based line and column)."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


def tidy_label(text: str) -> str:
    """A label as a person may write it, tidied: ``" 11.3. "`` -> ``"11.3"``, ``"Lisa  1"`` -> ``"Lisa 1"``.
    (quick.py repeats these two steps: it answers without importing attrs.)"""
    return " ".join(text.split()).rstrip(".")


@total_ordering
@frozen(order=False)
class Label:
    """A point number as printed: ``1.3.3``, ``16`` or an annex ``Lisa 2``.

    A label is not an identity: renumbering gives a provision a new label, and
    a freed label can later name another provision.

    >>> Label.parse("9.1.10").parent
    Label(parts=(9, 1), annex=False)
    >>> str(Label.parse("Lisa 2"))
    'Lisa 2'
    """

    parts: tuple[int, ...]
    annex: bool = False

    @classmethod
    def parse(cls, text: str) -> Label:
        text = tidy_label(text)
        if text.startswith("Lisa "):
            return cls((int(text[5:]),), annex=True)
        return cls(tuple(int(part) for part in text.split(".")))

    @property
    def parent(self) -> Label | None:
        if self.annex or len(self.parts) == 1:
            return None
        return Label(self.parts[:-1])

    @property
    def depth(self) -> int:
        return len(self.parts)

    def shifted(self, depth: int, by: int) -> Label:
        """The label with its component at ``depth`` (1-based) moved by ``by``."""
        parts = list(self.parts)
        parts[depth - 1] += by
        return Label(tuple(parts), self.annex)

    def _key(self) -> tuple:
        return (self.annex, self.parts)

    def __lt__(self, other: Label) -> bool:
        return self._key() < other._key()

    def __str__(self) -> str:
        if self.annex:
            return f"Lisa {self.parts[0]}"
        return ".".join(map(str, self.parts))


@frozen
class Source:
    """Lines of a source document (inclusive, 1-based) a wording or value comes from."""

    document: str
    first_line: int
    last_line: int

    def __str__(self) -> str:
        if self.first_line == self.last_line:
            return f"{self.document}:{self.first_line}"
        return f"{self.document}:{self.first_line}-{self.last_line}"


# --- wording -------------------------------------------------------------


@frozen
class Known:
    """Wording the sources hold."""

    text: str


@frozen
class Unknown:
    """Wording that existed but is not in the sources; ``reason`` says why."""

    reason: str


@frozen
class Reconstructed:
    """Wording rebuilt from indirect evidence (e.g. the memo); never plain law."""

    text: str
    basis: str


Wording = Union[Known, Unknown, Reconstructed]


# --- typed facts ------------------------------------------------------------


@frozen
class Period:
    """Days ``first_day`` to ``last_day``, both included, as the law writes them."""

    first_day: dt.date
    last_day: dt.date

    @property
    def end(self) -> dt.date:
        """Exclusive end: the period is ``[first_day, end)``."""
        return self.last_day + ONE_DAY


@frozen
class BoundedPeriod:
    """A period whose last day the sources do not give, only bounds on it:
    from ``first_day`` to a last day somewhere in ``earliest_last_day`` ..
    ``latest_last_day`` (both included). A day before ``earliest_last_day``
    lies in the period whatever the last day was; a day after
    ``latest_last_day`` lies outside it; a day between is open."""

    first_day: dt.date
    earliest_last_day: dt.date
    latest_last_day: dt.date


@frozen
class Duration:
    """N calendar or working days (or months), bounded, counted from a trigger."""

    amount: int
    unit: str  # calendar_days | working_days | months
    bound: str  # at_most | at_least | exactly
    trigger: str


@frozen
class Amount:
    """An amount of money; ``conditions`` say what it is of, e.g. a budget line's
    ``activity = 2.1`` and ``share = esf``."""

    value: Decimal
    currency: str = "EUR"
    conditions: tuple[tuple[str, str], ...] = ()


@frozen
class AmountRange:
    """An amount the sources leave open between two bounds (both included),
    e.g. a share of a reduction whose split they do not give."""

    low: Decimal
    high: Decimal
    currency: str = "EUR"
    conditions: tuple[tuple[str, str], ...] = ()


@frozen
class Quantity:
    """A count of something, e.g. 18 regions."""

    value: Decimal
    unit: str


@frozen
class Rate:
    """A percentage of a base, e.g. 15 % of direct personnel costs."""

    percent: Decimal
    base: str


@frozen
class Role:
    """A role held by a body on ``[start, end)``; ``None`` means open. ``short`` is
    the abbreviation the act gives the body ("(edaspidi TAI)"), if any."""

    role: str
    body: str
    start: dt.date | None = None
    end: dt.date | None = None
    short: str | None = None


@frozen
class Annual:
    """A fixed day every year, e.g. 31 January."""

    month: int
    day: int


@frozen
class Moment:
    """A point in time as the source states it: a local time in a named zone,
    e.g. 10 May 2023 10:00 in Europe/Tallinn; ``conditions`` say to whom it applies."""

    at: dt.datetime  # naive, local to ``zone``
    zone: str
    conditions: tuple[tuple[str, str], ...] = ()


@frozen
class Limit:
    """At most ``count`` per group of ``per`` (e.g. per county), for the cases the
    conditions select (several values of one key: any of them)."""

    count: int
    per: tuple[str, ...]
    conditions: tuple[tuple[str, str], ...] = ()


@frozen
class Category:
    """A cost category with conditions such as ``activity = 2.1``."""

    name: str
    conditions: tuple[tuple[str, str], ...] = ()


@frozen
class Activity:
    """The point that holds it is a supported activity, named so by cost lines and
    ``when activity = …`` conditions; the parties and implementation periods stated
    in its point and the points under it are the activity's."""

    name: str


@frozen
class UnknownValue:
    """A value the law had but the sources do not give."""

    reason: str


Value = Union[Period, BoundedPeriod, Duration, Amount, AmountRange, Quantity, Rate, Role, Annual, Moment, Limit, Category, Activity, UnknownValue]


# The facts the cost rules read by name (rules/eligibility.py, rules/ledger.py), with the kinds of
# value each may hold: a fact of one of these names with another kind of value is a DSL error, not
# a rule silently ignored. Any fact may instead be unknown.
COST_RULE_VALUES: dict[str, tuple[type, ...]] = {
    "eligibility_period": (Period, BoundedPeriod),
    "implementation_period": (Period, BoundedPeriod),
    "payment_grace": (Duration,),
    "category": (Category,),
    "condition": (Category,),
    "excluded": (Category,),
    "activity": (Activity,),
    "budget": (Amount, AmountRange),
    "flat_rate": (Rate,),
}


@frozen
class Fact:
    """A named value attached to a point; it versions with the point.

    ``derived`` holds the arithmetic and premises of a value computed from the
    sources rather than stated in them. ``holds_since`` names the act from whose
    entry into force the sources vouch for the value: a memo that describes the
    state just before an act shows it only since the last earlier act, because
    an annotation names only the latest act that touched a point and an earlier
    one may have changed it unseen.
    """

    name: str
    value: Value
    source: Source | None = None
    location: Location | None = field(default=None, eq=False)
    derived: str | None = None
    holds_since: str | None = None


@frozen
class TableHeading:
    """A row across all columns that heads the rows after it, as the published
    tables group their rows ("Toetatav tegevus 2.1. …")."""

    text: str


@frozen
class Table:
    """Structured table content: header columns, then rows of cells and headings."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[Union[tuple[Union[str, Decimal], ...], TableHeading], ...]


@frozen
class Content:
    """What a point says in one version: wording, facts, table, provenance."""

    wording: Wording
    facts: tuple[Fact, ...] = ()
    table: Table | None = None
    sources: tuple[Source, ...] = ()
    notes: tuple[str, ...] = ()

    def fact(self, name: str) -> Fact | None:
        return next((fact for fact in self.facts if fact.name == name), None)


EMPTY = Content(Unknown("no content given"))


# --- acts: the DSL's acts, their points and items, are in ``acts.py`` (see ``__getattr__`` below) ---


LAST_SENTENCE = -1  # "viimane lause": the last sentence, however many the wording has


@frozen
class KnownDate:
    date: dt.date


@frozen
class UncertainDate:
    """A date the sources do not give: bounds, the date assumed, and why.

    ``written`` is the date as the sources print it (``xx.yy.2020``).
    ``supplied`` marks a date a user gave in place of the assumption.
    """

    written: str
    earliest: dt.date
    latest: dt.date
    assumed: dt.date
    reason: str
    supplied: bool = False

    @property
    def date(self) -> dt.date:
        return self.assumed


Signing = Union[KnownDate, UncertainDate]


# --- readings -------------------------------------------------------------------


@frozen
class ReadingOption:
    """One defensible answer to a contested question, with its basis."""

    name: str
    basis: str
    sources: tuple[Source, ...] = ()


@frozen
class Reading:
    """A question of law the sources leave contested (e.g. how far back an act
    reaches). Users choose an option; ``default`` is taken otherwise, for the
    reason ``argument``. Answers that another option would change say so."""

    name: str
    title: str
    options: tuple[ReadingOption, ...]
    default: str
    argument: str
    location: Location | None = field(default=None, eq=False)

    def option(self, name: str) -> ReadingOption | None:
        return next((option for option in self.options if option.name == name), None)


@frozen
class Under:
    """A condition on a reading: holds only when ``reading`` is read as ``option``."""

    reading: str
    option: str


@frozen
class Preamble:
    """The words before the first point (the law the act is issued under), as
    printed; part of the consolidated text, so it is kept and verified."""

    text: str
    source: Source


# --- deadline kinds: each names the point and fact that set it ------------------


@frozen
class TriggerFromFact:
    """Where no trigger day is given, it is a day of a period fact: its ``start`` or ``end``."""

    point: str
    fact: str
    end: str  # start | end


@frozen
class SkippedWhen:
    """The deadline lapses when kind ``before`` falls due within the duration ``fact`` of
    ``point`` after it (e.g. no interim report within six months of the final one)."""

    fact: str
    point: str
    before: str


@frozen
class NoteFrom:
    """A note the answer carries while ``fact`` of ``point`` holds; ``{value}`` in the
    text is the fact's value."""

    point: str
    fact: str
    text: str


ANNUAL_YEARS = {"year_reported": 1, "year_filed": 0}  # the year it falls due in, after the trigger day's


@frozen
class DeadlineKind:
    """A kind of deadline an instrument declares: the point and fact whose version in
    force gives its length and bound, what starts it, and the general options that
    shape it (an annual date, a trigger read from a fact, a rule that suppresses it,
    an extension, notes from other facts)."""

    name: str
    title: str
    point: str
    fact: str
    trigger: str  # what starts it, in words
    annual: str | None = None  # year_reported | year_filed: a fixed day every year
    from_fact: TriggerFromFact | None = None
    skipped_when: SkippedWhen | None = None
    extension: bool = False  # lengthened by the days spent fixing deficiencies
    notes: tuple[NoteFrom, ...] = ()
    sources: tuple[Source, ...] = ()
    location: Location | None = field(default=None, eq=False)

    @property
    def year(self) -> int | None:
        """For an annual kind: the year it falls due in, counted from the trigger day's year."""
        return None if self.annual is None else ANNUAL_YEARS[self.annual]

    def points(self) -> tuple[str, ...]:
        """Every point the kind reads."""
        extra = [self.from_fact.point] if self.from_fact else []
        extra += [self.skipped_when.point] if self.skipped_when else []
        return tuple(dict.fromkeys([self.point, *extra, *(note.point for note in self.notes)]))


# The acts as the DSL states them (acts.py): a cached index holds none of them, so a command
# answered from the cache does not define their classes (a dozen attrs classes, several
# milliseconds of every start). ``model.Act`` and ``from .model import Act`` still work.
_ACTS = frozenset({"Document", "PointDecl", "Substitute", "Retitle", "Insert", "Repeal", "Renumber", "Replace",
                   "Delete", "Amend", "Edit", "EDITS", "Verb", "Item", "Act", "Corpus"})


def __getattr__(name: str):
    if name in _ACTS:
        from . import acts

        globals().update({found: getattr(acts, found) for found in _ACTS})
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
