"""A plan's case in the console: the agenda of the next check-in (the plan's goals, with
their metric, baseline and target, and the milestones due), a form to record a meeting
(held, or missed and why), the check-ins recorded with the employee's answers, what is
overdue and any gap of more than two weeks. The plan's drafting manager, HR of its team
and admins (:func:`signing.domain.access.may_work_case`); every view of the page and
every recording goes to the access log. One service, :mod:`signing.domain.case_service`,
as for the API and the command line.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from docgen.charts.svg import chart_svg
from signing.domain import (
    authorize,
    case_close,
    case_extension,
    case_service,
    cases,
    envelopes,
)
from signing.domain.access import Role
from signing.domain.case_service import CaseView
from signing.domain.cases import CaseError, CheckinForm
from signing.domain.cases.charts import chart_words, progress_charts
from signing.domain.cases.extension import GOAL_FIELDS
from signing.domain.cases.outcome import OutcomeForm, ProposalState
from signing.web import current, language, webdb
from signing.web.console import signedin

bp = Blueprint("cases", __name__)

STATUS_LABELS = {"on_track": _l("On track"), "at_risk": _l("At risk"),
                 "off_track": _l("Off track"), "met": _l("Met")}
CASE_STATE_LABELS = {"active": _l("Active"), "extended": _l("Extended"),
                     "closed": _l("Closed")}
ROLES = (Role.MANAGER, Role.HR, Role.ADMIN)
# HR approve or return an outcome, and close a case early; the manager proposes.
HR_ROLES = (Role.HR, Role.ADMIN)
OUTCOME_LABELS = {"met": _l("Goals met: the plan closed successfully"),
                  "not_met": _l("Goals not met"),
                  "resigned": _l("Closed early: the employee resigned"),
                  "withdrawn": _l("Closed early: the plan was withdrawn")}
CADENCES = {"weekly": _l("Weekly"), "biweekly": _l("Every two weeks"),
            "monthly": _l("Every four weeks")}
ASSESSMENTS = {"met": _l("Met"), "partly met": _l("Partly met"), "not met": _l("Not met")}
# Where an extension's amended plan stands with the employee (its envelope's state).
AMENDMENT_STATES = {"draft": _l("not sent yet"), "sent": _l("sent, not answered yet"),
                    "completed": _l("answered, being sealed"),
                    "sealed": _l("sealed, being archived"), "archived": _l("archived"),
                    "voided": _l("withdrawn"), "expired": _l("past its deadline")}


@bp.app_template_global("case_field_id")
def case_field_id(name: str) -> str:
    """The element id of a field the rules name (``goals[1].value`` -> ``goals-1-value``)."""
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-") or "checkin-form"


@bp.get("/plans/<envelope_id>/case")
@signedin.signed_in(*ROLES)
def case(envelope_id: str) -> str | tuple[str, int]:
    _check(envelope_id, "envelope case")
    view = _read(envelope_id)
    done = request.args.get("done")
    return _page(view, form=MultiDict(), errors={},
                 done=done if done in ("held", "missed", "proposed", "approved", "returned",
                                       "closed", "extended") else None)


@bp.post("/plans/<envelope_id>/case/checkins")
@signedin.signed_in(*ROLES)
def record(envelope_id: str) -> BaseResponse | tuple[str, int]:
    _check(envelope_id, "envelope record check-in")
    who = signedin.person()
    assert who is not None  # behind signed_in
    form = request.form
    try:
        with webdb.transaction() as db:
            recorded = case_service.record_checkin(
                db, envelope_id, _form(form), recorder=who.display_name,
                actor=envelopes.Actor(who.actor, request.remote_addr,
                                      request.user_agent.string[:500] or None),
                now=signedin.now(), settings=_settings())
    except CaseError as exc:
        view = _read(envelope_id)
        # One error per attendee's line is shown beside the attendees' field.
        field = re.sub(r"^attendees\[\d+\]$", "attendees", exc.field or "meeting")
        return _page(view, form=form, errors={field: signedin.problem_text(exc)}), (
            409 if isinstance(exc, cases.CaseClosed | cases.MeetingAlreadyRecorded) else 422)
    return redirect(url_for(".case", envelope_id=envelope_id,
                            done="held" if recorded.checkin.held else "missed",
                            _anchor="checkins"), 303)


def _form(form: Any) -> CheckinForm:
    """The check-in the console's form describes, as text for the rules to check."""
    held = form.get("held", "yes") != "no"
    view_goals: dict[str, dict[str, str]] = {}
    for key in form:
        found = re.fullmatch(r"goal-(\d{1,3})-(status|value|note)", key)
        if found:
            view_goals.setdefault(found.group(1), {})[found.group(2)] = form.get(key, "")
    return CheckinForm(
        meeting=form.get("meeting", ""), held_at=form.get("held_at", "") if held else "",
        missed_reason="" if held else form.get("missed_reason", ""),
        attendees=form.get("attendees", "").splitlines() if held else (),
        goals=view_goals if held else None, notes=form.get("notes", ""),
        support_given=form.get("support_given", ""), next_steps=form.get("next_steps", ""),
        employee_view=form.get("employee_view", ""))


