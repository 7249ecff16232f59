"""The ledger check's rival: the same rules, run by DuckDB as one SQL query over the same CSV file.

What an auditor fluent in SQL would write instead of ``tat check-costs``: read every cell as text,
validate it (strict dates in both forms, the one rule for amounts, the known activities, parties and
categories), then judge each line by the rules in force on the day that governs it, in every date
world the sources leave open; a line the worlds judge differently is undetermined. The rules are the
engine's own (``eligibility.rules`` read from the corpus, a few milliseconds); the query compiles
each rule to a SQL condition, so the per-line work — parsing, checking, judging, writing — is
DuckDB's. It writes the verdict and the eligible amount, not the engine's reasons (less work than the
engine does). ``verdicts_match`` checks that both give the same verdict and amount on every line.

Needs the ``bench`` extra (``pip install -e .[bench]``): duckdb.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from tat_engine.law import Law
from tat_engine.rules import eligibility as e
from tat_engine.rules.ledger_read import _meaning
from tat_engine.rules.ledger_values import _FALSE, _MONEY, _TRUE, PARTY_NAMES, Vocabulary, _folded

FIRST_DAY, LAST_DAY = dt.date(2010, 1, 1), dt.date(2030, 12, 31)  # the days the governing table covers


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _among(column: str, values) -> str:
    values = list(values)
    return f"{column} IN ({', '.join(map(_quote, values))})" if values else "FALSE"


def _levels(rules: e.Rules) -> tuple[str, str]:
    """The verdict (the strongest mark that holds, as in ``eligibility._evaluate``) and the eligible cents,
    as SQL over the parsed columns ``t_inc``, ``t_paid`` (day numbers), ``t_cat``, ``t_act``, ``t_party``, ``t_proof``,
    ``t_docs``, ``t_mode``, ``t_cents``, ``t_excess``."""
    marks: list[tuple[int, str]] = []
    if rules.period is None:
        marks.append((rules.period_reason.verdict, "TRUE"))
    else:
        p = rules.period
        surely, possibly = f"(t_inc >= {p.first} AND t_inc < {p.sure})", f"(t_inc >= {p.first} AND t_inc < {p.end})"
        marks += [(rules.period_reason.verdict, f"NOT {possibly}"), (e.UNDETERMINED, f"({possibly} AND NOT {surely})")]
        if rules.grace is None:
            marks.append((rules.grace_reason.verdict if rules.grace_reason else e.UNDETERMINED, "TRUE"))
        else:
            late, timely = f"(t_paid >= {p.end + rules.grace})", f"(t_paid < {p.sure + rules.grace})"
            marks += [(rules.grace_reason.verdict, late), (rules.grace_reason.verdict, f"t_paid < {p.first}"),
                      (e.UNDETERMINED, f"(t_paid >= {p.first} AND NOT {late} AND NOT {timely})")]
    marks.append((e.INELIGIBLE, f"NOT {_among('t_cat', list(rules.categories) + list(rules.exclusions))}"))
    marks += [(reason.verdict, f"t_cat = {_quote(label)}") for label, reason in rules.exclusions.items()]
    by_name = {rule.name: rule for rule in rules.categories.values()}
    for rule in rules.categories.values():
        mine = f"t_cat = {_quote(rule.point)}"
        if rule.activities:
            marks.append((e.INELIGIBLE, f"({mine} AND NOT {_among('t_act', rule.activities)})"))
        if rule.written_proof:
            marks.append((e.INELIGIBLE, f"({mine} AND NOT t_proof)"))
        if rule.modes:
            marks.append((e.INELIGIBLE, f"({mine} AND NOT {_among('t_mode', ('',) + rule.modes)})"))
    eligible = "t_cents"
    if rules.on_documents is not None and rules.on_documents[1] in by_name:
        reason, name = rules.on_documents
        marks.append((reason.verdict, f"(t_cat = {_quote(by_name[name].point)} AND t_docs)"))
    if rules.excess is not None and rules.excess[1] in by_name:
        reason, name = rules.excess
        over = f"(t_cat = {_quote(by_name[name].point)} AND t_excess > 0)"
        marks.append((reason.verdict, over))
        eligible = f"CASE WHEN {over} THEN greatest(t_cents - t_excess, 0) ELSE t_cents END"
    for name, parties in rules.partners.items():
        mine = f"t_act = {_quote(name)}"
        if parties.partner is None:
            marks.append((parties.reason.verdict, f"({mine} AND t_party = 'partner')"))
        known = {"", "implementer", "partner", parties.implementer, parties.partner} - {None}
        stranger = parties.stranger("a body").verdict
        marks.append((stranger, f"({mine} AND NOT {_among('t_party', sorted(known))})"))
    for name, (periods, reason) in rules.implementation.items():
        mine = f"t_act = {_quote(name)}"
        if periods is None:
            marks.append((reason.verdict, mine))
            continue
        surely = " OR ".join(f"(t_inc >= {s.first} AND t_inc < {s.sure})" for s in periods)
        possibly = " OR ".join(f"(t_inc >= {s.first} AND t_inc < {s.end})" for s in periods)
        marks += [(reason.verdict, f"({mine} AND NOT ({possibly}))"),
                  (e.UNDETERMINED, f"({mine} AND ({possibly}) AND NOT ({surely}))")]
    held = [f"CASE WHEN {condition} THEN {level} ELSE 0 END" for level, condition in marks if level > e.ELIGIBLE]
    return f"greatest(0, {', '.join(held)})", eligible


def _world(law: Law, decided: dt.date, world: int) -> tuple[list[tuple[int, int]], str, str]:
    """For one date world: (day number, interval) over the covered days, and its verdict and eligible SQL by interval."""
    starts = sorted({a.in_force_from for a in law.acts()})
    numbers = np.array([e.day_number(s) for s in starts])
    days, intervals = [], set()
    day = FIRST_DAY
    while day <= LAST_DAY:
        governing = law.governing(day, decided).law_on
        k = int(np.searchsorted(numbers, e.day_number(governing), side="right") - 1) if governing else -1
        days.append((e.day_number(day), k))
        intervals.add(k)
        day += dt.timedelta(days=1)
    verdict, eligible = [f"WHEN -1 THEN {e.INELIGIBLE}"], ["WHEN -1 THEN 0"]
    for k in sorted(intervals - {-1}):
        level, cents = _levels(e.rules(law, starts[k]))
        verdict.append(f"WHEN {k} THEN {level}")
        eligible.append(f"WHEN {k} THEN {cents}")
    return days, f"CASE k{world} {' '.join(verdict)} END", f"CASE k{world} {' '.join(eligible)} END"


def _date(column: str) -> str:
    """Day number of a date written YYYY-MM-DD or DD.MM.YYYY that exists; NULL otherwise."""
    iso = f"CASE WHEN regexp_full_match({column}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') THEN try_strptime({column}, '%Y-%m-%d') END"
    local = f"CASE WHEN regexp_full_match({column}, '[0-9]{{2}}\\.[0-9]{{2}}\\.[0-9]{{4}}') THEN try_strptime({column}, '%d.%m.%Y') END"
    return f"(date_diff('day', DATE '1970-01-01', coalesce({iso}, {local})::DATE))"


def _cents(column: str) -> str:
    plain = f"replace(regexp_replace({column}, '[ \u00a0\u202f]', '', 'g'), ',', '.')"
    return f"CASE WHEN regexp_full_match({column}, {_quote(_MONEY[1:-1])}) THEN CAST(CAST({plain} AS DECIMAL(18,2)) * 100 AS BIGINT) END"


def query(law: Law, source: Path, target: Path, as_of: dt.date, columns: dict[str, str], separator: str) -> str:
    """The SQL that judges ``source`` and writes ``target`` (CSV); ``columns`` maps each ledger column to the header's name."""
    if law.reaches_back():
        raise NotImplementedError("the SQL rival does not compile items applied back to earlier facts "
                                  "(Law.reached_back); this instrument has them")
    vocabulary = Vocabulary.of(law)
    worlds = [world for _, world in law.worlds()]
    tables, verdicts = [], []
    for number, world in enumerate(worlds):
        days, verdict, eligible = _world(world, as_of, number)
        tables.append(days)
        verdicts.append((verdict, eligible))
    parties = {_folded(name): body for name, body in vocabulary.bodies.items()}
    parties |= {role: role for role in ("implementer", "partner")} | {k: v for k, v in PARTY_NAMES.items()}
    party_case = " ".join(f"WHEN {_quote(name)} THEN {_quote(body)}" for name, body in parties.items())
    col = {name: f'trim("{written}")' for name, written in columns.items()}
    for name in ("on_documents", "written_proof", "mode", "excess", "note"):
        col.setdefault(name, "''")
    flag = lambda c: f"lower({c})"  # noqa: E731
    values = lambda t: ", ".join(map(_quote, t))  # noqa: E731
    parsed = f"""
      SELECT *,
        {col['activity']} AS t_act,
        CASE lower(regexp_replace({col['party']}, '\\s+', ' ', 'g')) {party_case} ELSE NULL END AS t_party,
        {col['category']} AS t_cat,
        {_date(col['incurred_on'])} AS t_inc,
        {_date(col['paid_on'])} AS t_paid,
        {_cents(col['amount'])} AS t_cents,
        CASE WHEN {col['excess']} = '' THEN 0 ELSE {_cents(col['excess'])} END AS t_excess,
        {flag(col['on_documents'])} IN ({values(_TRUE)}) AS t_docs,
        {flag(col['written_proof'])} IN ({values(_TRUE)}) AS t_proof,
        {flag(col['on_documents'])} IN ({values(_TRUE + _FALSE)}) AND {flag(col['written_proof'])} IN ({values(_TRUE + _FALSE)}) AS flags_ok,
        {col['mode']} AS t_mode,
        {col['note']} AS note_text
      FROM read_csv({_quote(str(source))}, all_varchar = true, header = true, delim = {_quote(separator)},
                    quote = '"', escape = '"', nullstr = '\x01', auto_detect = false,
                    columns = {{{', '.join(f"{_quote(name)}: 'VARCHAR'" for name in _header(source, separator))}}})"""
    invalid = (f"(NOT {_among('t_act', vocabulary.activities)} OR t_party IS NULL OR NOT {_among('t_cat', vocabulary.categories)}"
               " OR t_inc IS NULL OR t_paid IS NULL OR t_cents IS NULL OR (t_cents < 0 AND note_text = '')"
               " OR t_excess IS NULL OR t_excess < 0 OR NOT flags_ok)")
    governs = ", ".join(f"coalesce(days{n}.k{n}, -1) AS k{n}" for n in range(len(tables)))  # outside the table: no act governs it
    joins = " ".join(f"LEFT JOIN days{n} ON days{n}.day = parsed.t_inc" for n in range(len(tables)))
    setup = "".join(f"CREATE OR REPLACE TEMP TABLE days{n} AS SELECT * FROM (VALUES {', '.join(f'({d}, {k})' for d, k in days)}) "
                    f"AS t(day, k{n});\n" for n, days in enumerate(tables))
    judged = ", ".join(f"{verdict} AS v{n}, CASE WHEN {verdict} <= {e.PARTIAL} THEN {eligible} ELSE 0 END AS e{n}"
                       for n, (verdict, eligible) in enumerate(verdicts))
    differ = " OR ".join(f"v{n} <> v0 OR e{n} <> e0" for n in range(1, len(worlds))) or "FALSE"
    names = ", ".join(f'"{written}"' for written in _header(source, separator))
    verdict_names = "[" + ", ".join(map(_quote, e.VERDICTS)) + "]"
    return f"""{setup}
    COPY (
      WITH parsed AS ({parsed}),
      governed AS (SELECT parsed.*, {governs} FROM parsed {joins}),
      judged AS (SELECT governed.*, {invalid} AS bad, {judged} FROM governed),
      final AS (SELECT *, CASE WHEN bad THEN {e.INVALID} WHEN {differ} THEN {e.UNDETERMINED} ELSE v0 END AS verdict_code,
                          CASE WHEN bad OR {differ} THEN 0 ELSE e0 END AS eligible_cents FROM judged)
      SELECT {names}, {verdict_names}[verdict_code + 1] AS verdict,
             printf('%s%d.%02d', CASE WHEN eligible_cents < 0 THEN '-' ELSE '' END, abs(eligible_cents) // 100,
                    abs(eligible_cents) % 100) AS eligible_amount
      FROM final
    ) TO {_quote(str(target))} (HEADER, DELIMITER {_quote(separator)});"""


