"""A large generated corpus in the DSL: a directive of about 20 000 points and
500 amending acts that substitute, insert, repeal and renumber points validly.

    python benchmarks/generate.py OUT_DIR [--points 20000] [--acts 500] [--seed 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

from tat_engine import model as m
from tat_engine.printer import print_act

START = dt.date(2015, 9, 18)


def _content(rnd: random.Random, n: int) -> m.Content:
    facts = ()
    if rnd.random() < 0.2:
        facts = (m.Fact("due", m.Duration(rnd.randint(1, 90), "working_days", "at_most", "trigger")),)
    return m.Content(m.Known(f"Punkt {n}: tekst {rnd.randint(0, 10**9)}; vt punktis 1.1 nimetatud"), facts)


def generate(points: int = 20_000, acts: int = 500, seed: int = 1) -> list[m.Act]:
    rnd = random.Random(seed)
    sections = 40
    per_section = max(1, points // sections // 25)
    live: set[tuple] = set()
    decls = []
    for s in range(1, sections + 1):
        live.add((s,))
        for c in range(1, per_section + 1):
            live.add((s, c))
            for g in range(1, 25 - 1):
                live.add((s, c, g))
    for n, label in enumerate(sorted(live)):
        decls.append(m.PointDecl(m.Label(label), "section" if len(label) == 1 else "point", _content(rnd, n)))
    result = [m.Act("1-3/1", "directive", m.KnownDate(START), title="Generated", points=tuple(decls))]
    day = START
    for number in range(2, acts + 2):
        day += dt.timedelta(days=rnd.randint(1, 5))
        items = []
        for _ in range(rnd.randint(5, 15)):
            items.append(_item(rnd, live, len(items)))
        result.append(m.Act(f"1-3/{number:04d}", "amending", m.KnownDate(day), amends="1-3/1", items=tuple(items)))
    return result


def _item(rnd: random.Random, live: set, position: int) -> m.Item:
    leaves = [label for label in live if len(label) == 3]
    roll = rnd.random()
    number = f"1.{position + 1}"
    if roll < 0.7 or not leaves:
        target = rnd.choice(leaves)
        return m.Item(number, m.Substitute(m.Label(target)), _content(rnd, position))
    if roll < 0.8:
        parent = rnd.choice(leaves)[:2]
        taken = [label[2] for label in live if label[:2] == parent and len(label) == 3]
        label = parent + (max(taken, default=0) + 1,)
        live.add(label)
        return m.Item(number, m.Insert(m.Label(label)), _content(rnd, position))
    if roll < 0.9:
        target = rnd.choice(leaves)
        live.discard(target)
        return m.Item(number, m.Repeal(m.Label(target)))
    target = rnd.choice(leaves)  # shift the tail after a point up by one, or down into a gap
    parent, index = target[:2], target[2]
    down = index > 1 and parent + (index - 1,) not in live
    by = -1 if down else 1
    moved = {label for label in live if label[:2] == parent and len(label) == 3 and label[2] >= index}
    live.difference_update(moved)
    live.update(parent + (label[2] + by,) for label in moved)
    return m.Item(number, m.Renumber(m.Label(target), None, by))


def write(out: Path, acts: list[m.Act]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for act in acts:
        (out / f"{act.number.replace('/', '-')}.tat").write_text(print_act(act), "utf-8")


if __name__ == "__main__":
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("out", type=Path)
    cli.add_argument("--points", type=int, default=20_000)
    cli.add_argument("--acts", type=int, default=500)
    cli.add_argument("--seed", type=int, default=1)
    args = cli.parse_args()
    write(args.out, generate(args.points, args.acts, args.seed))
