"""Archive search: one index on (lower(department), outcome) in place of the one on
lower(department), so that a search by department and outcome counts and finds its
matches from the index alone instead of reading every row of the department (on SQLite,
which uses one index per table, 8,000 rows at 100,000 records). Its first column still
serves a search by department alone.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_archive_records_department_lower_outcome", "archive_records",
                    [sa.text("lower(department)"), "outcome"])
    op.drop_index("ix_archive_records_department_lower", "archive_records")


def downgrade() -> None:
    op.create_index("ix_archive_records_department_lower", "archive_records",
                    [sa.text("lower(department)")])
    op.drop_index("ix_archive_records_department_lower_outcome", "archive_records")
