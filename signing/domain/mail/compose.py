"""The messages plansign sends, built from plain data and Jinja templates.

Each function takes what the message says (names, the link, dates) and returns a finished
:class:`~signing.domain.mail.message.Message`; it reads nothing and writes nothing, so the worker
can build the same message again on a retry. Links are built elsewhere (from the
configured base URL) and passed in; a message is best built just before it is sent, so a
signing link never has to be stored.

Subjects say as little as they can: mailbox previews and lock screens show them to anyone
nearby. No subject names the plan type's acronym, the employee or anything from the plan,
and the HTML starts with a neutral preview line so that mail clients don't show the
first sentence of the body instead. User text (comments, reasons) is escaped in HTML by
the template engine and quoted only as far as needed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from gettext import NullTranslations
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_time as babel_time
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import escape

from docgen.dates import date_words
from docgen.doclang import one_full_stop
from docgen.languages import (
    direction,
    format_locale,
    isolate,
    names_shown,
    time_in_zone,
)
from docgen.resources import package_path
from docgen.schedule import Meeting
from signing.domain.documents import THE_PLAN, DocumentName
from signing.domain.mail import ics, notice_words
from signing.domain.mail.message import Attachment, InlineImage, Message
from signing.domain.wording import N_
from signing.domain.workflow import Role

TEMPLATES = package_path("signing.domain.mail", "templates")

#: How much of an employee's comment or reason an HR notice quotes.
EXCERPT_CHARS = 300

# The signer's catalog (signing/translations, domain "signer"): a signer's messages are
# in their plan's language; HR's notices in the HR person's own (signing.domain.notify).
CATALOGS = package_path("signing", "translations")
SOURCE_LANGUAGE = "en"


@functools.cache
def catalog(language: str) -> NullTranslations:
    """The signer's words in ``language`` (English for a language without a catalog)."""
    return Translations.load(str(CATALOGS), [language], domain="signer")


@functools.cache
def _environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False,
                                     default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(catalog(language), newstyle=True)  # type: ignore[attr-defined]
    return env


class NoticeKind(StrEnum):
    REFUSAL = "refusal"
    COMMENT = "comment"
    UNDELIVERABLE = "undeliverable"
    DECLINE = "decline"  # the manager or HR declined to sign: the plan is stopped
    NAME_DIFFERS = "name_differs"  # a signer signed with a name other than the plan's


@dataclass(frozen=True)
class Contact:
    """Who the recipient can ask: shown in the message and, unless the organisation
    names a reply-to address (:class:`Look`), used as its Reply-To."""

    name: str
    email: str | None = None
    phone: str | None = None


# The neutral look's colour for links and buttons: 6.7:1 on white.
NEUTRAL_LINK_COLOUR = "#1d4ed8"
LOGO_CONTENT_ID = "company-logo"


@dataclass(frozen=True)
class Look:
    """The company's look in an email (signing.branding.Branding, as mail needs it):
    the colour of links and buttons (one that reads as text on white), the logo (a PNG,
    sent inside the message, shown at most 40 px high) and the address replies go to
    (mail_reply_to; None: the contact's)."""

    colour: str = NEUTRAL_LINK_COLOUR
    accent: str | None = None  # the rule under the header (no text): the colour as given
    logo_png: bytes | None = None
    logo_size: tuple[int, int] = (0, 0)  # width, height in pixels
    reply_to: str | None = None

    def logo_box(self, height: int = 40) -> tuple[int, int]:
        """The logo's width and height in the header, at most ``height`` high and 200
        wide, its proportions kept."""
        width_px, height_px = self.logo_size
        if not width_px or not height_px:
            return (height, height)
        scale = min(height / height_px, 200 / width_px)
        return (max(1, round(width_px * scale)), max(1, round(height_px * scale)))


NEUTRAL_LOOK = Look()


# -- the messages ---------------------------------------------------------------------


