"""How a plan's case ends, at the edge: the pure rules of
:mod:`signing.domain.cases.outcome` over the tables, the signing flow and the outbox.

- :func:`propose_outcome`: the manager (or HR) proposes met or not met with evidence per
  goal; :func:`return_outcome`: HR sends it back with a comment;
  :func:`approve_outcome`: HR approves it, and the outcome letter (docgen.letters,
  rendered and converted by LibreOffice outside any transaction) becomes an envelope of
  its own, linked to the case (``envelopes.case_id``, ``document_kind =
  outcome_letter``), sent to the employee to acknowledge (receipt, not agreement),
  refuse or comment on, as the plan was.
- When that envelope's record is archived (the finalizer calls :func:`letter_archived`
  in the transaction that archives it), the case closes with the approved outcome.
  An expired letter is finalized too, so an employee's silence closes it as well. A
  voided letter (HR withdrew it: a wrong outcome, a wrong date) closes nothing: the
  case stays open and the proposal goes back to HR, proposed again, to approve (a new
  letter) or return to the proposer (``case.letter_voided`` on the plan's chain), in
  the void's own transaction (:func:`letter_voided`), so HR can approve again at once;
  the worker archiving the voided letter's record later finds it is no longer the
  case's letter and leaves the case as it is.
- :func:`close_early`: HR closes the case at once with a reason (the employee
  resigned, the plan was withdrawn); no letter.

Closing is one transaction: the case's row, ``case.closed`` on the plan's audit chain,
the thin ``case.closed`` webhook and the ``case_file`` outbox row, whose handler
(:mod:`signing.domain.case_file_task`) builds, seals and archives the case file.

Every function locks the plan's envelope row before it reads the case, as
:mod:`signing.domain.case_service` does, so two people acting at once are served in turn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from docgen import Plan
from docgen.letters import Decision, GoalResult, letter_context, render_letter
from signing.domain import case_service, envelopes
from signing.domain import workflow as wf
from signing.domain.case_documents import CaseDocumentOptions
from signing.domain.cases import Case, CaseError, CaseState, Outcome
from signing.domain.cases.outcome import (
    OutcomeForm,
    Proposal,
    ProposalState,
    approve,
    propose,
    return_proposal,
)
from signing.domain.cases.outcome import (
    close_early as early_close_rule,
)
from signing.domain.documents import AMENDMENT as AMENDMENT  # the kinds of document
from signing.domain.documents import DOCUMENT_KINDS as DOCUMENT_KINDS
from signing.domain.documents import OUTCOME_LETTER as OUTCOME_LETTER
from signing.domain.documents import PLAN as PLAN
from signing.domain.errors import Wording
from signing.domain.events import EventType
from signing.domain.models import AuditEventRow, CaseRow, CheckinRow, EnvelopeRow
from signing.domain.wording import N_
from signing.domain.working_day import working_day

# The outbox row that makes the case file when a case closes.
CASE_FILE_JOB = "case_file"


class ProposalChanged(CaseError):
    """The proposal changed (returned, replaced) while the letter was being made."""

    def __init__(self) -> None:
        super().__init__(Wording(N_("the proposed outcome changed while its letter was "
                                    "being made; read it again before approving it")),
                         "outcome")


@dataclass(frozen=True)
class LetterOptions(CaseDocumentOptions):
    """How an outcome letter is made and sent: as the plan itself was (the same link
    life, company name and logo; :class:`CaseDocumentOptions`)."""


@dataclass(frozen=True)
class OutcomeView:
    """Where a case's outcome stands, as the console, the API and the CLI show it."""

    state: ProposalState | None
    proposal: Proposal | None
    letter_envelope_id: str | None
    letter_state: str | None
    returned_comment: str | None = None
    # The proposal is back with HR because its letter was voided: the void's reason.
    voided_letter_reason: str | None = None


