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
from .. import messages
from ..messages import N_, msg_n, say, translated

# --- the law: answers, histories, changes, acts, readings, references --------------------------


def answer_text(answer: Answer, on: dt.date | None = None) -> str:
    """A lookup's answer for a reader: what holds, its wording, its citation."""
    head = say("{label} on {on}", label=answer.label, on=on) if on else str(answer.label)
    match answer:
        case InForce():
            lines = [say("{head}: in force ({status} wording)", head=head, status=say(STATUS[answer.status]))]
            lines += point_lines(answer, with_facts=False)
            lines += [f"  {fact_line(fact)}" for fact in answer.content.facts]
            lines.append("  " + say("cites: {citation}", citation=answer.citation))
            if answer.change != answer.citation:
                lines.append("  " + say("numbered so by: {citation}", citation=answer.change))
            lines += ["  " + say("sources: {sources}", sources=", ".join(map(str, answer.content.sources)))] if answer.content.sources else []
            lines += ["  " + say("note: {note}", note=note) for note in answer.content.notes]
        case NotYetInForce():
            lines = [say("{head}: not yet in force; in force from {start}", head=head, start=answer.from_date),
                     "  " + say("first: {citation}", citation=answer.first.citation)]
        case Repealed():
            lines = [say("{head}: repealed since {since}", head=head, since=answer.since), "  " + say("by: {citation}", citation=answer.by)]
        case Renumbered():
            lines = [say("{head}: no point bears this label since {since}; {provision} is numbered {label} since then",
                         head=head, since=answer.since, provision=answer.provision, label=answer.new_label),
                     "  " + say("by: {citation}", citation=answer.by)]
        case NoSuchLabel():
            near = say("; near: {labels}", labels=", ".join(answer.near)) if answer.near else ""
            lines = [say("{head}: no point bore this label{near}", head=head, near=near)]
    lines += ["  " + say("ASSUMPTION: {assumption}", assumption=assumption) for assumption in getattr(answer, "assumptions", ())]
    lines += ["  " + say("OTHERWISE {when}: {answer}", when=outcome.when, answer=_short(outcome.value))
              for outcome in getattr(answer, "alternatives", ())]
    return "\n".join(lines)


STATUS = {"known": N_("known"), "unknown": N_("unknown"), "reconstructed": N_("reconstructed")}


def _short(answer: Answer) -> str:
    """An alternative answer in one line: what holds, with its facts."""
    match answer:
        case InForce():
            facts = "".join(f"; {fact_line(fact)}" for fact in answer.content.facts)
            return say("in force, {status} wording: {citation}{facts}", status=say(STATUS[answer.status]),
                       citation=answer.citation, facts=facts)
        case NotYetInForce():
            return say("not yet in force (from {start})", start=answer.from_date)
        case Repealed():
            return say("repealed since {since} by {citation}", since=answer.since, citation=answer.by)
        case Renumbered():
            return say("numbered {label} since {since}", label=answer.new_label, since=answer.since)
    return say("no point bore this label")


def describe_applied(applied) -> str:
    """``tat point --facts-on``: which law governs facts of one date decided on another (law.Applied)."""
    text = f"{applied.basis}\n{answer_text(applied.answer, applied.law_on)}"
    text += "".join("\n" + "  " + say("ASSUMPTION: {assumption}", assumption=a)
                    for a in applied.assumptions if a not in getattr(applied.answer, "assumptions", ()))
    for outcome in applied.alternatives + applied.other_readings:
        text += "\n" + "  " + say("OTHERWISE {when}: {answer}", when=outcome.when, answer=outcome.value.basis)
    return text


def describe_histories(histories, uncertain: dict) -> str:
    """``tat history``: every version of the points that bore a label; ``uncertain`` (the index's)
    says which acts start on an assumed date."""
    blocks = []
    for history in histories:
        spans = ", ".join(f"{label} [{_day(start)}, {_day(end) if end else '…'})" for label, start, end in history.labels)
        blocks.append(say("{provision}: labels {spans}", provision=history.provision, spans=spans))
        for step in history.steps:
            if isinstance(step, InForce):
                span = say("from {start} to {end}", start=step.version.start, end=_day(step.version.end) if step.version.end else "…")
                began = step.version.cause.act
            else:
                span, began = say("from {start}", start=step.since), step.by.act.number
            blocks.append(f"- {span}\n" + _indent(answer_text(step)))
            if began in uncertain:
                blocks.append("  " + say("starts on an assumed date: {assumption}", assumption=uncertain[began]))
    return "\n".join(blocks)


