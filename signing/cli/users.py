"""``plansign users``: the people who sign in to the console (create, list, disable, a
new password, unlock, remove a second factor).

A password is never a command-line argument (the process list and the shell history
would keep it): it is read from ``PLANSIGN_USER_PASSWORD`` when that is set (scripts,
the demo), else asked for twice without echo.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os

import click
from sqlalchemy import select

from docgen.languages import SUPPORTED
from signing.domain import people, signin
from signing.domain.access import Role
from signing.domain.models import PersonRow
from signing.domain.people import Person, PersonError
from signing.services import Services

PASSWORD_VARIABLE = "PLANSIGN_USER_PASSWORD"


@click.group("users")
def users_group() -> None:
    """People who sign in to the console: managers, hr, records staff and admins."""


def _console(services: Services) -> str:
    base_url: str = services.settings.base_url
    return base_url.rstrip("/") + "/console/"


def _password(username: str) -> str:
    """The new password, from the environment or typed twice; hashed here so that a
    short one is refused before anything is written."""
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        password = click.prompt(f"Password for {username}", hide_input=True,
                                confirmation_prompt="Again, to be sure")
    try:
        return signin.hash_password(password)
    except PersonError as exc:
        raise click.BadParameter(str(exc), param_hint=f"the password ({PASSWORD_VARIABLE} or "
                                                      "the prompt)") from None


_LANGUAGE_HELP = (f"The language the console and plansign's emails speak to them: "
                  f"{', '.join(SUPPORTED)} (not set: the default_language setting).")
_ZONE_HELP = ("The time zone of the times the console shows them, as an IANA name "
              "(Europe/Paris); not set: each plan's own zone, else UTC.")


def _describe(person: Person) -> str:
    team = f", team {person.team}" if person.team else ""
    language = f", language {person.language}" if person.language else ""
    zone = f", time zone {person.time_zone}" if person.time_zone else ""
    return (f"{person.username} ({person.display_name} <{person.email}>, {person.role}{team}"
            f"{language}{zone})")


@users_group.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="Their name as colleagues know it.")
@click.option("--email", required=True, help="Their work email address.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]),
              help="manager: drafts plans for their reports; hr: approves, sends and "
                   "follows plans; records: the archive; admin: everything, and people.")
@click.option("--team", default=None, help="hr and manager: their HR team, whose plans they see.")
@click.option("--single-sign-on", "sso_only", is_flag=True,
              help="No password: they sign in only with the single sign-on provider, "
                   "linked by their email address at their first sign-in there (their "
                   "role then comes from the provider's groups).")
@click.option("--language", default=None, help=_LANGUAGE_HELP)
@click.option("--time-zone", default=None, help=_ZONE_HELP)
@click.pass_obj
def users_create_cmd(services: Services, username: str, display_name: str, email: str,
                     role: str, team: str | None, sso_only: bool, language: str | None,
                     time_zone: str | None) -> None:
    """Add a person who signs in to the console as USERNAME."""
    try:  # a wrong language or zone is told before the password is asked
        people.checked_language(language)
        people.checked_time_zone(time_zone)
    except PersonError as exc:
        raise click.BadParameter(str(exc), param_hint=_OPTION[exc.field or ""]) from None
    password_hash = None if sso_only else _password(username)
    with services.sessions.begin() as session:
        try:
            person = people.create_person(
                session, username=username, display_name=display_name, email=email,
                role=role, team=team, password_hash=password_hash,
                now=dt.datetime.now(dt.UTC), created_by=f"cli:{getpass.getuser()}",
                language=language, time_zone=time_zone)
        except PersonError as exc:
            raise click.BadParameter(str(exc), param_hint=_OPTION.get(exc.field or "",
                                                                      "USERNAME")) from None
    click.echo(f"Created {_describe(person)}.")
    how = ("with single sign-on" if sso_only else "with their username and password")
    click.echo(f"They sign in {how} at {_console(services)}")
    if sso_only and not services.settings.console_oidc_issuer:
        click.echo("Single sign-on is not set up yet: set console_oidc_issuer and the other "
                   "console_oidc_ settings (README, \"The console\").")


_OPTION = {"username": "USERNAME", "display_name": "--name", "email": "--email",
           "role": "--role", "team": "--team", "language": "--language",
           "time_zone": "--time-zone"}


@users_group.command("update")
@click.argument("username")
@click.option("--language", default=None, help=_LANGUAGE_HELP + ' "" for none.')
@click.option("--time-zone", default=None, help=_ZONE_HELP + ' "" for none.')
@click.pass_obj
def users_update_cmd(services: Services, username: str, language: str | None,
                     time_zone: str | None) -> None:
    """Set the language and time zone of USERNAME (what is not given stays as it is)."""
    with services.sessions.begin() as session:
        row = people.row_of(session, username)
        try:
            changes = people.set_preferences(
                session, row, language=row.language if language is None else language,
                time_zone=row.time_zone if time_zone is None else time_zone)
        except PersonError as exc:
            raise click.BadParameter(str(exc), param_hint=_OPTION[exc.field or ""]) from None
        person = Person.of(row)
    click.echo(f"{'Changed' if changes else 'Nothing to change for'} {_describe(person)}"
               f"{': ' + '; '.join(changes) if changes else ''}.")


@users_group.command("list")
@click.pass_obj
def users_list_cmd(services: Services) -> None:
    """Everyone: username, role, team, how they sign in, and whether they may."""
    with services.sessions() as session:
        everyone = people.list_people(session)
        locked = set(session.scalars(select(PersonRow.username).where(
            PersonRow.locked_until > dt.datetime.now(dt.UTC))))
    if not everyone:
        click.echo("no people yet; add one with `plansign users create USERNAME --name ... "
                   "--email ... --role hr`")
        return
    for person in everyone:
        methods = [m for m, on in (("password", person.has_password),
                                   ("+totp", person.has_totp),
                                   ("single sign-on", person.single_sign_on)) if on] \
            or ["single sign-on (not yet linked)"]
        state = ("disabled" if person.disabled
                 else "locked" if person.username in locked else "active")
        last = (f"last signed in {person.last_sign_in_at:%Y-%m-%d %H:%M} UTC"
                if person.last_sign_in_at else "never signed in")
        click.echo(f"{person.username:<20} {person.role:<8} {(person.team or '-'):<12} "
                   f"{state:<8} {' '.join(methods):<31} {last}  "
                   f"{person.display_name} <{person.email}>")
    click.echo(f"The console: {_console(services)}")


@users_group.command("disable")
@click.argument("username")
@click.pass_obj
def users_disable_cmd(services: Services, username: str) -> None:
    """Stop USERNAME signing in; their sessions end at once. Trails keep their name."""
    with services.sessions.begin() as session:
        person = people.disable(session, username, dt.datetime.now(dt.UTC))
    click.echo(f"Disabled {_describe(person)}; every session of theirs has ended.")


@users_group.command("set-password")
@click.argument("username")
@click.pass_obj
def users_set_password_cmd(services: Services, username: str) -> None:
    """Give USERNAME a new password (and end any lockout). Signs them out everywhere."""
    with services.sessions() as session:
        people.find(session, username)  # a typo is told before the password is asked
    password_hash = _password(username)
    with services.sessions.begin() as session:
        person = people.set_password(session, username, password_hash,
                                     dt.datetime.now(dt.UTC))
    click.echo(f"New password set for {_describe(person)}; they were signed out everywhere.")
    click.echo(f"They sign in with it at {_console(services)}")


@users_group.command("unlock")
@click.argument("username")
@click.pass_obj
def users_unlock_cmd(services: Services, username: str) -> None:
    """End USERNAME's lockout after too many failed sign-ins, now."""
    with services.sessions.begin() as session:
        person = people.unlock(session, username)
    click.echo(f"Unlocked {_describe(person)}; they may sign in at {_console(services)}")


@users_group.command("reset-totp")
@click.argument("username")
@click.pass_obj
def users_reset_totp_cmd(services: Services, username: str) -> None:
    """Remove USERNAME's second factor (a lost phone): they sign in with their password
    alone, then set up a new one on their account page."""
    with services.sessions.begin() as session:
        person = people.reset_totp(session, username, dt.datetime.now(dt.UTC))
    click.echo(f"Removed the second factor of {_describe(person)}; they were signed out "
               f"everywhere. They sign in with their password at {_console(services)} and "
               f"can set up a new one under their name, top right.")

