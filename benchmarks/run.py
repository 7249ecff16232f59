"""Speed of the engine next to plain baselines, measured side by side in one run.

    python benchmarks/run.py            # the bundled directive and a generated 20 000-point corpus
    python benchmarks/run.py --quick    # smaller generated corpus, fewer repeats

Rows: a point lookup by label and date (index and API) next to a dict of sorted
start dates + bisect; the versions in force on a date next to a dict of
bisects; the rendered consolidated text; corpus load cold and cached; the
command line's wall time for one point query next to ``python -c pass``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from bisect import bisect_right
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import generate  # noqa: E402

from tat_engine.law import Law  # noqa: E402
from tat_engine.loader import build, bundled_files, load_index, read_files  # noqa: E402


def best(function, repeat: int) -> float:
    """Seconds per call of ``function`` (which loops itself), best of ``repeat``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def wall(command: list[str], runs: int, env: dict) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def baseline_labels(index) -> dict:
    """label -> (sorted start dates, values): the plain structure a lookup is held against."""
    return {label: (list(t.starts), list(t.entries)) for label, t in index.labels.items()}


def baseline_provisions(index) -> dict:
    return {pid: ([v.start for v in versions], list(versions)) for pid, versions in index.provisions.items()}


def measure(name: str, sources, repeat: int, lookups: int, cli: list[str] | None, env: dict) -> list[tuple]:
    rows = []
    start = time.perf_counter()
    index = build(sources)
    cold = time.perf_counter() - start
    law = Law(index)
    rnd = random.Random(7)
    labels = sorted(index.labels)
    days = [dt.date(2015, 1, 1) + dt.timedelta(days=rnd.randint(0, 3650)) for _ in range(lookups)]
    pairs = [(rnd.choice(labels), day) for day in days]
    plain = baseline_labels(index)

    def engine_lookups():
        point = index.point
        for label, day in pairs:
            point(label, day)

    def api_lookups():
        point = law.point
        for label, day in pairs:
            point(label, day)

    def plain_lookup(label, day):
        starts, values = plain[label]
        i = bisect_right(starts, day) - 1
        return values[i] if i >= 0 else None

    def baseline_lookups():
        lookup = plain_lookup
        for label, day in pairs:
            lookup(label, day)

    base = best(baseline_lookups, repeat) / lookups
    rows.append((name, "point lookup (index)", best(engine_lookups, repeat) / lookups, base, "≤ 2×"))
    rows.append((name, "point lookup (API, str label)", best(api_lookups, repeat) / lookups, base, "—"))

    provisions = baseline_provisions(index)
    snapshot_days = days[:20]

    def engine_in_force():
        for day in snapshot_days:
            index.in_force(day)

    def baseline_in_force():
        for day in snapshot_days:
            found = []
            for starts, versions in provisions.values():
                i = bisect_right(starts, day) - 1
                if i >= 0:
                    found.append(versions[i])

    rows.append((name, "versions in force on a date", best(engine_in_force, repeat) / len(snapshot_days),
                 best(baseline_in_force, repeat) / len(snapshot_days), "≤ 3×"))
    text_day = dt.date(2021, 1, 1)
    rows.append((name, "consolidated text on a date", best(lambda: law.text(text_day), repeat), None, "< 2 ms (directive)"))
    rows.append((name, "corpus load, cold (parse+replay+index+graph)", cold, None, "—"))
    with tempfile.TemporaryDirectory() as cache:
        os.environ["TAT_CACHE_DIR"] = cache
        load_index(sources)  # fills the cache
        rows.append((name, "corpus load, cached", best(lambda: load_index(sources), repeat), None, "—"))
        if cli is not None:
            env = {**env, "TAT_CACHE_DIR": cache}
            subprocess.run(cli, stdout=subprocess.DEVNULL, env=env, check=False)  # warm
            runs = 5 if repeat < 3 else 21
            bare = wall([sys.executable, "-c", "pass"], runs, env)
            rows.append((name, "CLI: tat point … (wall)", wall(cli, runs, env), bare, "≤ 5× python -c pass"))
    return rows


def show(rows: list[tuple]) -> None:
    print(f"{'corpus':10} {'measure':46} {'engine':>12} {'baseline':>12} {'ratio':>7}  target")
    for corpus, measure_name, engine, baseline, target in rows:
        ratio = f"{engine / baseline:6.2f}×" if baseline else "      —"
        base = _fmt(baseline) if baseline else "—"
        print(f"{corpus:10} {measure_name:46} {_fmt(engine):>12} {base:>12} {ratio}  {target}")


def _fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--quick", action="store_true", help="a 2 000-point corpus and fewer repeats")
    args = cli.parse_args()
    repeat, lookups = (2, 20_000) if args.quick else (5, 200_000)
    points, acts = (2_000, 50) if args.quick else (20_000, 500)
    tat = Path(sys.executable).with_name("tat")
    env = dict(os.environ)
    rows = measure("directive", bundled_files(), repeat, lookups,
                   [str(tat), "point", "11.3", "--as-of", "2019-06-01"], env)
    with tempfile.TemporaryDirectory() as folder:
        generate.write(Path(folder), generate.generate(points, acts))
        sources = read_files([folder])
        rows += measure(f"{points // 1000}k/{acts}", sources, repeat, lookups,
                        [str(tat), "point", "1.1.1", "--as-of", "2019-06-01", "--corpus", folder], env)
    show(rows)


if __name__ == "__main__":
    main()
