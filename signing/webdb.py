"""The database for the web app: one engine per app; per request, one session that only
reads, and short write transactions on their own sessions.

Reading and writing apart matters on SQLite: a write transaction holds the database's
one write lock, so a request that wrote through its reading session would keep every
other signer waiting while its page renders.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from config import Settings
from database import make_session_factory
from signing import instance


def init_app(app: Flask, settings: Settings) -> None:
    engine = instance.database_engine(settings)
    app.extensions["plansign.sessions"] = make_session_factory(engine)
    app.extensions["plansign.readers"] = make_session_factory(engine, read_only=True)
    app.teardown_appcontext(_close)


def session() -> Session:
    """This request's session, for reading."""
    if "db" not in g:
        g.db = current_app.extensions["plansign.readers"]()
    return g.db


@contextlib.contextmanager
def transaction() -> Iterator[Session]:
    """A write transaction: committed when the block ends, rolled back on any error, so
    state, audit events and outbox rows land together or not at all."""
    with current_app.extensions["plansign.sessions"].begin() as db:
        yield db


def _close(_exc: BaseException | None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()
