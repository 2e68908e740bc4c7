"""The plans list: every plan a person may see, envelopes and console drafts together,
filtered, searched, sorted and paged in the database.

What a person may see is :func:`signing.domain.authorize.visible_envelopes` for
envelopes; for drafts, :func:`visible_drafts`: a manager's own, and for HR their own and
those their team's managers submitted for approval. States are derived as
:mod:`signing.domain.plan_states` derives them; :func:`_state_condition` says the same
in SQL, so a filter by state finds exactly the plans shown in that state.

Two statements per page (the page of both kinds in one ``UNION ALL``, sorted and cut in
the database, and its count), then one for the signers of the envelopes on the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BooleanClauseList

from signing.domain import authorize
from signing.domain.access import Principal, Role
from signing.domain.models import DraftRow, EnvelopeRow, SignerRow
from signing.domain.names import searchable
from signing.domain.plan_states import (
    FINISHED_STATES,
    LISTED_DRAFT_STATES,
    DraftState,
    PlanState,
    SignerSummary,
    draft_state,
    plan_state,
    waiting_on,
)
from signing.domain.workflow import DONE_STATES, EnvelopeState, SignerState
from signing.domain.workflow import Role as SignerRole

_E, _S, _D = EnvelopeRow.__table__, SignerRow.__table__, DraftRow.__table__
PER_PAGE = 25
MAX_PER_PAGE = 100
MAX_SEARCH = 100
# The list counts its plans up to this many; past it, it says "more than".
COUNT_UP_TO = 1000


class Sort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    EMPLOYEE = "employee"
    DEADLINE = "deadline"
    DEPARTMENT = "department"


class Kind(StrEnum):
    ENVELOPE = "envelope"
    DRAFT = "draft"


@dataclass(frozen=True)
class PlanQuery:
    """What the list is asked for. Dates are calendar days in the reader's zone."""

    state: PlanState | None = None
    department: str = ""
    manager: str = ""
    search: str = ""
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    sort: Sort = Sort.NEWEST
    page: int = 1
    per_page: int = PER_PAGE

    def as_args(self, **changes: Any) -> dict[str, str]:
        """The query as a query string's fields (empty ones left out), with ``changes``:
        links to other pages and sorts keep the filters."""
        values: dict[str, Any] = {
            "state": self.state or "", "department": self.department,
            "manager": self.manager, "q": self.search,
            "from": self.created_from.isoformat() if self.created_from else "",
            "to": self.created_to.isoformat() if self.created_to else "",
            "sort": "" if self.sort is Sort.NEWEST else self.sort,
            "page": "" if self.page == 1 else str(self.page)}
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in ("", None)}


class QueryErrors(Exception):
    """Fields of the list's form that cannot be read: each name with what to correct."""

    def __init__(self, errors: Mapping[str, str], query: PlanQuery) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)
        self.query = query  # the rest of the form, as read, to show it back


def parse_query(args: Mapping[str, str]) -> PlanQuery:
    """The list's query string read into a :class:`PlanQuery`. A field that cannot be
    read raises :class:`QueryErrors` naming it; unknown fields are ignored (a link
    from an older page still opens)."""
    errors: dict[str, str] = {}
    state = None
    if args.get("state"):
        try:
            state = PlanState(args["state"])
        except ValueError:
            errors["state"] = "Choose one of the states in the list."
    sort = Sort.NEWEST
    if args.get("sort"):
        try:
            sort = Sort(args["sort"])
        except ValueError:
            errors["sort"] = "Choose one of the orders in the list."
    dates: dict[str, dt.date | None] = {}
    for name in ("from", "to"):
        text = (args.get(name) or "").strip()
        dates[name] = None
        if text:
            try:
                dates[name] = dt.date.fromisoformat(text)
            except ValueError:
                errors[name] = "Give a date as year-month-day, for example 2026-12-07."
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        errors["to"] = "This date is before the first one; give a later date or swap them."
    search = " ".join((args.get("q") or "").split())
    if len(search) > MAX_SEARCH:
        errors["q"] = f"Search with at most {MAX_SEARCH} characters of a name."
    page = _whole(args.get("page"), 1, 1_000_000)
    per_page = _whole(args.get("per_page"), PER_PAGE, MAX_PER_PAGE)
    query = PlanQuery(state=state, department=(args.get("department") or "").strip()[:200],
                      manager=(args.get("manager") or "").strip()[:200],
                      search=search[:MAX_SEARCH], created_from=dates["from"],
                      created_to=dates["to"], sort=sort, page=page, per_page=per_page)
    if errors:
        raise QueryErrors(errors, query)
    return query


