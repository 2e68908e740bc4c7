"""The audit trail's hash chain: it verifies, and any change to a record breaks it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from signing.domain import audit
from signing.domain.audit import GENESIS, append, verify_chain
from signing.domain.workflow import Event

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def chain():
    events = [Event("envelope.sent"), Event("signer.viewed", "s-1"),
              Event("signer.acknowledged", "s-1", {"typed_name": "Léa Brändli",
                                                   "comment": "<b>non</b> 中文"})]
    records, previous = [], None
    for i, event in enumerate(events):
        previous = append(previous, event, envelope_id="env-1", at=T0 + dt.timedelta(minutes=i),
                          actor="signer:s-1", ip="127.0.0.1", user_agent="Firefox",
                          document_sha256="ab" * 32)
        records.append(previous)
    return records


def test_a_fresh_chain_verifies(chain):
    assert verify_chain(chain) == []
    assert chain[0].prev_hash == GENESIS
    assert [r.seq for r in chain] == [1, 2, 3]
    assert chain[1].prev_hash == chain[0].hash


@pytest.mark.parametrize("change", [
    {"data": {"typed_name": "Someone Else", "comment": "<b>non</b> 中文"}},
    {"at": T0 + dt.timedelta(days=1)},
    {"ip": "10.0.0.1"},
    {"document_sha256": "cd" * 32},
])
def test_changing_a_record_breaks_the_chain(chain, change):
    chain[2] = dataclasses.replace(chain[2], **change)
    assert verify_chain(chain) == ["record 3: its content does not match its hash"]


def test_removing_or_reordering_breaks_the_chain(chain):
    assert verify_chain([chain[0], chain[2]]) == [
        "record 3: expected sequence number 2", "record 3: does not follow the record before it"]
    assert verify_chain([chain[1], chain[0], chain[2]])[0] == "record 2: expected sequence number 1"


def test_rehashing_a_changed_record_still_breaks_the_next_link(chain):
    forged = dataclasses.replace(chain[1], ip="10.0.0.1")
    forged = dataclasses.replace(forged, hash=audit.record_hash(forged))
    assert verify_chain([chain[0], forged, chain[2]]) == [
        "record 3: does not follow the record before it"]


def test_times_must_carry_a_zone():
    with pytest.raises(ValueError, match="timezone-aware"):
        append(None, Event("envelope.sent"), envelope_id="e", at=dt.datetime(2026, 1, 1),
               actor="hr")


def test_webhook_event_types_are_audit_event_types():
    """Webhooks announce audit events under their own names: one list of names."""
    import webhooks
    from signing.domain.events import EventType

    assert set(webhooks.EVENT_TYPES) <= {e.value for e in EventType}
