"""The published texts of seed 003, read back into points and items.

The seed is text extracted from PDF: lines broken with hyphens, page numbers
inside sentences, footnotes between points. :func:`clean` removes those
artifacts and nothing else, so that wording differences between the amending
act and the consolidated text stay visible (they are findings, not noise).

>>> clean(["tugiisiku-", "teenus ja sotsiaal-", "ja lastekaitse", "15", "KA-", "le"])
'tugiisikuteenus ja sotsiaal- ja lastekaitse KA-le'
"""

from __future__ import annotations

import re
from pathlib import Path

from attrs import frozen

# Where the parts of seed 003 stand (1-based, inclusive).
CONSOLIDATED = (584, 1428)
PREAMBLE = (581, 583)  # between the title and point 1 of the consolidated text
TABLES = {"3": (916, 1096), "6": (1108, 1140)}  # the tables of sections 3 and 6, one cell a line or more
ITEM_TABLES = {"1.13": (81, 271), "1.15": (276, 310)}  # the same tables in the items of the 2020 act that set them
FOOTNOTES = ((253, 253), (972, 973), (1098, 1099), (1298, 1298))
NOT_TEXT = (*TABLES.values(), *FOOTNOTES)
ACT_ITEMS = (29, 391)

_CONJUNCTIONS = {"ja", "ning", "või", "ega"}
_LABEL = re.compile(r"^(\d+(?:\.\d+)*)\.?\s")
_ANNEX = re.compile(r"^Lisa (\d+)\.\s")
_ANNOTATION = re.compile(
    r"\s*\((muudetud|lisatud|tunnistatud kehtetuks)\s+siseministri\s*(\S*?)\s*käskkirjaga\s+nr\s*([0-9a-z/\- ]*?)\s*\)\.?\s*$"
)
_ITEM = re.compile(r"^(1\.\d+) (sõnastan|täpsustan|lisan|tunnistan) punkti (\d+(?:\.\d+)*)\.?\s")


@frozen
class Annotation:
    """``(muudetud siseministri 30.04.2017 käskkirjaga nr 1-3/53)``, as printed."""

    verb: str  # muudetud | lisatud | tunnistatud kehtetuks
    date: str  # "30.04.2017", "xx.yy.2020", or "" where the text omits it
    number: str  # "1-3/53"; "1- 3/29" is read as "1-3/29"


@frozen
class PublishedPoint:
    label: str
    text: str
    annotation: Annotation | None
    first_line: int
    last_line: int


@frozen
class PublishedItem:
    """An item of the 2020 act: what it does to which point, and the quoted wording."""

    number: str
    verb: str  # sõnastan | täpsustan | lisan | tunnistan
    target: str
    text: str | None  # None for a repeal and for the two table items
    first_line: int
    last_line: int


def clean(lines: list[str]) -> str:
    """Join PDF lines into the legal text: undo line-end hyphenation (keeping
    real hyphens: "sotsiaal- ja", "KA-le", "1-3/zz"), drop page numbers, and
    read "RÜ- d" as "RÜ-d"."""
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line or re.fullmatch(r"\d{1,2}", line):
            continue
        if not out:
            out = line
        elif out.endswith("-") and len(out) > 1:
            before, word = out[-2], line.split()[0]
            if before.isupper() or before.isdigit():
                out += line
            elif before.isalpha() and word[0].islower() and word not in _CONJUNCTIONS:
                out = out[:-1] + line
            else:
                out += " " + line
        else:
            out += " " + line
    out = re.sub(r"\s+", " ", out)
    out = re.sub(r"(\b[A-ZÜÕÄÖ]{2,})- ([a-zõäöü]{1,3}\b)", r"\1-\2", out)
    return out.replace("kinnitab RA3;", "kinnitab RA;").strip()  # footnote mark 3


def split_annotation(text: str) -> tuple[str, Annotation | None]:
    match = _ANNOTATION.search(text)
    if not match:
        return text, None
    return text[: match.start()].rstrip(), Annotation(match.group(1), match.group(2), match.group(3).replace(" ", ""))


def _lines(path) -> list[str]:
    return Path(path).read_text("utf-8").split("\n")


def _follows(previous: tuple | None, label: tuple) -> bool:
    """A label can start a point only as the next sibling of the previous one or
    of an ancestor, or as its first child; this rejects lines that merely start
    with a number ("2014–2020“ …", "15% ulatuses")."""
    if previous is None:
        return label == (1,)
    if label == previous + (1,):
        return True
    return any(label == previous[: depth - 1] + (previous[depth - 1] + 1,) for depth in range(len(previous), 0, -1))


