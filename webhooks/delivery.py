"""The delivery pass the worker runs: claim due messages, send them, record what happened.

One pass (:meth:`Deliverer.run_once`):

1. records the attempts that finished since the last pass;
2. claims due messages, as many as there are free slots, in one short transaction: each
   claim is a lease (``next_attempt_at`` moved past the longest an attempt can take), so
   a worker that dies leaves its messages to be claimed again, and ``FOR UPDATE SKIP
   LOCKED`` keeps two workers on PostgreSQL off the same message. A message is not
   claimed while an earlier one for the same endpoint and ordering key (envelope) is
   still pending, so each endpoint gets an envelope's events in the order they happened;
3. signs each (same ``webhook-id`` every time, this attempt's timestamp) and hands it to
   the :class:`~webhooks.transport.Transport`, which keeps many in flight;
4. waits for them (``wait``: at most that long; ``None``: until all are done) and
   records, in one transaction, each attempt and what follows from it: 2xx delivered;
   410 the endpoint is disabled and the message failed; anything else is tried again on
   the schedule (:mod:`webhooks.schedule`), or failed once it is exhausted.

Attempts still in flight when a pass stops waiting are recorded by a later pass, so one
receiver that hangs until its timeout does not hold up the worker's other work.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, exists, select, update
from sqlalchemy.orm import Session, sessionmaker

from webhooks.endpoints import secrets_at
from webhooks.models import WebhookAttempt, WebhookEndpoint, WebhookMessage
from webhooks.schedule import next_attempt, parse_retry_after
from webhooks.signatures import headers
from webhooks.transport import Outcome, Transport

_M = WebhookMessage.__table__
_E = WebhookEndpoint.__table__
_A = WebhookAttempt.__table__


@dataclass(frozen=True)
class DeliveryConfig:
    timeout: float = 10.0          # seconds one attempt may take
    allow_private: bool = False    # send to loopback and private addresses (tests)
    concurrency: int = 256         # messages held at once: sending, or queued to send
    per_endpoint: int = 16         # requests open to any one endpoint at once
    # Seconds a claim lasts at least (a dead worker's, too). The product passes its
    # worker_lease_seconds setting; this default equals that setting's (a test keeps them
    # equal), since this package reads no settings.
    min_lease: float = 300.0

    @property
    def held_per_endpoint(self) -> int:
        """Messages one endpoint may hold: a few rounds of its connections, so a pass
        fills them again at once, and a receiver that hangs holds a quarter at most of
        the slots (with the defaults) while the others go on."""
        return min(4 * self.per_endpoint, self.concurrency)

    @property
    def lease(self) -> dt.timedelta:
        """How long a claimed message is hidden from other workers: well past the
        longest an attempt can take, queueing for its endpoint's connections included."""
        rounds = -(-self.held_per_endpoint // self.per_endpoint)
        return dt.timedelta(seconds=max(self.min_lease, 2 * rounds * self.timeout))


@dataclass(frozen=True)
class Claimed:
    id: str
    endpoint_id: str
    url: str
    payload: str
    attempt: int  # this attempt's number (1 for the first)
    tries: int    # attempts since it was last queued, this one included
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class PassResult:
    claimed: int
    recorded: int
    in_flight: int

    @property
    def busy(self) -> bool:
        return bool(self.claimed or self.recorded or self.in_flight)


@dataclass
class _InFlight:
    message: Claimed
    at: dt.datetime
    future: concurrent.futures.Future[Outcome]


class Deliverer:
    """Delivers webhook messages from the database; one per worker process."""

    def __init__(self, sessions: sessionmaker[Session], config: DeliveryConfig = DeliveryConfig(),
                 *, transport: Transport | None = None, rng: random.Random | None = None,
                 before_record: Callable[[], None] | None = None) -> None:
        """``before_record`` runs when attempts have finished and are about to be recorded
        (the fault tests stop the worker there)."""
        self.sessions = sessions
        self.before_record = before_record
        self.config = config
        self.transport = transport or Transport(timeout=config.timeout,
                                                allow_private=config.allow_private,
                                                per_endpoint=config.per_endpoint)
        self.rng = rng or random.Random()
        self._in_flight: list[_InFlight] = []

    def run_once(self, *, now: dt.datetime, wait: float | None = None) -> PassResult:
        """One pass (see the module's description). ``wait=None`` waits for every attempt
        in flight, so the pass leaves nothing behind (``worker --once``, tests)."""
        recorded = self._record(self._finished())
        free = self.config.concurrency - len(self._in_flight)
        claimed = self._claim(now, free) if free > 0 else []
        for message in claimed:
            self._in_flight.append(_InFlight(message, now, self.transport.send(
                message.endpoint_id, message.url, message.payload.encode("utf-8"),
                headers(message.id, message.payload, now, message.secrets))))
        if self._in_flight and (wait is None or wait > 0):
            concurrent.futures.wait([f.future for f in self._in_flight], timeout=wait)
        recorded += self._record(self._finished())
        return PassResult(len(claimed), recorded, len(self._in_flight))

    def close(self) -> None:
        """Wait for the attempts in flight, record them, and close the connections."""
        if self._in_flight:
            concurrent.futures.wait([f.future for f in self._in_flight])
            self._record(self._finished())
        self.transport.close()

    def __enter__(self) -> Deliverer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- claiming -------------------------------------------------------------------------

    def _claim(self, now: dt.datetime, free: int) -> list[Claimed]:
        busy = Counter(f.message.endpoint_id for f in self._in_flight)
        # Endpoints holding all they may are left out of the query itself: a backlog at
        # one that hangs must not fill the rows fetched and starve the others.
        full = [e for e, held in busy.items() if held >= self.config.held_per_endpoint]
        earlier = _M.alias("earlier")
        due = (select(_M.c.id, _M.c.endpoint_id, _M.c.payload, _M.c.attempts, _M.c.tries,
                      _E.c.url, _E.c.secret, _E.c.previous_secret,
                      _E.c.previous_secret_expires_at)
               .join(_E, _E.c.id == _M.c.endpoint_id)
               .where(_M.c.next_attempt_at <= now, _E.c.disabled_at.is_(None),
                      _M.c.endpoint_id.not_in(full),
                      ~exists().where(and_(earlier.c.endpoint_id == _M.c.endpoint_id,
                                           earlier.c.ordering_key == _M.c.ordering_key,
                                           earlier.c.position < _M.c.position,
                                           earlier.c.next_attempt_at.is_not(None))))
               .order_by(_M.c.next_attempt_at, _M.c.position)
               # More than there are slots: some may belong to endpoints that are full.
               .limit(min(4 * free, 2000))
               .with_for_update(skip_locked=True, of=_M))
        claimed: list[Claimed] = []
        with self.sessions.begin() as session:
            for row in session.execute(due):
                if len(claimed) == free:
                    break
                if busy[row.endpoint_id] >= self.config.held_per_endpoint:
                    continue
                busy[row.endpoint_id] += 1
                claimed.append(Claimed(
                    row.id, row.endpoint_id, row.url, row.payload, row.attempts + 1,
                    row.tries + 1, tuple(secrets_at(row.secret, row.previous_secret,
                                                  row.previous_secret_expires_at, now))))
            if claimed:
                session.execute(
                    update(_M).where(_M.c.id == bindparam("claimed_id"))
                    .values(attempts=bindparam("attempt"), tries=bindparam("try_"),
                            next_attempt_at=now + self.config.lease),
                    [{"claimed_id": c.id, "attempt": c.attempt, "try_": c.tries}
                     for c in claimed])
        return claimed

    # -- recording ------------------------------------------------------------------------

    def _finished(self) -> list[tuple[_InFlight, Outcome]]:
        # Asked once per attempt: one that ends between two looks must be neither lost
        # nor recorded twice.
        done = [f for f in self._in_flight if f.future.done()]
        if done:
            finished = {id(f) for f in done}
            self._in_flight = [f for f in self._in_flight if id(f) not in finished]
        return [(f, f.future.result()) for f in done]

    def _record(self, finished: Sequence[tuple[_InFlight, Outcome]]) -> int:
        if finished and self.before_record is not None:
            self.before_record()
        if not finished:
            return 0
        attempts, updates, gone = [], [], {}
        for flight, outcome in finished:
            message, ended = flight.message, flight.at + dt.timedelta(
                milliseconds=outcome.latency_ms)
            attempts.append({"message_id": message.id, "number": message.attempt,
                             "at": flight.at, "status_code": outcome.status,
                             "latency_ms": outcome.latency_ms,
                             "response_excerpt": outcome.excerpt, "error": outcome.error})
            change: dict[str, object] = {"message_id": message.id, "next": None, "delivered": None,
                      "failed": None, "status": outcome.status,
                      "error": None if outcome.delivered else _error_of(outcome)}
            if outcome.delivered:
                change["delivered"] = ended
            elif outcome.status == 410:
                change["failed"] = ended
                gone[message.endpoint_id] = ended
            else:
                retry_after = parse_retry_after(outcome.retry_after, ended)
                change["next"] = next_attempt(message.tries, ended, retry_after=retry_after,
                                              rng=self.rng)
                if change["next"] is None:
                    change["failed"] = ended
            updates.append(change)
        with self.sessions.begin() as session:
            session.execute(_A.insert(), attempts)
            session.execute(
                update(_M).where(_M.c.id == bindparam("message_id"))
                .values(next_attempt_at=bindparam("next"), delivered_at=bindparam("delivered"),
                        failed_at=bindparam("failed"), last_status=bindparam("status"),
                        last_error=bindparam("error")), updates)
            for endpoint_id, at in gone.items():
                session.execute(
                    update(_E).where(_E.c.id == endpoint_id, _E.c.disabled_at.is_(None))
                    .values(disabled_at=at, disabled_reason=(
                        f"the endpoint answered 410 Gone at {at:%Y-%m-%d %H:%M:%S} UTC")))
        return len(finished)


def _error_of(outcome: Outcome) -> str:
    if outcome.error is not None:
        return outcome.error
    if outcome.status is not None and 300 <= outcome.status < 400:
        return f"HTTP {outcome.status}: redirects are not followed"
    return f"HTTP {outcome.status}"
