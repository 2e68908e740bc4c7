"""The consistency report's rows: one per case the reader may see, in two statements
whatever the number of plans (the cases with their envelope's columns and the plan's
timeline and schedule read out of its JSON in the database, then the check-ins of
those cases), merged in one pass. The database does the filtering; the rules are
:mod:`signing.domain.consistency`'s.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from signing.domain import authorize
from signing.domain.access import Principal
from signing.domain.consistency import PlanRow
from signing.domain.models import CaseRow, CheckinRow, EnvelopeRow

_E, _C, _K = EnvelopeRow.__table__, CaseRow.__table__, CheckinRow.__table__


@dataclass(frozen=True)
class Filters:
    """Which plans: those starting between two days (inclusive), of one department."""

    started_from: dt.date | None = None
    started_to: dt.date | None = None
    department: str | None = None

    def describe(self) -> str:
        """For the access log."""
        parts = [f"{name}={value}" for name, value in (
            ("started_from", self.started_from), ("started_to", self.started_to),
            ("department", self.department)) if value]
        return "; ".join(parts) or "all plans"


def _scope(principal: Principal) -> list[ColumnElement[bool]]:
    visible = authorize.visible_envelopes(principal)
    return [] if visible is None else [_E.c.id.in_(visible)]


def _where(principal: Principal, filters: Filters) -> list[ColumnElement[bool]]:
    conditions = _scope(principal)
    if filters.started_from is not None:
        conditions.append(_C.c.start >= filters.started_from)
    if filters.started_to is not None:
        conditions.append(_C.c.start <= filters.started_to)
    if filters.department is not None:
        conditions.append(_E.c.department == filters.department)
    return conditions


def _cases(principal: Principal, filters: Filters) -> Select[tuple[object, ...]]:
    return (select(_C.c.envelope_id, _E.c.department, _E.c.manager_name, _C.c.state,
                   _C.c.start, _C.c.end, _C.c.outcome, _C.c.closed_at,
                   _E.c.plan_data["timeline"].label("timeline"),
                   _E.c.plan_data["checkins"].label("checkins"), _E.c.lint_findings)
            .join(_E, _E.c.id == _C.c.envelope_id)
            .where(*_where(principal, filters)))


def _checkins(principal: Principal, filters: Filters) -> Select[tuple[object, ...]]:
    return (select(_K.c.envelope_id, _K.c.held_at)
            .join(_C, _C.c.envelope_id == _K.c.envelope_id)
            .join(_E, _E.c.id == _K.c.envelope_id)
            .where(*_where(principal, filters)))


def plan_rows(session: Session, principal: Principal, filters: Filters) -> list[PlanRow]:
    """Every case ``principal`` may read that ``filters`` select, as the report's rows."""
    held: dict[str, list[dt.datetime]] = defaultdict(list)
    missed: dict[str, int] = defaultdict(int)
    for envelope_id, held_at in session.execute(_checkins(principal, filters)):
        if held_at is None:
            missed[envelope_id] += 1
        else:
            held[envelope_id].append(held_at)
    return [PlanRow(envelope_id=r.envelope_id, department=r.department,
                    manager=r.manager_name, state=r.state, start=r.start, end=r.end,
                    outcome=r.outcome, closed_at=r.closed_at, timeline=r.timeline,
                    checkins=r.checkins, held=held.get(r.envelope_id, ()),
                    missed=missed.get(r.envelope_id, 0), lint_findings=r.lint_findings)
            for r in session.execute(_cases(principal, filters))]


def departments(session: Session, principal: Principal) -> list[str]:
    """The departments of the cases ``principal`` may read: the filter's choices."""
    query = (select(_E.c.department).distinct()
             .join(_C, _C.c.envelope_id == _E.c.id).where(*_scope(principal)))
    return sorted((d for (d,) in session.execute(query) if d), key=str.casefold)
