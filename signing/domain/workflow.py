"""The envelope workflow: a state machine in plain Python.

Every action is a pure function: an :class:`Envelope` (immutable), the action's inputs
and an explicit ``now`` in; a :class:`Step` out, holding the new envelope, the audit
events that record the change and the side effects (emails, webhooks, finalizing) to
put in the outbox. The caller writes all three in one transaction. Views, the API, the
CLI and the worker all call these functions, and nothing else changes an envelope.

Envelope lifecycle (DESIGN.md)::

    draft ─► sent ─► completed ─► sealed ─► archived
      any open state ─► voided | expired (expired still finalizes)

Each signer, in routing order: waiting ─► notified ─► viewed ─► done. The employee's
done states are acknowledged | refused (the plan goes ahead either way; the manager may
record a refusal made in a meeting); the manager's and HR's are confirmed | declined (a
decline stops the plan: the envelope is voided). Signers of the same routing order are
notified together; the next order is notified when every signer of the previous one is
done. The employee may still comment after deciding, while the envelope is open.

A refusal the manager records for the employee opens a comment window
(``comments_until``): the employee, who was not the one to press the button, is told by
email and may still comment; until the window closes the envelope does not complete,
even when every signer is done (HR may still confirm). :func:`close_comments`, run by
the worker's deadline sweep, completes it once the window has passed.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, ParamSpec, TypeVar

from signing.domain.errors import NN_, SigningError, Wording
from signing.domain.events import EventType
from signing.domain.names import same_name
from signing.domain.wording import N_
from signing.domain.working_day import WorkingDay, deadline

MAX_COMMENT_CHARS = 20_000
MAX_NAME_CHARS = 200  # as the plan's names: what the record prints beside a signature line
MAX_PLACE_CHARS = 200
# How long before it is recorded a refusal's meeting may have been: long enough for a
# manager back from a trip; short enough that an old date is a typo, not a record. (The
# envelope here does not carry when the employee was sent the plan, which is in the
# audit trail; the link's own life, link_max_age_days, is shorter than this anyway.)
MEETING_MAX_AGE = dt.timedelta(days=30)
DEFAULT_REFUSAL_COMMENT_DAYS = 5


class EnvelopeState(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    COMPLETED = "completed"
    SEALED = "sealed"
    ARCHIVED = "archived"
    VOIDED = "voided"
    EXPIRED = "expired"


OPEN_STATES = frozenset({EnvelopeState.DRAFT, EnvelopeState.SENT})


class SignerState(StrEnum):
    WAITING = "waiting"
    NOTIFIED = "notified"
    VIEWED = "viewed"
    ACKNOWLEDGED = "acknowledged"
    REFUSED = "refused"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


DONE_STATES = frozenset({SignerState.ACKNOWLEDGED, SignerState.REFUSED,
                         SignerState.CONFIRMED, SignerState.DECLINED})
# Signers who have been sent the plan and have not decided.
ASKED_STATES = frozenset({SignerState.NOTIFIED, SignerState.VIEWED})


class Role(StrEnum):
    EMPLOYEE = "employee"
    MANAGER = "manager"
    HR = "hr"


# -- errors ---------------------------------------------------------------------------


class WorkflowError(SigningError):
    """An action that the envelope's or the signer's state does not allow."""


class IllegalTransition(WorkflowError):
    """An action the envelope's state does not allow. ``str()`` names the action and the
    state for programs (the API); ``msgid`` is the sentence a person reads on the page
    they acted from (which names the action), by the envelope's state, translated there
    (signing.domain.errors.wording_of reads it)."""

    def __init__(self, action: str, state: str) -> None:
        self.action = action
        self.state = state
        self.msgid = _STATE_REFUSALS.get(state, _STATE_REFUSALS[EnvelopeState.SENT])
        self.values: dict[str, object] = {}
        super().__init__(f"cannot {action} an envelope that is {state}")


# What a person is told when the envelope's state refuses what they asked, one whole
# sentence per state.
_STATE_REFUSALS: dict[str, str] = {
    EnvelopeState.DRAFT: N_("this plan has not been sent yet, so this cannot be done now; "
                            "nothing was changed"),
    EnvelopeState.SENT: N_("this plan is still with its signers, so this cannot be done "
                           "now; nothing was changed"),
    EnvelopeState.COMPLETED: N_("every signer has answered this plan, so this can no longer "
                                "be done; nothing was changed"),
    EnvelopeState.SEALED: N_("every signer has answered this plan, so this can no longer "
                             "be done; nothing was changed"),
    EnvelopeState.ARCHIVED: N_("every signer has answered this plan, so this can no longer "
                               "be done; nothing was changed"),
    EnvelopeState.VOIDED: N_("this plan was withdrawn (voided), so this can no longer be "
                             "done; nothing was changed"),
    EnvelopeState.EXPIRED: N_("this plan's deadline has passed, so this can no longer be "
                              "done; nothing was changed"),
}


class AlreadyDone(WorkflowError):
    """The signer already decided: a second submit changes nothing."""

    def __init__(self, signer_id: str, state: SignerState) -> None:
        self.signer_id = signer_id
        self.state = state
        super().__init__(Wording(_ALREADY_DONE.get(
            state, N_("this signer has already answered; nothing was changed"))))


# A signer's answer, one whole sentence per answer (the English as it always was).
_ALREADY_DONE = {
    SignerState.ACKNOWLEDGED: N_("this signer has already acknowledged; nothing was changed"),
    SignerState.REFUSED: N_("this signer has already refused; nothing was changed"),
    SignerState.CONFIRMED: N_("this signer has already confirmed; nothing was changed"),
    SignerState.DECLINED: N_("this signer has already declined; nothing was changed"),
}


class AlreadyRecorded(WorkflowError):
    """This very submission of a form (a double click, a replayed request) was recorded
    before: the second changes nothing."""

    def __init__(self, signer_id: str) -> None:
        self.signer_id = signer_id
        super().__init__("these comments were already recorded; nothing was changed")


class NotYourTurn(WorkflowError):
    """The signer's routing order has not been reached yet."""

    def __init__(self, signer_id: str) -> None:
        self.signer_id = signer_id
        super().__init__(Wording(N_("this signer has not been asked to sign yet")))


