"""``plansign case``: a plan's case at the command line, as the server's operator (an
admin): read it, and record a check-in from a file. Reads are in the access log as
``cli:<user>``, and each check-in on the plan's audit trail."""

from __future__ import annotations

import datetime as dt
import getpass
import json
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


@case_group.command("checkin")
@click.argument("envelope_id")
@click.option("--file", "path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The check-in as YAML or JSON: meeting, held_at (in the plan's zone) or "
                   "missed_reason, attendees, goals (by number: status, value, note), notes, "
                   "support_given, next_steps, employee_view.")
@click.pass_obj
def checkin_cmd(services: Services, envelope_id: str, path: Path) -> None:
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
                recorder=f"cli:{user}", now=now,
                settings=case_service.CaseSettings.of(services.settings))
    except CaseError as exc:  # nothing was recorded; say which field to correct
        raise SigningError(f"{exc.field}: {exc}" if exc.field else str(exc)) from None
    click.echo(f"recorded check-in {recorded.meeting} of envelope {envelope_id} "
               f"({'held' if recorded.checkin.held else 'missed'}); the employee is emailed "
               "the record")


def _as_data(view: Any) -> dict[str, Any]:
    from signing.web.api.case_schemas import CaseOut

    return CaseOut.of(view).model_dump(mode="json")
