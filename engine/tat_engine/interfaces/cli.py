"""``tat``: thin commands over the query API. Each loads, asks, prints (``--json``
for data), and exits 1 on a bad question or a corpus with errors.

    tat point 11.3 --as-of 2019-06-01
    tat point 7.1.1 --as-of 2021-06-01 --facts-on 2016-03-01
    tat text --as-of 2021-01-01
    tat text --as-of 2021-01-01 --out tat-2021-01-01.pdf      (or .docx: the 'paper' extra)
    tat history 9.1.10
    tat diff 2019-06-01 2021-01-01
    tat acts
    tat check
    tat lint
    tat verify
    tat coverage
    tat deadline report-check --trigger 2021-12-22
    tat calendar 2021 --ics tat-2021.ics
    tat check-costs examples/kulud.csv --as-of 2021-06-01 --out verdicts.xlsx
    tat check-applications examples/applications.csv --instrument safety-2023 --as-of 2023-05-15
    tat test examples/scenarios/*.yaml
    tat serve
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """The command line; a reader that went away (``tat text … | head -1``) ends it quietly
    with 141, the status of a command stopped by SIGPIPE, as ``cat`` or ``yes`` would end."""
    try:
        code = _main(sys.argv[1:] if argv is None else argv)
        sys.stdout.flush()  # a closed pipe shows here, not in Python's own flush at exit
    except BrokenPipeError:
        _discard_stdout()
        return 141
    return code


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so the flush at exit has nowhere to fail."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # not a real file (tests capture it): nothing will flush to the pipe


def _main(argv: list[str]) -> int:
    lang = _language(argv)
    if argv[:1] in (["point"], ["history"], ["acts"], ["text"], ["diff"], ["refs"]):
        from ..quick import answer

        found = answer(argv, lang)  # the corpus's answer table in that language, if there is a fresh one
        if found is not None:
            print(found)
            return 0
    from ..messages import using

    with using(lang):
        return _run(argv)


def _language(argv: list[str]) -> str:
    """``--lang et|en`` if given (argparse checks its value later), else the locale's language."""
    from ..languages import LANGUAGES, from_locale

    for at, word in enumerate(argv):
        value = argv[at + 1] if word == "--lang" and at + 1 < len(argv) else word.removeprefix("--lang=")
        if (word == "--lang" or word.startswith("--lang=")) and value in LANGUAGES:
            return value
    return from_locale()


def _run(argv: list[str]) -> int:
    from ..errors import CorpusError, MissingExtra, TatError, UndeclaredRules

    args = _parse(argv)
    try:
        return args.run(args)
    except CorpusError as error:
        print("\n".join(d.render() for d in error.diagnostics), file=sys.stderr)
        if getattr(args, "json", False):  # the diagnostics are the answer: as data too
            _emit(args, {"diagnostics": list(error.diagnostics)}, "")
        return 1
    except (UndeclaredRules, MissingExtra) as error:  # rules the instrument lacks, libraries not installed: usage errors
        print(f"tat: {error}", file=sys.stderr)
        return 2
    except TatError as error:
        print(f"tat: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise  # the reader went away: main ends quietly
    except OSError as error:  # a corpus path that is not there, an .ics that cannot be written
        print(f"tat: {error.strerror or error}: {error.filename}", file=sys.stderr)
        return 1


def _law(args):
    from .. import load

    assume = dict(_pair(text, "--assume", "ACT=DATE, for instance 1-3/zz=2020-03-16") for text in args.assume)
    reading = dict(_pair(text, "--reading", "READING=OPTION, for instance reach-2020=from-signing") for text in args.reading)
    law = load(args.corpus or None, assume, instrument=args.instrument, reading=reading)
    if not assume:  # the table answers the law without assumed dates
        _keep_answer_table(law, args)
    return law


def _keep_answer_table(law, args) -> None:
    """Refresh the answer table the command line reads first (quick.py) for the corpus just loaded:
    the command line's own file, which the library and the server never write. A command the table
    answers (point, history, acts, text, diff, refs) asks the engine when its table did not, and then
    writes a stale table again; any other command writes one only where there is none, so that it need
    not open the table (and import sqlite3) to read its stamp. A stale table is never printed: its stamp
    is read first."""
    from ..messages import language
    from ..quick import refresh

    refresh(law.index, tuple(args.corpus) or (f"instrument:{args.instrument}",), language(),  # the reader's
            missing_only=args.run not in (_point, _history, _acts, _text, _diff, _refs))


def _pair(text: str, option: str, form: str) -> tuple[str, str]:
    from ..errors import QueryError

    name, sep, value = text.partition("=")
    if not sep:
        raise QueryError(f"{option} takes {form}, not {text!r}")
    return name.strip(), value.strip()


def _emit(args, data, text: str, stamp=None) -> int:
    """The answer as JSON data (with a ``stamp`` member: :mod:`tat_engine.stamp`) or as text (the stamp
    its last line)."""
    if args.json:
        from .serialize import dumps, stamped

        print(dumps(stamped(data, stamp)))
    else:
        print(text if stamp is None else f"{text}\n{stamp.line()}")
    return 0


def _point(args) -> int:
    from .render import answer_text, describe_applied

    law = _law(args)
    if args.facts_on:
        applied = law.applicable(args.label, args.facts_on, args.as_of)
        return _emit(args, applied, describe_applied(applied), law.stamp(args.as_of, args.facts_on))
    answer = law.point(args.label, args.as_of)
    return _emit(args, answer, answer_text(answer, _day(args.as_of)), law.stamp(args.as_of))


def _day(value):
    from ..law import day

    return day(value)


def _text(args) -> int:
    if args.out or args.format:
        return _paper(args)
    law = _law(args)
    if args.json:
        return _emit(args, law.in_force(args.as_of), "", law.stamp(args.as_of))
    return _emit(args, None, law.text(args.as_of).rstrip("\n"), law.stamp(args.as_of))


def _paper(args) -> int:
    """``tat text --out FILE`` (format from its suffix, or ``--format``): the text on paper,
    written whole or not at all (a temporary file renamed into place). A bad target or missing
    libraries are refused before the corpus is loaded."""
    from pathlib import Path

    from ..errors import QueryError
    from .paper import render, require

    if not args.out:
        raise QueryError(f"--format {args.format} writes a file: give it with --out, e.g. --out tat.{args.format}")
    out = Path(args.out)
    fmt = args.format or out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "docx"):
        raise QueryError(f"--out writes .pdf or .docx (or say which with --format pdf|docx), not {out.name!r}")
    require(fmt)
    law = _law(args)
    body = render(law.index, _day(args.as_of), fmt, law.stamp(args.as_of).line())  # the stamp's line in its metadata
    _write_whole(out, body)
    print(f"wrote {out} ({fmt.upper()}, {len(body)} bytes): the text as in force on {_day(args.as_of).isoformat()}")
    return 0


