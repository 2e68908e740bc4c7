"""The signer's pages: open the emailed link, read the plan, then acknowledge, refuse to
sign, or comment. Views only translate HTTP to calls of the signing service."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

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
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response as BaseResponse

from docgen import Plan, Schedule, plan_from_data, schedule_for
from signing.domain import envelopes
from signing.domain import workflow as wf
from signing.domain.links import LinkError, LinkWithdrawn, check_nonce
from signing.domain.models import AuditEventRow, Document, EnvelopeRow, SignerRow
from signing.domain.wording import CONSENT, STATEMENT
from signing.web import current, timefmt, webdb
from signing.web.cache import BoundedCache

bp = Blueprint("signer", __name__)

def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.extensions["plansign.plans"] = BoundedCache(512)
    timefmt.register(app)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _actor(signer_id: str) -> envelopes.Actor:
    return envelopes.Actor(f"signer:{signer_id}", request.remote_addr,
                           request.user_agent.string[:500] or None)


@dataclass(frozen=True)
class SignerContext:
    signer: SignerRow
    envelope: EnvelopeRow
    plan: Plan
    schedule: Schedule


# Everything a signer's page shows, in one query: the signer, the envelope with its plan
# data (parsed only when the plan cache misses) and its signers (the manager's page names
# the employee). Built once, so SQLAlchemy works out its cache key once.
_PAGE_QUERY = (select(SignerRow).where(SignerRow.id == bindparam("signer_id"))
               .options(joinedload(SignerRow.envelope).joinedload(EnvelopeRow.signers)))
_NONCE_QUERY = (select(SignerRow.nonce, EnvelopeRow.state)
                .join(EnvelopeRow, EnvelopeRow.id == SignerRow.envelope_id)
                .where(SignerRow.id == bindparam("signer_id")))


def _current() -> SignerContext:
    """The signer this browser session is bound to; a revoked link ends the session, and
    so does the plan's being withdrawn."""
    signer_id, nonce = session.get("signer_id"), session.get("nonce")
    signer = _signer(signer_id) if signer_id else None
    if signer is not None and signer.envelope.state == wf.EnvelopeState.VOIDED:
        session.clear()
        abort(_link_error(LinkWithdrawn()))
    if signer is None or signer.nonce is None or nonce is None or signer.nonce != nonce:
        session.clear()
        abort(Response(render_template("link_error.html",
                                       message="This page has expired. Open the link in "
                                               "your most recent email, or ask HR for a "
                                               "new link."), 403))
    session.modified = True  # sent again, so the session's idle time starts over
    plan, schedule = _plan_of(signer.envelope)
    return SignerContext(signer, signer.envelope, plan, schedule)


def _signer(signer_id: str) -> SignerRow | None:
    rows = webdb.session().scalars(_PAGE_QUERY, {"signer_id": signer_id})
    signer = rows.unique().one_or_none()
    webdb.release_snapshot()  # all the page reads is loaded: no old snapshot while it writes
    return signer


def _plan_of(envelope: EnvelopeRow) -> tuple[Plan, Schedule]:
    """The envelope's plan and dates. An envelope's plan data never changes once it is
    created, so they are worked out once per process, not on every page."""
    plans: BoundedCache[str, tuple[Plan, Schedule]] = current_app.extensions["plansign.plans"]
    cached = plans.get(envelope.id)
    if cached is None:
        plan = plan_from_data(envelope.plan_data, stored=True)
        cached = plans.put(envelope.id, (plan, schedule_for(plan)))
    return cached


@bp.get("/s/<token>")
def open_link(token: str) -> BaseResponse:
    """Exchange the token for a session bound to the signer, then drop it from the URL."""
    links = current.services().links
    try:
        claims = links.unsign(token)
        signer = webdb.session().execute(_NONCE_QUERY,
                                         {"signer_id": claims.signer_id}).one_or_none()
        if signer is not None and signer.state == wf.EnvelopeState.VOIDED:
            raise LinkWithdrawn()
        check_nonce(claims, signer.nonce if signer is not None else None)
    except LinkError as exc:
        return _link_error(exc)
    session.clear()
    session["signer_id"], session["nonce"] = claims.signer_id, claims.nonce
    return redirect(url_for("signer.plan_page"), 303)


