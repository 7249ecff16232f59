"""Scenario files: answers that legal staff and auditors expect, written down for ``tat test``.

A scenario file names the law it asks (an instrument, or DSL files, a reading, assumed act dates)
and lists cases, each one question with the answers expected of it::

    instrument: tat
    cases:
      - name: the final report took 45 days before the 2020 act   # memo2020 495-500
        point: 11.3
        on: 2019-06-01
        status: in force
        wording: unknown
      - cost: {activity: 2.1, party: elluviija, category: 7.1.3.1, incurred_on: 01.03.2016,
               paid_on: 10.03.2016, amount: "2 500,00"}
        on: 2021-06-01
        verdict: eligible

The file is YAML because every node of it knows its line and column, so a case that fails and a
value that is wrong are named by file:line:col, and because legal text runs over lines in it as
people write it. It is read safely and as text: the YAML is only composed into a tree of nodes (no
constructor runs, so nothing read can run code); tags (``!!python/…``), anchors and aliases are
refused; every value is text until its key says what it is, so ``11.3`` stays the label 11.3 (not
a float), ``no`` a word, and a date is read by the engine's one strict reader (YYYY-MM-DD or
DD.MM.YYYY). Keys and the words of values may be English or Estonian (:data:`KEYS`, :data:`WORDS`),
matched regardless of case, diacritics, spaces and hyphens.

Reading collects every problem it finds (a bad case does not hide the next) as located
:class:`~tat_engine.errors.Diagnostic` values; the cases that read well are kept.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Union

import yaml
from attrs import frozen

from .. import dates
from .. import model as m
from ..errors import Diagnostic, caret
from ..instruments import INSTRUMENTS

MAX_BYTES = 4 << 20  # a scenario file is written by hand; anything larger is not one

# canonical key -> its Estonian names
KEYS = {
    # the file
    "title": ("pealkiri",), "instrument": ("meede",), "corpus": ("korpus",), "reading": ("tõlgendus",),
    "assume": ("eeldus",), "cases": ("juhtumid",),
    # a case: its question
    "name": ("nimi",), "point": ("punkt",), "cost": ("kulu",), "deadline": ("tähtaeg",),
    "on": ("kuupäev",), "facts_on": ("asjaolude_kuupäev",), "trigger": ("algus",),
    "extension_days": ("pikendus",), "fixed_dates": ("kindlad_kuupäevad",),
    # a case: what is expected
    "status": ("olek",), "says": ("ütleb",), "contains": ("sisaldab",), "wording": ("sõnastus",),
    "act": ("käskkiri",), "item": ("käskkirja_punkt",), "since": ("alates",), "renumbered_to": ("uus_number",),
    "law_on": ("õigus_kuupäeval",), "verdict": ("otsus",), "eligible_amount": ("abikõlblik_summa",),
    "reason": ("põhjus",), "due": ("tähtpäev",), "bound": ("piir",), "alternatives": ("võimalused",),
    "determined": ("kindel",), "hinges_on": ("sõltub",), "refused": ("keeldub",),
}
FILE_KEYS = ("title", "instrument", "corpus", "reading", "assume", "cases")
QUESTIONS = ("point", "cost", "deadline")
COMMON = ("name", "determined", "hinges_on", "refused")
ASKS = {  # what each question takes besides itself, and what may be expected of its answer
    "point": (("on", "facts_on"), ("status", "says", "contains", "wording", "act", "item", "since", "renumbered_to",
                                   "law_on")),
    "cost": (("on",), ("verdict", "eligible_amount", "reason")),
    "deadline": (("on", "trigger", "extension_days", "fixed_dates"),
                 ("due", "bound", "alternatives", "act", "item", "law_on")),
}
REQUIRED = {"point": ("on",), "cost": ("on",), "deadline": ()}

# canonical word -> its other writings, per kind of value
WORDS = {
    "status": {"in force": ("kehtib", "kehtiv"), "not yet in force": ("ei kehti veel", "pole veel jõus"),
               "repealed": ("kehtetu", "kehtetuks tunnistatud"), "renumbered": ("ümber nummerdatud",),
               "no such label": ("pole sellist punkti", "sellist punkti pole")},
    "wording": {"known": ("teada", "teadaolev"), "unknown": ("teadmata",), "reconstructed": ("taastatud",)},
    "verdict": {"eligible": ("abikõlblik",), "partially eligible": ("partly eligible", "osaliselt abikõlblik"),
                "ineligible": ("mitteabikõlblik",), "undetermined": ("määramata",),
                "invalid input": ("vigane sisend",)},
    "bound": {"at_most": ("at most", "kuni"), "at_least": ("at least", "vähemalt"), "exactly": ("täpselt",),
              "fixed": ("kindel kuupäev",)},
    "fixed_dates": {"move": ("liiguvad",), "stay": ("jäävad",)},
    "boolean": {"yes": ("true", "jah"), "no": ("false", "ei")},
    "due": {"undetermined": ("määramata",), "none": ("puudub",)},
}


@frozen
class Expectation:
    """One expected answer: its key (canonical), the value as read, and where the file states it."""

    key: str
    value: object  # str, date, Decimal, bool, or a tuple of those
    where: m.Location


@frozen
class PointQuestion:
    label: str
    on: dt.date  # the day asked; with facts_on, the decision date
    facts_on: dt.date | None = None


@frozen
class CostQuestion:
    fields: tuple[tuple[str, str], ...]  # ledger column (canonical name) -> the value as written
    on: dt.date  # the decision date


@frozen
class DeadlineQuestion:
    kind: str
    trigger: dt.date | None = None
    on: dt.date | None = None  # the decision date (default: the trigger day)
    extension_days: int = 0
    move_fixed: bool = True


Question = Union[PointQuestion, CostQuestion, DeadlineQuestion]


@frozen
class Case:
    name: str  # as the file names it, or "" (the runner describes the question)
    question: Question
    expected: tuple[Expectation, ...]
    where: m.Location  # the case's first line
    asked: m.Location  # the question's value (a refusal is reported there)


@frozen
class Setting:
    """The law a file asks: an instrument or DSL files (paths resolved from the file's folder),
    a reading's options and act dates supplied."""

    instrument: str | None = None
    corpus: tuple[str, ...] = ()
    reading: tuple[tuple[str, str], ...] = ()
    assume: tuple[tuple[str, dt.date], ...] = ()
    where: m.Location | None = None  # of the key that names the law (instrument or corpus), if any
    reading_at: m.Location | None = None
    assume_at: m.Location | None = None


@frozen
class ScenarioFile:
    path: str
    title: str
    setting: Setting
    cases: tuple[Case, ...]
    diagnostics: tuple[Diagnostic, ...]  # errors: the file is bad, though its good cases still run


class _Bad(Exception):
    """A located problem; reading the enclosing case (or file) stops there."""

    def __init__(self, node, message: str):
        super().__init__(message)
        self.mark = node.start_mark if hasattr(node, "start_mark") else node


def fold(name: str) -> str:
    """A key or word without case, diacritics, or the difference of space, hyphen and underscore.

    >>> fold("Asjaolude kuupäev"), _CANONICAL[fold("Asjaolude kuupäev")]
    ('asjaolude_kuupaev', 'facts_on')
    """
    bare = "".join(char for char in unicodedata.normalize("NFKD", name) if not unicodedata.combining(char))
    return re.sub(r"[\s_-]+", "_", bare.strip().casefold())


_CANONICAL = {fold(written): key for key, names in KEYS.items() for written in (key, *names)}


def read_scenarios(path: str | Path) -> ScenarioFile:
    """The scenario file at ``path``: its cases, and every problem found, located."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        return _refused(name, f"cannot read the file: {error.strerror or error}")
    if len(data) > MAX_BYTES:
        return _refused(name, f"the file is over {MAX_BYTES >> 20} MiB; a scenario file is written by hand")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        return _refused(name, "the file is not UTF-8 text (byte %d of the line cannot be read)" % column, line, 1)
    return parse_scenarios(text, name)


def _refused(path: str, message: str, line: int | None = None, column: int = 1) -> ScenarioFile:
    where = m.Location(path, line, column) if line else None
    message = message if where else f"{path}: {message}"
    return ScenarioFile(path, "", Setting(), (), (Diagnostic("error", "scenario-file", message, where),))


def parse_scenarios(text: str, path: str = "<scenarios>") -> ScenarioFile:
    """Scenarios from ``text`` (the contents of ``path``; corpus paths are resolved from its folder)."""
    problems: list[Diagnostic] = []

    def located(bad: _Bad) -> Diagnostic:
        line, column = bad.mark.line + 1, bad.mark.column + 1
        return Diagnostic("error", "scenario-file", str(bad), m.Location(path, line, column),
                          context=caret(text, line, column))

    try:
        root = _compose(text, path)
        if root is None:
            raise _Bad(_start(path), "the file holds nothing; a scenario file has `cases:`, "
                       "a list of questions with their expected answers")
        top = _mapping(root, FILE_KEYS, "the file")
        cases_node = top.get("cases")
        if cases_node is None:
            raise _Bad(root, "the file has no `cases:` (juhtumid), the list of questions with their expected answers")
        title = _text(top["title"][1]) if "title" in top else ""
        setting = _setting(top, Path(path).parent)
    except _Bad as bad:
        return ScenarioFile(path, "", Setting(), (), (located(bad),))
    cases = []
    entries = cases_node[1]
    if not isinstance(entries, yaml.SequenceNode) or not entries.value:
        problems.append(located(_Bad(entries, "`cases:` is a list of cases, each starting with `- `")))
        entries = yaml.SequenceNode("", [])
    for entry in entries.value:
        try:
            cases.append(_case(entry))
        except _Bad as bad:
            problems.append(located(bad))
    return ScenarioFile(path, title, setting, tuple(cases), tuple(problems))


class _Loader(yaml.SafeLoader):
    """Composes nodes only; refuses what could make a tree other than the text shows."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Bad(event.start_mark, "anchors and aliases (& and *) are not used in scenario files: "
                       "write each case out in full")
        if getattr(event, "tag", None):
            raise _Bad(event.start_mark, f"tags such as {event.tag!r} are not used in scenario files: "
                       "every value is plain text")
        return super().compose_node(parent, index)