def outcome_form(data: Any) -> OutcomeForm:
    """An outcome as a body or file gives it: ``outcome``, ``summary`` and ``goals``
    (each goal's number to its ``assessment``, ``result`` and ``evidence``), shape
    checked; the rules check the rest."""
    if not isinstance(data, dict):
        raise CaseError(Wording(N_("give the outcome as a mapping: outcome, summary, goals")),
                        None)
    known = {"outcome", "summary", "goals"}
    for key in data:
        if key not in known:
            raise CaseError(Wording(N_("unknown field; the fields are %(fields)s"),
                                    fields=", ".join(sorted(known))),
                            str(key)[:40])
    goals = data.get("goals", {})
    if isinstance(goals, list):  # [{"goal": 1, ...}, ...] reads as well
        as_map: dict[str, Any] = {}
        for i, entry in enumerate(goals):
            if not isinstance(entry, dict) or "goal" not in entry:
                raise CaseError(Wording(N_("give each goal's number (goal), assessment, "
                                           "result and evidence")), f"goals[{i}]")
            as_map[str(entry["goal"])] = {k: v for k, v in entry.items() if k != "goal"}
        goals = as_map
    if not isinstance(goals, dict):
        raise CaseError(Wording(N_("give each goal by its number: its assessment, result "
                                   "and evidence")),
                        "goals")
    parsed: dict[str, dict[str, str]] = {}
    for key, entry in goals.items():
        if not isinstance(entry, dict) or not set(entry) <= {"assessment", "result",
                                                            "evidence"}:
            raise CaseError(Wording(N_("give the goal's assessment, result and evidence")),
                            f"goals[{str(key)[:20]}]")
        for name, value in entry.items():
            if value is not None and not isinstance(value, str | int | float):
                raise CaseError(Wording(N_("give this as text")),
                                f"goals[{str(key)[:20]}].{name}")
        parsed[str(key)] = {k: "" if v is None else str(v) for k, v in entry.items()}
    for name in ("outcome", "summary"):
        if data.get(name) is not None and not isinstance(data.get(name), str):
            raise CaseError(Wording(N_("give this as text")), name)
    return OutcomeForm(str(data.get("outcome") or ""), str(data.get("summary") or ""),
                       parsed)


# -- reading -----------------------------------------------------------------------------


def read_outcome(session: Session, envelope_id: str) -> OutcomeView:
    row = session.get(CaseRow, envelope_id)
    if row is None or row.proposal_state is None:
        return OutcomeView(None, None, None, None)
    letter_state = None
    if row.letter_envelope_id:
        letter_state = session.scalar(select(EnvelopeRow.state).where(
            EnvelopeRow.id == row.letter_envelope_id))
    proposal = Proposal.of(row.proposal) if row.proposal else None
    comment = voided = None
    if row.proposal_state == ProposalState.RETURNED:
        comment = _last_return_comment(session, envelope_id)
    if row.proposal_state == ProposalState.PROPOSED:
        voided = _voided_letter_reason(session, envelope_id)
    return OutcomeView(ProposalState(row.proposal_state), proposal, row.letter_envelope_id,
                       letter_state, comment, voided)


def _voided_letter_reason(session: Session, envelope_id: str) -> str | None:
    """Why the letter was voided, when that is what put the proposal back with HR (the
    case's last proposal or voided letter is the void)."""
    last = session.execute(select(AuditEventRow.type, AuditEventRow.data).where(
        AuditEventRow.envelope_id == envelope_id,
        AuditEventRow.type.in_((EventType.CASE_OUTCOME_PROPOSED, EventType.CASE_LETTER_VOIDED)))
        .order_by(AuditEventRow.seq.desc()).limit(1)).one_or_none()
    if last is None or last.type != EventType.CASE_LETTER_VOIDED:
        return None
    return str((last.data or {}).get("reason", ""))


def _last_return_comment(session: Session, envelope_id: str) -> str | None:
    data = session.scalar(select(AuditEventRow.data).where(
        AuditEventRow.envelope_id == envelope_id,
        AuditEventRow.type == EventType.CASE_OUTCOME_RETURNED)
        .order_by(AuditEventRow.seq.desc()).limit(1))
    return str(data.get("comment", "")) if data else None


# -- proposing, returning, approving -----------------------------------------------------


