"""The HR API, over HTTP on a running server, with bodies of the wrong content type,
malformed JSON and oversized bodies: each gets a clear 4xx as JSON, and nothing in the
database changes."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest

from docgen import sample_plan
from signing.web.api import openapi_document
from signing.web.api.schemas import ErrorOut
from tests.hostile.server import Server, database_state

DOCUMENT = openapi_document()
# Every operation that takes a JSON body, with a body it would accept (or at least read).
BODIES = {
    "/api/v1/envelopes": {"plan": {"role_summary": "filled in by the test"}, "force": True},
    "/api/v1/envelopes/{envelope_id}/void": {"reason": "Sent in error."},
    # Optional: a corrected address for the signer's new link.
    "/api/v1/envelopes/{envelope_id}/signers/{signer_id}/resend": {
        "email": "lea.corrected@example.com"},
    "/api/v1/webhooks": {"url": "https://93.184.215.14/hooks", "events": ["envelope.sent"]},
    "/api/v1/webhooks/{endpoint_id}/disable": {"reason": "HRIS down"},
    "/api/v1/webhooks/{endpoint_id}/rotate-secret": {"overlap_hours": 1},
    "/api/v1/archive/records/{envelope_id}/hold": {"reason": "Tribunal claim 2026/114"},
    "/api/v1/archive/records/{envelope_id}/release": {"reason": "Claim withdrawn"},
    "/api/v1/archive/holds": {"scope": "department", "value": "Sales",
                              "reason": "EEOC charge 846-2026-01234"},
    "/api/v1/archive/holds/{hold_id}/release": {"reason": "Charge dismissed"},
    "/api/v1/envelopes/{envelope_id}/case/checkins": {
        "meeting": 1, "held_at": "2026-12-07T10:00", "attendees": ["Morgan Example"],
        "goals": {"1": {"status": "at_risk", "value": 78}}, "notes": "Reviewed the queue."},
    # A case's end (issue 17).
    "/api/v1/envelopes/{envelope_id}/case/outcome": {"outcome": "not_met", "goals": {
        "1": {"assessment": "not met", "result": "78%", "evidence": "Report of Friday."}}},
    "/api/v1/envelopes/{envelope_id}/case/outcome/return": {"comment": "Date the report."},
    "/api/v1/envelopes/{envelope_id}/case/close": {"outcome": "resigned",
                                                   "reason": "Resigned on Monday."},
    "/api/v1/envelopes/{envelope_id}/case/extensions": {
        "days": 7, "reason": "Clear progress; a week more.",
        "goals": [{"goal": 1, "target": "85%"}]},
}
LIMIT = 512 * 1024  # MAX_CONTENT_LENGTH


def test_every_operation_with_a_body_is_covered():
    with_body = {path for path, item in DOCUMENT["paths"].items()
                 for op in item.values() if "requestBody" in op}
    assert with_body == set(BODIES)


def request(server: Server, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, *, chunked: bool = False,
            ) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=60)
    try:
        connection.request(method, path, body=iter([body]) if chunked else body,
                            headers={**server.auth, **(headers or {})},
                            encode_chunked=chunked)
        response = connection.getresponse()
        return response.status, dict(response.headers), response.read()
    finally:
        connection.close()


def concrete(server: Server, path: str) -> str:
    return path.format(envelope_id=server.envelope_id, endpoint_id=server.endpoint_id,
                       signer_id=server.signer_id, hold_id=1)


def assert_json_error(status: int, headers: dict[str, str], body: bytes) -> str:
    """The answer is an ErrorOut, as the OpenAPI document says every error is."""
    assert headers["Content-Type"] == "application/json", body[:200]
    error = ErrorOut.model_validate_json(body)
    assert error.error and "Traceback" not in error.error
    return error.error


@pytest.fixture
def unchanged(api_server):
    before = database_state(api_server.sessions)
    yield
    assert database_state(api_server.sessions) == before


@pytest.mark.parametrize("content_type", [
    None, "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz", "application/xml", "text/json",
    "application/merge-patch+json", "application/jsonl", "*/*"])
@pytest.mark.parametrize("path", BODIES)
def test_a_body_that_is_not_labelled_json_is_refused_with_415(api_server, unchanged, path,
                                                              content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    status, answer_headers, answer = request(api_server, "POST", concrete(api_server, path),
                                             json.dumps(BODIES[path]).encode(), headers)
    assert status == 415
    message = assert_json_error(status, answer_headers, answer)
    assert "Content-Type: application/json" in message
    assert (content_type or "none").split(";")[0] in message  # what was sent instead


MALFORMED = {
    "empty": b"",
    "truncated": b'{"reason": "Sent in err',
    "single quotes": b"{'reason': 'Sent in error.'}",
    "trailing comma": b'{"reason": "Sent in error.",}',
    "two objects": b'{"reason": "a"}{"reason": "b"}',
    "not utf-8": '{"reason": "Fehlerhaft gesendet, \u00e4"}'.encode("latin-1"),
    "bare bytes": bytes(range(256)),
    "NaN": b'{"reason": "x", "overlap_hours": NaN}',
    "Infinity": b'{"overlap_hours": Infinity}',
    "a 5,000-digit number": b'{"overlap_hours": ' + b"9" * 5000 + b"}",
    "a number too large for a float": b'{"overlap_hours": 1e999}',
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "an object nested 50,000 deep": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "an array": b'[{"reason": "Sent in error."}]',
    "a string": b'"Sent in error."',
    "null": b"null",
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
@pytest.mark.parametrize("path", ["/api/v1/envelopes", "/api/v1/envelopes/{envelope_id}/void",
                                  "/api/v1/webhooks/{endpoint_id}/rotate-secret"])
def test_malformed_json_is_refused_with_400(api_server, unchanged, path, body):
    status, headers, answer = request(api_server, "POST", concrete(api_server, path), body,
                                      {"Content-Type": "application/json"})
    assert status == 400
    message = assert_json_error(status, headers, answer)
    assert message.startswith(("the body is not valid JSON: ", "the body cannot be read: ",
                               "the body must be a JSON object"))


@pytest.mark.parametrize("size", [LIMIT + 1, 1024 * 1024, 8 * 1024 * 1024])
@pytest.mark.parametrize("path", ["/api/v1/envelopes", "/api/v1/envelopes/{envelope_id}/void"])
def test_an_oversized_body_is_refused_with_413(api_server, unchanged, path, size):
    padding = size - len(b'{"reason": ""}')
    body = b'{"reason": "' + b"x" * padding + b'"}'
    assert len(body) == size
    status, headers, answer = request(api_server, "POST", concrete(api_server, path), body,
                                      {"Content-Type": "application/json"})
    assert status == 413
    assert "too large" in assert_json_error(status, headers, answer).lower()


def test_an_oversized_body_without_a_length_is_refused_with_413(api_server, unchanged):
    # Chunked: the server learns the size only by reading it.
    body = b'{"reason": "' + b"x" * (2 * LIMIT) + b'"}'
    status, headers, answer = request(
        api_server, "POST", concrete(api_server, "/api/v1/envelopes/{envelope_id}/void"), body,
        {"Content-Type": "application/json"}, chunked=True)
    assert status == 413
    assert_json_error(status, headers, answer)


@pytest.mark.parametrize(("body", "field"), [
    ({"reason": "x" * (LIMIT - 100)}, "reason"),  # fits the request, not the field
    ({"reason": "Sent in error.", "and": "more"}, "and"),
    ({"reason": ["Sent in error."]}, "reason"),
    ({"reason": "\ud800 lone surrogate"}, "reason"),
])
def test_well_formed_json_that_does_not_fit_is_refused_with_422(api_server, unchanged, body,
                                                                field):
    status, headers, answer = request(
        api_server, "POST", concrete(api_server, "/api/v1/envelopes/{envelope_id}/void"),
        json.dumps(body).encode(), {"Content-Type": "application/json"})
    assert status == 422
    assert_json_error(status, headers, answer)
    assert field in answer.decode()


def test_the_same_body_labelled_json_is_taken(api_server):
    """The refusals above are about the body's form: as JSON, it does what it says."""
    path = f"/api/v1/webhooks/{api_server.endpoint_id}"
    for label in ("application/json", "application/json; charset=utf-8"):
        status, _, answer = request(api_server, "POST", f"{path}/disable",
                                    json.dumps({"reason": "HRIS down"}).encode(),
                                    {"Content-Type": label})
        assert status == 200, answer
        assert json.loads(answer)["disabled_reason"].startswith("HRIS down")
        assert request(api_server, "POST", f"{path}/enable")[0] == 200


def sample_plan_data() -> dict:
    plan = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    plan["manager"].pop("webhook")  # names no endpoint the server has
    return plan


@pytest.mark.parametrize("timeline", [{"start": "2026-12-01", "length_days": 10**9},
                                      {"start": "9999-12-01", "length_days": 60}],
                         ids=["a billion days", "in 9999"])
def test_a_plan_period_past_the_calendar_is_named(api_server, unchanged, timeline):
    plan = {**sample_plan_data(), "timeline": timeline}
    status, headers, answer = request(api_server, "POST", "/api/v1/envelopes",
                                      json.dumps({"plan": plan}).encode(),
                                      {"Content-Type": "application/json"})
    assert status == 422, answer
    assert "timeline" in assert_json_error(status, headers, answer) + answer.decode()
