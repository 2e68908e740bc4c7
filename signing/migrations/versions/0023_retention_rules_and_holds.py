"""Retention rules and legal holds over a department or a manager: each record's
jurisdiction and the retention rule that applied to it, and the holds, kept with who
placed and released each and why. Records archived before keep NULL (their period was
retention_years then).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from database import UTCDateTime

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place, as in 0015 and 0017: a batch copy would trip over 0009's triggers.
    op.add_column("archive_records", sa.Column("jurisdiction", sa.String(100), nullable=True))
    op.add_column("archive_records", sa.Column("retention_rule", sa.Text(), nullable=True))
    op.create_table(
        "archive_legal_holds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("value_folded", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(200), nullable=False),
        sa.Column("placed_at", UTCDateTime(), nullable=False),
        sa.Column("released_at", UTCDateTime(), nullable=True),
        sa.Column("released_by", sa.String(200), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_legal_holds")),
    )
    for column in ("value_folded", "released_at"):
        op.create_index(f"ix_archive_legal_holds_{column}", "archive_legal_holds", [column])


def downgrade() -> None:
    for column in ("released_at", "value_folded"):
        op.drop_index(f"ix_archive_legal_holds_{column}", "archive_legal_holds")
    op.drop_table("archive_legal_holds")
    for column in ("retention_rule", "jurisdiction"):
        op.drop_column("archive_records", column)
