"""An amending act as the ministry publishes it -> a draft DSL file for review.

The act is plain text extracted from PDF (seed 003 lines 15–394 is one). It is
cut into its head (date, number, title, the act it amends), its items ("1.1
sõnastan punkti …;") and its tail (entry into force, retroactive application),
each cleaned of PDF artifacts by :func:`published.clean`. Each item is matched
against the drafting formulas (DOMAIN.md, "How Estonian amending acts are
written"); an item no formula reads in full is written as an ``# UNREAD``
comment, and what the text leaves for a person to decide is flagged ``REVIEW``
(SPEC-textual.md): the importer never guesses.

>>> estonian_date("1. septembril 2022. a.")
datetime.date(2022, 9, 1)
>>> act = read_act(["KÄSKKIRI", "01.09.2022 nr 1-3/45", "Käskkirja muutmine",
...                 "1. Muudan käskkirja nr 1-3/7 järgmiselt:", "1.1 tunnistan punkti 2.3. kehtetuks."])
>>> act.items[0].changes[0].operation, act.items[0].changes[0].targets
('repeal', ('2.3',))
"""

from __future__ import annotations

import datetime as dt
import re

from attrs import evolve, frozen

from ..model import LAST_SENTENCE, Label
from .published import clean

# --- dates -----------------------------------------------------------------------

_MONTHS = ("jaanuar", "veebruar", "märts", "aprill", "mai", "juuni", "juuli", "august", "septemb", "oktoob", "novemb",
           "detsemb")
_MONTH = "(?:" + "|".join(_MONTHS) + r")[a-zõäöü]*"
_YEAR_END = r"(?:\.?\s*(?:a\b\.?|aastal?\b))?"  # "2022. a.", "2020.a", "2015. aastal"
DATE_PATTERN = (rf"(?:\d{{1,2}}\.\s*{_MONTH}\s+\d{{4}}{_YEAR_END}"  # 1. septembril 2022. a.
                rf"|\d{{4}}\.\s*aasta\s+\d{{1,2}}\.\s*{_MONTH}"  # 2022. aasta 1. septembril
                rf"|\d{{1,2}}\.\d{{1,2}}\.\d{{4}})")  # 01.09.2022
_DATE_FORMS = (
    re.compile(rf"(?P<day>\d{{1,2}})\.\s*(?P<month>{_MONTH})\s+(?P<year>\d{{4}}){_YEAR_END}", re.I),
    re.compile(rf"(?P<year>\d{{4}})\.\s*aasta\s+(?P<day>\d{{1,2}})\.\s*(?P<month>{_MONTH})", re.I),
    re.compile(r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})"),
)


def estonian_date(text: str) -> dt.date | None:
    """A date as Estonian acts write it: "1. septembril 2022. a.", "1. juulist
    2015. aastal", "2022. aasta 1. septembril", "01.09.2022"; any case ending of
    the month name. None when ``text`` is no such date or no calendar day.

    >>> estonian_date("31. märtsini 2020.a"), estonian_date("30.02.2020")
    (datetime.date(2020, 3, 31), None)
    """
    text = text.strip()
    for pattern in _DATE_FORMS:
        match = pattern.fullmatch(text.rstrip(".")) or pattern.fullmatch(text)
        if match:
            month = match["month"].lower()
            number = int(month) if month.isdigit() else next(n for n, stem in enumerate(_MONTHS, 1) if month.startswith(stem))
            try:
                return dt.date(int(match["year"]), number, int(match["day"]))
            except ValueError:
                return None
    return None


# --- what an import holds -------------------------------------------------------------


@frozen
class Lines:
    """Lines of the input file, 1-based, both included."""

    first: int
    last: int

    def __str__(self) -> str:
        return f"{self.first}" if self.first == self.last else f"{self.first}..{self.last}"


@frozen
class Change:
    """One operation of an item, as the DSL writes it (SPEC-textual.md).

    ``operation`` is substitute | retitle | insert | repeal | renumber (whole
    points) or replace | delete | amend (part of a point). ``targets`` are point
    labels, or ``("everywhere",)`` for "läbivalt".
    """

    operation: str
    targets: tuple[str, ...]
    text: str | None = None  # the new wording (substitute, retitle, insert)
    phrase: str | None = None  # replace: the words replaced; delete: the words left out; amend: the anchor
    words: str | None = None  # replace: the new words; amend: the words inserted, with their joining space
    position: str | None = None  # amend: after | before | sentence
    sentence: int | None = None  # delete: the sentence left out, counted from 1 (LAST_SENTENCE: the last)
    scope: int | None = None  # replace, delete, amend: the one sentence it works in; replace with no phrase: set whole
    by: int | None = None  # renumber: the shift (the targets are the first label and an open end)


@frozen
class ImportedItem:
    """An item the importer read: its changes, and why a person must look at it."""

    number: str
    changes: tuple[Change, ...]
    lines: Lines
    flags: tuple[str, ...] = ()
    applies_from: dt.date | None = None
    source: str = "act"  # act | memo (an effect the act does not state, e.g. a renumbering)


