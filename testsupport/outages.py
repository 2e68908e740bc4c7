"""A database that is away for a while, for the fault tests and bench/bench_recovery.py."""

from __future__ import annotations

import sqlite3

from sqlalchemy import create_engine, make_url, text


class outage:
    """The database refuses the worker for as long as the block runs."""

    def __init__(self, url: str, backend: str) -> None:
        self.url, self.backend = url, backend

    def __enter__(self) -> None:
        if self.backend == "sqlite":
            # Another process holds the write lock past the worker's busy timeout.
            self.lock = sqlite3.connect(make_url(self.url).database, isolation_level=None)
            self.lock.execute("BEGIN EXCLUSIVE")
            return
        name = make_url(self.url).database
        self.admin = create_engine(make_url(self.url).set(database="postgres"),
                                   isolation_level="AUTOCOMMIT")
        with self.admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name AND pid <> pg_backend_pid()"),
                               {"name": name})

    def __exit__(self, *exc: object) -> None:
        if self.backend == "sqlite":
            self.lock.execute("ROLLBACK")
            self.lock.close()
            return
        with self.admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{make_url(self.url).database}" '
                                    "ALLOW_CONNECTIONS true"))
        self.admin.dispose()
