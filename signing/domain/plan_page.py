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

from sqlalchemy.orm import Session

from archive import ArchivedRecord
from signing.domain import envelopes, trail_names
from signing.domain.plan_states import PlanState, SignerSummary, plan_state, waiting_on
from signing.domain.timeline import Entry, Who, timeline
from signing.domain.workflow import ASKED_STATES, EnvelopeState, Role, SignerState


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
    names = trail_names.load(session, {r.actor for r in trail},
                             signers={s.id: Who(s.name, s.role) for s in signers})
    checkins = (row.plan_data or {}).get("checkins") or {}
    archived = session.get(ArchivedRecord, envelope_id) is not None
    return PlanDetails(
        id=row.id, envelope_state=row.state,
        state=plan_state(row.state, [SignerSummary(s.role, s.name, s.state) for s in signers]),
        employee_name=row.employee_name, department=row.department,
        manager_name=row.manager_name, created_at=row.created_at, expires_at=row.expires_at,
        comments_until=row.comments_until,
        plan_zone=checkins.get("timezone") if isinstance(checkins, dict) else None,
        signers=signers, entries=tuple(timeline(trail, names)),
        has_final=row.final_sha256 is not None, archived=archived)
