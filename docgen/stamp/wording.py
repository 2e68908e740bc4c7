"""The fixed words of the record, and how times are written in it.

The certificate gives every time exactly, in UTC, so it reads the same to signers, HR
and records staff in any zone. A signature is dated as its signer saw the clock: the
stamp and the acknowledgement page give the signer's local time with the zone named
(an acknowledgement at 21:02 in Chicago is dated that evening, not the next UTC day).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from docgen.stamp.model import Completion, SignerOutcome

ROLE_LABELS = {"employee": "Employee", "manager": "Manager", "hr": "HR representative"}
DECISION_LABELS = {
    "acknowledged": "Acknowledged",
    "refused": "Refused to sign",
    "confirmed": "Confirmed",
    "declined": "Declined to sign",
    "no_response": "No response",
}
OUTCOME_LABELS = {"completed": "Completed", "expired": "Expired",
                  "voided": "Withdrawn (voided)"}
# How each outcome ends a sentence: "the envelope expired", "the plan was withdrawn".
ENDED = {"completed": "was completed", "expired": "expired", "voided": "was withdrawn"}
# The certificate's rows that tie it to the record; verify reads them back from records
# made before the audit trail was attached (see .attachment).
ENVELOPE_LABEL = "Envelope"
ORIGINAL_LABEL = "Original document SHA-256"
HEAD_LABEL = "Audit trail head hash"


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role.capitalize() if role else "Signer")


def outcome_text(completion: Completion, when: str) -> str:
    """The outcome in words, ``when`` written after its label (" on 14 January 2027, ..."):
    a refusal is said, and that it does not stop the plan."""
    text = OUTCOME_LABELS[completion.outcome] + when
    if completion.outcome == "voided":
        # Withdrawn: the plan does not take effect, whatever the employee did.
        reason = (completion.voided_reason or "").strip()
        return f"{text}. The plan was withdrawn and does not take effect" + (
            f". Reason: {reason}" if reason else "")
    if completion.employee_refused:
        # The refusal first: it is what a reader of the record must not miss.
        return f"Refused to sign by the employee; the plan takes effect. {text}"
    return text


NAME_DIFFERS = ("The typed name differs from the name on record; the signer stated "
                "their legal name differs.")
# What a stamp says under a typed name that is not the name on record.
STAMP_NAME_DIFFERS = ("Name on record: {name}; signer states their legal name differs "
                      "(not verified by plansign)")
RECORDED_REFUSAL = "Refusal to sign recorded"
# A refusal's reason: the employee's own, or what the manager wrote down in the meeting.
REASON_LABEL = "Reason given"
RECORDED_REASON_LABEL = "What was recorded as the employee's words"
NOT_ASKED = "Not asked: the plan {ended} before their turn"


def reason_label(signer: SignerOutcome) -> str:
    return RECORDED_REASON_LABEL if signer.refusal_recorded else REASON_LABEL


def not_asked(completion: Completion) -> str:
    """Said of a signer who was never sent the plan."""
    return NOT_ASKED.format(ended=ENDED[completion.outcome])


def decision_label(signer: SignerOutcome, completion: Completion) -> str:
    """The decision in words: who refused, and a signer who was never asked."""
    if signer.refusal_recorded:
        return RECORDED_REFUSAL
    if signer.decision == "no_response" and signer.not_asked:
        return not_asked(completion)
    return DECISION_LABELS[signer.decision]


def recorded_by(signer: SignerOutcome) -> tuple[str, ...]:
    """``("by Jürg Baumann (manager)", "witness Anna Keller")``: who recorded a refusal,
    and before whom (said with commas between)."""
    witness = (f"witness {signer.witness}",) if signer.witness else ()
    return (f"by {signer.recorded_by} (manager)", *witness)


def meeting(signer: SignerOutcome, *, short: bool) -> str | None:
    """``at a meeting on 12 Jan 2027, 10:00 CET, Room 3``, from what the manager entered;
    None when they entered neither time nor place (records made before they could)."""
    place = " ".join((signer.meeting_place or "").split())
    if signer.meeting_at is None:
        return f"at a meeting at {place}" if place else None
    zone = None if _is_utc(signer.timezone) else signer.timezone
    # Without the manager's zone, the time as they entered it, with its own offset.
    m = signer.meeting_at.astimezone(ZoneInfo(zone)) if zone else signer.meeting_at
    month = f"{m:%b}" if short else f"{m:%B}"
    when = f"{m.day} {month} {m:%Y}, {m:%H:%M} {zone_abbreviation(m)}"
    return f"at a meeting on {when}" + (f", {place}" if place else "")


def local(moment: dt.datetime, zone: str | None) -> dt.datetime:
    """``moment`` on the clock of ``zone`` (an IANA name), or in UTC without one."""
    return moment.astimezone(ZoneInfo(zone)) if zone else utc(moment)


def zone_abbreviation(moment: dt.datetime) -> str:
    """``CST``, ``CET``, ``UTC``; ``UTC+03:00`` for a zone whose name is only an offset."""
    name = moment.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = moment.utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _is_utc(zone: str | None) -> bool:
    return zone is None or zone in ("UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu")


def signer_time(moment: dt.datetime, zone: str | None) -> str:
    """``5 December 2026, 21:02 CST (America/Chicago; 6 December 2026, 03:02 UTC)``: for
    the acknowledgement page; just :func:`long_time` when the zone is UTC or unknown."""
    if _is_utc(zone):
        return long_time(moment)
    m = local(moment, zone)
    return (f"{m.day} {m:%B %Y}, {m:%H:%M} {zone_abbreviation(m)} ({zone}; "
            f"{long_time(moment)})")


def signer_short_time(moment: dt.datetime, zone: str | None) -> str:
    """``5 Dec 2026, 21:02 CST``: the small print beside a signature, on its signer's
    clock."""
    m = local(moment, None if _is_utc(zone) else zone)
    return f"{m.day} {m:%b %Y}, {m:%H:%M} {zone_abbreviation(m)}"


def signer_date(moment: dt.datetime, zone: str | None) -> str:
    """``5 December 2026``: the date on the Date: line, the signer's day."""
    m = local(moment, None if _is_utc(zone) else zone)
    return f"{m.day} {m:%B %Y}"


def local_exact(moment: dt.datetime, zone: str) -> str:
    """``2026-12-05 21:02:07 CST (America/Chicago)``: local time on the certificate."""
    m = local(moment, zone)
    return f"{m:%Y-%m-%d %H:%M:%S} {zone_abbreviation(m)} ({zone})"


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
