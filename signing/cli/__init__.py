"""The ``plansign`` command: a thin click shell over the same services the web uses."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import DBAPIError

from archive import ArchiveError
from config import SettingsError, load_settings
from database import read_only_problem, refuses_writes
from docgen.errors import DocgenError
from signing.cli import demo
from signing.cli import docs as cli_docs
from signing.cli import outbox as cli_outbox
from signing.cli import service as cli_service
from signing.cli import webhooks as cli_webhooks
from signing.domain.errors import SigningError
from signing.records import cli as cli_archive
from signing.services import Services
from webhooks import WebhookError


class _Group(click.Group):
    """Turns the errors users can fix into a message and exit status, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ArchiveError, DocgenError, SettingsError, SigningError, WebhookError) as exc:
            _fail(str(exc))
        except DBAPIError as exc:
            if not refuses_writes(exc) or not isinstance(ctx.obj, Services):
                raise
            _fail(read_only_problem(ctx.obj.database_url))


def _fail(message: str) -> None:
    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {escape(message)}",
                                               highlight=False)
    sys.exit(1)


@click.group(cls=_Group)
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A TOML settings file (default: $PLANSIGN_CONFIG).")
@click.version_option(package_name="plansign")
@click.pass_context
def main(ctx: click.Context, config_file: Path | None) -> None:
    """plansign: Performance Improvement Plans in writing, acknowledged and archived."""
    # Built once, here, from --config and the environment; every command takes it.
    services = Services(load_settings(config_file=config_file))
    ctx.obj = services
    ctx.call_on_close(services.close)


@main.command("settings")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
@click.pass_obj
def settings_cmd(services: Services, as_json: bool) -> None:
    """Show every setting, its value and where the value came from."""
    settings = services.settings
    rows = [
        {"name": s.name, "value": "(set)" if s.secret and settings[s.name] else settings[s.name],
         "source": settings.sources[s.name], "env": s.env_var, "help": s.help}
        for s in settings.table.values()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table("setting", "value", "from", "environment variable")
    for row in rows:
        table.add_row(*(escape(str(v)) for v in (row["name"], repr(row["value"]),
                                                  row["source"], row["env"])))
    Console().print(table)


main.add_command(cli_docs.lint_cmd)
main.add_command(cli_docs.generate_cmd)
main.add_command(cli_docs.templates_group)
main.add_command(cli_service.worker_cmd)
main.add_command(cli_service.serve_cmd)
main.add_command(cli_service.send_cmd)
main.add_command(cli_service.status_cmd)
main.add_command(cli_service.keys_group)
main.add_command(cli_service.verify_cmd)
main.add_command(cli_webhooks.webhooks_group)
main.add_command(cli_archive.archive_group)
main.add_command(cli_outbox.outbox_group)
main.add_command(demo.demo_cmd)
