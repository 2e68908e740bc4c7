"""Finding archived plans: by employee (name folded for case and accents, partial), id,
manager, department, outcome and date ranges, with paging and sorting.

Every value is bound as a parameter, never written into SQL; ``%`` and ``_`` in a name
match themselves, not any text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from archive.errors import ArchiveError
from archive.models import ArchivedRecord
from archive.records import OUTCOMES, fold

SORTS = {
    "completed_at": ArchivedRecord.completed_at,
    "sent_at": ArchivedRecord.sent_at,
    "employee_name": ArchivedRecord.employee_name_folded,
    "plan_id": ArchivedRecord.plan_id,
}
MAX_LIMIT = 200
# Up to this many matches, a search sorts them itself rather than walk the sort index
# (which, for a rare match, visits most of the table to fill one page).
SELECTIVE = 1_000
MAX_TEXT = 200


class InvalidQuery(ArchiveError):
    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class SearchQuery:
    name: str | None = None
    employee_id: str | None = None
    manager: str | None = None
    department: str | None = None
    outcome: str | None = None
    sent_from: dt.datetime | None = None
    sent_to: dt.datetime | None = None
    completed_from: dt.datetime | None = None
    completed_to: dt.datetime | None = None
    sent_by: str | None = None  # only the plans this sender sent (HR keys) ...
    team: str | None = None  # ... or, with sent_by, that its team sent
    sort: str = "-completed_at"
    limit: int = 50
    offset: int = 0

    def __post_init__(self) -> None:
        for name in ("name", "employee_id", "manager", "department", "sent_by", "team"):
            value = getattr(self, name)
            if value is None:
                continue
            if not value.strip() or len(value) > MAX_TEXT:
                raise InvalidQuery(name, f"give 1 to {MAX_TEXT} characters")
            if any(ord(c) < 32 for c in value):
                raise InvalidQuery(name, "control characters are not allowed")
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise InvalidQuery("outcome", f"one of {', '.join(OUTCOMES)}")
        if self.sort.lstrip("-") not in SORTS:
            raise InvalidQuery("sort", f"one of {', '.join(SORTS)}, with - for descending")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidQuery("limit", f"from 1 to {MAX_LIMIT}")
        if self.offset < 0:
            raise InvalidQuery("offset", "0 or more")
        for low, high in (("sent_from", "sent_to"), ("completed_from", "completed_to")):
            start, end = getattr(self, low), getattr(self, high)
            if start and end and start > end:
                raise InvalidQuery(low, f"comes after {high}")


@dataclass(frozen=True)
class Page:
    records: list[ArchivedRecord]
    total: int
    limit: int
    offset: int
    query: SearchQuery = field(repr=False)


def search(session: Session, query: SearchQuery) -> Page:
    conditions: list[ColumnElement[bool]] = []
    if query.name:
        conditions.append(ArchivedRecord.employee_name_folded.like(
            f"%{_escape(fold(query.name.strip()))}%", escape="\\"))
    if query.manager:
        conditions.append(ArchivedRecord.manager_name_folded.like(
            f"%{_escape(fold(query.manager.strip()))}%", escape="\\"))
    if query.employee_id:
        conditions.append(ArchivedRecord.employee_id == query.employee_id.strip())
    if query.department:
        conditions.append(func.lower(ArchivedRecord.department)
                          == query.department.strip().lower())
    if query.outcome:
        conditions.append(ArchivedRecord.outcome == query.outcome)
    if query.sent_by and query.team:
        conditions.append(or_(ArchivedRecord.sent_by == query.sent_by,
                              ArchivedRecord.team == query.team))
    elif query.sent_by:
        conditions.append(ArchivedRecord.sent_by == query.sent_by)
    for dated, low, high in ((ArchivedRecord.sent_at, query.sent_from, query.sent_to),
                             (ArchivedRecord.completed_at, query.completed_from,
                              query.completed_to)):
        if low is not None:
            conditions.append(dated >= low)
        if high is not None:
            conditions.append(dated <= high)
    column = SORTS[query.sort.lstrip("-")]
    descending = query.sort.startswith("-")
    # Few matches: find them by the filter and sort just those; one pass, and the count
    # comes with it. Walking the sort column's index instead would visit most of the
    # table to fill one page with a rare name.
    keys = list(session.execute(select(column, ArchivedRecord.envelope_id).where(*conditions)
                                .limit(SELECTIVE + 1)).all())
    if len(keys) <= SELECTIVE:
        total = len(keys)
        keys.sort(key=lambda k: k[1])
        keys.sort(key=lambda k: k[0], reverse=descending)  # stable: ties stay by id
        ids = [k[1] for k in keys[query.offset:query.offset + query.limit]]
    else:
        # Many matches: count them, and walk the sort index, stopping after the page.
        total = session.scalar(select(func.count()).select_from(ArchivedRecord)
                               .where(*conditions)) or 0
        order = column.desc() if descending else column.asc()
        ids = list(session.scalars(
            select(ArchivedRecord.envelope_id).where(*conditions)
            .order_by(order, ArchivedRecord.envelope_id)
            .limit(query.limit).offset(query.offset)))
    rows = {r.envelope_id: r for r in session.scalars(
        select(ArchivedRecord).where(ArchivedRecord.envelope_id.in_(ids)))} if ids else {}
    return Page([rows[i] for i in ids], total, query.limit, query.offset, query)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
