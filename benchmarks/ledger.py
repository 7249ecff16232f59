"""The ledger check measured honestly: paired runs, medians, a realistic ledger, baselines doing the same work.

    python benchmarks/ledger.py                    # 1M lines, 3 paired runs, memory at 1M and 10M (~10 min)
    python benchmarks/ledger.py --quick            # 200k lines, 2 runs, memory at 200k and 1M (~1 min)
    python benchmarks/ledger.py --memory 1e6 1e7 1e8   # peak memory against input size (100M: ~10 GB of ledger; verdicts
                                                       # as Parquet where the disk cannot hold them as CSV)
    python benchmarks/ledger.py --json

The realistic ledger (``write_ledger``) has every optional column, 0.5 % bad rows (days that do not
exist, amounts whose mark is a thousands separator, unknown categories and bodies, negative amounts
without a note), costs incurred across 2014–2024 (so the window of the 2020 act's unknown date is in
it), in the English form (UTF-8, ``,``, ISO dates) and the Estonian one (Windows-1257, ``;``,
DD.MM.YYYY, ``2 500,00``, Estonian column names and values).

Each engine figure is paired with a baseline run right after it, in a fresh interpreter each, and the
medians are compared: a plain read + write of the same file by pyarrow with the same output size (the
added columns padded to the engine's bytes), in the same output format; and DuckDB running the same
rules (``ledger_sql.py``) on the same file, whose verdicts are checked against the engine's.
``rows()`` returns the figures as (measure, engine, baseline, ratio, target, met) for benchmarks/run.py.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from attrs import frozen

HERE = Path(__file__).parent
AS_OF = "2021-06-01"
CATEGORIES = ["7.1.3.1", "7.1.3.2", "7.1.3.3", "7.1.3.5", "7.1.3.6", "7.1.3.10", "7.1.3.12", "7.1.3.13", "7.2.1.2"]
PARTIES = {"english": ["implementer", "partner", "implementer", "TAI", "PPA", "SKA"],
           "estonian": ["elluviija", "partner", "elluviija", "Tervise Arengu Instituut", "PPA", "Sotsiaalkindlustusamet"]}
ESTONIAN = {"line": "rida", "activity": "tegevus", "party": "osapool", "category": "kululiik", "incurred_on": "tekkinud",
            "paid_on": "makstud", "amount": "summa", "on_documents": "kuludokumentidel", "written_proof": "kirjalik_tõend",
            "mode": "sõiduviis", "excess": "ületav_osa", "note": "selgitus"}
BAD_SHARE = 0.005
CHUNK = 1_000_000


def _chunk(rnd: np.random.Generator, start: int, size: int, form: str) -> pa.Table:
    """``size`` lines numbered from ``start + 1``."""
    estonian = form == "estonian"
    incurred = np.datetime64("2014-06-01") + rnd.integers(0, 3800, size).astype("timedelta64[D]")
    paid = incurred + rnd.integers(0, 75, size).astype("timedelta64[D]")
    cents = rnd.integers(100, 900_000, size)
    cents = np.where(rnd.random(size) < 0.01, -cents, cents)  # corrections, with a note
    note = np.where(cents < 0, "korrigeerimine" if estonian else "correction", rnd.choice(["", "", "", "lähetus Tartu"], size))
    yes, no = ("jah", "ei") if estonian else ("true", "false")

    def days(values: np.ndarray) -> pa.Array:
        iso = pa.array(values.astype(str))
        if not estonian:
            return iso
        return pc.binary_join_element_wise(pc.utf8_slice_codeunits(iso, 8, 10), pc.utf8_slice_codeunits(iso, 5, 7),
                                           pc.utf8_slice_codeunits(iso, 0, 4), ".")

    def euros(values: np.ndarray) -> pa.Array:
        whole, part = np.divmod(np.abs(values), 100)
        sign = np.where(values < 0, "-", "")
        if estonian:  # thousands grouped by a space, decimal comma
            text = [f"{s}{w:,}".replace(",", " ") + f",{p:02d}" for s, w, p in zip(sign, whole.tolist(), part.tolist())]
            return pa.array(text)
        return pc.binary_join_element_wise(pa.array(sign), pc.cast(pa.array(whole), pa.string()), ".",
                                           pc.utf8_lpad(pc.cast(pa.array(part), pa.string()), 2, "0"), "")

    excess = np.where(rnd.random(size) < 0.2, rnd.integers(1, 20_000, size), 0)
    columns = {
        "line": pc.cast(pa.array(np.arange(start + 1, start + size + 1)), pa.string()),
        "activity": pa.array(rnd.choice(["2.1", "2.2", "2.3", "2.4"], size)),
        "party": pa.array(rnd.choice(PARTIES[form], size, p=[0.5, 0.3, 0.1, 0.04, 0.03, 0.03])),
        "category": pa.array(rnd.choice(CATEGORIES, size)),
        "incurred_on": days(incurred), "paid_on": days(paid), "amount": euros(cents),
        "on_documents": pa.array(rnd.choice([no, no, no, yes], size)),
        "written_proof": pa.array(rnd.choice([yes, no], size)),
        "mode": pa.array(rnd.choice(["", "", "ühistransport", "sõiduauto"], size)),
        "excess": pc.if_else(pa.array(excess > 0), euros(excess), ""),
        "note": pa.array(note),
    }
    bad = np.nonzero(rnd.random(size) < BAD_SHARE)[0]
    kinds = rnd.integers(0, 5, len(bad))
    spoil = {  # column -> (rows, the bad text)
        "incurred_on": (bad[kinds == 0], "31.06.2016" if estonian else "2016-06-31"),
        "amount": (bad[kinds == 1], "1.234,50"),
        "category": (bad[kinds == 2], "7.1.9"),
        "party": (bad[kinds == 3], "Maanteeamet"),
    }
    for name, (rows, text) in spoil.items():
        values = columns[name].to_numpy(zero_copy_only=False).astype(object)
        values[rows] = text
        columns[name] = pa.array(values, pa.string())
    unexplained = bad[kinds == 4]  # a negative amount without a note
    amounts = columns["amount"].to_numpy(zero_copy_only=False).astype(object)
    amounts[unexplained] = "-12,50" if estonian else "-12.50"
    notes = columns["note"].to_numpy(zero_copy_only=False).astype(object)
    notes[unexplained] = ""
    columns["amount"], columns["note"] = pa.array(amounts, pa.string()), pa.array(notes, pa.string())
    names = [ESTONIAN[name] for name in columns] if estonian else list(columns)
    return pa.table(list(columns.values()), names=names)


def write_ledger(path: Path, lines: int, form: str = "english", seed: int = 3) -> None:
    """A realistic ledger of ``lines`` lines, the same every time for a seed, written in chunks (any size fits in memory)."""
    rnd = np.random.default_rng(seed)
    estonian = form == "estonian"
    options = pacsv.WriteOptions(delimiter=";" if estonian else ",", quoting_style="needed")
    with open(path, "wb") as handle:
        for start in range(0, lines, CHUNK):
            table = _chunk(rnd, start, min(CHUNK, lines - start), form)
            sink = pa.BufferOutputStream()
            pacsv.write_csv(table, sink, pacsv.WriteOptions(delimiter=options.delimiter, include_header=start == 0,
                                                             quoting_style="needed"))
            data = sink.getvalue().to_pybytes()
            handle.write(data.decode("utf-8").encode("cp1257") if estonian else data)


# --- runs, each in a fresh interpreter ----------------------------------------------------------

ENGINE = """
import datetime as dt, pathlib, time, resource, json
{peak}start = time.perf_counter()
import tat_engine
from tat_engine.rules.ledger import check_ledger
law = tat_engine.load()
times = []
for run in range({runs}):
    began = time.perf_counter()
    summary = check_ledger(law, pathlib.Path({source!r}), pathlib.Path({target!r}), dt.date.fromisoformat({as_of!r}), progress=False)
    times.append(time.perf_counter() - began)
