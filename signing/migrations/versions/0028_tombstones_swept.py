"""A purged record's tombstone says when its blobs were deleted, so that a purge's sweep
looks only at the tombstones not yet swept instead of every one there has ever been.
Existing tombstones start unswept: the first purge after this checks their blobs once
more, as every purge did until now, and marks them.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from database import UTCDateTime

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("archive_tombstones", sa.Column("blobs_swept_at", UTCDateTime(),
                                                  nullable=True))
    op.create_index("ix_archive_tombstones_blobs_swept_at", "archive_tombstones",
                    ["blobs_swept_at"])


def downgrade() -> None:
    op.drop_index("ix_archive_tombstones_blobs_swept_at", "archive_tombstones")
    op.drop_column("archive_tombstones", "blobs_swept_at")
