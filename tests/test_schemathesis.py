"""Schemathesis drives every endpoint of the OpenAPI description, with valid and invalid inputs
(negative mode) and along the description's links (stateful): no answer is a 5xx, every answer is
the one documented, and every error is a problem (RFC 9457) that sends no long input back.

Example counts come from the settings profile (tests/conftest.py): small in CI, large with
``HYPOTHESIS_PROFILE=thorough``."""

import os
import tempfile

import schemathesis
from hypothesis import HealthCheck, settings

os.environ.setdefault("TAT_CACHE_DIR", tempfile.mkdtemp(prefix="tat-cache-"))

from tat_engine.interfaces.http import create_app  # noqa: E402

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())
schema.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])
# A label or a deadline kind is any text in the description; the engine itself says "no such point"
# with a 400, so a schema-valid request may rightly be refused.
schema.config.checks.update(excluded_check_names=["positive_data_acceptance"])
LONG = 60  # an input this long must not come back in an error


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes):
        yield value.decode("utf-8", "replace")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


@schemathesis.check
def errors_are_problems_without_echo(ctx, response, case):
    """Every 4xx and 5xx: application/problem+json with its five fields; no long input in it."""
    if response.status_code < 400:
        return None
    assert response.headers.get("content-type", [""])[0].startswith("application/problem+json"), response.headers
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body) and body["status"] == response.status_code
    sent = [case.path_parameters, case.query, case.headers, case.body]
    for text in _strings(sent):
        assert len(text) < LONG or text[:LONG] not in response.text, f"input echoed: {text[:LONG]!r}…"
    assert "Traceback" not in response.text
    return None


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_documented_and_none_is_a_server_error(case):
    response = case.call_and_validate()
    assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text[:200]}"


Linked = schema.as_state_machine()
TestLinkedCalls = Linked.TestCase
TestLinkedCalls.settings = settings(deadline=None, suppress_health_check=list(HealthCheck),
                                    max_examples=max(settings.default.max_examples // 6, 5), stateful_step_count=6)