# -- the case's end (signing.domain.case_close) ------------------------------------------


@bp.post("/plans/<envelope_id>/case/outcome")
@signedin.signed_in(*ROLES)
def propose_outcome(envelope_id: str) -> BaseResponse | tuple[str, int]:
    _check(envelope_id, "envelope propose outcome")
    who = signedin.person()
    assert who is not None  # behind signed_in
    form = request.form
    goals: dict[str, dict[str, str]] = {}
    for key in form:
        found = re.fullmatch(r"goal-(\d{1,3})-(assessment|result|evidence)", key)
        if found:
            goals.setdefault(found.group(1), {})[found.group(2)] = form.get(key, "")
    try:
        with webdb.transaction() as db:
            case_close.propose_outcome(
                db, envelope_id, OutcomeForm(form.get("outcome", ""), form.get("summary", ""),
                                             goals),
                actor=_actor(who.actor), proposer=who.display_name, now=signedin.now())
    except CaseError as exc:
        return _outcome_error(envelope_id, exc, form)
    return _done(envelope_id, "proposed")


@bp.post("/plans/<envelope_id>/case/outcome/approve")
@signedin.signed_in(*HR_ROLES)
def approve_outcome(envelope_id: str) -> BaseResponse | tuple[str, int]:
    _check(envelope_id, "envelope approve outcome")
    who = signedin.person()
    assert who is not None
    services = current.services()
    try:
        case_close.approve_outcome(
            services.sessions, envelope_id, actor=_actor(who.actor),
            approver=who.display_name,
            options=case_close.LetterOptions.of(services.settings, services.converter,
                                                   services.branding.logo),
            now=signedin.now())
    except CaseError as exc:
        return _outcome_error(envelope_id, exc, request.form)
    return _done(envelope_id, "approved")


@bp.post("/plans/<envelope_id>/case/outcome/return")
@signedin.signed_in(*HR_ROLES)
def return_outcome(envelope_id: str) -> BaseResponse | tuple[str, int]:
    _check(envelope_id, "envelope return outcome")
    who = signedin.person()
    assert who is not None
    try:
        with webdb.transaction() as db:
            case_close.return_outcome(db, envelope_id, request.form.get("comment", ""),
                                      actor=_actor(who.actor), now=signedin.now())
    except CaseError as exc:
        return _outcome_error(envelope_id, exc, request.form)
    return _done(envelope_id, "returned")


@bp.post("/plans/<envelope_id>/case/close")
@signedin.signed_in(*HR_ROLES)
def close_case(envelope_id: str) -> BaseResponse | tuple[str, int]:
    _check(envelope_id, "envelope close case")
    who = signedin.person()
    assert who is not None
    form = request.form
    try:
        if form.get("confirm") != "yes":  # the page's confirmation, as the CLI's prompt
            raise CaseError(_("tick the box to confirm that the case closes now"),
                            "confirm")
        with webdb.transaction() as db:
            case_close.close_early(db, envelope_id, form.get("early", ""),
                                   form.get("reason", ""), actor=_actor(who.actor),
                                   closer=who.display_name, now=signedin.now())
    except CaseError as exc:
        if exc.field == "outcome":  # the early close's choice is its own field here
            exc.field = "early"
        return _outcome_error(envelope_id, exc, form)
    return _done(envelope_id, "closed")


# -- the extension (signing.domain.case_extension) ---------------------------------------


@bp.post("/plans/<envelope_id>/case/extensions")
@signedin.signed_in(*HR_ROLES)
def extend_case(envelope_id: str) -> BaseResponse | tuple[str, int]:
    _check(envelope_id, "envelope extend case")
    who = signedin.person()
    assert who is not None
    form = request.form
    # Each goal the form adjusts, by its number; the rules name them by their place.
    numbers: list[str] = []
    goals: list[dict[str, str]] = []
    for number in sorted({m.group(1) for key in form if (m := re.fullmatch(
            r"goal-(\d{1,3})-(?:statement|metric|baseline|target)", key))}, key=int):
        changed = {name: form.get(f"goal-{number}-{name}", "").strip()
                   for name in GOAL_FIELDS}
        changed = {k: v for k, v in changed.items() if v}
        if changed:
            numbers.append(number)
            goals.append({"goal": number, **changed})
    services = current.services()
    try:
        case_extension.extend_case(
            services.sessions, envelope_id,
            case_extension.extension_form({"days": form.get("days", ""),
                                           "reason": form.get("reason", ""),
                                           "cadence": form.get("cadence", ""),
                                           "goals": goals}),
            actor=_actor(who.actor), extender=who.display_name,
            options=case_extension.ExtensionOptions.of(services.settings, services.converter,
                                                       services.branding.logo),
            now=signedin.now())
    except CaseError as exc:
        view = _read(envelope_id)
        # An error of no field (the case moved on, or is past extending) is shown above
        # the form, which the page may no longer offer.
        field = exc.field or "form"
        found = re.fullmatch(r"goals\[(\d+)\](?:\.(\w+))?", field)
        if found and int(found.group(1)) < len(numbers):
            field = f"goal-{numbers[int(found.group(1))]}" + (
                f"-{found.group(2)}" if found.group(2) else "")
        errors = {f"extension:{field}": signedin.problem_text(exc)}
        return _page(view, form=MultiDict(), errors=errors, eform=form), (
            409 if isinstance(exc, cases.CaseClosed | case_service.CaseUnavailable
                              | case_extension.ExtensionChanged) else 422)
    return redirect(url_for(".case", envelope_id=envelope_id, done="extended",
                            _anchor="extensions"), 303)


