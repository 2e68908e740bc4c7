"""Erasing what the signing database still holds of a purged record.

``plansign archive purge`` deletes an archived record past its retention period and
leaves a tombstone; until then the signing database keeps the envelope it came from:
the plan data, both PDFs, the signers' names and addresses, and an audit trail with
their comments, typed names and IP addresses. Erasing removes all of that for every
envelope that has a tombstone, so that retention means deletion everywhere. The audit
trail's database guard lets these deletes through only for tombstoned envelopes
(migration 0009). Safe to run again: what is gone stays gone, and a purge interrupted
before erasing is finished by the next one.
"""

from __future__ import annotations

import contextlib

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from archive import BlobNotFound, BlobStore
from archive.models import ArchivedRecord, Tombstone
from signing.domain.models import (
    AuditEventRow,
    CaseRow,
    CheckinRecordFile,
    CheckinRow,
    Document,
    EnvelopeRow,
    ExtensionRow,
    OutboxRow,
    RecordLinkRevocation,
    SignerRow,
)


def erase_purged(session: Session, store: BlobStore | None = None) -> list[str]:
    """Delete every tombstoned envelope and what belongs to it; returns their ids. With
    ``store``, the sealed PDFs of its check-in records go from the archive's blob store
    too (deleted before the caller commits: should the commit fail, the next purge
    erases the rows, the blobs already gone)."""
    rows = session.execute(select(EnvelopeRow.id, EnvelopeRow.document_sha256,
                                  EnvelopeRow.final_sha256)
                           .join(Tombstone, Tombstone.envelope_id == EnvelopeRow.id)
                           # A tombstone with the record still archived is not a purge.
                           .where(~exists().where(
                               ArchivedRecord.envelope_id == EnvelopeRow.id))
                           .with_for_update(of=EnvelopeRow)).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    # A plan's case (its check-ins and extensions, then its row) goes with it: the case file, which
    # holds them, went with the archived record.
    # The employee's own copies of the check-in records go too, rows and blobs.
    checkin_blobs = set(session.scalars(select(CheckinRecordFile.sha256).where(
        CheckinRecordFile.envelope_id.in_(ids))))
    for table in (OutboxRow, AuditEventRow, SignerRow, CheckinRecordFile, CheckinRow,
                  ExtensionRow, CaseRow):
        session.execute(delete(table).where(table.envelope_id.in_(ids)))
    session.execute(delete(EnvelopeRow).where(EnvelopeRow.id.in_(ids)))
    # Revocations of the record's copy links name its signers, and say why.
    session.execute(delete(RecordLinkRevocation).where(RecordLinkRevocation.record_id.in_(ids)))
    # Their PDFs, unless another envelope still uses the same bytes.
    hashes = {h for r in rows for h in (r.document_sha256, r.final_sha256) if h}
    still_used = set(session.scalars(select(EnvelopeRow.document_sha256).where(
        EnvelopeRow.document_sha256.in_(hashes)))) | set(session.scalars(
            select(EnvelopeRow.final_sha256).where(EnvelopeRow.final_sha256.in_(hashes))))
    session.execute(delete(Document).where(Document.sha256.in_(hashes - still_used)))
    if store is not None:
        for key in sorted(checkin_blobs):
            with contextlib.suppress(BlobNotFound):
                store.delete(key)
    return ids


__all__ = ["erase_purged"]
