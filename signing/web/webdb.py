"""The database for the web app: one engine per app; per request, one session that only
reads (or, for the signer's pages, a connection for reading with Core statements), and
short write transactions on their own sessions.

Reading and writing apart matters on SQLite: a write transaction holds the database's
one write lock, so a request that wrote through its reading session would keep every
other signer waiting while its page renders.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from database import statement_reader
from signing.web.current import services, services_of

_STATEMENT_READER = "plansign.statement_reader"


def init_app(app: Flask) -> None:
    # The database, migrated, before the first request.
    app.extensions[_STATEMENT_READER] = statement_reader(services_of(app).engine)
    app.teardown_appcontext(_close)


def session() -> Session:
    """This request's session, for reading."""
    if "db" not in g:
        g.db = services().readers()
    db: Session = g.db
    return db


@contextlib.contextmanager
def reading() -> Iterator[Connection]:
    """One read-only transaction for Core statements, ended (and its connection back in
    the pool) when the block ends: read all a response needs in one block, then write
    and render after it, so that no snapshot is held meanwhile (see
    :func:`release_snapshot`). Cheaper than :func:`session` by the ORM's bookkeeping."""
    with services().read_engine.connect() as connection:
        yield connection


@contextlib.contextmanager
def statement_reads() -> Iterator[Connection]:
    """As :func:`reading`, for reads whose every statement stands alone (SELECTs only):
    each is a consistent view of its own, but two need not agree, for on PostgreSQL
    they run in autocommit, with no ``BEGIN`` and no ``ROLLBACK``: one round trip each
    where a read-only transaction adds two (:func:`database.statement_reader`). What
    must agree is read in one statement (signing.web.pagedata)."""
    engine: Engine = current_app.extensions[_STATEMENT_READER]
    with engine.connect() as connection:
        yield connection


@contextlib.contextmanager
def transaction() -> Iterator[Session]:
    """A write transaction: committed when the block ends, rolled back on any error, so
    state, audit events and outbox rows land together or not at all."""
    with services().sessions.begin() as db:
        yield db


def release_snapshot() -> None:
    """End this request's read transaction now, keeping the rows it loaded (sessions here
    do not expire them on commit); a later read begins a new one.

    On SQLite a reader's snapshot stops checkpoints from copying newer pages back into
    the database, and the WAL can only start over once none is left behind. Requests
    that keep theirs while they write and render, one overlapping the next under load,
    made the WAL grow for as long as the load lasted (to 50 MB in one run of the load
    test), and every read and commit slower with it.
    """
    db = g.get("db")
    if db is not None:
        db.commit()


def _close(_exc: BaseException | None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()