def invitation(*, to: str, name: str, link: str, deadline: dt.datetime, company: str,
               contact: Contact | None, envelope_id: str, signer_id: str, idempotency_key: str,
               now: dt.datetime, role: Role | str = Role.EMPLOYEE,
               employee_name: str | None = None, meetings: Sequence[Meeting] = (),
               location: str | None = None, video_link: str | None = None,
               meeting_with: str | None = None, language: str = SOURCE_LANGUAGE,
               document: DocumentName = THE_PLAN,
        look: Look = NEUTRAL_LOOK) -> Message:
    """Asks a signer to read the plan and respond by the deadline, in ``language`` (the
    plan's; its dates too, and the calendar's words). ``document``: what is to be read
    and signed (an amendment is named as such; the outcome letter has its own
    :func:`outcome_letter_invitation`).

    For the employee it says what signing means (receipt and understanding, not
    agreement) and that refusing does not stop the plan. ``meetings`` (the plan's
    check-ins) are listed and attached as ``check-ins.ics``; ``now`` is the calendar's
    DTSTAMP (pass the time the envelope was sent, so a retry builds the same bytes).
    """
    role = Role(role)
    employee_name = _employee_name(role, employee_name)
    if meeting_with and " ".join(meeting_with.split()).casefold() == " ".join(
            name.split()).casefold():
        meeting_with = None  # never "meetings with Priya Raman" to Priya Raman
    attachments: tuple[Attachment, ...] = ()
    calendar_file = ics.file_name(ics.CHECKINS, catalog(language).gettext)
    if meetings:
        attachments = (Attachment(calendar_file, ics.CONTENT_TYPE, ics.checkin_calendar(
            meetings, uid_seed=envelope_id, stamp=now, location=location,
            video_link=video_link, meeting_with=meeting_with,
            gettext=catalog(language).gettext, language=language)),)
    if document.is_plan:
        subject = (N_("Please review and acknowledge your performance plan")
                   if role is Role.EMPLOYEE else N_("Please review and sign a performance plan"))
    else:
        subject = (N_("Please review and acknowledge a document about your performance plan")
                   if role is Role.EMPLOYEE
                   else N_("Please review and sign a document about a performance plan"))
    context = {
        **_document(document, role, employee_name, language),
        "role": role.value,
        "employee_name": employee_name,
        "link": _link(link),
        "deadline": format_when(deadline, language),
        "meetings": [format_meeting(m, language) for m in meetings],
        "location": location,
        "video_link": video_link,
        # Plan data need not hold a URL here; only a real http(s) URL becomes a link.
        "video_url": video_link if video_link and _is_link(video_link) else None,
        "meeting_with": meeting_with,
        "calendar_file": calendar_file if meetings else None,
    }
    return _message("invitation", look=look, subject=subject, to=to, name=name, company=company,
                    contact=contact, envelope_id=envelope_id, signer_id=signer_id,
                    idempotency_key=idempotency_key, attachments=attachments,
                    language=language, **context)


def reminder(*, to: str, name: str, link: str, deadline: dt.datetime, company: str,
             contact: Contact | None, envelope_id: str, signer_id: str, idempotency_key: str,
             role: Role | str = Role.EMPLOYEE, employee_name: str | None = None,
             language: str = SOURCE_LANGUAGE, document: DocumentName = THE_PLAN,
        look: Look = NEUTRAL_LOOK) -> Message:
    """A signer who has been asked has not responded yet."""
    role = Role(role)
    if document.is_plan:
        subject = (N_("Reminder: please review and acknowledge your performance plan")
                   if role is Role.EMPLOYEE
                   else N_("Reminder: please review and sign a performance plan"))
    else:
        subject = (N_("Reminder: please review and acknowledge a document about your "
                      "performance plan") if role is Role.EMPLOYEE
                   else N_("Reminder: please review and sign a document about a "
                           "performance plan"))
    return _message("reminder", look=look, subject=subject, to=to, name=name, company=company,
                    **_document(document, role, employee_name, language),
                    contact=contact, envelope_id=envelope_id, signer_id=signer_id,
                    idempotency_key=idempotency_key, role=role.value,
                    employee_name=_employee_name(role, employee_name), link=_link(link),
                    deadline=format_when(deadline, language), language=language)


def your_copy(*, to: str, name: str, link: str, company: str, contact: Contact | None,
              envelope_id: str, signer_id: str, idempotency_key: str,
              role: Role | str = Role.EMPLOYEE, employee_name: str | None = None,
              available_until: dt.datetime | None = None,
              attachments: Sequence[Attachment] = (), too_large_bytes: int | None = None,
              records_page: str | None = None,
              language: str = SOURCE_LANGUAGE, document: DocumentName = THE_PLAN,
        look: Look = NEUTRAL_LOOK) -> Message:
    """The plan (or ``document``, its outcome letter, an amendment) is complete: the
    signer's copy attached (unless the organisation wants a link only, or it is
    ``too_large_bytes`` to attach, which the email says), and a link to download it.
    ``records_page``: where a fresh link can be asked for."""
    role = Role(role)
    if document.is_plan:
        subject = (N_("Your copy of your performance plan") if role is Role.EMPLOYEE
                   else N_("Your copy of a completed performance plan"))
    else:
        subject = (N_("Your copy of a document about your performance plan")
                   if role is Role.EMPLOYEE
                   else N_("Your copy of a completed document about a performance plan"))
    return _message("your_copy", look=look, subject=subject, to=to, name=name, company=company,
                    **_document(document, role, employee_name, language),
                    contact=contact, envelope_id=envelope_id, signer_id=signer_id,
                    idempotency_key=idempotency_key, role=role.value,
                    employee_name=_employee_name(role, employee_name), link=_link(link),
                    available_until=(format_when(available_until, language)
                                     if available_until else None),
                    attachments=attachments, attached=bool(attachments),
                    too_large=(format_size(too_large_bytes, language) if too_large_bytes
                               else None),
                    records_page=_link(records_page) if records_page else None,
                    language=language)


