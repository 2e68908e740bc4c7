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
    # The plan's case after its sending (signing.domain.case_service; issue 17).
    CASE_EXTENDED = "case.extended"
    # An extension's amended plan, acknowledged (or not) and sealed, is in the archive.
    CASE_AMENDMENT_ARCHIVED = "case.amendment_archived"
    CASE_CLOSED = "case.closed"
    # The outcome at the end date (signing.domain.case_close): proposed with evidence
    # per goal, returned by HR with a comment or approved (its letter then sent); the
    # sealed case file archived once the case closed.
    CASE_OUTCOME_PROPOSED = "case.outcome_proposed"
    CASE_OUTCOME_RETURNED = "case.outcome_returned"
    CASE_OUTCOME_APPROVED = "case.outcome_approved"
    # HR voided the outcome letter before the employee answered: its record archived,
    # the approved proposal goes back to HR (the case stays open).
    CASE_LETTER_VOIDED = "case.letter_voided"
    CASE_FILE_ARCHIVED = "case.file_archived"
    CHECKIN_RECORDED = "checkin.recorded"
    # A scheduled check-in with no record after the grace period: the manager is
    # reminded (``checkin.missed``, once a meeting), then HR alerted.
    CHECKIN_MISSED = "checkin.missed"
    CHECKIN_HR_ALERTED = "checkin.hr_alerted"
    # The employee's answers to a check-in record: receipt (not agreement), comments,
    # or none within checkin_answer_days.
    CHECKIN_ACKNOWLEDGED = "checkin.acknowledged"
    CHECKIN_COMMENTED = "checkin.commented"
    CHECKIN_UNANSWERED = "checkin.unanswered"
