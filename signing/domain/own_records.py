"""A person's own records: what the records page finds for an address, the links it
mails, and serving a record from a link (checked against the archive, access-logged).

Kinds of record are listed in :data:`KINDS`, each a :class:`RecordKind`: how to find a
person's records of that kind by their address, and how to read one for them: plans
(``plan``), a closed case's case file (``case_file``, the employee's only), which
holds every check-in record with the employee's answers, and, while the case is open,
each check-in record on its own (``checkin``, the employee's only). Another kind is
added by adding a kind (the links, the email, the page and the access log need no
change).

Every request on the records page and every download, served or refused, is written to
the archive's access log (``records.request`` by the page, then ``records.mailed`` or
``records.none`` by the worker; ``records.download``, ``copy.download``). An address that
belongs to no signer is logged without the address (a keyed hash of it, so that one
address's repeated requests can be told apart).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from sqlalchemy import exists, func, insert, or_, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from archive import ArchiveError, BlobStore
from archive.access import Reader, log_access
from archive.models import ArchivedRecord
from docgen.languages import stored_language
from docgen.model import address_problem
from signing.domain.documents import (
    THE_PLAN,
    DocumentName,
    Gettext,
    case_file_name,
    checkin_record_name,
    document_name,
)
from signing.domain.links import Purpose
from signing.domain.models import (
    CheckinRecordFile,
    CheckinRow,
    EnvelopeRow,
    OutboxRow,
    RecordLinkRevocation,
    RecordsRequestRow,
    SignerRow,
)
from signing.domain.recordlinks import RecordClaims
from signing.domain.workflow import Role

MAX_ADDRESS = 254
REQUEST_EMAIL = "records_access"  # the outbox row's name for the mail a request sends


@dataclass(frozen=True)
class OwnRecord:
    """One record a person may have a copy of, as the email lists it."""

    kind: str
    record_id: str
    signer_id: str
    role: str  # the person's role in it (employee, manager, HR)
    subject: str  # whose record it is (the employee's name)
    closed_at: dt.datetime  # when it was completed (or voided); a check-in: held
    outcome: str  # a check-in record's: acknowledged, commented or no_answer
    # What the record's document is: a plan, its outcome letter, an amendment.
    document: DocumentName = THE_PLAN
    meeting: int | None = None  # a check-in record's meeting in the plan's schedule
    plan_envelope_id: str | None = None  # a check-in record's plan (its id is its own)

    @property
    def envelope_id(self) -> str:
        """The plan's envelope the record belongs to (the outbox and the log file by it)."""
        return self.plan_envelope_id or self.record_id


@dataclass(frozen=True)
class RecordFile:
    # The file's name in the language of a gettext (signing.domain.documents: the names
    # the emails give the same documents), which the signer reads in their plan's.
    name: Callable[[Gettext], str]
    content: bytes
    # The plan's envelope, when the record's own id is not it (a check-in record's): the
    # access log files the download under the plan.
    envelope_id: str | None = None
    language: str = "en"  # the plan's (docgen.languages.stored_language)

    @property
    def filename(self) -> str:
        """The English name."""
        return self.name(_english)


def _english(text: str) -> str:
    return text


def _plan_language(session: Session, envelope_id: str) -> str:
    """The language the plan's signers read it in (English for a plan no longer held)."""
    envelope = session.get(EnvelopeRow, envelope_id)
    return stored_language(envelope.plan_data if envelope is not None else None)


class RecordKind(Protocol):
    name: str

    def of_address(self, session: Session, address: str) -> list[OwnRecord]:
        """Every record of this kind with a signer at ``address`` (lower case)."""
        ...

    def read(self, session: Session, store: BlobStore, record_id: str,
             signer_id: str) -> RecordFile | None:
        """The record's file for that signer; None if it is not (any longer) theirs to
        read: purged, or not one of its signers. Raises ArchiveError for a blob that is
        missing or corrupt (never served)."""
        ...


