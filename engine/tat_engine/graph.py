"""The clause graph: acts, items, provisions, versions, structure and references.

Nodes are tuples: ``("act", number)``, ``("item", act, number)``,
``("provision", pid)`` and ``("version", pid, n)``. Edges carry a ``rel``:
``contains`` (act -> item), ``made`` (item -> version), ``has_version``
(provision -> version), ``child_of`` (version -> parent provision on the
version's first day) and ``cites`` (version -> provision its wording names on
its first day, e.g. "punktis 9.1.3 nimetatud").

The graph is built at load time for checks and exports; queries read the
:mod:`index`, which does not import networkx.
"""

from __future__ import annotations

import re

import networkx as nx

from . import model as m
from .answers import InForce
from .consolidate import History, Version
from .errors import Diagnostic
from .index import Index

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


def build(history: History, index: Index) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for act in history.acts:
        graph.add_node(("act", act.number), act=act)
        for position, item in enumerate(act.items):
            graph.add_node(("item", act.number, item.number or f"?{position}"), item=item)
            graph.add_edge(("act", act.number), ("item", act.number, item.number or f"?{position}"), rel="contains")
    for pid, versions in history.provisions.items():
        graph.add_node(("provision", pid))
        for version in versions:
            node = ("version", pid, version.number)
            graph.add_node(node, version=version)
            graph.add_edge(("provision", pid), node, rel="has_version")
            if version.cause.item is not None:
                graph.add_edge(("item", version.cause.act, version.cause.item), node, rel="made")
            _link(graph, index, node, version)
    return graph


def _link(graph: nx.MultiDiGraph, index: Index, node: tuple, version: Version) -> None:
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


def check(graph: nx.MultiDiGraph, index: Index) -> list[Diagnostic]:
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
                message = f"{version.label} ({pid}) is in force from {version.start} but its parent {parent} is not"
                found.append(Diagnostic("error", "orphan-point", message, _where(version), str(version.label)))
    return found


def _check_reference(index: Index, version: Version, label: str) -> list[Diagnostic]:
    """A wording names a point by its label when the wording is made; the label
    must name that same provision for as long as the wording stands (across
    renumberings of either side)."""
    life = [v for v in index.provisions[version.provision] if v.content_cause == version.content_cause]
    start, end = life[0].start, life[-1].end
    where = f"{version.label} ({version.provision}, wording of {start}) cites point {label}"
    timeline = index.labels.get(label)
    if timeline is None:
        return [Diagnostic("warning", "dangling-reference", f"{where}, which never exists", _where(version), str(version.label))]
    days = [start] + [d for d in timeline.starts if start < d and (end is None or d < end)]
    answers = [index.point(label, day) for day in days]
    bad = [(day, a) for day, a in zip(days, answers) if not isinstance(a, InForce)]
    if bad:
        day, answer = bad[0]
        state = _words(type(answer).__name__)
        return [Diagnostic("warning", "dangling-reference", f"{where}, which on {day} is {state}", _where(version), str(version.label))]
    provisions = list(dict.fromkeys(a.version.provision for a in answers))
    if len(provisions) > 1:
        message = f"{where}, which names {' then '.join(provisions)} while that wording stands"
        return [Diagnostic("warning", "moved-reference", message, _where(version), str(version.label))]
    return []


def _words(state: str) -> str:
    return {"NotYetInForce": "not yet in force", "Repealed": "repealed", "Renumbered": "renumbered away",
            "NoSuchLabel": "borne by no point"}.get(state, state)


def _where(version: Version) -> m.Location | None:
    return version.location