class WrongRole(WorkflowError):
    """An action that is not this signer's to take: only the employee acknowledges,
    refuses or comments; only the manager and HR confirm or decline; only the manager
    records a refusal."""

    def __init__(self, signer_id: str, message: str) -> None:
        self.signer_id = signer_id
        super().__init__(message)


class NotYetSent(WorkflowError):
    """A refusal cannot be recorded for an employee who has not been sent the plan."""

    def __init__(self, signer_id: str) -> None:
        self.signer_id = signer_id
        super().__init__(Wording(N_("the employee has not been sent the plan yet; a refusal "
                                    "can be recorded only once they have it")))


class ClosedForComments(IllegalTransition):
    """The envelope is no longer open: comments cannot be added to it here."""

    def __init__(self, state: str) -> None:
        self.action = "comment on"
        self.state = state
        WorkflowError.__init__(self, f"this plan is {state}; comments can no longer be "
                                     "added to it here")


class UnknownSigner(WorkflowError):
    def __init__(self, signer_id: str) -> None:
        self.signer_id = signer_id
        super().__init__(Wording(N_("no such signer on this envelope")))


class InvalidInput(WorkflowError):
    """Input the action cannot take; names the field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message  # for a person, beside the field; str() names the field
        super().__init__(f"{field}: {message}")

    @property
    def errors(self) -> dict[str, str]:
        """Each refused field's message, by field: a page shows each beside its field."""
        return {self.field: self.message}


class InvalidFields(InvalidInput):
    """Several fields of one form refused at once, so the signer hears of every problem
    in one go, not one per try. Still an :class:`InvalidInput`: ``field`` and
    ``message`` are the first problem's, and ``str()`` names them all."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        if not errors:
            raise ValueError("InvalidFields needs at least one refused field")
        self._errors = dict(errors)
        self.field, self.message = next(iter(self._errors.items()))
        WorkflowError.__init__(self, "; ".join(f"{name}: {message}"
                                               for name, message in self._errors.items()))

    @property
    def errors(self) -> dict[str, str]:
        return dict(self._errors)


class CommentLimitReached(InvalidInput):
    """One more comment would take the signer past what one signer may send: a number
    of comments, or their characters in all. Names the field, so callers treat it as
    any refused input (422) and give the typed text back."""

    def __init__(self, signer_id: str, message: str) -> None:
        self.signer_id = signer_id
        super().__init__("comment", message)


# -- data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    id: str
    role: Role
    name: str
    email: str
    order: int
    state: SignerState = SignerState.WAITING
    decided_at: dt.datetime | None = None

    @property
    def done(self) -> bool:
        return self.state in DONE_STATES


@dataclass(frozen=True)
class Envelope:
    id: str
    state: EnvelopeState
    signers: tuple[Signer, ...]
    expires_at: dt.datetime | None = None
    # After a recorded refusal: the employee may comment until then, and the envelope
    # does not complete before it.
    comments_until: dt.datetime | None = None

    def signer(self, signer_id: str) -> Signer:
        for signer in self.signers:
            if signer.id == signer_id:
                return signer
        raise UnknownSigner(signer_id)

    @property
    def all_done(self) -> bool:
        return all(s.done for s in self.signers)

    def comments_open(self, now: dt.datetime) -> bool:
        """Whether a recorded refusal's comment window is still open at ``now``."""
        return self.comments_until is not None and now < self.comments_until

    @property
    def current_order(self) -> int | None:
        """The lowest routing order with a signer not yet done; None when all are done."""
        pending = [s.order for s in self.signers if not s.done]
        return min(pending) if pending else None


@dataclass(frozen=True)
class Event:
    """What happened, for the audit trail; the caller adds actor, IP, time and hashes."""

    type: str
    signer_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Effect:
    """A side effect to put in the outbox: an email, a webhook, finalizing."""

    kind: str
    name: str
    signer_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # The event of the same step this effect tells of (a notice quoting a comment): the
    # caller puts that event's audit seq in the outbox row, as ``seq``.
    about: Event | None = field(default=None, compare=False)


@dataclass(frozen=True)
class CommentLimits:
    """What one signer may send as comments without deciding (``comment``): so many, of
    so many characters in all. Each comment's own limit is MAX_COMMENT_CHARS."""

    count: int = 20
    chars: int = 100_000


@dataclass(frozen=True)
class Step:
    envelope: Envelope
    events: tuple[Event, ...]
    effects: tuple[Effect, ...]


# -- helpers --------------------------------------------------------------------------


def _with_signer(envelope: Envelope, signer: Signer) -> Envelope:
    return replace(envelope, signers=tuple(signer if s.id == signer.id else s
                                           for s in envelope.signers))


def _require(envelope: Envelope, action: str, *states: EnvelopeState) -> None:
    if envelope.state not in states:
        raise IllegalTransition(action, envelope.state)


def _open_signer(envelope: Envelope, signer_id: str, action: str) -> Signer:
    """The signer, checked to be able to act now. A signer who already decided hears
    that first, whatever became of the envelope since (a replayed or second submit)."""
    signer = envelope.signer(signer_id)
    if signer.done:
        raise AlreadyDone(signer.id, signer.state)
    _require(envelope, action, EnvelopeState.SENT)
    if signer.state is SignerState.WAITING:
        raise NotYourTurn(signer.id)
    return signer


_P = ParamSpec("_P")
_T = TypeVar("_T")


class _FormChecks:
    """The fields of one form, each checked by its own rule, every problem kept:
    :meth:`finish` refuses them together (:class:`InvalidFields`)."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def run(self, check: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T | None:
        """``check``'s value, or None if it refused its field (kept for :meth:`finish`)."""
        try:
            return check(*args, **kwargs)
        except InvalidInput as exc:
            for name, message in exc.errors.items():
                self.errors.setdefault(name, message)
            return None

    def finish(self) -> None:
        if self.errors:
            raise InvalidFields(self.errors)


def _with_zone(data: dict[str, Any], timezone: str | None) -> dict[str, Any]:
    """``data`` with the signer's browser zone, if it is one (the record then shows
    their acts at their own time); a zone that is not one is left out."""
    zone = valid_timezone(timezone)
    return {**data, "timezone": zone} if zone else data


def _check_comment(text: str | None, field_name: str = "comment") -> str | None:
    if text is None:
        return None
    if "\x00" in text:
        raise InvalidInput(field_name, Wording(N_("This contains a NUL character; remove "
                                                  "it.")))
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidInput(field_name, Wording.counted(NN_(
            "This is %(count)s character long; the limit is %(most)s.",
            "This is %(count)s characters long; the limit is %(most)s."),
            len(text), most=MAX_COMMENT_CHARS))
    return text if text.strip() else None


