"""Delivering to real HTTP receivers on 127.0.0.1: signatures checked by the
specification's algorithm, retries on the schedule with the same webhook-id, 410, a
receiver that hangs, redirects, order per envelope, secret rotation, private addresses."""

from __future__ import annotations

import datetime as dt
import json
import random
import time

import pytest
from sqlalchemy import select

import webhooks
from testsupport.receivers import spec_verify
from webhooks.delivery import Deliverer, DeliveryConfig
from webhooks.models import WebhookAttempt, WebhookEndpoint, WebhookMessage

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
EVENTS = ["signer.acknowledged", "envelope.completed"]


def add_endpoint(sessions, url, **options) -> tuple[str, str]:
    with sessions.begin() as session:
        created = webhooks.create_endpoint(session, url=url, events=options.pop("events", EVENTS),
                                           created_by="test",
                                           sees_all=True, now=T0, allow_private=True,
                                           **options)
        return created.endpoint.id, created.secret


def publish(sessions, event_type="signer.acknowledged", *, envelope="env-1", position=None,
            at=T0, **data) -> list[str]:
    with sessions.begin() as session:
        return webhooks.publish(session, event_type, {"envelope_id": envelope, **data},
                                ordering_key=envelope, position=position, now=at)


@pytest.fixture
def deliverer(sessions):
    # A timeout no answer of a local receiver comes near, even on a busy machine: the
    # tests of timeouts make deliverers of their own.
    with Deliverer(sessions, DeliveryConfig(timeout=10.0, allow_private=True),
                   rng=random.Random(5)) as deliverer:
        yield deliverer


def message(sessions, message_id) -> WebhookMessage:
    with sessions() as session:
        return session.get_one(WebhookMessage, message_id)


def attempts(sessions, message_id) -> list[WebhookAttempt]:
    with sessions() as session:
        return list(session.scalars(select(WebhookAttempt).where(
            WebhookAttempt.message_id == message_id).order_by(WebhookAttempt.number)))


def endpoint(sessions, endpoint_id) -> WebhookEndpoint:
    with sessions() as session:
        return session.get_one(WebhookEndpoint, endpoint_id)


def test_every_delivery_verifies_by_the_specification(sessions, receiver, deliverer):
    _, secret = add_endpoint(sessions, receiver.url)
    receiver.respond = lambda request, _: (
        (204, {}, b"") if spec_verify(secret, request.headers, request.body)
        else (401, {}, b"bad signature"))
    ids = [publish(sessions, envelope=f"env-{n}")[0] for n in range(3)]

    result = deliverer.run_once(now=T0)

    assert (result.claimed, result.recorded, result.in_flight) == (3, 3, 0)
    assert sorted(receiver.ids()) == sorted(ids)
    for request in receiver.received:
        assert request.headers["webhook-timestamp"] == str(int(T0.timestamp()))
        assert request.headers["content-type"] == "application/json"
        body = json.loads(request.body)
        assert body["type"] == "signer.acknowledged"
        assert body["timestamp"] == "2026-12-01T09:00:00.000Z"
        assert body["data"]["envelope_id"].startswith("env-")
    for message_id in ids:
        delivered = message(sessions, message_id)
        assert delivered.status == "delivered" and delivered.next_attempt_at is None
        [attempt] = attempts(sessions, message_id)
        assert (attempt.number, attempt.status_code, attempt.error) == (1, 204, None)
        assert attempt.at == T0 and attempt.latency_ms >= 0
    assert deliverer.run_once(now=T0 + dt.timedelta(hours=1)).claimed == 0


