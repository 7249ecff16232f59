"""Check the engine's consolidation against the texts the ministry published.

Two comparisons, after the 2020 act:

- point by point with the consolidated text (terviktekst) of seed 003: the
  wording, and the annotation the engine generates against the one printed;
- item by item with the 2020 amending act: each item's wording must be the
  engine's wording of its target (an item that a later item of the same act
  overrides is reported as such).

Every difference must be listed, with its reason, in the reviewed file
``tat/known-discrepancies.txt``; an unlisted difference, or a listed one that
no longer occurs, fails the check.
"""

from __future__ import annotations

import datetime as dt
from importlib.resources import files

from attrs import frozen

from . import published as sources
from .answers import InForce
from .index import Index
from .render import annotation

KNOWN = "known-discrepancies.txt"


@frozen(order=True)
class Discrepancy:
    """One difference between the engine and a published text."""

    point: str
    kind: str  # wording | annotation | missing | extra | item-wording | item-overridden
    detail: str

    def __str__(self) -> str:
        return f"{self.point} {self.kind}: {self.detail}"


@frozen
class Report:
    found: tuple[Discrepancy, ...]
    known: dict  # (point, kind) -> reason
    unlisted: tuple[Discrepancy, ...]
    stale: tuple[tuple[str, str], ...]

    @property
    def ok(self) -> bool:
        return not self.unlisted and not self.stale


def _seed():
    return files("tat_engine") / "data" / "tat" / "sources" / "003_9a05f8f9be73a8a0.txt"


def published_points():
    return sources.consolidated_points(_seed())


def verify(index: Index, day: dt.date, known: dict | None = None) -> Report:
    """Compare the text in force on ``day`` with the published consolidated text and act."""
    items = sources.amending_items(_seed())
    found = sorted(set(compare_points(index, day, published_points()) + compare_items(index, day, items)))
    known = read_known() if known is None else known
    keys = {(d.point, d.kind) for d in found}
    unlisted = tuple(d for d in found if (d.point, d.kind) not in known)
    stale = tuple(sorted(key for key in known if key not in keys))
    return Report(tuple(found), known, unlisted, stale)


def compare_points(index: Index, day: dt.date, published) -> list[Discrepancy]:
    engine = {answer.label: answer for answer in index.in_force(day)}
    repealed = {r.label: r for r in index.repealed_on(day)}
    found = []
    for point in published:
        answer = engine.get(point.label)
        if answer is None:
            if point.label in repealed and point.annotation and point.annotation.verb == "tunnistatud kehtetuks":
                continue
            found.append(Discrepancy(point.label, "missing", "published but not in force in the engine"))
            continue
        text = answer.text
        if text != point.text:
            found.append(Discrepancy(point.label, "wording", f"engine {text!r}; published {point.text!r}"))
        mine = annotation(answer.citation)
        theirs = _published_annotation(point.annotation)
        if mine != theirs:
            found.append(Discrepancy(point.label, "annotation", f"engine {mine or '(none)'}; published {theirs or '(none)'}"))
    labels = {point.label for point in published}
    found += [Discrepancy(label, "extra", "in force in the engine but not published") for label in engine if label not in labels]
    return found


def compare_items(index: Index, day: dt.date, items) -> list[Discrepancy]:
    """Each 2020 item's wording is the engine's wording of its target after the act."""
    found, last = [], {}
    for item in items:
        last[item.target] = item.number
    for item in items:
        if item.text is None:
            continue
        answer = index.point(item.target, day)
        if last[item.target] != item.number:
            found.append(Discrepancy(item.target, "item-overridden", f"item {item.number} is overridden by item {last[item.target]}"))
        elif not isinstance(answer, InForce) or answer.text != item.text:
            text = getattr(answer, "text", None)
            found.append(Discrepancy(item.target, "item-wording", f"item {item.number} reads {item.text!r}; engine {text!r}"))
    return found


def _published_annotation(published) -> str:
    if published is None:
        return ""
    date = f" {published.date}" if published.date else ""
    return f"({published.verb} siseministri{date} käskkirjaga nr {published.number})"


def read_known() -> dict:
    """``(point, kind) -> reason`` from the reviewed list, one ``POINT KIND: reason`` a line."""
    text = (files("tat_engine") / "data" / "tat" / KNOWN).read_text("utf-8")
    known = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            head, _, reason = line.partition(":")
            point, kind = head.split()
            known[point, kind] = reason.strip()
    return known
