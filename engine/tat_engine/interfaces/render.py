"""Text for people: every result the engine returns, as the command line prints it.

Enters: named results (answers, histories, changes, deadlines, ledger summaries,
decisions, verify reports). Leaves: plain text. The rules and the law return data and
never format it; this module is the one voice that speaks to a reader. The law's own
text (the consolidated text, its annotations, a fact's value as the sources write it)
stays in :mod:`tat_engine.history.render`: it is part of what the law answers
(``law.text``, verify, the exports), not a way of showing an answer.
"""

from __future__ import annotations

import datetime as dt

from .. import model as m
from ..history.answers import ActRef, Answer, InForce, NoSuchLabel, NotYetInForce, Renumbered, Repealed
from ..history.render import fact_line, point_lines, unknown_wording

# --- the law: answers, histories, changes, acts, readings, references --------------------------


def answer_text(answer: Answer, on: dt.date | None = None) -> str:
    """A lookup's answer for a reader: what holds, its wording, its citation."""
    when = f" on {on}" if on else ""
    match answer:
        case InForce():
            lines = [f"{answer.label}{when}: in force ({answer.status} wording)"]
            lines += point_lines(answer, with_facts=False)
            lines += [f"  {fact_line(fact)}" for fact in answer.content.facts]
            lines.append(f"  cites: {answer.citation}")
            if answer.change != answer.citation:
                lines.append(f"  numbered so by: {answer.change}")
            lines += [f"  sources: {', '.join(map(str, answer.content.sources))}"] if answer.content.sources else []
            lines += [f"  note: {note}" for note in answer.content.notes]
        case NotYetInForce():
            lines = [f"{answer.label}{when}: not yet in force; in force from {answer.from_date}", f"  first: {answer.first.citation}"]
        case Repealed():
            lines = [f"{answer.label}{when}: repealed since {answer.since}", f"  by: {answer.by}"]
        case Renumbered():
            lines = [f"{answer.label}{when}: no point bears this label since {answer.since}; "
                     f"{answer.provision} is numbered {answer.new_label} since then", f"  by: {answer.by}"]
        case NoSuchLabel():
            near = f"; near: {', '.join(answer.near)}" if answer.near else ""
            lines = [f"{answer.label}{when}: no point bore this label{near}"]
    lines += [f"  ASSUMPTION: {assumption}" for assumption in getattr(answer, "assumptions", ())]
    lines += [f"  OTHERWISE {outcome.when}: {_short(outcome.value)}" for outcome in getattr(answer, "alternatives", ())]
    return "\n".join(lines)


def _short(answer: Answer) -> str:
    """An alternative answer in one line: what holds, with its facts."""
    match answer:
        case InForce():
            facts = "".join(f"; {fact_line(fact)}" for fact in answer.content.facts)
            return f"in force, {answer.status} wording: {answer.citation}{facts}"
        case NotYetInForce():
            return f"not yet in force (from {answer.from_date})"
        case Repealed():
            return f"repealed since {answer.since} by {answer.by}"
        case Renumbered():
            return f"numbered {answer.new_label} since {answer.since}"
    return "no point bore this label"


def describe_applied(applied) -> str:
    """``tat point --facts-on``: which law governs facts of one date decided on another (law.Applied)."""
    text = f"{applied.basis}\n{answer_text(applied.answer, applied.law_on)}"
    text += "".join(f"\n  ASSUMPTION: {a}" for a in applied.assumptions if a not in getattr(applied.answer, "assumptions", ()))
    for outcome in applied.alternatives + applied.other_readings:
        text += f"\n  OTHERWISE {outcome.when}: {outcome.value.basis}"
    return text


def describe_histories(histories, uncertain: dict) -> str:
    """``tat history``: every version of the points that bore a label; ``uncertain`` (the index's)
    says which acts start on an assumed date."""
    blocks = []
    for history in histories:
        spans = ", ".join(f"{label} [{start}, {end or '…'})" for label, start, end in history.labels)
        blocks.append(f"{history.provision}: labels {spans}")
        for step in history.steps:
            if isinstance(step, InForce):
                span, began = f"from {step.version.start} to {step.version.end or '…'}", step.version.cause.act
            else:
                span, began = f"from {step.since}", step.by.act.number
            blocks.append(f"- {span}\n" + _indent(answer_text(step)))
            if began in uncertain:
                blocks.append(f"  starts on an assumed date: {uncertain[began]}")
    return "\n".join(blocks)


