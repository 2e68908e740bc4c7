"""Times as a signer reads them: in a named time zone, never a bare UTC clock. An
acknowledgement at 21:02 in Chicago is "Sunday 6 December 2026, 21:02 CST", not a
time on the next day. Pure functions (a datetime and a zone name in, text out),
registered as Jinja filters by :func:`register`."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask

FALLBACK_ZONE = "UTC"
_NUMERIC_ABBREVIATION = re.compile(r"^([+-])(\d{2})(\d{2})?$")


def zone(name: str | None) -> ZoneInfo:
    """The zone called ``name``; UTC for a missing or unknown name, so that a page is
    never refused for the zone it would show its times in."""
    try:
        return ZoneInfo(name or FALLBACK_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(FALLBACK_ZONE)


def zone_name(name: str | None) -> str:
    """The IANA name :func:`zone` uses for ``name``."""
    return zone(name).key


def abbreviation(at: dt.datetime, name: str | None) -> str:
    """The zone's short name at that moment ("CST", "BST"); zones without a letter
    abbreviation (tzdata writes "+04") read as "UTC+4", "UTC-3:30"."""
    local = at.astimezone(zone(name))
    short = local.tzname() or ""
    numeric = _NUMERIC_ABBREVIATION.match(short)
    if numeric:
        sign, hours, minutes = numeric.groups()
        return f"UTC{sign}{int(hours)}" + (f":{minutes}" if minutes and minutes != "00" else "")
    return short


def local_time(at: dt.datetime, name: str | None) -> str:
    """``at`` in zone ``name``: "Sunday 6 December 2026, 21:02 CST". A naive datetime is
    taken as UTC (how the database gives times back)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    local = at.astimezone(zone(name))
    return (f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} "
            f"{abbreviation(at, name)}")


def local_zone(name: str | None) -> str:
    """The zone named for a reader: its IANA name ("America/Chicago"), which says where
    the abbreviation of :func:`local_time` belongs."""
    return zone_name(name)


def local_time_named(at: dt.datetime, name: str | None) -> str:
    """:func:`local_time` with the zone's IANA name after it, unless the abbreviation
    already says it all (UTC): "Sunday 6 December 2026, 21:02 CST (America/Chicago)"."""
    text = local_time(at, name)
    key = zone_name(name)
    return text if key in ("UTC", "Etc/UTC") else f"{text} ({key})"


def long_date(day: dt.date) -> str:
    """A calendar date, which needs no zone: "6 December 2026"."""
    return f"{day.day} {day:%B %Y}"


def iso(at: dt.datetime) -> str:
    """The moment for a ``<time datetime>`` attribute (and the page's script)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def register(app: Flask) -> None:
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(local_zone, "local_zone")
    app.add_template_filter(local_time_named, "local_time_named")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(iso, "iso_time")