print(json.dumps({{"first": time.perf_counter() - start - sum(times[1:]), "warm": times[-1], "rows": summary.rows,
                  "peak": peak()}}))
"""

PLAIN = """
import time, resource, json, pathlib
{peak}import pyarrow as pa, pyarrow.csv as c, pyarrow.parquet as pq
source, target, pad, separator, encoding = pathlib.Path({source!r}), pathlib.Path({target!r}), {pad!r}, {separator!r}, {encoding!r}
start = time.perf_counter()
reader = c.open_csv(source, c.ReadOptions(block_size=1 << 24, encoding=encoding),
                    c.ParseOptions(delimiter=separator, newlines_in_values=True),
                    c.ConvertOptions(column_types={{n: pa.string() for n in {names!r}}}, strings_can_be_null=False))
schema = pa.schema(list(reader.schema) + [("padding", pa.string())])
suffix, rows = target.suffix, 0
if suffix == ".csv":
    handle = open(target, "wb"); writer = c.CSVWriter(handle, schema, write_options=c.WriteOptions(delimiter=separator))
elif suffix == ".parquet":
    writer = pq.ParquetWriter(target, schema)
elif suffix == ".json":
    handle = open(target, "w", encoding="utf-8")
else:
    from openpyxl import Workbook
    book = Workbook(write_only=True); sheet = book.create_sheet("rows"); sheet.append(schema.names)