def consolidated_points(path, span: tuple[int, int] = CONSOLIDATED, not_text=NOT_TEXT) -> list[PublishedPoint]:
    """Every point and annex of the consolidated text, in order: by default
    seed 003's; ``span`` (lines, both included) and ``not_text`` (spans to skip:
    tables, footnotes) read another file's (``tat import --consolidated``)."""
    lines, (first, last) = _lines(path), span
    last = min(last, len(lines))
    skipped = {n for a, b in not_text for n in range(a, b + 1)}
    found: list[list] = []  # label, first line, lines
    previous = None
    for number in range(first, last + 1):
        line = lines[number - 1]
        if line.startswith("(allkirjastatud digitaalselt)"):
            previous = "signature"
            continue
        if number in skipped:
            continue
        annex = _ANNEX.match(line)
        label = _LABEL.match(line)
        if annex:
            found.append([f"Lisa {annex.group(1)}", number, [line[annex.end():]]])
        elif label and previous != "signature" and _follows(previous, parts := tuple(map(int, label.group(1).split(".")))):
            found.append([label.group(1), number, [line[label.end():]]])
            previous = parts
        elif found and previous != "signature" or found and found[-1][0].startswith("Lisa"):
            found[-1][2].append(line)
    points = []
    for label, start, body in found:
        body = [line for line in body if not line.startswith(("Hanno Pevkur", "siseminister"))]
        text, annotation = split_annotation(clean(body))
        points.append(PublishedPoint(label, text, annotation, start, start + len(body) - 1))
    return points


def consolidated_preamble(path) -> str:
    """The preamble of the consolidated text: the law the directive is issued under."""
    first, last = PREAMBLE
    return clean(_lines(path)[first - 1:last])


def consolidated_tables(path) -> dict[str, str]:
    """Per section, its table in the consolidated text as one run of text (see :func:`_table_text`)."""
    lines = _lines(path)
    return {label: _table_text(lines, *span) for label, span in TABLES.items()}


def item_tables(path) -> dict[str, str]:
    """Per item of the 2020 act that sets a table (1.13, 1.15), that table as one run of text."""
    lines = _lines(path)
    return {number: _table_text(lines, *span) for number, span in ITEM_TABLES.items()}


def _table_text(lines: list[str], first: int, last: int) -> str:
    """A table in reading order (header, headings, cells row by row), without
    footnotes, footnote marks ("nimekirja1") or page numbers. PDF extraction
    breaks cells anywhere, even inside a word without a hyphen ("Ennetusteenu /
    sest"), so the text is for comparison with spaces and hyphens ignored
    (:func:`squash`), not for reading."""
    notes = {n for a, b in FOOTNOTES for n in range(a, b + 1)}
    kept = [lines[n - 1].strip() for n in range(first, last + 1) if n not in notes]
    text = " ".join(line for line in kept if line and not re.fullmatch(r"\d{1,2}", line))
    return re.sub(r"(?<=[^\W\d_])\d(?=\s)", "", text)


def squash(text: str) -> str:
    """Text without spaces and hyphens: what survives the PDF's breaking of table cells."""
    return re.sub(r"[\s\-‐]", "", text)


def amending_items(path) -> list[PublishedItem]:
    """The 35 items of the 2020 act with their quoted wording."""
    lines, first, last = _lines(path), *ACT_ITEMS
    found: list[list] = []
    for number in range(first, last + 1):
        match = _ITEM.match(lines[number - 1])
        if match:
            found.append([*match.groups(), number, []])
        elif found:
            found[-1][4].append(lines[number - 1])
    items = []
    for number, verb, target, start, body in found:
        quoted = re.match(r"^„\s*(.*?)“[;:.]*$", clean(body))
        text = quoted.group(1) if quoted else None
        if text:
            labelled = re.match(r"^(\d+(?:\.\d+)*)\.?\s+(.*)$", text)
            if labelled and labelled.group(1).split(".")[0] == target.split(".")[0]:
                text = labelled.group(2)
        if number in ("1.13", "1.15"):
            text = None  # whole tables: encoded as data, compared cell by cell (verify.compare_item_tables)
        items.append(PublishedItem(number, verb, target, text, start, start + len(body)))
    return items