def records_access(*, to: str, name: str, company: str, contact: Contact | None, envelope_id: str,
                   signer_id: str, idempotency_key: str,
                   records: Sequence[tuple[Any, str]], available_until: dt.datetime,
                   records_page: str, language: str = SOURCE_LANGUAGE,
        look: Look = NEUTRAL_LOOK) -> Message:
    """The answer to a request on the records page: one link per record of theirs, each
    short-lived. ``records`` pairs each record (signing.domain.own_records.OwnRecord:
    ``kind``, ``role``, ``subject``, ``closed_at``, ``outcome``) with its link."""
    words = catalog(language)
    listed = [{"what": _record_title(r, words),
               "closed": format_when(r.closed_at, language),
               "outcome": words.gettext(_OUTCOMES[r.outcome]) if r.outcome in _OUTCOMES
               else r.outcome,
               "link": _link(link)}
              for r, link in records]
    return _message("records_access", look=look, subject=N_("Your records"), to=to, name=name,
                    company=company, contact=contact, envelope_id=envelope_id,
                    signer_id=signer_id, idempotency_key=idempotency_key, records=listed,
                    available_until=format_when(available_until, language),
                    records_page=_link(records_page), language=language)


_OUTCOMES = {"acknowledged": N_("acknowledged"), "refused": N_("refused to sign"),
             "no_response": N_("no response"), "voided": N_("withdrawn"),
             # A case file's: how the plan's case closed.
             "met": N_("the plan's goals were met"), "not_met": N_("the plan's goals were not met"),
             "resigned": N_("closed early: you resigned"),
             "withdrawn": N_("closed early: the plan was withdrawn"),
             # A check-in record's: the employee's answer to it.
             "commented": N_("you commented on it"),
             "no_answer": N_("not answered in the days given")}


def _record_title(record: Any, words: Any) -> str:
    document = getattr(record, "document", THE_PLAN)
    if record.kind == "plan" and not document.is_plan:  # its outcome letter, an amendment
        title = document.title(words.gettext)
        if record.role == Role.EMPLOYEE:
            return str(title)
        return str(words.gettext("%(document)s for %(name)s")
                   % {"document": title, "name": record.subject})
    if record.kind == "plan":
        if record.role == Role.EMPLOYEE:
            return str(words.gettext("Your performance improvement plan"))
        return str(words.gettext("Performance improvement plan for %(employee)s")
                   % {"employee": record.subject})
    if record.kind == "case_file":
        return str(words.gettext("The case file of your performance improvement plan "
                                 "(every check-in record, the outcome letter)"))
    if record.kind == "checkin":
        return str(words.gettext("The record of check-in meeting %(meeting)s of your "
                                 "performance improvement plan")
                   % {"meeting": getattr(record, "meeting", None) or "?"})
    return str(words.gettext("Record (%(kind)s)") % {"kind": record.kind})


def format_size(size: int, language: str = SOURCE_LANGUAGE) -> str:
    """A file's size for people, its decimal sign the language's: "12.4 MB", "12,4 MB"."""
    if language == SOURCE_LANGUAGE:
        return f"{size / 1_000_000:.1f} MB"
    return f"{format_decimal(size / 1_000_000, '0.0', locale=format_locale(language))} MB"


