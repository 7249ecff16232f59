"""The query API: the directive as a whole, asked about by date.

>>> import datetime as dt, tat_engine
>>> law = tat_engine.load()
>>> law.point("11.3", dt.date(2021, 6, 1)).fact("final_report").value.amount
30

Dates are ``datetime.date``; ISO strings are accepted at this boundary and
turned into dates at once. Every answer is typed (see :mod:`answers`).
"""

from __future__ import annotations

import datetime as dt
from typing import Union

from attrs import frozen

from . import model as m
from .answers import ActRef, Answer, Assumption, InForce, NoSuchLabel, Repealed
from .errors import QueryError
from .index import Index
from .render import consolidated_text

DayLike = Union[dt.date, str]


def day(value: DayLike) -> dt.date:
    """A date from a ``date`` or an ISO string, with an error that teaches."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise QueryError(f"{value!r} is not a date; dates are written YYYY-MM-DD, for instance 2019-06-01") from None


def label(value: str) -> str:
    """A point label as the index keys it: ``"11.3."`` -> ``"11.3"``."""
    text = " ".join(str(value).split()).rstrip(".")
    try:
        return str(m.Label.parse(text))
    except ValueError:
        raise QueryError(f"{value!r} is not a point number; write it like 11.3, 9.1.10 or Lisa 1") from None


@frozen
class ProvisionHistory:
    """Every version of one provision: interval, label, wording, act and item."""

    provision: str
    steps: tuple[Union[InForce, Repealed], ...]

    @property
    def labels(self) -> tuple[tuple[str, dt.date, dt.date | None], ...]:
        """The labels the provision bore while in force, each with its half-open interval."""
        spans: list[list] = []
        for step in self.steps:
            if not isinstance(step, InForce):
                continue
            version = step.version
            if spans and spans[-1][0] == str(version.label):
                spans[-1][2] = version.end
            else:
                spans.append([str(version.label), version.start, version.end])
        return tuple(map(tuple, spans))


@frozen
class Change:
    """How one provision differs between two dates."""

    provision: str
    kinds: tuple[str, ...]  # added | repealed | reworded | renumbered | facts
    before: InForce | None
    after: InForce | None


@frozen
class Applicable:
    """The law applied to facts of one date, decided on another."""

    answer: Answer
    facts_on: dt.date
    decided_on: dt.date
    law_on: dt.date  # the date whose text governs
    basis: str
    assumptions: tuple[Assumption, ...] = ()


class Law:
    """One instrument's corpus, consolidated and indexed."""

    def __init__(self, index: Index):
        self.index = index

    @property
    def diagnostics(self):
        return self.index.diagnostics

    def acts(self) -> list[ActRef]:
        return sorted(self.index.acts.values(), key=lambda act: (act.in_force_from, act.number))

    def point(self, point: str, on: DayLike) -> Answer:
        """The point bearing ``point`` on ``on``: see :mod:`answers` for the cases."""
        answer = self.index.point(point, on if type(on) is dt.date else day(on))
        if type(answer) is NoSuchLabel:
            label(point)  # a label that is not a point number at all is a question to correct
        return answer

    def provision(self, provision: str, on: DayLike) -> InForce | Repealed | None:
        """A provision by identity (``9.1.10@1-3/170``) on a date; None before it exists."""
        if provision not in self.index.provisions:
            raise QueryError(f"no provision {provision!r}; identities look like 9.1.10@1-3/170")
        version = self.index.version(provision, day(on))
        if version is None:
            return None
        return self._step(version)

    def in_force(self, on: DayLike) -> list[InForce]:
        return self.index.in_force(day(on))

    def text(self, on: DayLike) -> str:
        return consolidated_text(self.index, day(on))

    def history(self, point: str) -> list[ProvisionHistory]:
        """Every provision that ever bore ``point`` (or the one with that identity)."""
        if "@" in point:
            pids = [point] if point in self.index.provisions else []
        else:
            pids = self.index.bearers(label(point))
        if not pids:
            near = self.index.near(point, None)
            raise QueryError(f"no point ever bore {point!r}" + (f"; near: {', '.join(near)}" if near else ""))
        return [ProvisionHistory(pid, tuple(self._step(v) for v in self.index.provisions[pid])) for pid in pids]

    def diff(self, before: DayLike, after: DayLike) -> list[Change]:
        """What changed from one date to another, provision by provision."""
        old = {a.version.provision: a for a in self.in_force(before)}
        new = {a.version.provision: a for a in self.in_force(after)}
        changes = []
        for pid in sorted(old.keys() | new.keys(), key=lambda p: (new.get(p) or old.get(p)).version.label):
            a, b = old.get(pid), new.get(pid)
            if a is None or b is None:
                changes.append(Change(pid, ("added",) if a is None else ("repealed",), a, b))
                continue
            kinds = tuple(kind for kind, differs in (
                ("renumbered", a.version.label != b.version.label),
                ("reworded", a.wording != b.wording or a.content.table != b.content.table),
                ("facts", a.content.facts != b.content.facts),
            ) if differs)
            if kinds:
                changes.append(Change(pid, kinds, a, b))
        return changes

    def applicable(self, point: str, facts_on: DayLike, decided_on: DayLike) -> Applicable:
        """The version that governs facts of ``facts_on`` in a decision of ``decided_on``.

        Normally the law in force on the facts' date governs (and a decision
        cannot use law not yet made: the later date is capped at
        ``decided_on``). An act in force on ``decided_on`` that applies from an
        earlier date (the 2020 act: from 2015-07-01) makes the text in force on
        ``decided_on`` govern every fact from that date on.
        """
        facts, decided = day(facts_on), day(decided_on)
        retro = [a for a in self.index.acts.values() if a.applies_from and a.in_force_from <= decided]
        reaching = [a for a in retro if a.applies_from <= facts]
        if reaching:
            act = min(reaching, key=lambda a: a.applies_from)
            law_on = decided
            basis = f"act {act.number} applies retroactively from {act.applies_from}; the text in force on {decided} governs"
        else:
            law_on = min(facts, decided)
            basis = f"no retroactive act reaches {facts}; the text in force on {law_on} governs"
        assumptions = self.index.assumptions_on(decided)
        return Applicable(self.point(point, law_on), facts, decided, law_on, basis, assumptions)

    def _step(self, version) -> InForce | Repealed:
        if version.repealed:
            pid = version.provision
            last = next(v for v in reversed(self.index.provisions[pid]) if not v.repealed)
            return Repealed(str(version.label), version.start, self.index.cite(version, version.cause), last)
        return self.index.answers[version.provision, version.number]
