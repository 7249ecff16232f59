"""Estonian working days and the counting of periods, as the civil code's
general part (tsiviilseadustiku üldosa seadus, TsÜS §§ 134–137) counts them.

- A period starts on the day after the day that triggers it (§ 135 (1)).
- It ends at 24:00 of its last day (§ 137 (1)): a due date is a whole day.
- A last day that is a rest day or a public holiday moves to the next working
  day (§ 136 (8)).
- Working days are Monday to Friday except the public holidays of the
  Holidays Act (pühade ja tähtpäevade seadus), taken from the ``holidays``
  package (country EE) for any year.

Whether a fixed calendar date ("31 January every year") also moves is disputed
in practice; :func:`fixed_date` takes the choice as an argument.

A due date after :data:`~tat_engine.model.LAST_DAY`, the last day the engine
supports, is refused with a :class:`~tat_engine.errors.QueryError`; it is found
to be past that day before it is counted, so no count runs away.

>>> import datetime as dt
>>> count(dt.date(2021, 3, 31), 3, "working_days").due   # Good Friday 2.4. and the weekend skipped
datetime.date(2021, 4, 6)
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from functools import lru_cache
from typing import TYPE_CHECKING

from attrs import frozen

from .. import cachedir, messages
from ..errors import QueryError
from ..messages import N_, LongDay, Message, language, msg, say, weekday
from ..model import DAY_RANGE, FIRST_DAY, LAST_DAY

if TYPE_CHECKING:
    import holidays

ONE_DAY = dt.timedelta(days=1)
_ESTONIA = "holidays.countries.estonia"
_LANGUAGES = {"en": "en_US", "et": "et"}  # the engine's languages -> the holidays package's
_TABLE = "tat-holidays-EE-1"  # what the kept table is, in which format (bump when it changes)


@lru_cache(maxsize=128)
def _holidays(year: int, lang: str = "en") -> holidays.HolidayBase:
    return _estonia()(years=year, language=_LANGUAGES.get(lang, "en_US"))


# --- the holidays, kept --------------------------------------------------------------------------
# The package takes more to import than the rest of a deadline's start, so its Estonian holidays
# for every year the engine counts in (FIRST_DAY..LAST_DAY) are kept as a table in the cache: plain
# text (a day, a language, a name a line; nothing in it can run code), sealed like the index
# (:mod:`tat_engine.cachedir`), under a key of the engine's code and the package's installed RECORD
# (its every file with its hash, as pip wrote it). Anything amiss: computed from the package again.


def _named(day: dt.date, lang: str) -> str | None:
    """The holiday on ``day`` in ``lang``, from the kept table for the years it holds."""
    if FIRST_DAY.year <= day.year <= LAST_DAY.year:
        return _table()[lang if lang in _LANGUAGES else "en"].get(day.isoformat())
    return _holidays(day.year, lang).get(day)


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, str]]:
    """Language -> ISO day -> holiday name, every year FIRST_DAY..LAST_DAY: kept, or made and kept."""
    name = _table_name()
    folder = cachedir.directory() if name else None
    secret = folder and cachedir.secret(folder)
    payload = secret and cachedir.unseal(secret, name, cachedir.read(folder, name))
    table = _parsed(bytes(payload)) if payload else None
    if table is None:
        table = _computed()
        if name:
            _keep(name, table)
    return table


def _computed() -> dict[str, dict[str, str]]:
    """The package's holidays, all years at once (the same as year by year: tested)."""
    years = range(FIRST_DAY.year, LAST_DAY.year + 1)
    return {lang: {day.isoformat(): name for day, name in _estonia()(years=years, language=code).items()}
            for lang, code in _LANGUAGES.items()}


def _parsed(payload: bytes) -> dict[str, dict[str, str]] | None:
    table: dict[str, dict[str, str]] = {lang: {} for lang in _LANGUAGES}
    try:
        for line in payload.decode("utf-8").split("\n") if payload else ():
            lang, day, name = line.split("\t")
            table[lang][day] = name
    except (ValueError, KeyError):
        return None
    return table


def _keep(name: str, table: dict[str, dict[str, str]]) -> None:
    lines = [f"{lang}\t{day}\t{holiday}" for lang, days in table.items() for day, holiday in days.items()]
    if any(line.count("\t") != 2 or "\n" in line for line in lines):
        return  # a name the format cannot hold: computed each time instead
    folder = cachedir.directory(create=True)
    secret = folder and cachedir.secret(folder, create=True)
    if secret:
        try:
            cachedir.write(folder, name, cachedir.seal(secret, name, "\n".join(lines).encode("utf-8")))
        except OSError:
            pass  # a read-only home still counts, only slower


def _table_name() -> str | None:
    """The kept table's file name: a key of the engine's code and the package's RECORD; None when
    the package's RECORD cannot be found (the holidays are then computed each time)."""
    record = _record()
    return record and f"holidays-{cachedir.content_key(_TABLE, [('holidays RECORD', record)])[:32]}.txt"


