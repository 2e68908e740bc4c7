"""The envelope service: the one place that turns workflow steps into rows.

:func:`perform` loads an envelope with its row locked, runs one workflow action, and
writes the new state, the audit records that chain onto the envelope's trail, and one
outbox row per side effect, all in the caller's transaction, so they commit together
or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, selectinload

from signing import audit
from signing import workflow as wf
from signing.errors import SigningError
from signing.links import new_nonce
from signing.models import AuditEventRow, Document, EnvelopeRow, OutboxRow, SignerRow


class EnvelopeNotFound(SigningError):
    def __init__(self, envelope_id: str) -> None:
        self.envelope_id = envelope_id
        super().__init__(f"no envelope {envelope_id}")


@dataclass(frozen=True)
class SignerSpec:
    role: wf.Role
    name: str
    email: str
    order: int


@dataclass(frozen=True)
class Actor:
    """Who did something, and from where: recorded on every audit event."""

    name: str
    ip: str | None = None
    user_agent: str | None = None


def store_document(session: Session, content: bytes, content_type: str,
                   now: dt.datetime) -> str:
    """Store a file once; return its SHA-256. Storing the same bytes again is a no-op."""
    digest = hashlib.sha256(content).hexdigest()
    if session.get(Document, digest) is None:
        session.add(Document(sha256=digest, content_type=content_type, size=len(content),
                             content=content, created_at=now))
    return digest


def create_envelope(session: Session, *, plan_data: dict[str, Any], template: str,
                    pdf: bytes, signers: Sequence[SignerSpec], actor: Actor,
                    now: dt.datetime) -> str:
    """A draft envelope holding the plan, its template and its PDF; returns its id."""
    digest = store_document(session, pdf, "application/pdf", now)
    row = EnvelopeRow(id=str(uuid.uuid4()), state=wf.EnvelopeState.DRAFT, plan_data=plan_data,
                      template=template, document_sha256=digest, created_at=now,
                      created_by=actor.name)
    row.signers = [SignerRow(id=str(uuid.uuid4()), role=spec.role, name=spec.name,
                             email=spec.email, routing_order=spec.order,
                             state=wf.SignerState.WAITING) for spec in signers]
    session.add(row)
    session.flush()
    _record(session, row, [wf.Event("envelope.created", data={"template": template})],
            actor, now)
    return row.id


def load(session: Session, envelope_id: str, *, lock: bool = False) -> EnvelopeRow:
    """The envelope and its signers; its plan data is read when first used."""
    query = (select(EnvelopeRow).where(EnvelopeRow.id == envelope_id)
             .options(defer(EnvelopeRow.plan_data), selectinload(EnvelopeRow.signers)))
    if lock:
        # PostgreSQL locks the row; SQLite's BEGIN IMMEDIATE already serialises writers.
        query = query.with_for_update()
    row = session.scalars(query).one_or_none()
    if row is None:
        raise EnvelopeNotFound(envelope_id)
    return row


def to_domain(row: EnvelopeRow) -> wf.Envelope:
    return wf.Envelope(
        id=row.id,
        state=wf.EnvelopeState(row.state),
        signers=tuple(wf.Signer(s.id, wf.Role(s.role), s.name, s.email, s.routing_order,
                                wf.SignerState(s.state), s.decided_at) for s in row.signers),
        expires_at=row.expires_at,
    )


def perform(session: Session, envelope_id: str, action: str, *, actor: Actor,
            now: dt.datetime, **arguments: Any) -> wf.Step:
    """Run one workflow action and write what follows from it; the caller commits.

    A workflow error (illegal transition, already done, bad input) raises before
    anything is written.
    """
    row = load(session, envelope_id, lock=True)
    step = wf.ACTIONS[action](to_domain(row), now=now, **arguments)
    _apply(row, step.envelope)
    for event in step.events:
        if event.type in ("signer.notified", "signer.link_reissued"):
            _signer_row(row, event.signer_id).nonce = new_nonce()
    records = _record(session, row, step.events, actor, now)
    last_seq = records[-1].seq if records else _last_record(session, row.id).seq
    for index, effect in enumerate(step.effects):
        session.add(OutboxRow(
            dedupe_key=f"{row.id}:{last_seq}:{index}", kind=effect.kind, name=effect.name,
            envelope_id=row.id, signer_id=effect.signer_id, payload=dict(effect.data),
            created_at=now, attempts=0, next_attempt_at=now))
    session.flush()
    return step


def audit_trail(session: Session, envelope_id: str) -> list[audit.AuditRecord]:
    rows = session.scalars(select(AuditEventRow).where(AuditEventRow.envelope_id == envelope_id)
                           .order_by(AuditEventRow.seq))
    return [_as_record(r) for r in rows]


def _apply(row: EnvelopeRow, envelope: wf.Envelope) -> None:
    row.state = envelope.state
    row.expires_at = envelope.expires_at
    for signer in envelope.signers:
        signer_row = _signer_row(row, signer.id)
        signer_row.state = signer.state
        signer_row.decided_at = signer.decided_at


def _signer_row(row: EnvelopeRow, signer_id: str | None) -> SignerRow:
    return next(s for s in row.signers if s.id == signer_id)


def _last_record(session: Session, envelope_id: str) -> audit.AuditRecord | None:
    last = session.scalars(select(AuditEventRow).where(AuditEventRow.envelope_id == envelope_id)
                           .order_by(AuditEventRow.seq.desc()).limit(1)).one_or_none()
    return _as_record(last) if last is not None else None


def _record(session: Session, row: EnvelopeRow, events: Sequence[wf.Event], actor: Actor,
            now: dt.datetime) -> list[audit.AuditRecord]:
    previous, records = _last_record(session, row.id), []
    for event in events:
        previous = audit.append(previous, event, envelope_id=row.id, at=now, actor=actor.name,
                                ip=actor.ip, user_agent=actor.user_agent,
                                document_sha256=row.document_sha256)
        records.append(previous)
        session.add(AuditEventRow(
            envelope_id=previous.envelope_id, seq=previous.seq, type=previous.type,
            at=previous.at, actor=previous.actor, ip=previous.ip,
            user_agent=previous.user_agent, document_sha256=previous.document_sha256,
            signer_id=previous.signer_id, data=dict(previous.data),
            prev_hash=previous.prev_hash, hash=previous.hash))
    return records


def _as_record(row: AuditEventRow) -> audit.AuditRecord:
    return audit.AuditRecord(
        envelope_id=row.envelope_id, seq=row.seq, type=row.type, at=row.at, actor=row.actor,
        ip=row.ip, user_agent=row.user_agent, document_sha256=row.document_sha256,
        signer_id=row.signer_id, data=row.data, prev_hash=row.prev_hash, hash=row.hash)