def propose_outcome(session: Session, envelope_id: str, form: OutcomeForm, *,
                    actor: envelopes.Actor, proposer: str, now: dt.datetime) -> Proposal:
    """Record the proposed outcome (``case.outcome_proposed`` with the whole proposal on
    the plan's chain) in the caller's transaction. :class:`CaseError` naming the field
    (``goals[2].evidence``), with nothing written, when it cannot be taken."""
    _, plan, row, case = _locked_case(session, envelope_id, now=now)
    proposal = propose(case, plan.goals, form, pending=_pending(row), by=proposer,
                       zone=_zone(plan), now=now)
    row.proposal, row.proposal_state = proposal.data(), ProposalState.PROPOSED
    envelopes.record_events(session, envelope_id, [wf.Event(
        EventType.CASE_OUTCOME_PROPOSED, data=proposal.data())], actor=actor, now=now)
    return proposal


def return_outcome(session: Session, envelope_id: str, comment: str, *,
                   actor: envelopes.Actor, now: dt.datetime) -> None:
    """HR sends the proposal back with ``comment``; a new proposal replaces it."""
    _, _, row, case = _locked_case(session, envelope_id, now=now)
    text = return_proposal(case, _pending(row), comment)
    row.proposal_state = ProposalState.RETURNED
    envelopes.record_events(session, envelope_id, [wf.Event(
        EventType.CASE_OUTCOME_RETURNED, data={"comment": text})], actor=actor, now=now)


def approve_outcome(sessions: sessionmaker[Session], envelope_id: str, *,
                    actor: envelopes.Actor, approver: str, options: LetterOptions,
                    now: dt.datetime) -> str:
    """HR approve the proposed outcome: its letter is rendered and converted (outside
    any transaction: LibreOffice is slow), then, in one transaction, the case's
    proposal is marked approved, the letter's envelope made and sent to the employee,
    and ``case.outcome_approved`` recorded on the plan's chain. Returns the letter's
    envelope id. Raises :class:`CaseError` (no proposal waiting, the case closed) or
    :class:`ProposalChanged`, with nothing written."""
    with sessions() as session:
        envelope, plan, row, case = _read_case(session, envelope_id, now=now)
        approve(case, _pending(row))
        assert row.proposal is not None
        proposal = Proposal.of(row.proposal)
        held, scheduled = _checkin_counts(session, envelope_id, plan, case)
        employee = next(s for s in envelope.signers if s.role == wf.Role.EMPLOYEE)
        plan_data = dict(envelope.plan_data)
    # Dated as the letter is (its date is the approval's).
    decision = Decision(proposal.by, proposal.at.astimezone(now.tzinfo).date(), approver,
                        now.date())
    pdf = letter_pdf(plan, proposal, options=options, end=case.end, held=held,
                     scheduled=scheduled, date=now.date(), decision=decision)
    with sessions.begin() as session:
        envelope, plan, row, case = _locked_case(session, envelope_id, now=now)
        approve(case, _pending(row))
        if row.proposal != proposal.data():
            raise ProposalChanged()
        letter_id = envelopes.create_envelope(
            session, plan_data=plan_data, template=f"letters/{proposal.letter_kind}",
            pdf=pdf, signers=[envelopes.SignerSpec(wf.Role.EMPLOYEE, employee.name,
                                                   employee.email, 1)],
            actor=actor, now=now, team=envelope.team, drafted_by=envelope.drafted_by)
        letter = session.get_one(EnvelopeRow, letter_id)
        letter.document_kind, letter.case_id = OUTCOME_LETTER, envelope_id
        envelopes.perform(session, letter_id, wf.Action.SEND, actor=actor, now=now,
                          expires_in=options.expires_in,
                          working_day=working_day(plan, options.day_ends))
        row.proposal_state, row.letter_envelope_id = ProposalState.APPROVED, letter_id
        envelopes.record_events(session, envelope_id, [wf.Event(
            EventType.CASE_OUTCOME_APPROVED, data={
                "outcome": str(proposal.outcome), "approved_by": approver,
                "letter_envelope_id": letter_id})], actor=actor, now=now)
    return letter_id


