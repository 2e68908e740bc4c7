"""The engine and session set-up and the UTC column type, on the selected database
(``--db``)."""

from __future__ import annotations

import datetime as dt
import os
import stat
import threading
import zoneinfo

import pytest
from sqlalchemy import JSON, Integer, String, event, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from database import UTCDateTime, make_engine, make_session_factory, statement_reader
from database import engine as engine_module

ZURICH = zoneinfo.ZoneInfo("Europe/Zurich")


class OwnBase(DeclarativeBase):
    """Not plansign's Base: this test's table is no table the migrations should build."""


class Thing(OwnBase):
    """A table of this test's own, created on an empty database."""

    __tablename__ = "test_engine_things"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    data: Mapped[dict | None] = mapped_column(JSON)


@pytest.fixture
def engine(empty_database_url):
    engine = make_engine(empty_database_url, pool_size=1, max_overflow=0)
    Thing.__table__.create(engine)
    yield engine
    engine.dispose()


def test_utc_datetimes_come_back_aware_and_in_utc(engine):
    sessions = make_session_factory(engine)
    local = dt.datetime(2026, 3, 29, 2, 30, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    with sessions.begin() as session:
        session.add_all([Thing(name="local", at=local),
                         Thing(name="zurich", at=dt.datetime(2026, 10, 25, 2, 30, fold=1,
                                                             tzinfo=ZURICH))])
    with sessions() as session:
        first, second = session.scalars(select(Thing).order_by(Thing.id)).all()
    assert first.at == local and first.at.tzinfo is dt.UTC
    assert first.at == dt.datetime(2026, 3, 28, 21, 30, tzinfo=dt.UTC)
    assert second.at == dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)


def test_comparisons_are_in_utc_whatever_the_servers_zone(engine):
    sessions = make_session_factory(engine)
    base = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with sessions.begin() as session:
        session.add_all([Thing(name=f"t{i}", at=base + dt.timedelta(minutes=i))
                         for i in range(-3, 4)])
    with sessions() as session:
        before = session.scalars(select(Thing.name).where(Thing.at <= base.astimezone(ZURICH))
                                 .order_by(Thing.at)).all()
        latest = session.scalar(select(Thing.at).order_by(Thing.at.desc()).limit(1))
    assert before == ["t-3", "t-2", "t-1", "t0"]
    assert latest == base + dt.timedelta(minutes=3) and latest.tzinfo is dt.UTC


def test_a_naive_datetime_is_refused(engine):
    sessions = make_session_factory(engine)
    with pytest.raises(Exception, match="naive datetime"), sessions.begin() as session:
        session.add(Thing(name="naive", at=dt.datetime(2026, 12, 1, 9, 0)))
        session.flush()


def test_json_round_trips(engine):
    data = {"name": "Léa Brändli 李", "emoji": "✅", "nested": {"list": [1, 2.5, None, True]},
            "quote": "it's \"fine\"\n"}
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        session.add(Thing(name="json", data=data))
    with sessions() as session:
        assert session.scalar(select(Thing.data)) == data


def test_a_reader_after_a_writer_and_a_writer_after_a_reader(engine):
    """One pooled connection serves both kinds of session in turn (pool_size=1)."""
    writers = make_session_factory(engine)
    readers = make_session_factory(engine, read_only=True)
    for i in range(2):
        with readers() as session:
            assert session.scalar(select(Thing.name).where(Thing.name == f"w{i}")) is None
        with writers.begin() as session:
            session.add(Thing(name=f"w{i}"))
    with readers() as session:
        assert session.scalars(select(Thing.name).order_by(Thing.id)).all() == ["w0", "w1"]


def test_readers_cannot_write_on_postgresql(engine, db_backend):
    if db_backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite readers are plain deferred transactions")
    readers = make_session_factory(engine, read_only=True)
    with readers() as session:
        assert session.scalar(text("SHOW transaction_read_only")) == "on"
        with pytest.raises(DBAPIError, match="read-only transaction"):
            session.add(Thing(name="sneaky"))
            session.flush()
    with make_session_factory(engine).begin() as session:
        assert session.scalar(text("SHOW transaction_read_only")) == "off"
        session.add(Thing(name="allowed"))


def test_a_statement_reader_leaves_no_transaction_and_the_connection_as_it_was(
        engine, db_backend):
    """Reads of one statement each: on PostgreSQL in autocommit, so no BEGIN and no
    ROLLBACK go to the server with them. The pooled connection (pool_size=1) goes back as
    it came: the next writer's work is one transaction again, begun with the server's
    defaults (no isolation level or READ WRITE of SQLAlchemy's in its BEGIN)."""
    with make_session_factory(engine).begin() as session:
        session.add(Thing(name="kept"))
    with statement_reader(engine).connect() as connection:
        assert connection.scalars(select(Thing.name)).all() == ["kept"]
        driver = connection.connection.driver_connection
        if db_backend == "postgresql":
            assert driver.info.transaction_status == driver.info.transaction_status.IDLE
    with pytest.raises(RuntimeError, match="undone"), \
            make_session_factory(engine).begin() as session:
        session.add(Thing(name="rolled back"))
        session.flush()
        raise RuntimeError("undone")
    with make_session_factory(engine, read_only=True)() as session:
        assert session.scalars(select(Thing.name)).all() == ["kept"]
        if db_backend == "postgresql":
            assert session.connection().connection.driver_connection is driver
            assert session.scalar(text("SHOW transaction_read_only")) == "on"
    if db_backend == "postgresql":
        assert (driver.autocommit, driver.isolation_level, driver.read_only) == \
            (False, None, None)


