"""Which deadline applied, counted the Estonian way, under the rule in force.

Each kind of deadline names the point and the fact that set it; the duration
and its bound (at most / at least / exactly) are read from the version of that
point in force — on the trigger day, or, given a decision date, under the law
as applied then (the 2020 act applies retroactively from 2015-07-01). Changing
a fact in the corpus changes the answer with no change here. Where the sources
lack the value, the answer is *undetermined* and says why.

>>> import datetime as dt, tat_engine
>>> answer = deadline(tat_engine.load(), "report-check", dt.date(2021, 12, 22))
>>> answer.due, answer.bound, answer.rule.item        # 15 working days, Christmas skipped
(datetime.date(2022, 1, 13), 'at_most', '1.24')
"""

from __future__ import annotations

import datetime as dt

import attrs
from attrs import frozen
from dateutil.relativedelta import relativedelta

from .. import model as m
from ..history.answers import Assumption, Citation, InForce
from ..errors import QueryError
from ..law import Law, day
from ..history.possible import Outcome
from .workdays import count, describe, fixed_date


@frozen
class Kind:
    name: str
    point: str
    fact: str
    title: str
    trigger: str  # what starts it, in words
    # A fixed day every year: the year it falls due in, counted from the year the
    # trigger day names (every day of that year gives the same due date); None otherwise.
    year: int | None = None


KINDS = (
    Kind("final-report", "11.3", "final_report", "final report (lõpparuanne)", "the end of the eligibility period (5.1)"),
    Kind("interim-report", "11.2", "interim_report", "interim report (vahearuanne), every year",
         "any day of the year reported on; due „iga aasta 31. jaanuariks“ of the next year", year=1),
    Kind("report-check", "11.4", "report_check", "implementing body checks a monitoring report", "receipt of the report"),
    Kind("interim-deficiencies", "11.6", "interim_deficiencies", "time given to fix an interim report", "the body finds deficiencies"),
    Kind("interim-approval", "11.6", "interim_approval", "body approves the fixed interim report", "the deficiencies are fixed"),
    Kind("final-deficiencies", "11.8", "final_deficiencies", "time given to fix the final report", "the body finds deficiencies"),
    Kind("final-forwarding", "11.8", "final_forwarding", "body forwards the fixed final report to RA", "the deficiencies are fixed"),
    Kind("final-report-forwarding", "11.7", "final_report_forwarding", "body forwards a sound final report to RA", "the body agrees the report"),
    Kind("final-report-approval-notice", "11.7", "final_report_approval_notice", "RA notifies the body of approval", "RA approves the final report"),
    Kind("final-report-approved-notice", "11.10", "final_report_approved_notice", "RA notifies the body it approved a report sent to it", "RA approves the final report"),
    Kind("claim-processing", "8.12", "claim_processing", "payment claim processed", "the claim is filed"),
    Kind("claim-interval-longest", "8.3", "claim_interval_longest", "next payment claim at the latest", "the previous claim"),
    Kind("claim-interval-shortest", "8.3", "claim_interval_shortest", "next payment claim at the earliest", "the previous claim"),
    Kind("claim-technical-failure", "8.2", "technical_failure", "payment claim after an e-toetus failure", "the fault is fixed"),
    Kind("interim-technical-failure", "11.2", "interim_report_fault", "interim report after an e-toetus failure", "the fault is fixed"),
    Kind("plan-and-budget", "9.1.1", "annual_plan", "next year's plan and budget to RA, every year",
         "any day of the year it is filed in: „jooksva aasta 5. novembriks“, the plan of the next budget year", year=0),
    Kind("first-year-plan", "9.1.1", "first_year_plan", "the 2015 plan and budget explanation", "approval of the TAT"),
    Kind("changed-plan", "9.1.1.3", "changed_plan", "changed plan and budget to RA", "the body agrees the change"),
    Kind("corrected-budget", "9.1.2", "corrected_budget", "previous year's corrected budget", "the year's last claim is paid out"),
    Kind("payment-forecast", "9.1.3", "payment_forecast", "payment forecast to the body", "RA approves plan and budget"),
    Kind("first-payment-forecast", "9.1.3", "first_payment_forecast", "first year's payment forecast", "approval of the TAT"),
    Kind("query-answer", "9.1.5", "query_answer", "answer to a query of RA or the body", "receipt of the query"),
    Kind("amendment-review", "12.4", "amendment_review", "RA reviews a request to amend the TAT", "receipt of the request"),
    Kind("body-amendment-review", "12.7", "body_amendment_review", "RA reviews the body's amendment request", "receipt of the request"),
)
BY_NAME = {kind.name: kind for kind in KINDS}


