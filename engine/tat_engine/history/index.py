"""The query index: per label, a sorted list of start days and the answer for
each stretch, precomputed. A lookup is a dict access and a bisect; negative
answers (not yet in force, repealed, renumbered away, no such point) are
precomputed too. Built once from the replay, pickled by the loader, and read
without the parser or the graph library.

A cached index loads cheaply: its heavy parts are pickled as separate blobs inside
the (sealed) pickle and decoded only when first asked for — the timelines and the
versions a chunk of labels or provisions at a time, the references a chunk of
provisions at a time, the sheets and the pages (plain columns from which a diff and the
text are printed: :class:`Sheets`, :class:`Pages`), the repeals, the clause graph's edges, the other date worlds
and the load's diagnostics each as one; the answers of every version (what
``in_force`` reads) are not kept but made again from the versions when first asked for
(quicker than unpickling them). ``tat point --json`` at 20 000 points then builds a few
hundred objects, not three hundred thousand, and ``tat text`` none of the versions. The
blobs lie inside the one sealed file, so nothing is unpickled before its seal holds.

Intervals are half-open: an entry found at index ``i`` holds on
``[starts[i], starts[i + 1])``.
"""

from __future__ import annotations

import copyreg
import datetime as dt
import gc
import pickle
import threading
from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping
from itertools import chain
from operator import attrgetter, itemgetter
from typing import NamedTuple

import attrs

from .. import model as m
from .answers import (
    ActRef, Answer, Assumption, Citation, InForce, NoSuchLabel, NotYetInForce, Renumbered, Repealed, legal_key,
)
from .consolidate import Cause, History, Version

_START = attrgetter("start")
_FAR = m.OPEN_END  # an open end; no real day reaches it, as every day read is at most m.LAST_DAY
_OPEN = m.OPEN_END.toordinal() + 1  # an open end as a day number: after every date, date.max included


class Edge(NamedTuple):
    """One edge of the clause graph (see ``graph``). The index keeps its edges as plain
    ``(source, target, rel, label)`` tuples, which unpickle in C: a corpus of 20 000 points
    has over a hundred thousand, and as attrs values they took a ``tat refs`` a second."""

    source: tuple
    target: tuple
    rel: str
    label: str | None = None  # for ``cites``: the label as the wording writes it; for ``contains``: the item's verb and target


class Timeline(NamedTuple):
    """The answers for one label over time: ``entries[i]`` holds on
    ``[starts[i], starts[i + 1])``, and ``starts[0]`` is ``date.min``. An entry is
    None where no point bore the label. Assumptions are baked in: a stretch is
    cut where an unknown act date could fall, so its answer carries exactly the
    assumptions that hold on it."""

    starts: list[dt.date]
    entries: list[Answer | None]


_PROTOCOL = 5  # out-of-band buffers (PEP 574)
_DECODING = threading.RLock()  # one part decoded at a time, once
# Not kept in the sealed file: made again from the provisions' versions on first use (see _remake_answers).
_REMADE = ("answers", "lives")
# Decoded each on its own on first use: only refs/act read the edges, only settled answers the worlds,
# only the text and a diff the sheets, only a text or a check the repeals, only `tat check` and lint the
# diagnostics (at 20 000 points some 600 warnings: half the core pickle's time, for every command).
_ALONE = ("repeals", "edges", "worlds", "sheets", "pages", "diagnostics")


def _blob(value, out_of_band: bool) -> pickle.PickleBuffer | bytes:
    """``value`` pickled on its own; ``out_of_band`` (protocol 5) as a buffer, so that the loader
    can keep it out of the pickle (a view into the file read, never copied)."""
    blob = pickle.dumps(value, _PROTOCOL)
    return pickle.PickleBuffer(blob) if out_of_band else blob


