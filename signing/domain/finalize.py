"""Finalizing an envelope: the outbox handler that stamps, seals and archives the record.

It runs in the worker from the ``finalize`` outbox row, in three steps, each safe to
repeat after a crash:

1. make the final PDF (stamp the original, then seal it), outside any transaction;
2. stage it: store it with the envelope and move the envelope to ``sealed``, in one
   transaction; a second run finds it staged and never seals a second, different one;
3. archive it: put the four documents in the blob store, index the record and move the
   envelope to ``archived`` (which mails every signer their copy), in one transaction.
   Blobs are keyed by their content, so writing them again is harmless.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from archive import (
    ArchivedRecord,
    ArchiveError,
    BlobStore,
    RecordDocuments,
    RecordIndex,
    RetentionPolicy,
    put_record,
)
from docgen import DocgenError, Plan, plan_from_data
from docgen.seal import SealingKey, resolve_level, seal
from docgen.stamp import DocumentKind, SealFacts, stamp
from docgen.stamp.model import AMENDMENT, OUTCOME_LETTER, THE_PLAN
from signing.domain import (
    apikeys,
    audit,
    case_close,
    case_extension,
    envelopes,
    failpoints,
    people,
)
from signing.domain import workflow as wf
from signing.domain.audit import AuditRecord
from signing.domain.completion import KeyFacts, SignerFacts, completion_of
from signing.domain.events import EventType
from signing.domain.models import ApiKey, Document, EnvelopeRow, PersonRow
from signing.domain.outbox import OutboxJob, PermanentFailure, TransientFailure

log = logging.getLogger(__name__)
WORKER = envelopes.Actor("worker")
# A voided envelope is finalized too (sealed and archived as it stood, outcome voided);
# it keeps its state, so whether it is archived is read from the archive.
FINALIZABLE = (wf.EnvelopeState.COMPLETED, wf.EnvelopeState.EXPIRED, wf.EnvelopeState.SEALED,
               wf.EnvelopeState.VOIDED)
SEAL_REASON = "Sealed record of a Performance Improvement Plan and its acknowledgements"


@dataclass(frozen=True)
class Finalizer:
    sessions: sessionmaker[Session]
    store: BlobStore
    sealing_key: Callable[[], SealingKey]
    company_name: str
    timestamp_url: str | None = None
    # The seal_level setting: "auto", or a PAdES level (see docgen.seal.resolve_level).
    seal_level: str = "auto"
    # How long after completion a record is kept, by its department and jurisdiction;
    # None: until someone purges it by hand.
    retention: RetentionPolicy | None = None

    def __call__(self, session: Session, job: OutboxJob, now: dt.datetime) -> None:
        row = envelopes.load(session, job.envelope_id)
        if _archived(session, row):
            return None
        if row.state not in FINALIZABLE:
            raise PermanentFailure(f"envelope {row.id} is {row.state}; only completed or "
                                   "expired envelopes are finalized")
        try:
            if row.final_sha256 is None:
                final = self.final_pdf(session, row, now)
                failpoints.reached("finalize.sealed")
                self._stage(row.id, final, now)
                failpoints.reached("finalize.staged")
            self._archive(row.id, now)
        except (DocgenError, ArchiveError) as exc:
            raise TransientFailure(f"finalizing envelope {row.id}: {exc}") from exc
        return None

    def gave_up(self, session: Session, job: OutboxJob, reason: str, now: dt.datetime) -> None:
        """Finalizing will not be tried again: the envelope keeps its state, and this is
        said loudly, since the record is not archived until someone acts."""
        log.error("envelope %s was not finalized, and will not be tried again by itself: %s",
                  job.envelope_id, reason)

    def final_pdf(self, session: Session, row: EnvelopeRow, now: dt.datetime) -> bytes:
        """The original PDF, stamped with what happened, then sealed."""
        plan = plan_from_data(row.plan_data, stored=True)
        key = self.sealing_key()
        # The certificate page names the seal this PDF is about to get.
        seal_facts = SealFacts(subject=key.subject, fingerprint_sha256=key.fingerprint,
                               sealed_at=now)
        return self.sealed(self.stamped(session, row, plan, seal_facts), plan, now, key)

    def stamped(self, session: Session, row: EnvelopeRow, plan: Plan,
                seal_facts: SealFacts | None = None) -> bytes:
        trail = envelopes.audit_trail(session, row.id)
        completion = completion_of(
            envelope_id=row.id, document_sha256=row.document_sha256,
            signers=[SignerFacts(s.id, s.role, s.name, s.email, s.state, s.decided_at)
                     for s in row.signers],
            trail=trail, plan=plan, company=self._company(plan),
            keys=_keys_in(session, trail), people=_people_in(session, trail),
            seal=seal_facts, document=document_kind(session, row, plan))
        original = session.get_one(Document, row.document_sha256).content
        result = stamp(original, completion)
        for note in result.notes:
            log.warning("envelope %s: %s", row.id, note)
        return result.pdf

    def sealed(self, pdf: bytes, plan: Plan, now: dt.datetime,
               key: SealingKey | None = None) -> bytes:
        key = key or self.sealing_key()
        return seal(pdf, key, timestamp_url=self.timestamp_url,
                    reason=SEAL_REASON, location=self._company(plan) or None, now=now,
                    level=resolve_level(self.seal_level, self.timestamp_url, key))

    def _stage(self, envelope_id: str, final: bytes, now: dt.datetime) -> None:
        with self.sessions.begin() as db:
            row = envelopes.load(db, envelope_id, lock=True)
            if row.final_sha256 is not None:
                return  # another run staged one first; keep theirs
            digest = hashlib.sha256(final).hexdigest()
            if db.get(Document, digest) is None:
                db.add(Document(sha256=digest, content_type="application/pdf", size=len(final),
                                content=final, created_at=now))
            envelopes.perform(db, envelope_id, wf.Action.SEAL, final_sha256=digest, actor=WORKER,
                              now=now)
            row.final_sha256 = digest

    def _archive(self, envelope_id: str, now: dt.datetime) -> None:
        with self.sessions.begin() as db:
            row = envelopes.load(db, envelope_id, lock=True)
            if _archived(db, row):
                return
            trail = envelopes.audit_trail(db, envelope_id)
            plan = plan_from_data(row.plan_data, stored=True)
            assert row.final_sha256 is not None
            documents = RecordDocuments(
                original_pdf=db.get_one(Document, row.document_sha256).content,
                final_pdf=db.get_one(Document, row.final_sha256).content,
                plan_data=dict(row.plan_data), audit_trail=[audit.to_json(r) for r in trail])
            index = record_index(row, plan, trail)
            kept = (self.retention.applying(index.department, index.jurisdiction)
                    if self.retention else None)
            put_record(db, self.store, index, documents, now=now,
                       retain_for=kept.period if kept else None,
                       retention_rule=kept.rule if kept else None)
            failpoints.reached("finalize.blobs_written")
            # The trail says how long the record is kept, and by which rule.
            envelopes.perform(db, envelope_id, wf.Action.ARCHIVE, actor=WORKER, now=now,
                              retention={"retain_until": kept.until(index.completed_at)
                                         .isoformat(), "retention_rule": kept.rule}
                              if kept else None)
            # An outcome letter's record archived closes its case, and an amended plan's
            # is recorded on its case, in this transaction.
            case_close.letter_archived(db, row, now=now)
            case_extension.amendment_archived(db, row, now=now)

    def _company(self, plan: Plan) -> str:
        return plan.company.name if plan.company else self.company_name


def document_kind(session: Session, row: EnvelopeRow, plan: Plan) -> DocumentKind:
    """What the envelope's record names its document: the plan (every envelope made
    before kinds), its outcome letter, or amendment N of the plan of the day it was sent
    (as each page of the amendment says it; the amendment's plan has the plan's zone)."""
    if row.document_kind == OUTCOME_LETTER:
        return DocumentKind(OUTCOME_LETTER)
    if row.document_kind == AMENDMENT and row.amendment_number and row.case_id:
        return DocumentKind(AMENDMENT, row.amendment_number, case_extension.amended_plan_date(
            session, row.case_id, plan, otherwise=row.created_at))
    return THE_PLAN


def _archived(session: Session, row: EnvelopeRow) -> bool:
    if row.state == wf.EnvelopeState.ARCHIVED:
        return True
    return (row.state == wf.EnvelopeState.VOIDED
            and session.get(ArchivedRecord, row.id) is not None)


def _keys_in(session: Session, trail: list[AuditRecord]) -> dict[str, KeyFacts]:
    """The API keys that acted on the envelope, by audit actor, with their names."""
    prefixes = {r.actor.removeprefix("apikey:") for r in trail if r.actor.startswith("apikey:")}
    if not prefixes:
        return {}
    rows = session.scalars(select(ApiKey).where(ApiKey.prefix.in_(prefixes)))
    return {apikeys.actor(k.prefix): KeyFacts(k.name, k.role) for k in rows}


def _people_in(session: Session, trail: list[AuditRecord]) -> dict[str, str]:
    """The console's people who acted on the envelope, by audit actor, with their names."""
    usernames = {r.actor.removeprefix(people.ACTOR_PREFIX) for r in trail
                 if r.actor.startswith(people.ACTOR_PREFIX)}
    if not usernames:
        return {}
    rows = session.execute(select(PersonRow.username, PersonRow.display_name)
                           .where(PersonRow.username.in_(usernames)))
    return {people.actor_of(username): name for username, name in rows}