@frozen
class UnreadItem:
    """An item no formula reads in full: written only as a comment."""

    number: str
    text: str
    lines: Lines


@frozen
class Head:
    """What the act says of itself; ``None`` where it does not say it."""

    number: str | None = None
    date_written: str | None = None  # as printed: "01.09.2022", "xx.yy.2020"
    signed: dt.date | None = None  # None for a placeholder date
    title: str | None = None
    amends: str | None = None
    in_force: dt.date | str | None = None  # a date, "on_signing", or None (not stated)
    applies_from: dt.date | None = None


@frozen
class Counts:
    read: int
    flagged: int
    unread: int
    from_memo: int

    def __str__(self) -> str:
        memo = f"; {self.from_memo} effect(s) read from the memo (flagged)" if self.from_memo else ""
        return f"items read: {self.read}, flagged: {self.flagged}, unread: {self.unread}{memo}"


@frozen
class Import:
    head: Head
    items: tuple[ImportedItem, ...]
    unread: tuple[UnreadItem, ...]
    flags: tuple[str, ...]  # about the act as a whole

    @property
    def counts(self) -> Counts:
        own = [item for item in self.items if item.source == "act"]
        return Counts(len({i.number for i in own}), len({i.number for i in own if i.flags}), len(self.unread),
                      sum(item.source == "memo" for item in self.items))


# --- the formulas ----------------------------------------------------------------------

_L = r"(\d+(?:\.\d+)*)\.?"  # a point label; the published text sometimes ends it with a full stop
_LS = r"(\d+(?:\.\d+)*\.?(?:(?:,\s*|\s+ja\s+|\s*[–-]\s*)\d+(?:\.\d+)*\.?)+)"  # "8.3 ja 8.6", "8.3, 8.5 ja 8.6", "2.3–2.5"
_Q = r"⟨(\d+)⟩"  # a quote, replaced by its index before matching (quotes nest: „„A“ B“)
_END = r"\s*[;:.]?\s*$"
_POINT = r"(?:käskkirja\s+)?punkti"
_WHAT = (r"(?:sõna|sõnad|sõnu|sõnade|arvu|arvud|arv|numbrit?|number|lühendi|lühendit|lühendid|lühend|kuupäeva|kuupäev|"
         r"tekstiosa|lauseosa|teksti|tekst)")  # asendan sõna (genitive), asendatakse sõna (nominative), pärast sõnu …
_WITH = r"(?:sõnaga|sõnadega|arvuga|arvudega|numbriga|lühendiga|lühenditega|kuupäevaga|tekstiosaga|lauseosaga|tekstiga)"
# An ordinal in any case the formulas put it ("teise lause", "teine lause", "teises lauses",
# "teisest lausest", "teist lauset"), by its stem; "viimane" is the last sentence.
_ORDINAL_STEMS = {"esimes": 1, "esimene": 1, "tei": 2, "kolmand": 3, "kolmas": 3, "neljand": 4, "neljas": 4,
                  "viiend": 5, "viies": 5, "kuuend": 6, "kuues": 6, "seitsmend": 7, "seitsmes": 7, "kaheksand": 8,
                  "kaheksas": 8, "üheksand": 9, "üheksas": 9, "kümnend": 10, "kümnes": 10, "viima": LAST_SENTENCE}
_NTH = "((?:" + "|".join(sorted(_ORDINAL_STEMS, key=len, reverse=True)) + r")[a-zõäöü]*)"


def ordinal(word: str) -> int:
    """The sentence an ordinal names, counted from 1, or LAST_SENTENCE.

    >>> ordinal("teisest"), ordinal("kolmandat"), ordinal("viimases") == LAST_SENTENCE
    (2, 3, True)
    """
    return next(number for stem, number in sorted(_ORDINAL_STEMS.items(), key=lambda kv: -len(kv[0]))
                if word.lower().startswith(stem))
_QS = rf"((?:{_Q}\s*[;,]?\s*(?:ja\s+)?)+)"  # several quotes: „2.5. …“; „2.6. …“
_AND = r"(?:,\s*|,?\s+(?:ja|ning)\s+)"
_PAIR = rf"{_WHAT} ⟨\d+⟩ {_WITH} ⟨\d+⟩"  # without groups: a compound item's parts are read again one by one
_AT = rf"(?:pärast|enne) {_WHAT} ⟨\d+⟩ {_WITH} ⟨\d+⟩"

