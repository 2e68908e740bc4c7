"""A time's zone named one way everywhere (issue 18): the signer's page, the email, the
Word templates' meetings and the record's pages all name it by
``docgen.languages.zone_abbreviation`` and write it after its time by
``clock_in_zone``: "17:00 CET", "17:00 Uhr MEZ" in German, "5:00 م CET" in Arabic (the
zone isolated, held to its time); an offset as people say one, "UTC+4" (pages said that
while emails said "UTC+04:00" and the Word templates "UTC−03:00")."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from docgen.languages import SUPPORTED, zone_abbreviation
from docgen.schedule import Meeting
from docgen.stamp.wording import record_words
from signing.domain.mail import compose
from signing.web import timefmt
from tests.signing.mail.test_mail_messages import LINK

NB, FSI, PDI = "\u00a0", "\u2068", "\u2069"
WINTER = dt.datetime(2026, 12, 14, 16, 0, tzinfo=dt.UTC)
SUMMER = dt.datetime(2026, 7, 14, 15, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("zone,at,names", [
    # The language's own abbreviation where CLDR gives it one of its own: German's.
    ("Europe/Berlin", WINTER, {"en": "CET", "es": "CET", "fr": "CET", "de": "MEZ",
                               "ar": "CET"}),
    ("Europe/Berlin", SUMMER, {"en": "CEST", "es": "CEST", "fr": "CEST", "de": "MESZ",
                               "ar": "CEST"}),
    # Otherwise tzdata's letters, in every language.
    ("America/Chicago", WINTER, dict.fromkeys(SUPPORTED, "CST")),
    ("Europe/London", SUMMER, dict.fromkeys(SUPPORTED, "BST")),
    # UTC is UTC in French too (not CLDR's "TU").
    ("UTC", WINTER, dict.fromkeys(SUPPORTED, "UTC")),
    # A zone tzdata names by its offset only: the offset as people say it.
    ("Asia/Dubai", WINTER, dict.fromkeys(SUPPORTED, "UTC+4")),
    ("Asia/Kathmandu", WINTER, dict.fromkeys(SUPPORTED, "UTC+5:45")),
    ("America/Sao_Paulo", WINTER, dict.fromkeys(SUPPORTED, "UTC-3")),
])
def test_one_rule_names_a_zone_in_each_language(zone, at, names):
    moment = at.astimezone(ZoneInfo(zone))
    assert {language: zone_abbreviation(moment, language) for language in SUPPORTED} == names


def test_a_time_fixed_to_an_offset_is_named_by_it():
    entered = dt.datetime(2027, 1, 12, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-3)))
    assert zone_abbreviation(entered, "de") == "UTC-3"


# 16:00 UTC on Monday 14 December 2026: 17:00 in Berlin, 20:00 in Dubai.
@pytest.mark.parametrize("language,zone,written", [
    ("en", "Europe/Berlin", "17:00 CET"),
    ("de", "Europe/Berlin", "17:00 Uhr MEZ"),
    ("fr", "Europe/Berlin", "17:00 CET"),
    ("es", "Europe/Berlin", "17:00 CET"),
    ("ar", "Europe/Berlin", f"5:00{NB}م{NB}{FSI}CET{PDI}"),
    ("en", "Asia/Dubai", "20:00 UTC+4"),
    ("de", "Asia/Dubai", "20:00 Uhr UTC+4"),
    ("ar", "Asia/Dubai", f"8:00{NB}م{NB}{FSI}UTC+4{PDI}"),
])
def test_a_deadline_reads_the_same_on_the_page_in_the_email_and_in_the_record(
        language, zone, written):
    """The same moment, as the signer's page writes it, as the reminder email's text and
    HTML write it, and as the record's pages write it: the same time and zone."""
    page = timefmt.local_time_named(WINTER, zone, language)
    assert written in page, page
    deadline = WINTER.astimezone(ZoneInfo(zone))
    reminder = compose.reminder(
        to="a@example.com", name="Léa Brändli", company="Harbor & Finch",
        contact=compose.Contact("Dana Whitfield", "dana@example.com"), envelope_id="env_1",
        signer_id="sig_1", idempotency_key="k", language=language, link=LINK,
        deadline=deadline)
    assert written in reminder.text, reminder.text
    assert written in reminder.html, reminder.html
    record = record_words(language).signer_short_time(WINTER, zone)
    assert record.endswith(written), record


def test_a_german_meeting_ends_at_its_time_with_uhr_and_the_zone():
    """"von 10:30 bis 11:00 Uhr MEZ": the zone after the meeting's end, as German
    writes a span, in the email that lists the meetings."""
    starts = dt.datetime(2026, 12, 15, 10, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    meeting = Meeting(number=1, week=1, starts=starts, ends=starts + dt.timedelta(minutes=30))
    assert compose.format_meeting(meeting, "de") == (
        "Dienstag, 15. Dezember 2026, von 10:30 bis 11:00 Uhr MEZ")
    assert compose.format_meeting(meeting, "en") == (
        "Tuesday 15 December 2026, 10:30 to 11:00 CET")
