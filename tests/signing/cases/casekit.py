"""Plans for the case tests that run against the real clock (the web pages, the console,
the API): the sample plan, started ``days_ago`` days before today so that some of its
check-ins are past, sent through the envelope service (a stand-in PDF) and taken as far
as ``until`` says (tests/console/plankit.py's stages)."""

from __future__ import annotations

import datetime as dt
import uuid

from docgen import sample_plan, schedule_for
from docgen.model import Plan
from signing.domain import case_service
from signing.domain import envelopes as svc
from signing.domain.cases import CheckinForm
from signing.domain.sending import signer_specs
from signing.domain.wording import consent_for, statement_for


def plan_started(days_ago: int = 15) -> Plan:
    data = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["timeline"]["start"] = (dt.date.today() - dt.timedelta(days=days_ago)).isoformat()
    return sample_plan().model_validate(data)


def send_case_plan(sessions, *, owner: str = "apikey:psk_hr", team: str | None = None,
                   drafted_by: str | None = None, days_ago: int = 15,
                   until: str = "acknowledged") -> str:
    plan = plan_started(days_ago)
    data = plan.model_dump(mode="json", by_alias=True, exclude_none=True)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago + 3)  # sent before it began
    actor = svc.Actor(owner)
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=data, template="standard",
            pdf=f"%PDF-1.7 {uuid.uuid4()}".encode(), signers=signer_specs(plan), actor=actor,
            now=now, team=team, drafted_by=drafted_by)
        if until == "draft":
            return envelope_id
        svc.perform(session, envelope_id, "send", actor=actor, now=now,
                    expires_in=dt.timedelta(days=days_ago + 30))  # not expired
        ids = {s.role: s.id for s in svc.load(session, envelope_id).signers}
        svc.perform(session, envelope_id, "confirm", signer_id=ids["manager"],
                    typed_name=plan.manager.name, consent=True,
                    statement=statement_for("manager"), consent_text=consent_for("manager"),
                    actor=svc.Actor(f"signer:{ids['manager']}"), now=now)
        if until == "acknowledged":
            svc.perform(session, envelope_id, "acknowledge", signer_id=ids["employee"],
                        typed_name=plan.employee.name, consent=True,
                        statement=statement_for("employee"),
                        actor=svc.Actor(f"signer:{ids['employee']}"), now=now)
        elif until == "voided":
            svc.perform(session, envelope_id, "void", reason="Sent to the wrong team.",
                        actor=actor, now=now)
    return envelope_id


def past_meeting(days_ago: int = 15, number: int = 1):
    return schedule_for(plan_started(days_ago)).checkins[number - 1]


def record_first(sessions, envelope_id: str, *, days_ago: int = 15, **changes) -> str:
    """Check-in 1 recorded as held (as the manager would), with goal 1 at risk: its id."""
    plan = plan_started(days_ago)
    meeting = past_meeting(days_ago)
    goals = {str(i): {"status": "on_track", "value": "85%"}
             for i in range(1, len(plan.goals) + 1)}
    goals["1"] = {"status": "at_risk", "value": "78%", "note": "A dip in week two."}
    fields = {"meeting": "1", "held_at": meeting.starts.strftime("%Y-%m-%dT%H:%M"),
              "attendees": [plan.manager.name, plan.employee.name], "goals": goals,
              "notes": "Reviewed the ticket queue together.",
              "support_given": "Two queue-triage coaching sessions.",
              "next_steps": "Pair on escalations on Thursday.",
              "employee_view": "The new macros help."}
    fields.update(changes)
    with sessions.begin() as session:
        return case_service.record_checkin(
            session, envelope_id, CheckinForm(**fields), actor=svc.Actor("person:manager1"),
            recorder=plan.manager.name, now=dt.datetime.now(dt.UTC)).id
