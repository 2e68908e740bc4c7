"""The SendGrid Event Webhook: verify a signed batch, read its events, drop duplicates.

SendGrid signs each batch with ECDSA (P-256, SHA-256) over the timestamp header followed
by the raw body, and resends a batch it is unsure we received, so the same event
(``sg_event_id``) can arrive several times. A batch is accepted only when its signature
verifies against the configured public key and its timestamp is recent; each event is
then recorded once. Knows nothing of envelopes: it hands back the custom arguments each
email was sent with, and the caller matches them.
"""

from __future__ import annotations

import binascii
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from sendgrid.helpers.eventwebhook import EventWebhook
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from database import Base, UTCDateTime

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
# What plansign records; SendGrid sends more kinds (processed, deferred, click, ...).
KINDS = frozenset({"delivered", "bounce", "dropped", "open"})
MAX_BATCH_BYTES = 5 * 1024 * 1024


class ProviderEventError(Exception):
    """Base class: a batch that is not accepted. ``status`` is the HTTP answer."""

    status = 400


class UnsignedBatch(ProviderEventError):
    status = 401


class BadSignature(ProviderEventError):
    status = 403


class StaleBatch(ProviderEventError):
    status = 403


class MalformedBatch(ProviderEventError):
    status = 400


@dataclass(frozen=True)
class ProviderEvent:
    event_id: str
    kind: str
    occurred_at: dt.datetime
    custom_args: dict[str, str] = field(default_factory=dict)
    reason: str | None = None  # why a bounce or drop happened, as the provider says it


class ReceivedEvent(Base):
    """Every provider event id seen, so a resent one is recognised and ignored."""

    __tablename__ = "provider_events"

    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SendGridEvents:
    """Verifies and reads batches signed with ``public_key`` (base64 DER, as SendGrid's
    settings page shows it)."""

    def __init__(self, public_key: str, *, max_age: dt.timedelta = dt.timedelta(minutes=10)):
        try:
            self._verifier = EventWebhook(public_key.strip())
        except (ValueError, UnsupportedAlgorithm, binascii.Error) as exc:
            raise ValueError("sendgrid_webhook_public_key is not a public key: paste the "
                             "verification key from SendGrid's Event Webhook settings") from exc
        self.max_age = max_age

    def read(self, body: bytes, *, signature: str | None, timestamp: str | None,
             now: dt.datetime) -> list[ProviderEvent]:
        """The batch's events, once its signature and age check out."""
        if not signature or not timestamp:
            raise UnsignedBatch("the batch is not signed: "
                                f"{SIGNATURE_HEADER} and {TIMESTAMP_HEADER} are required")
        if len(body) > MAX_BATCH_BYTES:
            raise MalformedBatch("the batch is too large")
        try:
            text = body.decode("utf-8")
            valid = self._verifier.verify_signature(text, signature, timestamp)
        except (UnicodeDecodeError, ValueError, binascii.Error):
            valid = False
        if not valid:
            raise BadSignature("the batch's signature does not verify")
        try:
            signed_at = dt.datetime.fromtimestamp(int(timestamp), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise MalformedBatch("the batch's timestamp is not a Unix time") from None
        if abs(now - signed_at) > self.max_age:
            raise StaleBatch(f"the batch was signed at {signed_at:%Y-%m-%d %H:%M:%S} UTC, "
                             f"more than {self.max_age} from now")
        return parse_batch(text)


def parse_batch(text: str) -> list[ProviderEvent]:
    try:
        items = json.loads(text)
    except ValueError:
        raise MalformedBatch("the batch is not JSON") from None
    if not isinstance(items, list):
        raise MalformedBatch("the batch is not a list of events")
    return [event for item in items if (event := _event(item)) is not None]


def _event(item: Any) -> ProviderEvent | None:
    if not isinstance(item, dict) or item.get("event") not in KINDS:
        return None
    event_id, when = item.get("sg_event_id"), item.get("timestamp")
    if not isinstance(event_id, str) or not event_id or len(event_id) > 100:
        return None
    if not isinstance(when, int | float | str):
        return None
    try:
        occurred = dt.datetime.fromtimestamp(int(when), dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    # SendGrid puts custom arguments at the top level of each event, beside its own keys.
    args = {k: v for k, v in item.items() if isinstance(v, str) and len(v) <= 200}
    reason = item.get("reason") or item.get("response")
    return ProviderEvent(event_id, item["event"], occurred, args,
                         str(reason)[:500] if reason else None)


def first_seen(session: Session, events: Sequence[ProviderEvent],
               now: dt.datetime) -> list[ProviderEvent]:
    """The events not recorded before, now recorded; the caller commits. Duplicates within
    the batch count once."""
    ids = {e.event_id for e in events}
    seen = set(session.scalars(select(ReceivedEvent.event_id)
                               .where(ReceivedEvent.event_id.in_(ids)))) if ids else set()
    fresh: list[ProviderEvent] = []
    for event in events:
        if event.event_id in seen:
            continue
        seen.add(event.event_id)
        session.add(ReceivedEvent(event_id=event.event_id, kind=event.kind, received_at=now))
        fresh.append(event)
    session.flush()
    return fresh
