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

A SQLite database file holds plans, comments and webhook secrets: it is created
owner-only (0600), as the keys are, whatever the umask, and so are its ``-wal`` and
``-shm`` companions.
"""

from __future__ import annotations

import contextlib
import os
import select
import sqlite3
import stat
import threading
import time
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import URL, Connection, Engine, create_engine, event, exc, make_url
from sqlalchemy.orm import Session, sessionmaker

READ_ONLY = "plansign_read_only"
_HOLDS_WRITE_LOCK = "plansign_holds_write_lock"


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        path = _sqlite_file(url)
        if path is not None:
            _create_owner_only(path)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        if path is not None:
            event.listen(engine, "connect", lambda *_: _companions_owner_only(path))
        # pysqlite's own transaction handling defers BEGIN until the first write, which
        # lets two writers read the same row; begin explicitly, and immediately.
        writers = threading.RLock()  # re-entrant: a nested writer gets SQLite's error, not a hang
        event.listen(engine, "begin", lambda conn: _sqlite_begin(conn, writers))
        event.listen(engine, "commit", lambda conn: _sqlite_end(conn, writers, "commit"))
        event.listen(engine, "rollback", lambda conn: _sqlite_end(conn, writers, "rollback"))
        return engine
    engine = create_engine(url, **kwargs)
    event.listen(engine, "checkout", _alive_on_checkout)
    event.listen(engine, "checkin", _server_default_read_write)
    if "isolation_level" not in kwargs:
        event.listen(engine, "checkin", _server_default_isolation)
    event.listen(engine, "checkin", _note_checkin)
    if engine.dialect.name == "postgresql":
        # Several rows inserted at once (a step's audit records, its outbox rows) go as
        # one INSERT of several rows, not psycopg's executemany of one statement per
        # row (as SQLAlchemy does for psycopg2, and for psycopg with RETURNING).
        engine.dialect.use_insertmanyvalues_wo_returning = True
    return engine


# A pooled connection is pinged ("SELECT 1") on checkout only once it has been idle this
# long; sooner, only its socket is looked at (see _alive_on_checkout).
IDLE_PING_SECONDS = 30.0
_CHECKED_IN_AT = "plansign_checked_in_at"


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[_CHECKED_IN_AT] = time.monotonic()


def _alive_on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Whether a pooled connection still has a server at its other end, checked without
    a round trip where possible (``pool_pre_ping`` made one, a ``SELECT 1``, on every
    checkout: two per signer's POST).

    An idle connection's server has nothing to say to it. A server that ends one (a
    restart, a failover, ``pg_terminate_backend``, a crash) sends a last error message,
    or at least closes the socket, so the socket becomes readable: such a connection is
    replaced at once (``DisconnectionError``: the pool connects again, and the request
    never sees it). Only a connection idle for over :data:`IDLE_PING_SECONDS`, whose
    peer may have vanished without a word (a firewall forgetting it), is pinged."""
    idle_since = record.info.get(_CHECKED_IN_AT) if record is not None else None
    if idle_since is None:
        return  # fresh from connect()
    try:
        readable = _poll_readable(dbapi_connection.fileno())
    except (OSError, ValueError, AttributeError):
        readable = True  # no socket to look at (closed): treat it as ended
    if readable:
        raise exc.DisconnectionError("the server has ended the pooled connection")
    if time.monotonic() - idle_since > IDLE_PING_SECONDS:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
            # The driver began a transaction for the ping: end it, or the connection is
            # handed out inside it, where a reader's READ ONLY or autocommit cannot be
            # set (psycopg refuses: an error page for the request that checked it out).
            dbapi_connection.rollback()
        except Exception as error:
            raise exc.DisconnectionError(f"a pooled connection failed its ping: {error}") \
                from error
        finally:
            with contextlib.suppress(Exception):
                cursor.close()


