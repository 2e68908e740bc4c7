"""The case's extensions (issue 17): one row per extension of a plan's case, with its
number (the amendment's), the days it added, HR's reason, the goals it adjusted, the
cadence from then on if HR changed it, who extended it and when, and the amended plan's
envelope and when its record was archived.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from database import UTCDateTime

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_extensions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("envelope_id", sa.String(36), sa.ForeignKey("cases.envelope_id"),
                  nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("new_end", sa.Date(), nullable=False),
        sa.Column("cadence", sa.String(20), nullable=True),
        sa.Column("amended_goals", sa.JSON(), nullable=False),
        sa.Column("extended_by", sa.String(200), nullable=False),
        sa.Column("extended_at", UTCDateTime(), nullable=False),
        sa.Column("amendment_envelope_id", sa.String(36), nullable=True),
        sa.Column("amendment_archived_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("envelope_id", "number", name="uq_case_extensions_number"),
    )
    op.create_index("ix_case_extensions_envelope_id", "case_extensions", ["envelope_id"])


def downgrade() -> None:
    op.drop_index("ix_case_extensions_envelope_id", "case_extensions")
    op.drop_table("case_extensions")
