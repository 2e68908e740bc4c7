"""Administration: people and roles, API keys, webhook endpoints and their deliveries,
the settings in effect.

Each view calls the function the CLI and the API call (:mod:`signing.domain.people`,
:mod:`signing.domain.people_admin`, :mod:`signing.domain.apikeys`, :mod:`webhooks`), and
each change is written to the access log with the administrator's name (the one log
that already answers who did what with people's records). What can be undone only by
hand (disabling a person, revoking a key, disabling an endpoint, rotating its secret)
asks for confirmation first. A new key, a new endpoint's secret and a temporary
password are shown once, on the page that answers the form, and never again.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from markupsafe import Markup, escape
from werkzeug.wrappers import Response as BaseResponse

import webhooks
from archive import log_access
from signing.domain import access, apikeys, authorize, people, people_admin, signin, trail_names
from signing.domain.access import Role
from signing.domain.people import Person, PersonError, PersonNotFound
from signing.web import current
from signing.web.console import preferences, signedin

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLE_WORDS = {Role.MANAGER: _l("Manager"), Role.HR: _l("HR"), Role.RECORDS: _l("Records"),
              Role.ADMIN: _l("Administrator")}
# A webhook message's state (webhooks.models.WebhookMessage.status).
DELIVERY_STATES = {"delivered": _l("delivered"), "failed": _l("failed"),
                   "pending": _l("pending")}
SCOPES = ("all", "manager", "department", "named")
MAX_OVERLAP_HOURS = 168
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@", re.I)

Page = str | tuple[str, int] | BaseResponse


def _now() -> dt.datetime:
    return signedin.now()


def _record(action: str, detail: str) -> None:
    """Write an administrator's change to the access log, with their name."""
    with current.services().sessions.begin() as session:
        log_access(session, access.access_reader(signedin.principal()), action, now=_now(),
                   detail=detail)


def _me() -> str:
    who = signedin.person()
    assert who is not None  # behind signed_in
    return who.username


def _page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, zone=signedin.zone_name(), role_words=ROLE_WORDS,
                           **context), status


@bp.get("/")
@signedin.signed_in(Role.ADMIN)
def index() -> Page:
    return _page("console/admin.html")


# -- people --------------------------------------------------------------------------------


@bp.get("/people")
@signedin.signed_in(Role.ADMIN)
def people_list() -> Page:
    return _people_page({}, {})


def _people_page(form: dict[str, str], errors: dict[str, str], status: int = 200,
                 created: people.Person | None = None,
                 password: str | None = None) -> Page:
    with current.services().readers() as session:
        everyone = people.list_people(session)
    return _page("console/admin_people.html", status, people=everyone, form=form,
                 errors=errors, created=created, password=password, roles=list(Role))


@bp.post("/people")
@signedin.signed_in(Role.ADMIN)
def people_create() -> Page:
    form = {k: request.form.get(k, "").strip() for k in
            ("username", "display_name", "email", "role", "team", "sign_in")}
    if form["sign_in"] not in ("password", "sso"):
        return _people_page(form, {"sign_in": _("Choose how this person signs in.")}, 400)
    password = people_admin.temporary_password() if form["sign_in"] == "password" else None
    try:
        with current.services().sessions.begin() as session:
            created = people.create_person(
                session, username=form["username"], display_name=form["display_name"],
                email=form["email"], role=form["role"], team=form["team"] or None,
                password_hash=signin.hash_password(password) if password else None,
                now=_now(), created_by=signedin.principal().actor)
    except PersonError as exc:
        return _people_page(form, {exc.field or "username": signedin.problem_text(exc)}, 400)
    _record("admin person created",
            f"{created.username} ({created.display_name}), role {created.role}"
            + (f", team {created.team}" if created.team else "")
            + (", temporary password" if password else ", single sign-on only"))
    return _people_page({}, {}, 201, created=created, password=password)


def _person(username: str) -> Person:
    """The person called ``username``, or 404."""
    try:
        with current.services().readers() as session:
            return people.find(session, username)
    except PersonNotFound:
        abort(404)


