"""Keeping records for their retention period, legal holds, and purging what has passed
its period.

A legal hold is placed on one record, or over every record of a department or of a
manager (:class:`LegalHold`): such a hold is matched when a purge runs, so it keeps the
records archived after it was placed too, until it is released.

A purge removes the index row and leaves a tombstone (ids, hashes, dates, who purged)
in one transaction, then deletes the blobs no remaining record uses and marks the
tombstone swept. A crash between the two leaves blobs nobody points at, which the next
purge deletes; a tombstone once swept is not looked at again. A record on legal hold
is never purged, whatever its date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, false, func, literal, or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from archive.access import Reader, log_access
from archive.errors import N_, ArchiveError, BlobNotFound
from archive.models import ArchivedRecord, LegalHold, RecordVersion, Tombstone
from archive.records import fold, get_record
from archive.store import BlobStore

MAX_REASON = 2000
MAX_HOLD_VALUE = 200
HOLD_SCOPES = ("department", "manager")
BLOB_COLUMNS = ("original_sha256", "final_sha256", "plan_sha256", "audit_sha256",
                "case_file_sha256")  # the last only once the plan's case closed


class HoldError(ArchiveError):
    def __init__(self, envelope_id: str, message: str, **values: object) -> None:
        self.envelope_id = envelope_id
        super().__init__(self.worded(message, **values))


class HoldNotFound(HoldError):
    """No legal hold over a department or manager has this id."""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def reason_problem(reason: str) -> str | None:
    """What is wrong with the reason given for placing or lifting a hold, or None."""
    if not reason.strip() or len(" ".join(reason.split())) > MAX_REASON:
        return (f"give a reason of 1 to {MAX_REASON} characters: who asked for the hold, "
                "or why it is lifted")
    if _CONTROL.search(reason):
        return "contains control characters; remove them"
    return None


def _reason(reason: str) -> str:
    problem = reason_problem(reason)
    if problem is not None:
        raise HoldError("", N_("reason: %(problem)s"), problem=problem)
    return " ".join(reason.split())


def place_hold(session: Session, envelope_id: str, *, reason: str, by: Reader,
               now: dt.datetime) -> ArchivedRecord:
    """Keep a record past its retention period, until the hold is lifted."""
    reason = _reason(reason)
    record = get_record(session, envelope_id)
    if record.on_hold:
        raise HoldError(envelope_id, N_("envelope %(envelope)s is already on hold since "
                                        "%(since)s (%(reason)s)"), envelope=envelope_id,
                        since=f"{record.hold_at:%Y-%m-%d}", reason=record.hold_reason)
    record.hold_reason, record.hold_by, record.hold_at = reason, by.actor, now
    log_access(session, by, "hold", now=now, envelope_id=envelope_id, detail=reason)
    return record


def lift_hold(session: Session, envelope_id: str, *, reason: str, by: Reader,
              now: dt.datetime) -> ArchivedRecord:
    reason = _reason(reason)
    record = get_record(session, envelope_id)
    if not record.on_hold:
        raise HoldError(envelope_id, N_("envelope %(envelope)s is not on hold"),
                        envelope=envelope_id)
    record.hold_reason = record.hold_by = record.hold_at = None
    log_access(session, by, "lift hold", now=now, envelope_id=envelope_id, detail=reason)
    return record


# -- holds over a department or a manager --------------------------------------------------


def hold_value_problem(scope: str, value: str) -> str | None:
    """What is wrong with the department or manager a hold is placed over, or None."""
    if scope not in HOLD_SCOPES:
        return f"a hold is placed over a {' or a '.join(HOLD_SCOPES)}, not {scope!r}"
    if not value.strip() or len(" ".join(value.split())) > MAX_HOLD_VALUE:
        return (f"give the {scope}'s name, 1 to {MAX_HOLD_VALUE} characters, as the "
                f"records have it")
    if _CONTROL.search(value):
        return "contains control characters; remove them"
    return None


def describe_hold(hold: LegalHold) -> str:
    """``hold 3 on department "Sales" (EEOC charge 123)``"""
    return f'hold {hold.id} on {hold.scope} "{hold.value}" ({hold.reason})'


def covers(hold: LegalHold) -> ColumnElement[bool]:
    """The records a hold keeps, as a condition on archive_records. Departments are
    compared without regard to case by the database on both sides (as search does),
    managers by their folded names."""
    if hold.scope == "department":
        return func.lower(ArchivedRecord.department) == func.lower(literal(hold.value))
    return ArchivedRecord.manager_name_folded == hold.value_folded


def place_group_hold(session: Session, scope: str, value: str, *, reason: str, by: Reader,
                     now: dt.datetime) -> LegalHold:
    """Keep every record of a department or a manager, archived now or later, past its
    retention period until the hold is released."""
    problem = hold_value_problem(scope, value)
    if problem is not None:
        raise HoldError("", "%(scope)s: %(problem)s", scope=scope, problem=problem)
    reason, value = _reason(reason), " ".join(value.split())
    folded = fold(value)
    for hold in active_holds(session):
        if hold.scope == scope and hold.value_folded == folded:
            raise HoldError("", N_("%(scope)s \"%(value)s\" is already held: %(hold)s since "
                                   "%(since)s"), scope=scope, value=value,
                                hold=describe_hold(hold), since=f"{hold.placed_at:%Y-%m-%d}")
    hold = LegalHold(scope=scope, value=value, value_folded=folded, reason=reason,
                     placed_by=by.actor[:200], placed_at=now)
    session.add(hold)
    session.flush()
    log_access(session, by, f"hold {scope}", now=now, detail=describe_hold(hold))
    return hold


def release_group_hold(session: Session, hold_id: int, *, reason: str, by: Reader,
                       now: dt.datetime) -> LegalHold:
    reason = _reason(reason)
    hold = session.get(LegalHold, hold_id, with_for_update=True)
    if hold is None:
        raise HoldNotFound("", N_("there is no legal hold %(hold)s"), hold=hold_id)
    if not hold.active:
        raise HoldError("", N_("legal hold %(hold)s was already released on %(on)s by "
                               "%(by)s"), hold=hold_id, on=f"{hold.released_at:%Y-%m-%d}",
                        by=hold.released_by)
    hold.released_at, hold.released_by, hold.release_reason = now, by.actor[:200], reason
    log_access(session, by, f"release {hold.scope} hold", now=now,
               detail=f"{describe_hold(hold)}: released: {reason}")
    return hold


def active_holds(session: Session) -> list[LegalHold]:
    return list(session.scalars(select(LegalHold).where(LegalHold.released_at.is_(None))
                                .order_by(LegalHold.id)))


def legal_holds(session: Session, *, released: bool = False) -> list[LegalHold]:
    """The holds in force, oldest first; with ``released``, the released ones too."""
    query = select(LegalHold).order_by(LegalHold.released_at.is_not(None), LegalHold.id)
    if not released:
        query = query.where(LegalHold.released_at.is_(None))
    return list(session.scalars(query))


def records_held(session: Session, hold: LegalHold) -> int:
    """How many archived records the hold covers now."""
    return session.scalar(select(func.count()).select_from(ArchivedRecord)
                          .where(covers(hold))) or 0


def holds_over(session: Session, record: ArchivedRecord) -> list[LegalHold]:
    """The holds in force over a department or manager that cover this record."""
    department = (and_(LegalHold.scope == "department",
                       func.lower(LegalHold.value) == func.lower(literal(record.department))
                       ) if record.department else false())
    return list(session.scalars(select(LegalHold).where(
        LegalHold.released_at.is_(None),
        or_(department, and_(LegalHold.scope == "manager",
                             LegalHold.value_folded == record.manager_name_folded)))
        .order_by(LegalHold.id)))


# -- purging -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgePlan:
    due: list[str]    # envelope ids past their retention period and not on hold
    held: list[str]   # past their period, kept by a legal hold
    executed: bool
    # Each held record's holds, in words (its own, and those over its department or manager).
    kept_by: dict[str, list[str]] = field(default_factory=dict)
    # The holds over a department or manager keeping each record: (scope, value, reason).
    held_over: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)


def purge(sessions: sessionmaker[Session], store: BlobStore, *, now: dt.datetime,
          by: Reader, execute: bool = False,
          on_commit: Callable[[], None] | None = None,
          on_deleted: Callable[[], None] | None = None) -> PurgePlan:
    """What is due for purging; with ``execute``, purge it. A record under any legal hold,
    its own or one over its department or manager, is never purged. ``on_commit`` is
    called once the tombstones are committed, before any blob is deleted, and
    ``on_deleted`` once blobs are deleted, before their tombstones are marked swept (the
    fault tests' crash points)."""
    query = (select(ArchivedRecord)
             .where(ArchivedRecord.retain_until.is_not(None), ArchivedRecord.retain_until <= now)
             .order_by(ArchivedRecord.retain_until))
    if execute:
        # Locked as read: a hold placed meanwhile waits for the purge, or the purge for
        # the hold and then sees it; a record just put on hold is never purged.
        query = query.with_for_update()
    with sessions.begin() as session:
        if execute and session.get_bind().dialect.name == "postgresql":
            # Likewise a hold over a department or manager: placing or releasing one
            # waits for the purge (SQLite's writers take turns anyway).
            session.execute(text("LOCK TABLE archive_legal_holds IN SHARE MODE"))
        expired = session.scalars(query).all()
        kept_by: dict[str, list[str]] = {
            r.envelope_id: [f"its own hold ({r.hold_reason})"]
            for r in expired if r.on_hold}
        held_over: dict[str, list[tuple[str, str, str]]] = {}
        for hold in active_holds(session) if expired else []:
            for envelope_id in session.scalars(select(ArchivedRecord.envelope_id).where(
                    ArchivedRecord.retain_until.is_not(None),
                    ArchivedRecord.retain_until <= now, covers(hold))):
                kept_by.setdefault(envelope_id, []).append(describe_hold(hold))
                held_over.setdefault(envelope_id, []).append(
                    (hold.scope, hold.value, hold.reason))
        due = [r.envelope_id for r in expired if r.envelope_id not in kept_by]
        held = [r.envelope_id for r in expired if r.envelope_id in kept_by]
        if not execute:
            return PurgePlan(due, held, executed=False, kept_by=kept_by, held_over=held_over)
        for record in expired:
            if record.envelope_id in kept_by:
                continue
            session.add(Tombstone(
                envelope_id=record.envelope_id, plan_id=record.plan_id,
                sent_at=record.sent_at, completed_at=record.completed_at,
                archived_at=record.archived_at, retain_until=record.retain_until,
                purged_at=now, purged_by=by.actor,
                **{column: getattr(record, column) for column in BLOB_COLUMNS}))
            rule = f" under {record.retention_rule}" if record.retention_rule else ""
            log_access(session, by, "purge", now=now, envelope_id=record.envelope_id,
                       detail=f"retention ended {record.retain_until:%Y-%m-%d}{rule}")
            session.delete(record)
    if on_commit is not None:
        on_commit()
    delete_unused_blobs(sessions, store, now=now, on_deleted=on_deleted)
    return PurgePlan(due, held, executed=True, kept_by=kept_by, held_over=held_over)


SWEEP_BATCH = 200  # tombstones swept, then marked, at a time


def delete_unused_blobs(sessions: sessionmaker[Session], store: BlobStore, *,
                        now: dt.datetime | None = None,
                        on_deleted: Callable[[], None] | None = None) -> int:
    """Delete the blobs of purged records that no remaining record uses (their documents,
    and every earlier final PDF: a version before an archive timestamp was added; the
    version rows, hashes only, stay beside the tombstone), then mark their tombstones
    swept (``blobs_swept_at``), in batches; returns how many blobs went.

    Only tombstones not yet swept are looked at, so a purge costs the store requests of
    what it purged (and of what an interrupted purge left), not of every tombstone ever
    left. A blob a remaining record still uses is kept, and its tombstone marked all the
    same: that record, purged in its turn, leaves a tombstone naming the blob. Marked only
    after the deletes: a crash between the two (``on_deleted``, the fault tests' crash
    point) leaves the tombstones unswept, and the next purge deletes again, which finds
    the blobs gone."""
    deleted = 0
    after = ""
    while True:
        with sessions() as session:
            batch = list(session.scalars(select(Tombstone)
                                         .where(Tombstone.blobs_swept_at.is_(None),
                                                Tombstone.envelope_id > after)
                                         .order_by(Tombstone.envelope_id)
                                         .limit(SWEEP_BATCH)))
            if not batch:
                return deleted
            ids = [t.envelope_id for t in batch]
            keys = {getattr(t, column) for t in batch for column in BLOB_COLUMNS} - {None}
            keys |= set(session.scalars(select(RecordVersion.sha256)
                                        .where(RecordVersion.envelope_id.in_(ids))))
            unused = sorted(keys - _in_use(session, keys))
        for key in unused:
            if store.exists(key):
                try:
                    store.delete(key)
                    deleted += 1
                except BlobNotFound:
                    pass
        if on_deleted is not None:
            on_deleted()
        with sessions.begin() as session:
            session.execute(update(Tombstone).where(Tombstone.envelope_id.in_(ids))
                            .values(blobs_swept_at=now or dt.datetime.now(dt.UTC)))
        after = ids[-1]


def _in_use(session: Session, keys: set[str]) -> set[str]:
    """Which of ``keys`` a record still archived uses: as one of its documents, or as an
    earlier version of its final PDF."""
    if not keys:
        return set()
    used: set[str] = set()
    for column in BLOB_COLUMNS:
        field = getattr(ArchivedRecord, column)
        used |= set(session.scalars(select(field).where(field.in_(keys))))
    used |= set(session.scalars(select(RecordVersion.sha256).join(
        ArchivedRecord, ArchivedRecord.envelope_id == RecordVersion.envelope_id)
        .where(RecordVersion.sha256.in_(keys))))
    return used
