"""Finding archived plans: by employee (name folded for case and accents, partial), id,
manager, department, outcome and date ranges, with paging and sorting.

Every value is bound as a parameter, never written into SQL; ``%`` and ``_`` in a name
match themselves, not any text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Integer, func, literal, literal_column, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from archive.errors import N_, ArchiveError
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
# A search by indexed filters counts its matches up to this many; past it, its total
# says "more than 10,000" (a search by part of a name: past SELECTIVE). Counting every
# match would make a search's time grow with the archive.
COUNT_LIMIT = 10_000
MAX_TEXT = 200


# How a plan's case closed, as its case file records it (the archive does not import the
# signing domain; signing.domain.cases.Outcome holds the same four).
CASE_OUTCOMES = ("met", "not_met", "resigned", "withdrawn")


class InvalidQuery(ArchiveError):
    def __init__(self, field: str, message: str, **values: object) -> None:
        self.field = field
        super().__init__(f"{field}: {self.worded(message, **values)}")


@dataclass(frozen=True)
class SearchQuery:
    name: str | None = None
    employee_id: str | None = None
    manager: str | None = None
    department: str | None = None
    outcome: str | None = None
    # How the plan's case closed (its case file archived): met, not_met, resigned,
    # withdrawn (signing.domain.cases.Outcome).
    case_outcome: str | None = None
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
                raise InvalidQuery(name, N_("give 1 to %(most)s characters"), most=MAX_TEXT)
            if any(ord(c) < 32 for c in value):
                raise InvalidQuery(name, N_("control characters are not allowed"))
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise InvalidQuery("outcome", N_("one of %(choices)s"), choices=", ".join(OUTCOMES))
        if self.case_outcome is not None and self.case_outcome not in CASE_OUTCOMES:
            raise InvalidQuery("case_outcome", N_("one of %(choices)s"),
                               choices=", ".join(CASE_OUTCOMES))
        if self.sort.lstrip("-") not in SORTS:
            raise InvalidQuery("sort", N_("one of %(choices)s, with - for descending"),
                               choices=", ".join(SORTS))
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidQuery("limit", N_("from 1 to %(most)s"), most=MAX_LIMIT)
        if self.offset < 0:
            raise InvalidQuery("offset", N_("0 or more"))
        for low, high in (("sent_from", "sent_to"), ("completed_from", "completed_to")):
            start, end = getattr(self, low), getattr(self, high)
            if start and end and start > end:
                raise InvalidQuery(low, N_("comes after %(later)s"), later=high)


@dataclass(frozen=True)
class Page:
    records: list[ArchivedRecord]
    # How many records match; when ``total_exact`` is False, more than this many: the
    # count stops at COUNT_LIMIT (at SELECTIVE for part of a name), so that its cost does
    # not grow with the archive.
    total: int
    limit: int
    offset: int
    query: SearchQuery = field(repr=False)
    total_exact: bool = True


def search(session: Session, query: SearchQuery) -> Page:
    dialect = session.get_bind().dialect.name
    substrings = _substring_conditions(query, dialect)
    conditions = substrings + _indexed_conditions(query)
    column = SORTS[query.sort.lstrip("-")]
    descending = query.sort.startswith("-")
    keys: list[tuple[Any, str]] | None
    if substrings:
        # No index finds part of a name by itself (SQLite) or without reading each
        # candidate row (PostgreSQL's trigrams): probe for up to SELECTIVE + 1 matches,
        # which for a rare name gives every match and so the count, and for a common
        # one stops early. Counting a common one would read most of the table: its total
        # says "more than SELECTIVE" instead.
        keys = _probe(session, conditions, column, dialect)
        total, exact = (len(keys), True) if keys is not None else (SELECTIVE, False)
    else:
        # Indexed filters: the count comes from an index, cheaply, and decides whether
        # to fetch the keys.
        total, exact = _count(session, conditions)
        keys = None
        if exact and total <= SELECTIVE:
            keys = [(k[0], k[1]) for k in session.execute(
                select(column, ArchivedRecord.envelope_id).where(*conditions))]
    if keys is not None:
        # Few matches: sort them here rather than walk the sort column's index, which
        # for a rare match would visit most of the table to fill one page.
        keys.sort(key=lambda k: k[1])
        keys.sort(key=lambda k: k[0], reverse=descending)  # stable: ties stay by id
        ids = [k[1] for k in keys[query.offset:query.offset + query.limit]]
    else:
        # Many matches: walk the sort index, stopping after the page (or on SQLite,
        # when that is longer, find them by their filter and sort them).
        order = column.desc() if descending else column.asc()
        if not substrings and dialect == "sqlite" and _walk_is_shorter(
                session, query, total, exact):
            conditions = _indexed_conditions(query, walking=column)
        ids = list(session.scalars(
            select(ArchivedRecord.envelope_id).where(*conditions)
            .order_by(order, ArchivedRecord.envelope_id)
            .limit(query.limit).offset(query.offset)))
    rows = {r.envelope_id: r for r in session.scalars(
        select(ArchivedRecord).where(ArchivedRecord.envelope_id.in_(ids)))} if ids else {}
    return Page([rows[i] for i in ids], total, query.limit, query.offset, query,
                total_exact=exact)


def _substring_conditions(query: SearchQuery, dialect: str) -> list[ColumnElement[bool]]:
    """Part of a name or a manager's name, folded as the stored names are."""
    found = []
    for column, text in ((ArchivedRecord.employee_name_folded, query.name),
                         (ArchivedRecord.manager_name_folded, query.manager)):
        if not text:
            continue
        folded = fold(text.strip())
        if dialect == "sqlite":
            # instr() compares bytes: half the time of LIKE's pattern matcher, and % and _
            # are plain characters to it. Both sides are folded, so LIKE's case blindness
            # adds nothing.
            found.append(func.instr(column, folded) > 0)
        else:
            # LIKE, which PostgreSQL's trigram index (migration 0006) serves.
            found.append(column.like(f"%{_escape(folded)}%", escape="\\"))
    return found


