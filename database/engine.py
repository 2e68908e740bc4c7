"""Engines and sessions: SQLite by default (a file in the instance folder), any
SQLAlchemy URL (PostgreSQL) by configuration.

Two kinds of session come from one engine. Writers (the default) begin SQLite
transactions with ``BEGIN IMMEDIATE``, so a transaction that reads a row and then
changes it cannot interleave with another writer. Readers (``read_only=True``) begin
deferred: in WAL mode they read a snapshot without taking the write lock, so pages
that only show data never queue behind, or hold up, a signer's acknowledgement. On
PostgreSQL readers are ``READ ONLY`` transactions, which refuse any write.

Writers in one process also queue on a lock of the engine's before ``BEGIN IMMEDIATE``.
SQLite's own wait for a busy database is a sleep that grows to 100 ms between tries; a
few threads retrying that way turn milliseconds of work into seconds of waiting. The
lock hands the database from one writer to the next at once, and only once the
writer's ``COMMIT`` or ``ROLLBACK`` has finished, so the next ``BEGIN IMMEDIATE`` finds
the database free; ``busy_timeout`` still covers writers in other processes.
"""

from __future__ import annotations

import threading
from typing import Any, Literal

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

READ_ONLY = "plansign_read_only"
_HOLDS_WRITE_LOCK = "plansign_holds_write_lock"


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN until the first write, which
        # lets two writers read the same row; begin explicitly, and immediately.
        writers = threading.RLock()  # re-entrant: a nested writer gets SQLite's error, not a hang
        event.listen(engine, "begin", lambda conn: _sqlite_begin(conn, writers))
        event.listen(engine, "commit", lambda conn: _sqlite_end(conn, writers, "commit"))
        event.listen(engine, "rollback", lambda conn: _sqlite_end(conn, writers, "rollback"))
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see make_engine)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(conn: Connection, writers: threading.RLock) -> None:
    if conn.get_execution_options().get(READ_ONLY, False):
        conn.exec_driver_sql("BEGIN")
        return
    writers.acquire()
    conn.info[_HOLDS_WRITE_LOCK] = True
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _release(conn, writers)
        raise


def _sqlite_end(conn: Connection, writers: threading.RLock,
                end: Literal["commit", "rollback"]) -> None:
    """End a writer's transaction now, then hand the lock on.

    SQLAlchemy fires its ``commit`` and ``rollback`` events before it ends the
    transaction. Released there, the lock let the next writer's ``BEGIN IMMEDIATE``
    run while this one was still committing; SQLite then put it to sleep in the busy
    handler (1 ms at least, nearly every time under load). So the writer ends its
    transaction here; the DBAPI's own ``commit()`` or ``rollback()`` that SQLAlchemy
    calls next finds no transaction open and does nothing.
    """
    if not conn.info.get(_HOLDS_WRITE_LOCK):
        return  # a reader: SQLAlchemy ends its transaction as usual
    try:
        if not conn.invalidated:
            getattr(conn.connection.dbapi_connection, end)()
    finally:
        _release(conn, writers)


def _release(conn: Connection, writers: threading.RLock) -> None:
    if conn.info.pop(_HOLDS_WRITE_LOCK, False):
        writers.release()


def make_session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions for writing, or with ``read_only`` for reading only (see above)."""
    if read_only:
        options = {READ_ONLY: True}
        if engine.dialect.name == "postgresql":
            options["postgresql_readonly"] = True
        engine = engine.execution_options(**options)
    return sessionmaker(engine, expire_on_commit=False)
