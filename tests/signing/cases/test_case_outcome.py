"""The outcome's rules (signing.domain.cases.outcome): a result and evidence for each
goal of the plan, the field named when one is missing; HR's approval and return; the
early close. Pure: no database."""

from __future__ import annotations

import datetime as dt

import pytest

from docgen import load_plan, schedule_for
from signing.domain.cases import Case, CaseClosed, CaseError, CaseState, Outcome
from signing.domain.cases.outcome import (
    OutcomeForm,
    ProposalState,
    approve,
    close_early,
    propose,
    return_proposal,
)
from tests.conftest import EXAMPLE_PLANS

PLAN = load_plan(EXAMPLE_PLANS / "support-agent-30d.yaml")  # three goals
END = schedule_for(PLAN).end
CASE = Case("env-1", CaseState.ACTIVE, PLAN.timeline.start, END)
AT_END = dt.datetime.combine(END, dt.time(15), tzinfo=dt.UTC)


def goals(**changes):
    entries = {str(n): {"assessment": "not met", "result": "78%",
                        "evidence": "Weekly report of 3 February."}
               for n in range(1, len(PLAN.goals) + 1)}
    for key, entry in changes.items():
        entries[key.removeprefix("g")] = entry
    return entries


def proposed(form, *, pending=None, now=AT_END, case=CASE):
    return propose(case, PLAN.goals, form, pending=pending, by="Morgan Example",
                   zone="UTC", now=now)


def test_a_proposal_holds_a_result_and_evidence_for_every_goal():
    proposal = proposed(OutcomeForm("not_met", "Below target on two goals.", goals()))
    assert proposal.outcome is Outcome.NOT_MET and proposal.letter_kind == "not_met"
    assert [r.goal for r in proposal.results] == list(range(1, len(PLAN.goals) + 1))
    assert proposal.data()["results"][0]["evidence"] == "Weekly report of 3 February."


@pytest.mark.parametrize(("form_goals", "field"), [
    (goals(g2={"assessment": "not met", "result": "78%", "evidence": "  "}),
     "goals[2].evidence"),
    (goals(g1={"assessment": "not met", "result": "78%"}), "goals[1].evidence"),
    (goals(g3={"assessment": "mostly", "result": "1", "evidence": "x"}),
     "goals[3].assessment"),
    (goals(g1={"assessment": "met", "result": "", "evidence": "x"}), "goals[1].result"),
    ({k: v for k, v in goals().items() if k != "2"}, "goals[2].assessment"),
    ({**goals(), "9": {"assessment": "met", "result": "1", "evidence": "x"}}, "goals[9]"),
])
def test_missing_or_bad_evidence_is_named_by_its_field(form_goals, field):
    with pytest.raises(CaseError) as raised:
        proposed(OutcomeForm("not_met", "", form_goals))
    assert raised.value.field == field


def test_the_outcome_must_be_an_end_outcome_that_the_goals_support():
    for outcome in ("", "resigned", "great"):
        with pytest.raises(CaseError) as raised:
            proposed(OutcomeForm(outcome, "", goals()))
        assert raised.value.field == "outcome"
    with pytest.raises(CaseError, match="assessed not met"):
        proposed(OutcomeForm("met", "", goals()))


def test_it_is_proposed_near_the_end_and_once_at_a_time():
    with pytest.raises(CaseError, match="plan's end") as raised:
        proposed(OutcomeForm("not_met", "", goals()), now=AT_END - dt.timedelta(days=10))
    assert raised.value.field == "outcome"
    for pending in (ProposalState.PROPOSED, ProposalState.APPROVED):
        with pytest.raises(CaseError):
            proposed(OutcomeForm("not_met", "", goals()), pending=pending)
    assert proposed(OutcomeForm("not_met", "", goals()), pending=ProposalState.RETURNED)
    closed = Case("env-1", CaseState.CLOSED, CASE.start, END, outcome=Outcome.RESIGNED)
    with pytest.raises(CaseClosed):
        proposed(OutcomeForm("not_met", "", goals()), case=closed)


def test_hr_approve_or_return_only_what_waits_for_them():
    approve(CASE, ProposalState.PROPOSED)
    for pending in (None, ProposalState.RETURNED, ProposalState.APPROVED):
        with pytest.raises(CaseError):
            approve(CASE, pending)
    assert return_proposal(CASE, ProposalState.PROPOSED, " Add the March report. ") == \
        "Add the March report."
    with pytest.raises(CaseError) as raised:
        return_proposal(CASE, ProposalState.PROPOSED, "")
    assert raised.value.field == "comment"


def test_an_early_close_needs_an_early_outcome_and_a_reason():
    closing = close_early(CASE, "resigned", "Resigned on 2 February.", pending=None)
    assert closing.outcome is Outcome.RESIGNED
    with pytest.raises(CaseError) as raised:
        close_early(CASE, "withdrawn", "  ", pending=None)
    assert raised.value.field == "reason"
    with pytest.raises(CaseError) as raised:
        close_early(CASE, "not_met", "x", pending=None)
    assert raised.value.field == "outcome"
    with pytest.raises(CaseError, match="letter sent"):
        close_early(CASE, "withdrawn", "x", pending=ProposalState.APPROVED)
