"""DSL text -> model, with errors that name file, line and column.

>>> act = parse_act('act "1-3/1" { kind directive title "T" signed 2015-09-18 '
...                 'in_force on_signing } point 1 { text "Üldsätted" }', "x.tat")
>>> str(act.points[0].label), act.points[0].content.wording.text
('1', 'Üldsätted')
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache

import attrs
from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from .. import model as m
from ..messages import N_, Message, msg, say, translated
from ..errors import Diagnostic, DslError, caret

# Whole numbers (lines, counts, durations, label parts) and decimals (amounts,
# rates, table cells) are bounded: a longer one is a typo, and Python refuses to
# read an integer of over 4 300 digits. A decimal of at most 20 digits also
# stays exact in sums (Decimal's default precision is 28).
MAX_INT_DIGITS = 9
MAX_NUMBER_DIGITS = 20

# What the parser expected, in words a corpus author reads.
_EXPECTED = {
    "DATE": N_("a date such as 2015-07-01"),
    "STRING": N_('a quoted string "…"'),
    "LABEL": N_("a point number such as 11.3"),
    "ANNEX_LABEL": N_("an annex label such as Lisa 1"),
    "INT": N_("a whole number"),
    "SIGNED_INT": N_("a whole number such as -1"),
    "NUMBER": N_("a number such as 840787.05"),
    "PERCENT": N_("a percentage such as 15%"),
    "NAME": N_("a name in lower case such as eligibility_period"),
    "UNIT": N_("calendar_days, working_days or months"),
    "BOUND": N_("at_most, at_least or exactly"),
    "MONTH_DAY": N_("a day of the year such as --01-31"),
    "PERIOD_END": N_("start or end"),
    "ANNUAL_YEAR": N_("year_reported or year_filed"),
    "DATETIME": N_("a time such as 2023-05-10T10:00"),
    "RBRACE": '"}"',
    "LBRACE": '"{"',
}


@lru_cache(maxsize=1)
def parser() -> Lark:
    """The grammar's parser, from the tables shipped for it when they are fresh (see ``tables``)."""
    from . import tables

    return tables.parser()


_KEYWORDS = {m.Period: "period", m.BoundedPeriod: "period", m.Duration: "duration", m.Amount: "amount",
             m.AmountRange: "amount", m.Quantity: "quantity", m.Rate: "rate", m.Role: "role", m.Annual: "annual",
             m.Moment: "moment", m.Limit: "limit", m.Category: "category", m.Activity: "activity"}  # value -> its DSL word


def parse_file(text: str, path: str) -> tuple[tuple[m.Document | m.Reading | m.DeadlineKind, ...], m.Act | None]:
    """Parse one file: its declarations (source documents, readings, deadline kinds) and its act, if any."""
    try:
        tree = parser().parse(text)
        return _Builder(text, path).transform(tree)
    except UnexpectedInput as error:
        raise DslError(_syntax_diagnostic(error, text, path)) from None
    except VisitError as error:
        if isinstance(error.orig_exc, DslError):
            raise error.orig_exc from None
        raise


def parse_act(text: str, path: str = "<string>") -> m.Act:
    """Parse a file that must hold an act."""
    _, act = parse_file(text, path)
    if act is None:
        raise DslError(Diagnostic("error", "no-act", msg("the file declares no act"), m.Location(path, 1, 1)))
    return act


