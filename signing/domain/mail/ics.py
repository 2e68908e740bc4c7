"""The calendar file attached to an invitation: the plan's check-in meetings.

One VEVENT per meeting (:func:`docgen.schedule.schedule_for` gives them), in the time zone
HR chose, with the VTIMEZONE that zone needs, so Outlook reads it as well as Google and
Apple do. ``METHOD:PUBLISH``: the file adds the meetings to the employee's calendar; it is
not a meeting request that asks for replies.

UIDs are derived from a seed (the envelope id) and the meeting's date, so the same plan
gives the same UIDs on every send: importing a resent invitation updates the meetings
instead of adding them twice. The seed is hashed, so the UID carries no plan data.

When HR withdraw the plan, :func:`cancelled_calendar` gives the same meetings, by the same
UIDs, as ``METHOD:CANCEL`` with ``STATUS:CANCELLED`` and a higher ``SEQUENCE``: opening it
takes them out of the calendar again.

When HR extend the plan's case (:mod:`signing.domain.case_extension`), extension N sends
the meetings it adds as :func:`request_calendar` (``METHOD:REQUEST``, organizer and
attendees named, as RFC 5546 wants, ``SEQUENCE:N``) and cancels those a change of
cadence drops with :func:`cancelled_calendar` at ``SEQUENCE:N``: each extension's
revision is newer than the invitation's (0) and than the extension before it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from docgen.languages import names_shown
from docgen.schedule import Meeting
from signing.domain.mail.message import attachment_name
from signing.domain.wording import N_

PRODID = "-//plansign//check-in meetings//EN"
# Each calendar's file name, in the signer's language (:func:`file_name`); the English
# names below are what a message without a catalog attaches.
# Translators: a file name, words joined by hyphens, without an extension.
CHECKINS = N_("check-ins")
# Translators: a file name, words joined by hyphens, without an extension.
CANCELLED = N_("check-ins-cancelled")
# Translators: a file name, words joined by hyphens, without an extension.
ADDED = N_("check-ins-added")
FILENAME = f"{CHECKINS}.ics"
CANCEL_FILENAME = f"{CANCELLED}.ics"
REQUEST_FILENAME = f"{ADDED}.ics"
# The invitation's meetings are revision 0; their cancellation supersedes them.
_SEQUENCE = {"PUBLISH": 0, "CANCEL": 1, "REQUEST": 1}
CONTENT_TYPE = "text/calendar"


def _english(message: str) -> str:
    return message


# The words of a calendar are the signer's language's: callers pass the catalog's
# gettext (signing.domain.mail.compose); English without one.
Gettext = Callable[[str], str]
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu", "Universal",
                        "Etc/Universal", "GMT", "Etc/GMT"})


def file_name(stem: str, gettext: Gettext = _english) -> str:
    """The attachment's name in the signer's language: ``stem`` is :data:`CHECKINS`,
    :data:`CANCELLED` or :data:`ADDED`."""
    return attachment_name(gettext(stem), "ics", fallback=stem)


def meeting_uid(seed: str, meeting: Meeting) -> str:
    digest = hashlib.sha256(seed.encode()).hexdigest()[:24]
    return f"{digest}-{meeting.starts:%Y%m%d}@plansign"


def checkin_calendar(meetings: Sequence[Meeting], *, uid_seed: str, stamp: dt.datetime,
                     location: str | None = None, video_link: str | None = None,
                     meeting_with: str | None = None, gettext: Gettext = _english,
                     language: str | None = None) -> bytes:
    """An iCalendar file of the meetings. ``stamp`` (DTSTAMP) is when it was issued: pass
    the same value on a retry and the bytes are the same. ``language``: the words'
    (the LANGUAGE of SUMMARY, DESCRIPTION and LOCATION), as ``gettext`` writes them."""
    calendar = _calendar("PUBLISH", meetings, stamp)
    total = len(meetings)
    description = _description(meeting_with, video_link, gettext, language)
    for meeting in meetings:
        event = _event(meeting, uid_seed, stamp, "PUBLISH", total, gettext, language=language)
        _confirmed(event, location, video_link, description, language)
        calendar.add_component(event)
    return calendar.to_ical()


def request_calendar(meetings: Sequence[Meeting], *, uid_seed: str, stamp: dt.datetime,
                     sequence: int, total: int, organizer: str, attendees: Sequence[str],
                     location: str | None = None, video_link: str | None = None,
                     meeting_with: str | None = None, gettext: Gettext = _english,
                     language: str | None = None) -> bytes:
    """An invitation (``METHOD:REQUEST``) to meetings added to the plan's schedule: the
    same UIDs :func:`checkin_calendar` would give them, revision ``sequence``; ``total``
    is how many meetings the schedule has in all ("Check-in meeting (7 of 7)")."""
    calendar = _calendar("REQUEST", meetings, stamp)
    description = _description(meeting_with, video_link, gettext, language)
    for meeting in meetings:
        event = _event(meeting, uid_seed, stamp, "REQUEST", total, gettext, sequence,
                       language)
        event.add("organizer", f"mailto:{organizer}")
        for attendee in attendees:
            event.add("attendee", f"mailto:{attendee}",
                      parameters={"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION"})
        _confirmed(event, location, video_link, description, language)
        calendar.add_component(event)
    return calendar.to_ical()


def _confirmed(event: Event, location: str | None, video_link: str | None,
               description: str | None, language: str | None = None) -> None:
    """A meeting that takes place: where (the room, else the video link), its link and
    description, confirmed and busy."""
    if location or video_link:
        # HR wrote the room in the plan, in the plan's language.
        event.add("location", location or video_link, parameters=_in(language))
    if video_link and urlsplit(video_link).scheme in ("https", "http"):
        event.add("url", video_link)
    if description:
        event.add("description", description, parameters=_in(language))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")


def cancelled_calendar(meetings: Sequence[Meeting], *, uid_seed: str, stamp: dt.datetime,
                       organizer: str | None = None, attendee: str | None = None,
                       gettext: Gettext = _english, sequence: int | None = None,
                       total: int | None = None, language: str | None = None) -> bytes:
    """The cancellation of the meetings :func:`checkin_calendar` gave for the same
    ``uid_seed``. ``organizer`` and ``attendee`` are addresses: RFC 5546 wants them in a
    cancellation, and some calendars act on one only when they are there. ``sequence``:
    the revision (by default the one after the invitation's)."""
    calendar = _calendar("CANCEL", meetings, stamp)
    for meeting in meetings:
        event = _event(meeting, uid_seed, stamp, "CANCEL", total or len(meetings), gettext,
                       sequence, language)
        if organizer:
            event.add("organizer", f"mailto:{organizer}")
        if attendee:
            event.add("attendee", f"mailto:{attendee}")
        event.add("status", "CANCELLED")
        calendar.add_component(event)
    return calendar.to_ical()


def _calendar(method: str, meetings: Sequence[Meeting], stamp: dt.datetime) -> Calendar:
    """A calendar of ``method``, with the VTIMEZONEs the meetings need; no events yet."""
    if stamp.tzinfo is None:
        raise ValueError("stamp must be timezone-aware")
    for meeting in meetings:
        if meeting.starts.tzinfo is None or meeting.ends.tzinfo is None:
            raise ValueError("meetings must have timezone-aware start and end times")

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    # VTIMEZONEs first: some readers want a TZID defined before it is used.
    zones = sorted({zone for m in meetings if (zone := _zone(m.starts)) is not None})
    if meetings:
        first = min(m.starts for m in meetings).date()
        last = max(m.ends for m in meetings).date()
        for zone in zones:
            calendar.add_component(Timezone.from_tzid(
                zone, first_date=dt.date(first.year, 1, 1),
                last_date=dt.date(last.year + 1, 1, 1)))
    return calendar


def _event(meeting: Meeting, uid_seed: str, stamp: dt.datetime, method: str,
           total: int, gettext: Gettext = _english, sequence: int | None = None,
           language: str | None = None) -> Event:
    """What a meeting's event says in the invitation and its cancellation alike."""
    event = Event()
    event.add("uid", meeting_uid(uid_seed, meeting))
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", _for_ical(meeting.starts))
    event.add("dtend", _for_ical(meeting.ends))
    event.add("summary", gettext("Check-in meeting (%(number)s of %(total)s)")
              % {"number": meeting.number, "total": total}, parameters=_in(language))
    event.add("sequence", _SEQUENCE[method] if sequence is None else sequence)
    return event


def _zone(when: dt.datetime) -> str | None:
    """The IANA name to write as TZID, or None when the time is written in UTC."""
    if isinstance(when.tzinfo, ZoneInfo) and when.tzinfo.key not in _UTC_NAMES:
        return when.tzinfo.key
    return None


def _for_ical(when: dt.datetime) -> dt.datetime:
    # A fixed offset has no IANA name to put in a TZID: write such times in UTC (...Z).
    return when if _zone(when) else when.astimezone(dt.UTC)


def _in(language: str | None) -> dict[str, str]:
    """The LANGUAGE parameter of a text property (RFC 5545, 3.2.10), when known."""
    return {"LANGUAGE": language} if language else {}


def _description(meeting_with: str | None, video_link: str | None,
                 gettext: Gettext = _english, language: str | None = None) -> str:
    # In a right-to-left sentence, Latin names and the link are isolated (U+2068 ...
    # U+2069, as the pages' <bdi>), so that a name's full stop or a link's punctuation
    # stays at its end rather than moving to the sentence's other side.
    shown = names_shown(language)
    lines = []
    if meeting_with:
        lines.append(gettext("With %(people)s.") % {"people": shown(meeting_with)})
    if video_link:
        lines.append(gettext("Video: %(link)s") % {"link": shown(video_link)})
    return "\n".join(lines)
