"""CLI commands for the signing service: ``worker``."""

from __future__ import annotations

import datetime as dt
import time

import click

from config import Settings
from database import make_session_factory
from signing import instance, outbox
from signing.links import LinkSigner
from signing.mail import backend_from_settings
from signing.notify import Mailer


def _mailer(settings: Settings) -> Mailer:
    backend = backend_from_settings(
        settings.mail_backend, folder=instance.instance_path(settings) / "mail",
        api_key=settings.sendgrid_api_key, host=settings.sendgrid_host,
        from_email=settings.mail_from)
    links = LinkSigner(instance.secret_keys(settings),
                       max_age=dt.timedelta(days=settings.link_max_age_days))
    return Mailer(backend, links, settings.base_url, settings.company_name)


@click.command("worker")
@click.option("--once", is_flag=True, help="Handle what is due now, then exit.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls.")
@click.pass_obj
def worker_cmd(settings: Settings, once: bool, interval: float) -> None:
    """Carry out what the outbox holds: send email (other kinds wait for their handlers)."""
    sessions = make_session_factory(instance.database_engine(settings))
    handlers = {"email": _mailer(settings)}
    while True:
        handled = outbox.run_once(sessions, handlers, now=dt.datetime.now(dt.UTC))
        if handled:
            click.echo(f"handled {handled} outbox entr{'y' if handled == 1 else 'ies'}")
        if once:
            return
        if not handled:
            time.sleep(interval)