def _outcome_error(envelope_id: str, exc: CaseError, form: Any) -> tuple[str, int]:
    view = _read(envelope_id)
    key = f"outcome:{exc.field or 'outcome'}"
    return _page(view, form=MultiDict(), errors={key: signedin.problem_text(exc)}, oform=form), (
        409 if isinstance(exc, cases.CaseClosed | case_service.CaseUnavailable) else 422)


def _done(envelope_id: str, what: str) -> BaseResponse:
    return redirect(url_for(".case", envelope_id=envelope_id, done=what, _anchor="outcome"),
                    303)


def _actor(actor: str) -> envelopes.Actor:
    return envelopes.Actor(actor, request.remote_addr, request.user_agent.string[:500] or None)


def _page(view: CaseView, *, form: Any, errors: dict[str, str],
          done: str | None = None, oform: Any = None, eform: Any = None) -> str:
    zone_name = signedin.zone_name(view.zone)
    chosen = form.get("meeting") or request.args.get("meeting") or (
        str(view.next_meeting.number) if view.next_meeting else "")
    meeting = int(chosen) if chosen.isdigit() else 0
    recorded = {r.meeting for r in view.records}
    outcome = case_close.read_outcome(webdb.session(), view.envelope_id)
    hr = signedin.principal().role in HR_ROLES
    return render_template(
        "console/case.html", view=view, case=view.case, plan=view.plan, zone=zone_name,
        plan_zone=view.zone, form=form, errors=errors, done=done,
        unrecorded=[m for m in view.schedule if m.number not in recorded],
        meeting=meeting, agenda=view.agenda(meeting) if meeting else (),
        statuses=STATUS_LABELS, case_states=CASE_STATE_LABELS,
        goals=dict(enumerate(view.plan.goals, start=1)),
        # The progress charts' data (each goal's metric over the check-ins held): drawn
        # by console/case_charts.html.
        progress=cases.series(view.plan.goals, view.case.checkins, ZoneInfo(view.zone)),
        # ... as docgen.charts' SVG figures (escaped there; attributes, no styles).
        charts=[Markup(chart_svg(chart, id_prefix=f"goal-{n}-chart"))
                for n, chart in enumerate(progress_charts(
                    view.plan.goals, view.case.checkins, ZoneInfo(view.zone),
                    (view.case.start, view.case.end), chart_words(language.current())),
                    start=1)],
        outcome=outcome, oform=oform if oform is not None else MultiDict(),
        outcome_labels=OUTCOME_LABELS, assessments=ASSESSMENTS,
        may_propose=view.case.is_open and outcome.state in (None, ProposalState.RETURNED),
        may_approve=hr and outcome.state == ProposalState.PROPOSED and view.case.is_open,
        may_close=hr and view.case.is_open and outcome.state != ProposalState.APPROVED,
        may_record=view.case.is_open, now=signedin.now(),
        extensions=case_extension.read_extensions(webdb.session(), view.envelope_id),
        eform=eform if eform is not None else MultiDict(), cadences=CADENCES,
        amendment_states=AMENDMENT_STATES,
        max_extension_days=current.services().settings["case_max_extension_days"],
        extension_open=any(k.startswith("extension:") for k in errors),
        may_extend=hr and view.case.is_open and outcome.state != ProposalState.APPROVED)


def _read(envelope_id: str) -> CaseView:
    try:
        return case_service.read_case(webdb.session(), envelope_id, now=signedin.now(),
                                      settings=_settings())
    except envelopes.EnvelopeNotFound:
        abort(404)
    except case_service.CaseUnavailable as exc:
        abort(Response(render_template(
            "console/problem.html", title=_("This plan has no case to show"),
            message=signedin.problem_text(exc)), 409))


def _check(envelope_id: str, action: str) -> None:
    try:
        authorize.check_case(current.services(), signedin.principal(), envelope_id[:64],
                             action, now=signedin.now())
    except envelopes.EnvelopeNotFound:
        abort(404)


def _settings() -> case_service.CaseSettings:
    return case_service.CaseSettings.of(current.services().settings)
