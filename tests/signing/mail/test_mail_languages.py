"""A signer's emails in their plan's language: the subject, the preview line, the text
and HTML bodies (``lang`` and ``dir`` on the HTML), the dates, and the calendar file's
words; none of the English sentences of the signer's catalog is left in another
language's message. HR's notices stay in English."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from babel.messages.pofile import read_po
from icalendar import Calendar

from docgen.languages import SUPPORTED, direction
from signing.domain.mail import compose
from signing.domain.mail.message import Message
from tests.signing.mail.test_mail_messages import DEADLINE, LINK, SENT_AT, invitation
from tests.test_translations import TRANSLATIONS

MONTH = {"en": "December", "es": "diciembre", "fr": "décembre", "de": "Dezember",
         "ar": "ديسمبر"}


def english_messages() -> set[str]:
    with (TRANSLATIONS / "signer.pot").open("rb") as pot:
        return {m.id for m in read_po(pot) if isinstance(m.id, str)}


def english_sentences() -> list[str]:
    return [m for m in english_messages() if len(m) > 24 and not re.search(r"%\(", m)]


def messages(language: str) -> list[Message]:
    common = dict(to="a@example.com", name="Léa Brändli", company="Harbor & Finch",
                  contact=compose.Contact("Dana Whitfield", "dana@example.com"),
                  envelope_id="env_1", signer_id="sig_1", idempotency_key="k",
                  language=language)
    return [
        invitation(language=language),
        compose.reminder(**common, link=LINK, deadline=DEADLINE),
        compose.your_copy(**common, link=LINK, available_until=DEADLINE),
        compose.voided(**common, meetings=(), now=SENT_AT),
        compose.refusal_recorded(**common, recorded_by="Jürg Baumann", witness="Anna Keller",
                                 at=DEADLINE, meeting_at=DEADLINE, meeting_place="Room 3",
                                 can_comment=True, link=LINK, comments_until=DEADLINE),
    ]


@pytest.mark.parametrize("language", SUPPORTED)
def test_a_signers_emails_are_in_the_plans_language(language):
    english, subjects = english_sentences(), english_messages()
    for index, message in enumerate(messages(language)):
        assert f'<html lang="{language}" dir="{direction(language)}">' in message.html
        if index != 3:  # the withdrawal gives no date
            assert MONTH[language] in message.text
        if language == "en":
            continue
        assert message.subject not in subjects
        for body in (message.text, message.html.replace("&#39;", "'")):
            left = [s for s in english if s in body]
            assert not left, f"{language} {message.subject}: English left: {left}"


@pytest.mark.parametrize("language", SUPPORTED)
def test_the_calendar_speaks_the_plans_language(language):
    message = invitation(language=language)
    calendar = Calendar.from_ical(message.attachments[0].content)
    summary = str(next(iter(calendar.walk("VEVENT")))["SUMMARY"])
    expected = compose.catalog(language).gettext("Check-in meeting (%(number)s of %(total)s)")
    assert summary == expected % {"number": 1, "total": len(calendar.walk("VEVENT"))}
    assert (language == "en") == summary.startswith("Check-in meeting")


def test_hr_notices_are_in_english_for_hr_without_a_language():
    notice = compose.hr_notice(kind="comment", to="hr@example.com", name="Dana", link=LINK,
                               company="Harbor & Finch", signer_name="Léa",
                               employee_name="Léa", envelope_id="e", signer_id="s",
                               idempotency_key="k", text="Hello", at=DEADLINE)
    assert notice.subject == "A signer commented on a performance plan"
    assert '<html lang="en" dir="ltr">' in notice.html
    assert dt.datetime  # the dates are English too: "Monday 14 December 2026 at 17:00 GMT"
    assert "Monday 14 December 2026 at 17:00 GMT" in notice.text


@pytest.mark.parametrize("language,listed", [
    ("en", "Your performance improvement plan (refused to sign, "),
    ("fr", "Votre plan d’amélioration des performances (refus de signer, "),
    ("ar", "خطة تحسين الأداء الخاصة بك (رفض التوقيع، "),
])
def test_the_records_email_lists_each_record_in_the_languages_punctuation(language, listed):
    """A record's line, "(its outcome, when it closed):", is a sentence of the catalog:
    Arabic's comma, French's no-break space before the colon; an Arabic list indented
    on its right."""
    from signing.domain.own_records import OwnRecord

    record = OwnRecord("plan", "env-1", "sig-1", "employee", "Léa Brändli", DEADLINE,
                       "refused")
    message = compose.records_access(
        to="lea@example.com", name="Léa Brändli", company="Harbor & Finch",
        contact=None, envelope_id="e", signer_id="s", idempotency_key="k",
        records=[(record, LINK)], available_until=DEADLINE,
        records_page="https://sign.example.com/my-records", language=language)
    line = next(ln for ln in message.text.splitlines() if ln.startswith(listed))
    assert line.endswith("\u00a0:" if language == "fr" else "):"), line
    outcome = "(" + listed.split(" (", 1)[1]  # after the record's link in HTML
    assert f"</a> {outcome}" in message.html
    indent = "padding-right:20px" if language == "ar" else "padding-left:20px"
    assert indent in message.html


def test_a_french_email_writes_the_first_of_a_month_1er_and_the_second_2():
    """French writes "lundi 1er février 2027" (Babel's pattern gives "1 février"), in the
    text and HTML bodies alike; the 2nd stays "mardi 2 février 2027"."""
    common = dict(to="a@example.com", name="Léa Brändli", company="Harbor & Finch",
                  contact=compose.Contact("Dana Whitfield", "dana@example.com"),
                  envelope_id="env_1", signer_id="sig_1", idempotency_key="k", language="fr")
    first = compose.reminder(**common, link=LINK,
                             deadline=dt.datetime(2027, 2, 1, 17, 0, tzinfo=DEADLINE.tzinfo))
    second = compose.reminder(**common, link=LINK,
                              deadline=dt.datetime(2027, 2, 2, 17, 0, tzinfo=DEADLINE.tzinfo))
    for body in (first.text, first.html):
        assert "lundi 1er février 2027" in body
        assert not re.search(r"(?<!\d)1 février", body)
    for body in (second.text, second.html):
        assert "mardi 2 février 2027" in body and "2er" not in body
    english = compose.reminder(**{**common, "language": "en"}, link=LINK,
                               deadline=dt.datetime(2027, 2, 1, 17, 0, tzinfo=DEADLINE.tzinfo))
    assert "Monday 1 February 2027" in english.text


@pytest.mark.parametrize("language, size", [("en", "31.0 MB"), ("es", "31,0 MB"),
                                            ("de", "31,0 MB")])
def test_a_copy_too_large_to_attach_gives_its_size_as_the_language_writes_it(language, size):
    message = compose.your_copy(
        to="a@example.com", name="Léa Brändli", company="Harbor & Finch", contact=None,
        envelope_id="env_1", signer_id="sig_1", idempotency_key="k", link=LINK,
        too_large_bytes=31_000_000, language=language)
    assert f"({size})" in message.text and f"({size})" in message.html
