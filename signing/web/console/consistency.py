"""Consistency across plans: HR's and admins' review of whether plans are handled alike,
department by department and manager by manager, and its CSV.

Thin: the filters are parsed here, then :func:`signing.reports.service.consistency_report`
(the API's service too) checks who may read it, reads the plans they may read, builds
the report and logs the view or the export with the person's name. The figures and the
flags are :mod:`signing.domain.consistency`'s; this module only says them in the
person's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as L_

from signing.domain.access import Role
from signing.domain.consistency import (
    NO_DEPARTMENT,
    NO_MANAGER,
    Flag,
    Metric,
    Report,
    Scope,
    number,
)
from signing.domain.wording import N_
from signing.reports import export, service
from signing.reports.rows import Filters
from signing.web import current
from signing.web.console import signedin
from signing.web.downloads import worded_disposition

bp = Blueprint("consistency", __name__, url_prefix="/consistency")

READERS = (Role.HR, Role.ADMIN)
# The CSV's name, in the reader's language. Translators: a file name without its
# extension, words joined by hyphens; %(day)s is the day it was made (2027-01-31).
CSV_NAME = N_("plansign-consistency-%(day)s")
FIELDS = ("started_from", "started_to", "department")

# The domain's reasons (signing.domain.consistency.REASONS), through gettext; a test
# keeps the two the same in English.
REASONS: dict[Metric, Any] = {
    Metric.CHECKINS_HELD: L_("%(group)s: %(held)s of %(due)s check-ins held per plan on "
                             "average (%(value)s) against %(company_held)s of "
                             "%(company_due)s (%(company)s) %(across)s"),
    Metric.GAPS: L_("%(group)s: %(value)s of plans went more than two weeks without a "
                    "check-in, against %(company)s %(across)s"),
    Metric.EXTENDED: L_("%(group)s: %(value)s of plans were extended, against %(company)s "
                        "%(across)s"),
    Metric.PLANNED_DAYS: L_("%(group)s: plans were planned for %(value)s days on average, "
                            "against %(company)s days %(across)s"),
    Metric.ACTUAL_DAYS: L_("%(group)s: closed plans lasted %(value)s days on average, "
                           "against %(company)s days %(across)s"),
    Metric.MET: L_("%(group)s: %(value)s of closed plans ended with the goals met, against "
                   "%(company)s %(across)s"),
    Metric.NOT_MET: L_("%(group)s: %(value)s of closed plans ended with the goals not met, "
                       "against %(company)s %(across)s"),
    Metric.RESIGNED: L_("%(group)s: %(value)s of closed plans ended with the employee's "
                        "resignation, against %(company)s %(across)s"),
    Metric.WITHDRAWN: L_("%(group)s: %(value)s of closed plans were withdrawn, against "
                         "%(company)s %(across)s"),
    Metric.LINT_FINDINGS: L_("%(group)s: lint findings when sent averaged %(value)s a plan, "
                          "against %(company)s %(across)s"),
}
ACROSS: dict[Scope, Any] = {Scope.COMPANY: L_("across the company"),
                            Scope.TEAM: L_("across your team's plans"),
                            Scope.DEPARTMENT: L_("across %(department)s")}
NO_NAME: dict[str, Any] = {NO_DEPARTMENT: L_("(no department)"),
                           NO_MANAGER: L_("(no manager named)")}


def _(text: str, **values: Any) -> str:
    """gettext, typed."""
    return str(gettext(text, **values))


@dataclass(frozen=True)
class Parsed:
    values: dict[str, str]
    filters: Filters | None
    errors: dict[str, str]


def parse_filters(args: Mapping[str, str]) -> Parsed:
    """The filter form's fields: two days (a plan's start between them) and a
    department."""
    values = {k: args.get(k, "").strip() for k in FIELDS}
    errors: dict[str, str] = {}
    days: dict[str, dt.date | None] = {}
    for name in ("started_from", "started_to"):
        days[name] = None
        if values[name]:
            try:
                days[name] = dt.date.fromisoformat(values[name])
            except ValueError:
                errors[name] = _("Enter a date as YYYY-MM-DD, for example 2026-03-31.")
    first, last = days["started_from"], days["started_to"]
    if first and last and last < first:
        errors["started_to"] = _("This date is before the first date; choose a later one.")
    if len(values["department"]) > 200 or any(
            ord(c) < 32 or ord(c) == 127 for c in values["department"]):
        errors["department"] = _("Choose a department from the list.")
    if errors:
        return Parsed(values, None, errors)
    return Parsed(values, Filters(first, last, values["department"] or None), {})


def reason(flag: Flag, report: Report) -> str:
    """A flag in the person's words."""
    words = dict(flag.values)
    words["group"] = str(NO_NAME.get(words["group"], words["group"]))
    words["across"] = str(ACROSS[report.scope]) % {"department": report.department or ""}
    return str(REASONS[flag.metric]) % words


@bp.get("/")
@signedin.signed_in(*READERS)
def index() -> str | tuple[str, int]:
    services, who = current.services(), signedin.principal()
    parsed = parse_filters(request.args)
    choices = service.departments(services, who)
    settings = service.settings_of(services)
    if parsed.filters is None:
        return render_template("console/consistency.html", form=parsed.values,
                               errors=parsed.errors, report=None, choices=choices,
                               settings=settings, **_helpers()), 400
    report = service.consistency_report(services, who, parsed.filters, now=signedin.now())
    return render_template("console/consistency.html", form=parsed.values, errors={},
                           report=report, choices=choices, settings=settings,
                           group_reasons=lambda g: [reason(f, report) for f in g.flags],
                           csv_query={k: v for k, v in parsed.values.items() if v},
                           **_helpers())


@bp.get("/consistency.csv")
@signedin.signed_in(*READERS)
def csv() -> Response:
    parsed = parse_filters(request.args)
    if parsed.filters is None:
        abort(400)
    report = service.consistency_report(current.services(), signedin.principal(),
                                        parsed.filters, now=signedin.now(), how="export csv")
    day = report.generated_at.date().isoformat()
    # A byte order mark: Excel then reads the names' accents as UTF-8.
    return Response("\ufeff" + export.to_csv(report), mimetype="text/csv", headers={
        "Content-Disposition": worded_disposition(CSV_NAME, "csv", day=day)})


def _helpers() -> dict[str, Any]:
    return {"Metric": Metric, "number": number, "no_name": NO_NAME,
            "none_group": {"flags": ()}}
