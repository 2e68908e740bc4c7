"""The signer's pages: open the emailed link, read the plan, then act in the signer's
role: the employee acknowledges, refuses to sign, or comments (also after deciding,
while the plan is open); the manager and HR confirm or decline; the manager may record a
refusal the employee made in a meeting. Views only translate HTTP to calls of the
signing service."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import Connection
from werkzeug.wrappers import Response as BaseResponse

from docgen import Plan, Schedule, plan_from_data, schedule_for
from docgen.languages import stored_language
from signing.domain import envelopes
from signing.domain import workflow as wf
from signing.domain.documents import THE_PLAN, DocumentName
from signing.domain.events import EventType
from signing.domain.links import LinkError, LinkWithdrawn, check_nonce
from signing.domain.mail.compose import catalog
from signing.domain.wording import consent_for, statement_for
from signing.web import (
    csrftoken,
    current,
    language,
    pagecache,
    pagedata,
    sessioncookie,
    timefmt,
    webdb,
)
from signing.web.cache import BoundedCache
from signing.web.downloads import content_disposition
from signing.web.errortext import field_texts, message_text, problem_text
from signing.web.pagecache import PageCache
from signing.web.pagedata import Envelope, OwnWords, Signer

bp = Blueprint("signer", __name__)

# What pages show of each envelope's plan (PlanPage): an envelope's plan data never
# changes once it is created, and its id is never reused, so an entry is never stale, in
# this process or beside others. Bounded by count and by the summaries' size in all: a
# three-goal plan's summary is about 11,000 characters, a 30-goal plan's 38,000.
PLAN_CACHE_ENTRIES = 1024
PLAN_CACHE_CHARS = 16_000_000
# Rendered pages (without the plan's summary) by signer and state (signing.web.pagecache):
# about 7,000 characters each (the example plan's employee page).
PAGE_CACHE_ENTRIES = 2048
PAGE_CACHE_CHARS = 8_000_000
_PLANS, _PAGES = "plansign.plans", "plansign.pages"
# The notices (``/sign?done=``) the page has words for; a page with another is not kept.
NOTICES = frozenset({"already_commented", "already", "acknowledge", "refuse", "confirm",
                     "decline", "record_refusal", "already_recorded", "comment"})


def init_app(app: Flask) -> None:
    # The employee's check-in record pages (a plan's case) are routes of this blueprint:
    # its rate limits, its session and its look.
    from signing.web import checkin_pages  # noqa: F401

    app.register_blueprint(bp)
    app.extensions[_PLANS] = BoundedCache[str, PlanPage](
        PLAN_CACHE_ENTRIES, max_weight=PLAN_CACHE_CHARS, weight=PlanPage.weight)
    app.extensions[_PAGES] = PageCache(PAGE_CACHE_ENTRIES, PAGE_CACHE_CHARS)
    sessioncookie.init_app(app)
    timefmt.register(app)


@bp.before_request
def _signer_words() -> None:
    """The signer's pages speak the employee's catalog, in the language of the plan in
    the session (set again by :func:`_plan_of` once the envelope is read)."""
    language.use_signer_words()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _actor(signer_id: str) -> envelopes.Actor:
    return envelopes.Actor(f"signer:{signer_id}", request.remote_addr,
                           request.user_agent.string[:500] or None)


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    email: str
    title: str | None


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """What a signer's page says of the plan beyond its summary: who, when, where."""

    employee: Contact
    department: str
    hr: Contact
    company: str | None
    timezone: str | None  # the check-ins' zone, the page's when the browser gives none
    start: dt.date
    end: dt.date
    language: str  # what the plan's pages are written in (docgen.languages)
    # What the envelope's document is: the plan, its outcome letter or an amendment,
    # which the page names as such (signing.domain.documents).
    document: DocumentName = THE_PLAN

    @classmethod
    def of(cls, plan: Plan, schedule: Schedule, language: str,
           document: DocumentName = THE_PLAN) -> PlanFacts:
        employee, hr = plan.employee, plan.hr
        return cls(Contact(employee.name, employee.email, employee.title),
                   employee.department, Contact(hr.name, hr.email, hr.title),
                   plan.company.name if plan.company else None,
                   plan.checkins.timezone if plan.checkins else None,
                   schedule.start, schedule.end, language, document)


