"""Replay the acts in order into provisions and their versions.

A *provision* is a point with an identity that survives renumbering; its id
is the label it was born with and the act that made it (``9.1.10@1-3/170``).
A *version* is one stretch of a provision's life with one label and one
content, valid on the half-open interval ``[start, end)`` (``end`` None: still
in force). An act in force "on signing" is in force on its signing day, so
its versions start that day. A repeal ends the provision with a last version
whose content is None. Acts in force on the same day apply in order; a
version that a later act replaces on its first day keeps, for the record, the
empty interval ``[day, day)``.

Problems are collected as diagnostics, not raised: two acts with one number, an
amending act that does not amend the corpus's base act, an item whose target is
not in force, two items of one act changing the same point (the later
prevails), two acts in force the same day changing the same point (the one
later in :attr:`~tat_engine.model.Act.order_key` prevails), a label collision
after an insertion or a renumbering.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import attrs
from attrs import field, frozen

from .. import model as m
from ..errors import Diagnostic
from ..messages import N_, Message, msg, msg_n


@frozen
class Cause:
    """The act and item behind a version, and what the item did."""

    act: str
    item: str | None
    verb: str  # enacted | substituted | retitled | inserted | repealed | renumbered | replaced | deleted | amended
    applies_from: dt.date | None = None  # the item's own reach: its change governs facts from this day
    composed: tuple[str, ...] = ()  # earlier items of the act whose changes an edit kept in this version's wording


@frozen
class Version:
    provision: str
    number: int
    label: m.Label
    kind: str
    content: m.Content | None  # None: repealed
    start: dt.date
    end: dt.date | None
    cause: Cause  # what began this version
    content_cause: Cause  # what gave its content (differs after a renumbering)
    location: m.Location | None = field(default=None, eq=False)  # the point or item that made it

    @property
    def repealed(self) -> bool:
        return self.content is None

    def in_force_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@frozen
class History:
    """The outcome of the replay: every provision's versions, acts in order."""

    acts: tuple[m.Act, ...]
    provisions: dict[str, tuple[Version, ...]]


def consolidate(corpus: m.Corpus) -> tuple[History, list[Diagnostic]]:
    replay = _Replay()
    acts = tuple(sorted(corpus.acts, key=lambda act: act.order_key))
    for act in acts:
        replay.apply(act)
    provisions = {pid: tuple(versions) for pid, versions in replay.versions.items()}
    diagnostics = check_acts(corpus) + check_sources(corpus) + check_open(corpus) + replay.diagnostics + check_versions(provisions)
    return History(acts, provisions), diagnostics


def check_acts(corpus: m.Corpus) -> list[Diagnostic]:
    """Each act has its own number, and each amending act amends the base act
    (the directive or announcement) of the corpus: its items are replayed on
    that act's points, so an ``amends`` naming anything else would be a claim
    the replay never checks."""
    found, first = [], {}
    for act in corpus.acts:
        if act.number in first:
            message = msg("act {act} is declared twice (first at {first}); an act number names one act",
                          act=act.number, first=first[act.number].location)
            found.append(Diagnostic("error", "duplicate-act", message, act.location))
        else:
            first[act.number] = act
    bases = [act.number for act in corpus.acts if act.kind != "amending"]
    for act in corpus.acts:
        problem = _amends_problem(act, first, bases)
        if problem:
            found.append(Diagnostic("error", "bad-amends", msg("act {act} {problem}", act=act.number, problem=problem),
                                    act.location))
    return found


