"""Alembic migrations for every plansign table (run them with :func:`signing.migrate.upgrade`)."""