# The drafting formulas, first person (ministerial directives) and passive (the
# government's rules of good drafting). The name's first part picks the reader;
# each formula's groups are read by position, so variants keep their order.
FORMULAS = {
    "substitute": re.compile(rf"^(?:sõnastan|täpsustan) {_POINT} {_L}(?: sõnastust)? järgmiselt:\s*{_Q}{_END}"),
    "substitute-muudan": re.compile(rf"^muudan {_POINT} {_L} ja sõnastan (?:selle|tema) järgmiselt:\s*{_Q}{_END}"),
    "substitute-passive": re.compile(rf"^(?:käskkirja\s+)?punkt {_L} sõnastatakse järgmiselt:\s*{_Q}{_END}"),
    "substitute-muudetakse": re.compile(rf"^{_POINT} {_L} muudetakse ja (?:see )?sõnastatakse järgmiselt:\s*{_Q}{_END}"),
    "substitute-unquoted": re.compile(rf"^(?:sõnastan|täpsustan) {_POINT} {_L}(?: sõnastust)? järgmiselt:\s*(.+)$"),
    "insert": re.compile(rf"^lisan (?:käskkirja )?(?:punkti|punktiga) {_L} järgmises sõnastuses:\s*{_Q}{_END}"),
    "insert-käskkiri": re.compile(rf"^(?:täiendan käskkirja|käskkirja täiendatakse) punktiga {_L} järgmises "
                                  rf"sõnastuses:\s*{_Q}{_END}"),
    "insert-many": re.compile(rf"^(?:lisan (?:käskkirja )?punktid|(?:täiendan käskkirja|käskkirja täiendatakse) "
                              rf"punktidega) {_LS} järgmises sõnastuses:\s*{_QS}{_END}"),
    "insert-sub": re.compile(rf"^täiendan {_POINT} {_L} (?:ala)?punktiga {_L} järgmises sõnastuses:\s*{_Q}{_END}"),
    "insert-sub-passive": re.compile(rf"^{_POINT} {_L} täiendatakse (?:ala)?punktiga {_L} järgmises sõnastuses:"
                                     rf"\s*{_Q}{_END}"),
    "repeal": re.compile(rf"^tunnistan {_POINT} {_L} kehtetuks{_END}"),
    "repeal-passive": re.compile(rf"^(?:käskkirja\s+)?punkt {_L} tunnistatakse kehtetuks{_END}"),
    "repeal-many": re.compile(rf"^tunnistan (?:käskkirja\s+)?punktid {_LS} kehtetuks{_END}"),
    "repeal-many-passive": re.compile(rf"^(?:käskkirja\s+)?punktid {_LS} tunnistatakse kehtetuks{_END}"),
    "replace": re.compile(rf"^asendan (?:käskkirja\s+)?punktis {_L} {_WHAT} {_Q} {_WITH} {_Q}{_END}"),
    "replace-passive": re.compile(rf"^(?:käskkirja\s+)?punktis {_L} asendatakse {_WHAT} {_Q} {_WITH} {_Q}{_END}"),
    "replace-many": re.compile(rf"^asendan (?:käskkirja\s+)?punktides {_LS} {_WHAT} {_Q} {_WITH} {_Q}{_END}"),
    "replace-many-passive": re.compile(rf"^(?:käskkirja\s+)?punktides {_LS} asendatakse {_WHAT} {_Q} {_WITH} {_Q}{_END}"),
    "replace-everywhere": re.compile(rf"^(?:asendan (?:käskkirja tekstis läbivalt|läbivalt käskkirja tekstis)|käskkirja "
                                     rf"tekstis asendatakse läbivalt) {_WHAT} {_Q} {_WITH} {_Q}{_END}"),
    "delete-words": re.compile(rf"^(?:jätan (?:käskkirja\s+)?punktist {_L} välja|(?:käskkirja\s+)?punktist {_L} jäetakse "
                               rf"välja) {_WHAT} {_Q}{_END}"),
    "delete-sentence": re.compile(rf"^(?:jätan (?:käskkirja\s+)?punktist {_L} välja|(?:käskkirja\s+)?punktist {_L} "
                                  rf"jäetakse välja) {_NTH} lause{_END}"),
    "delete-sentence-repealed": re.compile(rf"^(?:tunnistan {_POINT} {_L} {_NTH} lause kehtetuks|{_POINT} {_L} {_NTH} "
                                           rf"lause tunnistatakse kehtetuks){_END}"),
    "sentence": re.compile(rf"^(?:sõnastan {_POINT} {_L} {_NTH} lause|muudan {_POINT} {_L} {_NTH} lauset ja sõnastan "
                           rf"selle|{_POINT} {_L} {_NTH} lause (?:muudetakse ja )?sõnastatakse|{_POINT} {_L} {_NTH} "
                           rf"lauset muudetakse ja see sõnastatakse) järgmiselt:\s*{_Q}{_END}"),
    "replace-scoped": re.compile(rf"^(?:asendan {_POINT} {_L} {_NTH} lauses|{_POINT} {_L} {_NTH} lauses asendatakse) "
                                 rf"{_WHAT} {_Q} {_WITH} {_Q}{_END}"),
    "delete-scoped": re.compile(rf"^(?:jätan {_POINT} {_L} {_NTH} lausest välja|{_POINT} {_L} {_NTH} lausest jäetakse "
                                rf"välja) {_WHAT} {_Q}{_END}"),
    "amend-scoped": re.compile(rf"^(?:täiendan {_POINT} {_L} {_NTH} lauset|{_POINT} {_L} {_NTH} lauset täiendatakse) "
                               rf"(pärast|enne) {_WHAT} {_Q} {_WITH} {_Q}{_END}"),
    "amend-at": re.compile(rf"^(?:täiendan {_POINT} {_L}|{_POINT} {_L} täiendatakse) (pärast|enne) {_WHAT} {_Q} "
                           rf"{_WITH} {_Q}{_END}"),
    "amend-sentence": re.compile(rf"^(?:täiendan {_POINT} {_L}|{_POINT} {_L} täiendatakse) (?:{_NTH} )?"
                                 rf"(?:lausega|lausetega) järgmises sõnastuses:\s*{_Q}{_END}"),
    # two or more changes of one kind in one item: "asendan punktis X sõna „A“ sõnaga „B“ ning sõna „C“ sõnaga „D“"
    "replace-pairs": re.compile(rf"^(?:asendan (?:käskkirja\s+)?punktis {_L}|(?:käskkirja\s+)?punktis {_L} asendatakse) "
                                rf"({_PAIR}(?:{_AND}{_PAIR})+){_END}"),
    "delete-several": re.compile(rf"^(?:jätan (?:käskkirja\s+)?punktist {_L} välja|(?:käskkirja\s+)?punktist {_L} "
                                 rf"jäetakse välja) ({_WHAT} ⟨\d+⟩(?:{_AND}(?:{_WHAT} )?⟨\d+⟩)+){_END}"),
    "amend-pairs": re.compile(rf"^(?:täiendan {_POINT} {_L}|{_POINT} {_L} täiendatakse) "
                              rf"({_AT}(?:{_AND}{_AT})+){_END}"),
}

