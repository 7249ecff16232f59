"""Which deadline applied, counted the Estonian way, under the rule in force.

An instrument declares its kinds of deadline in its corpus (``deadline "…" { … }``,
the TAT's in tat/deadlines.tat): each names the point and the fact that set it;
the duration and its bound (at most / at least / exactly) are read from the
version of that point in force — on the trigger day, or, given a decision date,
under the law as applied then (the 2020 act applies retroactively from
2015-07-01). This module implements the kinds' general options (a trigger read
from a period fact, an annual date, a rule that suppresses a deadline, an
extension, notes read from other facts); it knows no point and no kind. Where
the sources lack the value, the answer is *undetermined* and says why.

>>> import datetime as dt, tat_engine
>>> law = tat_engine.load()
>>> check = next(kind for kind in kinds(law) if kind.trigger == "receipt of the report")
>>> answer = deadline(law, check.name, dt.date(2021, 12, 22))
>>> answer.due, answer.bound, answer.rule.item        # 15 working days, Christmas skipped
(datetime.date(2022, 1, 13), 'at_most', '1.24')
"""

from __future__ import annotations

import datetime as dt

import attrs
from attrs import frozen

from .. import model as m
from ..history.answers import Assumption, Citation, InForce
from ..history.facts import FactView
from ..errors import QueryError, UndeclaredKind
from ..law import Law, day
from ..history.possible import Outcome
from ..messages import N_, Message, msg, say
from .workdays import UNITS, Described, count, fixed_date


def kinds(law: Law) -> tuple[m.DeadlineKind, ...]:
    """The deadline kinds the instrument declares, in the order of its corpus."""
    return tuple(law.index.deadlines.values())


def kind_of(law: Law, name: str) -> m.DeadlineKind:
    """The kind ``name`` as the instrument declares it; a kind it does not declare is refused, naming those it does."""
    found = law.index.deadlines.get(name)
    if found is None:
        acts = law.acts()
        instrument = acts[0].number if acts else say("the instrument")
        declared = ", ".join(law.index.deadlines)
        raise UndeclaredKind(instrument, "deadline", say("no deadline kind {kind} in {instrument}; ", kind=repr(name),
                                                         instrument=instrument) + (
            say("it declares: {kinds} (`tat deadline --list`)", kinds=declared) if declared
            else say("it declares no deadlines")))
    return found


STATUSES = (N_("determined"), N_("undetermined"), N_("none"))
BOUNDS = {"at_most": N_("at most"), "at_least": N_("at least"), "exactly": N_("exactly"), "fixed": N_("fixed")}


@frozen
class Deadline:
    """A due date (or why there is none), how it was counted, and the rule behind it."""

    kind: str
    title: str
    status: str  # determined | undetermined | none
    due: dt.date | None
    bound: str | None  # at_most | at_least | exactly | fixed
    steps: tuple[Message, ...]  # how it was counted, written in the reader's language when shown
    rule: Citation | None
    law_on: dt.date | None
    basis: Message
    assumptions: tuple[Assumption, ...] = ()
    notes: tuple[Message | str, ...] = ()  # a kind's own notes are the corpus's text
    alternatives: tuple[Outcome, ...] = ()  # when undetermined by an open date: the due date in each world
    other_readings: tuple[Outcome, ...] = ()  # another reading's differing answer

