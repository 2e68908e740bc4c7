"""Announcing what happens to envelopes to webhook endpoints: the outbox handler for
``webhook`` rows, which builds each event's thin payload and publishes it with
:func:`webhooks.publish`.

Payloads hold ids, types, statuses, hashes and links: never plan text, comments, names
or email addresses. Statuses are as they stood when the event happened, read from the
audit trail up to the step that decided it, so an event delivered late still tells what
it told then. ``envelope.completed`` adds the final PDF's SHA-256 and a short-lived,
signed download link (:mod:`signing.downloads`).

Events for one envelope are published in the order they happened (their outbox rows'
order), and each endpoint receives them in that order. A handler that finds earlier
``webhook`` rows of its envelope still waiting (a second worker, or an earlier row's
retry) publishes them first, in order; publishing is keyed by the outbox row, so their
own turn later adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import webhooks
from docgen import Plan, plan_from_data
from signing import envelopes
from signing.audit import AuditRecord
from signing.downloads import DownloadLinks, download_url
from signing.models import EnvelopeRow, OutboxRow
from signing.outbox import OutboxJob, PermanentFailure

# Audit events that change an envelope's or a signer's status, and to what.
_ENVELOPE_STATUS = {"envelope.sent": "sent", "envelope.completed": "completed",
                    "envelope.sealed": "sealed", "envelope.archived": "archived",
                    "envelope.voided": "voided", "envelope.expired": "expired"}
_SIGNER_STATUS = {"signer.notified": "notified", "signer.viewed": "viewed",
                  "signer.acknowledged": "acknowledged", "signer.refused": "refused"}
# What an email.bounced event may pass on from its outbox row: which email, and what
# the provider reported, as short codes; never the provider's text (it quotes addresses).
_EMAIL_FIELDS = ("message", "event")


@dataclass(frozen=True)
class _Event:
    outbox_id: int
    dedupe_key: str
    name: str
    signer_id: str | None
    payload: dict[str, Any]
    created_at: dt.datetime


@dataclass(frozen=True)
class Announcer:
    """Everything an announcement needs that the database does not hold."""

    sessions: sessionmaker[Session]
    downloads: DownloadLinks
    base_url: str

    def __call__(self, session: Session, job: OutboxJob, now: dt.datetime) -> None:
        if job.name not in webhooks.EVENT_TYPES:
            raise PermanentFailure(f"{job.name} is not a webhook event type")
        pending = self._waiting(session, job)
        row = envelopes.load(session, job.envelope_id)
        plan = plan_from_data(row.plan_data)
        trail = envelopes.audit_trail(session, row.id)
        announcements = [self.announcement(row, plan, trail, event, now) for event in pending]
        with self.sessions.begin() as db:
            for announcement in announcements:
                webhooks.publish(db, **announcement)

    def announcement(self, row: EnvelopeRow, plan: Plan, trail: Sequence[AuditRecord],
                     event: _Event, now: dt.datetime) -> dict[str, Any]:
        """The arguments of :func:`webhooks.publish` for one event."""
        envelope_status, signer_status = _statuses(trail, _step_seq(event.dedupe_key))
        envelope: dict[str, Any] = {
            "id": row.id, "status": envelope_status, "plan_id": plan.plan_id,
            "employee_id": plan.employee.employee_id,
            "document_sha256": row.document_sha256,
            "url": f"{self.base_url.rstrip('/')}/api/v1/envelopes/{row.id}"}
        data: dict[str, Any] = {"envelope": _present(envelope)}
        by_id = {s.id: s for s in row.signers}
        if event.name.startswith("signer.") or event.name == "email.bounced":
            signer = by_id.get(event.signer_id or "")
            if signer is None:
                raise PermanentFailure(f"{event.name} names no signer of envelope {row.id}")
            data["signer"] = {"id": signer.id, "role": signer.role,
                              "status": signer_status.get(signer.id, "waiting")}
        else:
            data["signers"] = [{"id": s.id, "role": s.role,
                                "status": signer_status.get(s.id, "waiting")}
                               for s in row.signers]
        if event.name == "email.bounced":
            data["email"] = {k: v for k in _EMAIL_FIELDS
                             if isinstance(v := event.payload.get(k), str) and len(v) <= 50}
        if event.name == "envelope.completed" and row.final_sha256 is not None:
            token, expires = self.downloads.sign(row.id, row.final_sha256, now=now)
            data["final_document"] = {
                "sha256": row.final_sha256, "url": download_url(self.base_url, row.id, token),
                "expires_at": expires.isoformat().replace("+00:00", "Z")}
        return {"event_type": event.name, "data": data, "ordering_key": row.id,
                "event_key": event.dedupe_key, "position": event.outbox_id,
                "occurred_at": event.created_at, "now": now,
                "manager": plan.manager.email, "department": plan.employee.department,
                "endpoint_names": [plan.manager.webhook] if plan.manager.webhook else []}

    @staticmethod
    def _waiting(session: Session, job: OutboxJob) -> list[_Event]:
        """This job's event, after any earlier one of its envelope not yet announced."""
        earlier = session.execute(
            select(OutboxRow.id, OutboxRow.dedupe_key, OutboxRow.name, OutboxRow.signer_id,
                   OutboxRow.payload, OutboxRow.created_at)
            .where(OutboxRow.envelope_id == job.envelope_id, OutboxRow.kind == "webhook",
                   OutboxRow.id < job.id, OutboxRow.sent_at.is_(None),
                   OutboxRow.failed_at.is_(None))
            .order_by(OutboxRow.id))
        events = [_Event(r.id, r.dedupe_key, r.name, r.signer_id, dict(r.payload),
                         r.created_at) for r in earlier
                  if r.name in webhooks.EVENT_TYPES]
        return [*events, _Event(job.id, job.dedupe_key, job.name, job.signer_id,
                                dict(job.payload), job.created_at)]


def _step_seq(dedupe_key: str) -> int | None:
    """The audit record that decided an outbox row: its key is ``envelope:seq:index``
    (see :func:`signing.envelopes.perform`)."""
    try:
        return int(dedupe_key.rsplit(":", 2)[1])
    except (IndexError, ValueError):
        return None


def _statuses(trail: Sequence[AuditRecord], seq: int | None) -> tuple[str, dict[str, str]]:
    """The envelope's and each signer's status just after audit record ``seq``."""
    envelope, signers = "draft", {}
    for record in trail:
        if seq is not None and record.seq > seq:
            break
        envelope = _ENVELOPE_STATUS.get(record.type, envelope)
        if record.signer_id and record.type in _SIGNER_STATUS:
            signers[record.signer_id] = _SIGNER_STATUS[record.type]
    return envelope, signers


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
