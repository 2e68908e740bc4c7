"""Rendered signer pages, kept between a signer's visits.

A plan page is rendered with markers where the per-request parts go (the CSRF token,
the comment form's submission id) and where the plan's summary goes (rendered once per
envelope and kept apart, so the pages of a long plan take no more room here than a
short one's). The rendered text, cut at the markers, is kept under a key made of
*everything the template was given*: the signer and envelope rows as read for this
request (state, decision time, deadline, comment window), the employee's own words
from the audit trail, the notice shown, the settings shown. A page is never served from
a state other than the one just read from the database, so a page kept here cannot be
stale, in this process or beside others; each request still reads that state, checks
the session and writes what it writes.

Bounded: at most ``entries`` pages and ``max_chars`` characters in all, least recently
used dropped first.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from signing.web.cache import BoundedCache

# The slots a page has: filled on every request, never kept.
CSRF, SUBMISSION, SUMMARY = "csrf", "submission", "summary"
_SLOTS = (CSRF, SUBMISSION, SUMMARY)

# A page as kept: literal text and slot names, alternating (text, slot, text, ...).
Segments = tuple[str, ...]


class PageCache:
    def __init__(self, entries: int, max_chars: int) -> None:
        self._pages: BoundedCache[Hashable, Segments] = BoundedCache(
            entries, max_weight=max_chars, weight=_chars)
        # Markers no plan text can hold by chance: new in every process.
        nonce = secrets.token_hex(16)
        self.markers = {slot: f"plansign-{slot}-{nonce}" for slot in _SLOTS}
        self._split = re.compile("plansign-(" + "|".join(_SLOTS) + f")-{nonce}")

    def get(self, key: Hashable) -> Segments | None:
        return self._pages.get(key)

    def put(self, key: Hashable | None, html: str) -> Segments:
        """``html``, rendered with :attr:`markers`, cut into segments and, unless ``key``
        is None, kept under it."""
        segments = tuple(self._split.split(html))
        return segments if key is None else self._pages.put(key, segments)


def _chars(segments: Segments) -> int:
    return sum(len(text) for text in segments[::2])


def fill(segments: Segments, values: Mapping[str, Callable[[], str]]) -> str:
    """The page, each slot given its value (each value worked out once, and only if
    the page has that slot: a page without a form makes no CSRF token)."""
    made: dict[str, str] = {}
    parts = list(segments)
    for index in range(1, len(parts), 2):
        slot = parts[index]
        if slot not in made:
            made[slot] = values[slot]()
        parts[index] = made[slot]
    return "".join(parts)


def key_of(*values: Any) -> Hashable:
    """A hashable key made of ``values``: lists and tuples as tuples, dicts as tuples
    of their items, frozen dataclasses and plain values as they are. Raises TypeError
    for anything else unhashable (a template input that cannot be a key: fix the key)."""
    key = tuple(_frozen(value) for value in values)
    hash(key)
    return key


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return ("dict", tuple((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_frozen(v) for v in value))
    return value