def _amends_problem(act: m.Act, acts: dict[str, m.Act], bases: list[str]) -> Message | None:
    wanted = (msg("amends \"{base}\"", base=bases[0]) if len(bases) == 1
              else msg("amends naming the corpus's directive or announcement"))
    if act.kind != "amending":
        return None if act.amends is None else msg("is a {kind}: it enacts points and amends no act; drop amends",
                                                   kind=act.kind)
    if act.amends is None:
        return msg("names no act it amends; expected {wanted}", wanted=wanted)
    if act.amends == act.number:
        return msg("amends itself; expected {wanted}", wanted=wanted)
    target = acts.get(act.amends)
    if target is None:
        return msg("amends {target}, which is not in the corpus; expected {wanted}", target=act.amends, wanted=wanted)
    if target.kind == "amending":
        return msg("amends {target}, which is an amending act; expected {wanted} (an amending act amends the base act, "
                   "a directive or an announcement)", target=act.amends, wanted=wanted)
    return None


def check_sources(corpus: m.Corpus) -> list[Diagnostic]:
    """Every cited source names a declared document, within that document's lines.

    (A corpus that declares no documents, such as a test's, is not checked.)"""
    documents = {document.name: document for document in corpus.documents}
    if not documents:
        return []
    found = []
    cited = [(reading.location, source) for reading in corpus.readings for option in reading.options for source in option.sources]
    cited += [pair for act in corpus.acts for pair in _sources(act)]
    for where, source in cited:
        document = documents.get(source.document)
        if document is None:
            message = msg("source {source} names no declared document; declared: {documents}",
                          source=source, documents=sorted(documents))
            found.append(Diagnostic("error", "unknown-document", message, where))
        elif not document.first_line <= source.first_line <= source.last_line <= document.last_line:
            message = msg("source {source} lies outside {document} (lines {first}-{last})", source=source,
                          document=document.name, first=document.first_line, last=document.last_line)
            found.append(Diagnostic("error", "source-lines", message, where))
    return found


def check_open(corpus: m.Corpus) -> list[Diagnostic]:
    """A condition names a declared reading and one of its options; ``holds_since``
    names an act of the corpus; a reading is declared once."""
    readings: dict[str, m.Reading] = {}
    found = []
    for reading in corpus.readings:
        if reading.name in readings:
            found.append(Diagnostic("error", "two-readings", msg("reading {reading} is declared twice",
                                                                 reading=repr(reading.name)), reading.location))
        readings[reading.name] = reading
    numbers = {act.number for act in corpus.acts}
    for act in corpus.acts:
        under = act.applies_under
        if under is not None:
            reading = readings.get(under.reading)
            if reading is None or reading.option(under.option) is None:
                what = (msg("reading {reading}", reading=repr(under.reading)) if reading is None
                        else msg("option {option} of {reading}", option=repr(under.option), reading=repr(under.reading)))
                found.append(Diagnostic("error", "unknown-reading", msg("act {act} applies under {what}, which is not "
                                                                        "declared", act=act.number, what=what),
                                        act.location))
        contents = [(p.location, p.content) for p in act.points] + [(i.location, i.content) for i in act.items]
        for where, content in contents:
            for fact in content.facts:
                if fact.holds_since is not None and fact.holds_since not in numbers:
                    found.append(Diagnostic("error", "unknown-act", msg("fact {fact} holds since act {act}, which is not "
                                                                        "in the corpus", fact=fact.name,
                                                                        act=repr(fact.holds_since)),
                                            fact.location or where))
    return found


def _sources(act: m.Act):
    yield from ((act.location, source) for source in act.sources)
    for where, content in [(p.location, p.content) for p in act.points] + [(i.location, i.content) for i in act.items]:
        yield from ((where, source) for source in content.sources)
        yield from ((fact.location or where, fact.source) for fact in content.facts if fact.source)


def check_versions(provisions: dict[str, tuple[Version, ...]]) -> list[Diagnostic]:
    """Each provision's versions follow each other with no gap and no overlap
    (an empty ``[day, day)`` version is allowed, see the module docstring)."""
    found = []
    for pid, versions in provisions.items():
        for before, after in zip(versions, versions[1:]):
            if before.end != after.start or before.start > after.start:
                message = msg("versions {before} and {after} of {provision} overlap or leave a gap",
                              before=before.number, after=after.number, provision=pid)
                found.append(Diagnostic("error", "overlapping-versions", message, after.location, str(after.label)))
    return found


