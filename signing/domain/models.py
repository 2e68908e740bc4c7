"""The signing tables: envelopes, signers, the audit trail, the outbox, documents.

Rows hold state; rules live in :mod:`signing.domain.workflow`. Audit events and documents are
written once and never updated or deleted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from database import Base, UTCDateTime
from signing.domain import ratelimit_models  # noqa: F401  - registers the rate_limits table


class Document(Base):
    """A file stored once, keyed by its SHA-256 (the original PDF of an envelope)."""

    __tablename__ = "documents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class EnvelopeRow(Base):
    __tablename__ = "envelopes"
    # The console's plans list, answered from this index alone (migration 0017).
    __table_args__ = (Index("ix_envelopes_listing", "team", "created_at", "state",
                            "expires_at", "employee_search", "employee_name", "department",
                            "manager_name", "owner", "drafted_by", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    plan_data: Mapped[dict[str, Any]] = mapped_column(JSON)
    template: Mapped[str] = mapped_column(String(200))
    document_sha256: Mapped[str] = mapped_column(ForeignKey("documents.sha256"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    # Who may see and act on it (signing.domain.access): the key (later the person) that sent it,
    # and that key's HR team, if it has one.
    owner: Mapped[str] = mapped_column(String(200), index=True, default="")
    team: Mapped[str | None] = mapped_column(String(200), index=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    # After a recorded refusal: the employee may comment until then; the envelope does
    # not complete before it (signing.domain.workflow).
    comments_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    # The stamped and sealed PDF (in documents) once made: kept so that finalizing again
    # after a crash archives this one rather than sealing a second, different one.
    final_sha256: Mapped[str | None] = mapped_column(String(64))
    # What the console's plans list shows, filters and searches by, copied from the plan
    # when the envelope is made (plan_data is JSON, which neither database indexes):
    # the employee's name as written and as searched (signing.domain.names.searchable),
    # the department, the manager's name, and who drafted it (a manager's actor, when
    # the plan came from a draft; else the sender).
    employee_name: Mapped[str] = mapped_column(String(200), default="")
    employee_search: Mapped[str] = mapped_column(String(200), index=True, default="")
    department: Mapped[str] = mapped_column(String(200), index=True, default="")
    manager_name: Mapped[str] = mapped_column(String(200), default="")
    drafted_by: Mapped[str | None] = mapped_column(String(200), index=True)
    # What the consistency report reads (signing.domain.consistency.plan_columns), so
    # that it never parses plan_data: the plan's own end date and check-in schedule,
    # and the lint findings it had when it was sent (None: sent before 0020 counted them).
    planned_end: Mapped[dt.date | None] = mapped_column(Date)
    checkin_schedule: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    lint_findings: Mapped[int | None] = mapped_column(Integer)
    # What the envelope's document is (0025): a plan, or a document of a plan's case
    # (its outcome letter, an amended plan) whose envelope is ``case_id``.
    document_kind: Mapped[str] = mapped_column(String(20), default="plan",
                                               server_default="plan")
    case_id: Mapped[str | None] = mapped_column(String(36), index=True)
    amendment_number: Mapped[int | None] = mapped_column(Integer)

    signers: Mapped[list[SignerRow]] = relationship(
        back_populates="envelope", order_by="SignerRow.routing_order, SignerRow.id")


class SignerRow(Base):
    __tablename__ = "signers"
    # A person asking for their own records is found by their address, in any case (0022).
    __table_args__ = (Index("ix_signers_email_lower", func.lower(text("email"))),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    envelope_id: Mapped[str] = mapped_column(ForeignKey("envelopes.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    routing_order: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    # The link's nonce: a new one revokes every link issued before it.
    nonce: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    envelope: Mapped[EnvelopeRow] = relationship(back_populates="signers")


class AuditEventRow(Base):
    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("envelope_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    envelope_id: Mapped[str] = mapped_column(ForeignKey("envelopes.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(50))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(Text)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    signer_id: Mapped[str | None] = mapped_column(String(36))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class OutboxRow(Base):
    """A side effect to carry out after the commit that decided it (transactional outbox)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # One row per effect of one audit event, so writing it twice is impossible.
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(50))
    envelope_id: Mapped[str] = mapped_column(ForeignKey("envelopes.id"), index=True)
    signer_id: Mapped[str | None] = mapped_column(String(36))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_message_id: Mapped[str | None] = mapped_column(String(200))


class RecordLinkRevocation(Base):
    """Links to one's own copy of a record (signing.domain.recordlinks) made before
    ``revoked_at`` no longer work: for one signer, or with no signer for all of them.
    Links are not stored (they are signed), so revoking one is refusing those older."""

    __tablename__ = "record_link_revocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(64), index=True)
    signer_id: Mapped[str | None] = mapped_column(String(36))
    revoked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)


class RecordsRequestRow(Base):
    """A request on the records page, until the worker answers it (signing.domain.
    own_records): the page only writes this, whatever the address, so that its answer
    takes the same time for a signer's address and for any other; the worker looks the
    address up, queues the email if it is a signer's, and deletes the row."""

    __tablename__ = "records_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    address: Mapped[str] = mapped_column(String(320))
    ip: Mapped[str | None] = mapped_column(String(64))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ApiKey(Base):
    """A caller of the HTTP API. Only the SHA-256 of the key is kept; the prefix (its first
    characters) names it to people in listings and audit trails."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    prefix: Mapped[str] = mapped_column(String(20), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # An HR team: hr keys of one team share the plans each of them sends.
    team: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class PersonRow(Base):
    """Someone who signs in to the console (signing.domain.people): HR, managers, records
    staff and admins. Never deleted (trails name them): disabled instead."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Unique, never changed: the actor trails and owners name them by (``person:<username>``).
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[str] = mapped_column(String(20))
    team: Mapped[str | None] = mapped_column(String(200))
    # An argon2 hash (argon2-cffi); None for someone who signs in only by single sign-on.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # The TOTP second factor's secret (pyotp, base32), once confirmed; None without one.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last TOTP time step accepted: a code is never taken twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Single sign-on: the provider's issuer and subject, as first seen.
    oidc_issuer: Mapped[str | None] = mapped_column(String(500))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(String(20))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject"),)