def _indexed_conditions(query: SearchQuery, *, walking: Any = None
                        ) -> list[ColumnElement[bool]]:
    """The filters an index can serve. ``walking``: the sort column whose index a search
    must walk; every other column is then wrapped in SQLite's no-op unary ``+``, which
    keeps its index out of the plan."""

    def indexed(column: Any) -> Any:
        if walking is None or column is walking:
            return column
        return UnaryExpression(column, operator=custom_op("+"), type_=column.type)

    conditions: list[ColumnElement[bool]] = []
    if query.employee_id:
        conditions.append(indexed(ArchivedRecord.employee_id) == query.employee_id.strip())
    if query.department:
        conditions.append(indexed(func.lower(ArchivedRecord.department))
                          == query.department.strip().lower())
    if query.outcome:
        conditions.append(indexed(ArchivedRecord.outcome) == query.outcome)
    if query.case_outcome:
        conditions.append(indexed(ArchivedRecord.case_outcome) == query.case_outcome)
    if query.sent_by and query.team:
        conditions.append(or_(indexed(ArchivedRecord.sent_by) == query.sent_by,
                              indexed(ArchivedRecord.team) == query.team))
    elif query.sent_by:
        conditions.append(indexed(ArchivedRecord.sent_by) == query.sent_by)
    for dated, low, high in ((ArchivedRecord.sent_at, query.sent_from, query.sent_to),
                             (ArchivedRecord.completed_at, query.completed_from,
                              query.completed_to)):
        if low is not None:
            conditions.append(indexed(dated) >= low)
        if high is not None:
            conditions.append(indexed(dated) <= high)
    return conditions


def _walk_is_shorter(session: Session, query: SearchQuery, total: int, exact: bool) -> bool:
    """Whether walking the sort index to the page visits fewer rows than sorting every
    match. SQLite, without statistics, would find the matches by a filter's index and
    sort them all (70,000 for one outcome in 100,000 records: 100 ms against 0.1 ms);
    PostgreSQL's planner weighs this itself. Past COUNT_LIMIT matches, always walk."""
    if not exact:
        return True
    everything = session.scalar(select(func.count()).select_from(ArchivedRecord)) or 0
    return (query.offset + query.limit) * everything < total * total


def _probe(session: Session, conditions: list[ColumnElement[bool]], column: Any,
           dialect: str) -> list[tuple[Any, str]] | None:
    """The sort keys and ids of every match when there are at most SELECTIVE, else
    None."""
    if dialect == "sqlite":
        # Row ids alone: SQLite reads them from the name's index without the table rows
        # (a third of the time), then looks up the few that matched.
        rowid: ColumnElement[int] = literal_column("archive_records.rowid", Integer)
        found = list(session.scalars(select(rowid).where(*conditions)
                                     .limit(SELECTIVE + 1)))
        if len(found) > SELECTIVE:
            return None
        return [(k[0], k[1]) for k in session.execute(
            select(column, ArchivedRecord.envelope_id).where(rowid.in_(found)))] \
            if found else []
    keys = [(k[0], k[1]) for k in session.execute(
        select(column, ArchivedRecord.envelope_id).where(*conditions)
        .limit(SELECTIVE + 1))]
    return keys if len(keys) <= SELECTIVE else None


def _count(session: Session, conditions: list[ColumnElement[bool]]) -> tuple[int, bool]:
    """How many match, and whether that is all of them: counting stops after
    COUNT_LIMIT."""
    matches = (select(literal(1)).select_from(ArchivedRecord).where(*conditions)
               .limit(COUNT_LIMIT + 1).subquery())
    counted = session.scalar(select(func.count()).select_from(matches)) or 0
    return (counted, True) if counted <= COUNT_LIMIT else (COUNT_LIMIT, False)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