class PlanRecords:
    """Archived plans: the sealed final PDF, the latest version the archive holds."""

    name = "plan"

    def of_address(self, session: Session, address: str) -> list[OwnRecord]:
        rows = session.execute(
            select(ArchivedRecord.envelope_id, SignerRow.id, SignerRow.role,
                   ArchivedRecord.employee_name, ArchivedRecord.completed_at,
                   ArchivedRecord.outcome, EnvelopeRow.document_kind,
                   EnvelopeRow.amendment_number)
            .join(ArchivedRecord, ArchivedRecord.envelope_id == SignerRow.envelope_id)
            .outerjoin(EnvelopeRow, EnvelopeRow.id == SignerRow.envelope_id)
            .where(func.lower(SignerRow.email) == address)
            .order_by(ArchivedRecord.completed_at.desc()))
        return [OwnRecord(self.name, envelope_id, signer_id, role, employee, closed, outcome,
                          document_name(kind, number))
                for envelope_id, signer_id, role, employee, closed, outcome, kind, number
                in rows]

    def read(self, session: Session, store: BlobStore, record_id: str,
             signer_id: str) -> RecordFile | None:
        record = session.get(ArchivedRecord, record_id)
        signer = session.get(SignerRow, signer_id)
        if record is None or signer is None or signer.envelope_id != record_id:
            return None
        # Saved under the document's name: an outcome letter's, an amendment's, a plan's.
        envelope = session.get(EnvelopeRow, record_id)
        document = (document_name(envelope.document_kind, envelope.amendment_number)
                    if envelope is not None else THE_PLAN)
        return RecordFile(functools.partial(document.file_name, True),
                          store.get(record.final_sha256),
                          language=stored_language(envelope.plan_data
                                                   if envelope is not None else None))


class CaseFileRecords:
    """A closed case's sealed case file (issue 17: the plan, every check-in record with
    the employee's answers, the outcome letter, the progress charts): the employee's
    own, so only the plan's employee is given it (the manager and HR read cases in the
    console, under its access rules)."""

    name = "case_file"

    def of_address(self, session: Session, address: str) -> list[OwnRecord]:
        rows = session.execute(
            select(ArchivedRecord.envelope_id, SignerRow.id, SignerRow.role,
                   ArchivedRecord.employee_name, ArchivedRecord.case_closed_at,
                   ArchivedRecord.case_outcome)
            .join(ArchivedRecord, ArchivedRecord.envelope_id == SignerRow.envelope_id)
            .where(func.lower(SignerRow.email) == address, SignerRow.role == Role.EMPLOYEE,
                   ArchivedRecord.case_file_sha256.is_not(None))
            .order_by(ArchivedRecord.case_closed_at.desc()))
        return [OwnRecord(self.name, envelope_id, signer_id, role, employee,
                          closed or dt.datetime.min.replace(tzinfo=dt.UTC), outcome or "")
                for envelope_id, signer_id, role, employee, closed, outcome in rows]

    def read(self, session: Session, store: BlobStore, record_id: str,
             signer_id: str) -> RecordFile | None:
        record = session.get(ArchivedRecord, record_id)
        signer = session.get(SignerRow, signer_id)
        if (record is None or record.case_file_sha256 is None or signer is None
                or signer.envelope_id != record_id or signer.role != Role.EMPLOYEE):
            return None
        return RecordFile(case_file_name, store.get(record.case_file_sha256),
                          language=_plan_language(session, record_id))


class CheckinRecords:
    """Each check-in record of an open case, as a sealed PDF of its own
    (signing.domain.checkin_record_task: made once the employee's answer settles, a new
    version for a later answer, the newest served): the employee's only, as the case
    file is. Once the plan's case file is archived they are no longer listed, nor
    served: the case file holds every one of them, with the answers as they stood at
    the close, and one sealed account of the case is what the employee should keep and
    compare, not two that may differ by a late comment. Between the close and the
    case file's archiving (a worker pass) they are still listed, so the employee is
    never without them."""

    name = "checkin"

    def of_address(self, session: Session, address: str) -> list[OwnRecord]:
        # From the address's signers (an index on lower(email)) to their plans' check-in
        # records, each at its newest version.
        newer = aliased(CheckinRecordFile)
        rows = session.execute(
            select(CheckinRecordFile.checkin_id, CheckinRecordFile.envelope_id, SignerRow.id,
                   SignerRow.role, SignerRow.name, CheckinRecordFile.meeting,
                   CheckinRow.held_at, CheckinRow.scheduled_for, CheckinRecordFile.answer)
            .select_from(SignerRow)
            .join(CheckinRecordFile, CheckinRecordFile.envelope_id == SignerRow.envelope_id)
            .join(CheckinRow, CheckinRow.id == CheckinRecordFile.checkin_id)
            .where(func.lower(SignerRow.email) == address, SignerRow.role == Role.EMPLOYEE,
                   ~exists().where(newer.checkin_id == CheckinRecordFile.checkin_id,
                                   newer.version > CheckinRecordFile.version),
                   ~exists().where(ArchivedRecord.envelope_id == CheckinRecordFile.envelope_id,
                                   ArchivedRecord.case_file_sha256.is_not(None)))
            .order_by(CheckinRecordFile.meeting))
        # A version is made only once an answer settles: "pending" there is a comment
        # with no acknowledgement.
        return [OwnRecord(self.name, checkin_id, signer_id, role, name, held or scheduled,
                          "commented" if answer == "pending" else answer,
                          meeting=meeting, plan_envelope_id=envelope_id)
                for checkin_id, envelope_id, signer_id, role, name, meeting, held, scheduled,
                answer in rows]

    def read(self, session: Session, store: BlobStore, record_id: str,
             signer_id: str) -> RecordFile | None:
        signer = session.get(SignerRow, signer_id)
        kept = session.scalars(select(CheckinRecordFile)
                               .where(CheckinRecordFile.checkin_id == record_id)
                               .order_by(CheckinRecordFile.version.desc()).limit(1)).first()
        if (kept is None or signer is None or signer.envelope_id != kept.envelope_id
                or signer.role != Role.EMPLOYEE or session.scalar(
                    select(ArchivedRecord.case_file_sha256)
                    .where(ArchivedRecord.envelope_id == kept.envelope_id)) is not None):
            return None
        return RecordFile(functools.partial(checkin_record_name, kept.meeting),
                          store.get(kept.sha256), kept.envelope_id,
                          language=_plan_language(session, kept.envelope_id))


