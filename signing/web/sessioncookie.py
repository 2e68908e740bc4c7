"""The signer's session cookie: Flask's signed cookie, whose signature carries the time it
was issued, so that a session idle for ``PERMANENT_SESSION_LIFETIME`` ends. A page the
signer opens keeps the session alive (:func:`keep_alive`) by sending the cookie again,
which re-signs it; that is done at most once every :data:`REFRESH_AFTER` seconds, not on
every page: a session then ends between the idle time and that much less, and a signer
reading several pages a minute costs one signature, not one per page.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer

# How old a session's cookie may be before a page that keeps it alive sends it again.
REFRESH_AFTER = 60.0


class SignerSession(SecureCookieSession):
    """A session that knows when its cookie was issued (None: not from a cookie)."""

    issued_at: float | None = None
    keep_alive = False


def keep_alive(session: SessionMixin) -> None:
    """Let this response restart the session's idle time, if its cookie is older than
    :data:`REFRESH_AFTER`."""
    session.keep_alive = True  # type: ignore[attr-defined]  # our session_class has it


class IdleSessionInterface(SecureCookieSessionInterface):
    session_class = SignerSession

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer, made once per set of keys rather than twice per request."""
        keys = (app.secret_key, *app.config["SECRET_KEY_FALLBACKS"])
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if serializer is None:
                return None
            self._serializers = {keys: serializer}  # keys change only by reconfiguring
        return serializer

    def open_session(self, app: Flask, request: Request) -> SignerSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return SignerSession()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, issued = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:  # tampered with, or idle too long (SignatureExpired)
            return SignerSession()
        session = SignerSession(data)
        session.issued_at = issued.timestamp()
        return session

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if super().should_set_cookie(app, session):
            return True
        if not getattr(session, "keep_alive", False):
            return False
        issued_at: float | None = getattr(session, "issued_at", None)
        return issued_at is None or time.time() - issued_at >= REFRESH_AFTER


def init_app(app: Flask) -> None:
    app.session_interface = IdleSessionInterface()
