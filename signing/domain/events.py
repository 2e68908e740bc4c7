"""The audit trail's event types, named once. Webhooks announce some of them under the
same names (:data:`webhooks.EVENT_TYPES`, which a test keeps within these)."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    ENVELOPE_CREATED = "envelope.created"
    ENVELOPE_SENT = "envelope.sent"
    ENVELOPE_COMPLETED = "envelope.completed"
    ENVELOPE_SEALED = "envelope.sealed"
    ENVELOPE_ARCHIVED = "envelope.archived"
    # An archived record's final PDF got a further archive timestamp (a new version).
    ENVELOPE_RETIMESTAMPED = "envelope.retimestamped"
    ENVELOPE_VOIDED = "envelope.voided"
    ENVELOPE_EXPIRED = "envelope.expired"
    SIGNER_NOTIFIED = "signer.notified"
    SIGNER_VIEWED = "signer.viewed"
    SIGNER_ACKNOWLEDGED = "signer.acknowledged"
    SIGNER_CONFIRMED = "signer.confirmed"
    SIGNER_DECLINED = "signer.declined"
    SIGNER_DOCUMENT_OPENED = "signer.document_opened"
    SIGNER_REFUSED = "signer.refused"
    SIGNER_COMMENTED = "signer.commented"
    SIGNER_REMINDED = "signer.reminded"
    SIGNER_LINK_REISSUED = "signer.link_reissued"
    EMAIL_FAILED = "email.failed"
    EMAIL_DELIVERED = "email.delivered"
    EMAIL_OPENED = "email.opened"
    EMAIL_BOUNCED = "email.bounced"
    EMAIL_DROPPED = "email.dropped"
