"""Archive timestamps: every final PDF an archived record has had, and its seal's level
and last timestamp on the record, so that the timestamp refresh finds the records due
without reading every PDF. Records archived before this are read by its first run
(``seal_level`` NULL).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from database import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place, as in 0015: a batch copy would trip over 0009's triggers.
    op.add_column("archive_records", sa.Column("seal_level", sa.String(8), nullable=True))
    op.add_column("archive_records", sa.Column("stamp_expires_at", UTCDateTime(),
                                               nullable=True))
    op.add_column("archive_records", sa.Column("stamp_digest", sa.String(20), nullable=True))
    op.create_index("ix_archive_records_stamp_expires_at", "archive_records",
                    ["stamp_expires_at"])
    op.create_table(
        "archive_record_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("envelope_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("made_at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_record_versions")),
        sa.UniqueConstraint("envelope_id", "version",
                            name=op.f("uq_archive_record_versions_envelope_id")),
    )
    op.create_index("ix_archive_record_versions_envelope_id", "archive_record_versions",
                    ["envelope_id"])
    op.create_index("ix_archive_record_versions_sha256", "archive_record_versions",
                    ["sha256"])


def downgrade() -> None:
    for column in ("sha256", "envelope_id"):
        op.drop_index(f"ix_archive_record_versions_{column}", "archive_record_versions")
    op.drop_table("archive_record_versions")
    op.drop_index("ix_archive_records_stamp_expires_at", "archive_records")
    for column in ("stamp_digest", "stamp_expires_at", "seal_level"):
        op.drop_column("archive_records", column)
