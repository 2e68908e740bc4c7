"""What the mail provider tells us about the emails we sent: matched to their signers and
recorded in each envelope's audit trail.

Each email carries opaque custom arguments (envelope id, signer id, and the outbox row's
idempotency key), so an event names the exact message it is about. Events for messages
to HR, or that match nothing, are recognised (so a resend is still dropped) and ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from signing.domain import envelopes
from signing.domain import workflow as wf
from signing.domain.mail.message import IDEMPOTENCY_ARG
from signing.domain.models import OutboxRow
from signing.domain.notify import SIGNER_MESSAGES
from webhooks.sendgrid_events import ProviderEvent, SendGridEvents, first_seen


@dataclass(frozen=True)
class Received:
    events: int   # in the batch, of the kinds plansign records
    recorded: int  # new, and matched to a signer's email


def receive_sendgrid_batch(sessions: sessionmaker[Session], reader: SendGridEvents,
                           body: bytes, *, signature: str | None, timestamp: str | None,
                           ip: str | None, now: dt.datetime) -> Received:
    """Verify a batch (raising :class:`webhooks.sendgrid_events.ProviderEventError`) and
    record its new events, all in one transaction."""
    events = reader.read(body, signature=signature, timestamp=timestamp, now=now)
    actor = envelopes.Actor("sendgrid", ip)
    for attempt in (1, 2):
        try:
            with sessions.begin() as session:
                recorded = sum(_record(session, event, actor, now)
                               for event in first_seen(session, events, now))
            return Received(len(events), recorded)
        except IntegrityError:
            # Two deliveries of the same batch at once: the other one recorded the
            # events first; the second try sees them and drops them as duplicates.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _record(session: Session, event: ProviderEvent, actor: envelopes.Actor,
            now: dt.datetime) -> bool:
    envelope_id = event.custom_args.get("envelope_id")
    signer_id = event.custom_args.get("signer_id")
    key = event.custom_args.get(IDEMPOTENCY_ARG)
    if not (envelope_id and signer_id and key):
        return False
    sent = session.scalars(select(OutboxRow).where(OutboxRow.dedupe_key == key)).first()
    if (sent is None or sent.envelope_id != envelope_id or sent.signer_id != signer_id
            or sent.name not in SIGNER_MESSAGES):
        return False
    envelopes.perform(session, envelope_id, wf.Action.EMAIL_EVENT, signer_id=signer_id,
                      kind=event.kind, message=sent.name, occurred_at=event.occurred_at,
                      reason=event.reason, actor=actor, now=now)
    return True
