"""``tat test``: every case of scenario files asked of the law, and its answer compared with the expected.

Each question goes through the same call a user's command makes (``law.point``, ``law.applicable``,
the ledger's judging of one row, ``deadline``), so a scenario tests what users are told. An answer
is *observed* as a few named values (its status, wording, verdict, due date, what it hinges on …);
each expectation compares one of them. A case passes when every expectation holds.

A question the engine refuses (a deadline kind the instrument does not declare, costs under an
instrument with no cost rules) is a bad case, located at the question, unless the case expects the
refusal (``refused:``). A cost the ledger cannot read (invalid input) is a bad case too, unless its
expected verdict is ``invalid input``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
from attrs import frozen

from .. import model as m
from ..errors import CorpusError, Diagnostic, QueryError, caret
from ..history.answers import InForce, NoSuchLabel, NotYetInForce, Renumbered, Repealed
from .scenarios import Case, CostQuestion, DeadlineQuestion, Expectation, PointQuestion, Setting, read_scenarios


@frozen
class Mismatch:
    """An expectation the answer does not meet: what was expected and what the engine answered."""

    key: str
    expected: str
    actual: str
    where: m.Location


@frozen
class CaseResult:
    where: m.Location
    title: str  # the case's name, or its question in words
    passed: bool
    answer: str  # the engine's answer in one line
    mismatches: tuple[Mismatch, ...] = ()


@frozen
class FileRun:
    path: str
    title: str
    law: str  # the law asked, in words
    results: tuple[CaseResult, ...]
    diagnostics: tuple[Diagnostic, ...]  # a bad file or bad cases (exit 2)


@frozen
class ScenarioRun:
    files: tuple[FileRun, ...]

    @property
    def passed(self) -> int:
        return sum(r.passed for f in self.files for r in f.results)

    @property
    def failed(self) -> int:
        return sum(not r.passed for f in self.files for r in f.results)

    @property
    def errors(self) -> int:
        return sum(len(f.diagnostics) for f in self.files)

    @property
    def exit_code(self) -> int:
        """0 every case passed, 1 a case failed, 2 a file (or a case in it) is bad."""
        return 2 if self.errors else 1 if self.failed else 0


@frozen
class Override:
    """The command line's choice of law, which takes the place of a file's own."""

    corpus: tuple[str, ...] = ()
    instrument: str | None = None
    reading: tuple[tuple[str, str], ...] = ()
    assume: tuple[tuple[str, dt.date], ...] = ()


def run_files(paths, override: Override = Override()) -> ScenarioRun:
    """Every case of every file, each file under its own law (or the override's)."""
    laws: dict = {}
    return ScenarioRun(tuple(run_file(path, override, laws) for path in paths))


def run_file(path, override: Override = Override(), laws: dict | None = None) -> FileRun:
    scenarios = read_scenarios(path)
    problems = list(scenarios.diagnostics)
    setting = _chosen(scenarios.setting, override)
    if not scenarios.cases:  # nothing to ask: the law is not loaded
        return FileRun(scenarios.path, scenarios.title, "", (), tuple(problems))
    try:
        law = _law(setting, {} if laws is None else laws)
    except _LawRefused as refused:
        return FileRun(scenarios.path, scenarios.title, refused.words, (), tuple(problems + refused.diagnostics))
    results = []
    for case in scenarios.cases:
        try:
            results.append(run_case(law, case))
        except _CaseRefused as refused:
            problems.append(refused.diagnostic)
    return FileRun(scenarios.path, scenarios.title, _words(law, setting), tuple(results), tuple(problems))


def _chosen(setting: Setting, override: Override) -> Setting:
    """The file's law, with what the command line gives in its place: a corpus or instrument
    replaces the file's; readings and assumed dates are added over the file's."""
    if override.corpus or override.instrument:
        setting = attrs.evolve(setting, corpus=override.corpus, instrument=override.instrument, where=None)
    return attrs.evolve(setting, reading=tuple({**dict(setting.reading), **dict(override.reading)}.items()),
                        assume=tuple({**dict(setting.assume), **dict(override.assume)}.items()))


class _LawRefused(Exception):
    def __init__(self, words: str, diagnostics: list[Diagnostic]):
        super().__init__(words)
        self.words, self.diagnostics = words, diagnostics


class _CaseRefused(Exception):
    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _law(setting: Setting, laws: dict):
    """The law a file asks, loaded once per run for each distinct choice."""
    from .. import load

    key = (setting.corpus, setting.instrument, setting.reading, setting.assume)
    if key not in laws:
        try:
            laws[key] = load(list(setting.corpus) or None, dict(setting.assume), instrument=setting.instrument or "tat",
                             reading=dict(setting.reading))
        except CorpusError as error:
            laws[key] = _LawRefused("a corpus with errors", [_at(setting.where, "the corpus has errors (below)")]
                                    + [d for d in error.diagnostics if d.severity == "error"])
        except QueryError as error:
            where = setting.reading_at if "reading" in str(error) else setting.assume_at or setting.where
            laws[key] = _LawRefused("a law that cannot be loaded", [_at(where, str(error))])
        except OSError as error:
            laws[key] = _LawRefused("a corpus that cannot be read",
                                    [_at(setting.where, f"{error.strerror or error}: {error.filename}")])
    found = laws[key]
    if isinstance(found, _LawRefused):
        raise found
    return found


def _at(where: m.Location | None, message: str) -> Diagnostic:
    return Diagnostic("error", "scenario-file", message, where, context=_context(where))


def _context(where: m.Location | None) -> str:
    if where is None or where.path.startswith("<"):
        return ""
    try:
        with open(where.path, encoding="utf-8-sig") as handle:
            return caret(handle.read(), where.line, where.column)
    except (OSError, UnicodeDecodeError):
        return ""


def _words(law, setting: Setting) -> str:
    what = f"corpus {', '.join(setting.corpus)}" if setting.corpus else f"instrument {setting.instrument or 'tat'}"
    readings = [f"reading {name} = {option}" for name, option in law.choice.items()]
    assumed = [f"act {number} dated {day}" for number, day in setting.assume]
    return "; ".join([what] + readings + assumed)


# --- one case ---------------------------------------------------------------------------------


def run_case(law, case: Case) -> CaseResult:
    """The case's question asked of ``law``, its answer compared with every expectation."""
    question = case.question
    expected_refusal = next((e for e in case.expected if e.key == "refused"), None)
    try:
        observed = _OBSERVERS[type(question)](law, question)
    except QueryError as error:
        if expected_refusal is None:
            raise _CaseRefused(_at(case.asked, f"the engine refuses the question: {error}")) from None
        wanted = expected_refusal.value
        held = wanted.casefold() in str(error).casefold()
        mismatch = () if held else (Mismatch("refused", f"refused, saying {wanted!r}", f"refused: {error}",
                                             expected_refusal.where),)
        return CaseResult(case.where, case.name or describe_question(question), held, f"refused: {error}", mismatch)
    summary, values = observed
    if values.get("verdict") == "invalid input" and not any(e.key == "verdict" and e.value == "invalid input"
                                                            for e in case.expected):
        raise _CaseRefused(_at(case.asked, f"the cost cannot be judged: {summary.split(': ', 1)[-1]}"))
    mismatches = tuple(filter(None, (_compare(e, values, summary) for e in case.expected)))
    return CaseResult(case.where, case.name or describe_question(question), not mismatches, summary, mismatches)


def describe_question(question) -> str:
    """A case's question in words, for a case without a name."""
    match question:
        case PointQuestion(label, on, None):
            return f"point {label} on {on}"
        case PointQuestion(label, on, facts_on):
            return f"point {label} applied to facts of {facts_on}, decided on {on}"
        case CostQuestion(fields, on):
            cost = dict(fields)
            return (f"a cost of {cost['amount']} for activity {cost['activity']}, category {cost['category']}, "
                    f"incurred {cost['incurred_on']}, decided on {on}")
        case DeadlineQuestion(kind, trigger, on, _, _):
            return f"deadline {kind}" + (f" from {trigger}" if trigger else "") + (f", decided on {on}" if on else "")
    return str(question)


def _compare(expected: Expectation, values: dict, summary: str) -> Mismatch | None:
    if expected.key == "refused":
        return Mismatch("refused", "the question refused" + (f", saying {expected.value!r}" if expected.value else ""),
                        f"answered: {summary}", expected.where)
    actual = values.get(expected.key)
    holds, shown_expected, shown_actual = _COMPARE.get(expected.key, _equal)(expected.value, actual)
    if holds:
        return None
    return Mismatch(expected.key, shown_expected, shown_actual, expected.where)


def _show(value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list, set, frozenset)):
        return "[" + ", ".join(map(_show, value)) + "]"
    return str(value)


