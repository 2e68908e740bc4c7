"""What the final document says about an envelope, read from its audit trail.

Pure: the envelope's signers, its audit records and the plan in; the
:class:`docgen.Completion` that stamping draws out. Every statement in the final
document comes from a recorded event, so the record and the document cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from docgen import SIGNATURE_ANCHORS, Plan
from docgen.stamp import Comment, Completion, SignerEvent, SignerOutcome
from signing.domain.audit import AuditRecord, to_json
from signing.domain.events import EventType
from signing.domain.wording import CONSENT

# How the certificate names each recorded event of a signer.
EVENT_LABELS: dict[str, str] = {
    EventType.SIGNER_NOTIFIED: "sent",
    EventType.SIGNER_LINK_REISSUED: "sent again (new link)",
    EventType.SIGNER_REMINDED: "reminded",
    EventType.EMAIL_DELIVERED: "email delivered",
    EventType.EMAIL_FAILED: "email could not be delivered",
    EventType.SIGNER_VIEWED: "viewed",
    EventType.SIGNER_COMMENTED: "commented",
    EventType.SIGNER_ACKNOWLEDGED: "acknowledged",
    EventType.SIGNER_CONFIRMED: "confirmed",
}
DECISIONS = {"acknowledged": "acknowledged", "refused": "refused", "confirmed": "confirmed"}
# The events that record a signature: the employee's acknowledgement, the manager's and
# HR's confirmation. Each holds the typed name and the words the signer was shown.
SIGNATURES = frozenset({EventType.SIGNER_ACKNOWLEDGED, EventType.SIGNER_CONFIRMED})
CLOSING_EVENTS: dict[str, str] = {EventType.ENVELOPE_COMPLETED: "completed",
                                  EventType.ENVELOPE_EXPIRED: "expired"}


@dataclass(frozen=True)
class SignerFacts:
    """A signer as the envelope holds them."""

    id: str
    role: str
    name: str
    email: str
    state: str
    decided_at: dt.datetime | None


def completion_of(*, envelope_id: str, document_sha256: str, signers: Sequence[SignerFacts],
                  trail: Sequence[AuditRecord], plan: Plan, company: str) -> Completion:
    """The final document's content, from an envelope that has completed or expired."""
    closing = next((r for r in reversed(trail) if r.type in CLOSING_EVENTS), None)
    if closing is None:
        raise ValueError(f"envelope {envelope_id} has not completed or expired")
    names = {s.id: s.name for s in signers}
    return Completion(
        envelope_id=envelope_id,
        plan_id=plan.plan_id or envelope_id,
        title=f"Performance Improvement Plan for {plan.employee.name}",
        company=company,
        outcome=CLOSING_EVENTS[closing.type],
        original_sha256=document_sha256,
        completed_at=closing.at,
        # The words the signers agreed to, as recorded; today's for records made before
        # acknowledgements kept them.
        consent_text=next((r.data["consent_text"] for r in trail
                           if r.type in SIGNATURES and "consent_text" in r.data),
                          CONSENT),
        audit_head_hash=trail[-1].hash,
        # The trail itself, attached to the record, so the sealed PDF proves its history.
        audit_trail=tuple(to_json(r) for r in trail),
        signers=tuple(_outcome(s, trail, names, closing) for s in signers),
        comments=tuple(
            Comment(author=names.get(r.signer_id or "", "unknown"),
                    role=next((s.role for s in signers if s.id == r.signer_id), ""),
                    at=r.at, text=r.data["comment"])
            for r in trail if r.type == EventType.SIGNER_COMMENTED),
    )


def _outcome(signer: SignerFacts, trail: Sequence[AuditRecord], names: dict[str, str],
             closing: AuditRecord) -> SignerOutcome:
    mine = [r for r in trail if r.signer_id == signer.id]
    acknowledged = next((r for r in mine if r.type in SIGNATURES), None)
    refused = next((r for r in mine if r.type == EventType.SIGNER_REFUSED), None)
    events = [SignerEvent(EVENT_LABELS[r.type], r.at, r.ip, r.user_agent)
              for r in mine if r.type in EVENT_LABELS]
    if refused is not None:
        recorded = "recorded_by" in refused.data
        events.append(SignerEvent("refusal recorded" if recorded else "refused", refused.at,
                                  refused.ip, refused.user_agent))
    decision = DECISIONS.get(signer.state, "no_response")
    if decision == "no_response":
        events.append(SignerEvent("no response", closing.at))
    return SignerOutcome(
        role=signer.role, name=signer.name, email=signer.email,
        anchor=SIGNATURE_ANCHORS[signer.role], decision=decision,
        decided_at=signer.decided_at if decision != "no_response" else None,
        typed_name=acknowledged.data.get("typed_name") if acknowledged else None,
        statement=acknowledged.data.get("statement") if acknowledged else None,
        reason=refused.data.get("reason") if refused else None,
        witness=refused.data.get("witness") if refused else None,
        recorded_by=names.get(refused.data.get("recorded_by", "")) if refused else None,
        events=tuple(sorted(events, key=lambda e: e.at)),
    )
