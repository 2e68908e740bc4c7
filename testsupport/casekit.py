"""A closed case as the case file builder takes it, made up from a plan: for the case
file's tests and bench/bench_case_file.py.

``sample_case`` gives a case of ``meetings`` weekly check-ins over the plan's goals, one
missed, one with an employee's comment in Arabic, each goal's metric moving from its
baseline towards its target; optionally an extension with an amended plan and an
outcome letter. The PDFs it includes are given by the caller (real ones: the plan's
sealed record, rendered documents).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from docgen.casefile import (
    Answer,
    CaseEvent,
    CaseFile,
    CheckinPage,
    Comment,
    ExtensionPage,
    GoalEntry,
    IncludedDocument,
)
from docgen.model import Plan
from signing.domain.cases import Checkin, GoalProgress, GoalStatus, number_in
from signing.domain.cases.charts import STATUS_LABELS, progress_charts, unit_of

ARABIC_COMMENT = ("أوافق على أن التقدم كان بطيئًا في الأسبوع الأول، لكنني لم أحصل على "
                  "التدريب الموعود إلا في الأسبوع الثالث.")
UTC = dt.UTC


def domain_checkins(plan: Plan, start: dt.date, meetings: int, zone: ZoneInfo,
                    missed: int | None = 3) -> list[Checkin]:
    """``meetings`` weekly check-ins from the plan's first week, meeting ``missed`` missed."""
    checkins = []
    for n in range(1, meetings + 1):
        scheduled = dt.datetime.combine(start + dt.timedelta(days=7 * n - 4),
                                        dt.time(9, 30), tzinfo=zone)
        if n == missed:
            checkins.append(Checkin(n, scheduled, None, "The manager was off sick; the "
                                    "meeting could not be moved within the week.", (), (),
                                    "", "", "", "", plan.manager.name,
                                    scheduled + dt.timedelta(days=1)))
            continue
        progress = []
        share = n / meetings
        for g, goal in enumerate(plan.goals, start=1):
            base, target = number_in(goal.baseline or ""), number_in(goal.target or "")
            value = None
            if base is not None and target is not None:
                wobble = ((n * 7 + g * 3) % 5 - 2) * abs(target - base) * 0.04
                value = round(base + (target - base) * share * 0.9 + wobble, 1)
            status = (GoalStatus.MET if share > 0.95 and g == 1 else
                      GoalStatus.OFF_TRACK if share < 0.3 else
                      GoalStatus.AT_RISK if (n + g) % 3 == 0 else GoalStatus.ON_TRACK)
            progress.append(GoalProgress(g, status, value,
                                         "Checked against the weekly Zendesk report."
                                         if g == 1 else ""))
        checkins.append(Checkin(
            n, scheduled, scheduled + dt.timedelta(minutes=5), None,
            (plan.manager.name, plan.employee.name), tuple(progress),
            f"Reviewed the week's figures. Week {n}: steady work on the queue; two "
            "escalations handled well. <b>Not markup</b> & never read as such.",
            "Coaching session with the team lead on Tuesday; queue filter set up.",
            "Keep the morning triage slot; review the pending list every Friday.",
            "The employee said the new queue filter helps." if n % 2 else "",
            plan.manager.name, scheduled + dt.timedelta(hours=2)))
    return checkins


