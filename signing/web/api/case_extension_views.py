"""A case's extension in the API: HR extend an open case by some days with a reason and,
if need be, adjusted goals or a new cadence; the amended plan goes to the employee and
the new meetings to the employee and the manager. HR keys (their own and their team's
plans) and admin keys; each call is in the access log (:func:`authorize.check_case`).
Bad input is a 422 naming the field (``days``, ``reason``, ``goals[0]``), with nothing
recorded; a closed case a 409, as the other case routes answer."""

from __future__ import annotations

import datetime as dt

from flask import request, url_for
from pydantic import BaseModel, ConfigDict, Field

from signing.domain import authorize, case_extension, envelopes
from signing.domain.cases.extension import MAX_GOAL_TEXT, MAX_REASON, ExtensionForm
from signing.web import current, webdb
from signing.web.api.operations import WRITE, Caller, operation


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoalChangeIn(_Model):
    """A goal of the plan as the extension adjusts it: only the fields that change."""

    goal: int = Field(description="The goal's number in the plan (1, 2 ...).")
    statement: str | None = Field(None, max_length=MAX_GOAL_TEXT)
    metric: str | None = Field(None, max_length=MAX_GOAL_TEXT)
    baseline: str | None = Field(None, max_length=MAX_GOAL_TEXT)
    target: str | None = Field(None, max_length=MAX_GOAL_TEXT)


class ExtendCase(_Model):
    """Extend the case by ``days`` (up to case_max_extension_days over all extensions),
    with the ``reason``; optionally adjusted ``goals`` and the check-ins' ``cadence`` from
    now on."""

    days: int = Field(description="Days added to the plan's end; at least 1.")
    reason: str = Field(max_length=MAX_REASON + 1)
    cadence: str = Field("", max_length=20, description="weekly, biweekly or monthly; "
                                                        "empty: the plan's goes on.")
    goals: list[GoalChangeIn] = Field(default_factory=list, max_length=50)

    def form(self) -> ExtensionForm:
        return ExtensionForm(self.days, self.reason, self.cadence,
                             [g.model_dump(exclude_none=True) for g in self.goals])


class GoalChangeOut(BaseModel):
    goal: int
    statement: str | None
    metric: str | None
    baseline: str | None
    target: str | None


class ExtensionOut(BaseModel):
    number: int = Field(description="The extension's number, and its amendment's.")
    days: int
    reason: str
    new_end: dt.date
    cadence: str | None
    goals: list[GoalChangeOut]
    extended_by: str
    extended_at: dt.datetime
    amendment_envelope_id: str | None = Field(description="The amended plan's envelope, "
                                                          "sent to the employee.")
    amendment_state: str | None
    amendment_archived_at: dt.datetime | None

    @classmethod
    def of(cls, e: case_extension.ExtensionRecord) -> ExtensionOut:
        return cls(number=e.number, days=e.days, reason=e.reason, new_end=e.new_end,
                   cadence=e.cadence,
                   goals=[GoalChangeOut(goal=g.goal, statement=g.statement, metric=g.metric,
                                        baseline=g.baseline, target=g.target)
                          for g in e.goals],
                   extended_by=e.by, extended_at=e.at,
                   amendment_envelope_id=e.amendment_envelope_id,
                   amendment_state=e.amendment_state,
                   amendment_archived_at=e.amendment_archived_at)


class ExtensionsOut(BaseModel):
    envelope_id: str
    extensions: list[ExtensionOut]


@operation("GET", "/envelopes/<envelope_id>/case/extensions",
           summary="A case's extensions, each with its amended plan's envelope",
           roles=WRITE, response=ExtensionsOut, errors=(401, 403, 404, 409))
def list_extensions(key: Caller, envelope_id: str) -> ExtensionsOut:
    _check(key, envelope_id, "case extensions")
    return ExtensionsOut(envelope_id=envelope_id, extensions=[
        ExtensionOut.of(e) for e in case_extension.read_extensions(webdb.session(),
                                                                    envelope_id)])


@operation("POST", "/envelopes/<envelope_id>/case/extensions",
           summary="Extend the case by some days with a reason (and any adjusted goals): "
                   "the amended plan is sent to the employee, the new meetings to the "
                   "employee and the manager", roles=WRITE, status=201, body=ExtendCase,
           response=ExtensionOut, errors=(400, 401, 403, 404, 409, 415, 422, 503))
def extend_case(key: Caller, body: ExtendCase, envelope_id: str
                ) -> tuple[ExtensionOut, dict[str, str]]:
    _check(key, envelope_id, "extend case")
    services = current.services()
    extension = case_extension.extend_case(
        services.sessions, envelope_id, body.form(),
        actor=envelopes.Actor(key.actor, request.remote_addr,
                              request.user_agent.string[:500] or None),
        extender=key.name or key.actor,
        options=case_extension.ExtensionOptions.of(services.settings, services.converter,
                                                   services.branding.logo),
        now=dt.datetime.now(dt.UTC))
    return ExtensionOut.of(extension), {
        "Location": url_for(".list_extensions", envelope_id=envelope_id)}


def _check(key: Caller, envelope_id: str, action: str) -> None:
    authorize.check_case(current.services(), key.principal, envelope_id[:64],
                         f"envelope {action}", now=dt.datetime.now(dt.UTC))
