"""The clause graph: acts, items, provisions, versions, structure and references.

Nodes are tuples: ``("act", number)``, ``("item", act, number)``,
``("provision", pid)`` and ``("version", pid, n)``. Edges carry a ``rel``:
``contains`` (act -> item), ``made`` (item -> version), ``has_version``
(provision -> version), ``child_of`` (version -> parent provision on the
version's first day) and ``cites`` (version -> provision its wording names on
its first day, e.g. "punktis 9.1.3 nimetatud").

The graph is built at load time for checks; its edges are kept in the index as
plain ``(source, target, rel, label)`` tuples (:class:`Edge`; the cached index
holds no graph), and the questions that need them read them in a pass or two,
in the order the graph gave them: what a point cites and what cites it on a
date (:func:`references_on`), what an act changed item by item and which
provisions it touched through their references (:func:`act_changes`).
"""

from __future__ import annotations

import re
import datetime as dt

from attrs import frozen

from .. import model as m
from .answers import Citation, InForce
from .consolidate import History, Version
from ..errors import Diagnostic, QueryError
from ..messages import N_, msg
from .index import _OPEN, Edge, Index


class Clauses:
    """The clause graph as the load builds and checks it: nodes with their data and edges with
    theirs, iterated as networkx's ``MultiDiGraph`` iterates them (node by node in the order they
    came, each node's targets in the order they came, each pair's edges in order), so the
    diagnostics and the kept edges are the same; a load imports no networkx (a tenth of it)."""

    def __init__(self):
        self.nodes: dict[tuple, dict] = {}
        self._out: dict[tuple, dict[tuple, list[dict]]] = {}

    def add_node(self, node: tuple, **data) -> None:
        if node not in self.nodes:
            self.nodes[node], self._out[node] = {}, {}
        self.nodes[node].update(data)

    def add_edge(self, source: tuple, target: tuple, **data) -> None:
        self.add_node(source)
        self.add_node(target)
        self._out[source].setdefault(target, []).append(data)

    def edges(self, data: bool = True):
        return ((source, target, found) for source, targets in self._out.items()
                for target, datas in targets.items() for found in datas)


# "punktis 9.1.3", "punkti 7.1.3.2", "punktides 11.6 ja 11.8"; not "§ 3 lõike 1 punktides 1–4",
# which are points of another act.
_REFERENCE = re.compile(r"\b[Pp]unkti\w*\s+(\d+(?:\.\d+)*)\.?((?:\s*(?:,|ja|ning)\s*\d+(?:\.\d+)*\.?)*)")
_OTHER_ACT = re.compile(r"(lõike|lg|§)\s*\d*\s*$")


def references(text: str) -> tuple[str, ...]:
    """Point labels a wording cites, in order.

    >>> references("vastavalt punktis 9.1.3 nimetatud prognoosile ja punktides 11.6 ja 11.8")
    ('9.1.3', '11.6', '11.8')
    >>> references("ühendmääruse § 3 lõike 1 punktides 1–4")
    ()
    """
    found = []
    for match in _REFERENCE.finditer(text):
        if _OTHER_ACT.search(text[max(0, match.start() - 12): match.start()]):
            continue
        found.append(match.group(1))
        found += re.findall(r"\d+(?:\.\d+)*", match.group(2))
    return tuple(found)


def build(history: History, index: Index) -> Clauses:
    graph = Clauses()
    unnumbered = {}  # (act, target label) -> item node, for items whose number the sources lack
    for act in history.acts:
        graph.add_node(("act", act.number), act=act)
        for position, item in enumerate(act.items):
            node = ("item", act.number, item.number or f"?{position}")
            graph.add_node(node, item=item)
            graph.add_edge(("act", act.number), node, rel="contains", label=f"{type(item.verb).__name__.lower()} {item.where}")
            if item.number is None:
                for target in getattr(item.verb, "targets", (item.target,)):  # an edit may change several points
                    unnumbered[act.number, str(target)] = node
    for pid, versions in history.provisions.items():
        graph.add_node(("provision", pid))
        for version in versions:
            node = ("version", pid, version.number)
            graph.add_node(node, version=version)
            graph.add_edge(("provision", pid), node, rel="has_version")
            if version.cause.item is not None:
                graph.add_edge(("item", version.cause.act, version.cause.item), node, rel="made")
                for earlier in version.cause.composed:  # items whose edits the version's wording also holds
                    graph.add_edge(("item", version.cause.act, earlier), node, rel="made")
            elif (version.cause.act, str(version.label)) in unnumbered:
                graph.add_edge(unnumbered[version.cause.act, str(version.label)], node, rel="made")
            _link(graph, index, node, version)
    return graph