def _notify_order(envelope: Envelope, order: int) -> tuple[Envelope, list[Event], list[Effect]]:
    events, effects = [], []
    for signer in envelope.signers:
        if signer.order == order and signer.state is SignerState.WAITING:
            envelope = _with_signer(envelope, replace(signer, state=SignerState.NOTIFIED))
            events.append(Event(EventType.SIGNER_NOTIFIED, signer.id))
            effects.append(Effect("email", "invitation", signer.id))
    return envelope, events, effects


def _advance(envelope: Envelope, now: dt.datetime) -> tuple[Envelope, list[Event],
                                                             list[Effect]]:
    """After a signer is done: notify the next routing order, or complete the envelope
    (unless a recorded refusal's comment window is still open: the sweep completes it)."""
    order = envelope.current_order
    if order is None:
        if envelope.comments_open(now):
            return envelope, [], []
        return _complete(envelope, {})
    if any(s.order == order and s.state is not SignerState.WAITING for s in envelope.signers):
        return envelope, [], []
    return _notify_order(envelope, order)


# -- actions --------------------------------------------------------------------------


def send(envelope: Envelope, *, now: dt.datetime, expires_in: dt.timedelta,
         working_day: WorkingDay | None = None) -> Step:
    """Send a draft: the first routing order is notified. With ``working_day`` (what
    sending a plan always gives) the deadline is the end of a working day in the
    signer's zone (:mod:`signing.domain.working_day`); without, ``now + expires_in``."""
    _require(envelope, "send", EnvelopeState.DRAFT)
    if not envelope.signers:
        raise InvalidInput("signers", "an envelope needs at least one signer")
    if not any(s.role is Role.EMPLOYEE for s in envelope.signers):
        raise InvalidInput("signers", "the employee must be one of the signers")
    expires_at = (now + expires_in if working_day is None
                  else deadline(now, expires_in, working_day).astimezone(now.tzinfo))
    sent = replace(envelope, state=EnvelopeState.SENT, expires_at=expires_at)
    first = min(s.order for s in sent.signers)
    sent, events, effects = _notify_order(sent, first)
    return Step(sent, (Event(EventType.ENVELOPE_SENT, data={"expires_at": expires_at.isoformat()}),
                       *events), (*effects, Effect("webhook", EventType.ENVELOPE_SENT),
                                  *_updates(sent, SENT_UPDATE)))


def is_first_view(envelope_state: str, signer_state: str) -> bool:
    """Whether opening the plan now is a view worth recording: callers check this
    before taking a write lock that :func:`view` would most often not need."""
    return envelope_state == EnvelopeState.SENT and signer_state == SignerState.NOTIFIED


def view(envelope: Envelope, signer_id: str, *, now: dt.datetime) -> Step:
    """The signer opened the plan. Viewing again, after deciding, or once the envelope
    is closed records nothing new: the page shows the outcome instead."""
    signer = envelope.signer(signer_id)
    if not is_first_view(envelope.state, signer.state):
        return Step(envelope, (), ())
    viewed = _with_signer(envelope, replace(signer, state=SignerState.VIEWED))
    return Step(viewed, (Event(EventType.SIGNER_VIEWED, signer.id),),
                (Effect("webhook", EventType.SIGNER_VIEWED, signer.id),))


def _check_role(signer: Signer, action: str, *roles: Role) -> None:
    """Each role acts in its own words: refuse, with a message that says what this
    signer can do instead, an action that is another role's."""
    if signer.role in roles:
        return
    raise WrongRole(signer.id, Wording(_WRONG_ROLE[action, signer.role]))


# What a signer is told who tried another role's action (``action`` as the actions name
# it to _check_role), one whole sentence per action and role, so each language words it.
_WRONG_ROLE: dict[tuple[str, Role], str] = {
    ("confirm", Role.EMPLOYEE): N_(
        "only the manager and HR confirm the plan; as the employee, you can acknowledge "
        "it, refuse to sign it, or comment on it"),
    ("decline", Role.EMPLOYEE): N_(
        "only the manager and HR decline the plan; as the employee, you can acknowledge "
        "it, refuse to sign it, or comment on it"),
    ("acknowledge", Role.MANAGER): N_(
        "only the employee can acknowledge the plan; as the manager, you can confirm it "
        "or decline to sign it"),
    ("acknowledge", Role.HR): N_(
        "only the employee can acknowledge the plan; as the HR signer, you can confirm it "
        "or decline to sign it"),
    ("refuse to sign", Role.MANAGER): N_(
        "only the employee can refuse to sign the plan; as the manager, you can confirm "
        "it or decline to sign it"),
    ("refuse to sign", Role.HR): N_(
        "only the employee can refuse to sign the plan; as the HR signer, you can confirm "
        "it or decline to sign it"),
    ("comment on", Role.MANAGER): N_(
        "only the employee can comment on the plan; as the manager, you can confirm it "
        "or decline to sign it"),
    ("comment on", Role.HR): N_(
        "only the employee can comment on the plan; as the HR signer, you can confirm it "
        "or decline to sign it"),
    **dict.fromkeys([("record that the employee refused to sign", Role.EMPLOYEE),
                     ("record that the employee refused to sign", Role.HR)], N_(
        "only the employee's manager can record that the employee refused to sign")),
}


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def valid_timezone(name: str | None) -> str | None:
    """``name`` if it is an IANA time zone this machine knows (what a browser reports),
    else None: a zone the signer's browser sent is a fact worth keeping, not an input
    worth refusing a signature for."""
    if not name or len(name) > 64:
        return None
    name = name.strip()
    return name if name in _time_zones() else None


def _signature(checks: _FormChecks, signer: Signer, *, typed_name: str, consent: bool,
               name_differs: bool, verb: str) -> dict[str, Any]:
    """The typed name and consent of a signature, each checked, as event data; the data
    holds only once ``checks`` has finished without a problem."""
    data = checks.run(_typed_name, signer, typed_name=typed_name, name_differs=name_differs,
                      verb=verb) or {}
    checks.run(_consent_given, consent)
    return {**data, "consent": True}


def _consent_given(consent: bool) -> None:
    if not consent:
        raise InvalidInput("consent", Wording(N_("Tick the box to agree to sign "
                                                 "electronically, or ask HR for a paper "
                                                 "copy.")))


