"""The operations. Views stay thin: parse, call one service function, return a model;
domain errors become JSON in :mod:`signing.web.api.errors`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from flask import Response, current_app, request, url_for

from docgen import BUILTIN_TEMPLATES, resolve_template
from signing.domain import authorize, envelopes
from signing.domain import workflow as wf
from signing.domain.models import Document
from signing.domain.sending import (
    SendOptions,
    day_ends,
    default_language,
    plan_limits,
    send_plan,
)
from signing.web import current, webdb
from signing.web.api.openapi import openapi_json
from signing.web.api.operations import READ, WRITE, Caller, operation
from signing.web.api.schemas import (
    TEMPLATE_NAME,
    CreateEnvelope,
    EnvelopeOut,
    EventOut,
    EventsOut,
    ResendLink,
    VoidEnvelope,
)
from signing.web.downloads import content_disposition


@operation("POST", "/envelopes", summary="Create and send an envelope from plan data",
           roles=WRITE, status=201, body=CreateEnvelope, response=EnvelopeOut,
           errors=(400, 401, 403, 413, 422, 503))
def create_envelope(key: Caller, body: CreateEnvelope) -> tuple[EnvelopeOut, dict[str, str]]:
    settings = current.services().settings
    envelope_id = send_plan(
        current.services().sessions, body.plan,
        options=SendOptions(template=_template(body),
                            company_name=current.services().branding.legal_name,
                            logo=current.services().branding.logo,
                            expires_in=dt.timedelta(days=settings.link_max_age_days),
                            force=body.force, team=key.team,
                            limits=plan_limits(settings),
                            language=default_language(settings),
                            day_ends=day_ends(settings)),
        converter=current.services().converter, actor=_actor(key), now=_now())
    return (EnvelopeOut.of(envelopes.load(webdb.session(), envelope_id)),
            {"Location": url_for(".get_envelope", envelope_id=envelope_id)})


@operation("GET", "/envelopes/<envelope_id>", summary="An envelope's state and signers",
           roles=READ, response=EnvelopeOut, errors=(401, 403, 404))
def get_envelope(key: Caller, envelope_id: str) -> EnvelopeOut:
    _check_read(key, envelope_id, "status")
    return EnvelopeOut.of(envelopes.load(webdb.session(), envelope_id))


@operation("GET", "/envelopes/<envelope_id>/events", summary="An envelope's audit trail",
           roles=READ, response=EventsOut, errors=(401, 403, 404))
def get_events(key: Caller, envelope_id: str) -> EventsOut:
    _check_read(key, envelope_id, "events")
    db = webdb.session()
    return EventsOut(envelope_id=envelope_id, events=[
        EventOut(seq=r.seq, type=r.type, at=r.at, actor=r.actor, ip=r.ip,
                 user_agent=r.user_agent, signer_id=r.signer_id,
                 document_sha256=r.document_sha256, data=dict(r.data),
                 prev_hash=r.prev_hash, hash=r.hash)
        for r in envelopes.audit_trail(db, envelope_id)])


@operation("POST", "/envelopes/<envelope_id>/void", summary="Void an open envelope",
           roles=WRITE, body=VoidEnvelope, response=EnvelopeOut,
           errors=(400, 401, 403, 404, 409, 422))
def void_envelope(key: Caller, body: VoidEnvelope, envelope_id: str) -> EnvelopeOut:
    _check_change(key, envelope_id, "void")
    with webdb.transaction() as db:
        envelopes.perform(db, envelope_id, wf.Action.VOID, reason=body.reason, actor=_actor(key),
                          now=_now())
        return EnvelopeOut.of(envelopes.load(db, envelope_id))


@operation("POST", "/envelopes/<envelope_id>/signers/<signer_id>/resend",
           summary="Email a signer a new link, optionally to a corrected address; the old "
                   "link stops working", roles=WRITE, body=ResendLink, body_required=False,
           response=EnvelopeOut, errors=(400, 401, 403, 404, 409, 415, 422))
def resend_link(key: Caller, body: ResendLink, envelope_id: str, signer_id: str) -> EnvelopeOut:
    _check_change(key, envelope_id, "resend")
    with webdb.transaction() as db:
        envelopes.perform(db, envelope_id, wf.Action.RESEND, signer_id=signer_id,
                          email=body.email, actor=_actor(key), now=_now())
        return EnvelopeOut.of(envelopes.load(db, envelope_id))


@operation("GET", "/envelopes/<envelope_id>/document.pdf", summary="The original PDF",
           roles=READ, media="application/pdf", errors=(401, 403, 404))
def get_document(key: Caller, envelope_id: str) -> Response:
    _check_read(key, envelope_id, "download original.pdf")
    db = webdb.session()
    pdf = db.get_one(Document, envelopes.load(db, envelope_id).document_sha256)
    return Response(pdf.content, mimetype="application/pdf", headers={
        "Content-Disposition": content_disposition(f"{envelope_id}.pdf"),
        "ETag": f'"{pdf.sha256}"'})


@operation("GET", "/openapi.json", summary="This API, described in OpenAPI 3.1", roles=None)
def get_openapi() -> Response:
    return current_app.response_class(openapi_json(), mimetype="application/json")


# -- helpers for the views ---------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _actor(key: Caller) -> envelopes.Actor:
    return envelopes.Actor(key.actor, request.remote_addr,
                           request.user_agent.string[:500] or None)


def _check_read(key: Caller, envelope_id: str, action: str) -> None:
    authorize.check_read(current.services(), key.principal,
                               envelope_id, action, now=_now())


def _check_change(key: Caller, envelope_id: str, action: str) -> None:
    authorize.check_change(current.services(), key.principal,
                                 envelope_id, action, now=_now())


def _template(body: CreateEnvelope) -> Path:
    """The request's template, else the plan's, else the configured default. Only names
    come from callers; a plan's bad name is reported by plan validation."""
    settings = current.services().settings
    name = body.template or body.plan.get("template")
    if not isinstance(name, str) or not re.fullmatch(TEMPLATE_NAME, name):
        name = settings.default_template
    folder = Path(settings.templates_dir) if settings.templates_dir else BUILTIN_TEMPLATES
    return resolve_template(name, folder)