def describe_diff(changes, assumptions) -> str:
    """``tat diff``: what changed between two dates, under the dates assumed on either."""
    lines = [f"ASSUMPTION: {assumption}" for assumption in assumptions]
    for change in changes:
        old, new = change.before, change.after
        label = f"{old.label} -> {new.label}" if old and new and old.label != new.label else (new or old).label
        lines.append(f"{label} ({change.provision}): {', '.join(change.kinds)}")
        if "reworded" in change.kinds:
            lines.append(f"  - {old.text if old.text is not None else unknown_wording()}")
            lines.append(f"  + {new.text if new.text is not None else unknown_wording()}")
        if new is not None:
            lines.append(f"  by: {new.change}")
    return "\n".join(lines) if changes else "\n".join(lines + ["no differences"])


def describe_reading(reading: m.Reading, chosen: str) -> str:
    """A contested reading, its options with their basis, and which one answers."""
    lines = [f"reading {reading.name}: {reading.title}"]
    for option in reading.options:
        mark = "*" if option.name == chosen else " "
        sources = f" ({', '.join(map(str, option.sources))})" if option.sources else ""
        lines.append(f"  {mark} {option.name}: {option.basis}{sources}")
    lines.append(f"  default {reading.default}: {reading.argument}")
    return "\n".join(lines)


def describe_act(act: ActRef) -> str:
    """``1-3/53  30.04.2017  amending  in force from 2017-04-30``, plus any assumption."""
    line = f"{act.number:10} {act.date_written:11} {act.kind:9} in force from {act.in_force_from}"
    if act.applies_from:
        line += f", applied from {act.applies_from}"
        if act.applies_under:
            line += f" under the reading {act.applies_under.reading} = {act.applies_under.option}"
    if isinstance(act.signing, m.UncertainDate):
        signing = act.signing
        state = "supplied by the user" if signing.supplied else f"assumed ({signing.reason})"
        line += f"\n           signing date not in the sources: {signing.assumed} {state}; possible {signing.earliest}..{signing.latest}"
    return line + f"\n           {act.title or '(title not in the sources)'}"


def describe_references(found) -> str:
    """``tat refs``: what a point cites and what cites it on a day (graph.References)."""
    lines = [f"{found.label} ({found.provision}) on {found.on}"]
    lines += [f"  cites {_reference(r, r.written)}" for r in found.cites] or ["  cites no point"]
    lines += [f"  cited by {r.citing.label}: {r.citing}" + (" [the label written there now names another point]" if r.moved else "")
              for r in found.cited_by] or ["  cited by no point in force"]
    return "\n".join(lines)


def _reference(reference, written: str) -> str:
    if reference.provision is None:
        return f"{written}: no point bore this label when the wording was made"
    if reference.now is None:
        return f"{written} ({reference.provision}): not in force on that day"
    moved = f", now numbered {reference.now}" if reference.moved else ""
    return f"{written} ({reference.provision}{moved})"


def describe_act_changes(changes) -> str:
    """``tat act``: an act item by item, and what it touched through references (graph.ActChanges)."""
    lines = [f"act {changes.act}, in force from {changes.on}"]
    for item in changes.items:
        lines.append(f"  item {item.item or '?'}: {item.verb} {item.target}")
        lines += [f"    {citation}" for citation in item.made]
    if changes.indirect:
        lines.append("  touched through references (wordings it did not change that cite a point it changed):")
        lines += [f"    {c.reference.citing.label} cites {_reference(c.reference, c.reference.written)}, which it {c.change}"
                  for c in changes.indirect]
    return "\n".join(lines)


def describe_check(acts: int, provisions: int, diagnostics) -> str:
    """``tat check``: every diagnostic, then the counts."""
    lines = [diagnostic.render() for diagnostic in diagnostics]
    lines.append(f"{acts} acts, {provisions} provisions, {len(diagnostics)} warnings")
    return "\n".join(lines)


# --- the rules: deadlines, ledgers, applications ---------------------------------------------


def describe_kinds(kinds) -> str:
    """``tat deadline --list``: each kind of deadline, its point and what starts it."""
    return "\n".join(f"{k.name:30} {k.point:8} {k.title}; from: {k.trigger}" for k in kinds)


