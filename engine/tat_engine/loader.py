"""Load a corpus: parse -> replay -> index -> graph checks, cached.

The built :class:`~tat_engine.index.Index` is pickled under a key made of the
bytes of the engine's code, the grammar, every corpus file and the user's assumed
dates, so a query starts from the cache and imports neither lark nor networkx.
The cache lives in ``$TAT_CACHE_DIR`` or ``~/.cache/tat-engine`` and is optional:
the pickle is sealed with an HMAC under a per-user key and unpickled only when the
seal holds (why, and the directory's rules: :mod:`tat_engine.cachedir`); a file
that is missing, corrupt, planted or unreadable is rebuilt, and a directory that
cannot be written only means building in memory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import pickle
import struct

import attrs

from . import cachedir, prebuilt
from . import model as m
from .errors import CorpusError, Diagnostic, DslError, QueryError, caret_in, source_lines
from .history.index import Cites, Index
from .instruments import DEFAULT, INSTRUMENTS
from .messages import msg

FORMAT = "tat-index-6"  # bump when the pickled classes or the sealed file change (5: blobs out of band; 6: sheets)


def bundled_files(instrument: str = DEFAULT) -> list[tuple[str, str]]:
    """A shipped corpus as ``(path, text)``, folder by folder (the TAT: ``tat/`` then ``amendments/``)."""
    folders = INSTRUMENTS.get(instrument)
    if folders is None:
        raise QueryError(msg("no instrument {instrument}; instruments: {known}", instrument=repr(instrument),
                             known=list(INSTRUMENTS)))
    # the package's own folder, with os (importlib.resources: 6 ms of every start; pathlib: 2 ms)
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
    found = []
    for folder in folders:
        directory = os.path.join(root, *folder.split("/"))
        for name in sorted(os.listdir(directory)):
            if name.endswith(".tat"):
                with open(os.path.join(directory, name), encoding="utf-8") as file:
                    found.append((f"{folder}/{name}", file.read()))
    return found


def read_files(paths: list[str | os.PathLike]) -> list[tuple[str, str]]:
    """DSL files from disk; a folder stands for the ``.tat`` files in it."""
    from pathlib import Path

    found = []
    for path in map(Path, paths):
        for file in sorted(path.glob("*.tat")) if path.is_dir() else [path]:
            found.append((str(file), file.read_text("utf-8")))
    return found


def parse_corpus(sources: list[tuple[str, str]]) -> tuple[m.Corpus, list[Diagnostic]]:
    """Parse every file, collecting one syntax error per bad file."""
    from .dsl.parse import parse_file

    documents, acts, diagnostics = [], [], []
    for path, text in sources:
        try:
            declared, act = parse_file(text, path)
        except DslError as error:
            diagnostics.append(error.diagnostic)
            continue
        documents += declared
        if act is not None:
            acts.append(act)
    readings = tuple(d for d in documents if isinstance(d, m.Reading))
    deadlines = tuple(d for d in documents if isinstance(d, m.DeadlineKind))
    documents = [d for d in documents if isinstance(d, m.Document)]
    return m.Corpus(tuple(documents), tuple(acts), readings, deadlines), diagnostics


def with_dates(corpus: m.Corpus, assume: dict[str, dt.date], supplied: bool = True) -> m.Corpus:
    """Replace the assumed signing dates of acts by dates a user supplies
    (``supplied``), or by the ends of their bounds for the other date worlds."""
    acts = {act.number: act for act in corpus.acts}
    days = {}
    for number, day in assume.items():
        act = acts.get(number)
        if act is None:
            raise QueryError(msg("no act numbered {number}; acts: {acts}", number=number, acts=list(acts)))
        signed = act.signed
        if not isinstance(signed, m.UncertainDate):
            raise QueryError(msg("act {number} has a known date ({day}); only unknown dates can be supplied",
                                 number=number, day=signed.date))
        if not signed.earliest <= day <= signed.latest:
            raise QueryError(msg("act {number} cannot be dated {day}: the sources place it in {earliest}..{latest}",
                                 number=number, day=day, earliest=signed.earliest, latest=signed.latest))
        days[number] = day
    # every act is kept, a second one under a number too: the consolidation reports it
    acts = tuple(
        attrs.evolve(act, signed=attrs.evolve(act.signed, assumed=days[act.number], supplied=supplied))
        if act.number in days and isinstance(act.signed, m.UncertainDate) else act
        for act in corpus.acts
    )
    return attrs.evolve(corpus, acts=acts)


def build(sources: list[tuple[str, str]], assume: dict[str, dt.date] | None = None) -> Index:
    """Parse, replay, index and check; raise :class:`CorpusError` on any error."""
    with _no_gc():
        index = _build(sources, assume)
    index.corpus_hash = cachedir.corpus_hash(text for _, text in sources)  # the stamp's corpus identity, cached with the index
    return index


def _build(sources: list[tuple[str, str]], assume: dict[str, dt.date] | None) -> Index:
    from .history import graph
    from .history.consolidate import consolidate

    corpus, diagnostics = parse_corpus(sources)
    if not any(d.severity == "error" for d in diagnostics):
        corpus = with_dates(corpus, assume or {})
        history, found = consolidate(corpus)
        diagnostics += found
    if any(d.severity == "error" for d in diagnostics):
        raise CorpusError(_with_context(diagnostics, sources))
    index = Index(history, readings=corpus.readings)
    index.deadlines = {kind.name: kind for kind in corpus.deadlines}
    clauses = graph.build(history, index)
    diagnostics += graph.check(clauses, index)
    diagnostics += _check_deadlines(corpus, index)
    index.edges = graph.edges_of(clauses)
    index.cites = Cites(graph.cites_of(index))
    if any(d.severity == "error" for d in diagnostics):
        raise CorpusError(_with_context(diagnostics, sources))
    index.diagnostics = tuple(_with_context(diagnostics, sources))
    index.worlds, warnings = _date_worlds(corpus)
    index.diagnostics += warnings
    index.attach_alternatives()
    return index


MAX_OPEN_DATES = 4  # open act dates whose worlds are built; more are answered at their assumed dates, flagged


def _date_worlds(corpus: m.Corpus) -> tuple[tuple, tuple[Diagnostic, ...]]:
    """The index once for each end of each unknown act date (the other open dates at
    their assumptions), as ``(conditions, index)``: answers that differ between them
    hinge on that date. Two worlds an open date, not every combination: the
    combinations grow as 2^n. A corpus with more than ``MAX_OPEN_DATES`` open dates
    gets no worlds (its answers keep their ASSUMPTION flags) and a warning saying so."""
    from .history.consolidate import consolidate
    from .history.possible import DateCondition

    open_acts = [act for act in corpus.acts if isinstance(act.signed, m.UncertainDate) and not act.signed.supplied
                 and act.in_force is None]
    if len(open_acts) > MAX_OPEN_DATES:
        message = msg("{count} acts have dates the sources give only by bounds; answers are computed at the assumed "
                      "dates and flagged, not at each end of the bounds (that is done for at most {most})",
                      count=len(open_acts), most=MAX_OPEN_DATES)
        return (), (Diagnostic("warning", "open-dates", message),)
    worlds = []
    for act in open_acts:
        for day, end in ((act.signed.earliest, "earliest"), (act.signed.latest, "latest")):
            history, _ = consolidate(with_dates(corpus, {act.number: day}, supplied=False))
            world = Index(history, readings=corpus.readings, sheets=False)
            world.deadlines = {kind.name: kind for kind in corpus.deadlines}
            worlds.append(((DateCondition(act.number, act.signed.written, day, end),), world))
    return tuple(worlds), ()


def _check_deadlines(corpus: m.Corpus, index: Index) -> list[Diagnostic]:
    """Each deadline kind declared once, reading points the instrument has, suppressed
    only by a kind it declares, citing documents it declares."""
    found, seen = [], set()
    names = {kind.name for kind in corpus.deadlines}
    documents = {document.name for document in corpus.documents}
    for kind in corpus.deadlines:
        for source in kind.sources:
            if source.document not in documents:
                found.append(Diagnostic("error", "unknown-document", msg("deadline {kind} cites {document}, which no "
                                                                         "document declaration names",
                                                                         kind=repr(kind.name),
                                                                         document=repr(source.document)),
                                        kind.location))
        if kind.name in seen:
            found.append(Diagnostic("error", "deadline-twice", msg("deadline {kind} is declared twice",
                                                                   kind=repr(kind.name)), kind.location))
        seen.add(kind.name)
        for point in kind.points():
            if not index.bearers(point):
                found.append(Diagnostic("error", "unknown-point",
                                        msg("deadline {kind} reads point {label}, which no act of the corpus has",
                                            kind=repr(kind.name), label=point), kind.location))
        if kind.skipped_when:
            found += _check_skip(kind, {k.name: k for k in corpus.deadlines})
    return found


def _check_skip(kind: m.DeadlineKind, kinds: dict[str, m.DeadlineKind]) -> list[Diagnostic]:
    """``skipped_when … before K``: K is declared, runs from a fact (it is asked with no
    trigger), and no chain of such rules leads back to the kind."""
    other = kinds.get(kind.skipped_when.before)
    if other is None:
        return [Diagnostic("error", "unknown-deadline", msg("deadline {kind} is skipped before {other}, which the "
                                                            "corpus does not declare; it declares: {kinds}",
                                                            kind=repr(kind.name), other=repr(kind.skipped_when.before),
                                                            kinds=sorted(kinds)), kind.location)]
    if other.from_fact is None:
        return [Diagnostic("error", "skip-needs-from-fact", msg("deadline {kind} is skipped before {other}, which has "
                                                                "no from_fact: it needs a trigger, and none is given",
                                                                kind=repr(kind.name), other=repr(other.name)),
                           kind.location)]
    seen, step = [kind.name], other
    while step is not None and step.skipped_when:
        if step.name in seen:
            return [Diagnostic("error", "skip-cycle", msg("deadline {kind} is skipped in a cycle: {cycle}",
                                                          kind=repr(kind.name), cycle=" -> ".join(seen + [step.name])),
                               kind.location)]
        seen.append(step.name)
        step = kinds.get(step.skipped_when.before)
    return []


def _with_context(diagnostics: list[Diagnostic], sources: list[tuple[str, str]]) -> list[Diagnostic]:
    """Each located diagnostic with its source line and a caret; each file is split
    into lines once, so the cost grows with the files and the diagnostics, not their product."""
    texts, lines = dict(sources), {}
    found = []
    for d in diagnostics:
        path = d.location.path if d.location else None
        if path in texts and not d.context:
            if path not in lines:
                lines[path] = source_lines(texts[path])
            d = attrs.evolve(d, context=caret_in(lines[path], d.location.line, d.location.column))
        found.append(d)
    return found


def load_index(
    sources: list[tuple[str, str]] | None = None,
    assume: dict[str, dt.date] | None = None,
    cache: bool = True,
    instrument: str = DEFAULT,
) -> Index:
    """The index of ``sources`` (default: the bundled corpus of ``instrument``),
    from cache when it can. It writes only the index: the command line keeps its
    own answer table (:func:`tat_engine.quick.refresh`)."""
    shipped = instrument if sources is None else None
    if sources is None:
        sources = bundled_files(instrument)
    if not cache:
        index = build(sources, assume)
    else:
        key = _key(sources, assume or {})
        index = (_prebuilt(key) if shipped and not assume else None) or _cached(key)
        if index is None:
            index = build(sources, assume)
            _store(key, index)
    index.instrument = shipped  # for the stamp: the same files may be a shipped instrument or the user's
    return index


def _prebuilt(key: str) -> Index | None:
    """The index the install built for a shipped instrument under ``key`` (:mod:`tat_engine.prebuilt`), or None."""
    path = prebuilt.index_path(key)
    data = path and prebuilt.read(path)
    return _unpickled(memoryview(data)) if data else None


def _cached(key: str) -> Index | None:
    """The index sealed under ``key``, or None: nothing is unpickled before its seal is checked."""
    folder = cachedir.directory()
    secret = folder and cachedir.secret(folder)
    payload = secret and cachedir.unseal(secret, key, cachedir.read(folder, f"{key}.pickle"))
    return _unpickled(payload) if payload else None


def _unpickled(payload: memoryview) -> Index | None:
    """The index in a payload this engine wrote (see :func:`_payload`), or None when it cannot be read."""
    try:
        core, buffers = _parts(payload)
        with _no_gc():
            return pickle.loads(core, buffers=buffers)
    except Exception:  # noqa: BLE001 - sealed by this engine yet unreadable: build it again
        return None


def _store(key: str, index: Index) -> None:
    folder = cachedir.directory(create=True)
    secret = folder and cachedir.secret(folder, create=True)
    if not secret:
        return  # no safe place: the next run builds again
    try:
        cachedir.write(folder, f"{key}.pickle", cachedir.seal(secret, key, _payload(index)))
    except OSError:
        pass  # a read-only home still answers, only slower


_COUNT = struct.Struct("<Q")


def _payload(index: Index) -> bytes:
    """The index as one pickle and its blobs (see :mod:`~tat_engine.history.index`) out of band:
    the number of parts, their lengths, then the parts, so a load takes views of the blobs
    in the bytes read instead of copying them out of a pickle."""
    buffers: list[pickle.PickleBuffer] = []
    core = pickle.dumps(index, protocol=5, buffer_callback=buffers.append)
    parts = [core, *(buffer.raw() for buffer in buffers)]
    lengths = struct.pack(f"<{len(parts)}Q", *map(len, parts))
    return b"".join([_COUNT.pack(len(parts)), lengths, *parts])


def _parts(payload: memoryview) -> tuple[memoryview, list[memoryview]]:
    """The core pickle and the blobs of a sealed payload, as views (ValueError if it does not add up)."""
    (count,) = _COUNT.unpack_from(payload)
    at = _COUNT.size + 8 * count
    if not 0 < count < len(payload) // 8 or at > len(payload):
        raise ValueError("not an index payload")
    parts = []
    for length in struct.unpack_from(f"<{count}Q", payload, _COUNT.size):
        parts.append(payload[at:at + length])
        at += length
    if at != len(payload):
        raise ValueError("not an index payload")
    return parts[0], parts[1:]


@contextlib.contextmanager
def _no_gc():
    """Pause the cyclic garbage collector while many objects are made at once: the
    collector would walk them again and again (it makes loading 2-4 times slower).
    On the way out the survivors are frozen, so no later collection walks a
    long-lived index again (gc.freeze)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def _key(sources: list[tuple[str, str]], assume: dict[str, dt.date]) -> str:
    """The index's content key (a changed engine or grammar never reads a stale index)."""
    contents = [(path, text.encode()) for path, text in sources]
    contents += [(f"\0assume {number}", day.isoformat().encode()) for number, day in sorted(assume.items())]
    return cachedir.content_key(FORMAT, contents)[:32]
