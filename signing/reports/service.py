"""The consistency report's one service, which the console's page, its CSV and the API
call alike: who may read it (HR, over the plans they and their team sent, and admins,
over every plan; :mod:`signing.domain.access`), the rows they may read, the report, and
a line in the access log with the person's name for every view and export, and for
every refusal.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from archive import log_access
from signing.domain import access, consistency
from signing.domain.access import Principal
from signing.domain.errors import SigningError
from signing.reports import rows
from signing.reports.rows import Filters

if TYPE_CHECKING:
    from signing.services import Services

ACTION = "consistency report"


class ReportRefused(SigningError):
    """The person or key may not read the report (logged)."""


def settings_of(services: Services) -> consistency.Settings:
    s = services.settings
    return consistency.Settings(threshold_percent=float(s.consistency_threshold_percent),
                                min_group_size=int(s.consistency_min_group_size))


def scope_of(principal: Principal, filters: Filters) -> consistency.Scope:
    if filters.department is not None:
        return consistency.Scope.DEPARTMENT
    return consistency.Scope.COMPANY if principal.sees_all else consistency.Scope.TEAM


def consistency_report(services: Services, principal: Principal, filters: Filters, *,
                       now: dt.datetime, how: str = "view") -> consistency.Report:
    """The report of the plans ``principal`` may read that ``filters`` select; ``how``
    (view, export csv, api) goes in the access log. Raises :class:`ReportRefused`."""
    check(services, principal, how=how, now=now)
    with services.readers() as session:
        found = rows.plan_rows(session, principal, filters)
    report = consistency.report(found, settings=settings_of(services), now=now,
                                scope=scope_of(principal, filters),
                                department=filters.department)
    with services.sessions.begin() as session:
        log_access(session, access.access_reader(principal), f"{ACTION} {how}", now=now,
                   detail=f"{filters.describe()}; {len(found)} plans, "
                          f"{len(report.flagged)} groups flagged")
    return report


def departments(services: Services, principal: Principal) -> list[str]:
    """The departments the filter offers ``principal`` (after :func:`check`)."""
    with services.readers() as session:
        return rows.departments(session, principal)


def check(services: Services, principal: Principal, *, how: str, now: dt.datetime) -> None:
    """HR and admins only; anyone else's request is logged and refused."""
    if access.may_read_consistency(principal):
        return
    with services.sessions.begin() as session:
        log_access(session, access.access_reader(principal), f"{ACTION} {how}", now=now,
                   allowed=False, detail=f"denied: not for the {principal.role} role")
    raise ReportRefused("the consistency report is for HR and admins")
