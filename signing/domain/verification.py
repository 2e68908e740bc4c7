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
from docgen.words import N_, Foreign, Moment, joined
from signing.domain import audit, envelopes
from signing.domain.errors import NN_, Wording, wording_of
from signing.domain.events import EventType
from signing.domain.models import EnvelopeRow

if TYPE_CHECKING:
    from docgen.casefile.manifest import StatedCaseFile


@dataclass(frozen=True)
class Check:
    """One check: what it looked at (``name``), whether it passed, and what it found
    (``detail``). Both are :class:`~signing.domain.errors.Wording` where plansign words
    them: as a ``str`` the English ``plansign verify``, the API and the logs print; on the
    console's page, in its reader's language, with the values (names, levels, counts,
    times, hashes) filled in as that page writes them (signing.web.console.checkwords)."""

    name: str
    ok: bool
    detail: str


def _utc(at: dt.datetime) -> Moment:
    """A moment as the checks have always written it, to the second, in UTC."""
    return Moment(at, "%Y-%m-%d %H:%M:%S UTC")


def _error(exc: BaseException) -> str:
    """An error's message as a check's detail: worded where it was raised with words,
    else (a library's) as it is, marked as such."""
    return wording_of(exc) or Foreign(exc)


ARCHIVE_RECORD = Wording(N_("archive record"))
FINAL_PDF = Wording(N_("final PDF"))
ORIGINAL_PDF = Wording(N_("original PDF"))
ARCHIVED_TRAIL = Wording(N_("archived audit trail"))
PLAN_DATA = Wording(N_("plan data"))
CASE_FILE = Wording(N_("case file"))
ARCHIVED = Wording(N_("archived"))
SEAL = Wording(N_("seal"))


# An archived record's outcome (archive.records.OUTCOMES) and a closed case's
# (signing.domain.cases.Outcome): the command line prints the code, a page its words.
OUTCOME_WORDS = {
    "acknowledged": N_("acknowledged by the employee"),
    "refused": N_("the employee refused to sign"), "no_response": N_("no response (expired)"),
    "voided": N_("voided"), "met": N_("goals met"), "not_met": N_("goals not met"),
    "resigned": N_("the employee resigned"), "withdrawn": N_("the plan was withdrawn")}


def outcome_words(code: object) -> str:
    """An outcome's code, worded for a page when plansign knows it."""
    text = str(code)
    return Wording.coded(text, OUTCOME_WORDS[text]) if text in OUTCOME_WORDS else text


def checkin_record_name(meeting: object, version: object) -> Wording:
    return Wording(N_("check-in %(meeting)s record, version %(version)s"),
                   meeting=meeting, version=version)


