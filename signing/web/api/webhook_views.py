"""The webhook operations: endpoints (create, list, get, disable, enable, rotate the
secret), the delivery log and redelivery, for hr and admin keys; and the final PDF by
the signed link an ``envelope.completed`` webhook carries, for whoever holds the link."""

from __future__ import annotations

import datetime as dt

from flask import Response, request, url_for
from sqlalchemy import select

import webhooks
from archive import Reader, log_access
from config import Settings
from signing.domain import authorize
from signing.domain.links import LinkError, LinkExpired
from signing.domain.models import Document, EnvelopeRow
from signing.web import current, webdb
from signing.web.api.operations import WRITE, ApiError, Caller, operation
from signing.web.api.webhook_schemas import (
    CreateWebhook,
    DeliveriesOut,
    DeliveriesQuery,
    DeliveryOut,
    DisableWebhook,
    DownloadQuery,
    RotateSecret,
    SecretOut,
    WebhookCreatedOut,
    WebhookOut,
    WebhooksOut,
)
from signing.web.downloads import content_disposition


@operation("POST", "/webhooks", summary="Register a webhook endpoint; its secret is shown once",
           roles=WRITE, status=201, body=CreateWebhook, response=WebhookCreatedOut,
           errors=(400, 401, 403, 422))
def create_webhook(key: Caller, body: CreateWebhook) -> tuple[WebhookCreatedOut, dict[str, str]]:
    settings = current.services().settings
    try:
        created = _create_endpoint(key, body, settings)
    except webhooks.ScopeNotAllowed:
        authorize.refuse(current.services(), key.principal, "webhook create", now=_now(),
                         detail="denied (403): an endpoint for every plan is an admin's")
        raise
    out = WebhookCreatedOut(**WebhookOut.of(created.endpoint).model_dump(),
                            secret=created.secret)
    return out, {"Location": url_for(".get_webhook", endpoint_id=out.id)}


def _create_endpoint(key: Caller, body: CreateWebhook, settings: Settings) -> webhooks.Created:
    with webdb.transaction() as db:
        return webhooks.create_endpoint(
            db, url=body.url, events=body.events, name=body.name, description=body.description,
            manager=body.manager, department=body.department, named_only=body.named_only,
            created_by=key.actor, owner_team=key.team, sees_all=key.principal.sees_all,
            now=_now(), allow_private=settings.webhook_allow_private)


@operation("GET", "/webhooks", summary="The caller's webhook endpoints; an admin's: every one "
           "(never a secret)", roles=WRITE, response=WebhooksOut, errors=(401, 403))
def list_webhooks(key: Caller) -> WebhooksOut:
    return WebhooksOut(webhooks=[WebhookOut.of(e) for e in webhooks.list_endpoints(
        webdb.session(), created_by=_owned_by(key))])


@operation("GET", "/webhooks/<endpoint_id>", summary="A webhook endpoint", roles=WRITE,
           response=WebhookOut, errors=(401, 403, 404))
def get_webhook(key: Caller, endpoint_id: str) -> WebhookOut:
    _check_endpoint(key, endpoint_id, "view")
    return WebhookOut.of(webhooks.get_endpoint(webdb.session(), endpoint_id))


@operation("POST", "/webhooks/<endpoint_id>/disable", summary="Stop sending to an endpoint",
           roles=WRITE, body=DisableWebhook, response=WebhookOut,
           errors=(400, 401, 403, 404, 422))
def disable_webhook(key: Caller, body: DisableWebhook, endpoint_id: str) -> WebhookOut:
    _check_endpoint(key, endpoint_id, "disable")
    with webdb.transaction() as db:
        return WebhookOut.of(webhooks.disable_endpoint(
            db, endpoint_id, reason=f"{body.reason} (apikey:{key.prefix})", now=_now()))


@operation("POST", "/webhooks/<endpoint_id>/enable",
           summary="Send to a disabled endpoint again, starting with what it missed",
           roles=WRITE, response=WebhookOut, errors=(401, 403, 404))
def enable_webhook(key: Caller, endpoint_id: str) -> WebhookOut:
    _check_endpoint(key, endpoint_id, "enable")
    with webdb.transaction() as db:
        return WebhookOut.of(webhooks.enable_endpoint(db, endpoint_id))


@operation("POST", "/webhooks/<endpoint_id>/rotate-secret",
           summary="A new secret; the old one also signs during the overlap", roles=WRITE,
           body=RotateSecret, response=SecretOut, errors=(400, 401, 403, 404, 422))
