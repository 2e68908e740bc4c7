"""When to try a message again: the Standard Webhooks schedule, with jitter.

After a failed attempt a message waits 5 s, then 5 min, 30 min, 2 h, 5 h, 10 h, 14 h,
20 h and 24 h: ten attempts over about three days, then it has failed. Each wait is
spread by up to a tenth either way, so messages that failed together (a receiver that
was down) do not all come back in the same second. A ``Retry-After`` the receiver sent
is honoured when it asks for longer, up to the longest wait.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random

RETRY_DELAYS = tuple(dt.timedelta(seconds=s) for s in (
    5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.1


def next_attempt(tries: int, failed_at: dt.datetime, *, retry_after: dt.timedelta | None = None,
                 rng: random.Random | None = None) -> dt.datetime | None:
    """When to make attempt ``tries + 1`` after attempt ``tries`` failed at ``failed_at``;
    None when the schedule is exhausted."""
    if tries >= MAX_ATTEMPTS:
        return None
    delay = RETRY_DELAYS[max(tries, 1) - 1]
    delay *= 1 + (rng or random).uniform(-JITTER, JITTER)
    if retry_after is not None:
        delay = max(delay, min(retry_after, RETRY_DELAYS[-1]))
    return failed_at + delay


def parse_retry_after(value: str | None, now: dt.datetime) -> dt.timedelta | None:
    """``Retry-After`` as a wait: delay-seconds or an HTTP date (RFC 9110); None when
    absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return dt.timedelta(seconds=int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(when - now, dt.timedelta(0))