_ITEM_HEAD = re.compile(r"^(?:(\d+)\.(\d+)\.?|(\d+)\))\s+\S")  # "1.5 sõnastan …", "1.5. …", "5) …"
_VERB_HEAD = re.compile(r"^(?:\d+\.\d+\.?|\d+\))\s+(?:sõnastan|täpsustan|muudan|lisan|tunnistan|asendan|jätan|täiendan|"
                        r"punkt|punkti|punktis|punktist|punktid|punktides|käskkirja)\s")
_PAGE_NUMBER = re.compile(r"\d{1,2}")  # a line of its own: published.clean drops it too
_PARAGRAPH = re.compile(r"^\d+\.\s+[A-ZÕÄÖÜŠŽ]")
_DATE_LINE = re.compile(r"^((?:\d{1,2}|[a-zA-Z]{1,2})\.(?:\d{1,2}|[a-zA-Z]{1,4})\.(?:\d{4}|[a-zA-Z]{2,4}))\s+nr\s+(\S+)\s*$")
_AMENDS = re.compile(r"Muudan .*?käskkirja (?:nr )?(\d+-\d+/[\w-]+)")
_AMENDS_TITLE = re.compile(r"käskkirja (?:nr )?(\d+-\d+/[\w-]+)")
_IN_FORCE = re.compile(rf"Käskkiri jõustub (?:(selle allkirjastamisel|allkirjastamisel|allkirjastamise päeval)|({DATE_PATTERN}))\.?\s*")
_ITEM_LIST = r"\d+(?:\.\d+)*\.?(?:(?:,\s*|\s+ja\s+|\s*[–-]\s*)\d+(?:\.\d+)*\.?)*"  # 1.3, 1.5 ja 1.7; 1.1–1.4
_APPLIES = re.compile(rf"Käskkirja (?:(?:punkti|punkte|punktid) (?P<items>{_ITEM_LIST}) )?"
                      rf"(?:rakendatakse|kohaldatakse) (?:tagasiulatuvalt )?alates (?P<date>{DATE_PATTERN})\.?\s*")
_TAIL_PARAGRAPH = re.compile(r"(?:^|\s)\d+\.\s+(?=[A-ZÕÄÖÜ])")
_SIGNATURE = re.compile(r"^\(allkirjastatud digitaalselt\)|^/allkirjastatud digitaalselt/")
_TAIL = re.compile(r"^(?:\d+\.\s+)?(?:Käskkiri jõustub|Käskkirja (?:punkt|rakendatakse|kohaldatakse))")
_MEMO_RENUMBER = re.compile(rf"Alates senisest punktist {_L} (vähenevad|suurenevad) (?:selles (?:peatükis|punktis) )?"
                            r"(?:ülejäänud|järgnevate) punktide numbrid (ühe|kahe|kolme) võrra")
_STEPS = {"ühe": 1, "kahe": 2, "kolme": 3}


# --- reading -----------------------------------------------------------------------------


def read_act(lines: list[str], first_line: int = 1, memo: list[str] | None = None, memo_first_line: int = 1) -> Import:
    """Read an amending act from its lines (``first_line`` is the file line of
    ``lines[0]``); ``memo`` (its explanatory memorandum) is read only for
    effects the act does not state: a renumbering, the entry into force."""
    head, bodies, tail = _split(lines, first_line)
    act_head, flags = _read_head(head)
    items, unread = [], []
    for number, span, body in bodies:
        read = read_item(number, body, span)
        (items if isinstance(read, ImportedItem) else unread).append(read)
    tail_text = clean(tail)
    act_head, items, more = _read_tail(tail_text, act_head, items)
    flags += more
    if memo is not None:
        act_head, items, more = _read_memo(memo, memo_first_line, act_head, items)
        flags += more
    if act_head.in_force is None:
        flags.append("the act states no entry into force; the draft says on_signing, the DSL's default: check it")
    items = _flag_double_changes(items)
    return Import(act_head, tuple(items), tuple(unread), tuple(flags))


