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

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from signing.domain import authorize, case_service, cases, envelopes
from signing.domain.access import Role
from signing.domain.case_service import CaseView
from signing.domain.cases import CaseError, CheckinForm
from signing.web import current, timefmt, webdb
from signing.web.console import signedin

bp = Blueprint("cases", __name__)

STATUS_LABELS = {"on_track": _l("On track"), "at_risk": _l("At risk"),
                 "off_track": _l("Off track"), "met": _l("Met")}
CASE_STATE_LABELS = {"active": _l("Active"), "extended": _l("Extended"),
                     "closed": _l("Closed")}
ROLES = (Role.MANAGER, Role.HR, Role.ADMIN)


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
                 done=done if done in ("held", "missed") else None)


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
        return _page(view, form=form, errors={field: _sentence(str(exc))}), (
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


def _page(view: CaseView, *, form: Any, errors: dict[str, str],
          done: str | None = None) -> str:
    who = signedin.person()
    zone_name = timefmt.zone_name((who.time_zone if who else None) or view.zone)
    chosen = form.get("meeting") or request.args.get("meeting") or (
        str(view.next_meeting.number) if view.next_meeting else "")
    meeting = int(chosen) if chosen.isdigit() else 0
    recorded = {r.meeting for r in view.records}
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
        may_record=view.case.is_open, now=signedin.now())


def _read(envelope_id: str) -> CaseView:
    try:
        return case_service.read_case(webdb.session(), envelope_id, now=signedin.now(),
                                      settings=_settings())
    except envelopes.EnvelopeNotFound:
        abort(404)
    except case_service.CaseUnavailable as exc:
        abort(409, description=str(exc))


def _check(envelope_id: str, action: str) -> None:
    try:
        authorize.check_case(current.services(), signedin.principal(), envelope_id[:64],
                             action, now=signedin.now())
    except envelopes.EnvelopeNotFound:
        abort(404)


def _settings() -> case_service.CaseSettings:
    return case_service.CaseSettings.of(current.services().settings)


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."

