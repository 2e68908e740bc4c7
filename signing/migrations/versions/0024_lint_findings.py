"""What the consistency report across plans (issue 17) reads of each envelope, copied
from its plan so that the report never reads the plan's JSON (``plan_data``, a few
kilobytes a row, which the databases would parse for every plan): the plan's own end
date (before any extension), its check-in schedule (the plan's ``checkins``), and how
many lint findings it had when it was sent. Envelopes made before this take the first
two from their plan data here; their lint findings were not counted (NULL), and the
report leaves them out of that figure.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

ENVELOPES = sa.table("envelopes", sa.column("id", sa.String), sa.column("plan_data", sa.JSON),
                     sa.column("planned_end", sa.Date),
                     sa.column("checkin_schedule", sa.JSON))


def columns(plan: Any) -> dict[str, Any]:
    """The plan's end (its ``end``, or ``start`` plus ``length_days``: docgen's rule as
    it stands at this revision) and schedule; a damaged plan gives NULLs rather than a
    failed migration."""
    plan = plan if isinstance(plan, dict) else {}
    timeline = plan.get("timeline") if isinstance(plan.get("timeline"), dict) else {}
    schedule = plan.get("checkins") if isinstance(plan.get("checkins"), dict) else None
    try:
        end = (dt.date.fromisoformat(timeline["end"]) if timeline.get("end") else
               dt.date.fromisoformat(timeline["start"])
               + dt.timedelta(days=int(timeline["length_days"])))
    except (KeyError, TypeError, ValueError, OverflowError):
        end = None
    return {"planned_end": end, "checkin_schedule": schedule}


def upgrade() -> None:
    # Added in place, as in 0015: a batch copy of envelopes would trip over 0009's triggers.
    op.add_column("envelopes", sa.Column("lint_findings", sa.Integer(), nullable=True))
    op.add_column("envelopes", sa.Column("planned_end", sa.Date(), nullable=True))
    op.add_column("envelopes", sa.Column("checkin_schedule", sa.JSON(), nullable=True))
    connection = op.get_bind()
    for row in connection.execute(sa.select(ENVELOPES.c.id, ENVELOPES.c.plan_data)):
        connection.execute(ENVELOPES.update().where(ENVELOPES.c.id == row.id)
                           .values(**columns(row.plan_data)))


def downgrade() -> None:
    for column in ("checkin_schedule", "planned_end", "lint_findings"):
        op.drop_column("envelopes", column)
