"""What the final document says about an envelope, read from its audit trail.

Pure: the envelope's signers, its audit records and the plan in; the
:class:`docgen.Completion` that stamping draws out. Every statement in the final
document comes from a recorded event, so the record and the document cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from docgen import Plan
from docgen.doclang import plan_language, signature_anchors
from docgen.stamp import (
    Comment,
    Completion,
    DocumentKind,
    SealFacts,
    SignerEvent,
    SignerOutcome,
    kinds,
)
from docgen.stamp.kinds import Said
from docgen.stamp.model import THE_PLAN
from docgen.stamp.wording import N_, RecordWords, record_words
from signing.domain.audit import AuditRecord, to_json
from signing.domain.events import EventType
from signing.domain.wording import CONSENT

# How the certificate names each recorded event of a signer: messages of docgen's
# record catalog (the `docgen` domain, babel-docgen.cfg), in the plan's language.
EVENT_LABELS: dict[str, str] = {
    EventType.SIGNER_NOTIFIED: N_("sent"),
    EventType.SIGNER_LINK_REISSUED: N_("sent again (new link)"),
    EventType.SIGNER_REMINDED: N_("reminded"),
    EventType.EMAIL_DELIVERED: N_("email delivered"),
    EventType.EMAIL_FAILED: N_("email could not be delivered"),
    EventType.SIGNER_VIEWED: N_("viewed"),
    EventType.SIGNER_COMMENTED: N_("commented"),
    EventType.SIGNER_ACKNOWLEDGED: N_("acknowledged"),
    EventType.SIGNER_CONFIRMED: N_("confirmed"),
    EventType.SIGNER_DECLINED: N_("declined to sign"),
}
# Events that name the document, whole for each kind (docgen.stamp.kinds).
OPENED_LABELS = {False: Said(N_("opened the full plan (PDF)"),
                             N_("opened the full outcome letter (PDF)"),
                             N_("opened the full amendment (PDF)")),
                 True: Said(N_("downloaded the plan (PDF)"),
                            N_("downloaded the outcome letter (PDF)"),
                            N_("downloaded the amendment (PDF)"))}
NOT_ASKED = Said(N_("not asked (never sent the plan)"),
                 N_("not asked (never sent the outcome letter)"),
                 N_("not asked (never sent the amendment)"))
DECISIONS = {"acknowledged": "acknowledged", "refused": "refused", "confirmed": "confirmed",
             "declined": "declined"}
# The events that record a signature, whose data holds the typed name, the statement
# signed, the signer's time zone and whether they said their legal name differs.
SIGNATURES = (EventType.SIGNER_ACKNOWLEDGED, EventType.SIGNER_CONFIRMED)
CLOSING_EVENTS: dict[str, str] = {EventType.ENVELOPE_COMPLETED: "completed",
                                  EventType.ENVELOPE_EXPIRED: "expired",
                                  # Withdrawn: its record is kept with the comments made.
                                  EventType.ENVELOPE_VOIDED: "voided"}
# What a person does on their signing page. For these, an audit record's actor is that
# person and its IP address and browser are theirs; for every other event (sending the
# next signer when one signs, reminders, email reports) the address recorded is only
# that of whatever request happened to cause it, and is not shown as the signer's.
PERSONAL_ACTS = frozenset({
    EventType.SIGNER_VIEWED, EventType.SIGNER_ACKNOWLEDGED, EventType.SIGNER_CONFIRMED,
    EventType.SIGNER_REFUSED, EventType.SIGNER_COMMENTED, EventType.SIGNER_DECLINED,
    EventType.SIGNER_DOCUMENT_OPENED,
})
SYSTEM = N_("plansign (system)")
ROLE_WORDS = {"employee": N_("employee"), "manager": N_("manager"), "hr": N_("HR")}
KEY_ROLES = {"hr": N_("HR"), "admin": N_("Admin"), "records": N_("Records")}


@dataclass(frozen=True)
class SignerFacts:
    """A signer as the envelope holds them."""

    id: str
    role: str
    name: str
    email: str
    state: str
    decided_at: dt.datetime | None


@dataclass(frozen=True)
class KeyFacts:
    """An API key as the certificate names it: its name and its role."""

    name: str
    role: str


def completion_of(*, envelope_id: str, document_sha256: str, signers: Sequence[SignerFacts],
                  trail: Sequence[AuditRecord], plan: Plan, company: str,
                  keys: Mapping[str, KeyFacts] | None = None,
                  people: Mapping[str, str] | None = None,
                  seal: SealFacts | None = None,
                  document: DocumentKind = THE_PLAN) -> Completion:
    """The final document's content, from an envelope that has completed or expired.

    ``keys`` names the API keys found among the trail's actors (by actor, ``apikey:...``);
    ``people`` the console's people among them (their display names, by actor,
    ``person:<username>``); ``seal`` is the seal the stamped PDF will get; ``document``
    is what the envelope held (its outcome letter or an amendment are named so on every
    added page).
    """
    closing = next((r for r in reversed(trail) if r.type in CLOSING_EVENTS), None)
    if closing is None:
        raise ValueError(f"envelope {envelope_id} has not completed, expired or been voided")
    names = {s.id: s.name for s in signers}
    # The record is in the plan's language, as its signers read it.
    language = plan_language(plan)
    w = record_words(language)
    actors = _Actors({s.id: s for s in signers}, keys or {}, people or {}, w, document)
    plan_zone = plan.checkins.timezone if plan.checkins else None
    return Completion(
        envelope_id=envelope_id,
        plan_id=plan.plan_id or envelope_id,
        title=w.about(kinds.TITLE, document, name=plan.employee.name),
        language=language,
        document=document,
        company=company,
        outcome=CLOSING_EVENTS[closing.type],
        original_sha256=document_sha256,
        completed_at=closing.at,
        # Each signer's consent is their own (SignerOutcome.consent); this is only for a
        # signature without it, and every signature here has it.
        consent_text=CONSENT,
        audit_head_hash=trail[-1].hash,
        # The trail itself, attached to the record, so the sealed PDF proves its history.
        audit_trail=tuple(to_json(r) for r in trail),
        # Each signature line is found by its text in the plan's own language.
        signers=tuple(_outcome(s, trail, names, closing, actors, plan_zone,
                               signature_anchors(language), w) for s in signers),
        comments=tuple(
            Comment(author=names.get(r.signer_id or "", "unknown"),
                    role=next((s.role for s in signers if s.id == r.signer_id), ""),
                    at=r.at, text=r.data["comment"])
            for r in trail if r.type == EventType.SIGNER_COMMENTED),
        seal=seal,
        voided_reason=(str(closing.data.get("reason") or "") or None
                       if closing.type == EventType.ENVELOPE_VOIDED else None),
    )


@dataclass(frozen=True)
class _Actors:
    """Audit actors (``signer:<id>``, ``apikey:<prefix>``, ``worker``...) in words."""

    signers: Mapping[str, SignerFacts]
    keys: Mapping[str, KeyFacts]
    people: Mapping[str, str]
    words: RecordWords
    document: DocumentKind

    def event(self, record: AuditRecord, what: str | Said) -> SignerEvent:
        """The event named ``what`` (an English message, or one for each kind of
        document, said in the record's language)."""
        what = (self.words.about(what, self.document) if isinstance(what, Said)
                else self.words._(what))
        person = self.person(record)
        if person is not None:
            return SignerEvent(what, record.at, record.ip, record.user_agent, actor=person)
        return SignerEvent(what, record.at, actor=self.other(record))

    def person(self, record: AuditRecord) -> str | None:
        """The signer who did this themselves on their page, or None."""
        if record.type not in PERSONAL_ACTS or not record.actor.startswith("signer:"):
            return None
        signer = self.signers.get(record.actor.removeprefix("signer:"))
        if signer is None:
            return None
        w = self.words
        role = ROLE_WORDS.get(signer.role)
        return w._("%(name)s (%(role)s)", name=signer.name,
                   role=w._(role) if role else signer.role)

    def other(self, record: AuditRecord) -> str:
        actor, w = record.actor, self.words
        if actor.startswith("apikey:"):
            prefix = actor.removeprefix("apikey:")
            key = self.keys.get(actor)
            if key is None:
                return w._("API key %(prefix)s", prefix=prefix)
            role = KEY_ROLES.get(key.role)
            return w._("%(role)s key “%(name)s” (%(prefix)s)",
                       role=w._(role) if role else key.role, name=key.name, prefix=prefix)
        if actor.startswith("cli:"):
            return w._("plansign command line (user %(user)s)",
                       user=actor.removeprefix("cli:"))
        if actor.startswith("person:"):
            # HR (or an admin) acting in the console: their name, and the username the
            # trail keeps, as the command line's user is named.
            user = actor.removeprefix("person:")
            name = self.people.get(actor)
            if name is None:
                return w._("plansign console (user %(user)s)", user=user)
            return w._("%(name)s (plansign console, user %(user)s)", name=name, user=user)
        if actor == "sendgrid":
            return w._("SendGrid (email provider)")
        # The worker, and a signer whose act made plansign do this (the next signer is
        # sent the plan when one signs): plansign did it.
        if actor == "worker" or actor.startswith("signer:"):
            return w._(SYSTEM)
        return actor


def _outcome(signer: SignerFacts, trail: Sequence[AuditRecord], names: dict[str, str],
             closing: AuditRecord, actors: _Actors, plan_zone: str | None,
             anchors: dict[str, str], w: RecordWords) -> SignerOutcome:
    mine = [r for r in trail if r.signer_id == signer.id]
    signed = next((r for r in mine if r.type in SIGNATURES), None)
    refused = next((r for r in mine if r.type == EventType.SIGNER_REFUSED), None)
    declined = next((r for r in mine if r.type == EventType.SIGNER_DECLINED), None)
    events = [actors.event(r, EVENT_LABELS[r.type]) for r in mine if r.type in EVENT_LABELS]
    events += [actors.event(r, OPENED_LABELS[bool(r.data.get("download"))])
               for r in mine if r.type == EventType.SIGNER_DOCUMENT_OPENED]
    if refused is not None:
        recorded = "recorded_by" in refused.data
        events.append(actors.event(refused, N_("refusal recorded") if recorded
                                   else N_("refused")))
    decision = DECISIONS.get(signer.state, "no_response")
    # Never sent the plan: it ended before their turn in the routing order.
    not_asked = decision == "no_response" and signer.state == "waiting"
    if decision == "no_response":
        events.append(SignerEvent(w.about(NOT_ASKED, actors.document) if not_asked
                                  else w._(N_("no response")), closing.at,
                                  actor=w._(SYSTEM)))
    decided = signed or refused or declined
    return SignerOutcome(
        role=signer.role, name=signer.name, email=signer.email,
        anchor=anchors[signer.role], decision=decision,
        decided_at=signer.decided_at if decision != "no_response" else None,
        typed_name=signed.data.get("typed_name") if signed else None,
        statement=signed.data.get("statement") if signed else None,
        reason=said.data.get("reason") if (said := refused or declined) else None,
        witness=refused.data.get("witness") if refused else None,
        recorded_by=names.get(refused.data.get("recorded_by", "")) if refused else None,
        events=tuple(sorted(events, key=lambda e: e.at)),
        timezone=_zone(decided.data.get("timezone") if decided else None) or _zone(plan_zone),
        name_differs=bool(signed and signed.data.get("name_differs")),
        # The words they agreed to, as recorded; the employee's of today for signatures
        # recorded before each signature kept them (there was only that one).
        consent=str(signed.data.get("consent_text") or CONSENT) if signed else None,
        meeting_at=_moment(refused.data.get("meeting_at")) if refused else None,
        meeting_place=_text(refused.data.get("meeting_place")) if refused else None,
        not_asked=not_asked,
    )


def _moment(value: object) -> dt.datetime | None:
    """An ISO 8601 time with its offset, as a recorded refusal's meeting time is kept;
    None for anything else (a record made before it was asked for has none)."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def _text(value: object) -> str | None:
    return " ".join(value.split()) or None if isinstance(value, str) else None


def _zone(name: object) -> str | None:
    """``name`` if it is an IANA time zone; the browser sends it, so anything else (an
    old record has none) is left out rather than trusted."""
    if not isinstance(name, str) or not name or len(name) > 64:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name