def _typed_name(signer: Signer, *, typed_name: str, name_differs: bool,
                verb: str) -> dict[str, Any]:
    """The typed name, as event data. It is the signer's name on record, give or take
    case, accents and the spaces and punctuation between words, unless the signer says
    their legal name differs (which is recorded, and HR are told)."""
    typed = " ".join(typed_name.split())
    if not typed:
        raise InvalidInput("typed_name", Wording(_NAME_MISSING[verb]))
    if any(unicodedata.category(c) == "Cc" for c in typed):
        raise InvalidInput("typed_name", Wording(N_("This contains control characters; "
                                                    "type your name only.")))
    if len(typed) > MAX_NAME_CHARS:
        raise InvalidInput("typed_name", Wording.counted(NN_(
            "This is %(count)s character long; the limit is %(most)s.",
            "This is %(count)s characters long; the limit is %(most)s."),
            len(typed), most=MAX_NAME_CHARS))
    data: dict[str, Any] = {"typed_name": typed}
    if not same_name(typed, signer.name):
        if not name_differs:
            raise InvalidInput("typed_name", Wording(N_(
                'The name you typed does not match the name on this plan, "%(name)s". '
                "Type your name as it appears there. If your legal name is different, tick "
                '"My legal name differs from the name on this plan" and sign with your '
                "legal name; HR will be told."), name=signer.name))
        data.update(name_differs=True, name_on_record=signer.name)
    return data


# A signature without a typed name, by what the signer was doing (``verb``).
_NAME_MISSING = {"acknowledge": N_("Type your full name to acknowledge the plan."),
                 "confirm": N_("Type your full name to confirm the plan.")}


def _signed(envelope: Envelope, signer: Signer, *, event_type: EventType, state: SignerState,
            data: dict[str, Any], statement: str, consent_text: str | None,
            timezone: str | None, now: dt.datetime) -> tuple[Envelope, list[Event],
                                                              list[Effect]]:
    """A signature recorded: the signer done, the words they were shown, their zone."""
    data = {**data, "statement": statement}
    if consent_text:
        data["consent_text"] = consent_text
    data = _with_zone(data, timezone)
    signed = Event(event_type, signer.id, data)
    effects = [Effect("webhook", event_type, signer.id)]
    if data.get("name_differs"):
        effects.append(Effect("email", "hr_notice_name_differs", signer.id, about=signed))
    done = replace(signer, state=state, decided_at=now)
    return _with_signer(envelope, done), [signed], effects


def acknowledge(envelope: Envelope, signer_id: str, *, typed_name: str, consent: bool,
                statement: str, consent_text: str | None = None, comment: str | None = None,
                name_differs: bool = False, timezone: str | None = None,
                now: dt.datetime) -> Step:
    """The employee acknowledges: receipt and understanding, not agreement.
    ``statement`` and ``consent_text`` are the words the signer was shown, recorded as
    they were; ``timezone`` is the zone their browser reported (the caller falls back to
    the plan's), recorded so that the record can show their local time."""
    signer = _open_signer(envelope, signer_id, "acknowledge")
    _check_role(signer, "acknowledge", Role.EMPLOYEE)
    checks = _FormChecks()
    data = _signature(checks, signer, typed_name=typed_name, consent=consent,
                      name_differs=name_differs, verb="acknowledge")
    comment = checks.run(_check_comment, comment)
    checks.finish()
    envelope, events, effects = _signed(
        envelope, signer, event_type=EventType.SIGNER_ACKNOWLEDGED,
        state=SignerState.ACKNOWLEDGED, data=data, statement=statement,
        consent_text=consent_text, timezone=timezone, now=now)
    if comment:
        commented = Event(EventType.SIGNER_COMMENTED, signer.id,
                          _with_zone({"comment": comment}, timezone))
        events.append(commented)
        effects += [Effect("email", "hr_notice_comment", signer.id, about=commented),
                    Effect("webhook", EventType.SIGNER_COMMENTED, signer.id)]
    step = _finish(envelope, events, effects, now)
    if step.envelope.state is EnvelopeState.COMPLETED:
        return step  # the completion's update says it all: one email, not two at once
    return replace(step, effects=(*step.effects, *_updates(envelope, ACKNOWLEDGED_UPDATE)))


def confirm(envelope: Envelope, signer_id: str, *, typed_name: str, consent: bool,
            statement: str, consent_text: str | None = None, name_differs: bool = False,
            timezone: str | None = None, now: dt.datetime) -> Step:
    """The manager or HR sign the plan: they confirm what ``statement`` (their role's
    words) says. Recorded as :func:`acknowledge` records the employee's signature."""
    signer = _open_signer(envelope, signer_id, "confirm")
    _check_role(signer, "confirm", Role.MANAGER, Role.HR)
    checks = _FormChecks()
    data = _signature(checks, signer, typed_name=typed_name, consent=consent,
                      name_differs=name_differs, verb="confirm")
    checks.finish()
    envelope, events, effects = _signed(
        envelope, signer, event_type=EventType.SIGNER_CONFIRMED, state=SignerState.CONFIRMED,
        data=data, statement=statement, consent_text=consent_text, timezone=timezone,
        now=now)
    return _finish(envelope, events, effects, now)


def decline(envelope: Envelope, signer_id: str, *, reason: str | None,
            timezone: str | None = None, now: dt.datetime) -> Step:
    """The manager or HR will not sign, for ``reason``: the plan is stopped. The envelope
    is voided with a reason that names who declined; HR are told, and so is every other
    signer who was sent the plan (their links stop working). ``timezone`` is the zone
    their browser reported, recorded as with a signature."""
    signer = _open_signer(envelope, signer_id, "decline")
    _check_role(signer, "decline", Role.MANAGER, Role.HR)
    checks = _FormChecks()
    checked = checks.run(_decline_reason, reason) or ""  # "": refused by finish()
    checks.finish()
    declined = Event(EventType.SIGNER_DECLINED, signer.id,
                     _with_zone({"reason": checked}, timezone))
    done = _with_signer(envelope, replace(signer, state=SignerState.DECLINED, decided_at=now))
    role = "HR" if signer.role is Role.HR else signer.role.value
    voided = Event(EventType.ENVELOPE_VOIDED, data={
        "reason": f"declined by {role} {signer.name}: {checked.strip()}",
        "declined_by": signer.id})
    told = [s for s in envelope.signers if s.id != signer.id and s.state is not
            SignerState.WAITING]
    return Step(replace(done, state=EnvelopeState.VOIDED), (declined, voided), (
        Effect("email", "hr_notice_decline", signer.id, about=declined),
        Effect("webhook", EventType.SIGNER_DECLINED, signer.id),
        *(Effect("email", "voided", s.id) for s in told),
        Effect("webhook", EventType.ENVELOPE_VOIDED),
        # The withdrawn plan is sealed and archived too, with what was said before.
        Effect("finalize", "finalize")))