def _history(args) -> int:
    from .render import describe_histories

    law = _law(args)
    histories = law.history(args.label)
    return _emit(args, histories, describe_histories(histories, law.index.uncertain), law.stamp())


_DATED_PAGES = 50_000  # at most so many pages of text, diffs and references: a corpus with more is asked anew


def dated_stretches(index) -> list | None:
    """The stretches the answer table keeps dated pages of (:meth:`Index.turns`), or None for a corpus
    of too many for a page each: its dated questions go to the engine."""
    turns = index.turns()
    return turns if len(turns) ** 2 + len(turns) * len(index.labels) <= _DATED_PAGES else None


def pages(law, marks, turns: list | None):
    """``(command, key, text)``: what the commands print, under the law's default readings, for the
    answer table (quick.py): ``tat history LABEL`` for each label and ``tat acts`` (key ""); and,
    on each of ``turns`` (:func:`dated_stretches`; None: none), ``tat text``
    (key: its stretch's first day number), ``tat diff`` (the two stretches' days) and ``tat refs LABEL``
    (its stretch's day, the label) on each stretch, the asked day and the moment left at ``marks``
    (:class:`tat_engine.quick.Marks`); the stamp member of ``tat point --json`` on each stretch
    (``stamp``); and the stretches themselves (``turns``: their first days' numbers)."""
    import attrs

    from ..errors import QueryError
    from ..history.render import consolidated_text
    from .render import describe_histories, describe_references
    from .serialize import dumps

    index, line = law.index, law.stamp().line()
    for label in index.labels:
        yield "history", label, f"{describe_histories(law.history(label), index.uncertain)}\n{line}"
    yield "acts", "", f"{_acts_text(law)}\n{line}"
    if turns is None:
        return
    yield "turns", "", " ".join(str(day.toordinal()) for day in turns)
    dated = law.stamp().line(on=marks.iso)
    for day in turns:
        text = consolidated_text(index, day, marks.iso).rstrip("\n")
        yield "text", f"{day.toordinal()}", f"{text}\n{dated}"
        stamp = {**law.stamp(day).as_data(), "decided_on": marks.iso, "produced_at": marks.now}
        yield "stamp", f"{day.toordinal()}", dumps({"stamp": stamp})[2:-2]  # a member, as stamped() adds it
        for label in index.labels:
            try:
                found = law.references(label, day)
            except QueryError:
                continue  # not in force that day: the engine says why
            yield "refs", f"{day.toordinal()} {label}", f"{describe_references(attrs.evolve(found, on=marks.on))}\n{dated}"
        for later in turns:
            yield "diff", f"{day.toordinal()} {later.toordinal()}", f"{_diff_text(law, day, later)}\n{line}"