def _loads(blob):
    """A blob of the sealed index, with the cyclic collector paused while its objects are made
    (it would walk them again and again). Not frozen after, as the loader freezes a whole load:
    a part decoded later, in a long-lived server, would freeze whatever else lived then too."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(blob)
    finally:
        if enabled:
            gc.enable()


class _Chunked(dict):
    """A mapping pickled in chunks of a few dozen keys, each chunk decoded when one of its keys
    is first asked for (a point question decodes one chunk, not the whole index; a chunk, not a
    key, so that the acts and classes its values name are written once a chunk). A dict of the
    keys decoded so far, so that ``mapping[key]`` is a plain dict lookup once decoded; the other
    ways in (``get``, ``in``, iteration, ``len``) see every key. A subclass says how a chunk's
    values are laid out (:meth:`_pack`, :meth:`_unpack`)."""

    __slots__ = ("_order", "_chunks", "_where")
    CHUNK = 64  # keys a chunk

    def __init__(self, values: dict):
        super().__init__(values)
        # the keys in the order they were built; key -> its chunk, for the keys not yet decoded. Read
        # from the chunks when first needed (None till then): at 20 000 points each costs a few
        # milliseconds a mapping, and most questions read one mapping's keys, not all three.
        self._order: tuple[str, ...] | None = tuple(values)
        self._chunks: list[tuple[tuple[str, ...], bytes] | None] = []  # (keys, their pickle), None once decoded
        self._where: dict[str, int] | None = {}

    def _keys(self) -> tuple[str, ...]:
        if self._order is None:
            self._order = tuple(chain.from_iterable(keys for keys, _ in self._chunks))  # (none decoded yet: see __missing__)
        return self._order

    def _places(self) -> dict[str, int]:
        if self._where is None:
            with _DECODING:
                if self._where is None:
                    where: dict[str, int] = {}
                    for n, chunk in enumerate(self._chunks):
                        if chunk is not None:
                            where.update(dict.fromkeys(chunk[0], n))
                    self._where = where
        return self._where

    def _pack(self, keys: tuple[str, ...]):
        return [self[key] for key in keys]

    def _unpack(self, decoded) -> list:
        return decoded

    def __missing__(self, key: str):
        with _DECODING:  # a server's threads may ask for keys of one chunk at once
            if not dict.__contains__(self, key):  # (another thread may have decoded it meanwhile)
                where = self._places()
                chunk = where[key]  # KeyError: no such key
                self._keys()  # (read while every chunk still holds its keys)
                names, blob = self._chunks[chunk]
                for name, value in zip(names, self._unpack(_loads(blob)), strict=True):
                    dict.__setitem__(self, name, value)
                    where.pop(name, None)
                self._chunks[chunk] = None
            return dict.__getitem__(self, key)

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key) -> bool:
        return dict.__contains__(self, key) or key in self._places()

    def __iter__(self):
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())

    def keys(self):
        return list(self._keys())

    def key_at(self, n: int) -> str:
        """The ``n``-th key, in the order they were built."""
        return self._keys()[n]

    def items(self):
        return [(key, self[key]) for key in self._keys()]

    def values(self):
        return [self[key] for key in self._keys()]

    def __eq__(self, other) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    __hash__ = None

    def __reduce_ex__(self, protocol: int):
        return _chunked_of, (type(self), self._state(out_of_band=protocol >= 5))

    def _state(self, out_of_band: bool) -> list[tuple[tuple[str, ...], bytes]]:
        keys = self._keys()
        chunks = [keys[i:i + self.CHUNK] for i in range(0, len(keys), self.CHUNK)]
        return [(tuple(chunk), _blob(self._pack(tuple(chunk)), out_of_band)) for chunk in chunks]


def _chunked_of(kind: type, chunks: list[tuple[tuple[str, ...], bytes]]) -> _Chunked:
    """A chunked mapping from its pickled chunks, none decoded yet."""
    found = kind({})
    found._chunks, found._order, found._where = list(chunks), None, None  # (the keys read when first needed)
    return found


class Timelines(_Chunked):
    """Label -> :class:`Timeline`."""

    __slots__ = ()

    def _pack(self, keys: tuple[str, ...]):
        # every start day of the chunk first, then the answers: the days a lookup bisects lie together in memory
        return [self[label].starts for label in keys], [self[label].entries for label in keys]

    def _unpack(self, decoded) -> list:
        starts, entries = decoded
        return [Timeline(days, answers) for days, answers in zip(starts, entries, strict=True)]


class Provisions(_Chunked):
    """Provision identity -> its versions, in order: what ``history`` and ``version`` read for one
    provision, decoded without the versions of every other (``in_force`` and ``text`` read the
    answers, which carry their versions)."""

    __slots__ = ()


class Cites(_Chunked):
    """Provision identity -> the references of its wordings and to it (see ``graph.cites_of``)."""

    __slots__ = ()


class Index:
    """Everything a query needs, and nothing that imports lark or networkx.

    Pickled, its heavy parts are kept as blobs (see the module docstring) that
    ``__getattr__`` decodes on first use."""

    def __init__(self, history: History, diagnostics: tuple = (), readings: tuple[m.Reading, ...] = (),
                 sheets: bool = True):
        self.acts: dict[str, ActRef] = {
            act.number: ActRef(act.number, act.kind, act.date_written, act.title, act.signed, act.in_force_from,
                               act.applies_from, act.applies_under)
            for act in history.acts
        }
        self.readings: dict[str, m.Reading] = {reading.name: reading for reading in readings}
        self.deadlines: dict[str, m.DeadlineKind] = {}  # the kinds the corpus declares; set by the loader
        # The other date worlds (see possible.py): (conditions, index) with each
        # unknown act date at an end of its bounds; set by the loader.
        self.worlds: tuple = ()
        # The clause graph's edges as plain (source, target, rel, label) tuples (see Edge), set
        # by the loader; read in a pass or two by the questions that need them (no graph rebuilt).
        self.edges: tuple = ()
        # Per provision, the references its wordings make and those made to it (see graph.cites_of),
        # set by the loader; what ``tat refs`` reads, one provision's chunk decoded.
        self.cites: Cites = Cites({})
        self.preambles: dict[str, m.Preamble] = {act.number: act.preamble for act in history.acts if act.preamble}
        self.uncertain: dict[str, Assumption] = {
            act.number: _assumption(act) for act in history.acts if act.in_force is None
            and isinstance(act.signed, m.UncertainDate)
        }
        self.provisions: Provisions = Provisions(history.provisions)
        self.answers: dict[tuple[str, int], InForce] = {
            (version.provision, version.number): self.answer_of(version)
            for versions in history.provisions.values() for version in versions if not version.repealed
        }
        rank = _ranks(history.provisions)
        self.lives: list[tuple[list, list, list]] = _lives(
            history.provisions, self.answers, [rank[v.label] for vs in history.provisions.values() for v in vs])
        self.labels: Timelines = Timelines(_timelines(self))
        self.repeals: list[tuple[str, list[dt.date], list[Repealed | None]]] = _repeals(self.labels)
        if sheets:  # (a date world's index prints no text: made only if asked, see __getattr__)
            self.sheets, self.pages = _sheets(self, rank)
        self.diagnostics = tuple(diagnostics)

    def __reduce_ex__(self, protocol: int):
        return copyreg.__newobj__, (type(self),), self._state(out_of_band=protocol >= 5)

    def _state(self, out_of_band: bool) -> dict:
        state = dict(self.__dict__)
        wrap = pickle.PickleBuffer if out_of_band else bytes
        packed = {name: wrap(blob) for name, blob in state.pop("_packed", {}).items()}  # not yet decoded
        for name in _REMADE:
            state.pop(name, None)
        for name in _ALONE:
            if name in state:
                packed[name] = _blob(state.pop(name), out_of_band)
        state["_packed"] = packed
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def __getattr__(self, name: str):
        """A part kept packed, decoded now (only called for a name not yet set); the sheets of an
        index made without them (a date world's), made now."""
        if name in ("sheets", "pages") and name not in self.__dict__.get("_packed", ()) and "provisions" in self.__dict__:
            with _DECODING:
                if name not in self.__dict__:
                    self.__dict__["sheets"], self.__dict__["pages"] = _sheets(self, _ranks(self.provisions))
                return self.__dict__[name]
        if name in _REMADE and "provisions" in self.__dict__:
            with _DECODING:
                if name not in self.__dict__:
                    self._remake_answers()
                return self.__dict__[name]
        blob = name if name in _ALONE else None
        if blob is None or "_packed" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        with _DECODING:  # a server's threads may ask at once: one decodes, the others wait for it
            if name not in self.__dict__:
                packed = self.__dict__["_packed"]
                if blob not in packed:
                    raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
                decoded = _loads(packed[blob])
                self.__dict__[name] = decoded
                del packed[blob]
            return self.__dict__[name]

    def _remake_answers(self) -> None:
        """``answers`` and ``lives`` of a cached index, made again from its provisions' versions: at
        20 000 points that is quicker than unpickling them (they repeat every version), and a load
        reads and checks some 13 MB less of the sealed file. Ranks from the sheets (as the build made
        them) where the index has them, else from the labels."""
        provisions, packed = self.provisions, self.__dict__.get("_packed", {})
        if "sheets" in self.__dict__ or "sheets" in packed:
            ranks = self.sheets.ranks
        else:
            rank = _ranks(provisions)
            ranks = [rank[v.label] for versions in provisions.values() for v in versions]
        enabled = gc.isenabled()
        gc.disable()  # (as a decoded part: some hundred thousand objects made at once)
        try:
            answers = {(pid, v.number): self.answer_of(v) for pid, versions in provisions.items() for v in versions
                       if not v.repealed}
            lives = _lives(provisions, answers, ranks)
        finally:
            if enabled:
                gc.enable()
        self.__dict__.update(answers=answers, lives=lives)

    # --- building blocks ------------------------------------------------------------

    def cite(self, version: Version, cause: Cause) -> Citation:
        return Citation(str(version.label), version.provision, version.number, self.acts[cause.act], cause.item, cause.verb)

    def answer_of(self, version: Version) -> InForce:
        """What a version not repealed answers while in force (``answers`` holds them all, made once)."""
        return InForce(str(version.label), version, self.cite(version, version.content_cause), self.cite(version, version.cause))

    def attach_alternatives(self) -> None:
        """Give each answer that an open act date could change the answer of every
        other date world (see ``possible``) where it differs. A stretch lies wholly on
        one side of each world's date, so the answer at its first day stands for it."""
        from .possible import Outcome

        for label, timeline in self.labels.items():
            for i, entry in enumerate(timeline.entries):
                if entry is None or not getattr(entry, "assumptions", ()):
                    continue
                found = []
                for conditions, world in self.worlds:
                    other = world.point(label, timeline.starts[i])
                    if legal_key(other) != legal_key(entry):
                        found.append(Outcome(conditions, other))
                timeline.entries[i] = attrs.evolve(entry, alternatives=tuple(found))
        self.repeals = _repeals(self.labels)  # they carry the alternatives too

    def turns(self) -> list[dt.date]:
        """The days from which an answer on a day may read otherwise: a label's stretch, a version's
        start or end, a repeal's stretch, an act's entry into force, either end of an unknown act
        date's window; the engine's first day first. From one to the next, the text, the sides of a
        diff and the references read the same, but for the day they name (the command line's answer
        table keeps a page per stretch: quick.py)."""
        sheets, days = self.sheets, set()
        days.update(sheets.starts, (end for end in sheets.ends if end != _OPEN))
        days.update(day for starts, _ in self.pages.repeals for day in starts)
        days.update(start.toordinal() for timeline in self.labels.values() for start in timeline.starts)
        days.update(act.in_force_from.toordinal() for act in self.acts.values())
        days.update(day.toordinal() for a in self.uncertain.values() for day in (a.earliest, a.latest))
        first, last = m.FIRST_DAY.toordinal(), m.LAST_DAY.toordinal()
        return [dt.date.fromordinal(day) for day in sorted({first} | {day for day in days if first < day <= last})]

    def assumptions_on(self, day: dt.date) -> tuple[Assumption, ...]:
        """The unknown act dates that could change an answer on ``day``."""
        return tuple(a for a in self.uncertain.values() if a.earliest <= day < a.latest)

    # --- lookups ----------------------------------------------------------------------

    def point(self, label: str, day: dt.date) -> Answer:
        """The answer for ``label`` on ``day``; "11.3." and " 11.3" read as "11.3"."""
        try:
            timeline = self.labels[label]  # a dict lookup, once the label's chunk is decoded
        except KeyError:
            timeline = None
        if timeline is None:
            written = m.tidy_label(label)
            if written != label:
                label, timeline = written, self.labels.get(written)
        if timeline is not None:
            starts, entries = timeline
            answer = entries[bisect_right(starts, day) - 1]
            if answer is not None:
                return answer
        return NoSuchLabel(label, day, self.near(label, day))

    def version(self, provision: str, day: dt.date) -> Version | None:
        """The version of a provision (by identity) on ``day``, repealed ones included."""
        versions = self.provisions[provision]  # its chunk alone, not every provision's start days
        i = bisect_right(versions, day, key=_START) - 1
        if i < 0:
            return None
        version = versions[i]
        return version if version.end is None or day < version.end else None

    def in_force(self, day: dt.date) -> list[InForce]:
        """Every version in force on ``day``, in label order."""
        found, ordinal = [], day.toordinal()
        for starts, ends, answers in self.lives:
            i = bisect_right(starts, ordinal) - 1
            if i >= 0 and ordinal < ends[i] and answers[i] is not None:
                found.append(answers[i])
        found.sort(key=itemgetter(0))
        return [answer for _, answer in found]

    def printed_on(self, day: dt.date) -> list[str | InForce]:
        """What the text on ``day`` prints, in label order, read off the sheets (no version decoded):
        each point in force as its printed lines (its answer, where they depend on the reader's
        language), each repealed label as its line."""
        sheets, ordinal, found = self.sheets, day.toordinal(), []
        bounds, starts, ends, ranks, printed = sheets.bounds, sheets.starts, sheets.ends, sheets.ranks, self.pages.printed
        for p, (lo, hi) in enumerate(zip(bounds, bounds[1:])):
            i = bisect_right(starts, ordinal, lo, hi) - 1
            if i >= lo and ordinal < ends[i] and ranks[i] >= 0:
                found.append((ranks[i], printed[i] if printed[i] is not None else self._answer_at(p, i - lo)))
        for days, lines in self.pages.repeals:
            i = bisect_right(days, ordinal) - 1
            if i >= 0 and lines[i] is not None:
                found.append(lines[i])
        found.sort(key=itemgetter(0))
        return [block for _, block in found]

    def _answer_at(self, provision: int, position: int) -> InForce:
        """The answer of a provision's version by place (its chunk alone decoded)."""
        return self.answer_of(self.provisions[self.provisions.key_at(provision)][position])

    def changes(self, before: dt.date, after: dt.date) -> list[Changed]:
        """Each provision whose version in force differs from ``before`` to ``after``, in the label
        order of its later (else earlier) version, then by identity; compared by the sheets' ids of
        wordings and facts, so that no version is decoded."""
        sheets, old, new, found = self.sheets, before.toordinal(), after.toordinal(), []
        bounds, starts, ends, ranks, wordings, facts = (sheets.bounds, sheets.starts, sheets.ends, sheets.ranks,
                                                        sheets.wordings, sheets.facts)
        for provision, lo, hi in zip(self.provisions, bounds, bounds[1:]):
            if hi - lo == 1:  # one version (most provisions): in force on both days or on neither, no change
                start, end = starts[lo], ends[lo]
                if (start <= old < end) == (start <= new < end):
                    continue
            a = bisect_right(starts, old, lo, hi) - 1
            a = a if a >= lo and old < ends[a] and ranks[a] >= 0 else None
            b = bisect_right(starts, new, lo, hi) - 1
            b = b if b >= lo and new < ends[b] and ranks[b] >= 0 else None
            if a is None and b is None or a == b:
                continue
            if a is None or b is None:
                kinds = ("added",) if a is None else ("repealed",)
            else:
                kinds = tuple(kind for kind, differs in (
                    ("renumbered", ranks[a] != ranks[b]), ("reworded", wordings[a] != wordings[b]),
                    ("facts", facts[a] != facts[b])) if differs)
                if not kinds:
                    continue
            found.append((ranks[a if b is None else b], provision, kinds, a, b))
        found.sort(key=itemgetter(0, 1))
        labels, texts, numbers, causes, acts = sheets.labels, sheets.texts, sheets.numbers, sheets.causes, self.acts

        def side(provision: str, at: int | None) -> Side | None:
            if at is None:
                return None
            act, item, verb = causes[at]
            return Side(labels[at], texts[at], Citation(labels[at], provision, numbers[at], acts[act], item, verb))

        return [Changed(provision, kinds, side(provision, a), side(provision, b)) for _, provision, kinds, a, b in found]

    def repealed_on(self, day: dt.date) -> list[Repealed]:
        """Repealed points whose label no point in force holds on ``day``."""
        found = []
        for _, starts, repeals in self.repeals:
            i = bisect_right(starts, day) - 1
            if i >= 0 and repeals[i] is not None:
                found.append(repeals[i])
        return found

    def near(self, label: str, day: dt.date | None) -> tuple[str, ...]:
        """Labels close to ``label``: siblings in force that day, or similar ones ever used."""
        try:
            wanted = m.Label.parse(label)
        except ValueError:
            wanted = None
        if day is not None and wanted is not None:
            live = [answer.version.label for answer in self.in_force(day)]
            siblings = [str(other) for other in live if other.parent == wanted.parent]
            if siblings:
                return tuple(siblings)
        import difflib

        return tuple(difflib.get_close_matches(label, list(self.labels), n=5, cutoff=0.6))

    def bearers(self, label: str) -> list[str]:
        """The provisions that ever bore ``label``, in order of first bearing it: read off the
        label's timeline (a provision bears a label where its version in force answers for it),
        so that no other label's versions are decoded."""
        timeline = self.labels.get(label)
        if timeline is None:
            return []
        firsts = [entry.version.provision for entry in timeline.entries if isinstance(entry, InForce)]
        return list(dict.fromkeys(firsts))


class Sheets(NamedTuple):
    """What the text and a diff read, as columns of plain values (arrays and strings, unpickled in
    C): at 20 000 points the versions, as attrs values, took a ``tat text`` most of a second.

    Per version, in the order of ``provisions`` and of each provision's versions (a provision's
    run is ``bounds[p]:bounds[p + 1]``): its start and end days as day numbers (an open end
    _OPEN), the rank of its label (-1: repealed), ids of its wording with its table and of its facts
    (equal ids, equal values), its label, its wording (None where the sources lack it), its number
    and the (act, item, verb) of its change."""

    bounds: array
    starts: array
    ends: array
    ranks: array
    wordings: array
    facts: array
    labels: list[str]
    texts: list[str | None]
    numbers: array
    causes: list[tuple[str, str | None, str]]


class Pages(NamedTuple):
    """What the text prints, beside the sheets (a diff does not read it): per version, the lines
    printed for it (None where they depend on the reader's language); per label a repeal answers
    for, its timeline's start days as day numbers and on each stretch (rank of the repealed point's
    last label, its printed line), or None where no repeal answers."""

    printed: list[str | None]
    repeals: list[tuple[array, list[tuple[int, str] | None]]]


class Side(NamedTuple):
    """One side of a change as ``tat diff`` prints it: the label, the wording (None where the sources
    lack it), and who began the version."""

    label: str
    text: str | None
    change: Citation


class Changed(NamedTuple):
    """A provision whose version in force differs between two days (see :meth:`Index.changes`):
    how, and its version on either day (None where none is in force) as ``tat diff`` prints it."""

    provision: str
    kinds: tuple[str, ...]  # added | repealed | renumbered | reworded | facts
    before: Side | None
    after: Side | None


def _sheets(index: Index, rank: dict) -> tuple[Sheets, Pages]:
    """The sheets and pages of an index, the pages' lines printed by :mod:`render` itself."""
    from .render import point_lines, repealed_line

    ids: dict = {}  # a value -> its id: equal values, one id
    kept: dict = {}  # a string or cause -> the one object kept for it: pickled once, however often it recurs
    bounds, versions = [0], [v for vs in index.provisions.values() for v in vs]
    for vs in index.provisions.values():
        bounds.append(bounds[-1] + len(vs))
    live = [index.answers[v.provision, v.number] if not v.repealed else None for v in versions]
    printed = [None if answer is None or _in_words(answer) else "\n".join(point_lines(answer)) for answer in live]
    repeals = [(array("i", [day.toordinal() for day in starts]),
                [None if r is None else (rank[r.last.label], repealed_line(r)) for r in gone])
               for _, starts, gone in index.repeals]
    sheets = Sheets(
        array("i", bounds), array("i", [v.start.toordinal() for v in versions]),
        array("i", [v.end.toordinal() if v.end else _OPEN for v in versions]),
        array("i", [-1 if v.repealed else rank[v.label] for v in versions]),
        array("i", [-1 if v.repealed else ids.setdefault(("wording", v.content.wording, v.content.table), len(ids))
                    for v in versions]),
        array("i", [-1 if v.repealed else ids.setdefault(("facts", v.content.facts), len(ids)) for v in versions]),
        [kept.setdefault(str(v.label), str(v.label)) for v in versions],
        [None if answer is None else kept.setdefault(answer.text, answer.text) for answer in live],
        array("i", [v.number for v in versions]),
        [kept.setdefault((v.cause.act, v.cause.item, v.cause.verb), (v.cause.act, v.cause.item, v.cause.verb))
         for v in versions])
    return sheets, Pages(printed, repeals)


def _lives(provisions: Mapping[str, tuple[Version, ...]], answers: dict, ranks) -> list[tuple[list, list, list]]:
    """Per provision, aligned with its versions: start and end days as day numbers (_OPEN when open,
    so no date, not even date.max, is mistaken for an open end), and (rank of its label, answer) or
    None for a repealed version; read by in_force(). ``ranks``: each version's, in the order of
    ``provisions``. Made in a pass of their own, so that what in_force walks lies together in memory
    (made among the answers, it walked a third slower)."""
    lives, at = [], 0
    for pid, versions in provisions.items():
        lives.append(([v.start.toordinal() for v in versions], [v.end.toordinal() if v.end else _OPEN for v in versions],
                      [None if v.repealed else (ranks[at + n], answers[pid, v.number]) for n, v in enumerate(versions)]))
        at += len(versions)
    return lives


def _ranks(provisions: Mapping[str, tuple[Version, ...]]) -> dict[m.Label, int]:
    """Each label ever borne, with its place in label order."""
    return {label: n for n, label in enumerate(sorted({v.label for vs in provisions.values() for v in vs}))}


def _in_words(answer: InForce) -> bool:
    """Whether a point's printed lines are in the reader's language: an unknown wording's facts
    from other sources are (render.fact_line)."""
    return isinstance(answer.wording, m.Unknown) and any(fact.source for fact in answer.content.facts)


def _repeals(timelines: Timelines) -> list[tuple[str, list[dt.date], list[Repealed | None]]]:
    """The labels a repeal ever answers for, each with its timeline's start days and its repeals
    (None on the other stretches): what :meth:`Index.repealed_on` reads, so that a text does not
    decode every label's timeline to find the few repealed."""
    return [(label, timeline.starts, [entry if isinstance(entry, Repealed) else None for entry in timeline.entries])
            for label, timeline in timelines.items() if any(isinstance(entry, Repealed) for entry in timeline.entries)]


def _assumption(act: m.Act) -> Assumption:
    signed = act.signed
    return Assumption(act.number, signed.written, signed.assumed, signed.earliest, signed.latest, signed.reason, signed.supplied)


@attrs.frozen
class _Segment:
    """What a label answers on ``[start, end)`` by one provision's version; where
    segments overlap the higher ``rank`` wins (in force 2, renumbered away 1,
    repealed 0), then the later start. ``began``/``ended``: the acts whose
    change starts and ends it (their unknown dates may move those days)."""

    start: dt.date
    end: dt.date
    rank: int
    answer: Answer
    began: frozenset[str]
    ended: frozenset[str] = frozenset()


@attrs.frozen
class _Stretch:
    start: dt.date
    end: dt.date
    answer: Answer | None
    acts: frozenset[str]  # the acts whose change bounds it


def _timelines(index: Index) -> dict[str, Timeline]:
    """Cut each label's life into stretches, each with one precomputed answer.

    A point in force wins its label; failing that, the latest repeal or
    renumbering away of a provision that bore the label answers; failing that,
    no point bore the label.
    """
    segments: dict[str, list[_Segment]] = defaultdict(list)
    for versions in index.provisions.values():
        for version, following in zip(versions, [*versions[1:], None]):
            label = str(version.label)
            began = frozenset({version.cause.act})
            if version.repealed:
                repeal = Repealed(label, version.start, index.cite(version, version.cause), _last_live(versions))
                segments[label].append(_Segment(version.start, _FAR, 0, repeal, began))
                continue
            end = version.end or _FAR
            ending = frozenset({following.cause.act} if following else ())
            segments[label].append(_Segment(version.start, end, 2, index.answers[version.provision, version.number], began, ending))
            if following is not None and following.label != version.label and not following.repealed:
                away = Renumbered(label, end, version.provision, str(following.label), index.cite(following, following.cause))
                segments[label].append(_Segment(end, _FAR, 1, away, ending))
    return {label: _timeline(index, parts) for label, parts in segments.items()}


def _timeline(index: Index, segments: list[_Segment]) -> Timeline:
    causes: dict[dt.date, set[str]] = defaultdict(set)  # day -> acts whose change falls on it
    for segment in segments:
        causes[segment.start] |= segment.began
        causes[segment.end] |= segment.ended
    bounds = sorted(causes.keys() - {_FAR})
    stretches = []
    for start, end in zip(bounds, [*bounds[1:], _FAR]):
        covering = [s for s in segments if s.start <= start and end <= s.end]
        best = max(covering, key=lambda s: (s.rank, s.start), default=None)
        stretches.append(_Stretch(start, end, best.answer if best else None, frozenset(causes[start] | causes[end])))
    first = next((s for s in stretches if isinstance(s.answer, InForce)), None)
    before = NotYetInForce(first.answer.label, first.start, first.answer) if first else None
    stretches.insert(0, _Stretch(dt.date.min, bounds[0], before, frozenset(causes[bounds[0]])))
    starts, entries = [], []
    for stretch in stretches:
        windows = [index.uncertain[act] for act in sorted(stretch.acts) if act in index.uncertain]
        cuts = sorted({stretch.start} | {d for a in windows for d in (a.earliest, a.latest) if stretch.start < d < stretch.end})
        for cut in cuts:
            flagged = tuple(a for a in windows if a.earliest <= cut < a.latest)
            entry = stretch.answer
            shown = attrs.evolve(entry, assumptions=flagged) if flagged and entry is not None else entry
            if entries and entries[-1] == shown:
                continue
            starts.append(cut)
            entries.append(shown)
    return Timeline(starts, entries)


def _last_live(versions: tuple[Version, ...]) -> Version:
    return next(version for version in reversed(versions) if not version.repealed)
