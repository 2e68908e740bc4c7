"""What a signer's page reads from the database, as plain rows in a few Core statements:
the envelope the signer belongs to, with all its signers, in one; the plan's data only
when this process has not parsed that envelope's plan yet; and the employee's own words
(comments, a refusal) from the audit trail.

Core rather than the ORM: the page changes nothing through what it reads (its writes
are :func:`signing.domain.envelopes.perform`'s), and the ORM's loading of one row with
its relationships cost more CPU than the rest of the page's database work (see
bench/README.md, issue 15). The objects here are frozen: a page's view of one moment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select

from signing.domain import workflow as wf
from signing.domain.events import EventType
from signing.domain.models import AuditEventRow, Document, EnvelopeRow, SignerRow

_SIGNERS = SignerRow.__table__
_ENVELOPES = EnvelopeRow.__table__
_AUDIT = AuditEventRow.__table__
_DOCUMENTS = Document.__table__


@dataclass(frozen=True, slots=True)
class Signer:
    id: str
    role: str
    name: str
    email: str
    state: str
    nonce: str | None
    decided_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Envelope:
    id: str
    state: str
    expires_at: dt.datetime | None
    comments_until: dt.datetime | None
    final_sha256: str | None
    document_sha256: str
    signers: tuple[Signer, ...]  # in routing order, as EnvelopeRow.signers

    def signer(self, signer_id: str) -> Signer:
        return next(s for s in self.signers if s.id == signer_id)

    @property
    def employee(self) -> Signer:
        return next(s for s in self.signers if s.role == wf.Role.EMPLOYEE)


# Every signer of the envelope that signer :signer_id belongs to, each row with the
# envelope's columns (all but the plan data): one statement, so one consistent view.
_ENVELOPE_OF_SIGNER = (
    select(_SIGNERS.c.id, _SIGNERS.c.role, _SIGNERS.c.name, _SIGNERS.c.email,
           _SIGNERS.c.state, _SIGNERS.c.nonce, _SIGNERS.c.decided_at,
           _ENVELOPES.c.id, _ENVELOPES.c.state, _ENVELOPES.c.expires_at,
           _ENVELOPES.c.comments_until, _ENVELOPES.c.final_sha256,
           _ENVELOPES.c.document_sha256)
    .join_from(_SIGNERS, _ENVELOPES, _ENVELOPES.c.id == _SIGNERS.c.envelope_id)
    .where(_SIGNERS.c.envelope_id == (select(_SIGNERS.c.envelope_id)
                                      .where(_SIGNERS.c.id == bindparam("signer_id"))
                                      .scalar_subquery()))
    .order_by(_SIGNERS.c.routing_order, _SIGNERS.c.id))
_PLAN_DATA = select(_ENVELOPES.c.plan_data).where(_ENVELOPES.c.id == bindparam("envelope_id"))
_NONCE = (select(_SIGNERS.c.nonce, _ENVELOPES.c.state)
          .join_from(_SIGNERS, _ENVELOPES, _ENVELOPES.c.id == _SIGNERS.c.envelope_id)
          .where(_SIGNERS.c.id == bindparam("signer_id")))
_OWN_WORDS = (select(_AUDIT.c.type, _AUDIT.c.at, _AUDIT.c.data)
              .where(_AUDIT.c.envelope_id == bindparam("envelope_id"),
                     _AUDIT.c.signer_id == bindparam("signer_id"),
                     _AUDIT.c.type.in_([EventType.SIGNER_COMMENTED, EventType.SIGNER_REFUSED]))
              .order_by(_AUDIT.c.seq))
_DOCUMENT = select(_DOCUMENTS.c.content).where(_DOCUMENTS.c.sha256 == bindparam("sha256"))


def envelope_of_signer(db: Connection, signer_id: str) -> Envelope | None:
    """The envelope signer ``signer_id`` belongs to, with its signers; None if there is
    no such signer."""
    rows = db.execute(_ENVELOPE_OF_SIGNER, {"signer_id": signer_id}).all()
    if not rows:
        return None
    id_, state, expires_at, comments_until, final_sha256, document_sha256 = rows[0][7:]
    return Envelope(id_, state, expires_at, comments_until, final_sha256, document_sha256,
                    tuple(Signer(*row[:7]) for row in rows))


def plan_data(db: Connection, envelope_id: str) -> dict[str, Any]:
    data: dict[str, Any] = db.execute(_PLAN_DATA, {"envelope_id": envelope_id}).scalar_one()
    return data


def nonce_of(db: Connection, signer_id: str) -> tuple[str | None, str] | None:
    """The signer's link nonce and their envelope's state; None if there is no such signer."""
    row = db.execute(_NONCE, {"signer_id": signer_id}).one_or_none()
    return None if row is None else (row[0], row[1])


# What the audit trail holds of one signer's own words: (type, when, data), oldest first.
OwnWords = list[tuple[str, dt.datetime, dict[str, Any]]]


def own_words(db: Connection, envelope_id: str, signer_id: str) -> OwnWords:
    """The signer's comments and refusal events, oldest first."""
    rows = db.execute(_OWN_WORDS, {"envelope_id": envelope_id, "signer_id": signer_id})
    return [(type_, at, data) for type_, at, data in rows]


def document(db: Connection, sha256: str) -> bytes:
    """A stored PDF's bytes."""
    content: bytes = db.execute(_DOCUMENT, {"sha256": sha256}).scalar_one()
    return content
