"""Signing in to the console and out of it."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from signing.domain import people, signin
from signing.domain.models import PersonRow
from signing.web import current
from signing.web.console import signedin

bp = Blueprint("signin", __name__)


@bp.get("/signin")
def form() -> str | BaseResponse:
    if signedin.person() is not None:
        return redirect(url_for("console.plans.home"))
    return render_template("console/signin.html", next=_next(), error=None)


@bp.post("/signin")
def submit() -> str | BaseResponse | tuple[str, int]:
    username = request.form.get("username", "").strip().lower()
    password = request.form.get("password", "")
    services = current.services()
    now = signedin.now()
    token = ""
    with services.sessions.begin() as session:
        row = session.query(PersonRow).filter_by(username=username).one_or_none()
        if (row is None or row.disabled_at is not None
                or not signin.password_matches(row.password_hash, password)):
            row = None
        else:
            token = people.open_session(session, row.id, method="password", now=now,
                                        limits=signedin.limits(), ip=request.remote_addr,
                                        user_agent=request.user_agent.string)
    if row is None:
        return render_template("console/signin.html", next=_next(), username=username,
                               error="The username or password is not right. Check both "
                                     "and try again."), 400
    return signedin.start(redirect(_next() or url_for("console.plans.home")), token)


@bp.post("/signout")
def signout() -> BaseResponse:
    signed_in = g.get("console_session")
    if signed_in is not None:
        with current.services().sessions.begin() as session:
            people.end_session(session, signed_in.token_hash, signedin.now())
    return signedin.end(redirect(url_for("console.signin.form", signed_out=1)))


def _next() -> str | None:
    """Where to go after sign-in: a console path only, never another site."""
    target = request.values.get("next", "")
    if target.startswith("/console/") and not target.startswith("/console//"):
        return target
    return None
