"""``plansign users``: people for the console, made and changed at the command line, and
signing in with what it made (signing/cli/users.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from signing.cli import main
from signing.domain import people, signin
from signing.domain.models import ConsoleSessionRow
from signing.web.app import create_app
from signing.web.current import services_of
from tests.console.conftest import Console

PASSWORD = "a long and private passphrase"


@pytest.fixture
def env(tmp_path, clean_env, database_url):
    return {"PLANSIGN_INSTANCE_PATH": str(tmp_path / "instance"),
            "PLANSIGN_DATABASE_URL": database_url, "PLANSIGN_SECRET_KEYS": "k" * 40,
            "PLANSIGN_BASE_URL": "https://sign.example.com"}


def test_create_list_and_disable_and_the_person_signs_in(runner, env, tmp_path, database_url):
    created = runner.invoke(main, ["users", "create", "dana", "--name", "Dana Ólafsdóttir",
                                   "--email", "dana@example.com", "--role", "hr",
                                   "--team", "EMEA"],
                            env={**env, "PLANSIGN_USER_PASSWORD": PASSWORD})
    assert created.exit_code == 0, created.output
    assert "Created dana (Dana Ólafsdóttir <dana@example.com>, hr, team EMEA)" in created.output
    assert "https://sign.example.com/console/" in created.output
    assert PASSWORD not in created.output

    # Typed at the prompt, twice, when no variable gives it; a short one is refused.
    prompted = runner.invoke(main, ["users", "create", "riley", "--name", "Riley",
                                    "--email", "riley@example.com", "--role", "records"],
                             env=env, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0, prompted.output
    short = runner.invoke(main, ["users", "create", "sam", "--name", "Sam", "--email",
                                 "sam@example.com", "--role", "hr"],
                          env={**env, "PLANSIGN_USER_PASSWORD": "short"})
    assert short.exit_code == 2 and "at least 12 characters" in short.output
    bad = runner.invoke(main, ["users", "create", "kim", "--name", "Kim", "--email", "kim",
                               "--role", "records", "--single-sign-on"], env=env)
    assert bad.exit_code == 2 and "--email" in bad.output and "dana@example.com" in bad.output

    app = create_app({"instance_path": str(tmp_path / "instance"),
                      "database_url": database_url, "secret_keys": "k" * 40,
                      "base_url": "https://sign.example.com"})
    console = Console(app, app.test_client(), services_of(app).sessions)
    response = console.post("/console/signin", data={"username": "dana", "password": PASSWORD},
                            token_from="/console/signin")
    assert response.status_code == 302

    listed = runner.invoke(main, ["users", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    dana = next(line for line in listed.output.splitlines() if line.startswith("dana "))
    assert "hr" in dana and "EMEA" in dana and "active" in dana and "last signed in" in dana
    assert "never signed in" in next(line for line in listed.output.splitlines()
                                     if line.startswith("riley "))

    disabled = runner.invoke(main, ["users", "disable", "dana"], env=env)
    assert disabled.exit_code == 0 and "every session of theirs has ended" in disabled.output
    assert console.get("/console/").status_code == 302
    assert "disabled" in runner.invoke(main, ["users", "list"], env=env).output

    missing = runner.invoke(main, ["users", "disable", "nobody"], env=env)
    assert missing.exit_code == 1 and "`plansign users list` shows them" in missing.output


def test_set_password_unlock_and_reset_totp(runner, env, sessions):
    assert runner.invoke(main, ["users", "create", "ash", "--name", "Ash", "--email",
                                "ash@example.com", "--role", "admin"],
                         env={**env, "PLANSIGN_USER_PASSWORD": PASSWORD}).exit_code == 0
    now = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:
        row = people.row_of(session, "ash")
        row.locked_until, row.failed_attempts = now + dt.timedelta(minutes=10), 0
        row.totp_secret, row.totp_last_step = signin.new_totp_secret(), 5
        token = people.open_session(session, row.id, method="password", now=now,
                                    limits=people.SessionLimits(dt.timedelta(hours=1),
                                                                dt.timedelta(hours=2)))
    assert "locked" in runner.invoke(main, ["users", "list"], env=env).output

    unlocked = runner.invoke(main, ["users", "unlock", "ash"], env=env)
    assert unlocked.exit_code == 0 and "Unlocked ash" in unlocked.output
    reset = runner.invoke(main, ["users", "reset-totp", "ash"], env=env)
    assert reset.exit_code == 0 and "Removed the second factor of ash" in reset.output
    new = "another long passphrase"
    changed = runner.invoke(main, ["users", "set-password", "ash"],
                            env={**env, "PLANSIGN_USER_PASSWORD": new})
    assert changed.exit_code == 0 and "signed out everywhere" in changed.output
    with sessions() as session:
        row = people.row_of(session, "ash")
        assert row.locked_until is None and row.totp_secret is None
        assert signin.password_matches(row.password_hash, new)
        assert session.get(ConsoleSessionRow, people.hash_token(token)).ended_at is not None


def test_language_and_time_zone_at_the_command_line(runner, env, sessions):
    """`users create --language --time-zone` and `users update`, each value checked, the
    wrong one named by its option."""
    created = runner.invoke(main, ["users", "create", "ines", "--name", "Inès Laurent",
                                   "--email", "ines@example.com", "--role", "hr",
                                   "--language", "fr", "--time-zone", "Europe/Paris"],
                            env={**env, "PLANSIGN_USER_PASSWORD": PASSWORD})
    assert created.exit_code == 0, created.output
    assert "language fr, time zone Europe/Paris" in created.output
    wrong = runner.invoke(main, ["users", "create", "omar", "--name", "Omar",
                                 "--email", "omar@example.com", "--role", "hr",
                                 "--language", "klingon"], env=env)
    assert wrong.exit_code == 2 and "--language" in wrong.output
    updated = runner.invoke(main, ["users", "update", "ines", "--language", "ar"], env=env)
    assert updated.exit_code == 0, updated.output
    bad_zone = runner.invoke(main, ["users", "update", "ines", "--time-zone", "Paris"],
                             env=env)
    assert bad_zone.exit_code == 2 and "--time-zone" in bad_zone.output
    with sessions() as session:
        ines = people.find(session, "ines")
    assert (ines.language, ines.time_zone) == ("ar", "Europe/Paris")
    cleared = runner.invoke(main, ["users", "update", "ines", "--language", ""], env=env)
    assert cleared.exit_code == 0, cleared.output
    with sessions() as session:
        assert people.find(session, "ines").language is None
