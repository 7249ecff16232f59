"""A generated ledger of a million cost lines: the whole ``check-costs`` run next
to the plainest read + write of the same file with the same library, in one run.

    python benchmarks/ledger.py [--lines 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

CATEGORIES = ["7.1.3.1", "7.1.3.3", "7.1.3.5", "7.1.3.6", "7.1.3.10", "7.1.3.12", "7.1.3.13", "7.1.3.2", "7.2.1.2"]


def generate(path: Path, lines: int, seed: int = 3) -> None:
    rnd = np.random.default_rng(seed)
    start = dt.date(2015, 1, 1).toordinal()
    incurred = start + rnd.integers(0, 3650, lines)
    paid = incurred + rnd.integers(0, 90, lines)
    as_text = lambda ordinals: [dt.date.fromordinal(int(o)).isoformat() for o in ordinals]  # noqa: E731
    table = pa.table({
        "line": pa.array(np.arange(1, lines + 1).astype(str)),
        "activity": pa.array(rnd.choice(["2.1", "2.2", "2.3", "2.4"], lines)),
        "party": pa.array(rnd.choice(["implementer", "partner"], lines)),
        "category": pa.array(rnd.choice(CATEGORIES, lines)),
        "incurred_on": pa.array(as_text(incurred)),
        "paid_on": pa.array(as_text(paid)),
        "amount": pa.array([f"{c / 100:.2f}" for c in rnd.integers(100, 500_000, lines)]),
        "written_proof": pa.array(rnd.choice(["true", "false"], lines)),
        "excess": pa.array(rnd.choice(["", "", "", "12.50"], lines)),
    })
    pacsv.write_csv(table, path)


def child(code: str) -> tuple[float, float]:
    """Seconds and peak memory (MiB) of ``code`` run in a fresh interpreter."""
    script = f"import time, resource\nstart = time.perf_counter()\n{code}\n" \
             "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    return float(out[-2]), float(out[-1])


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--lines", type=int, default=1_000_000)
    args = cli.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source, plain_out, judged_out = (Path(folder) / name for name in ("ledger.csv", "plain.csv", "judged.csv"))
        generate(source, args.lines)
        plain = child(f"import pyarrow.csv as c\nc.write_csv(c.read_csv({str(source)!r}), {str(plain_out)!r})")
        full = child(
            "import datetime as dt, pathlib, tat_engine\nfrom tat_engine.rules.ledger import check_ledger\n"
            f"check_ledger(tat_engine.load(), pathlib.Path({str(source)!r}), pathlib.Path({str(judged_out)!r}), "
            "dt.date(2021, 6, 1), progress=False)")
        rows = sum(1 for _ in open(judged_out, encoding="utf-8")) - 1
    print(f"{'run':34} {'seconds':>8} {'lines/s':>10} {'peak MiB':>9}")
    print(f"{'plain read + write (pyarrow csv)':34} {plain[0]:8.2f} {args.lines / plain[0]:10,.0f} {plain[1]:9.0f}")
    print(f"{'tat check-costs (read, judge, write)':34} {full[0]:8.2f} {args.lines / full[0]:10,.0f} {full[1]:9.0f}")
    print(f"ratio {full[0] / plain[0]:.2f}× (target ≤ 3×); {args.lines / full[0]:,.0f} lines/s (target > 300 000); rows out {rows}")


if __name__ == "__main__":
    main()