def deadline(law: Law, kind: str, trigger: dt.date | None = None, as_of: dt.date | None = None,
             extension_days: int = 0, move_fixed: bool = True) -> Deadline:
    """The deadline ``kind`` started by ``trigger`` under the rule in force, over
    every possibility the sources leave open (see :mod:`possible`).

    ``as_of`` is the decision date (default: the trigger day); ``extension_days``
    lengthens a kind declared with ``extension`` by the time spent fixing deficiencies;
    ``move_fixed`` says whether a fixed date on a rest day moves (see workdays).
    A due date that differs between the worlds of an open act date is
    undetermined, with the due date of each; one another reading would move is
    kept, and says so. Dates and due dates lie in the engine's range (``model.DAY_RANGE``).
    """
    if extension_days < 0:
        raise QueryError(say("the extension is the days spent fixing deficiencies: 0 or more, not {days}", days=extension_days))
    spec = kind_of(law, kind)
    if extension_days and not spec.extension:
        extended = ", ".join(k.name for k in kinds(law) if k.extension) or say("none")
        raise QueryError(say("{kind} takes no extension; kinds extended by the days spent fixing deficiencies: {kinds}",
                             kind=kind, kinds=extended))
    trigger, as_of = (None if value is None else day(value) for value in (trigger, as_of))
    settled = law.settle(lambda world: _deadline(world, spec, trigger, as_of, extension_days, move_fixed),
                         same=lambda a, b: (a.status, a.due, a.bound) == (b.status, b.due, b.bound))
    found: Deadline = settled.value
    if settled.other_readings:
        found = attrs.evolve(found, other_readings=settled.other_readings)
    if settled.determined:
        return found
    outcomes = (Outcome((), found),) + settled.alternatives
    steps = tuple(msg("{when}: {status}, due {day}", when=_Conditions(o.when), status=msg(o.value.status), day=o.value.due)
                  if o.value.due else msg("{when}: {status}", when=_Conditions(o.when), status=msg(o.value.status))
                  for o in outcomes)
    return attrs.evolve(found, status="undetermined", due=None, bound=None, alternatives=outcomes,
                        steps=found.steps + (msg("the due date hinges on what the sources leave open:"),) + steps)


@frozen
class _Conditions:
    """What an outcome holds under (``Outcome.when``), written when shown."""

    conditions: tuple

    def __str__(self) -> str:
        return ", ".join(map(str, self.conditions))


def _deadline(law: Law, spec: m.DeadlineKind, trigger: dt.date | None, as_of: dt.date | None, extension_days: int,
              move_fixed: bool) -> Deadline:
    """The deadline in one world."""
    kind = spec.name
    if trigger is None:
        trigger = _default_trigger(law, spec, as_of)
        if trigger is None:
            on = as_of or dt.date.today()
            answer = law.point(spec.from_fact.point, on)
            return Deadline(kind, spec.title, "undetermined", None, None,
                            (msg("it runs from {trigger}, which is not in the sources on {day}", trigger=spec.trigger, day=on),),
                            getattr(answer, "citation", None), on,
                            msg("point {label} in force on that date", label=spec.from_fact.point))
    decided, facts_on = as_of or trigger, trigger
    if spec.year is not None:
        facts_on = _due_day(law, spec, trigger, as_of)
        decided = as_of or facts_on
    applied = law.applicable_here(spec.point, facts_on, decided)
    base = dict(kind=kind, title=spec.title, law_on=applied.law_on, basis=applied.basis)
    answer = applied.answer
    if not isinstance(answer, InForce):
        return Deadline(status="undetermined", due=None, bound=None, rule=None,
                        steps=(msg("point {label} is not in force on {day}", label=spec.point, day=applied.law_on),), **base)
    assumptions = tuple(dict.fromkeys(answer.assumptions + applied.assumptions))
    fact = answer.fact(spec.fact)
    if fact is None or isinstance(fact.value, m.UnknownValue):
        why = fact.value.reason if fact else msg("version {version} of {label} sets no such time limit",
                                                  version=answer.version.number, label=spec.point)
        return Deadline(status="undetermined", due=None, bound=None, rule=answer.citation, assumptions=assumptions,
                        steps=(msg("not in the sources: {why}", why=why),), **base)
    notes = (msg("the value is taken from {source}", source=fact.source),) if fact.source else ()
    view = _fact_on(law, answer.label, spec.fact, applied.law_on)
    if view is not None and not view.certain and view.status != "bounded":
        found = _deadline_of(law, spec, fact, trigger, decided, move_fixed, answer, assumptions, notes, base, extension_days)
        if found.due is None:
            return found
        return Deadline(status="undetermined", due=None, bound=None, rule=answer.citation, assumptions=assumptions,
                        steps=(msg("not certain on {day}: {why}", day=applied.law_on, why=view.why),
                               msg("if the value was unchanged then: due {day} ({bound})", day=Described(found.due),
                                   bound=msg(BOUNDS.get(found.bound, found.bound)))),
                        notes=notes, **base)
    return _deadline_of(law, spec, fact, trigger, decided, move_fixed, answer, assumptions, notes, base, extension_days)


def _fact_on(law: Law, label: str, name: str, on: dt.date) -> FactView | None:
    """``law.on(on).fact(name, label)``, read from the one point: a snapshot of the whole law
    decodes every version of the index, in every date world a deadline is settled over."""
    answer = law.point(label, on)
    fact = answer.fact(name) if isinstance(answer, InForce) else None
    return None if fact is None else FactView.of(fact, answer, on, law.index.acts)


