"""The measures of one corpus, each next to a plain baseline over the same data.

In-process figures are the best of several runs (``time.perf_counter`` around
a loop), engine and baseline alternating so that drift hits both alike;
command-line figures are medians of whole processes. Every figure is seconds
per operation. Before timing, each baseline is checked to give the engine's
answers, so the two do the same work.

Both sides are laid out in memory as a fresh load lays them out: the engine's
index comes from ``tat_engine.load()`` (the cache), and each baseline table is
passed through ``pickle`` once. Built in place instead, in a heap full of the
holes the cold loads left, a table is scattered, and on 20 000 points that
alone moves a ratio by 2x either way.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import pickle
import random
import statistics
import subprocess
import sys
import time
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

import tat_engine
from tat_engine import cachedir
from tat_engine.history import graph
from tat_engine.history.consolidate import consolidate
from tat_engine.history.index import Index
from tat_engine.law import Law
from tat_engine.loader import build, parse_corpus
from tat_engine.dsl.parse import parser

FAR = dt.date.max
WATCHED = ("lark", "networkx", "attrs")  # the query path should import neither of the first two


@dataclass(frozen=True)
class Row:
    """One measure: the engine's figure, the baseline's, and the target if it has one."""

    key: str
    name: str
    engine: float | str | None  # seconds per operation, or a finding such as "none"
    baseline: float | None = None
    target: str = ""
    ok: bool | None = None  # None: no target here

    @property
    def ratio(self) -> float | None:
        if isinstance(self.engine, float) and self.baseline:
            return self.engine / self.baseline
        return None


@dataclass(frozen=True)
class Corpus:
    """A corpus to measure: its name, its DSL files, and how the command line names it."""

    name: str
    sources: list[tuple[str, str]]
    paths: list[str] | None  # None: the bundled corpus
    label: str  # the point the command line asks for, if the corpus has it
    real: bool  # the absolute targets (text < 2 ms) are for the real directive


@dataclass(frozen=True)
class Settings:
    repeat: int
    lookups: int
    snapshot_days: int
    text_days: int
    cold_repeat: int
    cli_runs: int
    engine_runs: int


def best_all(functions: list, repeat: int, warm: bool = False) -> list[float]:
    """Best seconds per call of each loop, the loops run in turn ``repeat`` times,
    each run after a full collection so that none pays for another's garbage;
    ``warm`` runs each once first, untimed."""
    times: list[list[float]] = [[] for _ in functions]
    for function in functions if warm else ():
        function()
    for _ in range(repeat):
        for function, found in zip(functions, times):
            gc.collect()
            start = time.perf_counter()
            function()
            found.append(time.perf_counter() - start)
    return [min(found) for found in times]


def best_pair(engine, baseline, repeat: int, warm: bool = False) -> tuple[float, float]:
    engine_time, baseline_time = best_all([engine, baseline], repeat, warm)
    return engine_time, baseline_time


def best(function, repeat: int) -> float:
    return best_pair(function, lambda: None, repeat)[0]


def paused(function):
    """``function`` with the cyclic garbage collector off while it runs: the floor
    of a cached load (the loader pauses it too), and a what-if for ``loader.build``."""
    def run():
        gc.disable()
        try:
            return function()
        finally:
            gc.enable()
    return run


def compact(value):
    """``value`` copied as a fresh load lays it out (see the module docstring)."""
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def sample(index: Index, settings: Settings, seed: int = 7) -> tuple[list, list[dt.date]]:
    """Random (label, day) pairs, drawn once: labels ever borne (as new strings, the
    way a user's come in), days from a year before the first act to a year after the last."""
    rnd = random.Random(seed)
    first = min(act.in_force_from for act in index.acts.values()) - dt.timedelta(days=365)
    span = (max(act.in_force_from for act in index.acts.values()) - first).days + 365
    labels = sorted(index.labels)
    days = [first + dt.timedelta(days=rnd.randrange(span)) for _ in range(settings.lookups)]
    return [(rnd.choice(labels).encode().decode(), day) for day in days], days


# --- lookups and snapshots ---------------------------------------------------------


def lookups(index: Index, pairs: list, settings: Settings) -> list[Row]:
    """``index.point`` and ``law.point`` next to a dict of (starts, values) and bisect;
    the baseline's values are positions in the index's entries."""
    table = compact({label: (list(t.starts), list(range(len(t.entries)))) for label, t in index.labels.items()})

    def plain(label, day):
        starts, values = table[label]
        return values[bisect_right(starts, day) - 1]

    for label, day in pairs[:2000]:
        entry = index.labels[label].entries[plain(label, day)]
        assert entry is None or entry is index.point(label, day)
    law = Law(index)

    def run(point):
        def loop():
            for label, day in pairs:
                point(label, day)
        return loop

    n = len(pairs)
    engine, api, base = best_all([run(index.point), run(law.point), run(plain)], settings.repeat, warm=True)
    return [
        Row("point_index", "point lookup: index.point(label, day)", engine / n, base / n, "≤ 2×", engine <= 2 * base),
        Row("point_api", "point lookup: law.point(str, day)", api / n, base / n, "≤ 2×", api <= 2 * base),
    ]


def odd_labels(index: Index, pairs: list, settings: Settings) -> list[Row]:
    """A label no point bore (the engine also finds the near labels), and a label
    written with its trailing dot (``11.3.``), which the API normalises. A dict
    miss is no baseline for either; shown for their growth (no target)."""
    law, few = Law(index), pairs[:20]
    repeat = max(2, settings.repeat // 2)
    unknown = best(lambda: [law.point("999.999", day) for _, day in few], repeat)
    dotted = [(f"{label}.", day) for label, day in few if not label.startswith("Lisa")]
    written = best(lambda: [law.point(label, day) for label, day in dotted], repeat)
    return [
        Row("point_unknown", "point lookup, label never borne (+ near labels)", unknown / len(few)),
        Row("point_dotted", "point lookup: law.point(\"1.2.\", day), normalised", written / max(1, len(dotted))),
    ]


def snapshots(index: Index, days: list[dt.date], settings: Settings, real: bool) -> list[Row]:
    """The versions in force on a day next to a dict of per-provision bisects; the text."""
    table = compact({pid: ([v.start for v in vs], [v.end or FAR for v in vs],
                           [None if v.repealed else (pid, v.number) for v in vs])
                     for pid, vs in index.provisions.items()})

    def plain(day):  # unordered; the engine also sorts by label
        found = []
        for starts, ends, versions in table.values():
            i = bisect_right(starts, day) - 1
            if i >= 0 and day < ends[i] and versions[i] is not None:
                found.append(versions[i])
        return found

    few, law = days[: settings.snapshot_days], Law(index)
    for day in few[:5]:
        assert {(a.version.provision, a.version.number) for a in index.in_force(day)} == set(plain(day))
    engine, api, base = best_all([lambda: [index.in_force(d) for d in few], lambda: [law.in_force(d) for d in few],
                                  lambda: [plain(d) for d in few]], settings.repeat, warm=True)
    n = len(few)
    shown = days[: settings.text_days]
    text = best(lambda: [law.text(day) for day in shown], max(2, settings.repeat // 2)) / len(shown)
    return [
        Row("in_force_index", "in force on a day: index.in_force(day)", engine / n, base / n, "≤ 3×", engine <= 3 * base),
        Row("in_force_api", "in force on a day: law.in_force(day)", api / n, base / n, "≤ 3×", api <= 3 * base),
        Row("text", "consolidated text: law.text(day)", text, None, "< 2 ms" if real else "(real only)",
            text < 0.002 if real else None),
    ]


# --- loading ------------------------------------------------------------------------


def cold(corpus: Corpus, settings: Settings) -> list[Row]:
    """``loader.build`` from DSL; its stages one by one (best of as many runs); the
    same build with the collector paused; the grammar's compilation."""
    parser()  # compiled once per process; timed on its own below
    whole = best(lambda: build(corpus.sources), settings.cold_repeat)
    stages: dict[str, list[float]] = {"parse": [], "replay": [], "index": [], "graph": []}
    for _ in range(settings.cold_repeat):
        gc.collect()
        for stage, seconds in _stages(corpus.sources).items():
            stages[stage].append(seconds)
    hint = best(paused(lambda: build(corpus.sources)), 1)
    parser.cache_clear()
    compiled = best(parser, 1)
    rows = [Row("load_cold", "load cold: loader.build (parse+replay+index+graph)", whole)]
    rows += [Row(f"load_{stage}", f"  of which {stage}", min(seconds)) for stage, seconds in stages.items()]
    rows.append(Row("load_cold_no_gc", "  hint: loader.build with gc paused", hint))
    rows.append(Row("grammar", "  (grammar compiled once per process)", compiled))
    return rows


def _stages(sources: list[tuple[str, str]]) -> dict[str, float]:
    """Seconds of each stage of ``loader.build``, done as it does them."""
    found, start = {}, time.perf_counter()
    parsed, _ = parse_corpus(sources)
    found["parse"], start = time.perf_counter() - start, time.perf_counter()
    history, _ = consolidate(parsed)
    found["replay"], start = time.perf_counter() - start, time.perf_counter()
    index = Index(history)
    found["index"], start = time.perf_counter() - start, time.perf_counter()
    graph.check(graph.build(history, index), index)
    found["graph"] = time.perf_counter() - start
    return found


def cached(corpus: Corpus, cache: Path, settings: Settings) -> list[Row]:
    """``tat_engine.load()`` from a warm cache next to the least a cached load can
    do: ``pickle.loads`` of the same file's payload with the collector paused (as the
    loader pauses it); the gap is the cache key (hashing the corpus) and the seal's
    HMAC (the library writes no answer table: that is the command line's)."""
    def load():
        return tat_engine.load(corpus.paths)

    load()  # fills the cache
    path = max(cache.glob("*.pickle"), key=lambda p: p.stat().st_mtime)

    def unpickle():
        return pickle.loads(path.read_bytes()[cachedir.HEADER:])

    engine, base = best_pair(load, paused(unpickle), settings.repeat)
    size = path.stat().st_size / 1e6
    return [Row("load_cached", f"load cached: tat_engine.load() ({size:.1f} MB pickle)", engine, base,
                "(pickle.load, gc off)")]


# --- the command line --------------------------------------------------------------------


def command_line(corpus: Corpus, label: str, env: dict, settings: Settings) -> list[Row]:
    """``tat point`` (its answer table) and ``tat point --json`` (the engine from its
    cache) next to ``python -c pass``; and what each imported."""
    script = Path(sys.executable).with_name("tat")
    entry = [str(script)] if script.exists() else ["-m", "tat_engine.interfaces.cli"]
    ask = [sys.executable, *entry, "point", label, "--as-of", "2019-06-01"]
    ask += [] if corpus.paths is None else [word for path in corpus.paths for word in ("--corpus", path)]
    bare = [sys.executable, "-c", "pass"]
    cache = Path(env["TAT_CACHE_DIR"])
    _run(ask, env)  # warm: the index and the answer table
    before = sorted(cache.glob("*"))
    quick, bare_quick = _walls(ask, bare, env, settings.cli_runs)
    full, bare_full = _walls(ask + ["--json"], bare, env, settings.engine_runs)
    imported = [_imports([sys.executable, "-X", "importtime", *ask[1:], *extra], env) for extra in ([], ["--json"])]
    if sorted(cache.glob("*")) != before:  # the engine's code changed under us: its cache was rebuilt
        return [Row(key, "CLI: not measured, the engine changed during the runs", None) for key in ("cli_point",)]
    base = statistics.median(bare_quick + bare_full)
    rows = [
        Row("cli_point", "CLI: tat point … --as-of … (answer table)", quick, base, "≤ 5× python -c pass",
            quick <= 5 * base),
        Row("cli_engine", "CLI: tat point … --json (engine, cache)", full, base, "(python -c pass)"),
    ]
    for key, extra, found in zip(("imports_point", "imports_engine"), ("", " (--json)"), imported):
        heavy = [package for package in found if package != "attrs"]
        rows.append(Row(key, "  imported lark / networkx (/ attrs)?" + extra, ", ".join(found) or "none", None,
                        "no lark, networkx", not heavy))
    return rows


def _run(command: list[str], env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0 or not done.stdout:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}")
    return done


def _walls(command: list[str], bare: list[str], env: dict, runs: int) -> tuple[float, list[float]]:
    """Median wall time of ``command``, and every run of ``bare``, interleaved."""
    found, baseline = [], []
    for _ in range(runs):
        for argv, times in ((bare, baseline), (command, found)):
            start = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
            times.append(time.perf_counter() - start)
    return statistics.median(found), baseline


def _imports(command: list[str], env: dict) -> list[str]:
    """The watched packages a run imported, from ``-X importtime``'s report."""
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines()
             if line.startswith("import time:")}
    return [name for name in WATCHED if name in names]


def sizes(corpus: Corpus, index: Index) -> dict[str, int]:
    versions = [v for vs in index.provisions.values() for v in vs]
    return {
        "files": len(corpus.sources),
        "DSL bytes": sum(len(text.encode()) for _, text in corpus.sources),
        "acts": len(index.acts),
        "points enacted": sum(v.cause.verb == "enacted" for v in versions),
        "provisions": len(index.provisions),
        "versions": len(versions),
        "labels": len(index.labels),
    }


def measure(corpus: Corpus, settings: Settings, cache: Path) -> tuple[dict, list[Row]]:
    """Every measure of one corpus; ``cache`` is this corpus's own TAT_CACHE_DIR."""
    os.environ["TAT_CACHE_DIR"] = str(cache)
    rows = cold(corpus, settings) + cached(corpus, cache, settings)
    index = tat_engine.load(corpus.paths).index  # as a user gets it: from the cache
    gc.collect()
    gc.freeze()  # the index is old now: collections skip it, as they would in a process that only asks
    try:
        pairs, days = sample(index, settings)
        rows = lookups(index, pairs, settings) + odd_labels(index, pairs, settings) + \
            snapshots(index, days, settings, corpus.real) + rows
        label = corpus.label if corpus.label in index.labels else min(index.labels)  # a corpus still being written
        rows += command_line(corpus, label, {**os.environ, "TAT_CACHE_DIR": str(cache)}, settings)
        return sizes(corpus, index), rows
    finally:
        gc.unfreeze()
