"""The languages plansign writes to an employee in: what a plan's ``language:`` and the
``default_language`` setting may name. Each has its catalog of the employee's words
(signing/translations/<code>/LC_MESSAGES/signer.po) and, for the pages plansign adds to
the final PDF, docgen's own (docgen/translations/<code>/LC_MESSAGES/docgen.po, read by
:mod:`docgen.stamp.wording`)."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import get_timezone_name

from docgen.words import N_, Words

# ISO 639-1 codes, English (the source language) first.
SUPPORTED = ("en", "es", "fr", "de", "ar")
# Written right to left: pages get dir="rtl", the PDF's added pages are drawn mirrored.
RIGHT_TO_LEFT = frozenset({"ar"})
# The locale each language's dates and numbers are written in (Babel): English as the
# records have always written it ("6 December 2026", a 24-hour clock).
FORMAT_LOCALES = {"en": "en_GB", "es": "es_ES", "fr": "fr_FR", "de": "de_DE", "ar": "ar"}


def stored_language(plan_data: object) -> str:
    """The language a sent plan's signers are written to in: the one its stored plan
    data names (fixed when it was sent); English for plans sent before plans had one."""
    code = plan_data.get("language") if isinstance(plan_data, dict) else None
    return code if isinstance(code, str) and code in SUPPORTED else SUPPORTED[0]


def language_problem(value: str) -> Words | None:
    """Why ``value`` is not a language plansign writes in, or None when it is."""
    if value in SUPPORTED:
        return None
    return Words(N_("%(value)s is not a supported language; choose one of %(languages)s"),
                 value=repr(value), languages=", ".join(SUPPORTED))


def check_language(value: str) -> str:
    """``value`` (lower case, trimmed) when supported; ValueError saying what is."""
    code = str(value).strip().lower()
    problem = language_problem(code)
    if problem:
        raise ValueError(problem)
    return code


def direction(language: str) -> str:
    """``rtl`` or ``ltr``: the ``dir`` of a page in ``language``."""
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def isolate(text: str) -> str:
    """``text`` between Unicode's first-strong isolate and its pop (what HTML's <bdi>
    does, in plain text as well): a Latin name or link inside a right-to-left sentence
    keeps its own order, and its punctuation stays at its end."""
    return f"\u2068{text}\u2069" if text else text


def _as_written(text: str) -> str:
    return text


def names_shown(language: str | None) -> Callable[[str], str]:
    """How a sentence in ``language`` shows a name or link put into it: isolated in a
    right-to-left language (:func:`isolate`), as written otherwise (or when unknown)."""
    return isolate if language and direction(language) == "rtl" else _as_written


# How plansign names a time zone, everywhere a time is written (pages, emails, the
# calendar file's text, the Word templates' context, the pages added to the PDF): the
# abbreviation a reader of the language knows, or else the offset from UTC.
#  1. The language's own abbreviation where Unicode's CLDR (Babel's data) gives it one for
#     that zone at that moment and it differs from the English one: German writes MEZ and
#     MESZ for CET and CEST, and a German reader knows those, not the English letters.
#  2. Otherwise the letters tzdata gives (CET, GMT, CST, IST): the abbreviations used
#     internationally, in English, Spanish, French and Arabic business text alike, and
#     what a reader checks against their own calendar.
#  3. A zone tzdata names only by its offset ("+04", "+0545"): "UTC+4", "UTC+5:45",
#     "UTC-3": hours and minutes as people say an offset (not "+04", which reads as a
#     number, nor "UTC+04:00", machine-like), after "UTC", which every reader knows.
# Pages add the IANA name ("Europe/Paris") where there is room, which settles any doubt
# an abbreviation leaves (IST is India's, Ireland's and Israel's).
_OFFSET_ABBREVIATION = re.compile(r"^[+-]\d{2}(\d{2})?$")
_LETTERS = re.compile(r"^[A-Z]{2,6}$")


def utc_offset_name(offset: dt.timedelta) -> str:
    """"UTC+4", "UTC+5:45", "UTC-3", "UTC" (rule 3 above)."""
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


@functools.cache
def _language_abbreviation(zone: str, daylight: bool, language: str) -> str | None:
    """The language's own abbreviation for ``zone`` (CLDR's), when it has one of its own
    that is not the English one: "MEZ" (German for CET)."""
    if language == SUPPORTED[0]:
        return None
    # A day in winter or in summer: the names differ by it only.
    moment = dt.datetime(2026, 7 if daylight else 1, 15, 12,
                         tzinfo=ZoneInfo(zone))
    own = get_timezone_name(moment, "short", locale=format_locale(language))
    english = get_timezone_name(moment, "short", locale=format_locale(SUPPORTED[0]))
    return own if _LETTERS.match(own) and own != english else None


def zone_abbreviation(moment: dt.datetime, language: str | None = None) -> str:
    """The zone of ``moment`` (an aware datetime, on its zone's clock) as a reader of
    ``language`` is shown it: "CET" ("MEZ" in German), "CST", "UTC+4", "UTC"; by the
    rules above, in one place for every page, email, document and PDF page."""
    tzname = moment.tzname() or ""
    if tzname == "UTC":  # "UTC" in every language (not French CLDR's "TU")
        return tzname
    key = getattr(moment.tzinfo, "key", None)
    if key and language and language in SUPPORTED and _LETTERS.match(tzname):
        own = _language_abbreviation(key, bool(moment.dst()), language)
        if own:
            return own
    if _LETTERS.match(tzname) and not _OFFSET_ABBREVIATION.match(tzname):
        return tzname
    return utc_offset_name(moment.utcoffset() or dt.timedelta())


def zone_shown(zone: str, language: str | None) -> str:
    """A time zone's name or abbreviation ("CET", "UTC+4", "Europe/Paris") as a
    sentence in ``language`` shows it: in Latin letters whatever the language, so, in a
    right-to-left one, isolated (:func:`isolate`): "CET" followed by the sentence's
    colon stays "CET" and its colon, on the sentence's side, rather than reading as
    "CET:"."""
    return names_shown(language)(zone)


# What a language's prose puts around a time of day and its zone, where it adds words to
# its locale's time format (Babel's "17:00" is kept as it is): German text says "um
# 17:00 Uhr MEZ", not "um 17:00 MEZ". French, Spanish and Arabic write the time as
# their locale gives it ("17:00", "5:00 م") and the zone after it.
_CLOCK_WITH_ZONE = {"de": "{clock} Uhr {zone}"}


def clock_in_zone(clock: str, zone: str, language: str | None) -> str:
    """A time of day (or a span, "9:30–10:00") and its zone, as ``language`` writes
    them: "17:00 CET", "17:00 Uhr MEZ"; in a right-to-left language the zone isolated
    (:func:`zone_shown`) and held to its time by a no-break space, so that a line never
    begins with it, away from the time it names ("5:00 م CET")."""
    if language and direction(language) == "rtl":
        held = clock.replace(" ", "\u00a0")  # "5:00 م" is one time: not broken either
        return f"{held}\u00a0{zone_shown(zone, language)}"
    return _CLOCK_WITH_ZONE.get(language or "", "{clock} {zone}").format(clock=clock,
                                                                          zone=zone)


def time_in_zone(moment: dt.datetime, clock: str, language: str | None) -> str:
    """:func:`clock_in_zone` for ``moment``'s zone (:func:`zone_abbreviation`)."""
    return clock_in_zone(clock, zone_abbreviation(moment, language), language)


def format_locale(language: str) -> str:
    """The Babel locale dates, times and numbers are written in for ``language``."""
    return FORMAT_LOCALES.get(language, FORMAT_LOCALES["en"])


def list_text(items: Iterable[str], language: str | None,
              shown: Callable[[str], str] | None = None, *, style: str = "standard") -> str:
    """Names or things listed as ``language`` writes a list, by its locale's patterns
    (CLDR's, as Babel's ``format_list`` joins them: "A, B and C", "A, B et C", "A, B und
    C", "A وB وC"), each shown by ``shown`` (by default isolated in a right-to-left
    language: :func:`names_shown`); ``style`` "or" for a choice ("A, B o C"). Every list
    of items shown to a person in their language goes through here (the pages through the
    ``items`` filter, whose ``<bdi>`` isolates), so the conjunction's own rule is kept
    here too: Spanish writes "y" as "e" before the sound /i/ ("Ana e Isabel", "Juan e
    Hilda", but "agua y hielo") and "o" as "u" before /o/ ("Ana u Olga"), decided on each
    item as written, before ``shown`` wraps it."""
    words = [str(item) for item in items]
    show = shown or names_shown(language)
    parts = [show(word) for word in words]
    if len(parts) < 2:
        return "".join(parts)
    locale = Locale.parse(format_locale(language or SUPPORTED[0]))
    patterns = locale.list_patterns[style]

    def joined(pattern: str, left: str, n: int) -> str:
        return _conjunction(pattern, words[n], locale.language).format(left, parts[n])

    if len(parts) == 2:
        return joined(patterns["2"], parts[0], 1)
    text = joined(patterns["start"], parts[0], 1)
    for n in range(2, len(parts) - 1):
        text = joined(patterns["middle"], text, n)
    return joined(patterns["end"], text, len(parts) - 1)


# Spanish: the conjunction before a word that begins with its own sound (RAE): "y" → "e"
# before /i/ ("i-", "hi-", accented too; not "hia-", "hie-", "hio-", "hiu-", where the
# sound is a consonant's: "agua y hielo"), "o" → "u" before /o/ ("o-", "ho-").
_SPANISH_CONJUNCTIONS = (
    (" y {1}", " e {1}", re.compile(r"(?:i|hi(?![aeiou]))")),
    (" o {1}", " u {1}", re.compile(r"h?o")),
)


def _conjunction(pattern: str, word: str, language: str) -> str:
    """``pattern`` ("{0} y {1}") with its conjunction as ``language`` writes it before
    ``word``."""
    if language != "es":
        return pattern
    start = _letters(word)
    for plain, before_sound, sound in _SPANISH_CONJUNCTIONS:
        if pattern.endswith(plain) and sound.match(start):
            return pattern[: -len(plain)] + before_sound
    return pattern


def _letters(word: str) -> str:
    """``word``'s first letters, lower case and without accents ("Íñigo" → "inigo"),
    after any quote, bracket or isolate before it."""
    letters = "".join(c for c in unicodedata.normalize("NFD", word)
                      if not unicodedata.combining(c))
    return re.sub(r"^[^\w]+", "", letters.casefold())[:4]
