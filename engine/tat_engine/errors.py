"""One root error type, and diagnostics as values.

Loading collects diagnostics (``file:line:col: severity: message``, then the
line and a caret) instead of stopping at the first problem; errors among
them make :class:`CorpusError`. A DSL syntax error is a :class:`DslError`.
"""

from __future__ import annotations

from attrs import field, frozen

from .messages import N_, Message, say
from .model import Location

SEVERITIES = {"error": N_("error"), "warning": N_("warning")}  # as a reader sees them


@frozen
class Diagnostic:
    """A finding about the corpus, with where it stands."""

    severity: str  # error | warning
    code: str  # short kebab-case kind, e.g. unknown-target
    said: Message | str = field(alias="message")  # written in the reader's language when shown (the index caches it)
    location: Location | None = None
    point: str | None = None  # the point label it concerns, if any
    context: str = field(default="", eq=False)  # the source line and a caret

    @property
    def message(self) -> str:
        """The finding in the current language (:func:`tat_engine.messages.using`)."""
        return str(self.said)

    def render(self) -> str:
        where = f"{self.location}: " if self.location else ""
        head = f"{where}{say(SEVERITIES.get(self.severity, self.severity))}: {self.message} [{self.code}]"
        return f"{head}\n{self.context}" if self.context else head


class TatError(Exception):
    """Root of every error the engine raises on purpose."""


class DslError(TatError):
    """A DSL file that does not parse or does not make sense."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.render())
        self.diagnostic = diagnostic

    @property
    def location(self) -> Location | None:
        return self.diagnostic.location


class CorpusError(TatError):
    """A corpus with errors; every diagnostic is kept, warnings included."""

    def __init__(self, diagnostics: list[Diagnostic]):
        errors = [d for d in diagnostics if d.severity == "error"]
        super().__init__("\n".join(d.render() for d in errors))
        self.diagnostics = diagnostics


class QueryError(TatError):
    """A question the engine cannot read, e.g. a malformed label or date."""


class UndeclaredRules(QueryError):
    """An instrument asked a question whose rules its corpus does not declare, e.g.
    costs judged under an instrument with no eligibility rules: a usage error (CLI exit 2,
    HTTP 4xx), not a verdict on each cost."""

    def __init__(self, instrument: str, rule_set: str, missing: str):
        super().__init__(f"{instrument} declares no {rule_set} rules: its corpus has {missing}")
        self.instrument, self.rule_set, self.missing = instrument, rule_set, missing


class UndeclaredKind(UndeclaredRules):
    """A kind of rule (e.g. of deadline) the instrument does not declare; the message names
    the kinds it does declare, or says it declares none."""

    def __init__(self, instrument: str, rule_set: str, message: str):
        QueryError.__init__(self, message)
        self.instrument, self.rule_set, self.missing = instrument, rule_set, message


class MissingExtra(TatError):
    """A format whose optional libraries are not installed (paper: the ``paper`` extra); the
    message says how to install them. A usage error: CLI exit 2."""


class LedgerError(QueryError):
    """A ledger that cannot be read as a whole (no header, duplicate or nested columns, not CSV or
    Parquet); a single bad row is not an error but an "invalid input" verdict with its reason."""


_WIDTH = 100  # characters of a long source line shown around the caret


def caret(text: str, line: int, column: int) -> str:
    """The source line and a caret under ``column`` (both 1-based)."""
    return caret_in(source_lines(text), line, column)


def source_lines(text: str) -> list[str]:
    """A file's lines as :func:`caret_in` reads them: split once per file, however
    many diagnostics point into it."""
    return text.splitlines() + [""]  # an error at the very end points past the last line


def caret_in(lines: list[str], line: int, column: int) -> str:
    """:func:`caret` over lines already split; a long line is cut to a window around ``column``."""
    if not 1 <= line <= len(lines):
        return ""
    source = lines[line - 1].expandtabs(1)
    start = max(0, min(column - 1 - _WIDTH // 2, len(source) - _WIDTH))
    shown = source[start:start + _WIDTH]
    head, tail = ("…" if start else ""), ("…" if start + _WIDTH < len(source) else "")
    return f"    {head}{shown}{tail}\n    {' ' * (column - 1 - start + len(head))}^"
