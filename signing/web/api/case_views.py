"""A plan's case in the API: read it, list and record its check-ins. HR keys (their own
and their team's plans) and admin keys; every read and every recording is written to
the access log (:func:`authorize.check_case`). Bad input is a 422 naming the field, and
nothing is recorded; the same meeting recorded twice is a 409."""

from __future__ import annotations

import datetime as dt

from flask import request, url_for

from signing.domain import authorize, case_service, envelopes
from signing.web import current, webdb
from signing.web.api.case_schemas import CaseOut, CheckinOut, CheckinsOut, RecordCheckin
from signing.web.api.operations import WRITE, Caller, operation


@operation("GET", "/envelopes/<envelope_id>/case",
           summary="A plan's case: its schedule, check-ins, overdue meetings and gaps",
           roles=WRITE, response=CaseOut, errors=(401, 403, 404, 409))
def get_case(key: Caller, envelope_id: str) -> CaseOut:
    _check(key, envelope_id, "case")
    return CaseOut.of(case_service.read_case(webdb.session(), envelope_id, now=_now(),
                                             settings=_settings()))


@operation("GET", "/envelopes/<envelope_id>/case/checkins",
           summary="A plan's check-in records, with the employee's answers",
           roles=WRITE, response=CheckinsOut, errors=(401, 403, 404, 409))
def list_checkins(key: Caller, envelope_id: str) -> CheckinsOut:
    _check(key, envelope_id, "case check-ins")
    view = case_service.read_case(webdb.session(), envelope_id, now=_now(),
                                  settings=_settings())
    return CheckinsOut(envelope_id=envelope_id,
                       checkins=[CheckinOut.of(r) for r in view.records])


@operation("POST", "/envelopes/<envelope_id>/case/checkins",
           summary="Record a check-in meeting (held, or missed with a reason); the employee "
                   "is emailed the record", roles=WRITE, status=201, body=RecordCheckin,
           response=CheckinOut, errors=(400, 401, 403, 404, 409, 415, 422))
def record_checkin(key: Caller, body: RecordCheckin, envelope_id: str
                   ) -> tuple[CheckinOut, dict[str, str]]:
    _check(key, envelope_id, "record check-in")
    actor = envelopes.Actor(key.actor, request.remote_addr,
                            request.user_agent.string[:500] or None)
    with webdb.transaction() as db:
        recorded = case_service.record_checkin(
            db, envelope_id, body.form(), actor=actor, recorder=key.name or key.actor,
            now=_now(), settings=_settings())
    return CheckinOut.of(recorded), {
        "Location": url_for(".list_checkins", envelope_id=envelope_id)}


def _check(key: Caller, envelope_id: str, action: str) -> None:
    authorize.check_case(current.services(), key.principal, envelope_id[:64],
                         f"envelope {action}", now=_now())


def _settings() -> case_service.CaseSettings:
    return case_service.CaseSettings.of(current.services().settings)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
