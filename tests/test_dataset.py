"""A partitioned ledger (#15): each part judged by the same check_ledger, in process and on a
local Dask cluster, gives the verdicts and the summary of the single file holding every row."""

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import tat_engine
from tat_engine.errors import QueryError
from tat_engine.interfaces.cli import main
from tat_engine.rules.dataset import check_dataset, parts_of
from tat_engine.rules.ledger import check_ledger

SAMPLE = Path(__file__).parents[1] / "examples" / "ledger.csv"
AS_OF = dt.date(2021, 6, 1)
COPIES = 150


@pytest.fixture(scope="module")
def law():
    return tat_engine.load()


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    """The example ledger many times over, every line its own number, some amounts unreadable,
    as one file and as a dataset split by activity (hive folders) into two files each."""
    folder = tmp_path_factory.mktemp("dataset")
    sample = pacsv.read_csv(SAMPLE, convert_options=pacsv.ConvertOptions(
        column_types={name: pa.string() for name in pacsv.read_csv(SAMPLE).column_names}))
    whole = pa.concat_tables([sample] * COPIES)
    line = pa.array([str(n) for n in range(1, whole.num_rows + 1)])
    amount = pc.if_else(pa.array([n % 97 == 0 for n in range(whole.num_rows)]), "12,345.6", whole["amount"])
    whole = whole.set_column(0, "line", line).set_column(whole.column_names.index("amount"), "amount", amount)
    single = folder / "single.parquet"
    pq.write_table(whole, single)
    dataset = folder / "parts"
    for activity in sorted(set(whole["activity"].to_pylist())):
        rows = whole.filter(pc.equal(whole["activity"], activity)).drop_columns(["activity"])
        half = rows.num_rows // 2
        for n, piece in enumerate((rows.slice(0, half), rows.slice(half))):
            (dataset / f"activity={activity}").mkdir(parents=True, exist_ok=True)
            pq.write_table(piece, dataset / f"activity={activity}" / f"part-{n}.parquet")
    return single, dataset


def by_line(folder_or_file: Path) -> dict:
    files = sorted(folder_or_file.rglob("*.parquet")) if folder_or_file.is_dir() else [folder_or_file]
    rows = [row for file in files for row in pq.read_table(file).to_pylist()]
    return {row["line"]: (row["activity"], row["verdict"], row["eligible_amount"], row["reasons"]) for row in rows}


def same_summary(one, other) -> None:
    assert (one.rows, one.invalid, one.totals, one.indirect, one.budget) == (
        other.rows, other.invalid, other.totals, other.indirect, other.budget)
    assert len(one.problems) == len(other.problems)


def test_the_parts_in_process_give_the_single_files_verdicts_and_summary(law, ledger, tmp_path):
    single, dataset = ledger
    alone = check_ledger(law, single, tmp_path / "single-out.parquet", AS_OF, progress=False)
    parted = check_dataset(law, dataset, tmp_path / "out", AS_OF)
    same_summary(parted, alone)
    assert alone.invalid > 0 and alone.indirect  # the rows do reach the flat rate and the row problems
    verdicts = by_line(tmp_path / "out")
    assert len(verdicts) == alone.rows == 16 * COPIES and verdicts == by_line(tmp_path / "single-out.parquet")
    # the folders' values are columns again: activity "2.1" stays text, not the number 2.1
    assert {activity for activity, *_ in verdicts.values()} >= {"2.1", "2.2"}


def test_a_local_dask_cluster_gives_the_same_verdicts_and_totals(law, ledger, tmp_path):
    single, dataset = ledger
    alone = check_ledger(law, single, tmp_path / "single-out.parquet", AS_OF, progress=False)
    clustered = check_dataset(law, dataset, tmp_path / "out", AS_OF, scheduler="local:2")
    same_summary(clustered, alone)
    assert by_line(tmp_path / "out") == by_line(tmp_path / "single-out.parquet")


def test_the_command_line_judges_a_dataset_folder(ledger, tmp_path, capsys):
    _, dataset = ledger
    assert main(["check-costs", str(dataset), "--as-of", "2021-06-01", "--out", str(tmp_path / "out"), "--json"]) == 0
    printed = capsys.readouterr().out
    assert f'"rows": {16 * COPIES}' in printed
    assert len(list((tmp_path / "out").rglob("*.parquet"))) == len(parts_of(dataset, None))


def test_a_folder_that_is_no_dataset_and_a_bad_scheduler_are_refused(law, ledger, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(QueryError, match="holds no Parquet file"):
        check_dataset(law, tmp_path / "empty", None, AS_OF)
    with pytest.raises(QueryError, match="local:N takes a number"):
        check_dataset(law, ledger[1], None, AS_OF, scheduler="local:many")