KINDS: dict[str, RecordKind] = {kind.name: kind
                                for kind in (PlanRecords(), CaseFileRecords(),
                                             CheckinRecords())}


# -- the request ---------------------------------------------------------------------------


class InvalidAddress(ValueError):
    """What was typed is not an email address. ``code`` says why (``empty``, ``long``,
    ``form``), for the page to say in the reader's language; ``str()`` in English."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"email: {message}")
        self.code = code


def checked_address(typed: str) -> str:
    """The address as it is looked up (trimmed, lower case), or InvalidAddress."""
    address = typed.strip()
    if not address:
        raise InvalidAddress("empty", "enter an email address")
    if len(address) > MAX_ADDRESS:
        raise InvalidAddress("long", f"an email address is at most {MAX_ADDRESS} characters")
    if address_problem(address) is not None:
        raise InvalidAddress("form", "not an email address (name@example.com)")
    return address.lower()


def records_of(session: Session, address: str,
               kinds: Sequence[RecordKind] | None = None) -> list[OwnRecord]:
    """Every record of every kind with a signer at ``address``, newest first."""
    found = [r for kind in (kinds or KINDS.values()) for r in kind.of_address(session, address)]
    return sorted(found, key=lambda r: r.closed_at, reverse=True)


def request_records(session: Session, address: str, *, ip: str | None, now: dt.datetime,
                    pepper: bytes) -> None:
    """Someone asked for the records of ``address`` (checked). The same two inserts for
    every address, so that the page's answer cannot tell a signer's address by its time:
    the request, for the worker to answer (:func:`answer_requests`), and its line in the
    access log, which names the address only by a keyed hash."""
    session.add(RecordsRequestRow(address=address, ip=ip, requested_at=now))
    log_access(session, Reader("records page", "requester", ip), "records.request", now=now,
               detail=f"address {address_hash(address, pepper)} (keyed hash)")
    session.flush()


def answer_requests(sessions: sessionmaker[Session], *, now: dt.datetime, pepper: bytes,
                    limit: int = 100) -> int:
    """The worker's part: for each waiting request, look the address up; if it is a
    signer's, queue the email that lists their records (the links are made when it is
    sent, so none is stored) and log it with the address; otherwise log that nothing
    was sent, by the keyed hash alone. Each request is then deleted (the address is not
    kept). Rows are claimed with SKIP LOCKED, so workers side by side answer each once.
    Returns how many were answered."""
    with sessions.begin() as session:
        rows = session.scalars(select(RecordsRequestRow).order_by(RecordsRequestRow.id)
                               .limit(limit).with_for_update(skip_locked=True)).all()
        for row in rows:
            _answer(session, row, now=now, pepper=pepper)
            session.delete(row)
    return len(rows)


def _answer(session: Session, row: RecordsRequestRow, *, now: dt.datetime,
            pepper: bytes) -> None:
    records = records_of(session, row.address)
    reader = Reader("worker", None, row.ip)
    asked = f"asked {row.requested_at.isoformat()}"
    if not records:
        log_access(session, reader, "records.none", now=now,
                   detail=f"address {address_hash(row.address, pepper)} (keyed hash): no "
                          f"signer has it, nothing sent; {asked}")
        return
    newest = records[0]
    # An outbox row hangs on an envelope: the newest record's; the email lists them all.
    session.execute(insert(OutboxRow).values(
        dedupe_key=f"{REQUEST_EMAIL}:{row.id}:{secrets.token_hex(8)}", kind="email",
        name=REQUEST_EMAIL, envelope_id=newest.envelope_id, signer_id=newest.signer_id,
        payload={"address": row.address}, created_at=now, attempts=0,
        next_attempt_at=now))
    log_access(session, reader, "records.mailed", now=now, envelope_id=newest.envelope_id,
               detail=f"{row.address}: {len(records)} record(s); {asked}")


def address_hash(address: str, pepper: bytes) -> str:
    """Tells one unknown address's requests apart in the log without keeping it."""
    return hmac.new(pepper, address.encode(), hashlib.sha256).hexdigest()[:16]