def describe_deadline(item) -> str:
    """A deadline for a reader (deadlines.Deadline)."""
    from ..rules.workdays import describe

    if item.status == "determined":
        head = f"{item.kind}: due {describe(item.due)} ({item.bound.replace('_', ' ')})"
    elif item.status == "none":
        head = f"{item.kind}: none"
    else:
        head = f"{item.kind}: undetermined"
    lines = [head, f"  {item.title}", f"  law: {item.basis}"]
    lines += [f"  rule: {item.rule}"] if item.rule else []
    lines += [f"  - {step}" for step in item.steps]
    lines += [f"  note: {note}" for note in item.notes]
    lines += [f"  ASSUMPTION: {assumption}" for assumption in item.assumptions]
    return "\n".join(lines)


def describe_summary(summary) -> str:
    """A judged ledger for a reader (ledger.Summary): how it was read, the totals, the indirect
    costs and the budget."""
    lines = [f"{summary.rows} lines judged as of {summary.law_on}"]
    if summary.source is not None:
        lines.append(f"read as {describe_source(summary.source)}")
    if summary.invalid:
        lines.append(f"{summary.invalid} line{'s are' if summary.invalid != 1 else ' is'} invalid input"
                     + (", the first:" if summary.problems else ""))
        lines += [f"  row {problem.row}: {problem.reason}" for problem in summary.problems]
    lines += ["", "activity  verdict              lines        amount      eligible"]
    for t in summary.totals:
        lines.append(f"{t.activity:9} {t.verdict:18} {t.lines:7} {euro(t.amount):>13} {euro(t.eligible):>13}")
    if summary.indirect:
        rate = f" ({_where(summary.rate_point)})" if summary.rate_point else ""
        lines += ["", f"indirect costs at the flat rate{rate}: activity, eligible direct personnel costs, entitlement"]
        lines += [f"{i.activity:9} {euro(i.direct_personnel):>13} × {i.percent}% = {euro(i.entitlement):>12}"
                  for i in summary.indirect]
    budget = f" ({_where(summary.budget_point)})" if summary.budget_point else ""
    lines += ["", f"eligible against the budget{budget}: activity, eligible, budget, ESF part, national part"]
    for b in summary.budget:
        fields = [euro(v) if v is not None else "not in the sources" for v in (b.budget, b.esf, b.national)]
        over = "  OVER BUDGET" if b.over else ""
        lines.append(f"{b.activity:9} {euro(b.eligible):>13} {fields[0]:>13} {fields[1]:>13} {fields[2]:>13}{over}")
    return "\n".join(lines)


def _where(label: str) -> str:
    """A point as a reader names it: a top-level label is a section (``section 6``)."""
    return label if "." in label else f"section {label}"


def describe_source(source) -> str:
    """How a ledger was read (ledger.Source): a user whose file was guessed wrong can see it."""
    comma = ", decimal comma" if source.decimal_comma else ""
    if source.format != "CSV":
        return source.format + comma
    return f"{source.format}, {source.encoding}, fields separated by {source.separator!r}{comma}"


def euro(cents: int) -> str:
    """``1 234.50 €`` from cents, a space between thousands."""
    return f"{'-' if cents < 0 else ''}{abs(cents) // 100:,}.{abs(cents) % 100:02d} €".replace(",", " ")


def describe_decisions(decisions) -> str:
    """``tat check-applications``: each applicant's status, grant and reasons (admission.Decision)."""
    lines = []
    for decision in decisions:
        lines.append(f"{decision.application.applicant}: {decision.status}" + (f", grant {decision.grant} €" if decision.grant else ""))
        lines += [f"  {reason}" for reason in decision.reasons]
    return "\n".join(lines)


# --- review: verify and the import check ------------------------------------------------------


def describe_verify(report) -> str:
    """``tat verify``: each difference with its review, the unreviewed and the stale, then the verdict."""
    lines = [f"{d}  [reviewed: {report.known[d.point, d.kind]}]" for d in report.found if (d.point, d.kind) in report.known]
    lines += [f"NOT REVIEWED: {d}" for d in report.unlisted]
    lines += [f"STALE (listed, no longer found): {point} {kind}" for point, kind in report.stale]
    verdict = "verify: ok" if report.ok else "verify: FAILED"
    lines.append(f"{verdict}: {len(report.found)} differences, {len(report.unlisted)} not reviewed, {len(report.stale)} stale")
    return "\n".join(lines)


