"""The fixed words of the record, in the plan's language, and how times are written in it.

The words are gettext messages of docgen's own ``docgen`` domain (English is the source;
``docgen/translations/<code>/LC_MESSAGES/docgen.po``, extracted and compiled by `make
translations` beside the signer's catalogs, so translators have one workflow). docgen
imports no Flask: Babel's ``support.Translations`` reads the compiled catalogs, and
:class:`RecordWords` is one language's words and date formats. English keeps the exact
forms the records have always had (no Babel call), so records read as before.

The certificate gives every time exactly, in UTC (``2027-01-12 09:14:03 UTC`` in every
language), so it reads the same to signers, HR and records staff in any zone. A
signature is dated as its signer saw the clock: the stamp and the acknowledgement page
give the signer's local time with the zone named (an acknowledgement at 21:02 in
Chicago is dated that evening, not the next UTC day), in the plan's language.
"""

from __future__ import annotations

import datetime as dt
import functools
from gettext import NullTranslations
from zoneinfo import ZoneInfo

from babel.dates import format_time
from babel.support import Translations

from docgen.dates import date_words, held_together
from docgen.languages import (
    FORMAT_LOCALES,
    RIGHT_TO_LEFT,
    SUPPORTED,
    time_in_zone,
    zone_abbreviation,
    zone_shown,
)
from docgen.resources import package_path
from docgen.stamp import kinds
from docgen.stamp.kinds import N_ as N_  # the domain's marker, imported from here too
from docgen.stamp.kinds import Said
from docgen.stamp.model import AMENDMENT, OUTCOME_LETTER, Completion, DocumentKind, SignerOutcome

DOMAIN = "docgen"
CATALOGS = package_path("docgen", "translations")
# The record's language tag for screen readers (the structure tree's /Lang).
LANGUAGE_TAGS = {"en": "en-GB", "es": "es-ES", "fr": "fr-FR", "de": "de-DE", "ar": "ar"}


ROLE_LABELS = {"employee": N_("Employee"), "manager": N_("Manager"),
               "hr": N_("HR representative")}
DECISION_LABELS = {
    "acknowledged": N_("Acknowledged"),
    "refused": N_("Refused to sign"),
    "confirmed": N_("Confirmed"),
    "declined": N_("Declined to sign"),
    "no_response": N_("No response"),
}
OUTCOME_LABELS = {"completed": N_("Completed"), "expired": N_("Expired"),
                  "voided": N_("Withdrawn (voided)")}
# The certificate's rows that tie it to the record; verify reads them back from records
# made before the audit trail was attached (see .attachment), in any language.
ENVELOPE_LABEL = N_("Envelope")
ORIGINAL_LABEL = N_("Original document SHA-256")
HEAD_LABEL = N_("Audit trail head hash")

NAME_DIFFERS = N_("The typed name differs from the name on record; the signer stated "
                  "their legal name differs.")
# What a stamp says under a typed name that is not the name on record.
STAMP_NAME_DIFFERS = N_("Name on record: %(name)s; signer states their legal name differs "
                        "(not verified by plansign)")
RECORDED_REFUSAL = N_("Refusal to sign recorded")
# A refusal's reason: the employee's own, or what the manager wrote down in the meeting.
REASON_LABEL = N_("Reason given")
RECORDED_REASON_LABEL = N_("What was recorded as the employee's words")