def seal_of(name: str) -> Wording:
    return Wording(N_("%(document)s seal"), document=name)


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
        return [Check(ARCHIVE_RECORD, False, _error(exc)),
                *checkin_record_checks(session, store, envelope_id, validate)]
    checks = [Check(ARCHIVE_RECORD, True, Wording(
        N_("envelope %(envelope)s, plan %(plan)s, %(outcome)s"), envelope=envelope_id,
        plan=str(record.plan_id), outcome=outcome_words(record.outcome)))]
    final = _blob(store, record.final_sha256, FINAL_PDF, checks)
    report, sealed = None, None
    if final is not None:
        report = validate(final)
        checks.append(seal_check(report))
        checks.extend(timestamp_checks(report))
        sealed = _sealed_trail(final, envelope_id, checks)
    original = _blob(store, record.original_sha256, ORIGINAL_PDF, checks)
    trail_json = _blob(store, record.audit_sha256, ARCHIVED_TRAIL, checks)
    _blob(store, record.plan_sha256, PLAN_DATA, checks)
    if trail_json is not None:
        archived = [audit.from_json(r) for r in json.loads(trail_json)]
        if report is not None and report.signed_at is not None:
            checks.append(_seal_time_check(report.signed_at, archived))
        checks.extend(_chain_checks(session, envelope_id, archived, record, original, sealed))
        checks.append(_final_check(session, store, record, archived))
    if record.case_file_sha256 is not None:  # the plan's case closed: its case file too
        case_file = _blob(store, record.case_file_sha256, CASE_FILE, checks)
        stated = _case_file(case_file) if case_file is not None else None
        if case_file is not None and stated is None:
            checks.append(Check(CASE_FILE, False, Wording(
                N_("the archived case file carries no %(file)s"), file="case-file.json")))
        elif case_file is not None and stated is not None:
            from signing.domain.case_verification import verify_case_file

            checks.extend(Check(Wording(N_("case file: %(check)s"), check=c.name), c.ok,
                                c.detail)
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
        name = checkin_record_name(kept.meeting, kept.version)
        pdf = _blob(store, kept.sha256, name, checks)
        if pdf is not None:
            checks.extend(_checkin_record_file_checks(pdf, kept, name, validate))
    return checks


def _checkin_record_file_checks(pdf: bytes, kept: Any, name: str,
                                validate: Validator) -> list[Check]:
    from docgen.casefile.checkin_record import read_record_data
    from docgen.casefile.model import canonical

    seal = seal_check(validate(pdf))
    checks = [Check(seal_of(name), seal.ok, seal.detail)]
    data_name = Wording(N_("%(document)s data"), document=name)
    try:
        data = read_record_data(pdf)
    except StampError as exc:
        return [*checks, Check(data_name, False, _error(exc))]
    if data is None:
        return [*checks, Check(data_name, False, Wording(
            N_("the PDF carries no %(file)s"), file="checkin-record.json"))]
    digest = hashlib.sha256(canonical(data["record"])).hexdigest()
    checks.append(Check(data_name, digest == data["sha256"] == kept.record_sha256
                        and data["checkin_id"] == kept.checkin_id, Wording(
                            N_("the record's data has SHA-256 %(digest)s; the PDF states "
                               "%(stated)s, the archive %(kept)s"),
                            digest=digest, stated=str(data["sha256"]),
                            kept=str(kept.record_sha256))))
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
        name = checkin_record_name(kept.meeting, kept.version)
        return [Check(ARCHIVED, True, Wording(
                    N_("version %(version)s of the record of check-in %(meeting)s of "
                       "envelope %(envelope)s"),
                    version=kept.version, meeting=kept.meeting, envelope=kept.envelope_id)),
                *_checkin_record_file_checks(pdf, kept, name, validate)]
    record = session.scalars(select(ArchivedRecord).where(
        ArchivedRecord.final_sha256 == digest)).first()
    if record is None:
        earlier = session.scalars(select(RecordVersion).where(
            RecordVersion.sha256 == digest)).first()
        if (earlier is not None
                and session.get(ArchivedRecord, earlier.envelope_id) is not None):
            return [Check(ARCHIVED, True, Wording(
                        N_("version %(version)s of the final PDF of envelope %(envelope)s, "
                           "since given further archive timestamps"),
                        version=earlier.version, envelope=earlier.envelope_id)),
                    seal_check(validate(pdf)),
                    *verify_envelope(session, store, earlier.envelope_id, validate)]
    if record is None:
        checks = [seal_check(validate(pdf))]
        _sealed_trail(pdf, None, checks)
        return [*checks, Check(ARCHIVED, False, Wording(
            N_("no archived plan has this file as its final PDF (SHA-256 %(digest)s)"),
            digest=digest))]
    return [Check(ARCHIVED, True, Wording(N_("the final PDF of envelope %(envelope)s"),
                                          envelope=record.envelope_id)),
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
        checks.append(Check(name, False, _error(exc)))
        return None
    checks.append(Check(name, True, Wording(N_("present, SHA-256 %(digest)s"), digest=key)))
    return data


def seal_check(report: Any) -> Check:
    level = getattr(report, "level", None)
    if report.ok:
        # "PAdES B-B" one token: a right-to-left sentence keeps it in its order.
        valid = (Wording(N_("valid (%(level)s)"), level=f"PAdES {level}") if level
                 else Wording(N_("valid")))
        if level in ("B-LT", "B-LTA"):
            valid = Wording(N_("%(valid)s from the certificates and revocation data the "
                               "file embeds"), valid=valid)
        if report.signed_at:
            return Check(SEAL, True, Wording(
                N_("%(valid)s, covers the whole file, by %(signer)s on %(at)s"),
                valid=valid, signer=str(report.signer), at=_utc(report.signed_at)))
        return Check(SEAL, True, Wording(N_("%(valid)s, covers the whole file, by %(signer)s"),
                                         valid=valid, signer=str(report.signer)))
    problems = joined(list(report.problems)) or Wording(N_("the seal is not valid"))
    if level:
        problems = Wording(N_("%(problems)s (%(level)s)"), problems=problems,
                           level=f"PAdES {level}")
    return Check(SEAL, False, problems)


def timestamp_checks(report: Any, now: dt.datetime | None = None) -> list[Check]:
    """One line per timestamp: when, by which authority, and until when that authority's
    certificate holds. Only the last one's expiry matters: each earlier one is covered
    by the next (the long-term validation in the seal check says whether it holds)."""
    stamps = list(getattr(report, "timestamps", ()) or ())
    if not report.sealed:
        return []
    if not stamps:
        return [Check(Wording(N_("timestamps")), True, Wording(
            N_("none: when the seal was made rests on the sealing server's clock "
               "(%(level)s)"), level="PAdES B-B"))]
    now = now or dt.datetime.now(dt.UTC)
    checks = []
    for number, stamp in enumerate(stamps, 1):
        last = number == len(stamps)
        ok = not last or stamp.expires > now
        detail = stamp.describe()
        if last and not ok:
            detail = Wording(N_("%(timestamp)s; it has expired: nothing proves the record's "
                                "time beyond it"), timestamp=detail)
        elif last and report.level == "B-LTA":
            detail = Wording(N_("%(timestamp)s; refresh before then (%(command)s)"),
                             timestamp=detail, command="plansign archive refresh-timestamps")
        checks.append(Check(Wording(N_("timestamp %(number)s"), number=number), ok, detail))
    return checks


def _final_check(session: Session, store: BlobStore, record: ArchivedRecord,
                 archived: Sequence[audit.AuditRecord]) -> Check:
    """The archived final PDF is the one the trail records sealing, or a later version
    of it: each version the one before with an archive timestamp appended (its bytes
    begin with the previous version's), each recorded in the envelope's trail."""
    from signing.domain.archive_timestamps import versions

    name = Wording(N_("final PDF hash"))
    sealings = [r for r in archived if r.type == EventType.ENVELOPE_SEALED]
    sealed = sealings[-1].data.get("final_sha256") if sealings else None
    if sealed is not None and sealed == record.final_sha256:
        return Check(name, True, Wording(N_("the audit trail records sealing this final PDF")))
    listed = versions(session, record.envelope_id)
    if not (listed and sealed is not None and listed[0].sha256 == sealed
            and listed[-1].sha256 == record.final_sha256):
        return Check(name, False, Wording(N_("the audit trail does not record sealing the "
                                             "archived final PDF, nor archive timestamps "
                                             "leading to it")))
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
            return Check(name, False, Wording(N_("version %(version)s: %(error)s"),
                                              version=version.version, error=_error(exc)))
        if before is not None:
            if previous is None or not data.startswith(previous):
                return Check(name, False, Wording(
                    N_("version %(version)s does not begin with version %(before)s: it is "
                       "not an archive timestamp added to it"),
                    version=version.version, before=before.version))
            if steps and (before.sha256, version.sha256) not in steps:
                return Check(name, False, Wording(
                    N_("the audit trail does not record version %(version)s replacing "
                       "%(before)s"), version=version.version, before=before.version))
        previous = data
    return Check(name, True, Wording(
        N_("the audit trail records sealing version 1; versions 2 to %(last)s each add an "
           "archive timestamp to the one before"), last=len(listed)))


def _seal_time_check(signed_at: dt.datetime, archived: Sequence[audit.AuditRecord]) -> Check:
    """The time the seal claims against the time the hash-chained trail records: a seal
    is checked against its certificate as of the time it claims (a certificate expired
    since does not undo it), so that time must be the one the record itself keeps."""
    sealed = [r.at for r in archived if r.type == EventType.ENVELOPE_SEALED]
    name = Wording(N_("seal time"))
    if not sealed:
        return Check(name, False, Wording(N_("the audit trail records no sealing")))
    gap = abs(signed_at - sealed[-1])
    return Check(name, gap <= SEAL_TIME_TOLERANCE, Wording(
        N_("the seal says %(seal)s; the audit trail records sealing at %(trail)s"),
        seal=_utc(signed_at), trail=_utc(sealed[-1])))


@dataclass(frozen=True)
class SealedTrail:
    """The audit trail the sealed PDF carries, read into records."""

    stated: StatedTrail
    records: list[audit.AuditRecord] | None  # None: a record that states only its head


def _sealed_trail(pdf: bytes, envelope_id: str | None,
                  checks: list[Check]) -> SealedTrail | None:
    """The trail attached to ``pdf``, and a check that says whether it holds together
    (its chain, its head, and whose it is); None, with a failed check, if it has none."""
    name = Wording(N_("audit chain (sealed PDF)"))
    try:
        stated = stated_trail(pdf)
        if stated is None:
            checks.append(Check(name, False, Wording(
                N_("the PDF carries no %(file)s and states no audit trail head, so no trail "
                   "can be checked against it"), file=ATTACHMENT_NAME)))
            return None
    except StampError as exc:
        checks.append(Check(name, False, _error(exc)))
        return None
    if stated.records is None:
        problems: list[str] = ([] if envelope_id in (None, stated.envelope_id) else [Wording(
            N_("it is the record of envelope %(stated)s, not %(envelope)s"),
            stated=str(stated.envelope_id), envelope=str(envelope_id))])
        checks.append(Check(name, not problems, joined(problems) or Wording(
            N_("made before records carried their trail, it states the head %(head)s on "
               "its certificate page"), head=str(stated.audit_head_hash))))
        return SealedTrail(stated, None)
    try:
        records = [audit.from_json(r) for r in stated.records]
    except (ValueError, TypeError, KeyError) as exc:
        checks.append(Check(name, False, Wording(
            N_("the PDF's %(file)s holds a record that is not an audit record (%(error)s)"),
            file=ATTACHMENT_NAME, error=Foreign(exc))))
        return None
    head = records[-1].hash if records else None
    problems = audit.verify_chain(records)
    if head != stated.audit_head_hash:
        problems.append(Wording(N_("its last record is not the head it states, %(head)s"),
                                head=str(stated.audit_head_hash)))
    if envelope_id is not None and stated.envelope_id != envelope_id:
        problems.append(Wording(N_("it is the trail of envelope %(stated)s, not %(envelope)s"),
                                stated=str(stated.envelope_id), envelope=envelope_id))
    checks.append(Check(name, not problems, joined(problems) or Wording.counted(
        NN_("%(count)s event of envelope %(envelope)s, head %(head)s, attached before "
            "sealing",
            "%(count)s events of envelope %(envelope)s, head %(head)s, attached before "
            "sealing"), len(records), envelope=str(stated.envelope_id), head=str(head))))
    return SealedTrail(stated, records)


def _against_seal(where: str, trail: Sequence[audit.AuditRecord],
                  sealed: SealedTrail) -> Check:
    """Whether ``trail`` begins with the records the sealed PDF carries, each one the same
    in every field (a trail rewritten and re-chained is consistent, but not this one)."""
    name = (Wording(N_("audit trail (archive) against the seal")) if where == "archive" else
            Wording(N_("audit trail (database) against the seal")))
    head = str(sealed.stated.audit_head_hash)
    if sealed.records is None:
        # The head's hash covers every record before it: a trail with a record of that
        # hash, whose chain holds (checked on its own), is the sealed one up to there.
        at = next((r.seq for r in trail if r.hash == head), None)
        return Check(name, at is not None, Wording(
            N_("its event %(seq)s is the head the sealed PDF states, %(head)s"),
            seq=at, head=head) if at else Wording(
            N_("none of its events is the head the sealed PDF states, %(head)s: the trail "
               "was changed after sealing"), head=head))
    if len(trail) < len(sealed.records):
        return Check(name, False, Wording(
            N_("it has %(kept)s events; the sealed PDF carries %(sealed)s"),
            kept=len(trail), sealed=len(sealed.records)))
    for kept, as_sealed in zip(trail, sealed.records, strict=False):
        differences = _differences(audit.to_json(as_sealed), audit.to_json(kept))
        # A changed record's hashes differ too: worth saying only when nothing else does.
        differences = ([d for d in differences if not d.startswith(("hash ", "prev_hash "))]
                       or differences)
        if differences:
            return Check(name, False, Wording(
                N_("record %(seq)s (%(type)s) differs from the sealed PDF's: %(differences)s"),
                seq=as_sealed.seq, type=str(as_sealed.type), differences=joined(differences)))
    return Check(name, True, Wording(
        N_("its first %(count)s events are the ones the sealed PDF carries, up to its head "
           "%(head)s"), count=len(sealed.records), head=head))


def _differences(sealed: dict[str, Any], kept: dict[str, Any], prefix: str = "") -> list[str]:
    """Each field that differs: its name, what the seal says, what is kept."""
    found: list[str] = []
    for key in sorted(sealed.keys() | kept.keys()):
        a, b = sealed.get(key), kept.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            found.extend(_differences(a, b, f"{prefix}{key}."))
        elif a != b:
            found.append(Wording(N_("%(field)s is %(kept)s, sealed as %(sealed)s"),
                                 field=f"{prefix}{key}", kept=_short(b), sealed=_short(a)))
    return found


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _original_found(stated: set[str], record: ArchivedRecord,
                    original: bytes | None) -> Wording:
    """What the original PDF's hash check found: the hashes the trail names beside the
    one the archive keeps, or, when those agree, that the file itself is missing."""
    kept = str(record.original_sha256)
    if not stated:
        return Wording(N_("the audit trail names no document; the archive holds %(kept)s"),
                       kept=kept)
    if original is None and stated == {kept}:
        return Wording(N_("the audit trail names %(kept)s, as the archive's record does, "
                          "but the archive no longer holds that file"), kept=kept)
    return Wording(N_("the audit trail names %(stated)s; the archive holds %(kept)s"),
                   stated=", ".join(sorted(stated)), kept=kept)


def _chain_checks(session: Session, envelope_id: str, archived: Sequence[audit.AuditRecord],
                  record: ArchivedRecord, original: bytes | None,
                  sealed: SealedTrail | None) -> list[Check]:
    checks = []
    problems = audit.verify_chain(archived)
    checks.append(Check(Wording(N_("audit chain (archive)")), not problems,
                        joined(problems) or Wording(
                            N_("%(count)s events, head %(head)s"), count=len(archived),
                            head=archived[-1].hash if archived else "-")))
    if sealed is not None:
        checks.append(_against_seal("archive", archived, sealed))
    stated = {r.document_sha256 for r in archived if r.document_sha256}
    checks.append(Check(Wording(N_("original PDF hash")), stated == {record.original_sha256}
                        and original is not None, _original_found(stated, record, original)))
    if sealed is not None:
        as_sealed = sealed.stated.original_sha256
        checks.append(Check(Wording(N_("original PDF hash against the seal")),
                            as_sealed == record.original_sha256, Wording(
                                N_("the sealed PDF states %(stated)s; the archive holds "
                                   "%(kept)s"), stated=str(as_sealed),
                                kept=str(record.original_sha256))))
    if session.get(EnvelopeRow, envelope_id) is not None:
        live = envelopes.audit_trail(session, envelope_id)
        problems = audit.verify_chain(live)
        prefix = [r.hash for r in live[:len(archived)]] == [r.hash for r in archived]
        checks.append(Check(Wording(N_("audit chain (database)")), not problems and prefix,
                            joined(problems) or (Wording(
                                N_("%(count)s events; the archived trail is its first "
                                   "%(archived)s"), count=len(live), archived=len(archived))
                                if prefix else Wording(
                                N_("the database's trail does not begin with the archived "
                                   "one")))))
        if sealed is not None:
            checks.append(_against_seal("database", live, sealed))
    return checks
