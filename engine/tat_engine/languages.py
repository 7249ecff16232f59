"""Which language a reader wants: from ``--lang``, the locale, or an HTTP ``Accept-Language``.

Standard library only, so the command line can choose before it imports anything else (the
quick answer table of ``tat point`` holds English text and answers only in English).
"""

from __future__ import annotations

import os
from collections.abc import Mapping  # (not typing: it imports re and enum, a tenth of a quick answer)

LANGUAGES = ("et", "en")


def from_locale(environ: Mapping[str, str] = os.environ) -> str:
    """The language of the user's locale as POSIX orders it (LC_ALL, LC_MESSAGES, LANG):
    Estonian when the first one set starts with ``et``, English otherwise.

    >>> from_locale({"LANG": "et_EE.UTF-8"}), from_locale({"LC_ALL": "C", "LANG": "et_EE.UTF-8"})
    ('et', 'en')
    """
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return "et" if value.lower().startswith("et") else "en"
    return "en"


def from_accept_language(header: str, default: str = "en") -> str:
    """The language an HTTP ``Accept-Language`` header prefers among ours (RFC 9110 § 12.5.4:
    the highest ``q`` first, ``q=0`` refused), or ``default`` when it names neither.

    >>> from_accept_language("en-GB;q=0.5, et;q=0.9"), from_accept_language("de, fr")
    ('et', 'en')
    """
    ranked = []
    for order, part in enumerate(header.split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and weight > 0:
            ranked.append((-weight, order, primary))
    return min(ranked)[2] if ranked else default