def hr_notice(*, kind: NoticeKind | str, to: str, name: str, link: str, company: str,
              signer_name: str, employee_name: str, envelope_id: str, signer_id: str,
              idempotency_key: str, signer_role: Role | str = Role.EMPLOYEE,
              text: str | None = None, at: dt.datetime | None = None,
              witness: str | None = None, recorded_by: str | None = None,
              undelivered: str | None = None, address: str | None = None,
              name_on_record: str | None = None,
              meeting_at: dt.datetime | None = None, meeting_place: str | None = None,
              comments_until: dt.datetime | None = None,
              excerpt_chars: int = EXCERPT_CHARS,
              language: str = SOURCE_LANGUAGE,
              look: Look = NEUTRAL_LOOK) -> Message:
    """Tells HR that a signer refused to sign, commented, declined to sign (which stopped
    the plan) or signed with a name other than the plan's, or that an email to them could
    not be delivered.

    ``text`` is the signer's comment or reason (or the provider's answer): user text,
    escaped in HTML and quoted up to ``excerpt_chars``; the full text is in the record
    behind ``link``. ``witness`` and ``recorded_by`` describe a refusal a manager
    recorded in a meeting; ``undelivered`` (the outbox name of the message) and
    ``address`` an email that failed. For a different name, ``text`` is the name the
    signer typed and ``name_on_record`` the plan's. A recorded refusal also gives the
    meeting (``meeting_at``, ``meeting_place``) and until when the employee may comment
    (``comments_until``), before which the record is not sealed. In ``language``, the
    reader's own (signing.domain.notify finds it); each moment in its own zone.
    """
    kind = NoticeKind(kind)
    signer_role = Role(signer_role)
    excerpt, shortened = _excerpt(text, excerpt_chars)
    words = catalog(language)
    at_text = format_when(at, language) if at else None
    # People's names and places in a right-to-left sentence: isolated, as the rest of
    # the message's are, so that a Latin name keeps its order.
    shown = names_shown(language)
    lines = notice_words.headline(notice_words.Notice(
        kind=kind.value, signer_name=shown(signer_name), signer_role=signer_role.value,
        employee_name=shown(employee_name), at=at_text, text=_shown_or_none(shown, excerpt),
        name_on_record=_shown_or_none(shown, name_on_record),
        recorded_by=_shown_or_none(shown, recorded_by), witness=_shown_or_none(shown, witness),
        meeting_at=format_when(meeting_at, language) if meeting_at else None,
        meeting_place=shown(" ".join(meeting_place.split())) if meeting_place else None,
        undelivered=undelivered, address=address), words)
    return _message("hr_notice", look=look,
                    subject=notice_words.SUBJECTS[kind.value], to=to, name=name,
                    company=company, contact=None, envelope_id=envelope_id,
                    signer_id=signer_id, idempotency_key=idempotency_key, kind=kind.value,
                    headline=lines, employee_name=employee_name, link=_link(link),
                    reference=envelope_id, excerpt=excerpt, shortened=shortened,
                    full_length=_number(len((text or "").strip()), language),
                    recorded_by=recorded_by, language=language,
                    comments_until=(format_moment(comments_until, language)
                                    if comments_until else None))


def _number(value: int, language: str) -> str:
    """A count as the language writes it ("10,000", "10 000", "10.000")."""
    return format_decimal(value, locale=format_locale(language))


def refusal_recorded(*, to: str, name: str, company: str, contact: Contact | None, envelope_id: str,
                     signer_id: str, idempotency_key: str, recorded_by: str | None,
                     witness: str, at: dt.datetime, reason: str | None = None,
                     meeting_at: dt.datetime | None = None, meeting_place: str | None = None,
                     can_comment: bool = False, link: str | None = None,
                     comments_until: dt.datetime | None = None,
                     language: str = SOURCE_LANGUAGE,
        look: Look = NEUTRAL_LOOK) -> Message:
    """Tells the employee that their manager recorded their refusal to sign, made in a
    meeting: what was recorded, by whom, before which witness, in which meeting
    (``meeting_at``, ``meeting_place``) and when it was recorded (``at``), each in the
    employee's zone; that the plan goes ahead; and, while the plan is open
    (``can_comment``), that they can still add their comments through ``link``, until
    ``comments_until`` (in their zone), after which the record is sealed.
    ``reason`` is what the manager recorded them as saying, quoted in full: it is about
    the employee, and they should see exactly what the record says."""
    if can_comment and link is None:
        raise ValueError("link: an employee who can still comment needs their link")
    for when in (meeting_at, comments_until):
        if when is not None:
            _aware(when)
    return _message("refusal_recorded", look=look,
                    subject=N_("Your response to your performance plan was recorded"),
                    to=to, name=name, company=company, contact=contact,
                    envelope_id=envelope_id, signer_id=signer_id,
                    idempotency_key=idempotency_key,
                    recorded_by=recorded_by or catalog(language).gettext("your manager"),
                    witness=witness, at=format_when(at, language),
                    meeting_at=format_when(meeting_at, language) if meeting_at else None,
                    meeting_place=" ".join(meeting_place.split()) if meeting_place else None,
                    reason=reason.strip() if reason and reason.strip() else None,
                    can_comment=can_comment, link=_link(link) if link else None,
                    comments_until=(format_moment(comments_until, language)
                                    if can_comment and comments_until else None),
                    language=language)


