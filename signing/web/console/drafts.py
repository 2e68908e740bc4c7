"""The plan editor: drafts, lint findings beside their fields, preview, and approval.

Views parse the form (:mod:`.draftform`), call one service of
:mod:`signing.domain.drafts` (or docgen's lint, which the CLI and the API use too), and
show what to correct beside the field. Without JavaScript every button is a plain form
submit; with it, htmx posts the form as the person types and swaps each field's findings
in place (:func:`lint`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from docgen import BUILTIN_TEMPLATES, DocgenError, LintFailed, PlanError, resolve_template
from docgen.loading import load_plan_data, parse_plan_text
from docgen.render import template_names
from docgen.resources import package_path
from signing.domain import authorize, drafts, envelopes, plans_list
from signing.domain.access import Principal, Role
from signing.domain.drafts import Draft, DraftConflict, DraftError, DraftNotFound, DraftState
from signing.domain.envelopes import EnvelopeNotFound
from signing.domain.errors import Wording
from signing.domain.models import DraftRow
from signing.domain.sending import (
    SendOptions,
    checked_plan,
    day_ends,
    default_language,
    plan_limits,
    signature_pdf,
)
from signing.domain.wording import N_
from signing.web import current
from signing.web.console import draftform, signedin
from signing.web.downloads import worded_disposition

bp = Blueprint("drafts", __name__, url_prefix="/drafts")


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"dom_id": draftform.dom_id, "notes_html": draftform.notes_html,
            "fragment": draftform.fragment, "severity_words": _severity_words}


def _severity_words() -> dict[str, str]:
    # With their colon: French puts a no-break space before it.
    return {"error": _("Error:"), "warning": _("Warning:"), "info": _("Note:")}

WRITERS = (Role.MANAGER, Role.HR, Role.ADMIN)
MAX_IMPORT_BYTES = 256 * 1024
_EXAMPLE = re.compile(r"[a-z0-9-]{1,60}")
# What the editor's form posts besides the plan's fields.
_NOT_FIELDS = frozenset({"csrf_token", "version", "action"})


# -- the start page: a new plan, one's drafts, and those awaiting one's approval ----------


@bp.get("/")
@signedin.signed_in(*WRITERS)
def index() -> Any:
    return _index_page()


def _index_page(error: str | None = None, status: int = 200) -> Any:
    who = signedin.principal()
    with current.services().readers() as session:
        mine = session.query(DraftRow).filter(
            DraftRow.owner == who.actor,
            DraftRow.state.in_([str(s) for s in (*drafts.EDITABLE, DraftState.SUBMITTED)])
        ).order_by(DraftRow.updated_at.desc()).limit(50).all()
        awaiting = session.query(DraftRow).filter(drafts.awaiting_review(who)).order_by(
            DraftRow.submitted_at).limit(100).all()
        earlier = _earlier_plans(session, who)
    return render_template("console/draft_index.html", mine=mine, awaiting=awaiting,
                           earlier=earlier, examples=_examples(), error=error,
                           tz=_zone()), status


def _earlier_plans(session: Any, who: Principal) -> list[Any]:
    return plans_list.latest_envelopes(session, who, limit=30)


def _examples() -> list[str]:
    folder = package_path("docgen", "examples")
    return sorted(p.stem for p in folder.glob("*.yaml"))


@bp.post("/new")
@signedin.signed_in(*WRITERS)
def new() -> Any:
    """A new draft: empty, from an example, from an earlier envelope or draft, or from an
    uploaded YAML or JSON file (a bad file creates nothing and says what is wrong)."""
    who, now = signedin.principal(), signedin.now()
    start = request.form.get("start", "blank")
    upload = request.files.get("plan_file")
    try:
        if upload is not None and upload.filename:
            data, source = _read_upload(upload), f"file {upload.filename[:60]}"
        else:
            data, source = _starting_data(who, start, now), start
    except PlanError as exc:
        return _index_page(_import_error(exc), 400)
    except (DraftNotFound, EnvelopeNotFound):
        abort(404)
    draft = drafts.create(current.services().sessions, who, data, now=now,
                          template=_template_name(data), team=who.team, source=source)
    return redirect(url_for(".edit", draft_id=draft.id))


def _starting_data(who: Principal, start: str, now: dt.datetime) -> dict[str, Any]:
    kind, _sep, name = start.partition(":")
    if kind == "example" and _EXAMPLE.fullmatch(name):
        path = package_path("docgen", "examples") / f"{name}.yaml"
        if path.is_file():
            return _as_mapping(load_plan_data(Path(str(path))))
    if kind == "draft":
        return drafts.get(current.services().sessions, who, name, now=now,
                          action="open to copy").plan_data
    if kind == "envelope":
        services = current.services()
        authorize.check_read(services, who, name, "copy into a draft", now=now)
        with services.readers() as session:
            return dict(envelopes.load(session, name).plan_data)
    return {}


def _as_mapping(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise PlanError([draftform_problem(Wording(N_(
            "the file must hold one plan: a mapping of sections (employee, goals, ...)")))])
    return data


def draftform_problem(message: str) -> Any:
    from docgen import Problem
    return Problem("", message)


def _read_upload(upload: Any) -> dict[str, Any]:
    raw = upload.stream.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise PlanError([draftform_problem(Wording(N_(
            "the file is larger than %(most)s KiB; a plan is far smaller"),
            most=MAX_IMPORT_BYTES // 1024))])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PlanError([draftform_problem(Wording(N_(
            "the file is not UTF-8 text; save it as UTF-8")))]) from None
    fmt = "json" if upload.filename.lower().endswith(".json") else "yaml"
    return _as_mapping(parse_plan_text(text, fmt=fmt, source=upload.filename[:100]))


def _import_error(exc: PlanError) -> str:
    return str(_("The file was not imported, and nothing was changed: %(problems)s",
                 problems=_problems_text(exc)))


def _problems_text(exc: PlanError) -> str:
    """``exc``'s problems in the reader's language, each after its field's path (a path
    names the plan's data, the same in every language)."""
    return "; ".join(f"{p.path}: {signedin.words_text(p.message)}" if p.path
                     else signedin.words_text(p.message) for p in exc.problems)


