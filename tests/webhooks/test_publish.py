"""Publishing: which endpoints get an event, the body's shape, and repeats."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

import webhooks
from webhooks.models import WebhookMessage

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def add(sessions, name=None, events=("signer.acknowledged",), **scope) -> str:
    with sessions.begin() as session:
        return webhooks.create_endpoint(
            session, url="https://hooks.example.com/h", events=list(events), name=name,
            created_by="test",
            sees_all=True, now=T0, allow_private=False, resolve=lambda h: [], **scope,
        ).endpoint.id


def publish(sessions, event_type="signer.acknowledged", **options) -> list[str]:
    options.setdefault("manager", "morgan@example.com")
    options.setdefault("department", "Customer Support")
    with sessions.begin() as session:
        return webhooks.publish(session, event_type, {"envelope_id": "env-1"},
                                ordering_key="env-1", now=T0, **options)


def endpoints_of(sessions, message_ids) -> set[str]:
    with sessions() as session:
        return set(session.scalars(select(WebhookMessage.endpoint_id)
                                   .where(WebhookMessage.id.in_(message_ids))))


def test_scopes_and_subscriptions_choose_the_endpoints(sessions):
    everyone = add(sessions)
    morgan = add(sessions, manager="MORGAN@example.com")
    other_manager = add(sessions, manager="sam@example.com")
    support = add(sessions, department="customer support")
    sales = add(sessions, department="Sales")
    only_named = add(sessions, name="morgan-slack", named_only=True)
    named_other = add(sessions, name="not-named", named_only=True)
    wrong_event = add(sessions, events=["envelope.completed"])
    disabled = add(sessions)
    with sessions.begin() as session:
        webhooks.disable_endpoint(session, disabled, reason="off", now=T0)

    ids = publish(sessions, endpoint_names=["morgan-slack"])

    assert endpoints_of(sessions, ids) == {everyone, morgan, support, only_named}
    assert not {other_manager, sales, named_other, wrong_event, disabled} & \
        endpoints_of(sessions, ids)


def test_a_named_endpoint_gets_the_plan_whatever_its_filter(sessions):
    sales = add(sessions, name="sales-hris", department="Sales")
    ids = publish(sessions, endpoint_names=["sales-hris"])
    assert endpoints_of(sessions, ids) == {sales}


def test_the_body_is_the_standard_webhooks_shape(sessions):
    add(sessions)
    [message_id] = publish(sessions)
    with sessions() as session:
        message = session.get_one(WebhookMessage, message_id)
    assert message.id.startswith("msg_") and message.status == "pending"
    assert json.loads(message.payload) == {
        "type": "signer.acknowledged", "timestamp": "2026-12-01T09:00:00.000Z",
        "data": {"envelope_id": "env-1"}}
    assert message.next_attempt_at == T0 and message.ordering_key == "env-1"


def test_publishing_the_same_event_twice_adds_nothing(sessions):
    add(sessions)
    add(sessions, department="Customer Support")
    first = publish(sessions, event_key="env-1:7:0")
    again = publish(sessions, event_key="env-1:7:0")
    assert len(first) == 2 and sorted(first) == sorted(again)
    with sessions() as session:
        assert len(session.scalars(select(WebhookMessage)).all()) == 2


def test_no_endpoint_no_message(sessions):
    assert publish(sessions) == []


def test_unknown_event_types_are_a_programming_error(sessions):
    with pytest.raises(webhooks.InvalidInput, match="not an event type"):
        publish(sessions, "envelope.exploded")
