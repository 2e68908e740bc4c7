"""The languages plansign writes to an employee in: what a plan's ``language:`` and the
``default_language`` setting may name. Each has its catalog of the employee's words
(signing/translations/<code>/LC_MESSAGES/signer.po) and, for the pages plansign adds to
the final PDF, docgen's own (docgen/translations/<code>/LC_MESSAGES/docgen.po, read by
:mod:`docgen.stamp.wording`)."""

from __future__ import annotations

from collections.abc import Callable

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


def format_locale(language: str) -> str:
    """The Babel locale dates, times and numbers are written in for ``language``."""
    return FORMAT_LOCALES.get(language, FORMAT_LOCALES["en"])