def _link(graph: Clauses, index: Index, node: tuple, version: Version) -> None:
    if version.repealed:
        return
    parent = version.label.parent
    if parent is not None:
        answer = index.point(str(parent), version.start)
        if isinstance(answer, InForce):
            graph.add_edge(node, ("provision", answer.version.provision), rel="child_of")
    wording = version.content.wording
    for label in references(getattr(wording, "text", "")):
        answer = index.point(label, version.start)
        target = ("provision", answer.version.provision) if isinstance(answer, InForce) else ("label", label)
        graph.add_edge(node, target, rel="cites", label=label)


def check(graph: Clauses, index: Index) -> list[Diagnostic]:
    """References that dangle or change meaning while their wording stands, and
    points whose parent is not in force."""
    found, seen = [], set()
    for node, _, data in graph.edges(data=True):
        if data["rel"] != "cites":
            continue
        version: Version = graph.nodes[node]["version"]
        key = (version.provision, version.content_cause, data["label"])
        if key not in seen:
            seen.add(key)
            found += _check_reference(index, version, data["label"])
    for pid, versions in index.provisions.items():
        for version in versions:
            parent = version.label.parent
            empty = version.end == version.start  # replaced on its first day by a later act
            if not (version.repealed or empty) and parent is not None and not isinstance(index.point(str(parent), version.start), InForce):
                message = msg("{label} ({provision}) is in force from {day} but its parent {parent} is not",
                              label=version.label, provision=pid, day=version.start, parent=parent)
                found.append(Diagnostic("error", "orphan-point", message, _where(version), str(version.label)))
    return found


def _check_reference(index: Index, version: Version, label: str) -> list[Diagnostic]:
    """A wording names a point by its label when the wording is made; the label
    must name that same provision for as long as the wording stands (across
    renumberings of either side)."""
    life = [v for v in index.provisions[version.provision] if v.content_cause == version.content_cause]
    start, end = life[0].start, life[-1].end
    where = msg("{label} ({provision}, wording of {day}) cites point {cited}", label=version.label,
                provision=version.provision, day=start, cited=label)
    timeline = index.labels.get(label)
    if timeline is None:
        return [Diagnostic("warning", "dangling-reference", msg("{reference}, which never exists", reference=where),
                           _where(version), str(version.label))]
    days = [start] + [d for d in timeline.starts if start < d and (end is None or d < end)]
    answers = [index.point(label, day) for day in days]
    bad = [(day, a) for day, a in zip(days, answers) if not isinstance(a, InForce)]
    if bad:
        day, answer = bad[0]
        state = _STATES.get(type(answer).__name__, type(answer).__name__)
        return [Diagnostic("warning", "dangling-reference", msg(state, reference=where, day=day),
                           _where(version), str(version.label))]
    provisions = list(dict.fromkeys(a.version.provision for a in answers))
    if len(provisions) > 1:
        message = msg("{reference}, which names {provisions} while that wording stands", reference=where,
                      provisions=_in_turn(provisions))
        return [Diagnostic("warning", "moved-reference", message, _where(version), str(version.label))]
    return []


def _in_turn(names: list[str]):
    """``a then b then c``, written when shown (the diagnostic is cached with the index)."""
    said = names[0]
    for name in names[1:]:
        said = msg("{before} then {after}", before=said, after=name)
    return said


_STATES = {  # what a cited label is on a day the citing wording stands
    "NotYetInForce": N_("{reference}, which on {day} is not yet in force"),
    "Repealed": N_("{reference}, which on {day} is repealed"),
    "Renumbered": N_("{reference}, which on {day} is renumbered away"),
    "NoSuchLabel": N_("{reference}, which on {day} is borne by no point"),
}