@dataclass(frozen=True, slots=True)
class PlanPage:
    """What a signer's page shows of the plan, the same for every signer and request:
    its facts and its summary, rendered once (plan_summary.html). Not the parsed plan,
    which takes about three times the summary's room."""

    facts: PlanFacts
    summary: Markup

    def weight(self) -> int:
        return len(self.summary) + 1000  # and the facts, about


@dataclass(frozen=True)
class SignerContext:
    signer: Signer
    envelope: Envelope
    plan: PlanFacts
    summary: Markup
    # The employee's own words from the audit trail (their comments, a refusal), which
    # every role's page shows; read only for a page that is rendered.
    employee_words: OwnWords | None = None


def _current(*, words: bool = False) -> SignerContext:
    """The signer this browser session is bound to; a revoked link ends the session, and
    so does the plan's being withdrawn. Everything is read in one statement (and the
    plan's data, the first time), its connection back in the pool before the caller
    writes or renders; with ``words``, the employee's own words too, for a page to be
    rendered."""
    signer_id, nonce = session.get("signer_id"), session.get("nonce")
    with webdb.statement_reads() as db:
        read = pagedata.envelope_of_signer(db, signer_id, words=words) if signer_id else None
        envelope, employee_words = read if read is not None else (None, None)
        signer = envelope.signer(signer_id) if envelope is not None and signer_id else None
        if envelope is not None and envelope.state == wf.EnvelopeState.VOIDED:
            session.clear()
            abort(_link_error(LinkWithdrawn()))
        if signer is None or signer.nonce is None or nonce is None or signer.nonce != nonce:
            session.clear()
            if request.method == "POST":
                abort(not_sent_page(403))
            message = _("This page has expired. Open the link in your most recent email, "
                        "or ask HR for a new link.")
            abort(Response(render_template("link_error.html", message=message), 403))
        assert envelope is not None
        plan = _plan_of(db, envelope.id)
    sessioncookie.keep_alive(session)  # the session's idle time starts over
    return SignerContext(signer, envelope, plan.facts, plan.summary, employee_words)


def not_sent_page(status: int) -> Response:
    """What a signer sees whose session ended before their form was sent (idle too long,
    the browser closed, a new link sent since): nothing was recorded, and what they typed
    is not lost, for the page keeps drafts in this browser. Also the answer to a form
    whose CSRF token cannot be checked for want of a session (weberrors)."""
    message = _("This page expired before your response was sent, so nothing was "
                "recorded. What you typed is kept in this browser.")
    advice = _("Open the link in your most recent email here, and what you typed will be "
               "filled in for you to send again; tick any boxes again. If the link no "
               "longer works, ask HR for a new one.")
    return Response(render_template("link_error.html", title=_("Your response was not sent"),
                                    message=message, advice=advice), status)


def _plan_of(db: Connection, envelope_id: str) -> PlanPage:
    """What the page shows of the envelope's plan: worked out once per process and
    envelope, not on every page (the plan's data is read only then). The rest of the
    request speaks the plan's language, which the signer's session keeps."""
    plans: BoundedCache[str, PlanPage] = current_app.extensions[_PLANS]
    cached = plans.get(envelope_id)
    if cached is None:
        data, document = pagedata.plan_data(db, envelope_id)
        plan = plan_from_data(data, stored=True)
        schedule = schedule_for(plan)
        code = stored_language(data)
        language.use(code)
        summary = current_app.jinja_env.get_template("plan_summary.html").render(
            plan=plan, schedule=schedule)
        cached = plans.put(envelope_id, PlanPage(
            PlanFacts.of(plan, schedule, code, document), Markup(summary)))
    language.use(cached.facts.language)
    language.remember(cached.facts.language)
    return cached


@bp.get("/s/<token>")
def open_link(token: str) -> BaseResponse:
    """Exchange the token for a session bound to the signer, then drop it from the URL."""
    links = current.services().links
    try:
        claims = links.unsign(token)
        with webdb.statement_reads() as db:
            signer = pagedata.nonce_of(db, claims.signer_id)
        if signer is not None and signer[1] == wf.EnvelopeState.VOIDED:
            raise LinkWithdrawn()
        check_nonce(claims, signer[0] if signer is not None else None)
    except LinkError as exc:
        return _link_error(exc)
    session.clear()
    session["signer_id"], session["nonce"] = claims.signer_id, claims.nonce
    return redirect(url_for("signer.plan_page"), 303)


