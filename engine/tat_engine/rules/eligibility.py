"""Is a cost eligible, and why: the rules read from the corpus, applied to many
cost lines at once.

The evaluator knows no numbers and no point labels of its own. It reads, from
the versions in force on the law date, the facts by the names of the rule kinds
(see the grammar's "cost eligibility" section): ``eligibility_period``,
``payment_grace``, ``category`` facts (with ``when activity = …`` and the
``condition`` facts of their sub-points), ``excluded`` facts, the ``activity``
facts that make a point an activity, and the ``implementer``/``partner`` roles
and ``implementation_period`` stated under each activity's point. Change a fact
and the verdicts change. An instrument that declares none of these refuses
(:func:`require`).

Cost lines are columns (numpy arrays): a rule is a vectorised test that sets a
bit in a reason mask, so a million lines are judged in a few passes. The
single-cost API judges a batch of one, through the same code.

Verdicts, from strongest: invalid input, ineligible, undetermined, partially
eligible, eligible.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref

import attrs
import numpy as np
from attrs import frozen

from .. import model as m
from ..errors import UndeclaredRules
from ..history.answers import Citation, InForce
from ..law import Law
from ..messages import N_, Message, msg

FACT_STATUSES = (N_("known"), N_("derived"), N_("bounded"), N_("open"), N_("unknown"), N_("reconstructed"))
VERDICTS = (N_("eligible"), N_("partially eligible"), N_("undetermined"), N_("ineligible"), N_("invalid input"))
ELIGIBLE, PARTIAL, UNDETERMINED, INELIGIBLE, INVALID = range(5)
_EPOCH = dt.date(1970, 1, 1).toordinal()


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01, the integer form dates take in the arrays."""
    return day.toordinal() - _EPOCH


@frozen(cache_hash=True)  # a reason's text is looked up by the reason, in every batch of a ledger
class Reason:
    """One rule's finding about a cost: the point, its version, act and item, and a sentence
    (a catalogue message, written in the reader's language when shown)."""

    verdict: int
    point: str
    citation: Citation | None
    message: Message
    status: str = "known"  # the status of the fact it rests on (see facts.py)
    why: str = ""

    @property
    def text(self) -> str:
        """The sentence in the current language."""
        return str(self.message)

    def __str__(self) -> str:
        marked = str(self.message)
        if self.status not in ("known", "derived"):
            marked = str(msg("{text} [{status}: {why}]", text=marked, status=msg(self.status), why=self.why))
        if self.citation is None:
            return marked if self.point == "-" else f"{self.point}: {marked}"  # "-": a finding no point states
        cite = self.citation
        item = str(msg(" item {item}", item=cite.item)) if cite.item else ""
        return f"{self.point} (v{cite.version}, {cite.act.number}{item}): {marked}"