def _whole(text: str | None, default: int, most: int) -> int:
    try:
        return min(max(int(text or default), 1), most)
    except ValueError:
        return default


@dataclass(frozen=True)
class PlanItem:
    """A row of the list: an envelope's plan or a console draft."""

    kind: Kind
    id: str
    employee_name: str
    department: str
    manager_name: str
    state: PlanState
    created_at: dt.datetime
    expires_at: dt.datetime | None
    signers: tuple[SignerSummary, ...] = ()
    raw_state: str = ""

    @property
    def waiting_on(self) -> list[SignerSummary]:
        if self.kind is Kind.DRAFT:
            return []
        return waiting_on(self.raw_state, self.signers)


@dataclass(frozen=True)
class PlanPage:
    """A page of the list. ``total`` is exact up to :data:`COUNT_UP_TO`; past it
    ``counted`` is false and the list says "more than" (filters narrow it)."""

    items: list[PlanItem]
    total: int
    query: PlanQuery
    departments: list[str] = field(default_factory=list)
    managers: list[str] = field(default_factory=list)
    counted: bool = True
    has_next: bool = False

    @property
    def pages(self) -> int | None:
        """How many pages there are; None when the plans were too many to count."""
        return max(1, -(-self.total // self.query.per_page)) if self.counted else None


def visible_drafts(principal: Principal) -> ColumnElement[bool]:
    """The console drafts ``principal`` sees in the list: their own (not sent, not
    discarded); for HR also those submitted to their team for approval; for an admin
    every one submitted. Records staff see none."""
    listed = _D.c.state.in_([str(s) for s in LISTED_DRAFT_STATES])
    submitted = _D.c.state == DraftState.SUBMITTED
    own = _D.c.owner == principal.actor
    if principal.role is Role.RECORDS:
        return false()
    if principal.role is Role.ADMIN:
        return and_(listed, or_(own, submitted))
    if principal.role is Role.HR and principal.team is not None:
        return and_(listed, or_(own, and_(submitted, _D.c.team == principal.team)))
    return and_(listed, own)


def list_plans(session: Session, principal: Principal, query: PlanQuery, *,
               zone: dt.tzinfo, with_options: bool = True) -> PlanPage:
    """The page of plans ``query`` asks for, as ``principal`` may see them; with the
    departments and managers to filter by unless ``with_options`` is false (the list's
    fragment, refreshed every few seconds, does not show the form)."""
    drafts_part = _drafts(principal, query, zone)
    parts = [*_envelopes(principal, query, zone),
             *([drafts_part] if drafts_part is not None else [])]
    if not parts:
        return PlanPage([], 0, query)
    # Counted part by part (a count over the union would first copy every row of it),
    # and only so far: beyond that a number says nothing a filter would not say better.
    total = sum(session.execute(select(func.count()).select_from(
        part.limit(COUNT_UP_TO + 1).subquery())).scalar_one() for part in parts)
    rows = session.execute(_page(parts, query)).all()
    has_next = len(rows) > query.per_page
    rows = rows[:query.per_page]
    signers = _signers_of(session, [r.id for r in rows if r.kind == Kind.ENVELOPE])
    items = []
    for row in rows:
        kind = Kind(row.kind)
        if kind is Kind.ENVELOPE:
            own = tuple(signers.get(row.id, ()))
            state = plan_state(row.state, own)
        else:
            own = ()
            state = draft_state(row.state) or PlanState.DRAFT
        items.append(PlanItem(kind, row.id, row.employee_name, row.department,
                              row.manager_name, state, row.created_at, row.expires_at,
                              own, row.state))
    departments, managers = (filter_choices(session, principal) if with_options
                              else ([], []))
    return PlanPage(items, min(total, COUNT_UP_TO), query, departments, managers,
                    counted=total <= COUNT_UP_TO, has_next=has_next)


def _page(parts: list[Select[Any]], query: PlanQuery) -> Select[Any]:
    """The page of the parts' union, sorted. Each part is cut to its own first
    ``offset + per_page`` rows before they are put together, so the database sorts the
    visible envelopes keeping only those (a sort with a limit) rather than copying all
    of them into the union and sorting that: 45 ms to a few at 10,000 envelopes on
    SQLite. The page is exact: it lies within the parts' first rows."""
    first = query.page * query.per_page + 1  # one more: whether there is a next page
    if len(parts) == 1:
        only = parts[0].subquery("plans")
        cut = select(only).order_by(*_order(only, query.sort))
    else:
        tops = []
        for index, part in enumerate(parts):
            each = part.subquery(f"part{index}")
            tops.append(select(select(each).order_by(*_order(each, query.sort)).limit(first)
                               .subquery(f"top{index}")))
        both = union_all(*tops).subquery("plans")
        cut = select(both).order_by(*_order(both, query.sort))
    return cut.limit(query.per_page + 1).offset(first - query.per_page - 1)


def _envelopes(principal: Principal, query: PlanQuery,
               zone: dt.tzinfo) -> list[Select[Any]]:
    """The envelopes part of the list: one statement per alternative of the access
    rules (:func:`_visible_parts`)."""
    condition = _state_condition(query.state)
    if condition is None:
        return []
    statement = select(literal(Kind.ENVELOPE.value).label("kind"), _E.c.id,
                       _E.c.employee_name, _E.c.department, _E.c.manager_name, _E.c.state,
                       _E.c.expires_at, _E.c.created_at, _E.c.employee_search)
    # Plans only: an outcome letter (an envelope of its plan's case, 0025) is read on
    # its plan's case page, not listed as a plan of its own.
    return [statement.where(visible, condition, _E.c.document_kind == "plan",
                            *_filters(_E, query, zone))
            for visible in _visible_parts(principal)]


def latest_envelopes(session: Session, principal: Principal, *, limit: int) -> list[Any]:
    """The newest envelopes ``principal`` may read (id, employee's name, department,
    start), newest first: what the editor offers to start a new plan from, found the
    list's way (:func:`_visible_parts`)."""
    columns = (_E.c.id, _E.c.employee_name, _E.c.department, _E.c.created_at)
    parts = [select(*columns).where(visible, _E.c.document_kind == "plan")
             .order_by(_E.c.created_at.desc()).limit(limit).subquery()
             for visible in _visible_parts(principal)]
    rows: list[Any] = []
    for part in parts:
        rows.extend(session.execute(select(part)).all())
    rows.sort(key=lambda row: row.created_at, reverse=True)
    return rows[:limit]


def _visible_parts(principal: Principal) -> list[ColumnElement[bool]]:
    """The access rules' envelopes (:func:`~signing.domain.authorize.visible_envelopes`,
    the one rule) as conditions on the envelopes table, one per alternative the rule
    allows ("sent by them", "of their team"), each without the rows of those before it,
    so that no envelope is in two.

    Why not the rule's subquery of ids, or its condition whole: ``id IN (...)`` made
    SQLite look each of 10,000 ids up again, and ``owner = ? OR team = ?`` made it read
    every matching row, through the plan's JSON that each row holds before the list's
    columns. Apart, each alternative is answered from its own index: "of their team"
    from the list's index (migration 0017) alone, in the order of its start dates, so
    the first page stops after 25 entries."""
    visible = authorize.visible_envelopes(principal)
    condition = visible.whereclause if visible is not None else None
    if condition is None:
        return [true()]
    alternatives = (list(condition.clauses) if isinstance(condition, BooleanClauseList)
                    and condition.operator is operators.or_ else [condition])
    return [and_(alternative, *(earlier.is_not(true()) for earlier in alternatives[:index]))
            for index, alternative in enumerate(alternatives)]


def _drafts(principal: Principal, query: PlanQuery, zone: dt.tzinfo) -> Select[Any] | None:
    if query.state is None:
        states = None
    elif query.state is PlanState.DRAFT:
        states = [DraftState.DRAFT.value, DraftState.RETURNED.value]
    elif query.state is PlanState.AWAITING_APPROVAL:
        states = [DraftState.SUBMITTED.value]
    else:
        return None
    statement = (select(literal(Kind.DRAFT.value).label("kind"), _D.c.id, _D.c.employee_name,
                        _D.c.department, _D.c.manager_name, _D.c.state,
                        literal(None, _E.c.expires_at.type).label("expires_at"),
                        _D.c.created_at, _D.c.employee_search)
                 .where(visible_drafts(principal), *_filters(_D, query, zone)))
    if states is not None:
        statement = statement.where(_D.c.state.in_(states))
    return statement


def _filters(table: Any, query: PlanQuery, zone: dt.tzinfo) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.department:
        conditions.append(table.c.department == query.department)
    if query.manager:
        conditions.append(table.c.manager_name == query.manager)
    term = searchable(query.search)
    if term:
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(table.c.employee_search.like(f"%{escaped}%", escape="\\"))
    if query.created_from:
        conditions.append(table.c.created_at >= _midnight(query.created_from, zone))
    if query.created_to:
        conditions.append(table.c.created_at
                          < _midnight(query.created_to + dt.timedelta(days=1), zone))
    return conditions


def _midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)


_NOT_DONE = exists().where(_S.c.envelope_id == _E.c.id,
                           _S.c.state.not_in([str(s) for s in DONE_STATES]))
_EMPLOYEE_REFUSED = exists().where(_S.c.envelope_id == _E.c.id,
                                   _S.c.role == SignerRole.EMPLOYEE,
                                   _S.c.state == SignerState.REFUSED)
_FINISHED = _E.c.state.in_([str(s) for s in FINISHED_STATES])


def _state_condition(state: PlanState | None) -> ColumnElement[bool] | None:
    """The envelopes :func:`plan_state` puts in ``state``, as SQL; None when no
    envelope can be in it (awaiting approval is a draft's)."""
    if state is None:
        return true()
    simple = {PlanState.DRAFT: EnvelopeState.DRAFT,
              PlanState.OUT_FOR_SIGNATURE: EnvelopeState.SENT,
              PlanState.VOIDED: EnvelopeState.VOIDED,
              PlanState.ARCHIVED: EnvelopeState.ARCHIVED}
    if state in simple:
        return _E.c.state == simple[state]
    if state is PlanState.EXPIRED:
        return or_(_E.c.state == EnvelopeState.EXPIRED, and_(_FINISHED, _NOT_DONE))
    if state is PlanState.REFUSED:
        return and_(_FINISHED, not_(_NOT_DONE), _EMPLOYEE_REFUSED)
    if state is PlanState.ACKNOWLEDGED:
        return and_(_FINISHED, not_(_NOT_DONE), not_(_EMPLOYEE_REFUSED))
    return None


def _order(plans: Any, sort: Sort) -> list[Any]:
    if sort is Sort.OLDEST:
        return [plans.c.created_at.asc(), plans.c.id]
    if sort is Sort.EMPLOYEE:
        return [plans.c.employee_search.asc(), plans.c.created_at.desc(), plans.c.id]
    if sort is Sort.DEPARTMENT:
        return [plans.c.department.asc(), plans.c.employee_search.asc(), plans.c.id]
    if sort is Sort.DEADLINE:
        # Soonest first; plans without one (answered, drafts) after those with one.
        return [plans.c.expires_at.is_(None), plans.c.expires_at.asc(),
                plans.c.created_at.desc(), plans.c.id]
    return [plans.c.created_at.desc(), plans.c.id]


def _signers_of(session: Session, envelope_ids: list[str]) -> dict[str, list[SignerSummary]]:
    found: dict[str, list[SignerSummary]] = {}
    if not envelope_ids:
        return found
    for row in session.execute(select(_S.c.envelope_id, _S.c.role, _S.c.name, _S.c.state)
                               .where(_S.c.envelope_id.in_(envelope_ids))
                               .order_by(_S.c.routing_order, _S.c.id)):
        found.setdefault(row.envelope_id, []).append(SignerSummary(row.role, row.name,
                                                                   row.state))
    return found


def filter_choices(session: Session, principal: Principal) -> tuple[list[str], list[str]]:
    """The departments and managers of the plans ``principal`` may see, for the filters."""
    departments: set[str] = set()
    managers: set[str] = set()
    for statement in (*(select(_E.c.department, _E.c.manager_name).distinct()
                        .where(visible) for visible in _visible_parts(principal)),
                      select(_D.c.department, _D.c.manager_name).distinct()
                      .where(visible_drafts(principal))):
        for department, manager in session.execute(statement):
            departments.add(department or "")
            managers.add(manager or "")
    departments.discard("")
    managers.discard("")
    return sorted(departments, key=str.casefold), sorted(managers, key=str.casefold)
