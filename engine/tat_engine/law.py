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
from bisect import bisect_right
from typing import Union

import attrs
from attrs import frozen

from . import model as m
from .history.answers import ActRef, Answer, Assumption, InForce, NoSuchLabel, Repealed, legal_key
from .errors import QueryError
from .messages import Message, msg, say
from .history.facts import Snapshot
from .history.index import Changed, Index
from .history.possible import ReadingCondition, Settled, settle
from .history.render import consolidated_text

DayLike = Union[dt.date, str]
_FIRST, _LAST = m.FIRST_DAY, m.LAST_DAY
_fromisoformat = dt.date.fromisoformat


def day(value: DayLike) -> dt.date:
    """A date from a ``date`` or a string written YYYY-MM-DD (only that: see ``dates``), with an error that
    teaches; it must lie in the engine's range (:data:`~tat_engine.model.FIRST_DAY`..:data:`~tat_engine.model.LAST_DAY`)."""
    if type(value) is dt.date and _FIRST <= value <= _LAST:
        return value
    found = _iso_day(value)
    if found is not None:
        return found
    from . import dates  # (the general reader: not imported for a day in range or the common YYYY-MM-DD)

    try:
        if isinstance(value, dt.date):
            return dates.in_range(value.date() if isinstance(value, dt.datetime) else value)
        return dates.read(str(value))
    except dates.NotADate as error:
        raise QueryError(f"{error}; {error.hint}" if error.hint else str(error)) from None


def _iso_day(value) -> dt.date | None:
    """``value`` if it is a string written YYYY-MM-DD naming a day in range: the common question,
    read without the general reader (which explains every other writing); else None. Ten ASCII
    characters with the dashes in place leave ``fromisoformat`` only YYYY-MM-DD in digits to accept."""
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-" and value.isascii():
        try:
            found = dt.date.fromisoformat(value)
        except ValueError:  # not digits, or a day that does not exist: the general reader says why
            return None
        if _FIRST <= found <= _LAST:
            return found
    return None


def label(value: str) -> str:
    """A point label as the index keys it: ``"11.3."`` -> ``"11.3"``."""
    text = m.tidy_label(str(value))
    try:
        return str(m.Label.parse(text))
    except ValueError:
        raise QueryError(say("{value} is not a point number; write it like 11.3, 9.1.10 or Lisa 1", value=repr(value))) from None


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
class Governing:
    """Which text governs facts of one date in a decision of another.

    ``law_on`` is the date whose text in force governs; None when no act
    governs facts of that date (they precede every act's reach).
    """

    facts_on: dt.date
    decided_on: dt.date
    law_on: dt.date | None
    basis: Message  # why this text governs, written in the reader's language when shown
    act: ActRef | None = None  # the act whose reach back decides it, if any
    earliest: dt.date | None = None  # when no act governs: the first day of facts any act governs


@frozen
class Applicable:
    """The law applied to facts of one date, decided on another."""

    answer: Answer
    facts_on: dt.date
    decided_on: dt.date
    law_on: dt.date | None  # the date whose text governs; None: no act governs facts of that date
    basis: Message  # why this text governs, written in the reader's language when shown
    assumptions: tuple[Assumption, ...] = ()
    alternatives: tuple = ()  # possible.Outcome: another version governs in another date world
    other_readings: tuple = ()  # possible.Outcome: another version governs under another reading


def same_application(a: Applicable, b: Applicable) -> bool:
    """Two applications agree when the same version, with the same content, governs."""
    return legal_key(a.answer) == legal_key(b.answer)