def test_a_receiver_that_fails_twice_gets_the_same_id_on_the_schedule(sessions, receiver,
                                                                      deliverer):
    _, secret = add_endpoint(sessions, receiver.url)
    answers = [(500, {}, b"database is down"), (503, {}, b"still down"), (200, {}, b"ok")]
    receiver.respond = lambda request, index: answers[index]
    [message_id] = publish(sessions)

    deliverer.run_once(now=T0)
    first_retry = message(sessions, message_id).next_attempt_at
    assert T0 + dt.timedelta(seconds=4.5) <= first_retry <= T0 + dt.timedelta(seconds=5.5)
    assert deliverer.run_once(now=T0 + dt.timedelta(seconds=4)).claimed == 0  # not yet due
    deliverer.run_once(now=first_retry)
    second_retry = message(sessions, message_id).next_attempt_at
    assert (first_retry + dt.timedelta(minutes=4.5) <= second_retry
            <= first_retry + dt.timedelta(minutes=5.5, seconds=1))
    deliverer.run_once(now=second_retry)

    assert receiver.ids() == [message_id] * 3
    stamps = [r.headers["webhook-timestamp"] for r in receiver.received]
    assert stamps == [str(int(t.timestamp())) for t in (T0, first_retry, second_retry)]
    assert all(spec_verify(secret, r.headers, r.body) for r in receiver.received)
    assert len({r.body for r in receiver.received}) == 1  # the same bytes every time
    log = attempts(sessions, message_id)
    assert [(a.number, a.status_code) for a in log] == [(1, 500), (2, 503), (3, 200)]
    assert log[0].response_excerpt == "database is down"
    assert message(sessions, message_id).status == "delivered"


def test_a_receiver_down_for_a_while_gets_it_when_it_is_back(sessions, deliverer):
    """Connections refused (the receiver's host is down) on the first two attempts, on
    the schedule's spacing; delivered on the third, once it listens again."""
    from testsupport.net import free_port
    from testsupport.receivers import serve_receiver

    port = free_port()
    _, secret = add_endpoint(sessions, f"http://127.0.0.1:{port}/hooks")
    [message_id] = publish(sessions)
    deliverer.run_once(now=T0)
    first_retry = message(sessions, message_id).next_attempt_at
    assert T0 + dt.timedelta(seconds=4.5) <= first_retry <= T0 + dt.timedelta(seconds=5.5)
    deliverer.run_once(now=first_retry)
    second_retry = message(sessions, message_id).next_attempt_at
    assert (first_retry + dt.timedelta(minutes=4.5) <= second_retry
            <= first_retry + dt.timedelta(minutes=5.5, seconds=1))
    with serve_receiver(port) as back:
        assert deliverer.run_once(now=second_retry - dt.timedelta(seconds=1)).claimed == 0
        deliverer.run_once(now=second_retry)
    assert back.ids() == [message_id] and spec_verify(secret, back.received[0].headers,
                                                      back.received[0].body)
    log = attempts(sessions, message_id)
    assert [(a.number, a.status_code) for a in log] == [(1, None), (2, None), (3, 204)]
    assert all("refused" in (a.error or "").lower() or "connect" in (a.error or "").lower()
               for a in log[:2])
    assert message(sessions, message_id).status == "delivered"


def test_retry_after_is_honoured(sessions, receiver, deliverer):
    add_endpoint(sessions, receiver.url)
    receiver.respond = lambda request, index: (429, {"Retry-After": "120"}, b"")
    [message_id] = publish(sessions)
    deliverer.run_once(now=T0)
    due = message(sessions, message_id).next_attempt_at
    assert T0 + dt.timedelta(seconds=120) <= due <= T0 + dt.timedelta(seconds=121)
    assert message(sessions, message_id).last_error == "HTTP 429"


def test_the_schedule_runs_out_after_ten_attempts(sessions, receiver, deliverer):
    add_endpoint(sessions, receiver.url)
    receiver.respond = lambda request, index: (500, {}, b"")
    [message_id] = publish(sessions)
    at = T0
    for _ in range(10):
        assert deliverer.run_once(now=at).claimed == 1
        at = message(sessions, message_id).next_attempt_at or at
    failed = message(sessions, message_id)
    assert failed.status == "failed" and failed.next_attempt_at is None
    assert len(receiver.received) == 10 and len(attempts(sessions, message_id)) == 10
    # About three days from first attempt to the last.
    assert dt.timedelta(days=2.7) < failed.failed_at - T0 < dt.timedelta(days=3.4)