def _poll_readable(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def _server_default_read_write(dbapi_connection: Any, _record: Any) -> None:
    """A reader's connection goes back to the pool with the server's own default, not
    with an explicit READ WRITE (what SQLAlchemy resets ``postgresql_readonly`` to, and
    psycopg then puts in every BEGIN): that would let the next writer on it write to a
    database an operator has made read-only (default_transaction_read_only), while the
    other connections could not."""
    if getattr(dbapi_connection, "read_only", None) is False:
        with contextlib.suppress(Exception):  # a driver that cannot: left as it was
            dbapi_connection.read_only = None


def _server_default_isolation(dbapi_connection: Any, _record: Any) -> None:
    """The same for a connection that read in autocommit (:func:`statement_reader`):
    SQLAlchemy gives it back with the isolation level the dialect saw at its first
    connection, explicit, which psycopg would put in every later BEGIN."""
    if getattr(dbapi_connection, "isolation_level", None) is not None:
        with contextlib.suppress(Exception):
            dbapi_connection.isolation_level = None


def _sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for an in-memory or URI-style one."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _create_owner_only(path: Path) -> None:
    """Create the database file empty and 0600 before SQLite opens it (SQLite would
    create it 0644 under the usual umask). A file that exists is left as it is; one
    that cannot be made is SQLite's to report, with its own message, when it opens."""
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _companions_owner_only(path: Path) -> None:
    """SQLite gives the write-ahead log and its index the database file's permissions;
    a database made before plansign created it 0600 (an upgraded install) would keep
    its readers, and hand them the WAL, which holds recent writes in full. So no one but
    the owner keeps access to the database or either of them."""
    for companion in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = stat.S_IMODE(companion.stat().st_mode)
            if mode & 0o077:
                os.chmod(companion, mode & 0o700)
        except OSError:
            pass  # not there (yet), or not ours to change


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


# PostgreSQL's read_only_sql_transaction: default_transaction_read_only, or a standby.
_READ_ONLY_SQLSTATE = "25006"


def refuses_writes(exc: BaseException) -> bool:
    """Whether a database error says the database takes no writes at all: a SQLite file
    (or its folder) this process may not write, or a PostgreSQL database, role or server
    (a standby) that is read-only. A setup problem, which waiting does not cure."""
    orig = getattr(exc, "orig", None) or exc
    if getattr(orig, "sqlstate", None) == _READ_ONLY_SQLSTATE:
        return True
    code = getattr(orig, "sqlite_errorcode", None)  # with its extended code's bits
    return isinstance(code, int) and code & 0xFF == sqlite3.SQLITE_READONLY


def read_only_problem(url: str | URL) -> str:
    """What to tell the operator about a database that refuses writes: which, and what
    to fix. (Never for the web's visitors: it names a file of the server's.)"""
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        return (f"the SQLite database {url.database} is read-only, a setup problem to fix: "
                "make the file, its -wal and -shm files, and the folder they are in "
                "writable by the user plansign runs as")
    return (f"the database {url.render_as_string(hide_password=True)} is read-only, a "
            "setup problem to fix: connect to the primary server, not a standby, and "
            "check default_transaction_read_only for the database and the role")


def read_only_engine(engine: Engine) -> Engine:
    """``engine`` for reading only: ``READ ONLY`` transactions on PostgreSQL, no write
    lock on SQLite (see above). Its connections share ``engine``'s pool."""
    options = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    return engine.execution_options(**options)


def statement_reader(engine: Engine) -> Engine:
    """``engine`` for reads of one statement each (a statement is a consistent view of
    its own), with no transaction around them where that costs round trips: on
    PostgreSQL in autocommit, so a read is one round trip, not four (``BEGIN READ
    ONLY``, the statement, the ``ROLLBACK`` when the connection goes back to the pool).
    There is no transaction to make read-only, so only SELECTs belong here; reads whose
    statements must agree with each other take :func:`read_only_engine`. On SQLite (its
    ``BEGIN`` is no round trip) it is :func:`read_only_engine`. The same pool as
    ``engine``; a connection goes back to it as it came (see
    :func:`_server_default_isolation`)."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT", **{READ_ONLY: True})
    return read_only_engine(engine)


def make_session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions for writing, or with ``read_only`` for reading only (see above)."""
    if read_only:
        engine = read_only_engine(engine)
    return sessionmaker(engine, expire_on_commit=False)