def voided(*, to: str, name: str, company: str, contact: Contact | None, envelope_id: str,
           signer_id: str, idempotency_key: str, role: Role | str = Role.EMPLOYEE,
           employee_name: str | None = None, meetings: Sequence[Meeting] = (),
           now: dt.datetime | None = None, language: str = SOURCE_LANGUAGE,
        look: Look = NEUTRAL_LOOK) -> Message:
    """HR withdrew the request; the link no longer works. Has no link of its own, and
    gives no reason (HR's reason is for the record, not for the signer's mailbox).

    ``meetings``, the check-ins the invitation's calendar gave, are cancelled by the
    attached ``check-ins-cancelled.ics`` (the same UIDs, ``METHOD:CANCEL``); ``now``
    is its DTSTAMP, later than the invitation's.
    """
    role = Role(role)
    attachments: tuple[Attachment, ...] = ()
    calendar_file = ics.file_name(ics.CANCELLED, catalog(language).gettext)
    if meetings:
        if now is None:
            raise ValueError("now: a cancelled calendar needs the time it was issued")
        attachments = (Attachment(calendar_file, ics.CONTENT_TYPE, ics.cancelled_calendar(
            meetings, uid_seed=envelope_id, stamp=now,
            organizer=contact.email if contact else None, attendee=to,
            gettext=catalog(language).gettext, language=language)),)
    return _message("voided", look=look,
                    subject=N_("A signing request sent to you has been withdrawn"),
                    to=to, name=name, company=company, contact=contact,
                    envelope_id=envelope_id, signer_id=signer_id,
                    idempotency_key=idempotency_key, role=role.value,
                    employee_name=_employee_name(role, employee_name),
                    calendar_file=calendar_file if meetings else None,
                    attachments=attachments, language=language)


def extension_calendar(*, to: str, name: str, company: str, contact: Contact | None,
                       envelope_id: str, signer_id: str, idempotency_key: str,
                       role: Role | str, employee_name: str, number: int, new_end: dt.date,
                       added: Sequence[Meeting], cancelled: Sequence[Meeting], total: int,
                       organizer: str, attendees: Sequence[str], now: dt.datetime,
                       location: str | None = None, video_link: str | None = None,
                       meeting_with: str | None = None,
                       language: str = SOURCE_LANGUAGE,
                       look: Look = NEUTRAL_LOOK) -> Message:
    """The plan's case was extended (extension ``number``, to ``new_end``): the meetings
    it adds, invited to by ``check-ins-added.ics`` (``METHOD:REQUEST``), and those it
    cancels, by ``check-ins-cancelled.ics`` (``METHOD:CANCEL``), both at revision
    ``number``; to the employee and the manager, in the plan's language. ``now`` is the
    calendars' DTSTAMP (the extension's time, so a retry builds the same bytes)."""
    role = Role(role)
    words = catalog(language)
    attachments = []
    added_file = ics.file_name(ics.ADDED, words.gettext)
    cancelled_file = ics.file_name(ics.CANCELLED, words.gettext)
    if added:
        attachments.append(Attachment(added_file, ics.CONTENT_TYPE,
                                      ics.request_calendar(
            added, uid_seed=envelope_id, stamp=now, sequence=number, total=total,
            organizer=organizer, attendees=attendees, location=location,
            video_link=video_link, meeting_with=meeting_with, gettext=words.gettext,
            language=language)))
    if cancelled:
        attachments.append(Attachment(cancelled_file, ics.CONTENT_TYPE,
                                      ics.cancelled_calendar(
            cancelled, uid_seed=envelope_id, stamp=now, organizer=organizer, attendee=to,
            gettext=words.gettext, sequence=number, total=total, language=language)))
    subject = (N_("Your performance plan was extended: your check-in meetings")
               if role is Role.EMPLOYEE
               else N_("A performance plan was extended: its check-in meetings"))
    return _message("extension_calendar", look=look, subject=subject, to=to, name=name,
                    company=company, contact=contact, envelope_id=envelope_id,
                    signer_id=signer_id, idempotency_key=idempotency_key,
                    attachments=attachments, language=language, role=role.value,
                    employee_name=employee_name,
                    new_end=format_date(new_end, language),
                    added=[format_meeting(m, language) for m in added],
                    cancelled=[format_meeting(m, language) for m in cancelled],
                    added_file=added_file if added else None,
                    cancelled_file=cancelled_file if cancelled else None,
                    location=location, video_link=video_link)


