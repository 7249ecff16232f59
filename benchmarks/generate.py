"""A large generated corpus in the DSL, the same every time for a seed: a
directive of exactly ``points`` points (sections, chapters, leaves: ``7.12.3``)
and ``acts`` amending acts that substitute, retitle, insert, repeal and
renumber points validly, so the corpus loads with no error and no warning.

    python benchmarks/generate.py OUT_DIR [--points 20000] [--acts 500] [--seed 1]

The acts are built as model values and written with the engine's own printer,
so the text is the DSL the parser reads. Every wording cites a chapter
("vt punktis 7.12 nimetatud"); chapters are never repealed or renumbered, so
the reference checks of the load have real work and nothing to report. About
one act in forty has a signing date the "sources" lack, as the real 2020 act
has, so the index cuts stretches where that date could fall.

>>> acts = generate(points=200, acts=5)
>>> len(acts[0].points), [len(act.items) > 0 for act in acts[1:]]
(200, [True, True, True, True, True])
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

from tat_engine import model as m
from tat_engine.dsl.printer import print_act

START = dt.date(2015, 9, 18)
NUMBER = "1-3/1"


class _Live:
    """The leaves in force under each chapter, kept sorted, as the acts change them."""

    def __init__(self, layout: list[tuple[int, ...]]):
        self.chapters = sorted(label for label in layout if len(label) == 2)
        self.leaves: dict[tuple, list[int]] = {chapter: [] for chapter in self.chapters}
        for label in layout:
            if len(label) == 3:
                self.leaves[label[:2]].append(label[2])

    def gaps(self, chapter: tuple) -> list[int]:
        taken = set(self.leaves[chapter])
        return [n for n in range(1, max(taken, default=0)) if n not in taken]


def layout(points: int) -> list[tuple[int, ...]]:
    """Exactly ``points`` labels: sections of 19 chapters, leaves spread evenly."""
    sections = max(1, points // 400)
    chapters = max(1, min(19, (points - sections) // sections // 2))
    parents = sections * chapters
    leaves = max(0, points - sections - parents)
    labels: list[tuple[int, ...]] = []
    for s in range(1, sections + 1):
        labels.append((s,))
        for c in range(1, chapters + 1):
            labels.append((s, c))
            rank = (s - 1) * chapters + c - 1  # the first chapters take the remainder
            count = leaves // parents + (1 if rank < leaves % parents else 0)
            labels += [(s, c, g) for g in range(1, count + 1)]
    return labels[:points]


def _content(rnd: random.Random, chapters: list[tuple], serial: int) -> m.Content:
    cited = ".".join(map(str, rnd.choice(chapters)))
    text = f"Säte {serial}: toetuse saaja esitab aruande {rnd.randint(1, 10**6)}; vt punktis {cited} nimetatud tingimusi."
    roll = rnd.random()
    facts: tuple[m.Fact, ...] = ()
    if roll < 0.15:
        facts = (m.Fact("due", m.Duration(rnd.randint(1, 90), rnd.choice(["calendar_days", "working_days"]),
                                          "at_most", "period end")),)
    elif roll < 0.25:
        facts = (m.Fact("cap", m.Amount(m.Decimal(rnd.randint(1_000, 900_000)))),)
    return m.Content(m.Known(text), facts)


def generate(points: int = 20_000, acts: int = 500, seed: int = 1) -> list[m.Act]:
    """The directive, then ``acts`` amending acts a few days apart."""
    rnd = random.Random(seed)
    labels = layout(points)
    live = _Live(labels)
    chapters = live.chapters
    decls = tuple(
        m.PointDecl(m.Label(label), "section" if len(label) == 1 else "point", _content(rnd, chapters, n))
        for n, label in enumerate(labels)
    )
    result = [m.Act(NUMBER, "directive", m.KnownDate(START), title="Generated directive", points=decls)]
    day = START
    for number in range(2, acts + 2):
        day += dt.timedelta(days=rnd.randint(1, 5))
        touched = rnd.sample(chapters, min(len(chapters), rnd.randint(5, 15)))  # one item per chapter: no double changes
        items = tuple(_item(rnd, live, chapter, f"1.{n}", number * 100 + n) for n, chapter in enumerate(touched, 1))
        result.append(m.Act(f"1-3/{number:04d}", "amending", _signed(rnd, day), title=f"Muudatus {number}",
                            amends=NUMBER, items=items))
    return result


def _signed(rnd: random.Random, day: dt.date) -> m.Signing:
    if rnd.random() >= 0.025:
        return m.KnownDate(day)
    return m.UncertainDate(f"xx.yy.{day.year}", day - dt.timedelta(days=3), day + dt.timedelta(days=3), day,
                           "only the year is in the sources")


def _item(rnd: random.Random, live: _Live, chapter: tuple, number: str, serial: int) -> m.Item:
    """One valid change under ``chapter``; ``live`` follows it."""
    leaves, roll = live.leaves[chapter], rnd.random()
    content = _content(rnd, live.chapters, serial)
    if roll < 0.04 or not leaves:
        return m.Item(number, m.Retitle(m.Label(chapter)), content)
    if roll < 0.62:
        return m.Item(number, m.Substitute(m.Label(chapter + (rnd.choice(leaves),))), content)
    if roll < 0.74:
        gaps = live.gaps(chapter)
        new = rnd.choice(gaps) if gaps else leaves[-1] + 1
        before = [n for n in leaves if n < new]
        leaves.append(new)
        leaves.sort()
        after = m.Label(chapter + (before[-1],)) if before and rnd.random() < 0.5 else None
        return m.Item(number, m.Insert(m.Label(chapter + (new,)), after), content)
    if roll < 0.84:
        target = rnd.choice(leaves)
        leaves.remove(target)
        return m.Item(number, m.Repeal(m.Label(chapter + (target,))))
    return _renumber(rnd, leaves, chapter, number)


def _renumber(rnd: random.Random, leaves: list[int], chapter: tuple, number: str) -> m.Item:
    """Close a gap (the tail moves down by one) or open one (a run moves up by one)."""
    taken = set(leaves)
    closable = [n for n in leaves if n > 1 and n - 1 not in taken]
    if closable and rnd.random() < 0.5:
        first, last, by = rnd.choice(closable), None, -1
    else:
        first = rnd.choice(leaves)
        run = [n for n in leaves if n >= first]
        end = next((n for n, following in zip(run, [*run[1:], None]) if following != n + 1), run[-1])
        last, by = (end if end != leaves[-1] and rnd.random() < 0.5 else None), 1
    moved = [n for n in leaves if n >= first and (last is None or n <= last)]
    leaves[:] = sorted([n for n in leaves if n not in moved] + [n + by for n in moved])
    end_label = m.Label(chapter + (last,)) if last is not None else None
    return m.Item(number, m.Renumber(m.Label(chapter + (first,)), end_label, by))


def write(out: Path, acts: list[m.Act]) -> list[tuple[str, str]]:
    """Write one ``.tat`` file per act; return the ``(path, text)`` pairs the loader reads."""
    out.mkdir(parents=True, exist_ok=True)
    sources = []
    for act in acts:
        path = out / f"{act.number.replace('/', '-')}.tat"
        text = print_act(act)
        path.write_text(text, "utf-8")
        sources.append((str(path), text))
    return sources


if __name__ == "__main__":
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("out", type=Path)
    cli.add_argument("--points", type=int, default=20_000)
    cli.add_argument("--acts", type=int, default=500)
    cli.add_argument("--seed", type=int, default=1)
    args = cli.parse_args()
    write(args.out, generate(args.points, args.acts, args.seed))
