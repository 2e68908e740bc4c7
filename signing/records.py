"""Records staff's reads of the archive, shared by the API and the CLI: each search,
view and download is authorised, carried out, and written to the access log, denied
ones included.

Roles: ``records`` and ``admin`` read everything; ``hr`` reads the plans it sent (the
audit trail names the key that sent each one); the CLI reads as ``admin``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from archive import (
    ArchivedRecord,
    ArchiveError,
    BlobStore,
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
from signing import audit

DOCUMENTS = {"final.pdf": "final_sha256", "original.pdf": "original_sha256",
             "plan.json": "plan_sha256", "audit-trail.json": "audit_sha256"}
READ_ALL = frozenset({"records", "admin"})


class AccessDenied(ArchiveError):
    def __init__(self, message: str) -> None:
        super().__init__(message)


@dataclass(frozen=True)
class Caller:
    """Who asks: how the access log names them, their role, their address, and for an
    HR key the sender name its plans carry (``apikey:psk_...``)."""

    reader: Reader
    sender: str | None = field(default=None)

    @property
    def reads_all(self) -> bool:
        return self.reader.role in READ_ALL


def find(sessions: sessionmaker[Session], caller: Caller, query: SearchQuery, *,
         now: dt.datetime) -> Page:
    if not caller.reads_all:
        if caller.reader.role != "hr" or not caller.sender:
            _deny(sessions, caller, "search", None, now)
        query = SearchQuery(**{**query.__dict__, "sent_by": caller.sender})
    with sessions.begin() as session:
        page = search(session, query)
        log_access(session, caller.reader, "search", now=now, detail=_describe_query(query))
    return page


def read_record(sessions: sessionmaker[Session], store: BlobStore, caller: Caller,
                envelope_id: str, *, now: dt.datetime) -> tuple[ArchivedRecord,
                                                                  list[dict[str, Any]]]:
    """The record's index entry and its archived audit trail."""
    record = _authorised(sessions, caller, "view", envelope_id, now)
    try:
        trail = json.loads(store.get(record.audit_sha256))
    except ArchiveError as exc:
        with sessions.begin() as session:
            log_access(session, caller.reader, "view", now=now, envelope_id=envelope_id,
                       detail=f"failed: {exc}")
        raise
    with sessions.begin() as session:
        log_access(session, caller.reader, "view", now=now, envelope_id=envelope_id)
    return record, [audit.to_json(audit.from_json(r)) for r in trail]


def hold(sessions: sessionmaker[Session], caller: Caller, envelope_id: str, *, reason: str,
         now: dt.datetime) -> ArchivedRecord:
    """Place a legal hold; HR may hold only the plans it sent."""
    _authorised(sessions, caller, "hold", envelope_id, now)
    with sessions.begin() as session:
        return place_hold(session, envelope_id, reason=reason, by=caller.reader, now=now)


def release(sessions: sessionmaker[Session], caller: Caller, envelope_id: str, *,
            reason: str, now: dt.datetime) -> ArchivedRecord:
    """Lift a legal hold; HR may lift only holds on the plans it sent."""
    _authorised(sessions, caller, "lift hold", envelope_id, now)
    with sessions.begin() as session:
        return lift_hold(session, envelope_id, reason=reason, by=caller.reader, now=now)


def read_document(sessions: sessionmaker[Session], store: BlobStore, caller: Caller,
                  envelope_id: str, name: str, *, now: dt.datetime) -> bytes:
    """One archived document (``final.pdf``, ``original.pdf``, ``plan.json``,
    ``audit-trail.json``) or the whole bundle (``bundle.zip``), hash-checked."""
    if name != "bundle.zip" and name not in DOCUMENTS:
        raise ValueError(f"no document {name}")
    record = _authorised(sessions, caller, f"download {name}", envelope_id, now)
    action = f"download {name}"
    try:
        data = (record_bundle(store, record) if name == "bundle.zip"
                else store.get(getattr(record, DOCUMENTS[name])))
    except ArchiveError as exc:
        with sessions.begin() as session:
            log_access(session, caller.reader, action, now=now, envelope_id=envelope_id,
                       detail=f"failed: {exc}")
        raise
    with sessions.begin() as session:
        log_access(session, caller.reader, action, now=now, envelope_id=envelope_id)
    return data


def _authorised(sessions: sessionmaker[Session], caller: Caller, action: str,
                envelope_id: str, now: dt.datetime) -> ArchivedRecord:
    with sessions() as session:
        try:
            record = get_record(session, envelope_id)
        except RecordNotFound:
            record = None
    if record is None:
        with sessions.begin() as session:
            log_access(session, caller.reader, action, now=now, envelope_id=envelope_id,
                       detail="no such record")
        raise RecordNotFound(envelope_id)
    if not caller.reads_all and not (caller.reader.role == "hr" and caller.sender
                                     and record.sent_by == caller.sender):
        _deny(sessions, caller, action, envelope_id, now)
    return record


def _deny(sessions: sessionmaker[Session], caller: Caller, action: str,
          envelope_id: str | None, now: dt.datetime) -> None:
    with sessions.begin() as session:
        log_access(session, caller.reader, action, now=now, envelope_id=envelope_id,
                   allowed=False, detail="denied: role " + str(caller.reader.role))
    raise AccessDenied(f"a {caller.reader.role} key may not read this record"
                       if envelope_id else f"a {caller.reader.role} key may not search "
                                           "the archive")


def _describe_query(query: SearchQuery) -> str:
    given = {k: (v.isoformat() if isinstance(v, dt.datetime) else v)
             for k, v in query.__dict__.items() if v is not None}
    return json.dumps(given, ensure_ascii=False, sort_keys=True)
