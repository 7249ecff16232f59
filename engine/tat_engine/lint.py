"""Findings about the corpus a legal editor should review.

The load-time diagnostics (two items of one act changing one point, references
that dangle or change meaning) plus the stretches of time on which a point's
wording is not in the sources. Each finding is one line, sorted, so the
report on the real corpus can be kept as a reviewed golden file.
"""

from __future__ import annotations

from attrs import frozen

from . import model as m
from .index import Index


@frozen(order=True)
class Finding:
    code: str
    point: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.point}: {self.message}"


def lint(index: Index) -> list[Finding]:
    findings = [Finding(d.code, d.point or "-", d.message) for d in index.diagnostics]
    findings += unknown_wording(index)
    return sorted(set(findings), key=_order)


def _order(finding: Finding) -> tuple:
    try:
        label = m.Label.parse(finding.point)
    except ValueError:
        label = m.Label(())
    return (finding.code, label, finding.message)


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
