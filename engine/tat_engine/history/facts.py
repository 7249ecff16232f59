"""The law on one date as the rules read it: every fact in force, with its
citation and how far the sources vouch for it.

Rule modules read facts from one :class:`Snapshot` (``law.on(day)``) instead
of working out what is in force themselves. Each fact has a status:

- ``known``: stated by the sources;
- ``derived``: computed from the sources (the fact shows the arithmetic and premises);
- ``bounded``: the sources give only bounds (a period whose last day is open);
- ``open``: the sources state the value only from a later act on (``holds_since``);
  on this date an earlier act may have changed it unseen, so the value shown is
  what it was if nothing changed, not what it was;
- ``unknown``: the sources lack it;
- ``reconstructed``: it rests on a wording rebuilt from indirect evidence.
"""

from __future__ import annotations

import datetime as dt

from attrs import frozen

from .. import model as m
from ..messages import Message, msg
from .answers import ActRef, Citation, InForce


@frozen
class FactView:
    """A fact in force on a date, the point that holds it, and its status."""

    label: str
    fact: m.Fact
    answer: InForce
    status: str  # known | derived | bounded | open | unknown | reconstructed
    why: Message | str = ""  # for any status but known: why, in words (the corpus's own, or a catalogue message)

    @classmethod
    def of(cls, fact: m.Fact, answer: InForce, day: dt.date, acts: dict[str, ActRef]) -> FactView:
        """``fact`` of the point ``answer`` on ``day``, with its status."""
        return cls(answer.label, fact, answer, *status(fact, answer, day, acts))

    @property
    def value(self) -> m.Value:
        return self.fact.value

    @property
    def citation(self) -> Citation:
        return self.answer.citation

    @property
    def certain(self) -> bool:
        """True when the value holds as stated on this date (known or derived)."""
        return self.status in ("known", "derived")


def status(fact: m.Fact, answer: InForce, day: dt.date, acts: dict[str, ActRef]) -> tuple[str, Message | str]:
    """The status of ``fact`` of ``answer`` on ``day``, and why."""
    if isinstance(fact.value, m.UnknownValue):
        return "unknown", fact.value.reason
    since = acts.get(fact.holds_since) if fact.holds_since else None
    if since is not None and day < since.in_force_from:
        earlier = sorted((a for a in acts.values() if a.kind == "amending" and a.in_force_from <= since.in_force_from),
                         key=lambda a: a.in_force_from)
        return "open", msg("the sources give this value ({source}) for the state just before a later act; it is certain "
                           "only from act {act} on ({start}), since an earlier amending act ({acts}) may have changed it "
                           "without the sources showing it", source=fact.source or msg("its point"), act=since,
                           start=since.in_force_from, acts=", ".join(a.number for a in earlier))
    if isinstance(fact.value, (m.BoundedPeriod, m.AmountRange)):
        return "bounded", msg("the sources give only bounds")
    if fact.derived:
        return "derived", fact.derived
    wording = answer.wording
    if isinstance(wording, m.Reconstructed) and fact.source is None:
        return "reconstructed", msg("it rests on a reconstructed wording: {basis}", basis=wording.basis)
    return "known", ""


class Snapshot:
    """Every fact in force on ``day``, in label order (OpenFisca's ``parameters(date)``)."""

    def __init__(self, answers: list[InForce], day: dt.date, acts: dict[str, ActRef]):
        self.day = day
        self.answers = answers
        self.by_label = {answer.label: answer for answer in answers}
        self.views = [FactView.of(fact, answer, day, acts) for answer in answers for fact in answer.content.facts]

    def facts(self, name: str | None = None) -> list[FactView]:
        """The facts named ``name`` (every fact when None), in label order."""
        return [view for view in self.views if name is None or view.fact.name == name]

    def fact(self, name: str, label: str | None = None) -> FactView | None:
        """The first fact named ``name`` (of point ``label`` when given)."""
        return next((v for v in self.views if v.fact.name == name and (label is None or v.label == label)), None)

    def point(self, label: str) -> InForce | None:
        return self.by_label.get(label)
