"""What stamping is told: the outcome of an envelope, as plain frozen data.

The signing service builds a :class:`Completion` from its audit trail; stamping draws it
and adds nothing of its own, so the document and the trail cannot disagree. Times are
aware datetimes and are shown in UTC; text typed by people (names, statements, reasons,
comments) is kept verbatim and only ever drawn as text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from docgen.stamp.errors import CompletionInvalid

DECISIONS = ("acknowledged", "refused", "confirmed", "no_response")
OUTCOMES = ("completed", "expired")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class SignerEvent:
    """One line of a signer's history on the certificate."""

    what: str  # "sent", "email delivered", "viewed", "reminded", "acknowledged", ...
    at: dt.datetime
    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class SignerOutcome:
    """How one signer's part ended, and where their signature line is."""

    role: str  # "employee" | "manager" | "hr"
    name: str
    email: str
    anchor: str  # the text in the PDF their signature line starts with
    decision: str  # "acknowledged" | "refused" | "no_response"
    decided_at: dt.datetime | None
    typed_name: str | None = None  # what they typed to sign (acknowledged)
    statement: str | None = None  # the exact statement they agreed to
    reason: str | None = None  # a refusal's reason, verbatim
    witness: str | None = None  # when a manager recorded the refusal in a meeting
    recorded_by: str | None = None  # that manager's name
    events: tuple[SignerEvent, ...] = ()


@dataclass(frozen=True)
class Comment:
    """A comment attached to the plan, verbatim (up to 20,000 characters, any script)."""

    author: str
    role: str
    at: dt.datetime
    text: str


@dataclass(frozen=True)
class Completion:
    """Everything the final record says about an envelope that completed or expired."""

    envelope_id: str
    plan_id: str
    title: str  # "Performance Improvement Plan for Léa Brändli"
    company: str
    outcome: str  # "completed" | "expired"
    original_sha256: str  # of the original PDF, hex
    completed_at: dt.datetime
    consent_text: str  # the electronic-records consent the signers agreed to
    audit_head_hash: str  # the hash at the head of the envelope's audit chain
    signers: tuple[SignerOutcome, ...]
    comments: tuple[Comment, ...]
    # The audit trail's records as JSON data, oldest first, its last one the head: the
    # record carries them whole in its attached audit-trail.json (see .attachment).
    audit_trail: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Stamped:
    """The final PDF, and what the caller should log about how it was made."""

    pdf: bytes
    notes: tuple[str, ...]  # e.g. a signature line that was not found, so stamped elsewhere
    certificate_page: int  # 1-based page of the certificate of completion in ``pdf``


def check_completion(completion: Completion) -> None:
    """Raise :class:`CompletionInvalid` naming the first field the record cannot show.

    Only what would make the record wrong or undrawable is refused: a time without a
    zone cannot be shown in UTC, an unknown decision has no wording, a malformed hash
    would be printed on the certificate as if it were one.
    """
    c = completion
    _aware(c.completed_at, "completed_at")
    if c.outcome not in OUTCOMES:
        _fail("outcome", f"must be one of {', '.join(OUTCOMES)}, not {c.outcome!r}")
    if not _SHA256.fullmatch(c.original_sha256 or ""):
        _fail("original_sha256", "must be 64 lowercase hexadecimal digits")
    for name in ("envelope_id", "audit_head_hash"):
        if not getattr(c, name).strip():
            _fail(name, "must not be empty")
    if c.audit_trail and c.audit_trail[-1].get("hash") != c.audit_head_hash:
        _fail("audit_trail", "its last record must be the head, audit_head_hash")
    if not c.signers:
        _fail("signers", "must name at least one signer")
    for i, signer in enumerate(c.signers):
        where = f"signers[{i}]"
        if signer.decision not in DECISIONS:
            _fail(f"{where}.decision",
                  f"must be one of {', '.join(DECISIONS)}, not {signer.decision!r}")
        if signer.decision != "no_response" and signer.decided_at is None:
            _fail(f"{where}.decided_at", f"is needed when the decision is {signer.decision}")
        if signer.decided_at is not None:
            _aware(signer.decided_at, f"{where}.decided_at")
        if not signer.anchor.strip():
            _fail(f"{where}.anchor", "must not be empty")
        for j, event in enumerate(signer.events):
            _aware(event.at, f"{where}.events[{j}].at")
    for i, comment in enumerate(c.comments):
        _aware(comment.at, f"comments[{i}].at")


def _aware(moment: dt.datetime, field: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        _fail(field, "must be a timezone-aware datetime (it is shown in UTC)")


def _fail(field: str, message: str) -> None:
    raise CompletionInvalid(f"{field}: {message}")
