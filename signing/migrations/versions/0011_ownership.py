"""Who owns what: an envelope belongs to the key that sent it (``owner``) and, when that
key belongs to an HR team, to the team (``team``); archived records keep the team; API
keys may name a team; a webhook endpoint belongs to whoever made it, and only an admin's
endpoint (or one made on the command line) may see every plan (``sees_all``).

Envelopes sent before this take their sender as owner. Endpoints made before it by an
``hr`` key are limited to that key's plans from now on, and what was still waiting to
be delivered to them about other plans is not delivered (it fails, saying why); every
other endpoint (made by an admin key or on the command line) keeps seeing every plan.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ENVELOPES = sa.table("envelopes", sa.column("owner", sa.String),
                     sa.column("created_by", sa.String))
ENDPOINTS = sa.table("webhook_endpoints", sa.column("id", sa.String),
                     sa.column("created_by", sa.String), sa.column("sees_all", sa.Boolean))
MESSAGES = sa.table("webhook_messages", sa.column("endpoint_id", sa.String),
                    sa.column("ordering_key", sa.String),
                    sa.column("next_attempt_at", sa.DateTime),
                    sa.column("delivered_at", sa.DateTime), sa.column("failed_at", sa.DateTime),
                    sa.column("created_at", sa.DateTime), sa.column("last_error", sa.String))
OWNED = sa.table("envelopes", sa.column("id", sa.String), sa.column("owner", sa.String))
KEYS = sa.table("api_keys", sa.column("prefix", sa.String), sa.column("role", sa.String))


# Columns are added and dropped in place (SQLite 3.35 and later drop them natively): a
# batch copy of a table would trip over the triggers of migration 0009 that name it.


def upgrade() -> None:
    op.add_column("api_keys", sa.Column("team", sa.String(200), nullable=True))
    op.add_column("envelopes", sa.Column("owner", sa.String(200), nullable=False,
                                         server_default=""))
    op.add_column("envelopes", sa.Column("team", sa.String(200), nullable=True))
    op.execute(ENVELOPES.update().values(owner=ENVELOPES.c.created_by))
    op.create_index("ix_envelopes_owner", "envelopes", ["owner"])
    op.create_index("ix_envelopes_team", "envelopes", ["team"])
    op.add_column("archive_records", sa.Column("team", sa.String(200), nullable=True))
    op.create_index("ix_archive_records_team", "archive_records", ["team"])
    op.add_column("webhook_endpoints", sa.Column("owner_team", sa.String(200), nullable=True))
    op.add_column("webhook_endpoints", sa.Column("sees_all", sa.Boolean(), nullable=False,
                                                 server_default=sa.false()))
    hr_prefixes = sa.select(sa.literal("apikey:") + KEYS.c.prefix).where(KEYS.c.role == "hr")
    op.execute(ENDPOINTS.update().where(ENDPOINTS.c.created_by.not_in(hr_prefixes))
               .values(sees_all=True))
    limited = sa.select(ENDPOINTS.c.id).where(ENDPOINTS.c.sees_all.is_(False))
    theirs = sa.select(OWNED.c.id).join(ENDPOINTS, ENDPOINTS.c.created_by == OWNED.c.owner).where(
        ENDPOINTS.c.id == MESSAGES.c.endpoint_id)
    op.execute(MESSAGES.update()
               .where(MESSAGES.c.endpoint_id.in_(limited), MESSAGES.c.delivered_at.is_(None),
                      MESSAGES.c.failed_at.is_(None), MESSAGES.c.ordering_key.not_in(theirs))
               .values(failed_at=MESSAGES.c.created_at, next_attempt_at=None,
                       last_error="not delivered: the endpoint's owner may not see this plan "
                                  "(migration 0011)"))


def downgrade() -> None:
    op.drop_column("webhook_endpoints", "sees_all")
    op.drop_column("webhook_endpoints", "owner_team")
    op.drop_index("ix_archive_records_team", "archive_records")
    op.drop_column("archive_records", "team")
    op.drop_index("ix_envelopes_team", "envelopes")
    op.drop_index("ix_envelopes_owner", "envelopes")
    op.drop_column("envelopes", "team")
    op.drop_column("envelopes", "owner")
    op.drop_column("api_keys", "team")