def _link_error(error: LinkError) -> Response:
    return Response(render_template("link_error.html", message=str(error)), 403)


@bp.get("/sign")
def plan_page() -> str:
    ctx = _current()
    if wf.is_first_view(ctx.envelope.state, ctx.signer.state):
        with webdb.transaction() as db:
            envelopes.perform(db, ctx.envelope.id, wf.Action.VIEW, signer_id=ctx.signer.id,
                              actor=_actor(ctx.signer.id), now=_now())
    return render_template("sign.html", ctx=ctx, statement=STATEMENT, consent=CONSENT,
                           notice=request.args.get("done"), max_chars=wf.MAX_COMMENT_CHARS,
                           submission=secrets.token_urlsafe(16), **_page_facts(ctx))


@bp.post("/sign/<action>")
def act(action: str) -> BaseResponse:
    if action not in wf.SIGNER_ACTIONS:
        abort(404)
    ctx = _current()
    form = request.form
    signer_id, arguments = ctx.signer.id, _arguments(action, form)
    if action == "refuse" and "witness" in form:
        # The manager records, in a meeting, that the employee refused to sign.
        signer_id = _employee(ctx).id
        arguments.update(witness=form.get("witness", ""), recorded_by=ctx.signer.id)
    try:
        with webdb.transaction() as db:
            envelopes.perform(db, ctx.envelope.id, wf.Action(action), signer_id=signer_id,
                              actor=_actor(ctx.signer.id), now=_now(), **arguments)
    except wf.AlreadyDone:
        done = "already" if signer_id == ctx.signer.id else "already_recorded"
        return redirect(url_for("signer.plan_page", done=done), 303)
    except wf.AlreadyRecorded:
        return redirect(url_for("signer.plan_page", done="already_commented"), 303)
    except wf.InvalidInput as exc:
        failed = "record" if signer_id != ctx.signer.id else action
        ctx = _current()
        return Response(render_template("sign.html", ctx=ctx, statement=STATEMENT,
                                        consent=CONSENT, error=str(exc), form=form,
                                        failed=failed, max_chars=wf.MAX_COMMENT_CHARS,
                                        comment_limit=isinstance(exc, wf.CommentLimitReached),
                                        submission=secrets.token_urlsafe(16),
                                        **_page_facts(ctx), errors=_field_errors(exc)), 422)
    except wf.WorkflowError as exc:
        return Response(render_template("link_error.html", message=str(exc)), 409)
    done = action if signer_id == ctx.signer.id else "recorded"
    return redirect(url_for("signer.plan_page", done=done), 303)


def _arguments(action: str, form: Mapping[str, str]) -> dict[str, object]:
    """The workflow action's arguments from the posted form."""
    if action == "acknowledge":
        return {"typed_name": form.get("typed_name", ""), "consent": "consent" in form,
                "statement": STATEMENT, "consent_text": CONSENT, "comment": _text(form, "comment")}
    if action == "refuse":
        return {"reason": _text(form, "reason")}
    if action == "comment":
        settings = current.services().settings
        return {"text": _text(form, "comment") or "",
                "submission": form.get("submission") or None,
                "limits": wf.CommentLimits(settings.max_comments_per_signer,
                                           settings.max_comment_chars_per_signer)}
    abort(404)


def _text(form: Mapping[str, str], field: str) -> str | None:
    """A textarea's text as the signer saw it. Browsers send its line breaks as CRLF but
    count them as one character against ``maxlength``; the limit counts them the same."""
    return form.get(field, "").replace("\r\n", "\n") or None


def _employee(ctx: SignerContext) -> SignerRow:
    return next(s for s in ctx.envelope.signers if s.role == wf.Role.EMPLOYEE)


@bp.get("/sign/document.pdf")
def document() -> Response:
    """The plan as the signers saw it; once the record is sealed, the final document."""
    ctx = _current()
    final = ctx.envelope.final_sha256
    pdf = webdb.session().get_one(Document, final or ctx.envelope.document_sha256)
    download = request.args.get("download") == "1"
    name = "performance-plan-signed.pdf" if final else "performance-plan.pdf"
    response = Response(pdf.content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'{"attachment" if download else "inline"}; filename="{name}"')
    return response


