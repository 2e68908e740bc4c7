"""The fixed words of the record, and how times are written in it.

Every time is shown in UTC, with the zone named, because signers, HR and records staff
may sit in different time zones and the record must read the same to all of them.
"""

from __future__ import annotations

import datetime as dt

ROLE_LABELS = {"employee": "Employee", "manager": "Manager", "hr": "HR representative"}
DECISION_LABELS = {
    "acknowledged": "Acknowledged",
    "refused": "Refused to sign",
    "confirmed": "Confirmed",
    "no_response": "No response",
}
OUTCOME_LABELS = {"completed": "Completed", "expired": "Expired"}
# The certificate's rows that tie it to the record; verify reads them back from records
# made before the audit trail was attached (see .attachment).
ENVELOPE_LABEL = "Envelope"
ORIGINAL_LABEL = "Original document SHA-256"
HEAD_LABEL = "Audit trail head hash"


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role.capitalize() if role else "Signer")


def utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def long_time(moment: dt.datetime) -> str:
    """``12 January 2027, 09:14 UTC``: for sentences people read."""
    m = utc(moment)
    return f"{m.day} {m:%B %Y}, {m:%H:%M} UTC"


def short_time(moment: dt.datetime) -> str:
    """``12 Jan 2027, 09:14 UTC``: for the small print beside a signature."""
    m = utc(moment)
    return f"{m.day} {m:%b %Y}, {m:%H:%M} UTC"


def exact_time(moment: dt.datetime) -> str:
    """``2027-01-12 09:14:03 UTC``: to the second, sortable, for the certificate."""
    return f"{utc(moment):%Y-%m-%d %H:%M:%S} UTC"


def long_date(moment: dt.datetime) -> str:
    """``12 January 2027`` (UTC day): as the plan itself writes dates."""
    m = utc(moment)
    return f"{m.day} {m:%B %Y}"


def sentence(text: str) -> str:
    """An event name as a table cell: ``email delivered`` → ``Email delivered``."""
    return text[:1].upper() + text[1:]