def _equal(expected, actual):
    return expected == actual, _show(expected), _show(actual)


def _one_of(expected, actual: tuple):
    """The act or item: the one that made the wording, or the one that began this version (a renumbering)."""
    return expected in actual, _show(expected), " or ".join(map(_show, actual)) or "(none)"


def _spaced(text: str | None) -> str | None:
    return None if text is None else " ".join(text.split())


def _says(expected: str, actual):
    """The wording exactly, spaces and line breaks aside; it may start with the point's number, as an act quotes it."""
    if actual is None or actual[0] is None:
        return False, repr(_spaced(expected)), "(no wording)"
    text, label = actual
    wanted, found = _spaced(expected), _spaced(text)
    for prefix in (f"{label}. ", f"{label} "):
        if wanted.startswith(prefix) and not found.startswith(prefix):
            wanted = wanted[len(prefix):]
    if wanted == found:
        return True, "", ""
    at = next((i for i, (a, b) in enumerate(zip(wanted, found)) if a != b), min(len(wanted), len(found)))
    start = max(0, at - 30)
    return False, repr(wanted), f"{found!r}\n    first difference at character {at + 1}: expected " \
        f"{wanted[start:at + 30]!r}, the engine has {found[start:at + 30]!r}"


def _contains(expected: tuple, actual):
    text = _spaced(actual) or ""
    missing = [part for part in expected if _spaced(part) not in text]
    return not missing, "containing " + ", ".join(map(repr, expected)), (
        f"{text!r} lacks {', '.join(map(repr, missing))}" if actual else "(no wording)")


