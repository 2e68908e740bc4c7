"""``plansign case``: a plan's case at the command line, as the server's operator (an
admin): read it, record a check-in from a file, extend it, propose its outcome from a
file, approve or return it, and close it early. Reads are in the access log as
``cli:<user>``, and each check-in on the plan's audit trail; what the employee and the
record read names a person (``--as NAME``, else the plan's manager or HR contact), never
the operator's login."""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from signing.services import Services


@click.group("case")
def case_group() -> None:
    """A plan's case after its sending: its check-ins, overdue meetings and gaps."""


@case_group.command("show")
@click.argument("envelope_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
@click.pass_obj
def show_cmd(services: Services, envelope_id: str, as_json: bool) -> None:
    """The case: its dates, every scheduled meeting with its record, what is overdue,
    and stretches of more than two weeks with no check-in held."""
    from signing.domain import access, authorize, case_service

    now = dt.datetime.now(dt.UTC)
    authorize.check_case(services, access.operator(getpass.getuser()), envelope_id,
                         "envelope case", now=now)
    with services.readers() as session:
        view = case_service.read_case(session, envelope_id, now=now,
                                      settings=case_service.CaseSettings.of(services.settings))
    if as_json:
        click.echo(json.dumps(_as_data(view), indent=2, ensure_ascii=False))
        return
    case = view.case
    click.echo(f"case of envelope {view.envelope_id}: {case.state}, {view.employee_name}, "
               f"{case.start} to {case.end} (times in {view.zone})")
    for meeting in view.schedule:
        record = view.record(meeting.number)
        when = f"{meeting.starts:%a %Y-%m-%d %H:%M}"
        if record is None:
            click.echo(f"  {meeting.number:>2}. {when}: not recorded")
            continue
        checkin = record.checkin
        told = (f"held {checkin.held_at.astimezone(meeting.starts.tzinfo):%Y-%m-%d %H:%M}"
                if checkin.held_at else f"missed: {checkin.missed_reason}")
        goals = ", ".join(f"goal {g.goal} {g.status}"
                          + (f" {g.value:g}" if g.value is not None else "")
                          for g in checkin.goals)
        answer = ("acknowledged" if record.acknowledged_at else
                  "no answer in time" if record.unanswered_at else "not yet answered")
        click.echo(f"  {meeting.number:>2}. {when}: {told}; recorded by {checkin.recorded_by}"
                   + (f"; {goals}" if goals else "") + f"; employee: {answer}"
                   + (f", {len(record.comments)} comment(s)" if record.comments else ""))
    for overdue in view.overdue:
        number = overdue.meeting.number
        told = ("; the manager was reminded, and HR alerted"
                if (number, "checkin.hr_alerted") in view.reminded else
                "; the manager was reminded" if (number, "checkin.missed") in view.reminded
                else "")
        click.echo(f"  overdue: check-in {number} has no record{told}")
    for gap in view.gaps:
        click.echo(f"  gap: {gap.days} days with no check-in held, {gap.start} to {gap.end}")


# ``--as NAME``: who did it, as the employee and the record read it (see _named).
_AS_HELP = ("The name the employee and the record read for who did this (default: the "
            "plan's %s); the audit trail names you, the operator.")
_AS_MANAGER = click.option("--as", "named", default="", metavar="NAME",
                           help=_AS_HELP % "manager")
_AS_HR = click.option("--as", "named", default="", metavar="NAME",
                      help=_AS_HELP % "HR contact")


@case_group.command("checkin")
@click.argument("envelope_id")
@click.option("--file", "path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The check-in as YAML or JSON: meeting, held_at (in the plan's zone) or "
                   "missed_reason, attendees, goals (by number: status, value, note), notes, "
                   "support_given, next_steps, employee_view.")
@_AS_MANAGER
@click.pass_obj
def checkin_cmd(services: Services, envelope_id: str, path: Path, named: str) -> None:
    """Record a check-in meeting of the case; the employee is emailed the record."""
    from docgen.loading import parse_plan_text
    from signing.domain import access, authorize, case_service, envelopes
    from signing.domain.cases import CaseError
    from signing.domain.errors import SigningError

    user = getpass.getuser()
    now = dt.datetime.now(dt.UTC)
    authorize.check_case(services, access.operator(user), envelope_id,
                         "envelope record check-in", now=now)
    try:
        form = case_service.checkin_form(parse_plan_text(
            path.read_text(encoding="utf-8"), fmt="json" if path.suffix == ".json" else "yaml",
            source=str(path)))
        with services.sessions.begin() as session:
            recorded = case_service.record_checkin(
                session, envelope_id, form, actor=envelopes.Actor(f"cli:{user}"),
                recorder=_named(session, envelope_id, named, "manager"), now=now,
                settings=case_service.CaseSettings.of(services.settings))
    except CaseError as exc:  # nothing was recorded; say which field to correct
        raise SigningError(f"{exc.field}: {exc}" if exc.field else str(exc)) from None
    click.echo(f"recorded check-in {recorded.meeting} of envelope {envelope_id} "
               f"({'held' if recorded.checkin.held else 'missed'}); the employee is emailed "
               "the record")


def _as_data(view: Any) -> dict[str, Any]:
    from signing.web.api.case_schemas import CaseOut

    return CaseOut.of(view).model_dump(mode="json")


# -- the case's end (signing.domain.case_close) ------------------------------------------


@case_group.command("propose")
@click.argument("envelope_id")
@click.option("--file", "path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The outcome as YAML or JSON: outcome (met or not_met), summary, goals "
                   "(by number: assessment, result, evidence; every goal of the plan).")
@_AS_MANAGER
@click.pass_obj
def propose_cmd(services: Services, envelope_id: str, path: Path, named: str) -> None:
    """Propose the outcome at the plan's end, with evidence for each goal; HR approve it."""
    from docgen.loading import parse_plan_text
    from signing.domain import case_close

    user, now = getpass.getuser(), _checked(services, envelope_id, "propose outcome")
    with _case_errors():
        form = case_close.outcome_form(parse_plan_text(
            path.read_text(encoding="utf-8"), fmt="json" if path.suffix == ".json" else "yaml",
            source=str(path)))
        with services.sessions.begin() as session:
            proposal = case_close.propose_outcome(
                session, envelope_id, form, actor=_actor(user),
                proposer=_named(session, envelope_id, named, "manager"), now=now)
    click.echo(f"proposed the outcome {proposal.outcome} of envelope {envelope_id}, with "
               f"evidence for {len(proposal.results)} goal(s); it waits for HR's approval")


@case_group.command("approve")
@click.argument("envelope_id")
@_AS_HR
@click.pass_obj
def approve_cmd(services: Services, envelope_id: str, named: str) -> None:
    """Approve the proposed outcome: its letter is rendered and sent to the employee; the
    case closes when the letter's record is archived."""
    from signing.domain import case_close

    user, now = getpass.getuser(), _checked(services, envelope_id, "approve outcome")
    with _case_errors():
        with services.sessions() as session:
            approver = _named(session, envelope_id, named, "hr")
        letter_id = case_close.approve_outcome(
            services.sessions, envelope_id, actor=_actor(user), approver=approver,
            options=case_close.LetterOptions.of(services.settings, services.converter,
                                                   services.branding.logo),
            now=now)
    click.echo(f"approved; the outcome letter (envelope {letter_id}) is sent to the employee")


@case_group.command("return")
@click.argument("envelope_id")
@click.option("--comment", required=True, help="What the proposer should correct.")
@click.pass_obj
def return_cmd(services: Services, envelope_id: str, comment: str) -> None:
    """Return the proposed outcome to its proposer with a comment."""
    from signing.domain import case_close

    user, now = getpass.getuser(), _checked(services, envelope_id, "return outcome")
    with _case_errors(), services.sessions.begin() as session:
        case_close.return_outcome(session, envelope_id, comment, actor=_actor(user), now=now)
    click.echo(f"returned the proposed outcome of envelope {envelope_id} with your comment")


@case_group.command("close")
@click.argument("envelope_id")
@click.option("--outcome", required=True, type=click.Choice(["resigned", "withdrawn"]))
@click.option("--reason", required=True, help="Why the case closes early.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_AS_HR
@click.pass_obj
def close_cmd(services: Services, envelope_id: str, outcome: str, reason: str,
              yes: bool, named: str) -> None:
    """Close the case early (the employee resigned, the plan was withdrawn): at once, no
    letter; its case file is then made and archived."""
    from signing.domain import case_close

    if not yes:
        click.confirm(f"Close the case of envelope {envelope_id} now as {outcome}? Nothing "
                      "more can be recorded on it", abort=True)
    user, now = getpass.getuser(), _checked(services, envelope_id, "close case")
    with _case_errors(), services.sessions.begin() as session:
        case_close.close_early(session, envelope_id, outcome, reason, actor=_actor(user),
                               closer=_named(session, envelope_id, named, "hr"), now=now)
    click.echo(f"closed the case of envelope {envelope_id} ({outcome}); its case file is "
               "made by the worker")


@case_group.command("extend")
@click.argument("envelope_id")
@click.option("--days", required=True, type=str,
              help="How many days to add to the plan's end (case_max_extension_days in "
                   "all).")
@click.option("--reason", required=True, help="Why the plan is extended (on the record).")
@click.option("--cadence", default="", help="weekly, biweekly or monthly: the check-ins' "
                                            "cadence from now on (default: the plan's).")
@click.option("--goals", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The adjusted goals as YAML or JSON: a list of {goal: N, and any of "
                   "statement, metric, baseline, target}.")
@_AS_HR
@click.pass_obj
def extend_cmd(services: Services, envelope_id: str, days: str, reason: str, cadence: str,
               path: Path | None, named: str) -> None:
    """Extend the case: its end moves by --days; the amended plan (marked as amendment N
    of the plan) is sent to the employee to acknowledge, and the new meetings (and any
    cancelled ones) to the employee and the manager."""
    from docgen.loading import parse_plan_text
    from signing.domain import case_extension

    user, now = getpass.getuser(), _checked(services, envelope_id, "extend case")
    with _case_errors():
        goals: Any = []
        if path is not None:
            goals = parse_plan_text(path.read_text(encoding="utf-8"),
                                    fmt="json" if path.suffix == ".json" else "yaml",
                                    source=str(path))
        form = case_extension.extension_form({"days": days, "reason": reason,
                                              "cadence": cadence, "goals": goals})
        with services.sessions() as session:
            extender = _named(session, envelope_id, named, "hr")
        extension = case_extension.extend_case(
            services.sessions, envelope_id, form, actor=_actor(user), extender=extender,
            options=case_extension.ExtensionOptions.of(services.settings, services.converter,
                                                       services.branding.logo),
            now=now)
    click.echo(f"extended the case of envelope {envelope_id} by {extension.days} days, to "
               f"{extension.new_end} (amendment {extension.number}); the amended plan "
               f"(envelope {extension.amendment_envelope_id}) is sent to the employee")


def _checked(services: Services, envelope_id: str, action: str) -> dt.datetime:
    from signing.domain import access, authorize

    now = dt.datetime.now(dt.UTC)
    authorize.check_case(services, access.operator(getpass.getuser()), envelope_id,
                         f"envelope {action}", now=now)
    return now


# The longest name --as takes: a person's name, as the plan's people are limited.
_MOST_NAME = 200


def _named(session: Any, envelope_id: str, given: str, role: str) -> str:
    """Who did this, as the employee and the record read it: ``--as NAME``, else the
    plan's manager or HR contact (``role``), never the operator's login (``cli:root``,
    which the audit trail keeps as the actor)."""
    from docgen import plan_from_data
    from signing.domain.envelopes import EnvelopeNotFound
    from signing.domain.errors import SigningError
    from signing.domain.models import EnvelopeRow

    name = " ".join(given.split())
    if given and not name:
        raise SigningError("--as: give the name of the person who did this, or leave it out")
    if len(name) > _MOST_NAME:
        raise SigningError(f"--as: a name may be up to {_MOST_NAME} characters")
    if name:
        return name
    row = session.get(EnvelopeRow, envelope_id)
    if row is None:  # checked by authorize.check_case just before; refused the same way
        raise EnvelopeNotFound(envelope_id)
    plan = plan_from_data(row.plan_data)
    return plan.manager.name if role == "manager" else plan.hr.name


def _actor(user: str) -> Any:
    from signing.domain import envelopes

    return envelopes.Actor(f"cli:{user}")


@contextlib.contextmanager
def _case_errors() -> Iterator[None]:
    """A case's bad input, said with the field to correct; nothing was recorded."""
    from signing.domain.cases import CaseError
    from signing.domain.errors import SigningError

    try:
        yield
    except CaseError as exc:
        raise SigningError(f"{exc.field}: {exc}" if exc.field else str(exc)) from None


@case_group.command("backfill-checkin-records")
@click.option("--dry-run", is_flag=True, help="Only say how many would be queued.")
@click.pass_obj
def backfill_checkin_records_cmd(services: Services, dry_run: bool) -> None:
    """Queue the sealed PDF of every answered check-in that has none (those answered before
    plansign kept check-in records as PDFs); the worker makes them. Safe to rerun."""
    from signing.domain import checkin_record_task

    now = dt.datetime.now(dt.UTC)
    with services.sessions() as session:
        queued = checkin_record_task.backfill(session, now=now)
        if not dry_run:
            session.commit()
    verb = "would queue" if dry_run else "queued"
    click.echo(f"{verb} {len(queued)} check-in record(s) to be made by the worker")
