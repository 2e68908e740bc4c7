"""The transactional outbox: side effects carried out after the commit that decided them.

A worker claims due rows (each claim is a short lease, so a worker that dies leaves its
rows to be claimed again), runs the handler for the row's kind, and records the outcome.
Handlers take plain data and are safe to run twice: email goes out under the row's
idempotency key. Kinds with no handler yet stay queued until one exists.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from config import SETTINGS
from database import make_session_factory, refuses_writes
from signing.domain import failpoints
from signing.domain.models import OutboxRow

log = logging.getLogger(__name__)

# Waits after the 1st, 2nd, ... failed attempt; the last one repeats.
BACKOFF = tuple(dt.timedelta(seconds=s) for s in (30, 120, 600, 1800, 7200, 21600))
MAX_ATTEMPTS = 8
# How long a claimed row is hidden from other workers while one works on it, unless the
# caller says (the worker passes the worker_lease_seconds setting): its default, read
# from the settings table, the one place it is written.
LEASE = dt.timedelta(seconds=SETTINGS["worker_lease_seconds"].default)


class TransientFailure(Exception):
    """Try again later (provider busy or down); ``retry_after`` seconds if it said."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class PermanentFailure(Exception):
    """Trying again will not help (the provider refused the message)."""


@dataclass(frozen=True)
class OutboxJob:
    id: int
    dedupe_key: str
    kind: str
    name: str
    envelope_id: str
    signer_id: str | None
    payload: dict[str, Any]
    attempts: int
    created_at: dt.datetime


class Handler(Protocol):
    """Carries out one row, reading what it needs through the read-only session it is
    given; returns the provider's message id, if any. A handler that must write opens its
    own short transactions.

    A handler may also have ``gave_up(session, job, reason, now)``, called in the same
    transaction that marks the row failed, to record the failure and tell someone.
    """

    def __call__(self, session: Session, job: OutboxJob, now: dt.datetime) -> str | None: ...


def claim(sessions: sessionmaker[Session], *, kinds: Iterable[str], now: dt.datetime,
          limit: int = 20, lease: dt.timedelta = LEASE) -> list[OutboxJob]:
    """Due rows of the given kinds, leased to the caller. ``SKIP LOCKED`` keeps two
    workers on PostgreSQL off the same row; SQLite serialises the claim instead."""
    with sessions.begin() as session:
        rows = session.scalars(
            select(OutboxRow)
            .where(OutboxRow.sent_at.is_(None), OutboxRow.failed_at.is_(None),
                   OutboxRow.next_attempt_at <= now, OutboxRow.kind.in_(list(kinds)))
            .order_by(OutboxRow.id).limit(limit).with_for_update(skip_locked=True)).all()
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = now + lease
        return [OutboxJob(r.id, r.dedupe_key, r.kind, r.name, r.envelope_id, r.signer_id,
                          dict(r.payload), r.attempts, r.created_at) for r in rows]


def backoff(attempts: int, retry_after: float | None = None) -> dt.timedelta:
    wait = BACKOFF[min(attempts, len(BACKOFF)) - 1]
    if retry_after is not None:
        wait = max(wait, dt.timedelta(seconds=retry_after))
    return wait


def run_once(sessions: sessionmaker[Session], handlers: dict[str, Handler], *,
             now: dt.datetime, limit: int = 20, lease: dt.timedelta = LEASE,
             clock: Callable[[], dt.datetime] | None = None) -> int:
    """Claim and handle one batch; returns how many rows were claimed.

    Each row's lease is renewed just before it is handled, so a batch that takes longer
    than one lease never has its last rows carried out by a second worker meanwhile; a
    row another worker took over is skipped. ``clock`` gives each row the time it is
    handled at (the worker's real clock); without it every row is handled at ``now``.
    """
    jobs = claim(sessions, kinds=handlers, now=now, limit=limit, lease=lease)
    for job in jobs:
        at = clock() if clock is not None else now
        if job.attempts > MAX_ATTEMPTS:
            # Claimed this often without an outcome: each time, the worker died while
            # carrying it out (a crash, the OOM killer). Stop feeding it to workers.
            with sessions.begin() as session:
                row = session.get_one(OutboxRow, job.id)
                _give_up(session, handlers[job.kind], job, row,
                         f"gave up after {MAX_ATTEMPTS} attempts: the worker stopped "
                         "each time while carrying it out", at)
            continue
        if renew(sessions, job, at + lease):
            handle(sessions, handlers[job.kind], job, now=at)
    return len(jobs)


