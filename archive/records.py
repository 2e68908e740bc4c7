"""Putting an envelope's record in the archive, and reading it back.

:func:`put_record` stores the four documents in the blob store and writes the index row
in the caller's transaction. It is safe to run twice: blobs are keyed by their content,
and an envelope already archived with the same documents is left as it is.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from archive.errors import RecordConflict, RecordNotFound
from archive.models import ArchivedRecord
from archive.store import BlobStore

OUTCOMES = ("acknowledged", "refused", "no_response", "voided")


@dataclass(frozen=True)
class RecordIndex:
    """What an archived plan is found by."""

    envelope_id: str
    plan_id: str
    employee_name: str
    employee_id: str | None
    manager_name: str
    department: str | None
    outcome: str
    sent_at: dt.datetime
    completed_at: dt.datetime
    sent_by: str = ""  # who sent the plan, as its audit trail names them
    team: str | None = None  # the sender's HR team, who may read it too
    jurisdiction: str | None = None  # where the employee's employment law applies


@dataclass(frozen=True)
class RecordDocuments:
    original_pdf: bytes
    final_pdf: bytes
    plan_data: dict[str, Any]
    audit_trail: list[dict[str, Any]]


def canonical_json(value: Any) -> bytes:
    """One byte sequence per value, so equal data always gets the same key."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=_json_default).encode()


def fold(text: str) -> str:
    """Lower case without accents: "Léa Brändli" -> "lea brandli"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def put_record(session: Session, store: BlobStore, index: RecordIndex,
               documents: RecordDocuments, *, now: dt.datetime,
               retain_for: dt.timedelta | None = None,
               retention_rule: str | None = None) -> ArchivedRecord:
    """Archive an envelope's documents and index it; the caller commits. ``retain_for``
    after completion the record may be purged (None: kept until someone decides), as
    ``retention_rule`` (in words, kept on the record) decided."""
    if index.outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
    keys = {
        "original_sha256": store.put(documents.original_pdf),
        "final_sha256": store.put(documents.final_pdf),
        "plan_sha256": store.put(canonical_json(documents.plan_data)),
        "audit_sha256": store.put(canonical_json(documents.audit_trail)),
    }
    existing = session.get(ArchivedRecord, index.envelope_id)
    if existing is not None:
        for name, key in keys.items():
            if getattr(existing, name) != key:
                raise RecordConflict(index.envelope_id, name.removesuffix("_sha256"))
        return existing
    row = ArchivedRecord(
        envelope_id=index.envelope_id, plan_id=index.plan_id,
        employee_name=index.employee_name, employee_name_folded=fold(index.employee_name),
        employee_id=index.employee_id, manager_name=index.manager_name,
        manager_name_folded=fold(index.manager_name), department=index.department,
        outcome=index.outcome, sent_at=index.sent_at, completed_at=index.completed_at,
        archived_at=now, sent_by=index.sent_by, team=index.team,
        jurisdiction=index.jurisdiction, retention_rule=retention_rule,
        retain_until=index.completed_at + retain_for if retain_for else None, **keys)
    session.add(row)
    session.flush()
    return row


def get_record(session: Session, envelope_id: str) -> ArchivedRecord:
    row = session.get(ArchivedRecord, envelope_id)
    if row is None:
        raise RecordNotFound(envelope_id)
    return row


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON data")
