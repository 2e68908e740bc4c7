"""The event types endpoints may subscribe to: the public contract of what is announced.

The webhooks package delivers whatever event it is given; this list is what endpoints can
ask for, so a typo in a subscription is refused rather than silently never matching.
"""

from __future__ import annotations

from types import MappingProxyType

from webhooks.errors import N_, InvalidInput

EVENT_TYPES = MappingProxyType({
    "envelope.sent": "A plan was sent to its signers.",
    "signer.viewed": "A signer opened the plan for the first time.",
    "signer.document_opened": "A signer opened or downloaded the plan's full PDF (once per "
                              "browser session and kind).",
    "signer.acknowledged": "The employee acknowledged receipt and understanding of the plan.",
    "signer.refused": "The employee refused to sign (or their manager recorded the refusal, "
                      "with a witness).",
    "signer.confirmed": "The manager or HR confirmed the plan (signed it in their role's "
                        "words).",
    "signer.declined": "The manager or HR declined to sign, with a reason; the plan is "
                       "stopped (envelope.voided follows).",
    "signer.commented": "A signer attached written comments.",
    "envelope.completed": "The record is sealed and archived: the final PDF's SHA-256 and "
                          "a short-lived download link.",
    "envelope.expired": "The deadline passed with signers outstanding; the plan goes ahead.",
    "envelope.voided": "The plan was withdrawn: by HR, or because the manager or HR "
                       "declined to sign it (signer.declined comes first).",
    "email.bounced": "An email to a signer bounced or was dropped by the provider.",
    "checkin.recorded": "The manager recorded a check-in meeting of the plan's case (held, "
                        "or missed with a reason).",
    "checkin.missed": "A scheduled check-in has no record after the grace period; the "
                      "manager was reminded (once a meeting).",
    "case.extended": "HR extended the plan's case.",
    "case.closed": "The plan's case closed with an outcome.",
})


def check_event_types(values: object, field: str = "events") -> tuple[str, ...]:
    """The event types, checked and without repeats, in catalogue order."""
    if isinstance(values, str) or not isinstance(values, list | tuple | set | frozenset):
        raise InvalidInput(field, N_("give a list of event types"))
    wanted = set()
    for value in values:
        if not isinstance(value, str) or value not in EVENT_TYPES:
            raise InvalidInput(field, N_("%(value)s is not an event type; choose from "
                                         "%(types)s"), value=repr(value),
                               types=", ".join(EVENT_TYPES))
        wanted.add(value)
    if not wanted:
        raise InvalidInput(field, N_("subscribe to at least one event type"))
    return tuple(name for name in EVENT_TYPES if name in wanted)