def _compose(text: str, path: str):
    try:
        loader = _Loader(text)  # the reader checks every character here
    except yaml.reader.ReaderError as error:
        raise _unreadable(text, error) from None
    loader.name = path  # every mark, so every node, names the file
    try:
        return loader.get_single_node()
    except yaml.reader.ReaderError as error:
        raise _unreadable(text, error) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise _Bad(mark, f"not YAML as a scenario file is written: {error.problem or error.context}"
                   + (f" ({error.context})" if error.context and error.problem else "")) from None
    except yaml.YAMLError as error:
        raise _Bad(_start(path), f"not YAML as a scenario file is written: {error}") from None
    except RecursionError:
        raise _Bad(_start(path), "the file nests too deeply to be a scenario file") from None
    finally:
        loader.dispose()


def _unreadable(text: str, error) -> _Bad:
    """A character YAML does not admit (a control character), located."""
    before = text[:error.position]
    line, column = before.count("\n"), error.position - (before.rfind("\n") + 1)
    return _Bad(yaml.Mark("", error.position, line, column, None, None),
                f"character U+{error.character:04X} is not allowed in a scenario file (a control character)")


def _start(path: str):
    return yaml.Mark(path, 0, 0, 0, None, None)


# --- nodes -----------------------------------------------------------------------------------


