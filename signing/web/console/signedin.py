"""Who is signed in to the console, and what each request may do: the session cookie,
the role each view needs, and the CSRF token every console form and htmx request
carries.

The session is server-side (:mod:`signing.domain.people`): the cookie holds a random
token whose hash names a row, so that signing out, the idle and absolute limits and
disabling a person end it for certain. The CSRF token is an HMAC of that session (or,
before sign-in, of a random value in a short-lived cookie of its own), so it lives
exactly as long as what it protects, and no form needs server state of its own.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Flask, Response, abort, current_app, g, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from signing.domain import authorize, people
from signing.domain.access import Principal, Role
from signing.domain.people import Person, SessionLimits
from signing.web import current, language, timefmt

# A domain error's words in the reader's language: the console's pages call them here.
from signing.web.errortext import message_text as message_text
from signing.web.errortext import problem_text as problem_text
from signing.web.errortext import words_text as words_text

COOKIE = "plansign_console"
# Before sign-in: binds the sign-in form's CSRF token to this browser (no login CSRF).
PRE_COOKIE = "plansign_console_pre"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

F = TypeVar("F", bound=Callable[..., Any])


class CsrfRefused(Exception):
    """A console form or htmx request without a valid token: nothing was done."""


def now() -> dt.datetime:
    """The console's clock: one place, so that tests and later rules have one seam."""
    return dt.datetime.now(dt.UTC)


def limits() -> SessionLimits:
    settings = current.services().settings
    return SessionLimits(idle=dt.timedelta(minutes=settings.console_idle_minutes),
                         absolute=dt.timedelta(hours=settings.console_session_hours))


def load() -> None:
    """Before each console request: find the signed-in person (``g.person``, or None),
    write what their session's check asks (last seen, or ended), and refuse an unsafe
    request whose CSRF token does not match."""
    identify()
    if request.method in UNSAFE:
        sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
        if not hmac.compare_digest(sent.encode(), csrf_token().encode()):
            raise CsrfRefused


def identify() -> None:
    """Who is signed in (``g.person``, or None), and the page's language: theirs, else
    the browser's. :func:`load` does it before each console view; a console address no
    view answers (a page not found, a method not taken) is answered by the error page,
    which calls it itself, so that the person reads it in their own language and with
    the console's navigation. It writes only what the session's check asks (last seen,
    or ended)."""
    token = request.cookies.get(COOKIE)
    g.person, g.console_session = None, None
    if token:
        services = current.services()
        with services.readers() as session:
            signed_in, change = people.check_session(session, token, now=now(),
                                                     limits=limits())
        if change is not people.SessionChange.NONE:
            with services.sessions.begin() as session:
                people.apply_change(session, token, change, now())
        if signed_in is not None:
            g.person, g.console_session = signed_in.person, signed_in
    who = person()
    # Before load's CSRF check, so that its refusal is in the person's language too.
    language.use_console_words(who.language if who else None, default_language(),
                               signed_in=who is not None)


def identified() -> bool:
    """Whether :func:`identify` has run for this request."""
    return "person" in g


def person() -> Person | None:
    return cast("Person | None", g.get("person"))


def default_language() -> str:
    """The ``default_language`` setting: the console's language for a person who has not
    chosen one (checked as the app starts)."""
    return str(current.services().settings.default_language).strip().lower()


def zone_name(fallback: str | None = None) -> str:
    """The zone the console shows this person's times in: their own (their settings
    page), else ``fallback`` (a plan's check-in zone, on that plan's pages), else UTC.
    Every console page names it beside its times."""
    who = person()
    return timefmt.zone_name((who.time_zone if who else None) or fallback)


def principal() -> Principal:
    """The signed-in person as the access rules see them (a view behind
    :func:`signed_in` always has one)."""
    who = person()
    if who is None:
        abort(401)
    return people.principal_of(who, request.remote_addr)


def signed_in(*roles: Role) -> Callable[[F], F]:
    """A view for signed-in people of ``roles`` (any role if none are named). Others are
    sent to sign in, and back here after; a person of another role is told the page is
    not theirs (403), and the refusal is logged."""
    allowed = frozenset(roles) or frozenset(Role)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            who = person()
            if who is None:
                if request.method in UNSAFE or request.headers.get("HX-Request"):
                    # A form or fragment cannot be carried through sign-in: start over.
                    response = Response(status=401)
                    response.headers["HX-Redirect"] = url_for("console.signin.form")
                    return response
                return redirect(url_for("console.signin.form", next=request.full_path
                                        if request.query_string else request.path))
            if who.role not in allowed:
                authorize.refuse(current.services(), principal(),
                                 f"console {request.endpoint}", now=now(),
                                 detail=f"denied: a page for {', '.join(sorted(allowed))}")
                abort(403)
            return view(*args, **kwargs)
        return cast("F", wrapper)
    return decorate


def csrf_token() -> str:
    """The token this browser's console forms carry."""
    signed_in_session = g.get("console_session")
    if signed_in_session is not None:
        binding = "session:" + signed_in_session.token_hash
    else:
        pre = g.get("console_pre") or request.cookies.get(PRE_COOKIE)
        if not pre or len(pre) > 100:
            pre = g.console_pre = secrets.token_urlsafe(24)
        binding = "pre:" + hashlib.sha256(pre.encode()).hexdigest()
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"console-csrf\0" + binding.encode(), hashlib.sha256).hexdigest()


def start(response: BaseResponse, token: str) -> BaseResponse:
    """Set the session cookie of someone who has just signed in."""
    response.set_cookie(COOKIE, token, httponly=True, samesite="Lax", path="/console",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    response.delete_cookie(PRE_COOKIE, path="/console")
    return response


def end(response: BaseResponse) -> BaseResponse:
    response.delete_cookie(COOKIE, path="/console")
    return response


def save_pre_cookie(response: BaseResponse) -> BaseResponse:
    """After a page that made a pre-sign-in token: keep its binding for the form's post."""
    pre = g.get("console_pre")
    if pre:
        response.set_cookie(PRE_COOKIE, pre, httponly=True, samesite="Lax", path="/console",
                            max_age=3600, secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals["console_csrf_token"] = csrf_token
