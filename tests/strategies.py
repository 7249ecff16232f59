"""Hypothesis strategies: generated corpora whose every item is valid when it applies.

A corpus is a directive (a random tree of points) and a few amending acts. Items
are drawn while replaying a plain model of the live labels, in the order the
engine applies acts, so each substitute, insert, repeal, renumbering and textual
edit (replace, amend) is legal at its date; an item may carry its own applies_from. Acts come back as model values; tests print them to DSL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
from hypothesis import strategies as st

from tat_engine import model as m

from reference import text_on

START = dt.date(2015, 9, 18)
TEXT = st.text(alphabet="abcõäöüÕ „“\"\\-.,", min_size=1, max_size=12).map(str.strip).filter(bool)
NAMES = st.sampled_from(["due", "period", "rate", "body", "cap"])
DATES = st.dates(dt.date(2015, 1, 1), dt.date(2024, 12, 31))


@st.composite
def values(draw) -> m.Value:
    kind = draw(st.integers(0, 11))
    conditions = st.lists(st.tuples(NAMES, TEXT), max_size=2).map(tuple)
    if kind == 9:
        at = draw(st.datetimes(dt.datetime(2015, 1, 1), dt.datetime(2030, 1, 1))).replace(second=0, microsecond=0)
        return m.Moment(at, draw(st.sampled_from(["Europe/Tallinn", "UTC"])), draw(conditions))
    if kind == 11:
        return m.Activity(draw(TEXT))
    if kind == 10:
        return m.Limit(draw(st.integers(0, 9)), tuple(draw(st.lists(NAMES, min_size=1, max_size=2))), draw(conditions))
    if kind == 0:
        first = draw(DATES)
        return m.Period(first, first + dt.timedelta(days=draw(st.integers(0, 900))))
    if kind == 1:
        return m.Duration(draw(st.integers(1, 120)), draw(st.sampled_from(["calendar_days", "working_days", "months"])),
                          draw(st.sampled_from(["at_most", "at_least", "exactly"])), draw(TEXT))
    if kind == 2:
        return m.Amount(Decimal(draw(st.integers(0, 10**8))) / 100, "EUR", draw(conditions))
    if kind == 3:
        return m.Quantity(Decimal(draw(st.integers(0, 50))), draw(TEXT))
    if kind == 4:
        return m.Rate(Decimal(draw(st.integers(0, 100))), draw(TEXT))
    if kind == 5:
        start = draw(st.none() | DATES)
        end = draw(st.none() | DATES.filter(lambda d: start is None or d > start))
        return m.Role(draw(TEXT), draw(TEXT), start, end)
    if kind == 6:
        return m.Annual(draw(st.integers(1, 12)), draw(st.integers(1, 28)))
    if kind == 7:
        return m.Category(draw(TEXT), tuple(draw(st.lists(st.tuples(NAMES, TEXT), max_size=2))))
    return m.UnknownValue(draw(TEXT))


@st.composite
def tables(draw) -> m.Table:
    """Header columns, then rows of text, number and percent cells, and headings across them."""
    columns = tuple(draw(st.lists(TEXT, min_size=1, max_size=3)))
    cell = st.one_of(TEXT, st.integers(0, 10**8).map(lambda n: Decimal(n) / 100), st.integers(0, 100).map(lambda n: f"{n}%"))
    row = st.lists(cell, min_size=len(columns), max_size=len(columns)).map(tuple)
    rows = draw(st.lists(st.one_of(row, TEXT.map(m.TableHeading)), max_size=3))
    return m.Table(draw(TEXT), columns, tuple(rows))


@st.composite
def contents(draw) -> m.Content:
    wording = draw(st.one_of(TEXT.map(m.Known), TEXT.map(m.Unknown), st.builds(m.Reconstructed, TEXT, TEXT)))
    facts = draw(st.lists(st.builds(m.Fact, NAMES, values()), max_size=2))
    table = draw(st.none() | st.none() | tables())
    return m.Content(wording, tuple(facts), table)


def _children(live: set, parent: tuple) -> list[tuple]:
    return sorted(label for label in live if len(label) == len(parent) + 1 and label[:-1] == parent)


@st.composite
def directives(draw) -> tuple[m.Act, set]:
    live: set[tuple] = set()
    points = []
    for section in range(1, draw(st.integers(1, 4)) + 1):
        live.add((section,))
        for child in range(1, draw(st.integers(0, 3)) + 1):
            live.add((section, child))
            for grandchild in range(1, draw(st.integers(0, 2)) + 1):
                live.add((section, child, grandchild))
    for label in sorted(live):
        points.append(m.PointDecl(m.Label(label), "section" if len(label) == 1 else "point", draw(contents())))
    opening = draw(st.none() | st.builds(m.Preamble, TEXT, st.just(m.Source("generated", 1, 2))))
    act = m.Act("1-3/1", "directive", m.KnownDate(START), title="Generated", preamble=opening, points=tuple(points))
    return act, live


@st.composite
def edits(draw, number: str | None, label: tuple, text: str) -> m.Item:
    """A replace or amend that applies to ``text``, the known wording of ``label``: its phrase is the
    whole wording, which a wording holds once (a replace everywhere changes every point holding it)."""
    kind = draw(st.sampled_from(["replace", "everywhere", "sentence", "after", "before"]))
    target = (m.Label(label),)
    if kind in ("replace", "everywhere"):
        verb = m.Replace(target if kind == "replace" else (), text, draw(TEXT))
    elif kind == "sentence":
        verb = m.Amend(target, "sentence", draw(TEXT))
    else:
        verb = m.Amend(target, kind, draw(TEXT), text)
    facts = draw(st.lists(st.builds(m.Fact, NAMES, values()), max_size=1))
    return m.Item(number, verb, m.Content(m.EMPTY.wording, tuple(facts)))


@st.composite
def items(draw, live: set, wording=None) -> m.Item:
    """One item valid against ``live`` (a set of label tuples), which it updates; ``wording()``
    gives the points' contents at the item, for the edits that change part of a wording."""
    number = draw(st.none() | st.integers(1, 40).map(lambda n: f"1.{n}"))
    choices = ["insert"] + (["substitute", "repeal", "renumber"] if live else []) + (["edit"] if live and wording else [])
    verb = draw(st.sampled_from(choices))
    if verb == "edit":
        known = {label: content.wording.text for label, content in wording().items()
                 if isinstance(content.wording, m.Known) and content.wording.text.strip()}
        if known:
            label = draw(st.sampled_from(sorted(known)))
            return draw(edits(number, label, known[label]))
        verb = "insert"
    if verb == "substitute":
        target = draw(st.sampled_from(sorted(live)))
        return m.Item(number, m.Substitute(m.Label(target)), draw(contents()))
    if verb == "repeal":
        target = draw(st.sampled_from(sorted(live)))
        live.difference_update({label for label in live if label[: len(target)] == target})
        return m.Item(number, m.Repeal(m.Label(target)))
    parents = [()] + sorted(live)
    if verb == "insert":
        parent = draw(st.sampled_from(parents))
        taken = {label[-1] for label in _children(live, parent)}
        free = [n for n in range(1, max(taken, default=0) + 2) if n not in taken]
        label = parent + (draw(st.sampled_from(free)),)
        after = [sibling for sibling in _children(live, parent) if sibling[-1] < label[-1]]
        live.add(label)
        chosen = draw(st.none() | st.sampled_from(after)) if after else None
        return m.Item(number, m.Insert(m.Label(label), m.Label(chosen) if chosen else None), draw(contents()))
    parent = draw(st.sampled_from([p for p in parents if _children(live, p)]))
    siblings = _children(live, parent)
    first = draw(st.sampled_from(siblings))
    depth = len(first)
    down = first[-1] > 1 and parent + (first[-1] - 1,) not in live
    by = draw(st.sampled_from([1, -1])) if down else 1
    moved = {label for label in live if len(label) >= depth and label[: depth - 1] == parent and label[depth - 1] >= first[-1]}
    live.difference_update(moved)
    live.update(label[: depth - 1] + (label[depth - 1] + by,) + label[depth:] for label in moved)
    return m.Item(number, m.Renumber(m.Label(first), None, by))


