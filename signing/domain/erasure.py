"""Erasing what the signing database still holds of a purged record.

``plansign archive purge`` deletes an archived record past its retention period and
leaves a tombstone; until then the signing database keeps the envelope it came from:
the plan data, both PDFs, the signers' names and addresses, and an audit trail with
their comments, typed names and IP addresses. Erasing removes all of that for every
envelope that has a tombstone, so that retention means deletion everywhere. The audit
trail's database guard lets these deletes through only for tombstoned envelopes
(migration 0009). Safe to run again: what is gone stays gone, and a purge interrupted
before erasing is finished by the next one.

The employee's check-in records are sealed PDFs in the archive's blob store, indexed by
``checkin_record_files``. Their blobs go only once the erasure is committed
(:func:`sweep_purged_checkin_blobs`), and their rows only after their blobs: the rows of
an erased envelope are the sweep's list of what is left to delete, so a failed commit
deletes nothing, and a crash between the commit and the deletion leaves rows the next
sweep finds. Until then nothing serves them: every reader joins their envelope's
signers, which are gone.
"""

from __future__ import annotations

import contextlib

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session, sessionmaker

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


def erase_purged(session: Session) -> list[str]:
    """Delete every tombstoned envelope and what belongs to it; returns their ids. The
    sealed PDFs of its check-in records stay, with their rows, for
    :func:`sweep_purged_checkin_blobs` to delete once the caller has committed."""
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
    for table in (OutboxRow, AuditEventRow, SignerRow, CheckinRow, ExtensionRow, CaseRow):
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
    return ids


def sweep_purged_checkin_blobs(sessions: sessionmaker[Session], store: BlobStore) -> int:
    """Delete the check-in record PDFs of erased envelopes from the blob store, then their
    rows; returns how many blobs went. Run after the erasure's commit; safe to repeat (a
    blob already gone is passed over), so a crash anywhere here is finished by the next
    run."""
    erased = (exists().where(Tombstone.envelope_id == CheckinRecordFile.envelope_id)
              & ~exists().where(ArchivedRecord.envelope_id == CheckinRecordFile.envelope_id)
              & ~exists().where(EnvelopeRow.id == CheckinRecordFile.envelope_id))
    with sessions() as session:
        left = session.execute(select(CheckinRecordFile.id, CheckinRecordFile.sha256)
                               .where(erased)).all()
        if not left:
            return 0
        keys = {sha for _, sha in left}
        # The same bytes kept for an envelope still here stay (a sealed PDF carries its
        # time of sealing, so this is a guard, not a case expected to arise).
        keys -= set(session.scalars(select(CheckinRecordFile.sha256).where(
            CheckinRecordFile.sha256.in_(keys), ~erased)))
    deleted = 0
    for key in sorted(keys):
        with contextlib.suppress(BlobNotFound):
            store.delete(key)
            deleted += 1
    with sessions.begin() as session:
        session.execute(delete(CheckinRecordFile).where(
            CheckinRecordFile.id.in_([row_id for row_id, _ in left])))
    return deleted


__all__ = ["erase_purged", "sweep_purged_checkin_blobs"]