def _day(value: dt.date) -> str:
    return messages.day(value)


CHANGES = {"added": N_("added"), "repealed": N_("repealed"), "reworded": N_("reworded"), "renumbered": N_("renumbered"),
           "facts": N_("facts")}


def describe_diff(changes, assumptions) -> str:
    """``tat diff``: what changed between two dates, under the dates assumed on either."""
    lines = [say("ASSUMPTION: {assumption}", assumption=assumption) for assumption in assumptions]
    kinds_said = {kind: translated(CHANGES[kind]) for kind in CHANGES}  # each word looked up once, not per change
    by = translated(N_("by: {citation}"))  # (at 20 000 points a diff has thousands of changes)
    for change in changes:
        old, new = change.before, change.after
        label = f"{old.label} -> {new.label}" if old and new and old.label != new.label else (new or old).label
        kinds = ", ".join(kinds_said.get(kind, kind) for kind in change.kinds)
        lines.append(f"{label} ({change.provision}): {kinds}")
        if "reworded" in change.kinds:
            lines.append(f"  - {old.text if old.text is not None else unknown_wording()}")
            lines.append(f"  + {new.text if new.text is not None else unknown_wording()}")
        if new is not None:
            lines.append("  " + by.format(citation=str(new.change)))
    return "\n".join(lines) if changes else "\n".join(lines + [say("no differences")])


def describe_reading(reading: m.Reading, chosen: str) -> str:
    """A contested reading, its options with their basis, and which one answers."""
    lines = [say("reading {name}: {title}", name=reading.name, title=reading.title)]
    for option in reading.options:
        mark = "*" if option.name == chosen else " "
        sources = f" ({', '.join(map(str, option.sources))})" if option.sources else ""
        lines.append(f"  {mark} {option.name}: {option.basis}{sources}")
    lines.append("  " + say("default {option}: {argument}", option=reading.default, argument=reading.argument))
    return "\n".join(lines)


def describe_act(act: ActRef) -> str:
    """``1-3/53  30.04.2017  amending  in force from 2017-04-30``, plus any assumption."""
    line = f"{act.number:10} {act.date_written:11} {say(ACT_KINDS.get(act.kind, act.kind)):9} " + say(
        "in force from {start}", start=act.in_force_from)
    if act.applies_from:
        line += say(", applied from {start}", start=act.applies_from)
        if act.applies_under:
            line += " " + say("under the reading {reading} = {option}", reading=act.applies_under.reading,
                              option=act.applies_under.option)
    if isinstance(act.signing, m.UncertainDate):
        signing = act.signing
        state = say("supplied by the user") if signing.supplied else say("assumed ({reason})", reason=signing.reason)
        line += "\n           " + say("signing date not in the sources: {day} {state}; possible {earliest}..{latest}",
                                      day=signing.assumed, state=state, earliest=signing.earliest, latest=signing.latest)
    return line + "\n           " + (act.title or say("(title not in the sources)"))


ACT_KINDS = {"directive": N_("directive"), "amending": N_("amending"), "announcement": N_("announcement")}


def describe_references(found) -> str:
    """``tat refs``: what a point cites and what cites it on a day (graph.References)."""
    lines = [say("{label} ({provision}) on {on}", label=found.label, provision=found.provision, on=found.on)]
    lines += ["  " + say("cites {reference}", reference=_reference(r, r.written)) for r in found.cites] or [
        "  " + say("cites no point")]
    lines += ["  " + say("cited by {label}: {citation}", label=r.citing.label, citation=r.citing)
              + (" " + say("[the label written there now names another point]") if r.moved else "")
              for r in found.cited_by] or ["  " + say("cited by no point in force")]
    return "\n".join(lines)


def _reference(reference, written: str) -> str:
    if reference.provision is None:
        return say("{label}: no point bore this label when the wording was made", label=written)
    if reference.now is None:
        return say("{label} ({provision}): not in force on that day", label=written, provision=reference.provision)
    moved = say(", now numbered {label}", label=reference.now) if reference.moved else ""
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
    lines.append(say("{acts} acts, {provisions} provisions, {warnings} warnings", acts=acts, provisions=provisions,
                     warnings=len(diagnostics)))
    return "\n".join(lines)


# --- the rules: deadlines, ledgers, applications ---------------------------------------------


