"""A signing deadline is the end of a working day in the signer's zone: never at the
hour the plan happened to be sent, never on a weekend, and still at 17:00 local across
the clocks' changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from signing.domain import workflow as wf
from signing.domain.working_day import WorkingDay, deadline, parse_day_end

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
DAY = dt.timedelta(days=1)
FORTNIGHT = 14 * DAY


def at(zone, *fields) -> dt.datetime:
    return dt.datetime(*fields, tzinfo=zone)


def check_working_end(when: dt.datetime, zone, ends=dt.time(17, 0)) -> None:
    local = when.astimezone(zone)
    assert local.weekday() < 5, local
    assert local.time() == ends, local


def test_the_reported_sunday_small_hours_deadline_becomes_a_friday_evening():
    # Sent at 03:54 on a Sunday: fourteen days on is Sunday 20 December at 03:54.
    sent = at(PARIS, 2026, 12, 6, 3, 54)
    due = deadline(sent, FORTNIGHT, WorkingDay(PARIS))
    assert due == at(PARIS, 2026, 12, 18, 17, 0)
    assert due.tzinfo is PARIS


def test_a_plan_sent_on_friday_evening():
    sent = at(PARIS, 2026, 12, 4, 19, 30)  # Friday
    # Fourteen days on is Friday 18 December at 19:30: that day's 17:00 is the last end
    # of a working day the link still covers.
    assert deadline(sent, FORTNIGHT, WorkingDay(PARIS)) == at(PARIS, 2026, 12, 18, 17, 0)
    # A one-day link: Thursday's or Friday's end would be gone or nearly so; Monday's.
    assert deadline(sent, DAY, WorkingDay(PARIS)) == at(PARIS, 2026, 12, 7, 17, 0)
    # Three days (Monday 19:30): Monday's own end, before the link runs out.
    assert deadline(sent, 3 * DAY, WorkingDay(PARIS)) == at(PARIS, 2026, 12, 7, 17, 0)


def test_a_deadline_that_falls_on_a_weekday_morning_moves_back_to_the_day_before():
    sent = at(NEW_YORK, 2026, 11, 30, 9, 15)  # Monday morning
    assert deadline(sent, FORTNIGHT, WorkingDay(NEW_YORK)) == at(NEW_YORK, 2026, 12, 11,
                                                                 17, 0)  # Friday


@pytest.mark.parametrize("sent", [
    at(PARIS, 2026, 3, 16, 2, 30),   # 14 days on: Monday 30 March, after the spring change
    at(PARIS, 2026, 3, 15, 2, 30),   # ... Sunday 29 March 02:30, the hour that does not exist
    at(PARIS, 2026, 10, 11, 23, 0),  # ... Sunday 25 October, the autumn change's day
    at(PARIS, 2026, 10, 12, 1, 0),   # ... Monday 26 October, in winter time
    at(NEW_YORK, 2026, 2, 23, 12, 0),  # ... Monday 9 March, the day after the US change
    at(NEW_YORK, 2026, 10, 19, 18, 0),  # ... Monday 2 November, the day after
])
def test_across_the_clocks_changes_it_is_still_17_00_local_on_a_weekday(sent):
    zone = sent.tzinfo
    due = deadline(sent, FORTNIGHT, WorkingDay(zone))
    check_working_end(due, zone)
    assert due <= sent + FORTNIGHT  # the link still works at the deadline
    assert sent + FORTNIGHT - due < 4 * DAY


def test_every_hour_of_a_fortnight_of_sending_gives_a_working_days_end():
    start = at(PARIS, 2026, 10, 19, 0, 7)
    for hours in range(0, 24 * 14, 5):
        sent = start + dt.timedelta(hours=hours)
        for life in (DAY, 2 * DAY, 3 * DAY, FORTNIGHT):
            due = deadline(sent, life, WorkingDay(PARIS))
            check_working_end(due, PARIS)
            assert due - sent >= life / 2


def test_the_day_may_end_at_another_hour():
    sent = at(dt.UTC, 2026, 12, 1, 10, 0)
    due = deadline(sent, FORTNIGHT, WorkingDay(dt.UTC, parse_day_end("18:30")))
    assert due == at(dt.UTC, 2026, 12, 14, 18, 30)


@pytest.mark.parametrize("text", ["5pm", "24:00", "17", "17:60", ""])
def test_a_day_end_that_is_not_a_time_is_refused_naming_the_setting(text):
    with pytest.raises(ValueError, match=r"deadline_time: .* HH:MM"):
        parse_day_end(text)


def test_sending_an_envelope_with_a_working_day_sets_that_deadline():
    envelope = wf.Envelope(id="e1", state=wf.EnvelopeState.DRAFT, signers=(
        wf.Signer(id="s1", role=wf.Role.EMPLOYEE, name="A", email="a@example.com",
                  order=1, state=wf.SignerState.WAITING),))
    sent = at(PARIS, 2026, 12, 6, 3, 54).astimezone(dt.UTC)
    step = wf.send(envelope, now=sent, expires_in=FORTNIGHT, working_day=WorkingDay(PARIS))
    assert step.envelope.expires_at == at(PARIS, 2026, 12, 18, 17, 0)
    assert step.events[0].data["expires_at"] == "2026-12-18T16:00:00+00:00"


def test_a_link_that_lives_less_than_a_day_keeps_its_own_deadline():
    """Hours (or seconds) are not a working deadline: rounding them to a day's end would
    put the deadline past the link's life (an envelope meant to expire in 10 s waited
    until the next evening)."""
    day = WorkingDay(ZoneInfo("Europe/Paris"), dt.time(17, 0))
    sent = dt.datetime(2027, 1, 8, 20, 30, tzinfo=dt.UTC)  # a Friday evening
    for life in (dt.timedelta(seconds=10), dt.timedelta(hours=6)):
        assert deadline(sent, life, day) == sent + life
        assert deadline(sent, life, day).tzinfo == ZoneInfo("Europe/Paris")
