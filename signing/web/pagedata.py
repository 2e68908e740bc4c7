"""What a signer's page reads from the database, as plain rows in a few Core statements:
the envelope the signer belongs to, with all its signers, and for a page to be shown the
employee's own words (comments, a refusal) from the audit trail, in one; the plan's data
only when this process has not parsed that envelope's plan yet.

One statement, so one consistent view without a transaction around it: on PostgreSQL
the web reads it in autocommit (:func:`signing.web.webdb.reading`), one round trip where
a read-only transaction of two statements took four (``BEGIN``, the two, ``ROLLBACK``).

Core rather than the ORM: the page changes nothing through what it reads (its writes
are :func:`signing.domain.envelopes.perform`'s), and the ORM's loading of one row with
its relationships cost more CPU than the rest of the page's database work (see
bench/README.md, issue 15). The objects here are frozen: a page's view of one moment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, or_, select

from signing.domain import workflow as wf
from signing.domain.documents import DocumentName, document_name
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
    team: str | None = None  # the sender's HR team: whose HR contact the signer is given

    def signer(self, signer_id: str) -> Signer:
        return next(s for s in self.signers if s.id == signer_id)

    @property
    def employee(self) -> Signer:
        return next(s for s in self.signers if s.role == wf.Role.EMPLOYEE)


_OWN_WORDS_TYPES = (EventType.SIGNER_COMMENTED, EventType.SIGNER_REFUSED)
# What the audit trail holds of the employee's own words: (type, when, data), oldest first.
OwnWords = list[tuple[str, dt.datetime, dict[str, Any]]]

# Every signer of the envelope that signer :signer_id belongs to, each row with the
# envelope's columns (all but the plan data): one statement, so one consistent view.
_ENVELOPE_COLUMNS = (_SIGNERS.c.id, _SIGNERS.c.role, _SIGNERS.c.name, _SIGNERS.c.email,
                     _SIGNERS.c.state, _SIGNERS.c.nonce, _SIGNERS.c.decided_at,
                     _ENVELOPES.c.id, _ENVELOPES.c.state, _ENVELOPES.c.expires_at,
                     _ENVELOPES.c.comments_until, _ENVELOPES.c.final_sha256,
                     _ENVELOPES.c.document_sha256, _ENVELOPES.c.team)
_OF_SIGNERS_ENVELOPE = _SIGNERS.c.envelope_id == (
    select(_SIGNERS.c.envelope_id).where(_SIGNERS.c.id == bindparam("signer_id"))
    .scalar_subquery())
_ENVELOPE_OF_SIGNER = (
    select(*_ENVELOPE_COLUMNS)
    .join_from(_SIGNERS, _ENVELOPES, _ENVELOPES.c.id == _SIGNERS.c.envelope_id)
    .where(_OF_SIGNERS_ENVELOPE)
    .order_by(_SIGNERS.c.routing_order, _SIGNERS.c.id))
# The same rows, the employee's repeated once for each of their own words (type, at and
# data of each comment or refusal, oldest first; NULLs if none, and on other signers').
_ENVELOPE_WITH_WORDS = (
    select(*_ENVELOPE_COLUMNS, _AUDIT.c.type, _AUDIT.c.at, _AUDIT.c.data)
    .join_from(_SIGNERS, _ENVELOPES, _ENVELOPES.c.id == _SIGNERS.c.envelope_id)
    .outerjoin(_AUDIT, and_(_SIGNERS.c.role == wf.Role.EMPLOYEE,
                            _AUDIT.c.envelope_id == _SIGNERS.c.envelope_id,
                            _AUDIT.c.signer_id == _SIGNERS.c.id,
                            # Not in_(): its list is expanded into the SQL on
                            # every execution (SQLAlchemy's "postcompile").
                            or_(*(_AUDIT.c.type == type_ for type_ in _OWN_WORDS_TYPES))))
    .where(_OF_SIGNERS_ENVELOPE)
    .order_by(_SIGNERS.c.routing_order, _SIGNERS.c.id, _AUDIT.c.seq))
_PLAN_DATA = (select(_ENVELOPES.c.plan_data, _ENVELOPES.c.document_kind,
                     _ENVELOPES.c.amendment_number)
              .where(_ENVELOPES.c.id == bindparam("envelope_id")))
_NONCE = (select(_SIGNERS.c.nonce, _ENVELOPES.c.state)
          .join_from(_SIGNERS, _ENVELOPES, _ENVELOPES.c.id == _SIGNERS.c.envelope_id)
          .where(_SIGNERS.c.id == bindparam("signer_id")))
_DOCUMENT = select(_DOCUMENTS.c.content).where(_DOCUMENTS.c.sha256 == bindparam("sha256"))


def envelope_of_signer(db: Connection, signer_id: str, *, words: bool = False
                       ) -> tuple[Envelope, OwnWords | None] | None:
    """The envelope signer ``signer_id`` belongs to, with its signers, and with ``words``
    the employee's own words (their comments and refusal, oldest first; else None), read
    in one statement; None if there is no such signer."""
    rows = db.execute(_ENVELOPE_WITH_WORDS if words else _ENVELOPE_OF_SIGNER,
                      {"signer_id": signer_id}).all()
    if not rows:
        return None
    id_, state, expires_at, comments_until, final_sha256, document_sha256, team = rows[0][7:14]
    signers: list[Signer] = []
    for row in rows:  # each signer's row once, the employee's once for each of their words
        if not signers or signers[-1].id != row[0]:
            signers.append(Signer(*row[:7]))
    envelope = Envelope(id_, state, expires_at, comments_until, final_sha256,
                        document_sha256, tuple(signers), team)
    if not words:
        return envelope, None
    return envelope, [(row[14], row[15], row[16]) for row in rows if row[14] is not None]


def plan_data(db: Connection, envelope_id: str) -> tuple[dict[str, Any], DocumentName]:
    """The envelope's plan data and what its document is (a plan, its outcome letter,
    an amendment): neither ever changes once the envelope is made."""
    data, kind, number = db.execute(_PLAN_DATA, {"envelope_id": envelope_id}).one()
    return data, document_name(kind, number)


def nonce_of(db: Connection, signer_id: str) -> tuple[str | None, str] | None:
    """The signer's link nonce and their envelope's state; None if there is no such signer."""
    row = db.execute(_NONCE, {"signer_id": signer_id}).one_or_none()
    return None if row is None else (row[0], row[1])


def document(db: Connection, sha256: str) -> bytes:
    """A stored PDF's bytes."""
    content: bytes = db.execute(_DOCUMENT, {"sha256": sha256}).scalar_one()
    return content
