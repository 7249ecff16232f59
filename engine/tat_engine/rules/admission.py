"""Is an application admissible, and why: the rules read from an instrument's corpus.

Nothing here knows a programme. It reads, from the versions in force on the
decision date, the facts by their kind and name:

- ``moment`` facts: application deadlines with a time of day and a time zone;
  their conditions (``when stage = "1"``) say which applications they bind;
- ``required_document`` categories: what an application must include;
- ``limit`` facts: at most N admitted applications per group (per county, per
  stage and start year); of the limits on the same grouping that an
  application matches, the most specific (most conditions) holds;
- ``grant_per_applicant`` and ``total_budget`` amounts: the grant, and the cap
  that the grants of all admitted applications may not pass.

Applications are judged in the order they were submitted; the answers come back
in the order given. An application that no deadline reaches (a stage whose
deadline is not in the sources) and that breaks no other rule is undetermined:
neither admitted nor refused, and it takes no place in any limit.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

from attrs import frozen

from .. import model as m
from ..errors import UndeclaredRules
from ..history.answers import Citation, InForce
from ..law import Law


@frozen
class Application:
    """One application: who, its fields (county, stage, start year, …), documents and submission time."""

    applicant: str
    fields: tuple[tuple[str, str], ...]
    documents: frozenset[str]
    submitted_at: dt.datetime  # aware; a naive time is read in the deadline's zone

    def get(self, key: str) -> str:
        return dict(self.fields).get(key, "")


@frozen
class Finding:
    point: str
    citation: Citation | None
    text: str

    def __str__(self) -> str:
        if self.citation is None:
            return self.text
        item = f" item {self.citation.item}" if self.citation.item else ""
        return f"{self.point} (v{self.citation.version}, {self.citation.act.number}{item}): {self.text}"


@frozen
class Decision:
    application: Application
    status: str  # admissible | inadmissible | undetermined
    grant: Decimal
    reasons: tuple[Finding, ...]


def decide(law: Law, applications: list[Application], on: dt.date) -> list[Decision]:
    """Decide every application under the rules in force on ``on``, over every
    possibility the sources leave open (see :mod:`possible`): a decision that
    differs in another date world is undetermined, naming the alternatives.
    An instrument that declares no admission rules refuses (:class:`UndeclaredRules`)."""
    if not law.declares(_admission_rule):
        raise UndeclaredRules(law.name, "admission", f"no {', no '.join(RULE_KINDS)} fact and no moment or limit")
    worlds = [(conditions, _decide(world, applications, on)) for conditions, world in law.worlds()]
    (_, main), others = worlds[0], worlds[1:]
    found = []
    for i, decision in enumerate(main):
        differing = [(conditions, decided[i]) for conditions, decided in others
                     if (decided[i].status, decided[i].grant) != (decision.status, decision.grant)]
        if differing:
            notes = tuple(Finding("-", None, f"{', '.join(map(str, conditions))}: {other.status}"
                                  + "".join(f"; {reason}" for reason in other.reasons)) for conditions, other in differing)
            decision = Decision(decision.application, "undetermined", Decimal(0), decision.reasons + notes)
        found.append(decision)
    return found


RULE_KINDS = ("required_document", "grant_per_applicant", "total_budget")  # besides moment and limit facts


def _admission_rule(fact: m.Fact) -> bool:
    return isinstance(fact.value, (m.Moment, m.Limit)) or fact.name in RULE_KINDS


def _decide(law: Law, applications: list[Application], on: dt.date) -> list[Decision]:
    """Decide every application under the rules in force on ``on`` in one world, in submission order."""
    rules = [(answer, fact) for answer in law.in_force(on) for fact in answer.content.facts]
    order = sorted(range(len(applications)), key=lambda i: _aware(applications[i].submitted_at, "UTC"))
    counts: Counter = Counter()
    granted = Decimal(0)
    decisions: dict[int, Decision] = {}
    grant = _amount(rules, "grant_per_applicant")
    cap = _amount(rules, "total_budget")
    for i in order:
        application = applications[i]
        problems = _deadline(rules, application) + _documents(rules, application)
        unknown = _deadline_unknown(rules, application)
        places = _places(rules, application)
        for key, limit, answer, fact in places:
            if limit is None:
                problems.append(Finding(answer.label, answer.citation, f"no place for {_group(key)}: {fact.name} does not provide one"))
            elif counts[key] + 1 > limit:
                problems.append(Finding(answer.label, answer.citation, f"over the limit of {limit} for {_group(key)}"))
        if grant is not None and cap is not None and not problems and not unknown and granted + grant[1] > cap[1]:
            problems.append(Finding(cap[0].label, cap[0].citation, f"the grants would pass the total of {cap[1]} €"))
        if problems:
            decisions[i] = Decision(application, "inadmissible", Decimal(0), tuple(problems))
        elif unknown:
            decisions[i] = Decision(application, "undetermined", Decimal(0), tuple(unknown))
        else:
            for key, limit, _, _ in places:
                counts[key] += 1
            amount = grant[1] if grant else Decimal(0)
            granted += amount
            found = [Finding(a.label, a.citation, f"within {f.name}") for _, _, a, f in places]
            if grant:
                found.append(Finding(grant[0].label, grant[0].citation, f"grant {amount} €"))
            decisions[i] = Decision(application, "admissible", amount, tuple(found))
    return [decisions[i] for i in range(len(applications))]


def _aware(moment: dt.datetime, zone: str) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))


def _matches(conditions, application: Application) -> bool:
    wanted: dict[str, set[str]] = {}
    for key, value in conditions:
        wanted.setdefault(key, set()).add(value)
    return all(application.get(key) in values for key, values in wanted.items())


def _deadline(rules, application: Application) -> list[Finding]:
    found = []
    for answer, fact in rules:
        value = fact.value
        if isinstance(value, m.Moment) and _matches(value.conditions, application):
            deadline = value.at.replace(tzinfo=ZoneInfo(value.zone))
            submitted = _aware(application.submitted_at, value.zone)
            if submitted > deadline:
                text = f"late: submitted {submitted.astimezone(ZoneInfo(value.zone)):%Y-%m-%d %H:%M}, due {value.at:%Y-%m-%d %H:%M} {value.zone}"
                found.append(Finding(answer.label, answer.citation, text))
    return found


def _deadline_unknown(rules, application: Application) -> list[Finding]:
    """An application that no deadline binds cannot be called in time."""
    if any(isinstance(f.value, m.Moment) and _matches(f.value.conditions, application) for _, f in rules):
        return []
    missing = [(a, f) for a, f in rules if isinstance(f.value, m.UnknownValue) and "deadline" in f.name]
    return [Finding(a.label, a.citation, f"whether it is in time is not in the sources: {f.value.reason}") for a, f in missing] or [
        Finding("-", None, "no application deadline applies to it")]


def _documents(rules, application: Application) -> list[Finding]:
    return [
        Finding(answer.label, answer.citation, f"missing document: {fact.value.name}")
        for answer, fact in rules
        if fact.name == "required_document" and isinstance(fact.value, m.Category)
        and fact.value.name not in application.documents
    ]


def _places(rules, application: Application) -> list[tuple]:
    """For each grouping of the limits, the group this application falls in and its limit
    (None when limits on that grouping exist but none reaches the application)."""
    by_grouping: dict[tuple, list] = {}
    for answer, fact in rules:
        if isinstance(fact.value, m.Limit):
            by_grouping.setdefault(fact.value.per, []).append((answer, fact))
    places = []
    for per, limits in sorted(by_grouping.items()):
        key = per + tuple(application.get(name) for name in per)
        reaching = [(a, f) for a, f in limits if _matches(f.value.conditions, application)]
        if not reaching:
            answer, fact = limits[0]
            places.append((key, None, answer, fact))
            continue
        answer, fact = max(reaching, key=lambda pair: len({k for k, _ in pair[1].value.conditions}))
        places.append((key, fact.value.count, answer, fact))
    return places


def _group(key: tuple) -> str:
    half = len(key) // 2
    return ", ".join(f"{name} {value or '(not given)'}" for name, value in zip(key[:half], key[half:]))


def _amount(rules, name: str) -> tuple[InForce, Decimal] | None:
    for answer, fact in rules:
        if fact.name == name and isinstance(fact.value, m.Amount):
            return answer, fact.value.value
    return None


def read_applications(path) -> list[Application]:
    """Applications from CSV: ``applicant``, ``submitted_at`` (ISO 8601, with an offset or
    local to the deadline's zone), ``documents`` (names separated by ``;``); every other
    column is a field (``county``, ``stage``, ``start_year``, …)."""
    import csv

    from ..errors import QueryError

    found = []
    # utf-8-sig: a spreadsheet's BOM is no part of the first column's name ("applicant")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            try:
                submitted = dt.datetime.fromisoformat(row.pop("submitted_at").strip())
            except (KeyError, ValueError, AttributeError):
                raise QueryError(f"{path}:{number}: submitted_at is not a time such as 2023-05-10T09:59+03:00") from None
            documents = frozenset(d.strip() for d in (row.pop("documents", "") or "").split(";") if d.strip())
            applicant = row.pop("applicant", "") or f"row {number}"
            found.append(Application(applicant, tuple(sorted((k, (v or "").strip()) for k, v in row.items())),
                                     documents, submitted))
    return found