def _syntax_diagnostic(error: UnexpectedInput, text: str, path: str) -> Diagnostic:
    line, column = max(error.line, 1), max(error.column, 1)
    if isinstance(error, UnexpectedEOF) or getattr(getattr(error, "token", None), "type", "") == "$END":
        line = text.count("\n") + 1
        column = len(text.rsplit("\n", 1)[-1]) + 1
        found = say("the end of the file")
    elif isinstance(error, UnexpectedCharacters):
        found = repr(text[error.pos_in_stream]) if error.pos_in_stream < len(text) else say("the end")
    else:
        found = repr(str(error.token)) if error.token.type != "$END" else say("the end of the file")
    expected = sorted(getattr(error, "expected", None) or getattr(error, "allowed", None) or ())
    words = sorted({translated(_EXPECTED[name]) if name in _EXPECTED else _literal(name) for name in expected})
    wanted = say("; expected {words}", words=say(", or ").join(words)) if words else ""
    return Diagnostic(
        "error", "syntax", say("unexpected {found}{wanted}", found=found, wanted=wanted), m.Location(path, line, column),
        context=caret(text, line, column)
    )


def _literal(terminal: str) -> str:
    """A keyword or punctuation terminal shown as its text: ``".."``, ``"section"``."""
    if terminal == "$END":
        return say("the end of the file")
    try:
        pattern = parser().get_terminal(terminal).pattern
    except KeyError:
        return terminal
    return f'"{pattern.value}"' if pattern.type == "str" else terminal


_FOLD = re.compile(r"\s*\n\s*")


def _string(token: Token) -> str:
    """A quoted string; a line break with its indentation reads as one space."""
    body = token[1:-1]
    body = re.sub(r"\\(.)", r"\1", body)
    return _FOLD.sub(" ", body)