def _kind_of(label: m.Label) -> str:
    if label.annex:
        return "annex"
    return "section" if label.depth == 1 else "point"


class _Replay:
    def __init__(self):
        self.live: dict[m.Label, str] = {}  # label in force -> provision id
        self.kids: dict[m.Label | None, set[m.Label]] = defaultdict(set)  # parent -> labels in force under it
        self.versions: dict[str, list[Version]] = {}
        self.diagnostics: list[Diagnostic] = []
        self._before: dict[str, m.Content | None] = {}  # per act: a point's content before the act first changed it
        self.directive: str | None = None
        self.act: m.Act | None = None  # the act being applied
        self.today: dict[str, tuple[m.Act, str | None]] = {}  # provision -> last act (and item) to change it on self.act's day

    def _add(self, label: m.Label, pid: str) -> None:
        self.live[label] = pid
        self.kids[label.parent].add(label)

    def _remove(self, label: m.Label) -> str:
        self.kids[label.parent].discard(label)
        return self.live.pop(label)

    def _subtree(self, label: m.Label) -> list[m.Label]:
        """The label and every label in force below it."""
        found, stack = [], [label]
        while stack:
            found.append(stack.pop())
            stack.extend(self.kids.get(found[-1], ()))
        return found

    def _report(self, severity: str, code: str, message: Message, location, point=None) -> None:
        self.diagnostics.append(Diagnostic(severity, code, message, location, None if point is None else str(point)))

    # --- versions ----------------------------------------------------------------

    def _begin(self, pid: str, day: dt.date, cause: Cause, **changes) -> None:
        """Close the current version of ``pid`` on ``day`` and open the next.

        A second change by the same act on the same day replaces the version the
        first one opened: within one act the later item prevails.
        """
        versions = self.versions[pid]
        current = versions[-1]
        self._same_day(pid, current.label, cause, changes.get("location"))
        if current.start == day and current.cause.act == cause.act:
            if len(versions) == 1 and changes.get("content", current.content) is None:
                del self.versions[pid]  # made and repealed by one act: never in force
                return
            cause = self._joint_reach(current, cause, changes.get("location"))
            if cause.verb in _EDITED.values() and current.cause.item not in (None, cause.item, *current.cause.composed):
                cause = attrs.evolve(cause, composed=current.cause.composed + (current.cause.item,))
            versions.pop()
            content_cause = cause if "content" in changes else current.content_cause
            versions.append(attrs.evolve(current, cause=cause, content_cause=content_cause, **changes))
            return
        versions[-1] = attrs.evolve(current, end=day)
        content_cause = cause if "content" in changes else current.content_cause
        versions.append(
            attrs.evolve(current, number=current.number + 1, start=day, end=None, cause=cause,
                         content_cause=content_cause, **changes)
        )

    def _joint_reach(self, current: Version, cause: Cause, location) -> Cause:
        """Two items of one act make one version of a point, so it reaches back only as far as
        both do (an item without ``applies_from`` reaches no facts before the act's entry into force)."""
        first, later = current.cause.applies_from, cause.applies_from
        if first == later:
            return cause
        joint = None if first is None or later is None else max(first, later)
        entry = msg("its entry into force")
        message = msg("items {first_item} and {later_item} of {act} both change {label} but apply from different "
                      "days ({first}, {later}); one version cannot hold both, so the change applies from {joint}",
                      first_item=current.cause.item or "?", later_item=cause.item or "?", act=cause.act,
                      label=current.label, first=first or entry, later=later or entry,
                      joint=joint or msg("the entry into force"))
        self._report("warning", "item-reach", message, location, current.label)
        return attrs.evolve(cause, applies_from=joint)

    def _same_day(self, pid: str, label: m.Label, cause: Cause, location) -> None:
        """Warn when two acts in force the same day change one provision: only the
        order key decides between them, and the sources may not mean that order."""
        earlier = self.today.get(pid)
        self.today[pid] = (self.act, cause.item)
        if earlier is None or earlier[0].number == self.act.number:
            return
        first, later = earlier[0], self.act
        message = msg("acts {first} (item {first_item}) and {later} (item {later_item}), both in force from {day}, "
                      "change {label} ({provision}); {later} prevails: acts in force the same day apply by signing "
                      "date, then by number ({first} signed {first_signed}, {later} signed {later_signed})",
                      first=first.number, first_item=earlier[1] or "?", later=later.number, later_item=cause.item or "?",
                      day=later.in_force_from, label=label, provision=pid, first_signed=first.signed.date,
                      later_signed=later.signed.date)
        self._report("warning", "same-day-change", message, location, label)

    def _create(self, label: m.Label, kind: str, content: m.Content, day: dt.date, cause: Cause, location) -> None:
        pid = f"{label}@{cause.act}"
        while pid in self.versions:  # a label born twice in one act
            pid += "'"
        self.versions[pid] = [Version(pid, 1, label, kind, content, day, None, cause, cause, location)]
        self._add(label, pid)

    # --- acts --------------------------------------------------------------------

    def apply(self, act: m.Act) -> None:
        day = act.in_force_from
        if self.act is None or self.act.in_force_from != day:
            self.today = {}
        self.act = act
        if act.kind != "amending":  # a directive or an announcement enacts points
            if self.directive is not None:
                self._report("error", "two-directives", msg("{act} is a second directive beside {directive}",
                                                            act=act.number, directive=self.directive), act.location)
            self.directive = act.number
            for point in act.points:
                if point.label in self.live:
                    self._report("error", "label-collision", msg("{act} enacts {label} twice", act=act.number,
                                                                 label=point.label), point.location)
                    continue
                self._create(point.label, point.kind, point.content, day, Cause(act.number, None, "enacted"), point.location)
            return
        changed: dict[str, m.Item] = {}
        self._before = {}
        for item in act.items:
            self._apply_item(act, item, day, changed)
        self._check_facts(act, day, changed, self._before)

    def _check_facts(self, act: m.Act, day: dt.date, changed: dict, before: dict) -> None:
        """Facts do not follow words: a warning where the act changed a point's words but left its
        facts as they were, or set the point anew without the facts it carried (the rules would
        read stale values, or none, from then on)."""
        for pid, item in changed.items():
            old, new = before.get(pid), self.versions[pid][-1].content if pid in self.versions else None
            if old is None or new is None or not old.facts or item.verb.__class__ is m.Repeal:
                continue
            name, label = _item_name(act, item), self.versions[pid][-1].label
            if isinstance(item.verb, m.EDITS) and new.facts == old.facts:
                self._report("warning", "facts-kept",
                             msg("{item} changes the words of {label} and leaves {facts} as they were: check them "
                                 "against the new wording (an item gives new values as fact lines)",
                                 item=name, label=label, facts=_fact_names(old)), item.location, label)
            elif not isinstance(item.verb, m.EDITS) and not new.facts:
                self._report("warning", "facts-dropped",
                             msg("{item} sets {label} anew without {facts}, which the rules find there no more from "
                                 "{day}: give them as fact lines if they still hold",
                                 item=name, label=label, facts=_fact_names(old), day=day), item.location, label)

    def _apply_item(self, act: m.Act, item: m.Item, day: dt.date, changed: dict) -> None:
        verb = item.verb
        name = _item_name(act, item)
        if isinstance(verb, m.Renumber):
            self._renumber(act, item, day, name)
            return
        if isinstance(verb, m.Insert):
            self._insert(act, item, day, name)
            return
        if isinstance(verb, m.EDITS):
            self._edit(act, item, day, name, changed)
            return
        pid = self.live.get(verb.target)
        if pid is None:
            self._report("error", "unknown-target", _not_in_force(name, verb.target, day), item.location, verb.target)
            return
        if pid in changed:
            first = changed[pid]
            self._report("warning", "double-change",
                         msg("items {first} and {later} of {act} both change {label}; the later ({later}) prevails",
                             first=first.number or "?", later=item.number or "?", act=act.number, label=verb.target),
                         item.location, verb.target)
        self._before.setdefault(pid, self.versions[pid][-1].content)
        changed[pid] = item
        if isinstance(verb, m.Repeal):
            for label in sorted(self._subtree(verb.target)):
                self._begin(self._remove(label), day, _cause(act, item, "repealed"), content=None,
                            location=item.location)
            return
        verb_name = "retitled" if isinstance(verb, m.Retitle) else "substituted"
        self._begin(pid, day, _cause(act, item, verb_name), content=item.content, location=item.location)

    def _edit(self, act: m.Act, item: m.Item, day: dt.date, name: str, changed: dict) -> None:
        """A replace, delete or amend: the operation computed into each target's wording in force
        today. Items of one act apply in turn, so a later edit of a point applies to the wording
        an earlier one left (no "the later prevails": both hold)."""
        from .edits import EditError, edited  # (the replay's alone: a cached index needs neither)

        verb: m.Edit = item.verb
        targets = verb.targets or self._holding(item, day, name)
        for label in targets:
            pid = self.live.get(label)
            if pid is None:
                self._report("error", "unknown-target", _not_in_force(name, label, day), item.location, label)
                continue
            current = self.versions[pid][-1].content
            if not isinstance(current.wording, m.Known):
                key = (_UNSEEN_WORDING if isinstance(current.wording, m.Unknown) else _RECONSTRUCTED_WORDING)
                self._report("error", "unknown-wording", msg(key, item=name, label=label, day=day), item.location, label)
                continue
            try:
                text = edited(current.wording.text, verb, everywhere=not verb.targets)
            except EditError as error:
                self._report("error", error.code, msg("{item}: {label} {problem}", item=name, label=label,
                                                      problem=error.message), item.location, label)
                continue
            self._before.setdefault(pid, current)
            changed[pid] = item
            self._begin(pid, day, _cause(act, item, _EDITED[type(verb).__name__]), content=_edited(current, text, item),
                        location=item.location)

    def _holding(self, item: m.Item, day: dt.date, name: str) -> list[m.Label]:
        """The points in force whose wording holds the phrase (läbivalt); an error when none does,
        a warning naming the points whose wording the sources lack (they could hold it unseen)."""
        from .edits import phrase_of

        phrase = phrase_of(item.verb)
        found, unseen = [], []
        for label in sorted(self.live):
            wording = self.versions[self.live[label]][-1].content.wording
            if not isinstance(wording, m.Known):
                unseen.append(str(label))
            elif phrase in wording.text:
                found.append(label)
        if not found:
            self._report("error", "everywhere-unmatched",
                         msg("{item} changes „{phrase}“ everywhere, but no point in force on {day} holds it",
                             item=name, phrase=phrase, day=day), item.location)
        if unseen:
            shown = (", ".join(unseen) if len(unseen) <= 10
                     else msg("{labels} and {more} more", labels=unseen[:10], more=len(unseen) - 10))
            self._report("warning", "everywhere-unseen",
                         msg("{item} changes „{phrase}“ everywhere; the sources lack the wording of {labels}, which "
                             "may hold it unchanged", item=name, phrase=phrase, labels=shown), item.location)
        return found

    def _insert(self, act: m.Act, item: m.Item, day: dt.date, name: str) -> None:
        label, after = item.verb.target, item.verb.after
        if label in self.live:
            self._report("error", "label-collision", msg("{item} inserts {label}, which is already in force on {day}",
                                                         item=name, label=label, day=day), item.location)
            return
        if label.parent is not None and label.parent not in self.live:
            self._report("error", "unknown-target", msg("{item} inserts {label} under {parent}, which is not in force "
                                                        "on {day}", item=name, label=label, parent=label.parent, day=day),
                         item.location)
            return
        if after is not None and after not in self.live:
            self._report("error", "unknown-target", msg("{item} inserts {label} after {after}, which is not in force "
                                                        "on {day}", item=name, label=label, after=after, day=day),
                         item.location)
            return
        self._create(label, _kind_of(label), item.content, day, _cause(act, item, "inserted"), item.location)

    def _renumber(self, act: m.Act, item: m.Item, day: dt.date, name: str) -> None:
        verb: m.Renumber = item.verb
        if verb.target not in self.live:
            self._report("error", "unknown-target", msg("{item} renumbers from {label}, which is not in force on {day}",
                                                        item=name, label=verb.target, day=day), item.location)
            return
        depth, first, last = verb.target.depth, verb.target.parts[-1], verb.last.parts[-1] if verb.last else None
        siblings = [
            label for label in self.kids[verb.target.parent]
            if label.annex == verb.target.annex and first <= label.parts[-1] and (last is None or label.parts[-1] <= last)
        ]
        moved = {label: label.shifted(depth, verb.by) for sibling in siblings for label in self._subtree(sibling)}
        clashes = sorted(new for new in moved.values() if (new in self.live and new not in moved) or new.parts[depth - 1] < 1)
        if clashes:
            self._report("error", "label-collision",
                         msg("{item} renumbers onto {labels}, already in force on {day}", item=name,
                             labels=[str(label) for label in clashes], day=day), item.location)
            return
        pids = {old: self._remove(old) for old in moved}
        for old, new in sorted(moved.items()):
            self._begin(pids[old], day, _cause(act, item, "renumbered"), label=new, location=item.location)
            self._add(new, pids[old])


