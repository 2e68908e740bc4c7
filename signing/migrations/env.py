"""Alembic's environment: runs on the connection :func:`signing.migrations.upgrade` passes."""

from alembic import context

from archive import models as archive_models  # noqa: F401  - registers the archive's tables
from database import Base
from signing.domain import models  # noqa: F401  - registers the signing tables on Base.metadata
from webhooks import models as webhook_models  # noqa: F401  - and the webhooks' tables
from webhooks import sendgrid_events  # noqa: F401  - registers the provider events table

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
