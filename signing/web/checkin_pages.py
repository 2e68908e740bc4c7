"""The employee's page for a check-in record of their plan's case: opened from the link
in the email that told them of it (``/checkin/<token>``, a :attr:`Purpose.CHECKIN`
link), it shows the record as the manager made it, and lets them acknowledge receiving
it (receipt, not agreement, as for the plan) and add comments; both go on the plan's
audit chain through :mod:`signing.domain.case_service`. Like the signer's pages, the
token is exchanged for a session and dropped from the address; a new link for the
employee (or the plan's voiding) ends both."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from docgen.charts.svg import chart_svg
from docgen.languages import stored_language
from signing.domain import case_service, envelopes
from signing.domain import workflow as wf
from signing.domain.case_service import CaseView, CheckinNotFound, CheckinRecord
from signing.domain.cases import CaseClosed, CaseError
from signing.domain.cases.charts import chart_words, progress_charts, unit_of
from signing.domain.links import LinkError, LinkRevoked, LinkWithdrawn, Purpose, check_nonce
from signing.domain.models import CheckinRow, EnvelopeRow
from signing.web import current, language, webdb
from signing.web.errortext import problem_text
from signing.web.pages import bp, not_sent_page

STATUS_LABELS = {"on_track": _l("On track"), "at_risk": _l("At risk"),
                 "off_track": _l("Off track"), "met": _l("Met")}
NOTICES = frozenset({"acknowledge", "already", "comment"})
_KEY = "checkin"  # the session's {"id", "nonce"} for this page


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@bp.get("/checkin/<token>")
def checkin_link(token: str) -> BaseResponse:
    """Exchange the check-in link's token for a session, then drop it from the URL."""
    try:
        claims = current.services().links.unsign(token, Purpose.CHECKIN)
        nonce, state = _employee_nonce(webdb.session(), claims.signer_id)
        if state == wf.EnvelopeState.VOIDED:
            raise LinkWithdrawn()
        check_nonce(claims, nonce)
    except LinkError as exc:
        return Response(render_template("link_error.html", message=_(exc.message)), 403)
    session.clear()
    session[_KEY] = {"id": claims.signer_id, "nonce": claims.nonce}
    return redirect(url_for("signer.checkin_page"), 303)


@bp.get("/checkin")
def checkin_page() -> Response:
    record, view = _current()
    notice = request.args.get("done")
    return _render(record, view, notice=notice if notice in NOTICES else None)


@bp.post("/checkin/<action>")
def checkin_answer(action: str) -> BaseResponse:
    if action not in ("acknowledge", "comment"):
        abort(404)
    record, view = _current(posting=True)
    _speak_plan_language(view)  # before any error's words are looked up
    actor = envelopes.Actor(f"signer:{_employee_id(view)}", request.remote_addr,
                            request.user_agent.string[:500] or None)
    webdb.release_snapshot()  # read; now write, with no snapshot held meanwhile
    try:
        with webdb.transaction() as db:
            if action == "acknowledge":
                done = case_service.acknowledge_checkin(db, record.id, actor=actor, now=_now())
            else:
                case_service.comment_on_checkin(
                    db, record.id, request.form.get("comment", ""), actor=actor, now=_now(),
                    timezone=request.form.get("timezone") or None)
                done = True
    except CaseClosed:
        return _render(record, view, 409, error=_(
            "This plan's case is closed, so nothing more can be added here. To add to its "
            "record, write to %(name)s in HR at %(email)s.", name=view.plan.hr.name,
            email=view.plan.hr.email), form=request.form)
    except CaseError as exc:
        # In the plan's language (the comment's refusals are worded for the signer's
        # catalog: signing.domain.cases.checkin_comment).
        return _render(record, view, 422, errors={exc.field or "comment": problem_text(exc)},
                       form=request.form)
    return redirect(url_for("signer.checkin_page",
                            done=action if done else "already"), 303)


def _current(*, posting: bool = False) -> tuple[CheckinRecord, CaseView]:
    """The check-in record this browser session was opened for, checked against the
    employee's current link (a new link, or voiding, ends the session)."""
    kept = session.get(_KEY)
    if not isinstance(kept, dict) or not isinstance(kept.get("id"), str):
        abort(_expired(posting))
    db = webdb.session()
    try:
        nonce, state = _employee_nonce(db, kept["id"])
        if state == wf.EnvelopeState.VOIDED:
            raise LinkWithdrawn()
        if nonce is None or nonce != kept.get("nonce"):
            raise LinkRevoked()
        return case_service.checkin_of(db, kept["id"])
    except LinkWithdrawn as exc:
        session.clear()
        abort(Response(render_template("link_error.html", message=_(exc.message)), 403))
    except (LinkError, CheckinNotFound, case_service.CaseUnavailable):
        session.clear()
        abort(_expired(posting))


def _expired(posting: bool) -> Response:
    if posting:
        return not_sent_page(403)
    return Response(render_template("link_error.html", message=_(
        "This page has expired. Open the link in your most recent email, or ask HR for a "
        "new link.")), 403)


def _employee_nonce(db: Any, checkin_id: str) -> tuple[str | None, str | None]:
    """The employee's current link nonce and the plan's state, for a check-in's id."""
    row = db.get(CheckinRow, checkin_id) if 0 < len(checkin_id) <= 36 else None
    if row is None:
        return None, None
    envelope = db.get(EnvelopeRow, row.envelope_id)
    employee = next((s for s in envelope.signers if s.role == wf.Role.EMPLOYEE), None)
    return (employee.nonce if employee is not None else None), envelope.state


def _employee_id(view: CaseView) -> str:
    envelope = webdb.session().get_one(EnvelopeRow, view.envelope_id)
    return next(s.id for s in envelope.signers if s.role == wf.Role.EMPLOYEE)


def _render(record: CheckinRecord, view: CaseView, status: int = 200,
            **page: Any) -> Response:
    code = _speak_plan_language(view)
    goals = {i: g for i, g in enumerate(view.plan.goals, start=1)}
    context: dict[str, Any] = {
        "record": record, "checkin": record.checkin, "view": view, "plan": view.plan,
        "goals": goals, "tz": view.zone, "statuses": STATUS_LABELS, "notice": None,
        # A value is shown with the unit its goal's target is written in ("78 %").
        "units": {i: unit_of(g.target or "") for i, g in goals.items()},
        "errors": {}, "error": None, "form": None, "is_open": view.case.is_open,
        "max_chars": case_service.MAX_COMMENT,
        "answer_days": current.services().settings.checkin_answer_days,
        "charts": _charts(record, view, code)}
    context.update(page)
    return Response(render_template("checkin.html", **context), status)


def _speak_plan_language(view: CaseView) -> str:
    """The employee reads the record in their plan's language, as the plan's own pages:
    the rest of the request speaks it (and the session keeps it); its code."""
    code = stored_language(webdb.session().get_one(EnvelopeRow, view.envelope_id).plan_data)
    language.use(code)
    language.remember(code)
    return code


def _charts(record: CheckinRecord, view: CaseView, code: str) -> list[Markup]:
    """Each goal's progress up to this check-in, as the case file draws it, in the plan's
    language (docgen.charts' SVG figures: escaped there, no inline styles)."""
    so_far = [c for c in view.case.checkins if c.meeting <= record.checkin.meeting]
    charts = progress_charts(view.plan.goals, so_far, ZoneInfo(view.zone),
                             (view.case.start, view.case.end), chart_words(code))
    return [Markup(chart_svg(chart, id_prefix=f"goal-{n}-chart"))
            for n, chart in enumerate(charts, start=1)]
