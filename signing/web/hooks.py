"""Calls from other systems to the signing service: the mail provider's event webhook.

Not a browser form, so no CSRF token: the provider's signature is what authenticates a
call, and a batch that does not verify changes nothing.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from signing.domain.email_events import receive_sendgrid_batch
from signing.web import current
from webhooks.sendgrid_events import (
    MAX_BATCH_BYTES,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    ProviderEventError,
    SendGridEvents,
)

bp = Blueprint("hooks", __name__, url_prefix="/webhooks")


def init_app(app: Flask, public_key: str, max_age: dt.timedelta) -> None:
    if public_key:
        app.extensions["plansign.sendgrid_events"] = SendGridEvents(public_key, max_age=max_age)
    app.register_blueprint(bp)


@bp.post("/sendgrid")
def sendgrid() -> tuple[Response, int]:
    reader = current_app.extensions.get("plansign.sendgrid_events")
    if reader is None:
        return jsonify(error="the SendGrid event webhook is not configured: set "
                             "sendgrid_webhook_public_key"), 404
    # Batches can be larger than the forms the app otherwise takes.
    request.max_content_length = MAX_BATCH_BYTES
    try:
        received = receive_sendgrid_batch(
            current.services().sessions, reader, request.get_data(),
            signature=request.headers.get(SIGNATURE_HEADER),
            timestamp=request.headers.get(TIMESTAMP_HEADER), ip=request.remote_addr,
            now=dt.datetime.now(dt.UTC))
    except ProviderEventError as exc:
        return jsonify(error=str(exc)), exc.status
    return jsonify(events=received.events, recorded=received.recorded), 200
