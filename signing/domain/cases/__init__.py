"""The plan after its signature (issue 17): the case a sent plan opens, its check-ins,
extensions and outcome, and the rules over them. Pure data and rules; the tables, the
console, the API, the worker and the case file build on them."""

from signing.domain.cases.checkins import AgendaItem, CheckinForm, agenda, meetings, record
from signing.domain.cases.missed import GAP, Gap, Level, Overdue, gaps, overdue
from signing.domain.cases.model import (
    Case,
    CaseClosed,
    CaseError,
    CaseState,
    Checkin,
    Extension,
    GoalProgress,
    GoalStatus,
    MeetingAlreadyRecorded,
    Outcome,
)
from signing.domain.cases.progress import GoalSeries, Point, number_in, series

__all__ = [
    "GAP", "AgendaItem", "Case", "CaseClosed", "CaseError", "CaseState", "Checkin",
    "CheckinForm", "Extension", "Gap", "GoalProgress", "GoalSeries", "GoalStatus", "Level",
    "MeetingAlreadyRecorded", "Outcome", "Overdue", "Point", "agenda", "gaps", "meetings",
    "number_in", "overdue", "record", "series",
]
