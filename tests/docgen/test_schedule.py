"""Dates derived from a plan: end, check-ins, reviews, week numbers."""

from __future__ import annotations

import datetime as dt

from docgen import plan_from_data, schedule_for


def test_end_follows_from_length(plan_data):
    schedule = schedule_for(plan_from_data(plan_data))
    assert (schedule.start, schedule.end, schedule.length_days) == (
        dt.date(2026, 12, 1), dt.date(2027, 1, 30), 60)


def test_explicit_end_wins(plan_data):
    plan_data["timeline"] = {"start": "2026-12-01", "end": "2027-01-15"}
    assert schedule_for(plan_from_data(plan_data)).end == dt.date(2027, 1, 15)


def test_weekly_check_ins_fall_on_the_weekday_until_the_end(plan_data):
    schedule = schedule_for(plan_from_data(plan_data))
    days = [m.date for m in schedule.checkins]
    assert days[0] == dt.date(2026, 12, 8)  # the first Tuesday after the start
    assert days[-1] == dt.date(2027, 1, 26)
    assert all(d.weekday() == 1 for d in days)
    assert [m.number for m in schedule.checkins] == list(range(1, 9))
    assert [m.week for m in schedule.checkins] == list(range(2, 10))


def test_biweekly_and_skipped_dates(plan_data):
    plan_data["checkins"].update(cadence="biweekly", weekday="friday", skip=["2026-12-18"])
    days = [m.date for m in schedule_for(plan_from_data(plan_data)).checkins]
    assert days == [dt.date(2026, 12, 4), dt.date(2027, 1, 1), dt.date(2027, 1, 15),
                    dt.date(2027, 1, 29)]


def test_check_ins_keep_local_time_across_daylight_saving(plan_data):
    plan_data["checkins"]["timezone"] = "America/New_York"
    plan_data["timeline"] = {"start": "2027-02-22", "length_days": 30}
    meetings = schedule_for(plan_from_data(plan_data)).checkins
    assert {m.starts.strftime("%H:%M") for m in meetings} == {"10:30"}
    # 14 March 2027 moves New York to daylight time: 15:30 UTC before, 14:30 UTC after.
    assert [m.starts_utc.strftime("%m-%d %H:%M") for m in meetings] == [
        "02-23 15:30", "03-02 15:30", "03-09 15:30", "03-16 14:30", "03-23 14:30"]


def test_reviews_every_30_days_and_a_final_one(plan_data):
    reviews = schedule_for(plan_from_data(plan_data)).reviews
    assert [(r.date, r.week, r.final) for r in reviews] == [
        (dt.date(2026, 12, 31), 5, False), (dt.date(2027, 1, 30), 9, True)]


def test_explicit_review_dates(plan_data):
    plan_data["timeline"]["review_dates"] = ["2027-01-15", "2026-12-15", "2027-01-30"]
    reviews = schedule_for(plan_from_data(plan_data)).reviews
    assert [r.date.isoformat() for r in reviews] == ["2026-12-15", "2027-01-15", "2027-01-30"]
    assert [r.final for r in reviews] == [False, False, True]


def test_review_dates_outside_the_plan_are_left_out(plan_data):
    plan_data["timeline"]["review_dates"] = ["2027-03-01", "2026-12-15", "2026-11-01"]
    reviews = schedule_for(plan_from_data(plan_data)).reviews
    assert [r.date.isoformat() for r in reviews] == ["2026-12-15", "2027-01-30"]


def test_week_numbers(plan_data):
    schedule = schedule_for(plan_from_data(plan_data))
    assert schedule.week_of(dt.date(2026, 12, 1)) == 1
    assert schedule.week_of(dt.date(2026, 12, 7)) == 1
    assert schedule.week_of(dt.date(2026, 12, 8)) == 2
    assert schedule.week_of(dt.date(2026, 11, 30)) == 0
    assert schedule.weeks == 9


def test_derived_reviews_avoid_weekends(plan_data):
    plan_data["timeline"] = {"start": "2027-01-04", "length_days": 90}
    plan_data["goals"][0]["due"] = "2027-03-30"
    reviews = schedule_for(plan_from_data(plan_data)).reviews
    # 3 Feb (Wed) stays; 5 Mar 2027 is a Friday; the final review is the end date.
    assert [r.date.isoformat() for r in reviews] == ["2027-02-03", "2027-03-05", "2027-04-04"]
    plan_data["timeline"] = {"start": "2027-01-02", "length_days": 60}  # +30 = Mon 1 Feb
    plan_data["timeline"]["review_every_days"] = 28  # +28 = Sat 30 Jan -> Mon 1 Feb
    reviews = schedule_for(plan_from_data(plan_data)).reviews
    assert reviews[0].date.isoformat() == "2027-02-01"
