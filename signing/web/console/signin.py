"""Signing in to the console and out of it, and a person's own account page (password,
second factor).

Password sign-in is one or two steps. The first checks the password
(:func:`signin.check_password`); for someone with a second factor it answers with the
code form, which carries a signed, five-minute token naming the person, bound to this
browser's pre-sign-in cookie and void once the password or the last accepted code
changes. Nothing is signed in until the code is right too: there is no half-open
session. Each sign-in opens a new server-side session with a new token (no fixation);
each sign-in, sign-out, failure and lockout goes to the access log with the person's
name. Single sign-on's views are at the end (:mod:`.sso` does the handshake).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response as BaseResponse

from archive import log_access
from archive.access import Reader
from signing.domain import access, oidc, people, signin
from signing.domain.models import PersonRow
from signing.domain.oidc import OidcSettings, Refusal, SignInRefused
from signing.domain.people import Person, PersonError
from signing.domain.signin import Outcome
from signing.web import current
from signing.web.console import preferences, signedin, sso

bp = Blueprint("signin", __name__)

SECOND_STEP_SECONDS = 300
ENROL_SECONDS = 900


# -- helpers --------------------------------------------------------------------------------


def _policy() -> signin.LockoutPolicy:
    settings = current.services().settings
    return signin.LockoutPolicy(settings.console_lockout_attempts,
                                dt.timedelta(minutes=settings.console_lockout_minutes))


def _reader(person: Person | None) -> Reader:
    if person is None:
        return Reader("unknown person", None, request.remote_addr)
    return access.access_reader(people.principal_of(person, request.remote_addr))


def _log(action: str, person: Person | None, *, allowed: bool, detail: str) -> None:
    """One line of the access log: sign-ins, sign-outs, failures and lockouts are reads
    of nothing, so no envelope is named; the person's username leads the detail."""
    who = f"{person.actor}; " if person is not None else ""
    with current.services().sessions.begin() as session:
        log_access(session, _reader(person), action, now=signedin.now(), allowed=allowed,
                   detail=who + detail)


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"console-{purpose}")


def _browser_binding() -> str:
    """This browser's pre-sign-in cookie, digested: a token made for it is no use in
    another browser."""
    pre = request.cookies.get(signedin.PRE_COOKIE, "")
    return hashlib.sha256(pre.encode()).hexdigest()[:32]


def _next() -> str | None:
    """Where to go after sign-in: a console path only, never another site."""
    target = request.values.get("next", "")
    return _console_path(target)


def _console_path(target: str) -> str | None:
    if target.startswith("/console/") and not target.startswith("/console//") \
            and "\\" not in target:
        return target
    return None


def _oidc_settings() -> OidcSettings | None:
    try:
        return sso.settings()
    except oidc.OidcSettingsError as exc:
        current_app.logger.error("single sign-on is off: %s", exc)
        return None


def _form(status: int = 200, **context: Any) -> tuple[str, int]:
    config = _oidc_settings()
    return render_template("console/signin.html", next=_next(),
                           provider_name=config.provider_name if config else None,
                           error=context.pop("error", None), **context), status


def _open_session(person: Person, method: str, *, next_path: str | None,
                  detail: str = "") -> BaseResponse:
    """Sign ``person`` in: a new session and token (whatever this browser had before
    is ended: no session is carried over into another person's, nor fixed in advance),
    logged."""
    services = current.services()
    now = signedin.now()
    with services.sessions.begin() as session:
        previous = g.get("console_session")
        if previous is not None:
            people.end_session(session, previous.token_hash, now)
        token = people.open_session(session, person.id, method=method, now=now,
                                    limits=signedin.limits(), ip=request.remote_addr,
                                    user_agent=request.user_agent.string)
    _log("console sign-in", person, allowed=True, detail=method + (f"; {detail}" if detail else ""))
    return signedin.start(redirect(next_path or url_for("console.plans.home")), token)


