"""What stamping is told: the outcome of an envelope, as plain frozen data.

The signing service builds a :class:`Completion` from its audit trail; stamping draws it
and adds nothing of its own, so the document and the trail cannot disagree. Times are
aware datetimes, kept exact in UTC on the certificate and shown in the signer's own time
zone beside their signature; text typed by people (names, statements, reasons, comments)
is kept verbatim and only ever drawn as text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from docgen.languages import SUPPORTED
from docgen.stamp.errors import CompletionInvalid

# "confirmed": a manager's or HR's signature (their own statement); "acknowledged" and
# "refused" are the employee's; "declined": a manager or HR would not sign, which voided
# the envelope (a voided envelope's record is kept too, with the comments made before).
DECISIONS = ("acknowledged", "refused", "confirmed", "declined", "no_response")
SIGNED = ("acknowledged", "confirmed")  # decisions whose stamp is a typed name
OUTCOMES = ("completed", "expired", "voided")
# What an envelope holds: the plan, or a document of its case (the signing side's
# envelopes.document_kind; its names for the signer are in signing.domain.documents).
PLAN, OUTCOME_LETTER, AMENDMENT = "plan", "outcome_letter", "amendment"
DOCUMENT_KINDS = (PLAN, OUTCOME_LETTER, AMENDMENT)
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class SignerEvent:
    """One line of a signer's history on the certificate."""

    what: str  # "sent", "email delivered", "viewed", "reminded", "acknowledged", ...
    at: dt.datetime
    # Where the act came from: shown only for the signer's own acts (an event the system
    # or someone else caused in their name shows who did it instead).
    ip: str | None = None
    user_agent: str | None = None
    # Who caused it, as people read it: "Priya Raman (manager)", "plansign (system)",
    # "HR, by API key psk_ab12cd34 (Payroll sync)". None in data made before actors.
    actor: str | None = None


@dataclass(frozen=True)
class SignerOutcome:
    """How one signer's part ended, and where their signature line is."""

    role: str  # "employee" | "manager" | "hr"
    name: str
    email: str
    anchor: str  # the text in the PDF their signature line starts with
    decision: str  # "acknowledged" | "refused" | "confirmed" | "no_response"
    decided_at: dt.datetime | None
    typed_name: str | None = None  # what they typed to sign (acknowledged, confirmed)
    statement: str | None = None  # the exact statement they agreed to
    reason: str | None = None  # a refusal's reason, verbatim
    witness: str | None = None  # when a manager recorded the refusal in a meeting
    recorded_by: str | None = None  # that manager's name
    # When and where that meeting was, as the manager entered it (the time with its own
    # offset; shown on the clock of ``timezone`` when it is known).
    meeting_at: dt.datetime | None = None
    meeting_place: str | None = None
    events: tuple[SignerEvent, ...] = ()
    # IANA zone their times are shown in beside their signature: their browser's when they
    # signed, else the plan's check-in zone; None: UTC.
    timezone: str | None = None
    # They typed a name other than the one on record and stated their legal name differs.
    name_differs: bool = False
    # The consent to electronic signature they agreed to when they signed, verbatim;
    # None for a signer who did not sign (or a record that did not keep it: then
    # Completion.consent_text, for a signature).
    consent: str | None = None
    # No response because they were never sent the plan: it ended before their turn.
    not_asked: bool = False

    @property
    def refusal_recorded(self) -> bool:
        """True when a manager recorded this refusal for the employee in a meeting."""
        return self.decision == "refused" and bool(self.recorded_by)


@dataclass(frozen=True)
class SealFacts:
    """The seal the record is sealed with, as the certificate page names it."""

    subject: str  # the sealing certificate's subject, RFC 4514 ("CN=Acme seal,O=Acme")
    fingerprint_sha256: str  # of the certificate (DER), hex
    sealed_at: dt.datetime  # when plansign sealed it; the seal's own time is in its signature


@dataclass(frozen=True)
class Comment:
    """A comment attached to the plan, verbatim (up to 20,000 characters, any script)."""

    author: str
    role: str
    at: dt.datetime
    text: str


