"""A partitioned ledger judged in one process and on a Dask cluster: time, and the same summary.

    python benchmarks/cluster.py                          # 1M lines in 8 Parquet parts, a local cluster of 2
    python benchmarks/cluster.py --lines 10000000 --parts 32 --cluster tcp://10.0.0.5:8786
                                                          # a real cluster (the folder must be on a filesystem
                                                          # every worker sees: --folder /shared/bench)

The ledger is ``benchmarks/ledger.py``'s realistic one (every optional column, 0.5 % bad rows), cut
into ``--parts`` Parquet files. Each run is ``tat check-costs FOLDER --as-of 2021-06-01 --out OUT
--json`` as a user types it, in a fresh process, the two in turn ``--runs`` times (medians); the run
fails unless the two summaries (every total, count and problem) are the same. Needs the ``cluster``
extra (``pip install -e .[cluster]``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from ledger import write_ledger  # noqa: E402


def dataset(folder: Path, lines: int, parts: int) -> Path:
    """The realistic ledger as ``parts`` Parquet files of text columns (as an export would hold them)."""
    source = folder / "ledger.csv"
    write_ledger(source, lines)
    names = pacsv.open_csv(source).schema.names
    table = pacsv.read_csv(source, convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}))
    source.unlink()
    out = folder / "parts"
    out.mkdir()
    step = -(-table.num_rows // parts)
    for n in range(parts):
        pq.write_table(table.slice(n * step, step), out / f"part-{n:03d}.parquet")
    return out


def judged(parts: Path, out: Path, cluster: str | None) -> tuple[float, dict]:
    """Seconds of one ``tat check-costs`` of the folder, and its summary (without its stamp)."""
    command = [sys.executable, "-m", "tat_engine.interfaces.cli", "check-costs", str(parts), "--as-of", "2021-06-01",
               "--out", str(out), "--json", "--no-progress"] + (["--cluster", cluster] if cluster else [])
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    took = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip()[-800:]}")
    summary = json.loads(done.stdout)
    summary.pop("stamp", None)
    return took, summary


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--lines", type=float, default=1e6)
    cli.add_argument("--parts", type=int, default=8)
    cli.add_argument("--runs", type=int, default=3)
    cli.add_argument("--cluster", default="local:2", help="local:N or a scheduler's address")
    cli.add_argument("--folder", help="where the dataset goes (default: a temporary folder)")
    args = cli.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tat-cluster-", dir=args.folder) as folder:
        folder = Path(folder)
        print(f"writing {int(args.lines):,} lines in {args.parts} parts …", file=sys.stderr, flush=True)
        parts = dataset(folder, int(args.lines), args.parts)
        alone, together, summaries = [], [], []
        for run in range(args.runs):
            order = [(None, alone), (args.cluster, together)]
            for cluster, into in order if run % 2 == 0 else reversed(order):
                took, summary = judged(parts, folder / f"out-{run}-{bool(cluster)}", cluster)
                into.append(took)
                summaries.append(summary)
        same = all(summary == summaries[0] for summary in summaries)
        print(f"{int(args.lines):,} lines in {args.parts} parts, {args.runs} runs each (medians)")
        print(f"one process:          {statistics.median(alone):7.2f} s")
        print(f"--cluster {args.cluster:11} {statistics.median(together):7.2f} s")
        print(f"summaries identical:  {same} ({summaries[0]['rows']:,} rows, {len(summaries[0]['totals'])} totals)")
        return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
