"""Schemathesis drives every endpoint of the OpenAPI description: no answer is a 5xx."""

import os
import tempfile

import schemathesis
from hypothesis import HealthCheck, settings

os.environ.setdefault("TAT_CACHE_DIR", tempfile.mkdtemp(prefix="tat-cache-"))

from tat_engine.http import create_app  # noqa: E402

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_endpoint_answers_with_a_server_error(case):
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text[:200]}"
