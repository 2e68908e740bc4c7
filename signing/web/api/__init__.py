"""The HR API under ``/api/v1``: create envelopes from plan data, read their status and
audit trail, void them, resend a signer's invitation, download the original PDF.

Callers present an API key (``Authorization: Bearer psk_...``); its role decides what it
may do. Every operation is declared once with :func:`operation`: the pydantic models
that parse its body and shape its answer, its roles and its errors. The same
declarations register the Flask routes and generate the OpenAPI document at
``/api/v1/openapi.json``, so the two cannot drift apart. Views stay thin: parse, call one
service function, return a model; domain errors become JSON by their handlers.

No response ever holds a signer's link or nonce: whoever sends a plan must not be able
to sign it as the employee.

Modules: :mod:`~signing.web.api.schemas` (request and response models),
:mod:`~signing.web.api.operations` (declaring operations, API keys, parsing),
:mod:`~signing.web.api.views` (the operations), :mod:`~signing.web.api.errors` (errors as JSON),
:mod:`~signing.web.api.openapi` (the OpenAPI document), :mod:`~signing.web.api.webhook_views`
and :mod:`~signing.web.api.webhook_schemas` (webhook endpoints, the delivery log, and the
final PDF by a webhook's signed link). Importing this package registers the views and
the error handlers on :data:`bp`, once.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import HTTPException

from signing.records import api as _records_api  # noqa: F401  - registers the records API
from signing.reports import api as _reports_api  # noqa: F401  - registers the reports API
from signing.web.api import (
    case_close_views,  # noqa: F401  - registers a case's outcome and close
    case_extension_views,  # noqa: F401  - registers a case's extensions
    case_views,  # noqa: F401  - registers a plan's case operations
    views,  # noqa: F401  - registers the envelope operations
    webhook_views,  # noqa: F401  - registers the webhook operations
)
from signing.web.api.errors import http_error
from signing.web.api.openapi import openapi_document, openapi_json
from signing.web.api.operations import (
    OPERATIONS,
    PREFIX,
    ApiError,
    Caller,
    Operation,
    bp,
    operation,
)

__all__ = [
    "OPERATIONS",
    "PREFIX",
    "ApiError",
    "Caller",
    "Operation",
    "bp",
    "init_app",
    "openapi_document",
    "openapi_json",
    "operation",
]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # Routing errors (an unknown path, a wrong method) happen before any blueprint is
    # chosen, so the JSON answer for paths under /api is registered on the app.
    app.register_error_handler(HTTPException, http_error)
