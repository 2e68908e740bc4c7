"""``GET /api/v1/reports/consistency``: the consistency report as JSON, for ``hr`` keys
(the plans they and their team sent) and ``admin`` keys (every plan). Each request,
allowed or refused, is in the access log with the key's name."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from signing.domain import consistency
from signing.domain.access import Role
from signing.reports import service
from signing.reports.rows import Filters
from signing.web import current
from signing.web.api.operations import ApiError, Caller, operation
from signing.web.api.schemas import FieldError

READERS = frozenset({Role.HR, Role.ADMIN})


class ConsistencyQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    started_from: dt.date | None = Field(None, description="Plans starting on or after "
                                                           "this day.")
    started_to: dt.date | None = Field(None, description="Plans starting on or before "
                                                         "this day.")
    department: Annotated[str | None, Field(None, min_length=1, max_length=200,
                                            pattern=r"^[^\x00-\x1f\x7f]*$",
                                            description="One department, as the plans "
                                                        "name it.")]

    @model_validator(mode="after")
    def _in_order(self) -> ConsistencyQuery:
        if self.started_from and self.started_to and self.started_to < self.started_from:
            raise ApiError(422, "the request has errors", errors=[FieldError(
                path="started_to", message="the end of the range is before its start")])
        return self


class FiguresOut(BaseModel):
    plans: int
    closed: int
    planned_days_average: float | None
    actual_days_average: float | None = Field(description="Closed plans: start to close.")
    extended: int = Field(description="Plans extended (as recorded, once or more).")
    extensions: int = Field(description="Extensions in all: a plan may be extended more "
                                        "than once.")
    extended_percent: float | None
    extension_days_average: float | None
    checkins_scheduled: int = Field(description="Meetings of the plans' schedules due so "
                                                "far (or by the case's close).")
    checkins_held: int
    checkins_held_percent: float | None
    plans_with_gap: int = Field(description="Plans that went more than two weeks without "
                                            "a check-in held.")
    plans_with_gap_percent: float | None
    outcomes: dict[str, int]
    outcome_percent: dict[str, float | None] = Field(description="Of closed plans.")
    lint_counted: int = Field(description="Plans whose lint findings at sending were "
                                          "counted (sent since this version).")
    lint_findings_average: float | None

    @classmethod
    def of(cls, f: consistency.Figures) -> FiguresOut:
        def v(metric: consistency.Metric) -> float | None:
            value = f.value(metric)
            return None if value is None else round(value, 2)
        return cls(
            plans=f.plans, closed=f.closed, planned_days_average=v(consistency.Metric.PLANNED_DAYS),
            actual_days_average=v(consistency.Metric.ACTUAL_DAYS), extended=f.extended,
            extensions=f.extensions,
            extended_percent=v(consistency.Metric.EXTENDED),
            extension_days_average=(None if f.extension_days_average is None
                                    else round(f.extension_days_average, 2)),
            checkins_scheduled=f.due, checkins_held=f.held,
            checkins_held_percent=v(consistency.Metric.CHECKINS_HELD), plans_with_gap=f.gaps,
            plans_with_gap_percent=v(consistency.Metric.GAPS),
            outcomes={str(o): n for o, n in f.outcomes.items()},
            outcome_percent={str(o): v(m) for o, m in consistency.OUTCOME_METRICS.items()},
            lint_counted=f.linted, lint_findings_average=v(consistency.Metric.LINT_FINDINGS))


class FlagOut(BaseModel):
    metric: str
    value: float
    all_plans: float
    difference: float = Field(description="Percentage points for a rate; percent of the "
                                          "report's figure for an average.")
    reason: str


class GroupOut(BaseModel):
    kind: str
    name: str
    departments: list[str]
    figures: FiguresOut
    flagged: bool
    flags: list[FlagOut]

    @classmethod
    def of(cls, g: consistency.Group) -> GroupOut:
        return cls(kind=str(g.kind), name=g.name, departments=list(g.departments),
                   figures=FiguresOut.of(g.figures), flagged=g.flagged,
                   flags=[FlagOut(metric=str(f.metric), value=round(f.value, 2),
                                  all_plans=round(f.company, 2),
                                  difference=round(f.difference, 2), reason=f.reason)
                          for f in g.flags])


class ConsistencyOut(BaseModel):
    generated_at: dt.datetime
    scope: str = Field(description="company (an admin key), team (an hr key: the plans "
                                   "it and its team sent) or department (filtered).")
    threshold_percent: float
    min_group_size: int
    started_from: dt.date | None
    started_to: dt.date | None
    department: str | None
    all_plans: FiguresOut
    departments: list[GroupOut]
    managers: list[GroupOut]


@operation("GET", "/reports/consistency",
           summary="Consistency across plans: figures by department and manager, with the "
                   "differences flagged for review", roles=READERS, query=ConsistencyQuery,
           response=ConsistencyOut, errors=(401, 403, 422))
def consistency_report(key: Caller, query: ConsistencyQuery) -> ConsistencyOut:
    filters = Filters(query.started_from, query.started_to, query.department)
    report = service.consistency_report(current.services(), key.principal, filters,
                                        now=dt.datetime.now(dt.UTC), how="api")
    return ConsistencyOut(
        generated_at=report.generated_at, scope=str(report.scope),
        threshold_percent=report.settings.threshold_percent,
        min_group_size=report.settings.min_group_size, started_from=filters.started_from,
        started_to=filters.started_to, department=filters.department,
        all_plans=FiguresOut.of(report.company),
        departments=[GroupOut.of(g) for g in report.departments],
        managers=[GroupOut.of(g) for g in report.managers])
