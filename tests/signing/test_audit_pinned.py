"""Audit hashes are a stored contract: a record chained before a change to the code must
still verify after it. These hashes were computed by the code as it was before its
hashing was made cheaper (issue 15; ``dataclasses.asdict`` then ``json.dumps``), and are
pinned here so that any change to what a hash covers, or how it is serialised, fails."""

from __future__ import annotations

import dataclasses
import datetime as dt

from signing.domain import audit
from signing.domain.audit import AuditRecord, append, from_json, to_json, verify_chain
from signing.domain.workflow import Event

T0 = dt.datetime(2026, 12, 1, 9, 0, 0, 123456, tzinfo=dt.UTC)
PARIS = dt.timezone(dt.timedelta(hours=1))


@dataclasses.dataclass(frozen=True)
class Nested:
    """Not something the workflow records; pinned so that the hash of any value is."""

    name: str
    values: tuple[int, ...]


EVENTS = [
    Event("envelope.created", data={"template": "standard"}),
    Event("envelope.sent", data={"expires_at": "2026-12-15T09:00:00+00:00", "order": [1, 2]}),
    Event("signer.viewed", "s-1"),
    Event("signer.acknowledged", "s-1", {
        "typed_name": "Léa Brändli", "comment": "<b>non</b> 中文\n\"quoted\" \\ \u2028",
        "consent": True, "name_differs": False, "timezone": "Europe/Paris",
        "statement": "I have read the plan.", "consent_text": "I agree.", "count": 3,
        "ratio": 0.5, "none": None, "nested": {"b": [1, {"z": 2, "a": (3, 4)}], "a": {}}}),
    Event("signer.commented", "s-2", {"submission": "x" * 40, "when": T0, "nested": Nested(
        "n", (1, 2)), "emoji": "\U0001f600"}),
]
# Every field varied: a signer and none, an IP and a user agent and none, a document hash.
ACTORS = [("hr:alice", None, None, "ab" * 32), ("hr:alice", "10.0.0.1", None, "ab" * 32),
          ("signer:s-1", "2001:db8::1", "Mozilla/5.0 (X11) Firefox/130.0", "ab" * 32),
          ("signer:s-1", "127.0.0.1", "Firefox", None),
          ("signer:s-2", "127.0.0.1", "Ünïcode agent", "cd" * 32)]

PINNED = [  # computed by signing/domain/audit.py at main 9f698ea, before the change
    "d9960feda7a20abc425048ca5eb96138f41e7d45574aef9e30fa653750f08801",
    "eea41b4cc177238dd23cb108e826a25a63c3d548c10019ef0fbb711e5532ce7e",
    "7c3c0f36863864ad81cce370b65a4d1ae83e57e7e8bf1ca2c62e9ff97fca656b",
    "2d04a290b0a964a440535bf096b129376d22ebd775d59bdc37fe25aaaf8a7a9f",
    "2cac09614bd8071cc46bd7bfb225ea3e132787a968333933ba103d42d704c461",
]


def pinned_chain() -> list[AuditRecord]:
    records, previous = [], None
    for i, (event, (actor, ip, agent, document)) in enumerate(zip(EVENTS, ACTORS, strict=True)):
        # Times given in another zone are hashed as UTC.
        at = (T0 + dt.timedelta(minutes=i, microseconds=i)).astimezone(PARIS if i % 2 else dt.UTC)
        previous = append(previous, event, envelope_id="0b4f5a0e-1b2c-4d3e-8f9a-000000000001",
                          at=at, actor=actor, ip=ip, user_agent=agent, document_sha256=document)
        records.append(previous)
    return records


def test_hashes_are_those_of_the_code_before():
    assert [r.hash for r in pinned_chain()] == PINNED


def test_the_pinned_chain_verifies_as_stored():
    """As read back: from the archive's JSON (``at`` in another zone than it was made in
    gives the same hash), and as rows (``data`` a plain dict)."""
    chain = pinned_chain()
    assert verify_chain(chain) == []
    # The archive's JSON cannot carry the record that holds a dataclass; the others can.
    archived = [from_json(to_json(r)) for r in chain[:4]]
    assert verify_chain(archived) == []
    moved = [dataclasses.replace(r, at=r.at.astimezone(PARIS)) for r in chain]
    assert [audit.record_hash(r) for r in moved] == PINNED
