"""The one benchmark table: every figure of the engine next to a plain baseline doing the same
work, its target (#15) and whether it is met, measured side by side in one run.

    python benchmarks/run.py             # the directive, a generated 20 000-point corpus, the ledger, the server
    python benchmarks/run.py --quick     # 2 000 generated points, fewer runs; skips the slow ledger and server rows
    python benchmarks/run.py --json      # the same rows as JSON, seconds per operation
    python benchmarks/run.py --corpus DIR      # another corpus (DSL files) in place of the bundled one

The table is ``measure | engine | baseline | ratio | target | met``. Rows (see measure.py):
``law.point(label, day)`` with a date and with an ISO string next to a dict of sorted start days
and ``bisect_right`` (≤ 2×); the versions in force on a day (≤ 3×); the text; the load, cold and
cached; every user-facing command (point, point --json, text, history, diff, deadline,
check-costs on a small ledger, acts, refs, calendar) as a process, warm next to ``python -c
pass`` (directive ≤ 5×; 20 000 points < 200 ms), with ``python -c "import attrs"``, the floor of every
command the answer table does not serve, and its first call on a fresh cache next to its
warm figure (directive ≤ 2×), and which heavy packages each imports warm (lark, networkx, holidays,
the data-frame stack: none, but check-costs's ledger tools). Then the rows of ``benchmarks/ledger.py`` and
``benchmarks/server.py``, each asked through its ``rows()`` when it has one. In-process figures
are the best of alternating runs; process figures are medians of interleaved runs. The machine's
load moves every figure: compare ratios, and re-run on a quiet machine before quoting one.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
from measure import Corpus, Row, Settings, directive_commands, generated_commands, measure  # noqa: E402

from tat_engine.errors import CorpusError  # noqa: E402
from tat_engine.loader import bundled_files, read_files  # noqa: E402

FULL = Settings(repeat=7, lookups=200_000, snapshot_days=40, text_days=10, cold_repeat=3, cli_runs=11, engine_runs=5)
QUICK = Settings(repeat=2, lookups=20_000, snapshot_days=10, text_days=5, cold_repeat=2, cli_runs=3, engine_runs=3)
# the other benchmarks' rows() in quick mode: what each takes, when --quick does not skip them
EXTERNAL = ("ledger", "server")


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--quick", action="store_true", help="a 2 000-point generated corpus, fewer runs, no ledger or server rows")
    cli.add_argument("--json", action="store_true", help="print the rows as JSON instead of a table")
    cli.add_argument("--corpus", nargs="+", metavar="PATH", help="DSL files or folders in place of the bundled corpus")
    cli.add_argument("--points", type=int, help="points of the generated directive (default 20 000, quick 2 000)")
    cli.add_argument("--acts", type=int, help="generated amending acts (default 500, quick 50)")
    cli.add_argument("--skip", nargs="*", default=[], choices=EXTERNAL, help="leave out these benchmarks' rows")
    args = cli.parse_args(argv)
    settings, mode = (QUICK, "quick") if args.quick else (FULL, "full")
    points = args.points or (2_000 if args.quick else 20_000)
    acts = args.acts or (50 if args.quick else 500)
    if args.corpus:
        real = Corpus("corpus", read_files(args.corpus), args.corpus, "11.3", True)
    else:
        real = Corpus("directive", bundled_files(), None, "11.3", True)
    began = time.perf_counter()
    results, failed = collect(real, points, acts, settings)
    external = {} if args.quick else {name: rows for name in EXTERNAL if name not in args.skip
                                      for rows in [external_rows(name)] if rows is not None}
    elapsed = time.perf_counter() - began
    if args.json:
        print(json.dumps(as_data(results, external, mode, elapsed), ensure_ascii=False, indent=2))
    else:
        show(results, external, mode, elapsed)
    return 1 if failed else 0


def collect(real: Corpus, points: int, acts: int, settings: Settings) -> tuple[dict, bool]:
    """Measure ``real`` and a generated corpus, each with its own caches, in a temporary folder;
    a corpus with errors is reported and skipped."""
    results, failed = {}, False
    examples = HERE.parent / "examples"
    with tempfile.TemporaryDirectory(prefix="tat-bench-") as work:
        work = Path(work)
        sources = generate.write(work / "generated", generate.generate(points, acts))
        paths = [str(work / "generated")]
        large = Corpus(f"generated {points // 1000}k points / {acts} acts", sources, paths, "1.1", False)
        plans = ((real, directive_commands(examples) if real.paths is None else []),
                 (large, generated_commands(large.label, paths)))
        for corpus, commands in plans:
            print(f"measuring {corpus.name} …", file=sys.stderr, flush=True)
            try:
                results[corpus.name] = measure(corpus, settings, work / f"cache-{len(results)}", commands)
            except CorpusError as error:
                failed = True
                print(f"{corpus.name}: the corpus has errors; skipped", file=sys.stderr)
                print("\n".join(d.render() for d in error.diagnostics[:10]), file=sys.stderr)
    return results, failed


def external_rows(name: str) -> list[Row] | None:
    """The rows of ``benchmarks/NAME.py`` through its ``rows()``, as this table's rows; None
    (with a word on stderr) when it has none or cannot run here."""
    try:
        module = importlib.import_module(name)
    except ImportError as error:
        print(f"benchmarks/{name}.py cannot run here ({error}); its rows are left out", file=sys.stderr)
        return None
    found = getattr(module, "rows", None)
    if found is None:
        print(f"benchmarks/{name}.py has no rows(); its figures are left out (run it on its own)", file=sys.stderr)
        return None
    print(f"measuring benchmarks/{name}.py …", file=sys.stderr, flush=True)
    wanted = inspect.signature(found).parameters
    kwargs = {"log": lambda text: print(text, file=sys.stderr, flush=True)} if "log" in wanted else {}
    return [_row(name, row) for row in found(**kwargs)]


def _row(name: str, row) -> Row:
    """Another benchmark's row (an object or a mapping with measure, engine, baseline, ratio,
    target, met and perhaps unit) as this table's."""
    get = row.get if isinstance(row, dict) else lambda key, default=None: getattr(row, key, default)
    unit = get("unit", "s") or "s"
    engine, baseline = get("engine"), get("baseline")
    if unit != "s":  # lines/s, MiB: shown with their unit, not as seconds
        engine = None if engine is None else _with_unit(engine, unit)
        baseline = None if baseline is None else _with_unit(baseline, unit)
    return Row(f"{name}:{get('measure')}", str(get("measure")), engine, baseline, get("target") or "", get("met"),
               ratio_given=get("ratio"))