@dataclass(frozen=True)
class DocumentKind:
    """Which document the record is of, so its pages name it: the plan, its outcome
    letter, or amendment ``number`` of the plan dated ``plan_date`` (the day the plan was
    sent, as every page of the amendment says)."""

    kind: str = PLAN
    number: int | None = None  # an amendment's, from 1
    plan_date: dt.date | None = None  # an amendment's: the date of the plan it amends


THE_PLAN = DocumentKind()


@dataclass(frozen=True)
class Completion:
    """Everything the final record says about an envelope that completed, expired or was
    voided (withdrawn: ``completed_at`` is when)."""

    envelope_id: str
    plan_id: str
    title: str  # "Performance Improvement Plan for Léa Brändli"
    company: str
    outcome: str  # "completed" | "expired" | "voided"
    original_sha256: str  # of the original PDF, hex
    completed_at: dt.datetime
    # The electronic-records consent of a signature whose signer's own words are not
    # given (SignerOutcome.consent is None: records made before each signer's was kept).
    consent_text: str
    audit_head_hash: str  # the hash at the head of the envelope's audit chain
    signers: tuple[SignerOutcome, ...]
    comments: tuple[Comment, ...]
    # The audit trail's records as JSON data, oldest first, its last one the head: the
    # record carries them whole in its attached audit-trail.json (see .attachment).
    audit_trail: tuple[Mapping[str, Any], ...] = ()
    # The seal applied to this PDF once it is stamped; None when it is not sealed.
    seal: SealFacts | None = None
    # Why a voided envelope was withdrawn, verbatim (outcome "voided"); None otherwise.
    voided_reason: str | None = None
    # The language the record's own words are written in: the plan's (en, es, fr, de,
    # ar; see docgen.languages). People's words and the exact UTC times stay as they are.
    language: str = "en"
    # The document the envelope held; records made before kinds were told are plans.
    document: DocumentKind = THE_PLAN

    @property
    def employee_refused(self) -> bool:
        return any(s.role == "employee" and s.decision == "refused" for s in self.signers)


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
    if c.language not in SUPPORTED:
        _fail("language", f"must be one of {', '.join(SUPPORTED)}, not {c.language!r}")
    _document(c.document)
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
        if signer.meeting_at is not None:
            _aware(signer.meeting_at, f"{where}.meeting_at")
        if not signer.anchor.strip():
            _fail(f"{where}.anchor", "must not be empty")
        for j, event in enumerate(signer.events):
            _aware(event.at, f"{where}.events[{j}].at")
        if signer.timezone is not None:
            _zone(signer.timezone, f"{where}.timezone")
    if c.seal is not None:
        _aware(c.seal.sealed_at, "seal.sealed_at")
        if not _SHA256.fullmatch(c.seal.fingerprint_sha256):
            _fail("seal.fingerprint_sha256", "must be 64 lowercase hexadecimal digits")
        if not c.seal.subject.strip():
            _fail("seal.subject", "must not be empty")
    for i, comment in enumerate(c.comments):
        _aware(comment.at, f"comments[{i}].at")


def _document(document: DocumentKind) -> None:
    if document.kind not in DOCUMENT_KINDS:
        _fail("document.kind", f"must be one of {', '.join(DOCUMENT_KINDS)}, "
                               f"not {document.kind!r}")
    if document.kind == AMENDMENT:
        if document.number is None or document.number < 1:
            _fail("document.number", "an amendment needs its number, from 1")
        if document.plan_date is None:
            _fail("document.plan_date", "an amendment needs the date of the plan it amends")


def _aware(moment: dt.datetime, field: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        _fail(field, "must be a timezone-aware datetime (it is shown in UTC)")


def _zone(name: str, field: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        _fail(field, f"{name!r} is not an IANA time zone (like Europe/Zurich)")


def _fail(field: str, message: str) -> None:
    raise CompletionInvalid(f"{field}: {message}")