def locate(lines: list[str]) -> tuple[Lines, Lines | None]:
    """Where the act and its memo stand in a whole register file (1-based):
    the act from its "KÄSKKIRI" heading (or the first line) to its signature,
    the memo from a line opening "Seletuskiri" after it to the next "KÄSKKIRI"
    or the end. For a file that holds only the act, the act is every line."""
    start = next((n for n, line in enumerate(lines) if line.strip() == "KÄSKKIRI"), 0)
    signature = next((n for n in range(start, len(lines)) if _SIGNATURE.match(lines[n].strip())), len(lines) - 1)
    memo_start = next((n for n in range(signature, len(lines)) if lines[n].startswith("Seletuskiri")), None)
    if memo_start is None:
        return Lines(start + 1, len(lines)), None
    memo_end = next((n for n in range(memo_start, len(lines)) if lines[n].strip() == "KÄSKKIRI"), len(lines))
    return Lines(start + 1, memo_start), Lines(memo_start + 1, memo_end)


def _split(lines: list[str], first_line: int):
    """Cut the act into head lines, items ``(number, Lines, lines)`` and tail lines.

    An item starts on a line that opens with the next item number and either a
    word the formulas start with, or ends the last item (";", ".", ":") outside
    any quote; so numbers inside quoted wording, table rows ("1.1 ESF-i toetus
    …") and a label that a line break puts first ("1.4 ja 1.5 …") never start
    one, and a stray quote mark (the 2020 act's footnote) swallows nothing.
    """
    head, items, tail = [], [], []
    depth, expected, ended, previous = 0, None, False, ""
    for offset, line in enumerate(lines):
        number, stripped = first_line + offset, line.strip()
        if _SIGNATURE.match(stripped):
            break
        match = _ITEM_HEAD.match(stripped)
        place = (int(match[1] or 0), int(match[2] or match[3])) if match else None
        free = _VERB_HEAD.match(stripped) or (depth == 0 and previous.endswith((";", ".", ":")))
        if stripped and not _PAGE_NUMBER.fullmatch(stripped):
            previous = stripped
        if not ended and match and free and _is_next(expected, place):
            expected = place
            items.append([f"{match[1]}.{match[2]}" if match[1] else match[3], number, [stripped[match.end() - 1:]]])
            depth = _depth(stripped)
            continue
        done = bool(items) and items[-1][2][-1].rstrip().endswith((";", "."))
        if items and depth == 0 and not ended and (_TAIL.match(stripped) or done and _PARAGRAPH.match(stripped)):
            ended = True
        if ended:
            tail.append(stripped)
        elif items:
            items[-1][2].append(stripped)
            depth = max(0, depth + _depth(stripped))
        else:
            head.append(stripped)
    bodies = [(number, Lines(start, start + len(body) - 1), body) for number, start, body in items]
    return head, bodies, tail


def _is_next(expected: tuple[int, int] | None, place: tuple[int, int]) -> bool:
    """Items run 1.1, 1.2, … (or 1), 2), …) without gaps: anything else is not an item's start."""
    if expected is None:
        return place[1] == 1
    return place == (expected[0], expected[1] + 1)


def _depth(line: str) -> int:
    return line.count("„") - line.count("“") - line.count("”")


def dated(line: str) -> tuple[str, str] | None:
    """An act's date and number as printed under its heading ("01.09.2022 nr
    1-3/45", "xx.yy.2020 nr 1-3/zz"), or None.

    >>> dated("xx.yy.2020 nr 1-3/zz")
    ('xx.yy.2020', '1-3/zz')
    """
    match = _DATE_LINE.match(line.strip())
    return (match[1], match[2]) if match else None


def _read_head(lines: list[str]) -> tuple[Head, list[str]]:
    flags, number, written, title_lines, rest = [], None, None, [], []
    for position, line in enumerate(lines):
        printed = dated(line)
        if printed and written is None:
            written, number = printed
            title_lines, rest = _title_lines(lines[position + 1:])
            break
    if written is None:
        flags.append("the act prints no date and number („DD.MM.YYYY nr N“) before its title")
        rest = lines
    signed = estonian_date(written) if written else None
    if written and signed is None:
        flags.append(f"the act prints its date as „{written}“: give its bounds and an assumption (--signed-between, "
                     f"--assume-signed, --because) or the date (--signed)")
    title = clean(title_lines) or None
    if title is None:
        flags.append("no title ending in „muutmine“ was found after the date")
    text = clean(rest)
    amends = _AMENDS.search(text) or (_AMENDS_TITLE.search(title) if title else None)
    if amends is None:
        flags.append("the act does not say which directive it amends (… käskkirja nr N … muutmine)")
    if number and amends and number.split("/")[0] != amends[1].split("/")[0]:
        flags.append(f"the act is numbered {number}, outside the series of the directive it amends ({amends[1]}): "
                     f"a draft's register number? give the number it is cited by with --dated")
    return Head(number, written, signed, title, amends[1] if amends else None), flags


