"""The HR API under ``/api/v1``: create envelopes from plan data, read their status and
audit trail, void them, resend a signer's invitation, download the original PDF.

Callers present an API key (``Authorization: Bearer psk_...``); its role decides what it
may do. Every operation is declared once with :func:`operation`: the pydantic models
that parse its body and shape its answer, its roles and its errors. The same
declarations register the Flask routes and generate the OpenAPI document at
``/api/v1/openapi.json``, so the two cannot drift apart. Views stay thin: parse, call one
service function, return a model; domain errors become JSON by the handlers below.

No response ever holds a signer's link or nonce: whoever sends a plan must not be able
to sign it as the employee.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from flask import Blueprint, Flask, Response, current_app, request, url_for
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, WithJsonSchema
from pydantic.json_schema import models_json_schema
from werkzeug.exceptions import HTTPException

from docgen import (
    BUILTIN_TEMPLATES,
    ConversionError,
    ConverterPool,
    LintFailed,
    PlanError,
    TemplateError,
    resolve_template,
)
from docgen.generate import PdfConverter
from docgen.model import Plan
from signing import apikeys, envelopes, webdb
from signing import workflow as wf
from signing.apikeys import KeyRole
from signing.models import Document, EnvelopeRow
from signing.sending import SendOptions, send_plan

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)

READ = frozenset({KeyRole.HR, KeyRole.RECORDS, KeyRole.ADMIN})
WRITE = frozenset({KeyRole.HR, KeyRole.ADMIN})

REF = "#/components/schemas/{model}"
TEMPLATE_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # Routing errors (an unknown path, a wrong method) happen before any blueprint is
    # chosen, so the JSON answer for paths under /api is registered on the app.
    app.register_error_handler(HTTPException, _http_error)


# -- the models that parse requests and shape responses ---------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


PlanData = Annotated[dict[str, Any], WithJsonSchema(
    # allOf: pydantic would try to resolve a bare $ref with a description beside it.
    {"allOf": [{"$ref": REF.format(model="Plan")}],
     "description": "The plan data, as in a plan's YAML or JSON file."})]


class CreateEnvelope(_Model):
    """Plan data to lint, render, convert and send to its signers."""

    plan: PlanData
    template: str | None = Field(
        None, pattern=TEMPLATE_NAME,
        description="A template name; default: the plan's `template`, else the service's.")
    force: StrictBool = Field(False, description="Send even when the plan has lint errors.")


class VoidEnvelope(_Model):
    reason: str = Field(max_length=2000, description="Why the envelope is withdrawn.")


class SignerOut(BaseModel):
    id: str
    role: wf.Role
    name: str
    email: str
    routing_order: int
    state: wf.SignerState
    decided_at: dt.datetime | None


class EnvelopeOut(BaseModel):
    id: str
    state: wf.EnvelopeState
    template: str
    document_sha256: str
    created_at: dt.datetime
    created_by: str
    expires_at: dt.datetime | None
    signers: list[SignerOut]

    @classmethod
    def of(cls, row: EnvelopeRow) -> EnvelopeOut:
        return cls(id=row.id, state=row.state, template=row.template,
                   document_sha256=row.document_sha256, created_at=row.created_at,
                   created_by=row.created_by, expires_at=row.expires_at,
                   signers=[SignerOut(id=s.id, role=s.role, name=s.name, email=s.email,
                                      routing_order=s.routing_order, state=s.state,
                                      decided_at=s.decided_at) for s in row.signers])


class EventOut(BaseModel):
    """One audit event; every field the hash covers, so the chain can be checked."""

    seq: int
    type: str
    at: dt.datetime
    actor: str
    ip: str | None
    user_agent: str | None
    signer_id: str | None
    document_sha256: str | None
    data: dict[str, Any]
    prev_hash: str
    hash: str


class EventsOut(BaseModel):
    envelope_id: str
    events: list[EventOut]


class FieldError(BaseModel):
    path: str = Field(description="Where: `goals[2].due` (inside `plan` for plan data).")
    message: str
    code: str | None = Field(None, description="The lint rule, for lint findings.")
    severity: str | None = Field(None, description="error or warning, for lint findings.")


class ErrorOut(BaseModel):
    error: str
    field: str | None = Field(None, description="The input at fault, when there is one.")
    errors: list[FieldError] | None = Field(None, description="One per problem (422).")


class ApiError(Exception):
    """An error answer: status, message and extra JSON fields."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None,
                 field: str | None = None, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = ErrorOut(error=message, field=field, errors=errors)
        self.headers = headers or {}