# -- formatting -----------------------------------------------------------------------


def checkin_record(*, to: str, name: str, link: str, company: str, contact: Contact | None,
                   envelope_id: str, signer_id: str, idempotency_key: str, meeting: int,
                   held_on: dt.datetime | None, recorded_by: str,
                   answer_by: dt.datetime, language: str = SOURCE_LANGUAGE,
        look: Look = NEUTRAL_LOOK) -> Message:
    """Tells the employee that a check-in meeting of their plan was recorded, with a
    link to read the record, acknowledge receiving it (not agreeing) and comment; in
    ``language``, the plan's."""
    _aware(answer_by)
    if held_on is not None:
        _aware(held_on)
    return _message("checkin_record", look=look, subject=N_("A record of your check-in meeting"),
                    to=to, name=name, company=company, contact=contact,
                    envelope_id=envelope_id, signer_id=signer_id,
                    idempotency_key=idempotency_key, link=_link(link), meeting=meeting,
                    held_on=format_when(held_on, language) if held_on is not None else None,
                    recorded_by=recorded_by, answer_by=format_date(answer_by.date(), language),
                    language=language)


def outcome_letter_invitation(*, to: str, name: str, link: str, deadline: dt.datetime,
                              company: str, contact: Contact | None, envelope_id: str,
                              signer_id: str, idempotency_key: str,
                              language: str = SOURCE_LANGUAGE,
        look: Look = NEUTRAL_LOOK) -> Message:
    """Asks the employee to read the outcome letter of their plan and respond by the
    deadline: acknowledging is receipt, not agreement; refusing is recorded and the
    outcome stands. No calendar: the plan's meetings are over."""
    return _message("outcome_letter_invitation", look=look,
                    subject=N_("Please read and acknowledge the outcome letter of your plan"),
                    to=to, name=name, company=company, contact=contact,
                    envelope_id=envelope_id, signer_id=signer_id,
                    idempotency_key=idempotency_key, link=_link(link),
                    deadline=format_when(deadline, language), language=language)


def case_file_copy(*, to: str, name: str, company: str, contact: Contact | None,
                   envelope_id: str, signer_id: str, idempotency_key: str,
                   outcome: str, link: str, attachments: Sequence[Attachment] = (),
                   available_until: dt.datetime | None = None,
                   too_large_bytes: int | None = None, records_page: str | None = None,
                   language: str = SOURCE_LANGUAGE,
        look: Look = NEUTRAL_LOOK) -> Message:
    """The plan's case closed: the employee's copy of the sealed case file (the plan,
    each check-in record with their answers, the outcome letter, the certificate),
    given as the plan's copy is (:func:`your_copy`): attached unless the organisation
    wants a link only or it is ``too_large_bytes``, and a link that outlives the
    signing link."""
    return _message("case_file_copy", look=look, subject=N_("Your copy of your plan's case file"),
                    to=to, name=name, company=company, contact=contact,
                    envelope_id=envelope_id, signer_id=signer_id,
                    idempotency_key=idempotency_key, outcome=outcome,
                    attachments=attachments, attached=bool(attachments),
                    early=outcome in ("resigned", "withdrawn"), link=_link(link),
                    available_until=(format_when(available_until, language)
                                     if available_until else None),
                    too_large=(format_size(too_large_bytes, language) if too_large_bytes
                               else None),
                    records_page=_link(records_page) if records_page else None,
                    language=language)


def checkin_overdue(*, to: str, name: str, link: str, company: str, envelope_id: str,
                    idempotency_key: str, employee_name: str, meeting: int,
                    scheduled: dt.datetime, hr: bool, manager_name: str = "",
                    language: str = SOURCE_LANGUAGE,
        look: Look = NEUTRAL_LOOK) -> Message:
    """Reminds the manager to record a check-in meeting that has no record (or, with
    ``hr``, alerts HR that it still has none): missed check-ins weaken the plan. In
    ``language``: the reader's own, English while people have no language setting."""
    _aware(scheduled)
    subject = (N_("A check-in meeting has still not been recorded") if hr
               else N_("Please record a check-in meeting"))
    return _message("checkin_overdue", look=look, subject=subject, to=to, name=name,
                    company=company,
                    contact=None, envelope_id=envelope_id, signer_id="",
                    idempotency_key=idempotency_key, link=_link(link), hr=hr,
                    employee_name=employee_name, meeting=meeting,
                    scheduled=format_when(scheduled, language), manager_name=manager_name,
                    language=language)


