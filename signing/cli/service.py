"""CLI commands for the signing service: `send`, `status`, `serve`, `worker`, `keys`."""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import logging
import math
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from archive import log_access
from config import Settings
from docgen import LintFailed, PlanError, resolve_template
from docgen.loading import parse_plan_text
from signing import instance, worker
from signing.cli.docs import print_findings, print_plan_error, templates_dir
from signing.domain import access, apikeys, authorize, envelopes, outbox, verification
from signing.domain.access import team_name
from signing.domain.apikeys import KEY_ROLES
from signing.domain.envelopes import Actor
from signing.domain.errors import first_line
from signing.domain.models import OutboxRow
from signing.domain.sending import (
    SendOptions,
    day_ends,
    default_language,
    plan_limits,
    send_plan,
)
from signing.services import Services, converter_pool_size

log = logging.getLogger(__name__)


@click.command("send")
@click.argument("plan_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--template", "-t", help="Template name or .docx path; overrides the plan's.")
@click.option("--force", is_flag=True, help="Send even when the plan has lint errors.")
@click.option("--team", default=None,
              help="The HR team whose keys may follow the plan through the API; without, "
                   "only admin keys (and this command line) may.")
@click.pass_obj
def send_cmd(services: Services, plan_file: Path, template: str | None, force: bool,
             team: str | None) -> None:
    """Generate a plan's PDF and send it to its signers. Prints the envelope id."""
    settings = services.settings
    data = parse_plan_text(plan_file.read_text(encoding="utf-8"),
                           fmt="json" if plan_file.suffix == ".json" else "yaml",
                           source=str(plan_file))
    name = template or (data.get("template") if isinstance(data, dict) else None)
    options = SendOptions(
        template=resolve_template(name or settings.default_template, templates_dir(settings)),
        company_name=services.branding.legal_name, logo=services.branding.logo,
        force=force, team=team_name(team),
        limits=plan_limits(settings), language=default_language(settings),
        expires_in=dt.timedelta(days=settings.link_max_age_days),
        day_ends=day_ends(settings))
    sessions = services.sessions
    now = dt.datetime.now(dt.UTC)
    try:
        envelope_id = send_plan(sessions, data, options=options, converter=services.converter,
                                actor=Actor(f"cli:{getpass.getuser()}"), now=now,
                                source=str(plan_file))
    except LintFailed as exc:
        console = Console(highlight=False, soft_wrap=True)
        print_findings(console, str(plan_file), exc.findings)
        console.print(f"[red]{escape(str(exc))}; fix them, or pass --force[/]")
        console.print("[bold red]Nothing was sent.[/]")
        sys.exit(1)
    except PlanError as exc:
        # Both lists, as `lint` gives them: what is wrong with the data, and the lint
        # findings for the parts that could be read, so one round of fixes does.
        console = Console(highlight=False, soft_wrap=True)
        print_plan_error(console, exc)
        if exc.findings:
            print_findings(console, str(plan_file), exc.findings)
        console.print("[bold red]Nothing was sent.[/]")
        sys.exit(1)
    click.echo(envelope_id)
    if settings.mail_backend == "file":
        # The file outbox stands in for the signers' mailboxes: deliver now, and say where.
        outbox.run_once(sessions, {"email": services.mailer}, now=now)
        with sessions() as session:
            # Mail sent by this command, or by a worker that claimed it first.
            for row in session.scalars(select(OutboxRow).where(
                    OutboxRow.envelope_id == envelope_id, OutboxRow.kind == "email",
                    OutboxRow.sent_at.is_not(None),
                    OutboxRow.provider_message_id.is_not(None))):
                folder = instance.instance_path(settings) / "mail"
                message_file = str(row.provider_message_id)  # not None: the query says so
                click.echo(f"{row.name} for signer {row.signer_id}: {folder / message_file}")


@click.command("status")
@click.argument("envelope_id")
@click.pass_obj
def status_cmd(services: Services, envelope_id: str) -> None:
    """An envelope's state, its signers and its audit trail (never a link)."""
    sessions = services.sessions
    # A read of a person's record like any other: in the access log.
    authorize.check_read(services, access.operator(getpass.getuser()), envelope_id, "status",
                         now=dt.datetime.now(dt.UTC))
    with sessions() as session:
        row = envelopes.load(session, envelope_id)
        click.echo(f"envelope {row.id}: {row.state}"
                   + (f", expires {row.expires_at:%Y-%m-%d %H:%M} UTC" if row.expires_at else ""))
        for signer in row.signers:
            click.echo(f"  {signer.routing_order}. {signer.role:<8} {signer.name} "
                       f"<{signer.email}>: {signer.state}")
        for record in envelopes.audit_trail(session, envelope_id):
            click.echo(f"  {record.at:%Y-%m-%d %H:%M:%S} {record.type} ({record.actor})")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=None, type=click.IntRange(min=1),
              help="Worker processes [default: serve_workers, 0 there: one per CPU].")
@click.option("--threads", default=None, type=click.IntRange(min=1),
              help="Threads per worker process [default: serve_threads].")
