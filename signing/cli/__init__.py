"""The ``plansign`` command: a thin click shell over the same services the web uses.

Each command's module is imported when that command runs (or when ``--help`` lists
them), not before: ``plansign generate`` starts LibreOffice before it has imported the
database, the archive or the web app it never uses, so that LibreOffice's start-up
overlaps the rest of plansign's (bench/README.md, issue 15).
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import click

from config import load_settings
from signing.services import Services

#: Command name -> "module:attribute", imported on first use.
_COMMANDS = {
    "lint": "signing.cli.docs:lint_cmd",
    "generate": "signing.cli.docs:generate_cmd",
    "templates": "signing.cli.docs:templates_group",
    "worker": "signing.cli.service:worker_cmd",
    "serve": "signing.cli.service:serve_cmd",
    "send": "signing.cli.service:send_cmd",
    "status": "signing.cli.service:status_cmd",
    "keys": "signing.cli.service:keys_group",
    "verify": "signing.cli.service:verify_cmd",
    "webhooks": "signing.cli.webhooks:webhooks_group",
    "archive": "signing.records.cli:archive_group",
    "outbox": "signing.cli.outbox:outbox_group",
    "demo": "signing.cli.demo:demo_cmd",
    "users": "signing.cli.users:users_group",
    "case": "signing.cli.cases:case_group",
}

#: The errors users can fix, by the module that defines each. An error whose module was
#: never imported cannot have been raised, so checking only those loaded costs no imports.
_USER_ERRORS = (
    ("archive.errors", "ArchiveError"),
    ("docgen.errors", "DocgenError"),
    ("config.settings", "SettingsError"),
    ("signing.domain.errors", "SigningError"),
    ("signing.branding", "BrandingError"),
    ("webhooks.errors", "WebhookError"),
)


def _loaded(module: str, name: str) -> type[BaseException] | None:
    found = getattr(sys.modules.get(module), name, None)
    return found if isinstance(found, type) and issubclass(found, BaseException) else None


def _user_errors() -> tuple[type[BaseException], ...]:
    return tuple(kind for module, name in _USER_ERRORS if (kind := _loaded(module, name)))


class _Group(click.Group):
    """Imports each command's module on first use, and turns the errors users can fix
    into a message and exit status, never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if isinstance(exc, _user_errors()):
                _fail(str(exc))
            database_error = _loaded("sqlalchemy.exc", "DBAPIError")
            if database_error is None or not isinstance(exc, database_error):
                raise
            from database import read_only_problem, refuses_writes

            if not refuses_writes(exc) or not isinstance(ctx.obj, Services):
                raise
            _fail(read_only_problem(ctx.obj.database_url))


def _fail(message: str) -> None:
    from rich.console import Console
    from rich.markup import escape

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
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

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

