"""The archive: search, a record's page, its bundle, legal holds and the purge preview.

Every read goes through :mod:`signing.records.service` (the records API's and the CLI's
service), which checks the access rules and writes the access log with the person's
name; a record the person may not read is answered as one that does not exist (404).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as L_
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from archive import (
    OUTCOMES,
    ArchivedRecord,
    ArchiveError,
    HoldError,
    InvalidQuery,
    NoCaseFile,
    NoSuchDocument,
    RecordNotFound,
    SearchQuery,
    StoreUnavailable,
    access_log,
    get_record,
    hold_value_problem,
    log_access,
    purge,
    read_rule,
    reason_problem,
)
from archive.search import COUNT_LIMIT, SELECTIVE
from signing.domain import access, audit, trail_names
from signing.domain.access import Principal, Role
from signing.domain.timeline import timeline
from signing.domain.wording import N_
from signing.records import service as records
from signing.web import current, language, timefmt
from signing.web.console import accesswords, signedin
from signing.web.downloads import worded_disposition

bp = Blueprint("records", __name__, url_prefix="/records")

READERS = (Role.RECORDS, Role.ADMIN, Role.HR)
STAFF = (Role.RECORDS, Role.ADMIN)
PAGE_SIZE = 25
ENVELOPE_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
TEXT_FILTERS = ("name", "employee_id", "manager", "department")
DATE_FILTERS = ("sent_from", "sent_to", "completed_from", "completed_to")
SORTS: dict[str, Any] = {
    "-completed_at": L_("Completed, newest first"), "completed_at": L_("Completed, oldest first"),
    "-sent_at": L_("Sent, newest first"), "sent_at": L_("Sent, oldest first"),
    "employee_name": L_("Employee, A to Z"), "-employee_name": L_("Employee, Z to A"),
    "plan_id": L_("Plan id")}
OUTCOME_WORDS: dict[str, Any] = {
    "acknowledged": L_("Acknowledged"), "refused": L_("Refused to sign"),
    "no_response": L_("No response (expired)"), "voided": L_("Voided")}
DOCUMENT_WORDS: dict[str, Any] = {
    "final.pdf": L_("Final sealed PDF"), "original.pdf": L_("Original PDF as sent"),
    "plan.json": L_("Plan data (JSON)"), "audit-trail.json": L_("Audit trail (JSON)"),
    # Listed once the plan's case closed and its case file was sealed.
    "case-file.pdf": L_("Case file (sealed PDF: the check-ins, the progress and the "
                        "outcome)"),
    "bundle.zip": L_("Records bundle (ZIP: every document, with SHA-256 sums)")}
MEDIA = {"pdf": "application/pdf", "json": "application/json", "zip": "application/zip"}
# Each document's name as it is saved, in the reader's language (in English, the
# archive's own name after the record's id, as the records API names it).
# Translators: a file name without its extension, words joined by hyphens; %(id)s is the
# record's id.
FILE_NAMES = {
    "final.pdf": N_("%(id)s-final"), "original.pdf": N_("%(id)s-original"),
    "plan.json": N_("%(id)s-plan"), "audit-trail.json": N_("%(id)s-audit-trail"),
    "case-file.pdf": N_("%(id)s-case-file"), "bundle.zip": N_("%(id)s-bundle")}
# Translators: as above; %(meeting)s is the check-in's number, %(version)s the record's
# version (a later answer of the employee's makes a new one).
CHECKIN_FILE_NAME = N_("%(id)s-check-in-%(meeting)s-record-v%(version)s")


def _(text: str, **values: Any) -> str:
    """gettext, typed."""
    return str(gettext(text, **values))


def _count(total: int) -> str:
    """A count as the reader's language writes it ("10,000", "10 000", "10.000")."""
    return timefmt.number(total, language.current())


def _now() -> dt.datetime:
    return signedin.now()


