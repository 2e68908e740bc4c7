"""The plans list (the console's home page) and each plan's page.

The list is :func:`signing.domain.plans_list.list_plans`; its results are also served
alone (:func:`rows`), which the page fetches again every few seconds with htmx so that
HR see a plan change state without reloading. A plan's page reads
:func:`signing.domain.plan_page.read`; its actions (remind now, resend, void, record a
refusal made in a meeting) each show a confirmation form first, then run one workflow
action through :func:`signing.domain.envelopes.perform` as the signed-in person
(``person:<username>``). Reads go through ``authorize.check_read`` and changes through
``check_change``; a plan the person may not see is "not found", and logged.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from werkzeug.wrappers import Response as BaseResponse

from signing.domain import authorize, envelopes, plan_page, plans_list, verification
from signing.domain import workflow as wf
from signing.domain.access import Role
from signing.domain.documents import DocumentName, document_name
from signing.domain.mail.compose import catalog
from signing.domain.models import Document, EnvelopeRow
from signing.domain.plan_states import PlanState, deadline
from signing.web import current, language, timefmt, webdb
from signing.web.cache import BoundedCache
from signing.web.console import signedin
from signing.web.downloads import content_disposition

bp = Blueprint("plans", __name__)

STATE_LABELS = {
    PlanState.DRAFT: _l("Draft"),
    PlanState.AWAITING_APPROVAL: _l("Awaiting approval"),
    PlanState.OUT_FOR_SIGNATURE: _l("Out for signature"),
    PlanState.ACKNOWLEDGED: _l("Acknowledged"),
    PlanState.REFUSED: _l("Refused"),
    PlanState.EXPIRED: _l("Expired"),
    PlanState.VOIDED: _l("Voided"),
    PlanState.ARCHIVED: _l("Archived"),
}
SORT_LABELS = {
    plans_list.Sort.NEWEST: _l("Newest first"),
    plans_list.Sort.OLDEST: _l("Oldest first"),
    plans_list.Sort.EMPLOYEE: _l("Employee name"),
    plans_list.Sort.DEADLINE: _l("Deadline, soonest first"),
    plans_list.Sort.DEPARTMENT: _l("Department"),
}
# Roles said after a name: a signer's, a console person's, or what else acted.
ROLE_LABELS = {"employee": _l("employee"), "manager": _l("manager"), "hr": _l("HR"),
               "records": _l("records"), "admin": _l("admin"), "api key": _l("API key"),
               "command line": _l("command line"), "email provider": _l("email provider")}
SIGNER_STATE_LABELS = {
    "waiting": _l("not sent yet"), "notified": _l("sent, not opened"),
    "viewed": _l("opened, not answered"), "acknowledged": _l("acknowledged"),
    "refused": _l("refused to sign"), "confirmed": _l("confirmed"),
    "declined": _l("declined to sign"),
}
ACTIONS = ("remind", "resend", "void", "refusal")


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"plan_state_labels": STATE_LABELS, "plan_role_labels": ROLE_LABELS,
            "plan_signer_state_labels": SIGNER_STATE_LABELS, "signers_named": signers_named}


def signers_named(signers: Iterable[Any]) -> Markup:
    """Signers (anything with a ``name`` and a ``role``) as the reader's language lists
    them, each with their role: "Léa Brändli (personne salariée) et Morgan Example (responsable)",
    "Léa Brändli (الموظف) وMorgan Example (المدير)"."""
    return timefmt.items([named(s.name, s.role) for s in signers], language.current())


def named(name: str, role: str) -> Markup:
    """A name with its role after it, the name isolated: "<bdi>Léa</bdi> (personne salariée)"."""
    return escape(_("%(name)s (%(role)s)")) % {"name": timefmt.bdi(name),
                                               "role": str(ROLE_LABELS.get(role, role))}


@bp.app_template_filter("plan_moment")
def _plan_moment(value: dt.datetime | str | None, zone_name: str) -> str:
    """A moment (or one kept as ISO text in event data) in the reader's zone, named."""
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return timefmt.local_time(moment, zone_name, language.current())
    return timefmt.local_time(value, zone_name, language.current()) if value is not None else ""


# -- the list ------------------------------------------------------------------------


@bp.get("/")
@signedin.signed_in()
def home() -> str | tuple[str, int]:
    return _list("console/plans.html", with_options=True)


@bp.get("/plans/rows")
@signedin.signed_in()
def rows() -> str | tuple[str, int]:
    """The list's results alone: what the page polls."""
    return _list("console/plans_rows.html", with_options=False)


