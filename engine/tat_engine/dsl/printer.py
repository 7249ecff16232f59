"""Model -> DSL text. ``parse(print(x)) == x`` for every act (a tested property).

>>> from .parse import parse_act
>>> text = 'act "1-3/1" {\\n  kind directive\\n  title "T"\\n  signed 2015-09-18\\n  in_force on_signing\\n}\\n'
>>> print_act(parse_act(text)) == text
True
"""

from __future__ import annotations

from decimal import Decimal

from .. import model as m


def print_act(act: m.Act, documents: tuple[m.Document, ...] = (), readings: tuple[m.Reading, ...] = ()) -> str:
    lines = [_document(document) for document in documents]
    for reading in readings:
        lines += _reading(reading)
    lines += [f"act {_q(act.number)} {{", f"  kind {act.kind}"]
    if act.title is not None:
        lines.append(f"  title {_q(act.title)}")
    if act.amends:
        lines.append(f"  amends {_q(act.amends)}")
    lines.append(f"  signed {_signed(act.signed)}")
    lines.append(f"  in_force {act.in_force.isoformat() if act.in_force else 'on_signing'}")
    if act.applies_from:
        under = f" {_under(act.applies_under)}" if act.applies_under else ""
        lines.append(f"  applies_from {act.applies_from.isoformat()}{under}")
    if act.preamble:
        lines.append(f"  preamble {_q(act.preamble.text)} {_source(act.preamble.source)}")
    lines += [f"  {_source(source)}" for source in act.sources]
    lines += [f"  note {_q(note)}" for note in act.notes]
    lines.append("}")
    for point in act.points:
        lines += ["", f"{point.kind} {point.label} {{", *_content(point.content), "}"]
    for item in act.items:
        head = f"item {item.number or '?'} {_verb(item.verb)}"
        body = _edit(item.verb) + _content(item.content, wording=isinstance(item.verb, (m.Substitute, m.Retitle, m.Insert)))
        if item.applies_from is not None:
            body.append(f"  applies_from {item.applies_from.isoformat()}")
        lines += ["", f"{head} {{", *body, "}"] if body else ["", head]
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _document(document: m.Document) -> str:
    return (
        f"document {document.name} {_q(document.path)} kind {document.kind} "
        f"lines {document.first_line}..{document.last_line}"
    )


def _reading(reading: m.Reading) -> list[str]:
    lines = [f"reading {_q(reading.name)} {{", f"  title {_q(reading.title)}"]
    for option in reading.options:
        sources = "".join(f" {_source(source)}" for source in option.sources)
        lines.append(f"  option {_q(option.name)} {{ basis {_q(option.basis)}{sources} }}")
    lines += [f"  default {_q(reading.default)} because {_q(reading.argument)}", "}", ""]
    return lines


def print_deadlines(kinds: tuple[m.DeadlineKind, ...]) -> str:
    """Deadline kinds as a file of declarations (e.g. tat/deadlines.tat)."""
    return "\n".join(line for kind in kinds for line in _deadline(kind))


def _deadline(kind: m.DeadlineKind) -> list[str]:
    lines = [f"deadline {_q(kind.name)} {{", f"  title {_q(kind.title)}", f"  point {kind.point}", f"  fact {kind.fact}",
             f"  trigger {_q(kind.trigger)}"]
    if kind.from_fact:
        lines.append(f"  from_fact {kind.from_fact.point} {kind.from_fact.fact} {kind.from_fact.end}")
    if kind.annual:
        lines.append(f"  annual {kind.annual}")
    if kind.skipped_when:
        skip = kind.skipped_when
        lines.append(f"  skipped_when {skip.fact} of {skip.point} before {_q(skip.before)}")
    if kind.extension:
        lines.append("  extension")
    lines += [f"  note_from {note.point} {note.fact} {_q(note.text)}" for note in kind.notes]
    lines += [f"  {_source(source)}" for source in kind.sources]
    return lines + ["}", ""]


def _under(under: m.Under) -> str:
    return f"under {_q(under.reading)} = {_q(under.option)}"


def _signed(signed: m.Signing) -> str:
    if isinstance(signed, m.KnownDate):
        return signed.date.isoformat()
    return (
        f"unknown {_q(signed.written)} between {signed.earliest} and {signed.latest} "
        f"assume {signed.assumed} because {_q(signed.reason)}"
    )


def _source(source: m.Source) -> str:
    lines = f"{source.first_line}" if source.first_line == source.last_line else f"{source.first_line}..{source.last_line}"
    return f"source {source.document} {lines}"


def _verb(verb: m.Verb) -> str:
    if isinstance(verb, m.Insert):
        return f"insert {verb.target}" + (f" after {verb.after}" if verb.after else "")
    if isinstance(verb, m.Renumber):
        return f"renumber {verb.target}..{verb.last or ''} by {verb.by:+d}"
    if isinstance(verb, m.EDITS):
        return f"{type(verb).__name__.lower()} {verb.where}"
    return f"{type(verb).__name__.lower()} {verb.target}"


