"""The stamp on every answer: what produced it, so that it can be defended and judged again later.

A verdict is worth only as much as one can say, a year on, which engine, which law and which
choices gave it. A :class:`Stamp` names the engine's version, the corpus by a content hash of its
files (and the acts in it, each with the date the engine used: known, assumed or supplied), the
instrument, the decision date (and the facts' date), every contested reading with the option chosen
(defaults made explicit), the assumed dates the answer rests on, and when it was produced.

>>> import datetime as dt, tat_engine
>>> stamp = tat_engine.load().stamp(dt.date(2021, 6, 1))
>>> stamp.decided_on, [str(r) for r in stamp.readings]
(datetime.date(2021, 6, 1), ['reach-2020=retroactive'])
>>> Stamp.from_data(stamp.as_data()) == stamp
True

``produced_at`` is the clock's time (UTC) unless ``TAT_STAMP_TIME`` gives one (ISO 8601), so tests
and reproducible builds can fix it; text for people never shows it.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from attrs import frozen

FORMAT = "tat-stamp/1"  # the stamp's data, as files and JSON hold it
CORPUS_SHOWN = 12  # hex digits of the corpus hash that text for people shows


class NoStamp(ValueError):
    """A file or a body that holds no stamp this engine can read (``--reproduce`` exits 2)."""


@frozen
class ActDating:
    """An act of the corpus with the day the engine took it as signed: ``known`` from the sources,
    ``assumed`` by the corpus within bounds it gives, or ``supplied`` by the user (``--assume``)."""

    number: str
    signed: dt.date
    status: str  # known | assumed | supplied
    earliest: dt.date | None = None  # the bounds the sources give an unknown date
    latest: dt.date | None = None

    def __str__(self) -> str:
        return f"{self.number}={self.signed}"


@frozen
class ReadingChoice:
    """A contested reading and the option the answer was read under; ``default`` when no one chose it."""

    name: str
    option: str
    default: bool

    def __str__(self) -> str:
        return f"{self.name}={self.option}"


@frozen
class Stamp:
    engine: str
    instrument: str | None  # a shipped instrument; None: DSL files the user gave (the corpus hash names them)
    corpus: str  # sha256 of the corpus files as loaded (see cachedir.corpus_hash)
    acts: tuple[ActDating, ...]
    decided_on: dt.date | None  # the decision date (--as-of); None for a question about no one day
    facts_on: dt.date | None = None
    readings: tuple[ReadingChoice, ...] = ()
    assumptions: tuple[ActDating, ...] = ()  # dates supplied, and dates assumed that are open on the decision date
    produced_at: dt.datetime | None = None

    def line(self, on: str | None = None) -> str:
        """The stamp as the last line of text for people (``on`` stands for the decision date where a
        caller fills it in later). It leaves out the time and the corpus's own assumed dates, which the
        answer above it flags where they matter, so the same question prints the same text.

        'tat-engine 0.1.0 · corpus 3f2a… · as of 2021-06-01 · reading reach-2020=retroactive'
        """
        parts = [f"tat-engine {self.engine}", f"corpus {self.corpus[:CORPUS_SHOWN]}"]
        if self.instrument not in (None, "tat"):
            parts.append(f"instrument {self.instrument}")
        decided = on if on is not None else self.decided_on
        if decided is not None:
            parts.append(f"as of {decided}")
        if self.facts_on is not None:
            parts.append(f"facts on {self.facts_on}")
        if self.readings:
            parts.append("reading " + ", ".join(map(str, self.readings)))
        supplied = [str(a) for a in self.assumptions if a.status == "supplied"]
        if supplied:
            parts.append("assume " + ", ".join(supplied))
        return " · ".join(parts)

    def chosen(self) -> dict[str, str]:
        """The readings as ``load(reading=…)`` takes them."""
        return {r.name: r.option for r in self.readings}

    def supplied(self) -> dict[str, dt.date]:
        """The dates the user supplied, as ``load(assume=…)`` takes them."""
        return {a.number: a.signed for a in self.assumptions if a.status == "supplied"}

    def as_data(self) -> dict[str, Any]:
        """Plain JSON-ready data, tagged with the stamp's format."""
        return {"format": FORMAT, "engine": self.engine, "instrument": self.instrument, "corpus": self.corpus,
                "acts": [_dating_data(a) for a in self.acts], "decided_on": _iso(self.decided_on),
                "facts_on": _iso(self.facts_on),
                "readings": [{"name": r.name, "option": r.option, "default": r.default} for r in self.readings],
                "assumptions": [_dating_data(a) for a in self.assumptions], "produced_at": _iso(self.produced_at)}

    @classmethod
    def from_data(cls, data: Any) -> Stamp:
        """The stamp in ``data`` (as :meth:`as_data` wrote it); :class:`NoStamp` says what is wrong."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise NoStamp(f"not a stamp of format {FORMAT}")
        try:
            return cls(_text(data["engine"]), None if data["instrument"] is None else _text(data["instrument"]),
                       _text(data["corpus"]), tuple(_dating(a) for a in data["acts"]), _day(data["decided_on"]),
                       _day(data["facts_on"]),
                       tuple(ReadingChoice(_text(r["name"]), _text(r["option"]), bool(r["default"]))
                             for r in data["readings"]),
                       tuple(_dating(a) for a in data["assumptions"]), _moment(data["produced_at"]))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise NoStamp(f"a damaged stamp ({type(error).__name__}: {error})") from None

    def to_json(self) -> str:
        import json

        return json.dumps(self.as_data(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Stamp:
        import json

        try:
            return cls.from_data(json.loads(text))
        except (ValueError, RecursionError):
            raise NoStamp("the stamp is not JSON") from None


def of_law(law, decided_on: dt.date | None = None, facts_on: dt.date | None = None) -> Stamp:
    """The stamp of an answer ``law`` gives for a decision on ``decided_on`` (about facts of ``facts_on``)."""
    from . import __version__

    index = law.index
    acts = tuple(_dating_of(act.number, act.signing) for act in sorted(index.acts.values(), key=lambda a: a.number))
    open_then = {a.act for a in index.assumptions_on(decided_on)} if decided_on is not None else set()
    assumptions = tuple(a for a in acts if a.status == "supplied" or (a.status == "assumed" and a.number in open_then))
    readings = tuple(ReadingChoice(name, law.choice[name], law.choice[name] == reading.default)
                     for name, reading in sorted(index.readings.items()))
    return Stamp(__version__, getattr(index, "instrument", None), getattr(index, "corpus_hash", ""), acts, decided_on,
                 facts_on, readings, assumptions, produced_at())


def produced_at() -> dt.datetime:
    """Now, in UTC to the second; ``TAT_STAMP_TIME`` (ISO 8601) fixes it."""
    fixed = os.environ.get("TAT_STAMP_TIME")
    if fixed:
        moment = dt.datetime.fromisoformat(fixed)
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _dating_of(number: str, signing) -> ActDating:
    from . import model as m

    if isinstance(signing, m.UncertainDate):
        return ActDating(number, signing.assumed, "supplied" if signing.supplied else "assumed",
                         signing.earliest, signing.latest)
    return ActDating(number, signing.date, "known")


def _dating_data(a: ActDating) -> dict[str, Any]:
    return {"number": a.number, "signed": a.signed.isoformat(), "status": a.status,
            "earliest": _iso(a.earliest), "latest": _iso(a.latest)}


def _dating(data: dict) -> ActDating:
    status = _text(data["status"])
    if status not in ("known", "assumed", "supplied"):
        raise ValueError(f"an act's date is known, assumed or supplied, not {status!r}")
    return ActDating(_text(data["number"]), _day(data["signed"]), status, _day(data["earliest"]), _day(data["latest"]))


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def _text(value) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, not {type(value).__name__}")
    return value


def _day(value) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(_text(value))


def _moment(value) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(_text(value))
