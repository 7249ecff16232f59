"""The acts as the DSL states them: directives and amending acts, the points they enact and the
items that change them. The parser makes them and the replay reads them (``history/consolidate``);
a cached index keeps none, so :mod:`tat_engine.model` defines them only when first asked for
(``model.Act``, ``from tat_engine.model import Act``) and a command answered from the cache never does.
"""

from __future__ import annotations

import datetime as dt
from typing import Union

from attrs import field, frozen

from .model import (  # noqa: F401  (the names the annotations below use, as typing.get_type_hints reads them)
    EMPTY, Content, DeadlineKind, Label, Location, Preamble, Reading, Signing, Source, UncertainDate, Under,
)


@frozen
class Document:
    """A part of a source file: the act text, its memo, or a consolidated text."""

    name: str
    path: str
    kind: str  # act | memo | consolidated | announcement
    first_line: int
    last_line: int
    location: Location | None = field(default=None, eq=False)


# --- acts ---------------------------------------------------------------------


@frozen
class PointDecl:
    """A point as enacted by a directive: ``section``, ``point`` or ``annex``."""

    label: Label
    kind: str
    content: Content
    location: Location | None = field(default=None, eq=False)


@frozen
class Substitute:
    """New wording for a point (``sõnastan``, ``täpsustan``)."""

    target: Label


@frozen
class Retitle:
    """New title for a section; a substitution the act words as a title."""

    target: Label


@frozen
class Insert:
    """A new point (``lisan``), placed after a sibling or at the end."""

    target: Label
    after: Label | None = None


@frozen
class Repeal:
    """``tunnistan kehtetuks``: the point ends; its label may be reused."""

    target: Label


@frozen
class Renumber:
    """Move the sibling points from ``target`` to ``last`` (or to the last
    sibling) by ``by``. Descendants move with their parents; identities stay.
    """

    target: Label
    last: Label | None
    by: int


# --- textual amendments: items that change part of a point's wording ---------------
# ``targets`` empty means "läbivalt": every point in force whose wording holds the phrase.


@frozen
class _Edit:
    """A change to part of the wording of ``targets`` (none: every point holding the phrase, ``läbivalt``).

    ``scope`` narrows it to one sentence of the wording ("asendan punkti X teises
    lauses …"): counted from 1, or ``LAST_SENTENCE`` ("viimases lauses"); None is
    the whole wording."""

    targets: tuple[Label, ...]
    scope: int | None = field(default=None, kw_only=True)

    @property
    def target(self) -> Label | None:
        """The first point changed; None: every point holding the phrase."""
        return self.targets[0] if self.targets else None

    @property
    def where(self) -> str:
        return " ".join(map(str, self.targets)) or "everywhere"


@frozen
class Replace(_Edit):
    """``asendan punktis X sõna „A“ sõnaga „B“``: ``phrase`` becomes ``by`` in each
    target (``punktides X ja Y``), or in every point holding it (``läbivalt``).
    ``phrase`` None: the whole sentence ``scope`` becomes ``by`` ("sõnastan punkti
    X teise lause järgmiselt")."""

    phrase: str | None
    by: str


@frozen
class Delete(_Edit):
    """``jätan punktist X välja sõnad „A“`` (``phrase``) or ``… teise lause``
    (``sentence``, counted from 1, or ``LAST_SENTENCE``); exactly one of the two is set."""

    phrase: str | None = None
    sentence: int | None = None


@frozen
class Amend(_Edit):
    """``täiendan punkti X``: ``words`` ``after`` or ``before`` the phrase ``anchor``
    (``pärast sõna „A“ sõnadega „B“``), or a ``sentence`` appended (``lausega``)."""

    place: str  # after | before | sentence
    words: str
    anchor: str | None = None  # None for a sentence


Edit = Union[Replace, Delete, Amend]
EDITS = (Replace, Delete, Amend)

Verb = Union[Substitute, Retitle, Insert, Repeal, Renumber, Replace, Delete, Amend]


@frozen
class Item:
    """One item of an amending act. ``number`` is None when the act is not in
    the sources (the 2017 and 2019 acts are known only from annotations)."""

    number: str | None
    verb: Verb
    content: Content = EMPTY
    location: Location | None = field(default=None, eq=False)
    applies_from: dt.date | None = None  # "punkti N rakendatakse tagasiulatuvalt alates …": governs facts from then

    @property
    def target(self) -> Label | None:
        """The point the item changes (the first of several; None: everywhere)."""
        return self.verb.target

    @property
    def where(self) -> str:
        """The target as the DSL writes it: ``9.1.8``, ``8.3 8.6`` or ``everywhere``."""
        return self.verb.where if isinstance(self.verb, EDITS) else str(self.verb.target)


@frozen
class Act:
    """A directive or an amending act, with what it enacts."""

    number: str
    kind: str  # directive | announcement (a base act that enacts points) | amending
    signed: Signing
    title: str | None = None  # None: not in the sources
    in_force: dt.date | None = None  # None: in force on signing
    applies_from: dt.date | None = None
    applies_under: Under | None = None  # None: applies_from holds under every reading
    amends: str | None = None
    preamble: Preamble | None = None
    sources: tuple[Source, ...] = ()
    notes: tuple[str, ...] = ()
    points: tuple[PointDecl, ...] = ()
    items: tuple[Item, ...] = ()
    location: Location | None = field(default=None, eq=False)

    @property
    def in_force_from(self) -> dt.date:
        """First day in force; an act in force on signing is in force that day."""
        return self.in_force or self.signed.date

    @property
    def date_written(self) -> str:
        """The act's date as citations print it (``30.04.2017`` or ``xx.yy.2020``)."""
        if isinstance(self.signed, UncertainDate) and not self.signed.supplied:
            return self.signed.written
        return self.signed.date.strftime("%d.%m.%Y")

    @property
    def order_key(self) -> tuple:
        """Acts apply in order of entry into force, then signing, then number."""
        return (self.in_force_from, self.signed.date, self.number)


@frozen
class Corpus:
    """All documents and acts of one instrument."""

    documents: tuple[Document, ...] = ()
    acts: tuple[Act, ...] = ()
    readings: tuple[Reading, ...] = ()
    deadlines: tuple[DeadlineKind, ...] = ()
