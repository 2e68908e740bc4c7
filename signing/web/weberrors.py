"""What the web app answers when something goes wrong outside the workflow's own errors:
the database away for a moment, or read-only (a set-up problem, said as one), a form
without its CSRF token, a bug. Signers get a
page saying what to do, API callers JSON, nobody a stack trace; and the log never holds
a signing link's token."""

from __future__ import annotations

import json
from types import TracebackType

from flask import Flask, Response, current_app, g, render_template, request, session
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import (
    Forbidden,
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
)

from database import read_only_problem, refuses_writes
from signing.domain.errors import first_line
from signing.domain.wording import N_
from signing.web import current, language, pages, tokenpaths
from signing.web.console import signedin

# Seconds a client is asked to wait when the database is away (Retry-After).
RETRY_AFTER = 5


def init_app(app: Flask) -> None:
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(InternalServerError, _internal_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(NotFound, _not_found)
    app.register_error_handler(MethodNotAllowed, _not_found)
    app.register_error_handler(Forbidden, _forbidden)


def redacted_path(path: str) -> str:
    """The request path fit for a log: a link's token replaced."""
    return tokenpaths.redacted_path(path)


# What sys.exc_info() returns, as Flask's log_exception takes it.
ExcInfo = tuple[type, BaseException, TracebackType] | tuple[None, None, None]


def log_exception(app: Flask, exc_info: ExcInfo) -> None:
    """Flask's ``log_exception``, naming the path without a signing link's token."""
    app.logger.error("Exception on %s [%s]", redacted_path(request.path), request.method,
                     exc_info=exc_info)


def problem(status: int, title: str, message: str, *, api_message: str | None = None,
            values: dict[str, object] | None = None) -> Response:
    """The answer to a request that could not be served: JSON ``{"error": ...}`` under
    /api and /webhooks (``api_message`` if given), else a page saying what to do (the
    console's own under /console, so that its people never see the signer's pages).
    ``title`` and ``message`` are English messages marked ``N_`` (``message`` with
    ``%(name)s`` placeholders filled from ``values``): the signer reads them in their
    plan's language."""
    if request.path.startswith(("/api/", "/webhooks/")):
        text = api_message or (message % values if values else message)
        return Response(json.dumps({"error": text}), status, mimetype="application/json")
    if request.path == "/console" or request.path.startswith("/console/"):
        # The console's page, in the console's language (the person's): the words are
        # the signer's catalog's, which has them in every language.
        _console_reader()
        words = language.SIGNER_DOMAIN
        return Response(render_template("console/problem.html", title=words.gettext(title),
                                        message=words.gettext(message, **(values or {}))),
                        status)
    language.use_signer_words()
    return Response(render_template("problem.html", title=gettext(title),
                                    message=gettext(message, **(values or {}))), status)


def _console_reader() -> None:
    """For a console address no view answered (none matches it, or not with this
    method), nobody has looked yet for who is signed in: look now, so that the page is
    in their language and has the console's navigation (before sign-in, the browser's
    language). If the database cannot say, the browser's language."""
    if signedin.identified():
        return
    try:
        signedin.identify()
    except DBAPIError:
        g.person, g.console_session = None, None
        language.use_console_words(None, signedin.default_language(), signed_in=False)


def _database_error(exc: DBAPIError) -> Response:
    if refuses_writes(exc):
        return _database_read_only(exc)
    if isinstance(exc, OperationalError):
        return _database_unavailable(exc)
    raise exc  # a bug or bad data: the usual 500, logged with its traceback


def _database_read_only(exc: DBAPIError) -> Response:
    """The database refuses every write: no retry cures that, someone must fix the set-up.
    The log names the database and what to fix; visitors are told nothing was changed
    (and not where the server keeps its files)."""
    url = current.services().engine.url
    current_app.logger.error("%s (on %s: %s)", read_only_problem(url),
                             redacted_path(request.path), first_line(exc))
    return problem(503, N_("Nothing can be recorded just now"),
                   N_("The service is set up so that it cannot record anything at the "
                      "moment, so nothing was changed; this has been logged for the people "
                      "who run it. Please try again later; if it keeps happening, contact "
                      "your HR representative."),
                   api_message="the database is read-only, a setup problem the operator "
                               "must fix (the server's log names it); nothing was changed")


def _database_unavailable(exc: DBAPIError) -> Response:
    """A dropped connection, a restarting server, a locked SQLite file: nothing was
    recorded (the transaction rolled back), so the same request can simply be sent again."""
    current_app.logger.warning("database unavailable on %s: %s", redacted_path(request.path),
                               first_line(exc))
    response = problem(503, N_("Please try again in a moment"),
                       N_("The service is briefly unavailable and nothing was changed. "
                          "Please try again in %(seconds)s seconds."),
                       values={"seconds": RETRY_AFTER})
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def _csrf_error(exc: CSRFError) -> Response:
    """A form whose CSRF token does not check out. A signer's form sent once their
    session has ended (its token is checked against the session) is told just that, and
    what to do; a form older than the session (opened again in another tab) is sent
    from the plan's page again. Neither is asked to reload: that sends the form again."""
    if request.blueprint == pages.bp.name and request.method == "POST":
        language.use_signer_words()  # CSRF is checked before the signer's pages' own hooks
        if not session.get("signer_id"):
            return pages.not_sent_page(400)
        return Response(render_template(
            "stale_form.html", title=gettext("This form is out of date"),
            message=gettext("This form could not be checked, so nothing was recorded: it "
                            "is older than your visit to the plan's page, which may have "
                            "been opened again in another tab or window.")), 400)
    if request.blueprint == "own_records":
        return problem(400, N_("This form cannot be used"),
                       N_("This form is out of date or was not sent from the records page, "
                          "so nothing was sent. Open the records page again and send your "
                          "address from there."))
    return problem(400, N_("This form cannot be used"),
                   N_("This form is out of date or was not sent from the plan's page, so "
                      "nothing was recorded. Open the link in your most recent email "
                      "again, and send your response from the plan's page."))


def _too_large(exc: RequestEntityTooLarge) -> Response:
    limit = current_app.config["MAX_CONTENT_LENGTH"] // 1024
    return problem(413, N_("Your text is too long"),
                   N_("What you sent is larger than this form takes, so nothing was "
                      "recorded. Comments may be up to 20,000 characters: shorten them, or "
                      "send the rest to your HR representative, and submit again."),
                   api_message=f"Request Entity Too Large: the body is over {limit} KiB; "
                               "nothing was changed")


def _internal_error(exc: InternalServerError) -> Response:
    return problem(500, N_("Something went wrong"),
                   N_("Something went wrong on our side and nothing was changed. Please "
                      "try again later; if it keeps happening, contact your HR "
                      "representative."))


def _not_found(exc: HTTPException) -> Response | HTTPException:
    """A page that is not there (or a form sent to the wrong address): the signer is told
    how to reach their plan. The API keeps its own JSON answer."""
    if request.path.startswith("/api/") or request.blueprint == "api":
        from signing.web.api.errors import http_error  # the API's answer, as it gives it
        return http_error(exc)
    if isinstance(exc, MethodNotAllowed):
        response = problem(405, N_("This page cannot be used that way"),
                           N_("This address does not take what your browser sent. Go back "
                              "to the page you came from, or open the link in your email "
                              "again."))
    else:
        response = problem(exc.code or 404, N_("Page not found"),
                           N_("There is no page at this address. It may have been "
                              "mistyped, or the page may have moved."))
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _forbidden(exc: Forbidden) -> Response | Forbidden:
    """A console page of another role (:func:`signing.web.console.signedin.signed_in`
    has logged the refusal): the console's page says so. Elsewhere, as before."""
    if request.path.startswith("/console/"):
        return problem(403, N_("This page is not for your role"),
                       N_("Your account cannot open this page. If you need it for your work, "
                          "ask an administrator to change your role."))
    return exc
