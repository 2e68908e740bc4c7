"""The worker's loop: each pass keeps the deadlines (reminders, expiry), carries out
what the outbox holds (email, finalizing) and announces and delivers webhooks; a pass
that fails, or a database that is away, is waited out, never the end of the worker.
``plansign worker`` runs it."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from database import read_only_problem, refuses_writes
from signing.domain import case_service, deadlines, outbox, own_records
from signing.domain.case_service import CaseSettings
from signing.domain.errors import SigningError, first_line
from signing.services import Services

if TYPE_CHECKING:
    from signing.domain.announce import Announcer
    from signing.worker.refresh import TimestampRefresher
    from webhooks.delivery import Deliverer

log = logging.getLogger(__name__)

# How long a worker pass waits for webhook attempts in flight before it gets on with its
# other work; attempts that take longer are recorded by a later pass.
DELIVERY_WAIT = 0.5


def run(services: Services, *, once: bool, interval: float,
        stop: threading.Event | None = None) -> None:
    """Keep the deadlines and carry out the outbox, pass after pass (``once``: one pass,
    waiting for every delivery it starts, then return).

    ``stop``, once set, ends the loop after the pass under way: a stop asked for (SIGTERM)
    never cuts a transaction, a send or a finalize in the middle, where a database
    connection would be left mid-statement. Waits between passes end at once."""
    stop = stop or threading.Event()
    # Failures and retries are logged as warnings: what an operator needs to see.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = services.settings
    outage = DatabaseOutage(services.database_url, once=once, stop=stop)
    try:
        sessions = outage.wait_out(lambda: services.sessions)
    except Stopped:
        return
    handlers: dict[str, outbox.Handler] = {"email": services.mailer,
                                           "finalize": services.finalizer,
                                           "case_file": services.case_file_maker,
                                           "checkin_record": services.checkin_record_maker}
    announcer = services.announcer  # webhook rows, in batches of their own
    remind_every = (dt.timedelta(days=settings.reminder_interval_days)
                    if settings.reminder_interval_days else None)
    lease = dt.timedelta(seconds=settings.worker_lease_seconds)
    cases = CaseSweep(CaseSettings.of(settings))
    # New archive timestamps for records that need them, on their own schedule.
    from signing.worker.refresh import TimestampRefresher

    refresher = TimestampRefresher.from_settings(services)
    with services.deliverer() as deliverer:
        failures = 0
        while not stop.is_set():
            try:
                busy = outage.wait_out(lambda: _worker_pass(
                    sessions, handlers, announcer, deliverer, remind_every=remind_every,
                    lease=lease, once=once, cases=cases, pepper=services.records_pepper))
            except Stopped:
                return
            except Exception:
                # A fault of ours in one pass (a bug, bad data) must not stop the worker:
                # what failed is still in the outbox, and the next pass tries again.
                if once:
                    raise
                failures += 1
                log.exception("a worker pass failed; the next one starts in %s s",
                              patience(failures + 1))
                stop.wait(patience(failures + 1))
                continue
            failures = 0
            if refresher is not None:
                _refresh_timestamps(refresher)
            if once:
                return
            if not busy:
                stop.wait(interval)


T = TypeVar("T")


class Stopped(Exception):
    """A stop was asked for while the worker waited for the database to come back."""


def patience(failures: int) -> float:
    """The worker's wait after ``failures`` failures in a row of something it must keep
    trying (a pass, the database): 1, 2, 4 ... seconds, at most 30."""
    return min(30.0, 2.0 ** max(0, failures - 1))


class DatabaseOutage:
    """The worker's patience while the database is away (a restart, a failover, the
    network): it says so, waits 1, 2, 4 ... seconds (at most 30) between tries, and
    says when it is back. Nothing is half done meanwhile: every step is its own
    transaction. ``worker --once`` does not wait: it fails with a message."""

    def __init__(self, url: str, *, once: bool = False,
                 stop: threading.Event | None = None) -> None:
        self.url = url
        self.once = once
        self.failures = 0
        self.stop = stop or threading.Event()

    def wait_out(self, step: Callable[[], T]) -> T:
        """``step``'s result, once the database lets it run."""
        while True:
            try:
                result = step()
            except DBAPIError as exc:
                if not (isinstance(exc, OperationalError) or refuses_writes(exc)):
                    raise
                if self.once:
                    raise SigningError(self.problem(exc)) from None
                click.echo(self.failed(exc), err=True)
                if self.stop.wait(self.wait):
                    raise Stopped from None
                continue
            if self.failures:
                click.echo("the database is back; resuming", err=True)
                self.failures = 0
            return result

    @property
    def wait(self) -> float:
        return patience(self.failures)

    def problem(self, exc: DBAPIError) -> str:
        """Read-only is a set-up problem and said as one, naming the database; anything
        else an outage that may pass."""
        if refuses_writes(exc):
            return read_only_problem(self.url)
        return f"the database is unavailable: {first_line(exc)}"

    def failed(self, exc: DBAPIError) -> str:
        self.failures += 1
        if refuses_writes(exc):
            # Still tried again: once the set-up is fixed, the worker carries on by itself.
            return f"{self.problem(exc)}; trying again in {self.wait:.0f} s"
        return (f"the database is unavailable ({first_line(exc)}); "
                f"trying again in {self.wait:.0f} s")


