"""Keeping archived records verifiable: a new archive timestamp on each record whose
last timestamp's certificate nears expiry, or whose last timestamp uses a digest being
retired (``plansign archive refresh-timestamps``, and the worker on a schedule).

Each refresh makes a new final PDF (the old one with a DSS update and a document
timestamp appended, see :func:`docgen.seal.add_archive_timestamp`), stored as a new blob:
the archive is write-once, and every version is listed in ``archive_record_versions``.
The record then points at the newest (the records API and ``archive get`` serve it), and
the envelope's audit trail records the step: which version replaced which, and why.

The records due are found from columns on the record (its seal's level and its last
timestamp's expiry and digest), filled in the first time a record is read, so that a run
reads only the PDFs it has to refresh.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from archive import ArchivedRecord, ArchiveError, BlobStore, RecordVersion
from signing.domain import envelopes
from signing.domain import workflow as wf
from signing.domain.events import EventType

log = logging.getLogger(__name__)

ACTOR = "system:archive-timestamps"
DIGESTS = ("sha256", "sha512")


@dataclass(frozen=True)
class RefreshPolicy:
    """When a record needs a new archive timestamp, and where it comes from."""

    timestamp_url: str
    days_before: int
    retired_digests: tuple[str, ...] = ()
    trust_roots: Sequence[Any] = field(default=(), repr=False)
    timeout: float = 10.0
    concurrency: int = 1  # records refreshed at once

    @property
    def digest(self) -> str:
        """The digest new timestamps use: SHA-256, or SHA-512 if SHA-256 is retired."""
        retired = {_norm(d) for d in self.retired_digests}
        return next((d for d in DIGESTS if d not in retired), DIGESTS[-1])


def retired_digests(setting: str) -> tuple[str, ...]:
    """The ``seal_retired_digests`` setting as names (``"md5, SHA-1"`` -> md5, sha1)."""
    return tuple(_norm(d) for d in setting.split(",") if d.strip())


def _norm(name: str) -> str:
    return name.strip().lower().replace("-", "")


@dataclass(frozen=True)
class Outcome:
    envelope_id: str
    refreshed: bool
    detail: str
    new_sha256: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A record to look at, with its seal as last read (``level`` None: never read)."""

    envelope_id: str
    key: str
    level: str | None
    expires: dt.datetime | None
    digest: str | None


def due(session: Session, policy: RefreshPolicy, now: dt.datetime, limit: int
        ) -> list[Candidate]:
    """The records to look at, soonest expiry first: those never read, those whose last
    timestamp expires within ``days_before``, and those whose last timestamp uses a
    retired digest."""
    horizon = now + dt.timedelta(days=policy.days_before)
    retired = [_norm(d) for d in policy.retired_digests]
    query = (select(ArchivedRecord.envelope_id, ArchivedRecord.final_sha256,
                    ArchivedRecord.seal_level, ArchivedRecord.stamp_expires_at,
                    ArchivedRecord.stamp_digest)
             .where(or_(ArchivedRecord.seal_level.is_(None),
                        and_(ArchivedRecord.stamp_expires_at.is_not(None),
                             ArchivedRecord.stamp_expires_at <= horizon),
                        ArchivedRecord.stamp_digest.in_(retired)))
             .order_by(ArchivedRecord.stamp_expires_at, ArchivedRecord.envelope_id)
             .limit(limit))
    return [Candidate(row.envelope_id, row.final_sha256, row.seal_level,
                      row.stamp_expires_at, row.stamp_digest)
            for row in session.execute(query)]


def reason_from_columns(candidate: Candidate, policy: RefreshPolicy, now: dt.datetime
                        ) -> str | None:
    """Why a record whose seal was read before is due, from what was noted of it then
    (the record's final PDF has not changed since: both change in one transaction)."""
    if candidate.digest is not None and candidate.digest in {
            _norm(d) for d in policy.retired_digests}:
        return f"its last timestamp uses {candidate.digest}, which is being retired"
    if candidate.expires is not None and \
            candidate.expires - now <= dt.timedelta(days=policy.days_before):
        return f"its last timestamp's certificate expires {candidate.expires:%Y-%m-%d}"
    return None


def refresh(sessions: sessionmaker[Session], store: BlobStore, policy: RefreshPolicy, *,
            now: dt.datetime, limit: int = 1000, dry_run: bool = False,
            clock: Callable[[], dt.datetime] | None = None) -> list[Outcome]:
    """Add an archive timestamp to every record due, at most ``limit`` of them.

    A record that cannot be refreshed (its TSA down, a certificate revoked) is reported
    and left as it was; the others go on. ``dry_run`` says what would be done.
    """
    return list(refresh_each(sessions, store, policy, now=now, limit=limit, dry_run=dry_run,
                             clock=clock))