def _mapping(node, allowed, what: str) -> dict[str, tuple]:
    """A mapping's entries by canonical key: (key node, value node). Unknown and repeated keys are refused."""
    if not isinstance(node, yaml.MappingNode):
        raise _Bad(node, f"{what} is a set of `key: value` lines")
    found: dict[str, tuple] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise _Bad(key_node, "a key is a plain word such as `point` or `on`")
        key = _CANONICAL.get(fold(key_node.value))
        if key not in allowed:
            raise _Bad(key_node, _unknown_key(key_node.value, key, allowed, what))
        if key in found:
            raise _Bad(key_node, f"`{key_node.value}` is given twice in {what} (as `{key}`)")
        found[key] = (key_node, value_node)
    return found


def _unknown_key(written: str, key: str | None, allowed, what: str) -> str:
    allowed = [key for key in allowed if key not in QUESTIONS or key in what]  # not the other questions
    if key is not None:
        return f"`{written}` ({key}) does not belong in {what}; it takes: {', '.join(allowed)}"
    names = [name for key in allowed for name in (key, *KEYS[key])]
    near = difflib.get_close_matches(written, names, n=1)
    hint = f"; did you mean `{near[0]}`?" if near else ""
    return f"unknown key `{written}` in {what}{hint} It takes: {', '.join(allowed)} (or their Estonian names)"


