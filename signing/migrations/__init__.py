"""Bringing a database to the newest schema with the Alembic migrations in this package."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from docgen.resources import package_path

MIGRATIONS = package_path("signing", "migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration not yet applied; safe to run at every start."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
