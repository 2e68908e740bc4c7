"""Announcing what happens to envelopes to webhook endpoints: the outbox's ``webhook``
rows become messages for the endpoints that want them (:func:`webhooks.publish`).

Payloads hold ids, types, statuses, hashes and links: never plan text, comments, names
or email addresses. Statuses are as they stood when the event happened, read from the
audit trail up to the step that decided it, so an event delivered late still tells what
it told then. ``envelope.completed`` adds the final PDF's SHA-256 and a short-lived,
signed download link (:mod:`signing.domain.downloads`).

Events for one envelope are published in the order they happened (their outbox rows'
order), and each endpoint receives them in that order. Announcing a row first publishes
any earlier ``webhook`` row of its envelope still waiting (a second worker has it, or it
waits for a retry); publishing is keyed by the outbox row, so their own turn adds nothing.

The worker announces in batches (:meth:`Announcer.run_once`): rows claimed from the
outbox like any others, then every message and every row's completion written in one
transaction, since on SQLite each commit is a disk flush. A row that cannot be announced
goes through :func:`signing.domain.outbox.handle` on its own, which retries it or gives up as
for any handler. :meth:`Announcer.__call__` is the same for one row.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import webhooks
from database import make_session_factory
from signing.domain import outbox
from signing.domain.downloads import DownloadLinks, download_url
from signing.domain.events import EventType
from signing.domain.models import AuditEventRow, EnvelopeRow, OutboxRow, SignerRow
from signing.domain.outbox import OutboxJob, PermanentFailure

# Audit events that change an envelope's or a signer's status, and to what.
_ENVELOPE_STATUS: dict[str, str] = {
    EventType.ENVELOPE_SENT: "sent", EventType.ENVELOPE_COMPLETED: "completed",
    EventType.ENVELOPE_SEALED: "sealed", EventType.ENVELOPE_ARCHIVED: "archived",
    EventType.ENVELOPE_VOIDED: "voided", EventType.ENVELOPE_EXPIRED: "expired"}
_SIGNER_STATUS: dict[str, str] = {
    EventType.SIGNER_NOTIFIED: "notified", EventType.SIGNER_VIEWED: "viewed",
    EventType.SIGNER_ACKNOWLEDGED: "acknowledged", EventType.SIGNER_REFUSED: "refused",
    EventType.SIGNER_CONFIRMED: "confirmed", EventType.SIGNER_DECLINED: "declined"}
# What an email.bounced event may pass on from its outbox row: which email, and what
# the provider reported, as short codes; never the provider's text (it quotes addresses).
_EMAIL_FIELDS = ("message", "event")
# What checkin.recorded and checkin.missed pass on from their outbox row.
_CHECKIN_FIELDS = ("checkin_id", "meeting", "held", "scheduled_for")
BATCH = 200

# Read with Core, built once: announcing is a few small reads per event.
_E, _S, _A, _O = (EnvelopeRow.__table__, SignerRow.__table__, AuditEventRow.__table__,
                  OutboxRow.__table__)
_ENVELOPE = select(_E.c.id, _E.c.document_sha256, _E.c.final_sha256, _E.c.plan_data,
                   _E.c.owner, _E.c.team).where(_E.c.id == bindparam("envelope_id"))
_SIGNERS = (select(_S.c.id, _S.c.role).where(_S.c.envelope_id == bindparam("envelope_id"))
            .order_by(_S.c.routing_order, _S.c.id))
_TRAIL = (select(_A.c.seq, _A.c.type, _A.c.signer_id)
          .where(_A.c.envelope_id == bindparam("envelope_id")).order_by(_A.c.seq))
_WAITING = (select(_O.c.id, _O.c.dedupe_key, _O.c.name, _O.c.signer_id, _O.c.payload,
                   _O.c.created_at)
            .where(_O.c.envelope_id == bindparam("envelope_id"), _O.c.kind == "webhook",
                   _O.c.id < bindparam("job_id"), _O.c.sent_at.is_(None),
                   _O.c.failed_at.is_(None))
            .order_by(_O.c.id))


@dataclass(frozen=True)
class _Event:
    outbox_id: int
    dedupe_key: str
    name: str
    signer_id: str | None
    payload: Mapping[str, Any]
    created_at: dt.datetime


@dataclass(frozen=True)
class _Envelope:
    id: str
    document_sha256: str
    final_sha256: str | None
    plan: Mapping[str, Any]
    signers: tuple[tuple[str, str], ...]  # (id, role) in routing order
    trail: tuple[tuple[int, str, str | None], ...]  # (seq, type, signer id)
    owner: str = ""  # whose endpoints may hear of it (signing.domain.access)
    team: str | None = None


@dataclass(frozen=True)
class Announcer:
    """Everything an announcement needs that the database does not hold."""

    sessions: sessionmaker[Session]
    downloads: DownloadLinks
    base_url: str
    lease: dt.timedelta = outbox.LEASE  # how long a claimed batch is this worker's

    def __call__(self, session: Session, job: OutboxJob, now: dt.datetime) -> None:
        """The outbox handler for one ``webhook`` row."""
        announcements = self.announcements(session, job, now)
        with self.sessions.begin() as db:
            for announcement in announcements:
                webhooks.publish(db, **announcement)

    def run_once(self, *, now: dt.datetime, limit: int = BATCH) -> int:
        """Claim and announce a batch of ``webhook`` rows; returns how many were handled."""
        jobs = outbox.claim(self.sessions, kinds=["webhook"], now=now, limit=limit,
                            lease=self.lease)
        ready: list[tuple[OutboxJob, list[dict[str, Any]]]] = []
        alone: list[OutboxJob] = []
        with self._readers() as session:
            for job in jobs:
                try:
                    ready.append((job, self.announcements(session, job, now)))
                except Exception:  # outbox.handle, on its own, records it and retries
                    alone.append(job)
        if ready:
            try:
                with self.sessions.begin() as db:
                    for _, announcements in ready:
                        for announcement in announcements:
                            webhooks.publish(db, **announcement)
                    db.execute(update(_O).where(_O.c.id.in_([job.id for job, _ in ready]))
                               .values(sent_at=now, last_error=None))
            except SQLAlchemyError:
                alone.extend(job for job, _ in ready)
        for job in alone:
            outbox.handle(self.sessions, self, job, now=now)
        return len(jobs)

    def announcements(self, session: Session, job: OutboxJob,
                      now: dt.datetime) -> list[dict[str, Any]]:
        """The arguments of :func:`webhooks.publish` for this row's event, after those
        of any earlier event of its envelope still waiting."""
        if job.name not in webhooks.EVENT_TYPES:
            raise PermanentFailure(f"{job.name} is not a webhook event type")
        params = {"envelope_id": job.envelope_id}
        row = session.execute(_ENVELOPE, params).one_or_none()
        if row is None:
            raise PermanentFailure(f"no envelope {job.envelope_id}")
        envelope = _Envelope(
            row.id, row.document_sha256, row.final_sha256, row.plan_data,
            tuple((s.id, s.role) for s in session.execute(_SIGNERS, params)),
            tuple((a.seq, a.type, a.signer_id) for a in session.execute(_TRAIL, params)),
            row.owner, row.team)
        earlier = [_Event(r.id, r.dedupe_key, r.name, r.signer_id, r.payload, r.created_at)
                   for r in session.execute(_WAITING, {**params, "job_id": job.id})
                   if r.name in webhooks.EVENT_TYPES]
        this = _Event(job.id, job.dedupe_key, job.name, job.signer_id, job.payload,
                      job.created_at)
        return [self.announcement(envelope, event, now) for event in (*earlier, this)]

    def announcement(self, envelope: _Envelope, event: _Event,
                     now: dt.datetime) -> dict[str, Any]:
        """The arguments of :func:`webhooks.publish` for one event."""
        envelope_status, signer_status = _statuses(envelope.trail, _step_seq(event.dedupe_key))
        plan = envelope.plan  # as sending stored it: validated, by alias, without nulls
        employee, manager = plan.get("employee", {}), plan.get("manager", {})
        about: dict[str, Any] = {
            "id": envelope.id, "status": envelope_status, "plan_id": plan.get("plan_id"),
            "employee_id": employee.get("employee_id"),
            "document_sha256": envelope.document_sha256,
            "url": f"{self.base_url.rstrip('/')}/api/v1/envelopes/{envelope.id}"}
        data: dict[str, Any] = {"envelope": {k: v for k, v in about.items() if v is not None}}
        if event.name.startswith("signer.") or event.name == EventType.EMAIL_BOUNCED:
            role = dict(envelope.signers).get(event.signer_id or "")
            if role is None:
                raise PermanentFailure(f"{event.name} names no signer of envelope "
                                       f"{envelope.id}")
            data["signer"] = {"id": event.signer_id, "role": role,
                              "status": signer_status.get(event.signer_id or "", "waiting")}
        else:
            data["signers"] = [{"id": signer_id, "role": role,
                                "status": signer_status.get(signer_id, "waiting")}
                               for signer_id, role in envelope.signers]
        if event.name.startswith("checkin."):
            # Which meeting of the plan's case, and whether it was held: never what was
            # said at it.
            data["checkin"] = {k: v for k in _CHECKIN_FIELDS
                               if isinstance(v := event.payload.get(k), str | int | bool)}
        if event.name == EventType.EMAIL_BOUNCED:
            data["email"] = {k: v for k in _EMAIL_FIELDS
                             if isinstance(v := event.payload.get(k), str) and len(v) <= 50}
        data_for = None
        if event.name == EventType.ENVELOPE_COMPLETED and envelope.final_sha256 is not None:
            data_for = functools.partial(self._with_download, data, envelope.id,
                                         envelope.final_sha256, now)
        named = manager.get("webhook")
        return {"event_type": event.name, "data": data, "ordering_key": envelope.id,
                "event_key": event.dedupe_key, "position": event.outbox_id,
                "occurred_at": event.created_at, "now": now, "owner": envelope.owner,
                "team": envelope.team, "manager": manager.get("email"),
                "department": employee.get("department"),
                "endpoint_names": [named] if named else [], "data_for": data_for}

    def _with_download(self, data: Mapping[str, Any], envelope_id: str, sha256: str,
                       now: dt.datetime, endpoint_id: str) -> dict[str, Any]:
        """``data`` with a link to the final PDF of its own for one endpoint, so that the
        access log names the endpoint whose link was followed."""
        token, expires = self.downloads.sign(envelope_id, sha256, endpoint_id=endpoint_id,
                                             now=now)
        return {**data, "final_document": {
            "sha256": sha256, "url": download_url(self.base_url, envelope_id, token),
            "expires_at": expires.isoformat().replace("+00:00", "Z")}}

    @functools.cached_property
    def _readers(self) -> sessionmaker[Session]:
        # Reading takes no write lock: announcing must not hold up the signers' pages.
        return make_session_factory(self.sessions.kw["bind"], read_only=True)


def _step_seq(dedupe_key: str) -> int | None:
    """The audit record that decided an outbox row: its key is ``envelope:seq:index``
    (see :func:`signing.domain.envelopes.perform`)."""
    try:
        return int(dedupe_key.rsplit(":", 2)[1])
    except (IndexError, ValueError):
        return None


def _statuses(trail: Sequence[tuple[int, str, str | None]],
              seq: int | None) -> tuple[str, dict[str, str]]:
    """The envelope's and each signer's status just after audit record ``seq``."""
    envelope, signers = "draft", {}
    for record_seq, kind, signer_id in trail:
        if seq is not None and record_seq > seq:
            break
        envelope = _ENVELOPE_STATUS.get(kind, envelope)
        if signer_id and kind in _SIGNER_STATUS:
            signers[signer_id] = _SIGNER_STATUS[kind]
    return envelope, signers