def _text(node, what: str = "the value") -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise _Bad(node, f"{what} is one value, not a list or a set of keys")
    if node.style is None and node.value in ("", "~", "null", "Null", "NULL"):
        raise _Bad(node, f"{what} is missing: write it after the colon")
    return node.value


def _texts(node, what: str) -> tuple[str, ...]:
    """One value or a list of them."""
    if isinstance(node, yaml.SequenceNode):
        if not node.value:
            raise _Bad(node, f"{what} is an empty list")
        return tuple(_text(item, what) for item in node.value)
    return (_text(node, what),)


def _day(node, what: str) -> dt.date:
    try:
        return dates.read(_text(node, what))
    except dates.NotADate as error:
        raise _Bad(node, f"{what}: {error}" + (f"; {error.hint}" if error.hint else "")) from None


def _label(node) -> str:
    written = m.tidy_label(_text(node, "the point"))
    try:
        return str(m.Label.parse(written))
    except ValueError:
        raise _Bad(node, f"{written!r} is not a point number; write it like 11.3, 9.1.10 or Lisa 1") from None


def _word(node, kind: str, what: str) -> str:
    """A value from a closed list (:data:`WORDS`), in its canonical form."""
    written = _text(node, what)
    for canonical, others in WORDS[kind].items():
        if fold(written) in {fold(canonical), *map(fold, others)}:
            return canonical
    choices = ", ".join(WORDS[kind])
    raise _Bad(node, f"{what} is one of: {choices} (or their Estonian names), not {written!r}")


def _amount(node, what: str) -> Decimal:
    written = _text(node, what)
    plain = re.sub(r"[ \u00a0\u202f]", "", written).replace(",", ".")
    if not re.fullmatch(r"-?[0-9]{1,15}(\.[0-9]{1,2})?", plain):
        raise _Bad(node, f"{what} is euros with at most two decimals, e.g. 500.00 or 2 500,00; not {written!r}")
    return Decimal(plain)


# --- the file's law and its cases --------------------------------------------------------------


