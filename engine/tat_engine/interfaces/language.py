"""The language of an HTTP answer: ``?lang=et|en``, else the ``Accept-Language`` header, else English.

The API's ASGI layer (:mod:`front`) chooses it for the whole request (:func:`tat_engine.messages.using`),
so the engine's messages in a JSON answer, and the ``title`` and ``detail`` of a problem, are written
in it; the worker threads the endpoints run in inherit the choice (a copied context).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import Scope

from ..languages import LANGUAGES, from_accept_language
from ..messages import N_


def request_language(scope: Scope) -> str:
    """``lang`` of the query when it names one of ours, else the ``Accept-Language`` preference."""
    query = scope.get("query_string", b"").decode("latin-1")
    asked = [value for name, value in parse_qsl(query[:4096]) if name == "lang"]
    if asked and asked[-1] in LANGUAGES:
        return asked[-1]
    header = next((value for name, value in scope.get("headers", ()) if name == b"accept-language"), b"")
    return from_accept_language(header[:512].decode("latin-1"))


# The titles of problems (RFC 9110's names), for the catalogue: guard.problem writes them in the language chosen.
TITLES = (N_("Bad Request"), N_("Not Found"), N_("Method Not Allowed"), N_("Request Timeout"), N_("Content Too Large"),
          N_("Unprocessable Content"), N_("Too Many Requests"), N_("Internal Server Error"), N_("Service Unavailable"),
          N_("Request Header Fields Too Large"), N_("Length Required"), N_("Unsupported Media Type"),
          N_("Not Acceptable"), N_("Payload Too Large"))