def _list(template: str, *, with_options: bool) -> str | tuple[str, int]:
    zone_name = signedin.zone_name()
    errors: dict[str, str] = {}
    try:
        query = plans_list.parse_query(request.args)
    except plans_list.QueryErrors as exc:
        errors, query = exc.errors, exc.query
    page = (plans_list.PlanPage([], 0, query) if errors else
            plans_list.list_plans(webdb.session(), signedin.principal(), query,
                                  zone=timefmt.zone(zone_name), with_options=False))
    if with_options:  # the form's choices, also beside fields to correct
        departments, managers = _filter_choices()
        page = replace(page, departments=departments, managers=managers)
    now = signedin.now()
    rows_ = [(item, deadline(item.expires_at, item.state, now=now,
                             zone=timefmt.zone(zone_name))) for item in page.items]
    body = render_template(template, page=page, rows=rows_, query=query, errors=errors,
                           zone=zone_name, now=now,
                           # translated once here, not once per row
                           states={k: str(v) for k, v in STATE_LABELS.items()},
                           roles={k: str(v) for k, v in ROLE_LABELS.items()}, sorts=SORT_LABELS,
                           refresh=current.services().settings.console_plans_refresh_seconds)
    return (body, 400) if errors and with_options else body


# The departments and managers the list's form offers, per person, kept a minute:
# finding them reads every plan the person may see (6 of the 25 ms of CPU the list's
# page took at 10,000 plans), and they change far more seldom than the list is opened.
FILTER_CHOICES_SECONDS = 60.0
_filter_choices_cache: BoundedCache[tuple[str, str, str | None],
                                    tuple[float, list[str], list[str]]] = BoundedCache(512)


def _filter_choices() -> tuple[list[str], list[str]]:
    principal = signedin.principal()
    key = (principal.actor, str(principal.role), principal.team)
    kept = _filter_choices_cache.get(key)
    if kept is not None and kept[0] > time.monotonic():
        return kept[1], kept[2]
    departments, managers = plans_list.filter_choices(webdb.session(), principal)
    _filter_choices_cache.put(key, (time.monotonic() + FILTER_CHOICES_SECONDS, departments,
                                    managers))
    return departments, managers


# -- a plan's page -------------------------------------------------------------------


@bp.get("/plans/<envelope_id>")
@signedin.signed_in()
def plan(envelope_id: str) -> str | tuple[str, int]:
    details = _read(envelope_id, "console plan page")
    return render_template("console/plan.html", plan=details, **_page_context(details))


@bp.get("/plans/<envelope_id>/original.pdf")
@signedin.signed_in()
def original(envelope_id: str) -> Response:
    _check_read(envelope_id, "download original.pdf")
    db = webdb.session()
    row = envelopes.load(db, envelope_id)
    return _pdf(db.get(Document, row.document_sha256), _document_of(row), envelope_id,
                signed=False)


@bp.get("/plans/<envelope_id>/final.pdf")
@signedin.signed_in()
def final(envelope_id: str) -> Response:
    _check_read(envelope_id, "download final.pdf")
    db = webdb.session()
    row = envelopes.load(db, envelope_id)
    digest = row.final_sha256
    return _pdf(db.get(Document, digest) if digest else None, _document_of(row),
                envelope_id, signed=True)


def _document_of(row: EnvelopeRow) -> DocumentName:
    return document_name(row.document_kind, row.amendment_number)


@bp.get("/plans/<envelope_id>/verify")
@signedin.signed_in()
def verify(envelope_id: str) -> str:
    """verify's checks of an archived plan (a fragment the page loads after it shows:
    checking a seal takes a moment), each in the person's language
    (signing.web.console.checkwords)."""
    _check_read(envelope_id, "verify")
    from docgen.seal import validate  # slow to import: only when a plan is verified
    from signing import instance
    from signing.web.console.checkwords import check_line

    services = current.services()
    trusted = instance.trusted_seal_certificates(services.settings)
    with services.readers() as session:
        checks = verification.verify_envelope(session, services.store, envelope_id,
                                               lambda pdf: validate(pdf, trusted=trusted))
    # Its times as the plan's page gives them: in the person's zone, else the plan's.
    zone_name = signedin.zone_name(_read_after_check(envelope_id).plan_zone)
    return render_template("console/plan_verify.html", checks=checks, zone=zone_name,
                           passed=all(c.ok for c in checks), check_line=check_line)


@bp.route("/plans/<envelope_id>/<action>", methods=["GET", "POST"])
@signedin.signed_in(Role.HR, Role.ADMIN)
def act(envelope_id: str, action: str) -> str | tuple[str, int] | BaseResponse:
    """An action's confirmation form (GET), and the action once confirmed (POST)."""
    if action not in ACTIONS:
        abort(404)
    if request.method == "GET":
        _check_change(envelope_id, action)
        details = _read_after_check(envelope_id)
        return render_template("console/plan_action.html", plan=details, action=action,
                               form=request.args, errors={}, **_page_context(details))
    _check_change(envelope_id, action)
    details = _read_after_check(envelope_id)
    try:
        chosen, arguments = _action(action, request.form, details)
        with webdb.transaction() as db:
            envelopes.perform(db, envelope_id, chosen, actor=_actor(), now=signedin.now(),
                              **arguments)
    except wf.InvalidInput as exc:
        return _refused(details, action, {field: signedin.message_text(message)
                                          for field, message in exc.errors.items()})
    except wf.WorkflowError as exc:
        return _refused(details, action, {"": signedin.problem_text(exc)})
    return _redirect_done(envelope_id, action)


