"""Reading SendGrid Event Webhook batches: signed ones are read, anything else refused;
each event is recorded once however often it is resent."""

from __future__ import annotations

import datetime as dt

import pytest

from database import make_engine, make_session_factory
from signing.migrations import upgrade
from tests.webhooks.sendgrid_signing import SendGridSigner, batch
from webhooks.sendgrid_events import (
    BadSignature,
    MalformedBatch,
    SendGridEvents,
    StaleBatch,
    UnsignedBatch,
    first_seen,
    parse_batch,
)

NOW = dt.datetime(2027, 1, 12, 9, 0, tzinfo=dt.UTC)
T = int(NOW.timestamp())
DELIVERED = {"email": "lea@example.com", "event": "delivered", "sg_event_id": "ev-1",
             "sg_message_id": "m1.filter", "timestamp": T - 30, "envelope_id": "env-1",
             "signer_id": "sig-1", "idempotency_key": "env-1:3:0"}


@pytest.fixture(scope="module")
def signer():
    return SendGridSigner()


@pytest.fixture
def reader(signer):
    return SendGridEvents(signer.public_key)


def read(reader, body: bytes, headers: dict[str, str], now=NOW):
    return reader.read(body, signature=headers.get("X-Twilio-Email-Event-Webhook-Signature"),
                       timestamp=headers.get("X-Twilio-Email-Event-Webhook-Timestamp"),
                       now=now)


def test_a_signed_batch_is_read(reader, signer):
    body = batch(DELIVERED, {**DELIVERED, "event": "processed", "sg_event_id": "ev-0"},
                 {**DELIVERED, "event": "bounce", "sg_event_id": "ev-2",
                  "reason": "550 5.1.1 mailbox unavailable"})
    events = read(reader, body, signer.sign(body, T))
    assert [(e.event_id, e.kind) for e in events] == [("ev-1", "delivered"), ("ev-2", "bounce")]
    assert events[0].occurred_at == NOW - dt.timedelta(seconds=30)
    assert events[0].custom_args["envelope_id"] == "env-1"
    assert events[1].reason == "550 5.1.1 mailbox unavailable"


def test_a_tampered_batch_is_refused(reader, signer):
    body = batch(DELIVERED)
    headers = signer.sign(body, T)
    with pytest.raises(BadSignature):
        read(reader, body.replace(b"env-1", b"env-2"), headers)
    with pytest.raises(BadSignature):  # the timestamp is signed too
        read(reader, body, {**headers, "X-Twilio-Email-Event-Webhook-Timestamp": str(T + 1)})
    with pytest.raises(BadSignature):  # another key's signature
        read(reader, body, SendGridSigner().sign(body, T))
    with pytest.raises(BadSignature):
        read(reader, body, {**headers, "X-Twilio-Email-Event-Webhook-Signature": "%%%"})


def test_a_stale_or_future_batch_is_refused(reader, signer):
    body = batch(DELIVERED)
    with pytest.raises(StaleBatch):
        read(reader, body, signer.sign(body, T - 11 * 60))
    with pytest.raises(StaleBatch):
        read(reader, body, signer.sign(body, T + 11 * 60))
    assert read(reader, body, signer.sign(body, T - 9 * 60))


def test_an_unsigned_batch_is_refused(reader):
    with pytest.raises(UnsignedBatch) as caught:
        read(reader, batch(DELIVERED), {})
    assert caught.value.status == 401


@pytest.mark.parametrize("text", ["not json", '{"event": "delivered"}', "[1, 2]", "[]"])
def test_malformed_batches(text):
    if text in ("[1, 2]", "[]"):
        assert parse_batch(text) == []  # items that are not events are skipped
    else:
        with pytest.raises(MalformedBatch):
            parse_batch(text)


def test_events_without_an_id_or_time_are_skipped():
    events = parse_batch(batch({**DELIVERED, "sg_event_id": None},
                               {**DELIVERED, "timestamp": "soon"}, DELIVERED).decode())
    assert [e.event_id for e in events] == ["ev-1"]


def test_a_key_that_is_not_a_key_is_a_clear_error():
    with pytest.raises(ValueError, match="sendgrid_webhook_public_key"):
        SendGridEvents("not a key")


def test_each_event_is_recorded_once(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    events = parse_batch(batch(DELIVERED, DELIVERED,
                               {**DELIVERED, "sg_event_id": "ev-9"}).decode())
    with sessions.begin() as session:
        assert [e.event_id for e in first_seen(session, events, NOW)] == ["ev-1", "ev-9"]
    with sessions.begin() as session:
        assert first_seen(session, events, NOW) == []
    engine.dispose()
