"""Errors as JSON: domain errors raised by the views, and :class:`ApiError`, become an
:class:`ErrorOut` with the right status; so do routing errors under ``/api/``."""

from __future__ import annotations

from flask import Response, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

import webhooks
from docgen import ConversionError, LintFailed, PlanError, TemplateError
from signing.domain import case_extension, case_service, envelopes
from signing.domain import workflow as wf
from signing.domain.cases import CaseClosed, CaseError, MeetingAlreadyRecorded
from signing.web.api.operations import ApiError, _json, bp
from signing.web.api.schemas import ErrorOut, FieldError


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


@bp.errorhandler(CaseError)
def _case_error(exc: CaseError) -> Response:
    """A case's bad input: 422 naming the field; a closed case, a meeting already
    recorded, a plan with no case, a case changed under an extension: 409. Nothing was
    recorded."""
    if isinstance(exc, CaseClosed | MeetingAlreadyRecorded | case_service.CaseUnavailable
                  | case_extension.ExtensionChanged):
        return _json(ErrorOut(error=str(exc), field=exc.field), 409)
    return _json(ErrorOut(error=str(exc), field=exc.field), 422)


@bp.errorhandler(webhooks.WebhookError)
def _webhook_error(exc: webhooks.WebhookError) -> Response:
    """Bad input: 422 naming the field; an unknown endpoint or delivery: 404; a scope
    the caller's role may not have: 403; a delivery to a disabled endpoint: 409."""
    if isinstance(exc, webhooks.InvalidInput):
        return _json(ErrorOut(error=str(exc), field=exc.field), 422)
    if isinstance(exc, webhooks.ScopeNotAllowed):
        return _json(ErrorOut(error=str(exc)), 403)
    if isinstance(exc, webhooks.EndpointNotFound | webhooks.MessageNotFound):
        return _json(ErrorOut(error=str(exc)), 404)
    return _json(ErrorOut(error=str(exc)), 409)


@bp.errorhandler(PlanError)
def _plan_error(exc: PlanError) -> Response:
    # The data's problems, then the lint findings for what could be read of the rest.
    return _json(ErrorOut(error="the plan has errors; nothing was sent", errors=[
        *(FieldError(path=p.path, message=p.message) for p in exc.problems),
        *(FieldError(path=f.path, message=f.message, code=f.code, severity=str(f.severity))
          for f in exc.findings)]), 422)


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


def http_error(exc: HTTPException) -> Response | HTTPException:
    if request.blueprint != bp.name and not request.path.startswith("/api/"):
        return exc  # what Flask does without a handler: the signer pages keep theirs
    message = exc.description if exc.code != 500 else "internal error"
    response = _json(ErrorOut(error=f"{exc.name}: {message}"), exc.code or 500)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response
