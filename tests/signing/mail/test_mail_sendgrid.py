"""The SendGrid backend, driving the real SendGridAPIClient against a local stand-in for
SendGrid's API (http.server on 127.0.0.1, passed as ``host``)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import socket
import traceback
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from docgen.sample import sample_plan
from docgen.schedule import schedule_for
from signing.domain.mail import compose
from signing.domain.mail.backends import SendGridMailBackend
from signing.domain.mail.message import (
    MailError,
    Message,
    PermanentMailError,
    TransientMailError,
)
from tests.signing.mail.sendgrid_standin import FakeSendGrid, Reply

API_KEY = "SG.plansign-test-key.do-not-leak-0123456789"
LINK = "https://plansign.example.com/s/TOKEN-abc.def"


@pytest.fixture
def provider() -> Iterator[FakeSendGrid]:
    with FakeSendGrid() as fake:
        yield fake


def backend_for(host: str, timeout: float = 5.0) -> SendGridMailBackend:
    return SendGridMailBackend(API_KEY, host=host, from_email="Sample Company <hr@example.com>",
                               timeout=timeout)


def invitation() -> Message:
    plan = sample_plan()
    return compose.invitation(
        to=plan.employee.email, name=plan.employee.name, link=LINK,
        deadline=dt.datetime(2026, 12, 14, 17, 0, tzinfo=ZoneInfo("Europe/London")),
        company=plan.company.name, contact=compose.Contact(plan.hr.name, plan.hr.email),
        envelope_id="env_7f3a", signer_id="sig_91c2", idempotency_key="env_7f3a:sig_91c2:inv:1",
        now=dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC),
        meetings=schedule_for(plan).checkins, location=plan.checkins.location,
        video_link=plan.checkins.video_link, meeting_with=plan.checkins.with_)


def assert_key_hidden(error: BaseException) -> None:
    for shown in (str(error), repr(error), "".join(traceback.format_exception(error)),
                  repr(error.args)):
        assert API_KEY not in shown
        assert "do-not-leak" not in shown


# -- success --------------------------------------------------------------------------


def test_sends_the_message_as_sendgrid_expects(provider: FakeSendGrid) -> None:
    message = invitation()

    sent = backend_for(provider.host).send(message)

    assert sent.provider_message_id == "sg-msg-0001"
    (request,) = provider.requests
    assert request.method == "POST" and request.path == "/v3/mail/send"
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["Content-Type"] == "application/json"
    body = request.json
    assert body["from"] == {"email": "hr@example.com", "name": "Sample Company"}
    assert body["personalizations"] == [
        {"to": [{"email": "alex.sample@example.com", "name": "Alex Sample"}]}]
    assert body["subject"] == "Please review and acknowledge your performance plan"
    assert body["reply_to"] == {"email": "riley.placeholder@example.com"}
    assert body["content"] == [{"type": "text/plain", "value": message.text},
                               {"type": "text/html", "value": message.html}]
    assert body["custom_args"] == {"envelope_id": "env_7f3a", "signer_id": "sig_91c2",
                                   "idempotency_key": "env_7f3a:sig_91c2:inv:1"}
    # The link must not go through the provider's click-tracking redirector, and no
    # tracking pixel may be added.
    assert body["tracking_settings"]["click_tracking"] == {"enable": False,
                                                           "enable_text": False}
    assert body["tracking_settings"]["open_tracking"] == {"enable": False}
    assert body["tracking_settings"]["subscription_tracking"] == {"enable": False}

    (attachment,) = body["attachments"]
    assert attachment["filename"] == "check-ins.ics"
    assert attachment["type"] == "text/calendar"
    assert attachment["disposition"] == "attachment"
    content = base64.b64decode(attachment["content"], validate=True)
    assert content == message.attachments[0].content
    events = Calendar.from_ical(content).walk("VEVENT")
    assert [e["DTSTART"].dt for e in events] == [m.starts for m in
                                                 schedule_for(sample_plan()).checkins]


def test_no_provider_id_when_the_header_is_missing(provider: FakeSendGrid) -> None:
    provider.replies.append(Reply(headers={}))
    assert backend_for(provider.host).send(invitation()).provider_message_id is None


def test_neither_the_key_nor_the_link_reaches_the_log(
        provider: FakeSendGrid, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # python_http_client logs headers and bodies at DEBUG
    backend = backend_for(provider.host)
    backend.send(invitation())
    provider.replies.append(Reply(status=400, body=b'{"errors":[{"message":"bad"}]}'))
    with pytest.raises(PermanentMailError):
        backend.send(invitation())
    assert caplog.records  # our own log lines are there
    assert API_KEY not in caplog.text
    assert "TOKEN-abc" not in caplog.text
    assert "alex.sample@example.com" not in caplog.text
    assert API_KEY not in repr(backend) and API_KEY not in str(backend)


# -- provider errors ------------------------------------------------------------------


def test_429_is_transient_with_the_providers_retry_after(provider: FakeSendGrid) -> None:
    provider.replies.append(Reply(status=429, headers={"Retry-After": "7"},
                                  body=b'{"errors":[{"message":"too many requests"}]}'))
    with pytest.raises(TransientMailError) as caught:
        backend_for(provider.host).send(invitation())
    assert caught.value.retry_after == 7.0
    assert "429" in str(caught.value) and "too many requests" in str(caught.value)
    assert_key_hidden(caught.value)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_transient(provider: FakeSendGrid, status: int) -> None:
    provider.replies.append(Reply(status=status, headers={}, body=b"upstream trouble"))
    with pytest.raises(TransientMailError) as caught:
        backend_for(provider.host).send(invitation())
    assert caught.value.retry_after is None
    assert str(status) in str(caught.value)
    assert_key_hidden(caught.value)


@pytest.mark.parametrize("status", [400, 401, 403, 413])
def test_other_4xx_is_permanent(provider: FakeSendGrid, status: int) -> None:
    errors = {"errors": [{"field": "from.email", "message": "does not match a verified "
                                                           "Sender Identity"}]}
    provider.replies.append(Reply(status=status, headers={},
                                  body=json.dumps(errors).encode()))
    with pytest.raises(PermanentMailError) as caught:
        backend_for(provider.host).send(invitation())
    assert caught.value.status == status
    assert "from.email: does not match a verified Sender Identity" in str(caught.value)
    assert not isinstance(caught.value, TransientMailError)
    assert_key_hidden(caught.value)


def test_the_key_is_redacted_even_if_the_provider_echoes_it(provider: FakeSendGrid) -> None:
    body = json.dumps({"errors": [{"message": f"key {API_KEY} is revoked"}]}).encode()
    provider.replies.append(Reply(status=401, headers={}, body=body))
    with pytest.raises(PermanentMailError) as caught:
        backend_for(provider.host).send(invitation())
    assert "key [redacted] is revoked" in str(caught.value)
    assert_key_hidden(caught.value)


def test_a_provider_that_is_down_is_transient() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransientMailError, match="could not reach") as caught:
        backend_for(f"http://127.0.0.1:{port}").send(invitation())
    assert caught.value.retry_after is None
    assert_key_hidden(caught.value)


def test_a_provider_that_does_not_answer_in_time_is_transient(provider: FakeSendGrid) -> None:
    # The provider would accept it after 1.5 s: only the 0.3 s timeout makes this an error.
    provider.replies.append(Reply(delay=1.5))
    with pytest.raises(TransientMailError, match="timed out") as caught:
        backend_for(provider.host, timeout=0.3).send(invitation())
    assert_key_hidden(caught.value)


def test_every_error_is_a_mail_error(provider: FakeSendGrid) -> None:
    provider.replies.extend([Reply(status=503, headers={}), Reply(status=422, headers={})])
    backend = backend_for(provider.host)
    for _ in range(2):
        with pytest.raises(MailError):
            backend.send(invitation())
    assert len(provider.requests) == 2
    # The same message sent twice carries the same idempotency key both times.
    assert {r.json["custom_args"]["idempotency_key"] for r in provider.requests} == {
        "env_7f3a:sig_91c2:inv:1"}
