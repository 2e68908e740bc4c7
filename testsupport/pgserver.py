"""A private, throwaway PostgreSQL server for the tests.

:class:`PostgresServer` runs ``initdb`` and ``postgres`` from Debian's binaries
(``/usr/lib/postgresql/<version>/bin``) in a new temporary directory. It listens on a
Unix socket in that directory only (no TCP), trusts whoever can reach the socket, and
keeps nothing it does not have to (``fsync`` off and the like): its data lives for one
test session. PostgreSQL refuses to run as root, so as root it runs as the ``postgres``
user (which the Debian package creates) through ``runuser``, and the directory belongs
to that user.

The server is a child of the test process with ``PR_SET_PDEATHSIG``: if the test run is
killed outright, the server stops too, and the next run removes the directory it left.

It imports nothing of plansign's; the fixtures in ``tests/conftest.py`` build on it.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

PREFIX = "plansign-pg-"
OWNER_FILE = "owner.pid"
SUPERUSER = "postgres"
PORT = 5432  # only names the socket file; the directory is ours alone
START_TIMEOUT = 30.0

# Settings for a server whose data may be lost: none of it is flushed to disk.
SERVER_SETTINGS = {
    "listen_addresses": "",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_connections": "200",
    "shared_buffers": "32MB",
    # A zone that is not UTC, with a half-hour offset and daylight saving, so that code
    # which leans on the server's zone (or forgets a zone) shows it in the tests.
    "timezone": "America/St_Johns",
    "log_min_messages": "warning",
    "logging_collector": "off",
}


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL binaries are missing, or the server would not start."""


def find_bindir() -> Path:
    """The newest installed ``/usr/lib/postgresql/<version>/bin`` holding ``initdb``;
    ``PLANSIGN_PG_BINDIR`` names another."""
    configured = os.environ.get("PLANSIGN_PG_BINDIR")
    candidates = ([Path(configured)] if configured else
                  sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                         key=lambda p: _version_key(p.parent.name), reverse=True))
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    raise PostgresUnavailable(
        "PostgreSQL's server binaries (initdb, postgres) were not found in "
        f"{configured or '/usr/lib/postgresql/*/bin'}; run scripts/install-system-packages.sh "
        "(it installs the Debian package postgresql)")


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name))


