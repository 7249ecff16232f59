"""Check the engine's consolidation against the texts the ministry published.

Two comparisons, after the 2020 act:

- point by point with the consolidated text (terviktekst) of seed 003: the
  preamble, the wording, the annotation the engine generates against the one
  printed, the title a repealed annex keeps, and every cell of the tables;
- item by item with the 2020 amending act: each item's wording must be the
  engine's wording of its target (an item that a later item of the same act
  overrides is reported as such), and each table it sets, cell by cell.

Every difference must be listed, with its reason, in the reviewed file
``tat/known-discrepancies.txt``; an unlisted difference, or a listed one that
no longer occurs, fails the check.
"""

from __future__ import annotations

import datetime as dt
import difflib
from importlib.resources import files

from attrs import frozen

from .. import model as m
from . import published as sources
from ..history.answers import InForce
from ..history.index import Index
from ..history.render import annotation, cell_text, preamble, repealed_title

KNOWN = "known-discrepancies.txt"


@frozen(order=True)
class Discrepancy:
    """One difference between the engine and a published text."""

    point: str
    kind: str  # wording | annotation | missing | extra | table | item-wording | item-table | item-overridden
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
    seed = _seed()
    items = sources.amending_items(seed)
    points = compare_points(index, day, published_points(), sources.consolidated_tables(seed))
    opening = compare_preamble(index, sources.consolidated_preamble(seed))
    tables = compare_item_tables(index, day, items, sources.item_tables(seed))
    found = sorted(set(opening + points + compare_items(index, day, items) + tables))
    known = read_known() if known is None else known
    keys = {(d.point, d.kind) for d in found}
    unlisted = tuple(d for d in found if (d.point, d.kind) not in known)
    stale = tuple(sorted(key for key in known if key not in keys))
    return Report(tuple(found), known, unlisted, stale)


def compare_preamble(index: Index, published: str) -> list[Discrepancy]:
    mine = preamble(index)
    if mine is None:
        return [Discrepancy("preamble", "missing", f"published {published!r}; the engine has none")]
    if mine.text != published:
        return [Discrepancy("preamble", "wording", f"engine {mine.text!r}; published {published!r}")]
    return []


def compare_points(index: Index, day: dt.date, published, tables: dict[str, str] | None = None) -> list[Discrepancy]:
    """Each published point against the engine's; ``tables`` (section -> its
    published table) against the tables of the points in force."""
    engine = {answer.label: answer for answer in index.in_force(day)}
    repealed = {r.label: r for r in index.repealed_on(day)}
    found = []
    for point in published:
        answer = engine.get(point.label)
        if answer is None and point.label in repealed and point.annotation and point.annotation.verb == "tunnistatud kehtetuks":
            gone = repealed[point.label]
            found += _compare(point, repealed_title(gone), annotation(gone.by))
        elif answer is None:
            found.append(Discrepancy(point.label, "missing", "published but not in force in the engine"))
        else:
            found += _compare(point, answer.text, annotation(answer.citation))
    labels = {point.label for point in published}
    found += [Discrepancy(label, "extra", "in force in the engine but not published") for label in engine if label not in labels]
    tables = tables or {}
    for label in sorted(set(tables) | {label for label, answer in engine.items() if answer.content.table}):
        table = engine[label].content.table if label in engine else None
        if table is None:
            found.append(Discrepancy(label, "table", "a table is published here; the engine has none"))
        elif label not in tables:
            found.append(Discrepancy(label, "table", "the engine has a table here; none is published"))
        else:
            found += compare_table(label, table, tables[label])
    return found


def _compare(point, text: str | None, mine: str) -> list[Discrepancy]:
    found = []
    if text != point.text:
        found.append(Discrepancy(point.label, "wording", f"engine {text!r}; published {point.text!r}"))
    theirs = _published_annotation(point.annotation)
    if mine != theirs:
        found.append(Discrepancy(point.label, "annotation", f"engine {mine or '(none)'}; published {theirs or '(none)'}"))
    return found


@frozen
class _Cell:
    """One unit of a table in reading order: a header cell, a heading or a cell."""

    point: str  # e.g. "6[1,3]": row 1 (0: the header), column 3
    where: str
    text: str