def test_a_connection_pinged_after_idling_is_handed_out_outside_a_transaction(
        engine, db_backend, monkeypatch):
    """A connection idle past IDLE_PING_SECONDS is pinged on checkout; the ping's own
    transaction is ended, so a reader can still make its connection READ ONLY, or
    autocommit, and a writer's work is its own transaction (once, psycopg refused the
    reader: an error page for the first signer after half a minute's quiet)."""
    if db_backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite connections are not pinged")
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", -1.0)  # every checkout pings
    with make_session_factory(engine).begin() as session:
        session.add(Thing(name="kept"))
    with make_session_factory(engine, read_only=True)() as session:
        assert session.scalar(text("SHOW transaction_read_only")) == "on"
    with statement_reader(engine).connect() as connection:
        assert connection.scalars(select(Thing.name)).all() == ["kept"]
        info = connection.connection.driver_connection.info
        assert info.transaction_status == info.transaction_status.IDLE


def test_sqlite_writers_in_one_process_never_find_the_database_busy(tmp_path, db_backend):
    """The in-process writer lock passes to the next writer only once the last one's
    COMMIT has finished: with SQLite's busy wait turned off, no ``BEGIN IMMEDIATE``
    finds the database locked."""
    if db_backend != "sqlite":
        pytest.skip("SQLite only: PostgreSQL has no database-wide write lock")
    engine = make_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA busy_timeout=0"))
    Thing.__table__.create(engine)
    sessions = make_session_factory(engine)
    errors: list[Exception] = []

    def write(writer: int) -> None:
        try:
            for i in range(50):
                with sessions.begin() as session:
                    session.add(Thing(name=f"{writer}-{i}"))
        except Exception as exc:  # any failure fails the test, reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert errors == []


def test_a_sqlite_database_and_its_wal_are_owner_only(tmp_path, db_backend):
    """They hold plans, comments and webhook secrets: 0600 whatever the umask, as the
    keys are; and a WAL left readable by an older installation is closed."""
    if db_backend != "sqlite":
        pytest.skip("SQLite only: a file of this machine's")
    old = os.umask(0o022)  # the usual umask: SQLite alone would make the file 0644
    try:
        path = tmp_path / "plansign.db"
        engine = make_engine(f"sqlite:///{path}")
        Thing.__table__.create(engine)
        with make_session_factory(engine).begin() as session:
            session.add(Thing(name="secret"))
        with engine.connect():
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
        assert modes == {"plansign.db": 0o600, "plansign.db-wal": 0o600,
                         "plansign.db-shm": 0o600}
        engine.dispose()

        wal = tmp_path / "plansign.db-wal"
        older = make_engine(f"sqlite:///{path}")
        with older.connect():  # the WAL is there while a connection is open
            wal.chmod(0o644)
            reopened = make_engine(f"sqlite:///{path}")
            with reopened.connect():
                assert stat.S_IMODE(wal.stat().st_mode) == 0o600
            reopened.dispose()
        older.dispose()

        path.chmod(0o644)  # made 0644 by an installation before this one
        upgraded = make_engine(f"sqlite:///{path}")
        with upgraded.connect():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
        upgraded.dispose()
    finally:
        os.umask(old)


def test_a_pooled_connection_the_server_ended_is_replaced_unseen(engine, db_backend):
    """On PostgreSQL the pool does not ping on every checkout: a connection whose server
    ended it (a restart, pg_terminate_backend) is noticed by its socket and replaced
    before anyone uses it; a live one is used without a round trip."""
    if db_backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no server to end a connection")
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_: statements.append(statement))
    with engine.connect() as connection:
        first = connection.scalar(text("SELECT pg_backend_pid()"))
    with engine.connect() as connection:  # the same pooled connection, not pinged
        assert connection.scalar(text("SELECT pg_backend_pid()")) == first
    assert statements == ["SELECT pg_backend_pid()"] * 2
    admin = make_engine(engine.url.render_as_string(hide_password=False))
    with admin.connect() as connection:
        assert connection.scalar(text("SELECT pg_terminate_backend(:pid, 10000)"),
                                 {"pid": first})  # returns once the backend has exited
    admin.dispose()
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT pg_backend_pid()")) != first
