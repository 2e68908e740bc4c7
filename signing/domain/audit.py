"""The audit trail: append-only records, hash-chained per envelope.

Each record's hash covers its content and the previous record's hash, so changing,
removing or reordering any record breaks every hash after it. Pure functions: the
caller stores the records (never updating or deleting one) and passes them back to
:func:`verify_chain`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any

from docgen.words import N_
from signing.domain.errors import Wording
from signing.domain.workflow import Event

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditRecord:
    envelope_id: str
    seq: int
    type: str
    at: dt.datetime
    actor: str
    ip: str | None
    user_agent: str | None
    document_sha256: str | None
    signer_id: str | None
    data: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""

    def content(self) -> dict[str, Any]:
        """Everything the hash covers: the whole record but the hash itself."""
        body = asdict(self)
        del body["hash"]
        body["at"] = self.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
        return body


def canonical_json(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode("utf-8")


def _as_hashed(value: Any) -> Any:
    """What :func:`canonical_json` wrote for a value that ``dataclasses.asdict`` had
    copied: a dataclass as the dict of its fields, anything else JSON has no form for as
    its ``str``."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return str(value)


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              default=_as_hashed)


def record_hash(record: AuditRecord) -> str:
    """The SHA-256 of the record's content as canonical JSON.

    The same bytes as ``canonical_json(record.content())`` (pinned by
    tests/signing/test_audit_pinned.py), without the deep copy of the record that
    ``asdict`` makes first (7% of a signer's acknowledgement): JSON is written from the
    fields as they are; the encoder's ``default`` turns what ``asdict`` would have
    turned into a dict (a dataclass in ``data``) into that dict."""
    body = {"envelope_id": record.envelope_id, "seq": record.seq, "type": record.type,
            "at": record.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor": record.actor, "ip": record.ip, "user_agent": record.user_agent,
            "document_sha256": record.document_sha256, "signer_id": record.signer_id,
            "data": record.data, "prev_hash": record.prev_hash}
    return hashlib.sha256(_CANONICAL.encode(body).encode("utf-8")).hexdigest()


def append(previous: AuditRecord | None, event: Event, *, envelope_id: str, at: dt.datetime,
           actor: str, ip: str | None = None, user_agent: str | None = None,
           document_sha256: str | None = None) -> AuditRecord:
    """The record that follows ``previous`` (None for an envelope's first event)."""
    return append_after(previous.seq if previous else 0,
                        previous.hash if previous else GENESIS, event,
                        envelope_id=envelope_id, at=at, actor=actor, ip=ip,
                        user_agent=user_agent, document_sha256=document_sha256)


def append_after(seq: int, prev_hash: str, event: Event, *, envelope_id: str,
                 at: dt.datetime, actor: str, ip: str | None = None,
                 user_agent: str | None = None,
                 document_sha256: str | None = None) -> AuditRecord:
    """The record that follows the one numbered ``seq`` with hash ``prev_hash`` (0 and
    :data:`GENESIS` for an envelope's first event): all a chain's end needs to be."""
    if at.tzinfo is None:
        raise ValueError("audit times must be timezone-aware (UTC)")
    record = AuditRecord(
        envelope_id=envelope_id,
        seq=seq + 1,
        type=event.type,
        at=at.astimezone(dt.UTC),
        actor=actor,
        ip=ip,
        user_agent=user_agent,
        document_sha256=document_sha256,
        signer_id=event.signer_id,
        data=dict(event.data),
        prev_hash=prev_hash,
    )
    object.__setattr__(record, "hash", record_hash(record))  # made here, not yet shared
    return record


def to_json(record: AuditRecord) -> dict[str, Any]:
    """A record as JSON data (as archived): every field, ``at`` as its hash sees it."""
    return {**record.content(), "hash": record.hash}


def from_json(data: Mapping[str, Any]) -> AuditRecord:
    """The record :func:`to_json` made; :func:`verify_chain` checks it as it was."""
    fields = dict(data)
    fields["at"] = dt.datetime.fromisoformat(fields["at"])
    fields["data"] = dict(fields.get("data") or {})
    return AuditRecord(**fields)


def verify_chain(records: Iterable[AuditRecord]) -> list[str]:
    """Every break in an envelope's chain, in order; an empty list means it holds."""
    problems: list[str] = []
    previous = None
    for record in records:
        expected_prev = previous.hash if previous else GENESIS
        expected_seq = previous.seq + 1 if previous else 1
        if record.seq != expected_seq:
            problems.append(Wording(N_("record %(seq)s: expected sequence number %(expected)s"),
                                    seq=record.seq, expected=expected_seq))
        if record.prev_hash != expected_prev:
            problems.append(Wording(N_("record %(seq)s: does not follow the record before it"),
                                    seq=record.seq))
        if record_hash(record) != record.hash:
            problems.append(Wording(N_("record %(seq)s: its content does not match its hash"),
                                    seq=record.seq))
        previous = record
    return problems
