"""The records API under ``/api/v1/archive``: search archived plans, read one with its
audit trail, download its documents or a records bundle, and set or lift a legal hold.

``records`` and ``admin`` keys read everything; ``hr`` keys read the plans they sent.
Every read, allowed or denied, is written to the access log (:mod:`signing.records.service`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from flask import Response, current_app
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from archive import (
    OUTCOMES,
    ArchivedRecord,
    BlobCorrupted,
    BlobNotFound,
    BlobStore,
    HoldError,
    HoldNotFound,
    InvalidKey,
    InvalidQuery,
    LegalHold,
    NoCaseFile,
    NoSuchDocument,
    RecordNotFound,
    SearchQuery,
    StoreUnavailable,
    access_log,
    hold_value_problem,
    reason_problem,
)
from archive.search import CASE_OUTCOMES, COUNT_LIMIT, SELECTIVE
from signing.domain.access import Principal, Role
from signing.records import service as records
from signing.web import current, webdb
from signing.web.api.operations import ApiError, Caller, _json, bp, operation
from signing.web.api.schemas import ErrorOut, EventOut, FieldError
from signing.web.downloads import content_disposition

ALL = frozenset({Role.HR, Role.RECORDS, Role.ADMIN})
STAFF = frozenset({Role.RECORDS, Role.ADMIN})
ENVELOPE_ID = r"^[A-Za-z0-9-]{1,64}$"

if TYPE_CHECKING:
    Outcome = str  # the outcomes are data (archive.OUTCOMES); each one is a str
    CaseOutcome = str
else:
    Outcome = Literal[OUTCOMES]  # an enum in the OpenAPI document
    CaseOutcome = Literal[CASE_OUTCOMES]


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)  # a bare date or time is UTC, as stored
    return value


def _whole_day(value: Any) -> Any:
    """An end given as a bare date means the end of that day, as on the command line."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value  # pydantic names the problem
        return dt.datetime.combine(day, dt.time.max, dt.UTC)
    return value


When = Annotated[dt.datetime | None, AfterValidator(_aware)]
Until = Annotated[dt.datetime | None, BeforeValidator(_whole_day), AfterValidator(_aware)]
Text = Annotated[str | None, Field(None, min_length=1, max_length=200)]