def _setting(top: dict, folder: Path) -> Setting:
    if "instrument" in top and "corpus" in top:
        raise _Bad(top["corpus"][0], "name either an `instrument` or a `corpus`, not both")
    instrument, corpus, where = None, (), None
    if "instrument" in top:
        key_node, node = top["instrument"]
        instrument, where = _text(node, "the instrument"), _where(key_node)
        if instrument not in INSTRUMENTS:
            raise _Bad(node, f"no instrument {instrument!r}; instruments: {', '.join(INSTRUMENTS)}")
    if "corpus" in top:
        key_node, node = top["corpus"]
        corpus, where = tuple(str(folder / p) for p in _texts(node, "the corpus")), _where(key_node)
    reading = assume = ()
    if "reading" in top:
        reading = tuple((_text(k, "the reading"), _text(v, "the option"))
                        for k, v in _pairs(top["reading"][1], "`reading:` (a reading's name: its option)"))
    if "assume" in top:
        assume = tuple((_text(k, "the act"), _day(v, "the act's date"))
                       for k, v in _pairs(top["assume"][1], "`assume:` (an act's number: its date)"))
    return Setting(instrument, corpus, reading, assume, where,
                   _where(top["reading"][0]) if "reading" in top else None,
                   _where(top["assume"][0]) if "assume" in top else None)


def _pairs(node, what: str):
    if not isinstance(node, yaml.MappingNode):
        raise _Bad(node, f"{what} is a set of `name: value` lines")
    return node.value


def _where(node) -> m.Location:
    mark = node.start_mark
    return m.Location(mark.name, mark.line + 1, mark.column + 1)


def _case(node) -> Case:
    if not isinstance(node, yaml.MappingNode):
        raise _Bad(node, "a case is a set of `key: value` lines: a question (point, cost or deadline) and its "
                   "expected answers")
    asked = [key for key_node, _ in node.value if (key := _CANONICAL.get(fold(key_node.value)) if
                                                   isinstance(key_node, yaml.ScalarNode) else None) in QUESTIONS]
    if not asked:
        raise _Bad(node, "a case asks one question: `point`, `cost` or `deadline` (punkt, kulu, tähtaeg)")
    kind = asked[0]
    takes, expects = ASKS[kind]
    entries = _mapping(node, (kind,) + takes + expects + COMMON + tuple(q for q in QUESTIONS if q != kind),
                       f"a {kind} case")
    if len(asked) > 1:
        raise _Bad(entries[asked[1]][0], f"a case asks one question; this one asks {asked[0]} and {asked[1]}: "
                   "make them two cases")
    for needed in REQUIRED[kind]:
        if needed not in entries:
            raise _Bad(node, f"a {kind} case needs `{needed}` ({KEYS[needed][0]}): {_NEEDS[needed]}")
    question = _QUESTION_READERS[kind](entries)
    expected = tuple(_expectation(key, key_node, value_node) for key, (key_node, value_node) in entries.items()
                     if key in expects or key in COMMON[1:])
    if not expected:
        raise _Bad(node, f"the case states no expected answer; a {kind} case may expect: "
                   f"{', '.join(expects + COMMON[1:])}")
    refused = [e for e in expected if e.key == "refused"]
    if refused and len(expected) > 1:
        raise _Bad(entries["refused"][0], "a case expected to be refused expects nothing else of the answer")
    name = _text(entries["name"][1], "the name") if "name" in entries else ""
    return Case(name, question, expected, _where(node), _where(entries[kind][1]))


_NEEDS = {"on": "the date the question is decided on (YYYY-MM-DD or DD.MM.YYYY)"}


def _point_question(entries) -> PointQuestion:
    facts_on = _day(entries["facts_on"][1], "facts_on") if "facts_on" in entries else None
    return PointQuestion(_label(entries["point"][1]), _day(entries["on"][1], "on"), facts_on)