def _diff(args) -> int:
    law = _law(args)
    if args.json:
        return _emit(args, law.diff(args.before, args.after), "", law.stamp())
    return _emit(args, None, _diff_text(law, args.before, args.after), law.stamp())


def _diff_text(law, before, after) -> str:
    """What ``tat diff`` prints above its stamp: the changes (no version decoded) and the unknown
    act dates either day hinges on."""
    from ..law import day
    from .render import describe_diff

    changes = law.changes(before, after)
    open_dates = dict.fromkeys(law.index.assumptions_on(day(before)) + law.index.assumptions_on(day(after)))
    return describe_diff(changes, open_dates)


def _refs(args) -> int:
    from .render import describe_references

    law = _law(args)
    found = law.references(args.label, args.as_of)
    return _emit(args, found, describe_references(found), law.stamp(args.as_of))


def _act(args) -> int:
    from .render import describe_act_changes

    law = _law(args)
    changes = law.act_changes(args.number)
    return _emit(args, changes, describe_act_changes(changes), law.stamp())


def _acts(args) -> int:
    law = _law(args)
    return _emit(args, {"acts": law.acts(), "readings": list(law.index.readings.values()), "chosen": law.choice},
                 _acts_text(law), law.stamp())


def _acts_text(law) -> str:
    from .render import describe_act, describe_reading

    readings = [describe_reading(reading, law.choice[name]) for name, reading in law.index.readings.items()]
    return "\n".join([describe_act(act) for act in law.acts()] + readings)


def _check(args) -> int:
    from .render import describe_check

    law = _law(args)
    acts, provisions, diagnostics = len(law.acts()), len(law.index.provisions), list(law.diagnostics)
    data = {"acts": acts, "provisions": provisions, "warnings": len(diagnostics), "diagnostics": diagnostics}
    return _emit(args, data, describe_check(acts, provisions, diagnostics), law.stamp())


def _lint(args) -> int:
    from ..review.lint import lint

    from ..law import day

    law = _law(args)
    findings = lint(law.index, day(args.published_on))
    return _emit(args, findings, "\n".join(map(str, findings)) or "no findings", law.stamp())


def _coverage(args) -> int:
    from ..review.lint import coverage

    law = _law(args)
    rows = coverage(law.index)
    return _emit(args, rows, "\n".join(map(str, rows)), law.stamp())


def _deadline(args) -> int:
    from ..law import day
    from ..rules.deadlines import deadline, kinds
    from .render import describe_deadline, describe_kinds

    law = _law(args)
    if args.list or not args.kind:
        return _emit(args, list(kinds(law)), describe_kinds(kinds(law)) or "this instrument declares no deadlines",
                     law.stamp())
    answer = deadline(law, args.kind, day(args.trigger) if args.trigger else None, day(args.as_of) if args.as_of else None,
                      args.extension_days, args.fixed_dates == "move")
    return _emit(args, answer, describe_deadline(answer), law.stamp(args.as_of or args.trigger))


def _calendar(args) -> int:
    from ..errors import UndeclaredKind
    from ..rules.deadlines import kinds, schedule, to_ics
    from .render import describe_deadline

    law = _law(args)
    if not kinds(law):
        raise UndeclaredKind(args.instrument if not args.corpus else "the corpus", "deadline",
                             "this instrument declares no deadlines")
    items = schedule(law, args.year, args.fixed_dates == "move")
    stamp = law.stamp()
    if args.ics:
        with open(args.ics, "wb") as handle:
            handle.write(to_ics(items, law.name, stamp))
    return _emit(args, items, "\n".join(describe_deadline(item) for item in items), stamp)


def _check_costs(args) -> int:
    from pathlib import Path

    from ..law import day
    from ..rules.ledger import check_ledger
    from .render import describe_summary

    if args.reproduce:
        return _reproduce(args)
    if not args.ledger or not args.as_of:
        print("tat check-costs: give a LEDGER and --as-of DATE (or --reproduce VERDICTS_FILE)", file=sys.stderr)
        return 2
    law = _law(args)
    stamp = law.stamp(args.as_of)
    source, target = Path(args.ledger), Path(args.out) if args.out else None
    if source.is_dir() or args.cluster:  # a partitioned Parquet dataset, part by part
        from ..errors import LedgerError
        from ..messages import say
        from ..rules.dataset import check_dataset

        if args.encoding:
            raise LedgerError(say("{path}: --encoding names a CSV ledger's encoding; a Parquet dataset says its own",
                                  path=source))
        summary = check_dataset(law, source, target, day(args.as_of), args.cluster)
    else:
        summary = check_ledger(law, source, target, day(args.as_of), progress=False if args.no_progress else None,
                               stamp=stamp, encoding=args.encoding)
    return _emit(args, summary, describe_summary(summary), stamp)


