"""A plan's audit trail told as people tell it: who did what, by name, never by id. Pure.

The trail names actors as the system knows them (``person:dana``, ``signer:<id>``,
``apikey:psk_ab12cd34``, ``worker``) and signers by id. :func:`timeline` turns each
record into an :class:`Entry`: what happened (``kind``), who did it and to whom, by
name and role, and the details people need (a reason, a witness, a corrected
address). The page puts each kind into words, through gettext.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from signing.domain.audit import AuditRecord
from signing.domain.events import EventType


@dataclass(frozen=True)
class Who:
    """Someone the timeline names: their name and, where it helps, their role
    (``employee``, ``manager``, ``hr`` for signers; a person's console role; ``api key``,
    ``command line``, ``system``)."""

    name: str
    role: str = ""


SYSTEM = Who("plansign", "system")


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    kind: str
    actor: Who
    signer: Who | None = None
    details: dict[str, Any] = field(default_factory=dict)
    seq: int = 0


# Event types and the kind of entry each makes; a refusal recorded in a meeting, and a
# link sent to a corrected address, get kinds of their own.
_KINDS = {t.value: t.value.replace(".", "_") for t in EventType}

# Details kept from each event's data, by the name the page uses.
_DETAILS = ("reason", "witness", "meeting_at", "meeting_place", "comment", "typed_name",
            "name_on_record", "email", "previous_email", "error", "message", "download",
            "no_response", "expires_at", "template", "meeting", "held_at", "missed_reason")


@dataclass(frozen=True)
class TrailNames:
    """The names a trail needs: signers by id, console people (``person:<username>``)
    and API keys (``apikey:<prefix>``) by actor. :mod:`signing.domain.trail_names`
    looks them up."""

    signers: Mapping[str, Who] = field(default_factory=dict)
    people: Mapping[str, Who] = field(default_factory=dict)
    keys: Mapping[str, str] = field(default_factory=dict)

    def actor(self, actor: str) -> Who:
        return actor_name(actor, signers=self.signers, people=self.people, keys=self.keys)


def timeline(records: Iterable[AuditRecord], names: TrailNames) -> list[Entry]:
    """The trail's records as entries, oldest first, everyone by name."""
    signers = names.signers
    entries = []
    for record in records:
        data = dict(record.data or {})
        signer = signers.get(record.signer_id or "")
        kind = _KINDS.get(record.type, "other")
        details = {name: data[name] for name in _DETAILS if data.get(name) not in (None, "")}
        if record.type == EventType.SIGNER_REFUSED and data.get("recorded_by"):
            kind = "signer_refusal_recorded"
            details["recorded_by"] = signers.get(data["recorded_by"], Who("the manager"))
        if record.type == EventType.SIGNER_LINK_REISSUED and data.get("email"):
            kind = "signer_link_reissued_corrected"
        if record.type == EventType.ENVELOPE_VOIDED and data.get("declined_by"):
            kind = "envelope_voided_declined"
        if record.type == EventType.ENVELOPE_EXPIRED:
            details["no_response"] = [signers[s].name for s in data.get("no_response", ())
                                      if s in signers]
        if kind == "other":
            details["type"] = record.type
        entries.append(Entry(record.at, kind, names.actor(record.actor), signer, details,
                             record.seq))
    return entries


def actor_name(actor: str, *, signers: Mapping[str, Who], people: Mapping[str, Who],
               keys: Mapping[str, str]) -> Who:
    """An audit record's actor by name: a console person by their display name and role,
    a signer by their name and role, an API key by its name, the worker as plansign."""
    scheme, _, rest = actor.partition(":")
    if actor in people:
        return people[actor]
    if scheme == "person":
        return Who(rest, "")
    if scheme == "signer" and rest in signers:
        return signers[rest]
    if scheme == "apikey":
        return Who(keys.get(actor) or rest, "api key")
    if scheme == "cli":
        return Who(rest, "command line")
    if actor == "sendgrid":
        return Who("SendGrid", "email provider")
    if actor in ("worker", "system", ""):
        return SYSTEM
    return Who(actor, "")
