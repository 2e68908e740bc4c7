"""What a case is made of: the plan's life after it was sent, as plain immutable data.

A sent plan opens a case: ``active``, then ``extended`` (once or more, within the
configured maximum), then ``closed`` with an outcome. The plan's acknowledgement is its
first record; the case owns everything after: check-in records, extensions, the
outcome. Rules are in the sibling modules (:mod:`.checkins`, :mod:`.missed`,
:mod:`.progress`, :mod:`.closing`); nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from signing.domain.errors import SigningError, Wording
from signing.domain.wording import N_


class CaseState(StrEnum):
    ACTIVE = "active"
    EXTENDED = "extended"
    CLOSED = "closed"


OPEN_CASE_STATES = frozenset({CaseState.ACTIVE, CaseState.EXTENDED})


class GoalStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    MET = "met"


class Outcome(StrEnum):
    """How a case closes. ``met`` and ``not_met`` at the end date, with evidence per
    goal; ``resigned`` and ``withdrawn`` early, with a reason."""

    MET = "met"
    NOT_MET = "not_met"
    RESIGNED = "resigned"
    WITHDRAWN = "withdrawn"


END_OUTCOMES = frozenset({Outcome.MET, Outcome.NOT_MET})
EARLY_OUTCOMES = frozenset({Outcome.RESIGNED, Outcome.WITHDRAWN})


# -- errors ------------------------------------------------------------------------------


class CaseError(SigningError):
    """Input a case cannot take; ``field`` names what to correct (``held_at``,
    ``goals[2].value``), and nothing was recorded."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class CaseClosed(CaseError):
    """The case is closed: nothing more is recorded on it."""

    def __init__(self, envelope_id: str) -> None:
        super().__init__(Wording(N_("this plan's case is closed, so nothing more can be "
                                    "recorded on it; its case file holds the whole record")),
                         None)
        self.envelope_id = envelope_id


class MeetingAlreadyRecorded(CaseError):
    """Someone recorded this meeting first (two managers at once, or a second submit)."""

    def __init__(self, meeting: int, by: str) -> None:
        super().__init__(Wording(N_("check-in %(meeting)s was already recorded by %(by)s; "
                                    "nothing was changed. Open the case to read it, or add "
                                    "to it there"), meeting=meeting, by=by),
                         "meeting")
        self.meeting = meeting
        self.by = by


# -- records -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalProgress:
    """Where one goal of the plan stood at a check-in. ``goal`` is the goal's number in
    the plan (1-based, as the plan's document numbers them); ``value`` the metric's
    current value when the goal's metric is a number."""

    goal: int
    status: GoalStatus
    value: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Checkin:
    """One scheduled meeting's record: held (``held_at``) or missed (``missed_reason``)."""

    meeting: int
    scheduled_for: dt.datetime
    held_at: dt.datetime | None
    missed_reason: str | None
    attendees: tuple[str, ...]
    goals: tuple[GoalProgress, ...]
    notes: str
    support_given: str
    next_steps: str
    employee_view: str
    recorded_by: str
    recorded_at: dt.datetime

    @property
    def held(self) -> bool:
        return self.held_at is not None


@dataclass(frozen=True)
class Extension:
    """HR's extension of the plan: ``days`` more, why, whether the goals changed, and the
    check-ins' cadence from ``at`` on if HR changed it (None: the plan's goes on). Its
    amended plan goes through the signing flow as amendment ``number``."""

    number: int
    days: int
    reason: str
    new_end: dt.date
    amended_goals: bool
    by: str
    at: dt.datetime
    cadence: str | None = None


@dataclass(frozen=True)
class Case:
    """A plan's case as the rules need it: its dates (the end moved by extensions), its
    check-ins and extensions so far, and how it closed."""

    envelope_id: str
    state: CaseState
    start: dt.date
    end: dt.date
    checkins: tuple[Checkin, ...] = ()
    extensions: tuple[Extension, ...] = ()
    outcome: Outcome | None = None
    closed_at: dt.datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CASE_STATES

    @property
    def extended_days(self) -> int:
        return sum(e.days for e in self.extensions)

    def checkin(self, meeting: int) -> Checkin | None:
        return next((c for c in self.checkins if c.meeting == meeting), None)
