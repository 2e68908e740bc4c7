"""The retry schedule: the specification's waits, jitter, Retry-After."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from webhooks.schedule import MAX_ATTEMPTS, RETRY_DELAYS, next_attempt, parse_retry_after

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
SPEC = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]


def test_the_waits_are_the_specifications():
    assert [d.total_seconds() for d in RETRY_DELAYS] == SPEC
    assert MAX_ATTEMPTS == 10


@pytest.mark.parametrize("tries", range(1, 10))
def test_each_wait_is_within_a_tenth_of_the_schedule(tries):
    rng = random.Random(tries)
    waits = [(next_attempt(tries, T0, rng=rng) - T0).total_seconds() for _ in range(200)]
    expected = SPEC[tries - 1]
    assert all(0.9 * expected <= w <= 1.1 * expected for w in waits)
    assert len(set(waits)) > 100  # spread, not one value


def test_after_the_tenth_attempt_there_is_no_next():
    assert next_attempt(10, T0) is None


def test_retry_after_asks_for_longer_and_is_capped_at_a_day():
    rng = random.Random(1)
    assert next_attempt(1, T0, retry_after=dt.timedelta(minutes=10), rng=rng) == \
        T0 + dt.timedelta(minutes=10)
    shorter = next_attempt(3, T0, retry_after=dt.timedelta(seconds=1), rng=rng)
    assert shorter - T0 > dt.timedelta(minutes=25)  # the schedule's wait wins
    assert next_attempt(1, T0, retry_after=dt.timedelta(days=30), rng=rng) == \
        T0 + dt.timedelta(days=1)


def test_retry_after_in_seconds_or_as_a_date():
    assert parse_retry_after("120", T0) == dt.timedelta(seconds=120)
    assert parse_retry_after("Tue, 01 Dec 2026 09:05:00 GMT", T0) == dt.timedelta(minutes=5)
    assert parse_retry_after("Tue, 01 Dec 2026 08:00:00 GMT", T0) == dt.timedelta(0)
    assert parse_retry_after("soon", T0) is None
    assert parse_retry_after("-5", T0) is None
    assert parse_retry_after(None, T0) is None