def describe_import(act: str, imported, replay: list | None = None) -> str:
    """``tat import``: what was read from ``act``, what to review, and what replaying the
    draft with the corpus it amends said of it (None: the corpus does not hold that directive)."""
    lines = [f"{act}: {imported.counts}"] + [f"  REVIEW act: {flag}" for flag in imported.flags]
    if replay is not None:
        errors = sum(d.severity == "error" for d in replay)
        lines.append(f"replayed with the corpus: {errors} error(s), {len(replay) - errors} warning(s) in the draft"
                     + (" — it does not load until they are corrected" if errors else ""))
        lines += [f"  {d.location.path}:{d.location.line}: {d.severity}: {d.message} [{d.code}]" for d in replay]
    return "\n".join(lines)


def describe_import_check(check, consolidated: str, skipped: list[str]) -> str:
    """``tat import --consolidated``: the differences in the points the act changes, the others,
    and the verdict (verify.ActCheck)."""
    lines = [f"OWN: {d}" + (f"  [reviewed: {check.known[d.point, d.kind]}]" if (d.point, d.kind) in check.known else "")
             for d in check.own]
    lines += [f"elsewhere: {d}" for d in check.found if d not in check.own]
    lines.append(f"import check on {check.day}: {'ok' if check.ok else 'REVIEW'}: {len(check.found)} differences from "
                 f"{consolidated}, {len(check.own)} in points the act changes or that are annotated as changed by it, "
                 f"{len(check.unreviewed)} of them not in the reviewed list" +
                 (f"; lines {', '.join(skipped)} not compared (--skip-lines)" if skipped else ""))
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def describe_test_run(run) -> str:
    """``tat test``: each case passed or FAILED at its file:line (a failure with what was expected
    and what the engine answered), each bad file or case with its located error, then the counts
    (review.scenario_checks.ScenarioRun)."""
    lines = []
    for file in run.files:
        lines.append(f"{file.path}: " + " — ".join(filter(None, (file.title, file.law or "not run"))))
        for result in file.results:
            where = f"{result.where.path}:{result.where.line}"
            if result.passed:
                lines.append(f"{where}: passed: {result.title}")
                continue
            lines.append(f"{where}: FAILED: {result.title}")
            for miss in result.mismatches:
                lines += [f"  {miss.where.path}:{miss.where.line}: {miss.key}", f"    expected: {miss.expected}",
                          f"    actual:   {miss.actual}"]
            lines.append(f"  answer: {result.answer}")
        lines += [diagnostic.render() for diagnostic in file.diagnostics]
    cases = run.passed + run.failed
    bad = f", {run.errors} error{'s' * (run.errors != 1)} in the files" if run.errors else ""
    lines.append(f"{cases} case{'s' * (cases != 1)} in {len(run.files)} file{'s' * (len(run.files) != 1)}: "
                 f"{run.passed} passed, {run.failed} failed{bad}")
    return "\n".join(lines)


def describe_reproduction(report) -> str:
    """``tat check-costs --reproduce``: engine and corpus against the stamp's, then every row judged otherwise."""
    stamp = report.stamped
    lines = [f"{report.path}: {report.rows} rows judged again as of {stamp.decided_on}"
             + (f" under {', '.join(map(str, stamp.readings))}" if stamp.readings else "")
             + (f", dates supplied {', '.join(str(a) for a in stamp.assumptions if a.status == 'supplied')}"
                if stamp.supplied() else "")]
    lines.append(f"engine: tat-engine {report.engine}" + (f", NOT the stamp's {stamp.engine}" if report.engine_differs
                                                            else ", as stamped"))
    lines.append(f"corpus: {report.corpus[:12]}" + (f", NOT the stamp's {stamp.corpus[:12]} (the law's files differ)"
                                                    if report.corpus_differs else ", as stamped"))
    if report.file_matches is False:
        lines.append("file: NOT the file stamped (its sha256 differs from the stamp's: edited since, or another file)")
    if report.agrees:
        lines.append(f"all {report.rows} verdicts agree")
        return "\n".join(lines)
    lines.append(f"{len(report.differences)} of {report.rows} rows differ:")
    for d in report.differences:
        line = f" (line {d.line})" if d.line else ""
        lines.append(f"  row {d.row}{line}: {d.old.verdict} {d.old.eligible} -> {d.new.verdict} {d.new.eligible}: {d.why}")
    return "\n".join(lines)
