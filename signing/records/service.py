"""Records staff's reads of the archive, shared by the API and the CLI: each search,
view and download is authorised, carried out, and written to the access log, denied
ones included.

Who may read what is :func:`signing.domain.access.may_read_record`: ``records`` and ``admin``
read everything; ``hr`` reads the plans it sent and its team's; the CLI reads as
``admin``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from archive import (
    ArchivedRecord,
    ArchiveError,
    BlobStore,
    CheckinRecordPdf,
    HoldError,
    LegalHold,
    NoCaseFile,
    NoSuchDocument,
    Page,
    Reader,
    RecordNotFound,
    SearchQuery,
    get_record,
    holds_over,
    legal_holds,
    lift_hold,
    log_access,
    place_group_hold,
    place_hold,
    record_bundle,
    records_held,
    release_group_hold,
    search,
)
from signing.domain import access, audit
from signing.domain.access import Principal, Role
from signing.domain.models import CheckinRecordFile, CheckinRow, EnvelopeRow
from signing.domain.wording import N_

DOCUMENTS = {"final.pdf": "final_sha256", "original.pdf": "original_sha256",
             "plan.json": "plan_sha256", "audit-trail.json": "audit_sha256",
             # The sealed case file, once the plan's case closed.
             "case-file.pdf": "case_file_sha256"}
# A check-in record's sealed PDF, one file per version (archive.CheckinRecordPdf.name).
CHECKIN_FILE = re.compile(r"check-in-([1-9][0-9]{0,3})-record-v([1-9][0-9]{0,3})\.pdf")


def find(sessions: sessionmaker[Session], caller: Principal, query: SearchQuery, *,
         now: dt.datetime) -> Page:
    """Search; HR's searches find only the plans it may read."""
    if caller.role is Role.HR:
        query = SearchQuery(**{**query.__dict__, "sent_by": caller.actor,
                               "team": caller.team})
    with sessions.begin() as session:
        page = search(session, query)
        log_access(session, _reader(caller), "search", now=now, detail=_describe_query(query))
    return page


def read_record(sessions: sessionmaker[Session], store: BlobStore, caller: Principal,
                envelope_id: str, *, now: dt.datetime) -> tuple[ArchivedRecord,
                                                                  list[dict[str, Any]]]:
    """The record's index entry and its archived audit trail."""
    record = _authorised(sessions, caller, "view", envelope_id, now)
    try:
        trail = json.loads(store.get(record.audit_sha256))
    except ArchiveError as exc:
        with sessions.begin() as session:
            log_access(session, _reader(caller), "view", now=now, envelope_id=envelope_id,
                       detail=f"failed: {exc}")
        raise
    with sessions.begin() as session:
        log_access(session, _reader(caller), "view", now=now, envelope_id=envelope_id)
    return record, [audit.to_json(audit.from_json(r)) for r in trail]


def hold(sessions: sessionmaker[Session], caller: Principal, envelope_id: str, *, reason: str,
         now: dt.datetime) -> ArchivedRecord:
    """Place a legal hold; HR may hold only the plans it sent."""
    _authorised(sessions, caller, "hold", envelope_id, now)
    with sessions.begin() as session:
        return place_hold(session, envelope_id, reason=reason, by=_reader(caller), now=now)


def release(sessions: sessionmaker[Session], caller: Principal, envelope_id: str, *,
            reason: str, now: dt.datetime) -> ArchivedRecord:
    """Lift a legal hold; HR may lift only holds on the plans it sent."""
    _authorised(sessions, caller, "lift hold", envelope_id, now)
    with sessions.begin() as session:
        return lift_hold(session, envelope_id, reason=reason, by=_reader(caller), now=now)


# -- legal holds over a department or a manager ----------------------------------------
#
# Records staff's and admins' alone: such a hold reaches records of every team, which an
# HR caller may not see (HR hold the plans they sent, one by one, above).


class GroupHoldRefused(HoldError):
    """The caller's role may not place, release or list holds over a department or manager."""


def hold_group(sessions: sessionmaker[Session], caller: Principal, scope: str, value: str,
               *, reason: str, now: dt.datetime) -> LegalHold:
    """Hold every record of a department or manager, archived now or later."""
    _staff_only(sessions, caller, f"hold {scope}", now)
    with sessions.begin() as session:
        hold = place_group_hold(session, scope, value, reason=reason, by=_reader(caller),
                                now=now)
        session.expunge(hold)
    return hold


def release_group(sessions: sessionmaker[Session], caller: Principal, hold_id: int, *,
                  reason: str, now: dt.datetime) -> LegalHold:
    _staff_only(sessions, caller, "release hold", now)
    with sessions.begin() as session:
        hold = release_group_hold(session, hold_id, reason=reason, by=_reader(caller), now=now)
        session.expunge(hold)
    return hold


def group_holds(sessions: sessionmaker[Session], caller: Principal, *, released: bool = False,
                now: dt.datetime) -> list[tuple[LegalHold, int]]:
    """The holds over departments and managers (in force, or all), each with how many
    archived records it covers now."""
    _staff_only(sessions, caller, "list holds", now)
    with sessions.begin() as session:
        found = [(hold, records_held(session, hold) if hold.active else 0)
                 for hold in legal_holds(session, released=released)]
        for hold, _ in found:
            session.expunge(hold)
        log_access(session, _reader(caller), "list holds", now=now,
                   detail=f"{len(found)} hold(s)" + (", released too" if released else ""))
    return found