def _title_lines(lines: list[str]) -> tuple[list[str], list[str]]:
    """The title runs to the line ending in "muutmine"; the preamble follows."""
    for position, line in enumerate(lines):
        if line.rstrip().endswith("muutmine"):
            return lines[:position + 1], lines[position + 1:]
    return [], lines


def read_item(number: str, body: list[str], lines: Lines) -> ImportedItem | UnreadItem:
    """One item's lines (without its number), cleaned, through the formulas."""
    text = clean(body)
    skeleton, quotes = _quotes(text)
    for name, formula in FORMULAS.items():
        match = formula.match(skeleton)
        if match and name == "substitute-unquoted" and match[2].lstrip().startswith(("„", "⟨")):
            continue  # quoted wording the formulas did not read in full (a quote left open, text after it)
        if match and name == "substitute-unquoted":
            return _unquoted(number, match[1], body, lines)
        if match:
            return _READERS[name.split("-")[0]](number, name, match, quotes, lines)
    return UnreadItem(number, text, lines)


_CLOSING = "“”"  # the Estonian closing quote, and the one some PDF exports print instead


def _quotes(text: str) -> tuple[str, list[str]]:
    """The text with each outermost „…“ replaced by ⟨n⟩, and the quotes' contents."""
    out, quotes, depth, start = [], [], 0, 0
    for position, char in enumerate(text):
        if char == "„":
            if depth == 0:
                start = position
            depth += 1
        elif char in _CLOSING and depth:
            depth -= 1
            if depth == 0:
                out.append(f"⟨{len(quotes)}⟩")
                quotes.append(text[start + 1:position])
            continue
        if depth == 0:
            out.append(char)
    if depth:  # an unclosed quote: leave the text as it is, so no formula reads it
        return text, []
    return "".join(out), quotes


def _labels(text: str) -> tuple[str, ...]:
    """The labels a list names ("8.3, 8.5 ja 8.6"); a range "2.3–2.5" of siblings names each between its ends.

    >>> _labels("2.3–2.5 ja 7.1")
    ('2.3', '2.4', '2.5', '7.1')
    """
    labels = []
    for part in re.split(r",\s*|\s+ja\s+", text.strip()):
        ends = [end.rstrip(".") for end in re.split(r"\s*[–-]\s*", part.strip()) if end]
        if len(ends) == 2:
            first, last = (Label.parse(end) for end in ends)
            if first.parent == last.parent and first < last:
                labels += [str(first.shifted(first.depth, step)) for step in range(last.parts[-1] - first.parts[-1] + 1)]
                continue
        labels += ends
    return tuple(labels)


def _numbered(quote: str, label: str) -> tuple[str, str | None]:
    """A whole point's quoted wording without its repeated number, and a flag
    when the number is missing or another."""
    quote = quote.strip()
    match = re.match(r"^(\d+(?:\.\d+)*)\.?(?:\s+|$)", quote)
    if match and match[1] == label:
        return quote[match.end():].strip(), None
    if match and "." in match[1] and match[1].split(".")[0] == label.split(".")[0]:
        return quote, f"the quote is numbered {match[1]}, the item's head names {label}"
    return quote, "the quote gives no point number; the act names it in the item's head"


def _present(match: re.Match) -> list[str]:
    """A formula's groups that took part: variants (first person, passive) keep their order."""
    return [group for group in match.groups() if group is not None]


def _whole(number, name, match, quotes, lines):
    label, quote = _present(match)
    text, flag = _numbered(quotes[int(quote)], label)
    flags = [flag] if flag else []
    if re.search(rf"(?:^|\s){re.escape(label)}\.\d+\.?\s", text):
        flags.append(f"the quote holds sub-points of {label}; the DSL sets each point in an item of its own")
    operation = "retitle" if "." not in label else "substitute"
    return ImportedItem(number, (Change(operation, (label,), text=text),), lines, tuple(flags))


def _unquoted(number: str, label: str, body: list[str], lines: Lines) -> ImportedItem:
    """A point set without quotes: in the acts seen, a section's heading on the
    line after the item's head, then its table, one cell a line."""
    flag = (f"the item sets point {label} without quotes (a table?): the importer does not read tables; "
            f"copy it from lines {lines}")
    first = body[1].strip() if len(body) > 1 and body[0].rstrip().endswith(":") else ""
    match = re.match(rf"^{re.escape(label)}\.?\s+(\S.*)$", first)
    changes = (Change("substitute", (label,), text=match[1].strip()),) if match else ()
    return ImportedItem(number, changes, lines, (flag,))


def _insert(number, name, match, quotes, lines):
    groups = _present(match)
    if "many" in name:
        return _insert_many(number, _labels(groups[0]), [quotes[int(n)] for n in re.findall(_Q, groups[1])], lines)
    parent, label, quote = groups if "-sub" in name else (None, *groups)
    flags = []
    if parent is not None and not label.startswith(parent + "."):
        flags.append(f"{label} is not a sub-point of {parent}")
    text, flag = _numbered(quotes[int(quote)], label)
    flags += [flag] if flag else []
    if re.search(r"rakendatakse\s+tagasiulatuvalt", text):
        flags.append("the new point applies the directive retroactively; whether this act's own changes reach back "
                     "with it is a reading to decide (the importer writes no applies_from for it)")
    return ImportedItem(number, (Change("insert", (label,), text=text),), lines, tuple(flags))