@click.pass_obj
def serve_cmd(services: Services, host: str, port: int, workers: int | None,
              threads: int | None) -> None:
    """Serve the signer's pages and the HR API with gunicorn: several worker processes
    (one per CPU by default), each with a pool of threads.

    No access log is written, so signing links (which carry a token until the first
    redirect) never reach a log file. Each request is read whole before a thread
    handles it, so a slow client holds a connection, not a thread
    (signing/web/server.py).
    """
    from signing.web.app import MAX_REQUEST_BYTES
    from signing.web.server import ServeOptions, default_workers, serve
    from signing.web.serving import serving_plan

    settings = services.settings
    # The master process migrates the database and makes the link key once, then lets
    # go of everything: each worker builds its own app, database pool and LibreOffice
    # pool after the fork (a pool or a connection shared across a fork is corrupted).
    # The branding is checked here too, so a bad logo or colour stops serve at start.
    _ = services.engine, services.secret_keys, services.branding
    services.close()
    plan = serving_plan(cpus=default_workers(), workers=workers or settings.serve_workers,
                        threads=threads or settings.serve_threads,
                        converters=converter_pool_size(settings))
    options = ServeOptions(
        host=host, port=port, workers=plan.workers, threads=plan.threads,
        connection_limit=settings.serve_connection_limit,
        channel_timeout=settings.serve_channel_timeout, backlog=settings.serve_backlog,
        max_body=MAX_REQUEST_BYTES, switch_interval_us=settings.serve_switch_interval_us,
        gc_freeze=settings.serve_gc_freeze,
        balance_connections=settings.serve_balance_connections)
    worker_settings = _worker_settings(settings, plan.converters)
    _allow_open_files(math.ceil(settings.serve_connection_limit / options.workers) + 100)

    def app_for_this_worker() -> tuple[Any, Callable[[], None]]:
        from signing.web.app import create_app

        mine = Services(worker_settings,
                        database_pool=(plan.database_pool, plan.database_overflow))
        return create_app(mine), mine.close

    click.echo(f"plansign serving on http://{host}:{port} ({options.workers} worker "
               f"process{'es' if options.workers != 1 else ''} of {options.threads} threads)")
    serve(app_for_this_worker, options)


def _worker_settings(settings: Settings, converters: int) -> Settings:
    """``settings`` for one worker process: the LibreOffice instances it may start (the
    server's shared out between the workers: signing/web/serving.py)."""
    values = dict(settings)
    values["converter_pool_size"] = converters
    return Settings(values, dict(settings.sources), settings.table)


