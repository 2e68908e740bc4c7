"""The OpenAPI 3.1 document, made from :data:`OPERATIONS` and the JSON schemas of their
models, so the routes and their description cannot drift apart."""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from docgen.model import Plan
from signing.web.api.operations import OPERATIONS
from signing.web.api.schemas import REF, ErrorOut

_ERRORS = {
    400: "The body is not a JSON object.",
    401: "No API key, or an unknown or revoked one.",
    403: "This key's role may not do this (or the download link is not valid).",
    404: "No such envelope, webhook endpoint or delivery.",
    409: "The envelope's or the signer's state does not allow this.",
    413: "The body is too large.",
    415: "The body is not sent as JSON (Content-Type: application/json).",
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
        if op.query is not None:
            wanted.append((op.query, "validation"))
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
            "parameters": [*({"name": name, "in": "path", "required": True,
                              "schema": {"type": "string"}} for name in op.parameters),
                           *_query_parameters(op)],
            "responses": responses,
        }
        if op.roles is None:
            item["security"] = []
        else:
            roles = sorted(str(r) for r in op.roles)
            item["description"] = "API key roles allowed: " + ", ".join(roles) + "."
            item["x-roles"] = roles
        if op.body is not None:
            item["requestBody"] = {"required": op.body_required, "content": {
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


def _query_parameters(op: Any) -> list[dict[str, Any]]:
    """The query string's parameters, from the fields of the operation's query model."""
    if op.query is None:
        return []
    schema = op.query.model_json_schema()
    required = set(schema.get("required", ()))
    return [{"name": name, "in": "query", "required": name in required,
             **({"description": field.pop("description")} if "description" in field else {}),
             "schema": field}
            for name, field in schema["properties"].items()]