@frozen
class Deadline:
    """A due date (or why there is none), how it was counted, and the rule behind it."""

    kind: str
    title: str
    status: str  # determined | undetermined | none
    due: dt.date | None
    bound: str | None  # at_most | at_least | exactly | fixed
    steps: tuple[str, ...]
    rule: Citation | None
    law_on: dt.date | None
    basis: str
    assumptions: tuple[Assumption, ...] = ()
    notes: tuple[str, ...] = ()
    alternatives: tuple[Outcome, ...] = ()  # when undetermined by an open date: the due date in each world
    other_readings: tuple[Outcome, ...] = ()  # another reading's differing answer

def deadline(law: Law, kind: str, trigger: dt.date | None = None, as_of: dt.date | None = None,
             extension_days: int = 0, move_fixed: bool = True) -> Deadline:
    """The deadline ``kind`` started by ``trigger`` under the rule in force, over
    every possibility the sources leave open (see :mod:`possible`).

    ``as_of`` is the decision date (default: the trigger day); ``extension_days``
    lengthens claim processing by the time spent fixing deficiencies (8.12);
    ``move_fixed`` says whether a fixed date on a rest day moves (see workdays).
    A due date that differs between the worlds of an open act date is
    undetermined, with the due date of each; one another reading would move is
    kept, and says so. Dates and due dates lie in the engine's range (``model.DAY_RANGE``).
    """
    if extension_days < 0:
        raise QueryError(f"the extension is the days spent fixing deficiencies: 0 or more, not {extension_days}")
    trigger, as_of = (None if value is None else day(value) for value in (trigger, as_of))
    settled = law.settle(lambda world: _deadline(world, kind, trigger, as_of, extension_days, move_fixed),
                         same=lambda a, b: (a.status, a.due, a.bound) == (b.status, b.due, b.bound))
    found: Deadline = settled.value
    if settled.other_readings:
        found = attrs.evolve(found, other_readings=settled.other_readings)
    if settled.determined:
        return found
    outcomes = (Outcome((), found),) + settled.alternatives
    steps = tuple(f"{o.when}: {o.value.status}" + (f", due {o.value.due}" if o.value.due else "") for o in outcomes)
    return attrs.evolve(found, status="undetermined", due=None, bound=None, alternatives=outcomes,
                        steps=found.steps + ("the due date hinges on what the sources leave open:",) + steps)


