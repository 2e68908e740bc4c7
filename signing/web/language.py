"""Which language a page is in. The signer's pages speak the plan's language (the
envelope's plan data names it, ``language:``), from the ``signer`` gettext domain: the
employee's words, kept apart from the console's ``messages`` so that each can be
translated in full on its own. The console speaks the signed-in person's own language
(their account's setting; not chosen: the ``default_language`` setting), and before
sign-in the best of what the browser accepts; everything else, English.

The locale is chosen per request (``g``): Flask-Babel asks :func:`select_locale` once,
and :func:`use` changes it for the rest of the request (a page whose envelope is read
only in the view)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request, session
from flask_babel import Domain, get_locale, refresh

from docgen.languages import SUPPORTED, direction

# signing/translations/<language>/LC_MESSAGES/{messages,signer}.po (`make translations`).
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
SIGNER_DOMAIN = Domain(translation_directories=[str(TRANSLATIONS)], domain="signer")
SOURCE_LANGUAGE = "en"
_SESSION_KEY = "lang"


def select_locale() -> str:
    """Flask-Babel's locale selector: what :func:`use` set, else English."""
    return str(g.get("plansign_language") or SOURCE_LANGUAGE)


def use(language: str | None) -> None:
    """Speak ``language`` for the rest of this request (English for None or one that is
    not supported), and remember it in a signer's session for the pages that no longer
    know their envelope (an expired form, a withdrawn link)."""
    code = language if language in SUPPORTED else SOURCE_LANGUAGE
    g.plansign_language = code
    refresh()


def use_signer_words(language: str | None = None) -> None:
    """Render with the employee's catalog (the ``signer`` domain), in ``language``, else
    in the session's, else the best of what the browser accepts, else English."""
    SIGNER_DOMAIN.as_default()
    use(language or session.get(_SESSION_KEY)
        or request.accept_languages.best_match(SUPPORTED) or SOURCE_LANGUAGE)


def use_console_words(person_language: str | None, default: str,
                      signed_in: bool) -> None:
    """Render a console page (the ``messages`` domain, Flask-Babel's default) in the
    signed-in person's language, else ``default`` (the ``default_language`` setting);
    before sign-in, in the best of what the browser accepts, else ``default``."""
    if signed_in:
        use(person_language or default)
    else:
        use(request.accept_languages.best_match(SUPPORTED) or default)


def remember(language: str) -> None:
    """Keep the signer's language in their session (only when it changes: the session's
    cookie is sent again only when it must be, signing.web.sessioncookie)."""
    if session.get(_SESSION_KEY) != language:
        session[_SESSION_KEY] = language


def current() -> str:
    """The language of this request's page."""
    return str(get_locale() or SOURCE_LANGUAGE)


def page_direction() -> str:
    return direction(current())


# Languages that write a noun with its capital inside a sentence ("Eintrag 1 entfernen").
_NOUNS_CAPITALISED = frozenset({"de"})


def in_sentence(label: str) -> str:
    """A label ("Entry 1") as a word inside this page's sentence: lower case ("Remove
    entry 1", "Quitar entrada 1"), except in a language that capitalises its nouns."""
    return label if current() in _NOUNS_CAPITALISED else label.lower()


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(page_language=current, page_direction=page_direction)
    app.add_template_filter(in_sentence, "in_sentence")