for batch in reader:
    rows += batch.num_rows
    batch = pa.RecordBatch.from_arrays([*batch.columns, pa.array([pad] * batch.num_rows, pa.string())], schema=schema)
    if suffix in (".csv", ".parquet"):
        writer.write(batch)
    elif suffix == ".json":
        for row in batch.to_pylist():
            handle.write(json.dumps(row, ensure_ascii=False) + "\\n")
    else:
        for row in zip(*(column.to_pylist() for column in batch.columns)):
            sheet.append(row)
if suffix == ".csv":
    writer.close(); handle.close()
elif suffix == ".parquet":
    writer.close()
elif suffix == ".json":
    handle.close()
else:
    book.save(target)
seconds = time.perf_counter() - start
print(json.dumps({{"first": seconds, "warm": seconds, "rows": rows, "peak": peak()}}))
"""

DUCKDB = """
import datetime as dt, pathlib, time, resource, json, sys
{peak}sys.path.insert(0, {here!r})
import tat_engine, ledger_sql
law = tat_engine.load()
seconds = ledger_sql.run(law, pathlib.Path({source!r}), pathlib.Path({target!r}), dt.date.fromisoformat({as_of!r}), {separator!r})
print(json.dumps({{"first": seconds, "warm": seconds, "rows": 0, "peak": peak()}}))
"""


PEAK = '''
def peak():  # MiB: this program's own high-water mark (ru_maxrss would count the forked parent's pages)
    try:
        return int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
'''


def _child(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def engine(source: Path, target: Path, runs: int = 1) -> dict:
    return _child(ENGINE.format(peak=PEAK, runs=runs, source=str(source), target=str(target), as_of=AS_OF))


def plain(source: Path, target: Path, pad_bytes: int, separator: str = ",", encoding: str = "utf8") -> dict:
    names = pacsv.open_csv(source, pacsv.ReadOptions(encoding=encoding), pacsv.ParseOptions(delimiter=separator)).schema.names
    return _child(PLAIN.format(peak=PEAK, source=str(source), target=str(target), pad="x" * max(pad_bytes, 0), separator=separator,
                               encoding=encoding, names=names))


def duckdb(source: Path, target: Path, separator: str = ",", as_of: str = AS_OF) -> dict:
    return _child(DUCKDB.format(peak=PEAK, here=str(HERE), source=str(source), target=str(target), as_of=as_of, separator=separator))


@frozen
class Row:
    """One measure: the engine's figure, its baseline's, their ratio and the target."""

    measure: str
    engine: float | None
    baseline: float | None
    ratio: float | None
    target: str
    met: bool | None
    unit: str = "s"


def _paired(runs: int, first, second) -> tuple[list[dict], list[dict]]:
    """``runs`` pairs, alternating which goes first, so drift on a shared machine falls on both."""
    a, b = [], []
    for run in range(runs):
        if run % 2:
            b.append(second()); a.append(first())
        else:
            a.append(first()); b.append(second())
    return a, b


def _median(found: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in found)


def _pad(engine_out: Path, source: Path, lines: int) -> int:
    """Bytes a row the plain run adds so that its output is as large as the engine's (the verdict columns)."""
    return int((engine_out.stat().st_size - source.stat().st_size) / max(lines, 1)) - 1