class PostgresServer:
    """``with PostgresServer() as server:`` a running server; ``server.create_database()``
    gives the SQLAlchemy URL of a new database, ``drop_database`` removes it."""

    def __init__(self, bindir: Path | None = None, *,
                 settings: dict[str, str] | None = None) -> None:
        """``settings`` override the server's (benchmarks turn durability back on)."""
        self.bindir = bindir or find_bindir()
        self.settings = {**SERVER_SETTINGS, **(settings or {})}
        self.as_root = os.geteuid() == 0
        self.directory: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._admin: psycopg.Connection[Any] | None = None
        self._names = itertools.count(1)

    # -- life cycle ---------------------------------------------------------------------

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Starts the server; if it cannot, leaves nothing behind and raises."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        base = _temp_base(self.as_root)
        _remove_abandoned(base)
        self.directory = Path(tempfile.mkdtemp(prefix=PREFIX, dir=base))
        (self.directory / OWNER_FILE).write_text(str(os.getpid()))
        if self.as_root:
            user = pwd.getpwnam(SUPERUSER)
            os.chown(self.directory, user.pw_uid, user.pw_gid)
        data = self.directory / "data"
        self._run([self.bindir / "initdb", "-D", data, "-U", SUPERUSER, "--auth=trust",
                   "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"])
        options = [f"-c{name}={value}" for name, value in self.settings.items()]
        log = (self.directory / "server.log").open("wb")
        with log:
            self._process = subprocess.Popen(
                [*self._as_postgres(), str(self.bindir / "postgres"), "-D", str(data),
                 "-k", str(self.directory), "-p", str(PORT), *options],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=_terminate_with_parent)
        self._admin = self._wait_until_ready()

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        if self._process is not None:
            if self._process.poll() is None:
                # Fast shutdown; runuser, if we went through it, waits for its child.
                self._signal_postmaster(signal.SIGINT)
                try:
                    self._process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    # -- databases ----------------------------------------------------------------------

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of one of this server's databases (psycopg 3, Unix socket)."""
        return (f"postgresql+psycopg://{SUPERUSER}@/{database}"
                f"?host={self.directory}&port={PORT}")

    def create_database(self, name: str | None = None, *, template: str | None = None) -> str:
        """A new database (a copy of ``template``, else empty); returns its name."""
        name = name or f"test_{os.getpid()}_{next(self._names)}"
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        self.admin.execute(statement)
        return name

    def drop_database(self, name: str) -> None:
        """Drops the database, ending any connection still open to it."""
        self.admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                           .format(sql.Identifier(name)))

    @property
    def admin(self) -> psycopg.Connection[Any]:
        """An autocommit connection to the ``postgres`` database, as the superuser."""
        if self._admin is None:
            raise RuntimeError("the PostgreSQL server is not running")
        return self._admin

    # -- helpers ------------------------------------------------------------------------

    def _as_postgres(self) -> list[str]:
        return ["runuser", "-u", SUPERUSER, "--"] if self.as_root else []

    def _run(self, command: list[Any]) -> None:
        result = subprocess.run([*self._as_postgres(), *map(str, command)],
                                stdin=subprocess.DEVNULL, capture_output=True, check=False)
        if result.returncode != 0:
            output = (result.stdout + result.stderr).decode(errors="replace").strip()
            raise PostgresUnavailable(f"{Path(str(command[0])).name} failed "
                                      f"(exit {result.returncode}):\n{output}")

    def _wait_until_ready(self) -> psycopg.Connection[Any]:
        assert self._process is not None and self.directory is not None
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self._process.poll() is not None:
                raise PostgresUnavailable(f"PostgreSQL exited with {self._process.returncode} "
                                          f"on start:\n{self._log_tail()}")
            try:
                return psycopg.connect(host=str(self.directory), port=PORT, user=SUPERUSER,
                                       dbname="postgres", autocommit=True, connect_timeout=5)
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise PostgresUnavailable(
                        f"PostgreSQL did not start within {START_TIMEOUT:.0f} s:\n"
                        f"{self._log_tail()}") from exc
                time.sleep(0.05)

    def _signal_postmaster(self, signum: int) -> None:
        assert self._process is not None and self.directory is not None
        pid = _postmaster_pid(self.directory / "data")
        if pid is None:  # not started far enough to write its pid file
            self._process.terminate()
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    def _log_tail(self, lines: int = 20) -> str:
        assert self.directory is not None
        log = self.directory / "server.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _temp_base(as_root: bool) -> str:
    """Where the server's directory goes: the temporary directory, unless its path is too
    long for a Unix socket (108 bytes) or, as root, the postgres user cannot reach it."""
    base = tempfile.gettempdir()
    if len(base) > 60 or (as_root and not _reachable_by_all(Path(base))):
        base = "/tmp"
    return base


def _reachable_by_all(path: Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in (path, *path.parents))


def _postmaster_pid(data: Path) -> int | None:
    try:
        return int((data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_abandoned(base: str) -> None:
    """Removes directories earlier runs left behind when they were killed: those whose
    test process and server are both gone."""
    for directory in Path(base).glob(PREFIX + "*"):
        try:
            owner = int((directory / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if not _alive(owner) and not _alive(_postmaster_pid(directory / "data")):
            shutil.rmtree(directory, ignore_errors=True)


def _terminate_with_parent() -> None:
    """preexec_fn: the child gets SIGTERM when the test process dies (runuser passes it on
    to the server, which then shuts down)."""
    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