def _deadline_of(law, spec, fact, trigger, decided, move_fixed, answer, assumptions, notes, base, extension_days) -> Deadline:
    """The due date a fact's value gives, with the notes of the kind, unless a rule suppresses it."""
    value = fact.value
    if spec.year is not None and isinstance(value, m.Annual):
        counted = fixed_date(dt.date(trigger.year + spec.year, value.month, value.day), move_fixed)
        bound, steps = "fixed", counted.steps
    elif spec.year is None and isinstance(value, m.Duration):
        counted = count(trigger, value.amount + extension_days, value.unit)
        bound, steps = value.bound, counted.steps
        if extension_days:
            steps = (msg("{amount} {unit} + {days} days spent fixing deficiencies ({label})", amount=value.amount,
                         unit=msg(UNITS.get(value.unit, value.unit)), days=extension_days, label=spec.point),) + steps
    else:
        wanted = msg("an annual date") if spec.year is not None else msg("a duration")
        return Deadline(status="undetermined", due=None, bound=None, rule=answer.citation, assumptions=assumptions,
                        steps=(msg("{fact} of {label} is not {wanted}, which this kind counts", fact=spec.fact,
                                   label=spec.point, wanted=wanted),), notes=notes, **base)
    found = Deadline(status="determined", due=counted.due, bound=bound, steps=steps, rule=answer.citation,
                     assumptions=assumptions, notes=notes + _notes_from(law, spec, answer, base["law_on"]), **base)
    return _skipped(law, spec.skipped_when, found, decided) if spec.skipped_when else found


def _default_trigger(law: Law, spec: m.DeadlineKind, as_of: dt.date | None) -> dt.date | None:
    """A kind whose trigger is a day of a period fact (``from_fact``) runs from that day
    in force on ``as_of``, None where that is not in the sources; every other kind needs a trigger."""
    if spec.from_fact:
        return _fact_day(law, spec.from_fact, as_of or dt.date.today())
    raise QueryError(say("{kind} needs --trigger: {trigger}", kind=spec.name, trigger=spec.trigger))


def _fact_day(law: Law, source: m.TriggerFromFact, on: dt.date) -> dt.date | None:
    """The first or last day of a period fact in force on ``on``; None where its bounds leave it open."""
    answer = law.point(source.point, on)
    fact = answer.fact(source.fact) if isinstance(answer, InForce) else None
    if fact is None or not isinstance(fact.value, m.Period):
        return None
    return fact.value.first_day if source.end == "start" else fact.value.last_day


def _notes_from(law: Law, spec: m.DeadlineKind, answer: InForce, on: dt.date) -> tuple[str, ...]:
    """The notes of ``note_from`` whose fact holds: read from the kind's own version where it is the same point."""
    found = []
    for note in spec.notes:
        rule = answer if note.point == spec.point else law.point(note.point, on)
        fact = rule.fact(note.fact) if isinstance(rule, InForce) else None
        if fact is not None and not isinstance(fact.value, m.UnknownValue):
            found.append(f"{note.text.replace('{value}', _value_words(fact.value))} ({note.point})")
    return tuple(found)


def _value_words(value) -> str:
    """A fact's value as a number or words, for a note."""
    for name in ("value", "count", "amount", "name"):
        if hasattr(value, name):
            return str(getattr(value, name))
    return str(value)


def _due_day(law: Law, spec: m.DeadlineKind, trigger: dt.date, as_of: dt.date | None) -> dt.date:
    """The day an annual duty falls due in the year ``trigger`` names, under the rule in
    force that day: the report on 2021 is due by 31 January 2022 whichever day of 2021
    asks, by the rule in force then. The day is read from the rule in force on the
    first day of that year; where that gives none, the first day itself."""
    year = trigger.year + spec.year
    first = dt.date(year, 1, 1)
    answer = law.applicable_here(spec.point, first, as_of or first).answer
    fact = answer.fact(spec.fact) if isinstance(answer, InForce) else None
    if fact is None or not isinstance(fact.value, m.Annual):
        return first
    return dt.date(year, fact.value.month, fact.value.day)


