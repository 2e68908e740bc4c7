"""The deadlines the worker keeps: a reminder every few days to signers who have been
asked and have not acted, expiry when an envelope's deadline passes, and completion
once the comment window after a recorded refusal has closed (every signer being done).

Each envelope is handled in its own write transaction, which checks again under the
lock whether the step is still due, so two workers sweeping at once remind or expire an
envelope once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from signing.domain import envelopes
from signing.domain import workflow as wf
from signing.domain.events import EventType
from signing.domain.models import AuditEventRow, EnvelopeRow, SignerRow

WORKER = envelopes.Actor("worker")
# Events that put a request in a signer's mailbox; a reminder is due this long after the latest.
NOTICES = (EventType.SIGNER_NOTIFIED, EventType.SIGNER_REMINDED, EventType.SIGNER_LINK_REISSUED)


@dataclass
class Swept:
    reminded: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)


def reminder_due(last_notice: dt.datetime, *, now: dt.datetime, every: dt.timedelta,
                 expires_at: dt.datetime | None) -> bool:
    """Whether signers last emailed at ``last_notice`` should be reminded at ``now``."""
    before_deadline = expires_at is None or now < expires_at
    return before_deadline and now >= last_notice + every


def sweep(sessions: sessionmaker[Session], *, now: dt.datetime,
          remind_every: dt.timedelta | None, limit: int = 100) -> Swept:
    """Complete what has done with its comment window, expire what is past its deadline
    (not while a comment window is open), then remind where a reminder is due."""
    swept = Swept()
    with sessions() as session:
        closing = session.scalars(
            select(EnvelopeRow.id).where(EnvelopeRow.state == wf.EnvelopeState.SENT,
                                         EnvelopeRow.comments_until <= now,
                                         ~EnvelopeRow.signers.any(
                                             SignerRow.state.not_in(wf.DONE_STATES)))
            .order_by(EnvelopeRow.comments_until).limit(limit)).all()
    for envelope_id in closing:
        if _act(sessions, envelope_id, wf.Action.CLOSE_COMMENTS, now):
            swept.completed.append(envelope_id)
    with sessions() as session:
        overdue = session.scalars(
            select(EnvelopeRow.id).where(EnvelopeRow.state == wf.EnvelopeState.SENT,
                                         EnvelopeRow.expires_at <= now,
                                         or_(EnvelopeRow.comments_until.is_(None),
                                             EnvelopeRow.comments_until <= now))
            .order_by(EnvelopeRow.expires_at).limit(limit)).all()
    for envelope_id in overdue:
        if _act(sessions, envelope_id, wf.Action.EXPIRE, now):
            swept.expired.append(envelope_id)
    if remind_every is None:
        return swept
    with sessions() as session:
        quiet = session.scalars(
            select(AuditEventRow.envelope_id)
            .join(EnvelopeRow, EnvelopeRow.id == AuditEventRow.envelope_id)
            .where(EnvelopeRow.state == wf.EnvelopeState.SENT, EnvelopeRow.expires_at > now,
                   AuditEventRow.type.in_(NOTICES))
            .group_by(AuditEventRow.envelope_id)
            .having(func.max(AuditEventRow.at) <= now - remind_every)
            .limit(limit)).all()
    for envelope_id in quiet:
        if _act(sessions, envelope_id, wf.Action.REMIND, now, remind_every):
            swept.reminded.append(envelope_id)
    return swept


def _act(sessions: sessionmaker[Session], envelope_id: str, action: wf.Action, now: dt.datetime,
         remind_every: dt.timedelta | None = None) -> bool:
    """Carry out ``action`` if it is still due once this worker holds the envelope."""
    with sessions.begin() as session:
        row = envelopes.load(session, envelope_id, lock=True)
        if row.state != wf.EnvelopeState.SENT:
            return False
        all_done = all(s.state in wf.DONE_STATES for s in row.signers)
        window_open = row.comments_until is not None and now < row.comments_until
        if action is wf.Action.EXPIRE and (row.expires_at is None or now < row.expires_at
                                           or window_open or all_done):
            return False
        if action is wf.Action.CLOSE_COMMENTS and (row.comments_until is None or window_open
                                                   or not all_done):
            return False
        if action is wf.Action.REMIND:
            assert remind_every is not None
            last = session.scalar(select(func.max(AuditEventRow.at)).where(
                AuditEventRow.envelope_id == envelope_id, AuditEventRow.type.in_(NOTICES)))
            if last is None or not reminder_due(last, now=now, every=remind_every,
                                                expires_at=row.expires_at):
                return False
        step = envelopes.perform(session, envelope_id, action, actor=WORKER, now=now)
        return bool(step.events)
