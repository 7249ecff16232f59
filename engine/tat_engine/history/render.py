"""The consolidated text on a date, with Riigi Teataja-style annotations.

Annotations are generated from the versions, never copied from a published
text: "(muudetud siseministri 30.04.2017 käskkirjaga nr 1-3/53)" for a
substitution, "lisatud" for an insertion, "tunnistatud kehtetuks" for a
repeal. Wording that is not in the sources is shown as such, with any value
known from another source; a reconstruction is marked.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .. import model as m
from ..messages import N_, say
from .answers import Citation, InForce, Repealed
from .index import Index

_VERBS = {"substituted": "muudetud", "retitled": "muudetud", "inserted": "lisatud", "repealed": "tunnistatud kehtetuks",
          "replaced": "muudetud", "deleted": "muudetud", "amended": "muudetud"}


def unknown_wording(reason: str | None = None) -> str:
    """What stands where the sources lack a wording, with why when known: one spelling everywhere
    (the reading room's app.js writes the same)."""
    return "[wording not in the sources]" if reason is None else f"[wording not in the sources: {reason}]"


def annotation(citation: Citation) -> str:
    """``(muudetud siseministri 30.04.2017 käskkirjaga nr 1-3/53)``; "" for enacted wording."""
    verb = _VERBS.get(citation.verb)
    if verb is None:
        return ""
    return f"({verb} siseministri {citation.act.date_written} käskkirjaga nr {citation.act.number})"


def describe(value: m.Value) -> str:
    """A fact's value in a few words, e.g. ``45 calendar days at most after …`` (in the reader's language;
    the words the law gives — a trigger, a body, a category — stay as written)."""
    match value:
        case m.Period(first, last):
            return say("{first}..{last}", first=first, last=last)
        case m.BoundedPeriod(first, low, high):
            return say("{first}..(last day not in the sources: between {earliest} and {latest})", first=first,
                       earliest=low, latest=high)
        case m.AmountRange(low, high, currency, conditions):
            return say("between {low} and {high} {currency} (not in the sources exactly)", low=low, high=high,
                       currency=currency) + _conditions(conditions)
        case m.Duration(amount, unit, bound, trigger):
            return say("{amount} {unit} {bound} after {trigger}", amount=amount, unit=say(_UNITS.get(unit, unit)),
                       bound=say(_BOUNDS.get(bound, bound)), trigger=trigger)
        case m.Amount(amount, currency, conditions):
            return f"{amount} {currency}" + _conditions(conditions)
        case m.Quantity(value, unit):
            return f"{value} {unit}"
        case m.Rate(percent, base):
            return say("{percent}% of {base}", percent=percent, base=base)
        case m.Role(role, body, start, end):
            span = say(" from {day}", day=start) if start else ""
            return f"{role}: {body}{span}" + (say(" until {day}", day=end - m.ONE_DAY) if end else "")
        case m.Annual(month, day):
            return say("every year on {day}", day=f"{day:02d}.{month:02d}")
        case m.Moment(at, zone, conditions):
            return f"{at.isoformat(sep=' ', timespec='minutes')} {zone}" + _conditions(conditions)
        case m.Limit(count, per, conditions):
            return say("at most {count} per {keys}", count=count, keys=", ".join(per)) + _conditions(conditions)
        case m.Category(name, conditions):
            return name + _conditions(conditions)
        case m.Activity(name):
            return say("activity {name}", name=name)
        case m.UnknownValue(reason):
            return say("unknown ({reason})", reason=reason)
    return str(value)


_UNITS = {"calendar_days": N_("calendar days"), "working_days": N_("working days"), "months": N_("months")}
_BOUNDS = {"at_most": N_("at most"), "at_least": N_("at least"), "exactly": N_("exactly")}


def _conditions(conditions) -> str:
    return "".join(f"; {key} = {value}" for key, value in conditions)


def fact_line(fact: m.Fact) -> str:
    """A fact with where it comes from and how far the sources vouch for it."""
    line = f"{fact.name} = {describe(fact.value)}"
    line += say(" (source {source})", source=fact.source) if fact.source else ""
    line += say(" [derived: {derived}]", derived=fact.derived) if fact.derived else ""
    line += say(" [stated for the state just before a later act; certain only from act {act} on]",
                act=fact.holds_since) if fact.holds_since else ""
    return line


def point_lines(answer: InForce, with_facts: bool = True) -> list[str]:
    """One point: its label, wording and annotation, then its table if any.
    Where the wording is unknown, the facts known from other sources follow it."""
    version = answer.version
    wording = version.content.wording
    note = annotation(answer.citation)
    if isinstance(wording, m.Unknown):
        body = unknown_wording(wording.reason)
        known = [fact_line(fact) for fact in version.content.facts if fact.source]
        if known and with_facts:
            body += " [known: " + "; ".join(known) + "]"
    elif isinstance(wording, m.Reconstructed):
        body = f"{wording.text} [reconstructed: {wording.basis}]"
    else:
        body = wording.text
    lines = [" ".join(part for part in (f"{version.label}.", body, note) if part)]
    table = version.content.table
    if table is not None:
        lines += table_lines(table)
    return lines


def cell_text(cell: str | Decimal) -> str:
    """A table cell as the published tables print it: a decimal comma, and
    thousands apart from five digits on (``965 608``, ``840 787,05``, ``1700``)."""
    if not isinstance(cell, Decimal):
        return cell
    whole = str(abs(int(cell)))
    text = f"{cell:,}" if len(whole) > 4 else f"{cell}"
    return text.replace(",", " ").replace(".", ",")


def table_cells(table: m.Table) -> list[list[str]]:
    """The header and every row as printed cells; a heading row is its text
    in the first cell, the others empty (it spans the table)."""
    width = len(table.columns)
    rows = [list(table.columns)]
    for row in table.rows:
        if isinstance(row, m.TableHeading):
            rows.append([row.text] + [""] * (width - 1))
        else:
            rows.append([cell_text(cell) for cell in row])
    return rows


def table_lines(table: m.Table) -> list[str]:
    """The table as Markdown rows (header, rule, body), so the plain text and
    the Markdown export print the same table."""
    def line(cells):
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
    header, *rows = table_cells(table)
    return [line(header), line(["---"] * len(header)), *map(line, rows)]


def repealed_title(repealed: Repealed) -> str:
    """What a repealed entry keeps besides its label and annotation: an annex
    its title, as the consolidated text prints it ("Lisa 1. Toetatavate
    tegevuste tegevuskava vorm (tunnistatud kehtetuks …)"); a point nothing."""
    wording = repealed.last.content.wording
    return wording.text if repealed.last.label.annex and isinstance(wording, m.Known) else ""


def repealed_line(repealed: Repealed) -> str:
    return " ".join(part for part in (f"{repealed.label}.", repealed_title(repealed), annotation(repealed.by)) if part)


def preamble(index: Index) -> m.Preamble | None:
    """The base act's preamble, printed before its first point."""
    base = next(ref for ref in index.acts.values() if ref.kind != "amending")
    return index.preambles.get(base.number)


def consolidated_text(index: Index, day: dt.date, shown: str | None = None) -> str:
    """The whole directive as in force on ``day`` (its heading names ``shown`` instead, where a
    caller fills the day in later)."""
    directive = next(ref for ref in index.acts.values() if ref.kind != "amending")
    amending = [ref for ref in index.acts.values() if ref.kind == "amending" and ref.in_force_from <= day]
    head = f"KÄSKKIRI {directive.date_written} nr {directive.number}" if directive.kind == "directive" else directive.number
    lines = [head, directive.title or "", f"Redaktsioon seisuga {shown or day.isoformat()}"]
    if amending:
        lines.append("muudetud järgmiste käskkirjadega: " + ", ".join(str(ref) for ref in amending))
    assumptions = index.assumptions_on(day)
    lines += [f"ASSUMPTION: {assumption}" for assumption in assumptions]
    lines.append("")
    opening = preamble(index)
    if opening is not None:
        lines += [opening.text, ""]
    for block in index.printed_on(day):  # mostly lines printed when the index was built, in label order
        lines.append("\n".join(point_lines(block)) if isinstance(block, InForce) else block)
    return "\n".join(lines) + "\n"
