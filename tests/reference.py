"""A deliberately naive consolidation, to check the engine against.

It replays the acts in force on a date, in order, over a plain dict from label
tuple to content. It shares nothing with the engine but the model classes.
"""

from __future__ import annotations

import datetime as dt

from tat_engine import model as m


def _order(act: m.Act) -> tuple:
    day = act.in_force or act.signed.date
    return (day, act.signed.date, act.number)


def text_on(corpus: m.Corpus, day: dt.date) -> dict[tuple, m.Content]:
    """Label -> content of every point in force on ``day``."""
    points: dict[tuple, m.Content] = {}
    for act in sorted(corpus.acts, key=_order):
        if _order(act)[0] > day:
            break
        for point in act.points:
            points[point.label.parts] = point.content
        for item in act.items:
            verb = item.verb
            if isinstance(verb, (m.Replace, m.Amend)):
                _edit(points, item)
                continue
            target = verb.target.parts
            if isinstance(verb, (m.Substitute, m.Retitle)):
                points[target] = item.content
            elif isinstance(verb, m.Insert):
                points[target] = item.content
            elif isinstance(verb, m.Repeal):
                for label in [label for label in points if label[: len(target)] == target]:
                    del points[label]
            else:
                depth, parent = len(target), target[:-1]
                moving = [label for label in points
                          if label[: depth - 1] == parent and len(label) >= depth and label[depth - 1] >= target[-1]
                          and (verb.last is None or label[depth - 1] <= verb.last.parts[-1])]
                moved = {label: points.pop(label) for label in moving}
                for label, content in moved.items():
                    points[label[: depth - 1] + (label[depth - 1] + verb.by,) + label[depth:]] = content
    return points


def _edit(points: dict[tuple, m.Content], item: m.Item) -> None:
    """A replace or an amend, as the generated corpora write them (a phrase the wording holds once,
    or, everywhere, each point holding it)."""
    verb = item.verb
    phrase = verb.phrase if isinstance(verb, m.Replace) else verb.anchor
    if verb.targets:
        labels = [target.parts for target in verb.targets]
    else:
        labels = [label for label, content in points.items()
                  if isinstance(content.wording, m.Known) and phrase in content.wording.text]
    for label in labels:
        content = points[label]
        text = content.wording.text
        if isinstance(verb, m.Replace):
            text = text.replace(phrase, verb.by)
        elif verb.place == "sentence":
            text = text.rstrip() + " " + verb.words
        elif verb.place == "after":
            text = text.replace(phrase, phrase + verb.words)
        else:
            text = text.replace(phrase, verb.words + phrase)
        names = {fact.name: fact for fact in item.content.facts}
        facts = [names.pop(fact.name, fact) for fact in content.facts] + list(names.values())
        points[label] = m.Content(m.Known(text), tuple(facts), content.table, content.sources, content.notes)