def renew(sessions: sessionmaker[Session], job: OutboxJob, until: dt.datetime) -> bool:
    """Extend this claim's lease; False when the row is no longer ours to carry out."""
    with sessions.begin() as session:
        # An UPDATE's result is a CursorResult, which Session.execute's types do not say.
        renewed = cast("CursorResult[Any]", session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == job.id, OutboxRow.attempts == job.attempts,
                   OutboxRow.sent_at.is_(None), OutboxRow.failed_at.is_(None))
            .values(next_attempt_at=until)))
        return renewed.rowcount == 1


def handle(sessions: sessionmaker[Session], handler: Handler, job: OutboxJob, *,
           now: dt.datetime) -> None:
    try:
        # The handler reads through a session that takes no write lock: an email's
        # round trip to the provider must not hold up the signers' pages.
        with _readers(sessions)() as session:
            provider_id = handler(session, job, now)
    except (TransientFailure, PermanentFailure) as exc:
        failure: TransientFailure | PermanentFailure = exc
    except DBAPIError as exc:
        if isinstance(exc, OperationalError) or refuses_writes(exc):
            raise  # the database is away or read-only: nothing can be recorded; the
            # lease brings the row back
        failure = _unexpected(job, exc)
    except Exception as exc:
        failure = _unexpected(job, exc)
    else:
        failpoints.reached(f"outbox.{job.kind}.done")
        with sessions.begin() as session:
            row = session.get_one(OutboxRow, job.id)
            row.sent_at, row.provider_message_id, row.last_error = now, provider_id, None
        return
    with sessions.begin() as session:
        row = session.get_one(OutboxRow, job.id)
        row.last_error = str(failure)[:2000]
        log.warning("outbox entry %s (%s %s, envelope %s), attempt %s: %s", job.id, job.kind,
                    job.name, job.envelope_id, job.attempts, failure)
        if isinstance(failure, PermanentFailure):
            _give_up(session, handler, job, row, str(failure), now)
        elif job.attempts >= MAX_ATTEMPTS:
            _give_up(session, handler, job, row,
                     f"gave up after {job.attempts} attempts: {failure}", now)
        else:
            row.next_attempt_at = now + backoff(job.attempts, failure.retry_after)


def _unexpected(job: OutboxJob, exc: Exception) -> TransientFailure:
    """A fault of ours or of the data (a bug, a full disk) must neither stop the worker
    nor be retried for ever: it counts as a failed attempt, and after MAX_ATTEMPTS the
    row is given up and someone told."""
    log.exception("outbox entry %s (%s, %s) failed", job.id, job.kind, job.name)
    return TransientFailure(f"unexpected error: {type(exc).__name__}: {exc}")


def _give_up(session: Session, handler: Handler, job: OutboxJob, row: OutboxRow, reason: str,
             now: dt.datetime) -> None:
    row.failed_at = now
    gave_up = getattr(handler, "gave_up", None)
    if gave_up is not None:
        gave_up(session, job, reason, now)


@functools.cache
def _readers(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    return make_session_factory(sessions.kw["bind"], read_only=True)


def waiting(session: Session, *, envelope_id: str | None = None,
            failed: bool = False) -> list[OutboxRow]:
    """Rows not yet carried out, oldest first: those still to be tried, or with
    ``failed`` those given up."""
    query = select(OutboxRow).where(OutboxRow.sent_at.is_(None))
    query = query.where(OutboxRow.failed_at.is_not(None) if failed
                        else OutboxRow.failed_at.is_(None))
    if envelope_id is not None:
        query = query.where(OutboxRow.envelope_id == envelope_id)
    return list(session.scalars(query.order_by(OutboxRow.id)))


def retry_now(sessions: sessionmaker[Session], *, now: dt.datetime,
              envelope_id: str | None = None, failed: bool = False) -> int:
    """Make waiting rows due now, once what made them fail is fixed (a full disk, a
    provider's outage); with ``failed``, also rows given up, with a fresh count of
    attempts. Returns how many. Handlers are safe to run twice, so a row a worker holds
    at this moment may be carried out twice, never half."""
    with sessions.begin() as session:
        rows = waiting(session, envelope_id=envelope_id)
        if failed:
            rows += waiting(session, envelope_id=envelope_id, failed=True)
        for row in rows:
            if row.failed_at is not None:
                row.failed_at, row.attempts = None, 0
            row.next_attempt_at = now
        return len(rows)