def record_index(row: EnvelopeRow, plan: Plan, trail: list[AuditRecord]) -> RecordIndex:
    """What records staff will find the plan by."""
    employee = next(s for s in row.signers if s.role == wf.Role.EMPLOYEE)
    outcome = ("voided" if row.state == wf.EnvelopeState.VOIDED else
               {"acknowledged": "acknowledged", "refused": "refused"}.get(employee.state,
                                                                         "no_response"))
    sent = next(r.at for r in trail if r.type == EventType.ENVELOPE_SENT)
    closed = next(r.at for r in reversed(trail)
                  if r.type in (EventType.ENVELOPE_COMPLETED, EventType.ENVELOPE_EXPIRED,
                                EventType.ENVELOPE_VOIDED))
    plan_id = plan.plan_id or row.id
    if row.document_kind != "plan":  # the plan's outcome letter or amendment: its own
        plan_id = f"{plan_id}/{row.document_kind}"[:100]  # record, named by the plan
    return RecordIndex(envelope_id=row.id, plan_id=plan_id,
                       employee_name=plan.employee.name, employee_id=plan.employee.employee_id,
                       manager_name=plan.manager.name, department=plan.employee.department,
                       outcome=outcome, sent_at=sent, completed_at=closed,
                       sent_by=row.owner, team=row.team,
                       jurisdiction=plan.employee.jurisdiction)

