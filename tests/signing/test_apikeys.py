"""API keys: stored hashed, shown once, revocable; and the `plansign keys` commands."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from database import make_engine, make_session_factory
from signing.cli import main
from signing.domain import apikeys
from signing.domain.models import ApiKey

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def test_only_the_hash_is_stored(sessions):
    with sessions.begin() as session:
        _, key = apikeys.create_key(session, "HRIS sync", "hr", NOW)
    assert key.startswith("psk_") and len(key) > 40
    with sessions() as session:
        stored = session.scalars(select(ApiKey)).one()
        assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert stored.prefix == key[:apikeys.PREFIX_LENGTH]
        assert stored.role == "hr" and stored.name == "HRIS sync" and stored.created_at == NOW
        columns = [getattr(stored, c.key) for c in ApiKey.__table__.columns]
        assert not any(isinstance(v, str) and key in v for v in columns)


def test_authenticate(sessions):
    with sessions.begin() as session:
        _, key = apikeys.create_key(session, "a", "records", NOW)
        apikeys.create_key(session, "b", "hr", NOW)
    with sessions() as session:
        assert apikeys.authenticate(session, key).name == "a"
        for wrong in (None, "", key[:-1] + ("A" if key[-1] != "A" else "B"), key + "x",
                      "Bearer " + key, key[:apikeys.PREFIX_LENGTH], "psk_" + "x" * 500):
            assert apikeys.authenticate(session, wrong) is None


def test_revoke_by_prefix_or_id(sessions):
    with sessions.begin() as session:
        first, key1 = apikeys.create_key(session, "a", "hr", NOW)
        second, key2 = apikeys.create_key(session, "b", "admin", NOW)
        prefix, second_id = first.prefix, second.id
    later = NOW + dt.timedelta(hours=1)
    with sessions.begin() as session:
        assert apikeys.revoke(session, prefix, later).revoked_at == later
        apikeys.revoke(session, str(second_id), later)
        assert apikeys.revoke(session, prefix, later + dt.timedelta(days=1)).revoked_at == later
    with sessions() as session:
        assert apikeys.authenticate(session, key1) is None
        assert apikeys.authenticate(session, key2) is None
        with pytest.raises(apikeys.KeyNotFound):
            apikeys.revoke(session, "psk_nothere", later)
        with pytest.raises(apikeys.KeyNotFound):
            apikeys.revoke(session, "999", later)


def test_bad_role_or_name(sessions):
    with sessions() as session:
        with pytest.raises(ValueError):
            apikeys.create_key(session, "a", "signer", NOW)
        with pytest.raises(ValueError):
            apikeys.create_key(session, "  ", "hr", NOW)


@pytest.fixture
def env(tmp_path, clean_env, database_url):
    return {"PLANSIGN_INSTANCE_PATH": str(tmp_path / "instance"),
            "PLANSIGN_DATABASE_URL": database_url,
            "PLANSIGN_SECRET_KEYS": "k" * 40}


def test_keys_commands(runner, env, database_url):
    created = runner.invoke(main, ["keys", "create", "--role", "hr", "--name", "HRIS sync"],
                            env=env)
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    assert key.startswith("psk_") and "\n" not in key
    assert "cannot be shown again" in created.output

    listed = runner.invoke(main, ["keys", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert key[:apikeys.PREFIX_LENGTH] in listed.output and "HRIS sync" in listed.output
    assert "hr" in listed.output and "active" in listed.output
    assert key not in listed.output and key[apikeys.PREFIX_LENGTH:] not in listed.output

    revoked = runner.invoke(main, ["keys", "revoke", key[:apikeys.PREFIX_LENGTH]], env=env)
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in runner.invoke(main, ["keys", "list"], env=env).output
    assert key not in revoked.output

    unknown = runner.invoke(main, ["keys", "revoke", "psk_unknown1"], env=env)
    assert unknown.exit_code == 1 and "no API key" in unknown.output
    bad_role = runner.invoke(main, ["keys", "create", "--role", "signer", "--name", "x"],
                             env=env)
    assert bad_role.exit_code == 2

    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        assert apikeys.authenticate(session, key) is None  # revoked
        row = session.scalars(select(ApiKey)).one()
        assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    engine.dispose()


def test_hr_keys_share_plans_by_team(runner, env):
    created = runner.invoke(main, ["keys", "create", "--role", "hr", "--name", "Sales desk",
                                   "--team", "  Sales   HR "], env=env)
    assert created.exit_code == 0, created.output
    assert "team Sales HR" in created.output
    prefix = created.stdout.strip()[:apikeys.PREFIX_LENGTH]
    assert "team Sales HR" in runner.invoke(main, ["keys", "list"], env=env).output

    moved = runner.invoke(main, ["keys", "set-team", prefix, "Support HR"], env=env)
    assert moved.exit_code == 0 and "is in team Support HR" in moved.output
    alone = runner.invoke(main, ["keys", "set-team", prefix, ""], env=env)
    assert alone.exit_code == 0 and "is in no team" in alone.output
    assert "team " not in runner.invoke(main, ["keys", "list"], env=env).output

    # Admins see every plan and records staff the archive: a team means nothing to them.
    refused = runner.invoke(main, ["keys", "create", "--role", "admin", "--name", "Ops",
                                   "--team", "Sales HR"], env=env)
    assert refused.exit_code == 2 and "only hr keys belong to a team" in refused.output
    assert "--team" in refused.output