def rows(lines: int = 1_000_000, runs: int = 3, memory: tuple[int, ...] = (1_000_000, 10_000_000),
         formats: tuple[str, ...] = (".csv", ".parquet", ".json", ".xlsx"), log=print) -> list[Row]:
    """Every figure of the ledger benchmark."""
    found: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="tat-ledger-") as folder:
        folder = Path(folder)
        english, estonian = folder / "ledger.csv", folder / "kulud.csv"
        log(f"writing the realistic ledgers ({lines:,} lines) …")
        write_ledger(english, lines)
        write_ledger(estonian, lines, "estonian")
        out = folder / "judged.csv"
        log("English form, CSV → CSV: engine and plain read + write …")
        warmup = engine(english, out)
        pad = _pad(out, english, lines)
        ours, base = _paired(runs, lambda: engine(english, out, runs=2), lambda: plain(english, folder / "plain.csv", pad))
        speed = lines / _median(ours, "warm")
        found.append(Row("lines/s, realistic ledger (warm)", speed, None, None, "≥ 400 000", speed >= 400_000, "lines/s"))
        found.append(_row("CSV → CSV vs plain read + write (warm)", _median(ours, "warm"), _median(base, "warm"), 3.0))
        found.append(_row("first call (load + check) vs warm", _median(ours, "first"), _median(ours, "warm"), None))
        try:
            import duckdb as _  # noqa: F401
        except ImportError:
            log("duckdb is not installed (pip install -e .[bench]): its row is skipped")
        else:
            log("DuckDB, the same rules in SQL …")
            rival = folder / "duckdb.csv"
            ours, base = _paired(runs, lambda: engine(english, out, runs=2), lambda: duckdb(english, rival))
            sys.path.insert(0, str(HERE))
            import ledger_sql

            compared, differ = ledger_sql.verdicts_match(out, rival)
            found.append(_row(f"vs DuckDB, same rules ({differ} of {compared:,} verdicts differ)",
                              _median(ours, "warm"), _median(base, "warm"), 1.0))
        log("Estonian form (Windows-1257, ;, decimal comma) …")
        eesti_out = folder / "hinnatud.csv"
        engine(estonian, eesti_out)
        pad = _pad(eesti_out, estonian, lines)
        ours, base = _paired(runs, lambda: engine(estonian, eesti_out, runs=2),
                             lambda: plain(estonian, folder / "plain-et.csv", pad, ";", "cp1257"))
        found.append(_row("Estonian form CSV → CSV vs plain read + write", _median(ours, "warm"), _median(base, "warm"), 3.0))
        for suffix in formats:
            if suffix == ".csv":
                continue
            size = min(lines, 100_000) if suffix == ".xlsx" else lines
            source = english if size == lines else folder / f"ledger-{size}.csv"
            if size != lines:
                write_ledger(source, size)
            log(f"output {suffix} ({size:,} lines) …")
            target = folder / f"judged{suffix}"
            ours, base = _paired(runs, lambda: engine(source, target), lambda: plain(source, folder / f"plain{suffix}", pad))
            found.append(_row(f"CSV → {suffix[1:]} vs plain read + {suffix[1:]} write ({size // 1000}k)",
                              _median(ours, "warm"), _median(base, "warm"), 3.0))
        for size in memory:
            suffix = _memory_output(folder, size)
            if suffix is None:
                log(f"peak memory at {size:,} lines: skipped, the disk cannot hold the ledger and its verdicts")
                continue
            source = folder / f"memory-{size}.csv"
            log(f"peak memory at {size:,} lines (verdicts as {suffix[1:]}) …")
            write_ledger(source, size)
            ours = engine(source, folder / f"memory-out{suffix}")
            base = plain(source, folder / f"memory-plain{suffix}", 0)
            shown = f"{size / 1e6:g}M lines ({source.stat().st_size >> 20} MiB) → {suffix[1:]}"
            found.append(Row(f"peak memory at {shown}", ours["peak"], base["peak"], ours["peak"] / base["peak"],
                             "< 300 MiB", ours["peak"] < 300, "MiB"))
            found.append(Row(f"lines/s at {shown} (first call)", size / ours["first"], size / base["first"],
                             base["first"] / ours["first"], "", None, "lines/s"))
            for path in (source, folder / f"memory-out{suffix}", folder / f"memory-plain{suffix}"):
                path.unlink(missing_ok=True)
    return found


