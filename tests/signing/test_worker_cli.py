"""`plansign worker` wired from settings: the instance database, the file outbox, and a
link key generated once when none is configured."""

from __future__ import annotations

import datetime as dt
import stat

import pytest

from config import load_settings
from database import make_session_factory
from docgen import sample_plan
from signing import instance
from signing.cli import main
from signing.domain import envelopes as svc
from signing.domain import workflow as wf

pytestmark = pytest.mark.usefixtures("clean_env")
NOW = dt.datetime.now(dt.UTC)


def test_worker_once_mails_the_invitation(runner, tmp_path, database_url):
    env = {"PLANSIGN_INSTANCE_PATH": str(tmp_path / "instance"),
           "PLANSIGN_DATABASE_URL": database_url,
           "PLANSIGN_BASE_URL": "https://sign.example.com"}
    settings = load_settings(env)
    sessions = make_session_factory(instance.database_engine(settings))
    plan = sample_plan()
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=plan.model_dump(mode="json", by_alias=True, exclude_none=True),
            template="standard", pdf=b"%PDF fake",
            signers=[svc.SignerSpec(wf.Role.EMPLOYEE, "Alex Sample", "alex@example.com", 1)],
            actor=svc.Actor("hr:test"), now=NOW)
        svc.perform(session, envelope_id, "send", actor=svc.Actor("hr:test"), now=NOW,
                    expires_in=dt.timedelta(days=14))
    result = runner.invoke(main, ["worker", "--once"], env=env)
    assert result.exit_code == 0, result.output
    # The invitation; envelope.sent; the manager (who signs nothing here) told of it.
    assert "handled 3 outbox entries" in result.output
    assert "generated a link key" in result.output
    [eml] = [p for p in (tmp_path / "instance" / "mail").glob("*.eml")
             if "alex@example.com" in p.read_text()]
    assert "https://sign.example.com/s/" in eml.read_text()
    key = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    result = runner.invoke(main, ["worker", "--once"], env=env)
    assert result.output == ""  # nothing due, and the key is not generated again


def test_configured_keys_win(tmp_path):
    settings = load_settings({"PLANSIGN_INSTANCE_PATH": str(tmp_path),
                              "PLANSIGN_SECRET_KEYS": "new-key-0123456789abcdef, old-key"})
    assert instance.secret_keys(settings) == ["new-key-0123456789abcdef", "old-key"]
    assert not (tmp_path / "secret_key").exists()


def test_sendgrid_without_a_key_is_a_message(runner, tmp_path):
    env = {"PLANSIGN_INSTANCE_PATH": str(tmp_path), "PLANSIGN_MAIL_BACKEND": "sendgrid"}
    result = runner.invoke(main, ["worker", "--once"], env=env)
    assert result.exit_code == 1
    assert "PLANSIGN_SENDGRID_API_KEY" in result.output
    assert "Traceback" not in result.output


def test_processes_starting_together_share_one_generated_link_key(tmp_path):
    """A web process and a worker started at once, with no keys configured: one key is
    generated and both use it, so links the worker mails open on the web process."""
    import concurrent.futures

    settings = load_settings({"PLANSIGN_INSTANCE_PATH": str(tmp_path)})
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda _: instance.secret_keys(settings), range(16)))
    assert len({tuple(k) for k in keys}) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]
