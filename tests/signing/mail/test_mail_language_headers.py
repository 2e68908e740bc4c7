"""What the employee receives names itself in the plan's language too: the attachments'
file names (Arabic ones encoded as RFC 2231 says, decoded back by a mail reader), the
Content-Language header, and the calendar file's LANGUAGE parameters and isolated Latin
names in right-to-left text."""

from __future__ import annotations

import datetime as dt
import email
import re
from email import policy

import pytest
from icalendar import Calendar

from docgen.sample import sample_plan
from docgen.schedule import schedule_for
from signing.domain.documents import AMENDMENT, THE_PLAN, case_file_name, document_name
from signing.domain.mail import compose, ics
from signing.domain.mail.backends import SendGridMailBackend, to_eml
from signing.domain.mail.message import InvalidMessage, Message, attachment_name
from tests.signing.mail.test_mail_messages import DEADLINE, LINK, SENT_AT, invitation

CALENDAR_NAME = {"en": "check-ins.ics", "fr": "points-de-suivi.ics",
                 "ar": "اجتماعات-المتابعة.ics"}


def received(message: Message) -> email.message.EmailMessage:
    """The message as the employee's mail reader parses it."""
    raw = to_eml(message, from_email="hr@example.com")
    return email.message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_calendar_file_is_named_in_the_plans_language(language):
    message = invitation(language=language)
    mail = received(message)
    assert [p.get_filename() for p in mail.iter_attachments()] == [CALENDAR_NAME[language]]
    # The body names the file the employee finds attached.
    assert CALENDAR_NAME[language] in mail.get_body(("plain",)).get_content()


def test_an_arabic_file_name_travels_encoded_as_rfc_2231_says():
    raw = to_eml(invitation(language="ar"), from_email="hr@example.com")
    headers = raw.split(b"\r\n\r\n", 1)[0] + b"".join(
        part.split(b"\r\n\r\n", 1)[0] for part in raw.split(b"--=")[1:])
    assert headers.isascii()
    # RFC 2231: percent-encoded UTF-8, in numbered pieces when the name is long.
    assert re.search(rb"filename\*(0\*)?=utf-8''%D8", raw)
    assert "اجتماعات-المتابعة.ics".encode() not in raw


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", ["points-de-suivi-annulés.ics"]), ("ar", ["اجتماعات-المتابعة-الملغاة.ics"])])
def test_the_cancellation_calendar_is_named_in_the_plans_language(language, expected):
    message = compose.voided(to="a@example.com", name="Léa Brändli", company="Harbor & Finch",
                             contact=None, envelope_id="env_1", signer_id="sig_1",
                             idempotency_key="k", meetings=schedule_for(sample_plan()).checkins,
                             now=SENT_AT + dt.timedelta(days=1), language=language)
    assert [p.get_filename() for p in received(message).iter_attachments()] == expected


def test_the_signed_copy_and_the_case_file_are_named_in_the_plans_language():
    french = compose.catalog("fr").gettext
    arabic = compose.catalog("ar").gettext
    assert THE_PLAN.file_name(signed=True, gettext=french) == "plan-de-performance-signé.pdf"
    assert THE_PLAN.file_name(signed=True, gettext=arabic) == "خطة-الأداء-موقعة.pdf"
    assert (document_name(AMENDMENT, 2).file_name(signed=True, gettext=french)
            == "plan-de-performance-avenant-2-signé.pdf")
    assert case_file_name(arabic) == "خطة-الأداء-الملف-الكامل.pdf"
    # Without a catalog: the English names the archive and the pages have always used.
    assert THE_PLAN.file_name(signed=True) == "performance-plan-signed.pdf"
    assert case_file_name() == "performance-plan-case-file.pdf"


def test_a_translated_name_keeps_only_what_every_system_accepts_in_a_file_name():
    assert attachment_name("bilan de suivi", "pdf", fallback="x") == "bilan-de-suivi.pdf"
    assert attachment_name('a/b\\c:d*e?"f<g>h|', "ics", fallback="x") == "abcdefgh.ics"
    assert attachment_name(" ../ ", "pdf", fallback="check-ins") == "check-ins.pdf"
    assert ics.file_name(ics.ADDED) == "check-ins-added.ics"


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_email_says_its_language(language):
    mail = received(invitation(language=language))
    assert mail["Content-Language"] == language


def test_hr_read_their_notice_in_their_own_language_and_the_header_says_so():
    notice = compose.hr_notice(kind="comment", to="hr@example.com", name="Dana", link=LINK,
                               company="Harbor & Finch", signer_name="Léa",
                               employee_name="Léa", envelope_id="e", signer_id="s",
                               idempotency_key="k", text="Hello", at=DEADLINE, language="de")
    assert received(notice)["Content-Language"] == "de"


def test_sendgrid_is_asked_for_the_content_language_header():
    backend = SendGridMailBackend("SG.key", host="https://127.0.0.1:1",
                                  from_email="hr@example.com")
    body = backend.build(invitation(language="fr"))
    assert body["headers"] == {"Content-Language": "fr"}
    (attachment,) = body["attachments"]
    assert attachment["filename"] == "points-de-suivi.ics"


def test_a_message_refuses_a_language_that_is_no_tag():
    with pytest.raises(InvalidMessage, match="language"):
        Message(to="a@example.com", subject="Hello", text="t", html="h",
                idempotency_key="k", language="fr\r\nBcc: x@example.com")


def events(message: Message) -> list:
    return Calendar.from_ical(message.attachments[0].content).walk("VEVENT")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_calendars_words_say_their_language(language):
    for event in events(invitation(language=language, location="Salle 4B")):
        for prop in ("SUMMARY", "DESCRIPTION", "LOCATION"):
            assert event[prop].params["LANGUAGE"] == language, prop


def test_latin_names_and_links_are_isolated_in_an_arabic_calendar():
    message = invitation(language="ar", meeting_with="Jürg Baumann, Inc.",
                         video_link="https://meet.example.com/abc")
    description = str(events(message)[0]["DESCRIPTION"])
    assert "\u2068Jürg Baumann, Inc.\u2069" in description
    assert "\u2068https://meet.example.com/abc\u2069" in description
    # The link a calendar opens stays the link as written.
    assert str(events(message)[0]["URL"]) == "https://meet.example.com/abc"


def test_a_left_to_right_calendar_has_no_isolates():
    message = invitation(language="fr", meeting_with="Jürg Baumann")
    description = str(events(message)[0]["DESCRIPTION"])
    assert "Jürg Baumann" in description and "\u2068" not in description
