"""How a case ends: the outcome proposed with evidence per goal, HR's approval or
return, and the early close (the employee resigned, the plan was withdrawn).

Pure: the case, the plan's goals, the form as text (the console, the API and the
command line alike) and an explicit ``now`` in; a :class:`Proposal` or an
:class:`EarlyClose` out, or a :class:`~.model.CaseError` naming the field to correct
(``goals[2].evidence``), nothing having been recorded.

At the end date the manager (or HR) proposes ``met`` or ``not_met`` with, for EACH goal
of the plan, an assessment, the result and the evidence for it: an outcome that a goal's
evidence does not support is what an employment tribunal takes apart. HR then approves
it, which sends the outcome letter through the signing flow (the case closes when that
letter's record is archived), or returns it with a comment for the proposer to correct.
An early close needs HR and a reason, and closes the case at once, with no letter.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from docgen.model import Goal
from signing.domain.cases.model import (
    EARLY_OUTCOMES,
    END_OUTCOMES,
    Case,
    CaseClosed,
    CaseError,
    Outcome,
)
from signing.domain.errors import Wording
from signing.domain.wording import N_

ASSESSMENTS = ("met", "partly met", "not met")  # as docgen.letters states them
MAX_TEXT = 5_000  # a goal's result or evidence, the summary, a comment, a reason
# A proposal may come this long before the end date: the final review is often held in
# the plan's last week, not on its last day.
EARLY_BY = dt.timedelta(days=7)
# Outcome -> the outcome letter's kind (docgen.letters.LETTER_TEMPLATES).
LETTER_KINDS = {Outcome.MET: "successful", Outcome.NOT_MET: "not_met"}


class ProposalState(StrEnum):
    PROPOSED = "proposed"  # waiting for HR
    RETURNED = "returned"  # HR sent it back with a comment; a new proposal replaces it
    APPROVED = "approved"  # the outcome letter is out for acknowledgement


@dataclass(frozen=True)
class GoalResult:
    """One goal's result at the final review."""

    goal: int  # 1-based, as the plan numbers its goals
    assessment: str  # one of ASSESSMENTS
    result: str  # the final value or state, as written: "88%", "all released"
    evidence: str  # what shows it: reports, dates, ticket ids

    def data(self) -> dict[str, Any]:
        return {"goal": self.goal, "assessment": self.assessment, "result": self.result,
                "evidence": self.evidence}


@dataclass(frozen=True)
class Proposal:
    outcome: Outcome
    summary: str
    results: tuple[GoalResult, ...]
    by: str
    at: dt.datetime

    def data(self) -> dict[str, Any]:
        return {"outcome": str(self.outcome), "summary": self.summary,
                "results": [r.data() for r in self.results], "by": self.by,
                "at": self.at.astimezone(dt.UTC).isoformat()}

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Proposal:
        """A proposal as :meth:`data` stored it."""
        return cls(Outcome(data["outcome"]), str(data.get("summary", "")),
                   tuple(GoalResult(int(r["goal"]), str(r["assessment"]), str(r["result"]),
                                    str(r["evidence"])) for r in data["results"]),
                   str(data.get("by", "")), dt.datetime.fromisoformat(data["at"]))

    @property
    def letter_kind(self) -> str:
        return LETTER_KINDS[self.outcome]


@dataclass(frozen=True)
class OutcomeForm:
    """An outcome as typed: ``goals`` maps a goal's number (as text) to its
    ``assessment``, ``result`` and ``evidence``."""

    outcome: str
    summary: str = ""
    goals: Mapping[str, Mapping[str, str]] | None = None


@dataclass(frozen=True)
class EarlyClose:
    outcome: Outcome
    reason: str