def test_410_disables_the_endpoint(sessions, receiver, deliverer):
    endpoint_id, _ = add_endpoint(sessions, receiver.url)
    receiver.respond = lambda request, index: (410, {}, b"gone for good")
    [first] = publish(sessions, envelope="env-1")
    [second] = publish(sessions, envelope="env-2", at=T0 + dt.timedelta(seconds=1))

    deliverer.run_once(now=T0)  # only the first is due

    gone = endpoint(sessions, endpoint_id)
    assert gone.disabled_at is not None and "410" in gone.disabled_reason
    assert message(sessions, first).status == "failed"
    assert deliverer.run_once(now=T0 + dt.timedelta(minutes=1)).claimed == 0
    assert message(sessions, second).status == "pending"  # held until it is enabled
    assert publish(sessions, envelope="env-3") == []  # nothing new is queued for it
    assert len(receiver.received) == 1


def test_a_receiver_that_hangs_times_out_and_is_tried_again(sessions, receiver):
    add_endpoint(sessions, receiver.url)

    def respond(request, index):
        if index == 0:
            time.sleep(3)
        return 200, {}, b""

    receiver.respond = respond
    [message_id] = publish(sessions)
    with Deliverer(sessions, DeliveryConfig(timeout=0.5, allow_private=True)) as deliverer:
        deliverer.run_once(now=T0)
        # The receiver would answer 200 after 3 s: only the 0.5 s timeout makes this an error.
        [attempt] = attempts(sessions, message_id)
        assert attempt.status_code is None and attempt.error == "timed out after 0.5 s"
        assert attempt.latency_ms >= 400
        retry = message(sessions, message_id).next_attempt_at
        assert retry is not None
        deliverer.run_once(now=retry)
    assert message(sessions, message_id).status == "delivered"
    assert receiver.ids() == [message_id, message_id]


def test_a_slow_receiver_does_not_hold_up_the_pass(sessions, receiver):
    add_endpoint(sessions, receiver.url)

    def respond(request, index):
        if json.loads(request.body)["data"]["envelope_id"] == "slow":
            time.sleep(1.5)
        return 204, {}, b""

    receiver.respond = respond
    [slow] = publish(sessions, envelope="slow")
    [fast] = publish(sessions, envelope="fast")
    with Deliverer(sessions, DeliveryConfig(timeout=5, allow_private=True)) as deliverer:
        result = deliverer.run_once(now=T0, wait=0.5)
        assert (result.claimed, result.in_flight) == (2, 1)
        assert message(sessions, fast).status == "delivered"
        assert message(sessions, slow).status == "pending"
        time.sleep(1.5)
        assert deliverer.run_once(now=T0 + dt.timedelta(seconds=2), wait=0).recorded == 1
    assert message(sessions, slow).status == "delivered"


def test_a_backlog_at_a_hanging_endpoint_does_not_starve_the_others(sessions):
    """Two hundred messages due at an endpoint that hangs (draining four every two
    seconds, a minute and more), published before one for another endpoint: once the
    hanging one holds all it may, the other's message goes out."""
    from testsupport.receivers import serve_receiver

    with serve_receiver() as hanging, serve_receiver() as healthy:
        hanging.respond = lambda request, index: (time.sleep(2), (204, {}, b""))[1]
        add_endpoint(sessions, hanging.url)
        for n in range(200):
            publish(sessions, envelope=f"env-{n}")
        healthy_id, _ = add_endpoint(sessions, healthy.url)
        published = publish(sessions, envelope="other", at=T0 + dt.timedelta(seconds=1))
        [waiting] = [m for m in published if message(sessions, m).endpoint_id == healthy_id]
        config = DeliveryConfig(timeout=3, allow_private=True, concurrency=8, per_endpoint=1)
        with Deliverer(sessions, config) as deliverer:
            deliverer.run_once(now=T0 + dt.timedelta(seconds=2), wait=0.2)  # fills the hanging
            deadline = time.monotonic() + 10  # the hanging one's 2 s answers must not matter
            while message(sessions, waiting).status != "delivered":
                assert time.monotonic() < deadline, "the other endpoint is starved"
                deliverer.run_once(now=T0 + dt.timedelta(seconds=2), wait=0.2)
            assert [r.headers["webhook-id"] for r in healthy.received] == [waiting]


