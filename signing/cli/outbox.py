"""``plansign outbox``: what the worker has still to do, and trying it again now once the
cause of a failure (a full disk, a provider's outage) is fixed."""

from __future__ import annotations

import datetime as dt

import click

from signing.domain import outbox
from signing.services import Services


@click.group("outbox")
def outbox_group() -> None:
    """Email, finalizing and webhooks the worker has still to carry out."""


@outbox_group.command("list")
@click.option("--envelope", "envelope_id", help="Only this envelope's entries.")
@click.option("--failed", is_flag=True, help="Entries given up, instead of those waiting.")
@click.pass_obj
def list_cmd(services: Services, envelope_id: str | None, failed: bool) -> None:
    """Entries waiting (or given up): id, kind, envelope, attempts, next try, last error."""
    sessions = services.readers
    with sessions() as session:
        rows = outbox.waiting(session, envelope_id=envelope_id, failed=failed)
    if not rows:
        click.echo("nothing " + ("given up" if failed else "waiting"))
    for row in rows:
        when = (f"gave up {row.failed_at:%Y-%m-%d %H:%M}" if row.failed_at
                else f"next try {row.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC")
        click.echo(f"{row.id:>6}  {row.kind}/{row.name}  envelope {row.envelope_id}  "
                   f"{row.attempts} attempt(s), {when}"
                   + (f"  last error: {row.last_error.splitlines()[0][:200]}"
                      if row.last_error else ""))


@outbox_group.command("retry")
@click.option("--envelope", "envelope_id", help="Only this envelope's entries.")
@click.option("--failed", is_flag=True, help="Also entries given up (with a fresh count).")
@click.pass_obj
def retry_cmd(services: Services, envelope_id: str | None, failed: bool) -> None:
    """Make waiting entries due now, rather than at their next try."""
    sessions = services.sessions
    count = outbox.retry_now(sessions, now=dt.datetime.now(dt.UTC), envelope_id=envelope_id,
                             failed=failed)
    click.echo(f"{count} entr{'y' if count == 1 else 'ies'} due now; the worker takes "
               "them on its next pass")