def propose(case: Case, goals: Sequence[Goal], form: OutcomeForm, *, pending: ProposalState
            | None, by: str, zone: str, now: dt.datetime) -> Proposal:
    """The outcome ``form`` proposes, checked: the case open and near or past its end,
    no proposal waiting for HR or approved, the outcome one of the end outcomes, and a
    result with evidence for every goal of the plan (and for nothing else)."""
    _require_open(case)
    if pending is ProposalState.PROPOSED:
        raise CaseError(Wording(N_("an outcome is already waiting for HR's approval; HR "
                                   "approve it or return it with a comment first")), "outcome")
    if pending is ProposalState.APPROVED:
        raise CaseError(_approved_already(), "outcome")
    today = now.astimezone(ZoneInfo(zone)).date()
    if today < case.end - EARLY_BY:
        raise CaseError(Wording(N_("the outcome is proposed at the plan's end (%(end)s), "
                                   "from %(start)s on"), end=case.end.isoformat(),
                                start=(case.end - EARLY_BY).isoformat()), "outcome")
    try:
        outcome = Outcome(form.outcome.strip())
    except ValueError:
        outcome = None
    if outcome not in END_OUTCOMES:
        raise CaseError(Wording(N_("choose the outcome: met or not_met (an early close is "
                                   "HR's, with a reason)")), "outcome")
    summary = _text(form.summary, "summary", required=False)
    given = dict(form.goals or {})
    for key in given:
        if not str(key).isdigit() or not 1 <= int(key) <= len(goals):
            raise CaseError(Wording(N_("the plan has no goal %(goal)s; its goals are 1 to "
                                       "%(last)s"), goal=str(key)[:20], last=len(goals)),
                            f"goals[{str(key)[:20]}]")
    results = []
    for number in range(1, len(goals) + 1):
        entry = given.get(str(number)) or {}
        field = f"goals[{number}]"
        assessment = " ".join(str(entry.get("assessment") or "").split()).lower()
        if assessment not in ASSESSMENTS:
            raise CaseError(Wording(N_("assess goal %(goal)s: %(choices)s"), goal=number,
                                    choices=", ".join(ASSESSMENTS)),
                            f"{field}.assessment")
        result = _text(entry.get("result"), f"{field}.result",
                       missing=Wording(N_("write goal %(goal)s's result at the final review"),
                                       goal=number))
        evidence = _text(entry.get("evidence"), f"{field}.evidence",
                         missing=Wording(N_("give the evidence for goal %(goal)s's result: the "
                                            "report, the dates, what shows it"), goal=number))
        results.append(GoalResult(number, assessment, result, evidence))
    if outcome is Outcome.MET and any(r.assessment == "not met" for r in results):
        raise CaseError(Wording(N_("the outcome is met, yet a goal is assessed not met; "
                                   "correct the outcome or the goal's assessment")), "outcome")
    return Proposal(outcome, summary, tuple(results), by, now)


def approve(case: Case, pending: ProposalState | None) -> None:
    """HR may approve a proposal that waits for them, on an open case."""
    _require_open(case)
    if pending is not ProposalState.PROPOSED:
        raise CaseError(Wording(N_("there is no proposed outcome waiting for approval")),
                        "outcome")


def return_proposal(case: Case, pending: ProposalState | None, comment: str) -> str:
    """HR's comment on a proposal they send back; the proposal must be waiting."""
    approve(case, pending)
    return _text(comment, "comment", missing=Wording(N_("say what to correct, for the proposer")))


def close_early(case: Case, outcome: str, reason: str, *,
                pending: ProposalState | None) -> EarlyClose:
    """An early close: ``resigned`` or ``withdrawn``, with HR's reason; not once an
    outcome letter is out (that letter's flow closes the case)."""
    _require_open(case)
    try:
        chosen = Outcome(str(outcome).strip())
    except ValueError:
        chosen = None
    if chosen not in EARLY_OUTCOMES:
        raise CaseError(Wording(N_("an early close is resigned or withdrawn")), "outcome")
    if pending is ProposalState.APPROVED:
        raise CaseError(_approved_already(), "outcome")
    return EarlyClose(chosen, _text(reason, "reason",
                                    missing=Wording(N_("give the reason the case closes early"))))


def _approved_already() -> Wording:
    return Wording(N_("the outcome was approved and its letter sent; the case closes when "
                      "the letter's record is archived"))


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise CaseClosed(case.envelope_id)


def _text(value: Any, field: str, *, required: bool = True, missing: str = "") -> str:
    if value is not None and not isinstance(value, str):
        raise CaseError(Wording(N_("give this as text")), field)
    text = "".join(c for c in (value or "").replace("\r\n", "\n")
                   if c == "\n" or unicodedata.category(c) != "Cc").strip()
    if required and not text:
        raise CaseError(missing or Wording(N_("this is needed")), field)
    if len(text) > MAX_TEXT:
        raise CaseError(Wording(N_("up to %(most)s characters; this has %(given)s"),
                                most=f"{MAX_TEXT:,}", given=f"{len(text):,}"), field)
    return text
