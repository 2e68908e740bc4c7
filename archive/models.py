"""The archive's index: one row per archived envelope, with what records staff search by.

The documents themselves live in the blob store; the row holds their keys (SHA-256).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from database import Base, UTCDateTime


class ArchivedRecord(Base):
    __tablename__ = "archive_records"

    envelope_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(100), index=True)
    employee_name: Mapped[str] = mapped_column(String(200))
    # The name folded (lower case, accents removed) for case- and accent-blind search.
    employee_name_folded: Mapped[str] = mapped_column(String(200), index=True)
    employee_id: Mapped[str | None] = mapped_column(String(100), index=True)
    manager_name: Mapped[str] = mapped_column(String(200), index=True)
    department: Mapped[str | None] = mapped_column(String(200), index=True)
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    completed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    archived_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    original_sha256: Mapped[str] = mapped_column(String(64))
    final_sha256: Mapped[str] = mapped_column(String(64))
    plan_sha256: Mapped[str] = mapped_column(String(64))
    audit_sha256: Mapped[str] = mapped_column(String(64))