@v_args(meta=True, inline=True)
class _Builder(Transformer):
    """One method per alias; each returns a model value or a tagged part."""

    def __init__(self, text: str, path: str):
        super().__init__()
        self.text, self.path = text, path

    # --- helpers -------------------------------------------------------------

    def _loc(self, meta) -> m.Location:
        return m.Location(self.path, getattr(meta, "line", 1), getattr(meta, "column", 1))

    def _fail(self, token_or_meta, code: str, message: Message):
        line = getattr(token_or_meta, "line", 1) or 1
        column = getattr(token_or_meta, "column", 1) or 1
        location = m.Location(self.path, line, column)
        raise DslError(Diagnostic("error", code, message, location, context=caret(self.text, line, column)))

    def _date(self, token: Token) -> dt.date:
        try:
            day = dt.date.fromisoformat(str(token))
        except ValueError:
            self._fail(token, "bad-date", msg("{text} is not a calendar date; dates are written YYYY-MM-DD, e.g. 2015-07-01",
                                              text=str(token)))
        if not m.supported(day):
            self._fail(token, "date-range", msg("{text} is outside the dates the engine supports; expected a date in {range}",
                                                text=str(token), range=m.DAY_RANGE))
        return day

    def _int(self, token: Token) -> int:
        """A whole number of at most :data:`MAX_INT_DIGITS` digits (a sign aside)."""
        digits = str(token).lstrip("+-")
        if len(digits) > MAX_INT_DIGITS:
            self._fail(token, "number-size", msg("a number of {digits} digits; expected a whole number of at most {most} "
                                                 "digits", digits=len(digits), most=MAX_INT_DIGITS))
        return int(token)

    def _decimal(self, token: Token) -> Decimal:
        """A decimal of at most :data:`MAX_NUMBER_DIGITS` digits."""
        digits = sum(character.isdigit() for character in str(token))
        if digits > MAX_NUMBER_DIGITS:
            self._fail(token, "number-size", msg("a number of {digits} digits; expected a number of at most {most} digits",
                                                 digits=digits, most=MAX_NUMBER_DIGITS))
        return Decimal(str(token).rstrip("%"))

    # --- file ------------------------------------------------------------------

    def start(self, meta, *statements):
        documents, act, parts = [], None, {"points": [], "items": []}
        for statement in statements:
            if isinstance(statement, (m.Document, m.Reading, m.DeadlineKind)):
                documents.append(statement)
            elif isinstance(statement, m.Act):
                if act is not None:
                    self._fail(statement.location, "two-acts", msg("a file holds one act; this is the second"))
                act = statement
            else:
                if act is None:
                    self._fail(statement.location, "no-act", msg("points and items follow the act they belong to"))
                parts["points" if isinstance(statement, m.PointDecl) else "items"].append(statement)
        if act is not None:
            act = _attach(act, parts, self)
        return tuple(documents), act

    def document(self, meta, name, path, kind, first, last):
        return m.Document(str(name), _string(path), str(kind), self._int(first), self._int(last), self._loc(meta))

    def source(self, meta, document, first, last=None):
        return m.Source(str(document), self._int(first), self._int(last if last is not None else first))

    def note(self, meta, text):
        return ("note", _string(text))

    # --- readings -------------------------------------------------------------------

    def reading(self, meta, name, *fields):
        values = {"options": []}
        for key, value in fields:
            if key == "option":
                values["options"].append(value)
            elif key in values:
                self._fail(meta, "reading-field", msg('reading {name} has two "{field}" fields', name=_string(name), field=key))
            else:
                values[key] = value
        options = {option.name for option in values["options"]}
        if len(options) < 2 or len(options) != len(values["options"]):
            self._fail(meta, "reading-options", msg("reading {name} needs at least two options with distinct names",
                                                       name=_string(name)))
        if "default" not in values or values["default"][0] not in options:
            self._fail(meta, "reading-default", msg("reading {name} needs a default that is one of its options: {options}",
                                                       name=_string(name), options=sorted(options)))
        default, argument = values["default"]
        title = values.get("title", _string(name))
        return m.Reading(_string(name), title, tuple(values["options"]), default, argument, self._loc(meta))

    def reading_title(self, meta, title):
        return ("title", _string(title))

    def reading_option(self, meta, name, basis, *sources):
        return ("option", m.ReadingOption(_string(name), _string(basis), tuple(sources)))

    def reading_default(self, meta, name, argument):
        return ("default", (_string(name), _string(argument)))

    def under(self, meta, reading, option):
        return m.Under(_string(reading), _string(option))

    # --- deadline kinds -------------------------------------------------------------

    def deadline(self, meta, name, *fields):
        values, notes, sources = {}, [], []
        for field in fields:
            if isinstance(field, m.Source):
                sources.append(field)
                continue
            key, value = field
            if key == "note_from":
                notes.append(value)
            elif key in values:
                self._fail(meta, "deadline-field", msg('deadline {name} has two "{field}" fields', name=_string(name), field=key))
            else:
                values[key] = value
        missing = [key for key in ("title", "point", "fact", "trigger") if key not in values]
        if missing:
            self._fail(meta, "deadline-field", msg("deadline {name} needs {fields}", name=_string(name), fields=missing))
        return m.DeadlineKind(_string(name), notes=tuple(notes), sources=tuple(sources), location=self._loc(meta), **values)

    def deadline_title(self, meta, title):
        return ("title", _string(title))

    def deadline_point(self, meta, point):
        return ("point", str(point))

    def deadline_fact(self, meta, name):
        return ("fact", str(name))

    def deadline_trigger(self, meta, words):
        return ("trigger", _string(words))

    def deadline_from_fact(self, meta, point, fact, end):
        return ("from_fact", m.TriggerFromFact(str(point), str(fact), str(end)))

    def deadline_annual(self, meta, year):
        return ("annual", str(year))

    def deadline_skipped_when(self, meta, fact, point, before):
        return ("skipped_when", m.SkippedWhen(str(fact), str(point), _string(before)))

    def deadline_extension(self, meta):
        return ("extension", True)

    def deadline_note_from(self, meta, point, fact, text):
        return ("note_from", m.NoteFrom(str(point), str(fact), _string(text)))

    # --- acts -------------------------------------------------------------------

    def act(self, meta, number, *fields):
        values = {"sources": [], "notes": []}
        for field in fields:
            if isinstance(field, m.Source):
                values["sources"].append(field)
            elif field[0] == "note":
                values["notes"].append(field[1])
            else:
                values[field[0]] = field[1]
        for required in ("kind", "signed"):
            if required not in values:
                self._fail(meta, "act-field", msg('act {act} has no "{field}"', act=_string(number), field=required))
        values["sources"], values["notes"] = tuple(values["sources"]), tuple(values["notes"])
        if "applies_from" in values:
            values["applies_from"], values["applies_under"] = values["applies_from"]
        return m.Act(number=_string(number), location=self._loc(meta), **values)

    def act_kind(self, meta, kind):
        return ("kind", str(kind))

    def act_title(self, meta, title):
        return ("title", _string(title))

    def act_amends(self, meta, number):
        return ("amends", _string(number))

    def signed_known(self, meta, date):
        return ("signed", m.KnownDate(self._date(date)))

    def signed_unknown(self, meta, written, earliest, latest, assumed, reason):
        dates = self._date(earliest), self._date(latest), self._date(assumed)
        if not dates[0] <= dates[2] <= dates[1]:
            self._fail(assumed, "bad-assumption", msg("the assumed date {assumed} is outside {earliest}..{latest}",
                                                      assumed=str(assumed), earliest=str(earliest), latest=str(latest)))
        return ("signed", m.UncertainDate(_string(written), *dates, _string(reason)))

    def in_force_on_signing(self, meta):
        return ("in_force", None)

    def in_force_on(self, meta, date):
        return ("in_force", self._date(date))

    def act_applies_from(self, meta, date, under=None):
        return ("applies_from", (self._date(date), under))

    def act_preamble(self, meta, text, source):
        return ("preamble", m.Preamble(_string(text), source))

    # --- points and content ---------------------------------------------------------

    def label(self, meta, token):
        for part in str(token).removeprefix("Lisa ").split("."):
            if len(part) > MAX_INT_DIGITS:
                self._fail(token, "number-size", msg("a label part of {digits} digits; expected a point number whose parts have "
                                                     "at most {most} digits, such as 11.3", digits=len(part),
                                                     most=MAX_INT_DIGITS))
        return m.Label.parse(str(token))

    def provision(self, meta, kind, label, *parts):
        return m.PointDecl(label, str(kind), self._content(meta, parts), self._loc(meta))

    def _content(self, meta, parts, wording_required: bool = True) -> m.Content:
        wording, facts, table, sources, notes = None, [], None, [], []
        for part in parts:
            if isinstance(part, (m.Known, m.Unknown, m.Reconstructed)):
                if wording is not None:
                    self._fail(meta, "two-texts", msg("a point has one text"))
                wording = part
            elif isinstance(part, m.Fact):
                facts.append(part)
            elif isinstance(part, m.Table):
                table = part
            elif isinstance(part, m.Source):
                sources.append(part)
            else:
                notes.append(part[1])
        if wording is None:
            if wording_required:
                self._fail(meta, "no-text", msg('a point needs a text: text "…", text unknown "why" or text '
                                                    'reconstructed "…" basis "…"'))
            wording = m.EMPTY.wording
        return m.Content(wording, tuple(facts), table, tuple(sources), tuple(notes))

    def known(self, meta, text):
        return m.Known(_string(text))

    def unknown(self, meta, reason):
        return m.Unknown(_string(reason))

    def reconstructed(self, meta, text, basis):
        return m.Reconstructed(_string(text), _string(basis))

    # --- facts -----------------------------------------------------------------------

    fact_source = source

    def fact(self, meta, name, value, *parts):
        source = next((part for part in parts if isinstance(part, m.Source)), None)
        qualifiers = dict(part for part in parts if isinstance(part, tuple))
        self._check_rule(name, value)
        return m.Fact(str(name), value, source, self._loc(meta), **qualifiers)

    def _check_rule(self, name: Token, value: m.Value) -> None:
        """A fact the cost rules read by its name holds the kind of value they read."""
        kinds = m.COST_RULE_VALUES.get(str(name))
        if kinds is None or isinstance(value, m.UnknownValue):
            return
        if not isinstance(value, kinds):
            wanted = say(" or ").join(dict.fromkeys(_KEYWORDS.get(kind, kind.__name__.lower()) for kind in kinds))
            got = _KEYWORDS.get(type(value), type(value).__name__.lower())
            self._fail(name, "bad-rule", msg("a fact named {name} holds {wanted}, not {got} (the cost rules read it)",
                                             name=str(name), wanted=wanted, got=got))
        if str(name) == "budget" and "activity" not in dict(value.conditions):
            self._fail(name, "bad-rule", msg('a budget fact names its activity: when activity = "…"'))

    def fact_derived(self, meta, arithmetic):
        return ("derived", _string(arithmetic))

    def fact_holds_since(self, meta, act):
        return ("holds_since", _string(act))

    def period(self, meta, first, last):
        first_day, last_day = self._date(first), self._date(last)
        if last_day < first_day:
            self._fail(last, "bad-period", msg("the period ends ({last}) before it starts ({first})", last=str(last),
                                                  first=str(first)))
        return m.Period(first_day, last_day)

    def bounded_period(self, meta, first, earliest, latest):
        first_day, low, high = self._date(first), self._date(earliest), self._date(latest)
        if not first_day <= low <= high:
            self._fail(latest, "bad-period", msg("the last day lies between {earliest} and {latest}, which must not start "
                                                    "before {first}", earliest=str(earliest), latest=str(latest),
                                                    first=str(first)))
        return m.BoundedPeriod(first_day, low, high)

    def duration(self, meta, amount, unit, bound, trigger):
        return m.Duration(self._int(amount), str(unit), str(bound), _string(trigger))

    def amount(self, meta, value, currency, *conditions):
        return m.Amount(self._decimal(value), str(currency), tuple(conditions))

    def amount_range(self, meta, low, high, currency, *conditions):
        low_value, high_value = self._decimal(low), self._decimal(high)
        if high_value < low_value:
            self._fail(high, "bad-amount", msg("the range {low}..{high} ends below its start", low=str(low),
                                                  high=str(high)))
        return m.AmountRange(low_value, high_value, str(currency), tuple(conditions))

    def activity(self, meta, name):
        return m.Activity(_string(name))

    def quantity(self, meta, value, unit):
        return m.Quantity(self._decimal(value), _string(unit))

    def rate(self, meta, percent, base):
        return m.Rate(self._decimal(percent), _string(base))

    def role(self, meta, role, body, *bounds):
        start = end = short = None
        for key, value in bounds:
            if key == "short":
                short = value
            elif key == "from":
                start = value
            else:
                end = value + m.ONE_DAY  # "until 2020-03-31" includes that day
        return m.Role(_string(role), _string(body), start, end, short)

    def role_short(self, meta, short):
        return ("short", _string(short))

    def role_from(self, meta, date):
        return ("from", self._date(date))

    def role_until(self, meta, date):
        return ("until", self._date(date))

    def annual(self, meta, token):
        month, day = int(token[2:4]), int(token[5:7])
        try:
            dt.date(2001, month, day)  # a day every year has: where 29 February would fall in other years is no law of ours
        except ValueError:
            self._fail(token, "bad-date", msg("{text} is not a day every year has; write --MM-DD, e.g. --01-31",
                                              text=str(token)))
        return m.Annual(month, day)

    def moment(self, meta, when, zone, *conditions):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(_string(zone))
        except (ZoneInfoNotFoundError, ValueError):
            self._fail(zone, "bad-zone", msg('{zone} is not a time zone; write it like "Europe/Tallinn"', zone=repr(_string(zone))))
        try:
            at = dt.datetime.fromisoformat(str(when))
        except ValueError:
            self._fail(when, "bad-date", msg("{text} is not a time; write YYYY-MM-DDTHH:MM, e.g. 2023-05-10T10:00",
                                             text=str(when)))
        if not m.supported(at.date()):
            self._fail(when, "date-range", msg("{text} is outside the dates the engine supports; expected a time on a day "
                                               "in {range}", text=str(when), range=m.DAY_RANGE))
        return m.Moment(at, _string(zone), tuple(conditions))

    def limit(self, meta, count, per, *conditions):
        keys = tuple(key.strip() for key in _string(per).split(","))
        return m.Limit(self._int(count), keys, tuple(conditions))

    def category(self, meta, name, *conditions):
        return m.Category(_string(name), tuple(conditions))

    def condition(self, meta, key, value):
        return (str(key), _string(value) if value.type == "STRING" else str(value))

    def unknown_value(self, meta, reason):
        return m.UnknownValue(_string(reason))

    # --- tables ------------------------------------------------------------------------

    def table(self, meta, name, columns, *rows):
        for row in rows:
            if not isinstance(row, m.TableHeading) and len(row) != len(columns):
                self._fail(meta, "table-row", msg("a row of table {name} has {cells} cells for {columns} columns",
                                                     name=_string(name), cells=len(row), columns=len(columns)))
        return m.Table(_string(name), columns, tuple(rows))

    def columns(self, meta, *names):
        return tuple(_string(name) for name in names)

    def row(self, meta, *cells):
        return tuple(self._cell(cell) for cell in cells)

    def _cell(self, token: Token):
        if token.type == "STRING":
            return _string(token)
        if token.type == "PERCENT":
            self._decimal(token)
            return str(token)
        return self._decimal(token)

    def table_heading(self, meta, text):
        return m.TableHeading(_string(text))

    # --- items ---------------------------------------------------------------------------

    def item(self, meta, number, verb, *parts):
        edits = [part for part in parts if isinstance(part, _EditPart)]
        scopes = [part for part in parts if isinstance(part, _Scope)]
        applies = [part for part in parts if isinstance(part, _AppliesFrom)]
        parts = [part for part in parts if not isinstance(part, (_EditPart, _Scope, _AppliesFrom))]
        if len(scopes) > 1:
            self._fail(scopes[1].meta, "bad-edit", msg('an item narrows its operation to one sentence ("in sentence N") '
                                                        'once'))
        if scopes and not isinstance(verb, m.EDITS):
            self._fail(scopes[0].meta, "bad-edit", msg('"in sentence" belongs to an item that replaces, deletes or '
                                                       "amends part of a point (replace, delete, amend)"))
        if len(applies) > 1:
            self._fail(applies[1].meta, "item-field", msg('an item has one "applies_from"'))
        applies_from = applies[0].day if applies else None
        if isinstance(verb, m.EDITS):
            return m.Item(number, self._scoped(self._edit(meta, verb, edits, parts), scopes),
                          self._edit_content(meta, parts),
                          self._loc(meta), applies_from)
        if edits:
            self._fail(edits[0].meta, "bad-edit", msg('"{keyword}" belongs to an item that replaces, deletes or amends part '
                                                      "of a point (replace, delete, amend)", keyword=edits[0].keyword))
        content_verb = isinstance(verb, (m.Substitute, m.Retitle, m.Insert))
        content = self._content(meta, parts, wording_required=content_verb)
        if not content_verb and (content.facts or content.table or not isinstance(content.wording, m.Unknown)):
            self._fail(meta, "item-content", msg("a repeal or a renumbering carries only source and note"))
        return m.Item(number, verb, content, self._loc(meta), applies_from)

    def _edit_content(self, meta, parts) -> m.Content:
        """An edit carries facts (they replace the point's facts of the same name), sources and notes;
        its wording is computed from the point's, so it carries no text and no table."""
        content = self._content(meta, parts, wording_required=False)
        if content.table is not None or content.wording != m.EMPTY.wording:
            self._fail(meta, "item-content", msg("a replace, delete or amend computes the point's new text from "
                                                 "its wording; it carries only facts, source, note and applies_from "
                                                 "(write a new text or table as a substitute)"))
        return content

    def _edit(self, meta, verb, edits: list, parts) -> m.Verb:
        """The verb with its one operation, checked against what the verb allows."""
        name = type(verb).__name__.lower()
        wanted = _EDIT_FORMS[name]
        if len(edits) != 1:
            where = edits[1].meta if edits else meta
            self._fail(where, "bad-edit", msg("a {verb} item holds exactly one operation: {wanted}", verb=name,
                                                  wanted=wanted))
        edit = edits[0]
        if edit.form not in _EDIT_ALLOWED[name]:
            self._fail(edit.meta, "bad-edit", msg("a {verb} item holds {wanted}, not {written}", verb=name, wanted=wanted,
                                                  written=edit.written))
        if not verb.targets and edit.form in ("delete-sentence", "append-sentence", "replace-sentence"):
            self._fail(edit.meta, "bad-edit", msg("a sentence is counted within one point; name the point instead of "
                                                  "everywhere"))
        twice = sorted({str(label) for label in verb.targets if verb.targets.count(label) > 1})
        if twice:
            self._fail(meta, "bad-edit", msg("the item names {labels} twice", labels=twice))
        if name == "replace" and edit.form == "replace-sentence":
            return m.Replace(verb.targets, None, edit.words, scope=edit.sentence)
        if name == "replace":
            return m.Replace(verb.targets, edit.phrase, edit.words)
        if name == "delete":
            return m.Delete(verb.targets, edit.phrase, edit.sentence)
        place = {"append-sentence": "sentence", "after": "after", "before": "before"}[edit.form]
        return m.Amend(verb.targets, place, edit.words, edit.phrase)

    def _scoped(self, verb: m.Edit, scopes: list) -> m.Edit:
        """The operation narrowed to one sentence ("asendan punkti X teises lauses …")."""
        if not scopes:
            return verb
        scope = scopes[0]
        if not verb.targets:
            self._fail(scope.meta, "bad-edit", msg("a sentence is counted within one point; name the point instead of "
                                                  "everywhere"))
        if isinstance(verb, m.Delete) and verb.sentence is not None or isinstance(verb, m.Amend) and verb.place == "sentence":
            self._fail(scope.meta, "bad-edit", msg('"in sentence" narrows a phrase\'s search; this operation names no '
                                                   'phrase'))
        if isinstance(verb, m.Replace) and verb.phrase is None:
            self._fail(scope.meta, "bad-edit", msg('"sentence N by" names its sentence already; drop "in sentence"'))
        return attrs.evolve(verb, scope=scope.sentence)

    def replace(self, meta, *targets):
        return m.Replace(_labels(targets), "", "")

    def delete(self, meta, *targets):
        return m.Delete(_labels(targets))

    def amend(self, meta, *targets):
        return m.Amend(_labels(targets), "", "")

    def everywhere(self, meta):
        return _EVERYWHERE

    def edit_words(self, meta, phrase, by=None):
        phrase = self._phrase(phrase)
        if by is None:
            return _EditPart(meta, "words", "delete-words", f'words "{phrase}"', phrase=phrase)
        return _EditPart(meta, "words", "replace-words", f'words "{phrase}" by "…"', phrase=phrase, words=_string(by))

    def edit_sentence(self, meta, which, by=None):
        if which.type == "STRING":
            if by is not None:
                self._fail(by, "bad-edit", msg('a sentence appended is written sentence "…"; a sentence replaced, '
                                               'sentence N by "…"'))
            return _EditPart(meta, "sentence", "append-sentence", 'sentence "…"', words=self._phrase(which))
        number = self._sentence_number(which)
        if by is not None:
            return _EditPart(meta, "sentence", "replace-sentence", f'sentence {which} by "…"', sentence=number,
                             words=self._phrase(by))
        return _EditPart(meta, "sentence", "delete-sentence", f"sentence {which}", sentence=number)

    def edit_scope(self, meta, which):
        return _Scope(meta, self._sentence_number(which))

    def _sentence_number(self, which: Token) -> int:
        """A sentence counted from 1, or the last one (``last``)."""
        if which.type == "LAST":
            return m.LAST_SENTENCE
        number = self._int(which)
        if number < 1:
            self._fail(which, "bad-edit", msg("sentences are counted from 1"))
        return number

    def edit_after(self, meta, anchor, words):
        return _EditPart(meta, "after", "after", 'after "…" words "…"', phrase=self._phrase(anchor), words=self._phrase(words))

    def edit_before(self, meta, anchor, words):
        return _EditPart(meta, "before", "before", 'before "…" words "…"', phrase=self._phrase(anchor), words=self._phrase(words))

    def _phrase(self, token: Token) -> str:
        text = _string(token)
        if not text.strip():
            self._fail(token, "bad-edit", msg("a quoted phrase of an edit holds words; this one is empty"))
        return text

    def item_applies_from(self, meta, date):
        return _AppliesFrom(meta, self._date(date))

    def item_number(self, meta, token):
        return None if str(token) == "?" else str(token)

    def substitute(self, meta, target):
        return m.Substitute(target)

    def retitle(self, meta, target):
        return m.Retitle(target)

    def insert(self, meta, label, after=None):
        if after is not None and after.parent != label.parent:
            self._fail(meta, "bad-insert", msg("{label} is inserted after {after}, which is not its sibling", label=label,
                                                    after=after))
        return m.Insert(label, after)

    def repeal(self, meta, target):
        return m.Repeal(target)

    def renumber(self, meta, first, *rest):
        last, by = (rest[0], rest[1]) if len(rest) == 2 else (None, rest[0])
        if last is not None and (last.parent != first.parent or last < first):
            self._fail(meta, "bad-renumber", msg("{first}..{last} is not a range of siblings", first=first, last=last))
        if self._int(by) == 0:
            self._fail(by, "bad-renumber", msg("a renumbering moves by a non-zero number"))
        return m.Renumber(first, last, int(by))


