"""Lint findings at sending (issue 17, consistency across plans): how many findings the
linter had for a plan when it was sent, on its envelope. Plans sent before this have
none (NULL), and the consistency report leaves them out of that figure.

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place, as in 0015: a batch copy of envelopes would trip over 0009's triggers.
    op.add_column("envelopes", sa.Column("lint_findings", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("envelopes", "lint_findings")