def _refresh_timestamps(refresher: TimestampRefresher) -> None:
    """The archive timestamp refresh, if due; a failure of it is logged, not the end of
    the worker (it is tried again at its next time)."""
    try:
        outcomes = refresher.run_if_due(dt.datetime.now(dt.UTC))
    except DBAPIError:
        raise  # the database is away: the loop waits it out
    except Exception:
        log.exception("the archive timestamp refresh failed; it runs again in %s",
                      refresher.every)
        return
    done = sum(1 for o in outcomes if o.refreshed)
    if done:
        click.echo(f"added an archive timestamp to {done} record{'' if done == 1 else 's'}")


class CaseSweep:
    """The cases' sweep on its own schedule: every :attr:`every` (and on a worker's first
    pass), not every pass: its deadlines are days long, and it reads every open case."""

    every = dt.timedelta(minutes=5)

    def __init__(self, settings: CaseSettings) -> None:
        self.settings = settings
        self.next_at: dt.datetime | None = None
        # When each open case may next need chasing: a quiet pass reads only those due.
        self.quiet_until: case_service.QuietUntil = {}

    def run_if_due(self, sessions: sessionmaker[Session],
                   now: dt.datetime) -> case_service.SweepResult | None:
        if self.next_at is not None and now < self.next_at:
            return None
        result = case_service.sweep(sessions, now=now, settings=self.settings,
                                    quiet_until=self.quiet_until)
        self.next_at = now + self.every
        return result


def _worker_pass(sessions: sessionmaker[Session], handlers: dict[str, outbox.Handler],
                 announcer: Announcer,
                 deliverer: Deliverer, *, remind_every: dt.timedelta | None,
                 lease: dt.timedelta, once: bool, pepper: bytes,
                 cases: CaseSweep | None = None) -> bool:
    """One pass of the worker; returns whether it found work (so no pause before the next)."""
    now = dt.datetime.now(dt.UTC)
    swept = deadlines.sweep(sessions, now=now, remind_every=remind_every)
    # The plans' cases: unrecorded check-ins chased, unanswered records noted (before the
    # outbox, so that their email goes out in this pass).
    chased = cases.run_if_due(sessions, now) if cases is not None else None
    if chased is None:
        chased = case_service.SweepResult()
    for envelope_id, meeting in chased.reminded:
        click.echo(f"reminded the manager of envelope {envelope_id} to record check-in "
                   f"{meeting}")
    for envelope_id, meeting in chased.alerted:
        click.echo(f"alerted HR: check-in {meeting} of envelope {envelope_id} has no record")
    for envelope_id in swept.expired:
        click.echo(f"envelope {envelope_id} expired")
    for envelope_id in swept.completed:
        click.echo(f"envelope {envelope_id} completed: the employee's comment window closed")
    for envelope_id in swept.reminded:
        click.echo(f"reminded the signers of envelope {envelope_id}")
    # Requests on the records page: a signer's address gets its email in this pass.
    answered = own_records.answer_requests(sessions, now=now, pepper=pepper)
    if answered:
        click.echo(f"answered {answered} request{'s' if answered > 1 else ''} for records")
    handled = (outbox.run_once(sessions, handlers, now=now, lease=lease,
                               clock=lambda: dt.datetime.now(dt.UTC))
               + announcer.run_once(now=now))
    if handled:
        click.echo(f"handled {handled} outbox entr{'y' if handled == 1 else 'ies'}")
    # Deliveries are signed and scheduled with the time they go out, not the pass's start.
    now = dt.datetime.now(dt.UTC)
    deliveries = deliverer.run_once(now=now, wait=None if once else DELIVERY_WAIT)
    attempts = deliveries.recorded
    # --once waits for every attempt, and delivers what each delivery lets through
    # (an envelope's next event), so it leaves nothing due behind.
    while once and deliveries.claimed:
        deliveries = deliverer.run_once(now=now, wait=None)
        attempts += deliveries.recorded
    if attempts:
        click.echo(f"made {attempts} webhook delivery attempt"
                   f"{'' if attempts == 1 else 's'}")
    return bool(handled or answered or deliveries.busy)
