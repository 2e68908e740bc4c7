"""Verifying an archived plan: the seal, the audit chain, and the documents' hashes.

``plansign verify`` runs these checks for an envelope id or for a PDF someone hands in,
and prints one line per check. Each check says what it looked at; none stops the others,
so a report shows everything that is wrong at once.

The sealed PDF is the one thing that cannot be rewritten without the sealing key: it
carries the audit trail as it was when the record was made (its attached
``audit-trail.json``, see :mod:`docgen.stamp.attachment`). A hash chain proves only
that a trail is consistent with itself, and anyone who can write the database and the
archive can recompute one; so the archived and the database trails are each checked
against the sealed one, record by record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import (
    ArchivedRecord,
    ArchiveError,
    BlobStore,
    RecordNotFound,
    RecordVersion,
    get_record,
)
from docgen.stamp import ATTACHMENT_NAME, StampError, StatedTrail, stated_trail
from signing.domain import audit, envelopes
from signing.domain.events import EventType
from signing.domain.models import EnvelopeRow

if TYPE_CHECKING:
    from docgen.casefile.manifest import StatedCaseFile


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
        return [Check("archive record", False, str(exc)),
                *checkin_record_checks(session, store, envelope_id, validate)]
    checks = [Check("archive record", True, f"envelope {envelope_id}, plan {record.plan_id}, "
                                             f"{record.outcome}")]
    final = _blob(store, record.final_sha256, "final PDF", checks)
    report, sealed = None, None
    if final is not None:
        report = validate(final)
        checks.append(seal_check(report))
        checks.extend(timestamp_checks(report))
        sealed = _sealed_trail(final, envelope_id, checks)
    original = _blob(store, record.original_sha256, "original PDF", checks)
    trail_json = _blob(store, record.audit_sha256, "archived audit trail", checks)
    _blob(store, record.plan_sha256, "plan data", checks)
    if trail_json is not None:
        archived = [audit.from_json(r) for r in json.loads(trail_json)]
        if report is not None and report.signed_at is not None:
            checks.append(_seal_time_check(report.signed_at, archived))
        checks.extend(_chain_checks(session, envelope_id, archived, record, original, sealed))
        checks.append(_final_check(session, store, record, archived))
    if record.case_file_sha256 is not None:  # the plan's case closed: its case file too
        case_file = _blob(store, record.case_file_sha256, "case file", checks)
        stated = _case_file(case_file) if case_file is not None else None
        if case_file is not None and stated is None:
            checks.append(Check("case file", False, "the archived case file carries no "
                                                    "case-file.json"))
        elif case_file is not None and stated is not None:
            from signing.domain.case_verification import verify_case_file

            checks.extend(Check(f"case file: {c.name}", c.ok, c.detail)
                          for c in verify_case_file(session, case_file, stated, validate))
    checks.extend(checkin_record_checks(session, store, envelope_id, validate))
    return checks


def checkin_record_checks(session: Session, store: BlobStore, envelope_id: str,
                          validate: Validator) -> list[Check]:
    """Each archived version of each of the plan's check-in records (the employee's own
    copies, signing.domain.checkin_record_task): present with its SHA-256, sealed, and
    carrying the record data whose hash the archive states."""
    from signing.domain.checkin_record_task import versions_of

    checks: list[Check] = []
    for kept in versions_of(session, envelope_id):
        name = f"check-in {kept.meeting} record, version {kept.version}"
        pdf = _blob(store, kept.sha256, name, checks)
        if pdf is not None:
            checks.extend(_checkin_record_file_checks(pdf, kept, name, validate))
    return checks


def _checkin_record_file_checks(pdf: bytes, kept: Any, name: str,
                                validate: Validator) -> list[Check]:
    from docgen.casefile.checkin_record import read_record_data
    from docgen.casefile.model import canonical

    seal = seal_check(validate(pdf))
    checks = [Check(f"{name} seal", seal.ok, seal.detail)]
    try:
        data = read_record_data(pdf)
    except StampError as exc:
        return [*checks, Check(f"{name} data", False, str(exc))]
    if data is None:
        return [*checks, Check(f"{name} data", False, "the PDF carries no "
                                                      "checkin-record.json")]
    digest = hashlib.sha256(canonical(data["record"])).hexdigest()
    checks.append(Check(f"{name} data", digest == data["sha256"] == kept.record_sha256
                        and data["checkin_id"] == kept.checkin_id,
                        f"the record's data has SHA-256 {digest}; the PDF states "
                        f"{data['sha256']}, the archive {kept.record_sha256}"))
    return checks


def verify_file(session: Session, store: BlobStore, pdf: bytes,
                validate: Validator) -> list[Check]:
    """Checks of a PDF someone hands in: its seal, and whether it is the final document
    of an archived envelope (then every check of that envelope)."""
    case_file = _case_file(pdf)
    if case_file is not None:
        from signing.domain.case_verification import verify_case_file

        return verify_case_file(session, pdf, case_file, validate)
    digest = hashlib.sha256(pdf).hexdigest()
    from signing.domain.models import CheckinRecordFile

    kept = session.scalars(select(CheckinRecordFile)
                           .where(CheckinRecordFile.sha256 == digest)).first()
    if kept is not None:
        name = f"check-in {kept.meeting} record, version {kept.version}"
        return [Check("archived", True, f"version {kept.version} of the record of check-in "
                                        f"{kept.meeting} of envelope {kept.envelope_id}"),
                *_checkin_record_file_checks(pdf, kept, name, validate)]
    record = session.scalars(select(ArchivedRecord).where(
        ArchivedRecord.final_sha256 == digest)).first()
    if record is None:
        earlier = session.scalars(select(RecordVersion).where(
            RecordVersion.sha256 == digest)).first()
        if (earlier is not None
                and session.get(ArchivedRecord, earlier.envelope_id) is not None):
            return [Check("archived", True, f"version {earlier.version} of the final PDF of "
                                            f"envelope {earlier.envelope_id}, since "
                                            f"given further archive timestamps"),
                    seal_check(validate(pdf)),
                    *verify_envelope(session, store, earlier.envelope_id, validate)]
    if record is None:
        checks = [seal_check(validate(pdf))]
        _sealed_trail(pdf, None, checks)
        return [*checks, Check("archived", False, f"no archived plan has this file as its "
                                                  f"final PDF (SHA-256 {digest})")]
    return [Check("archived", True, f"the final PDF of envelope {record.envelope_id}"),
            *verify_envelope(session, store, record.envelope_id, validate)]


def _case_file(pdf: bytes) -> StatedCaseFile | None:
    """The case file's manifest if ``pdf`` is a case file (it carries case-file.json);
    None for anything else, a PDF that cannot be read included (the seal check says so)."""
    from docgen.casefile.manifest import read_case_file

    try:
        return read_case_file(pdf)
    except StampError:
        return None


def _blob(store: BlobStore, key: str, name: str, checks: list[Check]) -> bytes | None:
    try:
        data = store.get(key)
    except ArchiveError as exc:
        checks.append(Check(name, False, str(exc)))
        return None
    checks.append(Check(name, True, f"present, SHA-256 {key}"))
    return data


def seal_check(report: Any) -> Check:
    level = f" (PAdES {report.level})" if getattr(report, "level", None) else ""
    if report.ok:
        when = f" on {report.signed_at:%Y-%m-%d %H:%M:%S} UTC" if report.signed_at else ""
        how = (" from the certificates and revocation data the file embeds"
               if getattr(report, "level", None) in ("B-LT", "B-LTA") else "")
        return Check("seal", True, f"valid{level}{how}, covers the whole file, by "
                                   f"{report.signer}{when}")
    return Check("seal", False, ("; ".join(report.problems) or "the seal is not valid")
                 + level)


def timestamp_checks(report: Any, now: dt.datetime | None = None) -> list[Check]:
    """One line per timestamp: when, by which authority, and until when that authority's
    certificate holds. Only the last one's expiry matters: each earlier one is covered
    by the next (the long-term validation in the seal check says whether it holds)."""
    stamps = list(getattr(report, "timestamps", ()) or ())
    if not report.sealed:
        return []
    if not stamps:
        return [Check("timestamps", True, "none: when the seal was made rests on the "
                                          "sealing server's clock (PAdES B-B)")]
    now = now or dt.datetime.now(dt.UTC)
    checks = []
    for number, stamp in enumerate(stamps, 1):
        last = number == len(stamps)
        ok = not last or stamp.expires > now
        note = ""
        if last and not ok:
            note = "; it has expired: nothing proves the record's time beyond it"
        elif last and report.level == "B-LTA":
            note = "; refresh before then (plansign archive refresh-timestamps)"
        checks.append(Check(f"timestamp {number}", ok, stamp.describe() + note))
    return checks


def _final_check(session: Session, store: BlobStore, record: ArchivedRecord,
                 archived: Sequence[audit.AuditRecord]) -> Check:
    """The archived final PDF is the one the trail records sealing, or a later version
    of it: each version the one before with an archive timestamp appended (its bytes
    begin with the previous version's), each recorded in the envelope's trail."""
    from signing.domain.archive_timestamps import versions

    name = "final PDF hash"
    sealings = [r for r in archived if r.type == EventType.ENVELOPE_SEALED]
    sealed = sealings[-1].data.get("final_sha256") if sealings else None
    if sealed is not None and sealed == record.final_sha256:
        return Check(name, True, "the audit trail records sealing this final PDF")
    listed = versions(session, record.envelope_id)
    if not (listed and sealed is not None and listed[0].sha256 == sealed
            and listed[-1].sha256 == record.final_sha256):
        return Check(name, False, "the audit trail does not record sealing the archived "
                                  "final PDF, nor archive timestamps leading to it")
    steps: set[tuple[Any, Any]] = set()
    if session.get(EnvelopeRow, record.envelope_id) is not None:
        steps = {(r.data.get("previous_sha256"), r.data.get("final_sha256"))
                 for r in envelopes.audit_trail(session, record.envelope_id)
                 if r.type == EventType.ENVELOPE_RETIMESTAMPED}
    previous: bytes | None = None
    for before, version in zip([None, *listed], listed, strict=False):
        try:
            data = store.get(version.sha256)
        except ArchiveError as exc:
            return Check(name, False, f"version {version.version}: {exc}")
        if before is not None:
            if previous is None or not data.startswith(previous):
                return Check(name, False, f"version {version.version} does not begin with "
                                          f"version {before.version}: it is not an archive "
                                          f"timestamp added to it")
            if steps and (before.sha256, version.sha256) not in steps:
                return Check(name, False, f"the audit trail does not record version "
                                          f"{version.version} replacing {before.version}")
        previous = data
    return Check(name, True, f"the audit trail records sealing version 1; versions 2 to "
                             f"{len(listed)} each add an archive timestamp to the one before")


def _seal_time_check(signed_at: dt.datetime, archived: Sequence[audit.AuditRecord]) -> Check:
    """The time the seal claims against the time the hash-chained trail records: a seal
    is checked against its certificate as of the time it claims (a certificate expired
    since does not undo it), so that time must be the one the record itself keeps."""
    sealed = [r.at for r in archived if r.type == EventType.ENVELOPE_SEALED]
    if not sealed:
        return Check("seal time", False, "the audit trail records no sealing")
    gap = abs(signed_at - sealed[-1])
    return Check("seal time", gap <= SEAL_TIME_TOLERANCE,
                 f"the seal says {signed_at:%Y-%m-%d %H:%M:%S} UTC; the audit trail records "
                 f"sealing at {sealed[-1]:%Y-%m-%d %H:%M:%S} UTC")


@dataclass(frozen=True)
class SealedTrail:
    """The audit trail the sealed PDF carries, read into records."""

    stated: StatedTrail
    records: list[audit.AuditRecord] | None  # None: a record that states only its head


def _sealed_trail(pdf: bytes, envelope_id: str | None,
                  checks: list[Check]) -> SealedTrail | None:
    """The trail attached to ``pdf``, and a check that says whether it holds together
    (its chain, its head, and whose it is); None, with a failed check, if it has none."""
    name = "audit chain (sealed PDF)"
    try:
        stated = stated_trail(pdf)
        if stated is None:
            checks.append(Check(name, False, f"the PDF carries no {ATTACHMENT_NAME} and "
                                             "states no audit trail head, so no trail can "
                                             "be checked against it"))
            return None
    except StampError as exc:
        checks.append(Check(name, False, str(exc)))
        return None
    if stated.records is None:
        problems = ([] if envelope_id in (None, stated.envelope_id) else
                    [f"it is the record of envelope {stated.envelope_id}, not {envelope_id}"])
        checks.append(Check(name, not problems, "; ".join(problems) or (
            f"made before records carried their trail, it states the head "
            f"{stated.audit_head_hash} on its certificate page")))
        return SealedTrail(stated, None)
    try:
        records = [audit.from_json(r) for r in stated.records]
    except (ValueError, TypeError, KeyError) as exc:
        checks.append(Check(name, False, f"the PDF's {ATTACHMENT_NAME} holds a record that is "
                                         f"not an audit record ({exc})"))
        return None
    head = records[-1].hash if records else None
    problems = audit.verify_chain(records)
    if head != stated.audit_head_hash:
        problems.append(f"its last record is not the head it states, {stated.audit_head_hash}")
    if envelope_id is not None and stated.envelope_id != envelope_id:
        problems.append(f"it is the trail of envelope {stated.envelope_id}, not {envelope_id}")
    checks.append(Check(name, not problems, "; ".join(problems) or (
        f"{len(records)} events of envelope {stated.envelope_id}, head {head}, "
        f"attached before sealing")))
    return SealedTrail(stated, records)


def _against_seal(where: str, trail: Sequence[audit.AuditRecord],
                  sealed: SealedTrail) -> Check:
    """Whether ``trail`` begins with the records the sealed PDF carries, each one the same
    in every field (a trail rewritten and re-chained is consistent, but not this one)."""
    name = f"audit trail ({where}) against the seal"
    head = sealed.stated.audit_head_hash
    if sealed.records is None:
        # The head's hash covers every record before it: a trail with a record of that
        # hash, whose chain holds (checked on its own), is the sealed one up to there.
        at = next((r.seq for r in trail if r.hash == head), None)
        return Check(name, at is not None,
                     f"its event {at} is the head the sealed PDF states, {head}" if at else
                     f"none of its events is the head the sealed PDF states, {head}: the "
                     "trail was changed after sealing")
    if len(trail) < len(sealed.records):
        return Check(name, False, f"it has {len(trail)} events; the sealed PDF carries "
                                  f"{len(sealed.records)}")
    for kept, as_sealed in zip(trail, sealed.records, strict=False):
        differences = _differences(audit.to_json(as_sealed), audit.to_json(kept))
        # A changed record's hashes differ too: worth saying only when nothing else does.
        differences = ([d for d in differences if not d.startswith(("hash ", "prev_hash "))]
                       or differences)
        if differences:
            return Check(name, False, f"record {as_sealed.seq} ({as_sealed.type}) differs "
                                      f"from the sealed PDF's: {'; '.join(differences)}")
    return Check(name, True, f"its first {len(sealed.records)} events are the ones the "
                             f"sealed PDF carries, up to its head {head}")


def _differences(sealed: dict[str, Any], kept: dict[str, Any], prefix: str = "") -> list[str]:
    """Each field that differs: its name, what the seal says, what is kept."""
    found = []
    for key in sorted(sealed.keys() | kept.keys()):
        a, b = sealed.get(key), kept.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            found.extend(_differences(a, b, f"{prefix}{key}."))
        elif a != b:
            found.append(f"{prefix}{key} is {_short(b)}, sealed as {_short(a)}")
    return found


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _chain_checks(session: Session, envelope_id: str, archived: Sequence[audit.AuditRecord],
                  record: ArchivedRecord, original: bytes | None,
                  sealed: SealedTrail | None) -> list[Check]:
    checks = []
    problems = audit.verify_chain(archived)
    checks.append(Check("audit chain (archive)", not problems,
                        "; ".join(problems) or f"{len(archived)} events, head "
                                               f"{archived[-1].hash if archived else '-'}"))
    if sealed is not None:
        checks.append(_against_seal("archive", archived, sealed))
    stated = {r.document_sha256 for r in archived if r.document_sha256}
    checks.append(Check("original PDF hash", stated == {record.original_sha256}
                        and original is not None,
                        f"the audit trail names {', '.join(sorted(stated)) or 'no document'}; "
                        f"the archive holds {record.original_sha256}"))
    if sealed is not None:
        as_sealed = sealed.stated.original_sha256
        checks.append(Check("original PDF hash against the seal",
                            as_sealed == record.original_sha256,
                            f"the sealed PDF states {as_sealed}; the archive holds "
                            f"{record.original_sha256}"))
    if session.get(EnvelopeRow, envelope_id) is not None:
        live = envelopes.audit_trail(session, envelope_id)
        problems = audit.verify_chain(live)
        prefix = [r.hash for r in live[:len(archived)]] == [r.hash for r in archived]
        checks.append(Check("audit chain (database)", not problems and prefix,
                            "; ".join(problems) or (
                                f"{len(live)} events; the archived trail is its first "
                                f"{len(archived)}" if prefix else
                                "the database's trail does not begin with the archived one")))
        if sealed is not None:
            checks.append(_against_seal("database", live, sealed))
    return checks
