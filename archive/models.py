"""The archive's tables: the index of archived plans (what records staff search by), the
log of every read, and the tombstones purged records leave behind.

The documents themselves live in the blob store; an index row holds their keys (SHA-256).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column

from database import Base, UTCDateTime


class ArchivedRecord(Base):
    __tablename__ = "archive_records"
    # Departments are matched without regard to case, often with an outcome (0013).
    __table_args__ = (Index("ix_archive_records_department_lower_outcome",
                            func.lower(text("department")), "outcome"),)

    envelope_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(100), index=True)
    employee_name: Mapped[str] = mapped_column(String(200))
    # Names folded (lower case, accents removed) for case- and accent-blind search.
    employee_name_folded: Mapped[str] = mapped_column(String(200), index=True)
    employee_id: Mapped[str | None] = mapped_column(String(100), index=True)
    manager_name: Mapped[str] = mapped_column(String(200), index=True)
    manager_name_folded: Mapped[str] = mapped_column(String(200), index=True, default="")
    department: Mapped[str | None] = mapped_column(String(200), index=True)
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    completed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    archived_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Who sent the plan (as the audit trail names them): HR may read what they sent.
    sent_by: Mapped[str] = mapped_column(String(200), index=True, default="")
    # The sender's HR team, whose other members may read it too.
    team: Mapped[str | None] = mapped_column(String(200), index=True)
    original_sha256: Mapped[str] = mapped_column(String(64))
    final_sha256: Mapped[str] = mapped_column(String(64), index=True)
    plan_sha256: Mapped[str] = mapped_column(String(64))
    audit_sha256: Mapped[str] = mapped_column(String(64))
    retain_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    # Where the employee's employment law applies (the plan's employee.jurisdiction), and
    # the retention rule that set retain_until, in words (0023; None: archived before).
    jurisdiction: Mapped[str | None] = mapped_column(String(100))
    retention_rule: Mapped[str | None] = mapped_column(Text)
    # A legal hold keeps the record past its retention period until it is lifted.
    hold_reason: Mapped[str | None] = mapped_column(Text)
    hold_by: Mapped[str | None] = mapped_column(String(200))
    hold_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The final PDF's seal as the timestamp refresh last read it (0020): its PAdES level
    # (None: not yet read), and its last timestamp's certificate expiry and digest, so
    # that records due for a new archive timestamp are found without reading every PDF.
    seal_level: Mapped[str | None] = mapped_column(String(8))
    stamp_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    stamp_digest: Mapped[str | None] = mapped_column(String(20))
    # The plan's sealed case file (issue 17, 0019), a document of this record once the
    # case closed: its blob, the case's outcome (searchable) and when it closed.
    case_file_sha256: Mapped[str | None] = mapped_column(String(64))
    case_outcome: Mapped[str | None] = mapped_column(String(20), index=True)
    case_closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @property
    def on_hold(self) -> bool:
        return self.hold_at is not None


class RecordVersion(Base):
    """A final PDF an archived record has had: the sealed one (version 1), then each
    with a further archive timestamp. The record's ``final_sha256`` is the latest; the
    blobs of every version are kept (write-once), and a purge deletes them all."""

    __tablename__ = "archive_record_versions"
    __table_args__ = (UniqueConstraint("envelope_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    envelope_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    made_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)


class LegalHold(Base):
    """A legal hold over every record of a department or of a manager (an EEOC charge
    reaches similarly situated employees): it keeps those archived now and those
    archived later, until it is released. Released holds stay, with who and why."""

    __tablename__ = "archive_legal_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(20))  # "department" or "manager"
    value: Mapped[str] = mapped_column(String(200))  # as given
    # A manager's name folded as archive_records.manager_name_folded is, to match it.
    value_folded: Mapped[str] = mapped_column(String(200), index=True)
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[str] = mapped_column(String(200))
    placed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    released_by: Mapped[str | None] = mapped_column(String(200))
    release_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def active(self) -> bool:
        return self.released_at is None


class AccessEntry(Base):
    """One read of the archive, allowed or denied: who, when, what, from where."""

    __tablename__ = "archive_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    envelope_id: Mapped[str | None] = mapped_column(String(36), index=True)
    detail: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(64))
    allowed: Mapped[bool] = mapped_column(Boolean)


class Tombstone(Base):
    """What is left of a purged record: its ids, hashes and dates, and who purged it."""

    __tablename__ = "archive_tombstones"

    envelope_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(100))
    original_sha256: Mapped[str] = mapped_column(String(64))
    final_sha256: Mapped[str] = mapped_column(String(64))
    plan_sha256: Mapped[str] = mapped_column(String(64))
    audit_sha256: Mapped[str] = mapped_column(String(64))
    case_file_sha256: Mapped[str | None] = mapped_column(String(64))  # 0019
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    archived_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    retain_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    purged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    purged_by: Mapped[str] = mapped_column(String(200))
    # When the purge's sweep deleted its blobs (0028; None: not yet, or not known to be,
    # so the next purge deletes them again). A sweep looks only at tombstones without it.
    blobs_swept_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
