"""A case's end in the API: propose the outcome with evidence per goal, HR's approval
(which sends the outcome letter to the employee) or return with a comment, and the early
close. HR keys (their own and their team's plans) and admin keys; each call is written to
the access log (:func:`authorize.check_case`). Bad input is a 422 naming the field
(``goals[2].evidence``), with nothing recorded; a closed case, or no proposal waiting, a
409 or 422 as the case's errors are (:mod:`signing.web.api.errors`)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from flask import request
from pydantic import BaseModel, ConfigDict, Field

from signing.domain import authorize, case_close, envelopes
from signing.domain.cases.outcome import MAX_TEXT, OutcomeForm
from signing.web import current, webdb
from signing.web.api.operations import WRITE, Caller, operation


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoalResultIn(_Model):
    assessment: str = Field("", max_length=20, description="met, partly met or not met.")
    result: str = Field("", max_length=MAX_TEXT, description="The final value or state.")
    evidence: str = Field("", max_length=MAX_TEXT, description="What shows the result.")


class ProposeOutcome(_Model):
    """The outcome at the plan's end: met or not_met, and for EACH goal of the plan (by
    its number, "1", "2" ...) its assessment, result and evidence."""

    outcome: str = Field(max_length=20, description="met or not_met.")
    summary: str = Field("", max_length=MAX_TEXT)
    goals: dict[str, GoalResultIn] = Field(default_factory=dict)

    def form(self) -> OutcomeForm:
        return OutcomeForm(self.outcome, self.summary,
                           {k: g.model_dump() for k, g in self.goals.items()})


class ReturnOutcome(_Model):
    comment: str = Field(max_length=MAX_TEXT, description="What the proposer should correct.")


class CloseEarly(_Model):
    outcome: Literal["resigned", "withdrawn"]
    reason: str = Field(max_length=MAX_TEXT)


class GoalResultOut(BaseModel):
    goal: int
    assessment: str
    result: str
    evidence: str


class OutcomeOut(BaseModel):
    envelope_id: str
    state: str | None = Field(description="proposed, returned, approved; null: none yet.")
    outcome: str | None
    summary: str | None
    proposed_by: str | None
    proposed_at: dt.datetime | None
    goals: list[GoalResultOut]
    returned_comment: str | None
    voided_letter_reason: str | None = Field(
        None, description="Why HR voided the outcome letter, when that put the proposal "
                          "back with HR (state proposed again); null otherwise.")
    letter_envelope_id: str | None = Field(description="The outcome letter's envelope, "
                                                       "once approved.")
    letter_state: str | None
    case_state: str
    case_outcome: str | None = Field(description="How the case closed; null while open.")

    @classmethod
    def read(cls, envelope_id: str) -> OutcomeOut:
        from signing.domain.models import CaseRow

        session = webdb.session()
        view = case_close.read_outcome(session, envelope_id)
        row = session.get(CaseRow, envelope_id)
        p = view.proposal
        return cls(envelope_id=envelope_id, state=view.state,
                   outcome=str(p.outcome) if p else None, summary=p.summary if p else None,
                   proposed_by=p.by if p else None, proposed_at=p.at if p else None,
                   goals=[GoalResultOut(**r.data()) for r in p.results] if p else [],
                   returned_comment=view.returned_comment,
                   voided_letter_reason=view.voided_letter_reason,
                   letter_envelope_id=view.letter_envelope_id, letter_state=view.letter_state,
                   case_state=row.state if row is not None else "active",
                   case_outcome=row.outcome if row is not None else None)


@operation("GET", "/envelopes/<envelope_id>/case/outcome",
           summary="Where a case's outcome stands: the proposal, HR's return or approval, "
                   "the outcome letter", roles=WRITE, response=OutcomeOut,
           errors=(401, 403, 404, 409))
def get_outcome(key: Caller, envelope_id: str) -> OutcomeOut:
    _check(key, envelope_id, "case outcome")
    return OutcomeOut.read(envelope_id)


@operation("POST", "/envelopes/<envelope_id>/case/outcome",
           summary="Propose the outcome at the plan's end, with evidence for each goal",
           roles=WRITE, status=201, body=ProposeOutcome, response=OutcomeOut,
           errors=(400, 401, 403, 404, 409, 415, 422))
def propose_outcome(key: Caller, body: ProposeOutcome, envelope_id: str
                    ) -> tuple[OutcomeOut, dict[str, str]]:
    _check(key, envelope_id, "propose outcome")
    with webdb.transaction() as db:
        case_close.propose_outcome(db, envelope_id, body.form(), actor=_actor(key),
                                   proposer=key.name or key.actor, now=_now())
    return OutcomeOut.read(envelope_id), {}


@operation("POST", "/envelopes/<envelope_id>/case/outcome/approve",
           summary="Approve the proposed outcome: its letter is sent to the employee, and "
                   "the case closes when the letter's record is archived",
           roles=WRITE, response=OutcomeOut, errors=(401, 403, 404, 409, 422, 503))
def approve_outcome(key: Caller, envelope_id: str) -> OutcomeOut:
    _check(key, envelope_id, "approve outcome")
    case_close.approve_outcome(current.services().sessions, envelope_id, actor=_actor(key),
                               approver=key.name or key.actor, options=letter_options(),
                               now=_now())
    return OutcomeOut.read(envelope_id)


@operation("POST", "/envelopes/<envelope_id>/case/outcome/return",
           summary="Return the proposed outcome to its proposer with a comment",
           roles=WRITE, body=ReturnOutcome, response=OutcomeOut,
           errors=(400, 401, 403, 404, 409, 415, 422))
def return_outcome(key: Caller, body: ReturnOutcome, envelope_id: str) -> OutcomeOut:
    _check(key, envelope_id, "return outcome")
    with webdb.transaction() as db:
        case_close.return_outcome(db, envelope_id, body.comment, actor=_actor(key),
                                  now=_now())
    return OutcomeOut.read(envelope_id)


@operation("POST", "/envelopes/<envelope_id>/case/close",
           summary="Close the case early (the employee resigned, the plan was withdrawn), "
                   "with a reason; no letter", roles=WRITE, body=CloseEarly,
           response=OutcomeOut, errors=(400, 401, 403, 404, 409, 415, 422))
def close_case(key: Caller, body: CloseEarly, envelope_id: str) -> OutcomeOut:
    _check(key, envelope_id, "close case")
    with webdb.transaction() as db:
        case_close.close_early(db, envelope_id, body.outcome, body.reason,
                               actor=_actor(key), closer=key.name or key.actor, now=_now())
    return OutcomeOut.read(envelope_id)


def letter_options() -> case_close.LetterOptions:
    """The outcome letter is made and sent as the plan was (the same converter, link
    life, company name and logo)."""
    services = current.services()
    return case_close.LetterOptions.of(services.settings, services.converter,
                                       services.branding.logo)


def _check(key: Caller, envelope_id: str, action: str) -> None:
    authorize.check_case(current.services(), key.principal, envelope_id[:64],
                         f"envelope {action}", now=_now())


def _actor(key: Caller) -> envelopes.Actor:
    return envelopes.Actor(key.actor, request.remote_addr,
                           request.user_agent.string[:500] or None)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