def _record() -> bytes | None:
    """The RECORD of the installed ``holidays`` (found without importing it), or None."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("holidays")
        site = os.path.dirname(list(spec.submodule_search_locations)[0])
        [found] = [entry for entry in os.listdir(site) if entry.startswith("holidays-") and entry.endswith(".dist-info")]
        with open(os.path.join(site, found, "RECORD"), "rb") as file:
            return file.read()
    except (ImportError, ValueError, TypeError, AttributeError, IndexError, OSError):
        return None


@lru_cache(maxsize=1)
def _estonia() -> type[holidays.HolidayBase]:
    """The ``holidays`` package's Estonia, the class ``holidays.country_holidays("EE")`` makes, loaded
    alone: importing it the usual way runs ``holidays.countries``, which imports every one of some
    250 countries (most of a deadline's start). Registered under its own name, so the package,
    if asked later, finds this same module; any surprise falls back to the package's way."""
    import holidays  # (its own __init__ loads no country)

    if _ESTONIA not in sys.modules and "holidays.countries" not in sys.modules:
        try:
            import importlib.util

            path = os.path.join(os.path.dirname(holidays.__file__), "countries", "estonia.py")
            spec = importlib.util.spec_from_file_location(_ESTONIA, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[_ESTONIA] = module
            spec.loader.exec_module(module)
            if issubclass(module.Estonia, holidays.HolidayBase) and module.Estonia.country == "EE":
                return module.Estonia
        except (ImportError, OSError, AttributeError, TypeError):
            pass
        sys.modules.pop(_ESTONIA, None)
    return type(holidays.country_holidays("EE"))


def holiday(day: dt.date) -> str | None:
    """The public holiday on ``day``, by name (in the current language), or None."""
    return _named(day, language())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and holiday(day) is None


def describe(day: dt.date) -> str:
    """``2024-01-01 (Monday, New Year's Day)``; ``01.01.2024 (esmaspäev, uusaasta)`` in Estonian."""
    name = holiday(day)
    return f"{messages.day(day)} ({weekday(day)}{', ' + name if name else ''})"


@frozen
class Described:
    """A day with its weekday and holiday, written when shown (in the reader's language)."""

    day: dt.date

    def __str__(self) -> str:
        return describe(self.day)


UNITS = {"calendar_days": N_("calendar days"), "working_days": N_("working days"), "months": N_("months")}


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += ONE_DAY
    return day


def add_working_days(trigger: dt.date, amount: int) -> dt.date:
    """The ``amount``-th working day after ``trigger`` (the trigger day does not count)."""
    day = trigger
    for _ in range(amount):
        day = next_working_day(day + ONE_DAY)
    return day


@frozen
class Count:
    """A due date and how it was counted, step by step."""

    due: dt.date
    steps: tuple[Message, ...]


def count(trigger: dt.date, amount: int, unit: str) -> Count:
    """The last day of a period of ``amount`` ``unit`` that ``trigger`` starts."""
    if _beyond_range(trigger, amount, unit):
        _refuse(say("a period of {amount} {unit} from {day} would end", amount=amount, unit=say(UNITS.get(unit, unit)),
                    day=trigger))
    steps = [msg("triggered on {day}; the period starts the next day (TsÜS § 135 (1))", day=Described(trigger))]
    if unit == "working_days":
        due = _in_range(add_working_days(trigger, amount))
        steps.append(msg("{amount} working days, rest days and public holidays skipped: {day}", amount=amount,
                         day=Described(due)))
        steps.append(msg("due by the end (24:00) of {day} (TsÜS § 137 (1))", day=LongDay(due)))
        return Count(due, tuple(steps))
    if unit == "calendar_days":
        last = trigger + dt.timedelta(days=amount)
        steps.append(msg("{amount} calendar days: {day}", amount=amount, day=Described(last)))
    elif unit == "months":
        from dateutil.relativedelta import relativedelta

        last = trigger + relativedelta(months=amount)
        steps.append(msg("{amount} months, to the same date of the month (or its last day): {day}", amount=amount,
                         day=Described(last)))
    else:
        raise ValueError(f"unknown unit {unit!r}")
    return _rolled(last, steps)


def fixed_date(day: dt.date, move: bool) -> Count:
    """A fixed calendar due date; ``move`` applies TsÜS § 136 (8) to it too."""
    steps = [msg("a fixed date: {day}", day=Described(_in_range(day)))]
    if not move:
        if not is_working_day(day):
            steps.append(msg("not moved: fixed dates stay where they fall (the chosen reading)"))
        return Count(day, tuple(steps))
    return _rolled(day, steps)


def _beyond_range(trigger: dt.date, amount: int, unit: str) -> bool:
    """Whether the period's last day is surely after LAST_DAY (a working day is at
    least a calendar day; a month at least 28 days)."""
    if unit == "months":
        return (trigger.year * 12 + trigger.month - 1 + amount) > LAST_DAY.year * 12 + LAST_DAY.month - 1
    return trigger.toordinal() + amount > LAST_DAY.toordinal()


def _in_range(due: dt.date) -> dt.date:
    if due > LAST_DAY:
        _refuse(say("the due date {day} falls", day=due))
    return due


def _refuse(what: str):
    raise QueryError(say("{what} after {last}, the last day the engine supports (dates in {range})", what=what,
                         last=LAST_DAY, range=DAY_RANGE))


def _rolled(last: dt.date, steps: list[Message]) -> Count:
    due = _in_range(next_working_day(last))
    if due != last:
        steps.append(msg("not a working day; the due date moves to the next working day, {day} (TsÜS § 136 (8))",
                         day=Described(due)))
    steps.append(msg("due by the end (24:00) of {day} (TsÜS § 137 (1))", day=LongDay(due)))
    return Count(due, tuple(steps))
