"""What a plan's page in the console shows, read in one go: the plan's state in words,
each signer's state, the timeline by name (:mod:`signing.domain.timeline`), which
documents exist, and which of HR's actions the plan's state allows now.

Reading only: who may read it is checked by the caller
(:func:`signing.domain.authorize.check_read`), and the actions are the workflow's
(:func:`signing.domain.envelopes.perform`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import ArchivedRecord
from signing.domain import envelopes
from signing.domain.models import ApiKey, PersonRow
from signing.domain.plan_states import PlanState, SignerSummary, plan_state, waiting_on
from signing.domain.timeline import Entry, Who, person_actors, timeline
from signing.domain.workflow import ASKED_STATES, EnvelopeState, Role, SignerState

_ROLE_WORDS = {"hr": "HR", "manager": "manager", "records": "records", "admin": "admin"}


@dataclass(frozen=True)
class SignerLine:
    id: str
    role: str
    name: str
    email: str
    order: int
    state: str
    decided_at: dt.datetime | None

    @property
    def waiting(self) -> bool:
        """Sent the plan and not answered yet: a reminder or a new link reaches them."""
        return SignerState(self.state) in ASKED_STATES


@dataclass(frozen=True)
class PlanDetails:
    id: str
    envelope_state: str
    state: PlanState
    employee_name: str
    department: str
    manager_name: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    comments_until: dt.datetime | None
    plan_zone: str | None
    signers: tuple[SignerLine, ...]
    entries: tuple[Entry, ...]
    has_final: bool
    archived: bool

    @property
    def is_open(self) -> bool:
        return self.envelope_state == EnvelopeState.SENT

    @property
    def waiting_on(self) -> list[SignerSummary]:
        return waiting_on(self.envelope_state, self._summaries)

    @property
    def _summaries(self) -> list[SignerSummary]:
        return [SignerSummary(s.role, s.name, s.state) for s in self.signers]

    @property
    def manager_signer(self) -> SignerLine | None:
        return next((s for s in self.signers if s.role == Role.MANAGER), None)

    @property
    def employee_signer(self) -> SignerLine | None:
        return next((s for s in self.signers if s.role == Role.EMPLOYEE), None)

    @property
    def can_remind(self) -> bool:
        return self.is_open and any(s.waiting for s in self.signers)

    @property
    def can_resend(self) -> bool:
        return self.can_remind

    @property
    def can_void(self) -> bool:
        return self.envelope_state in (EnvelopeState.DRAFT, EnvelopeState.SENT)

    @property
    def can_record_refusal(self) -> bool:
        """The workflow's own preconditions for a refusal recorded in a meeting: the
        employee sent the plan and not answered, and a manager signer to record it."""
        employee = self.employee_signer
        return (self.is_open and self.manager_signer is not None and employee is not None
                and employee.waiting)


def read(session: Session, envelope_id: str) -> PlanDetails:
    """Everything the plan's page shows (raises
    :class:`~signing.domain.envelopes.EnvelopeNotFound`)."""
    row = envelopes.load(session, envelope_id)
    trail = envelopes.audit_trail(session, envelope_id)
    signers = tuple(SignerLine(s.id, s.role, s.name, s.email, s.routing_order, s.state,
                               s.decided_at) for s in row.signers)
    named = {s.id: Who(s.name, s.role) for s in signers}
    people = _people(session, person_actors(trail))
    keys = _keys(session, {r.actor for r in trail if r.actor.startswith("apikey:")})
    checkins = (row.plan_data or {}).get("checkins") or {}
    archived = session.get(ArchivedRecord, envelope_id) is not None
    return PlanDetails(
        id=row.id, envelope_state=row.state,
        state=plan_state(row.state, [SignerSummary(s.role, s.name, s.state) for s in signers]),
        employee_name=row.employee_name, department=row.department,
        manager_name=row.manager_name, created_at=row.created_at, expires_at=row.expires_at,
        comments_until=row.comments_until,
        plan_zone=checkins.get("timezone") if isinstance(checkins, dict) else None,
        signers=signers, entries=tuple(timeline(trail, signers=named, people=people,
                                                keys=keys)),
        has_final=row.final_sha256 is not None, archived=archived)


def _people(session: Session, actors: set[str]) -> dict[str, Who]:
    if not actors:
        return {}
    usernames = {a.removeprefix("person:") for a in actors}
    return {f"person:{p.username}": Who(p.display_name, _ROLE_WORDS.get(p.role, p.role))
            for p in session.execute(select(PersonRow.username, PersonRow.display_name,
                                            PersonRow.role)
                                     .where(PersonRow.username.in_(usernames)))}


def _keys(session: Session, actors: set[str]) -> dict[str, str]:
    if not actors:
        return {}
    prefixes = {a.removeprefix("apikey:") for a in actors}
    return {f"apikey:{k.prefix}": k.name
            for k in session.execute(select(ApiKey.prefix, ApiKey.name)
                                     .where(ApiKey.prefix.in_(prefixes)))}