def _where(version: Version) -> m.Location | None:
    return version.location


# --- kept as data, rebuilt for questions ---------------------------------------------------


def edges_of(graph: Clauses) -> tuple[tuple, ...]:
    """The edges as the index keeps them: plain ``(source, target, rel, label)`` tuples (:class:`Edge`)."""
    return tuple((a, b, data["rel"], data.get("label")) for a, b, data in graph.edges(data=True))


def as_networkx(edges: tuple[tuple, ...]):
    """The kept edges as a ``networkx.MultiDiGraph``, in the order the load made them."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    for source, target, rel, label in edges:
        graph.add_edge(source, target, rel=rel, label=label)
    return graph


def cites_of(index: Index) -> dict[str, tuple[dict, tuple]]:
    """Per provision, what ``tat refs`` reads of the index's edges (in their order, as
    :func:`_leaving` and :func:`_reaching` give it), as plain values: the references its versions'
    wordings make, ``{number: ((written, target), ...)}``, and the wordings that cite it, each
    ``(provision, number, written, start, end, label, act, item, verb)`` (its version's days as day
    numbers, an open end _OPEN, and who made its content); a repealed version cites nothing."""
    edges = index.edges
    versions = {("version", v.provision, v.number): v for vs in index.provisions.values() for v in vs}
    leaving = _leaving(edges, set(versions))
    reaching = _reaching(edges, {("provision", pid) for pid in index.provisions})
    found: dict[str, tuple[dict, tuple]] = {}
    for pid, vs in index.provisions.items():
        made = {v.number: tuple((edge.label, edge.target) for edge in leaving.get(("version", pid, v.number), ())
                                if edge.rel == "cites") for v in vs}
        citing = []
        for edge in reaching.get(("provision", pid), ()):
            version = versions.get(edge.source)
            if edge.rel == "cites" and version is not None and not version.repealed:
                cause = version.content_cause
                citing.append((version.provision, version.number, edge.label, version.start.toordinal(),
                               version.end.toordinal() if version.end else _OPEN, str(version.label), cause.act,
                               cause.item, cause.verb))
        found[pid] = ({number: refs for number, refs in made.items() if refs}, tuple(citing))
    return found


def _leaving(edges: tuple[tuple, ...], nodes: set[tuple]) -> dict[tuple, list[Edge]]:
    """Each of ``nodes`` with the edges leaving it, in the order networkx's ``MultiDiGraph``
    gave them (by target, as first reached; a pair's edges as added): one pass over the kept
    edges, no graph built for one question."""
    return _adjacent(edges, nodes, 0)


def _reaching(edges: tuple[tuple, ...], nodes: set[tuple]) -> dict[tuple, list[Edge]]:
    """Each of ``nodes`` with the edges reaching it, as networkx gave them (by source, as first seen)."""
    return _adjacent(edges, nodes, 1)


def _adjacent(edges: tuple[tuple, ...], nodes: set[tuple], end: int) -> dict[tuple, list[Edge]]:
    found: dict[tuple, dict[tuple, list[Edge]]] = {}
    for edge in edges:
        if edge[end] in nodes:
            found.setdefault(edge[end], {}).setdefault(edge[1 - end], []).append(Edge(*edge))
    return {node: [edge for group in groups.values() for edge in group] for node, groups in found.items()}


# --- questions only the graph answers ---------------------------------------------------------


@frozen
class Reference:
    """A wording that names a point: who cites, the label written, and what it names on the asked day."""

    citing: Citation  # the version whose wording cites
    written: str  # the label as the wording writes it
    provision: str | None  # the provision it named when worded (None: no point bore the label then)
    now: str | None  # the label that provision bears on the asked day (None: not in force then)

    @property
    def moved(self) -> bool:
        """The written label no longer names the provision it meant."""
        return self.provision is not None and self.now != self.written


@frozen
class References:
    """What a point cites and what cites it, on one day."""

    label: str
    on: dt.date
    provision: str
    cites: tuple[Reference, ...]
    cited_by: tuple[Reference, ...]


@frozen
class ItemChange:
    """What one item of an act did: its verb and the versions it made."""

    item: str | None
    verb: str
    target: str
    made: tuple[Citation, ...]


@frozen
class IndirectChange:
    """A provision the act did not change whose wording cites one it did."""

    reference: Reference
    change: str  # what the act did to the cited provision: substituted | repealed | renumbered | …


@frozen
class ActChanges:
    act: str
    on: dt.date  # the act's first day in force
    items: tuple[ItemChange, ...]
    indirect: tuple[IndirectChange, ...]


def references_on(index: Index, label: str, on: dt.date) -> References:
    """What the point ``label`` cites on ``on``, and every wording in force then that cites it
    (read off the index's :func:`cites_of`, one provision's chunk)."""
    answer = index.point(label, on)
    if not isinstance(answer, InForce):
        raise QueryError(msg("point {label} is not in force on {day}; `tat point {label} --as-of {asked}` says why",
                             label=label, day=on, asked=on.isoformat()))
    version = answer.version
    made, citing = index.cites[version.provision]
    own = index.cite(version, version.content_cause)
    cites = tuple(_reference(index, own, written, target, on) for written, target in made.get(version.number, ()))
    cited_by, day, provision = [], on.toordinal(), ("provision", version.provision)
    for pid, number, written, start, end, cited_label, act, item, verb in citing:
        if start <= day < end:
            citation = Citation(cited_label, pid, number, index.acts[act], item, verb)
            cited_by.append(_reference(index, citation, written, provision, on))
    return References(answer.label, on, version.provision, cites, tuple(sorted(cited_by, key=lambda r: r.citing.label)))


def act_changes(edges: tuple[tuple, ...], index: Index, number: str) -> ActChanges:
    """An act item by item, and the provisions it touched only through the points their wordings
    cite (``edges``: the index's)."""
    act = index.acts.get(number)
    if act is None:
        raise QueryError(msg("no act {number}; acts: {acts}", number=repr(number), acts=list(index.acts)))
    contains = [edge for edge in _leaving(edges, {("act", number)}).get(("act", number), ()) if edge.rel == "contains"]
    made_by = _leaving(edges, {edge.target for edge in contains})
    items, changed = [], {}
    for edge in contains:
        item_node = edge.target
        verb, _, target = edge.label.partition(" ")
        made = []
        for made_edge in made_by.get(item_node, ()):
            node = made_edge.target
            version = index.provisions[node[1]][node[2] - 1]
            # two items may share a number (1.22 repeals and renumbers); an edit keeps the act's earlier items
            if version.cause.verb != _DONE.get(verb) and item_node[2] not in version.cause.composed:
                continue
            made.append(index.cite(version, version.cause))
            changed.setdefault(version.provision, version.cause.verb)
        items.append(ItemChange(None if item_node[2].startswith("?") else item_node[2], verb, target, tuple(made)))
    citing_changed = _reaching(edges, {("provision", pid) for pid in changed})
    indirect = []
    for pid, change in changed.items():
        for edge in citing_changed.get(("provision", pid), ()):
            citing = index.provisions[edge.source[1]][edge.source[2] - 1]
            if edge.rel == "cites" and citing.provision not in changed and _in_force(citing, act.in_force_from):
                indirect.append(IndirectChange(_reference(index, index.cite(citing, citing.content_cause), edge.label,
                                                          ("provision", pid), act.in_force_from), change))
    return ActChanges(number, act.in_force_from, tuple(items), tuple(sorted(indirect, key=lambda c: c.reference.citing.label)))


_DONE = {"substitute": "substituted", "retitle": "retitled", "insert": "inserted", "repeal": "repealed",
         "renumber": "renumbered", "replace": "replaced", "delete": "deleted", "amend": "amended"}


def _reference(index: Index, citing: Citation, written: str, target: tuple, on: dt.date) -> Reference:
    provision = target[1] if target[0] == "provision" else None
    now = None
    if provision is not None:
        version = index.version(provision, on)
        now = str(version.label) if version is not None and not version.repealed else None
    return Reference(citing, written, provision, now)


def _in_force(version: Version, on: dt.date) -> bool:
    return not version.repealed and version.start <= on and (version.end is None or on < version.end)
