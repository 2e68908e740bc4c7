"""A domain error's words in the reader's language, for any page: the console's (the
``messages`` domain, the person's language) and the signer's (the ``signer`` domain, the
plan's language), whichever catalog the request speaks (signing.web.language). An error
raised with a :class:`~signing.domain.errors.Wording` is translated; any other is shown
in its English, as a sentence."""

from __future__ import annotations

from flask_babel import format_decimal, gettext, ngettext

from signing.domain.errors import wording_of


def problem_text(exc: BaseException) -> str:
    """A domain error's message in the reader's language, as a sentence: translated from
    the :class:`~signing.domain.errors.Wording` it was raised with, else (a message not
    yet worded for translation) its English text."""
    return message_text(wording_of(exc) or str(exc))


def message_text(message: str) -> str:
    """One message of a domain error (a refused field's, kept apart from its field:
    ``InvalidInput.errors``) in the reader's language, as a sentence: a
    :class:`~signing.domain.errors.Wording` is translated, any other text shown as it is."""
    text = words_text(message).strip()
    if not text:
        return text
    # A sentence that opens with a value (an address, a date) keeps the value as given.
    values = getattr(message, "values", None) or {}
    opens_with_value = any(str(v) and text.startswith(str(v)) for v in values.values())
    return (text if opens_with_value else text[:1].upper() + text[1:]).rstrip(".") + "."


def words_text(message: str) -> str:
    """``message`` in the reader's language, as it was worded (no capital or full stop
    added): a :class:`~signing.domain.errors.Wording`, or docgen's
    :class:`~docgen.words.Words` (a lint finding, a problem with plan data, a refused
    address: read by their attributes, as docgen imports nothing of this package), is
    translated from the console's catalog; any other text is shown as it is."""
    msgid = getattr(message, "msgid", None)
    if not isinstance(msgid, str):
        return message
    given: dict[str, object] = getattr(message, "values", None) or {}
    # Whole numbers by the reader's locale ("20 000", "20.000"); words inside words (a
    # key given twice, inside "not valid YAML at line 3 ...") translated; the rest as given.
    values = {name: format_decimal(value) if isinstance(value, int)
              and not isinstance(value, bool)
              else words_text(value) if isinstance(value, str) else value
              for name, value in given.items()}
    plural, number = getattr(message, "plural", None), getattr(message, "number", None)
    if isinstance(plural, str) and isinstance(number, int):
        return str(ngettext(msgid, plural, number, **values))
    # gettext formats with %: a message without values must not be formatted at all.
    return str(gettext(msgid, **values) if values else gettext(msgid))


def field_texts(errors: dict[str, str]) -> dict[str, str]:
    """Each refused field's message (``InvalidInput.errors``), in the reader's language."""
    return {field: message_text(message) for field, message in errors.items()}
