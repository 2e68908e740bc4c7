"""The Alembic migrations, on the selected database (``--db``): they build the schema the
models describe, from nothing and from the first revision, and each step can be undone
and done again."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from archive import models as archive_models  # noqa: F401  - every table the migrations
from database import Base, UTCDateTime, make_engine
from signing.domain import models as signing_models  # noqa: F401  - build, on Base.metadata
from signing.domain.models import EnvelopeRow
from signing.migrations import alembic_config, upgrade
from webhooks import models as webhook_models  # noqa: F401

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
REVISIONS = [s.revision for s in
             reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))]


# The case-blind department index is on an expression, which SQLAlchemy cannot reflect
# on every database; comparing skips it (it is created by migration 0005 all the same).
pytestmark = pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index",
    "ignore:Skipped unsupported reflection of expression-based index")


@pytest.fixture
def engine(empty_database_url):
    engine = make_engine(empty_database_url)
    yield engine
    engine.dispose()


def current_revision(engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def differences(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": _compared})
        return compare_metadata(context, Base.metadata)


def _compared(name: str | None, kind: str, _parents: dict) -> bool:
    # The trigram indexes exist only where PostgreSQL's pg_trgm could be installed (see
    # migration 0005); the models cannot say "if available", so they are left out here.
    return not (kind == "index" and name is not None and name.endswith("_trgm"))


def downgrade(engine, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_the_revisions_form_one_line_from_0001():
    script = ScriptDirectory.from_config(alembic_config())
    assert REVISIONS[0] == "0001"
    assert script.get_heads() == [REVISIONS[-1]]


def test_an_empty_database_upgrades_to_exactly_the_models(engine):
    assert inspect(engine).get_table_names() == []
    upgrade(engine)
    assert current_revision(engine) == REVISIONS[-1]
    assert differences(engine) == []
    upgrade(engine)  # again: nothing to do
    assert current_revision(engine) == REVISIONS[-1]


def insert_envelope(connection, *, state: str, plan: str, created_by: str) -> None:
    """An envelope 'env-1' and its PDF, as any revision since 0001 holds them."""
    connection.execute(
        text("INSERT INTO documents (sha256, content_type, size, content, created_at) "
             "VALUES (:sha, 'application/pdf', 3, :content, :at)"),
        {"sha": "a" * 64, "content": b"PDF", "at": NOW})
    connection.execute(
        text("INSERT INTO envelopes (id, state, plan_data, template, document_sha256, "
             "created_at, created_by) VALUES ('env-1', :state, :plan, 'standard', :sha, "
             ":at, :by)"),
        {"state": state, "plan": plan, "sha": "a" * 64, "at": NOW, "by": created_by})


def test_a_database_at_0001_with_data_upgrades_and_keeps_it(engine):
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as connection:
        insert_envelope(connection, state="sent", created_by="hr:riley",
                        plan='{"plan_id": "P-1", "employee": {"name": "Léa"}}')
    upgrade(engine)
    assert current_revision(engine) == REVISIONS[-1]
    assert differences(engine) == []
    with Session(engine) as session:
        row = session.get_one(EnvelopeRow, "env-1")
        assert row.state == "sent" and row.created_at == NOW
        assert row.plan_data == {"plan_id": "P-1", "employee": {"name": "Léa"}}


def test_every_step_can_be_undone_and_done_again(engine):
    previous = "base"
    for revision in REVISIONS:
        upgrade(engine, revision)
        downgrade(engine, previous)
        assert current_revision(engine) == (None if previous == "base" else previous)
        upgrade(engine, revision)
        previous = revision
    assert differences(engine) == []
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}


def test_records_archived_before_0006_are_found_by_manager_and_sender(engine):
    upgrade(engine, "0005")
    with engine.begin() as connection:
        insert_envelope(connection, state="archived", plan="{}",
                        created_by="apikey:psk_abcd1234")
        connection.execute(
            text("INSERT INTO archive_records (envelope_id, plan_id, employee_name, "
                 "employee_name_folded, manager_name, outcome, sent_at, completed_at, "
                 "archived_at, original_sha256, final_sha256, plan_sha256, audit_sha256) "
                 "VALUES ('env-1', 'P-1', 'Léa', 'lea', 'Jürg Baumann', 'acknowledged', "
                 ":at, :at, :at, :sha, :sha, :sha, :sha)"), {"sha": "a" * 64, "at": NOW})
    upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(text(
            "SELECT manager_name_folded, sent_by, retain_until FROM archive_records")).one()
    assert row.manager_name_folded == "jurg baumann"
    assert row.sent_by == "apikey:psk_abcd1234"
    assert row.retain_until is None  # kept until purged by hand: the period then is unknown


def test_0011_gives_envelopes_their_sender_as_owner_and_limits_hr_endpoints(engine):
    upgrade(engine, "0010")
    with engine.begin() as connection:
        insert_envelope(connection, state="sent", plan="{}", created_by="apikey:psk_hr000001")
        connection.execute(text(
            "INSERT INTO api_keys (name, role, prefix, key_hash, created_at) VALUES "
            "('HR desk', 'hr', 'psk_hr000001', :h1, :at), "
            "('Admin', 'admin', 'psk_ad000001', :h2, :at)"),
            {"h1": "1" * 64, "h2": "2" * 64, "at": NOW})
        for endpoint_id, creator in (("ep_hr", "apikey:psk_hr000001"),
                                     ("ep_admin", "apikey:psk_ad000001"),
                                     ("ep_cli", "cli:riley")):
            connection.execute(text(
                "INSERT INTO webhook_endpoints (id, url, event_types, scope, secret, "
                "created_at, created_by) VALUES (:id, 'https://h.example.com', '[]', 'all', "
                "'whsec_x', :at, :by)"), {"id": endpoint_id, "at": NOW, "by": creator})
        # Waiting for the HR key's endpoint: a message about its own plan, and one about
        # a plan of someone else's, which it may no longer see.
        for message_id, about in (("msg_own", "env-1"), ("msg_other", "env-other")):
            connection.execute(text(
                "INSERT INTO webhook_messages (id, endpoint_id, event_key, event_type, payload, "
                "ordering_key, position, created_at, next_attempt_at, attempts, tries) VALUES "
                "(:id, 'ep_hr', :id, 'envelope.sent', '{}', :about, 1, :at, :at, 0, 0)"),
                {"id": message_id, "about": about, "at": NOW})
    upgrade(engine, "0011")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT owner, team FROM envelopes")).one() == (
            "apikey:psk_hr000001", None)
        sees_all = dict(connection.execute(text(
            "SELECT id, sees_all FROM webhook_endpoints")).all())
        messages = {row.id: row for row in connection.execute(text(
            "SELECT id, next_attempt_at, failed_at, last_error FROM webhook_messages"))}
    # The HR key's old scope-all endpoint now hears only of that key's plans.
    assert sees_all == {"ep_hr": False, "ep_admin": True, "ep_cli": True}
    assert messages["msg_own"].next_attempt_at is not None  # still to be delivered
    assert messages["msg_other"].next_attempt_at is None
    assert messages["msg_other"].failed_at is not None
    assert "may not see this plan" in messages["msg_other"].last_error


def test_0012_gives_envelopes_a_comment_window_that_existing_ones_do_not_have(engine):
    upgrade(engine, "0011")
    with engine.begin() as connection:
        insert_envelope(connection, state="sent", plan="{}", created_by="cli:riley")
    upgrade(engine, "0012")
    # The table as of 0012, not the model (which has later columns).
    envelopes = sa.table("envelopes", sa.column("id", sa.String),
                         sa.column("comments_until", UTCDateTime()))
    with engine.begin() as connection:
        # no refusal was recorded in a window before
        assert connection.scalar(sa.select(envelopes.c.comments_until)) is None
        connection.execute(envelopes.update().values(comments_until=NOW))
    with engine.connect() as connection:
        assert connection.scalar(sa.select(envelopes.c.comments_until)) == NOW
    downgrade(engine, "0011")
    assert "comments_until" not in {c["name"] for c in inspect(engine).get_columns("envelopes")}


def test_0015_copies_each_envelopes_listing_columns_from_its_plan(engine):
    upgrade(engine, "0014")
    plan = ('{"employee": {"name": "L\u00e9a Br\u00e4ndli", "department": "Support"},'
            ' "manager": {"name": "Dana Whitfield"}}')
    with engine.begin() as connection:
        insert_envelope(connection, state="sent", plan=plan, created_by="cli:riley")
    upgrade(engine, "0015")
    with Session(engine) as session:
        # Only the columns 0015 knows of: later migrations add more to the model.
        row = session.execute(sa.select(
            EnvelopeRow.employee_name, EnvelopeRow.employee_search, EnvelopeRow.department,
            EnvelopeRow.manager_name, EnvelopeRow.drafted_by)
            .where(EnvelopeRow.id == "env-1")).one()
        assert tuple(row) == ("Léa Brändli", "lea brandli", "Support", "Dana Whitfield",
                              None)
    downgrade(engine, "0014")
    assert "employee_search" not in {c["name"] for c in inspect(engine).get_columns("envelopes")}
    assert "plan_drafts" not in inspect(engine).get_table_names()
