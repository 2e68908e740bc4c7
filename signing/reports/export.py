"""The consistency report as CSV, for a spreadsheet: one line for every plan in the
report, then one per department and one per manager, each with its figures, whether it
is flagged for review and why.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or a
carriage return) as a formula: a department or a manager's name is text HR typed, so
every such cell is written with a ``'`` before it (OWASP's advice on CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

from signing.domain.cases import Outcome
from signing.domain.consistency import Figures, Group, Metric, Report, number

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _figure(metric: Metric) -> Callable[[Figures], str]:
    def get(figures: Figures) -> str:
        value = figures.value(metric)
        return "" if value is None else f"{value:.1f}"
    return get


# (header, the figure from a group's counts)
COLUMNS: tuple[tuple[str, Callable[[Figures], object]], ...] = (
    ("plans", lambda f: f.plans),
    ("closed", lambda f: f.closed),
    ("planned days (average)", _figure(Metric.PLANNED_DAYS)),
    ("actual days, closed plans (average)", _figure(Metric.ACTUAL_DAYS)),
    ("plans extended", lambda f: f.extended),
    ("plans extended (%)", _figure(Metric.EXTENDED)),
    ("extensions", lambda f: f.extensions),
    ("days of extension (average, extended plans)",
     lambda f: "" if f.extension_days_average is None else f"{f.extension_days_average:.1f}"),
    ("check-ins scheduled so far", lambda f: f.due),
    ("check-ins held", lambda f: f.held),
    ("check-ins held per plan (average)", lambda f: number(f.per_plan(f.held))),
    ("check-ins scheduled per plan (average)", lambda f: number(f.per_plan(f.due))),
    ("check-ins held (%)", _figure(Metric.CHECKINS_HELD)),
    ("plans with a gap of more than two weeks", lambda f: f.gaps),
    ("plans with a gap (%)", _figure(Metric.GAPS)),
    ("met", lambda f: f.outcomes.get(Outcome.MET, 0)),
    ("met (% of closed)", _figure(Metric.MET)),
    ("not met", lambda f: f.outcomes.get(Outcome.NOT_MET, 0)),
    ("not met (% of closed)", _figure(Metric.NOT_MET)),
    ("resigned", lambda f: f.outcomes.get(Outcome.RESIGNED, 0)),
    ("resigned (% of closed)", _figure(Metric.RESIGNED)),
    ("withdrawn", lambda f: f.outcomes.get(Outcome.WITHDRAWN, 0)),
    ("withdrawn (% of closed)", _figure(Metric.WITHDRAWN)),
    ("plans with lint findings counted", lambda f: f.linted),
    ("lint findings at sending (average)", _figure(Metric.LINT_FINDINGS)),
)
HEADER = ("group", "name", "departments", *(h for h, _ in COLUMNS), "flagged for review",
          "reasons")


def lines(report: Report) -> Iterator[list[str]]:
    yield list(HEADER)
    yield [safe_cell(v) for v in ("all plans", report.across, "",
                                  *(get(report.company) for _, get in COLUMNS), "", "")]
    for group in (*report.departments, *report.managers):
        yield _line(group)


def _line(group: Group) -> list[str]:
    return [safe_cell(v) for v in (
        str(group.kind), group.name, "; ".join(group.departments),
        *(get(group.figures) for _, get in COLUMNS),
        "yes" if group.flagged else "no", " | ".join(f.reason for f in group.flags))]


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(lines(report))
    return out.getvalue()
