"""Verifying an archived plan: the seal, the audit chain, and the documents' hashes.

``plansign verify`` runs these checks for an envelope id or for a PDF someone hands in,
and prints one line per check. Each check says what it looked at; none stops the others,
so a report shows everything that is wrong at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import ArchivedRecord, ArchiveError, BlobStore, RecordNotFound, get_record
from signing import audit, envelopes
from signing.models import EnvelopeRow


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


Validator = Callable[[bytes], Any]  # docgen.seal.validate with the trusted certificates bound
# How far the time a seal claims may be from the sealing the audit trail records: the
# worker seals, then records, within moments; a slow timestamp authority adds seconds.
SEAL_TIME_TOLERANCE = dt.timedelta(minutes=10)


def verify_envelope(session: Session, store: BlobStore, envelope_id: str,
                    validate: Validator) -> list[Check]:
    """Every check of an archived envelope's record."""
    try:
        record = get_record(session, envelope_id)
    except RecordNotFound as exc:
        return [Check("archive record", False, str(exc))]
    checks = [Check("archive record", True, f"envelope {envelope_id}, plan {record.plan_id}, "
                                             f"{record.outcome}")]
    final = _blob(store, record.final_sha256, "final PDF", checks)
    report = None
    if final is not None:
        report = validate(final)
        checks.append(_seal_check(report))
    original = _blob(store, record.original_sha256, "original PDF", checks)
    trail_json = _blob(store, record.audit_sha256, "archived audit trail", checks)
    _blob(store, record.plan_sha256, "plan data", checks)
    if trail_json is not None:
        archived = [audit.from_json(r) for r in json.loads(trail_json)]
        if report is not None and report.signed_at is not None:
            checks.append(_seal_time_check(report.signed_at, archived))
        checks.extend(_chain_checks(session, envelope_id, archived, record, original))
    return checks


def verify_file(session: Session, store: BlobStore, pdf: bytes,
                validate: Validator) -> list[Check]:
    """Checks of a PDF someone hands in: its seal, and whether it is the final document
    of an archived envelope (then every check of that envelope)."""
    digest = hashlib.sha256(pdf).hexdigest()
    record = session.scalars(select(ArchivedRecord).where(
        ArchivedRecord.final_sha256 == digest)).first()
    if record is None:
        return [_seal_check(validate(pdf)),
                Check("archived", False, f"no archived plan has this file as its final PDF "
                                         f"(SHA-256 {digest})")]
    return [Check("archived", True, f"the final PDF of envelope {record.envelope_id}"),
            *verify_envelope(session, store, record.envelope_id, validate)]


def _blob(store: BlobStore, key: str, name: str, checks: list[Check]) -> bytes | None:
    try:
        data = store.get(key)
    except ArchiveError as exc:
        checks.append(Check(name, False, str(exc)))
        return None
    checks.append(Check(name, True, f"present, SHA-256 {key}"))
    return data


def _seal_check(report: Any) -> Check:
    if report.ok:
        when = f" on {report.signed_at:%Y-%m-%d %H:%M:%S} UTC" if report.signed_at else ""
        return Check("seal", True, f"valid, covers the whole file, by {report.signer}{when}")
    return Check("seal", False, "; ".join(report.problems) or "the seal is not valid")


def _seal_time_check(signed_at: dt.datetime, archived: Sequence[audit.AuditRecord]) -> Check:
    """The time the seal claims against the time the hash-chained trail records: a seal
    is checked against its certificate as of the time it claims (a certificate expired
    since does not undo it), so that time must be the one the record itself keeps."""
    sealed = [r.at for r in archived if r.type == "envelope.sealed"]
    if not sealed:
        return Check("seal time", False, "the audit trail records no sealing")
    gap = abs(signed_at - sealed[-1])
    return Check("seal time", gap <= SEAL_TIME_TOLERANCE,
                 f"the seal says {signed_at:%Y-%m-%d %H:%M:%S} UTC; the audit trail records "
                 f"sealing at {sealed[-1]:%Y-%m-%d %H:%M:%S} UTC")


def _chain_checks(session: Session, envelope_id: str, archived: Sequence[audit.AuditRecord],
                  record: ArchivedRecord, original: bytes | None) -> list[Check]:
    checks = []
    problems = audit.verify_chain(archived)
    checks.append(Check("audit chain (archive)", not problems,
                        "; ".join(problems) or f"{len(archived)} events, head "
                                               f"{archived[-1].hash if archived else '-'}"))
    stated = {r.document_sha256 for r in archived if r.document_sha256}
    checks.append(Check("original PDF hash", stated == {record.original_sha256}
                        and original is not None,
                        f"the audit trail names {', '.join(sorted(stated)) or 'no document'}; "
                        f"the archive holds {record.original_sha256}"))
    sealed = [r for r in archived if r.type == "envelope.sealed"]
    names_final = bool(sealed) and sealed[-1].data.get("final_sha256") == record.final_sha256
    checks.append(Check("final PDF hash", names_final,
                        "the audit trail records sealing this final PDF" if names_final
                        else "the audit trail does not record sealing the archived final PDF"))
    if session.get(EnvelopeRow, envelope_id) is not None:
        live = envelopes.audit_trail(session, envelope_id)
        problems = audit.verify_chain(live)
        prefix = [r.hash for r in live[:len(archived)]] == [r.hash for r in archived]
        checks.append(Check("audit chain (database)", not problems and prefix,
                            "; ".join(problems) or (
                                f"{len(live)} events; the archived trail is its first "
                                f"{len(archived)}" if prefix else
                                "the database's trail does not begin with the archived one")))
    return checks