def test_redirects_are_not_followed(sessions, receiver, deliverer):
    add_endpoint(sessions, receiver.url)
    receiver.respond = lambda request, index: (
        (302, {"Location": "/elsewhere"}, b"") if request.path == "/hooks" else (200, {}, b""))
    [message_id] = publish(sessions)
    deliverer.run_once(now=T0)
    assert [r.path for r in receiver.received] == ["/hooks"]
    [attempt] = attempts(sessions, message_id)
    assert attempt.status_code == 302
    pending = message(sessions, message_id)
    assert pending.status == "pending" and pending.next_attempt_at > T0
    assert pending.last_error == "HTTP 302: redirects are not followed"


def test_events_for_one_envelope_arrive_in_order(sessions, receiver, deliverer):
    add_endpoint(sessions, receiver.url, events=["signer.viewed", "signer.acknowledged",
                                                 "envelope.completed"])
    failed_once = set()

    def respond(request, index):
        body = json.loads(request.body)
        if body["type"] == "signer.viewed" and body["data"]["envelope_id"] == "env-a" \
                and not failed_once:
            failed_once.add(1)
            return 500, {}, b""
        return 204, {}, b""

    receiver.respond = respond
    # Published out of order: positions say what happened first.
    [completed] = publish(sessions, "envelope.completed", envelope="env-a", position=3)
    [viewed] = publish(sessions, "signer.viewed", envelope="env-a", position=1)
    [acknowledged] = publish(sessions, "signer.acknowledged", envelope="env-a", position=2)
    [other] = publish(sessions, "signer.viewed", envelope="env-b", position=1)

    assert deliverer.run_once(now=T0).claimed == 2  # the head of each envelope
    assert sorted(receiver.ids()) == sorted([viewed, other])
    assert deliverer.run_once(now=T0 + dt.timedelta(seconds=1)).claimed == 0  # env-a waits
    at = message(sessions, viewed).next_attempt_at
    for step in range(3):
        deliverer.run_once(now=at + dt.timedelta(seconds=step))
    order = [i for i in receiver.ids() if i != other]
    assert order == [viewed, viewed, acknowledged, completed]
    assert all(message(sessions, m).status == "delivered"
               for m in (viewed, acknowledged, completed, other))


def test_during_rotation_both_secrets_sign(sessions, receiver, deliverer):
    endpoint_id, old = add_endpoint(sessions, receiver.url)
    with sessions.begin() as session:
        new = webhooks.rotate_secret(session, endpoint_id, overlap=dt.timedelta(hours=24),
                                     now=T0)
    assert new != old and new.startswith("whsec_")
    publish(sessions)
    deliverer.run_once(now=T0 + dt.timedelta(hours=1))
    request = receiver.received[-1]
    signatures = request.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    assert spec_verify(new, request.headers, request.body)
    assert spec_verify(old, request.headers, request.body)
    for secret, signature in zip((new, old), signatures, strict=True):
        alone = {**request.headers, "webhook-signature": signature}
        assert spec_verify(secret, alone, request.body)

    publish(sessions, envelope="env-2", at=T0 + dt.timedelta(hours=25))
    deliverer.run_once(now=T0 + dt.timedelta(hours=25))
    request = receiver.received[-1]
    assert " " not in request.headers["webhook-signature"]
    assert spec_verify(new, request.headers, request.body)
    assert not spec_verify(old, request.headers, request.body)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_private_addresses_are_refused_at_delivery(sessions, receiver, host):
    url = receiver.url.replace("127.0.0.1", host)
    add_endpoint(sessions, url)  # registered while private addresses were allowed
    [message_id] = publish(sessions)
    with Deliverer(sessions, DeliveryConfig(timeout=10, allow_private=False)) as deliverer:
        deliverer.run_once(now=T0)
    assert receiver.received == []
    [attempt] = attempts(sessions, message_id)
    assert attempt.status_code is None
    assert "is not a public address" in attempt.error
    assert message(sessions, message_id).status == "pending"