class Law:
    """One instrument's corpus, consolidated and indexed, read under one choice
    of its contested readings (each reading's default unless chosen)."""

    def __init__(self, index: Index, choice: dict[str, str] | None = None):
        self.index = index
        self._labels = index.labels  # read on every point question
        self.choice = {name: reading.default for name, reading in index.readings.items()}
        for name, option in (choice or {}).items():
            reading = index.readings.get(name)
            if reading is None:
                known = list(index.readings) or msg("none")
                raise QueryError(msg("no reading {name}; this instrument's readings: {known}", name=repr(name),
                                     known=known))
            if reading.option(option) is None:
                raise QueryError(msg("reading {name} has no option {option}; options: {options}", name=repr(name),
                                     option=repr(option), options=[o.name for o in reading.options]))
            self.choice[name] = option
        self._worlds: list | None = None
        self._readings: list | None = None
        self._governing: dict = {}  # (facts day, decision day) -> Governing; asked once a day per ledger
        self._reach_versions: list | None = None  # versions whose item applies from a day of its own

    def stamp(self, decided_on: DayLike | None = None, facts_on: DayLike | None = None):
        """What an answer of this law for a decision on ``decided_on`` rests on (see :mod:`tat_engine.stamp`)."""
        from .stamp import of_law

        return of_law(self, None if decided_on is None else day(decided_on), None if facts_on is None else day(facts_on))

    def under(self, choice: dict[str, str]) -> Law:
        """The same law read under other options of its readings."""
        return Law(self.index, {**self.choice, **choice})

    # --- what the sources leave open ---------------------------------------------------

    def worlds(self) -> list[tuple[tuple, Law]]:
        """This law at the assumed dates, then at each end of every unknown act date (same readings)."""
        if self._worlds is None:
            self._worlds = [((), self)] + [(conditions, Law(index, self.choice)) for conditions, index in self.index.worlds]
        return self._worlds

    def other_readings(self) -> list[tuple[tuple, Law]]:
        """This law under every other option of each reading, at the assumed dates."""
        if self._readings is None:
            self._readings = [((ReadingCondition(name, option.name),), self.under({name: option.name}))
                              for name, reading in self.index.readings.items()
                              for option in reading.options if option.name != self.choice[name]]
        return self._readings

    def settle(self, ask, same=None) -> Settled:
        """``ask(law)`` over every possibility the sources leave open (see :mod:`possible`)."""
        return settle(self.worlds(), self.other_readings(), ask, same)

    @property
    def diagnostics(self):
        return self.index.diagnostics

    def acts(self) -> list[ActRef]:
        return sorted(self.index.acts.values(), key=lambda act: (act.in_force_from, act.number))

    @property
    def name(self) -> str:
        """The instrument's name in a message: the number of its first act."""
        acts = self.acts()
        return acts[0].number if acts else "the instrument"

    def declares(self, wanted) -> bool:
        """Whether any version, ever, holds a fact for which ``wanted(fact)`` is true: whether the
        instrument declares a set of rules at all (else a question of them is refused, not answered)."""
        return any(wanted(fact) for versions in self.index.provisions.values() for version in versions
                   if version.content is not None for fact in version.content.facts)

    def point(self, point: str, on: DayLike) -> Answer:
        """The point bearing ``point`` on ``on``: see :mod:`answers` for the cases."""
        if type(on) is not dt.date or not _FIRST <= on <= _LAST:
            if type(on) is str and len(on) == 10 and on[4] == "-" and on[7] == "-" and on.isascii():
                try:  # YYYY-MM-DD (see _iso_day), read inline: the common written question
                    on = _fromisoformat(on)
                except ValueError:
                    on = day(on)
                if not _FIRST <= on <= _LAST:
                    on = day(on.isoformat())  # says the range, as for any written date
            else:
                on = day(on)
        try:  # the common question inline: a dict lookup and a bisect (index.point does the rest)
            starts, entries = self._labels[point]
            answer = entries[bisect_right(starts, on) - 1]
            if answer is not None:
                return answer
        except KeyError:
            pass
        answer = self.index.point(point, on)
        if type(answer) is NoSuchLabel:
            label(point)  # a label that is not a point number at all is a question to correct
        return answer

    def provision(self, provision: str, on: DayLike) -> InForce | Repealed | None:
        """A provision by identity (``9.1.10@1-3/170``) on a date; None before it exists."""
        if provision not in self.index.provisions:
            raise QueryError(msg("no provision {provision}; identities look like 9.1.10@1-3/170",
                                 provision=repr(provision)))
        version = self.index.version(provision, day(on))
        if version is None:
            return None
        return self._step(version)

    def in_force(self, on: DayLike) -> list[InForce]:
        return self.index.in_force(day(on))

    def on(self, on: DayLike, reach: tuple = ()) -> Snapshot:
        """The law in force on ``on`` as the rules read it: every fact with its status (see :mod:`facts`).
        ``reach`` (from :meth:`reached_back`): later versions that govern in place of their provisions' versions
        of that day, because an item applied them back to the facts."""
        when = day(on)
        answers = self.index.in_force(when)
        if reach:
            replaced = {version.provision for version in reach}
            answers = sorted([a for a in answers if a.version.provision not in replaced]
                             + [self._step(v) for v in reach if not v.repealed], key=lambda a: a.version.label)
        return Snapshot(answers, when, self.index.acts)

    def reached_back(self, facts_on: DayLike, decided_on: DayLike) -> tuple:
        """The versions that items with their own ``applies_from`` (on or before the facts; "Käskkirja
        punkti 1.3 rakendatakse tagasiulatuvalt alates …") made after the governing day, in acts in force
        on the decision date: they govern the facts in place of the versions of the governing day."""
        return tuple(sorted(self._reaching(self.governing(facts_on, decided_on)).values(),
                            key=lambda version: version.provision))

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
            raise QueryError(say("no point ever bore {label}", label=repr(point))
                             + (say("; near: {labels}", labels=", ".join(near)) if near else ""))
        return [ProvisionHistory(pid, tuple(self._step(v) for v in self.index.provisions[pid])) for pid in pids]

    def diff(self, before: DayLike, after: DayLike) -> list[Change]:
        """What changed from one date to another, provision by provision: renumbered, reworded (its
        wording or table), facts; added or repealed."""
        answers = self.index.answers
        return [Change(c.provision, c.kinds, c.before and answers[c.provision, c.before.change.version],
                       c.after and answers[c.provision, c.after.change.version])
                for c in self.index.changes(day(before), day(after))]

    def changes(self, before: DayLike, after: DayLike) -> list[Changed]:
        """:meth:`diff` as ``tat diff`` prints it (each side's label, wording and citation), found
        without decoding a version: cheap at any size."""
        return self.index.changes(day(before), day(after))

    def governing(self, facts_on: DayLike, decided_on: DayLike) -> Governing:
        """Which text governs facts of ``facts_on`` in a decision of ``decided_on``.

        The text in force on the facts' date governs (a decision cannot use law not
        yet made: the date is capped at ``decided_on``). An amending act in force on
        ``decided_on`` that, under the chosen readings, applies from a date on or
        before the facts (the 2020 act: from 2015-07-01) makes the text in force
        on ``decided_on`` govern them. A base act that applies from before its
        entry into force (the directive: from 2015-07-01) governs facts of that
        gap by its first text. Facts before every act's reach are governed by none.
        """
        facts, decided = day(facts_on), day(decided_on)
        found = self._governing.get((facts, decided))
        if found is None:
            if len(self._governing) > 100_000:  # a long-lived server asks of many days: keep the memo bounded
                self._governing.clear()
            found = self._governing[facts, decided] = self._govern(facts, decided)
        return found

    def _govern(self, facts: dt.date, decided: dt.date) -> Governing:
        known = [a for a in self.index.acts.values() if a.in_force_from <= decided]
        reaching = [a for a in known if a.kind == "amending" and self._reaches(a, facts)]
        if reaching:
            act = min(reaching, key=lambda a: a.reaches(self.choice))
            return Governing(facts, decided, decided,
                             msg("act {act} applies retroactively from {reach}{under}; the text in force on {decided} governs",
                                 act=act.number, reach=act.reaches(self.choice), under=self._under(act), decided=decided), act)
        first = min((a.in_force_from for a in self.index.acts.values()), default=None)
        if first is not None and facts < first:
            base = [a for a in known if a.kind != "amending" and self._reaches(a, facts)]
            if base:
                act = base[0]
                return Governing(facts, decided, min(act.in_force_from, decided),
                                 msg("act {act} applies from {reach}{under}; its first text (in force from {start}) governs",
                                     act=act.number, reach=act.reaches(self.choice), under=self._under(act),
                                     start=act.in_force_from), act)
            reach = self.reach()
            return Governing(facts, decided, None, msg("no act governs facts of {facts}: the earliest applies from {reach}",
                                                       facts=facts, reach=reach), earliest=reach)
        law_on = min(facts, decided)
        return Governing(facts, decided, law_on,
                         msg("no act applies retroactively to facts of {facts}; the text in force on {law_on} governs",
                             facts=facts, law_on=law_on))

    def reach(self) -> dt.date | None:
        """The first day of facts any act governs, under the chosen readings."""
        return min((a.reaches(self.choice) or a.in_force_from for a in self.index.acts.values()), default=None)

    def _reaches(self, act: ActRef, facts: dt.date) -> bool:
        """Whether ``act`` applies back to ``facts`` (an act with no such reach never does,
        whatever the day: no sentinel day stands in for "never")."""
        reach = act.reaches(self.choice)
        return reach is not None and reach <= facts

    def _under(self, act: ActRef) -> Message | str:
        under = act.applies_under
        return msg(" (under the reading {reading} = {option})", reading=under.reading, option=under.option) if under else ""

    def applicable(self, point: str, facts_on: DayLike, decided_on: DayLike) -> Applicable:
        """The version that governs facts of ``facts_on`` in a decision of ``decided_on``
        (see :meth:`governing`), with the version another date world or reading would apply."""
        settled = self.settle(lambda world: world.applicable_here(point, facts_on, decided_on), same=same_application)
        return attrs.evolve(settled.value, alternatives=settled.alternatives, other_readings=settled.other_readings)

    def applicable_here(self, point: str, facts_on: DayLike, decided_on: DayLike) -> Applicable:
        """:meth:`applicable` in this world alone, with no alternatives: for a question
        that is itself settled over the worlds (a deadline), which need not settle each step again."""
        governing = self.governing(facts_on, decided_on)
        on = governing.law_on or governing.facts_on
        assumptions = self.index.assumptions_on(governing.decided_on)
        answer = self.point(point, on)
        reached = self._item_reach(point, answer, governing)
        if reached is not None:
            version, cause = reached
            basis = msg("item {item} of act {act} applies from {reach}; the text it gave {label} (in force from {start}) governs",
                        item=cause.item or "?", act=cause.act, reach=cause.applies_from, label=version.label, start=version.start)
            return Applicable(self._step(version), governing.facts_on, governing.decided_on, version.start, basis,
                              assumptions)
        return Applicable(answer, governing.facts_on, governing.decided_on, governing.law_on, governing.basis, assumptions)

    def _item_reach(self, point: str, answer: Answer, governing: Governing):
        """The later version of the point's provision that an item with its own ``applies_from``
        (on or before the facts) made, in an act in force on the decision date; None if none did.
        (Eligibility, which reads a whole snapshot, does not ask this.)"""
        version = getattr(answer, "version", None)
        if version is None:  # not in force on the governing date: perhaps an item inserted it back to the facts
            version = getattr(self.index.point(label(point), governing.decided_on), "version", None)
        if version is None:
            return None
        later = self._reaching_of(version.provision, governing)
        return None if later is None else (later, later.cause)

    def reaches_back(self) -> bool:
        """Whether any item applies from a day of its own (most corpora: none, and :meth:`reached_back` is never asked)."""
        return bool(self._item_reaches())

    def _item_reaches(self) -> list:
        """The versions whose item applies from a day of its own, found once."""
        if self._reach_versions is None:
            self._reach_versions = [version for versions in self.index.provisions.values() for version in versions
                                    if _own_reach(version)]
        return self._reach_versions

    def _reaching(self, governing: Governing) -> dict:
        """Per provision, the latest version an item with its own ``applies_from`` reaching the facts
        made after the governing day and by the decision date (see :meth:`reached_back`)."""
        found = {}
        for later in self._item_reaches():
            if _reaches(later, governing):
                if later.provision not in found or found[later.provision].start < later.start:
                    found[later.provision] = later
        return found

    def _reaching_of(self, provision: str, governing: Governing):
        """``_reaching(governing).get(provision)``, read from the provision's own versions: a deadline
        asks it in each date world, where the whole list decodes every provision of the index."""
        found = None
        for later in self.index.provisions[provision]:
            if _own_reach(later) and _reaches(later, governing) and (found is None or found.start < later.start):
                found = later
        return found

    # --- questions only the clause graph answers (from the index's kept edges) ---

    def references(self, point: str, on: DayLike):
        """What ``point`` cites on ``on`` and every wording in force then that cites it
        (see :func:`graph.references_on`)."""
        from .history.graph import references_on

        return references_on(self.index, label(point), day(on))

    def act_changes(self, number: str):
        """What act ``number`` changed, item by item, and what it touched only through references."""
        from .history.graph import act_changes

        return act_changes(self.index.edges, self.index, number)

    def graph(self):
        """The versioned clause graph as a ``networkx.MultiDiGraph``: nodes ``("act", number)``,
        ``("item", act, number)``, ``("provision", pid)``, ``("version", pid, n)``; edges with their
        ``rel`` (contains, made, has_version, child_of, cites) and ``label`` (see
        :mod:`history.graph`). For a library's own walks over it (what an act reached, what leans on
        a provision); the engine's questions read the kept edges directly, so only this imports
        networkx."""
        from .history.graph import as_networkx

        return as_networkx(self.index.edges)

    def _step(self, version) -> InForce | Repealed:
        if version.repealed:
            pid = version.provision
            last = next(v for v in reversed(self.index.provisions[pid]) if not v.repealed)
            return Repealed(str(version.label), version.start, self.index.cite(version, version.cause), last)
        return self.index.answer_of(version)  # one version's answer, not every provision's decoded


def _own_reach(version) -> bool:
    """Whether the item that made ``version`` applies from a day of its own (and the version lasts a day)."""
    return version.cause.applies_from is not None and version.start != version.end


def _reaches(later, governing: Governing) -> bool:
    """Whether ``later`` (of an item with its own reach) was made after the governing day and by the
    decision date, by an item reaching the facts."""
    law_on = governing.law_on or governing.facts_on
    return law_on < later.start <= governing.decided_on and later.cause.applies_from <= governing.facts_on