def _decline_reason(reason: str | None) -> str:
    checked = _check_comment(reason, "reason")
    if checked is None:
        raise InvalidInput("reason", Wording(N_("Say why you are declining to sign. HR will "
                                                "read it and the plan will be stopped.")))
    return checked


def refuse(envelope: Envelope, signer_id: str, *, reason: str | None = None,
           confirmed: bool = False, timezone: str | None = None, now: dt.datetime) -> Step:
    """The employee refuses to sign, having confirmed they understand that the plan
    still takes effect and that the refusal is recorded. ``timezone`` is the zone their
    browser reported, recorded as with a signature (the record shows their local time)."""
    signer = _open_signer(envelope, signer_id, "refuse")
    _check_role(signer, "refuse to sign", Role.EMPLOYEE)
    checks = _FormChecks()
    reason = checks.run(_check_comment, reason, "reason")
    checks.run(_refusal_confirmed, confirmed)
    checks.finish()
    return _refused(envelope, signer, _with_zone({"reason": reason} if reason else {},
                                                 timezone), now=now)


def _refusal_confirmed(confirmed: bool) -> None:
    if not confirmed:
        raise InvalidInput("confirm_refusal", Wording(N_(
            "Tick the box to confirm that you understand the plan still takes effect and "
            "your refusal will be recorded.")))


def record_refusal(envelope: Envelope, signer_id: str, *, witness: str, meeting_at: str,
                   meeting_place: str | None = None, timezone: str | None = None,
                   reason: str | None = None, confirmed: bool = False,
                   comment_days: int = DEFAULT_REFUSAL_COMMENT_DAYS,
                   now: dt.datetime) -> Step:
    """The manager (``signer_id``) records that the employee refused to sign in a
    meeting, before ``witness``. Only once the employee has been sent the plan and while
    they have not answered; the witness, a full name, is neither the manager nor the
    employee. ``meeting_at`` is when the meeting was, as a ``datetime-local`` input gives
    it ("2026-12-04T14:30"), in ``timezone`` (the recorder's browser's, else the
    caller's fallback; UTC if neither); it is not in the future and not more than
    :data:`MEETING_MAX_AGE` ago. ``reason`` is what the manager recorded the employee as
    saying. The employee is told by email and may comment for ``comment_days`` days
    (``comments_until``), before which the envelope does not complete."""
    recorder = envelope.signer(signer_id)
    _check_role(recorder, "record that the employee refused to sign", Role.MANAGER)
    employee = next(s for s in envelope.signers if s.role is Role.EMPLOYEE)
    if employee.done:
        raise AlreadyDone(employee.id, employee.state)
    _require(envelope, "record a refusal on", EnvelopeState.SENT)
    if employee.state not in ASKED_STATES:
        raise NotYetSent(employee.id)
    zone_name = valid_timezone(timezone) or "UTC"
    meeting = _meeting_time(meeting_at, zone_name, now=now)
    place = _meeting_place(meeting_place)
    named = _witness(witness, recorder=recorder, employee=employee)
    reason = _check_comment(reason, "reason")
    if not confirmed:
        raise InvalidInput("confirm_record", Wording(N_(
            "Tick the box to confirm that %(name)s refused to sign in front of the "
            "witness."), name=employee.name))
    data: dict[str, Any] = {"recorded_by": recorder.id, "witness": named, "confirmed": True,
                            "meeting_at": meeting.isoformat(), "timezone": zone_name}
    if place:
        data["meeting_place"] = place
    if reason:
        data["reason"] = reason
    window = replace(envelope, comments_until=now + dt.timedelta(days=max(comment_days, 0)))
    return _refused(window, employee, data, now=now)