def _reproduce(args) -> int:
    """Judge a stamped verdicts file again under its stamp: 0 when every verdict agrees, 1 when some
    differ, 2 when the file has no stamp or is no file of verdicts."""
    from pathlib import Path

    from ..rules.stamped import law_of, read_stamp, reproduce
    from ..stamp import NoStamp
    from .render import describe_reproduction

    if args.ledger or args.as_of or args.out or args.reading or args.assume or args.encoding:
        print("tat check-costs --reproduce takes the decision date, readings and dates from the file's stamp: "
              "give no LEDGER, --as-of, --out, --reading, --assume or --encoding", file=sys.stderr)
        return 2
    path = Path(args.reproduce)
    try:
        found = read_stamp(path)
        law = law_of(found.stamp, args.corpus)
        report = reproduce(law, path, found)
    except NoStamp as error:
        print(f"tat: {error}", file=sys.stderr)
        return 2
    _emit(args, report, describe_reproduction(report), law.stamp(found.stamp.decided_on))  # this run's own stamp
    return 0 if report.agrees else 1


def _check_applications(args) -> int:
    from ..law import day
    from ..rules.admission import decide, read_applications
    from .render import describe_decisions

    law = _law(args)
    decisions = decide(law, read_applications(args.applications), day(args.as_of))
    return _emit(args, decisions, describe_decisions(decisions), law.stamp(args.as_of))


def _test(args) -> int:
    """Run scenario files: 0 every case passed, 1 a case failed, 2 a file (or a case) is bad."""
    from ..errors import QueryError
    from ..review.scenario_checks import Override, run_files
    from .render import describe_test_run

    try:
        override = Override(tuple(args.corpus), args.instrument,
                            tuple(_pair(t, "--reading", "READING=OPTION, e.g. reach-2020=from-signing") for t in args.reading),
                            tuple((act, _day(on)) for act, on in (_pair(t, "--assume", "ACT=DATE, e.g. 1-3/zz=2020-03-16")
                                                                    for t in args.assume)))
    except QueryError as error:  # a usage error: exit 1 would say a case failed
        print(f"tat: {error}", file=sys.stderr)
        return 2
    run = run_files(args.files, override)
    counts = {"passed": run.passed, "failed": run.failed, "errors": run.errors, "exit_code": run.exit_code}
    _emit(args, {**counts, "files": run.files}, describe_test_run(run))
    return run.exit_code


def _serve(args) -> int:
    from .http import Corpus, serve

    corpora = (Corpus(args.name, tuple(args.corpus)),) if args.corpus else ()
    serve(args.host, args.port, args.body_timeout, corpora, args.quiet, args.workers)
    return 0


def _verify(args) -> int:
    from ..law import day
    from ..review.verify import verify
    from .render import describe_verify

    law = _law(args)
    report = verify(law.index, day(args.as_of))
    _emit(args, report, describe_verify(report), law.stamp(args.as_of))
    return 0 if report.ok else 1


def _import(args) -> int:
    """Read an amending act into a draft DSL file; with ``--consolidated``, load
    the draft with the corpus and compare it with a published consolidated text."""
    from pathlib import Path

    from .render import describe_import, describe_import_check

    imported, number, text = _read_import(args)
    if args.out:
        Path(args.out).write_text(text, "utf-8")
    elif not args.json:
        sys.stdout.write(text)
    index, replay = _replay_import(args, text, number, imported)
    check = _check_import(args, text, number, imported, index) if args.consolidated else None
    if args.json:
        return (_emit(args, {"counts": imported.counts, "import": imported, "check": check, "replay": replay}, "")
                or _verdict(check))
    print(describe_import(args.act, imported, replay), file=sys.stdout if args.out else sys.stderr)
    if check is not None:
        print(describe_import_check(check, args.consolidated, args.skip_lines))
    return _verdict(check)


def _verdict(check) -> int:
    return 0 if check is None or check.ok else 1


