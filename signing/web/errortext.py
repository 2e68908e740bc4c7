"""A domain error's words in the reader's language, for any page: the console's (the
``messages`` domain, the person's language) and the signer's (the ``signer`` domain, the
plan's language), whichever catalog the request speaks (signing.web.language). An error
raised with a :class:`~signing.domain.errors.Wording` is translated; any other is shown
in its English, as a sentence."""

from __future__ import annotations

from flask_babel import format_decimal, gettext, ngettext

from signing.domain.errors import Wording, wording_of


def problem_text(exc: BaseException) -> str:
    """A domain error's message in the reader's language, as a sentence: translated from
    the :class:`~signing.domain.errors.Wording` it was raised with, else (a message not
    yet worded for translation) its English text."""
    return message_text(wording_of(exc) or str(exc))


def message_text(message: str) -> str:
    """One message of a domain error (a refused field's, kept apart from its field:
    ``InvalidInput.errors``) in the reader's language, as a sentence: a
    :class:`~signing.domain.errors.Wording` is translated, any other text shown as it is."""
    if isinstance(message, Wording):
        # Whole numbers by the reader's locale ("20 000", "20.000"); the rest as given.
        values = {name: format_decimal(value) if isinstance(value, int)
                  and not isinstance(value, bool) else value
                  for name, value in message.values.items()}
        if message.plural is not None and message.number is not None:
            text = str(ngettext(message.msgid, message.plural, message.number, **values))
        elif values:
            text = gettext(message.msgid, **values)
        else:
            text = gettext(message.msgid)
    else:
        text = message
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else text


def field_texts(errors: dict[str, str]) -> dict[str, str]:
    """Each refused field's message (``InvalidInput.errors``), in the reader's language."""
    return {field: message_text(message) for field, message in errors.items()}
