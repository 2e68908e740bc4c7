"""Registering and managing endpoints; bad input names the field and changes nothing."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from sqlalchemy import func, select

import webhooks
from webhooks.models import WebhookEndpoint

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
URL = "https://hooks.example.com/plansign"


def public(host):
    return ["93.184.215.14"]


def create(session, **options):
    options.setdefault("url", URL)
    options.setdefault("events", ["envelope.completed"])
    return webhooks.create_endpoint(session, created_by="cli:riley", sees_all=True, now=T0,
                                    allow_private=False, resolve=public, **options)


def count(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(WebhookEndpoint))


def test_a_new_endpoint_has_a_standard_webhooks_secret(sessions):
    with sessions.begin() as session:
        created = create(session, name="hris-emea", events=["envelope.completed",
                                                            "signer.acknowledged"],
                         department="  Customer   Support ", description="HRIS sync")
    endpoint = created.endpoint
    assert endpoint.id.startswith("ep_")
    assert created.secret.startswith("whsec_")
    assert len(base64.b64decode(created.secret.removeprefix("whsec_"))) == 32
    assert endpoint.event_types == ["signer.acknowledged", "envelope.completed"]
    assert (endpoint.scope, endpoint.filter_value, endpoint.filter_key) == (
        "department", "Customer Support", "customer support")
    with sessions() as session:
        [listed] = webhooks.list_endpoints(session)
        assert listed.name == "hris-emea" and listed.created_by == "cli:riley"


@pytest.mark.parametrize(("options", "field", "message"), [
    ({"events": ["envelope.complete"]}, "events", "'envelope.complete' is not an event type"),
    ({"events": []}, "events", "at least one"),
    ({"events": "envelope.completed"}, "events", "a list"),
    ({"url": "http://hooks.example.com"}, "url", "https"),
    ({"name": "Has Spaces"}, "name", "is not an endpoint name"),
    ({"name": "-leading"}, "name", "is not an endpoint name"),
    ({"manager": "not-an-email"}, "manager", "is not an email address"),
    ({"manager": "m@example.com", "department": "Sales"}, "department", "at most one"),
    ({"department": "Sales", "named_only": True}, "named_only", "at most one"),
    ({"department": "   "}, "department", "give the department"),
    ({"department": "x" * 201}, "department", "the limit is 200"),
    ({"named_only": True}, "name", "needs a name"),
    ({"description": "d" * 501}, "description", "the limit is 500"),
])
def test_bad_input_names_the_field_and_adds_nothing(sessions, options, field, message):
    with pytest.raises(webhooks.InvalidInput, match=message) as info, sessions.begin() as s:
        create(s, **options)
    assert info.value.field == field
    assert count(sessions) == 0


def test_names_are_unique(sessions):
    with sessions.begin() as session:
        create(session, name="ops")
    with pytest.raises(webhooks.InvalidInput, match="already exists"), \
            sessions.begin() as session:
        create(session, name="ops")
    assert count(sessions) == 1


def test_disable_enable_rotate(sessions):
    with sessions.begin() as session:
        created = create(session, manager="Morgan.Example@Example.com")
        endpoint_id, first = created.endpoint.id, created.secret
        assert created.endpoint.filter_key == "morgan.example@example.com"
    with sessions.begin() as session:
        with pytest.raises(webhooks.InvalidInput, match="say why"):
            webhooks.disable_endpoint(session, endpoint_id, reason=" ", now=T0)
        webhooks.disable_endpoint(session, endpoint_id, reason="moved to new HRIS", now=T0)
        webhooks.disable_endpoint(session, endpoint_id, reason="again", now=T0)
    with sessions() as session:
        endpoint = webhooks.get_endpoint(session, endpoint_id)
        assert endpoint.disabled_reason == "moved to new HRIS"
    with sessions.begin() as session:
        webhooks.enable_endpoint(session, endpoint_id)
        second = webhooks.rotate_secret(session, endpoint_id, overlap=dt.timedelta(hours=2),
                                        now=T0)
        endpoint = webhooks.get_endpoint(session, endpoint_id)
        assert endpoint.disabled_at is None
        assert webhooks.signing_secrets(endpoint, T0 + dt.timedelta(hours=1)) == [second, first]
        assert webhooks.signing_secrets(endpoint, T0 + dt.timedelta(hours=2)) == [second]
        with pytest.raises(webhooks.InvalidInput) as info:
            webhooks.rotate_secret(session, endpoint_id, overlap=dt.timedelta(days=8), now=T0)
        assert info.value.field == "overlap_hours"
        third = webhooks.rotate_secret(session, endpoint_id, overlap=dt.timedelta(0), now=T0)
        assert webhooks.signing_secrets(endpoint, T0) == [third]
    with sessions() as session, pytest.raises(webhooks.EndpointNotFound):
        webhooks.get_endpoint(session, "ep_missing")