class RecordWords:
    """The record's words and dates in one language (:func:`record_words`)."""

    def __init__(self, language: str, translations: NullTranslations) -> None:
        self.language = language
        self.locale = FORMAT_LOCALES[language]
        self.rtl = language in RIGHT_TO_LEFT
        self.tag = LANGUAGE_TAGS[language]
        self._translations = translations

    # -- messages ---------------------------------------------------------------------

    def _(self, message: str, **values: object) -> str:
        """``message`` in this language, its ``%(name)s`` placeholders filled in."""
        text = self._translations.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, num: int, **values: object) -> str:
        return self._translations.ngettext(singular, plural, num) % {"num": num, **values}

    def about(self, said: Said, document: DocumentKind, **values: object) -> str:
        """The sentence ``said`` for ``document``'s kind, in this language: an
        amendment's ``%(number)d`` and ``%(date)s`` (the plan's date) filled in with
        ``values``."""
        named: dict[str, object] = {"number": document.number or 0, "date": (
            self.long_date(document.plan_date) if document.plan_date else "")}
        return self._translations.gettext(said.of(document.kind)) % {**named, **values}

    def comments_attached(self, document: DocumentKind, count: int) -> str:
        """How many comments follow, as the acknowledgement page says it."""
        if document.kind == OUTCOME_LETTER:
            return self.ngettext("%(num)d comment was attached to the outcome letter; it "
                                 "follows, exactly as written.",
                                 "%(num)d comments were attached to the outcome letter; "
                                 "they follow, exactly as written.", count)
        if document.kind == AMENDMENT:
            return self.ngettext("%(num)d comment was attached to the amendment; it "
                                 "follows, exactly as written.",
                                 "%(num)d comments were attached to the amendment; they "
                                 "follow, exactly as written.", count)
        return self.ngettext("%(num)d comment was attached to the plan; it follows, exactly "
                             "as written.",
                             "%(num)d comments were attached to the plan; they follow, "
                             "exactly as written.", count)

    @functools.cached_property
    def characters(self) -> frozenset[str]:
        """Every character this language's words and dates may use: the document's
        fonts are cut down to its text, and these are part of it."""
        chars = set("0123456789:,.;()/–-— ")
        catalog = getattr(self._translations, "_catalog", {})
        for text in catalog.values():
            chars.update(text)
        for day in range(1, 8):  # the month and day names, short and long, and the clock
            moment = dt.datetime(2027, day, day + 7, 9 + day, tzinfo=dt.UTC)
            for month in range(day, 13, 7):
                chars.update(self.long_date(moment.replace(month=month)))
                chars.update(self._short_date(moment.replace(month=month)))
            chars.update(self._clock(moment) + self._clock(moment.replace(hour=20)))
        return frozenset(chars)

    # -- labels -----------------------------------------------------------------------

    def role_label(self, role: str) -> str:
        if role in ROLE_LABELS:
            return self._(ROLE_LABELS[role])
        return role.capitalize() if role else self._("Signer")

    def decision(self, decision: str) -> str:
        return self._(DECISION_LABELS[decision])

    def outcome_text(self, completion: Completion, when: str, *, exact: bool = False) -> str:
        """The outcome in words and when: ``Completed on 14 January 2027, 10:02 UTC``
        (``exact``: ``Completed, 2027-01-14 10:02:31 UTC``, the certificate's). A
        refusal is said, and that it does not stop the plan."""
        outcome = self._(OUTCOME_LABELS[completion.outcome])
        text = (self._("%(outcome)s, %(when)s", outcome=outcome, when=when) if exact
                else self._("%(outcome)s on %(when)s", outcome=outcome, when=when))
        document = completion.document
        if completion.outcome == "voided":
            # Withdrawn: said whatever the employee did.
            reason = (completion.voided_reason or "").strip()
            if reason:
                return self.about(kinds.WITHDRAWN_BECAUSE, document, outcome=text,
                                  reason=reason)
            return self.about(kinds.WITHDRAWN, document, outcome=text)
        if completion.employee_refused:
            return self.about(kinds.REFUSED, document, outcome=text)
        return text

    def reason_label(self, signer: SignerOutcome) -> str:
        return self._(RECORDED_REASON_LABEL if signer.refusal_recorded else REASON_LABEL)

    def not_asked(self, completion: Completion) -> tuple[str, str]:
        """Said of a signer who was never sent the document: the headline and why."""
        return (self._("Not asked"),
                self.about(kinds.ENDED_BEFORE_TURN[completion.outcome], completion.document))

    def decision_label(self, signer: SignerOutcome, completion: Completion) -> str:
        """The decision in words: who refused, and a signer who was never asked."""
        if signer.refusal_recorded:
            return self._(RECORDED_REFUSAL)
        if signer.decision == "no_response" and signer.not_asked:
            return self._("%(not_asked)s: %(why)s", not_asked=self.not_asked(completion)[0],
                          why=self.not_asked(completion)[1])
        return self.decision(signer.decision)

    def recorded_by(self, signer: SignerOutcome) -> tuple[str, ...]:
        """``("by Jürg Baumann (manager)", "witness Anna Keller")``: who recorded a
        refusal, and before whom (said with commas between)."""
        witness = ((self._("witness %(name)s", name=signer.witness),)
                   if signer.witness else ())
        return (self._("by %(name)s (manager)", name=signer.recorded_by), *witness)

    def meeting(self, signer: SignerOutcome, *, short: bool) -> str | None:
        """``at a meeting on 12 Jan 2027, 10:00 CET, Room 3``, from what the manager
        entered; None when they entered neither time nor place (records made before
        they could)."""
        detail = self.meeting_detail(signer, short=short)
        return self._("at a meeting %(detail)s", detail=detail) if detail else None

    def meeting_detail(self, signer: SignerOutcome, *, short: bool) -> str | None:
        """When and where a refusal's meeting was: ``on 12 January 2027, 10:00 CET, Room
        3``, ``at Room 3``; None when the manager entered neither."""
        place = " ".join((signer.meeting_place or "").split())
        if signer.meeting_at is None:
            return self._("at %(place)s", place=place) if place else None
        zone = None if _is_utc(signer.timezone) else signer.timezone
        # Without the manager's zone, the time as they entered it, with its own offset.
        m = signer.meeting_at.astimezone(ZoneInfo(zone)) if zone else signer.meeting_at
        when = self._when(self._short_date(m) if short else self.long_date(m), m)
        if place:
            return self._("on %(when)s, %(place)s", when=when, place=place)
        return self._("on %(when)s", when=when)

    # -- times ------------------------------------------------------------------------

    def signer_time(self, moment: dt.datetime, zone: str | None) -> str:
        """``5 December 2026, 21:02 CST (America/Chicago; 6 December 2026, 03:02 UTC)``:
        for the acknowledgement page; just :meth:`long_time` when the zone is UTC or
        unknown."""
        if _is_utc(zone):
            return self.long_time(moment)
        m = local(moment, zone)
        # The zone's IANA name isolated in Arabic: not run together with the Latin
        # abbreviation before it into one left-to-right run ("CET (Europe/Paris" read
        # backwards), and the brackets around it mirrored as the sentence's own.
        return self._("%(local)s (%(zone)s; %(utc)s)", local=self._when(self.long_date(m), m),
                      zone=zone_shown(zone or "UTC", self.language), utc=self.long_time(moment))

    def signer_short_time(self, moment: dt.datetime, zone: str | None) -> str:
        """``5 Dec 2026, 21:02 CST``: the small print beside a signature, on its signer's
        clock."""
        m = local(moment, None if _is_utc(zone) else zone)
        return self._when(self._short_date(m), m)

    def signer_date(self, moment: dt.datetime, zone: str | None) -> str:
        """``5 December 2026``: the date on the Date: line, the signer's day."""
        return self.long_date(local(moment, None if _is_utc(zone) else zone))

    def long_time(self, moment: dt.datetime) -> str:
        """``12 January 2027, 09:14 UTC``: for sentences people read."""
        m = utc(moment)
        return self._when(self.long_date(m), m)

    def short_time(self, moment: dt.datetime) -> str:
        """``12 Jan 2027, 09:14 UTC``: for the small print beside a signature."""
        m = utc(moment)
        return self._when(self._short_date(m), m)

    def long_date(self, moment: dt.date) -> str:
        """``12 January 2027``, ``12 de enero de 2027``, ``12. Januar 2027`` (the day of
        ``moment`` as it is given)."""
        if self.language == "en":
            return held_together(f"{moment.day} {moment:%B %Y}")
        return date_words(moment, "long", self.locale, held=True)

    def _short_date(self, moment: dt.datetime) -> str:
        if self.language == "en":
            return held_together(f"{moment.day} {moment:%b %Y}")
        if self.rtl:  # the numeric form puts direction marks between its parts
            return self.long_date(moment)
        return date_words(moment, "medium", self.locale, held=True)

    def _clock(self, moment: dt.datetime) -> str:
        if self.language == "en":
            return f"{moment:%H:%M}"
        return format_time(moment, "short", locale=self.locale)

    def _when(self, day: str, moment: dt.datetime) -> str:
        """A day and the time of ``moment`` with its zone named as pages and emails name
        it (:func:`docgen.languages.time_in_zone`: ``10:00 CET``, ``10:00 Uhr MEZ``; in
        Arabic the zone isolated and held to its time, so that fpdf2's bidi keeps it
        after the time rather than moving it beside a number or a bracket)."""
        return self._("%(date)s, %(time)s", date=day,
                      time=time_in_zone(moment, self._clock(moment), self.language))