def _edit(verb: m.Verb) -> list[str]:
    """The operation line of a replace, delete or amend (and its sentence scope); none for other verbs."""
    scope = [f"  in sentence {_sentence(verb.scope)}"] if isinstance(verb, m.EDITS) and verb.scope else []
    match verb:
        case m.Replace(_, None, by):
            return [f"  sentence {_sentence(verb.scope)} by {_q(by)}"]
        case m.Replace(_, phrase, by):
            return scope + [f"  words {_q(phrase)} by {_q(by)}"]
        case m.Delete(_, None, sentence):
            return [f"  sentence {_sentence(sentence)}"]
        case m.Delete(_, phrase, _):
            return scope + [f"  words {_q(phrase)}"]
        case m.Amend(_, "sentence", words, _):
            return [f"  sentence {_q(words)}"]
        case m.Amend(_, place, words, anchor):
            return scope + [f"  {place} {_q(anchor)} words {_q(words)}"]
    return []


def _sentence(number: int) -> str:
    return "last" if number == m.LAST_SENTENCE else str(number)


def _content(content: m.Content, wording: bool = True) -> list[str]:
    lines = [f"  {_wording(content.wording)}"] if wording else []
    lines += [f"  {_fact(fact)}" for fact in content.facts]
    if content.table:
        lines += _table(content.table)
    lines += [f"  {_source(source)}" for source in content.sources]
    lines += [f"  note {_q(note)}" for note in content.notes]
    return lines


def _wording(wording: m.Wording) -> str:
    if isinstance(wording, m.Known):
        return f"text {_q(wording.text)}"
    if isinstance(wording, m.Unknown):
        return f"text unknown {_q(wording.reason)}"
    return f"text reconstructed {_q(wording.text)} basis {_q(wording.basis)}"


def _fact(fact: m.Fact) -> str:
    tail = " per" + _source(fact.source)[len("source"):] if fact.source else ""
    tail += f" derived {_q(fact.derived)}" if fact.derived else ""
    tail += f" holds_since {_q(fact.holds_since)}" if fact.holds_since else ""
    return f"fact {fact.name}: {_value(fact.value)}{tail}"


def _value(value: m.Value) -> str:
    match value:
        case m.Period(first, last):
            return f"period {first}..{last}"
        case m.BoundedPeriod(first, low, high):
            return f"period {first}..unknown between {low} and {high}"
        case m.AmountRange(low, high, currency, conditions):
            return " ".join([f"amount between {low} and {high} {currency}", *_conditions(conditions)])
        case m.Duration(amount, unit, bound, trigger):
            return f"duration {amount} {unit} {bound} after {_q(trigger)}"
        case m.Amount(amount, currency, conditions):
            return " ".join([f"amount {amount} {currency}", *_conditions(conditions)])
        case m.Quantity(value, unit):
            return f"quantity {value} {_q(unit)}"
        case m.Rate(percent, base):
            return f"rate {percent}% of {_q(base)}"
        case m.Role(role, body, start, end, short):
            text = f"role {_q(role)} held_by {_q(body)}"
            text += f" short {_q(short)}" if short else ""
            text += f" from {start}" if start else ""
            return text + (f" until {end - m.ONE_DAY}" if end else "")
        case m.Annual(month, day):
            return f"annual --{month:02d}-{day:02d}"
        case m.Moment(at, zone, conditions):
            return " ".join([f"moment {at.isoformat(timespec='minutes')} {_q(zone)}", *_conditions(conditions)])
        case m.Limit(count, per, conditions):
            return " ".join([f"limit {count} per {_q(','.join(per))}", *_conditions(conditions)])
        case m.Category(name, conditions):
            return " ".join([f"category {_q(name)}", *_conditions(conditions)])
        case m.Activity(name):
            return f"activity {_q(name)}"
        case m.UnknownValue(reason):
            return f"unknown {_q(reason)}"
    raise TypeError(value)


def _conditions(conditions) -> list[str]:
    return [f"when {key} = {_q(value)}" for key, value in conditions]


def _table(table: m.Table) -> list[str]:
    lines = [f"  table {_q(table.name)} {{", "    columns " + " ".join(map(_q, table.columns))]
    for row in table.rows:
        if isinstance(row, m.TableHeading):
            lines.append(f"    heading {_q(row.text)}")
        else:
            lines.append("    row " + " ".join(_cell(cell) for cell in row))
    return lines + ["  }"]


def _cell(cell) -> str:
    if isinstance(cell, Decimal):
        return str(cell)
    if cell.endswith("%") and cell[:-1].replace(".", "", 1).isdigit():
        return cell
    return _q(cell)