@st.composite
def corpora(draw, max_acts: int = 4) -> m.Corpus:
    """A directive and up to ``max_acts`` amending acts, every item valid when it applies."""
    directive, live = draw(directives())
    count = draw(st.integers(0, max_acts))
    dates = sorted(START + dt.timedelta(days=draw(st.integers(1, 2000))) for _ in range(count))
    acts = [directive]
    for position, day in enumerate(dates, start=2):
        signed = draw(st.sampled_from([
            m.KnownDate(day),
            m.UncertainDate("xx.yy", day - dt.timedelta(days=30), day + dt.timedelta(days=30), day, "generated"),
        ]))
        act = m.Act(f"1-3/{position:03d}", "amending", signed, amends="1-3/1")
        for _ in range(draw(st.integers(0, 4))):
            def wording(act=act):  # the points' contents after the items drawn so far
                return text_on(m.Corpus((), tuple(acts) + (act,)), day)
            item = draw(items(live, wording))
            act = attrs.evolve(act, items=act.items + (attrs.evolve(item, applies_from=draw(st.none() | DATES)),))
        acts.append(act)
    return m.Corpus((), tuple(acts))


# --- amending acts as the ministry publishes them (tat import) ---------------------------------

WORDS = ("toetus", "tegevuse", "elluviija", "aruande", "kulud", "abikõlblikud", "partner", "rakendusüksus", "esitab",
         "kinnitab", "eelarve", "lähisuhtevägivalla", "ohvritele", "nõustamist", "kohaliku", "omavalitsuse", "üksustes",
         "koolituse", "materjalide", "väljatöötamise", "hindamise", "kvartalis", "tööpäeva", "jooksul", "ning")