def _meeting_time(text: str | None, zone_name: str, *, now: dt.datetime) -> dt.datetime:
    """The meeting's time from a ``datetime-local`` value, as an aware time in the zone."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput("meeting_at", Wording(N_(
            "Give the date and time of the meeting in which the employee refused to "
            "sign.")))
    try:
        local = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput("meeting_at", Wording(N_(
            "Give the meeting's date and time as a date and a time, for example "
            "2026-12-04 14:30."))) from None
    if local.tzinfo is not None:
        local = local.replace(tzinfo=None)  # a datetime-local value has no zone: ours is given
    meeting = local.replace(tzinfo=zoneinfo.ZoneInfo(zone_name), second=0, microsecond=0)
    if meeting > now:
        raise InvalidInput("meeting_at", Wording(N_(
            "The meeting's date and time are in the future; give when the meeting took "
            "place.")))
    if meeting < now - MEETING_MAX_AGE:
        raise InvalidInput("meeting_at", Wording.counted(NN_(
            "The meeting was more than %(count)s day ago; a refusal is recorded soon after "
            "the meeting. Check the date, or ask HR.",
            "The meeting was more than %(count)s days ago; a refusal is recorded soon after "
            "the meeting. Check the date, or ask HR."), MEETING_MAX_AGE.days))
    return meeting


def _meeting_place(text: str | None) -> str | None:
    place = " ".join((text or "").split())
    if any(unicodedata.category(c) == "Cc" for c in place) or len(place) > MAX_PLACE_CHARS:
        raise InvalidInput("meeting_place", Wording.counted(NN_(
            "Give the place in at most %(count)s character, on one line.",
            "Give the place in at most %(count)s characters, on one line."),
            MAX_PLACE_CHARS))
    return place or None


def _witness(witness: str | None, *, recorder: Signer, employee: Signer) -> str:
    named = " ".join((witness or "").split())
    if not named:
        raise InvalidInput("witness", Wording(N_("Name the witness who saw the employee "
                                                 "refuse to sign.")))
    if any(unicodedata.category(c) == "Cc" for c in named) or len(named) > MAX_NAME_CHARS:
        raise InvalidInput("witness", Wording.counted(NN_(
            "Type the witness's full name only (at most %(count)s character).",
            "Type the witness's full name only (at most %(count)s characters)."),
            MAX_NAME_CHARS))
    if same_name(named, recorder.name):
        raise InvalidInput("witness", Wording(N_("You cannot witness a refusal you record: "
                                                 "name someone else who was present.")))
    if same_name(named, employee.name):
        raise InvalidInput("witness", Wording(N_("The employee cannot witness their own "
                                                 "refusal: name someone else who was "
                                                 "present.")))
    if len(named.split()) < 2:
        raise InvalidInput("witness", Wording(N_("Give the witness's full name, first name "
                                                 "and surname, so the record says who they "
                                                 "are.")))
    return named


def _refused(envelope: Envelope, employee: Signer, data: dict[str, Any], *,
             now: dt.datetime) -> Step:
    done = replace(employee, state=SignerState.REFUSED, decided_at=now)
    refused = Event(EventType.SIGNER_REFUSED, employee.id, data)
    effects = [Effect("email", "hr_notice_refusal", employee.id, about=refused),
               Effect("webhook", EventType.SIGNER_REFUSED, employee.id)]
    step = _finish(_with_signer(envelope, done), [refused], effects, now)
    if "recorded_by" not in data:
        return step
    # The employee hears of it, and until when their link takes comments.
    told_data: dict[str, Any] = {"can_comment": step.envelope.state is EnvelopeState.SENT}
    if told_data["can_comment"] and step.envelope.comments_until is not None:
        told_data["comments_until"] = step.envelope.comments_until.isoformat()
    told = Effect("email", "refusal_recorded", employee.id, told_data, about=refused)
    return replace(step, effects=(*step.effects[:2], told, *step.effects[2:]))


def document_opened(envelope: Envelope, signer_id: str, *, download: bool,
                    now: dt.datetime) -> Step:
    """The signer opened, or downloaded, the plan's full PDF. Recorded while the
    envelope is open, whether or not the signer has decided; afterwards the file is
    only served (the record is made, and this is no longer part of signing it)."""
    signer = envelope.signer(signer_id)
    if envelope.state is not EnvelopeState.SENT or signer.state is SignerState.WAITING:
        return Step(envelope, (), ())
    return Step(envelope, (Event(EventType.SIGNER_DOCUMENT_OPENED, signer.id,
                                 {"download": bool(download)}),),
                (Effect("webhook", EventType.SIGNER_DOCUMENT_OPENED, signer.id),))


def comment(envelope: Envelope, signer_id: str, *, text: str, now: dt.datetime,
            submission: str | None = None,
            earlier_submissions: frozenset[str] = frozenset(), earlier_count: int = 0,
            earlier_chars: int = 0, limits: CommentLimits = CommentLimits(),
            timezone: str | None = None) -> Step:
    """The employee's comments, before or after deciding, while the envelope is open:
    recorded, HR told, the link stays open.

    ``submission`` names this sending of the form (the page makes a new one each time it
    is shown); one among ``earlier_submissions``, those of the signer's comments already
    recorded, is a double click or a replay and changes nothing. ``earlier_count`` and
    ``earlier_chars`` are how many comments the signer has sent and their length: past
    ``limits`` the comment is refused (each one is an email to HR and pages of the final
    record). A comment given with an acknowledgement is never refused for them: a signer
    may always decide. ``timezone`` is the zone the signer's browser reported.
    """
    signer = envelope.signer(signer_id)
    _check_role(signer, "comment on", Role.EMPLOYEE)
    submission = submission[:64] if submission else None  # an id, kept to an id's length
    if submission is not None and submission in earlier_submissions:
        raise AlreadyRecorded(signer.id)
    if envelope.state not in OPEN_STATES:
        raise ClosedForComments(envelope.state)
    _require(envelope, "comment on", EnvelopeState.SENT)
    if signer.state is SignerState.WAITING:
        raise NotYourTurn(signer.id)
    checks = _FormChecks()
    checked = checks.run(_comment_text, text) or ""  # "": refused by finish()
    checks.finish()
    _check_comment_limits(signer.id, len(checked), earlier_count, earlier_chars, limits)
    data: dict[str, Any] = {"comment": checked}
    if submission is not None:
        data["submission"] = submission
    data = _with_zone(data, timezone)
    commented = Event(EventType.SIGNER_COMMENTED, signer.id, data)
    return Step(envelope, (commented,),
                (Effect("email", "hr_notice_comment", signer.id, about=commented),
                 Effect("webhook", EventType.SIGNER_COMMENTED, signer.id)))


def _comment_text(text: str) -> str:
    checked = _check_comment(text)
    if checked is None:
        raise InvalidInput("comment", Wording(N_("Write a comment first.")))
    return checked


def _check_comment_limits(signer_id: str, length: int, earlier_count: int,
                          earlier_chars: int, limits: CommentLimits) -> None:
    # The sentence's form follows the number of comments sent (``count``).
    if earlier_count >= limits.count:
        raise CommentLimitReached(signer_id, Wording.counted(NN_(
            "You have sent %(count)s comment on this plan, the most one person may send "
            "here (%(most)s). This comment was not sent. To add more, contact HR directly.",
            "You have sent %(count)s comments on this plan, the most one person may send "
            "here (%(most)s). This comment was not sent. To add more, contact HR directly."),
            earlier_count, most=limits.count))
    if earlier_chars + length > limits.chars:
        raise CommentLimitReached(signer_id, Wording.counted(NN_(
            "You have sent %(count)s comment on this plan, %(chars)s characters in all; one "
            "person may send at most %(most)s characters of comments here, and this "
            "comment has %(length)s (%(left)s left). This comment was not sent. Shorten "
            "it, or contact HR directly.",
            "You have sent %(count)s comments on this plan, %(chars)s characters in all; "
            "one person may send at most %(most)s characters of comments here, and this "
            "comment has %(length)s (%(left)s left). This comment was not sent. Shorten "
            "it, or contact HR directly."),
            earlier_count, chars=earlier_chars, most=limits.chars, length=length,
            left=max(limits.chars - earlier_chars, 0)))


def remind(envelope: Envelope, *, now: dt.datetime) -> Step:
    """Remind every signer who has been asked and has not decided."""
    _require(envelope, "remind", EnvelopeState.SENT)
    pending = [s for s in envelope.signers
               if s.state in (SignerState.NOTIFIED, SignerState.VIEWED)]
    return Step(envelope, tuple(Event(EventType.SIGNER_REMINDED, s.id) for s in pending),
                tuple(Effect("email", "reminder", s.id) for s in pending))


def resend(envelope: Envelope, signer_id: str, *, email: str | None = None,
           now: dt.datetime) -> Step:
    """A new link for a signer who is waiting on one; the old link is revoked by the
    caller (a new nonce), which the ``signer.link_reissued`` event records. With
    ``email``, a corrected address: the signer's address becomes it (the invitation goes
    there, and every later email), and the event records both addresses."""
    signer = _open_signer(envelope, signer_id, "resend")
    data: dict[str, Any] = {}
    corrected = _corrected_email(email, signer)
    if corrected is not None:
        data = {"email": corrected, "previous_email": signer.email}
        envelope = _with_signer(envelope, replace(signer, email=corrected))
    return Step(envelope, (Event(EventType.SIGNER_LINK_REISSUED, signer.id, data),),
                (Effect("email", "invitation", signer.id),))


def _corrected_email(email: str | None, signer: Signer) -> str | None:
    """A corrected address, checked by the plan's rule for addresses; None when none is
    given or it is the address already held (nothing to correct)."""
    text = (email or "").strip()
    if not text or text.casefold() == signer.email.casefold():
        return None
    from docgen.model import address_problem  # the plan's one rule; docgen is slow to import

    problem = address_problem(text)
    if problem:
        # Words (docgen.words): the console shows them in its reader's language.
        raise InvalidInput("email", problem.sentence())
    return text


def remind_now(envelope: Envelope, *, now: dt.datetime) -> Step:
    """HR remind, at once, every signer who has been sent the plan and has not answered
    (the worker reminds on a schedule: :func:`remind`). Refused, naming why, when no one
    is waiting: an empty reminder would record nothing and tell no one."""
    _require(envelope, "remind the signers of", EnvelopeState.SENT)
    if not any(s.state in ASKED_STATES for s in envelope.signers):
        raise InvalidInput("signers", Wording(N_("No signer is waiting to answer just now: "
                                                 "the next one is sent the plan when the "
                                                 "one before answers.")))
    return remind(envelope, now=now)


def delivery_failed(envelope: Envelope, signer_id: str, *, message: str, error: str,
                    now: dt.datetime) -> Step:
    """An email to a signer could not be delivered and will not be retried. Recorded in
    any state (a "your copy" can fail after completion) and HR are told, so they can
    check the address and resend; nothing else changes."""
    signer = envelope.signer(signer_id)
    data = {"message": message, "error": " ".join(error.split())[:500]}
    return Step(envelope, (Event(EventType.EMAIL_FAILED, signer.id, data),),
                (Effect("email", "hr_notice_undeliverable", signer.id, data),))


# What the mail provider reports about an email to a signer, as audit event types.
EMAIL_EVENTS = {"delivered": EventType.EMAIL_DELIVERED, "open": EventType.EMAIL_OPENED,
                "bounce": EventType.EMAIL_BOUNCED, "dropped": EventType.EMAIL_DROPPED}


def email_event(envelope: Envelope, signer_id: str, *, kind: str, message: str,
                occurred_at: dt.datetime, reason: str | None = None,
                now: dt.datetime) -> Step:
    """The mail provider reports what became of an email to a signer. Recorded in any
    state; a bounce or a drop also tells HR and the endpoints that follow the plan."""
    if kind not in EMAIL_EVENTS:
        raise InvalidInput("kind", f"not an email event plansign records: {kind}")
    signer = envelope.signer(signer_id)
    data: dict[str, Any] = {"message": message, "occurred_at": occurred_at.isoformat()}
    effects: tuple[Effect, ...] = ()
    if kind in ("bounce", "dropped"):
        data["reason"] = " ".join((reason or "no reason given").split())[:500]
        effects = (Effect("email", "hr_notice_undeliverable", signer.id,
                          {"message": message, "error": data["reason"]}),
                   Effect("webhook", EventType.EMAIL_BOUNCED, signer.id,
                          {"message": message, "event": kind}))
    return Step(envelope, (Event(EMAIL_EVENTS[kind], signer.id, data),), effects)


def expire(envelope: Envelope, *, now: dt.datetime) -> Step:
    """Past the deadline with signers outstanding: the plan goes ahead, finalized with
    "no response" for them. Not while a recorded refusal's comment window is open, and
    not once every signer is done (that envelope completes: :func:`close_comments`)."""
    _require(envelope, "expire", EnvelopeState.SENT)
    if envelope.expires_at is None or now < envelope.expires_at:
        raise InvalidInput("expires_at", "the envelope has not reached its deadline")
    if envelope.comments_open(now):
        raise InvalidInput("comments_until", "the employee can still comment; the envelope "
                                             "expires once that window has closed")
    if envelope.all_done:
        raise InvalidInput("signers", "every signer is done: the envelope completes, it "
                                      "does not expire")
    silent = [s.id for s in envelope.signers if not s.done]
    expired = replace(envelope, state=EnvelopeState.EXPIRED)
    return Step(expired, (Event(EventType.ENVELOPE_EXPIRED, data={"no_response": silent}),),
                (Effect("finalize", "finalize"), Effect("webhook", EventType.ENVELOPE_EXPIRED)))


def close_comments(envelope: Envelope, *, now: dt.datetime) -> Step:
    """A recorded refusal's comment window has passed and every signer is done: the
    envelope completes, and is finalized with the employee's comments in it."""
    _require(envelope, "close the comments of", EnvelopeState.SENT)
    if envelope.comments_until is None or envelope.comments_open(now):
        raise InvalidInput("comments_until", "the employee's comment window has not closed")
    if not envelope.all_done:
        raise InvalidInput("signers", "signers are still to respond; the envelope completes "
                                      "when the last one does")
    completed, events, effects = _complete(
        envelope, {"comments_closed": envelope.comments_until.isoformat()})
    return Step(completed, tuple(events), tuple(effects))