def _allow_open_files(wanted: int) -> None:
    """Raise this process's soft limit on open files towards ``wanted`` (as far as the
    hard limit allows), so that a worker's share of serve_connection_limit connections
    can be open (the workers inherit the limit)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < wanted:
        log.warning("open files are limited to %d; a worker's share of "
                    "serve_connection_limit needs about %d (raise `ulimit -n`)", target, wanted)


@click.command("worker")
@click.option("--once", is_flag=True, help="Handle what is due now, then exit.")
@click.option("--interval", default=0.5, show_default=True,
              help="Seconds between polls when there is nothing to do; short, so webhooks "
                   "go out within a second or two of what they announce.")
@click.pass_obj
def worker_cmd(services: Services, once: bool, interval: float) -> None:
    """Keep the deadlines (reminders, expiry) and carry out what the outbox holds: send
    email, finalize completed envelopes (stamp, seal, archive), and announce and deliver
    webhooks."""
    services.retention_policy  # noqa: B018 -- a retention rule that is wrong stops it now
    _ = services.branding  # checked at start: a bad logo or colour stops the worker here
    stop = threading.Event()
    with sigterm_stops(stop):
        worker.run(services, once=once, interval=interval, stop=stop)


@contextlib.contextmanager
def sigterm_stops(stop: threading.Event) -> Iterator[None]:
    """While the block runs, SIGTERM (systemd, ``docker stop``, Kubernetes) sets
    ``stop``, for a loop that finishes what it is doing and returns: the worker, whose
    passes write to the database, must not be cut mid-statement as an exception raised
    from a signal handler would cut it (psycopg then refuses the rollback, "connection in
    transaction status ACTIVE", and the exit is an error). A second SIGTERM ends the
    process at once, as Ctrl-C does, through its ``finally`` blocks and ``atexit``, where
    the converter pool stops LibreOffice. The previous handler is back afterwards (the
    tests run commands in-process)."""
    def request_stop(signum: int, _frame: object) -> None:
        if stop.is_set():
            sys.exit(0)
        click.echo("plansign: stopping (SIGTERM)", err=True)
        stop.set()

    try:
        previous = signal.signal(signal.SIGTERM, request_stop)
    except ValueError:  # not the main thread: signals are not ours to handle
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.group("keys")
def keys_group() -> None:
    """API keys for the HTTP API (roles: hr, records, admin). Only their hashes are kept."""


@keys_group.command("create")
@click.option("--role", required=True, type=click.Choice([r.value for r in KEY_ROLES]),
              help="hr: send and manage plans; records: read them; admin: both.")
@click.option("--name", required=True, help="Who or what uses the key, e.g. 'HRIS sync'.")
@click.option("--team", default=None,
              help="hr keys: the HR team it belongs to; keys of one team see the plans each "
                   "of them sends. Without: the key sees only its own.")
@click.pass_obj
def keys_create_cmd(services: Services, role: str, name: str, team: str | None) -> None:
    """Create a key and print it once."""
    sessions = services.sessions
    with sessions.begin() as session:
        try:
            row, plaintext = apikeys.create_key(session, name, role, dt.datetime.now(dt.UTC),
                                                team=team)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--team" if "team" in str(exc)
                                     else "--name") from None
        prefix, key_id, team = row.prefix, row.id, row.team
    click.echo(plaintext)
    click.echo(f"API key {key_id} ({prefix}, role {role}"
               f"{f', team {team}' if team else ''}) created. Keep it safe: it cannot "
               "be shown again.", err=True)


@keys_group.command("set-team")
@click.argument("prefix_or_id")
@click.argument("team")
@click.option("--with-plans", is_flag=True,
              help="Also put the plans it sent before in TEAM, out for signature and "
                   "archived: how a key's plans are handed over when it is rotated.")
@click.pass_obj
def keys_set_team_cmd(services: Services, prefix_or_id: str, team: str,
                      with_plans: bool) -> None:
    """Put an hr key in TEAM ("" for none). It then sees the team's plans, and the team
    the plans it sends from now on (with --with-plans, those it sent before too)."""
    with services.sessions.begin() as session:
        try:
            row, moved = apikeys.set_team(session, prefix_or_id, team, with_plans=with_plans)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="TEAM") from None
        click.echo(f"API key {row.id} ({row.prefix}, {row.name}) "
                   + (f"is in team {row.team}" if row.team else "is in no team")
                   + (f"; {moved} plan{'' if moved == 1 else 's'} it sent moved with it"
                      if with_plans else ""))


@keys_group.command("list")
@click.pass_obj
def keys_list_cmd(services: Services) -> None:
    """Every key: id, prefix, name, role, team, created, revoked (never the key itself)."""
    sessions = services.sessions
    with sessions() as session:
        rows = apikeys.list_keys(session)
        if not rows:
            click.echo("no API keys; create one with `plansign keys create`")
        for row in rows:
            revoked = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
            team = f"  team {row.team}" if row.team else ""
            click.echo(f"{row.id:>4}  {row.prefix}  {row.role:<7}  "
                       f"created {row.created_at:%Y-%m-%d %H:%M}  {revoked}  {row.name}{team}")


@keys_group.command("revoke")
@click.argument("prefix_or_id")
@click.pass_obj
def keys_revoke_cmd(services: Services, prefix_or_id: str) -> None:
    """Revoke a key by its id or prefix; it stops working at once."""
    sessions = services.sessions
    with sessions.begin() as session:
        row = apikeys.revoke(session, prefix_or_id, dt.datetime.now(dt.UTC))
        click.echo(f"API key {row.id} ({row.prefix}, {row.name}) revoked "
                   f"{row.revoked_at:%Y-%m-%d %H:%M} UTC")


@click.command("verify")
@click.argument("file_or_envelope_id")
@click.pass_obj
def verify_cmd(services: Services, file_or_envelope_id: str) -> None:
    """Check an archived plan: its seal, its audit chain, and its documents' hashes.

    Give an envelope id, or the path of a PDF (any file that exists, whatever its name)
    to check its seal and the audit trail it carries, and whether it is an archived
    plan's final document. Prints one line per check; exits 1 if any fails.
    """
    from docgen.seal import validate

    trusted = instance.trusted_seal_certificates(services.settings)
    sessions = services.readers
    store = services.store
    path = Path(file_or_envelope_id)

    def seal_report(pdf: bytes) -> Any:
        return validate(pdf, trusted=trusted)

    with sessions() as session:
        if path.is_file():
            checks = verification.verify_file(session, store, path.read_bytes(), seal_report)
        else:
            checks = verification.verify_envelope(session, store, file_or_envelope_id,
                                                   seal_report)
    passed = all(check.ok for check in checks)
    # Verifying reads the archived documents: a read like any other, so it is logged.
    try:
        with services.sessions.begin() as session:
            log_access(session, access.access_reader(access.operator(getpass.getuser())),
                       "verify",
                       now=dt.datetime.now(dt.UTC),
                       envelope_id=None if path.is_file() else file_or_envelope_id,
                       detail=("passed" if passed else "failed")
                       + (f": file {path.name}" if path.is_file() else ""))
    except SQLAlchemyError as exc:  # a read-only replica, say: still report the checks
        click.echo(f"warning: this read could not be written to the access log "
                   f"({first_line(exc)})", err=True)
    for check in checks:
        click.echo(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
    if not passed:
        sys.exit(1)
