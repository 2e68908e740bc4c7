"""Times as a signer reads them: in a named time zone, never a bare UTC clock, and in
the page's language (Babel's formats for the locale: "dimanche 6 décembre 2026, 21:02
CST"). An acknowledgement at 21:02 in Chicago is "Sunday 6 December 2026, 21:02 CST",
not a time on the next day. Pure functions (a datetime, a zone name and a language in,
text out), registered as Jinja filters, in the page's language, by :func:`register`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from flask import Flask
from markupsafe import Markup, escape

from docgen.dates import date_words
from docgen.doclang import percent_text
from docgen.languages import format_locale, list_text, time_in_zone, zone_abbreviation, zone_shown
from signing.web import language

FALLBACK_ZONE = "UTC"
# English as plansign has always written it ("Sunday 6 December 2026, 21:02"); other
# languages in their locale's own full date and short time.
_ENGLISH_DATE, _ENGLISH_TIME = "EEEE d MMMM y", "HH:mm"
_ENGLISH_SECONDS = "HH:mm:ss"


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


def abbreviation(at: dt.datetime, name: str | None, lang: str = "en") -> str:
    """The zone's short name at that moment as ``lang``'s reader is shown it ("CST",
    "BST", "MEZ" in German; "UTC+4", "UTC-3:30" for a zone tzdata names by its offset):
    :func:`docgen.languages.zone_abbreviation`, the one rule emails and PDFs follow too."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return zone_abbreviation(at.astimezone(zone(name)), lang)


def local_time(at: dt.datetime, name: str | None, lang: str = "en", *,
               seconds: bool = False) -> str:
    """``at`` in zone ``name``: "Sunday 6 December 2026, 21:02 CST" ("domingo, 6 de
    diciembre de 2026, 21:02 CST" in ``es``); to the second with ``seconds`` ("21:02:05",
    for what a record states to the second: a seal's time). A naive datetime is taken as
    UTC (how the database gives times back)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    local = at.astimezone(zone(name))
    english = lang == "en"
    locale = format_locale(lang)
    day = date_words(local, _ENGLISH_DATE if english else "full", locale)
    if seconds:
        time = format_time(local, _ENGLISH_SECONDS if english else "medium", locale=locale)
    else:
        time = format_time(local, _ENGLISH_TIME if english else "short", locale=locale)
    comma = "، " if lang == "ar" else ", "  # Arabic's own comma
    return f"{day}{comma}{time_in_zone(local, time, lang)}"


def local_zone(name: str | None) -> str:
    """The zone named for a reader: its IANA name ("America/Chicago"), which says where
    the abbreviation of :func:`local_time` belongs."""
    return zone_name(name)


def local_time_named(at: dt.datetime, name: str | None, lang: str = "en") -> str:
    """:func:`local_time` with the zone's IANA name after it, unless the abbreviation
    already says it all (UTC): "Sunday 6 December 2026, 21:02 CST (America/Chicago)"."""
    text = local_time(at, name, lang)
    key = zone_name(name)
    return text if key in ("UTC", "Etc/UTC") else f"{text} ({zone_shown(key, lang)})"


def long_date(day: dt.date, lang: str = "en") -> str:
    """A calendar date, which needs no zone: "6 December 2026" ("6. Dezember 2026")."""
    return date_words(day, "long", format_locale(lang))


def iso(at: dt.datetime) -> str:
    """The moment for a ``<time datetime>`` attribute (and the page's script)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def weekday(day: dt.date, lang: str = "en") -> str:
    """The day of the week: "Monday", "lundi"."""
    return format_date(day, "EEEE", locale=format_locale(lang))


def clock(at: dt.datetime | dt.time, lang: str = "en") -> str:
    """A time of day as the language writes it: "09:30" ("9:30 ص" in ``ar``)."""
    english = lang == "en"
    return format_time(at, _ENGLISH_TIME if english else "short",
                       locale=format_locale(lang))


def number(value: float, lang: str = "en") -> str:
    """A number as the language writes it: "1,250.5", "1 250,5", "1.250,5"."""
    return format_decimal(value, locale=format_locale(lang))


def percent(value: float, lang: str = "en") -> str:
    """A percentage as the language writes it: "71%", "71 %" (French, Spanish and German
    put a no-break space before the sign, as the documents do)."""
    return percent_text(number(value, lang), lang)


def bdi(text: object) -> Markup:
    """``text`` (a name, a place) isolated from the sentence around it, so that a Latin
    name keeps its own direction in a right-to-left sentence and the reverse."""
    return Markup("<bdi>%s</bdi>") % text


def items(values: Iterable[object], lang: str = "en") -> Markup:
    """A list for a page, as ``lang`` writes one (:func:`docgen.languages.list_text`:
    "A, B et C", "A وB وC"): each item escaped and isolated (``<bdi>``), or kept as it is
    when it is already markup (an item that isolates its own name: "<bdi>Léa</bdi>
    (personne salariée)"); the language's own words and commas between them."""
    values = list(values)
    parts = [value if isinstance(value, Markup) else bdi(value) for value in values]
    # Placeholders through the language's pattern, then the items in their places; the
    # pattern sees each item's words ("Ana e <bdi>Isabel</bdi>" in Spanish).
    slots = iter([f"\x00{n}\x00" for n in range(len(parts))])
    words = [value.striptags() if isinstance(value, Markup) else str(value)
             for value in values]
    text = escape(list_text(words, lang, shown=lambda _word: next(slots)))
    for n, part in enumerate(parts):
        text = text.replace(f"\x00{n}\x00", part)
    return text


def register(app: Flask) -> None:
    """The filters, in the language of the page being rendered (signing.web.language)."""
    filters: dict[str, Callable[..., str]] = {
        "local_time": lambda at, name: local_time(at, name, language.current()),
        "local_time_named": lambda at, name: local_time_named(at, name, language.current()),
        "long_date": lambda day: long_date(day, language.current()),
        "weekday": lambda day: weekday(day, language.current()),
        "clock": lambda at: clock(at, language.current()),
        "number": lambda value: number(value, language.current()),
        "percent": lambda value: percent(value, language.current()),
        "items": lambda values: items(values, language.current()),
    }
    for name, function in filters.items():
        app.add_template_filter(function, name)
    app.add_template_filter(bdi, "bdi")
    app.add_template_filter(local_zone, "local_zone")
    app.add_template_filter(iso, "iso_time")