def _cost_question(entries) -> CostQuestion:
    from ..rules.ledger import COLUMN_NAMES, OPTIONAL, REQUIRED as COLUMNS

    node = entries["cost"][1]
    if not isinstance(node, yaml.MappingNode):
        raise _Bad(node, "a cost is a set of `column: value` lines, as a ledger row: " + ", ".join(COLUMNS))
    meaning = {fold(written): column for column, names in COLUMN_NAMES.items() for written in (column, *names)}
    fields: dict[str, str] = {}
    for key_node, value_node in node.value:
        column = meaning.get(fold(key_node.value)) if isinstance(key_node, yaml.ScalarNode) else None
        if column not in COLUMNS + OPTIONAL:
            near = difflib.get_close_matches(str(getattr(key_node, "value", "")), list(meaning), n=1)
            raise _Bad(key_node, f"a cost has no column {getattr(key_node, 'value', '?')!r}"
                       + (f" (did you mean {near[0]!r}?)" if near else "")
                       + f"; the ledger's columns: {', '.join(COLUMNS + OPTIONAL)} (or their Estonian names)")
        if column in fields:
            raise _Bad(key_node, f"the cost gives {column} twice")
        fields[column] = _text(value_node, column) if not _empty(value_node) else ""
    missing = [column for column in COLUMNS if column not in fields]
    if missing:
        raise _Bad(node, f"the cost lacks {', '.join(missing)} (a ledger row's required columns: {', '.join(COLUMNS)})")
    return CostQuestion(tuple(fields.items()), _day(entries["on"][1], "on"))


def _empty(node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.style is None and node.value in ("", "~", "null")


def _deadline_question(entries) -> DeadlineQuestion:
    trigger = _day(entries["trigger"][1], "trigger") if "trigger" in entries else None
    on = _day(entries["on"][1], "on") if "on" in entries else None
    extension = 0
    if "extension_days" in entries:
        node = entries["extension_days"][1]
        written = _text(node, "extension_days")
        if not re.fullmatch(r"[0-9]{1,9}", written.strip()):
            raise _Bad(node, f"extension_days is a whole number of days, 0 or more; not {written!r}")
        extension = int(written)
    move = _word(entries["fixed_dates"][1], "fixed_dates", "fixed_dates") == "move" if "fixed_dates" in entries else True
    return DeadlineQuestion(_text(entries["deadline"][1], "the deadline's kind"), trigger, on, extension, move)


_QUESTION_READERS = {"point": _point_question, "cost": _cost_question, "deadline": _deadline_question}


def _expectation(key: str, key_node, node) -> Expectation:
    return Expectation(key, _EXPECTED[key](node, key), _where(key_node))


def _due(node, what: str):
    """A due date, or ``undetermined`` or ``none`` (no deadline: the rule skips it)."""
    written = fold(_text(node, what))
    named = [canonical for canonical, others in WORDS["due"].items() if written in {fold(canonical), *map(fold, others)}]
    return named[0] if named else _day(node, what)


def _dues(node, what: str) -> tuple:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise _Bad(node, f"{what} is a list of due dates, one for each possibility, e.g. [2020-07-03, 2020-07-10]")
    return tuple(_due(item, what) for item in node.value)


_EXPECTED = {
    "status": lambda node, key: _word(node, "status", key),
    "says": lambda node, key: _text(node, key),
    "contains": _texts,
    "wording": lambda node, key: _word(node, "wording", key),
    "act": lambda node, key: _text(node, key),
    "item": lambda node, key: _text(node, key),
    "since": _day,
    "renumbered_to": lambda node, key: _label(node),
    "law_on": _day,
    "verdict": lambda node, key: _word(node, "verdict", key),
    "eligible_amount": _amount,
    "reason": lambda node, key: tuple(m.tidy_label(text) for text in _texts(node, key)),
    "due": _due,
    "bound": lambda node, key: _word(node, "bound", key),
    "alternatives": _dues,
    "determined": lambda node, key: _word(node, "boolean", key) == "yes",
    "hinges_on": _texts,
    "refused": lambda node, key: _refusal(node),
}


def _refusal(node) -> str:
    """``refused: yes`` (any refusal: "") or words the refusal's message must contain."""
    written = _text(node, "refused")
    return "" if fold(written) in ("yes", "true", "jah") else written
