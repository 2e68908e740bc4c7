"""A person's own records (issue 19): revocations of the links to their copies, requests
on the records page until the worker answers them, and signers found by their address in
any case.

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from database import UTCDateTime

revision = "0022"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_link_revocations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("signer_id", sa.String(36), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_by", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_link_revocations")),
    )
    op.create_index("ix_record_link_revocations_record_id", "record_link_revocations",
                    ["record_id"])
    op.create_table(
        "records_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records_requests")),
    )
    op.create_index("ix_signers_email_lower", "signers", [sa.text("lower(email)")])


def downgrade() -> None:
    op.drop_index("ix_signers_email_lower", table_name="signers")
    op.drop_table("records_requests")
    op.drop_index("ix_record_link_revocations_record_id",
                  table_name="record_link_revocations")
    op.drop_table("record_link_revocations")