GENITIVE_ORDINALS = ("esimese", "teise", "kolmanda", "neljanda", "viienda", "kuuenda", "seitsmenda", "kaheksanda",
                     "üheksanda", "kümnenda")
# an ordinal in the cases the formulas put it, and the sentence it names (-1: "viimane", the last)
ORDINAL_CASES = {1: ("esimese", "esimeses", "esimesest", "esimest", "esimene"), 2: ("teise", "teises", "teisest", "teist", "teine"),
                 3: ("kolmanda", "kolmandas", "kolmandast", "kolmandat", "kolmas"),
                 -1: ("viimase", "viimases", "viimasest", "viimast", "viimane")}
LABELS = st.lists(st.integers(1, 19), min_size=2, max_size=4).map(lambda parts: ".".join(map(str, parts)))
PHRASES = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)


@st.composite
def wordings(draw) -> str:
    sentences = draw(st.lists(st.lists(st.sampled_from(WORDS), min_size=2, max_size=9), min_size=1, max_size=3))
    return " ".join(" ".join(words).capitalize() + "." for words in sentences)


@st.composite
def published_items(draw, label: str):
    """One item's formula (without its number) and the changes the importer must read from it."""
    from tat_engine.review.importer import Change

    dot = draw(st.sampled_from(["", "."]))
    text, a, b, c, d = draw(wordings()), draw(PHRASES), draw(PHRASES), draw(PHRASES), draw(PHRASES)
    nth = draw(st.sampled_from(sorted(ORDINAL_CASES)))
    gen, ine, ela, par, nom = ORDINAL_CASES[nth]
    joined = draw(st.sampled_from([" ja ", " ning ", ", "]))
    kind = draw(st.integers(0, 21))
    quoted = f"„{label}{draw(st.sampled_from(['.', '']))} {text}“"
    return [
        (f"sõnastan punkti {label}{dot} järgmiselt: {quoted}", Change("substitute", (label,), text=text)),
        (f"täpsustan punkti {label}{dot} sõnastust järgmiselt: {quoted}", Change("substitute", (label,), text=text)),
        (f"muudan punkti {label} ja sõnastan selle järgmiselt: {quoted}", Change("substitute", (label,), text=text)),
        (f"punkt {label} sõnastatakse järgmiselt: {quoted}", Change("substitute", (label,), text=text)),
        (f"lisan punkti {label}{dot} järgmises sõnastuses: {quoted}", Change("insert", (label,), text=text)),
        (f"tunnistan punkti {label}{dot} kehtetuks", Change("repeal", (label,))),
        (f"asendan punktis {label}{dot} sõnad „{a}“ sõnadega „{b}“", Change("replace", (label,), phrase=a, words=b)),
        (f"asendan käskkirja tekstis läbivalt sõna „{a}“ sõnaga „{b}“",
         Change("replace", ("everywhere",), phrase=a, words=b)),
        (f"jätan punktist {label} välja sõnad „{a}“", Change("delete", (label,), phrase=a)),
        (f"jätan punktist {label} välja {GENITIVE_ORDINALS[len(b) % 10]} lause",
         Change("delete", (label,), sentence=len(b) % 10 + 1)),
        (f"täiendan punkti {label} pärast sõna „{a}“ sõnadega „{b}“",
         Change("amend", (label,), phrase=a, words=" " + b, position="after")),
        (f"täiendan punkti {label} enne sõnu „{a}“ sõnaga „{b}“",
         Change("amend", (label,), phrase=a, words=b + " ", position="before")),
        (f"täiendan punkti {label} lausega järgmises sõnastuses: „{text}“",
         Change("amend", (label,), words=text, position="sentence")),
        (f"asendan punkti {label} {ine} lauses sõna „{a}“ sõnaga „{b}“",
         Change("replace", (label,), phrase=a, words=b, scope=nth)),
        (f"punkti {label} {ela} lausest jäetakse välja sõnad „{a}“", Change("delete", (label,), phrase=a, scope=nth)),
        (f"täiendan punkti {label} {par} lauset pärast sõna „{a}“ sõnadega „{b}“",
         Change("amend", (label,), phrase=a, words=" " + b, position="after", scope=nth)),
        (f"sõnastan punkti {label} {gen} lause järgmiselt: „{text}“", Change("replace", (label,), words=text, scope=nth)),
        (f"punkti {label} {nom} lause tunnistatakse kehtetuks", Change("delete", (label,), sentence=nth)),
        (f"jätan punktist {label} välja {gen} lause", Change("delete", (label,), sentence=nth)),
        (f"asendan punktis {label} sõna „{a}“ sõnaga „{b}“{joined}sõnad „{c}“ sõnadega „{d}“",
         (Change("replace", (label,), phrase=a, words=b), Change("replace", (label,), phrase=c, words=d))),
        (f"jätan punktist {label} välja sõnad „{a}“{joined}„{c}“",
         (Change("delete", (label,), phrase=a), Change("delete", (label,), phrase=c))),
        (f"punkti {label} täiendatakse pärast sõna „{a}“ sõnaga „{b}“{joined}enne sõna „{c}“ sõnaga „{d}“",
         (Change("amend", (label,), phrase=a, words=" " + b, position="after"),
          Change("amend", (label,), phrase=c, words=d + " ", position="before"))),
    ][kind]


