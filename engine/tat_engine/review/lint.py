"""Findings about the corpus a legal editor should review.

The load-time diagnostics (two items of one act changing one point, references
that dangle or change meaning), the annotations of the published consolidated
text that the items do not support, and the stretches of time on which a
point's wording is not in the sources. Each finding is one line, sorted, so
the report on the real corpus can be kept as a reviewed golden file.
"""

from __future__ import annotations

import datetime as dt

from attrs import frozen

from .. import model as m
from ..history.index import Index


@frozen(order=True)
class Finding:
    code: str
    point: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.point}: {self.message}"


def lint(index: Index, published_on: dt.date | None = None) -> list[Finding]:
    """Everything to review; with ``published_on`` (a date after the 2020 act), also
    the published annotations the engine's items do not bear out."""
    findings = [Finding(d.code, d.point or "-", d.message) for d in index.diagnostics]
    findings += unknown_wording(index)
    if published_on is not None:
        findings += unsupported_annotations(index, published_on)
    return sorted(set(findings), key=_order)


def _order(finding: Finding) -> tuple:
    try:
        label = m.Label.parse(finding.point)
    except ValueError:
        label = m.Label(())
    return (finding.code, label, finding.message)


def unsupported_annotations(index: Index, day: dt.date) -> list[Finding]:
    """Published annotations that differ from the ones the items generate."""
    from .verify import compare_points, published_points

    return [
        Finding("published-annotation", d.point, d.detail)
        for d in compare_points(index, day, published_points())
        if d.kind == "annotation" and not d.detail.endswith("published (none)")
    ]


def unknown_wording(index: Index) -> list[Finding]:
    """One finding per provision and stretch of unknown wording, with its interval."""
    found = []
    for pid, versions in index.provisions.items():
        for version in versions:
            if version.repealed or not isinstance(version.content.wording, m.Unknown):
                continue
            end = version.end.isoformat() if version.end else "…"
            message = f"wording unknown on [{version.start}, {end}) ({pid}): {version.content.wording.reason}"
            found.append(Finding("unknown-wording", str(version.label), message))
    return found


@frozen
class Coverage:
    """How much of the text in force on an act's first day the sources hold."""

    act: str
    day: dt.date
    made: int  # versions this act made (points enacted, items applied)
    known: int
    reconstructed: int
    unknown: int

    def __str__(self) -> str:
        return (f"{self.act:9} {self.day}  versions made {self.made:3}  in force: known {self.known:3}, "
                f"reconstructed {self.reconstructed:2}, unknown {self.unknown:3}")


def coverage(index: Index) -> list[Coverage]:
    """For each act, on the day it enters into force: what it made, and the wording status of the text."""
    made: dict[str, int] = {}
    for versions in index.provisions.values():
        for version in versions:
            made[version.cause.act] = made.get(version.cause.act, 0) + 1
    rows = []
    for act in sorted(index.acts.values(), key=lambda a: a.in_force_from):
        statuses = [answer.status for answer in index.in_force(act.in_force_from)]
        rows.append(Coverage(act.number, act.in_force_from, made.get(act.number, 0), statuses.count("known"),
                             statuses.count("reconstructed"), statuses.count("unknown")))
    return rows