def _skipped(law: Law, rule: m.SkippedWhen, due: Deadline, decided: dt.date) -> Deadline:
    """None when the kind ``rule.before`` falls due within the duration of ``rule.fact`` after
    this deadline (e.g. no interim report within six months of the final one)."""
    other = kind_of(law, rule.before)
    later = deadline(law, other.name, None, max(decided, due.law_on))
    if later.status != "determined":
        return attrs.evolve(due, notes=due.notes + (msg("whether the {title} replaces it is undetermined", title=other.title),))
    answer = law.point(rule.point, due.law_on)
    gap = answer.fact(rule.fact) if isinstance(answer, InForce) else None
    if gap is None or not isinstance(gap.value, m.Duration):
        if isinstance(answer, InForce) and answer.status == "unknown":
            note = msg("whether the {title} replaces it is not in the sources ({label}'s wording is unknown then)",
                       title=other.title, label=rule.point)
            return attrs.evolve(due, notes=due.notes + (note,))
        return due
    if later.due < _after(due.due, gap.value):
        return attrs.evolve(due, status="none", due=None, bound=None,
                            steps=due.steps + (msg("the {title} is due {day}, within {amount} {unit} of it: only the "
                                                   "{title} is filed ({label})", title=other.title, day=later.due,
                                                   amount=gap.value.amount, unit=msg(UNITS.get(gap.value.unit, gap.value.unit)),
                                                   label=rule.point),))
    return due


def _after(day_: dt.date, span: m.Duration) -> dt.date:
    """The day ``span`` after ``day_``; a span past the engine's range gives a day later than any due date."""
    if span.unit == "months":
        from dateutil.relativedelta import relativedelta  # (only months need it: not on every deadline's start)

        return day_ + relativedelta(months=min(span.amount, 12 * (m.LAST_DAY.year + 1 - day_.year)))
    if span.unit == "calendar_days":
        return day_ + dt.timedelta(days=min(span.amount, (m.LAST_DAY - day_).days + 1))
    try:
        return count(day_, span.amount, span.unit).due
    except QueryError:
        return m.LAST_DAY + dt.timedelta(days=1)


def schedule(law: Law, year: int, move_fixed: bool = True) -> list[Deadline]:
    """The recurring and fixed due dates of ``year``: every annual kind, and each kind
    whose trigger is a day of a period fact if it falls due that year."""
    if not m.FIRST_DAY.year < year <= m.LAST_DAY.year:  # a report on a year is triggered by the year before
        raise QueryError(msg("no calendar for {year}: expected a year between {first} and {last}", year=year,
                             first=m.FIRST_DAY.year + 1, last=m.LAST_DAY.year))
    found = []
    for kind in kinds(law):
        if kind.year is not None:
            found.append(deadline(law, kind.name, dt.date(year - kind.year, 12, 31), move_fixed=move_fixed))
        elif kind.from_fact:
            start = _fact_day(law, kind.from_fact, dt.date(year, 12, 31))
            if start is not None:
                due = deadline(law, kind.name, start, dt.date(year, 12, 31))
                if due.due and due.due.year == year:
                    found.append(due)
    return sorted(found, key=lambda d: d.due or dt.date(year, 1, 1))


def to_ics(deadlines: list[Deadline], instrument: str, stamp=None) -> bytes:
    """The due dates as an iCalendar file staff can import: one all-day event each, its
    summary naming the instrument (``law.name``, e.g. 1-3/170) and the point; the stamp
    (:mod:`tat_engine.stamp`) as X- properties of the calendar, which programs that do not know them keep or skip."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//tat-engine//deadlines//EN")
    calendar.add("version", "2.0")
    if stamp is not None:
        calendar.add("x-tat-engine-stamp", stamp.line())
        calendar.add("x-tat-engine-stamp-json", stamp.to_json())
    for item in deadlines:
        if item.due is None:
            continue
        event = Event()
        event.add("uid", f"{item.kind}-{item.due.isoformat()}@tat-engine")
        event.add("dtstamp", dt.datetime.combine(item.due, dt.time(), dt.timezone.utc))
        event.add("dtstart", item.due)
        event.add("dtend", item.due + dt.timedelta(days=1))
        event.add("summary", f"{instrument} p {item.rule.label}: {item.title}")
        event.add("description", "\n".join(map(str, [item.rule, *item.steps, *item.notes, *item.assumptions])))
        calendar.add_component(event)
    return calendar.to_ical()
