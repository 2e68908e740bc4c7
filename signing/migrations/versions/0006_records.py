"""Records: legal holds, retention dates, who sent each plan, the access log and
tombstones.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from database import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("archive_records") as batch:
        batch.add_column(sa.Column("manager_name_folded", sa.String(200), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("sent_by", sa.String(200), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("retain_until", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("hold_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("hold_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("hold_at", UTCDateTime(), nullable=True))
    for column in ("manager_name_folded", "sent_by", "retain_until", "final_sha256"):
        op.create_index(f"ix_archive_records_{column}", "archive_records", [column])
    op.create_index("ix_archive_records_department_lower", "archive_records",
                    [sa.text("lower(department)")])
    if op.get_bind().dialect.name == "postgresql":
        _trigram_indexes()
    op.create_table(
        "archive_access",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("envelope_id", sa.String(36), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_archive_access"),
    )
    op.create_index("ix_archive_access_at", "archive_access", ["at"])
    op.create_index("ix_archive_access_envelope_id", "archive_access", ["envelope_id"])
    op.create_table(
        "archive_tombstones",
        sa.Column("envelope_id", sa.String(36), nullable=False),
        sa.Column("plan_id", sa.String(100), nullable=False),
        sa.Column("original_sha256", sa.String(64), nullable=False),
        sa.Column("final_sha256", sa.String(64), nullable=False),
        sa.Column("plan_sha256", sa.String(64), nullable=False),
        sa.Column("audit_sha256", sa.String(64), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=False),
        sa.Column("archived_at", UTCDateTime(), nullable=False),
        sa.Column("retain_until", UTCDateTime(), nullable=True),
        sa.Column("purged_at", UTCDateTime(), nullable=False),
        sa.Column("purged_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("envelope_id", name="pk_archive_tombstones"),
    )


def _trigram_indexes() -> None:
    """On PostgreSQL, names are searched in part (``LIKE '%brandli%'``); trigram indexes
    serve that where a b-tree cannot. They need the pg_trgm extension, which a database
    owner may not be allowed to create: then searches scan, and say nothing."""
    bind = op.get_bind()
    available = bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").first()
    if available is None:
        return
    savepoint = bind.begin_nested()
    try:
        bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return
    savepoint.commit()
    for column in ("employee_name_folded", "manager_name_folded"):
        bind.exec_driver_sql(f"CREATE INDEX ix_archive_records_{column}_trgm ON "
                             f"archive_records USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    for column in ("employee_name_folded", "manager_name_folded"):
        op.execute(f"DROP INDEX IF EXISTS ix_archive_records_{column}_trgm")
    op.drop_index("ix_archive_records_department_lower", "archive_records")
    op.drop_table("archive_tombstones")
    op.drop_table("archive_access")
    for column in ("manager_name_folded", "sent_by", "retain_until", "final_sha256"):
        op.drop_index(f"ix_archive_records_{column}", "archive_records")
    with op.batch_alter_table("archive_records") as batch:
        for column in ("hold_at", "hold_by", "hold_reason", "retain_until", "sent_by",
                       "manager_name_folded"):
            batch.drop_column(column)
