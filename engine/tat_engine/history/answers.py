"""Typed answers. A lookup never falls back silently to an older version: it
says the point is in force (and which version, made by which act and item),
not yet in force, repealed, renumbered away, or that no point bore the label.
"""

from __future__ import annotations

import datetime as dt
from typing import Union

from attrs import frozen

from .. import model as m
from ..messages import N_, say, translated
from .consolidate import Version


@frozen
class ActRef:
    """What a citation needs of an act."""

    number: str
    kind: str  # directive | amending
    date_written: str  # as the sources print it: "30.04.2017", "xx.yy.2020"
    title: str | None  # None: not in the sources
    signing: m.Signing
    in_force_from: dt.date
    applies_from: dt.date | None = None
    applies_under: m.Under | None = None  # the reading under which applies_from holds; None: every reading

    def reaches(self, choice: dict[str, str]) -> dt.date | None:
        """The first day of facts this act governs under the readings ``choice``, if it reaches back."""
        if self.applies_from is None:
            return None
        under = self.applies_under
        return self.applies_from if under is None or choice.get(under.reading) == under.option else None

    def __str__(self) -> str:
        return f"{self.date_written} nr {self.number}"


@frozen
class Assumption:
    """An answer that would differ if an act's unknown date fell elsewhere in its bounds."""

    act: str
    written: str
    assumed: dt.date
    earliest: dt.date
    latest: dt.date
    reason: str
    supplied: bool = False

    def __str__(self) -> str:
        if self.supplied:
            return say("act {act} ({written}): date {day} supplied by the user", act=self.act, written=self.written,
                       day=self.assumed)
        return say("act {act} ({written}): date not in the sources, assumed {day} (possible {earliest}..{latest}; {reason})",
                   act=self.act, written=self.written, day=self.assumed, earliest=self.earliest, latest=self.latest,
                   reason=self.reason)


@frozen
class Citation:
    """Point, version, act and item behind a wording."""

    label: str
    provision: str
    version: int
    act: ActRef
    item: str | None
    verb: str

    def __str__(self) -> str:
        # the templates filled directly (as say() would, every field a plain string): a diff or a text
        # at 20 000 points writes thousands of citations
        fields = dict(label=self.label, version=str(self.version), provision=self.provision, act=str(self.act),
                      verb=translated(VERBS.get(self.verb, self.verb)))
        if self.item:
            return translated(N_("point {label}, version {version} of {provision}: {verb} by item {item} of act {act}")
                              ).format(item=self.item, **fields)
        if self.verb == "enacted":
            return translated(N_("point {label}, version {version} of {provision}: {verb} by act {act}")).format(**fields)
        return translated(N_("point {label}, version {version} of {provision}: {verb} by an item (number not in the "
                             "sources) of act {act}")).format(**fields)


VERBS = {verb: verb for verb in (N_("enacted"), N_("substituted"), N_("retitled"), N_("inserted"), N_("repealed"),
                                 N_("replaced"), N_("deleted"), N_("amended"), N_("renumbered"))}


@frozen
class InForce:
    """The version of a point in force on the asked date."""

    label: str
    version: Version
    citation: Citation  # who made the content
    change: Citation  # who began this version (a renumbering, say)
    assumptions: tuple[Assumption, ...] = ()
    alternatives: tuple = ()  # possible.Outcome: the answer at each end of an open act date, where it differs

    @property
    def content(self) -> m.Content:
        return self.version.content

    @property
    def wording(self) -> m.Wording:
        return self.version.content.wording

    @property
    def text(self) -> str | None:
        """The wording when the sources hold it (or a marked reconstruction's text)."""
        wording = self.wording
        return None if isinstance(wording, m.Unknown) else wording.text

    @property
    def status(self) -> str:
        """known | unknown | reconstructed."""
        return type(self.wording).__name__.lower()

    def fact(self, name: str) -> m.Fact | None:
        return self.content.fact(name)


@frozen
class NotYetInForce:
    label: str
    from_date: dt.date
    first: InForce
    assumptions: tuple[Assumption, ...] = ()
    alternatives: tuple = ()  # possible.Outcome: the answer at each end of an open act date, where it differs


@frozen
class Repealed:
    label: str
    since: dt.date
    by: Citation
    last: Version  # the last version that was in force
    assumptions: tuple[Assumption, ...] = ()
    alternatives: tuple = ()  # possible.Outcome: the answer at each end of an open act date, where it differs


@frozen
class Renumbered:
    """The label's provision moved to another label, and nothing took its place."""

    label: str
    since: dt.date
    provision: str
    new_label: str
    by: Citation
    assumptions: tuple[Assumption, ...] = ()
    alternatives: tuple = ()  # possible.Outcome: the answer at each end of an open act date, where it differs


@frozen
class NoSuchLabel:
    label: str
    on: dt.date | None
    near: tuple[str, ...]


Answer = Union[InForce, NotYetInForce, Repealed, Renumbered, NoSuchLabel]


def legal_key(answer: Answer) -> tuple:
    """What an answer says in law, without its citations' dates: two answers with
    the same key agree whatever the dates of the acts behind them."""
    if isinstance(answer, InForce):
        version = answer.version
        return ("in force", version.provision, str(version.label), version.content)
    if isinstance(answer, Repealed):
        return ("repealed", answer.label, answer.last.provision)
    if isinstance(answer, Renumbered):
        return ("renumbered", answer.label, answer.provision, answer.new_label)
    return (type(answer).__name__, answer.label)
