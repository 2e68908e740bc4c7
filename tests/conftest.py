"""Fixtures shared by every test package."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import settings as hypothesis_settings

from docgen.sample import EXAMPLES as EXAMPLE_PLANS
from docgen.sample import SAMPLE_PLAN_PATH
from signing.web.current import services_of

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(EXAMPLE_PLANS.glob("*.yaml"))

# The databases the database tests run on: --db, else PLANSIGN_TEST_DB, else SQLite.
DB_BACKENDS = ("sqlite", "postgresql")
DB_ENV = "PLANSIGN_TEST_DB"
MIGRATED_TEMPLATE = "plansign_migrated"


# Hypothesis draws the same examples every run of `make test` (a property test that
# found a new failure one run in twenty would make the suite fail by chance); `make fuzz`
# searches afresh (HYPOTHESIS_PROFILE=random) and what it finds is pinned as an @example.
hypothesis_settings.register_profile("repeatable", derandomize=True)
hypothesis_settings.register_profile("random", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db", choices=DB_BACKENDS, default=None,
        help=f"database for the tests that take database_url: sqlite (a file per test) or "
             f"postgresql (a private server for the session, a database per test); "
             f"default ${DB_ENV}, else sqlite")
    parser.addoption(
        "--fuzz", type=int, default=0, metavar="N",
        help="the schemathesis test (tests/hostile/test_hostile_api_schema.py) draws N random "
             "examples per operation and mode instead of its fixed set (`make fuzz`)")


def selected_backend(config: pytest.Config) -> str:
    backend = config.getoption("--db") or os.environ.get(DB_ENV) or "sqlite"
    if backend not in DB_BACKENDS:
        raise pytest.UsageError(f"{DB_ENV}={backend!r}: expected one of {', '.join(DB_BACKENDS)}")
    return backend


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {selected_backend(config)}"


DATABASE_FIXTURES = {"database_url", "empty_database_url", "db_backend", "sessions"}


def pytest_configure(config: pytest.Config) -> None:
    selected_backend(config)  # a bad PLANSIGN_TEST_DB stops the run at once
    config.addinivalue_line(
        "markers", "database: uses the database --db selects (set on every test that takes "
                   "database_url, empty_database_url, db_backend or sessions); -m database "
                   "runs only those")
    config.addinivalue_line(
        "markers", "slow: a bounded scale, fault or demo test against real processes (up "
                   "to a minute; tests/scale, tests/cli/test_demo.py); -m 'not slow' leaves "
                   "them out")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.database)


@pytest.fixture(scope="session")
def db_backend(pytestconfig: pytest.Config) -> str:
    """The database the database tests run on: "sqlite" or "postgresql"."""
    return selected_backend(pytestconfig)


@pytest.fixture(scope="session")
def postgres_server():
    """A private PostgreSQL server for the session, started on first use
    (testsupport/pgserver.py)."""
    from testsupport.pgserver import PostgresServer, PostgresUnavailable

    try:
        server = PostgresServer()
        server.start()
    except PostgresUnavailable as exc:
        problem = str(exc)
    else:
        try:
            yield server
        finally:
            server.stop()
        return
    pytest.fail(f"PostgreSQL tests cannot run: {problem}", pytrace=False)


@pytest.fixture(scope="session")
def _postgres_migrated(postgres_server) -> str:
    """A database brought to the newest schema once, which each test's database copies."""
    from database import make_engine
    from signing.migrations import upgrade

    postgres_server.create_database(MIGRATED_TEMPLATE)
    engine = make_engine(postgres_server.url(MIGRATED_TEMPLATE))
    try:
        upgrade(engine)
    finally:
        engine.dispose()  # CREATE DATABASE ... TEMPLATE needs it unused
    return MIGRATED_TEMPLATE


@pytest.fixture
def database_url(db_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database of the selected backend for this test alone, as a SQLAlchemy URL: a new
    SQLite file, or on PostgreSQL a new database, already migrated (``upgrade`` on it is a
    no-op). Either way ``signing.migrations.upgrade`` brings it to the newest schema."""
    if db_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'plansign.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = server.create_database(template=request.getfixturevalue("_postgres_migrated"))
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def empty_database_url(db_backend: str, tmp_path: Path,
                       request: pytest.FixtureRequest) -> Iterator[str]:
    """Like ``database_url``, but with no tables at all, on either backend."""
    if db_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = server.create_database()
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture(scope="session")
def _sample_data() -> dict[str, Any]:
    return yaml.safe_load(SAMPLE_PLAN_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def plan_data(_sample_data: dict[str, Any]) -> dict[str, Any]:
    """The sample plan as plain data (YAML-parsed), a fresh copy each test may change."""
    return copy.deepcopy(_sample_data)


@pytest.fixture(scope="session")
def converter():
    """One warm LibreOffice pool for the whole test session."""
    from docgen.convert import ConverterPool

    with ConverterPool(2, timeout=60) as pool:
        pool.start()
        yield pool


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PLANSIGN_ variables from the developer's shell leak into a test."""
    import os

    for name in list(os.environ):
        if name.startswith("PLANSIGN_"):
            monkeypatch.delenv(name)


@pytest.fixture
def sessions(request: pytest.FixtureRequest):
    """The session factory on this test's database. A test that builds the web app (its
    module defines ``app``, with its own settings, and the test uses it, directly or
    through ``client``) gets the app's own; any other gets one on ``database_url``,
    migrated, disposed of after the test."""
    if "app" in request.fixturenames:
        yield services_of(request.getfixturevalue("app")).sessions
        return
    from database import make_engine, make_session_factory
    from signing.migrations import upgrade

    engine = make_engine(request.getfixturevalue("database_url"))
    upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()


# For the modules that build the web app: each defines ``app`` and gets a test client.


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def signer(app, client, sessions):
    """The sample plan's employee at the signing pages in ``client``: ``signer.open()``,
    then ``acknowledge``, ``refuse`` or ``comment`` (tests/signing/signer_pages.py)."""
    from tests.signing.signer_pages import SignerPages

    return SignerPages(app, client, sessions)
