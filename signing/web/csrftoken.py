"""The CSRF token a signer's form carries (pages): Flask-WTF's, signed once per session
token.

Flask-WTF signs the session's raw token afresh on every page (an HMAC and a zlib
compression, about a tenth of the page's CPU); the signature only proves that the
server issued it for that raw token, and the app sets no time limit on it
(``WTF_CSRF_TIME_LIMIT = None``: a token lives as long as its session), so one signed
token per raw token does as well. Checking a posted token is still Flask-WTF's.
"""

from __future__ import annotations

from flask import Flask, current_app, session
from flask_wtf.csrf import generate_csrf

from signing.web.cache import BoundedCache

FIELD = "csrf_token"  # Flask-WTF's default session key and form field
_KEY = "plansign.csrf_tokens"


def csrf_token() -> str:
    """The signed CSRF token for this session's forms, as ``generate_csrf`` makes it."""
    tokens: BoundedCache[str, str] | None = current_app.extensions.get(_KEY)
    if tokens is None:
        fresh: str = generate_csrf()
        return fresh
    raw = session.get(FIELD)
    signed = tokens.get(raw) if isinstance(raw, str) else None
    if signed is None:
        signed = generate_csrf()
        tokens.put(session[FIELD], signed)
    return signed


def init_app(app: Flask) -> None:
    """Keep signed tokens for :func:`csrf_token`, unless the app gives tokens a time
    limit (``WTF_CSRF_TIME_LIMIT``; it sets none): each token must then carry a fresh
    time, and :func:`csrf_token` is ``generate_csrf``."""
    if app.config.get("WTF_CSRF_TIME_LIMIT", 3600) is None:
        app.extensions[_KEY] = BoundedCache[str, str](4096)