@functools.cache
def record_words(language: str) -> RecordWords:
    """The record's words in ``language`` (one of :data:`docgen.languages.SUPPORTED`);
    English, the source language, needs no catalog."""
    if language not in SUPPORTED:
        raise ValueError(f"{language!r} is not a language the record is written in; "
                         f"choose one of {', '.join(SUPPORTED)}")
    if language == SUPPORTED[0]:
        return RecordWords(language, NullTranslations())
    return RecordWords(language, Translations.load(str(CATALOGS), [language], domain=DOMAIN))


def words_for(completion: Completion) -> RecordWords:
    return record_words(completion.language)


def label_forms(label: str) -> tuple[str, ...]:
    """``label`` in every language, English first: how a certificate made in any of them
    names that row."""
    return tuple(dict.fromkeys(record_words(code)._(label) for code in SUPPORTED))


ENGLISH = record_words("en")


def meeting(signer: SignerOutcome, *, short: bool) -> str | None:
    """:meth:`RecordWords.meeting` in English."""
    return ENGLISH.meeting(signer, short=short)


def local(moment: dt.datetime, zone: str | None) -> dt.datetime:
    """``moment`` on the clock of ``zone`` (an IANA name), or in UTC without one."""
    return moment.astimezone(ZoneInfo(zone)) if zone else utc(moment)


def _is_utc(zone: str | None) -> bool:
    return zone is None or zone in ("UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu")


def local_exact(moment: dt.datetime, zone: str, language: str | None = None) -> str:
    """``2026-12-05 21:02:07 CST (America/Chicago)``: local time on the certificate, as
    exact as the UTC times beside it and written the same way in every language; only
    the zone's abbreviation is the reader's, as on the record's other pages ("MEZ" in
    German: :func:`~docgen.languages.zone_abbreviation`)."""
    m = local(moment, zone)
    return f"{m:%Y-%m-%d %H:%M:%S} {zone_abbreviation(m, language)} ({zone})"


def utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def long_time(moment: dt.datetime) -> str:
    """``12 January 2027, 09:14 UTC``: for sentences people read (English)."""
    return ENGLISH.long_time(moment)


def exact_time(moment: dt.datetime) -> str:
    """``2027-01-12 09:14:03 UTC``: to the second, sortable, for the certificate."""
    return f"{utc(moment):%Y-%m-%d %H:%M:%S} UTC"


def sentence(text: str) -> str:
    """An event name as a table cell: ``email delivered`` → ``Email delivered``."""
    return text[:1].upper() + text[1:]