def void(envelope: Envelope, *, reason: str, now: dt.datetime) -> Step:
    """HR withdraw the envelope; its links stop working."""
    _require(envelope, "void", *OPEN_STATES)
    if not reason.strip():
        raise InvalidInput("reason", Wording(N_("Give a reason: say why the plan is voided "
                                                "(the record keeps it).")))
    told = [s for s in envelope.signers if s.state is not SignerState.WAITING]
    voided = replace(envelope, state=EnvelopeState.VOIDED)
    # A plan that was sent is sealed and archived (outcome voided) with whatever was said
    # before it was withdrawn; a draft never sent has no record to keep.
    archived = ((Effect("finalize", "finalize"),)
                if envelope.state is EnvelopeState.SENT else ())
    return Step(voided, (Event(EventType.ENVELOPE_VOIDED, data={"reason": reason.strip()}),),
                (*(Effect("email", "voided", s.id) for s in told),
                 Effect("webhook", EventType.ENVELOPE_VOIDED), *archived))


def mark_sealed(envelope: Envelope, *, final_sha256: str, now: dt.datetime) -> Step:
    """The final document (stamped and sealed) is made; it is archived next. A voided
    envelope stays voided (its links stay withdrawn, its state says so)."""
    _require(envelope, "seal", EnvelopeState.COMPLETED, EnvelopeState.EXPIRED,
             EnvelopeState.VOIDED)
    state = (EnvelopeState.VOIDED if envelope.state is EnvelopeState.VOIDED
             else EnvelopeState.SEALED)
    return Step(replace(envelope, state=state),
                (Event(EventType.ENVELOPE_SEALED, data={"final_sha256": final_sha256}),), ())