# By class name: the classes (acts.py) are defined when a corpus is parsed, not by importing this module.
_EDITED = {"Replace": "replaced", "Delete": "deleted", "Amend": "amended"}


def _fact_names(content: m.Content) -> Message:
    names = sorted({fact.name for fact in content.facts})
    return msg_n("the fact {names}", "the facts {names}", len(names), names=names)


def _item_name(act: m.Act, item: m.Item) -> Message:
    return msg("item {item} of {act}", item=item.number or "?", act=act.number)


def _not_in_force(item: Message, label: m.Label, day: dt.date) -> Message:
    return msg("{item} changes {label}, which is not in force on {day}", item=item, label=label, day=day)


_UNSEEN_WORDING = N_("{item} changes part of {label}, whose wording on {day} is not in the sources: cannot change part "
                     "of a wording the sources do not hold; write the item as a whole-point substitute")
_RECONSTRUCTED_WORDING = N_("{item} changes part of {label}, whose wording on {day} is reconstructed: cannot change part "
                            "of a wording the sources do not hold; write the item as a whole-point substitute")


def _cause(act: m.Act, item: m.Item, verb: str) -> Cause:
    return Cause(act.number, item.number, verb, item.applies_from)


def _edited(current: m.Content, text: str, item: m.Item) -> m.Content:
    """The point's content with the new wording: its facts and table stay, save the facts the item
    sets (a fact of the same name is replaced); the item's sources and notes join the point's."""
    given = {fact.name: fact for fact in item.content.facts}
    facts = tuple(given.pop(fact.name, fact) for fact in current.facts) + tuple(given.values())
    sources = current.sources + tuple(s for s in item.content.sources if s not in current.sources)
    notes = current.notes + tuple(n for n in item.content.notes if n not in current.notes)
    return attrs.evolve(current, wording=m.Known(text), facts=facts, sources=sources, notes=notes)