def _deadline(law: Law, kind: str, trigger: dt.date | None, as_of: dt.date | None, extension_days: int,
              move_fixed: bool) -> Deadline:
    """The deadline in one world."""
    spec = BY_NAME.get(kind)
    if spec is None:
        raise QueryError(f"no deadline kind {kind!r}; `tat deadline --list` shows them")
    if trigger is None:
        trigger = _default_trigger(law, spec, as_of)
        if trigger is None:
            on = as_of or dt.date.today()
            answer = law.point("5.1", on)
            return Deadline(kind, spec.title, "undetermined", None, None,
                            (f"it runs from the end of the eligibility period, which is not in the sources on {on}",),
                            getattr(answer, "citation", None), on, "the eligibility period (5.1) in force on that date")
    decided, facts_on = as_of or trigger, trigger
    if spec.year is not None:
        facts_on = _due_day(law, spec, trigger, as_of)
        decided = as_of or facts_on
    applied = law.applicable(spec.point, facts_on, decided)
    base = dict(kind=kind, title=spec.title, law_on=applied.law_on, basis=applied.basis)
    answer = applied.answer
    if not isinstance(answer, InForce):
        return Deadline(status="undetermined", due=None, bound=None, rule=None,
                        steps=(f"point {spec.point} is not in force on {applied.law_on}",), **base)
    assumptions = tuple(dict.fromkeys(answer.assumptions + applied.assumptions))
    fact = answer.fact(spec.fact)
    if fact is None or isinstance(fact.value, m.UnknownValue):
        why = fact.value.reason if fact else f"version {answer.version.number} of {spec.point} sets no such time limit"
        return Deadline(status="undetermined", due=None, bound=None, rule=answer.citation, assumptions=assumptions,
                        steps=(f"not in the sources: {why}",), **base)
    notes = (f"the value is taken from {fact.source}",) if fact.source else ()
    view = law.on(applied.law_on).fact(spec.fact, answer.label)
    if view is not None and not view.certain and view.status != "bounded":
        found = _deadline_of(law, spec, fact, trigger, decided, move_fixed, answer, assumptions, notes, base, extension_days)
        if found.due is None:
            return found
        return Deadline(status="undetermined", due=None, bound=None, rule=answer.citation, assumptions=assumptions,
                        steps=(f"not certain on {applied.law_on}: {view.why}",
                               f"if the value was unchanged then: due {describe(found.due)} ({found.bound.replace('_', ' ')})"),
                        notes=notes, **base)
    return _deadline_of(law, spec, fact, trigger, decided, move_fixed, answer, assumptions, notes, base, extension_days)


def _deadline_of(law, spec, fact, trigger, decided, move_fixed, answer, assumptions, notes, base, extension_days) -> Deadline:
    """The due date a fact's value gives."""
    kind = spec.name
    if isinstance(fact.value, m.Annual):
        return _annual(law, spec, fact.value, trigger.year + spec.year, decided, move_fixed, answer, assumptions, notes, base)
    value: m.Duration = fact.value
    counted = count(trigger, value.amount + (extension_days if kind == "claim-processing" else 0), value.unit)
    steps = counted.steps
    if extension_days and kind == "claim-processing":
        steps = (f"{value.amount} calendar days + {extension_days} days spent fixing deficiencies (8.12)",) + steps
    if kind == "amendment-review":
        notes += _request_limit(law, base["law_on"])
    if kind.startswith("claim-interval") and answer.fact("monthly_claims"):
        notes += ("monthly once the paid eligible costs reach the public procurement threshold (8.3)",)
    return Deadline(status="determined", due=counted.due, bound=value.bound, steps=steps, rule=answer.citation,
                    assumptions=assumptions, notes=notes, **base)


def _default_trigger(law: Law, spec: Kind, as_of: dt.date | None) -> dt.date | None:
    """The final report runs from the end of the eligibility period (5.1), None where
    that is not in the sources; every other kind needs a trigger."""
    if spec.name == "final-report":
        return _eligibility_end(law, as_of or dt.date.today())
    raise QueryError(f"{spec.name} needs --trigger: {spec.trigger}")


def _eligibility_end(law: Law, on: dt.date) -> dt.date | None:
    answer = law.point("5.1", on)
    fact = answer.fact("eligibility_period") if isinstance(answer, InForce) else None
    return fact.value.last_day if fact and isinstance(fact.value, m.Period) else None


def _due_day(law: Law, spec: Kind, trigger: dt.date, as_of: dt.date | None) -> dt.date:
    """The day an annual duty falls due in the year ``trigger`` names, under the rule in
    force that day: the report on 2021 is due by 31 January 2022 whichever day of 2021
    asks, by the rule in force then. The day is read from the rule in force on the
    first day of that year; where that gives none, the first day itself."""
    year = trigger.year + spec.year
    first = dt.date(year, 1, 1)
    answer = law.applicable(spec.point, first, as_of or first).answer
    fact = answer.fact(spec.fact) if isinstance(answer, InForce) else None
    if fact is None or not isinstance(fact.value, m.Annual):
        return first
    return dt.date(year, fact.value.month, fact.value.day)