def _refused_message() -> str:
    policy = _policy()
    message: str = _(
        "The username or password is not right, or the account is locked. Check both "
        "and try again. After %(attempts)d failed attempts in a row an account is locked "
        "for %(minutes)d minutes; an administrator can unlock it sooner.",
        attempts=policy.attempts, minutes=int(policy.duration.total_seconds() // 60))
    return message


def _record_failure(attempt: signin.Attempt) -> None:
    _log("console sign-in", attempt.person, allowed=False, detail=f"refused: {attempt.reason}")
    if attempt.locked_until is not None:
        _log("console lockout", attempt.person, allowed=False,
             detail=f"locked until {attempt.locked_until:%Y-%m-%d %H:%M} UTC after "
                    f"{_policy().attempts} failures in a row")


# -- password sign-in ---------------------------------------------------------------------


@bp.get("/signin")
def form() -> str | BaseResponse | tuple[str, int]:
    if signedin.person() is not None:
        return redirect(url_for("console.plans.home"))
    return _form()


@bp.post("/signin")
def submit() -> str | BaseResponse | tuple[str, int]:
    username = request.form.get("username", "").strip().lower()[:200]
    password = request.form.get("password", "")
    with current.services().sessions.begin() as session:
        attempt = signin.check_password(session, username, password, policy=_policy(),
                                        now=signedin.now())
        row = (session.get(PersonRow, attempt.person.id)
               if attempt.outcome is Outcome.SECOND_FACTOR and attempt.person else None)
        second_step = None if row is None else _serializer("second-step").dumps({
            "p": row.id, "f": signin.password_fingerprint(row.password_hash),
            "s": row.totp_last_step, "b": _browser_binding(), "n": _next() or ""})
    if attempt.outcome is Outcome.REFUSED:
        _record_failure(attempt)
        return _form(400, username=username, error=_refused_message())
    assert attempt.person is not None
    if second_step is not None:
        return render_template("console/signin_code.html", second_step=second_step,
                               error=None)
    return _open_session(attempt.person, "password", next_path=_next())


@dataclass(frozen=True)
class _SecondStep:
    person_id: str
    password_print: str
    last_step: int | None
    next_path: str | None


def _second_step(token: str) -> _SecondStep | None:
    try:
        data = _serializer("second-step").loads(token, max_age=SECOND_STEP_SECONDS)
    except BadSignature:
        return None
    if data.get("b") != _browser_binding():
        return None
    return _SecondStep(data["p"], data["f"], data["s"], _console_path(data.get("n", "")))


@bp.post("/signin/code")
def submit_code() -> str | BaseResponse | tuple[str, int]:
    token = request.form.get("second_step", "")
    step = _second_step(token)
    if step is None:
        return _form(400, error=_("The time to enter the code ran out, or the form was "
                                  "not from this browser. Sign in again."))
    code = request.form.get("code", "")
    with current.services().sessions.begin() as session:
        row = session.get(PersonRow, step.person_id)
        if row is not None and row.totp_last_step != step.last_step:
            attempt = signin.Attempt(Outcome.REFUSED, Person.of(row),
                                     "second step used already")
        else:
            attempt = signin.check_second_factor(
                session, step.person_id, code, password_print=step.password_print,
                policy=_policy(), now=signedin.now())
    if attempt.outcome is not Outcome.SIGNED_IN:
        _record_failure(attempt)
        if attempt.reason == signin.WRONG_CODE and attempt.locked_until is None:
            return render_template(
                "console/signin_code.html", second_step=token,
                error=_("That code is not right, or was used already. Enter the code your "
                        "authenticator app shows now.")), 400
        return _form(400, error=_refused_message())
    assert attempt.person is not None
    return _open_session(attempt.person, "password+totp", next_path=step.next_path)


@bp.post("/signout")
def signout() -> BaseResponse:
    signed_in = g.get("console_session")
    if signed_in is not None:
        with current.services().sessions.begin() as session:
            people.end_session(session, signed_in.token_hash, signedin.now())
        _log("console sign-out", signed_in.person, allowed=True, detail=signed_in.method)
    return signedin.end(redirect(url_for("console.signin.form", signed_out=1)))


# -- the person's own account --------------------------------------------------------------


def _me() -> Person:
    who = signedin.person()
    if who is None:  # pragma: no cover - behind signed_in
        abort(401)
    return who


@bp.get("/account")
@signedin.signed_in()
def account() -> str:
    me = _me()
    return _account_page(me, errors={}, changed=request.args.get("changed"))


def _account_page(me: Person, *, errors: dict[str, str], changed: str | None,
                  settings: dict[str, str] | None = None,
                  settings_errors: dict[str, str] | None = None) -> str:
    return render_template(
        "console/account.html", me=me, errors=errors, changed=changed,
        settings=settings if settings is not None else preferences.of(me),
        settings_errors=settings_errors or {},
        default_language_name=preferences.LANGUAGE_NAMES.get(signedin.default_language(),
                                                             signedin.default_language()))


@bp.post("/account/settings")
@signedin.signed_in()
def account_settings() -> str | BaseResponse | tuple[str, int]:
    """The person's own language and time zone: the next page is in them."""
    me = _me()
    values = preferences.read(request.form)
    try:
        with current.services().sessions.begin() as session:
            changes = preferences.save(session, people.row_of(session, me.username), values)
    except PersonError as exc:
        return _account_page(me, errors={}, changed=None, settings=values, settings_errors={
            preferences.error_field(exc): preferences.error_text(exc)}), 400
    if changes:
        _log("console settings changed", me, allowed=True, detail="; ".join(changes))
    return redirect(url_for("console.signin.account", changed="settings"), 303)


@bp.post("/account/password")
@signedin.signed_in()
def change_password() -> str | BaseResponse | tuple[str, int]:
    me = _me()
    current_password = request.form.get("current_password", "")
    new_password = request.form.get("new_password", "")
    errors: dict[str, str] = {}
    if new_password != request.form.get("new_password_again", ""):
        errors["new_password_again"] = _("The two new passwords are not the same. Type the "
                                         "new password twice.")
    try:
        new_hash = signin.hash_password(new_password)
    except PersonError:
        errors["new_password"] = _("A password needs at least %(count)d characters; a few "
                                   "unrelated words make one that is easy to remember.",
                                   count=signin.MIN_PASSWORD)
    services = current.services()
    now = signedin.now()
    with services.sessions.begin() as session:
        if not signin.check_current_password(session, me.id, current_password,
                                             policy=_policy(), now=now):
            errors = {"current_password": _("This is not your current password.")}
        elif not errors:
            people.set_password(session, me.username, new_hash, now)
    if errors:
        if "current_password" in errors:
            _log("console password change", me, allowed=False, detail="wrong current password")
        return _account_page(me, errors=errors, changed=None), 400
    _log("console password change", me, allowed=True,
         detail="every session of theirs ended")
    # Every session ended, this one too; this browser goes on in a new one.
    return _open_session(me, "password", next_path=url_for("console.signin.account",
                                                           changed="password"),
                         detail="after changing the password")


@bp.get("/account/totp")
@signedin.signed_in()
def totp_form() -> Any:
    me = _me()
    if me.has_totp or not me.has_password:  # single sign-on people: the provider's factor
        return render_template("console/account_totp.html", me=me, errors={}, secret=None)
    return _enrolment_page(me, signin.new_totp_secret(), errors={})


def _enrolment_page(me: Person, secret: str, *, errors: dict[str, str],
                    status: int = 200) -> Any:
    session_hash = g.console_session.token_hash
    issuer = current.services().settings.company_name or "plansign"
    sealed = _serializer("totp-enrol").dumps({"s": secret, "t": session_hash})
    return render_template("console/account_totp.html", me=me, errors=errors, secret=secret,
                           grouped=signin.grouped(secret), sealed=sealed,
                           uri=signin.totp_uri(secret, account=me.username, issuer=issuer)), \
        status


@bp.post("/account/totp")
@signedin.signed_in()
def totp_confirm() -> Any:
    me = _me()
    try:
        sealed = _serializer("totp-enrol").loads(request.form.get("sealed", ""),
                                                 max_age=ENROL_SECONDS)
    except BadSignature:
        sealed = None
    if (not sealed or sealed.get("t") != g.console_session.token_hash or me.has_totp
            or not me.has_password):
        return redirect(url_for("console.signin.totp_form"))
    secret = sealed["s"]
    now = signedin.now()
    step = signin.totp_step_accepted(secret, request.form.get("code", ""), None, now)
    errors: dict[str, str] = {}
    with current.services().sessions.begin() as session:
        if not signin.check_current_password(
                session, me.id, request.form.get("current_password", ""), policy=_policy(),
                now=now):
            errors["current_password"] = _("This is not your current password.")
        if step is None:
            errors["code"] = _("That code is not right. Enter the six digits your "
                               "authenticator app shows now for plansign.")
        if not errors:
            people.set_totp(session, me.id, secret, confirmed_step=step, now=now)
    if errors:
        return _enrolment_page(me, secret, errors=errors, status=400)
    _log("console second factor", me, allowed=True, detail="TOTP turned on")
    return redirect(url_for("console.signin.account", changed="totp"))


# -- single sign-on -------------------------------------------------------------------------


@bp.get("/signin/oidc")
def oidc_start() -> str | BaseResponse | tuple[str, int]:
    config = _oidc_settings()
    if config is None:
        abort(404)
    try:
        departure = sso.depart(config, _next())
    except sso.HandshakeFailed as exc:
        return _sso_problem(config, exc)
    return sso.remember(redirect(departure.url), departure.handshake)


@bp.get("/signin/oidc/callback")
def oidc_callback() -> str | BaseResponse | tuple[str, int]:
    config = _oidc_settings()
    if config is None:
        abort(404)
    try:
        arrival = sso.arrive(config)
    except sso.HandshakeFailed as exc:
        return sso.forget(make_response(_sso_problem(config, exc)))
    now = signedin.now()
    try:
        profile = oidc.profile_of(arrival.claims, config)
        with current.services().sessions.begin() as session:
            signed_on = oidc.link_person(session, profile, create=config.create_people, now=now)
    except SignInRefused as exc:
        _log("console sign-in", exc.person, allowed=False,
             detail=f"single sign-on refused: {exc}")
        return sso.forget(make_response(_sso_refused(config, exc.refusal)))
    detail = config.issuer + ("; created" if signed_on.created else "") + \
        "".join(f"; {change}" for change in signed_on.changes)
    return sso.forget(_open_session(signed_on.person, "oidc", next_path=arrival.next_path,
                                    detail=detail))


def _sso_problem(config: OidcSettings, exc: sso.HandshakeFailed) -> tuple[str, int]:
    _log("console sign-in", None, allowed=False, detail=f"single sign-on failed: {exc.reason}")
    if exc.provider_down:
        message = _("%(provider)s could not be reached, or did not answer as it should. "
                    "Try again in a few minutes; if it goes on, tell your administrator.",
                    provider=config.provider_name)
        status = 502
    elif exc.denied:
        message = _("Signing in with %(provider)s was cancelled, so you are not signed in.",
                    provider=config.provider_name)
        status = 400
    else:
        message = _("Signing in with %(provider)s did not complete: the answer did not "
                    "belong to this browser's sign-in, or it took too long. Start again "
                    "from the sign-in page.", provider=config.provider_name)
        status = 400
    return render_template("console/signin_problem.html",
                           title=_("You are not signed in"), message=message), status


def _sso_refused(config: OidcSettings, refusal: Refusal) -> tuple[str, int]:
    provider = config.provider_name
    messages = {
        Refusal.NO_EMAIL: _("%(provider)s did not tell plansign your email address. Ask "
                            "your administrator to release it to plansign.",
                            provider=provider),
        Refusal.NO_ROLE: _("Your %(provider)s account is not in any group that may use "
                           "plansign. Ask your administrator for access.", provider=provider),
        Refusal.UNKNOWN: _("You have no plansign account yet. Ask your administrator to "
                           "add you."),
        Refusal.DISABLED: _("Your plansign account is disabled. Ask your administrator if "
                            "you need it again."),
        Refusal.BAD_CLAIMS: _("%(provider)s sent a name or address plansign cannot take. "
                              "Tell your administrator.", provider=provider),
    }
    return render_template("console/signin_problem.html", title=_("You are not signed in"),
                           message=messages[refusal]), 403
