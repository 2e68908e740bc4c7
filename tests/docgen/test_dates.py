"""Dates in words (docgen.dates): French writes the first of a month "1er", wherever a
date is written in words for a reader, and nowhere else."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_skeleton

from docgen.charts.model import ChartWords, _day, _short_day
from docgen.dates import date_skeleton, date_words
from docgen.doclang import long_date, short_date
from docgen.stamp.wording import record_words
from signing.domain.mail.compose import format_date as mail_date
from signing.web import timefmt

FIRST, SECOND = dt.date(2027, 8, 1), dt.date(2027, 8, 2)


@pytest.mark.parametrize("form, first, second", [
    ("full", "dimanche 1er août 2027", "lundi 2 août 2027"),
    ("long", "1er août 2027", "2 août 2027"),
    ("medium", "1er août 2027", "2 août 2027"),
    ("d MMM", "1er août", "2 août"),
])
def test_french_writes_the_first_of_a_month_1er_and_the_second_2(form, first, second):
    assert date_words(FIRST, form, "fr_FR") == first
    assert date_words(SECOND, form, "fr_FR") == second


def test_a_numeric_day_and_a_weekday_alone_are_left_as_they_are():
    assert date_words(FIRST, "short", "fr_FR") == "01/08/2027"
    assert date_skeleton(FIRST, "yMd", "fr_FR") == "01/08/2027"
    assert date_words(FIRST, "EEEE", "fr_FR") == "dimanche"
    assert date_words(FIRST, "d/M/y", "fr_FR") == "1/8/2027"  # the month is a number


def test_skeletons_resolve_as_babels_with_the_same_rule():
    assert date_skeleton(FIRST, "yMMMd", "fr_FR") == "1er août 2027"
    assert date_skeleton(FIRST, "MMMd", "fr_FR") == "1er août"
    assert date_skeleton(FIRST, "MMMEd", "fr_FR") == "dim. 1er août"


@pytest.mark.parametrize("locale", ["en_GB", "es_ES", "de_DE", "ar"])
def test_other_languages_read_as_babel_writes_them(locale):
    day = FIRST
    while day.year == 2027:
        for form in ("full", "long", "medium", "short"):
            assert date_words(day, form, locale) == format_date(day, form, locale=locale)
        for skeleton in ("yMMMd", "MMMd"):
            assert (date_skeleton(day, skeleton, locale)
                    == format_skeleton(skeleton, day, locale=locale))
        day += dt.timedelta(days=5)


def test_every_place_that_writes_a_date_for_a_reader_writes_1er():
    """The documents' context, the added pages and case file, the charts, the signer's
    pages and the console, the emails; English as plansign has always written it."""
    at = dt.datetime(2027, 8, 1, 9, 30, tzinfo=dt.UTC)
    # A document's date is held together by no-break spaces (test_prose_rules.py).
    held = "1er\u00a0août\u00a02027"
    assert long_date(FIRST, "fr") == held and short_date(FIRST, "fr") == held
    assert long_date(FIRST, "en") == "1\u00a0August\u00a02027"
    words = record_words("fr")
    assert words.long_date(FIRST) == held
    assert words.signer_date(at, "Europe/Paris") == held
    chart = ChartWords(locale="fr_FR")
    assert (_day(FIRST, chart), _short_day(FIRST, chart)) == ("1er août 2027", "1er août")
    assert timefmt.long_date(FIRST, "fr") == "1er août 2027"
    assert timefmt.local_time(at, "Europe/Paris", "fr") == "dimanche 1er août 2027, 11:30 CEST"
    assert timefmt.local_time(at, "Europe/Paris", "en").startswith("Sunday 1 August 2027")
    assert mail_date(FIRST, "fr") == "dimanche 1er août 2027"
    # 23:30 in Paris on 31 July is still July there: the day is the reader's.
    late = dt.datetime(2027, 7, 31, 21, 30, tzinfo=dt.UTC)
    assert timefmt.local_time(late, "Europe/Paris", "fr").startswith("samedi 31 juillet")
    assert mail_date(late.astimezone(ZoneInfo("Europe/Paris")), "fr") == "samedi 31 juillet 2027"
