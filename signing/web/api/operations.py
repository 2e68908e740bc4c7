"""Declaring operations: :func:`operation` registers a view on :data:`bp` and records an
:class:`Operation` in :data:`OPERATIONS`, from which the OpenAPI document is made. The
wrapper it puts around each view checks the caller's API key (:func:`_authorize`),
parses the body (:func:`_parse`) and sends the view's model as JSON (:func:`_json`).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, request
from pydantic import BaseModel, ValidationError

from archive import Reader, log_access
from signing.domain import apikeys
from signing.domain.access import Principal, Role, access_reader
from signing.web import current
from signing.web.api.schemas import ErrorOut, FieldError

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)

READ = frozenset({Role.HR, Role.RECORDS, Role.ADMIN})
WRITE = frozenset({Role.HR, Role.ADMIN})


class ApiError(Exception):
    """An error answer: status, message and extra JSON fields."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None,
                 field: str | None = None, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = ErrorOut(error=message, field=field, errors=errors)
        self.headers = headers or {}
        self.caller: Caller | None = None  # who was refused, when the key was valid


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    endpoint: str
    summary: str
    roles: frozenset[Role] | None  # None: no key needed
    status: int
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    media: str
    errors: tuple[int, ...]
    query: type[BaseModel] | None = None
    # False: the body may be left out (no content at all), and the model's defaults apply.
    body_required: bool = True

    @property
    def path(self) -> str:
        """The OpenAPI path: ``/api/v1/envelopes/{envelope_id}``."""
        return PREFIX + re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", self.rule)

    @property
    def parameters(self) -> list[str]:
        return re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", self.rule)


OPERATIONS: list[Operation] = []


def operation(method: str, rule: str, *, summary: str, roles: frozenset[Role] | None,
              status: int = 200, body: type[BaseModel] | None = None,
              response: type[BaseModel] | None = None, media: str = "application/json",
              errors: tuple[int, ...] = (), query: type[BaseModel] | None = None,
              body_required: bool = True,
              ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view and describe it for the OpenAPI document.

    The view gets the path parameters, ``key`` (the :class:`Caller`) when the
    operation needs one, ``body`` (the parsed model) when it takes one, and ``query``
    (the query string parsed by that model) when it declares one; with
    ``body_required`` false, a request without a body gets the body model's defaults.
    It returns a model (sent as JSON with ``status``), a ``(model, headers)`` pair, or
    a Response.
    Every request refused for its key (401, or 403 for its role) is written to the
    access log before the refusal is sent.
    """

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        OPERATIONS.append(Operation(method, rule, view.__name__, summary, roles, status, body,
                                    response, media, errors, query, body_required))

        @functools.wraps(view)
        def handle(**params: Any) -> Response:
            if roles is not None:
                try:
                    params["key"] = _authorize(roles)
                except ApiError as exc:
                    _log_refusal(exc.caller, exc, params)
                    raise
            if body is not None:
                params["body"] = (body() if not body_required and not request.get_data(
                    cache=True) else _parse(body))
            if query is not None:
                params["query"] = _parse_query(query)
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
    role: Role
    name: str = ""
    team: str | None = None

    @property
    def actor(self) -> str:
        """How owners and audit trails name the key."""
        return apikeys.actor(self.prefix)

    @property
    def principal(self) -> Principal:
        """The caller as the access rules see it, from this request's address."""
        return Principal(self.actor, self.role, self.team,
                         label=f"{self.actor} ({self.name})", ip=request.remote_addr)


def reader_of(caller: Caller | None) -> Reader:
    """How the access log names a caller; one without a valid key by its address."""
    if caller is None:
        return Reader("unauthenticated", None, request.remote_addr)
    return access_reader(caller.principal)


def _log_refusal(caller: Caller | None, refusal: ApiError, params: dict[str, Any]) -> None:
    """A request refused for its key (none, unknown, or the wrong role) goes in the
    access log, with the id it asked about."""
    asked = next((v for k, v in params.items() if k.endswith("_id") and isinstance(v, str)),
                 None)
    envelope_id = params.get("envelope_id")
    with current.services().sessions.begin() as db:
        log_access(db, reader_of(caller), "request", now=dt.datetime.now(dt.UTC),
                   envelope_id=envelope_id if isinstance(envelope_id, str) else None,
                   allowed=False, detail=f"denied ({refusal.status}) {request.method} "
                                         f"{request.path}: {refusal}"
                                         + (f" [{asked}]" if asked and asked != envelope_id
                                            else ""))


def _authorize(roles: frozenset[Role]) -> Caller:
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    caller = None
    if scheme.lower() == "bearer":
        # A session of its own, closed at once, so a key revoked while a plan is being
        # converted is seen by the next request, not hidden by this one's snapshot.
        with current.services().readers() as db:
            key = apikeys.authenticate(db, presented.strip())
            if key is not None:
                caller = Caller(key.id, key.prefix, Role(key.role), key.name, key.team)
    if caller is None:
        raise ApiError(401, "a valid API key is required: Authorization: Bearer <key>",
                       headers={"WWW-Authenticate": 'Bearer realm="plansign"'})
    if caller.role not in roles:
        refused = ApiError(403, f"a {caller.role} key may not do this")
        refused.caller = caller
        raise refused
    return caller


def _parse_query(model: type[BaseModel]) -> BaseModel:
    repeated = [name for name in request.args if len(request.args.getlist(name)) > 1]
    if repeated:
        raise ApiError(422, "the request has errors", errors=[
            FieldError(path=name, message="give this parameter once") for name in repeated])
    return _validate(model, request.args.to_dict())


JSON = "application/json"
MAX_DIGITS = 100  # in a whole number; Python's own limit (4,300) says to change sys settings


def _parse(model: type[BaseModel]) -> BaseModel:
    """The body as ``model``: JSON (415 for another content type), well formed (400),
    within ``MAX_CONTENT_LENGTH`` (413, raised as it is read), an object (400), valid (422).
    """
    if request.mimetype != JSON:
        given = request.mimetype[:100] or "none"
        raise ApiError(415, f"send the body as JSON, with Content-Type: {JSON} "
                            f"(this request's is {given})")
    try:
        # NaN and Infinity are not JSON; no number here may be one, nor overflow to one.
        data = json.loads(request.get_data(cache=True), parse_constant=_not_json,
                          parse_float=_finite, parse_int=_whole)
    except json.JSONDecodeError as exc:
        raise ApiError(400, f"the body is not valid JSON: {exc.msg} at line {exc.lineno}, "
                            f"column {exc.colno}") from None
    except UnicodeDecodeError:
        raise ApiError(400, "the body is not valid JSON: it is not UTF-8 text") from None
    except ValueError as exc:  # from the parse_ functions below
        raise ApiError(400, f"the body cannot be read: {exc}") from None
    except RecursionError:
        raise ApiError(400, "the body cannot be read: it is nested too deeply") from None
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object")
    # Strict: a JSON body has JSON's own types, which are the schema's; true is not a
    # number, nor "24" one (a query string, all text, is read leniently instead).
    return _validate(model, data, strict=True)


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:20]}{'...' if len(text) > 20 else ''} is too large a number")
    return number


def _whole(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise ValueError(f"a number of {digits:,} digits is too long")
    return int(text)


def _validate(model: type[BaseModel], data: dict[str, Any], *,
              strict: bool = False) -> BaseModel:
    try:
        return model.model_validate(data, strict=strict)
    except ValidationError as exc:
        problems = [FieldError(path=_path(e["loc"]), message=e["msg"]) for e in exc.errors()]
        raise ApiError(422, "the request has errors", errors=problems) from None


def _path(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
