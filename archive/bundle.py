"""Records bundles: one archived plan (or every plan completed since a date) as a zip
with its final sealed PDF, original PDF, plan data, audit trail, and a manifest of
SHA-256 sums anyone can check with ``sha256sum -c SHA256SUMS``.

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
from collections.abc import Iterable
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


def describe(record: ArchivedRecord) -> dict[str, Any]:
    """A record's index entry as JSON data."""
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
    }


def record_bundle(store: BlobStore, record: ArchivedRecord) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _add_records(archive, store, [record], folder="")
    return buffer.getvalue()


def export_bundle(session: Session, store: BlobStore, *, since: dt.datetime,
                  out: Path, by: Reader, now: dt.datetime) -> int:
    """Every record completed since ``since`` into the zip ``out`` (written under a
    temporary name, flushed, then renamed); returns how many. Each record exported is
    a read, logged in ``session`` for ``by`` (the caller's transaction commits it)."""
    records = session.scalars(select(ArchivedRecord).where(ArchivedRecord.completed_at >= since)
                              .order_by(ArchivedRecord.completed_at)).all()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as archive:
                _add_records(archive, store, records, folder=None)
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
                 records: Iterable[ArchivedRecord], folder: str | None) -> None:
    sums = []
    for record in records:
        prefix = f"{record.envelope_id}/" if folder is None else folder
        for name, column in FILES:
            key = getattr(record, column)
            if key is None:
                continue
            archive.writestr(prefix + name, store.get(key))
            sums.append(f"{key}  {prefix}{name}")
        archive.writestr(prefix + "manifest.json",
                         json.dumps(describe(record), indent=2, ensure_ascii=False))
    archive.writestr("SHA256SUMS", "\n".join(sums) + "\n")