def refresh_each(sessions: sessionmaker[Session], store: BlobStore, policy: RefreshPolicy, *,
                 now: dt.datetime, limit: int = 1000, dry_run: bool = False,
                 clock: Callable[[], dt.datetime] | None = None) -> Iterator[Outcome]:
    """:func:`refresh`, each record's outcome as soon as it is known (a run over a large
    archive takes a while), in the order of :func:`due`."""
    clock = clock or (lambda: dt.datetime.now(dt.UTC))
    with sessions() as session:
        candidates = due(session, policy, now, limit)

    def one(candidate: Candidate) -> Outcome | None:
        return _refresh_one(sessions, store, policy, candidate, now=now, dry_run=dry_run,
                            clock=clock)

    if policy.concurrency <= 1 or dry_run:
        outcomes: Iterator[Outcome | None] = map(one, candidates)
        yield from (o for o in outcomes if o is not None)
        return
    # A record's refresh waits on the network (the TSA, CRLs and OCSP) about as long as
    # it computes: a few at once keep both busy. Each writes its own transaction.
    with ThreadPoolExecutor(policy.concurrency, thread_name_prefix="refresh") as pool:
        yield from (o for o in pool.map(one, candidates) if o is not None)


def _refresh_one(sessions: sessionmaker[Session], store: BlobStore, policy: RefreshPolicy,
                 candidate: Candidate, *, now: dt.datetime, dry_run: bool,
                 clock: Callable[[], dt.datetime]) -> Outcome | None:
    """One record's refresh; None when it turns out not to be due."""
    from docgen.seal import (
        SealError,
        extend_with_archive_timestamp,
        reason_to_refresh,
        seal_summary,
    )

    envelope_id, key = candidate.envelope_id, candidate.key
    if candidate.level is None:  # never read: read it (once) to see
        try:
            level, stamps = seal_summary(store.get(key))
        except (ArchiveError, SealError) as exc:
            return Outcome(envelope_id, False, str(exc))
        reason = reason_to_refresh(stamps, now=now, days_before=policy.days_before,
                                   retired_digests=policy.retired_digests)
        if reason is None:
            if not dry_run:
                _note_seal(sessions, envelope_id, key, _columns(level, stamps))
            return None
    else:
        reason = reason_from_columns(candidate, policy, now)
        if reason is None:
            return None
    if dry_run:
        return Outcome(envelope_id, False, f"due: {reason}")
    try:
        extended = extend_with_archive_timestamp(
            store.get(key), timestamp_url=policy.timestamp_url,
            trust_roots=policy.trust_roots, digest=policy.digest, timeout=policy.timeout,
            now=clock())
    except (ArchiveError, SealError) as exc:
        return Outcome(envelope_id, False, str(exc))
    try:
        new_key = store.put(extended.pdf)
        done = _record_version(sessions, envelope_id, key, new_key,
                               _columns(extended.level, (extended.timestamp,)), reason,
                               clock())
    except (ArchiveError, IntegrityError) as exc:
        return Outcome(envelope_id, False, f"not recorded: {exc}")
    return Outcome(envelope_id, done, reason if done else
                   "changed meanwhile (refreshed or purged by another run)",
                   new_key if done else None)


def _columns(level: str | None, stamps: Sequence[Any]) -> dict[str, Any]:
    """The record's seal columns: its level, and its last timestamp's expiry and digest."""
    return {"seal_level": level or "none",
            "stamp_expires_at": stamps[-1].expires if stamps else None,
            "stamp_digest": _norm(stamps[-1].digest) if stamps else None}


def _note_seal(sessions: sessionmaker[Session], envelope_id: str, key: str,
               columns: dict[str, Any]) -> None:
    """Remember the record's seal, so it is looked at again only once it is due."""
    with sessions.begin() as session:
        record = session.get(ArchivedRecord, envelope_id, with_for_update=True)
        if record is not None and record.final_sha256 == key:
            for name, value in columns.items():
                setattr(record, name, value)


def _record_version(sessions: sessionmaker[Session], envelope_id: str, old_key: str,
                    new_key: str, columns: dict[str, Any], reason: str,
                    now: dt.datetime) -> bool:
    """Point the record at its new final PDF, list both versions, and say so in the
    envelope's trail: one transaction. False if the record changed meanwhile."""
    with sessions.begin() as session:
        record = session.get(ArchivedRecord, envelope_id, with_for_update=True)
        if record is None or record.final_sha256 != old_key:
            return False
        latest = session.scalar(select(func.max(RecordVersion.version))
                                .where(RecordVersion.envelope_id == envelope_id))
        if latest is None:
            session.add(RecordVersion(envelope_id=envelope_id, version=1, sha256=old_key,
                                      made_at=record.archived_at, reason="sealed"))
            latest = 1
        session.add(RecordVersion(envelope_id=envelope_id, version=latest + 1,
                                  sha256=new_key, made_at=now, reason=reason))
        record.final_sha256 = new_key
        for name, value in columns.items():
            setattr(record, name, value)
        _append_event(session, envelope_id, now, {
            "previous_sha256": old_key, "final_sha256": new_key, "version": latest + 1,
            "reason": reason})
    return True


def _append_event(session: Session, envelope_id: str, now: dt.datetime,
                  data: dict[str, Any]) -> None:
    """The step in the envelope's hash-chained trail (the envelope may be gone: erased)."""
    try:
        envelopes.record_events(
            session, envelope_id, [wf.Event(EventType.ENVELOPE_RETIMESTAMPED, data=data)],
            actor=envelopes.Actor(ACTOR), now=now)
    except envelopes.EnvelopeNotFound:
        return


def versions(session: Session, envelope_id: str) -> list[RecordVersion]:
    """The record's final PDFs, oldest first (none listed: it has had only its first)."""
    return list(session.scalars(select(RecordVersion)
                                .where(RecordVersion.envelope_id == envelope_id)
                                .order_by(RecordVersion.version)))