# -- following a link -----------------------------------------------------------------------


class Refused(StrEnum):
    """Why a genuine link served nothing: the record is no longer there for this person
    (purged, the link revoked, the signer not one of its signers), or its file could not
    be read safely (missing or corrupt in the blob store; never served)."""

    GONE = "no longer available"
    UNREADABLE = "unreadable"


def revoked(session: Session, claims: RecordClaims) -> bool:
    """Whether a revocation newer than the link covers it."""
    return session.scalar(
        select(func.count()).select_from(RecordLinkRevocation).where(
            RecordLinkRevocation.kind == claims.kind,
            RecordLinkRevocation.record_id == claims.record_id,
            or_(RecordLinkRevocation.signer_id.is_(None),
                RecordLinkRevocation.signer_id == claims.signer_id),
            RecordLinkRevocation.revoked_at >= claims.issued_at)) != 0


def download(session: Session, store: BlobStore, claims: RecordClaims, *, ip: str | None,
             now: dt.datetime) -> RecordFile | Refused:
    """The record a valid link names, for the signer it names; or why not. Either way it
    is in the access log (in the caller's transaction, which it leaves to commit)."""
    action = "copy.download" if claims.purpose is Purpose.DOWNLOAD else "records.download"
    reader = Reader(f"signer:{claims.signer_id}", "signer", ip)
    issued = f"{claims.kind} link issued {claims.issued_at.isoformat()}"
    kind = KINDS.get(claims.kind)
    found: RecordFile | Refused
    try:
        read = (None if kind is None or revoked(session, claims)
                else kind.read(session, store, claims.record_id, claims.signer_id))
        found = Refused.GONE if read is None else read
    except ArchiveError as exc:
        found, issued = Refused.UNREADABLE, f"{issued}; {type(exc).__name__}"
    if isinstance(found, Refused):
        log_access(session, reader, action, now=now, envelope_id=claims.record_id,
                   detail=f"{issued}; refused: {found.value}", allowed=False)
    else:
        log_access(session, reader, action, now=now,
                   envelope_id=found.envelope_id or claims.record_id,
                   detail=issued if found.envelope_id is None
                   else f"{issued}; record {claims.record_id}")
    return found


def revoke(session: Session, kind: str, record_id: str, *, signer_id: str | None,
           by: str, reason: str, now: dt.datetime) -> RecordLinkRevocation:
    """Every copy link to the record made until now (for one signer, or all) stops
    working. A fresh one comes from the records page."""
    if not reason.strip():
        raise ValueError("reason: say why the links are revoked")
    row = RecordLinkRevocation(kind=kind, record_id=record_id, signer_id=signer_id,
                               revoked_at=now, revoked_by=by, reason=reason.strip())
    session.add(row)
    session.flush()
    return row


def revoke_envelope(session: Session, envelope_id: str, *, signer_id: str | None, by: str,
                    reason: str, now: dt.datetime) -> list[str]:
    """Every link to a plan's records made until now (for one signer, or all) stops
    working: the plan's copy, its case file's, and the employee's check-in records'.
    Returns the check-ins whose links were revoked, by meeting."""
    revoke(session, PlanRecords.name, envelope_id, signer_id=signer_id, by=by,
           reason=reason, now=now)
    revoke(session, CaseFileRecords.name, envelope_id, signer_id=signer_id, by=by,
           reason=reason, now=now)
    checkins = list(session.scalars(select(CheckinRow.id)
                                    .where(CheckinRow.envelope_id == envelope_id)
                                    .order_by(CheckinRow.meeting)))
    for checkin_id in checkins:
        revoke(session, CheckinRecords.name, checkin_id, signer_id=signer_id, by=by,
               reason=reason, now=now)
    return checkins