def _with_unit(value: float, unit: str) -> str:
    return f"{value:,.0f}/s" if unit == "lines/s" else f"{value:,.0f} {unit}"


# --- output -----------------------------------------------------------------------------


def show(results: dict, external: dict, mode: str, elapsed: float) -> None:
    print(f"tat-engine benchmarks ({mode}): Python {platform.python_version()}, {os.cpu_count()} CPUs, {elapsed:.0f} s")
    show_sizes(results)
    sections = [(name, rows) for name, (_, rows) in results.items()] + \
        [(f"benchmarks/{name}.py", rows) for name, rows in external.items()]
    print(f"\n| {'measure':74} | {'engine':>10} | {'baseline':>10} | {'ratio':>8} | {'target':22} | met    |")
    print(f"|{'-' * 76}|{'-' * 12}|{'-' * 12}|{'-' * 10}|{'-' * 24}|--------|")
    for section, rows in sections:
        print(f"| {'**' + section + '**':74} | {'':>10} | {'':>10} | {'':>8} | {'':22} |        |")
        for row in rows:
            ratio = f"{row.ratio:7.2f}×" if row.ratio is not None else ""
            verdict = {True: "ok", False: "MISSED", None: ""}[row.ok]
            print(f"| {row.name:74} | {_fmt(row.engine):>10} | {_fmt(row.baseline):>10} | {ratio:>8} | "
                  f"{row.target:22} | {verdict:6} |")
    if len(results) == 2:
        show_growth(results)
    missed = [f"{section}: {row.name.strip()}" for section, rows in sections for row in rows if row.ok is False]
    met = sum(row.ok is True for _, rows in sections for row in rows)
    print(f"\ntargets: {met} met, {len(missed)} missed" + "".join(f"\n  MISSED {line}" for line in missed))


def show_sizes(results: dict) -> None:
    names = list(results)
    keys = list(next(iter(results.values()))[0]) if results else []
    print(f"\n{'corpus':34}" + "".join(f"{key:>16}" for key in keys))
    for name in names:
        print(f"{name:34}" + "".join(f"{results[name][0][key]:>16,}" for key in keys))


def show_growth(results: dict) -> None:
    small_name, large_name = results
    print(f"\n== growth: {large_name} / {small_name} (engine figures) ==")
    print(f"{'measure':74} {small_name[:18]:>18} {large_name[:18]:>18} {'growth':>9}")
    for old, row in _pairs(results):
        print(f"{row.name:74} {_fmt(old.engine):>18} {_fmt(row.engine):>18} {row.engine / old.engine:8.1f}×")


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if value < 1e-6:
        return f"{value * 1e9:.0f} ns"
    if value < 1e-3:
        return f"{value * 1e6:.1f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s"


def as_data(results: dict, external: dict, mode: str, elapsed: float) -> dict:
    def row_data(row: Row) -> dict:
        return {"key": row.key, "measure": row.name.strip(), "engine": row.engine, "baseline": row.baseline,
                "ratio": row.ratio, "target": row.target, "met": row.ok}

    data = {
        "mode": mode, "python": platform.python_version(), "cpus": os.cpu_count(), "seconds": elapsed,
        "unit": "seconds per operation",
        "corpora": {name: {"sizes": found, "rows": [row_data(row) for row in rows]}
                    for name, (found, rows) in results.items()},
        "benchmarks": {name: [row_data(row) for row in rows] for name, rows in external.items()},
    }
    if len(results) == 2:
        data["growth"] = {large.key: large.engine / small.engine for small, large in _pairs(results)}
    return data


def _pairs(results: dict) -> list[tuple[Row, Row]]:
    """The rows of the two corpora that both have a figure, matched by key."""
    (_, small), (_, large) = (rows for rows in results.values())
    before = {row.key: row for row in small}
    return [(before[row.key], row) for row in large
            if row.key in before and isinstance(row.engine, float) and isinstance(before[row.key].engine, float)]


if __name__ == "__main__":
    sys.exit(main())
