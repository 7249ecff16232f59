"""A ledger too large for one file or one machine: a partitioned Parquet dataset.

Each part is judged by the same :func:`~.ledger.check_ledger` as a single file, and
the parts' summaries are combined into the one summary the whole ledger would give:
counts and amounts add up, the flat rate is applied to the summed base (not summed
per part, which would round differently), the budget is compared with the summed
eligible amounts, and invalid rows keep their numbers in the whole dataset.

The parts run one after another in this process, or on a Dask cluster
(``scheduler``: ``"local"``, ``"local:N"`` for N worker processes on this machine,
or a scheduler's address such as ``tcp://10.0.0.5:8786``). Dask rather than Spark:
it runs the same Python function on each part with the same pyarrow, needs no JVM,
and its local cluster is the real thing in miniature, so the test runs what a
cluster runs. The workers read the parts and write the verdicts by path: on a real
cluster the dataset and the output folder are on a filesystem every worker sees.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from attrs import evolve, frozen

from ..errors import QueryError
from ..messages import msg
from ..law import Law
from .eligibility import require
from .ledger import Summary, check_ledger, summarised


@frozen
class Part:
    """One file of the dataset: where it is, the values its folders give (``activity=2.1/``), where its verdicts go."""

    source: str
    partition: tuple[tuple[str, str], ...]
    target: str | None


def parts_of(source: Path, target: Path | None) -> list[Part]:
    """The dataset's files in path order (the order their rows are numbered in); hive-style
    folders (``key=value``) give columns their files do not hold."""
    try:
        dataset = ds.dataset(source, format="parquet", partitioning=ds.HivePartitioning.discover(infer_dictionary=True))
    except (pa.ArrowInvalid, OSError) as error:
        raise QueryError(msg("{source}: not a Parquet dataset: {reason}", source=source,
                             reason=str(error).splitlines()[0])) from None
    parts = []
    for fragment in sorted(dataset.get_fragments(), key=lambda f: f.path):
        keys = ds.get_partition_keys(fragment.partition_expression)
        inner = Path(fragment.path).relative_to(source)
        parts.append(Part(fragment.path, tuple((k, str(v)) for k, v in sorted(keys.items())),
                          str(target / inner) if target else None))
    if not parts:
        raise QueryError(msg("{source}: the dataset holds no Parquet file", source=source))
    return parts


def check_dataset(law: Law, source: Path, target: Path | None, as_of: dt.date, scheduler: str | None = None) -> Summary:
    """Judge every part of the dataset at ``source``, writing each part's verdicts under ``target``
    (the same relative path, Parquet), on ``scheduler`` (see the module); one combined summary."""
    require(law)
    parts = parts_of(source, target)
    if scheduler is None:
        summaries = [judge_part(law, part, as_of) for part in parts]
    else:
        with _client(scheduler) as client:
            shared = client.scatter(law, broadcast=True)
            summaries = client.gather([client.submit(judge_part, shared, part, as_of, pure=False) for part in parts])
    return combine(law, as_of, summaries)


def judge_part(law: Law, part: Part, as_of: dt.date) -> Summary:
    """One part through :func:`check_ledger`, with its folders' values as columns."""
    target = Path(part.target) if part.target else None
    if target:
        target.parent.mkdir(parents=True, exist_ok=True)
    if not part.partition:
        return check_ledger(law, Path(part.source), target, as_of, progress=False)
    table = pq.read_table(part.source)
    for key, value in part.partition:
        if key not in table.column_names:
            table = table.append_column(key, pa.array([value] * table.num_rows, pa.string()))
    with tempfile.TemporaryDirectory() as folder:
        whole = Path(folder) / "part.parquet"
        pq.write_table(table, whole)
        return check_ledger(law, whole, target, as_of, progress=False)


def combine(law: Law, as_of: dt.date, summaries: list[Summary]) -> Summary:
    """The summary of the parts taken as one ledger, in the parts' order."""
    totals: dict = defaultdict(lambda: [0, 0, 0])
    personnel: dict = defaultdict(int)
    problems, rows, invalid = [], 0, 0
    for summary in summaries:
        for total in summary.totals:
            entry = totals[total.activity, total.verdict]
            entry[0], entry[1], entry[2] = entry[0] + total.lines, entry[1] + total.amount, entry[2] + total.eligible
        for indirect in summary.indirect:
            personnel[indirect.activity] += indirect.direct_personnel
        problems += [evolve(problem, row=rows + problem.row) for problem in summary.problems]
        rows, invalid = rows + summary.rows, invalid + summary.invalid
    return summarised(law, as_of, rows, totals, personnel, problems, invalid)


@contextmanager
def _client(scheduler: str):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise QueryError(msg("a cluster run needs Dask: pip install 'tat-engine[cluster]'")) from None
    if scheduler == "local" or scheduler.startswith("local:"):
        count = scheduler.partition(":")[2] or "2"
        if not count.isdigit() or not 1 <= int(count) <= 256:
            raise QueryError(msg("--cluster {scheduler}: local:N takes a number of workers from 1 to 256",
                                 scheduler=scheduler))
        workers = int(count)
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            yield client
    else:
        with Client(scheduler) as client:
            yield client

