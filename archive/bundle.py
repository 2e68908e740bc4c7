"""Records bundles: one archived plan (or every plan completed since a date) as a zip
with its final sealed PDF, original PDF, plan data, audit trail, and a manifest of
SHA-256 sums anyone can check with ``sha256sum -c SHA256SUMS``; with them, the sealed
PDFs of the employee's check-in records (every version), which the signing database
indexes and the caller passes in (the archive does not read the signing tables).

Every blob is read through the store, which checks its hash: a corrupted blob stops the
bundle with an error naming it, rather than going out as if it were fine.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.access import Reader, log_access
from archive.models import ArchivedRecord
from archive.store import BlobStore

FILES = (("final.pdf", "final_sha256"), ("original.pdf", "original_sha256"),
         ("plan.json", "plan_sha256"), ("audit-trail.json", "audit_sha256"),
         # The sealed case file, once the plan's case closed (None before).
         ("case-file.pdf", "case_file_sha256"))


@dataclass(frozen=True)
class CheckinRecordPdf:
    """One version of a check-in record's sealed PDF, kept in the blob store beside the
    plan's record."""

    meeting: int
    version: int
    answer: str  # acknowledged | no_answer | pending (a comment, no acknowledgement)
    made_at: dt.datetime
    sha256: str         # the sealed PDF's, its blob's key
    record_sha256: str  # its data's (checkin-record.json), as the case file hashes it

    @property
    def name(self) -> str:
        return f"check-in-{self.meeting}-record-v{self.version}.pdf"

    def describe(self) -> dict[str, Any]:
        return {"file": self.name, "meeting": self.meeting, "version": self.version,
                "answer": self.answer, "made_at": self.made_at.isoformat(),
                "sha256": self.sha256, "record_sha256": self.record_sha256}


CheckinsOf = Callable[[str], Sequence[CheckinRecordPdf]]  # an envelope id to its PDFs


def describe(record: ArchivedRecord,
             checkins: Sequence[CheckinRecordPdf] = ()) -> dict[str, Any]:
    """A record's index entry as JSON data, with its check-in records' PDFs."""
    return {
        "envelope_id": record.envelope_id, "plan_id": record.plan_id,
        "employee_name": record.employee_name, "employee_id": record.employee_id,
        "manager_name": record.manager_name, "department": record.department,
        "outcome": record.outcome, "sent_at": record.sent_at.isoformat(),
        "completed_at": record.completed_at.isoformat(),
        "archived_at": record.archived_at.isoformat(),
        "jurisdiction": record.jurisdiction,
        "retain_until": record.retain_until.isoformat() if record.retain_until else None,
        "retention_rule": record.retention_rule,
        "on_hold": record.on_hold,
        "sha256": {name: getattr(record, column) for name, column in FILES
                   if getattr(record, column) is not None},
        "case_outcome": record.case_outcome,
        "case_closed_at": record.case_closed_at.isoformat() if record.case_closed_at else None,
        "checkin_records": [pdf.describe() for pdf in checkins],
    }


def record_bundle(store: BlobStore, record: ArchivedRecord,
                  checkins: Sequence[CheckinRecordPdf] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _add_records(archive, store, [record], folder="", checkins_of=lambda _: checkins)
    return buffer.getvalue()


def export_bundle(session: Session, store: BlobStore, *, since: dt.datetime,
                  out: Path, by: Reader, now: dt.datetime,
                  checkins_of: CheckinsOf = lambda _: ()) -> int:
    """Every record completed since ``since`` into the zip ``out`` (written under a
    temporary name, flushed, then renamed), each with its check-in records' PDFs
    (``checkins_of``); returns how many. Each record exported is a read, logged in
    ``session`` for ``by`` (the caller's transaction commits it)."""
    records = session.scalars(select(ArchivedRecord).where(ArchivedRecord.completed_at >= since)
                              .order_by(ArchivedRecord.completed_at)).all()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as archive:
                _add_records(archive, store, records, folder=None, checkins_of=checkins_of)
                archive.writestr("export.json", json.dumps({
                    "since": since.isoformat(), "records": len(records)}, indent=2))
            fh.flush()
            os.fsync(fh.fileno())
        # Logged (and flushed) before the file is put in place: a log entry the database
        # refuses stops the export instead of leaving an unrecorded one behind.
        for record in records:
            log_access(session, by, "export", now=now, envelope_id=record.envelope_id,
                       detail=f"to {out.name}, completed since {since:%Y-%m-%d}")
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(records)


def _add_records(archive: zipfile.ZipFile, store: BlobStore,
                 records: Iterable[ArchivedRecord], folder: str | None,
                 checkins_of: CheckinsOf) -> None:
    sums = []
    for record in records:
        prefix = f"{record.envelope_id}/" if folder is None else folder
        checkins = checkins_of(record.envelope_id)
        files = [(name, getattr(record, column)) for name, column in FILES]
        for name, key in files + [(pdf.name, pdf.sha256) for pdf in checkins]:
            if key is None:
                continue
            archive.writestr(prefix + name, store.get(key))
            sums.append(f"{key}  {prefix}{name}")
        archive.writestr(prefix + "manifest.json",
                         json.dumps(describe(record, checkins), indent=2, ensure_ascii=False))
    archive.writestr("SHA256SUMS", "\n".join(sums) + "\n")
