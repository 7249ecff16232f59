"""Textual amendments: one item's operation applied to one point's wording.

An amending act mostly changes parts of points ("asendan punktis X sõna „A“
sõnaga „B“", "jätan punktist X välja teise lause", "täiendan punkti X pärast
sõna „A“ sõnadega „B“"). These functions compute the resulting wording; the
replay (:mod:`consolidate`) decides which points they apply to and reports an
:class:`EditError` at the item.

>>> edited("Toetust antakse kümnes piirkonnas.", m.Replace((), "kümnes", "kaheksateistkümnes"), everywhere=False)
'Toetust antakse kaheksateistkümnes piirkonnas.'
>>> sentences("Aruanne esitatakse 1. märtsiks. Vorm on lisas 2.")
['Aruanne esitatakse 1. märtsiks.', 'Vorm on lisas 2.']
>>> edited("Aruanne esitatakse. Vorm on lisas 2.", m.Replace((), "2", "3", scope=m.LAST_SENTENCE), everywhere=False)
'Aruanne esitatakse. Vorm on lisas 3.'
"""

from __future__ import annotations

import re

from attrs import frozen

from .. import model as m
from ..messages import N_, Message, msg, msg_n

# A sentence ends with ". ", "! " or "? " followed by an upper-case letter (or at the end of the wording).
_END = re.compile(r"[.!?] (?=\S)")
# After words are deleted, a space left before these (or at an end) goes with them.
_CLOSING = " ,.;:!?)"


@frozen
class EditError(Exception):
    """Why an operation cannot apply to a wording: ``code`` and words that name the phrase."""

    code: str  # phrase-missing | phrase-repeated | sentence-range | empty-wording
    message: Message  # the point's label goes before it: "11.3 does not hold …"


def phrase_of(verb: m.Edit) -> str | None:
    """The phrase an operation looks for in the wording; None for a sentence appended, deleted or replaced whole."""
    if isinstance(verb, m.Replace):
        return verb.phrase
    if isinstance(verb, m.Delete):
        return verb.phrase
    return verb.anchor


def sentences(text: str) -> list[str]:
    """The wording's sentences, in order; joined with one space they give it back."""
    found, start = [], 0
    for end in _END.finditer(text):
        if text[end.end()].isupper():
            found.append(text[start:end.end() - 1])
            start = end.end()
    found.append(text[start:])
    return found


def edited(text: str, verb: m.Edit, everywhere: bool) -> str:
    """``text`` after ``verb``; every occurrence of its phrase when ``everywhere`` (läbivalt),
    else exactly one (an :class:`EditError` otherwise). A scoped operation
    ("punkti X teises lauses") looks for its phrase in that sentence only."""
    if isinstance(verb, m.Delete) and verb.sentence is not None:
        return _without_sentence(text, verb.sentence)
    if isinstance(verb, m.Amend) and verb.place == "sentence":
        return f"{text.rstrip()} {verb.words}"
    if verb.scope is None:
        return _in_text(text, verb, everywhere)
    found = sentences(text)
    index = _sentence_index(found, verb.scope, text)
    if isinstance(verb, m.Replace) and verb.phrase is None:
        found[index] = verb.by
        return " ".join(found)
    try:
        found[index] = _in_text(found[index], verb, everywhere=False)
    except EditError as error:
        raise EditError(error.code, _in_sentence(verb.scope, error.message)) from None
    return " ".join(found)


def _in_text(text: str, verb: m.Edit, everywhere: bool) -> str:
    phrase = phrase_of(verb)
    spots = _spots(text, phrase, everywhere)
    if isinstance(verb, m.Replace):
        return _splice(text, spots, phrase, lambda: verb.by)
    if isinstance(verb, m.Delete):
        return _delete(text, spots, phrase)
    if verb.place == "after":
        return _splice(text, spots, phrase, lambda: phrase + verb.words)
    return _splice(text, spots, phrase, lambda: verb.words + phrase)


def _spots(text: str, phrase: str, everywhere: bool) -> list[int]:
    spots, start = [], text.find(phrase)
    while start >= 0:
        spots.append(start)
        start = text.find(phrase, start + len(phrase))
    if not spots:
        raise EditError("phrase-missing", msg("does not hold {phrase}; its wording: {wording}",
                                              phrase=_quoted(phrase), wording=_quoted(_excerpt(text))))
    if len(spots) > 1 and not everywhere:
        raise EditError("phrase-repeated", msg("holds {phrase} {count} times; quote more words to name one, or change "
                                               "it everywhere (läbivalt)", phrase=_quoted(phrase), count=len(spots)))
    return spots


def _splice(text: str, spots: list[int], phrase: str, put) -> str:
    pieces, last = [], 0
    for start in spots:
        pieces += [text[last:start], put()]
        last = start + len(phrase)
    return "".join(pieces) + text[last:]


def _delete(text: str, spots: list[int], phrase: str) -> str:
    """The phrases removed; a space each removal leaves doubled, or before a stop or at an end, goes too."""
    left, last = "", 0
    for start in spots:
        left += text[last:start]
        last = start + len(phrase)
        right = text[last:]
        if left.endswith(" ") and (not right or right[0] in _CLOSING):
            left = left[:-1]
        elif not left and right.startswith(" "):
            last += 1
    result = left + text[last:]
    if not result.strip():
        raise EditError("empty-wording", msg("would be left with no words; repeal the point instead"))
    return result


def _without_sentence(text: str, number: int) -> str:
    found = sentences(text)
    index = _sentence_index(found, number, text)
    if len(found) == 1:
        raise EditError("empty-wording", msg("has one sentence; deleting it leaves no words: repeal the point instead"))
    return " ".join(found[:index] + found[index + 1:])


def _sentence_index(found: list[str], number: int, text: str) -> int:
    """Where sentence ``number`` (from 1, or the last) stands among ``found``."""
    if number == m.LAST_SENTENCE:
        return len(found) - 1
    if number > len(found):
        raise EditError("sentence-range", msg_n("has {count} sentence, so no sentence {number}; its wording: {wording}",
                                                "has {count} sentences, so no sentence {number}; its wording: {wording}",
                                                len(found), number=number, wording=_quoted(_excerpt(text))))
    return number - 1


def _in_sentence(number: int, problem: Message) -> Message:
    """``problem`` found in one sentence of the wording: "in its second sentence does not hold …"."""
    if number == m.LAST_SENTENCE:
        return msg("in its last sentence {problem}", problem=problem)
    if number in _ORDINALS:
        return msg(_ORDINALS[number], problem=problem)
    return msg("in its sentence {number} {problem}", number=number, problem=problem)


_ORDINALS = {1: N_("in its first sentence {problem}"), 2: N_("in its second sentence {problem}"),
             3: N_("in its third sentence {problem}")}


def _quoted(text: str) -> str:
    return f"„{text}“"


def _excerpt(text: str, size: int = 120) -> str:
    return text if len(text) <= size else text[:size - 1] + "…"