def _action(action: str, form: Any,
            details: plan_page.PlanDetails) -> tuple[wf.Action, dict[str, Any]]:
    """The workflow action a confirmed form asks for, with its inputs; the workflow
    checks them (and refuses bad ones naming the field)."""
    if action == "remind":
        return wf.Action.REMIND_NOW, {}
    if action == "resend":
        signer_id = form.get("signer_id", "")
        if not any(s.id == signer_id for s in details.signers):
            raise wf.InvalidInput("signer_id", _("Choose who to send a new link to."))
        return wf.Action.RESEND, {"signer_id": signer_id,
                                  "email": form.get("email", "").strip() or None}
    if action == "void":
        return wf.Action.VOID, {"reason": form.get("reason", "")}
    manager = details.manager_signer
    if manager is None:
        raise wf.WorkflowError(_("This plan has no manager signer, so a refusal in a "
                                 "meeting cannot be recorded on it."))
    zone_name = signedin.zone_name(details.plan_zone)
    return wf.Action.RECORD_REFUSAL, {
        "signer_id": manager.id, "witness": form.get("witness", ""),
        "meeting_at": form.get("meeting_at", ""),
        "meeting_place": form.get("meeting_place", ""), "timezone": zone_name,
        "reason": form.get("reason", ""), "confirmed": form.get("confirm_record") == "yes",
        "comment_days": current.services().settings.refusal_comment_days}


def _redirect_done(envelope_id: str, action: str) -> BaseResponse:
    return redirect(url_for(".plan", envelope_id=envelope_id, done=action), 303)


def _refused(details: plan_page.PlanDetails, action: str,
             errors: dict[str, str]) -> tuple[str, int]:
    return render_template("console/plan_action.html", plan=details, action=action,
                           form=request.form, errors=errors,
                           **_page_context(details)), 422


# -- helpers -------------------------------------------------------------------------


def _page_context(details: plan_page.PlanDetails) -> dict[str, Any]:
    zone_name = signedin.zone_name(details.plan_zone)
    now = signedin.now()
    principal = signedin.principal()
    may_change = principal.role in (Role.HR, Role.ADMIN) and _may_change(details.id)
    return {"zone": zone_name, "now": now, "may_change": may_change,
            "deadline": deadline(details.expires_at, details.state, now=now,
                                 zone=timefmt.zone(zone_name)),
            "done": request.args.get("done") if request.args.get("done") in ACTIONS else None,
            "comment_days": current.services().settings.refusal_comment_days}


def _may_change(envelope_id: str) -> bool:
    """Whether to offer the actions (each is checked, and logged, when used)."""
    from signing.domain import access
    from signing.domain.models import EnvelopeRow

    row = webdb.session().get(EnvelopeRow, envelope_id)
    return row is not None and access.may_change_envelope(
        signedin.principal(), owner=row.owner, team=row.team)


def _read(envelope_id: str, action: str) -> plan_page.PlanDetails:
    _check_read(envelope_id, action)
    return _read_after_check(envelope_id)


def _read_after_check(envelope_id: str) -> plan_page.PlanDetails:
    try:
        return plan_page.read(webdb.session(), envelope_id)
    except envelopes.EnvelopeNotFound:
        abort(404)


def _check_read(envelope_id: str, action: str) -> None:
    try:
        authorize.check_read(current.services(), signedin.principal(), envelope_id[:64],
                             action, now=signedin.now())
    except envelopes.EnvelopeNotFound:
        abort(404)


def _check_change(envelope_id: str, action: str) -> None:
    try:
        authorize.check_change(current.services(), signedin.principal(), envelope_id[:64],
                               f"console {action}", now=signedin.now())
    except envelopes.EnvelopeNotFound:
        abort(404)


def _actor() -> envelopes.Actor:
    who = signedin.person()
    assert who is not None  # behind signed_in
    return envelopes.Actor(who.actor, request.remote_addr,
                           request.user_agent.string[:500] or None)


def _pdf(document: Document | None, name: DocumentName, envelope_id: str, *,
         signed: bool) -> Response:
    """The PDF, named as the signers' copies are (the plan, its outcome letter or an
    amendment; signed or not) with the envelope's id, in the reader's language."""
    if document is None:
        abort(404)
    words = catalog(language.current()).gettext
    filename = name.file_name(signed, words, reference=envelope_id)
    return Response(document.content, mimetype="application/pdf", headers={
        "Content-Disposition": content_disposition(
            filename, fallback=name.file_name(signed, reference=envelope_id), inline=True),
        "Cache-Control": "private, no-store", "ETag": f'"{document.sha256}"'})

