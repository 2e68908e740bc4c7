"""The archive's index, and the envelope's final (stamped and sealed) document.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from database import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXED = ("plan_id", "employee_name_folded", "employee_id", "manager_name", "department",
           "outcome", "sent_at", "completed_at")


def upgrade() -> None:
    op.create_table(
        "archive_records",
        sa.Column("envelope_id", sa.String(36), nullable=False),
        sa.Column("plan_id", sa.String(100), nullable=False),
        sa.Column("employee_name", sa.String(200), nullable=False),
        sa.Column("employee_name_folded", sa.String(200), nullable=False),
        sa.Column("employee_id", sa.String(100), nullable=True),
        sa.Column("manager_name", sa.String(200), nullable=False),
        sa.Column("department", sa.String(200), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=False),
        sa.Column("archived_at", UTCDateTime(), nullable=False),
        sa.Column("original_sha256", sa.String(64), nullable=False),
        sa.Column("final_sha256", sa.String(64), nullable=False),
        sa.Column("plan_sha256", sa.String(64), nullable=False),
        sa.Column("audit_sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("envelope_id", name="pk_archive_records"),
    )
    for column in INDEXED:
        op.create_index(f"ix_archive_records_{column}", "archive_records", [column])
    with op.batch_alter_table("envelopes") as batch:
        batch.add_column(sa.Column("final_sha256", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("envelopes") as batch:
        batch.drop_column("final_sha256")
    op.drop_table("archive_records")
