"""schemathesis against the HR API's OpenAPI document, on a running server: whatever it
sends, valid or not, there is no 500 and every answer matches the document.

The operations are read from the document when the tests are collected, before the
server starts; each test first checks that the server serves that same document at
``/api/v1/openapi.json``. (schemathesis's own loading from a fixture, and the names it
gives its tests, do not work with pytest 9, so each operation and mode is a test here.)
"""

from __future__ import annotations

import json
import urllib.request

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from signing.api import openapi_document

DOCUMENT = openapi_document()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
OPERATIONS = [(method, path) for path, item in DOCUMENT["paths"].items() for method in item]
CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance,
               response_headers_conformance, response_schema_conformance]
# Data the document says is invalid must get a 4xx.
CHECKS = {GenerationMode.POSITIVE: CONFORMANCE,
          GenerationMode.NEGATIVE: [*CONFORMANCE, negative_data_rejection]}


@pytest.fixture(scope="module")
def server(api_server):
    with urllib.request.urlopen(f"{api_server.url}/api/v1/openapi.json") as response:
        assert json.load(response) == json.loads(json.dumps(DOCUMENT))
    return api_server


def modes(method: str, path: str) -> list[GenerationMode]:
    """Negative data needs something to negate: a parameter, a body or the API key."""
    item = DOCUMENT["paths"][path][method]
    has_input = item["parameters"] or "requestBody" in item or item.get("security") != []
    return [GenerationMode.POSITIVE, *([GenerationMode.NEGATIVE] if has_input else [])]


def targets(server, path: str) -> dict[str, str]:
    """Ids the server holds, for the path's parameters: random ids only ever find nothing."""
    known = {"envelope_id": server.spare_envelope_id if path.endswith("/void")
             else server.envelope_id,
             "signer_id": server.signer_id, "endpoint_id": server.endpoint_id}
    return {name: value for name, value in known.items() if f"{{{name}}}" in path}


@pytest.mark.parametrize(("method", "path", "mode"), [
    (method, path, mode) for method, path in OPERATIONS for mode in modes(method, path)],
    ids=lambda value: value.value if isinstance(value, GenerationMode) else str(value))
def test_the_api_keeps_to_its_schema(server, method, path, mode):
    operation = SCHEMA[path][method]
    cases = operation.as_strategy(mode)
    known = targets(server, path)
    if known:  # half the cases aim at what exists
        cases = st.one_of(cases, operation.as_strategy(mode, path_parameters=known))

    @given(case=cases)
    @settings(max_examples=12, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def call(case):
        case.call_and_validate(base_url=server.url, headers=server.auth, checks=CHECKS[mode],
                               timeout=60)

    call()
