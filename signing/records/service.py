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
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from archive import (
    ArchivedRecord,
    ArchiveError,
    BlobStore,
    NoCaseFile,
    Page,
    Reader,
    RecordNotFound,
    SearchQuery,
    get_record,
    lift_hold,
    log_access,
    place_hold,
    record_bundle,
    search,
)
from signing.domain import access, audit
from signing.domain.access import Principal, Role

DOCUMENTS = {"final.pdf": "final_sha256", "original.pdf": "original_sha256",
             "plan.json": "plan_sha256", "audit-trail.json": "audit_sha256",
             # The sealed case file, once the plan's case closed.
             "case-file.pdf": "case_file_sha256"}


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


def read_document(sessions: sessionmaker[Session], store: BlobStore, caller: Principal,
                  envelope_id: str, name: str, *, now: dt.datetime) -> bytes:
    """One archived document (``final.pdf``, ``original.pdf``, ``plan.json``,
    ``audit-trail.json``) or the whole bundle (``bundle.zip``), hash-checked."""
    if name != "bundle.zip" and name not in DOCUMENTS:
        raise ValueError(f"no document {name}")
    record = _authorised(sessions, caller, f"download {name}", envelope_id, now)
    action = f"download {name}"
    try:
        if name != "bundle.zip" and getattr(record, DOCUMENTS[name]) is None:
            raise NoCaseFile(envelope_id)
        data = (record_bundle(store, record) if name == "bundle.zip"
                else store.get(getattr(record, DOCUMENTS[name])))
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
