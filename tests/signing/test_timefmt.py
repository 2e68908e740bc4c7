"""Times as the signer's page writes them: in a named zone, never a bare UTC clock."""

from __future__ import annotations

import datetime as dt

from signing.web import timefmt

# 03:02 UTC on 7 December is 21:02 on 6 December in Chicago: the day a signer there lived.
AT = dt.datetime(2026, 12, 7, 3, 2, tzinfo=dt.UTC)


def test_a_time_in_the_signers_zone_names_the_zone():
    assert timefmt.local_time(AT, "America/Chicago") == "Sunday 6 December 2026, 21:02 CST"
    assert timefmt.local_zone("America/Chicago") == "America/Chicago"
    assert (timefmt.local_time_named(AT, "America/Chicago")
            == "Sunday 6 December 2026, 21:02 CST (America/Chicago)")


def test_summer_time_and_zones_without_a_letter_abbreviation():
    summer = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    assert timefmt.local_time(summer, "Europe/London") == "Wednesday 1 July 2026, 13:00 BST"
    assert timefmt.local_time(summer, "Asia/Dubai") == "Wednesday 1 July 2026, 16:00 UTC+4"
    assert timefmt.local_time(summer, "Asia/Kolkata").endswith("17:30 IST")
    assert timefmt.local_time(summer, "America/St_Johns").endswith("09:30 NDT")
    assert timefmt.local_time(summer, "Asia/Kathmandu").endswith("17:45 UTC+5:45")


def test_utc_is_named_once_and_a_naive_time_is_utc():
    naive = dt.datetime(2026, 12, 7, 3, 2)
    assert timefmt.local_time_named(naive, "UTC") == "Monday 7 December 2026, 03:02 UTC"
    assert timefmt.iso(naive) == "2026-12-07T03:02:00Z"


def test_a_missing_or_unknown_zone_falls_back_to_utc():
    for zone in (None, "", "Mars/Olympus_Mons", "../etc/passwd"):
        assert timefmt.local_time_named(AT, zone) == "Monday 7 December 2026, 03:02 UTC"


def test_a_calendar_date_has_no_zone():
    assert timefmt.long_date(dt.date(2027, 1, 5)) == "5 January 2027"
