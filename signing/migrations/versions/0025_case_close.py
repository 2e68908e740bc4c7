"""The case's close (issue 17): the outcome's proposal on the case; envelopes that are
documents of a case (the outcome letter now, amended plans later) linked to it; the
case file as a document of the plan's archived record, searchable by outcome.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from database import UTCDateTime

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no table copied on SQLite). case_id has no foreign key for that
    # reason; the service writes it from the plan's own row.
    # plan | outcome_letter | amendment; every envelope so far is a plan.
    op.add_column("envelopes", sa.Column("document_kind", sa.String(20), nullable=False,
                                         server_default="plan"))
    # The plan's envelope whose case this document belongs to (None for a plan).
    op.add_column("envelopes", sa.Column("case_id", sa.String(36), nullable=True))
    op.add_column("envelopes", sa.Column("amendment_number", sa.Integer(), nullable=True))
    op.create_index("ix_envelopes_case_id", "envelopes", ["case_id"])
    op.add_column("cases", sa.Column("proposal", sa.JSON(), nullable=True))
    op.add_column("cases", sa.Column("proposal_state", sa.String(20), nullable=True))
    op.add_column("cases", sa.Column("letter_envelope_id", sa.String(36), nullable=True))
    op.add_column("archive_records", sa.Column("case_file_sha256", sa.String(64),
                                               nullable=True))
    op.add_column("archive_records", sa.Column("case_outcome", sa.String(20), nullable=True))
    op.add_column("archive_records", sa.Column("case_closed_at", UTCDateTime(),
                                               nullable=True))
    op.create_index("ix_archive_records_case_outcome", "archive_records", ["case_outcome"])
    # A purged record's case file is deleted with its other blobs.
    op.add_column("archive_tombstones", sa.Column("case_file_sha256", sa.String(64),
                                                  nullable=True))


def downgrade() -> None:
    op.drop_index("ix_archive_records_case_outcome", "archive_records")
    op.drop_index("ix_envelopes_case_id", "envelopes")
    for table, columns in (("archive_tombstones", ("case_file_sha256",)),
                           ("archive_records", ("case_closed_at", "case_outcome",
                                                "case_file_sha256")),
                           ("cases", ("letter_envelope_id", "proposal_state", "proposal")),
                           ("envelopes", ("amendment_number", "case_id", "document_kind"))):
        for column in columns:
            op.drop_column(table, column)