def _includes(expected: tuple, actual: tuple):
    missing = [part for part in expected if part not in actual]
    return not missing, "among them " + _show(expected), _show(actual)


def _hinges(expected: tuple, actual: tuple):
    missing = [part for part in expected if not any(part.casefold() in hinge.casefold() for hinge in actual)]
    return not missing, "hinging on " + ", ".join(map(repr, expected)), (
        "; ".join(actual) if actual else "hinges on nothing: determined under every possibility")


def _same_set(expected: tuple, actual: tuple):
    return set(expected) == set(actual), _show(sorted(expected, key=str)), _show(sorted(actual, key=str))


_COMPARE = {"says": _says, "contains": _contains, "act": _one_of, "item": _one_of, "reason": _includes,
            "hinges_on": _hinges, "alternatives": _same_set}


# --- observing answers ---------------------------------------------------------------------------


def _observe_point(law, question: PointQuestion) -> tuple[str, dict]:
    if question.facts_on is None:
        answer = law.point(question.label, question.on)
        alternatives, others, law_on = getattr(answer, "alternatives", ()), (), question.on
    else:
        applied = law.applicable(question.label, question.facts_on, question.on)
        answer, alternatives, others, law_on = applied.answer, applied.alternatives, applied.other_readings, applied.law_on
    values = _point_values(answer)
    values.update(law_on=law_on, determined=not alternatives,
                  hinges_on=tuple(o.when for o in alternatives + others))
    summary = _point_summary(answer)
    if question.facts_on is not None:
        summary += f" (the text in force on {law_on} governs)"
    return summary, values


def _point_values(answer) -> dict:
    match answer:
        case InForce():
            return dict(status="in force", says=(answer.text, answer.label), contains=answer.text, wording=answer.status,
                        act=_acts(answer.citation, answer.change), item=_items(answer.citation, answer.change),
                        since=answer.version.start)
        case NotYetInForce():
            return dict(status="not yet in force", act=_acts(answer.first.citation), item=_items(answer.first.citation),
                        since=answer.from_date)
        case Repealed():
            return dict(status="repealed", act=_acts(answer.by), item=_items(answer.by), since=answer.since)
        case Renumbered():
            return dict(status="renumbered", act=_acts(answer.by), item=_items(answer.by), since=answer.since,
                        renumbered_to=answer.new_label)
    return dict(status="no such label")