def _annual(law, spec, value: m.Annual, year: int, decided, move_fixed, answer, assumptions, notes, base) -> Deadline:
    """A fixed day of the year the duty falls due in, moved per the working-day rule."""
    counted = fixed_date(dt.date(year, value.month, value.day), move_fixed)
    result = Deadline(status="determined", due=counted.due, bound="fixed", steps=counted.steps, rule=answer.citation,
                      assumptions=assumptions, notes=notes, **base)
    if spec.name == "interim-report":
        return _skip_interim(law, result, decided)
    return result


def _skip_interim(law: Law, interim: Deadline, decided: dt.date) -> Deadline:
    """11.3 (2020): no interim report when it would fall less than six months before the final report."""
    final = deadline(law, "final-report", None, max(decided, interim.law_on))
    if final.status != "determined":
        return attrs.evolve(interim, notes=interim.notes + ("whether the final report replaces it is undetermined",))
    rule = law.point("11.3", interim.law_on)
    gap = rule.fact("interim_report_skipped") if isinstance(rule, InForce) else None
    if gap is None:
        if isinstance(rule, InForce) and rule.status == "unknown":
            note = "whether the final report replaces it is not in the sources (11.3's wording is unknown then)"
            return attrs.evolve(interim, notes=interim.notes + (note,))
        return interim
    months = min(gap.value.amount, 12 * (m.LAST_DAY.year + 1 - interim.due.year))  # past LAST_DAY: later than any due date
    if final.due < interim.due + relativedelta(months=months):
        return attrs.evolve(interim, status="none", due=None, bound=None,
                            steps=interim.steps + (f"the final report is due {final.due}, within {gap.value.amount} months of it: "
                                                   "only the final report is filed (11.3)",))
    return interim


def _request_limit(law: Law, on: dt.date) -> tuple[str, ...]:
    answer = law.point("12.3", on)
    limit = answer.fact("amendment_requests_per_year") if isinstance(answer, InForce) else None
    return (f"at most {limit.value.value} requests a year without the body's consent (12.3)",) if limit else ()


def schedule(law: Law, year: int, move_fixed: bool = True) -> list[Deadline]:
    """The recurring due dates of ``year``: interim report, plan and budget, and the final report if due."""
    if not m.FIRST_DAY.year < year <= m.LAST_DAY.year:  # the interim report is triggered by the year before's end
        raise QueryError(f"no calendar for {year}: expected a year between {m.FIRST_DAY.year + 1} and {m.LAST_DAY.year}")
    found = [
        deadline(law, "interim-report", dt.date(year - 1, 12, 31), move_fixed=move_fixed),
        deadline(law, "plan-and-budget", dt.date(year, 1, 1), move_fixed=move_fixed),
    ]
    end = _eligibility_end(law, dt.date(year, 12, 31))
    if end is not None:
        final = deadline(law, "final-report", end, dt.date(year, 12, 31))
        if final.due and final.due.year == year:
            found.append(final)
    return sorted(found, key=lambda d: d.due or dt.date(year, 1, 1))


def to_ics(deadlines: list[Deadline]) -> bytes:
    """The due dates as an iCalendar file staff can import: one all-day event each."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//tat-engine//deadlines//EN")
    calendar.add("version", "2.0")
    for item in deadlines:
        if item.due is None:
            continue
        event = Event()
        event.add("uid", f"{item.kind}-{item.due.isoformat()}@tat-engine")
        event.add("dtstamp", dt.datetime.combine(item.due, dt.time(), dt.timezone.utc))
        event.add("dtstart", item.due)
        event.add("dtend", item.due + dt.timedelta(days=1))
        event.add("summary", f"TAT {item.rule.label}: {item.title}")
        event.add("description", "\n".join([str(item.rule), *item.steps, *item.notes, *map(str, item.assumptions)]))
        calendar.add_component(event)
    return calendar.to_ical()
