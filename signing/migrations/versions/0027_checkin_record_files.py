"""The employee's check-in records as sealed PDFs in the archive (issue 19): one row per
version of each, written once.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from database import UTCDateTime

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkin_record_files",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("checkin_id", sa.String(36), nullable=False),
        sa.Column("envelope_id", sa.String(36), nullable=False),
        sa.Column("meeting", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("record_sha256", sa.String(64), nullable=False),
        sa.Column("answer", sa.String(20), nullable=False),
        sa.Column("made_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin_record_files")),
        sa.UniqueConstraint("checkin_id", "version",
                            name=op.f("uq_checkin_record_files_checkin_id")),
    )
    op.create_index(op.f("ix_checkin_record_files_checkin_id"), "checkin_record_files",
                    ["checkin_id"])
    op.create_index(op.f("ix_checkin_record_files_envelope_id"), "checkin_record_files",
                    ["envelope_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_checkin_record_files_envelope_id"), "checkin_record_files")
    op.drop_index(op.f("ix_checkin_record_files_checkin_id"), "checkin_record_files")
    op.drop_table("checkin_record_files")