_UPDATE_SUBJECTS = {
    "sent": N_("A performance plan you follow has been sent"),
    "acknowledged": N_("A performance plan you follow has been acknowledged"),
    "completed": N_("A performance plan you follow is complete"),
}


def plan_update(*, to: str, name: str, link: str, company: str, envelope_id: str,
                idempotency_key: str, about: str, reader: Role | str, employee_name: str,
                at: dt.datetime, contact: Contact | None = None,
                language: str = SOURCE_LANGUAGE, look: Look = NEUTRAL_LOOK) -> Message:
    """Tells someone who follows a plan without signing it (its manager, its HR) that
    it was sent, acknowledged or completed (``about``), at ``at`` (in their zone), with
    a link to its page in the console. Thin on purpose: no comment, no reason, nothing
    of the plan's content; the console shows what they may see."""
    if about not in _UPDATE_SUBJECTS:
        raise ValueError(f"about: {about!r} is not one of {', '.join(_UPDATE_SUBJECTS)}")
    reader = Role(reader)
    return _message("plan_update", look=look, subject=_UPDATE_SUBJECTS[about], to=to,
                    name=name, company=company, contact=contact, envelope_id=envelope_id,
                    signer_id="", idempotency_key=idempotency_key, about=about,
                    reader=reader.value, employee_name=employee_name, link=_link(link),
                    at=format_when(at, language), language=language)


def format_when(when: dt.datetime, language: str = SOURCE_LANGUAGE) -> str:
    """"Tuesday 15 December 2026 at 17:00 GMT", in the datetime's own time zone (and in
    ``language``: "mardi 15 décembre 2026 à 17:00 GMT")."""
    _aware(when)
    # The time carries its zone (docgen.languages.time_in_zone: "17:00 Uhr MEZ").
    return catalog(language).gettext("%(date)s at %(time)s") % {
        "date": format_date(when, language),
        "time": time_in_zone(when, _clock(when, language), language)}


def format_moment(when: dt.datetime, language: str = SOURCE_LANGUAGE) -> str:
    """"Friday 11 December 2026, 17:00 CET", in the datetime's own time zone: a time
    in a sentence that has its own verb ("until ...")."""
    _aware(when)
    comma = "، " if language == "ar" else ", "
    return (f"{format_date(when, language)}{comma}"
            f"{time_in_zone(when, _clock(when, language), language)}")


def format_date(day: dt.date, language: str = SOURCE_LANGUAGE) -> str:
    if language == SOURCE_LANGUAGE:
        return f"{day:%A} {day.day} {day:%B %Y}"
    return date_words(day, "full", format_locale(language))


def format_meeting(meeting: Meeting, language: str = SOURCE_LANGUAGE) -> str:
    """"Tuesday 8 December 2026, 10:30 to 11:00 GMT"."""
    _aware(meeting.starts)
    ends = meeting.ends.astimezone(meeting.starts.tzinfo)
    # The end carries the zone, as a time does ("bis 11:00 Uhr GMT").
    return catalog(language).gettext("%(date)s, %(start)s to %(end)s") % {
        "date": format_date(meeting.starts, language),
        "start": _clock(meeting.starts, language),
        "end": time_in_zone(ends, _clock(ends, language), language)}


def _clock(when: dt.datetime, language: str) -> str:
    """17:00 (a 24-hour clock in English, as plansign has always written it)."""
    if language == SOURCE_LANGUAGE:
        return f"{when:%H:%M}"
    return babel_time(when, "short", locale=format_locale(language))


# -- helpers --------------------------------------------------------------------------


