"""What the sources leave open, and answers computed over every possibility.

The sources leave two kinds of thing open, and every answer is computed over both:

- **Worlds** — the whole corpus read one way: an act whose date the sources lack
  (the 2020 act, "xx.yy.2020") dated at each end of its bounds, and a contested
  reading (how far back the 2020 act reaches) read as each of its options. The
  index is built once per date world (see ``loader``); readings are a choice
  made when asking. Between the two ends of a date's bounds no other answer
  can arise than at one of them while no other act falls within those bounds
  (true of the 2020 act): the date then only decides whether the act is in
  force on the asked days. Where other acts fall inside the bounds, the orders
  between them and the open date are not all enumerated; each open date gets
  its own two worlds with the others at their assumptions, and a corpus with
  more than ``loader.MAX_OPEN_DATES`` open dates gets none (a warning says so).
- **Values** — a fact known only by bounds (a period whose last day is open), a
  value the sources vouch for only from a later act on (``holds_since``), a
  derived value, unknown or reconstructed wording. Rule kinds evaluate these
  themselves (see ``facts``).

An answer is *determined* when every world of the chosen reading gives the
same answer; otherwise it is undetermined and names what it hinges on and the
alternatives. Answers that another reading would change say so too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from attrs import frozen

from ..messages import say


@frozen
class DateCondition:
    """One end of an unknown act date's bounds, taken as the act's date."""

    act: str
    written: str
    day: dt.date
    end: str  # earliest | latest

    def __str__(self) -> str:
        if self.end == "earliest":
            return say("if act {act} ({written}) was signed as early as {day}", act=self.act, written=self.written, day=self.day)
        return say("if act {act} ({written}) was signed as late as {day}", act=self.act, written=self.written, day=self.day)


@frozen
class ReadingCondition:
    """A reading taken as one of its options."""

    reading: str
    option: str

    def __str__(self) -> str:
        return say("under the reading {reading} = {option}", reading=self.reading, option=self.option)


@frozen
class Outcome:
    """An answer under some conditions."""

    conditions: tuple[DateCondition | ReadingCondition, ...]
    value: Any

    @property
    def when(self) -> str:
        return ", ".join(map(str, self.conditions)) or "as assumed"


@frozen
class Settled:
    """An answer with what the sources leave open about it.

    ``value`` is the answer under the assumed dates and the chosen reading;
    ``alternatives`` the differing answers of the other date worlds of that
    reading (none: determined); ``other_readings`` the differing answers under
    the other options of each reading, at the assumed dates.
    """

    value: Any
    alternatives: tuple[Outcome, ...] = ()
    other_readings: tuple[Outcome, ...] = ()

    @property
    def determined(self) -> bool:
        return not self.alternatives

    @property
    def hinges(self) -> tuple[str, ...]:
        """What the answer hinges on, in words."""
        found = {str(c): None for o in self.alternatives + self.other_readings for c in o.conditions}
        return tuple(found)


def settle(worlds, others, ask: Callable[[Any], Any], same: Callable[[Any, Any], bool] | None = None) -> Settled:
    """Ask ``ask`` in every world and compare.

    ``worlds`` are ``(conditions, law)`` pairs of the chosen reading, the
    assumed world first; ``others`` one pair for every other reading (at the
    assumed dates). ``same`` says when two answers agree (default ``==``).
    """
    same = same or (lambda a, b: a == b)
    (_, main_law), *rest = worlds
    main = ask(main_law)
    return Settled(main, _differing(main, rest, ask, same), _differing(main, others, ask, same))


def _differing(main, worlds, ask, same) -> tuple[Outcome, ...]:
    found = []
    for conditions, law in worlds:
        value = ask(law)
        if not same(main, value):
            found.append(Outcome(tuple(conditions), value))
    return tuple(found)