def _link_error(error: LinkError) -> Response:
    # The error's words are the domain's English, marked for the signer's catalog.
    return Response(render_template("link_error.html", message=_(error.message)), 403)


def _render(ctx: SignerContext, status: int = 200, **page: Any) -> Response:
    """The plan page for this signer, with what the template needs beyond ``ctx``:
    the role's own words, who sent it, the deadline and the zone to show it in, the
    signer's comments so far, and what they can still do. ``page`` adds or overrides
    (``notice``; after refused input ``errors``, ``error``, ``failed``, ``form``).

    A page shown as it is (no refused input, a known notice) is kept, rendered, under
    everything the template is given, and served from there while none of it changes
    (signing.web.pagecache); the CSRF token, the submission id and the plan's summary
    are put in on every request."""
    signer, envelope, plan = ctx.signer, ctx.envelope, ctx.plan
    employee = envelope.employee
    is_open = envelope.state == wf.EnvelopeState.SENT
    document = plan.document
    context: dict[str, Any] = {
        "role": signer.role, "statement": _(statement_for(signer.role, document.kind)),
        "consent": _(consent_for(signer.role, document.kind)), "sender": plan.hr.name,
        # The document's name, in the plan's language, as this signer reads it.
        "document": {"kind": document.kind, "is_plan": document.is_plan,
                     "title": document.title(_),
                     "name": document.for_role(signer.role, plan.employee.name, _)},
        "deadline": envelope.expires_at, "tz": plan.timezone or "UTC",
        **_my_record(ctx),
        "can_comment": (signer.role == wf.Role.EMPLOYEE and is_open
                        and signer.state != wf.SignerState.WAITING),
        "can_record_refusal": (signer.role == wf.Role.MANAGER and is_open
                               and employee.state in wf.ASKED_STATES),
        # After a recorded refusal, until when the employee may still comment (the
        # record is sealed after it): the employee's and HR's pages say so.
        "comments_until": (envelope.comments_until
                           if is_open and envelope.comments_until is not None
                           and _now() < envelope.comments_until else None),
        "comment_days": current.services().settings.refusal_comment_days,
        "employee": employee, "notice": None, "errors": {}, "error": None, "failed": None,
        "form": None, "max_chars": wf.MAX_COMMENT_CHARS,
    }
    context.update(page)
    pages: PageCache = current_app.extensions[_PAGES]
    kept = status == 200 and set(page) <= {"notice"} and (
        context["notice"] is None or context["notice"] in NOTICES)
    # ctx's plan, schedule and summary are the envelope's (its id is in ctx.envelope).
    key = (pagecache.key_of(request.script_root, ctx.signer, ctx.envelope,
                            ctx.employee_words, context) if kept else None)
    segments = pages.get(key) if key is not None else None
    if segments is None:
        markers = pages.markers
        html = render_template(
            "sign.html", ctx=ctx, **context,
            plan_summary=Markup(markers[pagecache.SUMMARY]),
            # Names this showing of the comment form: a double click or a replay is
            # recorded once.
            submission=markers[pagecache.SUBMISSION],
            csrf_token=lambda: markers[pagecache.CSRF])
        segments = pages.put(key, html)
    return Response(pagecache.fill(segments, {
        pagecache.CSRF: csrftoken.csrf_token,
        pagecache.SUBMISSION: lambda: secrets.token_urlsafe(16),
        pagecache.SUMMARY: lambda: ctx.summary,
    }), status)


class RecordedRefusal(NamedTuple):
    """A refusal the manager recorded for the employee, as the employee's page tells it."""

    by: str
    witness: str
    at: dt.datetime  # when it was recorded
    reason: str | None  # what was recorded as the employee's words
    meeting_at: dt.datetime | None  # when the meeting was (older records: unknown)
    meeting_place: str | None


def _meeting_at(data: Mapping[str, Any]) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(data["meeting_at"])
    except (KeyError, TypeError, ValueError):
        return None


