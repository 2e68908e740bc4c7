"""The database for the web app: one engine per app, one session per request."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from config import Settings
from database import make_session_factory
from signing import instance


def init_app(app: Flask, settings: Settings) -> None:
    engine = instance.database_engine(settings)
    app.extensions["plansign.sessions"] = make_session_factory(engine)
    app.teardown_appcontext(_close)


def session() -> Session:
    """This request's session; the view decides when to commit."""
    if "db" not in g:
        g.db = current_app.extensions["plansign.sessions"]()
    return g.db


def _close(_exc: BaseException | None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()
