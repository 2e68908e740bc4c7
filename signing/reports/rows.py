"""The consistency report's rows: one per case the reader may see, in one statement
whatever the number of plans and check-ins. The database filters, reads what the
envelope keeps of its plan for the report (never the plan's JSON: a few kilobytes a row
to parse), and counts each case's check-ins, giving the times of those held as one text;
the rules are :mod:`signing.domain.consistency`'s. The few cases an extension changed
the check-ins' cadence of have their extensions and recorded check-ins read in two more
statements, so that their due check-ins follow the case's actual schedule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, Text, cast, func, select
from sqlalchemy.orm import Session

from signing.domain import authorize
from signing.domain.access import Principal
from signing.domain.cases.model import Extension
from signing.domain.consistency import PlanRow
from signing.domain.models import CaseRow, CheckinRow, EnvelopeRow, ExtensionRow

_E, _C, _K = EnvelopeRow.__table__, CaseRow.__table__, CheckinRow.__table__
_X = ExtensionRow.__table__


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
    """Each case with its envelope's columns and its check-ins counted: grouped by the
    case (the envelope's columns follow from its key), the times of those held as one
    text (the database's own text of each time, comma-separated); its extensions counted
    and their days summed (subqueries, so the check-ins' join does not repeat them)."""
    extensions = (select(func.count(_X.c.id)).where(_X.c.envelope_id == _C.c.envelope_id)
                  .scalar_subquery())
    extension_days = (select(func.coalesce(func.sum(_X.c.days), 0))
                      .where(_X.c.envelope_id == _C.c.envelope_id).scalar_subquery())
    return (select(_C.c.envelope_id, _E.c.department, _E.c.manager_name, _C.c.state,
                   _C.c.start, _C.c.end, _C.c.outcome, _C.c.closed_at,
                   # The schedule as the database's text: the report's cache is keyed
                   # on it, and it is parsed only when not yet seen.
                   _E.c.planned_end, cast(_E.c.checkin_schedule, Text).label("checkins"),
                   _E.c.lint_findings, func.count(_K.c.id).label("recorded"),
                   func.aggregate_strings(cast(_K.c.held_at, Text), ",").label("held"),
                   extensions.label("extensions"), extension_days.label("extension_days"))
            .join(_E, _E.c.id == _C.c.envelope_id)
            .outerjoin(_K, _K.c.envelope_id == _C.c.envelope_id)
            .where(*_where(principal, filters))
            .group_by(_C.c.envelope_id, _E.c.id))


def _times(text: str | None) -> tuple[dt.datetime, ...]:
    """The held times as the database wrote them: SQLite's naive UTC text, or
    PostgreSQL's text of a time with its offset."""
    if not text:
        return ()
    times = (dt.datetime.fromisoformat(t) for t in text.split(","))
    return tuple(t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC) for t in times)


def _schedule_changes(session: Session, principal: Principal, filters: Filters
                      ) -> tuple[dict[str, list[Extension]],
                                 dict[str, list[tuple[int, dt.datetime]]]]:
    """For the cases an extension changed the cadence of (few): every extension of each,
    and each check-in recorded (meeting, when), in two statements whatever their number."""
    changed = (select(_X.c.envelope_id).where(_X.c.cadence.is_not(None))
               .join(_C, _C.c.envelope_id == _X.c.envelope_id)
               .join(_E, _E.c.id == _C.c.envelope_id)
               .where(*_where(principal, filters)))
    extensions: dict[str, list[Extension]] = {}
    for x in session.execute(select(_X).where(_X.c.envelope_id.in_(changed))
                             .order_by(_X.c.envelope_id, _X.c.number)):
        extensions.setdefault(x.envelope_id, []).append(Extension(
            x.number, x.days, x.reason, x.new_end, bool(x.amended_goals), x.extended_by,
            x.extended_at, x.cadence))
    recorded: dict[str, list[tuple[int, dt.datetime]]] = {}
    if extensions:
        for k in session.execute(select(_K.c.envelope_id, _K.c.meeting, _K.c.recorded_at)
                                 .where(_K.c.envelope_id.in_(changed))):
            recorded.setdefault(k.envelope_id, []).append((k.meeting, k.recorded_at))
    return extensions, recorded


def plan_rows(session: Session, principal: Principal, filters: Filters) -> list[PlanRow]:
    """Every case ``principal`` may read that ``filters`` select, as the report's rows."""
    found = []
    changes, recorded = _schedule_changes(session, principal, filters)
    for r in session.execute(_cases(principal, filters)):
        held = _times(r.held)
        found.append(PlanRow(
            envelope_id=r.envelope_id, department=r.department, manager=r.manager_name,
            state=r.state, start=r.start, end=r.end, outcome=r.outcome,
            closed_at=r.closed_at, planned_end=r.planned_end, checkins=r.checkins, held=held,
            missed=(r.recorded or 0) - len(held), lint_findings=r.lint_findings,
            extensions=int(r.extensions or 0), extension_days=int(r.extension_days or 0),
            schedule_changes=tuple(changes.get(r.envelope_id, ())),
            recorded=tuple(recorded.get(r.envelope_id, ()))))
    return found


def departments(session: Session, principal: Principal) -> list[str]:
    """The departments of the cases ``principal`` may read: the filter's choices."""
    query = (select(_E.c.department).distinct()
             .join(_C, _C.c.envelope_id == _E.c.id).where(*_scope(principal)))
    return sorted((d for (d,) in session.execute(query) if d), key=str.casefold)