def _my_record(ctx: SignerContext) -> dict[str, Any]:
    """What the record holds of the employee's own words: ``my_comments``, oldest first,
    as (when, text), and ``recorded_refusal`` if their manager recorded a refusal for
    them (the employee should see what was recorded, and by whom)."""
    record: dict[str, Any] = {"my_comments": [], "recorded_refusal": None,
                              "my_reason": None, "employee_response": None}
    rows = ctx.employee_words
    assert rows is not None, "read with _current(words=True)"
    if ctx.signer.role != wf.Role.EMPLOYEE:
        record["employee_response"] = _employee_response(ctx.envelope, rows)
        return record
    names = {s.id: s.name for s in ctx.envelope.signers}
    for type_, at, data in rows:
        if type_ == EventType.SIGNER_COMMENTED:
            record["my_comments"].append((at, data.get("comment", "")))
        elif "recorded_by" not in data:
            record["my_reason"] = data.get("reason")  # their own refusal's reason, if any
        else:
            record["recorded_refusal"] = RecordedRefusal(
                names.get(data["recorded_by"], _("your manager")), data.get("witness", ""), at,
                data.get("reason"), _meeting_at(data), data.get("meeting_place"))
    return record


class EmployeeResponse(NamedTuple):
    """What the employee has done so far, as the manager's and HR's pages show it: HR
    countersign after the employee, having read their answer and comments."""

    state: str
    decided_at: dt.datetime | None
    reason: str | None
    recorded_by: str | None
    comments: list[tuple[dt.datetime, str]]
    witness: str | None = None
    meeting_at: dt.datetime | None = None
    meeting_place: str | None = None


def _employee_response(envelope: Envelope, rows: OwnWords) -> EmployeeResponse:
    employee = envelope.employee
    names = {s.id: s.name for s in envelope.signers}
    comments = [(at, data.get("comment", "")) for type_, at, data in rows
                if type_ == EventType.SIGNER_COMMENTED]
    refusal: dict[str, Any] = next(
        (data for type_, _, data in rows if type_ == EventType.SIGNER_REFUSED), {})
    return EmployeeResponse(employee.state, employee.decided_at, refusal.get("reason"),
                            names.get(refusal.get("recorded_by", "")), comments,
                            refusal.get("witness"), _meeting_at(refusal),
                            refusal.get("meeting_place"))


@bp.get("/sign")
def plan_page() -> Response:
    ctx = _current(words=True)
    if wf.is_first_view(ctx.envelope.state, ctx.signer.state):
        with webdb.transaction() as db:
            envelopes.perform(db, ctx.envelope.id, wf.Action.VIEW, signer_id=ctx.signer.id,
                              actor=_actor(ctx.signer.id), now=_now())
    return _render(ctx, notice=request.args.get("done"))


@bp.post("/sign/<action>")
def act(action: str) -> BaseResponse:
    if action not in wf.SIGNER_ACTIONS:
        abort(404)
    ctx = _current()
    form = request.form
    try:
        with webdb.transaction() as db:
            envelopes.perform(db, ctx.envelope.id, wf.Action(action), signer_id=ctx.signer.id,
                              actor=_actor(ctx.signer.id), now=_now(),
                              **_arguments(action, ctx, form))
    except wf.AlreadyDone as exc:
        done = "already" if exc.signer_id == ctx.signer.id else "already_recorded"
        return redirect(url_for("signer.plan_page", done=done), 303)
    except wf.AlreadyRecorded:
        return redirect(url_for("signer.plan_page", done="already_commented"), 303)
    except wf.InvalidInput as exc:
        # Every field the workflow refused, each shown beside its own field, in the plan's
        # language (``ctx`` chose it for this request), as every error below.
        return _render(_current(words=True), 422, errors=field_texts(exc.errors),
                       error=_("Nothing was recorded yet. %(problem)s",
                               problem=message_text(exc.message)),
                       form=form,
                       failed=action, comment_limit=isinstance(exc, wf.CommentLimitReached))
    except wf.ClosedForComments:
        hr = ctx.plan.hr
        message = _("This plan is closed, so comments can no longer be added here. To add "
                    "to its record, write to %(name)s in HR at %(email)s. Your comment is "
                    "kept below so you can copy it.", name=hr.name, email=hr.email)
        return _render(_current(words=True), 409, errors={"comment": message},
                       error=_("Your comment was not sent: this plan is closed."), form=form,
                       failed=action)
    except (wf.WrongRole, wf.NotYetSent) as exc:
        return _render(_current(words=True), 409, error=problem_text(exc), form=form,
                       failed=action)
    except wf.WorkflowError as exc:
        return Response(render_template("link_error.html", message=problem_text(exc)), 409)
    if action == wf.Action.DECLINE:
        # The plan is withdrawn, and with it this signer's link and session.
        session.clear()
        session["declined"] = True  # only this browser, having just declined, sees the page
        return redirect(url_for("signer.declined"), 303)
    # The page's notice (``?done=``) is named by the action that succeeded.
    return redirect(url_for("signer.plan_page", done=action), 303)