def letter_pdf(plan: Plan, proposal: Proposal, *, options: LetterOptions, end: dt.date,
               held: int, scheduled: int, date: dt.date, decision: Decision) -> bytes:
    """The outcome letter's PDF: the letter template of the outcome in the plan's
    language, rendered with the plan, who proposed and who approved the outcome, the
    results per goal and the next steps the plan stated, the company's logo in its
    header, then converted."""
    results = [GoalResult(r.goal, r.assessment, r.result, r.evidence)
               for r in proposal.results]
    context = letter_context(plan, kind=proposal.letter_kind, date=date, results=results,
                             decision=decision, summary=proposal.summary, checkins_held=held,
                             checkins_scheduled=scheduled, end=end,
                             company_name=options.company_name, logo=options.logo)
    return options.converter.convert(render_letter(context, options.templates_dir))


# -- closing -----------------------------------------------------------------------------


def close_early(session: Session, envelope_id: str, outcome: str, reason: str, *,
                actor: envelopes.Actor, closer: str, now: dt.datetime) -> None:
    """HR close the case now: the employee resigned, or the plan was withdrawn."""
    _, _, row, case = _locked_case(session, envelope_id, now=now)
    closing = early_close_rule(case, outcome, reason, pending=_pending(row))
    _close(session, row, closing.outcome, closing.reason, by=closer, actor=actor, now=now)


def letter_voided(session: Session, letter_id: str, *, actor: envelopes.Actor,
                  now: dt.datetime) -> None:
    """HR voided an envelope (the void's transaction, its row locked). When it is the
    outcome letter its case is waiting on, the proposal is back with HR now
    (:func:`_letter_voided`): they may approve it again (a new letter) or return it at
    once, whenever the worker archives the voided letter's record. Nothing for another
    envelope, or a letter its case no longer waits on."""
    kind, case_id = session.execute(select(EnvelopeRow.document_kind, EnvelopeRow.case_id)
                                    .where(EnvelopeRow.id == letter_id)).one()
    if kind != OUTCOME_LETTER or case_id is None:
        return
    envelopes.load(session, case_id, lock=True)  # as the finalizer: the letter, then its plan
    row = session.get(CaseRow, case_id)
    if row is None:
        return
    session.refresh(row)
    if row.state == CaseState.CLOSED or row.letter_envelope_id != letter_id:
        return
    assert row.proposal is not None
    _letter_voided(session, row, letter_id, Proposal.of(row.proposal), actor=actor, now=now)


def letter_archived(session: Session, letter: EnvelopeRow, *, now: dt.datetime) -> None:
    """The outcome letter's record is archived (the finalizer's transaction, the letter's
    row locked): its case closes with the approved outcome. Nothing when the case is
    closed already (an early close came first), this ran before, or the letter is no
    longer the case's (HR voided it, which put the proposal back with them then:
    :func:`letter_voided`). A voided letter still the case's (voided before
    :func:`letter_voided` was called on a void) puts the proposal back with HR now."""
    if letter.document_kind != OUTCOME_LETTER or letter.case_id is None:
        return
    envelopes.load(session, letter.case_id, lock=True)
    row = session.get(CaseRow, letter.case_id)
    if row is None or row.state == CaseState.CLOSED or row.letter_envelope_id != letter.id:
        return
    session.refresh(row)
    if row.state == CaseState.CLOSED or row.letter_envelope_id != letter.id:
        return  # read again under the plan's lock
    assert row.proposal is not None
    proposal = Proposal.of(row.proposal)
    if letter.state == wf.EnvelopeState.VOIDED:
        _letter_voided(session, row, letter.id, proposal, actor=envelopes.Actor("worker"),
                       now=now)
        return
    _close(session, row, proposal.outcome, proposal.summary, by=proposal.by,
           actor=envelopes.Actor("worker"), now=now, letter_id=letter.id)


