"""The comment window after a recorded refusal: ``envelopes.comments_until``, until when
the employee may still comment on a plan whose refusal their manager recorded for them
(the envelope does not complete before it). Existing envelopes have none.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from database import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


# Added in place, as in 0011: a batch copy of the table would trip over 0009's triggers.
def upgrade() -> None:
    op.add_column("envelopes", sa.Column("comments_until", UTCDateTime(), nullable=True))
    op.create_index("ix_envelopes_comments_until", "envelopes", ["comments_until"])


def downgrade() -> None:
    op.drop_index("ix_envelopes_comments_until", "envelopes")
    op.drop_column("envelopes", "comments_until")