def _read_import(args):
    """The act (and its memo) read from the file, and the draft written with the user's dating."""
    from pathlib import Path

    from ..review.drafting import Dating, draft
    from ..errors import QueryError
    from ..review.importer import dated, locate, read_act

    lines = Path(args.act).read_text("utf-8-sig").removesuffix("\n").split("\n")
    act_span, memo_span = locate(lines)
    act_span = _span(args.lines, "--lines") if args.lines else act_span
    memo_span = _span(args.memo_lines, "--memo-lines") if args.memo_lines else (None if args.lines else memo_span)
    for span in filter(None, (act_span, memo_span)):
        if span.last > len(lines):
            raise QueryError(f"{args.act} has {len(lines)} lines, not {span}")
    memo = lines[memo_span.first - 1:memo_span.last] if memo_span else None
    imported = read_act(lines[act_span.first - 1:act_span.last], act_span.first, memo, memo_span.first if memo_span else 1)
    written, number = (dated(args.dated) or (None, None)) if args.dated else (None, None)
    if args.dated and number is None:
        raise QueryError(f'--dated takes the date and number as an act prints them, e.g. "xx.yy.2020 nr 1-3/zz", not {args.dated!r}')
    earliest, latest = _between(args.signed_between) if args.signed_between else (None, None)
    dating = Dating(number, written, _day(args.signed) if args.signed else None, earliest, latest,
                    _day(args.assume_signed) if args.assume_signed else None, args.because)
    return imported, number or imported.head.number, draft(imported, dating, f"{args.act} lines {act_span}", args.document)


def _between(text: str):
    from ..errors import QueryError

    ends = text.split("..")
    if len(ends) != 2:
        raise QueryError(f"--signed-between takes two dates A..B, for instance 2020-02-20..2020-12-31, not {text!r}")
    return tuple(_day(end.strip()) for end in ends)


def _with_draft(args, text: str, number: str | None) -> list[tuple[str, str]]:
    """The corpus's files, any file declaring the draft's act left out, and the draft."""
    import re

    from ..loader import bundled_files, read_files

    sources = read_files(args.corpus) if args.corpus else bundled_files(args.instrument)
    same = re.compile(rf'^act "{re.escape(number or "?")}"', re.M)
    return [(name, body) for name, body in sources if not same.search(body)] + [(args.out or "<import>", text)]


def _replay_import(args, text: str, number: str | None, imported) -> tuple:
    """The draft replayed with the corpus it amends: the index (None when it does not load) and what
    the replay says of the draft's own lines (a phrase not in a point's wording, a point not in force,
    facts left as they were); ``(None, None)`` when the corpus does not hold the directive the act
    amends (then only a person can place the act)."""
    import re

    from ..errors import CorpusError, DslError
    from ..loader import build

    sources = _with_draft(args, text, number)
    amends = imported.head.amends
    if amends is None or not any(re.search(rf'^act "{re.escape(amends)}"', body, re.M) for _, body in sources[:-1]):
        return None, None
    draft, index = sources[-1][0], None
    try:
        index = build(sources)
        found = index.diagnostics
    except CorpusError as error:
        found = error.diagnostics
    except DslError as error:
        found = [error.diagnostic]
    return index, sorted((d for d in found if d.location is not None and d.location.path == draft),
                         key=lambda d: (d.location.line, d.location.column))


def _check_import(args, text: str, number: str | None, imported, index=None):
    """The draft in the corpus in place of any file declaring the same act (``index``, when the
    replay built it already), the text in force on its first day against the published consolidated text."""
    from ..loader import build
    from ..dsl.parse import parse_act
    from ..review.published import consolidated_points
    from ..review.verify import check_act, read_known

    path = args.out or "<import>"
    index = index or build(_with_draft(args, text, number))
    day = _day(args.as_of) if args.as_of else parse_act(text, path).in_force_from
    span = _span(args.consolidated_lines, "--consolidated-lines") if args.consolidated_lines else None
    skipped = tuple((skip.first, skip.last) for skip in (_span(text, "--skip-lines") for text in args.skip_lines))
    published = consolidated_points(args.consolidated, (span.first, span.last) if span else (1, 10**9), skipped)
    targets = {target for item in imported.items for change in item.changes for target in change.targets}
    return check_act(index, day, published, number, targets, read_known() if not args.corpus else {})