@bp.route("/people/<username>", methods=["GET", "POST"])
@signedin.signed_in(Role.ADMIN)
def person(username: str) -> Page:
    services = current.services()
    found = _person(username)
    form = {"role": found.role.value, "team": found.team or ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {k: request.form.get(k, "").strip() for k in ("role", "team")}
        try:
            with services.sessions.begin() as session:
                before, after = people_admin.change_role(
                    session, username, role=form["role"], team=form["team"] or None, by=_me())
        except PersonError as exc:
            errors[exc.field or "role"] = signedin.problem_text(exc)
        else:
            _record("admin person role changed",
                    f"{after.username}: {before.role}/{before.team or '-'} -> "
                    f"{after.role}/{after.team or '-'}")
            return redirect(url_for(".person", username=after.username, done="changed"), 303)
    return _person_page(found, form=form, errors=errors)


def _person_page(found: Person, *, form: dict[str, str], errors: dict[str, str],
                 settings: dict[str, str] | None = None,
                 settings_errors: dict[str, str] | None = None) -> Page:
    default = signedin.default_language()
    return _page("console/admin_person.html", 400 if errors or settings_errors else 200,
                 person=found, form=form, errors=errors, roles=list(Role),
                 settings=settings if settings is not None else preferences.of(found),
                 settings_errors=settings_errors or {},
                 default_language_name=preferences.LANGUAGE_NAMES.get(default, default),
                 disable_problem=_disable_problem_text(found.username))


@bp.post("/people/<username>/settings")
@signedin.signed_in(Role.ADMIN)
def person_settings(username: str) -> Page:
    """A person's language and time zone, set by an administrator (for someone who has
    not signed in yet, or to correct them)."""
    found = _person(username)
    values = preferences.read(request.form)
    try:
        with current.services().sessions.begin() as session:
            changes = preferences.save(session, people.row_of(session, found.username), values)
    except PersonError as exc:
        return _person_page(found, form={"role": found.role.value, "team": found.team or ""},
                            errors={}, settings=values, settings_errors={
                                preferences.error_field(exc): preferences.error_text(exc)})
    if changes:
        _record("admin person settings changed", f"{found.username}: {'; '.join(changes)}")
    return redirect(url_for(".person", username=found.username, done="settings"), 303)


@bp.route("/people/<username>/disable", methods=["GET", "POST"])
@signedin.signed_in(Role.ADMIN)
def person_disable(username: str) -> Page:
    services = current.services()
    found = _person(username)
    problem = _disable_problem_text(found.username)
    errors = {"confirm": problem} if problem else {}
    if request.method == "POST" and not problem:
        if request.form.get("confirm") != "yes":
            errors["confirm"] = _("Tick the box to confirm.")
        else:
            with services.sessions.begin() as session:
                people.disable(session, found.username, _now())
            _record("admin person disabled", f"{found.username} ({found.display_name})")
            return redirect(url_for(".person", username=found.username, done="disabled"), 303)
    return _page("console/admin_confirm.html", 400 if errors and request.method == "POST"
                 else 200, title=_("Disable %(name)s", name=found.display_name),
                 explain=_("%(name)s will be signed out at once and can no longer sign in. "
                           "Their name stays in the trails of the plans they worked on; "
                           "an account cannot be deleted.", name=found.display_name),
                 confirm=_("I confirm %(name)s's account is to be disabled",
                           name=found.display_name),
                 button=_("Disable the account"), errors=errors, blocked=bool(problem),
                 action=url_for(".person_disable", username=found.username),
                 back=url_for(".person", username=found.username), fields=[])


# -- API keys ------------------------------------------------------------------------------


@bp.get("/keys")
@signedin.signed_in(Role.ADMIN)
def keys_list() -> Page:
    return _keys_page({}, {})


def _keys_page(form: dict[str, str], errors: dict[str, str], status: int = 200,
               created: Any = None, plaintext: str | None = None) -> Page:
    with current.services().readers() as session:
        keys = apikeys.list_keys(session)
        for key in keys:
            session.expunge(key)
    return _page("console/admin_keys.html", status, keys=keys, form=form, errors=errors,
                 created=created, plaintext=plaintext, key_roles=apikeys.KEY_ROLES)


def _key_field(message: str) -> str:
    """Which field of the key form an :mod:`~signing.domain.apikeys` refusal is about."""
    if "team" in message:
        return "team"
    if "role" in message:
        return "role"
    return "name"


@bp.post("/keys")
@signedin.signed_in(Role.ADMIN)
def keys_create() -> Page:
    form = {k: request.form.get(k, "").strip() for k in ("name", "role", "team")}
    if form["role"] not in [r.value for r in apikeys.KEY_ROLES]:
        return _keys_page(form, {"role": _("Choose the key's role.")}, 400)
    try:
        with current.services().sessions.begin() as session:
            row, plaintext = apikeys.create_key(session, form["name"], form["role"], _now(),
                                                team=form["team"] or None)
            session.expunge(row)
    except ValueError as exc:
        return _keys_page(form, {_key_field(str(exc)): signedin.problem_text(exc)}, 400)
    _record("admin key created", f"{row.prefix} ({row.name}), role {row.role}"
            + (f", team {row.team}" if row.team else ""))
    return _keys_page({}, {}, 201, created=row, plaintext=plaintext)


def _key(key_id: int) -> Any:
    with current.services().readers() as session:
        try:
            row = apikeys.find(session, str(key_id))
        except apikeys.KeyNotFound:
            abort(404)
        session.expunge(row)
    return row


@bp.route("/keys/<int:key_id>/revoke", methods=["GET", "POST"])
@signedin.signed_in(Role.ADMIN)
def key_revoke(key_id: int) -> Page:
    row = _key(key_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if request.form.get("confirm") != "yes":
            errors["confirm"] = _("Tick the box to confirm.")
        else:
            with current.services().sessions.begin() as session:
                apikeys.revoke(session, str(key_id), _now())
            _record("admin key revoked", f"{row.prefix} ({row.name})")
            return redirect(url_for(".keys_list", done="revoked"), 303)
    return _page("console/admin_confirm.html", 400 if errors else 200,
                 title=_("Revoke the key “%(name)s”", name=row.name),
                 explain=_("The key %(prefix)s stops working at once: every system that uses "
                           "it is refused, and the webhook endpoints it made are disabled. "
                           "This cannot be undone; a new key can be made.", prefix=row.prefix),
                 confirm=_("I confirm the key %(prefix)s is to be revoked", prefix=row.prefix),
                 button=_("Revoke the key"), errors=errors, blocked=row.revoked_at is not None,
                 action=url_for(".key_revoke", key_id=key_id), back=url_for(".keys_list"),
                 fields=[])


@bp.route("/keys/<int:key_id>/team", methods=["GET", "POST"])
@signedin.signed_in(Role.ADMIN)
def key_team(key_id: int) -> Page:
    row = _key(key_id)
    form = {"team": request.form.get("team", row.team or "").strip(),
            "with_plans": request.form.get("with_plans", "")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if request.form.get("confirm") != "yes":
            errors["confirm"] = _("Tick the box to confirm.")
        else:
            try:
                with current.services().sessions.begin() as session:
                    moved = apikeys.set_team(session, str(key_id), form["team"] or None,
                                                with_plans=form["with_plans"] == "yes")[1]
            except ValueError as exc:
                errors["team"] = signedin.problem_text(exc)
            else:
                _record("admin key team set", f"{row.prefix} ({row.name}): team "
                        f"{row.team or '-'} -> {form['team'] or '-'}, {moved} plan(s) moved")
                return redirect(url_for(".keys_list", done="team"), 303)
    return _page("console/admin_confirm.html", 400 if errors else 200,
                 title=_("HR team of the key “%(name)s”", name=row.name),
                 explain=_("An HR key sees its own plans and its team's. From now on it sees "
                           "the new team's plans, and that team sees what it sends."),
                 confirm=_("I confirm the key %(prefix)s changes team", prefix=row.prefix),
                 button=_("Set the team"), errors=errors, blocked=False,
                 action=url_for(".key_team", key_id=key_id), back=url_for(".keys_list"),
                 fields=[("team", _("Team"), form["team"],
                          _("Empty for none; only HR keys belong to a team.")),
                         ("with_plans", _("Also hand over the plans it sent before, out for "
                                          "signature and archived"), form["with_plans"],
                          "checkbox")])


# -- webhook endpoints ---------------------------------------------------------------------


@bp.get("/webhooks")
@signedin.signed_in(Role.ADMIN)
def webhooks_list() -> Page:
    return _webhooks_page({"scope": "all"}, {})


def _webhooks_page(form: dict[str, Any], errors: dict[str, str], status: int = 200,
                   created: Any = None, secret: str | None = None) -> Page:
    with current.services().readers() as session:
        endpoints = list(webhooks.list_endpoints(session))
        for endpoint in endpoints:
            session.expunge(endpoint)
    return _page("console/admin_webhooks.html", status, endpoints=endpoints, form=form,
                 errors=errors, created=created, secret=secret,
                 event_types=webhooks.EVENT_TYPES, scopes=SCOPES)


@bp.post("/webhooks")
@signedin.signed_in(Role.ADMIN)
def webhooks_create() -> Page:
    form: dict[str, Any] = {k: request.form.get(k, "").strip() for k in
                            ("url", "name", "description", "scope", "scope_value")}
    form["events"] = request.form.getlist("events")
    scope = form["scope"] if form["scope"] in SCOPES else ""
    if not scope:
        return _webhooks_page(form, {"scope": _("Choose which plans it hears about.")}, 400)
    if scope in ("manager", "department") and not form["scope_value"]:
        return _webhooks_page(form, {"scope_value": _(
            "Give the manager's email address or the department's name.")}, 400)
    who, services = signedin.principal(), current.services()
    try:
        with services.sessions.begin() as session:
            created = webhooks.create_endpoint(
                session, url=form["url"], events=form["events"], name=form["name"] or None,
                description=form["description"] or None,
                manager=form["scope_value"] if scope == "manager" else None,
                department=form["scope_value"] if scope == "department" else None,
                named_only=scope == "named", created_by=who.actor, owner_team=who.team,
                sees_all=who.sees_all, now=_now(),
                allow_private=services.settings.webhook_allow_private)
            session.expunge(created.endpoint)
    except webhooks.InvalidInput as exc:
        field = {"events": "events", "name": "name", "description": "description",
                 "manager": "scope_value", "department": "scope_value"}.get(exc.field, "url")
        return _webhooks_page(form, {field: signedin.problem_text(exc)}, 400)
    except (webhooks.UnsafeAddress, webhooks.ScopeNotAllowed) as exc:
        return _webhooks_page(form, {"url" if isinstance(exc, webhooks.UnsafeAddress)
                                     else "scope": signedin.problem_text(exc)}, 400)
    endpoint = created.endpoint
    _record("admin webhook added", f"{endpoint.id} {endpoint.url}, events "
            f"{', '.join(endpoint.event_types)}")
    return _webhooks_page({"scope": "all"}, {}, 201, created=endpoint, secret=created.secret)


def _endpoint(endpoint_id: str, action: str) -> Any:
    """The endpoint, after the access rules' check (logged when refused)."""
    services = current.services()
    try:
        authorize.check_endpoint(services, signedin.principal(), endpoint_id, action,
                                 now=_now())
    except webhooks.EndpointNotFound:
        abort(404)
    with services.readers() as session:
        endpoint = webhooks.get_endpoint(session, endpoint_id)
        session.expunge(endpoint)
    return endpoint


@bp.get("/webhooks/<endpoint_id>")
@signedin.signed_in(Role.ADMIN)
def webhook(endpoint_id: str) -> Page:
    endpoint = _endpoint(endpoint_id, "view")
    failed = request.args.get("failed") == "1"
    with current.services().readers() as session:
        messages = list(webhooks.list_messages(session, endpoint_id=endpoint_id,
                                               failed=failed, limit=50))
        attempts = webhooks.attempts_of(session, [m.id for m in messages])
        for item in [*messages, *(a for tried in attempts.values() for a in tried)]:
            session.expunge(item)
        added_by = trail_names.load(session, [endpoint.created_by]).actor(
            endpoint.created_by)
    return _page("console/admin_webhook.html", endpoint=endpoint, messages=messages,
                 attempts=attempts, failed=failed, added_by=added_by,
                 delivery_states=DELIVERY_STATES)


@bp.route("/webhooks/<endpoint_id>/disable", methods=["GET", "POST"])
@signedin.signed_in(Role.ADMIN)
def webhook_disable(endpoint_id: str) -> Page:
    endpoint = _endpoint(endpoint_id, "disable")
    reason = request.form.get("reason", "").strip()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not reason:
            errors["reason"] = _("Say why the endpoint is disabled.")
        elif request.form.get("confirm") != "yes":
            errors["confirm"] = _("Tick the box to confirm.")
        else:
            who = signedin.principal()
            try:
                with current.services().sessions.begin() as session:
                    webhooks.disable_endpoint(session, endpoint_id,
                                              reason=f"{reason} ({who.label})", now=_now())
            except webhooks.InvalidInput as exc:
                errors["reason"] = signedin.problem_text(exc)
            else:
                _record("admin webhook disabled", f"{endpoint_id}: {reason}")
                return redirect(url_for(".webhook", endpoint_id=endpoint_id, done="disabled"),
                                303)
    return _page("console/admin_confirm.html", 400 if errors else 200,
                 title=_("Disable the endpoint %(url)s", url=endpoint.url),
                 explain=_("Nothing more is sent to it; what it misses waits, and goes out "
                           "if it is enabled again."),
                 confirm=_("I confirm this endpoint is to be disabled"),
                 button=_("Disable the endpoint"), errors=errors,
                 blocked=endpoint.disabled_at is not None,
                 action=url_for(".webhook_disable", endpoint_id=endpoint_id),
                 back=url_for(".webhook", endpoint_id=endpoint_id),
                 fields=[("reason", _("Reason"), reason, _("Up to 400 characters."))])


@bp.post("/webhooks/<endpoint_id>/enable")
@signedin.signed_in(Role.ADMIN)
def webhook_enable(endpoint_id: str) -> Page:
    _endpoint(endpoint_id, "enable")
    with current.services().sessions.begin() as session:
        webhooks.enable_endpoint(session, endpoint_id)
    _record("admin webhook enabled", endpoint_id)
    return redirect(url_for(".webhook", endpoint_id=endpoint_id, done="enabled"), 303)


@bp.route("/webhooks/<endpoint_id>/rotate", methods=["GET", "POST"])
@signedin.signed_in(Role.ADMIN)
def webhook_rotate(endpoint_id: str) -> Page:
    endpoint = _endpoint(endpoint_id, "rotate-secret")
    hours = request.form.get("overlap_hours", "24").strip()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            overlap = float(hours)
            if not 0 <= overlap <= MAX_OVERLAP_HOURS:
                raise ValueError
        except ValueError:
            errors["overlap_hours"] = _("Give a number of hours from 0 to %(most)s.",
                                        most=MAX_OVERLAP_HOURS)
        else:
            if request.form.get("confirm") != "yes":
                errors["confirm"] = _("Tick the box to confirm.")
            else:
                with current.services().sessions.begin() as session:
                    secret = webhooks.rotate_secret(session, endpoint_id,
                                                    overlap=dt.timedelta(hours=overlap),
                                                    now=_now())
                _record("admin webhook secret rotated",
                        f"{endpoint_id}: the old secret signs {overlap:g} more hour(s)")
                return _page("console/admin_secret.html", endpoint=endpoint, secret=secret,
                             overlap=overlap)
    return _page("console/admin_confirm.html", 400 if errors else 200,
                 title=_("A new secret for %(url)s", url=endpoint.url),
                 explain=_("The new secret is shown once. The old one keeps signing beside it "
                           "for the overlap, so that the receiver can switch without losing "
                           "a message."),
                 confirm=_("I confirm a new secret is to be made"),
                 button=_("Make a new secret"), errors=errors, blocked=False,
                 action=url_for(".webhook_rotate", endpoint_id=endpoint_id),
                 back=url_for(".webhook", endpoint_id=endpoint_id),
                 fields=[("overlap_hours", _("Hours the old secret keeps signing"), hours,
                          _("From 0 to %(most)s.", most=MAX_OVERLAP_HOURS))])


@bp.post("/webhooks/deliveries/<message_id>/redeliver")
@signedin.signed_in(Role.ADMIN)
def redeliver(message_id: str) -> Page:
    services = current.services()
    try:
        authorize.check_message(services, signedin.principal(), message_id, "redeliver",
                                now=_now())
    except webhooks.MessageNotFound:
        abort(404)
    try:
        with services.sessions.begin() as session:
            message = webhooks.redeliver(session, message_id, now=_now())
            endpoint_id = message.endpoint_id
    except webhooks.EndpointDisabled as exc:
        return _page("console/problem.html", 409, title=_("This endpoint is disabled"),
                     message=_("Nothing was sent again: enable the endpoint %(id)s first, "
                               "then redeliver.", id=exc.endpoint_id))
    _record("admin webhook redelivered", f"{message_id} to {endpoint_id}")
    return redirect(url_for(".webhook", endpoint_id=endpoint_id, done="redelivered"), 303)


# -- the settings in effect ----------------------------------------------------------------


def shown_value(value: Any, *, secret: bool) -> str:
    """A setting's value as the page shows it: a secret never, a password inside a URL
    (a database's, Redis's) neither, each marker in the reader's language. A boolean is
    written as the environment and the settings file take it (true, false); the values
    themselves are never translated."""
    if secret:
        return str(_("(secret, set)") if value else _("(secret, not set)"))
    if isinstance(value, bool):
        return "true" if value else "false"
    # A table (retention_rules) as it is written in the environment: JSON.
    text = ("" if value is None else json.dumps(value, ensure_ascii=False)
            if isinstance(value, list) else str(value))
    hidden = _("(secret)")
    return _URL_PASSWORD.sub(lambda m: f"{m.group('head')}{hidden}@", text)


def shown_source(source: str) -> str | Markup:
    """Where a setting's value comes from, in the reader's language: the default, the
    environment, explicit overrides (tests, an embedding program) or the settings file,
    whose path is kept as it is, isolated from the sentence's direction."""
    # "default" alone could mean anything; its context keeps it this one's (a value that
    # comes from the settings table's default), apart from any later "default".
    words: dict[str, str] = {
        "default": pgettext("where a setting's value comes from", "default"),
        "environment": _("environment"),
        "override": _("set by the program that runs plansign")}
    if source in words:
        return words[source]
    # The sentence escaped, then the path put in: a path's "<" or "&" is shown as such.
    return escape(_("settings file %(path)s")) % {
        "path": Markup('<bdi dir="ltr"><code>%s</code></bdi>') % source}


@bp.get("/settings")
@signedin.signed_in(Role.ADMIN)
def settings() -> Page:
    values = current.services().settings
    rows = [{"name": s.name, "value": shown_value(values[s.name], secret=s.secret),
             "marker": s.secret, "source": shown_source(values.sources[s.name]),
             "env": s.env_var, "help": _(s.help)}
            for s in values.table.values()]
    _record("admin settings viewed", f"{len(rows)} settings")
    return _page("console/admin_settings.html", rows=rows)


def _disable_problem_text(username: str) -> str | None:
    """Why the signed-in admin may not disable ``username``, as a sentence in their
    language, or None."""
    problem = people_admin.disable_problem(username, by=_me())
    return signedin.message_text(problem) if problem else None