# -- the editor ---------------------------------------------------------------------------


@bp.get("/<draft_id>")
@signedin.signed_in(*WRITERS)
def edit(draft_id: str) -> Any:
    who = signedin.principal()
    draft = _get(draft_id)
    if not drafts.may_edit(who, draft):
        return redirect(url_for(".review", draft_id=draft.id))
    return _editor(draft, draft.plan_data)


@bp.post("/<draft_id>")
@signedin.signed_in(*WRITERS)
def change(draft_id: str) -> Any:
    """Every button of the editor: save, submit, send, discard, and add or remove a goal,
    milestone or evidence row (which change the form, not the saved draft)."""
    who, now = signedin.principal(), signedin.now()
    services = current.services()
    draft = _get(draft_id, action="open to change")
    data = draftform.form_data(request.form.items(multi=True), _sections())
    version = _version()
    action = request.form.get("action", "save")
    if action.startswith(("add:", "remove:")):
        kind, _sep, path = action.partition(":")
        data = (draftform.add_item if kind == "add" else draftform.remove_item)(data, path)
        focus = draftform.focus_after(draftform.form_tree(data, _sections()), kind, path)
        return _editor(draft, data, version=version, focus=focus)
    if action == "check":
        return _editor(draft, data, version=version)
    try:
        if action == "discard":
            drafts.discard(services.sessions, who, draft.id, version=version, now=now)
            return redirect(url_for(".index", discarded=1))
        saved = drafts.save(services.sessions, who, draft.id, data, version=version, now=now,
                            template=_template_name(data))
        if action == "submit":
            drafts.submit(services.sessions, who, draft.id, version=saved.version, now=now,
                          policy=_policy())
            return redirect(url_for(".review", draft_id=draft.id, submitted=1))
        if action == "send":
            return _send(saved)
    except DraftConflict as exc:
        return _editor(draft, data, version=version, error=signedin.problem_text(exc),
                       status=409)
    except DraftError as exc:
        return _editor(draft, data, version=version, error=signedin.problem_text(exc),
                       status=400)
    return redirect(url_for(".edit", draft_id=draft.id, saved=1))