def test_connection_refused_is_an_attempt_and_a_retry(sessions):
    add_endpoint(sessions, "http://127.0.0.1:9/hooks")  # discard port: nothing listens
    [message_id] = publish(sessions)
    # A timeout far longer than a refusal takes: on a busy machine the attempt (thread
    # start, resolver, connect) once took over the fixture's 1 s and was reported as a
    # timeout, which is not what this test is about.
    with Deliverer(sessions, DeliveryConfig(timeout=30, allow_private=True)) as deliverer:
        deliverer.run_once(now=T0)
    [attempt] = attempts(sessions, message_id)
    assert attempt.status_code is None and attempt.error.startswith("could not connect")
    assert message(sessions, message_id).next_attempt_at > T0


def test_redeliver_sends_the_same_message_again(sessions, receiver, deliverer):
    endpoint_id, _ = add_endpoint(sessions, receiver.url)
    [message_id] = publish(sessions)
    deliverer.run_once(now=T0)
    later = T0 + dt.timedelta(days=1)
    with sessions.begin() as session:
        webhooks.redeliver(session, message_id, now=later)
    assert message(sessions, message_id).status == "pending"
    deliverer.run_once(now=later)
    assert receiver.ids() == [message_id, message_id]
    assert [a.number for a in attempts(sessions, message_id)] == [1, 2]
    assert message(sessions, message_id).status == "delivered"

    with sessions.begin() as session:
        webhooks.disable_endpoint(session, endpoint_id, reason="receiver retired", now=later)
    with sessions.begin() as session, pytest.raises(webhooks.EndpointDisabled,
                                                    match="receiver retired"):
        webhooks.redeliver(session, message_id, now=later)
    with sessions.begin() as session, pytest.raises(webhooks.MessageNotFound):
        webhooks.redeliver(session, "msg_nope", now=later)


def test_a_large_answer_is_cut_to_its_first_500_characters(sessions, receiver, deliverer):
    add_endpoint(sessions, receiver.url)
    receiver.respond = lambda request, index: (500, {}, b"x" * 100_000)
    [message_id] = publish(sessions)
    deliverer.run_once(now=T0)
    [attempt] = attempts(sessions, message_id)
    assert attempt.response_excerpt == "x" * 500


def test_two_workers_claim_different_messages(sessions, receiver, db_backend):
    """On PostgreSQL a message another worker holds is skipped (``SKIP LOCKED``), not
    waited for and not sent twice; SQLite runs one claim at a time instead."""
    if db_backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite serialises writers, so no row is ever locked")
    import threading

    add_endpoint(sessions, receiver.url)
    ids = [publish(sessions, envelope=f"env-{n}")[0] for n in range(3)]
    with Deliverer(sessions, DeliveryConfig(timeout=2, allow_private=True)) as deliverer, \
            sessions.begin() as other_worker:
        held = other_worker.scalars(select(WebhookMessage).where(WebhookMessage.id == ids[0])
                                    .with_for_update()).one()
        passing = threading.Thread(target=lambda: deliverer.run_once(now=T0))
        passing.start()
        passing.join(timeout=10)
        assert not passing.is_alive(), "the claim waited for the other worker's message"
    assert sorted(receiver.ids()) == sorted(ids[1:]) and held.id not in receiver.ids()