@frozen
class Span:
    """Days a period admits, as day numbers: ``[first, sure)`` surely inside it,
    ``[sure, end)`` open (its last day lies there, see ``model.BoundedPeriod``),
    outside it elsewhere. A period the sources give whole has ``sure == end``."""

    first: int
    sure: int
    end: int

    @classmethod
    def of(cls, value: m.Period | m.BoundedPeriod) -> Span:
        if isinstance(value, m.BoundedPeriod):
            return cls(day_number(value.first_day), day_number(value.earliest_last_day) + 1,
                       day_number(value.latest_last_day) + 1)
        return cls(day_number(value.first_day), day_number(value.end), day_number(value.end))

    def test(self, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(surely inside, possibly inside) for each day."""
        return (days >= self.first) & (days < self.sure), (days >= self.first) & (days < self.end)


@frozen
class CategoryRule:
    point: str
    citation: Citation
    name: str
    activities: tuple[str, ...]  # empty: any activity
    written_proof: str | None  # the point that requires written proof
    modes: tuple[str, ...]
    modes_point: str | None


@frozen
class Parties:
    """Who may incur an activity's costs: its implementer and partner by name, as the
    roles in and under its point say (an implementer outside every activity's point
    implements every activity)."""

    activity: str
    implementer: str | None
    partner: str | None  # None: no partner, or (partner_known False) not in the sources
    partner_known: bool
    reason: Reason  # a cost charged by "partner" where there is none, or it is not in the sources

    def stranger(self, body: str) -> Reason:
        """Why a cost charged by ``body``, which is neither of them, is not eligible."""
        if not self.partner_known:
            text = msg("whether {body} was a partner of activity {activity} then is not in the sources",
                       body=body, activity=self.activity)
            return attrs.evolve(self.reason, verdict=UNDETERMINED, message=text)
        names = ([msg("{body} (implementer)", body=self.implementer)] * bool(self.implementer)
                 + [msg("{body} (partner)", body=self.partner)] * bool(self.partner))
        if not names:
            text = msg("{body} is not a party of activity {activity}: its parties are not named", body=body, activity=self.activity)
        elif len(names) == 1:
            text = msg("{body} is not a party of activity {activity}: its parties are {party}", body=body,
                       activity=self.activity, party=names[0])
        else:
            text = msg("{body} is not a party of activity {activity}: its parties are {implementer} and {partner}",
                       body=body, activity=self.activity, implementer=names[0], partner=names[1])
        return attrs.evolve(self.reason, verdict=INELIGIBLE, message=text)


@frozen
class Rules:
    """The rules in force on one law date, read from the facts."""

    law_on: dt.date
    period: Span | None  # None: not in the sources on that date
    period_reason: Reason
    grace: int | None
    grace_reason: Reason | None
    categories: dict[str, CategoryRule]
    exclusions: dict[str, Reason]
    on_documents: tuple[Reason, str] | None  # a category excluded when claimed on cost documents (a "claimed_on" condition)
    excess: tuple[Reason, str] | None  # a category whose part above a limit is excluded (a "part" condition)
    partners: dict[str, Parties]  # activity -> who may incur its costs
    implementation: dict[str, tuple[list[Span] | None, Reason]]  # activity -> periods, or None when unknown


def rules(law: Law, on: dt.date, reach: tuple = ()) -> Rules:
    """Read the rules in force on ``on`` from the corpus (through ``law.on``: each fact with its status);
    ``reach``: the later versions items applied back to the facts (:meth:`Law.reached_back`)."""
    snapshot = law.on(on, reach)
    answers = snapshot.answers
    facts = [(view.answer, view.fact) for view in snapshot.facts()]
    period, period_reason = _period(snapshot)
    grace, grace_reason = _grace(snapshot)
    categories = _categories(facts)
    exclusions, on_documents, excess = {}, None, None
    for answer, fact in facts:
        if fact.name == "excluded" and isinstance(fact.value, m.Category):
            conditions, name = dict(fact.value.conditions), fact.value.name
            if "claimed_on" in conditions:
                text = msg("{name} claimed on {documents} are ineligible", name=name, documents=conditions["claimed_on"])
                on_documents = (Reason(INELIGIBLE, answer.label, answer.citation, text), name)
            elif "part" in conditions:
                text = msg("{name}: the {part} is ineligible", name=name, part=conditions["part"])
                excess = (Reason(PARTIAL, answer.label, answer.citation, text), name)
            else:
                exclusions[answer.label] = Reason(INELIGIBLE, answer.label, answer.citation, msg("ineligible: {name}", name=name))
    activities = _activities(facts)
    return Rules(on, period, period_reason, grace, grace_reason, categories, exclusions, on_documents, excess,
                 _partners(facts, activities), _implementation(snapshot, activities))


RULE_KINDS = ("eligibility_period", "category")  # an instrument that declares neither has no cost rules


def require(law: Law) -> None:
    """Refuse, naming what is missing, when ``law``'s corpus declares no cost eligibility
    rules in any version: every cost would otherwise be judged against nothing."""
    if law.declares(lambda fact: fact.name in RULE_KINDS):
        return
    raise UndeclaredRules(law.name, "cost eligibility",
                          f"no {' and no '.join(RULE_KINDS)} fact (see the grammar's cost eligibility section)")


def _period(snapshot) -> tuple[Span | None, Reason]:
    view = snapshot.fact("eligibility_period")
    if view is None or not isinstance(view.value, (m.Period, m.BoundedPeriod)) or view.status in ("open", "unknown"):
        why = view.why if view else msg("no eligibility period is in force")
        label, citation = (view.label, view.citation) if view else ("-", None)
        return None, Reason(UNDETERMINED, label, citation,
                            msg("the eligibility period is not in the sources on that date: {why}", why=why))
    value = view.value
    if isinstance(value, m.BoundedPeriod):
        shown = msg("{first}..(a last day between {earliest} and {latest})", first=value.first_day,
                    earliest=value.earliest_last_day, latest=value.latest_last_day)
    else:
        shown = msg("{first}..{last}", first=value.first_day, last=value.last_day)
    return Span.of(value), Reason(INELIGIBLE, view.label, view.citation,
                                  msg("incurred outside the eligibility period {period}", period=shown), view.status, view.why)


def _grace(snapshot) -> tuple:
    view = snapshot.fact("payment_grace")
    if view is None or not isinstance(view.value, m.Duration) or view.value.unit != "calendar_days":
        return None, None
    if view.status in ("open", "unknown"):
        return None, Reason(UNDETERMINED, view.label, view.citation,
                            msg("the time to pay after the period is not in the sources: {why}", why=view.why))
    text = msg("paid later than {days} calendar days after the eligibility period", days=view.value.amount)
    return view.value.amount, Reason(INELIGIBLE, view.label, view.citation, text, view.status, view.why)


def _categories(facts) -> dict[str, CategoryRule]:
    found: dict[str, CategoryRule] = {}
    for answer, fact in facts:
        if fact.name == "category" and isinstance(fact.value, m.Category):
            activities = tuple(value for key, value in fact.value.conditions if key == "activity")
            found[answer.label] = CategoryRule(answer.label, answer.citation, fact.value.name, activities, None, (), None)
    for answer, fact in facts:
        if fact.name != "condition" or not isinstance(fact.value, m.Category):
            continue
        parent = next((found[label] for label in _ancestors(answer.label) if label in found), None)
        if parent is None:
            continue
        conditions = fact.value.conditions
        if any(key == "proof" for key, _ in conditions):
            parent = attrs.evolve(parent, written_proof=answer.label)
        modes = tuple(value for key, value in conditions if key == "mode")
        if modes:
            parent = attrs.evolve(parent, modes=modes, modes_point=answer.label)
        found[parent.point] = parent
    return found


def _ancestors(label: str) -> list[str]:
    parts = label.split(".")
    return [".".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)]


@frozen
class ActivityPoint:
    """A point that is an activity (an ``activity`` fact), with the name cost lines give it."""

    name: str
    point: str
    citation: Citation


def _activities(facts) -> dict[str, ActivityPoint]:
    return {answer.label: ActivityPoint(fact.value.name, answer.label, answer.citation) for answer, fact in facts
            if fact.name == "activity" and isinstance(fact.value, m.Activity)}


def _activity_of(label: str, activities: dict[str, ActivityPoint]) -> str | None:
    """The activity whose point ``label`` is, or lies under."""
    return next((activities[point].name for point in [label, *_ancestors(label)] if point in activities), None)


def _partners(facts, activities: dict[str, ActivityPoint]) -> dict[str, Parties]:
    roles = [(answer, fact) for answer, fact in facts
             if fact.name in ("implementer", "partner") and isinstance(fact.value, (m.Role, m.UnknownValue))]
    everyone = next((fact.value.body for answer, fact in roles  # the implementer of every activity
                     if not _activity_of(answer.label, activities) and fact.name == "implementer"
                     and isinstance(fact.value, m.Role)), None)
    found: dict[str, Parties] = {}
    for answer, fact in roles:
        activity = _activity_of(answer.label, activities)
        if not activity:
            continue
        parties = found.get(activity) or Parties(activity, everyone, None, True, Reason(
            INELIGIBLE, answer.label, answer.citation, msg(NO_PARTNER)))
        known = isinstance(fact.value, m.Role)
        if fact.name == "implementer":
            parties = attrs.evolve(parties, implementer=fact.value.body if known else None)
        else:
            text = (msg("the activity's partner is {body}", body=fact.value.body) if known
                    else msg("the partner of the activity is not in the sources"))
            parties = attrs.evolve(parties, partner=fact.value.body if known else None, partner_known=known,
                                   reason=Reason(INELIGIBLE if known else UNDETERMINED, answer.label, answer.citation, text))
        found[activity] = parties
    for activity in activities.values():  # an activity whose point states no party: the implementer of all
        if activity.name not in found:
            found[activity.name] = Parties(activity.name, everyone, None, True, Reason(
                INELIGIBLE, activity.point, activity.citation, msg(NO_PARTNER)))
    return found


NO_PARTNER = N_("the activity has no partner; only the implementer incurs its costs")


def _implementation(snapshot, activities: dict[str, ActivityPoint]) -> dict[str, tuple[list[Span] | None, Reason]]:
    found: dict[str, tuple[list[Span] | None, Reason]] = {}
    for view in snapshot.facts("implementation_period"):
        activity = _activity_of(view.label, activities)
        if not activity:
            continue
        periods, reason = found.get(activity, ([], None))
        if isinstance(view.value, (m.Period, m.BoundedPeriod)) and view.status not in ("open", "unknown"):
            if periods is not None:
                periods = periods + [Span.of(view.value)]
            reason = reason or Reason(INELIGIBLE, view.label, view.citation,
                                      msg("incurred outside the activity's implementation period"), view.status, view.why)
        else:
            periods = None  # one unknown part makes the whole activity's span unknown
            reason = Reason(UNDETERMINED, view.label, view.citation,
                            msg("the implementation period is not in the sources: {why}", why=view.why))
        found[activity] = (periods, reason)
    return found


# --- judging ------------------------------------------------------------------


@frozen
class Codes:
    """A column of a few distinct strings, held as integer codes (fast to compare)."""

    codes: np.ndarray
    values: tuple[str, ...]

    def eq(self, value: str) -> np.ndarray:
        return self.codes == (self.values.index(value) if value in self.values else -1)

    def isin(self, values) -> np.ndarray:
        wanted = set(values)
        return np.array([value in wanted for value in self.values] or [False])[self.codes]

    def take(self, rows: np.ndarray) -> Codes:
        return Codes(self.codes[rows], self.values)

    def __getitem__(self, row: int) -> str:
        return self.values[self.codes[row]]


@frozen
class Lines:
    """Cost lines as equal-length arrays (dates as day numbers, money in cents)."""

    activity: Codes  # an activity's name, as its ``activity`` fact gives it
    party: Codes  # implementer | partner | a body's name
    category: Codes  # the point that names the kind of cost (a category or exclusion point)
    incurred: np.ndarray
    paid: np.ndarray
    amount: np.ndarray
    on_documents: np.ndarray  # an indirect cost claimed on cost documents
    written_proof: np.ndarray  # participation proven in writing (a "when proof" condition)
    mode: Codes  # means of transport, "" when not given
    excess: np.ndarray  # the part above the tax-free limit, in cents

    def __len__(self) -> int:
        return len(self.amount)


@frozen
class Judged:
    """Verdicts, eligible cents, and per row an index into a table of reason tuples."""

    verdict: np.ndarray  # index into VERDICTS
    eligible: np.ndarray  # eligible cents
    reason: np.ndarray  # index into table
    table: tuple[tuple[Reason, ...], ...]


class _Marks:
    """Which reasons hold for which rows: one boolean column per reason."""

    def __init__(self, size: int):
        self.size, self.reasons, self.columns = size, [], []

    def add(self, reason: Reason | None, mask) -> None:
        if reason is None:
            return
        if not isinstance(mask, np.ndarray) or mask.shape != (self.size,):
            mask = np.broadcast_to(np.asarray(mask, dtype=bool), (self.size,))
        if mask.any():
            self.reasons.append(reason)
            self.columns.append(mask)


def judge(law: Law, lines: Lines, as_of: dt.date) -> Judged:
    """Verdicts for ``lines`` decided on ``as_of``, over every possibility the
    sources leave open (see :mod:`possible`): a row whose verdict or eligible
    amount differs in another date world is undetermined, naming what it hinges
    on and the alternatives; a row another reading would judge otherwise keeps
    its verdict and says so.

    Another world is asked only about the rows it could judge otherwise: those
    whose governing day differs from this world's, or falls inside the bounds of
    an open act date (elsewhere both worlds read the same text)."""
    days = Days.of(lines)
    main_on = days.law_on(law, as_of)
    main = _judge_at(law, lines, days, main_on, as_of)
    windows = [(day_number(a.earliest), day_number(a.latest)) for a in law.index.uncertain.values() if not a.supplied]
    others = [(conditions, world, True) for conditions, world in law.worlds()[1:]]
    others += [(conditions, world, False) for conditions, world in law.other_readings()]
    found = []  # (conditions, is a date world, rows asked, their judgement, which of them differ)
    for conditions, world, dated in others:
        on = days.law_on(world, as_of)
        unsure = (on != main_on) | _inside(main_on, windows) | _inside(on, windows)
        rows = np.nonzero(unsure[days.first])[0]
        if not len(rows):
            continue
        other = _judge_at(world, _take(lines, rows), days.take(rows), on, as_of)
        differ = (other.verdict != main.verdict[rows]) | (other.eligible != main.eligible[rows])
        if differ.any():
            found.append((conditions, dated, rows[differ], _pick(other, differ)))
    if not found:
        return main
    return _with_alternatives(main, found, len(lines))


def _with_alternatives(main: Judged, found: list, size: int) -> Judged:
    """``main`` with, on each row another world judges otherwise, that world's
    answer as a reason; rows a date world judges otherwise are undetermined."""
    hinge = np.zeros(size, dtype=bool)
    key = main.reason.astype(np.int64)
    for conditions, dated, rows, other in found:
        code = np.zeros(size, dtype=np.int64)
        code[rows] = other.reason + 1
        key = key * (len(other.table) + 1) + code
        if dated:
            hinge[rows] = True
    inverse, first = _factorised(key)
    positions = []  # per world, where each set's first row stands among the rows it asked (-1: not asked)
    for _, _, rows, _ in found:
        at = np.full(size, -1, dtype=np.int64)
        at[rows] = np.arange(len(rows))
        positions.append(at[first].tolist())
    table = []
    for index, row in enumerate(first.tolist()):
        notes = tuple(_alternative(conditions, other, at[index]) for (conditions, _, _, other), at in zip(found, positions)
                      if at[index] >= 0)
        table.append(main.table[main.reason[row]] + notes)
    verdict = np.where(hinge, UNDETERMINED, main.verdict).astype(np.int8)
    return Judged(verdict, np.where(hinge, 0, main.eligible), inverse.ravel().astype(np.int64), tuple(table))


def _inside(law_on: np.ndarray, windows: list[tuple[int, int]]) -> np.ndarray:
    found = np.zeros(len(law_on), dtype=bool)
    for earliest, latest in windows:
        found |= (law_on >= earliest) & (law_on < latest)
    return found


def _pick(judged: Judged, rows: np.ndarray) -> Judged:
    return Judged(judged.verdict[rows], judged.eligible[rows], judged.reason[rows], judged.table)


@frozen
class Days:
    """The distinct days costs were incurred on (``first`` maps each line to its day),
    so the governing text is asked once a day, not once a line."""

    days: np.ndarray
    first: np.ndarray

    @classmethod
    def of(cls, lines: Lines) -> Days:
        """Found by marking each day in a table over the days' range (no sort): a ledger's days lie within
        a few thousand, the engine's whole range within 400 000."""
        incurred = lines.incurred
        if not len(incurred):
            return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        low = int(incurred.min())
        offset = incurred - low
        seen = np.zeros(int(offset.max()) + 1, dtype=bool)
        seen[offset] = True
        return cls(np.flatnonzero(seen) + low, (np.cumsum(seen) - 1)[offset])

    def take(self, rows: np.ndarray) -> Days:
        return Days(self.days, self.first[rows])

    def law_on(self, law: Law, decided: dt.date) -> np.ndarray:
        """Per distinct day, the day whose text governs it (``_UNGOVERNED``: none); remembered per law and
        decision date, so a ledger read in batches asks each day once, not once a batch."""
        return _LAW_ON.setdefault(law, {}).setdefault(decided, _Governed()).of(law, decided, self.days)


class _Governed:
    """The governing day of every day asked, for one law and decision date: an array over the days from the
    earliest to the latest asked (at most the engine's range of days, 400 000), so a batch looks its days up at once."""

    def __init__(self):
        self.first, self.known = 0, np.zeros(0, dtype=np.int64)
        self.lock = threading.Lock()  # ledgers judged at once (the HTTP pool) share it; growing it moves both fields

    def of(self, law: Law, decided: dt.date, days: np.ndarray) -> np.ndarray:
        if not len(days):
            return np.zeros(0, dtype=np.int64)
        with self.lock:
            return self._of(law, decided, days)

    def _of(self, law: Law, decided: dt.date, days: np.ndarray) -> np.ndarray:
        low, high = int(days.min()), int(days.max())
        if not len(self.known) or low < self.first or high >= self.first + len(self.known):
            first = min(low, self.first) if len(self.known) else low
            known = np.full(max(high, self.first + len(self.known) - 1) - first + 1, _UNASKED, dtype=np.int64)
            known[self.first - first:self.first - first + len(self.known)] = self.known
            self.first, self.known = first, known
        found = self.known[days - self.first]
        for number in days[found == _UNASKED].tolist():
            governing = law.governing(_date(number), decided)
            self.known[number - self.first] = day_number(governing.law_on) if governing.law_on else _UNGOVERNED
        return self.known[days - self.first]


_LAW_ON: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # law -> decision date -> _Governed
_UNGOVERNED = np.iinfo(np.int64).min
_UNASKED = _UNGOVERNED + 1


def _alternative(conditions, other: Judged, row: int) -> Reason:
    """What another world makes of a row: its verdict, eligible amount and reasons."""
    if other.verdict[row] <= PARTIAL:
        text = msg("{when}: {verdict}, eligible {amount} ({reasons})", amount=_Decimal(int(other.eligible[row])),
                   when=_Joined(tuple(conditions), ", "), verdict=msg(VERDICTS[other.verdict[row]]),
                   reasons=_Joined(other.table[other.reason[row]], "; "))
    else:
        text = msg("{when}: {verdict} ({reasons})", when=_Joined(tuple(conditions), ", "),
                   verdict=msg(VERDICTS[other.verdict[row]]), reasons=_Joined(other.table[other.reason[row]], "; "))
    return Reason(UNDETERMINED, "-", None, text)


@frozen
class _Joined:
    """Values written one after another in the reader's language (reasons, conditions)."""

    values: tuple
    separator: str

    def __str__(self) -> str:
        return self.separator.join(map(str, self.values))


@frozen
class _And:
    """``a``, ``a and b``, ``a, b and c`` in the reader's language."""

    values: tuple[str, ...]

    def __str__(self) -> str:
        if len(self.values) < 2:
            return "".join(self.values)
        return str(msg("{some} and {last}", some=", ".join(self.values[:-1]), last=self.values[-1]))


@frozen
class _Decimal:
    """Cents as a plain decimal number, with the reader's decimal mark: ``12.50`` or ``12,50``."""

    cents: int

    def __str__(self) -> str:
        from ..messages import language

        text = f"{self.cents / 100:.2f}"
        return text.replace(".", ",") if language() == "et" else text


def _judge_at(law: Law, lines: Lines, days: Days, law_on: np.ndarray, decided: dt.date) -> Judged:
    """Verdicts in one world: each line by the text that governs its day (``law_on``, per distinct day),
    with the versions items applied back to that day (:meth:`Law.reached_back`)."""
    starts = sorted({a.in_force_from for a in law.acts()})
    interval = np.searchsorted(np.array([day_number(s) for s in starts]), law_on, side="right") - 1
    reaches = [law.reached_back(_date(n), decided) for n in days.days.tolist()] if law.reaches_back() else []
    if any(reaches):  # a reach of its own makes its days a text of their own
        codes = {reach: code for code, reach in enumerate(dict.fromkeys(reaches))}
        interval = interval * len(codes) + np.array([codes[reach] for reach in reaches], dtype=np.int64)
        starts = [(start, reach) for start in starts for reach in codes]
    else:
        starts = [(start, ()) for start in starts]
    interval = interval[days.first]
    why = Reason(INELIGIBLE, "-", None, msg("no act governs the date the cost was incurred: the earliest act applies from {day}",
                                            day=law.reach()))
    verdict = np.full(len(lines), INELIGIBLE, dtype=np.int8)
    eligible = np.zeros(len(lines), dtype=np.int64)
    reason = np.zeros(len(lines), dtype=np.int64)
    table: tuple = ((why,),)
    for k in np.unique(interval):
        if k < 0:
            continue
        rows = np.nonzero(interval == k)[0]
        part = _evaluate(_rules_memo(law, *starts[k]), _take(lines, rows))
        verdict[rows], eligible[rows], reason[rows] = part.verdict, part.eligible, part.reason + len(table)
        table += part.table
    return Judged(verdict, eligible, reason, table)


_RULES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # law -> (law date, reach) -> Rules


def _rules_memo(law: Law, on: dt.date, reach: tuple = ()) -> Rules:
    """``rules(law, on, reach)``, read once per law, date and reach: a ledger judged in many batches asks the
    same few."""
    known = _RULES.setdefault(law, {})
    if (on, reach) not in known:
        known[on, reach] = rules(law, on, reach)
    return known[on, reach]


def _date(number: int) -> dt.date:
    return dt.date.fromordinal(number + _EPOCH)


def _take(lines: Lines, rows: np.ndarray) -> Lines:
    if len(rows) == len(lines):
        return lines
    return Lines(*(getattr(lines, field.name)[rows] if isinstance(getattr(lines, field.name), np.ndarray)
                   else getattr(lines, field.name).take(rows) for field in attrs.fields(Lines)))


def _evaluate(rules: Rules, lines: Lines) -> Judged:
    marks = _Marks(len(lines))
    incurred, paid, category, activity = lines.incurred, lines.paid, lines.category, lines.activity
    if rules.period is None:
        marks.add(rules.period_reason, True)
    else:
        period = rules.period
        surely, possibly = period.test(incurred)
        marks.add(rules.period_reason, ~possibly)
        marks.add(_text(rules.period_reason, msg("incurred within the eligibility period"), ELIGIBLE), surely)
        marks.add(_text(rules.period_reason, msg("whether it was incurred within the eligibility period depends on "
                                                       "its last day, which the sources give only by bounds"), UNDETERMINED), possibly & ~surely)
        if rules.grace is None:
            marks.add(rules.grace_reason or Reason(UNDETERMINED, "-", None, msg("the time to pay after the period is not in the sources")), True)
        else:
            late, timely = paid >= period.end + rules.grace, paid < period.sure + rules.grace
            marks.add(rules.grace_reason, late)
            marks.add(_text(rules.grace_reason, msg("paid before the eligibility period")), paid < period.first)
            marks.add(_text(rules.grace_reason, msg("paid within the period or the time after it"), ELIGIBLE),
                      (paid >= period.first) & timely)
            marks.add(_text(rules.grace_reason, msg("whether it was paid in time depends on the period's last day, "
                                                          "which the sources give only by bounds"), UNDETERMINED), (paid >= period.first) & ~late & ~timely)
    known = category.isin(list(rules.categories) + list(rules.exclusions))
    marks.add(Reason(INELIGIBLE, _common_parent(rules.categories), None, msg("not an eligible category of cost on that date")), ~known)
    for label, reason in rules.exclusions.items():
        marks.add(reason, category.eq(label))
    by_name = {rule.name: rule for rule in rules.categories.values()}
    for rule in rules.categories.values():
        mine = category.eq(rule.point)
        marks.add(Reason(ELIGIBLE, rule.point, rule.citation, msg("an eligible category: {name}", name=rule.name)), mine)
        if rule.activities:
            text = msg("{name} are eligible only for activity {activities}", name=rule.name, activities=rule.activities)
            marks.add(Reason(INELIGIBLE, rule.point, rule.citation, text), mine & ~activity.isin(rule.activities))
        if rule.written_proof:
            text = msg("participation is not proven in writing")
            marks.add(Reason(INELIGIBLE, rule.written_proof, rule.citation, text), mine & ~lines.written_proof)
        if rule.modes:
            text = msg("only {modes} costs are eligible", modes=_And(rule.modes))
            marks.add(Reason(INELIGIBLE, rule.modes_point, rule.citation, text),
                      mine & ~lines.mode.isin(("",) + rule.modes))
    eligible = lines.amount.copy()
    if rules.on_documents is not None and rules.on_documents[1] in by_name:
        reason, name = rules.on_documents
        marks.add(reason, category.eq(by_name[name].point) & lines.on_documents)
    if rules.excess is not None and rules.excess[1] in by_name:
        reason, name = rules.excess
        over = category.eq(by_name[name].point) & (lines.excess > 0)
        marks.add(reason, over)
        eligible = np.where(over, np.maximum(lines.amount - lines.excess, 0), eligible)
    for name, parties in rules.partners.items():
        mine = activity.eq(name)
        if parties.partner is None:
            marks.add(parties.reason, mine & lines.party.eq("partner"))
        for body in set(lines.party.values) - {"", "implementer", "partner", parties.implementer, parties.partner}:
            marks.add(parties.stranger(body), mine & lines.party.eq(body))
    for name, (periods, reason) in rules.implementation.items():
        mine = activity.eq(name)
        if periods is None:
            marks.add(reason, mine)
            continue
        surely = np.zeros(len(lines), dtype=bool)
        possibly = np.zeros(len(lines), dtype=bool)
        for span in periods:
            sure, maybe = span.test(incurred)
            surely |= sure
            possibly |= maybe
        marks.add(reason, mine & ~possibly)
        marks.add(_text(reason, msg("whether it was incurred within the implementation period depends on the "
                                           "period's last day, which the sources give only by bounds"), UNDETERMINED), mine & possibly & ~surely)
    return _verdicts(marks, eligible)


def _factorised(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of integer keys into their distinct values, numbered in order of first appearance, and the row
    where each first appears: by hashing, as Arrow's dictionary encoding does, not by sorting the rows."""
    import pyarrow as pa  # the ledger's library; imported here, so that a command judging no ledger does not load it
    import pyarrow.compute as pc

    if not len(keys):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    codes = pc.dictionary_encode(pa.array(keys)).indices.to_numpy().astype(np.int64)
    highest = np.maximum.accumulate(codes)  # a code first appears where the highest code so far rises to it
    return codes, np.flatnonzero(np.r_[True, highest[1:] > highest[:-1]])


def _common_parent(labels) -> str:
    """The point the category points all lie under (``-`` when none), to name where categories are listed."""
    split = [label.split(".") for label in labels]
    if not split:
        return "-"
    depth = min(len(parts) for parts in split) - 1
    while depth and len({tuple(parts[:depth]) for parts in split}) > 1:
        depth -= 1
    return ".".join(split[0][:depth]) or "-"


def _text(reason: Reason, text: Message, verdict: int | None = None) -> Reason:
    return attrs.evolve(reason, message=text, verdict=reason.verdict if verdict is None else verdict)


def _verdicts(marks: _Marks, eligible: np.ndarray) -> Judged:
    """Each row's verdict (its strongest reason) and its reasons, worked out once per distinct set of reasons:
    a row's marks are packed into a key (one integer when there are at most 64 reasons)."""
    size = marks.size
    if not marks.columns:
        return Judged(np.full(size, ELIGIBLE, dtype=np.int8), eligible, np.zeros(size, dtype=np.int64), ((),))
    count = len(marks.reasons)
    levels = np.array([reason.verdict for reason in marks.reasons], dtype=np.int8)
    if count <= 64:
        keys = np.zeros(size, dtype=np.uint64)
        for bit, column in enumerate(marks.columns):
            keys |= column.astype(np.uint64) << np.uint64(bit)
        inverse, first = _factorised(keys)
        unique = keys[first]
        bits = ((unique[:, None] >> np.arange(count, dtype=np.uint64)) & np.uint64(1)).astype(bool)
    else:
        packed = np.packbits(np.column_stack(marks.columns), axis=1, bitorder="little")
        width = packed.shape[1]
        keys = np.ascontiguousarray(packed).view(np.dtype((np.void, width))).ravel()
        unique, inverse = np.unique(keys, return_inverse=True)
        bits = np.unpackbits(unique.view(np.uint8).reshape(len(unique), width), axis=1, bitorder="little")[:, :count]
        bits = bits.astype(bool)
    inverse = inverse.ravel()
    worst = np.where(bits, levels, ELIGIBLE).max(axis=1).astype(np.int8)
    verdict = worst[inverse]
    eligible = np.where(verdict <= PARTIAL, eligible, 0)
    # the reasons a reader needs, for every distinct set at once: why an eligible cost is eligible (and, for
    # a partial one, the part cut); for any other verdict, what makes it so
    shown = bits & np.where(worst[:, None] > PARTIAL, levels[None, :] > PARTIAL, levels[None, :] <= worst[:, None])
    rows, columns = np.nonzero(shown)
    bounds = np.searchsorted(rows, np.arange(len(unique) + 1)).tolist()
    reasons, columns = marks.reasons, columns.tolist()
    chosen = tuple(tuple([reasons[at] for at in columns[start:end]]) for start, end in zip(bounds, bounds[1:]))
    return Judged(verdict, eligible, inverse.astype(np.int64), chosen)