@bp.post("/<draft_id>/import")
@signedin.signed_in(*WRITERS)
def import_file(draft_id: str) -> Any:
    """A YAML or JSON file into the editor, to review and save (nothing is saved yet)."""
    who = signedin.principal()
    draft = _get(draft_id, action="open to import")
    if not drafts.may_edit(who, draft):
        abort(404)
    upload = request.files.get("plan_file")
    if upload is None or not upload.filename:
        return _editor(draft, draft.plan_data, import_error=_("Choose a YAML or JSON file "
                                                              "to import."), status=400)
    try:
        data = _read_upload(upload)
    except PlanError as exc:
        return _editor(draft, draft.plan_data, import_error=_import_error(exc), status=400)
    return _editor(draft, data, version=_version(),
                   notice=_("Imported %(file)s. Nothing is saved yet: review the plan, "
                            "then save it.", file=upload.filename[:100]))


@bp.post("/lint")
@signedin.signed_in(*WRITERS)
def lint() -> str:
    """The findings of the form as it is now, one fragment per field (htmx swaps each
    in place, out of band); the form's own data, never the database's."""
    parts = _sections()
    posted = draftform.Posted((name, value) for name, value in request.form.items(multi=True)
                              if name not in _NOT_FIELDS)
    found = draftform.findings_for(draftform.form_data(posted, parts), posted.slots, parts)
    return render_template("console/editor_findings.html", found=found,
                           slots=sorted(posted.slots))


@bp.get("/<draft_id>/export.<fmt>")
@signedin.signed_in(*WRITERS)
def export(draft_id: str, fmt: str) -> Response:
    if fmt not in ("yaml", "json"):
        abort(404)
    draft = _get(draft_id, action=f"export {fmt}")
    if fmt == "json":
        body = json.dumps(draft.plan_data, ensure_ascii=False, indent=2, default=str) + "\n"
        mimetype = "application/json"
    else:
        body = yaml.safe_dump(draft.plan_data, allow_unicode=True, sort_keys=False, width=88)
        mimetype = "application/yaml"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": _disposition(draft, fmt)})


# An exported or previewed draft's name, in the reader's language. Translators: a file
# name without its extension, words joined by hyphens; %(employee)s is the employee's name
# as HR typed it (its spaces made hyphens).
DRAFT_FILE_NAME = N_("plan-%(employee)s")


def _disposition(draft: Draft, extension: str, *, inline: bool = False) -> str:
    """The draft's file named after its employee (any letters: the header encodes them;
    nothing typed can add to it, signing.web.downloads), else its id."""
    employee = "-".join(draft.employee_name.split()) or draft.id[:8]
    return worded_disposition(DRAFT_FILE_NAME, extension, inline=inline, employee=employee)


# -- the preview ---------------------------------------------------------------------------


@bp.get("/<draft_id>/preview")
@signedin.signed_in(*WRITERS)
def preview(draft_id: str) -> Any:
    draft = _get(draft_id, action="preview")
    found = draftform.findings_for(draft.plan_data, set(), _sections())
    return render_template("console/draft_preview.html", draft=draft, found=found,
                           back=_back(draft))