class ConsoleSessionRow(Base):
    """A signed-in browser: the cookie holds a random token, the table its SHA-256, so a
    copy of the table opens no session. Ended at sign-out, at its idle or absolute limit,
    or when the person is disabled."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # How the person signed in: "password", "password+totp", "oidc".
    method: Mapped[str] = mapped_column(String(20))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(Text)


class DraftRow(Base):
    """A plan being written in the console, before it is an envelope: draft, submitted
    (awaiting HR's approval), returned (with HR's comments), sent (``envelope_id``), or
    discarded. ``version`` counts saves, so that two editors never overwrite each other."""

    __tablename__ = "plan_drafts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    team: Mapped[str | None] = mapped_column(String(200), index=True)
    plan_data: Mapped[dict[str, Any]] = mapped_column(JSON)
    template: Mapped[str | None] = mapped_column(String(200))
    employee_name: Mapped[str] = mapped_column(String(200), default="")
    employee_search: Mapped[str] = mapped_column(String(200), index=True, default="")
    department: Mapped[str] = mapped_column(String(200), default="")
    manager_name: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    review_comment: Mapped[str | None] = mapped_column(Text)
    envelope_id: Mapped[str | None] = mapped_column(ForeignKey("envelopes.id"))


class CaseRow(Base):
    """A sent plan's case (signing.domain.cases): opened when the plan is first acted on
    after sending; its end moves with each extension; closed with an outcome."""

    __tablename__ = "cases"

    envelope_id: Mapped[str] = mapped_column(ForeignKey("envelopes.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date, index=True)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(20), index=True)
    closed_reason: Mapped[str | None] = mapped_column(Text)
    closed_by: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The outcome proposed with evidence per goal (signing.domain.cases.outcome), and
    # where it stands: proposed, returned, approved; the outcome letter's envelope.
    proposal: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    proposal_state: Mapped[str | None] = mapped_column(String(20))
    letter_envelope_id: Mapped[str | None] = mapped_column(String(36))


class CheckinRow(Base):
    """One check-in meeting's record, written once (a correction is a comment beside
    it); one per meeting of a case, which the unique key holds against two managers
    recording the same meeting at once."""

    __tablename__ = "case_checkins"
    __table_args__ = (UniqueConstraint("envelope_id", "meeting"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    envelope_id: Mapped[str] = mapped_column(ForeignKey("cases.envelope_id"), index=True)
    meeting: Mapped[int] = mapped_column(Integer)
    scheduled_for: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    held_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    missed_reason: Mapped[str | None] = mapped_column(Text)
    attendees: Mapped[list[str]] = mapped_column(JSON)
    # Per goal: {"goal": 1, "status": "at_risk", "value": 78.0, "note": "..."}.
    goals: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    notes: Mapped[str] = mapped_column(Text)
    support_given: Mapped[str] = mapped_column(Text)
    next_steps: Mapped[str] = mapped_column(Text)
    employee_view: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The employee's receipt of this record (not agreement), or that none came in time.
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    answer_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    unanswered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ExtensionRow(Base):
    """One extension of a plan's case (signing.domain.case_extension): ``number`` is its
    amendment's; the amended plan's envelope, and when its record was archived."""

    __tablename__ = "case_extensions"
    __table_args__ = (UniqueConstraint("envelope_id", "number",
                                       name="uq_case_extensions_number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    envelope_id: Mapped[str] = mapped_column(ForeignKey("cases.envelope_id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    new_end: Mapped[dt.date] = mapped_column(Date)
    # The check-ins' cadence from this extension on, when HR changed it.
    cadence: Mapped[str | None] = mapped_column(String(20))
    # Each adjusted goal: {"goal": 2, "target": "90%", ...} (the fields that changed).
    amended_goals: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    extended_by: Mapped[str] = mapped_column(String(200))
    extended_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    amendment_envelope_id: Mapped[str | None] = mapped_column(String(36))
    amendment_archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class CheckinRecordFile(Base):
    """One sealed PDF of a check-in record as the employee received and answered it
    (signing.domain.checkin_record_task), kept in the archive's blob store. Written once:
    the employee's later answer (a comment after the acknowledgement, an answer after
    the window closed) adds a version and leaves the earlier ones as they were, so what
    was once served never changes. No foreign keys: it is erased with its envelope
    (signing.domain.erasure), whichever of the two goes first."""

    __tablename__ = "checkin_record_files"
    __table_args__ = (UniqueConstraint("checkin_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    checkin_id: Mapped[str] = mapped_column(String(36), index=True)
    envelope_id: Mapped[str] = mapped_column(String(36), index=True)
    meeting: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))  # the sealed PDF's, its blob's key
    # SHA-256 of the check-in record's data as the PDF attaches it (checkin-record.json),
    # computed as the case file's certificate computes a check-in record's.
    record_sha256: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(String(20))  # acknowledged | no_answer | pending
    made_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
