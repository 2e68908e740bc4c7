"""The pydantic models that parse the API's requests and shape its responses.

No response model holds a signer's link or nonce.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, WithJsonSchema

from signing.domain import workflow as wf
from signing.domain.models import EnvelopeRow

REF = "#/components/schemas/{model}"
TEMPLATE_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$"


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


class ResendLink(_Model):
    email: str | None = Field(None, max_length=320, description=(
        "A corrected email address for the signer: the new link goes there, and so does "
        "every later email; the audit trail records both addresses. Leave it out to send "
        "the new link to the address already held."))


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
    owner: str = Field(description="Who may follow it (as audit trails name them).")
    team: str | None = Field(description="The HR team whose keys may follow it too.")
    expires_at: dt.datetime | None
    comments_until: dt.datetime | None = Field(default=None, description=(
        "After the manager recorded the employee's refusal: until when the employee may "
        "still comment. The envelope is not completed before it, even when every signer "
        "is done."))
    signers: list[SignerOut]

    @classmethod
    def of(cls, row: EnvelopeRow) -> EnvelopeOut:
        return cls(id=row.id, state=row.state, template=row.template,
                   document_sha256=row.document_sha256, created_at=row.created_at,
                   created_by=row.created_by, owner=row.owner, team=row.team,
                   expires_at=row.expires_at, comments_until=row.comments_until,
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
