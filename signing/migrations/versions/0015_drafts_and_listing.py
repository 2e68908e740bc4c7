"""Plans drafted in the console, and what the plans list shows of each envelope.

Envelopes gain the columns the console's plans list filters, searches and sorts by,
copied from their plan (``plan_data`` is JSON, which neither database indexes): the
employee's name as written and as searched, the department, the manager's name, and
who drafted the plan. Envelopes made before this take them from their plan data here.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from database import UTCDateTime
from signing.domain.names import searchable

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

ENVELOPES = sa.table("envelopes", sa.column("id", sa.String), sa.column("plan_data", sa.JSON),
                     sa.column("created_by", sa.String),
                     sa.column("employee_name", sa.String),
                     sa.column("employee_search", sa.String),
                     sa.column("department", sa.String), sa.column("manager_name", sa.String))


def listing(plan: Any) -> dict[str, str]:
    """The listing columns of a stored plan (stored plans were validated: the names are
    there; a damaged one gives empty columns rather than a failed migration)."""
    plan = plan if isinstance(plan, dict) else {}
    employee = plan.get("employee") if isinstance(plan.get("employee"), dict) else {}
    manager = plan.get("manager") if isinstance(plan.get("manager"), dict) else {}
    name = str(employee.get("name") or "")[:200]
    return {"employee_name": name, "employee_search": searchable(name)[:200],
            "department": str(employee.get("department") or "")[:200],
            "manager_name": str(manager.get("name") or "")[:200]}


def upgrade() -> None:
    # Added in place, as in 0011: a batch copy of envelopes would trip over 0009's triggers.
    for column in ("employee_name", "employee_search", "department", "manager_name"):
        op.add_column("envelopes", sa.Column(column, sa.String(200), nullable=False,
                                             server_default=""))
    op.add_column("envelopes", sa.Column("drafted_by", sa.String(200), nullable=True))
    connection = op.get_bind()
    for row in connection.execute(sa.select(ENVELOPES.c.id, ENVELOPES.c.plan_data)):
        connection.execute(ENVELOPES.update().where(ENVELOPES.c.id == row.id)
                           .values(**listing(row.plan_data)))
    op.create_index("ix_envelopes_employee_search", "envelopes", ["employee_search"])
    op.create_index("ix_envelopes_department", "envelopes", ["department"])
    op.create_index("ix_envelopes_drafted_by", "envelopes", ["drafted_by"])
    op.create_table(
        "plan_drafts",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("team", sa.String(200), nullable=True),
        sa.Column("plan_data", sa.JSON(), nullable=False),
        sa.Column("template", sa.String(200), nullable=True),
        sa.Column("employee_name", sa.String(200), nullable=False),
        sa.Column("employee_search", sa.String(200), nullable=False),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("manager_name", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        sa.Column("reviewed_by", sa.String(200), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("envelope_id", sa.String(36), nullable=True),
        sa.ForeignKeyConstraint(["envelope_id"], ["envelopes.id"],
                                name=op.f("fk_plan_drafts_envelope_id_envelopes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_drafts")),
    )
    for column in ("state", "owner", "team", "employee_search", "updated_at"):
        op.create_index(f"ix_plan_drafts_{column}", "plan_drafts", [column])


def downgrade() -> None:
    for column in ("state", "owner", "team", "employee_search", "updated_at"):
        op.drop_index(f"ix_plan_drafts_{column}", "plan_drafts")
    op.drop_table("plan_drafts")
    for index in ("ix_envelopes_drafted_by", "ix_envelopes_department",
                  "ix_envelopes_employee_search"):
        op.drop_index(index, "envelopes")
    for column in ("drafted_by", "manager_name", "department", "employee_search",
                   "employee_name"):
        op.drop_column("envelopes", column)
