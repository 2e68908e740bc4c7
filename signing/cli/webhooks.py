"""`plansign webhooks`: register and manage endpoints, read the delivery log, redeliver."""

from __future__ import annotations

import datetime as dt
import getpass

import click

import webhooks
from signing.services import Services


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _when(at: dt.datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S}" if at else "-"


@click.group("webhooks")
def webhooks_group() -> None:
    """Webhook endpoints that hear about plans: sent, viewed, acknowledged, refused,
    commented, completed (sealed and archived), expired, voided, email bounced."""


@webhooks_group.command("add")
@click.argument("url")
@click.option("--events", required=True,
              help="Comma-separated event types: " + ", ".join(webhooks.EVENT_TYPES) + ".")
@click.option("--name", help="A name plans can give as manager.webhook.")
@click.option("--manager", metavar="EMAIL", help="Only plans whose manager has this email.")
@click.option("--department", metavar="NAME", help="Only plans of this department.")
@click.option("--named-only", is_flag=True, help="Only plans that name this endpoint.")
@click.option("--description", help="What the endpoint is, for people.")
@click.pass_obj
def add_cmd(services: Services, url: str, events: str, name: str | None, manager: str | None,
            department: str | None, named_only: bool, description: str | None) -> None:
    """Register an endpoint. Prints its id, then its secret, once."""
    settings = services.settings
    with services.sessions.begin() as session:
        created = webhooks.create_endpoint(
            session, url=url, events=[e.strip() for e in events.split(",") if e.strip()],
            name=name, description=description, manager=manager, department=department,
            named_only=named_only, created_by=f"cli:{getpass.getuser()}", sees_all=True,
            now=_now(),
            allow_private=settings.webhook_allow_private)
        endpoint_id, secret = created.endpoint.id, created.secret
    click.echo(endpoint_id)
    click.echo(secret)
    click.echo(f"Webhook endpoint {endpoint_id} added. Give the receiver the secret above "
               "(whsec_...): it cannot be shown again.", err=True)


@webhooks_group.command("list")
@click.pass_obj
def list_cmd(services: Services) -> None:
    """Every endpoint: id, state, events, scope, name and URL (never a secret)."""
    with services.readers() as session:
        endpoints = webhooks.list_endpoints(session)
        if not endpoints:
            click.echo("no webhook endpoints; add one with `plansign webhooks add`")
        for e in endpoints:
            state = f"disabled {_when(e.disabled_at)}: {e.disabled_reason}" if e.disabled_at \
                else "enabled"
            scope = e.scope + (f" {e.filter_value}" if e.filter_value else "")
            click.echo(f"{e.id}  {e.name or '-'}  {e.url}\n    {state}; {scope}; "
                       f"events {', '.join(e.event_types)}")


@webhooks_group.command("disable")
@click.argument("endpoint_id")
@click.option("--reason", default="disabled from the command line", show_default=True)
@click.pass_obj
def disable_cmd(services: Services, endpoint_id: str, reason: str) -> None:
    """Stop sending to an endpoint; what it misses waits until it is enabled again."""
    with services.sessions.begin() as session:
        endpoint = webhooks.disable_endpoint(
            session, endpoint_id, reason=f"{reason} (cli:{getpass.getuser()})", now=_now())
        click.echo(f"webhook endpoint {endpoint.id} disabled: {endpoint.disabled_reason}")


@webhooks_group.command("enable")
@click.argument("endpoint_id")
@click.pass_obj
def enable_cmd(services: Services, endpoint_id: str) -> None:
    """Send to a disabled endpoint again, starting with what it missed."""
    with services.sessions.begin() as session:
        webhooks.enable_endpoint(session, endpoint_id)
    click.echo(f"webhook endpoint {endpoint_id} enabled")


@webhooks_group.command("rotate-secret")
@click.argument("endpoint_id")
@click.option("--overlap-hours", default=24.0, show_default=True, type=float,
              help="Hours the old secret keeps signing beside the new one.")
@click.pass_obj
def rotate_cmd(services: Services, endpoint_id: str, overlap_hours: float) -> None:
    """A new secret, printed once; both sign until the overlap ends."""
    with services.sessions.begin() as session:
        secret = webhooks.rotate_secret(session, endpoint_id,
                                        overlap=dt.timedelta(hours=overlap_hours), now=_now())
    click.echo(secret)
    click.echo(f"New secret for {endpoint_id}; the old one also signs for {overlap_hours:g} "
               "more hours.", err=True)


@webhooks_group.command("deliveries")
@click.option("--endpoint", "endpoint_id", help="Only this endpoint's deliveries.")
@click.option("--failed", is_flag=True, help="Only deliveries that failed for good.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@click.option("--attempts/--no-attempts", default=True, show_default=True,
              help="Show each attempt under its delivery.")
@click.pass_obj
def deliveries_cmd(services: Services, endpoint_id: str | None, failed: bool, limit: int,
                   attempts: bool) -> None:
    """The delivery log, newest first: each message and every attempt at it."""
    with services.readers() as session:
        messages = webhooks.list_messages(session, endpoint_id=endpoint_id, failed=failed,
                                          limit=limit)
        log = webhooks.attempts_of(session, [m.id for m in messages]) if attempts else {}
        if not messages:
            click.echo("no deliveries")
        for m in messages:
            due = f", next {_when(m.next_attempt_at)}" if m.status == "pending" else ""
            click.echo(f"{m.id}  {m.event_type:<20} {m.status:<9} attempts {m.attempts}"
                       f"{due}  endpoint {m.endpoint_id}  envelope {m.ordering_key}")
            for a in log.get(m.id, []):
                outcome = str(a.status_code) if a.status_code is not None else a.error
                click.echo(f"    #{a.number} {_when(a.at)} {outcome} {a.latency_ms} ms"
                           + (f"  {a.response_excerpt[:80]!r}" if a.response_excerpt else ""))


@webhooks_group.command("redeliver")
@click.argument("message_id")
@click.pass_obj
def redeliver_cmd(services: Services, message_id: str) -> None:
    """Send a delivery again (same webhook-id and body) on the worker's next pass."""
    with services.sessions.begin() as session:
        message = webhooks.redeliver(session, message_id, now=_now())
        click.echo(f"{message.id} queued again for endpoint {message.endpoint_id}")
