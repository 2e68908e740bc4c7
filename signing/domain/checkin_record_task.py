"""The employee's check-in records as sealed PDFs in the archive: the worker's handler for
``checkin_record`` outbox rows (issue 19).

A check-in record is rendered once the employee's answer to it settles: they
acknowledge it, comment on it, or the days to answer end with neither
(:mod:`signing.domain.case_service` queues the row in the transaction that records each
of these). Rendered then, not on demand, because what the records page serves must not
change after the fact: each PDF is sealed and written once. An answer that comes later
(a comment after the acknowledgement, an answer after the window closed) makes a new
version beside the earlier ones, which stay as they were; the records page serves the
newest. The page is the case file's own (:mod:`docgen.casefile.checkin_record`), so the
check-in looks the same in both, and its data hashes the same.

Safe to run twice, in three steps like the case file's: gather (read only), build and
seal outside any transaction, then in one transaction with the envelope's row locked,
store the blob and add the version, unless the newest version already shows the same
data (another run, or a second answer that changed nothing it shows, made it first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from archive import BlobStore
from docgen import DocgenError
from docgen.casefile.checkin_record import CheckinRecordDocument, build_checkin_record
from docgen.languages import stored_language
from docgen.seal import SealingKey, resolve_level, seal
from signing.domain import case_service, envelopes
from signing.domain.case_file_task import checkin_page
from signing.domain.events import EventType
from signing.domain.models import AuditEventRow, CheckinRecordFile, CheckinRow, OutboxRow
from signing.domain.outbox import OutboxJob, PermanentFailure, TransientFailure

JOB = case_service.CHECKIN_RECORD_JOB  # the outbox row's kind and name
SEAL_REASON = "Sealed record of a check-in meeting of a Performance Improvement Plan"


@dataclass(frozen=True)
class CheckinRecordMaker:
    sessions: sessionmaker[Session]
    store: BlobStore
    sealing_key: Callable[[], SealingKey]
    company_name: str = ""
    timestamp_url: str | None = None
    seal_level: str = "auto"

    def __call__(self, session: Session, job: OutboxJob, now: dt.datetime) -> None:
        checkin_id = str(job.payload.get("checkin_id", ""))
        try:
            doc = gather(session, checkin_id, now=now, company_name=self.company_name)
            if doc is None:
                return None  # the newest version shows this already
            key = self.sealing_key()
            level = resolve_level(self.seal_level, self.timestamp_url, key)
            pdf = seal(build_checkin_record(doc), key, reason=SEAL_REASON,
                       location=doc.company or None, timestamp_url=self.timestamp_url,
                       now=now, level=level)
        except DocgenError as exc:
            raise TransientFailure(f"the record of check-in {checkin_id}: {exc}") from exc
        keep(self.sessions, self.store, doc, pdf, now=now)
        return None


def gather(session: Session, checkin_id: str, *, now: dt.datetime,
           company_name: str = "") -> CheckinRecordDocument | None:
    """The check-in record as it stands, as its PDF shows it, numbered as the next
    version; None when the newest version already shows exactly this."""
    row = session.get(CheckinRow, checkin_id) if 0 < len(checkin_id) <= 36 else None
    if row is None:
        raise PermanentFailure(f"no check-in record {checkin_id!r}")
    view = case_service.read_case(session, row.envelope_id, now=now)
    record = next(r for r in view.records if r.id == checkin_id)
    page = checkin_page(view, record)
    newest = _newest(session, checkin_id)
    if newest is not None and newest.record_sha256 == page.sha256:
        return None
    plan = view.plan
    return CheckinRecordDocument(
        envelope_id=row.envelope_id, checkin_id=checkin_id, plan_id=plan.plan_id or "",
        company=plan.company.name if plan.company else company_name,
        employee=plan.employee.name, zone=view.zone, scheduled=len(view.schedule),
        page=page, version=1 if newest is None else newest.version + 1, made_at=now,
        language=stored_language(envelopes.load(session, row.envelope_id).plan_data))


def keep(sessions: sessionmaker[Session], store: BlobStore, doc: CheckinRecordDocument,
         pdf: bytes, *, now: dt.datetime) -> CheckinRecordFile | None:
    """Store the sealed PDF and add its version, in one transaction with the envelope's
    row locked (so two workers add one); None if a version showing the same data was
    added meanwhile."""
    with sessions.begin() as db:
        envelopes.load(db, doc.envelope_id, lock=True)
        newest = _newest(db, doc.checkin_id)
        if newest is not None and newest.version >= doc.version:
            if newest.record_sha256 == doc.record_sha256:
                return None  # another run kept this one
            # Another answer's run kept its version first: gather again, as it stands.
            raise TransientFailure(f"check-in {doc.checkin_id}: version {newest.version} "
                                   "was kept meanwhile; made again")
        digest = store.put(pdf)
        kept = CheckinRecordFile(checkin_id=doc.checkin_id, envelope_id=doc.envelope_id,
                                 meeting=doc.page.meeting, version=doc.version, sha256=digest,
                                 record_sha256=doc.record_sha256, answer=doc.page.answer.kind,
                                 made_at=now)
        db.add(kept)
        db.flush()
        return kept


def _newest(session: Session, checkin_id: str) -> CheckinRecordFile | None:
    return session.scalars(select(CheckinRecordFile)
                           .where(CheckinRecordFile.checkin_id == checkin_id)
                           .order_by(CheckinRecordFile.version.desc()).limit(1)).first()


def versions_of(session: Session, envelope_id: str) -> list[CheckinRecordFile]:
    """Every version of every check-in record of a plan's case (verify checks each)."""
    return list(session.scalars(select(CheckinRecordFile)
                                .where(CheckinRecordFile.envelope_id == envelope_id)
                                .order_by(CheckinRecordFile.meeting,
                                          CheckinRecordFile.version)))


def backfill(session: Session, *, now: dt.datetime) -> list[str]:
    """Queue the PDF of every check-in the employee answered (acknowledged, commented on,
    or whose days to answer ended) that has none: those answered before check-in records
    were kept as PDFs (migration 0027). Returns the check-ins queued. Safe to rerun: a
    check-in with a PDF, or already queued by an earlier run, is passed over, and the
    handler adds no version that the newest already shows. Drawn as the check-in stands
    at that moment, with every answer so far, in one version."""
    commented = {str((data or {}).get("checkin_id")) for data in session.scalars(
        select(AuditEventRow.data).where(AuditEventRow.type == EventType.CHECKIN_COMMENTED))}
    kept = set(session.scalars(select(CheckinRecordFile.checkin_id).distinct()))
    queued = set(session.scalars(select(OutboxRow.dedupe_key).where(
        OutboxRow.dedupe_key.like(f"%:{BACKFILL}:%"))))
    due = [row for row in session.scalars(
        select(CheckinRow).order_by(CheckinRow.envelope_id, CheckinRow.meeting))
        if (row.acknowledged_at is not None or row.unanswered_at is not None
            or row.id in commented)
        and row.id not in kept and _backfill_key(row) not in queued]
    session.add_all(OutboxRow(dedupe_key=_backfill_key(row), kind=JOB, name=JOB,
                              envelope_id=row.envelope_id, payload={"checkin_id": row.id},
                              created_at=now, attempts=0, next_attempt_at=now)
                    for row in due)
    return [row.id for row in due]


BACKFILL = "checkin-record-backfill"


def _backfill_key(row: CheckinRow) -> str:
    return f"{row.envelope_id}:{BACKFILL}:{row.id}"