@bp.get("/sign/declined")
def declined() -> str:
    """What a manager or HR signer sees once they have declined: their link, like every
    other, no longer works, so this page shows nothing of the plan; it is shown only to
    the browser that has just declined, so nobody can be shown it falsely."""
    if not session.get("declined"):
        abort(404)
    return render_template("declined.html")


def _arguments(action: str, ctx: SignerContext, form: Mapping[str, str]) -> dict[str, object]:
    """The workflow action's arguments from the posted form."""
    if action in ("acknowledge", "confirm"):
        arguments: dict[str, object] = {
            "typed_name": form.get("typed_name", ""), "consent": "consent" in form,
            # The words this signer was shown, recorded with their signature.
            "statement": _(statement_for(ctx.signer.role, ctx.plan.document.kind)),
            "consent_text": _(consent_for(ctx.signer.role, ctx.plan.document.kind)),
            "name_differs": "name_differs" in form, "timezone": _signer_zone(ctx, form)}
        if action == "acknowledge":
            arguments["comment"] = _text(form, "comment")
        return arguments
    if action == "refuse":
        return {"reason": _text(form, "reason"), "confirmed": "confirm_refusal" in form,
                "timezone": _signer_zone(ctx, form)}
    if action == "decline":
        return {"reason": _text(form, "reason"), "timezone": _signer_zone(ctx, form)}
    if action == "record_refusal":
        return {"witness": form.get("witness", ""), "reason": _text(form, "reason"),
                "meeting_at": form.get("meeting_at", ""),
                "meeting_place": form.get("meeting_place") or None,
                # The meeting's time is read in the recorder's zone, as their browser shows it.
                "timezone": _signer_zone(ctx, form),
                "confirmed": "confirm_record" in form,
                "comment_days": current.services().settings.refusal_comment_days}
    if action == "comment":
        settings = current.services().settings
        return {"text": _text(form, "comment") or "",
                "submission": form.get("submission") or None,
                "timezone": _signer_zone(ctx, form),
                "limits": wf.CommentLimits(settings.max_comments_per_signer,
                                           settings.max_comment_chars_per_signer)}
    abort(404)


def _signer_zone(ctx: SignerContext, form: Mapping[str, str]) -> str | None:
    """The zone the signer's browser reported (sign.js fills each form's hidden
    ``timezone``), else the plan's: the record shows each act at the signer's own time."""
    return wf.valid_timezone(form.get("timezone")) or ctx.plan.timezone


def _text(form: Mapping[str, str], field: str) -> str | None:
    """A textarea's text as the signer saw it. Browsers send its line breaks as CRLF but
    count them as one character against ``maxlength``; the limit counts them the same."""
    return form.get(field, "").replace("\r\n", "\n") or None


@bp.get("/sign/document.pdf")
def document() -> Response:
    """The plan as the signers saw it; once the record is sealed, the final document.

    While the envelope is open, the signer's opening (or downloading) the full PDF is
    recorded, once per browser session and kind, whether or not they have decided."""
    ctx = _current()
    download = request.args.get("download") == "1"
    kind = "download" if download else "open"
    opened = list(session.get("opened", ()))
    if ctx.envelope.state == wf.EnvelopeState.SENT and kind not in opened:
        with webdb.transaction() as db:
            envelopes.perform(db, ctx.envelope.id, wf.Action.DOCUMENT_OPENED,
                              signer_id=ctx.signer.id, download=download,
                              actor=_actor(ctx.signer.id), now=_now())
        session["opened"] = [*opened, kind]
    final = ctx.envelope.final_sha256
    with webdb.statement_reads() as db:
        pdf = pagedata.document(db, final or ctx.envelope.document_sha256)
    # Named as the email's attachment is, in the plan's language.
    signed = final is not None
    name = ctx.plan.document.file_name(signed, catalog(ctx.plan.language).gettext)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(
        name, fallback=ctx.plan.document.file_name(signed), inline=not download)
    return response
