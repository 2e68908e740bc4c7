"""Plans for the plans list's and the plan page's tests: envelopes made through the
envelope service (a stand-in PDF: no LibreOffice needed), with the employee, the HR
team, who drafted them and how far they got; console drafts in each state."""

from __future__ import annotations

import datetime as dt
import uuid

from docgen import sample_plan
from signing.domain import envelopes as svc
from signing.domain.models import DraftRow
from signing.domain.names import searchable
from signing.domain.sending import signer_specs
from signing.domain.wording import consent_for, statement_for

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def make_plan(sessions, *, owner: str, team: str | None = None, employee: str = "Alex Sample",
              department: str = "Customer Support", manager: str = "Morgan Example",
              drafted_by: str | None = None, until: str = "employee",
              created: dt.datetime | None = None, expires_in_days: int = 14,
              language: str | None = None) -> str:
    """An envelope of the sample plan for ``employee``, sent with the default routing
    (manager, employee, HR) and taken as far as ``until`` says: ``draft`` (not sent),
    ``manager`` (waiting on the manager), ``employee`` (the manager confirmed),
    ``acknowledged``, ``refused``, ``voided``; written in ``language``, if given."""
    data = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    if language is not None:
        data["language"] = language
    data["employee"]["name"] = employee
    data["employee"]["department"] = department
    data["manager"]["name"] = manager
    plan = sample_plan().model_validate(data)
    at = created or NOW
    actor = svc.Actor(owner)
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=data, template="standard",
            pdf=f"%PDF-1.7 {uuid.uuid4()}".encode(), signers=signer_specs(plan), actor=actor,
            now=at, team=team, drafted_by=drafted_by)
        if until == "draft":
            return envelope_id
        svc.perform(session, envelope_id, "send", actor=actor, now=at,
                    expires_in=dt.timedelta(days=expires_in_days))
        ids = {s.role: s.id for s in svc.load(session, envelope_id).signers}
        if until == "manager":
            return envelope_id
        svc.perform(session, envelope_id, "confirm", signer_id=ids["manager"],
                    typed_name=manager, consent=True, statement=statement_for("manager"),
                    consent_text=consent_for("manager"),
                    actor=svc.Actor(f"signer:{ids['manager']}"), now=at)
        if until == "acknowledged":
            svc.perform(session, envelope_id, "acknowledge", signer_id=ids["employee"],
                        typed_name=employee, consent=True,
                        statement=statement_for("employee"),
                        actor=svc.Actor(f"signer:{ids['employee']}"), now=at)
        elif until == "refused":
            svc.perform(session, envelope_id, "refuse", signer_id=ids["employee"],
                        reason="I do not agree.", confirmed=True,
                        actor=svc.Actor(f"signer:{ids['employee']}"), now=at)
        elif until == "voided":
            svc.perform(session, envelope_id, "void", reason="Sent to the wrong team.",
                        actor=actor, now=at)
        if until in ("acknowledged", "refused"):
            svc.perform(session, envelope_id, "confirm", signer_id=ids["hr"],
                        typed_name=plan.hr.name, consent=True, statement=statement_for("hr"),
                        consent_text=consent_for("hr"),
                        actor=svc.Actor(f"signer:{ids['hr']}"), now=at)
    return envelope_id


def make_draft(sessions, *, owner: str, team: str | None, state: str,
               employee: str = "Dana Draft") -> str:
    draft_id = str(uuid.uuid4())
    with sessions.begin() as session:
        session.add(DraftRow(id=draft_id, state=state, owner=owner, team=team, plan_data={},
                             employee_name=employee, employee_search=searchable(employee),
                             department="Sales", manager_name="Morgan Example", version=1,
                             created_at=NOW, updated_at=NOW))
    return draft_id


def set_state(sessions, envelope_id: str, state: str) -> None:
    with sessions.begin() as session:
        svc.load(session, envelope_id).state = state