def _hyphenate(lines: list[str], draw) -> list[str]:
    """Break some words across line ends with a hyphen, as PDF extraction leaves them
    (only inside lower-case words, and never so that a conjunction starts the next line)."""
    out = [lines[0]]
    for line in lines[1:]:
        word, _, rest = line.partition(" ")
        cut = draw(st.integers(0, 20))
        if word.isalpha() and word.islower() and 2 <= cut <= len(word) - 2 and word[cut:] not in ("ja", "ning", "või", "ega"):
            out[-1] += " " + word[:cut] + "-"
            line = word[cut:] + (" " + rest if rest else "")
        out.append(line)
    return out


@st.composite
def published_acts(draw):
    """An amending act's text with PDF artifacts, and the changes of its items in order."""
    import textwrap

    labels = draw(st.lists(LABELS, min_size=1, max_size=7, unique=True))
    items = [draw(published_items(label)) for label in labels]
    body = []
    for n, (formula, _) in enumerate(items, 1):
        item = f"1.{n} {formula}{';' if n < len(items) else '.'}"
        width = draw(st.integers(30, 90))
        body += _hyphenate(textwrap.wrap(item, width, break_long_words=False, break_on_hyphens=False), draw)
        if draw(st.booleans()):
            body.append(str(draw(st.integers(1, 99))))  # a page number
    head = ["KÄSKKIRI", "01.09.2022 nr 1-3/45", "Siseministri 10. jaanuari 2021. a käskkirja nr 1-3/7",
            "„Toetuse andmise tingimused“ muutmine", "1. Muudan käskkirja nr 1-3/7 järgmiselt:"]
    return head + body + ["2. Käskkiri jõustub 1. septembril 2022. a.", "(allkirjastatud digitaalselt)"], \
        [change for _, read in items for change in (read if isinstance(read, tuple) else (read,))]
