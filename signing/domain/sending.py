"""Sending a plan: plan data in, a sent envelope out. Used by the API and the CLI.

Validation, lint and document generation (the slow part: LibreOffice) run before the
database transaction; the envelope, its signers, its PDF, the audit events and the
invitation rows are then written in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

import webhooks
from config import Settings, SettingsError
from docgen import Job, Plan, PlanError, PlanLimits, build, check, lint_data
from docgen.errors import Problem
from docgen.generate import PdfConverter
from docgen.languages import language_problem
from docgen.lintdata import DataLint
from docgen.logo import Logo
from docgen.model import RoutingPlace
from signing.domain import envelopes
from signing.domain import workflow as wf
from signing.domain.working_day import DEFAULT_DAY_ENDS, parse_day_end, working_day

# Routing orders: those signing before the employee, the employee, those signing after.
_ORDER = {RoutingPlace.BEFORE: 1, None: 2, RoutingPlace.AFTER: 3}


@dataclass(frozen=True)
class SendOptions:
    template: Path
    company_name: str | None
    expires_in: dt.timedelta
    force: bool = False
    team: str | None = None  # the sender's HR team, which shares the envelope
    limits: PlanLimits | None = None  # see plan_limits
    # The plan's language when it names none (the default_language setting): the
    # envelope's plan data always names the language its signers are written to in.
    language: str = "en"
    logo: Logo | None = None  # the company's, in the documents' header
    # When a working day ends (deadline_time): the deadline is one, in the plan's zone.
    day_ends: dt.time = DEFAULT_DAY_ENDS


def plan_limits(settings: Settings) -> PlanLimits:
    """How big a plan plansign sends may be: the API and `plansign send` alike."""
    return PlanLimits(max_chars=settings.max_plan_chars, max_pages=settings.max_plan_pages)


def default_language(settings: Settings) -> str:
    """The ``default_language`` setting, checked: a plan that names no language is
    written to its employee in it."""
    code = str(settings.default_language).strip().lower()
    problem = language_problem(code)
    if problem:
        raise SettingsError(f"default_language: {problem}", "default_language")
    return code


def day_ends(settings: Settings) -> dt.time:
    """The ``deadline_time`` setting, checked: when a signer's working day ends."""
    try:
        return parse_day_end(str(settings.deadline_time))
    except ValueError as exc:
        raise SettingsError(str(exc), "deadline_time") from None


def signer_specs(plan: Plan) -> list[envelopes.SignerSpec]:
    """The employee, plus the manager and HR where the plan's routing adds them."""
    return [envelopes.SignerSpec(wf.Role(role), person.name, person.email, _ORDER[place])
            for role, person, place in plan.signers()]


def send_plan(sessions: sessionmaker[Session], plan_data: dict[str, Any], *,
              options: SendOptions, converter: PdfConverter, actor: envelopes.Actor,
              now: dt.datetime, source: str | None = None,
              drafted_by: str | None = None,
              with_envelope: Callable[[Session, str], None] | None = None) -> str:
    """Validate, lint, render and convert a plan, then create and send its envelope.
    ``drafted_by`` names whoever drafted it in the console (a manager, who may then
    follow the envelope: :mod:`signing.domain.access`). ``with_envelope`` writes what
    else the sending changes (the draft it came from, marked sent) in the same
    transaction as the envelope, so that a crash leaves both or neither.

    Raises :class:`docgen.PlanError` (field paths; also for a ``manager.webhook`` that
    names no enabled endpoint, and for a plan over ``options.limits``, checked before
    LibreOffice sees it and again by its page count) or :class:`docgen.LintFailed` before
    anything is written.
    """
    checked = lint_data(plan_data, source=source)
    plan = _plan_of(checked, source)
    check_webhook(sessions, plan, owner=actor.name, team=options.team, source=source)
    pdf = signature_pdf(plan, options=options, converter=converter, now=now, source=source)
    stored = plan.model_dump(mode="json", by_alias=True, exclude_none=True)
    stored["language"] = plan.language or options.language
    with sessions.begin() as session:
        envelope_id = envelopes.create_envelope(
            session, plan_data=stored, template=options.template.stem, pdf=pdf,
            signers=signer_specs(plan), actor=actor, now=now, team=options.team,
            drafted_by=drafted_by, lint_findings=len(checked.findings))
        envelopes.perform(session, envelope_id, wf.Action.SEND, actor=actor, now=now,
                          expires_in=options.expires_in,
                          working_day=working_day(plan, options.day_ends))
        if with_envelope is not None:
            with_envelope(session, envelope_id)
    return envelope_id


def checked_plan(plan_data: dict[str, Any], *, source: str | None = None) -> Plan:
    """The plan of ``plan_data``, or :class:`docgen.PlanError` with its problems and the
    findings of what could be linted."""
    return _plan_of(lint_data(plan_data, source=source), source)


def _plan_of(checked: DataLint, source: str | None) -> Plan:
    if checked.plan is None:
        raise PlanError(checked.problems, source, findings=checked.findings)
    return checked.plan


def signature_pdf(plan: Plan, *, options: SendOptions, converter: PdfConverter,
                  now: dt.datetime, source: str | None = None) -> bytes:
    """The PDF signers are sent: lint checked (unless ``options.force``), rendered and
    converted for signature. The console's preview is this same build."""
    job = Job(source or plan.plan_id or "plan", plan, options.template, source)
    check(job, force=options.force)
    return build(job, formats=["pdf"], company_name=options.company_name,
                 converter=converter, generated_at=now, logo=options.logo,
                 limits=options.limits, for_signature=True).files["pdf"]


def check_webhook(sessions: sessionmaker[Session], plan: Plan, *, owner: str,
                  team: str | None = None, source: str | None = None) -> None:
    """The endpoint a plan names (``manager.webhook``) must exist, be enabled and belong
    to someone who may see the plan: else the manager's notices would go nowhere,
    silently. Another team's endpoint is told as not existing."""
    name = plan.manager.webhook
    if name is None:
        return
    with sessions() as session:
        endpoint = webhooks.find_by_name(session, name)
        if endpoint is None or not webhooks.hears_of(endpoint, owner=owner, team=team):
            problem = (f"no webhook endpoint is named {name}; register it with `plansign "
                       f"webhooks add URL --name {name} ...`, or correct the name")
        elif endpoint.disabled_at is not None:
            problem = (f"the webhook endpoint {name} is disabled "
                       f"({endpoint.disabled_reason}); enable it, or name another")
        else:
            return
    raise PlanError([Problem("manager.webhook", problem)], source=source)
