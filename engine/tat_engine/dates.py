"""Dates as the engine reads them: written YYYY-MM-DD or DD.MM.YYYY, naming a day that exists, in years it can count.

``date.fromisoformat`` also takes ``20190601`` and ``2019-W22-6``, and pyarrow's ``strptime``
rolls ``2015-06-31`` over into July and takes ``2023-2-3``: typing errors became answers. One
definition serves the questions (``law.day``) and the ledgers (``ledger``, vectorised), with the
same reasons. A written form is a row of :data:`FORMS`: ISO, and DD.MM.YYYY as Estonian accounting
systems export it (31.12.2023). The forms cannot be mistaken for each other (the year stands first or
last), and each is read strictly: 1.3.2016 is neither, 31.06.2015 names no day.
"""

from __future__ import annotations

import datetime as dt
import re

from attrs import frozen

from .messages import N_, say
from .model import DAY_RANGE, FIRST_DAY, LAST_DAY

FIRST, LAST = FIRST_DAY, LAST_DAY  # the engine's one range of days (model.py)
SPACE = " \t\r\n"  # trimmed around a date; the ledger trims the same characters
MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"), N_("July"), N_("August"),
          N_("September"), N_("October"), N_("November"), N_("December"))


@frozen
class DateForm:
    """A written form of a date, as users are told it: Y, M and D stand for digits, anything else for itself."""

    shape: str  # e.g. YYYY-MM-DD

    def digits(self, letter: str) -> tuple[int, ...]:
        """Where the digits of the year (Y), month (M) or day (D) stand."""
        return tuple(at for at, char in enumerate(self.shape) if char == letter)

    def fields(self, text: str) -> tuple[int, int, int] | None:
        """Year, month and day of ``text`` written in this form, or None when it is not written so."""
        if len(text) != len(self.shape):
            return None
        for char, wanted in zip(text, self.shape):
            if (char not in "0123456789") if wanted in "YMD" else char != wanted:
                return None
        return tuple(int("".join(text[at] for at in self.digits(letter))) for letter in "YMD")


FORMS = (DateForm("YYYY-MM-DD"), DateForm("DD.MM.YYYY"))
WRITTEN = " or ".join(form.shape for form in FORMS)
TEACH = f"dates are written {WRITTEN}, for instance 2019-06-01"  # in English; teach() in the reader's language


def teach() -> str:
    """How dates are written, in the current language."""
    return say("dates are written {forms}, for instance 2019-06-01", forms=say(" or ").join(f.shape for f in FORMS))


def not_a_date(text: str) -> str:
    """Why ``text``, which no form reads, is no date, with the writing meant where it can be told."""
    return say("{text} is not a date; {teach}", text=repr(text), teach=teach()) + _suggestion(text)
_LOOSE = (  # forms people write that are not accepted; read only to suggest the accepted writing, in their order
    (re.compile(r"^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})$"), (1, 2, 3), "{y:04d}-{m:02d}-{d:02d}"),
    (re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$"), (1, 2, 3), "{y:04d}-{m:02d}-{d:02d}"),
    (re.compile(r"^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})$"), (3, 2, 1), "{d:02d}.{m:02d}.{y:04d}"),
)


class NotADate(ValueError):
    """A text that does not name a day; the message says why, in words a user can act on, and ``hint``
    what a question (not a ledger row, which has its column's heading) adds about the writing."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


def read(text: str) -> dt.date:
    """The day ``text`` names (surrounding spaces ignored), or :class:`NotADate` with the reason."""
    text = text.strip(SPACE)
    for form in FORMS:
        fields = form.fields(text)
        if fields:
            reason = _nonexistent(*fields)
            if reason:
                raise NotADate(say("{text} is not a date: {reason}", text=repr(text), reason=reason), hint=teach())
            return in_range(dt.date(*fields))
    raise NotADate(not_a_date(text))


def in_range(value: dt.date) -> dt.date:
    """``value`` if it lies in the engine's range; far dates are typing errors (0219, 9019) or overflow later."""
    if FIRST <= value <= LAST:
        return value
    raise NotADate(say("{day} is outside the dates the engine supports; expected a date in {range}",
                       day=value.isoformat(), range=DAY_RANGE))


def problem(text: str) -> str:
    """Why ``text`` is not a date, or "" when it is one."""
    try:
        read(text)
    except NotADate as error:
        return str(error)
    return ""


def _nonexistent(year: int, month: int, day: int) -> str:
    if not 1 <= month <= 12:
        return say("there is no month {month}", month=f"{month:02d}")
    if year < 1:
        return say("there is no year 0000")
    import calendar  # (a wrong date's message alone: not imported by every command that reads a date)

    length = calendar.monthrange(year, month)[1]
    if not 1 <= day <= length:
        if not day:
            return say("there is no day 00")
        return say("{month} {year} has {days} days", month=say(MONTHS[month - 1]), year=f"{year:04d}", days=length)
    return ""


def _suggestion(text: str) -> str:
    for pattern, (y, m, d), written in _LOOSE:
        found = pattern.match(text)
        if found:
            year, month, day = (int(found.group(i)) for i in (y, m, d))
            if not _nonexistent(year, month, day):
                return say("; did you mean {writing}?", writing=written.format(y=year, m=month, d=day))
    return ""