@bp.get("/<draft_id>/preview.pdf")
@signedin.signed_in(*WRITERS)
def preview_pdf(draft_id: str) -> Any:
    """The PDF exactly as it would be sent (the build of ``send_plan``), of the draft as
    saved; lint errors do not stop a preview (they stop sending)."""
    draft = _get(draft_id, action="preview PDF")
    services = current.services()
    try:
        plan = checked_plan(draft.plan_data, source=f"draft {draft.id}")
        pdf = signature_pdf(plan, options=_options(draft, force=True),
                            converter=services.converter, now=signedin.now())
    except PlanError:
        return render_template("console/problem.html", title=_("No preview yet"),
                               message=_("The plan's data is not complete enough to make a "
                                         "PDF. Correct what the editor marks, save, and "
                                         "preview again.")), 422
    except DocgenError:
        return render_template("console/problem.html", title=_("No preview now"),
                               message=_("The PDF could not be made just now. Try again in "
                                         "a minute.")), 503
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": _disposition(draft, "pdf", inline=True)})


# -- approval ----------------------------------------------------------------------------


@bp.get("/<draft_id>/review")
@signedin.signed_in(*WRITERS)
def review(draft_id: str) -> Any:
    """The plan as submitted (or as it stands), its findings, and what the person may do
    with it: approve and send, or return with comments (HR of its team)."""
    who = signedin.principal()
    draft = _get(draft_id)
    return _review_page(draft, who)


def _review_page(draft: Draft, who: Principal, *, error: str | None = None,
                 comment: str = "", status: int = 200) -> Any:
    parts = _sections()
    nodes = draftform.form_tree(draft.plan_data, parts, default_language=_default_language())
    found = draftform.findings_for(draft.plan_data, set(draftform.slots(nodes)), parts)
    with current.services().readers() as session:
        trail = drafts.history(session, draft.id)
    return render_template(
        "console/draft_review.html", draft=draft, nodes=nodes, found=found, trail=trail,
        may_review=drafts.may_review(who, draft), may_edit=drafts.may_edit(who, draft),
        error=error, comment=comment, tz=_zone(draft.plan_data)), status


@bp.post("/<draft_id>/approve")
@signedin.signed_in(Role.HR, Role.ADMIN)
def approve(draft_id: str) -> Any:
    who = signedin.principal()
    draft = _get(draft_id, action="open to approve")
    if not drafts.may_review(who, draft):
        return _review_page(draft, who, error=_("Only HR of the author's team approve this "
                                                "plan, once it is submitted."), status=403)
    return _send(draft, version=_version())


@bp.post("/<draft_id>/return")
@signedin.signed_in(Role.HR, Role.ADMIN)
def return_to_author(draft_id: str) -> Any:
    who, now = signedin.principal(), signedin.now()
    draft = _get(draft_id, action="open to return")
    comment = request.form.get("comment", "")
    try:
        drafts.return_to_author(current.services().sessions, who, draft.id,
                                version=_version(), comment=comment, now=now)
    except DraftError as exc:
        return _review_page(draft, who, error=signedin.problem_text(exc), comment=comment,
                            status=409 if isinstance(exc, DraftConflict) else 400)
    return redirect(url_for(".review", draft_id=draft.id, returned=1))


def _send(draft: Draft, *, version: int | None = None) -> Any:
    """Send the draft (approving it, if submitted); on failure, the page it was sent from
    again (the editor for one's own draft, else the approval page), saying why."""
    who, services = signedin.principal(), current.services()
    try:
        drafts.send(
            services.sessions, who, draft.id, version=draft.version if version is None
            else version, options=_options(draft), converter=services.converter,
            actor=envelopes.Actor(who.actor, request.remote_addr,
                                  request.user_agent.string[:500] or None),
            now=signedin.now(), policy=_policy())
    except LintFailed as exc:
        count = sum(1 for f in exc.findings if str(f.severity) == "error")
        return _not_sent(draft, 422, _("Not sent: the plan has %(count)d lint error(s), "
                                       "listed below; correct them, or return the plan "
                                       "to its author with comments.", count=count))
    except PlanError as exc:
        return _not_sent(draft, 422, _("Not sent: %(problems)s",
                                       problems=_problems_text(exc)))
    except DraftError as exc:
        return _not_sent(draft, 409 if isinstance(exc, DraftConflict) else 400,
                         signedin.problem_text(exc))
    except DocgenError:
        return _not_sent(draft, 503, _("Not sent: the PDF could not be made just now. "
                                       "Nothing was sent; try again in a minute."))
    return redirect(url_for(".review", draft_id=draft.id, sent=1))