def _cells(label: str, table: m.Table) -> list[_Cell]:
    cells = [_Cell(f"{label}[0,{c}]", f"header column {c}", name) for c, name in enumerate(table.columns, 1)]
    for r, row in enumerate(table.rows, 1):
        if isinstance(row, m.TableHeading):
            cells.append(_Cell(f"{label}[{r},1]", f"row {r} (heading)", row.text))
        else:
            cells += [_Cell(f"{label}[{r},{c}]", f"row {r} column „{table.columns[c - 1]}“", cell_text(cell))
                      for c, cell in enumerate(row, 1)]
    return cells


def compare_table(label: str, table: m.Table, published: str) -> list[Discrepancy]:
    """Every header cell, heading and cell, in reading order, against the
    published table. The PDF breaks cells anywhere, so both sides are compared
    without spaces and hyphens; a difference names the cells it touches."""
    cells = _cells(label, table)
    spans, end = [], 0  # where each cell stands in the squashed engine text
    for cell in cells:
        width = len(sources.squash(cell.text))
        spans.append((end, end + width))
        end += width
    raw = " ".join(cell.text for cell in cells)
    mine, mine_at = _squash_map(raw)
    theirs, theirs_at = _squash_map(published)
    matcher = difflib.SequenceMatcher(None, mine, theirs, autojunk=False)
    touched: dict[int, list[str]] = {}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        change = f"the engine has {_piece(raw, mine_at, i1, i2)} where the published table has {_piece(published, theirs_at, j1, j2)}"
        for k, span in enumerate(spans):
            if _touches(span, i1, i2):
                touched.setdefault(k, []).append(change)
    return [Discrepancy(cells[k].point, "table", f"{cells[k].where}: engine {cells[k].text!r}; " + "; ".join(changes))
            for k, changes in sorted(touched.items())]


def _touches(span: tuple[int, int], first: int, last: int) -> bool:
    """Whether a cell at ``span`` takes part in a change of ``[first, last)``: it
    overlaps it, or the change (or the cell) is empty and stands at the cell's edge."""
    start, end = span
    if first == last or start == end:
        return start <= last and first <= end
    return start < last and first < end


def _piece(text: str, at: list[int], first: int, last: int) -> str:
    """The characters ``first:last`` of a squashed text, as written in ``text``."""
    return repr(text[at[first]:at[last - 1] + 1]) if last > first else "nothing"


def _squash_map(text: str) -> tuple[str, list[int]]:
    """:func:`published.squash` of ``text``, and where each kept character stands in it."""
    kept = [(n, char) for n, char in enumerate(text) if sources.squash(char)]
    return "".join(char for _, char in kept), [n for n, _ in kept]


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


def compare_item_tables(index: Index, day: dt.date, items, tables: dict[str, str]) -> list[Discrepancy]:
    """The tables the 2020 act sets (items 1.13, 1.15), cell by cell, against the engine's tables of their targets."""
    found = []
    for item in items:
        if item.number not in tables:
            continue
        answer = index.point(item.target, day)
        table = answer.content.table if isinstance(answer, InForce) else None
        if table is None:
            found.append(Discrepancy(item.target, "item-table", f"item {item.number} sets a table; the engine has none"))
            continue
        found += [Discrepancy(d.point, "item-table", f"item {item.number}, {d.detail}")
                  for d in compare_table(item.target, table, tables[item.number])]
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


@frozen
class ActCheck:
    """An imported act against a published consolidated text: every difference,
    and those that are the act's (a point it changes, or one the published text
    annotates as changed by it), which must be reviewed before the act is used."""

    act: str
    day: dt.date
    found: tuple[Discrepancy, ...]
    own: tuple[Discrepancy, ...]
    known: dict  # (point, kind) -> reason: differences already reviewed

    @property
    def unreviewed(self) -> tuple[Discrepancy, ...]:
        return tuple(d for d in self.own if (d.point, d.kind) not in self.known)

    @property
    def ok(self) -> bool:
        return not self.unreviewed


def check_act(index: Index, day: dt.date, published, act: str, targets: set[str], known: dict | None = None) -> ActCheck:
    """Compare the text in force on ``day`` (the imported act's first day in
    force) with the published points; ``targets`` are the labels the act changes,
    ``known`` the reviewed differences (``read_known`` for the shipped TAT)."""
    found = tuple(sorted(set(compare_points(index, day, published))))
    changed = set(targets) | {a.label for a in index.in_force(day) if act in (a.change.act.number, a.citation.act.number)}
    changed |= {r.label for r in index.repealed_on(day) if r.by.act.number == act}  # läbivalt, renumbered: by the act too
    own = tuple(d for d in found if d.point in changed or (d.kind == "annotation" and f"nr {act})" in d.detail))
    return ActCheck(act, day, found, own, known or {})