def holds_on(sessions: sessionmaker[Session], record: ArchivedRecord) -> list[LegalHold]:
    """The holds over the record's department or manager; for a record the caller has
    just read (the read is logged there)."""
    with sessions() as session:
        found = holds_over(session, record)
        for hold in found:
            session.expunge(hold)
    return found


def _staff_only(sessions: sessionmaker[Session], caller: Principal, action: str,
                now: dt.datetime) -> None:
    if caller.role in (Role.RECORDS, Role.ADMIN):
        return
    with sessions.begin() as session:
        log_access(session, _reader(caller), action, now=now, allowed=False,
                   detail=f"denied: a {caller.role} may not hold a department or manager")
    raise GroupHoldRefused("", N_("only records staff and admins hold a department's or "
                                  "a manager's records"))


def checkin_pdfs(sessions: sessionmaker[Session], envelope_id: str) -> list[CheckinRecordPdf]:
    """Every version of the employee's check-in records of a plan, by meeting; for a
    record the caller has just read (the read is logged there)."""
    with sessions() as session:
        return checkins_in(session, envelope_id)


def checkins_in(session: Session, envelope_id: str) -> list[CheckinRecordPdf]:
    return [CheckinRecordPdf(f.meeting, f.version, f.answer, f.made_at, f.sha256,
                             f.record_sha256)
            for f in session.scalars(select(CheckinRecordFile)
                                     .where(CheckinRecordFile.envelope_id == envelope_id)
                                     .order_by(CheckinRecordFile.meeting,
                                               CheckinRecordFile.version))]


def checkin_days(sessions: sessionmaker[Session], envelope_id: str) -> dict[int, dt.date]:
    """The day of each check-in meeting of a plan's case, by meeting, as its record (and
    the record's PDF) states it: when it was held, or was to be held if it was missed,
    in the plan's check-in zone. Empty once the plan's envelope is erased."""
    with sessions() as session:
        plan = session.scalar(select(EnvelopeRow.plan_data).where(EnvelopeRow.id == envelope_id))
        checkins = (plan or {}).get("checkins") or {}
        try:
            zone = ZoneInfo(str(checkins.get("timezone") or "UTC"))
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        return {meeting: (held or scheduled).astimezone(zone).date()
                for meeting, held, scheduled in session.execute(
                    select(CheckinRow.meeting, CheckinRow.held_at, CheckinRow.scheduled_for)
                    .where(CheckinRow.envelope_id == envelope_id))}


def read_document(sessions: sessionmaker[Session], store: BlobStore, caller: Principal,
                  envelope_id: str, name: str, *, now: dt.datetime) -> bytes:
    """One archived document (``final.pdf``, ``original.pdf``, ``plan.json``,
    ``audit-trail.json``, ``case-file.pdf``, a check-in record's
    ``check-in-N-record-vM.pdf``) or the whole bundle (``bundle.zip``), hash-checked."""
    checkin = CHECKIN_FILE.fullmatch(name)
    if name != "bundle.zip" and name not in DOCUMENTS and checkin is None:
        raise ValueError(f"no document {name}")
    record = _authorised(sessions, caller, f"download {name}", envelope_id, now)
    action = f"download {name}"
    try:
        if name == "bundle.zip":
            data = record_bundle(store, record, checkin_pdfs(sessions, envelope_id))
        elif checkin is not None:
            pdf = next((p for p in checkin_pdfs(sessions, envelope_id) if p.name == name),
                       None)
            if pdf is None:
                raise NoSuchDocument(envelope_id, name)
            data = store.get(pdf.sha256)
        elif getattr(record, DOCUMENTS[name]) is None:
            raise NoCaseFile(envelope_id)
        else:
            data = store.get(getattr(record, DOCUMENTS[name]))
    except ArchiveError as exc:
        with sessions.begin() as session:
            log_access(session, _reader(caller), action, now=now, envelope_id=envelope_id,
                       detail=f"failed: {exc}")
        raise
    with sessions.begin() as session:
        log_access(session, _reader(caller), action, now=now, envelope_id=envelope_id)
    return data


def _authorised(sessions: sessionmaker[Session], caller: Principal, action: str,
                envelope_id: str, now: dt.datetime) -> ArchivedRecord:
    with sessions() as session:
        try:
            record = get_record(session, envelope_id)
        except RecordNotFound:
            record = None
    if record is None:
        with sessions.begin() as session:
            log_access(session, _reader(caller), action, now=now, envelope_id=envelope_id,
                       allowed=False, detail="no such record")
        raise RecordNotFound(envelope_id)
    if not access.may_read_record(caller, sent_by=record.sent_by, team=record.team):
        _deny(sessions, caller, action, envelope_id, now)
    return record


def _deny(sessions: sessionmaker[Session], caller: Principal, action: str,
          envelope_id: str, now: dt.datetime) -> None:
    """Refused as if there were no such record, so that its id is not confirmed."""
    with sessions.begin() as session:
        log_access(session, _reader(caller), action, now=now, envelope_id=envelope_id,
                   allowed=False, detail=f"denied: not this {caller.role}'s record")
    raise RecordNotFound(envelope_id)


def _reader(caller: Principal) -> Reader:
    return access.access_reader(caller)


def _describe_query(query: SearchQuery) -> str:
    given = {k: (v.isoformat() if isinstance(v, dt.datetime) else v)
             for k, v in query.__dict__.items() if v is not None}
    return json.dumps(given, ensure_ascii=False, sort_keys=True)