_EVERYWHERE = "everywhere"

# What each edit verb holds, as the error message words it, and which operations those are.
_EDIT_FORMS = {
    "replace": 'words "A" by "B" or sentence N by "…"',
    "delete": 'words "A" or sentence N (or last)',
    "amend": 'after "A" words "B", before "A" words "B" or sentence "…"',
}
_EDIT_ALLOWED = {
    "replace": ("replace-words", "replace-sentence"),
    "delete": ("delete-words", "delete-sentence"),
    "amend": ("after", "before", "append-sentence"),
}


@attrs.frozen
class _EditPart:
    """One operation read inside an item's braces, before its verb is known to allow it."""

    meta: object = attrs.field(eq=False)
    keyword: str
    form: str  # replace-words | replace-sentence | delete-words | delete-sentence | after | before | append-sentence
    written: str
    phrase: str | None = None
    words: str = ""
    sentence: int | None = None


@attrs.frozen
class _Scope:
    """``in sentence N``: the one sentence an edit's phrase is looked for in."""

    meta: object = attrs.field(eq=False)
    sentence: int


@attrs.frozen
class _AppliesFrom:
    meta: object = attrs.field(eq=False)
    day: dt.date


def _labels(targets) -> tuple[m.Label, ...]:
    """The targets of an edit; ``everywhere`` is none."""
    return () if targets == (_EVERYWHERE,) else tuple(targets)


def _attach(act: m.Act, parts: dict, builder: _Builder) -> m.Act:
    """Points belong to a directive, items to an amending act."""
    if act.kind != "amending" and parts["items"]:
        builder._fail(parts["items"][0].location, "item-in-directive", msg("a directive enacts points, not amendment items"))
    if act.kind == "amending" and parts["points"]:
        builder._fail(parts["points"][0].location, "point-in-amendment", msg("an amending act changes points through items"))
    return attrs.evolve(act, points=tuple(parts["points"]), items=tuple(parts["items"]))