def sample_case(plan: Plan, plan_pdf: bytes, *, meetings: int = 5, days: int = 30,
                amendment_pdf: bytes | None = None, letter_pdf: bytes | None = None,
                outcome: str = "not_met", envelope_id: str = "env_case0001") -> CaseFile:
    assert plan.checkins is not None
    zone = ZoneInfo(plan.checkins.timezone)
    start = plan.timeline.start
    extension_days = 14 if amendment_pdf is not None else 0
    end = start + dt.timedelta(days=days + extension_days)
    checkins = domain_checkins(plan, start, meetings, zone)
    charts = progress_charts(plan.goals, checkins, zone, (start, end))
    pages = []
    for c in checkins:
        answer = Answer("acknowledged", plan.employee.name,
                        c.recorded_at + dt.timedelta(hours=20))
        if c.meeting == 2:
            answer = Answer("acknowledged", plan.employee.name,
                            c.recorded_at + dt.timedelta(hours=26),
                            (Comment(plan.employee.name, c.recorded_at + dt.timedelta(hours=26),
                                     ARABIC_COMMENT),))
        elif c.meeting == 4:
            answer = Answer("no_answer", at=c.recorded_at + dt.timedelta(days=5))
        goals = tuple(
            GoalEntry(p.goal, plan.goals[p.goal - 1].statement, STATUS_LABELS[p.status],
                      _value(p.value, plan.goals[p.goal - 1].target or ""),
                      plan.goals[p.goal - 1].baseline or "", plan.goals[p.goal - 1].target or "",
                      p.note)
            for p in c.goals)
        due = tuple(f"Goal {g}: {m.description}" for g, goal in enumerate(plan.goals, 1)
                    for m in goal.milestones
                    if (c.scheduled_for.date() - dt.timedelta(days=6)) <= m.due
                    <= c.scheduled_for.date())
        pages.append(CheckinPage(c.meeting, c.scheduled_for, c.held_at, c.missed_reason,
                                 c.attendees, goals, c.notes, c.support_given, c.next_steps,
                                 c.employee_view, c.recorded_by, c.recorded_at, answer, due))
    sealed_at = dt.datetime.combine(start, dt.time(15, 0), tzinfo=UTC)
    documents = {"plan": IncludedDocument("plan", "The plan, signed and sealed", plan_pdf,
                                          sealed_at, "plan.pdf")}
    extensions: tuple[ExtensionPage, ...] = ()
    amendments: tuple[IncludedDocument, ...] = ()
    events = [CaseEvent(sealed_at, "plan sealed and archived; case opened",
                        "plansign (system)")]
    for c in checkins:
        what = (f"check-in {c.meeting} recorded" if c.held else
                f"check-in {c.meeting} recorded as missed")
        events.append(CaseEvent(c.recorded_at, what, f"{c.recorded_by} (manager)"))
    if amendment_pdf is not None:
        at = dt.datetime.combine(start + dt.timedelta(days=days - 3), dt.time(11, 0),
                                 tzinfo=UTC)
        extensions = (ExtensionPage(1, extension_days, "Clear progress on goals 1 and 2; "
                                    "goal 3 adjusted after the queue was reorganised.",
                                    end, True, plan.hr.name, at),)
        amendments = (IncludedDocument("amendment", f"Amendment 1 of the plan of "
                                       f"{start.day} {start:%B %Y}", amendment_pdf,
                                       at + dt.timedelta(days=1), "amendment-1.pdf"),)
        events.append(CaseEvent(at, f"case extended by {extension_days} days",
                                f"{plan.hr.name} (HR)"))
    closed = dt.datetime.combine(end, dt.time(16, 0), tzinfo=UTC)
    letter = None
    if letter_pdf is not None:
        letter = IncludedDocument("outcome letter", "Outcome letter", letter_pdf,
                                  closed - dt.timedelta(hours=2), "outcome-letter.pdf")
    events.append(CaseEvent(closed, f"case closed: {outcome.replace('_', ' ')}",
                            f"{plan.hr.name} (HR)"))
    return CaseFile(
        envelope_id=envelope_id, plan_id=plan.plan_id or "", company=plan.company.name
        if plan.company else "", employee=plan.employee.name,
        employee_id=plan.employee.employee_id or "", department=plan.employee.department,
        manager=plan.manager.name, hr=plan.hr.name, zone=plan.checkins.timezone,
        start=start, end=end, outcome=outcome,
        outcome_reason="Goal 1 was met; goals 2 and 3 stayed below their targets at the "
                       "final review, as the evidence per goal in the outcome letter shows.",
        closed_at=closed, made_at=closed + dt.timedelta(minutes=5), plan=documents["plan"],
        checkins=tuple(pages), extensions=extensions, amendments=amendments,
        outcome_letter=letter, charts=charts, events=tuple(events), scheduled=meetings)


def _value(value: float | None, target: str) -> str:
    if value is None:
        return ""
    unit = unit_of(target)
    text = f"{value:g}"
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}".strip()