def _message(template: str, *, look: Look, subject: str, to: str, name: str, company: str,
             contact: Contact | None, envelope_id: str, signer_id: str,
             idempotency_key: str, attachments: Sequence[Attachment] = (),
             language: str = SOURCE_LANGUAGE, **context: Any) -> Message:
    words = catalog(language)
    subject = words.gettext(subject)
    if contact is not None and contact.email and contact.email.lower() == to.lower():
        contact = None  # never "Questions? Ask Dana Whitfield" to Dana Whitfield
    logo = (LOGO_CONTENT_ID, *look.logo_box()) if look.logo_png else None
    rtl = direction(language) == "rtl"
    if rtl:
        # Latin names in a right-to-left sentence: isolated, so that "Inc." keeps its
        # full stop at its end rather than showing it before the name.
        company_shown = isolate(company)
        context.update({key: isolate(value) for key, value in context.items()
                        if key in _NAMES and isinstance(value, str)})
        if contact is not None:
            contact = replace(contact, name=isolate(contact.name))
    else:
        company_shown = company
    context.update(subject=subject, name=isolate(name) if rtl else name,
                   company=company_shown, contact=contact,
                   preheader=words.gettext(_PREHEADER[template]) % {"company": company_shown},
                   language=language, direction=direction(language), colour=look.colour,
                   accent=look.accent or look.colour,
                   logo=logo)
    env = _environment(language)
    # A name that ends in a full stop ("..., Inc.") gets no second one where it ends a
    # sentence, whichever the language.
    text = one_full_stop(env.get_template(f"{template}.txt").render(context), company)
    html = one_full_stop(env.get_template(f"{template}.html").render(context),
                         str(escape(company)))
    return Message(
        to=to,
        to_name=name,
        subject=one_full_stop(subject, company),
        text=text,
        html=html,
        idempotency_key=idempotency_key,
        attachments=tuple(attachments),
        # A message to no signer (a case's reminder to the manager) names none.
        custom_args={"envelope_id": envelope_id, **({"signer_id": signer_id} if signer_id
                                                    else {})},
        reply_to=look.reply_to or (contact.email if contact and contact.email else None),
        inline_images=((InlineImage(LOGO_CONTENT_ID, "image/png", look.logo_png),)
                       if look.logo_png else ()),
        language=language,
    )


# The context's names of people and of the company, isolated in right-to-left messages,
# and the attachments' file names (".ics" is Latin whichever the language).
_NAMES = frozenset({"employee_name", "meeting_with", "signer_name", "recorded_by", "witness",
                    "manager_name", "calendar_file", "added_file", "cancelled_file"})


def _shown_or_none(shown: Callable[[str], str], text: str | None) -> str | None:
    return shown(text) if text else text


# The first line mail clients show next to the subject: nothing from the plan.
_PREHEADER = {
    "invitation": N_("A document from %(company)s is waiting for your response."),
    "reminder": N_("A document from %(company)s is still waiting for your response."),
    "your_copy": N_("Your copy of a completed document from %(company)s."),
    "records_access": N_("The records you asked for, from %(company)s."),
    "hr_notice": notice_words.PREHEADER,
    "voided": N_("A request from %(company)s has been withdrawn."),
    "refusal_recorded": N_("A note about a document from %(company)s."),
    "extension_calendar": N_("A change to your meetings, from %(company)s."),
    "checkin_record": N_("A record from %(company)s is waiting for you to read."),
    "case_file_copy": N_("Your copy of a closed record from %(company)s."),
    "outcome_letter_invitation": N_("A letter from %(company)s is waiting for your "
                                    "response."),
    "checkin_overdue": N_("A meeting has no record yet."),
    "plan_update": N_("News of a document from %(company)s."),
}


def _document(document: DocumentName, role: Role, employee_name: str | None,
              language: str) -> dict[str, Any]:
    """What a message says of the document it is about (signing.domain.documents), in
    ``language``, as a signer of ``role`` reads it."""
    words = catalog(language)
    return {"is_plan": document.is_plan,
            "document": document.for_role(role.value, employee_name or "", words.gettext)}


def _is_link(url: str) -> bool:
    parts = urlsplit(url)
    return (parts.scheme in ("https", "http") and bool(parts.netloc)
            and not re.search(r"[\s\x00-\x1f\x7f]", url))


def _link(url: str) -> str:
    if not _is_link(url):
        raise ValueError("link: must be an absolute http(s) URL")
    return url


def _aware(when: dt.datetime) -> None:
    if not isinstance(when, dt.datetime) or when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("dates in messages must be timezone-aware datetimes")


def _employee_name(role: Role, employee_name: str | None) -> str | None:
    if role is not Role.EMPLOYEE and not employee_name:
        raise ValueError(f"employee_name: a message to the {role.value} signer names the "
                         "employee whose plan it is")
    return employee_name


def _excerpt(text: str | None, limit: int) -> tuple[str | None, bool]:
    """The start of ``text``, cut at a word boundary near ``limit`` characters."""
    if not text or not text.strip():
        return None, False
    text = text.strip()
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip() + "…", True
