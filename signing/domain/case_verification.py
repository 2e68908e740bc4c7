"""Verifying a case file: its seal, and every hash its certificate states.

A case file (:mod:`docgen.casefile`) carries ``case-file.json`` and, unchanged, each
document it includes. ``plansign verify FILE`` on a case file checks: the case file's
own seal; that every document the manifest lists is attached and has the SHA-256 it
states, and nothing else is attached; each included document's own seal; that the
plan it includes is the archived final record of its envelope (or a later version of
it); and that each check-in record's data has the SHA-256 the manifest states.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import ArchivedRecord, RecordVersion
from docgen.casefile.manifest import StatedCaseFile
from docgen.casefile.model import canonical
from signing.domain.verification import Check, Validator, seal_check, timestamp_checks


def verify_case_file(session: Session, pdf: bytes, stated: StatedCaseFile,
                     validate: Validator) -> list[Check]:
    data = stated.data
    documents: list[Any] = list(data["documents"])
    checkins: list[Any] = list(data["checkins"])
    checks = [Check("case file", True,
                    f"the case file of envelope {data['envelope_id']}, plan "
                    f"{data.get('plan_id') or '-'}, outcome {data.get('outcome')}: "
                    f"{len(documents)} documents, {len(checkins)} check-in records, "
                    f"{len(data['events'])} events")]
    report = validate(pdf)
    checks.append(seal_check(report))
    checks.extend(timestamp_checks(report))
    listed = {str(d.get("name")) for d in documents}
    extra = sorted(set(stated.attachments) - listed)
    if extra:
        checks.append(Check("attachments", False, f"files attached that the manifest does "
                                                  f"not list: {', '.join(extra)}"))
    for doc in documents:
        checks.extend(_document_checks(session, doc, stated.attachments.get(str(doc["name"])),
                                       str(data["envelope_id"]), validate))
    for record in checkins:
        digest = hashlib.sha256(canonical(record.get("record"))).hexdigest()
        checks.append(Check(f"check-in {record.get('meeting')} record hash",
                            digest == record.get("sha256"),
                            f"its data has SHA-256 {digest}; the certificate states "
                            f"{record.get('sha256')}"))
    digest = hashlib.sha256(pdf).hexdigest()
    # The archive keeps one case file per plan: another one there is a mismatch; none
    # (a case file made by hand, or its archiving still under way) is said as such.
    archived = session.get(ArchivedRecord, str(data["envelope_id"]))
    kept = archived.case_file_sha256 if archived is not None else None
    checks.append(Check("case file archived", kept in (None, digest),
                        f"the case file archived with envelope {data['envelope_id']}"
                        if kept == digest else
                        f"the archive holds no case file for envelope "
                        f"{data['envelope_id']} yet" if kept is None else
                        f"the archive holds another case file for envelope "
                        f"{data['envelope_id']} (SHA-256 {kept}), not this one "
                        f"({digest})"))
    return checks


def _document_checks(session: Session, doc: Any, attached: bytes | None, envelope_id: str,
                     validate: Validator) -> list[Check]:
    name = f"{doc.get('kind')} ({doc.get('name')})"
    if attached is None:
        return [Check(f"{name} hash", False, "the document is not attached to the case file")]
    digest = hashlib.sha256(attached).hexdigest()
    checks = [Check(f"{name} hash", digest == doc.get("sha256"),
                    f"the attached file has SHA-256 {digest}; the certificate states "
                    f"{doc.get('sha256')}")]
    report = validate(attached)
    check = seal_check(report)
    checks.append(Check(f"{name} seal", check.ok, check.detail))
    if doc.get("kind") == "plan":
        checks.append(_archived_plan(session, digest, envelope_id))
    return checks


def _archived_plan(session: Session, digest: str, envelope_id: str) -> Check:
    """The included plan is the archived final PDF of the case's envelope, as it was
    archived or in an earlier version (before further archive timestamps)."""
    record = session.get(ArchivedRecord, envelope_id)
    if record is None:
        return Check("plan record archived", False, f"no archived plan has the envelope "
                                                    f"{envelope_id}")
    if record.final_sha256 == digest:
        return Check("plan record archived", True, f"the final PDF of envelope {envelope_id}")
    earlier = session.scalars(select(RecordVersion).where(
        RecordVersion.envelope_id == envelope_id, RecordVersion.sha256 == digest)).first()
    if earlier is not None:
        return Check("plan record archived", True, f"version {earlier.version} of the final "
                                                   f"PDF of envelope {envelope_id}")
    return Check("plan record archived", False, f"the included plan (SHA-256 {digest}) is "
                                                f"not the archived final PDF of envelope "
                                                f"{envelope_id}")
