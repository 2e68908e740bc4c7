"""The Flask application factory: it only registers things (the services, CSRF,
security headers, blueprints); each part has its own ``init_app``. It builds nothing of
plansign's own: that is :class:`~signing.services.Services`, which it is given."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from config import SETTINGS, load_settings
from signing import instance
from signing.domain.sending import default_language
from signing.services import Services
from signing.web import (
    api,
    brand,
    console,
    csrftoken,
    current,
    hooks,
    language,
    ownrecords,
    pages,
    ratelimit,
    webdb,
    weberrors,
)

csrf = CSRFProtect()
# Every user-facing string goes through gettext; English is the source. The console's
# are the "messages" domain, the employee's (the signer's pages) "signer" (language.py).
babel = Babel(default_locale="en", default_domain="messages")
# The gettext catalogs (`make translations`): signing/translations/<language>/LC_MESSAGES.
TRANSLATIONS = language.TRANSLATIONS

# Strict: only our own styles and scripts, no inline code, nothing sent elsewhere, and
# no page of ours inside anyone's frame. The console's htmx requests go to this site only.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
# The plan's PDF, shown in a frame of the signer's own page. A PDF runs no page script,
# and a policy of default-src 'none' stops the browser's PDF viewer from showing it.
PDF_SECURITY_POLICY = "frame-ancestors 'self'"
HSTS = "max-age=31536000; includeSubDomains"
# The largest request body taken (a form with a long comment, an API plan): the server
# reads a request whole up to this before a thread handles it (signing/web/server.py).
MAX_REQUEST_BYTES = 512 * 1024


class _App(Flask):
    def log_exception(self, exc_info: weberrors.ExcInfo) -> None:
        weberrors.log_exception(self, exc_info)  # never a signing link's token in the log


def create_app(services: Services | Mapping[str, Any] | None = None) -> Flask:
    """The web app over ``services``. Tests may give a mapping instead: plansign settings
    (by name), from which the services are built, and Flask config keys; without
    either, the services are built from the environment."""
    flask_config: dict[str, Any] = {}
    if not isinstance(services, Services):
        given = dict(services or {})
        overrides = {k: given.pop(k) for k in list(given) if k in SETTINGS}
        services, flask_config = Services(load_settings(overrides=overrides)), given
    settings = services.settings
    default_language(settings)  # a default_language that is not supported stops the start
    app = _App(__name__, instance_path=str(instance.instance_path(settings).resolve()))
    keys = services.secret_keys
    services.retention_policy  # noqa: B018 -- a retention rule that is wrong stops serve now
    app.config.from_mapping(
        # The session cookie gets its own key, derived from the link keys.
        SECRET_KEY=_derive(keys[0], "session"),
        SECRET_KEY_FALLBACKS=[_derive(k, "session") for k in keys[1:]],
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        # A signer's session ends after two idle hours (each page refreshes it), long
        # enough to write a long comment. The CSRF token lives as long as the session it
        # is bound to, rather than expiring an hour after the page was shown.
        PERMANENT_SESSION_LIFETIME=2 * 3600,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        BABEL_TRANSLATION_DIRECTORIES=str(TRANSLATIONS),
    )
    app.config.update(flask_config)
    if settings.proxy_count:
        # Behind a load balancer every request comes from it: the audit trail, the access
        # log and the rate limits need the client's address, which only the trusted
        # proxies' X-Forwarded-For gives (the last ones, so a client cannot forge it).
        # X-Forwarded-Proto: balancers set it once (they replace it), so one value counts.
        # Flask's documented way to add WSGI middleware; mypy forbids assigning to a method.
        app.wsgi_app = ProxyFix(app.wsgi_app,  # type: ignore[method-assign]
                                x_for=settings.proxy_count, x_proto=1)
    app.extensions[current.KEY] = services
    webdb.init_app(app)
    ratelimit.init_app(app, settings)  # before CSRF: a flood of forged forms is counted too
    csrf.init_app(app)
    csrftoken.init_app(app)  # the signer's forms' tokens, signed once per session
    weberrors.init_app(app)
    pages.init_app(app)
    brand.init_app(app)  # the company's look, on every page (signer's and console)
    ownrecords.init_app(app)
    api.init_app(app)
    csrf.exempt(api.bp)  # bearer keys, not cookies: nothing for a forged request to ride on
    babel.init_app(app, locale_selector=language.select_locale)
    language.init_app(app)
    console.init_app(app)
    for area in console.AREAS:
        csrf.exempt(area)  # the console checks its own tokens (signing.web.console.signedin)
    hooks.init_app(app, settings.sendgrid_webhook_public_key,
                   dt.timedelta(seconds=settings.sendgrid_webhook_max_age_seconds))
    csrf.exempt(hooks.bp)  # signed by the provider; no cookie or session is involved
    app.after_request(_security_headers)
    return app


def _derive(key: str, purpose: str) -> str:
    return hmac.new(key.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def _security_headers(response: Response) -> Response:
    pdf = response.mimetype == "application/pdf"
    response.headers.setdefault("Content-Security-Policy",
                                PDF_SECURITY_POLICY if pdf else CONTENT_SECURITY_POLICY)
    response.headers["X-Frame-Options"] = "SAMEORIGIN" if pdf else "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    if current_app.config["SESSION_COOKIE_SECURE"]:  # served over HTTPS (base_url)
        response.headers["Strict-Transport-Security"] = HSTS
    return response