def _point_summary(answer) -> str:
    """What a point's answer says, in one line: its status, the wording's status, and who made it."""
    match answer:
        case InForce():
            numbered = f"; numbered so by {answer.change}" if answer.change != answer.citation else ""
            return f"in force since {answer.version.start}, {answer.status} wording: {answer.citation}{numbered}"
        case NotYetInForce():
            return f"not yet in force; in force from {answer.from_date}: {answer.first.citation}"
        case Repealed():
            return f"repealed since {answer.since}: {answer.by}"
        case Renumbered():
            return f"renumbered {answer.new_label} since {answer.since}: {answer.by}"
    near = f" (near: {', '.join(answer.near)})" if answer.near else ""
    return f"no such label{near}"


def _acts(*citations) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.act.number for c in citations if c is not None))


def _items(*citations) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.item for c in citations if c is not None and c.item))


def _observe_cost(law, question: CostQuestion) -> tuple[str, dict]:
    import pyarrow as pa

    from ..rules.eligibility import UNDETERMINED, VERDICTS, require
    from ..rules.ledger import OPTIONAL, REQUIRED, Vocabulary, judge_batch

    require(law)
    fields = dict(question.fields)
    row = pa.RecordBatch.from_pydict({column: [fields.get(column, "")] for column in REQUIRED + OPTIONAL})
    out, judged, checked = judge_batch(law, row, question.on, Vocabulary.of(law))
    record = out.to_pylist()[0]
    verdict = record["verdict"]
    if verdict == "invalid input":
        return f"invalid input: {record['reasons']}", dict(verdict=verdict, determined=True, hinges_on=())
    reasons = judged.table[judged.reason[0]]
    found = tuple(dict.fromkeys(r.point for r in reasons if r.point != "-"))
    hinges = tuple(str(r) for r in reasons if r.verdict == UNDETERMINED)  # other worlds' verdicts, open values
    hinges += tuple(f"{r.point}: {r.why}" for r in reasons if r.status not in ("known", "derived") and r.verdict != UNDETERMINED)
    values = dict(verdict=verdict, eligible_amount=Decimal(record["eligible_amount"]), reason=found,
                  determined=verdict != VERDICTS[UNDETERMINED], hinges_on=hinges)
    return f"{verdict}, eligible {record['eligible_amount']}: {record['reasons']}", values


def _observe_deadline(law, question: DeadlineQuestion) -> tuple[str, dict]:
    from ..rules.deadlines import deadline

    found = deadline(law, question.kind, question.trigger, question.on, question.extension_days, question.move_fixed)
    due = found.due if found.status == "determined" else found.status
    worlds = tuple(o.value.due if o.value.status == "determined" else o.value.status for o in found.alternatives)
    hinges = tuple(o.when for o in found.alternatives if o.conditions) + tuple(o.when for o in found.other_readings)
    if found.status == "undetermined" and not found.alternatives:
        hinges += tuple(map(str, found.steps))  # messages, written in the current language
    citation = found.rule
    values = dict(due=due, bound=found.bound, alternatives=worlds or (due,), act=_acts(citation), item=_items(citation),
                  law_on=found.law_on, determined=found.status != "undetermined", hinges_on=hinges)
    rule = f"; rule {citation}" if citation else ""
    if found.status == "determined":
        summary = f"due {found.due} ({(found.bound or '').replace('_', ' ')}){rule}"
    elif found.alternatives:
        summary = "undetermined: " + "; ".join(f"{o.when}: {_show(w)}" for o, w in zip(found.alternatives, worlds)) + rule
    else:
        summary = f"{found.status}: {'; '.join(map(str, found.steps))}{rule}"
    return summary, values


_OBSERVERS = {PointQuestion: _observe_point, CostQuestion: _observe_cost, DeadlineQuestion: _observe_deadline}