def _span(text: str, option: str):
    """``A..B``, 1-based lines with both ends included."""
    import re

    from ..errors import QueryError
    from ..review.importer import Lines

    match = re.fullmatch(r"\s*(\d{1,9})\s*\.\.\s*(\d{1,9})\s*", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise QueryError(f"{option} takes lines A..B with 1 <= A <= B, for instance 15..394, not {text!r}")
    return Lines(int(match[1]), int(match[2]))


def _days(text: str) -> int:
    """A count of days, 0 or more: a usage error (exit 2) otherwise."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0 or len(text.strip().lstrip("+")) > 9:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, 0 or more (at most 9 digits), not {text!r}")
    return value


def _year(text: str) -> int:
    """A calendar year the engine can count: its interim report runs from the end of the year before."""
    import argparse

    from ..model import FIRST_DAY, LAST_DAY

    first, last = FIRST_DAY.year + 1, LAST_DAY.year
    if not (text.strip().isdigit() and len(text.strip()) <= 4 and first <= int(text) <= last):
        raise argparse.ArgumentTypeError(f"expected a year between {first} and {last}, not {text!r}")
    return int(text)


def _write_whole(target, body: bytes) -> None:
    """``body`` into ``target`` through a new file beside it (created, never opened through a
    planted link; the umask sets its mode) renamed into place: a failure leaves no partial file."""
    import os
    import secrets

    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
    try:
        with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as file:
            file.write(body)
        os.replace(temporary, target)
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(target)) from None  # name the file asked for, not ours
    finally:
        temporary.unlink(missing_ok=True)


def _version() -> str:
    from .. import __version__

    return __version__


def _version_action():
    """``--version``: the package's one version literal (``tat_engine.__version__``)."""
    import argparse

    class Version(argparse.Action):
        def __call__(self, parser, namespace, values, option_string=None):
            print(f"tat-engine {_version()}")
            parser.exit()

    return Version


class _Only:
    """The command line's ``parser`` and its subcommands, of which only ``wanted`` is built (what
    the others would be told is dropped unread: building all of them cost a command several
    milliseconds). ``seen`` says whether ``wanted`` was among them."""

    def __init__(self, parser, commands, wanted: str | None):
        self.parser, self.commands, self.wanted, self.seen = parser, commands, wanted, False

    def add_parser(self, name: str, **options):
        if self.wanted is None or name == self.wanted:
            self.seen = True
            return self.commands.add_parser(name, **options)
        return _Unbuilt()


class _Unbuilt:
    """A subcommand not asked for: what it would be told is ignored."""

    def add_argument(self, *args, **options) -> None:
        pass

    def set_defaults(self, **defaults) -> None:
        pass


def _parse(argv: list[str]):
    """The words as parsed by the parser of their subcommand alone, or, on any error (its message may
    list the other subcommands), by the whole command line's parser, which then says it."""
    if argv and not argv[0].startswith("-"):
        only = _parser_of(argv[0])
        if only.seen:
            try:
                return only.parser.parse_args(argv)
            except _Retry:
                pass
    return _parser().parse_args(argv)


class _Retry(Exception):
    """A parser of one subcommand met an error: the whole parser says it."""


def _parser():
    return _parser_of(None).parser


def _parser_of(command: str | None) -> _Only:
    """The whole parser, or with ``command`` one whose only subcommand is that one, which raises
    :class:`_Retry` instead of printing an error."""
    import argparse

    class Parser(argparse.ArgumentParser):
        """While the parser is built, a formatter of a fixed width checks each argument's metavar
        against its nargs and writes the subcommands' "tat" prefix, which no width changes. Help is
        still written to the terminal's width, but a command that prints none does not import shutil
        (and bz2, lzma) to ask for it."""

        building = False

        def add_argument(self, *args, **options):
            return self._building(super().add_argument, *args, **options)

        def add_subparsers(self, **options):
            return self._building(super().add_subparsers, **options)

        def _building(self, build, *args, **options):
            self.building = True
            try:
                return build(*args, **options)
            finally:
                self.building = False

        def _get_formatter(self):
            return self.formatter_class(prog=self.prog, width=80) if self.building else super()._get_formatter()

    class Tentative(Parser):
        def error(self, message):
            raise _Retry(message)

    kind = Parser if command is None else Tentative
    parser = kind(prog="tat", description="Grant conditions (toetuse andmise tingimused) as versioned law.")
    parser.add_argument("--version", action=_version_action(), nargs=0, help="show the version and exit")
    parser.set_defaults(run=lambda args: parser.print_help() or 0)
    common = Parser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON data")
    common.add_argument("--lang", choices=["et", "en"], help="the language of text for people: et (eesti) or en "
                        "(default: the locale's, LC_ALL / LC_MESSAGES / LANG starting with et is Estonian)")
    common.add_argument("--corpus", action="append", default=[], metavar="PATH",
                        help="DSL files or folders to load instead of the bundled directive")
    common.add_argument("--instrument", default="tat", help="the shipped instrument: tat (default) or safety-2023")
    common.add_argument("--reading", action="append", default=[], metavar="READING=OPTION",
                        help="read a contested question one way, e.g. reach-2020=from-signing (`tat acts` lists them)")
    common.add_argument("--assume", action="append", default=[], metavar="ACT=DATE",
                        help="the real date of an act whose date the sources lack, e.g. 1-3/zz=2020-03-16")
    commands = _Only(parser, parser.add_subparsers(title="commands"), command)

    point = commands.add_parser("point", parents=[common], help="a point as in force on a date")
    point.add_argument("label", help="a point number such as 11.3, or Lisa 1")
    point.add_argument("--as-of", required=True, help="the date (YYYY-MM-DD); with --facts-on, the decision date")
    point.add_argument("--facts-on", help="the date of the facts the law is applied to")
    point.set_defaults(run=_point)

    text = commands.add_parser("text", parents=[common], help="the whole directive as in force on a date")
    text.add_argument("--as-of", required=True)
    text.add_argument("--out", metavar="FILE", help="write the text on paper: FILE.pdf or FILE.docx "
                      "(needs the 'paper' extra: pip install 'tat-engine[paper]')")
    text.add_argument("--format", choices=("pdf", "docx"), help="the paper format, when --out's suffix does not say it")
    text.set_defaults(run=_text)

    history = commands.add_parser("history", parents=[common], help="every version of the points that bore a label")
    history.add_argument("label")
    history.set_defaults(run=_history)

    refs = commands.add_parser("refs", parents=[common], help="what a point cites on a date, and what cites it")
    refs.add_argument("label")
    refs.add_argument("--as-of", required=True, help="the date (YYYY-MM-DD)")
    refs.set_defaults(run=_refs)

    act = commands.add_parser("act", parents=[common], help="what an act changed, item by item, and through references")
    act.add_argument("number", help="the act's number, e.g. 1-3/zz")
    act.set_defaults(run=_act)

    diff = commands.add_parser("diff", parents=[common], help="what changed between two dates")
    diff.add_argument("before")
    diff.add_argument("after")
    diff.set_defaults(run=_diff)

    acts = commands.add_parser("acts", parents=[common], help="the acts, their dates and assumptions")
    acts.set_defaults(run=_acts)

    check = commands.add_parser("check", parents=[common], help="load the corpus and print every diagnostic")
    check.set_defaults(run=_check)

    lint = commands.add_parser("lint", parents=[common], help="findings for review: double changes, "
                               "dangling references, unknown wording")
    lint.add_argument("--published-on", default="2021-01-01",
                      help="the date whose text is compared with the published annotations (default 2021-01-01)")
    lint.set_defaults(run=_lint)

    due = commands.add_parser("deadline", parents=[common], help="a deadline counted the Estonian way, "
                              "under the rule in force")
    due.add_argument("kind", nargs="?", help="the kind of deadline; --list shows them")
    due.add_argument("--list", action="store_true", help="list the kinds of deadline")
    due.add_argument("--trigger", help="the day that starts it (YYYY-MM-DD)")
    due.add_argument("--as-of", help="the decision date (default: the trigger day)")
    due.add_argument("--extension-days", type=_days, default=0, help="days spent fixing deficiencies (kinds declared with extension)")
    due.add_argument("--fixed-dates", choices=["move", "stay"], default="move",
                     help="whether a fixed date (31 January, 5 November) on a rest day moves to the next working day")
    due.set_defaults(run=_deadline)

    year = commands.add_parser("calendar", parents=[common], help="the recurring due dates of a year, as text and .ics")
    year.add_argument("year", type=_year, help="a year between 1901 and 2999")
    year.add_argument("--ics", metavar="FILE", help="also write the dates as an iCalendar file")
    year.add_argument("--fixed-dates", choices=["move", "stay"], default="move")
    year.set_defaults(run=_calendar)

    costs = commands.add_parser("check-costs", parents=[common], help="judge a ledger of cost lines (CSV, .xlsx or Parquet)")
    costs.add_argument("ledger", nargs="?", help="the ledger; its columns are listed in tat_engine.rules.ledger")
    costs.add_argument("--as-of", help="the decision date (the day of the audit); required with a LEDGER")
    costs.add_argument("--reproduce", metavar="VERDICTS_FILE", help="judge a stamped verdicts file (.csv, .xlsx, "
                       ".parquet, .json) again under its stamp and report every verdict that differs "
                       "(exit 0: all agree, 1: some differ, 2: no stamp)")
    costs.add_argument("--out", help="write every line with its verdict and reasons (.csv, .xlsx, .parquet or .json)")
    costs.add_argument("--no-progress", action="store_true", help="no progress bar, even on a terminal")
    costs.add_argument("--cluster", metavar="SCHEDULER", help="judge a partitioned Parquet dataset (a folder) on Dask: "
                                                             "local, local:N or a scheduler address (tcp://host:8786); "
                                                             "--out is then a folder")
    costs.add_argument("--encoding", metavar="NAME", help="a CSV ledger's encoding (utf-8, utf-16, utf-16-le, "
                       "windows-1257, …); default: detected (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1257)")
    costs.set_defaults(run=_check_costs)

    apply = commands.add_parser("check-applications", parents=[common],
                                help="admissibility of applications under an instrument's rules (CSV)")
    apply.add_argument("applications")
    apply.add_argument("--as-of", required=True, help="the decision date")
    apply.set_defaults(run=_check_applications)

    test = commands.add_parser("test", help="run scenario files: expected answers, each case passed or failed "
                               "(exit 0 all passed, 1 a case failed, 2 a file is bad)")
    test.add_argument("files", nargs="+", metavar="FILE", help="scenario files (YAML; see examples/scenarios/)")
    test.add_argument("--json", action="store_true", help="print JSON data")
    test.add_argument("--corpus", action="append", default=[], metavar="PATH",
                      help="DSL files or folders to ask instead of the law each file names")
    test.add_argument("--instrument", help="the shipped instrument to ask instead of the one each file names")
    test.add_argument("--reading", action="append", default=[], metavar="READING=OPTION",
                      help="read a contested question one way, over what the files choose")
    test.add_argument("--assume", action="append", default=[], metavar="ACT=DATE",
                      help="the real date of an act whose date the sources lack, over what the files assume")
    test.set_defaults(run=_test)

    web = commands.add_parser("serve", help="the HTTP API and the reading room (127.0.0.1:8000 by default)")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=8000)
    web.add_argument("--body-timeout", type=float, default=30.0, metavar="SECONDS",
                     help="a request body not complete this long after the request began gets 408 (default 30)")
    web.add_argument("--corpus", action="append", default=[], metavar="PATH",
                     help="DSL files or folders served as one more instrument (the default one), beside the shipped ones")
    web.add_argument("--name", default="corpus", help="the instrument name --corpus is served under (default corpus; "
                     "a shipped name such as tat replaces that instrument)")
    web.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default 1)")
    web.add_argument("--quiet", action="store_true", help="print neither the address nor a line per request")
    web.set_defaults(run=_serve)

    cover = commands.add_parser("coverage", parents=[common], help="per act: versions made, and how much "
                                "of the text in force is known, reconstructed or unknown")
    cover.set_defaults(run=_coverage)

    verify = commands.add_parser("verify", parents=[common], help="compare with the published consolidated "
                                 "text and the 2020 act; every difference must be reviewed")
    verify.add_argument("--as-of", default="2021-01-01", help="a date after the 2020 act (default 2021-01-01)")
    verify.set_defaults(run=_verify)

    imp = commands.add_parser("import", help="read an amending act (plain text, as published) into a draft DSL "
                              "file; flagged entries are for review")
    imp.add_argument("act", help="the act as plain text, PDF artifacts and all")
    imp.add_argument("--out", metavar="FILE", help="write the draft here (default: standard output; counts to stderr)")
    imp.add_argument("--lines", metavar="A..B", help="the act's lines in the file (default: from KÄSKKIRI to the signature)")
    imp.add_argument("--memo-lines", metavar="A..B", help="the lines of its explanatory memo, read only for effects the "
                     "act does not state (default without --lines: the Seletuskiri after the signature)")
    imp.add_argument("--dated", metavar='"DATE nr NUMBER"', help="the act's date and number as it is cited, where the "
                     'text prints others (a draft\'s register number), e.g. "xx.yy.2020 nr 1-3/zz"')
    imp.add_argument("--signed", metavar="DATE", help="the act's signing date, where the text prints none or a placeholder")
    imp.add_argument("--signed-between", metavar="DATE..DATE", help="bounds of a date the text prints as a placeholder")
    imp.add_argument("--assume-signed", metavar="DATE", help="the date assumed within --signed-between")
    imp.add_argument("--because", help="why the bounds and the assumption hold")
    imp.add_argument("--document", metavar="NAME", help="a source document the corpus declares for this file: items "
                     "cite their lines in it")
    imp.add_argument("--consolidated", metavar="TEXT", help="check the draft, loaded with the corpus, against this "
                     "published consolidated text (exit 1 when a point the act changes differs)")
    imp.add_argument("--consolidated-lines", metavar="A..B", help="the consolidated text's lines in TEXT (default: all)")
    imp.add_argument("--skip-lines", action="append", default=[], metavar="A..B", help="lines of TEXT not to compare "
                     "(tables, footnotes), as many as needed")
    imp.add_argument("--as-of", help="the day compared (default: the act's first day in force)")
    imp.add_argument("--corpus", action="append", default=[], metavar="PATH", help="the corpus the act amends")
    imp.add_argument("--instrument", default="tat", help="the shipped instrument the act amends (default tat)")
    imp.add_argument("--json", action="store_true", help="print the import (and the check) as JSON data")
    imp.add_argument("--lang", choices=["et", "en"], help="the language of the counts and the check (default: the locale's)")
    imp.set_defaults(run=_import)
    return commands


if __name__ == "__main__":
    sys.exit(main())
