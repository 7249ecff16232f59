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
from tat_engine.loader import _parts, build, parse_corpus
from tat_engine.dsl import tables
from tat_engine.dsl.parse import parser

FAR = dt.date.max
WATCHED = ("lark", "networkx", "attrs")  # the query path should import neither of the first two
# what no warm command needs: the parser, the graph library, the holidays package (kept as a table), the
# data-frame stack (a ledger's tools: shown for check-costs, no target there)
HEAVY = ("lark", "networkx", "holidays", "pandas", "pyarrow", "numpy")
WITH_TOOLS = ("check-costs (small ledger)",)


@dataclass(frozen=True)
class Row:
    """One measure: the engine's figure, the baseline's, and the target if it has one."""

    key: str
    name: str
    engine: float | str | None  # seconds per operation, or a finding such as "none"
    baseline: float | None = None
    target: str = ""
    ok: bool | None = None  # None: no target here
    ratio_given: float | None = None  # a ratio another benchmark computed (its figures may not be seconds)

    @property
    def ratio(self) -> float | None:
        if self.ratio_given is not None:
            return self.ratio_given
        if isinstance(self.engine, float) and isinstance(self.baseline, float) and self.baseline:
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
    """``index.point`` and ``law.point`` next to a dict of (starts, answers) and bisect; the
    baseline's answers are the index's own, copied as a load lays them out, so that both sides
    hand back an answer object (returning a small int instead would touch no answer's memory,
    which on 20 000 points is most of a lookup)."""
    table = compact({label: (list(t.starts), list(t.entries)) for label, t in index.labels.items()})

    def plain(label, day):
        starts, values = table[label]
        return values[bisect_right(starts, day) - 1]

    for label, day in pairs[:2000]:
        entry = plain(label, day)
        assert entry is None or entry == index.point(label, day)
    law = Law(index)

    def run(point):
        def loop():
            for label, day in pairs:
                point(label, day)
        return loop

    written = [(label, day.isoformat()) for label, day in pairs]

    def plain_iso(label, text):  # the same work from a written date: read it, then look it up
        starts, values = table[label]
        return values[bisect_right(starts, dt.date.fromisoformat(text)) - 1]

    def run_written(point):
        def loop():
            for label, text in written:
                point(label, text)
        return loop

    n = len(pairs)
    engine, api, base, iso, base_iso = best_all([run(index.point), run(law.point), run(plain),
                                                 run_written(law.point), run_written(plain_iso)],
                                                settings.repeat, warm=True)
    return [
        Row("point_index", "point lookup: index.point(label, date)", engine / n, base / n, "≤ 2×", engine <= 2 * base),
        Row("point_api", "point lookup: law.point(label, date) vs dict+bisect", api / n, base / n, "≤ 2×",
            api <= 2 * base),
        Row("point_api_iso", "point lookup: law.point(label, \"YYYY-MM-DD\") vs fromisoformat+bisect",
            iso / n, base_iso / n, "≤ 2×", iso <= 2 * base_iso),
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
    made = best(parser, 1)
    compiled = best(tables.compiled, 1)
    rows = [Row("load_cold", "load cold: loader.build (parse+replay+index+graph)", whole)]
    rows += [Row(f"load_{stage}", f"  of which {stage}", min(seconds)) for stage, seconds in stages.items()]
    rows.append(Row("load_cold_no_gc", "  hint: loader.build with gc paused", hint))
    rows.append(Row("grammar", "  (parser made once per process, from the shipped tables)", made, compiled,
                    "(grammar compiled)"))
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
    """``tat_engine.load()`` from a warm cache next to the least a cached load can do:
    ``pickle.loads`` of the same file's payload with the collector paused (as the loader
    pauses it); the gap is the cache key (hashing the corpus) and the seal's HMAC (the
    library writes no answer table: that is the command line's). The load decodes a part
    of the index when first asked (history/index.py): the second row asks for all of them.
    The user's sealed cache is what is measured, so the install's index of a shipped instrument
    (tat_engine.prebuilt, unsealed) is left unread here."""
    before = os.environ.get("TAT_PREBUILT")
    os.environ["TAT_PREBUILT"] = "0"
    try:
        return _cached(corpus, cache, settings)
    finally:
        if before is None:
            del os.environ["TAT_PREBUILT"]
        else:
            os.environ["TAT_PREBUILT"] = before


def _cached(corpus: Corpus, cache: Path, settings: Settings) -> list[Row]:
    def load():
        return tat_engine.load(corpus.paths)

    def everything():
        index = load().index
        for name in ("answers", "sheets", "edges", "worlds"):
            getattr(index, name)
        for chunked in (index.labels, index.provisions, index.cites):  # every chunk of each
            for key in chunked:
                chunked[key]
        return index

    load()  # fills the cache
    path = max(cache.glob("*.pickle"), key=lambda p: p.stat().st_mtime)

    def unpickle():
        core, buffers = _parts(memoryview(path.read_bytes())[cachedir.HEADER:])
        return pickle.loads(core, buffers=buffers)

    engine, whole, base = best_all([load, everything, paused(unpickle)], settings.repeat)
    size = path.stat().st_size / 1e6
    return [Row("load_cached", f"load cached: tat_engine.load() ({size:.1f} MB sealed file)", engine, base,
                "(pickle.loads, gc off)"),
            Row("load_cached_all", "load cached, every part of the index decoded", whole, None)]


# --- the command line ---------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """A user-facing command as a user types it (after ``tat``), and the name it has in the table."""

    name: str
    words: tuple[str, ...]


def directive_commands(examples: Path) -> list[Command]:
    """Every user-facing command on the directive (the README's examples)."""
    return [
        Command("point", ("point", "11.3", "--as-of", "2019-06-01")),
        Command("point --json", ("point", "11.3", "--as-of", "2019-06-01", "--json")),
        Command("text", ("text", "--as-of", "2021-01-01")),
        Command("history", ("history", "9.1.10")),
        Command("diff", ("diff", "2019-06-01", "2021-01-01")),
        Command("deadline", ("deadline", "report-check", "--trigger", "2021-12-22")),
        Command("check-costs (small ledger)", ("check-costs", str(examples / "kulud.csv"), "--as-of", "2021-06-01")),
        Command("acts", ("acts",)),
        Command("refs", ("refs", "8.3", "--as-of", "2021-06-01")),
        Command("calendar", ("calendar", "2021")),
    ]


def generated_commands(label: str, paths: list[str]) -> list[Command]:
    """The commands a generated corpus can answer (it declares no deadlines and no cost rules)."""
    corpus = tuple(word for path in paths for word in ("--corpus", path))
    return [Command(name, (*words, *corpus)) for name, words in (
        ("point", ("point", label, "--as-of", "2019-06-01")),
        ("point --json", ("point", label, "--as-of", "2019-06-01", "--json")),
        ("text", ("text", "--as-of", "2019-06-01")),
        ("history", ("history", label)),
        ("diff", ("diff", "2017-01-01", "2019-06-01")),
        ("acts", ("acts",)),
        ("refs", ("refs", label, "--as-of", "2019-06-01")),
    )]


UNDECLARED = ("deadline", "check-costs (small ledger)", "calendar")  # not measured on a generated corpus


def entry() -> list[str]:
    """``tat`` as its console script starts it (pyproject's ``[project.scripts]``), from the code
    on this interpreter's path, not from whatever a script installed earlier names."""
    return [sys.executable, "-c", "import sys; from tat_engine.interfaces.cli import main; sys.exit(main())"]


def child_env(cache: Path) -> dict:
    """The environment of a measured process: its own cache, and byte code kept as an installed
    package keeps it (PYTHONDONTWRITEBYTECODE would compile every module at every start)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["TAT_CACHE_DIR"] = str(cache)
    return env


def command_line(corpus: Corpus, commands: list[Command], work: Path, settings: Settings) -> list[Row]:
    """Each command warm (its cache filled) next to ``python -c pass``, in interleaved runs, medians;
    and its first call on a fresh cache (a new, empty cache directory each run) next to its warm
    figure. Targets (#15.3): on the directive, warm ≤ 5× ``python -c pass`` and a first call ≤ 2× a
    warm one; on a generated corpus of 20 000 points, every command warm < 200 ms."""
    start = entry()
    work.mkdir(mode=0o700, exist_ok=True)
    warm_cache = work / "cli-warm"
    warm_cache.mkdir(mode=0o700)
    env = child_env(warm_cache)
    for command in commands:
        _run([*start, *command.words], env)  # fills the index and the answer table; byte code written
    before = sorted(warm_cache.glob("*"))
    bare = [sys.executable, "-c", "pass"]
    runs = settings.cli_runs if corpus.real else settings.engine_runs
    floor = [[sys.executable, "-c", "import attrs"],  # what the engine's classes need first
             [sys.executable, "-c", "import attrs, pyarrow.csv, pyarrow.compute"]] if corpus.real else []  # and a ledger
    warm, base = _walls([[*start, *command.words] for command in commands] + floor, bare, env, runs)
    warm, floor = warm[:len(commands)], warm[len(commands):]
    if sorted(warm_cache.glob("*")) != before:  # the engine's code changed under us: its cache was rebuilt
        return [Row("cli", "CLI: not measured, the engine changed during the runs", None)]
    colds = []
    for n in range(settings.cold_repeat if corpus.real else 1):
        times = []
        for i, command in enumerate(commands):
            fresh = work / f"cli-cold-{n}-{i}"
            fresh.mkdir(mode=0o700)
            began = time.perf_counter()
            _run([*start, *command.words], child_env(fresh))
            times.append(time.perf_counter() - began)
        colds.append(times)
    rows = []
    for i, command in enumerate(commands):
        if corpus.real:
            rows.append(Row(f"cli_{command.name}", f"tat {command.name}: warm", warm[i], base, "≤ 5× python -c pass",
                            warm[i] <= 5 * base))
        else:
            rows.append(Row(f"cli_{command.name}", f"tat {command.name}: warm", warm[i], base, "< 200 ms",
                            warm[i] < 0.2))
    if corpus.real and corpus.paths is None:  # a shipped instrument: its first call reads what the install built
        from tat_engine.prebuilt import current

        built = current("tat")
        rows.append(Row("prebuilt", "  the install's index and answer table of the directive (tat_engine.prebuilt)",
                        "current" if built else "absent or stale: python -m tat_engine.prebuilt", None, "current",
                        built))
    if floor:
        rows.append(Row("cli_floor", "  python -c 'import attrs': the floor of every command the table does not answer",
                        floor[0], base, "", None))
        rows.append(Row("cli_floor_ledger", "  python -c 'import attrs, pyarrow.csv, pyarrow.compute': check-costs's floor",
                        floor[1], base, "", None))
    for i, command in enumerate(commands):
        cold = statistics.median(times[i] for times in colds)
        rows.append(Row(f"cli_cold_{command.name}", f"tat {command.name}: first call, fresh cache (vs warm)", cold,
                        warm[i], "≤ 2× warm" if corpus.real else "", cold <= 2 * warm[i] if corpus.real else None))
    if not corpus.real:
        rows += [Row(f"cli_{name}", f"tat {name}: n/a (the corpus declares none)", "n/a")
                 for name in UNDECLARED]
    ask = [*start, *commands[0].words]
    imported = [_imports([sys.executable, "-X", "importtime", *ask[1:], *extra], env) for extra in ([], ["--json"])]
    for key, extra, found in zip(("imports_point", "imports_engine"), ("", " (--json)"), imported):
        heavy = [package for package in found if package != "attrs"]
        rows.append(Row(key, "  tat point imported lark / networkx (/ attrs)?" + extra, ", ".join(found) or "none",
                        None, "no lark, networkx", not heavy))
    for command in [command for command in commands if not command.name.startswith("point")]:  # (rows above)
        found = _imports([sys.executable, "-X", "importtime", *start[1:], *command.words], env, HEAVY)
        tools = command.name in WITH_TOOLS
        rows.append(Row(f"imports_{command.name}", f"  tat {command.name}: heavy packages imported, warm",
                        ", ".join(found) or "none", None, "" if tools else "none", None if tools else not found))
    return rows


def _run(command: list[str], env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0 or not done.stdout:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}")
    return done


def _walls(commands: list[list[str]], bare: list[str], env: dict, runs: int) -> tuple[list[float], float]:
    """Median wall time of each command and of ``bare``, run in turn (a bare run before each
    command), so that the machine's load drifts over all alike."""
    found: list[list[float]] = [[] for _ in commands]
    baseline: list[float] = []
    for _ in range(runs):
        for command, times in zip(commands, found):
            for argv, into in ((bare, baseline), (command, times)):
                start = time.perf_counter()
                subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
                into.append(time.perf_counter() - start)
    return [statistics.median(times) for times in found], statistics.median(baseline)


def _imports(command: list[str], env: dict, watched: tuple[str, ...] = WATCHED) -> list[str]:
    """The ``watched`` packages a run imported, from ``-X importtime``'s report."""
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines()
             if line.startswith("import time:")}
    return [name for name in watched if name in names]


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


def measure(corpus: Corpus, settings: Settings, cache: Path, commands: list[Command]) -> tuple[dict, list[Row]]:
    """Every measure of one corpus; ``cache`` is this corpus's own TAT_CACHE_DIR (the command
    line's runs get their own, in the same folder)."""
    os.environ["TAT_CACHE_DIR"] = str(cache)
    rows = cold(corpus, settings) + cached(corpus, cache, settings)
    index = tat_engine.load(corpus.paths).index  # as a user gets it: from the cache
    gc.collect()
    gc.freeze()  # the index is old now: collections skip it, as they would in a process that only asks
    try:
        pairs, days = sample(index, settings)
        rows = lookups(index, pairs, settings) + odd_labels(index, pairs, settings) + \
            snapshots(index, days, settings, corpus.real) + rows
        rows += command_line(corpus, commands, cache.parent / f"{cache.name}-cli", settings)
        return sizes(corpus, index), rows
    finally:
        gc.unfreeze()
