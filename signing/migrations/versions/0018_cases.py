"""Cases: the plan after its signature (issue 17): each sent plan's case, and its
check-in records.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from database import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("envelope_id", sa.String(36), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("closed_reason", sa.Text(), nullable=True),
        sa.Column("closed_by", sa.String(200), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["envelope_id"], ["envelopes.id"],
                                name=op.f("fk_cases_envelope_id_envelopes")),
        sa.PrimaryKeyConstraint("envelope_id", name=op.f("pk_cases")),
    )
    for column in ("state", "end", "outcome"):
        op.create_index(f"ix_cases_{column}", "cases", [column])
    op.create_table(
        "case_checkins",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("envelope_id", sa.String(36), nullable=False),
        sa.Column("meeting", sa.Integer(), nullable=False),
        sa.Column("scheduled_for", UTCDateTime(), nullable=False),
        sa.Column("held_at", UTCDateTime(), nullable=True),
        sa.Column("missed_reason", sa.Text(), nullable=True),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("support_given", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=False),
        sa.Column("employee_view", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("answer_due_at", UTCDateTime(), nullable=True),
        sa.Column("unanswered_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["envelope_id"], ["cases.envelope_id"],
                                name=op.f("fk_case_checkins_envelope_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_checkins")),
        sa.UniqueConstraint("envelope_id", "meeting", name=op.f("uq_case_checkins_envelope_id")),
    )
    op.create_index("ix_case_checkins_envelope_id", "case_checkins", ["envelope_id"])
    op.create_index("ix_case_checkins_answer_due_at", "case_checkins", ["answer_due_at"])


def downgrade() -> None:
    op.drop_index("ix_case_checkins_answer_due_at", "case_checkins")
    op.drop_index("ix_case_checkins_envelope_id", "case_checkins")
    op.drop_table("case_checkins")
    for column in ("state", "end", "outcome"):
        op.drop_index(f"ix_cases_{column}", "cases")
    op.drop_table("cases")
