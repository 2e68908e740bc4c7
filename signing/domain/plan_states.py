"""A plan's state as HR say it, from the states the workflow and the drafts keep. Pure.

The workflow knows envelopes (draft, sent, completed, sealed, archived, voided,
expired) and signers (waiting, notified, viewed, acknowledged, refused, confirmed,
declined); the console's drafts know draft, submitted, returned, sent and discarded
(:class:`signing.domain.models.DraftRow`). People follow plans in other words: a draft,
awaiting approval, out for signature, then acknowledged or refused (what the employee
did), expired (someone never answered), voided, archived. :func:`plan_state` is the one
place those words are derived; the plans list filters by the same rules in SQL
(:mod:`signing.domain.plans_list`), and a test holds the two together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from signing.domain.workflow import ASKED_STATES, DONE_STATES, EnvelopeState, Role, SignerState


class PlanState(StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    OUT_FOR_SIGNATURE = "out_for_signature"
    ACKNOWLEDGED = "acknowledged"
    REFUSED = "refused"
    EXPIRED = "expired"
    VOIDED = "voided"
    ARCHIVED = "archived"


class DraftState(StrEnum):
    """The states of a console draft, as :class:`~signing.domain.models.DraftRow` names them."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    SENT = "sent"
    DISCARDED = "discarded"


# Drafts the plans list shows: a sent one is listed as its envelope, a discarded one not.
LISTED_DRAFT_STATES = frozenset({DraftState.DRAFT, DraftState.SUBMITTED, DraftState.RETURNED})
# Envelopes whose signing is over but whose record is not yet archived: what the
# employee did decides the words.
FINISHED_STATES = frozenset({EnvelopeState.COMPLETED, EnvelopeState.SEALED})


@dataclass(frozen=True)
class SignerSummary:
    """What the list needs of a signer."""

    role: str
    name: str
    state: str


def plan_state(envelope_state: str, signers: Iterable[SignerSummary]) -> PlanState:
    """The state of an envelope's plan in people's words.

    An expired envelope is sealed and archived like any other, so "expired" is also a
    finished envelope with a signer who never answered; "refused" one whose employee
    refused (the plan goes ahead either way); "acknowledged" the rest. While the
    envelope is open it is "out for signature", whoever has answered so far.
    """
    state = EnvelopeState(envelope_state)
    if state is EnvelopeState.DRAFT:
        return PlanState.DRAFT
    if state is EnvelopeState.SENT:
        return PlanState.OUT_FOR_SIGNATURE
    if state is EnvelopeState.VOIDED:
        return PlanState.VOIDED
    if state is EnvelopeState.ARCHIVED:
        return PlanState.ARCHIVED
    if state is EnvelopeState.EXPIRED:
        return PlanState.EXPIRED
    listed = list(signers)
    if any(SignerState(s.state) not in DONE_STATES for s in listed):
        return PlanState.EXPIRED
    if any(s.role == Role.EMPLOYEE and s.state == SignerState.REFUSED for s in listed):
        return PlanState.REFUSED
    return PlanState.ACKNOWLEDGED


def draft_state(state: str) -> PlanState | None:
    """A console draft's state in people's words; None for one the list does not show
    (sent: its envelope is listed instead; discarded)."""
    draft = DraftState(state)
    if draft is DraftState.SUBMITTED:
        return PlanState.AWAITING_APPROVAL
    if draft in (DraftState.DRAFT, DraftState.RETURNED):
        return PlanState.DRAFT
    return None


def waiting_on(envelope_state: str, signers: Iterable[SignerSummary]) -> list[SignerSummary]:
    """The signers an open plan waits on: those sent it who have not answered."""
    if envelope_state != EnvelopeState.SENT:
        return []
    return [s for s in signers if SignerState(s.state) in ASKED_STATES]


@dataclass(frozen=True)
class Deadline:
    """A plan's deadline as the list shows it: the moment, the days left in the reader's
    zone (negative once passed) and whether it is overdue (open, and past it)."""

    at: dt.datetime
    days_left: int
    overdue: bool


def deadline(expires_at: dt.datetime | None, state: PlanState, *, now: dt.datetime,
             zone: dt.tzinfo) -> Deadline | None:
    """The deadline of a plan still out for signature (None otherwise: once it is
    answered, expired or voided, no one is waiting against it). Days are counted in
    calendar days of ``zone``: due tomorrow is 1, whatever the hour."""
    if expires_at is None or state is not PlanState.OUT_FOR_SIGNATURE:
        return None
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=dt.UTC)
    days = (expires_at.astimezone(zone).date() - now.astimezone(zone).date()).days
    return Deadline(expires_at, days, now >= expires_at)
