"""The console's plans list reads its columns from an index, not from the envelopes' rows.

An envelope's row holds its plan as JSON, a few kilobytes that SQLite keeps in overflow
pages in front of the list's columns (added after it, in 0015): searching 10,000
envelopes by name read each row's overflow chain to reach ``employee_search``. This
index holds every column the list filters, sorts and shows, led by the HR team (the
access rules' usual condition), so SQLite answers the team's list from the index alone
(a search for part of a name: 38 ms to 12 ms at 10,000 envelopes, bench_console_plans.py).
PostgreSQL keeps the JSON out of line (TOAST) and gains less; the index costs it little.

Numbered 0017 to stay clear of 0016, which another change of issue 16 may take; it
revises 0015, and is renumbered at merge if need be.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

COLUMNS = ["team", "created_at", "state", "expires_at", "employee_search", "employee_name",
           "department", "manager_name", "owner", "drafted_by", "id"]


def upgrade() -> None:
    op.create_index("ix_envelopes_listing", "envelopes", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_envelopes_listing", table_name="envelopes")