# -- What the page shows besides the plan ---------------------------------------------
# STAND-IN (branch i14-page): the contract's context variables that branch i14-roles
# computes in its own views. The lead keeps i14-roles' versions at merge and drops these
# where they overlap; sign.html reads only the contract's names.

_MY_COMMENTS_QUERY = (select(AuditEventRow.at, AuditEventRow.data)
                      .where(AuditEventRow.envelope_id == bindparam("envelope_id"),
                             AuditEventRow.signer_id == bindparam("signer_id"),
                             AuditEventRow.type == "signer.commented")
                      .order_by(AuditEventRow.seq))


def _page_facts(ctx: SignerContext) -> dict[str, object]:
    """The contract's page variables: who sent the plan and whom to ask, the deadline and
    the zone its times are shown in, the signer's own comments, and what they may do."""
    plan, envelope, signer = ctx.plan, ctx.envelope, ctx.signer
    employee = _employee(ctx)
    is_open = envelope.state == wf.EnvelopeState.SENT
    rows = webdb.session().execute(_MY_COMMENTS_QUERY, {"envelope_id": envelope.id,
                                                        "signer_id": signer.id})
    my_comments = [(at, str(data.get("comment", ""))) for at, data in rows]
    recorded = _recorded_refusal(ctx) if signer.state == wf.SignerState.REFUSED else None
    return {
        "role": signer.role,
        "sender": plan.hr.name,
        "hr_contact": plan.hr,
        "deadline": envelope.expires_at,
        "tz": plan.checkins.timezone if plan.checkins else timefmt.FALLBACK_ZONE,
        "my_comments": my_comments,
        "can_comment": is_open and signer.role == wf.Role.EMPLOYEE,
        "can_record_refusal": (is_open and signer.role == wf.Role.MANAGER
                               and employee.state in (wf.SignerState.NOTIFIED,
                                                      wf.SignerState.VIEWED)),
        "employee": employee,
        "recorded_refusal": recorded,
    }


_REFUSAL_QUERY = (select(AuditEventRow.at, AuditEventRow.data)
                  .where(AuditEventRow.envelope_id == bindparam("envelope_id"),
                         AuditEventRow.signer_id == bindparam("signer_id"),
                         AuditEventRow.type == "signer.refused"))


class RecordedRefusal(NamedTuple):
    """A refusal the manager recorded for the employee, as the employee's page tells it."""

    by: str
    witness: str
    at: dt.datetime
    reason: str | None


def _recorded_refusal(ctx: SignerContext) -> RecordedRefusal | None:
    """The refusal the employee's manager recorded for them in a meeting, if one did: the
    employee's page says who recorded it, before which witness, rather than "You refused"."""
    row = webdb.session().execute(_REFUSAL_QUERY, {"envelope_id": ctx.envelope.id,
                                                   "signer_id": ctx.signer.id}).first()
    if row is None or "recorded_by" not in row.data:
        return None
    names = {s.id: s.name for s in ctx.envelope.signers}
    return RecordedRefusal(names.get(row.data["recorded_by"], "your manager"),
                           str(row.data.get("witness", "")), row.at, row.data.get("reason"))


# A field's name as the sentence about it begins, for the workflow's messages that
# start with a verb about the field ("is 250 characters long").
_FIELD_SUBJECTS = {"typed_name": "Your name", "comment": "Your comment",
                   "reason": "Your reason", "witness": "The witness's name"}


def _field_errors(exc: wf.InvalidInput) -> dict[str, str]:
    """The refused field and what to do about it, in a sentence beside the field."""
    message = str(exc).removeprefix(f"{exc.field}: ")
    if message.startswith(("is ", "contains ")):
        message = f"{_FIELD_SUBJECTS.get(exc.field, 'This')} {message}"
    message = message[:1].upper() + message[1:]
    return {exc.field: message if message.endswith(".") else message + "."}
