"""What a cost form asks on a law date: the fields the eligibility rules read, with their choices.

A form that offers only what the corpus declares cannot ask for a category, activity or party the
rules do not know, and it can say which fields matter for which category (written proof for the
target group's transport, the means of transport, the part above the tax-free limit, indirect
costs claimed on cost documents). Everything here is read from the same :func:`eligibility.rules`
the verdicts come from; no point label is the engine's own.

>>> import tat_engine, datetime as dt
>>> form = cost_form(tat_engine.load(), dt.date(2021, 6, 1))
>>> [a.name for a in form.activities]
['2.1', '2.2', '2.3', '2.4']
>>> next(c for c in form.categories if c.point == "7.1.3.13").modes
('ühistransport', 'sõiduauto')
"""

from __future__ import annotations

import datetime as dt

from attrs import frozen

from .. import model as m
from ..law import Law
from .eligibility import require, rules


@frozen
class FormActivity:
    """An activity a cost may be charged to, and who may incur its costs (as the roles say)."""

    name: str
    point: str
    title: str | None  # the activity point's wording, None when not in the sources
    implementer: str | None
    partner: str | None
    partner_known: bool


@frozen
class FormCategory:
    """A point a cost may be claimed under, and the fields its rules read.

    ``excluded``: an exclusion point (every cost under it is ineligible); ``activities``: the only
    activities it serves (empty: any); ``written_proof``, ``modes``: the condition points' demands;
    ``on_documents``: ineligible when claimed on cost documents; ``excess``: its part above a limit
    is ineligible (the form asks for that part)."""

    point: str
    name: str
    excluded: bool
    activities: tuple[str, ...] = ()
    written_proof: str | None = None
    modes: tuple[str, ...] = ()
    on_documents: bool = False
    excess: bool = False


@frozen
class CostForm:
    """The choices of a cost form under the law in force on ``law_on``."""

    law_on: dt.date
    activities: tuple[FormActivity, ...]
    categories: tuple[FormCategory, ...]


def cost_form(law: Law, on: dt.date) -> CostForm:
    """The activities, categories and parties the rules in force on ``on`` read (refuses as
    :func:`eligibility.require` does when the instrument declares no cost rules)."""
    require(law)
    found = rules(law, on)
    snapshot = law.on(on)
    on_documents = found.on_documents[1] if found.on_documents else None
    excess = found.excess[1] if found.excess else None
    categories = [FormCategory(rule.point, rule.name, False, rule.activities, rule.written_proof, rule.modes,
                               rule.name == on_documents, rule.name == excess) for rule in found.categories.values()]
    categories += [FormCategory(label, view.value.name, True) for label in found.exclusions
                   for view in snapshot.facts("excluded") if view.label == label and isinstance(view.value, m.Category)]
    activities = []
    for view in snapshot.facts("activity"):
        if not isinstance(view.value, m.Activity):
            continue
        parties = found.partners.get(view.value.name)
        answer = snapshot.by_label.get(view.label)
        activities.append(FormActivity(
            view.value.name, str(view.label), answer.text if answer is not None else None,
            parties.implementer if parties else None, parties.partner if parties else None,
            parties.partner_known if parties else True))
    return CostForm(on, tuple(sorted(activities, key=lambda a: _order(a.point))),
                    tuple(sorted(categories, key=lambda c: _order(c.point))))


def _order(label: str) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in label.split("."))