def _insert_many(number: str, labels: tuple[str, ...], texts: list[str], lines: Lines) -> ImportedItem:
    """„lisan punktid 2.5 ja 2.6 järgmises sõnastuses: „2.5. …“; „2.6. …“": one insert a point."""
    if len(texts) == 1 < len(labels):
        texts = _split_points(texts[0], labels)
    if len(labels) != len(texts):
        return ImportedItem(number, (), lines, (f"the item names {len(labels)} points and quotes {len(texts)} wordings",))
    changes, flags = [], []
    for label, quote in zip(labels, texts):
        text, flag = _numbered(quote, label)
        changes.append(Change("insert", (label,), text=text))
        flags += [f"{label}: {flag}"] if flag else []
    return ImportedItem(number, tuple(changes), lines, tuple(flags))


def _split_points(quote: str, labels: tuple[str, ...]) -> list[str]:
    """One quote that holds several new points („2.5. … 2.6. …“), cut where each
    next label starts; the quote whole when a label is not found in order."""
    cuts, start = [], 0
    for label in labels[1:]:
        found = re.compile(rf"\s{re.escape(label)}\.?\s").search(quote, start)
        if found is None:
            return [quote]
        cuts.append(found.start())
        start = found.end()
    return [quote[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(quote)])]


def _repeal(number, name, match, quotes, lines):
    (labels,) = _present(match)
    targets = _labels(labels) if "many" in name else (labels,)
    return ImportedItem(number, tuple(Change("repeal", (label,)) for label in targets), lines)


def _sentence(number, name, match, quotes, lines):
    """„sõnastan punkti X teise lause järgmiselt: „…“": the sentence set whole."""
    label, nth, quote = _present(match)
    return ImportedItem(number, (Change("replace", (label,), words=quotes[int(quote)].strip(), scope=ordinal(nth)),), lines)


def _replace(number, name, match, quotes, lines):
    groups = _present(match)
    if "pairs" in name:
        label, pairs = groups
        return ImportedItem(number, tuple(Change("replace", (label,), phrase=quotes[int(old)], words=quotes[int(new)])
                                          for old, new in re.findall(rf"{_WHAT} {_Q} {_WITH} {_Q}", pairs)), lines)
    if "scoped" in name:
        label, nth, old, new = groups
        return ImportedItem(number, (Change("replace", (label,), phrase=quotes[int(old)], words=quotes[int(new)],
                                           scope=ordinal(nth)),), lines)
    if "everywhere" in name:
        targets, old, new = ("everywhere",), *groups
    else:
        labels, old, new = groups
        targets = _labels(labels) if "many" in name else (labels,)
    return ImportedItem(number, (Change("replace", targets, phrase=quotes[int(old)], words=quotes[int(new)]),), lines)


def _delete(number, name, match, quotes, lines):
    groups = _present(match)
    if "scoped" in name:
        label, nth, what = groups
        return ImportedItem(number, (Change("delete", (label,), phrase=quotes[int(what)], scope=ordinal(nth)),), lines)
    label, what = groups
    if "sentence" in name:
        return ImportedItem(number, (Change("delete", (label,), sentence=ordinal(what)),), lines)
    if "several" in name:
        return ImportedItem(number, tuple(Change("delete", (label,), phrase=quotes[int(n)]) for n in re.findall(_Q, what)),
                            lines)
    return ImportedItem(number, (Change("delete", (label,), phrase=quotes[int(what)]),), lines)


def _amend(number, name, match, quotes, lines):
    groups = _present(match)
    if "sentence" in name:
        label, *nth, quote = groups
        place = ordinal(nth[0]) if nth else None
        flags = (f"the act makes the new wording sentence {'last' if place == LAST_SENTENCE else place} of {label}; "
                 f"the draft appends it: check that {label} has {place - 1} sentence(s) before it",) if place and place > 1 else ()
        return ImportedItem(number, (Change("amend", (label,), words=quotes[int(quote)].strip(), position="sentence"),),
                            lines, flags)
    if "pairs" in name:
        label, pairs = groups
        return ImportedItem(number, tuple(_at(label, where, quotes[int(a)], quotes[int(w)], None) for where, a, w in
                                          re.findall(rf"(pärast|enne) {_WHAT} {_Q} {_WITH} {_Q}", pairs)), lines)
    scope = ordinal(groups.pop(1)) if "scoped" in name else None
    label, where, anchor, words = groups[0], groups[1], quotes[int(groups[2])], quotes[int(groups[3])]
    return ImportedItem(number, (_at(label, where, anchor, words, scope),), lines)


def _at(label: str, where: str, anchor: str, words: str, scope: int | None) -> Change:
    """Words put after ("pärast") or before ("enne") an anchor, with the space that joins them."""
    if where == "pärast":
        joined = words if re.match(r"^[,.;:!?)]", words) else " " + words
        return Change("amend", (label,), phrase=anchor, words=joined, position="after", scope=scope)
    return Change("amend", (label,), phrase=anchor, words=words + " ", position="before", scope=scope)


