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
from docgen.words import N_
from signing.domain.errors import Wording
from signing.domain.verification import (
    CASE_FILE,
    Check,
    Validator,
    outcome_words,
    seal_check,
    seal_of,
    timestamp_checks,
)

# The kinds of document a case file includes (docgen.casefile.model.Document.kind).
_KINDS = {"plan": N_("plan"), "amendment": N_("amendment"),
          "outcome letter": N_("outcome letter")}
PLAN_RECORD_ARCHIVED = Wording(N_("plan record archived"))


def verify_case_file(session: Session, pdf: bytes, stated: StatedCaseFile,
                     validate: Validator) -> list[Check]:
    data = stated.data
    documents: list[Any] = list(data["documents"])
    checkins: list[Any] = list(data["checkins"])
    checks = [Check(CASE_FILE, True, Wording(
        N_("the case file of envelope %(envelope)s, plan %(plan)s, outcome %(outcome)s: "
           "%(documents)s documents, %(checkins)s check-in records, %(events)s events"),
        envelope=str(data["envelope_id"]), plan=str(data.get("plan_id") or "-"),
        outcome=outcome_words(data.get("outcome")), documents=len(documents),
        checkins=len(checkins),
        events=len(data["events"])))]
    report = validate(pdf)
    checks.append(seal_check(report))
    checks.extend(timestamp_checks(report))
    listed = {str(d.get("name")) for d in documents}
    extra = sorted(set(stated.attachments) - listed)
    if extra:
        checks.append(Check(Wording(N_("attachments")), False, Wording(
            N_("files attached that the manifest does not list: %(files)s"),
            files=", ".join(extra))))
    for doc in documents:
        checks.extend(_document_checks(session, doc, stated.attachments.get(str(doc["name"])),
                                       str(data["envelope_id"]), validate))
    for record in checkins:
        digest = hashlib.sha256(canonical(record.get("record"))).hexdigest()
        checks.append(Check(Wording(N_("check-in %(meeting)s record hash"),
                                    meeting=record.get("meeting")),
                            digest == record.get("sha256"), Wording(
                                N_("its data has SHA-256 %(digest)s; the certificate states "
                                   "%(stated)s"), digest=digest,
                                stated=str(record.get("sha256")))))
    digest = hashlib.sha256(pdf).hexdigest()
    # The archive keeps one case file per plan: another one there is a mismatch; none
    # (a case file made by hand, or its archiving still under way) is said as such.
    archived = session.get(ArchivedRecord, str(data["envelope_id"]))
    kept = archived.case_file_sha256 if archived is not None else None
    envelope = str(data["envelope_id"])
    checks.append(Check(Wording(N_("case file archived")), kept in (None, digest), Wording(
        N_("the case file archived with envelope %(envelope)s"), envelope=envelope)
        if kept == digest else Wording(
        N_("the archive holds no case file for envelope %(envelope)s yet"), envelope=envelope)
        if kept is None else Wording(
        N_("the archive holds another case file for envelope %(envelope)s (SHA-256 "
           "%(kept)s), not this one (%(digest)s)"), envelope=envelope, kept=kept,
        digest=digest)))
    return checks


def _document_checks(session: Session, doc: Any, attached: bytes | None, envelope_id: str,
                     validate: Validator) -> list[Check]:
    kind = str(doc.get("kind"))
    name = Wording(N_("%(kind)s (%(file)s)"),
                   kind=Wording(_KINDS[kind]) if kind in _KINDS else kind,
                   file=str(doc.get("name")))
    hashed = Wording(N_("%(document)s hash"), document=name)
    if attached is None:
        return [Check(hashed, False, Wording(
            N_("the document is not attached to the case file")))]
    digest = hashlib.sha256(attached).hexdigest()
    checks = [Check(hashed, digest == doc.get("sha256"), Wording(
        N_("the attached file has SHA-256 %(digest)s; the certificate states %(stated)s"),
        digest=digest, stated=str(doc.get("sha256"))))]
    report = validate(attached)
    check = seal_check(report)
    checks.append(Check(seal_of(name), check.ok, check.detail))
    if doc.get("kind") == "plan":
        checks.append(_archived_plan(session, digest, envelope_id))
    return checks


def _archived_plan(session: Session, digest: str, envelope_id: str) -> Check:
    """The included plan is the archived final PDF of the case's envelope, as it was
    archived or in an earlier version (before further archive timestamps)."""
    record = session.get(ArchivedRecord, envelope_id)
    if record is None:
        return Check(PLAN_RECORD_ARCHIVED, False, Wording(
            N_("no archived plan has the envelope %(envelope)s"), envelope=envelope_id))
    if record.final_sha256 == digest:
        return Check(PLAN_RECORD_ARCHIVED, True, Wording(
            N_("the final PDF of envelope %(envelope)s"), envelope=envelope_id))
    earlier = session.scalars(select(RecordVersion).where(
        RecordVersion.envelope_id == envelope_id, RecordVersion.sha256 == digest)).first()
    if earlier is not None:
        return Check(PLAN_RECORD_ARCHIVED, True, Wording(
            N_("version %(version)s of the final PDF of envelope %(envelope)s"),
            version=earlier.version, envelope=envelope_id))
    return Check(PLAN_RECORD_ARCHIVED, False, Wording(
        N_("the included plan (SHA-256 %(digest)s) is not the archived final PDF of "
           "envelope %(envelope)s"), digest=digest, envelope=envelope_id))
