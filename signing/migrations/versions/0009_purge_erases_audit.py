"""A purged record's audit events may be deleted, and only a purged record's: the
append-only guard of 0007 lets a DELETE through for an envelope with an archive
tombstone, so that purging at the end of the retention period erases the signing
database's copy too. Updates stay refused, and so does deleting any other event.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

MESSAGE = "audit events are append-only: they are never updated or deleted"
# Purged: a tombstone, and no archived record left (a tombstone alone, written by
# mistake or by hand for a record still kept, unlocks nothing).
PURGED = ("SELECT 1 FROM archive_tombstones WHERE envelope_id = OLD.envelope_id AND NOT "
          "EXISTS (SELECT 1 FROM archive_records WHERE envelope_id = OLD.envelope_id)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Nested: a TRUNCATE (statement-level) has no OLD row to look at.
        _postgresql_guard(f"""
            IF TG_OP = 'DELETE' THEN
                IF EXISTS ({PURGED}) THEN
                    RETURN OLD;
                END IF;
            END IF;""")
        return
    op.execute("DROP TRIGGER audit_events_no_delete")
    op.execute(f"""
        CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        WHEN NOT EXISTS ({PURGED})
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_guard("")
        return
    op.execute("DROP TRIGGER audit_events_no_delete")
    op.execute(f"""
        CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def _postgresql_guard(exception: str) -> None:
    op.execute(f"""
        CREATE OR REPLACE FUNCTION plansign_audit_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN{exception}
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
        END
        $$""")