def mark_archived(envelope: Envelope, *, now: dt.datetime,
                  retention: dict[str, Any] | None = None) -> Step:
    """The record is in the archive: every signer who was asked gets their copy, and the
    envelope is complete for those who follow it. A voided envelope's record is archived
    quietly: it stays voided, its signers were told of the withdrawal, and nothing
    completed (they can still ask the records page for it). ``retention``: until when
    it is kept and by which rule, for the trail."""
    _require(envelope, "archive", EnvelopeState.SEALED, EnvelopeState.VOIDED)
    if envelope.state is EnvelopeState.VOIDED:
        return Step(envelope, (Event(EventType.ENVELOPE_ARCHIVED,
                                     data=dict(retention or {})),), ())
    asked = [s for s in envelope.signers if s.state is not SignerState.WAITING]
    return Step(replace(envelope, state=EnvelopeState.ARCHIVED),
                (Event(EventType.ENVELOPE_ARCHIVED, data=dict(retention or {})),),
                (*(Effect("email", "your_copy", s.id) for s in asked),
                 Effect("webhook", EventType.ENVELOPE_COMPLETED)))


def _complete(envelope: Envelope, data: dict[str, Any]) -> tuple[Envelope, list[Event],
                                                                  list[Effect]]:
    envelope = replace(envelope, state=EnvelopeState.COMPLETED)
    # Managers' systems hear of it (envelope.completed) once the record is sealed and
    # archived; the people who follow the plan without signing it, by email now.
    return (envelope, [Event(EventType.ENVELOPE_COMPLETED, data=data)],
            [Effect("finalize", "finalize"), *_updates(envelope, COMPLETED_UPDATE)])


# The plan's news told to those who follow it without signing (the outbox's
# ``manager_update`` and ``hr_update`` emails, each per a setting the mailer reads).
SENT_UPDATE, ACKNOWLEDGED_UPDATE, COMPLETED_UPDATE = "sent", "acknowledged", "completed"


def _updates(envelope: Envelope, about: str) -> list[Effect]:
    """The update emails a step sends: to the manager when they are not a signer (a
    signer hears through their own invitation and copy), of the plan sent,
    acknowledged and completed; to HR of the plan acknowledged, unless an HR signer is
    still to sign (their invitation tells them), and completed, unless HR signed."""
    hr_signers = [s for s in envelope.signers if s.role is Role.HR]
    effects = []
    if not any(s.role is Role.MANAGER for s in envelope.signers):
        effects.append(Effect("email", "manager_update", data={"about": about}))
    if (about == ACKNOWLEDGED_UPDATE and all(s.done for s in hr_signers)) or (
            about == COMPLETED_UPDATE and not hr_signers):
        effects.append(Effect("email", "hr_update", data={"about": about}))
    return effects


def _finish(envelope: Envelope, events: list[Event], effects: list[Effect],
            now: dt.datetime) -> Step:
    envelope, more_events, more_effects = _advance(envelope, now)
    return Step(envelope, (*events, *more_events), (*effects, *more_effects))


class Action(StrEnum):
    """What can be done to an envelope: each is one function of this module."""

    SEND = "send"
    VIEW = "view"
    ACKNOWLEDGE = "acknowledge"
    REFUSE = "refuse"
    COMMENT = "comment"
    CONFIRM = "confirm"
    DECLINE = "decline"
    RECORD_REFUSAL = "record_refusal"
    DOCUMENT_OPENED = "document_opened"
    REMIND = "remind"
    REMIND_NOW = "remind_now"
    RESEND = "resend"
    EXPIRE = "expire"
    CLOSE_COMMENTS = "close_comments"
    VOID = "void"
    DELIVERY_FAILED = "delivery_failed"
    EMAIL_EVENT = "email_event"
    SEAL = "seal"
    ARCHIVE = "archive"


# What a signer does on their page (``POST /sign/<action>``): the employee acknowledges,
# refuses or comments; the manager and HR confirm or decline; the manager records a
# refusal made in a meeting.
SIGNER_ACTIONS = frozenset({Action.ACKNOWLEDGE, Action.REFUSE, Action.COMMENT,
                            Action.CONFIRM, Action.DECLINE, Action.RECORD_REFUSAL})

ACTIONS: dict[Action, Callable[..., Step]] = {
    Action.SEND: send, Action.VIEW: view, Action.ACKNOWLEDGE: acknowledge,
    Action.REFUSE: refuse, Action.COMMENT: comment, Action.CONFIRM: confirm,
    Action.DECLINE: decline, Action.RECORD_REFUSAL: record_refusal,
    Action.DOCUMENT_OPENED: document_opened, Action.REMIND: remind,
    Action.REMIND_NOW: remind_now,
    Action.RESEND: resend, Action.EXPIRE: expire, Action.VOID: void,
    Action.CLOSE_COMMENTS: close_comments,
    Action.DELIVERY_FAILED: delivery_failed, Action.EMAIL_EVENT: email_event,
    Action.SEAL: mark_sealed, Action.ARCHIVE: mark_archived,
}