# -- declaring operations ----------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    endpoint: str
    summary: str
    roles: frozenset[KeyRole] | None  # None: no key needed
    status: int
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    media: str
    errors: tuple[int, ...]

    @property
    def path(self) -> str:
        """The OpenAPI path: ``/api/v1/envelopes/{envelope_id}``."""
        return PREFIX + re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", self.rule)

    @property
    def parameters(self) -> list[str]:
        return re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", self.rule)


OPERATIONS: list[Operation] = []


def operation(method: str, rule: str, *, summary: str, roles: frozenset[KeyRole] | None,
              status: int = 200, body: type[BaseModel] | None = None,
              response: type[BaseModel] | None = None, media: str = "application/json",
              errors: tuple[int, ...] = ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view and describe it for the OpenAPI document.

    The view gets the path parameters, ``key`` (the :class:`Caller`) when the
    operation needs one, and ``body`` (the parsed model) when it takes one. It returns a
    model (sent as JSON with ``status``), a ``(model, headers)`` pair, or a Response.
    """

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        OPERATIONS.append(Operation(method, rule, view.__name__, summary, roles, status, body,
                                    response, media, errors))

        @functools.wraps(view)
        def handle(**params: Any) -> Response:
            if roles is not None:
                params["key"] = _authorize(roles)
            if body is not None:
                params["body"] = _parse(body)
            result = view(**params)
            if isinstance(result, Response):
                return result
            model, headers = result if isinstance(result, tuple) else (result, {})
            return _json(model, status, headers)

        bp.add_url_rule(rule, view.__name__, handle, methods=[method])
        return view

    return register


def _json(model: BaseModel, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(model.model_dump_json(exclude_none=isinstance(model, ErrorOut)), status,
                    headers=headers, mimetype="application/json")


@dataclass(frozen=True)
class Caller:
    """The API key a request came with."""

    key_id: int
    prefix: str
    role: KeyRole


def _authorize(roles: frozenset[KeyRole]) -> Caller:
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    caller = None
    if scheme.lower() == "bearer":
        # A session of its own, closed at once: SQLite's BEGIN IMMEDIATE would otherwise
        # hold the write lock while a plan is converted and sent in another session.
        with current_app.extensions["plansign.sessions"]() as db:
            key = apikeys.authenticate(db, presented.strip())
            if key is not None:
                caller = Caller(key.id, key.prefix, KeyRole(key.role))
    if caller is None:
        raise ApiError(401, "a valid API key is required: Authorization: Bearer <key>",
                       headers={"WWW-Authenticate": 'Bearer realm="plansign"'})
    if caller.role not in roles:
        raise ApiError(403, f"a {caller.role} key may not do this")
    return caller


def _parse(model: type[BaseModel]) -> BaseModel:
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [FieldError(path=_path(e["loc"]), message=e["msg"]) for e in exc.errors()]
        raise ApiError(422, "the request has errors", errors=problems) from None


def _path(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


# -- the operations ----------------------------------------------------------------------


@operation("POST", "/envelopes", summary="Create and send an envelope from plan data",
           roles=WRITE, status=201, body=CreateEnvelope, response=EnvelopeOut,
           errors=(400, 401, 403, 413, 422, 503))
def create_envelope(key: Caller, body: CreateEnvelope) -> tuple[EnvelopeOut, dict[str, str]]:
    settings = current_app.extensions["plansign.settings"]
    envelope_id = send_plan(
        current_app.extensions["plansign.sessions"], body.plan,
        options=SendOptions(template=_template(body), company_name=settings.company_name,
                            expires_in=dt.timedelta(days=settings.link_max_age_days),
                            force=body.force),
        converter=converter_of(current_app), actor=_actor(key), now=_now())
    return (EnvelopeOut.of(envelopes.load(webdb.session(), envelope_id)),
            {"Location": url_for(".get_envelope", envelope_id=envelope_id)})


@operation("GET", "/envelopes/<envelope_id>", summary="An envelope's state and signers",
           roles=READ, response=EnvelopeOut, errors=(401, 403, 404))
def get_envelope(key: Caller, envelope_id: str) -> EnvelopeOut:
    return EnvelopeOut.of(envelopes.load(webdb.session(), envelope_id))


@operation("GET", "/envelopes/<envelope_id>/events", summary="An envelope's audit trail",
           roles=READ, response=EventsOut, errors=(401, 403, 404))
def get_events(key: Caller, envelope_id: str) -> EventsOut:
    db = webdb.session()
    envelopes.load(db, envelope_id)
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
    with _transaction() as db:
        envelopes.perform(db, envelope_id, "void", reason=body.reason, actor=_actor(key),
                          now=_now())
    return EnvelopeOut.of(envelopes.load(webdb.session(), envelope_id))


@operation("POST", "/envelopes/<envelope_id>/signers/<signer_id>/resend",
           summary="Email a signer a new link; the old one stops working", roles=WRITE,
           response=EnvelopeOut, errors=(401, 403, 404, 409, 422))
def resend_link(key: Caller, envelope_id: str, signer_id: str) -> EnvelopeOut:
    with _transaction() as db:
        envelopes.perform(db, envelope_id, "resend", signer_id=signer_id, actor=_actor(key),
                          now=_now())
    return EnvelopeOut.of(envelopes.load(webdb.session(), envelope_id))


@operation("GET", "/envelopes/<envelope_id>/document.pdf", summary="The original PDF",
           roles=READ, media="application/pdf", errors=(401, 403, 404))
def get_document(key: Caller, envelope_id: str) -> Response:
    db = webdb.session()
    pdf = db.get_one(Document, envelopes.load(db, envelope_id).document_sha256)
    return Response(pdf.content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{envelope_id}.pdf"',
        "ETag": f'"{pdf.sha256}"'})


@operation("GET", "/openapi.json", summary="This API, described in OpenAPI 3.1", roles=None)
def get_openapi() -> Response:
    return current_app.response_class(openapi_json(), mimetype="application/json")


# -- helpers for the views ---------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _actor(key: Caller) -> envelopes.Actor:
    return envelopes.Actor(f"apikey:{key.prefix}", request.remote_addr,
                           request.user_agent.string[:500] or None)


def _template(body: CreateEnvelope) -> Path:
    """The request's template, else the plan's, else the configured default. Only names
    come from callers; a plan's bad name is reported by plan validation."""
    settings = current_app.extensions["plansign.settings"]
    name = body.template or body.plan.get("template")
    if not isinstance(name, str) or not re.fullmatch(TEMPLATE_NAME, name):
        name = settings.default_template
    folder = Path(settings.templates_dir) if settings.templates_dir else BUILTIN_TEMPLATES
    return resolve_template(name, folder)


@contextlib.contextmanager
def _transaction() -> Iterator[Any]:
    """Commit the request's session on success, roll it back on any error."""
    db = webdb.session()
    try:
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        raise


_converter_lock = threading.Lock()


def converter_of(app: Flask) -> PdfConverter:
    """The app's PDF converter: ``app.extensions["plansign.converter"]`` when set (tests
    set one), else a LibreOffice pool made on first use, which closes itself at exit."""
    with _converter_lock:
        converter = app.extensions.get("plansign.converter")
        if converter is None:
            settings = app.extensions["plansign.settings"]
            converter = ConverterPool(
                settings.converter_pool_size or 1, timeout=settings.converter_timeout,
                retries=settings.converter_retries,
                max_documents=settings.converter_max_documents,
                soffice=settings.soffice_path or None, uno_python=settings.uno_python)
            app.extensions["plansign.converter"] = converter
        return converter


# -- errors as JSON ----------------------------------------------------------------------


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Response:
    return _json(exc.body, exc.status, exc.headers)


@bp.errorhandler(envelopes.EnvelopeNotFound)
def _not_found(exc: envelopes.EnvelopeNotFound) -> Response:
    return _json(ErrorOut(error=str(exc)), 404)


@bp.errorhandler(wf.WorkflowError)
def _workflow_error(exc: wf.WorkflowError) -> Response:
    """Illegal transitions, already done, not yet their turn: 409; bad input: 422."""
    if isinstance(exc, wf.InvalidInput):
        return _json(ErrorOut(error=str(exc), field=exc.field), 422)
    if isinstance(exc, wf.UnknownSigner):
        return _json(ErrorOut(error=str(exc), field="signer_id"), 422)
    return _json(ErrorOut(error=str(exc)), 409)


@bp.errorhandler(PlanError)
def _plan_error(exc: PlanError) -> Response:
    return _json(ErrorOut(error="the plan has errors; nothing was sent", errors=[
        FieldError(path=p.path, message=p.message) for p in exc.problems]), 422)


@bp.errorhandler(LintFailed)
def _lint_failed(exc: LintFailed) -> Response:
    return _json(ErrorOut(
        error=f"{exc}; fix them, or send with force: true. Nothing was sent.",
        errors=[FieldError(path=f.path, message=f.message, code=f.code,
                           severity=str(f.severity)) for f in exc.findings]), 422)


@bp.errorhandler(TemplateError)
def _template_error(exc: TemplateError) -> Response:
    return _json(ErrorOut(error=str(exc), field="template"), 422)


@bp.errorhandler(ConversionError)
def _conversion_error(exc: ConversionError) -> Response:
    current_app.logger.error("PDF conversion failed: %s", exc)
    return _json(ErrorOut(error="the PDF could not be made; try again later"), 503)


def _http_error(exc: HTTPException) -> Response | HTTPException:
    if request.blueprint != bp.name and not request.path.startswith("/api/"):
        return exc  # what Flask does without a handler: the signer pages keep theirs
    message = exc.description if exc.code != 500 else "internal error"
    response = _json(ErrorOut(error=f"{exc.name}: {message}"), exc.code or 500)
    if exc.code == 405 and exc.valid_methods:  # type: ignore[attr-defined]
        response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    return response


# -- the OpenAPI document ----------------------------------------------------------------

_ERRORS = {
    400: "The body is not a JSON object.",
    401: "No API key, or an unknown or revoked one.",
    403: "This key's role may not do this.",
    404: "No such envelope.",
    409: "The envelope's or the signer's state does not allow this.",
    413: "The body is too large.",
    422: "Bad input: `field` or `errors` name what to fix. Nothing was changed.",
    503: "The PDF could not be made just now.",
}


@functools.cache
def openapi_json() -> str:
    import json

    return json.dumps(openapi_document(), indent=1)


def openapi_document() -> dict[str, Any]:
    """OpenAPI 3.1, from :data:`OPERATIONS` and the JSON schemas of their models."""
    wanted: list[tuple[type[BaseModel], Any]] = [(Plan, "validation"), (ErrorOut, "serialization")]
    for op in OPERATIONS:
        if op.body is not None:
            wanted.append((op.body, "validation"))
        if op.response is not None:
            wanted.append((op.response, "serialization"))
    refs, definitions = models_json_schema(list(dict.fromkeys(wanted)), ref_template=REF)
    error = {"application/json": {"schema": refs[(ErrorOut, "serialization")]}}
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        if op.response is not None:
            content = {op.media: {"schema": refs[(op.response, "serialization")]}}
        elif op.media == "application/pdf":
            content = {op.media: {"schema": {"type": "string", "contentMediaType": op.media}}}
        else:
            content = {op.media: {"schema": {"type": "object"}}}
        success: dict[str, Any] = {"description": op.summary, "content": content}
        if op.status == 201:
            success["headers"] = {"Location": {"description": "The new envelope's URL.",
                                               "schema": {"type": "string"}}}
        responses: dict[str, Any] = {str(op.status): success}
        for code in op.errors:
            responses[str(code)] = {"description": _ERRORS[code], "content": error}
            if code == 401:
                responses["401"]["headers"] = {"WWW-Authenticate": {
                    "schema": {"type": "string"}, "description": "Bearer"}}
        responses["default"] = {"description": "Any other error.", "content": error}
        item: dict[str, Any] = {
            "operationId": op.endpoint,
            "summary": op.summary,
            "parameters": [{"name": name, "in": "path", "required": True,
                            "schema": {"type": "string"}} for name in op.parameters],
            "responses": responses,
        }
        if op.roles is None:
            item["security"] = []
        else:
            roles = sorted(str(r) for r in op.roles)
            item["description"] = "API key roles allowed: " + ", ".join(roles) + "."
            item["x-roles"] = roles
        if op.body is not None:
            item["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": refs[(op.body, "validation")]}}}
        paths.setdefault(op.path, {})[op.method.lower()] = item
    return {
        "openapi": "3.1.0",
        "info": {"title": "plansign HR API", "version": "1",
                 "description": "Send Performance Improvement Plans for acknowledgement and "
                                "follow them. Keys come from `plansign keys create`."},
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "An API key (psk_...); its role is hr, records or admin."}},
        },
        "security": [{"bearer": []}],
    }
