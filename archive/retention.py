"""Keeping records for their retention period, legal holds, and purging what has passed
its period.

A purge removes the index row and leaves a tombstone (ids, hashes, dates, who purged)
in one transaction, then deletes the blobs no remaining record uses. A crash between the
two leaves blobs nobody points at, which the next purge deletes. A record on legal hold
is never purged, whatever its date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from archive.access import Reader, log_access
from archive.errors import ArchiveError, BlobNotFound
from archive.models import ArchivedRecord, RecordVersion, Tombstone
from archive.records import get_record
from archive.store import BlobStore

MAX_REASON = 2000
BLOB_COLUMNS = ("original_sha256", "final_sha256", "plan_sha256", "audit_sha256",
                "case_file_sha256")  # the last only once the plan's case closed


class HoldError(ArchiveError):
    def __init__(self, envelope_id: str, message: str) -> None:
        self.envelope_id = envelope_id
        super().__init__(message)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def reason_problem(reason: str) -> str | None:
    """What is wrong with the reason given for placing or lifting a hold, or None."""
    if not reason.strip() or len(" ".join(reason.split())) > MAX_REASON:
        return (f"give a reason of 1 to {MAX_REASON} characters: who asked for the hold, "
                "or why it is lifted")
    if _CONTROL.search(reason):
        return "contains control characters; remove them"
    return None


def _reason(reason: str) -> str:
    problem = reason_problem(reason)
    if problem is not None:
        raise HoldError("", f"reason: {problem}")
    return " ".join(reason.split())


def place_hold(session: Session, envelope_id: str, *, reason: str, by: Reader,
               now: dt.datetime) -> ArchivedRecord:
    """Keep a record past its retention period, until the hold is lifted."""
    reason = _reason(reason)
    record = get_record(session, envelope_id)
    if record.on_hold:
        raise HoldError(envelope_id, f"envelope {envelope_id} is already on hold since "
                                     f"{record.hold_at:%Y-%m-%d} ({record.hold_reason})")
    record.hold_reason, record.hold_by, record.hold_at = reason, by.actor, now
    log_access(session, by, "hold", now=now, envelope_id=envelope_id, detail=reason)
    return record


def lift_hold(session: Session, envelope_id: str, *, reason: str, by: Reader,
              now: dt.datetime) -> ArchivedRecord:
    reason = _reason(reason)
    record = get_record(session, envelope_id)
    if not record.on_hold:
        raise HoldError(envelope_id, f"envelope {envelope_id} is not on hold")
    record.hold_reason = record.hold_by = record.hold_at = None
    log_access(session, by, "lift hold", now=now, envelope_id=envelope_id, detail=reason)
    return record


@dataclass(frozen=True)
class PurgePlan:
    due: list[str]    # envelope ids past their retention period and not on hold
    held: list[str]   # past their period, kept by a legal hold
    executed: bool


def purge(sessions: sessionmaker[Session], store: BlobStore, *, now: dt.datetime,
          by: Reader, execute: bool = False) -> PurgePlan:
    """What is due for purging; with ``execute``, purge it."""
    query = (select(ArchivedRecord)
             .where(ArchivedRecord.retain_until.is_not(None), ArchivedRecord.retain_until <= now)
             .order_by(ArchivedRecord.retain_until))
    if execute:
        # Locked as read: a hold placed meanwhile waits for the purge, or the purge for
        # the hold and then sees it; a record just put on hold is never purged.
        query = query.with_for_update()
    with sessions.begin() as session:
        expired = session.scalars(query).all()
        due = [r.envelope_id for r in expired if not r.on_hold]
        held = [r.envelope_id for r in expired if r.on_hold]
        if not execute:
            return PurgePlan(due, held, executed=False)
        for record in expired:
            if record.on_hold:
                continue
            session.add(Tombstone(
                envelope_id=record.envelope_id, plan_id=record.plan_id,
                sent_at=record.sent_at, completed_at=record.completed_at,
                archived_at=record.archived_at, retain_until=record.retain_until,
                purged_at=now, purged_by=by.actor,
                **{column: getattr(record, column) for column in BLOB_COLUMNS}))
            log_access(session, by, "purge", now=now, envelope_id=record.envelope_id,
                       detail=f"retention ended {record.retain_until:%Y-%m-%d}")
            session.delete(record)
    delete_unused_blobs(sessions, store)
    return PurgePlan(due, held, executed=True)


def delete_unused_blobs(sessions: sessionmaker[Session], store: BlobStore) -> int:
    """Delete the blobs of purged records that no remaining record uses: their documents,
    and every earlier final PDF (a version before an archive timestamp was added; the
    version rows, hashes only, stay beside the tombstone)."""
    deleted = 0
    with sessions() as session:
        keys = {getattr(t, column) for t in session.scalars(select(Tombstone))
                for column in BLOB_COLUMNS} - {None}
        keys |= set(session.scalars(select(RecordVersion.sha256).join(
            Tombstone, Tombstone.envelope_id == RecordVersion.envelope_id)))
        for key in sorted(keys):
            used = session.scalar(select(ArchivedRecord.envelope_id).where(or_(
                *(getattr(ArchivedRecord, column) == key for column in BLOB_COLUMNS)))
                .limit(1)) or session.scalar(
                select(RecordVersion.envelope_id).join(
                    ArchivedRecord, ArchivedRecord.envelope_id == RecordVersion.envelope_id)
                .where(RecordVersion.sha256 == key).limit(1))
            if used is None and store.exists(key):
                try:
                    store.delete(key)
                    deleted += 1
                except BlobNotFound:
                    pass
    return deleted
