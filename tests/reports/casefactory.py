"""Cases and check-ins written straight into the tables (migration 0018), for the
consistency report's tests: the service that fills them is built elsewhere, so these
rows hold only the columns the report reads, plus what the tables require."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from signing.domain.models import CaseRow, CheckinRow, Document, EnvelopeRow, ExtensionRow

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
START = dt.date(2026, 9, 7)  # a Monday
WEEKLY = {"cadence": "weekly", "weekday": "monday", "time": "10:00:00",
          "timezone": "Europe/London", "duration_minutes": 30, "skip": []}
DOCUMENT = "0" * 64


def make_case(session: Session, *, department: str = "Sales", manager: str = "Mo Khan",
              owner: str = "apikey:psk_test", team: str | None = None,
              start: dt.date = START, days: int = 30, extended: int = 0,
              state: str = "closed", outcome: str | None = "met",
              closed_after: int | None = None, held: int = 4, missed: int = 0,
              lint: int | None = 0, extensions: int = 1, cadence: str | None = None,
              extended_on: int | None = None) -> str:
    """One sent plan with its case: ``held`` weekly check-ins held from its second
    week, ``missed`` recorded as missed after them; ``extended`` days over
    ``extensions`` recorded extensions, made ``extended_on`` days after the start
    (default: at NOW), the first one setting ``cadence``; returns the envelope's id."""
    if session.get(Document, DOCUMENT) is None:
        session.add(Document(sha256=DOCUMENT, content_type="application/pdf", size=4,
                             content=b"%PDF", created_at=NOW))
    envelope_id = str(uuid.uuid4())
    end = start + dt.timedelta(days=days + extended)
    session.add(EnvelopeRow(
        id=envelope_id, state="archived" if state == "closed" else "completed",
        plan_data={"employee": {"name": "Ana", "department": department},
                   "manager": {"name": manager},
                   "timeline": {"start": start.isoformat(), "length_days": days},
                   "checkins": WEEKLY},
        template="standard", document_sha256=DOCUMENT, created_at=NOW, created_by=owner,
        owner=owner, team=team, employee_name="Ana", employee_search="ana",
        department=department, manager_name=manager, lint_findings=lint,
        planned_end=start + dt.timedelta(days=days), checkin_schedule=WEEKLY))
    session.flush()
    closed_at = (dt.datetime.combine(start + dt.timedelta(
        days=closed_after if closed_after is not None else days + extended), dt.time(17), UTC)
        if state == "closed" else None)
    session.add(CaseRow(envelope_id=envelope_id, state=state, start=start, end=end,
                        opened_at=NOW, outcome=outcome if state == "closed" else None,
                        closed_at=closed_at))
    session.flush()
    for number in range(1, (extensions if extended else 0) + 1):
        share = extended // extensions + (extended % extensions if number == 1 else 0)
        session.add(ExtensionRow(
            id=str(uuid.uuid4()), envelope_id=envelope_id, number=number, days=share,
            reason="More time.", new_end=end, amended_goals=[], extended_by="HR",
            extended_at=NOW if extended_on is None else dt.datetime.combine(
                start + dt.timedelta(days=extended_on), dt.time(12), UTC),
            cadence=cadence if number == 1 else None))
    first = dt.datetime.combine(start + dt.timedelta(days=7), dt.time(9), UTC)
    for meeting in range(1, held + missed + 1):
        at = first + dt.timedelta(days=7 * (meeting - 1))
        session.add(CheckinRow(
            id=str(uuid.uuid4()), envelope_id=envelope_id, meeting=meeting,
            scheduled_for=at, held_at=at if meeting <= held else None,
            missed_reason=None if meeting <= held else "The manager was ill.",
            attendees=["Ana", manager] if meeting <= held else [], goals=[], notes="",
            support_given="", next_steps="", employee_view="", recorded_by=owner,
            recorded_at=at))
    session.flush()
    return envelope_id


def case_ids(session: Session) -> list[str]:
    return list(session.scalars(select(CaseRow.envelope_id)))
