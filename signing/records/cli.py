"""``plansign archive``: records staff's commands, over the same services as the records
API (:mod:`signing.records.service`, :mod:`archive`). Reads are logged as ``cli:<user>``."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path
from typing import Any, overload

import click

from archive import (
    OUTCOMES,
    LegalHold,
    Reader,
    SearchQuery,
    access_log,
    describe,
    export_bundle,
    lift_hold,
    place_hold,
    purge,
)
from signing.cli.service import verify_cmd
from signing.domain import access, erasure, failpoints
from signing.domain.access import Principal
from signing.records import service as records
from signing.services import Services


def _reader() -> Reader:
    return access.access_reader(_caller())


def _caller() -> Principal:
    return access.operator(getpass.getuser())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@overload
def _day(value: dt.datetime, *, end: bool = False) -> dt.datetime: ...
@overload
def _day(value: None, *, end: bool = False) -> None: ...
def _day(value: dt.datetime | None, *, end: bool = False) -> dt.datetime | None:
    """A date from the command line as the start (or end) of that day in UTC."""
    if value is None:
        return None
    value = value.replace(tzinfo=dt.UTC)
    return value + dt.timedelta(days=1, microseconds=-1) if end else value


@click.group("archive")
@click.pass_obj
def archive_group(services: Services) -> None:
    """Find, retrieve, verify and keep archived plans."""
    services.retention_policy  # noqa: B018 -- a retention rule that is wrong is said first


DATE = click.DateTime(formats=["%Y-%m-%d"])


@archive_group.command("search")
@click.option("--name", help="Part of the employee's name (case and accents ignored).")
@click.option("--employee-id")
@click.option("--manager", help="Part of the manager's name.")
@click.option("--department")
@click.option("--outcome", type=click.Choice(OUTCOMES))
@click.option("--sent-from", type=DATE)
@click.option("--sent-to", type=DATE)
@click.option("--completed-from", type=DATE)
@click.option("--completed-to", type=DATE)
@click.option("--sort", default="-completed_at", show_default=True,
              help="completed_at, sent_at, employee_name or plan_id; - for descending.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 200))
@click.option("--offset", default=0, type=click.IntRange(0))
@click.option("--json", "as_json", is_flag=True, help="JSON for machines.")
@click.pass_obj
def search_cmd(services: Services, name: str | None, employee_id: str | None,
               manager: str | None, department: str | None, outcome: str | None,
               sent_from: dt.datetime | None, sent_to: dt.datetime | None,
               completed_from: dt.datetime | None, completed_to: dt.datetime | None,
               sort: str, limit: int, offset: int, as_json: bool) -> None:
    """Search archived plans."""
    query = SearchQuery(name=name, employee_id=employee_id, manager=manager,
                        department=department, outcome=outcome, sent_from=_day(sent_from),
                        sent_to=_day(sent_to, end=True), completed_from=_day(completed_from),
                        completed_to=_day(completed_to, end=True), sort=sort, limit=limit,
                        offset=offset)
    page = records.find(services.sessions, _caller(), query, now=_now())
    if as_json:
        click.echo(json.dumps({"total": page.total, "total_exact": page.total_exact,
                               "limit": page.limit, "offset": page.offset,
                               "records": [describe(r) for r in page.records]},
                              indent=2, ensure_ascii=False))
        return
    counted = f"{page.total}" if page.total_exact else f"more than {page.total:,}"
    click.echo(f"{counted} archived plan(s)" + (
        f", showing {page.offset + 1}-{page.offset + len(page.records)}" if page.records
        else ""))
    rows = [("envelope", "plan", "employee", "manager", "department", "outcome", "completed",
             "hold")] + [
        (r.envelope_id, r.plan_id, r.employee_name, r.manager_name, r.department or "",
         r.outcome, f"{r.completed_at:%Y-%m-%d}", "hold" if r.on_hold else "")
        for r in page.records]
    if page.records:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths,
                                                                          strict=True)).rstrip())


@archive_group.command("get")
@click.argument("envelope_id")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the documents into.")
@click.pass_obj
def get_cmd(services: Services, envelope_id: str, out: Path) -> None:
    """Write an archived plan's documents, its check-in records' PDFs and its manifest
    into a folder."""
    from docgen import write_atomic

    sessions, store, caller = services.sessions, services.store, \
        _caller()
    record, _ = records.read_record(sessions, store, caller, envelope_id, now=_now())
    for name in records.DOCUMENTS:
        if getattr(record, records.DOCUMENTS[name]) is None:
            continue  # the case file, before the plan's case closed
        data = records.read_document(sessions, store, caller, envelope_id, name, now=_now())
        write_atomic(out / name, data)
        click.echo(f"{out / name}  sha256 {getattr(record, records.DOCUMENTS[name])}")
    # The employee's check-in records, every version, each read (and logged) as a document.
    checkins = records.checkin_pdfs(sessions, envelope_id)
    for pdf in checkins:
        data = records.read_document(sessions, store, caller, envelope_id, pdf.name,
                                     now=_now())
        write_atomic(out / pdf.name, data)
        click.echo(f"{out / pdf.name}  sha256 {pdf.sha256}")
    write_atomic(out / "manifest.json",
                 json.dumps(describe(record, checkins), indent=2, ensure_ascii=False).encode())
    click.echo(f"{out / 'manifest.json'}")


archive_group.add_command(verify_cmd, "verify")


@archive_group.command("access-log")
@click.option("--envelope", "envelope_id", help="Only reads of this envelope's record.")
@click.option("--denied", is_flag=True, help="Only denied reads.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def access_log_cmd(services: Services, envelope_id: str | None, denied: bool, limit: int,
                   as_json: bool) -> None:
    """Who read what in the archive, newest first."""
    with services.sessions() as session:
        entries = access_log(session, envelope_id=envelope_id, limit=limit, denied_only=denied)
        rows: list[dict[str, Any]] = [
            {"at": e.at.isoformat(), "actor": e.actor, "role": e.role, "action": e.action,
             "envelope_id": e.envelope_id, "detail": e.detail, "ip": e.ip,
             "allowed": e.allowed} for e in entries]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        verdict = "" if row["allowed"] else "DENIED "
        click.echo(f"{row['at'][:19]}  {verdict}{row['action']:<24} {row['envelope_id'] or '-':<36}"
                   f"  {row['actor']}  {row['ip'] or ''}  {row['detail'] or ''}".rstrip())


@archive_group.command("hold")
@click.argument("envelope_id", required=False)
@click.option("--department", help="Hold every record of this department, archived now or "
                                   "later (case ignored).")
@click.option("--manager", help="Hold every plan of this manager (their full name as the "
                                "records have it; case and accents ignored).")
@click.option("--reason", required=True, help="Why the records must be kept (e.g. a claim).")
@click.pass_obj
def hold_cmd(services: Services, envelope_id: str | None, department: str | None,
             manager: str | None, reason: str) -> None:
    """Place a legal hold on one record, or over a department's or a manager's records:
    they are kept past their retention period until the hold is released."""
    given = [name for name, value in (("ENVELOPE_ID", envelope_id),
                                      ("--department", department),
                                      ("--manager", manager)) if value is not None]
    if len(given) != 1:
        raise click.UsageError("give one of ENVELOPE_ID, --department or --manager")
    if envelope_id is not None:
        with services.sessions.begin() as session:
            place_hold(session, envelope_id, reason=reason, by=_reader(), now=_now())
        click.echo(f"envelope {envelope_id} is on legal hold")
        return
    scope, value = ("department", department) if department is not None else \
        ("manager", manager)
    assert value is not None
    hold = records.hold_group(services.sessions, _caller(), scope, value, reason=reason,
                              now=_now())
    click.echo(f'legal hold {hold.id} placed on {scope} "{hold.value}": it keeps every '
               f"record of theirs, archived now or later, until it is released")


@archive_group.command("holds")
@click.option("--released", is_flag=True, help="Released holds too.")
@click.option("--json", "as_json", is_flag=True, help="JSON for machines.")
@click.pass_obj
def holds_cmd(services: Services, released: bool, as_json: bool) -> None:
    """List the legal holds over departments and managers, with the records each keeps."""
    found = records.group_holds(services.sessions, _caller(), released=released, now=_now())
    rows = [hold_json(hold, count) for hold, count in found]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("no legal holds over a department or manager" +
                   ("" if released else " in force"))
    for row in rows:
        state = (f"released {row['released_at'][:10]} by {row['released_by']}: "
                 f"{row['release_reason']}" if row["released_at"]
                 else f"{row['records']} record(s) held now")
        click.echo(f"{row['id']:>4}  {row['scope']} \"{row['value']}\"  placed "
                   f"{row['placed_at'][:10]} by {row['placed_by']}: {row['reason']}  [{state}]")


def hold_json(hold: LegalHold, count: int) -> dict[str, Any]:
    return {"id": hold.id, "scope": hold.scope, "value": hold.value, "reason": hold.reason,
            "placed_by": hold.placed_by, "placed_at": hold.placed_at.isoformat(),
            "released_at": hold.released_at.isoformat() if hold.released_at else None,
            "released_by": hold.released_by, "release_reason": hold.release_reason,
            "records": count}


@archive_group.command("release")
@click.argument("envelope_id", required=False)
@click.option("--hold", "hold_id", type=click.IntRange(min=1),
              help="Release this hold over a department or manager (its id, from "
                   "archive holds).")
@click.option("--reason", required=True, help="Why the hold ends.")
@click.pass_obj
def release_cmd(services: Services, envelope_id: str | None, hold_id: int | None,
                reason: str) -> None:
    """Lift a legal hold on one record, or release one over a department or manager."""
    if (envelope_id is None) == (hold_id is None):
        raise click.UsageError("give one of ENVELOPE_ID or --hold")
    if hold_id is not None:
        hold = records.release_group(services.sessions, _caller(), hold_id, reason=reason,
                                     now=_now())
        click.echo(f'legal hold {hold.id} on {hold.scope} "{hold.value}" is released')
        return
    assert envelope_id is not None
    with services.sessions.begin() as session:
        lift_hold(session, envelope_id, reason=reason, by=_reader(), now=_now())
    click.echo(f"the legal hold on envelope {envelope_id} is lifted")


@archive_group.command("purge")
@click.option("--execute", is_flag=True, help="Delete; without it, only say what would go.")
@click.pass_obj
def purge_cmd(services: Services, execute: bool) -> None:
    """Delete records past their retention period that are not on hold (dry run by
    default), leaving a tombstone for each, and erase what the signing database still
    holds of them."""
    sessions = services.sessions
    plan = purge(sessions, services.store, now=_now(), by=_reader(), execute=execute,
                 on_commit=lambda: failpoints.reached("purge.committed"),
                 on_deleted=lambda: failpoints.reached("purge.swept"))
    if execute:
        # The signing database's copy goes too (plan, PDFs, names, comments, trail);
        # this also finishes a purge that stopped before erasing.
        with sessions.begin() as session:
            erased = erasure.erase_purged(session)
        failpoints.reached("purge.erased")
        # Their check-in records' PDFs only now that the erasure is committed.
        erasure.sweep_purged_checkin_blobs(sessions, services.store)
        if erased:
            click.echo(f"erased {len(erased)} envelope(s) from the signing database")
    verb = "purged" if execute else "would purge"
    for envelope_id in plan.due:
        click.echo(f"{verb} {envelope_id}")
    for envelope_id in plan.held:
        click.echo(f"kept {envelope_id}: on legal hold: "
                   + "; ".join(plan.kept_by.get(envelope_id, [])))
    click.echo(f"{len(plan.due)} record(s) {verb}, {len(plan.held)} kept on hold"
               + ("" if execute else "; run with --execute to delete"))


@archive_group.command("export")
@click.option("--since", required=True, type=DATE, help="Completed on or after (YYYY-MM-DD).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def export_cmd(services: Services, since: dt.datetime, out: Path) -> None:
    """Write every plan completed since a date into one zip, for an HRIS or a legal team."""
    with services.sessions.begin() as session:
        count = export_bundle(session, services.store, since=_day(since),
                              out=out, by=_reader(), now=_now(),
                              checkins_of=lambda envelope_id: records.checkins_in(
                                  session, envelope_id))
    click.echo(f"{count} record(s) written to {out}")


@archive_group.command("refresh-timestamps")
@click.option("--dry-run", is_flag=True, help="Only say which records are due, and why.")
@click.option("--limit", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Records to handle at most in this run.")
@click.pass_obj
def refresh_timestamps_cmd(services: Services, dry_run: bool, limit: int) -> None:
    """Add a new archive timestamp to every record whose last timestamp's certificate
    expires within seal_refresh_days_before, or that uses a digest in
    seal_retired_digests. Each becomes a new version of the record's final PDF (the
    earlier ones are kept), recorded in the envelope's audit trail. Exits 1 if any
    record due could not be refreshed."""
    from signing.worker.refresh import refresh_policy, run_refresh

    policy = refresh_policy(services)
    if policy is None:
        raise click.UsageError("seal_timestamp_url is not set: archive timestamps come "
                               "from a timestamp authority")
    outcomes = run_refresh(services, policy, now=_now(), limit=limit, dry_run=dry_run)
    for outcome in outcomes:
        if outcome.refreshed:
            click.echo(f"refreshed {outcome.envelope_id}: {outcome.detail} (new final PDF "
                       f"{outcome.new_sha256})")
        else:
            click.echo(f"{'due' if dry_run else 'FAILED'} {outcome.envelope_id}: "
                       f"{outcome.detail.removeprefix('due: ')}")
    done = sum(1 for o in outcomes if o.refreshed)
    failed = 0 if dry_run else len(outcomes) - done
    click.echo(f"{done} record(s) refreshed" + (f", {failed} failed" if failed else "")
               + (f", {len(outcomes)} due" if dry_run else ""))
    if failed:
        raise SystemExit(1)


@archive_group.command("revoke-copy-links")
@click.argument("envelope_id")
@click.option("--signer", "signer_id", help="Only this signer's links (default: every signer's).")
@click.option("--reason", required=True, help="Why (e.g. a mailbox that was taken over).")
@click.pass_obj
def revoke_copy_links_cmd(services: Services, envelope_id: str, signer_id: str | None,
                          reason: str) -> None:
    """Stop every link to this plan's records made until now: to its copy (the "your
    copy" email's, and those the records page mailed), its case file's, and the
    employee's check-in records'. The signer can ask the records page for a fresh one.
    Logged in the access log."""
    from sqlalchemy import select

    from archive import RecordNotFound, log_access
    from archive.models import ArchivedRecord
    from signing.domain import own_records
    from signing.domain.models import CheckinRecordFile, SignerRow

    if not reason.strip():
        raise click.UsageError("--reason: say why the links are revoked")
    now = _now()
    with services.sessions.begin() as session:
        # A plan whose record is not archived yet may have check-in records already.
        if (session.get(ArchivedRecord, envelope_id) is None and session.scalar(
                select(CheckinRecordFile.id)
                .where(CheckinRecordFile.envelope_id == envelope_id).limit(1)) is None):
            raise RecordNotFound(envelope_id)
        signer = session.get(SignerRow, signer_id) if signer_id else None
        if signer_id and (signer is None or signer.envelope_id != envelope_id):
            raise click.UsageError(f"--signer: {signer_id} is not a signer of {envelope_id}")
        checkins = own_records.revoke_envelope(session, envelope_id, signer_id=signer_id,
                                               by=_reader().actor, reason=reason, now=now)
        whose = f"signer {signer_id}" if signer_id else "every signer"
        covered = (f"; with the records of check-in(s) {', '.join(checkins)}"
                   if checkins else "")
        log_access(session, _reader(), "copy.revoke", now=now, envelope_id=envelope_id,
                   detail=f"{whose}: {reason.strip()}{covered}")
    click.echo(f"copy links to {envelope_id} made until now no longer work ({whose})")
    if checkins:
        click.echo(f"nor do links to its {len(checkins)} check-in record(s)")