def _header(source: Path, separator: str) -> list[str]:
    import csv

    with open(source, encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle, delimiter=separator))


def run(law: Law, source: Path, target: Path, as_of: dt.date, separator: str = ",", threads: int | None = None) -> float:
    """Judge ``source`` with DuckDB, writing verdicts to ``target``; the seconds the query took (its SQL is
    built before the clock starts, so DuckDB is not charged for the governing table the engine computes itself)."""
    import time

    import duckdb

    columns = {_meaning(name): name for name in _header(source, separator)}
    connection = duckdb.connect()
    if threads:
        connection.execute(f"SET threads = {threads}")
    sql = query(law, source, target, as_of, columns, separator)
    start = time.perf_counter()
    connection.execute(sql)
    seconds = time.perf_counter() - start
    connection.close()
    return seconds


def verdicts_match(engine_out: Path, duckdb_out: Path, separator: str = ",") -> tuple[int, int]:
    """(lines compared, lines whose verdict or eligible amount differ) between the two outputs, matched by the
    ``line`` column (DuckDB writes the lines in the order its threads finish them)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    def read(path: Path):
        options = pacsv.ConvertOptions(column_types={"line": pa.int64(), "verdict": pa.string(), "eligible_amount": pa.string()},
                                       include_columns=["line", "verdict", "eligible_amount"])
        table = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(delimiter=separator, newlines_in_values=True),
                               convert_options=options).sort_by("line")
        return table.column("verdict").to_numpy(zero_copy_only=False), \
            np.char.replace(table.column("eligible_amount").to_numpy(zero_copy_only=False).astype(str), ",", ".")

    (v1, a1), (v2, a2) = read(engine_out), read(duckdb_out)
    if len(v1) != len(v2):
        return max(len(v1), len(v2)), abs(len(v1) - len(v2))
    return len(v1), int(((v1 != v2) | (a1 != a2)).sum())