_READERS = {"substitute": _whole, "insert": _insert, "repeal": _repeal, "replace": _replace, "delete": _delete,
            "amend": _amend, "sentence": _sentence}


# --- the tail and the memo --------------------------------------------------------------


def _read_tail(text: str, head: Head, items: list[ImportedItem]) -> tuple[Head, list[ImportedItem], list[str]]:
    """Entry into force and retroactive application, from the paragraphs after
    the items ("2. Käskkiri jõustub …", "3. Käskkirja punkti 1.3 rakendatakse …")."""
    flags = []
    for paragraph in filter(None, (p.strip() for p in _TAIL_PARAGRAPH.split(text))):
        in_force, applies = _IN_FORCE.fullmatch(paragraph), _APPLIES.fullmatch(paragraph)
        if in_force and not in_force[1] and estonian_date(in_force[2]) is None:
            flags.append(f"„{paragraph}“ names no calendar day")
        elif in_force:
            head = evolve(head, in_force="on_signing" if in_force[1] else estonian_date(in_force[2]))
        elif applies and estonian_date(applies["date"]) is None:
            flags.append(f"„{paragraph}“ names no calendar day")
        elif applies and applies["items"] is None:
            head = evolve(head, applies_from=estonian_date(applies["date"]))
        elif applies:
            items, missing = _apply_items(items, _item_numbers(applies["items"], items), estonian_date(applies["date"]))
            if missing:
                flags.append(f"„{paragraph}“ names item(s) {', '.join(missing)}, which the act does not have "
                             f"(or the importer did not read)")
        else:
            flags.append(f"a paragraph after the items the importer does not read: „{paragraph[:200]}“")
    return head, items, flags


def _item_numbers(text: str, items: list[ImportedItem]) -> tuple[str, ...]:
    """The items a paragraph names; a range "1.1–1.4" names every item of the act between its ends."""
    named = []
    for part in re.split(r",\s*|\s+ja\s+", text.strip()):
        ends = [label.rstrip(".") for label in re.split(r"\s*[–-]\s*", part)]
        if len(ends) == 2:
            first, last = (Label.parse(end) for end in ends)
            named += [item.number for item in items if first <= Label.parse(item.number) <= last] or ends
        else:
            named.append(ends[0])
    return tuple(dict.fromkeys(named))


def _apply_items(items: list[ImportedItem], named: tuple[str, ...], day: dt.date):
    """The items a retroactivity paragraph names ("punkti 1" names every 1.x), with ``applies_from``."""
    def named_by(item: ImportedItem, label: str) -> bool:
        return item.number == label or item.number.startswith(label + ".")

    out = [evolve(item, applies_from=day) if any(named_by(item, label) for label in named) else item for item in items]
    missing = [label for label in named if not any(named_by(item, label) for item in items)]
    return out, missing


def _read_memo(lines: list[str], first_line: int, head: Head, items: list[ImportedItem]):
    """Effects the memo states and the act does not: a renumbering after a
    repealed point, the entry into force. Each is flagged: the act is the law."""
    flags = []
    for offset, line in enumerate(lines):
        match = _MEMO_RENUMBER.search(line)
        if not match:
            continue
        label, step = match[1], _STEPS[match[3]] * (-1 if match[2] == "vähenevad" else 1)
        after = Label.parse(label)
        first = str(after.shifted(after.depth, 1))  # the points after the one the memo names move
        repealing = next((item.number for item in items for change in item.changes
                          if change.operation == "repeal" and label in change.targets), "?")
        why = (f"not an item of the act: the memo (line {first_line + offset}) says „{match[0]}“; the act itself "
               f"does not renumber")
        items.append(ImportedItem(repealing, (Change("renumber", (first,), by=step),),
                                  Lines(first_line + offset, first_line + offset), (why,), source="memo"))
    memo = clean(lines)
    found = _IN_FORCE.search(memo)
    if head.in_force is None and found:
        head = evolve(head, in_force="on_signing" if found[1] else estonian_date(found[2]))
        flags.append(f"the entry into force is stated only in the memo: „{found[0].strip()}“")
    return head, items, flags


def _flag_double_changes(items: list[ImportedItem]) -> list[ImportedItem]:
    """Two items of one act that set the same point whole: the later prevails,
    which a reviewer must see (2020 items 1.4 and 1.9)."""
    whole = ("substitute", "retitle", "repeal", "insert")
    by_target: dict[str, list[str]] = {}
    for item in items:
        for change in item.changes:
            if item.source == "act" and change.operation in whole:
                by_target.setdefault(change.targets[0], []).append(item.number)
    doubles = {target: numbers for target, numbers in by_target.items() if len(numbers) > 1}
    out = []
    for item in items:
        notes = [f"items {' and '.join(numbers)} both change {target}: the later prevails"
                 for target, numbers in doubles.items() if item.number in numbers]
        out.append(evolve(item, flags=item.flags + tuple(notes)) if notes else item)
    return out