class RecordQuery(BaseModel):
    """Search parameters; text matches ignore case and accents, names match in part."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(None, description="Part of the employee's name.")
    employee_id: Text = None
    manager: Text = Field(None, description="Part of the manager's name.")
    department: Text = None
    outcome: Outcome | None = None
    case_outcome: CaseOutcome | None = Field(
        None, description="How the plan's case closed, once its case file is archived.")
    sent_from: When = None
    sent_to: Until = Field(None, description="Until this time; a bare date: to its end.")
    completed_from: When = None
    completed_to: Until = Field(None, description="Until this time; a bare date: to its end.")
    sort: str = Field("-completed_at", pattern=r"^-?(completed_at|sent_at|employee_name|plan_id)$",
                      description="A field, with - for descending.")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


class AccessQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    envelope_id: str | None = Field(None, pattern=ENVELOPE_ID)
    denied: bool = False
    limit: int = Field(100, ge=1, le=1000)


def _reason(value: str) -> str:
    problem = reason_problem(value)  # checked here too, to name the field in a 422
    if problem is not None:
        raise ValueError(problem)
    return value.strip()


class HoldBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_reason)]


class GroupHoldBody(BaseModel):
    """A legal hold over every record of a department or of a manager."""

    model_config = ConfigDict(extra="forbid")

    scope: Literal["department", "manager"] = Field(
        description="department: every record of the department (case ignored); manager: "
                    "every plan of the manager, by full name (case and accents ignored).")
    value: Annotated[str, Field(min_length=1, max_length=200,
                                description="The department's or the manager's name, as "
                                            "the records have it.")]
    reason: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_reason)]


class HoldQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    released: bool = Field(False, description="Released holds too.")


class GroupHoldOut(BaseModel):
    id: int
    scope: str
    value: str
    reason: str
    placed_by: str
    placed_at: dt.datetime
    released_at: dt.datetime | None
    released_by: str | None
    release_reason: str | None
    records: int = Field(description="Archived records the hold covers now (0 once released).")

    @classmethod
    def of(cls, hold: LegalHold, records: int = 0) -> GroupHoldOut:
        return cls(id=hold.id, scope=hold.scope, value=hold.value, reason=hold.reason,
                   placed_by=hold.placed_by, placed_at=hold.placed_at,
                   released_at=hold.released_at, released_by=hold.released_by,
                   release_reason=hold.release_reason, records=records)


class GroupHolds(BaseModel):
    holds: list[GroupHoldOut]


class RecordOut(BaseModel):
    envelope_id: str
    plan_id: str
    employee_name: str
    employee_id: str | None
    manager_name: str
    department: str | None
    outcome: str
    sent_at: dt.datetime
    completed_at: dt.datetime
    archived_at: dt.datetime
    jurisdiction: str | None
    retain_until: dt.datetime | None
    retention_rule: str | None = Field(description="The retention rule that set "
                                                   "retain_until, in words.")
    on_hold: bool = Field(description="A legal hold on this record itself.")
    hold_reason: str | None
    case_outcome: str | None = Field(None, description="How the plan's case closed (met, "
                                     "not_met, resigned, withdrawn), once its case file "
                                     "is archived; null before.")
    case_closed_at: dt.datetime | None = None
    sha256: dict[str, str] = Field(description="Each archived document's SHA-256 (the case "
                                               "file's once the case closed).")

    @classmethod
    def of(cls, row: ArchivedRecord) -> RecordOut:
        return cls(
            envelope_id=row.envelope_id, plan_id=row.plan_id, employee_name=row.employee_name,
            employee_id=row.employee_id, manager_name=row.manager_name,
            department=row.department, outcome=row.outcome, sent_at=row.sent_at,
            completed_at=row.completed_at, archived_at=row.archived_at,
            jurisdiction=row.jurisdiction, retain_until=row.retain_until,
            retention_rule=row.retention_rule, on_hold=row.on_hold, hold_reason=row.hold_reason,
            case_outcome=row.case_outcome, case_closed_at=row.case_closed_at,
            sha256={name: getattr(row, column) for name, column in records.DOCUMENTS.items()
                    if getattr(row, column) is not None})


class RecordPage(BaseModel):
    total: int = Field(description="How many records match; when total_exact is false, "
                                   "more than this many (counting stops there).")
    total_exact: bool = Field(description=f"False when more records match than total: a "
                                          f"search by part of a name counts up to "
                                          f"{SELECTIVE:,}, one by other criteria up to "
                                          f"{COUNT_LIMIT:,}.")
    limit: int
    offset: int
    records: list[RecordOut]


class CheckinRecordOut(BaseModel):
    file: str = Field(description="Its name under .../checkin-records/ "
                                  "(check-in-N-record-vM.pdf).")
    meeting: int
    version: int = Field(description="1 for the first answer; a later answer (a comment "
                                     "after the acknowledgement) adds a version.")
    answer: str = Field(description="acknowledged, no_answer, or pending (commented, "
                                    "not acknowledged).")
    made_at: dt.datetime
    sha256: str = Field(description="The sealed PDF's SHA-256.")
    record_sha256: str = Field(description="Its data's SHA-256 (checkin-record.json), as "
                                           "the case file hashes the check-in.")


class RecordDetail(RecordOut):
    audit_trail: list[EventOut]
    holds: list[GroupHoldOut] = Field(description="The legal holds over the record's "
                                                  "department or manager, which keep it too.")
    checkin_records: list[CheckinRecordOut] = Field(
        description="The sealed PDF of each check-in record the employee answered, every "
                    "version, by meeting.")


class AccessOut(BaseModel):
    at: dt.datetime
    actor: str
    role: str | None
    action: str
    envelope_id: str | None
    detail: str | None
    ip: str | None
    allowed: bool


class AccessLog(BaseModel):
    entries: list[AccessOut]


# -- the operations ----------------------------------------------------------------------


@operation("GET", "/archive/records", summary="Search archived plans", roles=ALL,
           query=RecordQuery, response=RecordPage, errors=(401, 403, 422))
def search_records(key: Caller, query: RecordQuery) -> RecordPage:
    page = records.find(_sessions(), _caller(key), SearchQuery(**query.model_dump()),
                        now=_now())
    return RecordPage(total=page.total, total_exact=page.total_exact, limit=page.limit,
                      offset=page.offset,
                      records=[RecordOut.of(r) for r in page.records])


@operation("GET", "/archive/records/<envelope_id>",
           summary="One archived plan with its audit trail", roles=ALL,
           response=RecordDetail, errors=(401, 403, 404, 409, 422))
def get_record(key: Caller, envelope_id: str) -> RecordDetail:
    row, trail = records.read_record(_sessions(), _store(), _caller(key),
                                     _envelope_id(envelope_id), now=_now())
    return RecordDetail(**RecordOut.of(row).model_dump(),
                        audit_trail=[EventOut(**event) for event in trail],
                        holds=[GroupHoldOut.of(h) for h in records.holds_on(_sessions(), row)],
                        checkin_records=[
                            CheckinRecordOut(**pdf.describe())
                            for pdf in records.checkin_pdfs(_sessions(), row.envelope_id)])


def _document(name: str, media: str, summary: str) -> None:
    """Declare the download of one archived document (or the bundle)."""

    def download(key: Caller, envelope_id: str) -> Response:
        envelope_id = _envelope_id(envelope_id)
        data = records.read_document(_sessions(), _store(), _caller(key), envelope_id, name,
                                     now=_now())
        return Response(data, mimetype=media, headers={
            "Content-Disposition": content_disposition(f"{envelope_id}-{name}")})

    download.__name__ = "get_" + re.sub(r"[^a-z]", "_", name)
    operation("GET", f"/archive/records/<envelope_id>/{name}", summary=summary, roles=ALL,
              media=media, errors=(401, 403, 404, 409, 422))(download)


_document("final.pdf", "application/pdf", "The final, sealed PDF")
_document("original.pdf", "application/pdf", "The original PDF the signers saw")
_document("plan.json", "application/json", "The plan data")
_document("audit-trail.json", "application/json", "The audit trail as archived")
_document("case-file.pdf", "application/pdf",
          "The plan's sealed case file, once its case closed (404 before)")
_document("bundle.zip", "application/zip",
          "A records bundle: every document and a manifest of SHA-256 sums")


@operation("GET", "/archive/records/<envelope_id>/checkin-records/<file>",
           summary="One version of a check-in record's sealed PDF (its file as the record "
                   "lists it)", roles=ALL, media="application/pdf",
           errors=(401, 403, 404, 409, 422))
def get_checkin_record(key: Caller, envelope_id: str, file: str) -> Response:
    envelope_id = _envelope_id(envelope_id)
    if records.CHECKIN_FILE.fullmatch(file) is None:
        raise ApiError(404, f"no document {file[:80]}: a check-in record's file is named "
                            "check-in-N-record-vM.pdf, as the record lists it")
    data = records.read_document(_sessions(), _store(), _caller(key), envelope_id, file,
                                 now=_now())
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": content_disposition(f"{envelope_id}-{file}")})


@operation("POST", "/archive/records/<envelope_id>/hold", summary="Place a legal hold",
           roles=frozenset({Role.HR, Role.RECORDS, Role.ADMIN}), body=HoldBody,
           response=RecordOut, errors=(400, 401, 403, 404, 409, 422))
def hold_record(key: Caller, body: HoldBody, envelope_id: str) -> RecordOut:
    return RecordOut.of(records.hold(_sessions(), _caller(key), _envelope_id(envelope_id),
                                     reason=body.reason, now=_now()))


@operation("POST", "/archive/records/<envelope_id>/release", summary="Lift a legal hold",
           roles=frozenset({Role.HR, Role.RECORDS, Role.ADMIN}), body=HoldBody,
           response=RecordOut, errors=(400, 401, 403, 404, 409, 422))
def release_record(key: Caller, body: HoldBody, envelope_id: str) -> RecordOut:
    return RecordOut.of(records.release(_sessions(), _caller(key), _envelope_id(envelope_id),
                                        reason=body.reason, now=_now()))


@operation("GET", "/archive/holds",
           summary="Legal holds over departments and managers", roles=STAFF,
           query=HoldQuery, response=GroupHolds, errors=(401, 403, 422))
def list_holds(key: Caller, query: HoldQuery) -> GroupHolds:
    found = records.group_holds(_sessions(), _caller(key), released=query.released, now=_now())
    return GroupHolds(holds=[GroupHoldOut.of(hold, count) for hold, count in found])


@operation("POST", "/archive/holds",
           summary="Hold every record of a department or a manager, archived now or later",
           roles=STAFF, body=GroupHoldBody, response=GroupHoldOut,
           errors=(400, 401, 403, 409, 422))
def place_group_hold(key: Caller, body: GroupHoldBody) -> GroupHoldOut:
    problem = hold_value_problem(body.scope, body.value)
    if problem is not None:
        raise ApiError(422, "the request has errors", field="value", errors=[
            FieldError(path="value", message=problem)])
    hold = records.hold_group(_sessions(), _caller(key), body.scope, body.value,
                              reason=body.reason, now=_now())
    return GroupHoldOut.of(hold)


@operation("POST", "/archive/holds/<hold_id>/release",
           summary="Release a legal hold over a department or manager", roles=STAFF,
           body=HoldBody, response=GroupHoldOut, errors=(400, 401, 403, 404, 409, 422))
def release_group_hold(key: Caller, body: HoldBody, hold_id: str) -> GroupHoldOut:
    if not re.fullmatch(r"[1-9][0-9]{0,17}", hold_id):
        raise ApiError(422, "the request has errors", field="hold_id", errors=[
            FieldError(path="hold_id", message="not a hold id (a whole number)")])
    try:
        hold = records.release_group(_sessions(), _caller(key), int(hold_id),
                                     reason=body.reason, now=_now())
    except HoldNotFound as exc:
        raise ApiError(404, str(exc)) from None
    return GroupHoldOut.of(hold)


@operation("GET", "/archive/access-log",
                   summary="Who read what in the archive, newest first", roles=STAFF,
                   query=AccessQuery, response=AccessLog, errors=(401, 403, 422))
def get_access_log(key: Caller, query: AccessQuery) -> AccessLog:
    entries = access_log(webdb.session(), envelope_id=query.envelope_id, limit=query.limit,
                         denied_only=query.denied)
    return AccessLog(entries=[AccessOut.model_validate(e, from_attributes=True)
                              for e in entries])


# -- helpers -----------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sessions() -> sessionmaker[Session]:
    return current.services().sessions


def _store() -> BlobStore:
    return current.services().store


def _caller(key: Caller) -> Principal:
    return key.principal


def _envelope_id(value: str) -> str:
    if not re.fullmatch(ENVELOPE_ID, value):
        raise ApiError(422, "the request has errors", field="envelope_id", errors=[
            FieldError(path="envelope_id", message="not an envelope id")])
    return value


# -- archive errors as JSON --------------------------------------------------------------


@bp.errorhandler(RecordNotFound)
def _not_archived(exc: RecordNotFound) -> Response:
    return _error(str(exc), 404)


@bp.errorhandler(NoCaseFile)
@bp.errorhandler(NoSuchDocument)
def _no_case_file(exc: NoCaseFile | NoSuchDocument) -> Response:
    return _error(str(exc), 404)


@bp.errorhandler(BlobCorrupted)
def _corrupted(exc: BlobCorrupted) -> Response:
    current_app.logger.error("archive: %s", exc)
    return _error(f"the archived document is corrupted (its content no longer matches its "
                  f"SHA-256 {exc.key}); it is not served. Tell records staff.", 409)


@bp.errorhandler(BlobNotFound)
@bp.errorhandler(InvalidKey)
def _missing(exc: BlobNotFound | InvalidKey) -> Response:
    current_app.logger.error("archive: %s", exc)
    return _error("an archived document of this record is missing from the archive's "
                  "store; nothing is served. Tell records staff.", 409)


@bp.errorhandler(StoreUnavailable)
def _unavailable(exc: StoreUnavailable) -> Response:
    current_app.logger.error("archive: %s", exc)
    return _error("the archive cannot be read just now; try again later", 503)


@bp.errorhandler(HoldError)
def _hold(exc: HoldError) -> Response:
    return _error(str(exc), 409)


@bp.errorhandler(InvalidQuery)
def _bad_query(exc: InvalidQuery) -> Response:
    return _error(str(exc), 422, field=exc.field)


def _error(message: str, status: int, field: str | None = None) -> Response:
    return _json(ErrorOut(error=message, field=field), status)
