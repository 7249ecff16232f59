"""Speed of the engine next to plain baselines, measured side by side in one run,
on the bundled directive and on a generated corpus, and how each figure grows.

    python benchmarks/run.py             # the directive and 20 000 points / 500 acts (~1-2 min)
    python benchmarks/run.py --quick     # 2 000 points / 50 acts, fewer repeats (~10 s)
    python benchmarks/run.py --json      # the same figures as JSON, seconds per operation
    python benchmarks/run.py --corpus DIR      # another corpus (DSL files) in place of the bundled one

Rows (see measure.py): a point lookup by label and day, through the index and
the API, next to a dict of sorted start days and ``bisect_right``; the versions
in force on a day next to a dict of per-provision bisects; the consolidated
text; the corpus loaded cold (parse, replay, index, graph checks) and from the
cache; ``tat point`` as a process next to ``python -c pass``, and whether the
query path imported lark or networkx. Targets: lookups within 2x of the
baseline, snapshots within 3x, the directive's text under 2 ms, the command
line within 5x of a bare interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import generate  # noqa: E402
from measure import Corpus, Row, Settings, measure  # noqa: E402

from tat_engine.errors import CorpusError  # noqa: E402
from tat_engine.loader import bundled_files, read_files  # noqa: E402

FULL = Settings(repeat=7, lookups=200_000, snapshot_days=40, text_days=10, cold_repeat=2, cli_runs=21, engine_runs=5)
QUICK = Settings(repeat=2, lookups=20_000, snapshot_days=10, text_days=5, cold_repeat=2, cli_runs=5, engine_runs=3)


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--quick", action="store_true", help="a 2 000-point generated corpus and fewer repeats")
    cli.add_argument("--json", action="store_true", help="print the figures as JSON instead of tables")
    cli.add_argument("--corpus", nargs="+", metavar="PATH", help="DSL files or folders in place of the bundled corpus")
    cli.add_argument("--points", type=int, help="points of the generated directive (default 20 000, quick 2 000)")
    cli.add_argument("--acts", type=int, help="generated amending acts (default 500, quick 50)")
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
    elapsed = time.perf_counter() - began
    if args.json:
        print(json.dumps(as_data(results, mode, elapsed), ensure_ascii=False, indent=2))
    else:
        show(results, mode, elapsed)
    return 1 if failed else 0


def collect(real: Corpus, points: int, acts: int, settings: Settings) -> tuple[dict, bool]:
    """Measure ``real`` and a generated corpus, each with its own cache, in a
    temporary folder; a corpus with errors is reported and skipped."""
    results, failed = {}, False
    with tempfile.TemporaryDirectory(prefix="tat-bench-") as work:
        work = Path(work)
        sources = generate.write(work / "generated", generate.generate(points, acts))
        large = Corpus(f"generated {points // 1000}k/{acts}", sources, [str(work / "generated")], "1.1", False)
        for corpus in (real, large):
            print(f"measuring {corpus.name} …", file=sys.stderr, flush=True)
            try:
                results[corpus.name] = measure(corpus, settings, work / f"cache-{len(results)}")
            except CorpusError as error:
                failed = True
                print(f"{corpus.name}: the corpus has errors; skipped", file=sys.stderr)
                print("\n".join(d.render() for d in error.diagnostics[:10]), file=sys.stderr)
    return results, failed


# --- output -----------------------------------------------------------------------------


def show(results: dict, mode: str, elapsed: float) -> None:
    print(f"tat-engine benchmarks ({mode}): Python {platform.python_version()}, {os.cpu_count()} CPUs, {elapsed:.0f} s")
    show_sizes(results)
    for name, (_, rows) in results.items():
        print(f"\n== {name} ==")
        print(f"{'measure':54} {'engine':>10} {'baseline':>10} {'ratio':>8}  {'target':22} ")
        for row in rows:
            ratio = f"{row.ratio:7.2f}×" if row.ratio is not None else ""
            verdict = {True: "ok", False: "MISSED", None: ""}[row.ok]
            print(f"{row.name:54} {_fmt(row.engine):>10} {_fmt(row.baseline):>10} {ratio:>8}  {row.target:22} {verdict}")
    if len(results) == 2:
        show_growth(results)
    missed = [f"{name}: {row.name.strip()}" for name, (_, rows) in results.items() for row in rows if row.ok is False]
    met = sum(row.ok is True for _, rows in results.values() for row in rows)
    print(f"\ntargets: {met} met, {len(missed)} missed" + "".join(f"\n  MISSED {line}" for line in missed))


def show_sizes(results: dict) -> None:
    names = list(results)
    keys = list(next(iter(results.values()))[0]) if results else []
    print(f"\n{'corpus':20}" + "".join(f"{key:>16}" for key in keys))
    for name in names:
        print(f"{name:20}" + "".join(f"{results[name][0][key]:>16,}" for key in keys))
    if len(names) == 2:
        small, large = (results[name][0] for name in names)
        print(f"{'growth':20}" + "".join(f"{large[key] / small[key]:>15.0f}×" if small[key] else f"{'':>16}" for key in keys))


def show_growth(results: dict) -> None:
    small_name, large_name = results
    print(f"\n== growth: {large_name} / {small_name} (engine figures) ==")
    print(f"{'measure':54} {small_name[:18]:>18} {large_name[:18]:>18} {'growth':>9}")
    for old, row in _pairs(results):
        print(f"{row.name:54} {_fmt(old.engine):>18} {_fmt(row.engine):>18} {row.engine / old.engine:8.1f}×")


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


def as_data(results: dict, mode: str, elapsed: float) -> dict:
    def row_data(row: Row) -> dict:
        return {"key": row.key, "measure": row.name.strip(), "engine": row.engine, "baseline": row.baseline,
                "ratio": row.ratio, "target": row.target, "ok": row.ok}

    data = {
        "mode": mode, "python": platform.python_version(), "cpus": os.cpu_count(), "seconds": elapsed,
        "unit": "seconds per operation",
        "corpora": {name: {"sizes": found, "rows": [row_data(row) for row in rows]}
                    for name, (found, rows) in results.items()},
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
