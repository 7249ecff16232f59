"""Text for people in Estonian or English: one catalogue, messages as keys with parameters.

The catalogue is GNU gettext (the standard ``gettext`` module): the key of a message is its
English text with ``{name}`` fields, ``locale/et/LC_MESSAGES/tat.po`` holds the Estonian, and
the compiled ``tat.mo`` beside it is what runs (``msgfmt`` or Babel writes it; a test checks it
matches the ``.po``). The rules return :class:`Message` values — a key and its parameters —
and the edge (the command line, an HTTP answer, a file of verdicts) renders them in the
reader's language: ``str(message)`` speaks the language :func:`using` chose, English unless
told otherwise. Parameters are rendered in the same language: a date is ``2019-06-01`` in
English and ``01.06.2019`` in Estonian, an amount :class:`Cents` ``2 500.00 €`` or
``2 500,00 €``. The law's own words (wordings, titles, a category's name) are parameters and
are never translated.

>>> asked = msg("{label} on {on}", label="11.3", on=dt.date(2019, 6, 1))
>>> str(asked)
'11.3 on 2019-06-01'
>>> with using("et"):
...     str(asked)
'11.3 seisuga 01.06.2019'
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import gettext
import os
from functools import lru_cache
from typing import Iterator

from attrs import frozen

from .languages import LANGUAGES, from_accept_language, from_locale  # noqa: F401  (the choice, stdlib only)

DOMAIN = "tat"
_LOCALE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")
_CURRENT: contextvars.ContextVar[str] = contextvars.ContextVar("tat_language", default="en")


def N_(key: str) -> str:
    """Mark ``key`` for the catalogue where it is stored before it is rendered (a table of texts)."""
    return key


@frozen
class Cents:
    """An amount of euros in cents, written as the reader's language writes money."""

    cents: int

    def __str__(self) -> str:
        return euro(self.cents)


@frozen
class LongDay:
    """A day inside a sentence: ``2019-06-01`` in English, ``1. juunil 2019`` in Estonian."""

    day: dt.date

    def __str__(self) -> str:
        if language() == "et":
            return f"{self.day.day}. {_ET_MONTHS_ADESSIVE[self.day.month - 1]} {self.day.year}"
        return self.day.isoformat()


@frozen
class Message:
    """Text for people not yet written in a language: the catalogue key (English, with ``{name}``
    fields), its parameters, and for a text that counts, the plural key and the count."""

    key: str
    params: tuple[tuple[str, object], ...] = ()
    plural: str | None = None
    count: int | None = None

    def __str__(self) -> str:
        return render(self)

    def render(self, lang: str | None = None) -> str:
        return render(self, lang)


def msg(key: str, **params: object) -> Message:
    """A message to render later, in the reader's language."""
    return Message(key, tuple(params.items()))


def msg_n(singular: str, plural: str, count: int, **params: object) -> Message:
    """A message whose words follow ``count`` (``{count}`` is among its fields)."""
    return Message(singular, tuple(dict(params, count=count).items()), plural, count)


def say(key: str, **params: object) -> str:
    """A message rendered now, in the current language: for text built where it is shown."""
    return render(Message(key, tuple(params.items())))


def translated(key: str) -> str:
    """``key`` in the current language, as it stands (no fields filled): a fixed text such as an HTTP title."""
    return _catalogue(language()).gettext(key)


def render(message: Message, lang: str | None = None) -> str:
    """``message`` in ``lang`` (default: the current language), its parameters written in it too."""
    if lang is not None and lang != language():
        with using(lang):
            return render(message)
    catalogue = _catalogue(language())
    if message.plural is not None:
        template = catalogue.ngettext(message.key, message.plural, message.count or 0)
    else:
        template = catalogue.gettext(message.key)
    return template.format_map({name: _written(value) for name, value in message.params})


def _written(value: object) -> str:
    if isinstance(value, dt.date):
        return day(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(map(_written, value))
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",") if language() == "et" else f"{value:g}"
    return str(value)


@lru_cache(maxsize=None)
def _catalogue(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang``; English is the keys themselves."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, _LOCALE, languages=[lang])


# --- the language: chosen at the edge, read where text is written -------------------------------


def language() -> str:
    """The language text is written in now: ``et`` or ``en``."""
    return _CURRENT.get()


@contextlib.contextmanager
def using(lang: str) -> Iterator[str]:
    """Write text in ``lang`` inside the block (a command's run, an HTTP request)."""
    if lang not in LANGUAGES:
        raise ValueError(f"no language {lang!r}: {', '.join(LANGUAGES)}")
    token = _CURRENT.set(lang)
    try:
        yield lang
    finally:
        _CURRENT.reset(token)


# --- dates and money as each language writes them ------------------------------------------------

_ET_MONTHS_ADESSIVE = ("jaanuaril", "veebruaril", "märtsil", "aprillil", "mail", "juunil", "juulil", "augustil",
                       "septembril", "oktoobril", "novembril", "detsembril")
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))


def day(value: dt.date) -> str:
    """``2019-06-01`` in English, ``01.06.2019`` in Estonian."""
    return value.strftime("%d.%m.%Y") if language() == "et" else value.isoformat()


def weekday(value: dt.date) -> str:
    """The day of the week in the current language (``esmaspäev``)."""
    return say(WEEKDAYS[value.weekday()])


def euro(cents: int) -> str:
    """``1 234.50 €`` in English, ``1 234,50 €`` in Estonian: a space between thousands."""
    whole = f"{abs(cents) // 100:,}".replace(",", " ")
    mark = "," if language() == "et" else "."
    return f"{'-' if cents < 0 else ''}{whole}{mark}{abs(cents) % 100:02d} €"