def _letter_voided(session: Session, row: CaseRow, letter_id: str, proposal: Proposal,
                   *, actor: envelopes.Actor, now: dt.datetime) -> None:
    """A voided letter states no outcome the employee was given: the case stays open and
    the approved proposal is waiting for HR again (approve it, which sends a new
    letter, or return it to the proposer), recorded with the void's reason, once: the
    case no longer names the letter afterwards."""
    reason = session.scalar(select(AuditEventRow.data).where(
        AuditEventRow.envelope_id == letter_id,
        AuditEventRow.type == EventType.ENVELOPE_VOIDED)
        .order_by(AuditEventRow.seq.desc()).limit(1)) or {}
    row.proposal_state, row.letter_envelope_id = ProposalState.PROPOSED, None
    envelopes.record_events(session, row.envelope_id, [wf.Event(
        EventType.CASE_LETTER_VOIDED, data={
            "outcome": str(proposal.outcome), "letter_envelope_id": letter_id,
            "reason": str(reason.get("reason", ""))})],
        actor=actor, now=now)


def _close(session: Session, row: CaseRow, outcome: Outcome, reason: str, *, by: str,
           actor: envelopes.Actor, now: dt.datetime, letter_id: str | None = None) -> None:
    row.state, row.outcome, row.closed_reason = CaseState.CLOSED, str(outcome), reason
    row.closed_by, row.closed_at = by, now
    data: dict[str, Any] = {"outcome": str(outcome), "reason": reason, "closed_by": by}
    if letter_id is not None:
        data["letter_envelope_id"] = letter_id
    envelopes.record_events(
        session, row.envelope_id, [wf.Event(EventType.CASE_CLOSED, data=data)],
        [wf.Effect("webhook", EventType.CASE_CLOSED, data={"outcome": str(outcome)}),
         wf.Effect(CASE_FILE_JOB, CASE_FILE_JOB)], actor=actor, now=now)


# -- helpers -----------------------------------------------------------------------------


def _locked_case(session: Session, envelope_id: str, *, now: dt.datetime
                 ) -> tuple[EnvelopeRow, Plan, CaseRow, Case]:
    """The plan's envelope (its row locked), its plan, its case's row (made if need be)
    and the case as the rules see it."""
    envelope = envelopes.load(session, envelope_id, lock=True)
    _require_plan(envelope)
    case_service.open_case(session, envelope_id, now=now)
    return _read_case(session, envelope_id, now=now, envelope=envelope)


def _read_case(session: Session, envelope_id: str, *, now: dt.datetime,
               envelope: EnvelopeRow | None = None
               ) -> tuple[EnvelopeRow, Plan, CaseRow, Case]:
    envelope = envelope or envelopes.load(session, envelope_id)
    _require_plan(envelope)
    row = session.get(CaseRow, envelope_id)
    if row is None:
        raise case_service.CaseUnavailable(Wording(N_("this plan's case has not opened yet; "
                                                      "it opens when the plan is sent")))
    session.refresh(row)
    # The plan as amended by any extension (its goals), and the extensions themselves,
    # which the schedule follows.
    extended = case_service.extension_rows(session, envelope_id)
    plan = case_service.effective_plan(envelope.plan_data, extended)
    case = Case(envelope_id, CaseState(row.state), row.start, row.end,
                extensions=tuple(case_service.extension_of(e) for e in extended),
                outcome=Outcome(row.outcome) if row.outcome else None,
                closed_at=row.closed_at)
    return envelope, plan, row, case


def _require_plan(envelope: EnvelopeRow) -> None:
    if envelope.document_kind != PLAN:
        raise case_service.CaseUnavailable(Wording(N_("this envelope is a document of a "
                                                      "plan's case, not a plan: act on the "
                                                      "plan's case")))


def _pending(row: CaseRow) -> ProposalState | None:
    return ProposalState(row.proposal_state) if row.proposal_state else None


def _zone(plan: Plan) -> str:
    return plan.checkins.timezone if plan.checkins else "UTC"


def _checkin_counts(session: Session, envelope_id: str, plan: Plan, case: Case
                    ) -> tuple[int, int]:
    from signing.domain import cases

    held = session.scalar(select(func.count()).select_from(CheckinRow).where(
        CheckinRow.envelope_id == envelope_id, CheckinRow.held_at.is_not(None))) or 0
    return int(held), len(cases.meetings(plan.checkins, case))
