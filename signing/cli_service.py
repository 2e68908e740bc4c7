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


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve_cmd(host: str, port: int, threads: int) -> None:
    """Serve the signing pages with waitress, a production WSGI server.

    waitress writes no access log, so signing links (which carry a token until the
    first redirect) never reach a log file.
    """
    import waitress

    from signing.app import create_app

    click.echo(f"plansign serving on http://{host}:{port}")
    waitress.serve(create_app(), host=host, port=port, threads=threads, ident="plansign")


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