def _not_sent(draft: Draft, status: int, message: str) -> Any:
    # The draft as it is now: a failed send has moved its version on (it was claimed).
    fresh = _get(draft.id, action="open after a failed send")
    who = signedin.principal()
    if drafts.may_edit(who, fresh):
        return _editor(fresh, fresh.plan_data, error=message, status=status)
    return _review_page(fresh, who, error=message, status=status)


# -- helpers -----------------------------------------------------------------------------


def _get(draft_id: str, *, action: str = "open") -> Draft:
    try:
        return drafts.get(current.services().sessions, signedin.principal(), draft_id,
                          now=signedin.now(), action=action)
    except DraftNotFound:
        abort(404)


def _editor(draft: Draft, data: dict[str, Any], *, version: int | None = None,
            error: str | None = None, notice: str | None = None,
            import_error: str | None = None, focus: str | None = None,
            status: int = 200) -> Any:
    who = signedin.principal()
    parts = _sections()
    nodes = draftform.form_tree(data, parts, default_language=_default_language())
    found = draftform.findings_for(data, set(draftform.slots(nodes)), parts)
    policy = _policy()
    return render_template(
        "console/editor.html", draft=draft, nodes=nodes, found=found,
        version=draft.version if version is None else version, error=error, notice=notice,
        import_error=import_error, focus=focus,
        may_submit=drafts.may_submit(who, draft, policy),
        may_send=drafts.may_send_own(who, draft, policy), tz=_zone(data)), status


def _default_language() -> str:
    """The language of a plan that names none (the default_language setting)."""
    return default_language(current.services().settings)


def _sections() -> tuple[draftform.Part, ...]:
    return draftform.sections(_template_names())


def _template_names() -> list[str]:
    settings = current.services().settings
    folder = Path(settings.templates_dir) if settings.templates_dir else BUILTIN_TEMPLATES
    # One name per template, not one per language (standard.fr.docx is standard's).
    return template_names(folder) or [settings.default_template]


def _template_name(data: dict[str, Any]) -> str | None:
    name = data.get("template")
    return name if isinstance(name, str) and name in _template_names() else None


def _options(draft: Draft, *, force: bool = False) -> SendOptions:
    """How the console sends: as the API does, the plan's template (else the default),
    the sender's HR team sharing the envelope."""
    settings = current.services().settings
    folder = Path(settings.templates_dir) if settings.templates_dir else BUILTIN_TEMPLATES
    name = _template_name(draft.plan_data) or settings.default_template
    branding = current.services().branding
    return SendOptions(template=resolve_template(name, folder),
                       company_name=branding.legal_name, logo=branding.logo,
                       expires_in=dt.timedelta(days=settings.link_max_age_days),
                       force=force, team=signedin.principal().team or draft.team,
                       limits=plan_limits(settings),
                       language=default_language(settings),
                       day_ends=day_ends(settings))


def _policy() -> drafts.Policy:
    return drafts.Policy.of(current.services().settings)


def _version() -> int:
    text = request.form.get("version", "")
    if not text.isdigit() or len(text) > 9:
        abort(400)
    return int(text)


def _back(draft: Draft) -> str:
    return url_for(".edit" if drafts.may_edit(signedin.principal(), draft) else ".review",
                   draft_id=draft.id)


def _zone(data: dict[str, Any] | None = None) -> str:
    """The zone times are shown in: the person's, else the plan's check-ins', else UTC."""
    checkins = (data or {}).get("checkins")
    zone = checkins.get("timezone") if isinstance(checkins, dict) else None
    return signedin.zone_name(zone if isinstance(zone, str) and len(zone) < 60 else None)
