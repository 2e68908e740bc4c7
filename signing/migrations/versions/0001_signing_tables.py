"""Signing tables: documents, envelopes, signers, audit events, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from database import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_documents"),
    )
    op.create_table(
        "envelopes",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("plan_data", sa.JSON(), nullable=False),
        sa.Column("template", sa.String(200), nullable=False),
        sa.Column("document_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["document_sha256"], ["documents.sha256"],
                                name="fk_envelopes_document_sha256_documents"),
        sa.PrimaryKeyConstraint("id", name="pk_envelopes"),
    )
    op.create_index("ix_envelopes_state", "envelopes", ["state"])
    op.create_index("ix_envelopes_expires_at", "envelopes", ["expires_at"])
    op.create_table(
        "signers",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("envelope_id", sa.String(36), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("routing_order", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("nonce", sa.String(64), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["envelope_id"], ["envelopes.id"],
                                name="fk_signers_envelope_id_envelopes"),
        sa.PrimaryKeyConstraint("id", name="pk_signers"),
    )
    op.create_index("ix_signers_envelope_id", "signers", ["envelope_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("envelope_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(50), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.Column("document_sha256", sa.String(64), nullable=True),
        sa.Column("signer_id", sa.String(36), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["envelope_id"], ["envelopes.id"],
                                name="fk_audit_events_envelope_id_envelopes"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
        sa.UniqueConstraint("envelope_id", "seq", name="uq_audit_events_envelope_id"),
    )
    op.create_index("ix_audit_events_envelope_id", "audit_events", ["envelope_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dedupe_key", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("envelope_id", sa.String(36), nullable=False),
        sa.Column("signer_id", sa.String(36), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("failed_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("provider_message_id", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(["envelope_id"], ["envelopes.id"],
                                name="fk_outbox_envelope_id_envelopes"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
    )
    op.create_index("ix_outbox_envelope_id", "outbox", ["envelope_id"])
    op.create_index("ix_outbox_due", "outbox", ["sent_at", "next_attempt_at"])


def downgrade() -> None:
    for table in ("outbox", "audit_events", "signers", "envelopes", "documents"):
        op.drop_table(table)
