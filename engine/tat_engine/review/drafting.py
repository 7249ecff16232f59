r"""An imported amending act (:mod:`importer`) written as a draft DSL file.

Whole-point items use the forms the parser reads; partial changes and an item's
own ``applies_from`` use the forms of SPEC-textual.md. What needs a person is a
``# REVIEW`` comment plus ``note "REVIEW: …"`` on the item; an item no formula
read is only an ``# UNREAD`` comment; a placeholder date without bounds stays
commented out, so the file does not load until someone dates the act.

>>> from .importer import read_act
>>> print(draft(read_act(["KÄSKKIRI", "01.09.2022 nr 1-3/45", "Käskkirja muutmine",
...     "1. Muudan käskkirja nr 1-3/7 järgmiselt:", "1.1 tunnistan punkti 2.3. kehtetuks.",
...     "2. Käskkiri jõustub selle allkirjastamisel."])).split("\n\n", 1)[1])
act "1-3/45" {
  kind amending
  title "Käskkirja muutmine"
  amends "1-3/7"
  signed 2022-09-01
  in_force on_signing
}
<BLANKLINE>
item 1.1 repeal 2.3
<BLANKLINE>
"""

from __future__ import annotations

import datetime as dt

from attrs import frozen

from ..model import LAST_SENTENCE
from .importer import Change, Head, Import, ImportedItem, estonian_date


@frozen
class Dating:
    """What the user tells the importer about the act's number and date, where
    the text prints a placeholder ("xx.yy.2020 nr 1-3/zz") or a register number."""

    number: str | None = None
    written: str | None = None  # the date as citations print it: "xx.yy.2020"
    signed: dt.date | None = None
    earliest: dt.date | None = None
    latest: dt.date | None = None
    assume: dt.date | None = None
    because: str | None = None


def draft(imported: Import, dating: Dating = Dating(), origin: str = "the act", document: str | None = None) -> str:
    """The draft DSL file: the act, then each item; flags as ``# REVIEW`` comments
    and ``note "REVIEW: …"``, unread items as ``# UNREAD`` comments."""
    lines = [f"# Draft written by `tat import` from {origin}: review every REVIEW and UNREAD entry.",
             f"# {imported.counts}"]
    lines += [f"# REVIEW act: {flag}" for flag in imported.flags]
    lines += ["", *_act_lines(imported.head, dating)]
    unread = {item.number: item for item in imported.unread}
    for number in _item_order(imported):
        for item in (i for i in imported.items if i.number == number):
            lines += ["", *_item_lines(item, document)]
        if number in unread:
            item = unread.pop(number)
            lines += ["", f"# UNREAD item {item.number} (lines {item.lines}): {item.text[:200]}"]
    return "\n".join(lines) + "\n"


def _item_order(imported: Import) -> list[str]:
    def key(number: str):
        return tuple(int(part) for part in number.split(".")) if number != "?" else (10**9,)
    return sorted({i.number for i in imported.items} | {i.number for i in imported.unread}, key=key)


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _act_lines(head: Head, dating: Dating) -> list[str]:
    number = dating.number or head.number
    lines = [] if number else ["# REVIEW act: the act's number was not read; give it with --number"]
    lines += [f"act {_q(number or '?')} {{", "  kind amending"]
    if head.title:
        lines.append(f"  title {_q(head.title)}")
    if head.amends:
        lines.append(f"  amends {_q(head.amends)}")
    lines.append(f"  {_signed(head, dating)}")
    if head.in_force is not None:
        lines.append(f"  in_force {head.in_force if isinstance(head.in_force, str) else head.in_force.isoformat()}")
    if head.applies_from:
        lines.append(f"  applies_from {head.applies_from.isoformat()}")
    return lines + ["}"]


def _signed(head: Head, dating: Dating) -> str:
    """``signed …``, from the user's options first, then the printed date; a
    placeholder without bounds and assumption is left commented out (the file
    then fails to load, saying the act has no date, until a person gives one)."""
    written = dating.written or head.date_written or "?"
    if dating.signed:
        return f"signed {dating.signed.isoformat()}"
    if dating.earliest and dating.latest and dating.assume:
        because = dating.because or f"the act's date is cited as „{written}“; its bounds and the assumption were given at import"
        return (f"signed unknown {_q(written)} between {dating.earliest.isoformat()} and {dating.latest.isoformat()} "
                f"assume {dating.assume.isoformat()} because {_q(because)}")
    if head.signed and not dating.written:
        return f"signed {head.signed.isoformat()}"
    if dating.written and estonian_date(dating.written):
        return f"signed {estonian_date(dating.written).isoformat()}"
    return f'# signed unknown {_q(written)} between ? and ? assume ? because "?"   # REVIEW: give the bounds and an assumption'


def _item_lines(item: ImportedItem, document: str | None) -> list[str]:
    where = f"memo line {item.lines}" if item.source == "memo" else f"lines {item.lines}"
    lines = [f"# REVIEW item {item.number}: {flag}" for flag in item.flags]
    if not item.changes:
        return lines + [f"# (nothing written for item {item.number}, {where})"]
    for change in item.changes:
        body = _body(change)
        if item.applies_from:
            body.append(f"applies_from {item.applies_from.isoformat()}")
        if document and item.source == "act":
            body.append(f"source {document} {item.lines}")
        body += [f"note {_q('REVIEW: ' + flag)}" for flag in item.flags]
        head = f"item {item.number} {_verb(change)}"
        lines += [f"{head} {{", *(f"  {line}" for line in body), "}"] if body else [head]
    return lines


def _verb(change: Change) -> str:
    targets = " ".join(change.targets)
    if change.operation == "renumber":
        return f"renumber {targets}.. by {change.by:+d}".replace("by +", "by ")
    return f"{change.operation} {targets}"


def _body(change: Change) -> list[str]:
    scope = [f"in sentence {_nth(change.scope)}"] if change.scope and change.phrase is not None else []
    if change.operation in ("substitute", "retitle", "insert"):
        return [f"text {_q(change.text)}"]
    if change.operation == "replace" and change.phrase is None:
        return [f"sentence {_nth(change.scope)} by {_q(change.words)}"]
    if change.operation == "replace":
        return scope + [f"words {_q(change.phrase)} by {_q(change.words)}"]
    if change.operation == "delete":
        return [f"sentence {_nth(change.sentence)}"] if change.sentence else scope + [f"words {_q(change.phrase)}"]
    if change.operation == "amend":
        if change.position == "sentence":
            return [f"sentence {_q(change.words)}"]
        return scope + [f"{change.position} {_q(change.phrase)} words {_q(change.words)}"]
    return []


def _nth(sentence: int) -> str:
    return "last" if sentence == LAST_SENTENCE else str(sentence)
