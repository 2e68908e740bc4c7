"""schemathesis against the HR API's OpenAPI document, on a running server: whatever it
sends, valid or not, there is no 500 and every answer matches the document.

The operations are read from the document when the tests are collected, before the
server starts; each test first checks that the server serves that same document at
``/api/v1/openapi.json``. (schemathesis's own loading from a fixture, and the names it
gives its tests, do not work with pytest 9, so each operation and mode is a test here.)

The admin key reaches the requests through schemathesis' own auth for the document's
``bearer`` security scheme, not as a header on every call: a negative case that drops the
key, to check the API refuses it, must go out without it. The examples are derandomized
(the same 12 per operation and mode on every run); ``--fuzz=N`` (``make fuzz``) draws N
random ones instead.
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
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from signing.web.api import openapi_document

DOCUMENT = openapi_document()
OPERATIONS = [(method, path) for path, item in DOCUMENT["paths"].items() for method in item]
CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance,
               response_headers_conformance, response_schema_conformance]
# Data the document says is invalid must get a 4xx.
CHECKS = {GenerationMode.POSITIVE: CONFORMANCE,
          GenerationMode.NEGATIVE: [*CONFORMANCE, negative_data_rejection]}


# How invalid data may be refused: schemathesis' list, and 413 for a body over the API's
# size limit (a negative case may make a field far longer than its maxLength).
REJECTIONS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429",
              "5xx"]
# The examples `make test` runs: the same on every run, so that it does not fail by chance.
FIXED_EXAMPLES = 12


@pytest.fixture(scope="module")
def server(api_server):
    with urllib.request.urlopen(f"{api_server.url}/api/v1/openapi.json") as response:
        assert json.load(response) == json.loads(json.dumps(DOCUMENT))
    return api_server


@pytest.fixture(scope="module")
def schema(server):
    """The document, with the server's admin key as the credential of its bearer scheme
    (given explicitly, so no schemathesis.toml of the checkout or the user applies)."""
    scheme, = DOCUMENT["components"]["securitySchemes"]
    config = SchemathesisConfig.from_dict({
        "auth": {"openapi": {scheme: {"bearer": server.key}}},
        "checks": {"negative_data_rejection": {"expected-statuses": REJECTIONS}}})
    return schemathesis.openapi.from_dict(DOCUMENT, config=config)


@pytest.fixture(scope="module")
def examples(pytestconfig) -> settings:
    """A fixed set of examples, or with ``--fuzz=N`` N random ones."""
    fuzz = pytestconfig.getoption("--fuzz")
    if fuzz:
        return settings(max_examples=fuzz, derandomize=False)
    return settings(max_examples=FIXED_EXAMPLES, derandomize=True)


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
def test_the_api_keeps_to_its_schema(server, schema, examples, method, path, mode):
    operation = schema[path][method]
    cases = operation.as_strategy(mode)
    known = targets(server, path)
    if known:  # half the cases aim at what exists
        cases = st.one_of(cases, operation.as_strategy(mode, path_parameters=known))

    @given(case=cases)
    @settings(examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def call(case):
        send(case, server, mode)

    call()


def send(case, server, mode: GenerationMode):
    """The case as generated, the key included only where schemathesis put it."""
    return case.call_and_validate(base_url=server.url, checks=CHECKS[mode], timeout=60)


def test_a_case_that_drops_the_key_goes_out_without_it(server, schema):
    """Negative cases that leave out the credential reach the server without it and are
    refused; the others carry the admin key (a key added to every request turned such a
    case into an accepted one, reported as a schema violation)."""
    operation = schema["/api/v1/archive/records"]["get"]
    dropped = []

    @given(case=operation.as_strategy(GenerationMode.NEGATIVE))
    @settings(max_examples=FIXED_EXAMPLES * 4, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def call(case):
        response = send(case, server, GenerationMode.NEGATIVE)
        sent = response.request.headers.get("Authorization")
        if schema.is_security_param_negated(case):
            dropped.append(response.status_code)
            assert sent != f"Bearer {server.key}"
            assert response.status_code == 401

    call()
    assert dropped, "no case left out the key"