def describe_kinds(kinds) -> str:
    """``tat deadline --list``: each kind of deadline, its point and what starts it."""
    return "\n".join(f"{k.name:30} {k.point:8} " + say("{title}; from: {trigger}", title=k.title, trigger=k.trigger)
                     for k in kinds)


def describe_deadline(item) -> str:
    """A deadline for a reader (deadlines.Deadline)."""
    from ..rules.deadlines import BOUNDS
    from ..rules.workdays import describe

    if item.status == "determined":
        bound = say(BOUNDS[item.bound]) if item.bound in BOUNDS else item.bound.replace("_", " ")
        head = say("{kind}: due {day} ({bound})", kind=item.kind, day=describe(item.due), bound=bound)
    elif item.status == "none":
        head = say("{kind}: none", kind=item.kind)
    else:
        head = say("{kind}: undetermined", kind=item.kind)
    lines = [head, f"  {item.title}", "  " + say("law: {basis}", basis=item.basis)]
    lines += ["  " + say("rule: {citation}", citation=item.rule)] if item.rule else []
    lines += [f"  - {step}" for step in item.steps]
    lines += ["  " + say("note: {note}", note=note) for note in item.notes]
    lines += ["  " + say("ASSUMPTION: {assumption}", assumption=assumption) for assumption in item.assumptions]
    return "\n".join(lines)


def describe_summary(summary) -> str:
    """A judged ledger for a reader (ledger.Summary): how it was read, the totals, the indirect
    costs and the budget."""
    lines = [say("{rows} lines judged as of {day}", rows=summary.rows, day=summary.law_on)]
    if summary.source is not None:
        lines.append(say("read as {source}", source=describe_source(summary.source)))
    if summary.invalid:
        lines.append(str(msg_n("{count} line is invalid input", "{count} lines are invalid input", summary.invalid))
                     + (say(", the first:") if summary.problems else ""))
        lines += ["  " + say("row {row}: {reason}", row=problem.row, reason=problem.reason) for problem in summary.problems]
    from ..rules.eligibility import VERDICTS

    wide = max(18, *(len(verdict_name(verdict)) for verdict in VERDICTS))  # the longest verdict in this language
    heads = [say("activity"), say("verdict"), say("lines"), say("amount"), say("eligible")]
    lines += ["", f"{heads[0]:9} {heads[1]:{wide}} {heads[2]:>7} {heads[3]:>13} {heads[4]:>13}"]
    for t in summary.totals:
        lines.append(f"{t.activity:9} {verdict_name(t.verdict):{wide}} {t.lines:7} {euro(t.amount):>13} {euro(t.eligible):>13}")
    if summary.indirect:
        rate = f" ({_where(summary.rate_point)})" if summary.rate_point else ""
        lines += ["", say("indirect costs at the flat rate{point}: activity, eligible direct personnel costs, entitlement",
                          point=rate)]
        lines += [f"{i.activity:9} {euro(i.direct_personnel):>13} × {i.percent}% = {euro(i.entitlement):>12}"
                  for i in summary.indirect]
    budget = f" ({_where(summary.budget_point)})" if summary.budget_point else ""
    lines += ["", say("eligible against the budget{point}: activity, eligible, budget, ESF part, national part", point=budget)]
    for b in summary.budget:
        fields = [euro(v) if v is not None else say("not in the sources") for v in (b.budget, b.esf, b.national)]
        over = "  " + say("OVER BUDGET") if b.over else ""
        lines.append(f"{b.activity:9} {euro(b.eligible):>13} {fields[0]:>13} {fields[1]:>13} {fields[2]:>13}{over}")
    return "\n".join(lines)


def verdict_name(verdict: str) -> str:
    """A verdict (``eligibility.VERDICTS``) in the reader's language."""
    return say(verdict)


def _where(label: str) -> str:
    """A point as a reader names it: a top-level label is a section (``section 6``)."""
    return label if "." in label else say("section {label}", label=label)


def describe_source(source) -> str:
    """How a ledger was read (ledger.Source): a user whose file was guessed wrong can see it."""
    comma = say(", decimal comma") if source.decimal_comma else ""
    if source.format != "CSV":
        return source.format + comma
    return say("{format}, {encoding}, fields separated by {separator}{comma}", format=source.format,
               encoding=source.encoding, separator=repr(source.separator), comma=comma)


def euro(cents: int) -> str:
    """``1 234.50 €`` from cents, a space between thousands (``1 234,50 €`` in Estonian)."""
    return messages.euro(cents)


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