_BYTES_A_LINE = {".csv": 110 + 2 * 450, ".parquet": 110 + 2 * 60}  # the ledger, then the engine's and the plain output


def _memory_output(folder: Path, lines: int) -> str | None:
    """CSV verdicts (as the other rows) where the disk holds them, else Parquet (a 100M-line CSV of
    verdicts with their reasons is some 45 GB), else None: the row cannot be measured here."""
    free = shutil.disk_usage(folder).free * 0.8
    return next((suffix for suffix, size in _BYTES_A_LINE.items() if lines * size < free), None)


def _row(measure: str, engine_seconds: float, baseline_seconds: float, most: float | None) -> Row:
    ratio = engine_seconds / baseline_seconds
    return Row(measure, engine_seconds, baseline_seconds, ratio, f"≤ {most:g}×" if most else "",
               ratio <= most if most else None)


def _shown(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "lines/s":
        return f"{value:,.0f}/s"
    return f"{value:.0f} MiB" if unit == "MiB" else f"{value:.2f} s"


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--lines", type=float, default=1e6)
    cli.add_argument("--runs", type=int, default=3, help="paired runs (medians are compared)")
    cli.add_argument("--memory", type=float, nargs="*", default=[1e6, 1e7], help="ledger sizes for peak memory")
    cli.add_argument("--formats", nargs="*", default=[".csv", ".parquet", ".json", ".xlsx"])
    cli.add_argument("--quick", action="store_true", help="200k lines, 2 runs, memory at 200k and 1M")
    cli.add_argument("--json", action="store_true")
    args = cli.parse_args()
    if args.quick:
        args.lines, args.runs, args.memory = 2e5, 2, [2e5, 1e6]
    found = rows(int(args.lines), args.runs, tuple(int(size) for size in args.memory), tuple(args.formats),
                 log=lambda text: print(text, file=sys.stderr, flush=True))
    if args.json:
        print(json.dumps([attrs.asdict(row) for row in found], indent=2, ensure_ascii=False))
        return
    print(f"ledger benchmark: {int(args.lines):,} lines, {args.runs} paired runs (medians), {os.cpu_count()} CPUs")
    print(f"{'measure':58} {'engine':>12} {'baseline':>12} {'ratio':>7}  {'target':10}")
    for row in found:
        ratio = f"{row.ratio:6.2f}×" if row.ratio is not None else ""
        met = {True: "ok", False: "MISSED", None: ""}[row.met]
        print(f"{row.measure:58} {_shown(row.engine, row.unit):>12} {_shown(row.baseline, row.unit):>12} {ratio:>7}  "
              f"{row.target:10} {met}")


if __name__ == "__main__":
    main()
