"""Rate limits on the signer's pages, the HR API and the provider webhook (Flask-Limiter,
fixed windows), with their counts shared between web processes.

What is counted, and by what (each limit a setting; an empty one is off):

- ``rate_limit_signer``: every signer page, per client IP.
- ``rate_limit_signer_strict``: opening a link and posting an action, per client IP. A
  person does each once or twice; many in a minute is someone trying tokens or
  flooding the database's writer.
- ``rate_limit_api``: every ``/api/v1`` request, per API key (a hash of it: the table
  never holds a usable key), or per client IP when none is sent.
- ``rate_limit_refused``: requests answered 401 under ``/api`` and ``/webhooks``, or 403
  under ``/webhooks``, per client IP: guessed keys and forged provider signatures (a
  valid key refused for its role does not count). Only refusals count, so
  SendGrid's signed batches, which may come often and from few addresses, are never
  counted; once an address is over, its requests there are refused until the window ends.
- ``rate_limit_console_signin``: passwords and codes posted to the console's sign-in,
  per client IP. Each account locks after repeated failures; this holds one address
  trying a few passwords on many accounts (spraying), which no account's lockout sees.

Where counts live (``rate_limit_storage``): empty picks a file in the instance folder
that the web processes of this machine map into memory
(:class:`~signing.web.ratecounts.FileStorage`, a few microseconds a hit): `plansign
serve` runs several processes, which counts kept in each one's memory would multiply
every limit by. ``database`` keeps them in the plansign database instead
(:class:`DatabaseStorage`, one atomic upsert per request), for web processes on several
machines; on PostgreSQL that write cost the signer's page about a third of its
throughput (bench/README.md, issue 15), so it is not the default. ``file``,
``memory://`` (this process only) or a ``redis://`` URI choose explicitly. None of them
starts a thread per request (limits' own memory storage does: it is not the default).

A limited request gets 429 with ``Retry-After``: a page for signers, ``{"error": ...}``
under ``/api`` and ``/webhooks``. Neither, nor any log line, holds a signing link's token:
keys are client addresses and hashed API keys, scopes are fixed names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from babel.dates import format_timedelta
from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from limits import parse_many
from limits.errors import ConfigurationError
from limits.storage import Storage
from sqlalchemy import Double, Engine, bindparam, case, create_engine, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql.dml import ReturningInsert
from sqlalchemy.sql.elements import BindParameter

from config import Settings, SettingsError
from database.engine import READ_ONLY
from docgen.languages import format_locale
from signing import instance
from signing.domain.ratelimit_models import KEY_LENGTH, RateLimitRow
from signing.domain.wording import N_
from signing.web import api, current, hooks, language, ownrecords, pages, weberrors
from signing.web.console import signin
from signing.web.ratecounts import FileStorage

DATABASE = "database"  # rate_limit_storage's name for the plansign database
FILE = "file"  # and for the file the web processes of one machine share
COUNTS_FILE = "rate-limits"  # its name in the instance folder
LIMIT_SETTINGS = ("rate_limit_signer", "rate_limit_signer_strict", "rate_limit_api",
                  "rate_limit_refused", "rate_limit_console_signin")
RECORDS_LIMIT_SETTINGS = ("rate_limit_records_request", "rate_limit_records_request_address")


def init_app(app: Flask, settings: Settings) -> Limiter:
    """Rate limit ``app`` as its settings say. Call it before CSRF protection is set up,
    so that a flood of forged forms is counted before any of it is checked."""
    signer, strict, api_calls, refused, console_signin = (
        _limit(settings, name) for name in LIMIT_SETTINGS)
    per_ip, per_address = (_limit(settings, name) for name in RECORDS_LIMIT_SETTINGS)
    engine: Engine = current.services_of(app).engine
    uri, options = _storage(settings, engine, instance.instance_path(settings) / COUNTS_FILE)
    limiter = Limiter(_client_ip, storage_uri=uri, storage_options=options,
                      strategy="fixed-window", key_prefix="plansign",
                      headers_enabled=False,  # X-RateLimit-* would cost reads on every request
                      # If a Redis server is away, signers are served unlimited (and it is
                      # logged); a database that is away answers 503 in the views anyway.
                      swallow_errors=True)
    if signer:
        limiter.shared_limit(signer, scope="signer")(pages.bp)
    if strict:
        limiter.shared_limit(strict, scope="signer-strict",
                             exempt_when=lambda: not _opens_or_posts())(pages.bp)
    # The records page and its links count as signer pages, and opening a link as the
    # strict opening of one; a request for records counts per client and per address.
    if signer:
        limiter.shared_limit(signer, scope="signer")(ownrecords.bp)
    if strict:
        limiter.shared_limit(strict, scope="signer-strict",
                             exempt_when=lambda: not ownrecords.opens_link())(ownrecords.bp)
    if per_ip:
        limiter.shared_limit(per_ip, scope="records-request",
                             exempt_when=lambda: not ownrecords.is_request())(ownrecords.bp)
    if per_address:
        limiter.shared_limit(per_address, scope="records-request-address",
                             key_func=ownrecords.requested_address_key,
                             exempt_when=lambda: not ownrecords.is_request())(ownrecords.bp)
    if api_calls:
        limiter.shared_limit(api_calls, scope="api", key_func=_api_caller)(api.bp)
    if refused:
        for blueprint in (api.bp, hooks.bp):
            limiter.shared_limit(refused, scope="refused",
                                 deduct_when=_refused)(blueprint)
    if console_signin:
        limiter.shared_limit(console_signin, scope="console-signin",
                             exempt_when=lambda: request.method != "POST")(signin.bp)
    try:
        limiter.init_app(app)
    except ConfigurationError as exc:
        raise SettingsError(f"rate_limit_storage is {settings.rate_limit_storage!r}: {exc}",
                            "rate_limit_storage") from None
    app.register_error_handler(RateLimitExceeded, _too_many)
    app.extensions["plansign.limiter"] = limiter
    return limiter


def _limit(settings: Settings, name: str) -> str | None:
    """The limit a setting names, checked now rather than on the first request; None
    when it is empty (no limit)."""
    value: str = settings[name].strip()
    if not value:
        return None
    try:
        parse_many(value)
    except ValueError:
        raise SettingsError(f"{name} is {value!r}, which is not a rate limit; write it like "
                            f"'60 per minute' or '20 per minute; 200 per day' (empty: no "
                            f"limit)", name) from None
    return value


def _storage(settings: Settings, engine: Engine,
             counts_file: Path) -> tuple[str, dict[str, Any]]:
    choice = settings.rate_limit_storage.strip()
    if not choice:
        choice = FILE
    if choice == DATABASE:
        return DatabaseStorage.URI, {"engine": engine}
    if choice == FILE:
        counts_file.parent.mkdir(parents=True, exist_ok=True)
        return FileStorage.URI, {"path": counts_file}
    if "://" not in choice or choice.startswith((DatabaseStorage.URI, FileStorage.URI)):
        raise SettingsError(f"rate_limit_storage is {choice!r}; leave it empty, or choose "
                            f"{DATABASE}, {FILE}, memory:// or a redis:// URI",
                            "rate_limit_storage")
    return choice, {}


# -- who is counted ----------------------------------------------------------------------


def _client_ip() -> str:
    return request.remote_addr or "unknown"


def _api_caller() -> str:
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    presented = presented.strip()
    if scheme.lower() == "bearer" and presented:
        digest = hashlib.sha256(b"plansign rate limit\0" + presented.encode()).hexdigest()
        return f"key:{digest[:32]}"
    return f"ip:{_client_ip()}"


def _opens_or_posts() -> bool:
    return request.method == "POST" or request.endpoint in ("signer.open_link",
                                                            "signer.checkin_link")


def _refused(response: Response) -> bool:
    """Refusals that guessing makes: no valid key (401), a forged provider signature
    (403 under /webhooks). A valid key refused for its role is a caller's mistake, not
    an attack, and must not lock out everyone behind the same address."""
    return response.status_code == 401 or (
        response.status_code == 403 and request.path.startswith("/webhooks/"))


# -- the answer --------------------------------------------------------------------------


def _too_many(exc: RateLimitExceeded) -> Response:
    wait = _retry_after(exc)
    if not request.path.startswith(("/console", "/api/", "/webhooks/")):
        language.use_signer_words()  # the wait in words, in the signer's language
    response = weberrors.problem(
        429, N_("Please wait a moment"),
        N_("There were too many requests from your network in a short time, so this one "
           "was not handled and nothing was recorded. Please wait %(wait)s, then try "
           "again: reload the page, or send the form once more."),
        values={"wait": _in_words(wait)},
        api_message=f"too many requests; try again in {wait} seconds")
    response.headers["Retry-After"] = str(wait)
    return response


def _retry_after(exc: RateLimitExceeded) -> int:
    """Whole seconds until the breached window ends (its full length if the storage
    cannot say)."""
    breached = current_app.extensions["plansign.limiter"].current_limit
    try:
        ends = breached.window.reset_time if breached else None
    except Exception:  # the storage went away between the check and now
        ends = None
    seconds = (ends - time.time()) if ends else exc.limit.limit.get_expiry()
    return max(1, math.ceil(seconds))


def _in_words(seconds: int) -> str:
    """``30 seconds``, ``2 minutes``: in the page's language (Babel), rounded up to whole
    minutes from 90 seconds."""
    if seconds >= 90:
        seconds = math.ceil(seconds / 60) * 60
    return format_timedelta(dt.timedelta(seconds=seconds), threshold=1.5,
                            locale=format_locale(language.current()))


# -- counts in the plansign database ------------------------------------------------------


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_limits`` table, for the ``limits`` library.

    Each hit is one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``: the database
    serialises hits on one key by its row lock, so web processes sharing the database
    never lose a count, and each reads back the count its own hit made. A window starts
    at its first hit and lasts the limit's period, as in limits' memory and Redis
    storages; a row past its end is restarted by the next hit, and rows nobody hit again
    are deleted at most once a minute per process. Time is this process's clock (web
    processes are expected to keep theirs in sync, as for link expiry).

    On PostgreSQL the hits go through a small pool of their own: connections in
    autocommit with ``synchronous_commit`` off (a count lost in a crash does no harm, so
    no hit waits for the WAL to reach the disk), each hit one statement, one round trip,
    sent through psycopg directly. Through the app's pool it took five round trips
    (the pool's ping, ``BEGIN``, ``SET LOCAL``, the upsert, ``COMMIT``) and about 0.7 ms
    of CPU per hit, a quarter of a signer's page (bench/bench_rate_limits.py).
    """

    # Registers the scheme; limits reads it from the class, but declares it an instance
    # attribute, so it is not marked ClassVar here.
    STORAGE_SCHEME = ["plansign+database"]  # noqa: RUF012
    URI = "plansign+database://"
    CLEANUP_EVERY = 60.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, *,
                 engine: Engine, clock: Callable[[], float] = time.time,
                 **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        if engine.dialect.name not in ("postgresql", "sqlite"):
            raise ConfigurationError(f"no rate limit table on {engine.dialect.name}")
        self._engine = engine
        # Reads take no write lock on SQLite, and need no write transaction anywhere.
        self._readers = engine.execution_options(**{READ_ONLY: True})
        self._clock = clock
        self._next_cleanup = 0.0
        self._hit = _upsert(engine.dialect.name)
        self._counter: Engine | None = None
        if engine.dialect.name == "postgresql":
            # As many connections as the app's pool keeps (serve sizes it to the worker's
            # threads: signing/web/serving.py), since each request thread counts one hit
            # at a time; with 2 kept, the third and fourth thread's connections were
            # opened and closed again on every hit.
            kept = engine.pool.size() if isinstance(engine.pool, QueuePool) else 2
            self._counter = create_engine(
                engine.url, isolation_level="AUTOCOMMIT", pool_size=kept, max_overflow=30,
                connect_args={"options": "-c synchronous_commit=off"})
            self._hit_sql = str(self._hit.compile(dialect=self._counter.dialect))
            self._cleanup_sql = str(_DELETE_ENDED.compile(dialect=self._counter.dialect))

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = self._clock()
        parameters = {"key": _stored(key), "amount": amount, "now": now, "ends": now + expiry}
        cleanup = now >= self._next_cleanup
        if cleanup:
            self._next_cleanup = now + self.CLEANUP_EVERY
        if self._counter is not None:
            return self._incr_postgresql(parameters, cleanup)
        with self._engine.begin() as connection:
            hits = connection.execute(self._hit, parameters).scalar_one()
            if cleanup:
                connection.execute(_DELETE_ENDED, {"now": now})
        return int(hits)

    def _incr_postgresql(self, parameters: dict[str, Any], cleanup: bool) -> int:
        """One statement on the counter pool's connection; a connection the server
        dropped (a restart) is thrown away and the hit tried once more on a new one,
        which costs no ping per hit."""
        assert self._counter is not None
        for attempt in (1, 2):
            raw = self._counter.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute(self._hit_sql, parameters)
                row = cursor.fetchone()
                if cleanup:
                    cursor.execute(self._cleanup_sql, {"now": parameters["now"]})
                cursor.close()
            except psycopg.OperationalError:
                raw.invalidate()
                if attempt == 2:
                    raise
                continue
            finally:
                raw.close()  # back to the pool (a no-op once invalidated)
            assert row is not None
            return int(row[0])
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._counter is not None:
            self._counter.dispose()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError, psycopg.Error

    def get(self, key: str) -> int:
        with self._readers.connect() as connection:
            hits = connection.execute(_HITS, {"key": _stored(key), "now": self._clock()}).scalar()
        return int(hits or 0)

    def get_expiry(self, key: str) -> float:
        now = self._clock()
        with self._readers.connect() as connection:
            ends = connection.execute(_ENDS, {"key": _stored(key), "now": now}).scalar()
        return float(ends) if ends is not None else now

    def check(self) -> bool:
        try:
            with self._readers.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self._engine.begin() as connection:
            return connection.execute(delete(RateLimitRow)).rowcount

    def clear(self, key: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(delete(RateLimitRow).where(RateLimitRow.key == _stored(key)))


_TABLE = RateLimitRow.__table__
_NOW: BindParameter[float] = bindparam("now", type_=Double())
_HITS = select(RateLimitRow.hits).where(RateLimitRow.key == bindparam("key"),
                                        RateLimitRow.expires_at > _NOW)
_ENDS = select(RateLimitRow.expires_at).where(RateLimitRow.key == bindparam("key"),
                                              RateLimitRow.expires_at > _NOW)
_DELETE_ENDED = delete(RateLimitRow).where(RateLimitRow.expires_at <= _NOW)


def _upsert(dialect: str) -> ReturningInsert[tuple[int]]:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(_TABLE).values(key=bindparam("key"), hits=bindparam("amount"),
                                      expires_at=bindparam("ends", type_=Double()))
    ended = _TABLE.c.expires_at <= _NOW
    # Both assignments read the row as it was before this statement (SQL's rule for SET).
    return statement.on_conflict_do_update(
        index_elements=[_TABLE.c.key],
        set_={"hits": case((ended, statement.excluded.hits),
                           else_=_TABLE.c.hits + statement.excluded.hits),
              "expires_at": case((ended, statement.excluded.expires_at),
                                 else_=_TABLE.c.expires_at)},
    ).returning(_TABLE.c.hits)


def _stored(key: str) -> str:
    """The key as the table keeps it: limits' keys are short, but one that is not is
    hashed rather than refused."""
    if len(key) <= KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()