# -- search --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    """A search form as typed (``values``, given back), the query it makes, and what is
    wrong with it, by field."""

    values: dict[str, str]
    query: SearchQuery | None
    errors: dict[str, str]


def parse_search(args: Mapping[str, str], zone: str) -> Parsed:
    """The search form's fields into the archive's :class:`SearchQuery`. Dates are days
    in the person's time zone: from its first moment, to its last."""
    values = {k: args.get(k, "").strip() for k in (*TEXT_FILTERS, "outcome", *DATE_FILTERS,
                                                   "sort", "page")}
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {k: values[k] or None for k in TEXT_FILTERS}
    if values["outcome"] and values["outcome"] not in OUTCOMES:
        errors["outcome"] = _("Choose an outcome from the list.")
    fields["outcome"] = values["outcome"] or None
    for name in DATE_FILTERS:
        if not values[name]:
            fields[name] = None
            continue
        try:
            day = dt.date.fromisoformat(values[name])
        except ValueError:
            errors[name] = _("Enter a date as YYYY-MM-DD, for example 2026-03-31.")
            continue
        moment = dt.datetime.combine(day, dt.time.max if name.endswith("_to") else dt.time.min,
                                     timefmt.zone(zone))
        fields[name] = moment.astimezone(dt.UTC)
    sort = values["sort"] or "-completed_at"
    if sort not in SORTS:
        errors["sort"] = _("Choose an order from the list.")
    page = 1
    if values["page"]:
        if values["page"].isdigit() and 1 <= int(values["page"]) <= 100_000:
            page = int(values["page"])
        else:
            errors["page"] = _("The page number is not valid.")
    if errors:
        return Parsed(values, None, errors)
    try:
        query = SearchQuery(**fields, sort=sort, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    except InvalidQuery as exc:
        return Parsed(values, None, {exc.field: _query_problem(exc)})
    return Parsed(values, query, {})


def _query_problem(exc: InvalidQuery) -> str:
    return signedin.problem_text(exc)  # the message without its field, translated


@bp.get("/")
@signedin.signed_in(*READERS)
def index() -> tuple[str, int] | str:
    zone = signedin.zone_name()
    parsed = parse_search(request.args, zone)
    if parsed.query is None:
        return render_template("console/records.html", form=parsed.values,
                               errors=parsed.errors, page=None, zone=zone, **_choices()), 400
    try:
        found = records.find(current.services().sessions, signedin.principal(), parsed.query,
                             now=_now())
    except InvalidQuery as exc:
        return render_template("console/records.html", form=parsed.values,
                               errors={exc.field: _query_problem(exc)}, page=None, zone=zone,
                               **_choices()), 400
    number = parsed.query.offset // PAGE_SIZE + 1
    return render_template(
        "console/records.html", form=parsed.values, errors={}, page=found, zone=zone,
        number=number, counted=(_count(found.total) if found.total_exact
                                else _("more than %(count)s", count=_count(found.total))),
        cap=SELECTIVE if parsed.query.name else COUNT_LIMIT,
        previous=_page_url(parsed.values, number - 1) if number > 1 else None,
        next=(_page_url(parsed.values, number + 1)
              if found.offset + len(found.records) < found.total else None),
        **_choices())


def _choices() -> dict[str, Any]:
    return {"outcomes": [(o, str(OUTCOME_WORDS.get(o, o))) for o in OUTCOMES],
            "sorts": [(k, str(v)) for k, v in SORTS.items()], "outcome_words": OUTCOME_WORDS}


def _page_url(values: Mapping[str, str], number: int) -> str:
    given: dict[str, Any] = {k: v for k, v in values.items() if v and k != "page"}
    return url_for(".index", **given, page=number)


# -- one record ----------------------------------------------------------------------------


@bp.get("/<envelope_id>")
@signedin.signed_in(*READERS)
def record(envelope_id: str) -> str | tuple[str, int]:
    services, who = current.services(), signedin.principal()
    _check_id(envelope_id)
    try:
        row, trail = records.read_record(services.sessions, services.store, who, envelope_id,
                                         now=_now())
    except RecordNotFound:
        abort(404)
    except ArchiveError as exc:
        return _unreadable(exc), 503 if _store_away(exc) else 409
    events = [audit.from_json(e) for e in trail]
    with services.readers() as session:
        names = trail_names.load(session, {e.actor for e in events}, envelope_id=envelope_id)
        # The log of who read this record: records staff's and admins' (as the API's).
        entries = (access_log(session, envelope_id=envelope_id, limit=200)
                   if who.role in STAFF else None)
    zone = signedin.zone_name()
    return render_template("console/record.html", record=row, zone=zone,
                           trail=timeline(events, names),
                           documents=_documents(envelope_id, row),
                           entries=None if entries is None else
                           [(e, accesswords.entry_words(e, zone)) for e in entries],
                           rule=read_rule(row.retention_rule),
                           outcome_words=OUTCOME_WORDS,
                           group_holds=records.holds_on(services.sessions, row))


@bp.get("/<envelope_id>/<any('final.pdf','original.pdf','plan.json','audit-trail.json',"
        "'case-file.pdf','bundle.zip'):name>")
@signedin.signed_in(*READERS)
def document(envelope_id: str, name: str) -> Response | str:
    services = current.services()
    _check_id(envelope_id)
    try:
        data = records.read_document(services.sessions, services.store, signedin.principal(),
                                     envelope_id, name, now=_now())
    except (RecordNotFound, NoCaseFile):  # a case file before its case closed: not there
        abort(404)
    except ArchiveError as exc:
        return Response(_unreadable(exc), 503 if _store_away(exc) else 409)
    extension = name.rpartition(".")[2]
    return Response(data, mimetype=MEDIA[extension], headers={
        "Content-Disposition": worded_disposition(FILE_NAMES[name], extension,
                                                  id=envelope_id)})


@bp.get("/<envelope_id>/check-in-<int:meeting>-record-v<int:version>.pdf")
@signedin.signed_in(*READERS)
def checkin_document(envelope_id: str, meeting: int, version: int) -> Response | str:
    """One version of a check-in record's sealed PDF, as the records API serves it: for
    whoever may read the record, hash-checked, every download (and refusal) logged."""
    services = current.services()
    _check_id(envelope_id)
    name = f"check-in-{meeting}-record-v{version}.pdf"
    if request.path.rsplit("/", 1)[-1] != name:  # "check-in-01-...": not a name given out
        abort(404)
    try:
        data = records.read_document(services.sessions, services.store, signedin.principal(),
                                     envelope_id, name, now=_now())
    except (RecordNotFound, NoSuchDocument, ValueError):
        abort(404)
    except ArchiveError as exc:
        return Response(_unreadable(exc), 503 if _store_away(exc) else 409)
    return Response(data, mimetype=MEDIA["pdf"], headers={
        "Content-Disposition": worded_disposition(
            CHECKIN_FILE_NAME, "pdf", id=envelope_id, meeting=str(meeting),
            version=str(version))})


def _documents(envelope_id: str, row: ArchivedRecord) -> list[tuple[str, str]]:
    """The record's documents as its page lists them, each a link and its name in the
    person's language: the plan's, the case file once the plan's case closed, then each
    version of each check-in record's sealed PDF (named by the meeting's day, which the
    record states), then the bundle."""
    services, lang = current.services(), language.current()
    pdfs = records.checkin_pdfs(services.sessions, envelope_id)
    days = records.checkin_days(services.sessions, envelope_id) if pdfs else {}
    versions = Counter(pdf.meeting for pdf in pdfs)
    listed = [(url_for(".document", envelope_id=envelope_id, name=name), str(words))
              for name, words in DOCUMENT_WORDS.items() if name != "bundle.zip"
              and (name != "case-file.pdf" or row.case_file_sha256 is not None)]
    for pdf in pdfs:
        day = timefmt.long_date(days.get(pdf.meeting) or pdf.made_at.astimezone(
            timefmt.zone(signedin.zone_name())).date(), lang)
        words = (_("Check-in record, %(date)s", date=day) if versions[pdf.meeting] == 1 else
                 _("Check-in record, %(date)s (version %(version)s of %(count)s)", date=day,
                   version=pdf.version, count=versions[pdf.meeting]))
        listed.append((url_for(".checkin_document", envelope_id=envelope_id,
                               meeting=pdf.meeting, version=pdf.version), words))
    listed.append((url_for(".document", envelope_id=envelope_id, name="bundle.zip"),
                   str(DOCUMENT_WORDS["bundle.zip"])))
    return listed


def _check_id(envelope_id: str) -> None:
    if not ENVELOPE_ID.fullmatch(envelope_id):
        abort(404)


def _unreadable(exc: ArchiveError) -> str:
    """A document that is corrupted or missing, or a store that is away: never served."""
    return render_template(
        "console/problem.html", title=_("This record cannot be read just now"),
        message=(_("An archived document of this record no longer matches its SHA-256 "
                   "or is missing, so nothing is shown. This has been logged; tell the "
                   "people who run plansign.") if not _store_away(exc) else
                 _("The archive cannot be reached just now. Nothing was changed; please "
                   "try again in a few minutes.")))


def _store_away(exc: ArchiveError) -> bool:
    return isinstance(exc, StoreUnavailable)


# -- legal holds ---------------------------------------------------------------------------

HOLD_ACTIONS: dict[str, Any] = {"hold": L_("Place a legal hold"),
                                "release": L_("Lift the legal hold")}


@bp.route("/<envelope_id>/<any(hold,release):action>", methods=["GET", "POST"])
@signedin.signed_in(*READERS)
def keep(envelope_id: str, action: str) -> str | BaseResponse | tuple[str, int]:
    """The confirmation page of placing or lifting a hold, and doing it."""
    services, who = current.services(), signedin.principal()
    _check_id(envelope_id)
    row = _readable(who, envelope_id, action)
    reason, errors = request.form.get("reason", ""), {}
    if request.method == "POST":
        problem = reason_problem(reason)
        if problem is not None:
            errors["reason"] = _("Give a reason: who asked for the hold, or why it is lifted "
                                 "(up to 2,000 characters, no control characters).")
        elif request.form.get("confirm") != "yes":
            errors["confirm"] = _("Tick the box to confirm.")
        else:
            change = records.hold if action == "hold" else records.release
            try:
                change(services.sessions, who, envelope_id, reason=reason, now=_now())
            except RecordNotFound:
                abort(404)
            except HoldError as exc:
                errors["reason"] = signedin.problem_text(exc)
            else:
                return _see_record(envelope_id, "held" if action == "hold" else "released")
    return render_template("console/record_hold.html", record=row, action=action,
                           title=str(HOLD_ACTIONS[action]), reason=reason, errors=errors,
                           zone=signedin.zone_name()), 400 if errors else 200


def _readable(who: Principal, envelope_id: str, action: str) -> ArchivedRecord:
    """The record's index entry, if the person may read it (else 404, logged); what
    the confirmation page shows of it is only its index, not its documents."""
    with current.services().readers() as session:
        try:
            row = get_record(session, envelope_id)
        except RecordNotFound:
            row = None
        if row is not None and access.may_read_record(who, sent_by=row.sent_by, team=row.team):
            session.expunge(row)
            return row
    with current.services().sessions.begin() as session:
        log_access(session, access.access_reader(who), f"console {action} form", now=_now(),
                   envelope_id=envelope_id[:36], allowed=False,
                   detail="no such record" if row is None else
                   f"denied: not this {who.role}'s record")
    abort(404)


def _see_record(envelope_id: str, done: str) -> BaseResponse:
    return redirect(url_for(".record", envelope_id=envelope_id, done=done), 303)


# -- legal holds over a department or a manager ----------------------------------------------

SCOPE_WORDS: dict[str, Any] = {"department": L_("A department"), "manager": L_("A manager")}


@bp.route("/holds", methods=["GET", "POST"])
@signedin.signed_in(*STAFF)
def holds() -> str | BaseResponse | tuple[str, int]:
    """The holds over departments and managers, and placing one."""
    services, who = current.services(), signedin.principal()
    form = {name: request.form.get(name, "") for name in ("scope", "value", "reason")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form["scope"] not in SCOPE_WORDS:
            errors["scope"] = _("Choose whether the hold is over a department or a manager.")
        elif hold_value_problem(form["scope"], form["value"]) is not None:
            errors["value"] = _("Give the department's or the manager's name as the records "
                                "have it (up to 200 characters, no control characters).")
        if reason_problem(form["reason"]) is not None:
            errors["reason"] = _("Give a reason: who asked for the hold (up to 2,000 "
                                 "characters, no control characters).")
        if not errors and request.form.get("confirm") != "yes":
            errors["confirm"] = _("Tick the box to confirm.")
        if not errors:
            try:
                records.hold_group(services.sessions, who, form["scope"], form["value"],
                                   reason=form["reason"], now=_now())
            except HoldError as exc:
                errors["value"] = signedin.problem_text(exc)
            else:
                return redirect(url_for(".holds", done="held"), 303)
    found = records.group_holds(services.sessions, who, released=True, now=_now())
    return render_template("console/records_holds.html", zone=signedin.zone_name(), form=form,
                           errors=errors, scopes=SCOPE_WORDS,
                           active=[(h, n) for h, n in found if h.active],
                           released=[h for h, _n in found if not h.active]
                           ), 400 if errors else 200


@bp.route("/holds/<int:hold_id>/release", methods=["GET", "POST"])
@signedin.signed_in(*STAFF)
def release_hold(hold_id: int) -> str | BaseResponse | tuple[str, int]:
    """The confirmation page of releasing a hold over a department or manager."""
    services, who = current.services(), signedin.principal()
    found = {h.id: (h, n) for h, n in records.group_holds(services.sessions, who,
                                                           now=_now())}
    if hold_id not in found:
        abort(404)
    hold, count = found[hold_id]
    reason, errors = request.form.get("reason", ""), {}
    if request.method == "POST":
        if reason_problem(reason) is not None:
            errors["reason"] = _("Give a reason: why the hold ends (up to 2,000 characters, "
                                 "no control characters).")
        elif request.form.get("confirm") != "yes":
            errors["confirm"] = _("Tick the box to confirm.")
        else:
            try:
                records.release_group(services.sessions, who, hold_id, reason=reason,
                                      now=_now())
            except HoldError as exc:
                errors["reason"] = signedin.problem_text(exc)
            else:
                return redirect(url_for(".holds", done="released"), 303)
    return render_template("console/records_hold_release.html", hold=hold, count=count,
                           reason=reason, errors=errors, zone=signedin.zone_name(),
                           scopes=SCOPE_WORDS), 400 if errors else 200


# -- the purge preview ---------------------------------------------------------------------


@bp.get("/purge")
@signedin.signed_in(*STAFF)
def purge_preview() -> str:
    """What ``plansign archive purge`` would delete now, and why; and what a hold keeps.
    Deleting stays a command for the server's operator."""
    services, who = current.services(), signedin.principal()
    now = _now()
    plan = purge(services.sessions, services.store, now=now, by=access.access_reader(who),
                 execute=False)
    shown = (plan.due + plan.held)[:500]
    with services.sessions.begin() as session:
        rows = {r.envelope_id: r for r in session.scalars(
            select(ArchivedRecord).where(ArchivedRecord.envelope_id.in_(shown)))} if shown else {}
        for row in rows.values():
            session.expunge(row)
        log_access(session, access.access_reader(who), "purge preview", now=now,
                   detail=f"{len(plan.due)} due, {len(plan.held)} kept on hold")
    return render_template("console/records_purge.html", zone=signedin.zone_name(), now=now,
                           due=[rows[i] for i in plan.due if i in rows],
                           held=[rows[i] for i in plan.held if i in rows],
                           due_count=len(plan.due), held_count=len(plan.held),
                           held_over=plan.held_over,
                           retention_years=services.settings.retention_years,
                           command="plansign archive purge --execute")
