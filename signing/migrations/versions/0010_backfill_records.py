"""Records archived before migration 0006 get what it added: the folded manager name that
search compares, and who sent the plan (the envelope's sender), so that they are found
by a manager search and readable by the HR key that sent them. Their retention date is
left empty, which keeps them until someone purges them by hand: the period in force
when they were archived is not known here, and a records store errs on keeping.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from archive.records import fold

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

RECORDS = sa.table("archive_records", sa.column("envelope_id", sa.String),
                   sa.column("manager_name", sa.String),
                   sa.column("manager_name_folded", sa.String), sa.column("sent_by", sa.String))
ENVELOPES = sa.table("envelopes", sa.column("id", sa.String),
                     sa.column("created_by", sa.String))


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(RECORDS.c.envelope_id, RECORDS.c.manager_name,
                                  RECORDS.c.sent_by, ENVELOPES.c.created_by)
                        .outerjoin(ENVELOPES, ENVELOPES.c.id == RECORDS.c.envelope_id)
                        .where(sa.or_(RECORDS.c.manager_name_folded == "",
                                      RECORDS.c.sent_by == ""))).all()
    for row in rows:
        bind.execute(sa.update(RECORDS).where(RECORDS.c.envelope_id == row.envelope_id)
                     .values(manager_name_folded=fold(row.manager_name),
                             sent_by=row.sent_by or row.created_by or ""))


def downgrade() -> None:
    pass  # the values filled in are correct under 0006 as well; nothing to undo