def rotate_webhook_secret(key: Caller, body: RotateSecret, endpoint_id: str) -> SecretOut:
    _check_endpoint(key, endpoint_id, "rotate-secret")
    with webdb.transaction() as db:
        secret = webhooks.rotate_secret(db, endpoint_id,
                                        overlap=dt.timedelta(hours=body.overlap_hours),
                                        now=_now())
        endpoint = webhooks.get_endpoint(db, endpoint_id)
        return SecretOut(id=endpoint.id, secret=secret,
                         previous_secret_expires_at=endpoint.previous_secret_expires_at)


@operation("GET", "/webhooks/deliveries",
           summary="The delivery log of the caller's endpoints (an admin's: of every one), "
                   "newest first", roles=WRITE, query=DeliveriesQuery, response=DeliveriesOut,
           errors=(401, 403, 404, 422))
def list_deliveries(key: Caller, query: DeliveriesQuery) -> DeliveriesOut:
    if query.endpoint_id is not None:
        _check_endpoint(key, query.endpoint_id, "deliveries")
    db = webdb.session()
    messages = webhooks.list_messages(db, endpoint_id=query.endpoint_id,
                                      failed=query.failed in (True, "true"), limit=query.limit,
                                      created_by=_owned_by(key),
                                      ordering_keys=authorize.visible_envelopes(key.principal))
    attempts = webhooks.attempts_of(db, [m.id for m in messages])
    return DeliveriesOut(deliveries=[DeliveryOut.of(m, attempts[m.id]) for m in messages])


@operation("GET", "/webhooks/deliveries/<message_id>", summary="One delivery and its attempts",
           roles=WRITE, response=DeliveryOut, errors=(401, 403, 404))
def get_delivery(key: Caller, message_id: str) -> DeliveryOut:
    authorize.check_message(current.services(), key.principal, message_id, "delivery", now=_now())
    db = webdb.session()
    message = webhooks.get_message(db, message_id)
    return DeliveryOut.of(message, webhooks.attempts_of(db, [message.id])[message.id])


@operation("POST", "/webhooks/deliveries/<message_id>/redeliver",
           summary="Send a delivery again: same id and body, a fresh retry schedule",
           roles=WRITE, status=202, response=DeliveryOut, errors=(401, 403, 404, 409))
def redeliver(key: Caller, message_id: str) -> DeliveryOut:
    authorize.check_message(current.services(), key.principal, message_id, "redeliver", now=_now())
    with webdb.transaction() as db:
        message = webhooks.redeliver(db, message_id, now=_now())
        return DeliveryOut.of(message, webhooks.attempts_of(db, [message.id])[message.id])


@operation("GET", "/envelopes/<envelope_id>/final.pdf",
           summary="The sealed final PDF, by the signed, short-lived link an "
                   "envelope.completed webhook carries", roles=None, query=DownloadQuery,
           media="application/pdf", errors=(403, 404, 422))
def get_final_document(envelope_id: str, query: DownloadQuery) -> Response:
    claims, refusal = None, ""
    try:
        claims = current.services().downloads.unsign(query.token, now=_now())
    except LinkExpired:
        refusal = ("this download link has expired; fetch the sealed PDF from the records "
                   f"API with an API key: GET /api/v1/archive/records/{envelope_id}/final.pdf")
    except LinkError:
        refusal = "this download link is not valid"
    db = webdb.session()
    pdf = None
    if claims is not None and claims.envelope_id == envelope_id:
        # The envelope, and its final PDF, as the link names them: an envelope erased
        # since (a purge) has neither, and its link stops working.
        final = db.scalar(select(EnvelopeRow.final_sha256).where(EnvelopeRow.id == envelope_id))
        pdf = db.get(Document, claims.sha256) if final == claims.sha256 else None
    if claims is not None and pdf is None:
        refusal = "this download link is not valid"
    # Followed or refused, the link's use is logged: the endpoint it was sent to reads.
    reader = Reader(f"webhook:{claims.endpoint_id or 'unnamed endpoint'}" if claims
                    else "unauthenticated", "webhook" if claims else None, request.remote_addr)
    with webdb.transaction() as log:
        log_access(log, reader, "download final.pdf", now=_now(),
                   envelope_id=envelope_id[:36], allowed=not refusal,
                   detail=(f"denied (403): {refusal}" if refusal
                           else "by the link of an envelope.completed webhook"))
    if refusal or pdf is None:
        raise ApiError(403, refusal)
    return Response(pdf.content, mimetype="application/pdf", headers={
        "Content-Disposition": content_disposition(f"{envelope_id}-final.pdf"),
        "ETag": f'"{pdf.sha256}"'})


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _owned_by(key: Caller) -> str | None:
    """Whose endpoints a listing shows: the caller's own; an admin's, every one."""
    return None if key.principal.sees_all else key.actor


def _check_endpoint(key: Caller, endpoint_id: str, action: str) -> None:
    authorize.check_endpoint(current.services(), key.principal, endpoint_id, action, now=_now())
